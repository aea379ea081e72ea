/**
 * Valid pooling specs together with a fitting input shape: generate the geometry first, then the data
 * (arbitraries/case.ts). Exported for reuse.
 *
 * Constraints and biases:
 * - spatial rank 1–3; kernel 1–4 (1–3 at rank 3 to bound the reference's cost); stride 1–4, so stride > kernel
 *   happens; dilation 1 most of the time, else 2–3; pads 0 to E−1 per side, asymmetric.
 * - the input extent is often exactly the padded window (kernel = input) or one more than a window boundary,
 *   so ceil mode's last window and the start-inside rule (SHAPE.CEIL) are hit.
 * - N and C in 1–3 (so N = 1 and C = 1 are common), both layouts.
 * - about one avg case in five carries a divisorOverride (AVG.OVERRIDE); the rest use AVG.DIVISOR's counts.
 * - every generated case passes validation (WINDOW.FITS, WINDOW.NONEMPTY); invalid ones are filtered.
 */
import fc from 'fast-check';
import type { Layout, PoolKind, PoolSpec } from '../contract.js';
import { effectiveKernel, joinShape, product } from '../geometry.js';
import { validationProblem } from '../validate.js';

export interface SpecConstraints {
  /** Kinds to draw from (default: all four). */
  kinds?: readonly PoolKind[];
  /** Spatial ranks to draw from (default 1, 2, 3). */
  ranks?: readonly number[];
  /** Largest input element count (default 96): the exact reference is slow by design. */
  maxElements?: number;
  /** Only specs without padding (some invariances need it). */
  noPadding?: boolean;
  /** Layouts to draw from (default both). */
  layouts?: readonly Layout[];
  /** Allow divisorOverride on avg specs (default true). */
  divisorOverride?: boolean;
}

/** Odds of a divisorOverride on a generated avg case: 1 with, 4 without (one in five). No override shrinks first. */
const OVERRIDE_WEIGHTS = { without: 4, with: 1 } as const;

export interface SpecCase {
  spec: PoolSpec;
  shape: number[];
  layout: Layout;
}

/**
 * One spatial axis, drawn without `chain` so fast-check can shrink every field independently: pads are reduced
 * modulo the dilated window E, and the input extent is the smallest that fits plus `extra`.
 */
function axisArbitrary(rank: number, noPadding: boolean): fc.Arbitrary<{ k: number; s: number; d: number; pb: number; pe: number; size: number }> {
  const maxK = rank === 3 ? 3 : 4;
  const pad = noPadding ? fc.constant(0) : fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }) });
  return fc.record({
    k: fc.integer({ min: 1, max: maxK }),
    s: fc.integer({ min: 1, max: 4 }),
    d: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }),
    pb: pad,
    pe: pad,
    // 0: the window covers the padded input exactly; 'stride': two windows or a ceil-mode overhang.
    extra: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 6 }) }),
  }).map(({ k, s, d, pb, pe, extra }) => {
    const E = effectiveKernel(k, d);
    const b = pb % E;
    const e = pe % E;
    const minSize = Math.max(1, E - b - e);
    return { k, s, d, pb: b, pe: e, size: minSize + (extra < 0 ? s : extra) };
  });
}

export function specCaseArbitrary(c: SpecConstraints = {}): fc.Arbitrary<SpecCase> {
  const kinds = c.kinds ?? ['max', 'avg', 'sum', 'lp'];
  const ranks = c.ranks ?? [1, 2, 3];
  const layouts = c.layouts ?? ['channels_first', 'channels_last'];
  const maxElements = c.maxElements ?? 96;
  return fc.record({
    kind: fc.constantFrom(...kinds),
    rank: fc.constantFrom(...ranks),
    ceilMode: fc.boolean(),
    countIncludePad: fc.boolean(),
    // AVG.OVERRIDE's whole range: small counts, fractions, and both ends of the normal float32 range (a divisor
    // beyond 2^126 has a subnormal reciprocal; one of 2^-126 a reciprocal of 2^126). One avg case in five gets
    // one (OVERRIDE_WEIGHTS). Not fc.option: its `freq` is the odds of *nil* (1/freq), so { freq: 5 } overrode 80%.
    override: c.divisorOverride === false ? fc.constant(undefined)
      : fc.oneof(
        { weight: OVERRIDE_WEIGHTS.without, arbitrary: fc.constant(undefined) },
        { weight: OVERRIDE_WEIGHTS.with, arbitrary: fc.constantFrom(1, 2, 3, 7, -2, 0.5, 2 ** -126, Math.fround(-1e-20), 2 ** 127, Math.fround(-3e38)) },
      ),
    p: fc.constantFrom(1, 2, 3, 0.5, 1.5, 2.5),
    n: fc.integer({ min: 1, max: 3 }),
    ch: fc.integer({ min: 1, max: 3 }),
    layout: fc.constantFrom(...layouts),
    // Three axes are always drawn and the first `rank` used: no chain, so shapes shrink too.
    axes: fc.tuple(axisArbitrary(3, c.noPadding ?? false), axisArbitrary(3, c.noPadding ?? false), axisArbitrary(3, c.noPadding ?? false)),
  }).map((r) => {
    const axes = r.axes.slice(0, r.rank);
    const spec: PoolSpec = {
      kind: r.kind,
      kernel: axes.map((a) => a.k),
      strides: axes.map((a) => a.s),
      dilations: axes.map((a) => a.d),
      pads: [...axes.map((a) => a.pb), ...axes.map((a) => a.pe)],
      ceilMode: r.ceilMode,
      countIncludePad: r.countIncludePad,
    };
    if (r.kind === 'avg' && r.override !== undefined) spec.divisorOverride = r.override;
    if (r.kind === 'lp') spec.p = r.p;
    const shape = joinShape(r.n, r.ch, axes.map((a) => a.size), r.layout);
    return { spec, shape, layout: r.layout };
  }).filter((sc) => product(sc.shape) <= maxElements && validationProblem(sc.spec, sc.shape, sc.layout) === undefined);
}
