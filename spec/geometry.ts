/**
 * The one geometry: output sizes, window taps and divisors, shared by the reference and every built-in backend
 * (the tfjs `computePool2DInfo` pattern). Each function states the SPEC.md clause it implements.
 * Inputs are assumed valid (spec/validate.ts runs first); nothing here throws on user input.
 */
import type { Layout, PoolSpec } from './contract.js';

export interface AxisGeometry {
  /** Input extent along this axis. */
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBegin: number;
  readonly padEnd: number;
  /** Output extent along this axis (SHAPE.OUT). */
  readonly out: number;
}

export interface PoolGeometry {
  readonly rank: number;
  readonly layout: Layout;
  readonly batch: number;
  readonly channels: number;
  readonly axes: readonly AxisGeometry[];
  readonly inSpatial: readonly number[];
  readonly outSpatial: readonly number[];
  /** Elements in one (n, c) spatial plane of the input / output. */
  readonly inPlane: number;
  readonly outPlane: number;
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
}

/** SHAPE.EFFECTIVE: the span of a dilated window, d·(k−1)+1. */
export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/**
 * SHAPE.OUT and SHAPE.CEIL: floor((I + P − E)/s) + 1, or with ceil mode ceil((I + P − E)/s) + 1, minus one when
 * the last window would start at or beyond I + padBegin (it would hold only end padding).
 */
export function outputSize(
  size: number, kernel: number, stride: number, dilation: number,
  padBegin: number, padEnd: number, ceilMode: boolean,
): number {
  const span = size + padBegin + padEnd - effectiveKernel(kernel, dilation);
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= size + padBegin) out -= 1;
  return out;
}

/** Splits a tensor shape into batch, channels and spatial extents for a layout (TENSOR.LAYOUT). */
export function splitShape(shape: readonly number[], layout: Layout): { batch: number; channels: number; spatial: number[] } {
  const batch = shape[0] ?? 0;
  if (layout === 'channels_last') {
    return { batch, channels: shape[shape.length - 1] ?? 0, spatial: shape.slice(1, -1) };
  }
  return { batch, channels: shape[1] ?? 0, spatial: shape.slice(2) };
}

/** Joins batch, channels and spatial extents into a shape for a layout (TENSOR.LAYOUT). */
export function joinShape(batch: number, channels: number, spatial: readonly number[], layout: Layout): number[] {
  return layout === 'channels_last' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
}

export function product(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

export function poolGeometry(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): PoolGeometry {
  const rank = spec.kernel.length;
  const { batch, channels, spatial } = splitShape(inputShape, layout);
  const axes: AxisGeometry[] = spatial.map((size, i) => {
    const kernel = spec.kernel[i]!;
    const stride = spec.strides[i]!;
    const dilation = spec.dilations[i]!;
    const padBegin = spec.pads[i]!;
    const padEnd = spec.pads[i + rank]!;
    return { size, kernel, stride, dilation, padBegin, padEnd,
      out: outputSize(size, kernel, stride, dilation, padBegin, padEnd, spec.ceilMode) };
  });
  const outSpatial = axes.map((a) => a.out);
  return {
    rank, layout, batch, channels, axes,
    inSpatial: spatial, outSpatial,
    inPlane: product(spatial), outPlane: product(outSpatial),
    inShape: [...inputShape], outShape: joinShape(batch, channels, outSpatial, layout),
  };
}

/** The taps of window j along one axis: tap t sits at input coordinate start + t·dilation (WINDOW.TAPS). */
export interface AxisWindow {
  /** Coordinate of tap 0 (may be negative: inside the begin padding). */
  readonly start: number;
  /** Taps t in [tFirst, tEnd) fall inside the input [0, size); they are contiguous in t. */
  readonly tFirst: number;
  readonly tEnd: number;
  /** Taps inside the input or the explicit padding [−padBegin, size + padEnd): AVG.DIVISOR's padded count. */
  readonly paddedCount: number;
}

function tapRange(start: number, dilation: number, kernel: number, lo: number, hi: number): [number, number] {
  // Taps t with lo <= start + t·dilation < hi.
  const first = start >= lo ? 0 : Math.ceil((lo - start) / dilation);
  const end = start >= hi ? 0 : Math.floor((hi - 1 - start) / dilation) + 1;
  return [Math.min(first, kernel), Math.min(Math.max(end, 0), kernel)];
}

export function axisWindow(axis: AxisGeometry, j: number): AxisWindow {
  const start = j * axis.stride - axis.padBegin;
  const [tFirst, tEnd] = tapRange(start, axis.dilation, axis.kernel, 0, axis.size);
  const [pFirst, pEnd] = tapRange(start, axis.dilation, axis.kernel, -axis.padBegin, axis.size + axis.padEnd);
  return { start, tFirst, tEnd: Math.max(tEnd, tFirst), paddedCount: Math.max(pEnd - pFirst, 0) };
}

/** Number of in-bounds taps of a window given per-axis windows. */
export function inBoundsCount(windows: readonly AxisWindow[]): number {
  let n = 1;
  for (const w of windows) n *= w.tEnd - w.tFirst;
  return n;
}

/**
 * AVG.DIVISOR: divisorOverride if set; else with countIncludePad the taps inside input or explicit padding
 * (ceil-mode overhang beyond the end padding excluded, the PyTorch rule); else the in-bounds taps.
 */
export function avgDivisor(spec: PoolSpec, windows: readonly AxisWindow[]): number {
  if (spec.divisorOverride !== undefined) return spec.divisorOverride;
  if (!spec.countIncludePad) return inBoundsCount(windows);
  let n = 1;
  for (const w of windows) n *= w.paddedCount;
  return n;
}

/**
 * Memory addressing of one (n, c) plane (TENSOR.LAYOUT): element q of the plane (row-major spatial index)
 * lives at base + q·step.
 */
export function planeAddress(layout: Layout, batch: number, channels: number, plane: number, n: number, c: number): { base: number; step: number } {
  return layout === 'channels_last'
    ? { base: n * plane * channels + c, step: channels }
    : { base: (n * channels + c) * plane, step: 1 };
}

/** Row-major strides of a spatial extent list: strides[i] = product of extents after i. */
export function rowMajorStrides(extents: readonly number[]): number[] {
  const s = new Array<number>(extents.length).fill(1);
  for (let i = extents.length - 2; i >= 0; i--) s[i] = s[i + 1]! * extents[i + 1]!;
  return s;
}

/** Visits every (n, c) plane with the addressing of its input and output planes (TENSOR.LAYOUT). */
export function forEachPlane(
  g: PoolGeometry,
  visit: (src: { base: number; step: number }, dst: { base: number; step: number }, n: number, c: number) => void,
): void {
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      visit(planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c), planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c), n, c);
    }
  }
}
