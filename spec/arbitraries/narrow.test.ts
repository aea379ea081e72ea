/**
 * The spec generator's knobs and its narrowing to a backend's capabilities (spec/arbitraries/spec.ts): every knob
 * holds on every draw, a narrowed arbitrary yields only cases inside the capability regions except its
 * unconstrained share (one draw in five), and that share is there, so supports() is still asked about the rest.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { CapabilityRegion, PoolingCapabilities } from '../contract.js';
import { CAPABILITY_WEIGHTS, narrowToRegion, specCaseArbitrary, type SpecCase, type SpecConstraints } from './spec.js';

const SEED = Number(process.env.POOLSPEC_SEED ?? 20261123);

function draw(c: SpecConstraints, n = 2000): SpecCase[] {
  return fc.sample(specCaseArbitrary(c), { numRuns: n, seed: SEED });
}

const d = (sc: SpecCase): number => sc.spec.kernel.length;
const begin = (sc: SpecCase): number[] => sc.spec.pads.slice(0, d(sc));
const end = (sc: SpecCase): number[] => sc.spec.pads.slice(d(sc));

describe('generator knobs hold on every draw', () => {
  test("pads: 'none', 'below-kernel', 'uniform', and both of the last two", () => {
    expect(draw({ pads: 'none' }).every((sc) => sc.spec.pads.every((p) => p === 0))).toBe(true);
    const below = draw({ pads: 'below-kernel' });
    expect(below.every((sc) => [...begin(sc), ...end(sc)].every((p, i) => p < sc.spec.kernel[i % d(sc)]!))).toBe(true);
    // Not vacuous: padding is drawn, and dilated windows (where E > k) are among the draws.
    expect(below.some((sc) => sc.spec.pads.some((p) => p > 0))).toBe(true);
    expect(below.some((sc) => sc.spec.dilations.some((v) => v > 1) && sc.spec.pads.some((p) => p > 0))).toBe(true);
    const uniform = draw({ pads: 'uniform', ranks: [2, 3] });
    expect(uniform.every((sc) => sc.spec.pads.every((p) => p === sc.spec.pads[0]))).toBe(true);
    expect(uniform.some((sc) => sc.spec.pads[0]! > 0)).toBe(true);
    const both = draw({ pads: ['uniform', 'below-kernel'] });
    expect(both.every((sc) => sc.spec.pads.every((p, i) => p === sc.spec.pads[0] && p < sc.spec.kernel[i % d(sc)]!))).toBe(true);
    // The default draws asymmetric pads at and beyond the kernel extent.
    const any = draw({});
    expect(any.some((sc) => begin(sc).some((p, i) => p !== end(sc)[i]))).toBe(true);
    expect(any.some((sc) => sc.spec.pads.some((p, i) => p >= sc.spec.kernel[i % d(sc)]!))).toBe(true);
  });

  test('ceilMode and countIncludePad fixed; dilation off; p from a set; unit strides; uniform windows', () => {
    expect(draw({ ceilMode: true }).every((sc) => sc.spec.ceilMode)).toBe(true);
    expect(draw({ ceilMode: false }).every((sc) => !sc.spec.ceilMode)).toBe(true);
    expect(draw({ countIncludePad: false }).every((sc) => !sc.spec.countIncludePad)).toBe(true);
    expect(draw({ dilation: false }).every((sc) => sc.spec.dilations.every((v) => v === 1))).toBe(true);
    expect(draw({}).some((sc) => sc.spec.dilations.some((v) => v > 1))).toBe(true);
    const lp = draw({ kinds: ['lp'], p: [1, 2] });
    expect(new Set(lp.map((sc) => sc.spec.p))).toEqual(new Set([1, 2]));
    expect(draw({ unitStrides: true }).every((sc) => sc.spec.strides.every((s) => s === 1))).toBe(true);
    const cubic = draw({ uniformWindow: true, ranks: [3] });
    expect(cubic.every((sc) => sc.spec.kernel.every((k) => k === sc.spec.kernel[0]) && sc.spec.strides.every((s) => s === sc.spec.strides[0]))).toBe(true);
    expect(cubic.some((sc) => sc.spec.kernel[0]! > 1)).toBe(true);
  });
});

/** Whether a case lies in a region (the region's fields read as SPEC constraints). */
function inRegion(sc: SpecCase, r: CapabilityRegion): boolean {
  const s = sc.spec;
  return (r.kinds?.includes(s.kind) ?? true)
    && (r.ranks?.includes(d(sc)) ?? true)
    && (r.layouts?.includes(sc.layout) ?? true)
    && (r.ceilMode !== false || !s.ceilMode)
    && (r.dilation !== false || s.dilations.every((v) => v === 1))
    && (r.countIncludePad !== false || s.kind !== 'avg' || !s.countIncludePad)
    && (r.divisorOverride !== false || s.divisorOverride === undefined)
    && (r.p === undefined || s.kind !== 'lp' || r.p.includes(s.p!))
    && (r.pads !== 'none' || s.pads.every((p) => p === 0))
    && (r.pads !== 'below-kernel' || s.pads.every((p, i) => p < s.kernel[i % d(sc)]!))
    && (r.pads !== 'uniform' || s.pads.every((p) => p === s.pads[0]))
    && (!r.unitStrides || s.strides.every((v) => v === 1))
    && (!r.uniformWindow || (s.kernel.every((k) => k === s.kernel[0]) && s.strides.every((v) => v === s.strides[0])));
}

