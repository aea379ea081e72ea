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
 * - knobs (SpecConstraints) fix ceilMode or countIncludePad, turn dilation off, pick the Lp exponents, and
 *   restrict padding (none, below the kernel, one value for all pads), strides (all 1) and windows (the same
 *   kernel and stride on every axis).
 * - with `capabilities` (a backend's PoolingCapabilities), four draws in five come from one of its regions (each
 *   intersected with the other constraints) and one in five ignores them, so that supports() is still asked
 *   about cases the backend declines (CONTRACT.SUPPORTS). A property whose constraints no region meets draws
 *   only the unconstrained way.
 */
import fc from 'fast-check';
import type { CapabilityRegion, Layout, PoolKind, PoolSpec, PoolingCapabilities } from '../contract.js';
import { effectiveKernel, joinShape, product } from '../geometry.js';
import { validationProblem } from '../validate.js';

/** How implicit padding is drawn: 'below-kernel' keeps every pad under its kernel extent (ONNX Runtime's limit). */
export type PadMode = 'none' | 'below-kernel' | 'uniform' | 'any';

export interface SpecConstraints {
  /** Kinds to draw from (default: all four). */
  kinds?: readonly PoolKind[];
  /** Spatial ranks to draw from (default 1, 2, 3). */
  ranks?: readonly number[];
  /** Largest input element count (default 96): the exact reference is slow by design. */
  maxElements?: number;
  /** Only specs without padding (some invariances need it); the same as `pads: 'none'`. */
  noPadding?: boolean;
  /** Padding (default 'any'); 'uniform' and 'below-kernel' together give one value below every kernel extent. */
  pads?: PadMode | readonly PadMode[];
  /** Layouts to draw from (default both). */
  layouts?: readonly Layout[];
  /** Allow divisorOverride on avg specs (default true). */
  divisorOverride?: boolean;
  /** Fix ceilMode (default: drawn, half and half). */
  ceilMode?: boolean;
  /** Fix countIncludePad (default: drawn, half and half). */
  countIncludePad?: boolean;
  /** Allow dilations > 1 (default true: one axis in five is dilated). */
  dilation?: boolean;
  /** Lp exponents to draw from (default DEFAULT_P). */
  p?: readonly number[];
  /** Every stride 1 (default false). */
  unitStrides?: boolean;
  /** The same kernel and stride on every axis (default false). */
  uniformWindow?: boolean;
  /** A backend's capabilities: most draws narrowed to them, UNCONSTRAINED_SHARE not (see the file's comment). */
  capabilities?: PoolingCapabilities;
}

/** Odds of a divisorOverride on a generated avg case: 1 with, 4 without (one in five). No override shrinks first. */
const OVERRIDE_WEIGHTS = { without: 4, with: 1 } as const;

/** Odds of a draw that ignores the backend's capabilities: 1 in 5 (CAPABILITY_WEIGHTS.unconstrained / total). */
export const CAPABILITY_WEIGHTS = { narrowed: 4, unconstrained: 1 } as const;

/** The Lp exponents drawn by default: integers and fractions, p < 1 included (LP.DEF). */
export const DEFAULT_P: readonly number[] = [1, 2, 3, 0.5, 1.5, 2.5];

export interface SpecCase {
  spec: PoolSpec;
  shape: number[];
  layout: Layout;
}

interface RawAxis { k: number; s: number; d: number; pb: number; pe: number; extra: number }

/** One spatial axis's raw draws; pads and the input extent are fixed later, when the padding mode is applied. */
function axisArbitrary(rank: number, noPadding: boolean, dilation: boolean, unitStrides: boolean): fc.Arbitrary<RawAxis> {
  const maxK = rank === 3 ? 3 : 4;
  const pad = noPadding ? fc.constant(0) : padArbitrary();
  return fc.record({
    k: fc.integer({ min: 1, max: maxK }),
    s: unitStrides ? fc.constant(1) : fc.integer({ min: 1, max: 4 }),
    d: dilation ? fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) }) : fc.constant(1),
    pb: pad,
    pe: pad,
    // 0: the window covers the padded input exactly; -1: one stride more, so two windows or a ceil-mode overhang.
    extra: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 6 }) }),
  });
}

function padArbitrary(): fc.Arbitrary<number> {
  return fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }) });
}

interface Axis { k: number; s: number; d: number; pb: number; pe: number; size: number }

/**
 * Pads reduced modulo their bound (the dilated window E, or the kernel with 'below-kernel', or the smallest bound
 * of all axes with 'uniform'), and the input extent the smallest that fits plus `extra` (or one stride).
 */
function finishAxes(raw: readonly RawAxis[], uniformPad: number, modes: ReadonlySet<PadMode>): Axis[] {
  const bound = (a: RawAxis): number => (modes.has('below-kernel') ? a.k : effectiveKernel(a.k, a.d));
  const uniform = uniformPad % Math.min(...raw.map(bound));
  return raw.map((a) => {
    const E = effectiveKernel(a.k, a.d);
    const [b, e] = modes.has('none') ? [0, 0] : modes.has('uniform') ? [uniform, uniform] : [a.pb % bound(a), a.pe % bound(a)];
    const minSize = Math.max(1, E - b - e);
    return { k: a.k, s: a.s, d: a.d, pb: b, pe: e, size: minSize + (a.extra < 0 ? a.s : a.extra) };
  });
}

function padModes(c: SpecConstraints): Set<PadMode> {
  const modes = new Set<PadMode>(c.pads === undefined ? [] : typeof c.pads === 'string' ? [c.pads] : c.pads);
  if (c.noPadding) modes.add('none');
  modes.delete('any');
  return modes;
}

