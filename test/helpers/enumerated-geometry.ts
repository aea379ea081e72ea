/**
 * A second geometry, derived from the text of SPEC.md (§1 PARAM.*, §2 SHAPE.* and WINDOW.*, §3 AVG.DIVISOR and
 * AVG.OVERRIDE, §8's order of checks) by plain enumeration, to hold spec/geometry.ts and spec/validate.ts
 * against. Every candidate window start is tested against the inequalities, every tap is classified as in the
 * input, in the explicit padding or beyond it, and every count is a count. It shares no code with spec/: the only
 * import is a type. Test-only (test/architecture.test.ts keeps source modules from importing it).
 *
 * It is slow by design (loops over windows and taps), so it refuses extents beyond ENUMERATION_LIMIT. The input
 * tensor is taken as valid (TENSOR.*): callers pass positive integer extents of the right rank.
 */
import type { Layout } from '../../spec/contract.js';

/** PARAM.KERNEL … PARAM.PADS, TENSOR.SIZE: the largest integer parameter, and the largest element count. */
const INT_MAX = 2147483647;
/** AVG.OVERRIDE: the normal float32 range, as the clause writes it. */
const OVERRIDE_MIN = 2 ** -126;
const OVERRIDE_MAX = 3.4028234663852886e38;
/** Largest padded extent I + b + e this enumeration walks. */
export const ENUMERATION_LIMIT = 100_000;

/** Where one tap of a window lands along one axis (WINDOW.TAPS; AVG.DIVISOR's "inside … the explicit padding"). */
export type TapPlace = 'input' | 'padding' | 'beyond';

/** One window along one axis, found by enumeration. */
export interface EnumeratedWindow {
  /** Coordinate of tap 0: j·s − b. */
  readonly start: number;
  /** Where tap t lands, for t = 0 … k − 1. */
  readonly places: readonly TapPlace[];
  /** Smallest and largest t whose tap is in the input (−1 when there is none). */
  readonly firstInput: number;
  readonly lastInput: number;
  /** How many taps land in the input, counted. */
  readonly inputCount: number;
}

export interface EnumeratedAxis {
  readonly size: number;
  readonly kernel: number;
  readonly windows: readonly EnumeratedWindow[];
  /** SHAPE.CEIL's start-inside rule removed a window on this axis. */
  readonly startInsideDropped: boolean;
}

export type EnumeratedVerdict =
  | { readonly valid: true; readonly outShape: readonly number[]; readonly axes: readonly EnumeratedAxis[] }
  | { readonly valid: false; readonly rule: string; readonly field: string };