const inAny = (sc: SpecCase, caps: PoolingCapabilities): boolean => (caps.regions ?? []).some((r) => inRegion(sc, r));

describe('narrowing to capabilities', () => {
  const N = 10_000;
  const UNCONSTRAINED = CAPABILITY_WEIGHTS.unconstrained / (CAPABILITY_WEIGHTS.unconstrained + CAPABILITY_WEIGHTS.narrowed);

  test('the share outside the regions is the unconstrained share times the share of plain draws outside them', () => {
    const caps: PoolingCapabilities = {
      regions: [
        { kinds: ['max', 'avg'], ranks: [1, 2], dilation: false, countIncludePad: false, divisorOverride: false, layouts: ['channels_last'] },
        { kinds: ['max'], ranks: [3], pads: 'uniform', uniformWindow: true, ceilMode: false },
      ],
    };
    const narrowed = draw({ capabilities: caps }, N);
    const plain = draw({}, N);
    const outside = narrowed.filter((sc) => !inAny(sc, caps)).length / N;
    const plainOutside = plain.filter((sc) => !inAny(sc, caps)).length / N;
    const expected = UNCONSTRAINED * plainOutside;
    // Two binomial estimates: σ of the difference from both. A generator that narrows every draw (no
    // unconstrained share) lands near 0; one that ignores the capabilities near plainOutside (about 0.95).
    const sigma = Math.sqrt((outside * (1 - outside)) / N + (UNCONSTRAINED ** 2 * plainOutside * (1 - plainOutside)) / N);
    expect(plainOutside).toBeGreaterThan(0.8);
    expect(Math.abs(outside - expected), `outside ${outside}, expected ${expected} ± ${5 * sigma}`).toBeLessThanOrEqual(5 * sigma);
    // Both regions are drawn.
    expect(narrowed.some((sc) => d(sc) === 3 && inAny(sc, caps))).toBe(true);
    expect(narrowed.some((sc) => d(sc) < 3 && inAny(sc, caps))).toBe(true);
  });

  test("a property's own constraints hold on narrowed and unconstrained draws alike", () => {
    const caps: PoolingCapabilities = { regions: [{ kinds: ['avg', 'lp'], pads: 'below-kernel' }] };
    const cases = draw({ kinds: ['max', 'avg'], noPadding: true, divisorOverride: false, capabilities: caps }, 4000);
    expect(cases.every((sc) => (sc.spec.kind === 'max' || sc.spec.kind === 'avg') && sc.spec.pads.every((p) => p === 0) && sc.spec.divisorOverride === undefined)).toBe(true);
    // Narrowed: avg only (about 4/5 + 1/5 · 1/2 of the draws); the max draws are the unconstrained share's.
    const avg = cases.filter((sc) => sc.spec.kind === 'avg').length / cases.length;
    expect(avg).toBeGreaterThan(0.85);
    expect(avg).toBeLessThan(0.95);
  });

  test('a region that meets none of the constraints is dropped; none left: plain draws only', () => {
    expect(narrowToRegion({ kinds: ['sum'] }, { kinds: ['max', 'avg'] })).toBeUndefined();
    expect(narrowToRegion({ ceilMode: true }, { ceilMode: false })).toBeUndefined();
    expect(narrowToRegion({ ranks: [1] }, { ranks: [2, 3] })).toBeUndefined();
    expect(narrowToRegion({ kinds: ['lp'] }, { p: [0.25] })).toBeUndefined();
    // countIncludePad = true conflicts with a region without it for avg only: the other kinds stay.
    expect(narrowToRegion({ kinds: ['max', 'avg'], countIncludePad: true }, { countIncludePad: false })?.kinds).toEqual(['max']);
    const caps: PoolingCapabilities = { regions: [{ kinds: ['max', 'avg'] }] };
    const sums = draw({ kinds: ['sum'], capabilities: caps }, 500);
    expect(sums.every((sc) => sc.spec.kind === 'sum')).toBe(true);
  });
});
