/**
 * spec/geometry.ts and spec/validate.ts held against a second geometry (test/helpers/enumerated-geometry.ts),
 * derived from SPEC.md by enumeration and sharing no code with them. Without it a one-line slip in the geometry
 * passes every property on the naive backend, because the reference, the backends, validation and the generators
 * all use the same geometry.
 *
 * Over 100 000 random specs (valid and invalid: kernels larger than the padded input, pads beyond the kernel,
 * zero, negative and fractional strides, kernels and dilations, dilated windows that jump over the input,
 * ceil mode, rank 1–3, both layouts, every kind, countIncludePad both ways, divisorOverride valid and not):
 * validation accepts exactly the specs the enumeration finds valid, rejects the others under the same rule and
 * field (§8), and every accepted spec has the enumerated output shape, window starts, first and last in-bounds
 * taps, and AVG.DIVISOR divisors.
 *
 * Teeth, measured by applying each mutation by hand (not committed) and running this file at seed 20261123:
 * - divisor counts the ceil-mode overhang beyond the end padding (axisWindow's padded range [−b, ∞) instead of
 *   [−b, I + e)): killed after 219 cases, shrunk to avg k 2, s 2, pads [1, 0], ceil, countIncludePad, I = 4:
 *   "avg divisor at output (2): 2, enumerated 1".
 * - countIncludePad ignored, always counting padding (the `if (!spec.countIncludePad)` line deleted): killed
 *   after 1 case, shrunk to avg k 2, s 1, δ 2, pads [1, 0], I = 2: "avg divisor at output (0): 2, enumerated 1".
 * - countIncludePad ignored, never counting padding (avgDivisor always returns the in-bounds count): killed
 *   after 52 cases, shrunk to avg k 2, s 1, pads [1, 0], countIncludePad, I = 1: "… 1, enumerated 2".
 * - start-inside rule off by one, `(O − 1)·s > I + b`: killed after 42 cases, shrunk to max k 1, s 2, ceil,
 *   I = 4: "validation rejected under WINDOW.NONEMPTY (spec.pads) a spec the enumeration finds valid".
 * - start-inside rule off by one the other way, `(O − 1)·s ≥ I + b − 1`: killed after 1 case, shrunk to max
 *   k 1, s 1, δ 2, ceil, I = 1: "output shape [1, 1, 0], enumerated [1, 1, 1]".
 * (all five in spec/geometry.ts). Also killed, each within 105 cases: in spec/validate.ts WINDOW.FITS with ≤ for
 * <, WINDOW.NONEMPTY with < for ≤, divisorOverride accepted on max and sum; in spec/geometry.ts the first
 * in-bounds tap by floor for ceil, window starts from the end pad, SHAPE.OUT rounding for floor, divisorOverride
 * ignored.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Layout, PoolKind, PoolSpec } from '../spec/contract.js';
import { axisWindow, avgDivisor, type PoolGeometry } from '../spec/geometry.js';
import { ValidationError } from '../spec/errors.js';
import { validateForward } from '../spec/validate.js';
import { enumerateGeometry, enumeratedDivisor, type EnumeratedAxis, type EnumeratedVerdict } from './helpers/enumerated-geometry.js';

/** Fixed so CI is reproducible; change it locally (POOLSPEC_SEED) to explore. */
const SEED = Number(process.env.POOLSPEC_SEED ?? 20261123);
const RUNS = 100_000;

/** The spec's own type: its fields are plain numbers, so the invalid values drawn on purpose fit it. */
type Drawn = PoolSpec;

interface DrawnCase { spec: Drawn; shape: number[]; layout: Layout }

/** Mostly small valid values, sometimes larger ones, sometimes values §1 forbids. */
function field(valid: fc.Arbitrary<number>, large: fc.Arbitrary<number>, invalid: readonly number[]): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 60, arbitrary: valid },
    { weight: 6, arbitrary: large },
    { weight: 1, arbitrary: fc.constantFrom(...invalid) },
  );
}

