/**
 * The geometry of structured pooling (SPEC.md §10), shared by the reference and the naive backend as
 * spec/geometry.ts is for the sliding window: adaptive windows, RoI bins, unpooling sizes, and one "gather"
 * view of every structured op — for each output element, the input elements it reads and how it reduces them.
 * Integer arithmetic only: float rounding of these bounds is a known bug source (FlagGems#4915, torchvision's
 * float bin sizes). Inputs are assumed valid (spec/validate-structured.ts runs first).
 */
import type { Layout, MaxUnpoolSpec, StructuredSpec } from './contract.js';
import { joinShape, planeAddress, product, rowMajorStrides, splitShape } from './geometry.js';

/** ADAPTIVE.WINDOW: output i of OUT over an extent IN pools [⌊i·IN/OUT⌋, ⌈(i+1)·IN/OUT⌉). */
export function adaptiveWindow(i: number, size: number, out: number): [number, number] {
  const start = Math.floor((i * size) / out);
  const end = Math.floor(((i + 1) * size + out - 1) / out);
  return [start, end];
}

/** C++ std::round on an exact product: half away from zero. ROI.ROUND. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

export interface RoiBox {
  readonly batch: number;
  /** Rounded, scaled corners (ROI.ROUND) and the box extent, inclusive end, at least 1 (ROI.EXTENT). */
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
}

export function roiBox(box: readonly number[], scale: number): RoiBox {
  const [b, x1, y1, x2, y2] = box as [number, number, number, number, number];
  const sx = roundHalfAway(x1 * scale);
  const sy = roundHalfAway(y1 * scale);
  const ex = roundHalfAway(x2 * scale);
  const ey = roundHalfAway(y2 * scale);
  return { batch: b, x0: sx, y0: sy, w: Math.max(ex - sx + 1, 1), h: Math.max(ey - sy + 1, 1) };
}

/** ROI.BIN: bin p of P over a box extent L starting at s, clipped to [0, size): [s + ⌊p·L/P⌋, s + ⌈(p+1)·L/P⌉). */
export function roiBin(p: number, P: number, start: number, extent: number, size: number): [number, number] {
  const lo = start + Math.floor((p * extent) / P);
  const hi = start + Math.floor(((p + 1) * extent + P - 1) / P);
  return [Math.min(Math.max(lo, 0), size), Math.min(Math.max(hi, 0), size)];
}

/** UNPOOL.SIZE: (in − 1)·stride − padBegin − padEnd + kernel per axis, unless outputSize is given. */
export function unpoolOutputSpatial(spec: MaxUnpoolSpec, inSpatial: readonly number[]): number[] {
  const d = spec.kernel.length;
  return spec.outputSize ?? inSpatial.map((v, i) => (v - 1) * spec.strides[i]! - spec.pads[i]! - spec.pads[i + d]! + spec.kernel[i]!);
}

export type Reducer = 'max' | 'avg' | 'copy';

/**
 * Every structured op as a gather: output element o (flat, in the output's layout) reduces the input elements
 * taps[start[o] .. start[o+1]) (flat, in scan order) with `reducer`. `plane` gives, per output, the input
 * plane (base, step) its taps live in, so a max index converts to the per-plane convention (MAX.INDEX).
 * An empty window (a clipped RoI bin, an unpool position no index hits) gives 0 (and index −1 for max).
 */
export interface Gather {
  readonly outShape: number[];
  readonly outLayout: Layout;
  readonly reducer: Reducer;
  readonly start: Int32Array;
  readonly taps: Int32Array;
  readonly planeBase: Int32Array;
  readonly planeStep: number;
}

class GatherBuilder {
  private readonly start: number[] = [0];
  private readonly taps: number[] = [];
  readonly planeBase: number[] = [];
  push(tapList: readonly number[], base: number): void {
    this.taps.push(...tapList);
    this.start.push(this.taps.length);
    this.planeBase.push(base);
  }
  build(outShape: number[], outLayout: Layout, reducer: Reducer, planeStep: number, order?: readonly number[]): Gather {
    // `order` maps the build order onto flat output positions when the two differ (channels_last outputs).
    if (!order) {
      return { outShape, outLayout, reducer, start: Int32Array.from(this.start), taps: Int32Array.from(this.taps), planeBase: Int32Array.from(this.planeBase), planeStep };
    }
    const n = order.length;
    const counts = new Int32Array(n);
    for (let k = 0; k < n; k++) counts[order[k]!] = this.start[k + 1]! - this.start[k]!;
    const start = new Int32Array(n + 1);
    for (let o = 0; o < n; o++) start[o + 1] = start[o]! + counts[o]!;
    const taps = new Int32Array(this.taps.length);
    const planeBase = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const o = order[k]!;
      taps.set(this.taps.slice(this.start[k], this.start[k + 1]), start[o]);
      planeBase[o] = this.planeBase[k]!;
    }
    return { outShape, outLayout, reducer, start, taps, planeBase, planeStep };
  }
}