/** The cases these constraints admit, capabilities aside. */
function plainSpecCaseArbitrary(c: SpecConstraints): fc.Arbitrary<SpecCase> {
  const kinds = c.kinds ?? ['max', 'avg', 'sum', 'lp'];
  const ranks = c.ranks ?? [1, 2, 3];
  const layouts = c.layouts ?? ['channels_first', 'channels_last'];
  const maxElements = c.maxElements ?? 96;
  const modes = padModes(c);
  const axis = axisArbitrary(3, modes.has('none'), c.dilation !== false, c.unitStrides ?? false);
  return fc.record({
    kind: fc.constantFrom(...kinds),
    rank: fc.constantFrom(...ranks),
    ceilMode: c.ceilMode === undefined ? fc.boolean() : fc.constant(c.ceilMode),
    countIncludePad: c.countIncludePad === undefined ? fc.boolean() : fc.constant(c.countIncludePad),
    // AVG.OVERRIDE's whole range: small counts, fractions, and both ends of the normal float32 range (a divisor
    // beyond 2^126 has a subnormal reciprocal; one of 2^-126 a reciprocal of 2^126). One avg case in five gets
    // one (OVERRIDE_WEIGHTS). Not fc.option: its `freq` is the odds of *nil* (1/freq), so { freq: 5 } overrode 80%.
    override: c.divisorOverride === false ? fc.constant(undefined)
      : fc.oneof(
        { weight: OVERRIDE_WEIGHTS.without, arbitrary: fc.constant(undefined) },
        { weight: OVERRIDE_WEIGHTS.with, arbitrary: fc.constantFrom(1, 2, 3, 7, -2, 0.5, 2 ** -126, Math.fround(-1e-20), 2 ** 127, Math.fround(-3e38)) },
      ),
    p: fc.constantFrom(...(c.p ?? DEFAULT_P)),
    n: fc.integer({ min: 1, max: 3 }),
    ch: fc.integer({ min: 1, max: 3 }),
    layout: fc.constantFrom(...layouts),
    // Three axes are always drawn and the first `rank` used: no chain, so shapes shrink too.
    axes: fc.tuple(axis, axis, axis),
    uniformPad: modes.has('uniform') ? padArbitrary() : fc.constant(0),
  }).map((r) => {
    const drawn = r.axes.slice(0, r.rank);
    // A uniform window repeats the first axis's kernel and stride (its dilation and extent stay per axis).
    const raw = c.uniformWindow ? drawn.map((a) => ({ ...a, k: drawn[0]!.k, s: drawn[0]!.s })) : drawn;
    const axes = finishAxes(raw, r.uniformPad, modes);
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

function intersect<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): readonly T[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a.filter((v) => b.includes(v));
}

/** A fixed flag (ceilMode, countIncludePad) under a region that may allow only false; null when they conflict. */
function flag(own: boolean | undefined, allowed: boolean | undefined): boolean | undefined | null {
  if (allowed !== false) return own;
  return own === true ? null : false;
}

/**
 * The constraints narrowed to one capability region, or undefined when the region admits none of their cases.
 * Exported for the tests.
 */
export function narrowToRegion(c: Omit<SpecConstraints, 'capabilities'>, region: CapabilityRegion): SpecConstraints | undefined {
  const p = intersect(c.p ?? DEFAULT_P, region.p);
  let kinds = intersect(c.kinds ?? ['max', 'avg', 'sum', 'lp'], region.kinds)!;
  if (p!.length === 0) kinds = kinds.filter((k) => k !== 'lp');
  const ranks = intersect(c.ranks ?? [1, 2, 3], region.ranks)!;
  const layouts = intersect(c.layouts ?? ['channels_first', 'channels_last'], region.layouts)!;
  const ceilMode = flag(c.ceilMode, region.ceilMode);
  const countIncludePad = flag(c.countIncludePad, region.countIncludePad);
  if (kinds.length === 0 || ranks.length === 0 || layouts.length === 0 || ceilMode === null) return undefined;
  // countIncludePad matters to avg only: a conflict there leaves the other kinds.
  const avgOk = countIncludePad !== null;
  const kindsLeft = avgOk ? kinds : kinds.filter((k) => k !== 'avg');
  if (kindsLeft.length === 0) return undefined;
  const pads = [...padModes(c), ...(region.pads && region.pads !== 'any' ? [region.pads] : [])];
  return {
    ...c,
    kinds: kindsLeft,
    ranks,
    layouts,
    ...(p!.length ? { p } : {}),
    ...(ceilMode !== undefined ? { ceilMode } : {}),
    // On a conflict avg is gone and the property's own value stays for the kinds that ignore the flag.
    ...(countIncludePad === null ? { countIncludePad: c.countIncludePad } : countIncludePad !== undefined ? { countIncludePad } : {}),
    divisorOverride: c.divisorOverride !== false && region.divisorOverride !== false,
    dilation: c.dilation !== false && region.dilation !== false,
    pads,
    unitStrides: (c.unitStrides ?? false) || (region.unitStrides ?? false),
    uniformWindow: (c.uniformWindow ?? false) || (region.uniformWindow ?? false),
  };
}

export function specCaseArbitrary(c: SpecConstraints = {}): fc.Arbitrary<SpecCase> {
  const { capabilities, ...own } = c;
  const unconstrained = plainSpecCaseArbitrary(own);
  const regions = (capabilities?.regions ?? []).map((r) => narrowToRegion(own, r)).filter((r) => r !== undefined);
  if (regions.length === 0) return unconstrained;
  const narrowed = fc.oneof(...regions.map(plainSpecCaseArbitrary));
  return fc.oneof(
    { weight: CAPABILITY_WEIGHTS.narrowed, arbitrary: narrowed },
    { weight: CAPABILITY_WEIGHTS.unconstrained, arbitrary: unconstrained },
  );
}