const pad = field(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 5, max: 9 }), [-1, 0.5]);

const axisArbitrary = fc.record({
  // Input extents stay small so the enumeration stays cheap.
  size: fc.integer({ min: 1, max: 8 }),
  k: field(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 10 }), [0, -1, 1.5, NaN]),
  s: field(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 12 }), [0, -1, -3, 2.5, Infinity]),
  d: field(fc.oneof({ weight: 2, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }),
    fc.integer({ min: 4, max: 7 }), [0, -2, 1.25]),
  b: pad,
  e: pad,
  // Pads drawn free reach past the kernel (WINDOW.NONEMPTY) too often for a small input; most are folded into
  // [0, k − 1], the way networks pad, so that valid specs are common.
  fold: fc.integer({ min: 0, max: 2 }).map((v) => v > 0),
}).map(({ fold, ...a }) => {
  const foldable = fold && Number.isInteger(a.k) && a.k > 0;
  const within = (p: number): number => (foldable && Number.isInteger(p) && p >= 0 ? p % a.k : p);
  return { ...a, b: within(a.b), e: within(a.e) };
});

const caseArbitrary: fc.Arbitrary<DrawnCase> = fc.record({
  // avg twice as often: its divisors are where most of the comparison is.
  kind: fc.constantFrom<PoolKind>('max', 'avg', 'avg', 'sum', 'lp'),
  rank: fc.integer({ min: 1, max: 3 }),
  axes: fc.tuple(axisArbitrary, axisArbitrary, axisArbitrary),
  ceilMode: fc.boolean(),
  countIncludePad: fc.boolean(),
  // The normal float32 range's ends, and values beyond them; now and then on other kinds (AVG.OVERRIDE rejects it).
  override: fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.constantFrom(2, 0.5, -3, 7, 2 ** -126, -(2 ** -126), 3.4028234663852886e38) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 2 ** -127, 1e-40, 3.5e38, Infinity, NaN) },
  ),
  overrideOnOtherKinds: fc.integer({ min: 0, max: 7 }).map((v) => v === 0),
  // p is only read for lp (PARAM.KIND): drawn onto other kinds now and then, invalid values included.
  p: fc.constantFrom(2, 2, 2, 1, 0.5, 3, 0, -1, 0.1, NaN),
  pOnOtherKinds: fc.boolean(),
  batch: fc.integer({ min: 1, max: 2 }),
  channels: fc.integer({ min: 1, max: 2 }),
  layout: fc.constantFrom<Layout>('channels_first', 'channels_last'),
}).map((r) => {
  const axes = r.axes.slice(0, r.rank);
  const spec: Drawn = {
    kind: r.kind,
    kernel: axes.map((a) => a.k),
    strides: axes.map((a) => a.s),
    dilations: axes.map((a) => a.d),
    pads: [...axes.map((a) => a.b), ...axes.map((a) => a.e)],
    ceilMode: r.ceilMode,
    countIncludePad: r.countIncludePad,
  };
  if (r.override !== undefined && (r.kind === 'avg' || r.overrideOnOtherKinds)) spec.divisorOverride = r.override;
  if (r.kind === 'lp' || r.pOnOtherKinds) spec.p = r.p;
  const spatial = axes.map((a) => a.size);
  const shape = r.layout === 'channels_last' ? [r.batch, ...spatial, r.channels] : [r.batch, r.channels, ...spatial];
  return { spec, shape, layout: r.layout };
});

type Production = { ok: true; g: PoolGeometry } | { ok: false; rule: string; field: string };

/** What a backend's entry point does with the case: validateForward, as forward() and supports() use it. */
function production(c: DrawnCase): Production {
  let count = 1;
  for (const v of c.shape) count *= v;
  try {
    return { ok: true, g: validateForward(c.spec, { shape: c.shape, data: new Float32Array(count), layout: c.layout }) };
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, rule: e.rule, field: e.field };
    throw e;
  }
}