/** Taps (flat input indices) of a box of per-axis ranges within one plane, row-major. */
function boxTaps(ranges: readonly (readonly [number, number])[], inSpatial: readonly number[], base: number, step: number): number[] {
  const strides = rowMajorStrides(inSpatial);
  const out: number[] = [];
  const walk = (axis: number, q: number): void => {
    const [lo, hi] = ranges[axis]!;
    for (let v = lo; v < hi; v++) {
      if (axis === ranges.length - 1) out.push(base + (q + v * strides[axis]!) * step);
      else walk(axis + 1, q + v * strides[axis]!);
    }
  };
  walk(0, 0);
  return out;
}

/** Flat position of (n, c, plane index q) in a tensor of the given layout. */
function flatOf(layout: Layout, batch: number, channels: number, plane: number, n: number, c: number, q: number): number {
  const a = planeAddress(layout, batch, channels, plane, n, c);
  return a.base + q * a.step;
}

export function structuredGather(spec: StructuredSpec, inputShape: readonly number[], layout: Layout): Gather {
  const { batch, channels, spatial } = splitShape(inputShape, layout);
  const inPlane = product(spatial);
  const step = layout === 'channels_last' ? channels : 1;
  const b = new GatherBuilder();
  switch (spec.kind) {
    case 'adaptive_max':
    case 'adaptive_avg':
    case 'spp': {
      const levels = spec.kind === 'spp' ? spec.levels : [spec.outputSize];
      const order: number[] = [];
      const outPlanes = levels.map(product);
      const perExample = channels * outPlanes.reduce((a, v) => a + v, 0);
      for (let n = 0; n < batch; n++) {
        let levelOffset = 0;
        for (const [li, level] of levels.entries()) {
          const outStrides = rowMajorStrides(level);
          for (let c = 0; c < channels; c++) {
            const base = planeAddress(layout, batch, channels, inPlane, n, c).base;
            for (let o = 0; o < outPlanes[li]!; o++) {
              const ranges = level.map((out, i) => adaptiveWindow(Math.floor(o / outStrides[i]!) % out, spatial[i]!, out));
              b.push(boxTaps(ranges, spatial, base, step), base);
              // SPP output [N, F] is layout-independent; adaptive output follows the input layout.
              order.push(spec.kind === 'spp'
                ? n * perExample + levelOffset + c * outPlanes[li]! + o
                : flatOf(layout, batch, channels, outPlanes[li]!, n, c, o));
            }
          }
          levelOffset += channels * outPlanes[li]!;
        }
      }
      const reducer: Reducer = spec.kind === 'adaptive_avg' || (spec.kind === 'spp' && spec.mode === 'avg') ? 'avg' : 'max';
      const outShape = spec.kind === 'spp' ? [batch, perExample] : joinShape(batch, channels, spec.outputSize, layout);
      return b.build(outShape, spec.kind === 'spp' ? 'channels_first' : layout, reducer, step, order);
    }
    case 'roi_max': {
      const [PH, PW] = spec.pooledSize as [number, number];
      const [H, W] = spatial as [number, number];
      const order: number[] = [];
      const K = spec.boxes.length;
      for (const [k, raw] of spec.boxes.entries()) {
        const box = roiBox(raw, spec.spatialScale);
        for (let c = 0; c < channels; c++) {
          const base = planeAddress(layout, batch, channels, inPlane, box.batch, c).base;
          for (let ph = 0; ph < PH; ph++) {
            for (let pw = 0; pw < PW; pw++) {
              const rows = roiBin(ph, PH, box.y0, box.h, H);
              const cols = roiBin(pw, PW, box.x0, box.w, W);
              b.push(boxTaps([rows, cols], spatial, base, step), base);
              order.push(flatOf(layout, K, channels, PH * PW, k, c, ph * PW + pw));
            }
          }
        }
      }
      return b.build(joinShape(K, channels, [PH, PW], layout), layout, 'max', step, order);
    }
    case 'max_unpool': {
      const outSpatial = unpoolOutputSpatial(spec, spatial);
      const outPlane = product(outSpatial);
      // UNPOOL.DUPLICATE: where several inputs name the same position, the last in x's element order wins.
      const writer = new Map<number, number>();
      for (let i = 0; i < spec.indices.length; i++) {
        const pos = splitPosition(i, layout, batch, channels, inPlane);
        writer.set(flatOf(layout, batch, channels, outPlane, pos.n, pos.c, spec.indices[i]!), i);
      }
      const total = batch * channels * outPlane;
      const order: number[] = [];
      for (let o = 0; o < total; o++) {
        const i = writer.get(o);
        const pos = splitPosition(o, layout, batch, channels, outPlane);
        b.push(i === undefined ? [] : [i], planeAddress(layout, batch, channels, inPlane, pos.n, pos.c).base);
        order.push(o);
      }
      return b.build(joinShape(batch, channels, outSpatial, layout), layout, 'copy', step);
    }
  }
}

/** (n, c, plane index) of flat element i of a tensor. */
export function splitPosition(i: number, layout: Layout, batch: number, channels: number, plane: number): { n: number; c: number; q: number } {
  if (layout === 'channels_last') {
    const c = i % channels;
    const rest = Math.floor(i / channels);
    return { n: Math.floor(rest / plane), c, q: rest % plane };
  }
  const q = i % plane;
  const rest = Math.floor(i / plane);
  return { n: Math.floor(rest / channels), c: rest % channels, q };
}