/** A spec broke a rule: which one, and the field §8 names. */
class Broken extends Error {
  constructor(readonly rule: string, readonly field: string) {
    super(`${rule}: ${field}`);
  }
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** PARAM.FINITE first, then the field's own range rule: an integer in [min, 2^31 − 1]. */
function checkIntegers(value: unknown, field: string, rule: string, length: number, min: number): number[] {
  if (!Array.isArray(value) || value.length !== length) throw new Broken(rule, field);
  const out: number[] = [];
  for (let i = 0; i < length; i++) {
    const v: unknown = value[i];
    if (!isFiniteNumber(v)) throw new Broken('PARAM.FINITE', `${field}[${i}]`);
    if (!Number.isInteger(v) || v < min || v > INT_MAX) throw new Broken(rule, `${field}[${i}]`);
    out.push(v);
  }
  return out;
}

interface Params {
  readonly kind: string;
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly pads: number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | undefined;
}

/**
 * §1 field by field, in the order PoolSpec declares the fields (kind, kernel, strides, dilations, pads, the
 * flags, divisorOverride, p); within a field, PARAM.FINITE before the field's range rule.
 */
function checkParams(spec: unknown): Params {
  if (typeof spec !== 'object' || spec === null) throw new Broken('PARAM.KIND', 'spec');
  const s = spec as Record<string, unknown>;
  const kind = s.kind;
  if (kind !== 'max' && kind !== 'avg' && kind !== 'sum' && kind !== 'lp') throw new Broken('PARAM.KIND', 'spec.kind');
  if (!Array.isArray(s.kernel) || s.kernel.length < 1 || s.kernel.length > 3) throw new Broken('PARAM.RANK', 'spec.kernel');
  const d = s.kernel.length;
  const kernel = checkIntegers(s.kernel, 'spec.kernel', 'PARAM.KERNEL', d, 1);
  const strides = checkIntegers(s.strides, 'spec.strides', 'PARAM.STRIDE', d, 1);
  const dilations = checkIntegers(s.dilations, 'spec.dilations', 'PARAM.DILATION', d, 1);
  const pads = checkIntegers(s.pads, 'spec.pads', 'PARAM.PADS', 2 * d, 0);
  if (typeof s.ceilMode !== 'boolean') throw new Broken('PARAM.FLAGS', 'spec.ceilMode');
  if (typeof s.countIncludePad !== 'boolean') throw new Broken('PARAM.FLAGS', 'spec.countIncludePad');
  const override = s.divisorOverride;
  if (override !== undefined) {
    if (kind !== 'avg') throw new Broken('AVG.OVERRIDE', 'spec.divisorOverride');
    if (!isFiniteNumber(override)) throw new Broken('PARAM.FINITE', 'spec.divisorOverride');
    const magnitude = override < 0 ? -override : override;
    if (magnitude < OVERRIDE_MIN || magnitude > OVERRIDE_MAX) throw new Broken('AVG.OVERRIDE', 'spec.divisorOverride');
  }
  if (kind === 'lp') {
    const p = s.p;
    if (!isFiniteNumber(p)) throw new Broken('PARAM.FINITE', 'spec.p');
    if (!(p > 0)) throw new Broken('LP.P', 'spec.p');
    if (Math.fround(p) !== p) throw new Broken('LP.P', 'spec.p');
  }
  return { kind, kernel, strides, dilations, pads, ceilMode: s.ceilMode, countIncludePad: s.countIncludePad, divisorOverride: override };
}

function place(c: number, size: number, padBegin: number, padEnd: number): TapPlace {
  if (c >= 0 && c < size) return 'input';
  if (c >= -padBegin && c < size + padEnd) return 'padding';
  return 'beyond';
}

function windowAt(start: number, size: number, kernel: number, dilation: number, padBegin: number, padEnd: number): EnumeratedWindow {
  const places: TapPlace[] = [];
  let firstInput = -1;
  let lastInput = -1;
  let inputCount = 0;
  for (let t = 0; t < kernel; t++) {
    const p = place(start + t * dilation, size, padBegin, padEnd);
    places.push(p);
    if (p === 'input') {
      if (firstInput < 0) firstInput = t;
      lastInput = t;
      inputCount++;
    }
  }
  return { start, places, firstInput, lastInput, inputCount };
}

/**
 * The windows of one axis. SHAPE.OUT's ⌊(I + b + e − E)/s⌋ + 1 counts the j ≥ 0 with j·s ≤ I + b + e − E, that is
 * the windows whose last tap j·s − b + (k − 1)·δ lies before the end of the end padding, I + e. SHAPE.CEIL's
 * ⌈(I + b + e − E)/s⌉ + 1 counts j = 0 and the j ≥ 1 with (j − 1)·s < I + b + e − E: a window is placed while the
 * one before it has not reached the last padded coordinate I + e − 1. Then, at most once, a last window starting
 * at or beyond I (in the end padding; (O − 1)·s ≥ I + b) is dropped.
 */
function axisWindows(
  size: number, kernel: number, stride: number, dilation: number, padBegin: number, padEnd: number, ceilMode: boolean,
): EnumeratedAxis {
  const lastOffset = (kernel - 1) * dilation; // the last tap's offset from the window start
  const starts: number[] = [];
  // Every candidate j up to I + b + e + 1 (s ≥ 1, so from there on (j − 1)·s ≥ I + b + e and both tests fail).
  for (let j = 0; j <= size + padBegin + padEnd + 1; j++) {
    const start = j * stride - padBegin;
    if (!ceilMode) {
      if (start + lastOffset <= size + padEnd - 1) starts.push(start);
    } else {
      const previousLast = (j - 1) * stride - padBegin + lastOffset;
      if (j === 0 || previousLast < size + padEnd - 1) starts.push(start);
    }
  }
  let startInsideDropped = false;
  if (ceilMode && starts.length > 0 && starts[starts.length - 1]! >= size) {
    starts.pop();
    startInsideDropped = true;
  }
  return {
    size, kernel, startInsideDropped,
    windows: starts.map((start) => windowAt(start, size, kernel, dilation, padBegin, padEnd)),
  };
}

/**
 * Validity, output shape and windows of a spec on an input of the given shape (positive integer extents, rank
 * kernel.length + 2), or the first rule broken in §8's order: the spec's PARAM.*, then per axis WINDOW.FITS and
 * WINDOW.NONEMPTY, then the output's TENSOR.SIZE.
 */
export function enumerateGeometry(spec: unknown, shape: readonly number[], layout: Layout): EnumeratedVerdict {
  try {
    const p = checkParams(spec);
    const d = p.kernel.length;
    const batch = shape[0]!;
    const channels = layout === 'channels_last' ? shape[d + 1]! : shape[1]!;
    const axes: EnumeratedAxis[] = [];
    for (let i = 0; i < d; i++) {
      const dim = layout === 'channels_last' ? i + 1 : i + 2;
      const size = shape[dim]!;
      const k = p.kernel[i]!;
      const dilation = p.dilations[i]!;
      const b = p.pads[i]!;
      const e = p.pads[i + d]!;
      if (size + b + e > ENUMERATION_LIMIT) throw new Error(`axis ${i}: padded extent ${size + b + e} is beyond what this enumeration walks`);
      // WINDOW.FITS: the dilated window, from its first tap to its last, fits in the padded input.
      const tapsSpan = (k - 1) * dilation + 1;
      if (size + b + e < tapsSpan) throw new Broken('WINDOW.FITS', `x.shape[${dim}]`);
      const axis = axisWindows(size, k, p.strides[i]!, dilation, b, e, p.ceilMode);
      // WINDOW.NONEMPTY: every window has a tap in the input.
      if (axis.windows.some((w) => w.inputCount === 0)) throw new Broken('WINDOW.NONEMPTY', 'spec.pads');
      axes.push(axis);
    }
    const outSpatial = axes.map((a) => a.windows.length);
    let outCount = batch * channels;
    for (const o of outSpatial) outCount *= o;
    if (outCount > INT_MAX) throw new Broken('TENSOR.SIZE', 'x.shape');
    const outShape = layout === 'channels_last' ? [batch, ...outSpatial, channels] : [batch, channels, ...outSpatial];
    return { valid: true, outShape, axes };
  } catch (e) {
    if (e instanceof Broken) return { valid: false, rule: e.rule, field: e.field };
    throw e;
  }
}

/**
 * AVG.DIVISOR at output position (j_1, …, j_d) of a valid avg spec, by counting the window's taps over every
 * kernel offset (t_1, …, t_d): divisorOverride if set; with countIncludePad the taps whose every coordinate is in
 * the input or the explicit padding; otherwise the taps whose every coordinate is in the input.
 */
export function enumeratedDivisor(
  spec: { readonly countIncludePad: boolean; readonly divisorOverride?: number },
  axes: readonly EnumeratedAxis[], position: readonly number[],
): number {
  if (spec.divisorOverride !== undefined) return spec.divisorOverride;
  const windows = axes.map((a, i) => a.windows[position[i]!]!);
  const counts = (p: TapPlace): boolean => p === 'input' || (spec.countIncludePad && p === 'padding');
  const t = axes.map(() => 0);
  let n = 0;
  for (;;) {
    if (windows.every((w, i) => counts(w.places[t[i]!]!))) n++;
    let i = axes.length - 1;
    while (i >= 0 && ++t[i]! === axes[i]!.kernel) { t[i] = 0; i--; }
    if (i < 0) return n;
  }
}