/** Output indices along one axis whose divisors are compared: all of them up to 8, else the first and last 4. */
function checkedIndices(out: number): number[] {
  const all = Array.from({ length: out }, (_, j) => j);
  return out <= 8 ? all : [...all.slice(0, 4), ...all.slice(out - 4)];
}

function cartesian(lists: readonly number[][]): number[][] {
  return lists.reduce<number[][]>((acc, list) => acc.flatMap((pre) => list.map((j) => [...pre, j])), [[]]);
}

/** Counters of what the run exercised, so a generator that stopped reaching a case fails loudly. */
const seen = new Map<string, number>();
const see = (what: string): void => { seen.set(what, (seen.get(what) ?? 0) + 1); };

/** The first disagreement between production and enumeration, or undefined. */
function disagreement(c: DrawnCase): string | undefined {
  const expected = enumerateGeometry(c.spec, c.shape, c.layout);
  const actual = production(c);
  if (!expected.valid) {
    see(expected.rule);
    if (actual.ok) return `validation accepted a spec the enumeration rejects under ${expected.rule} (${expected.field})`;
    if (actual.rule !== expected.rule || actual.field !== expected.field) {
      return `validation rejected under ${actual.rule} (${actual.field}), the enumeration under ${expected.rule} (${expected.field})`;
    }
    return undefined;
  }
  see('valid');
  if (!actual.ok) return `validation rejected under ${actual.rule} (${actual.field}) a spec the enumeration finds valid`;
  const g = actual.g;
  if (g.outShape.join() !== expected.outShape.join()) return `output shape [${g.outShape.join(', ')}], enumerated [${expected.outShape.join(', ')}]`;
  for (let i = 0; i < expected.axes.length; i++) {
    const axis: EnumeratedAxis = expected.axes[i]!;
    if (axis.startInsideDropped) see('valid, ceil mode, start-inside rule dropped a window');
    for (let j = 0; j < axis.windows.length; j++) {
      const ew = axis.windows[j]!;
      // WINDOW.TAPS: the in-bounds offsets form one contiguous range (what [tFirst, tEnd) can represent).
      if (ew.lastInput - ew.firstInput + 1 !== ew.inputCount) return `axis ${i} window ${j}: in-bounds taps not contiguous`;
      const w = axisWindow(g.axes[i]!, j);
      if (w.start !== ew.start || w.tFirst !== ew.firstInput || w.tEnd - 1 !== ew.lastInput) {
        return `axis ${i} window ${j}: start ${w.start}, in-bounds taps [${w.tFirst}, ${w.tEnd - 1}]; enumerated start ${ew.start}, taps [${ew.firstInput}, ${ew.lastInput}]`;
      }
    }
  }
  if (c.spec.kind !== 'avg') return undefined;
  const overhang = expected.axes.some((a) => a.windows.some((w) => w.places.includes('beyond')));
  const padded = expected.axes.some((a) => a.windows.some((w) => w.places.includes('padding')));
  if (c.spec.divisorOverride !== undefined) see('valid avg, divisorOverride');
  else if (c.spec.countIncludePad && overhang) see('valid avg, countIncludePad, a tap beyond the end padding');
  else if (c.spec.countIncludePad && padded) see('valid avg, countIncludePad, padded taps');
  else if (!c.spec.countIncludePad && padded) see('valid avg, padding excluded, padded taps');
  for (const position of cartesian(expected.axes.map((a) => checkedIndices(a.windows.length)))) {
    const windows = position.map((j, i) => axisWindow(g.axes[i]!, j));
    const got = avgDivisor(c.spec, windows);
    const want = enumeratedDivisor(c.spec, expected.axes, position);
    if (got !== want) return `avg divisor at output (${position.join(', ')}): ${got}, enumerated ${want}`;
  }
  return undefined;
}

describe('the geometry against its enumeration from SPEC.md (SHAPE.*, WINDOW.*, AVG.DIVISOR, AVG.OVERRIDE, §8)', () => {
  test(`${RUNS} random specs, valid and invalid (seed ${SEED})`, () => {
    fc.assert(fc.property(caseArbitrary, (c) => {
      const why = disagreement(c);
      if (why !== undefined) throw new Error(why);
    }), { numRuns: RUNS, seed: SEED });
    // Each kind of case must have come up often enough for the comparison to mean something.
    const counts = Object.fromEntries(seen);
    for (const what of [
      'valid', 'valid, ceil mode, start-inside rule dropped a window', 'valid avg, divisorOverride',
      'valid avg, countIncludePad, a tap beyond the end padding', 'valid avg, countIncludePad, padded taps',
      'valid avg, padding excluded, padded taps',
      'WINDOW.FITS', 'WINDOW.NONEMPTY', 'PARAM.KERNEL', 'PARAM.STRIDE', 'PARAM.DILATION', 'PARAM.PADS',
      'PARAM.FINITE', 'AVG.OVERRIDE', 'LP.P',
    ]) {
      expect(seen.get(what) ?? 0, `${what}; all counts: ${JSON.stringify(counts)}`).toBeGreaterThanOrEqual(200);
    }
  });
});

/** The enumeration itself on the examples SPEC.md works out in its own text (so it is anchored to the text too). */
describe('the enumeration on SPEC.md\'s worked examples', () => {
  const spec1d = (k: number, s: number, b: number, e: number, ceilMode: boolean, countIncludePad = false) => ({
    kind: 'avg' as const, kernel: [k], strides: [s], dilations: [1], pads: [b, e], ceilMode, countIncludePad,
  });
  const valid = (v: EnumeratedVerdict): Extract<EnumeratedVerdict, { valid: true }> => {
    if (!v.valid) throw new Error(`rejected under ${v.rule}`);
    return v;
  };

  test('SHAPE.CEIL: I = 12, k = 1, s = 2 gives 6; I = 5, k = 2, s = 2, b = e = 1 gives 3', () => {
    expect(valid(enumerateGeometry(spec1d(1, 2, 0, 0, true), [1, 1, 12], 'channels_first')).outShape).toEqual([1, 1, 6]);
    expect(valid(enumerateGeometry(spec1d(2, 2, 1, 1, true), [1, 1, 5], 'channels_first')).outShape).toEqual([1, 1, 3]);
  });

  test('AVG.DIVISOR: I = 4, k = 3, s = 2, b = e = 1, ceil: O = 3, window 2 at 3, 4, 5, D = 2 with countIncludePad, 1 without', () => {
    for (const [countIncludePad, d] of [[true, 2], [false, 1]] as const) {
      const spec = spec1d(3, 2, 1, 1, true, countIncludePad);
      const v = valid(enumerateGeometry(spec, [1, 1, 4], 'channels_first'));
      expect(v.outShape).toEqual([1, 1, 3]);
      expect(v.axes[0]!.windows[2]!.start).toBe(3);
      expect(v.axes[0]!.windows[2]!.places).toEqual(['input', 'padding', 'beyond']);
      expect(enumeratedDivisor(spec, v.axes, [2])).toBe(d);
    }
  });

  test('§8: WINDOW.FITS on x [1, 1, 4, 4] with kernel 5; WINDOW.NONEMPTY with kernel [1, 1], pads [1, 0, 0, 0] on x [1, 1, 3, 3]', () => {
    const base = { kind: 'max' as const, strides: [1, 1], dilations: [1, 1], ceilMode: false, countIncludePad: false };
    expect(enumerateGeometry({ ...base, kernel: [5, 2], pads: [0, 0, 0, 0] }, [1, 1, 4, 4], 'channels_first'))
      .toEqual({ valid: false, rule: 'WINDOW.FITS', field: 'x.shape[2]' });
    expect(enumerateGeometry({ ...base, kernel: [1, 1], pads: [1, 0, 0, 0] }, [1, 1, 3, 3], 'channels_first'))
      .toEqual({ valid: false, rule: 'WINDOW.NONEMPTY', field: 'spec.pads' });
  });
});
