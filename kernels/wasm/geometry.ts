/**
 * The rank-3 lowering: the geometry of spec/geometry.ts as the kernels see it, with the spatial rank padded to 3
 * (depth, height, width; a missing leading axis has extent 1 and one tap, which changes neither the scan order nor
 * any index) and per-axis window tables.
 */
import type { PoolSpec } from '../../spec/contract.js';
import { avgDivisor, axisWindow, type AxisGeometry, type PoolGeometry } from '../../spec/geometry.js';

/** The geometry as the kernels see it: rank padded to 3 (depth, height, width), window tables per axis. */
export interface Geometry3 {
  readonly inSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  readonly dilation: readonly [number, number, number];
  readonly kernelW: number;
  readonly strideW: number;
  readonly padW: number;
  /** Per axis: first in-bounds coordinate, in-bounds tap count, avg divisor factor; each `out` long. */
  readonly tables: Int32Array;
  /** Outputs [owLo, owHi) along the width whose taps all lie inside the row. */
  readonly owLo: number;
  readonly owHi: number;
  /** Every axis has one output whose in-bounds taps are the whole extent: the window is the whole plane. */
  readonly global: boolean;
  readonly inPlane: number;
  readonly outPlane: number;
  /** Rows path: the columns [vLo, vHi) its vector H pass covers: [owLo, owHi) when at least 4 wide, else none. */
  readonly vLo: number;
  readonly vHi: number;
  /**
   * Rows path: ring rows, so that no two rows of one window share a slot: the window's row span (rank 3 with a
   * depth span over 1: that many whole depth slices of rows), at most the rows there are.
   */
  readonly ringRows: number;
  /** Rows path: the most input rows one window holds (kernel depth × kernel height). */
  readonly windowRows: number;
  /**
   * Rows path: the windows tile each row exactly (width kernel = stride, dilation 1, no padding, no remainder) and a
   * window spans several rows, so one H pass covers a whole plane as one long row (no per-row overhead); except
   * k = s = 2 windows of at most 3 rows on rows up to 128 wide, which the fused walk covers faster.
   */
  readonly flatRows: boolean;
}

const UNIT_AXIS: AxisGeometry = { size: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, out: 1 };

/** The three lifted axes, outermost first. */
export function axes3(g: PoolGeometry): readonly [AxisGeometry, AxisGeometry, AxisGeometry] {
  return [...new Array<AxisGeometry>(3 - g.rank).fill(UNIT_AXIS), ...g.axes] as [AxisGeometry, AxisGeometry, AxisGeometry];
}

/**
 * The kernels' view of the geometry. `withTables = false` skips the per-output tables (supports() only needs the
 * path choice and the memory plan).
 */
export function geometry3(spec: PoolSpec, g: PoolGeometry, withTables = true): Geometry3 {
  const axes = axes3(g);
  const [d, h, w] = axes;
  // Width outputs whose taps all lie in the row: start = j·s − padBegin ≥ 0 and start + (k−1)·d ≤ size − 1.
  const lo = Math.ceil(w.padBegin / w.stride);
  const hi = Math.min(w.out, Math.floor((w.size - 1 - (w.kernel - 1) * w.dilation + w.padBegin) / w.stride) + 1);
  const global = axes.every((a) => {
    if (a.out !== 1) return false;
    const win = axisWindow(a, 0);
    return win.tEnd - win.tFirst === a.size;
  });
  const tables = new Int32Array(withTables ? 3 * axes.reduce((s, a) => s + a.out, 0) : 0);
  if (withTables) {
    const factorSpec: PoolSpec = { ...spec, divisorOverride: undefined };
    let at = 0;
    for (const a of axes) {
      for (let j = 0; j < a.out; j++) {
        const win = axisWindow(a, j);
        tables[at + j] = win.start + win.tFirst * a.dilation;
        tables[at + a.out + j] = win.tEnd - win.tFirst;
        // AVG.DIVISOR is the product over axes of these per-axis counts (or the override, applied in the kernel).
        tables[at + 2 * a.out + j] = avgDivisor(factorSpec, [win]);
      }
      at += 3 * a.out;
    }
  }
  const spanD = (d.kernel - 1) * d.dilation + 1;
  const spanH = (h.kernel - 1) * h.dilation + 1;
  const ringRows = spanD === 1 ? Math.min(spanH, h.size) : Math.min(spanD, d.size) * h.size;
  const owLo = hi > lo ? lo : 0;
  const owHi = hi > lo ? hi : 0;
  return {
    vLo: owLo, vHi: owHi - owLo >= 4 ? owHi : owLo, ringRows, windowRows: d.kernel * h.kernel,
    flatRows: w.kernel === w.stride && w.dilation === 1 && w.padBegin === 0 && w.size === w.out * w.stride
      && d.kernel * h.kernel > 1 && g.inPlane / w.stride >= 4
      // k = s = 2 windows of 2 or 3 rows on rows up to 128 wide take the fused walk instead (measured, values-only,
      // kernel alone: 112² 0.31 against 0.45 ms, 56² 0.18 against 0.18; on 224² rows flat mode was twice as fast).
      && !(w.kernel === 2 && d.kernel * h.kernel <= 3 && w.size <= 128),
    inSize: [d.size, h.size, w.size], outSize: [d.out, h.out, w.out],
    dilation: [d.dilation, h.dilation, w.dilation], kernelW: w.kernel, strideW: w.stride, padW: w.padBegin,
    tables, owLo, owHi, global,
    inPlane: g.inPlane, outPlane: g.outPlane,
  };
}

/**
 * Whether a byte holds every window-relative index code of a max forward (kernels/wasm/assembly/rows.ts putCodes).
 * A code is the winner's plane index minus its window's origin, the plane index of its first tap (padding
 * included): at least 0, and at most the dilated window's extent past that tap, ((kD−1)·dD·H + (kH−1)·dH)·W +
 * (kW−1)·dW (VGG-16 pool1's 2×2 windows on rows of 224: 225).
 */
export function indexCodesFit(g: PoolGeometry): boolean {
  const [d, h, w] = axes3(g);
  return ((d.kernel - 1) * d.dilation * h.size + (h.kernel - 1) * h.dilation) * w.size + (w.kernel - 1) * w.dilation < 2 ** 8;
}

/**
 * The int32 plane indices of `planes` output planes from their window-relative codes (indexCodesFit): each code
 * plus its window's origin, ((od·sD − pD)·H + oh·sH − pH)·W + ow·sW − pW.
 */
export function decodeIndexCodes(g: PoolGeometry, codes: Uint8Array, planes: number): Int32Array {
  const [d, h, w] = axes3(g);
  const out = new Int32Array(codes.length);
  let i = 0;
  for (let p = 0; p < planes; p++) {
    for (let od = 0; od < d.out; od++) {
      for (let oh = 0; oh < h.out; oh++) {
        const rowOrigin = ((od * d.stride - d.padBegin) * h.size + oh * h.stride - h.padBegin) * w.size - w.padBegin;
        for (let ow = 0; ow < w.out; ow++, i++) out[i] = codes[i]! + rowOrigin + ow * w.stride;
      }
    }
  }
  return out;
}

/** Whether the tensor's planes are contiguous (channels_first, or channels_last with one channel). */
export function planesContiguous(g: PoolGeometry): boolean {
  return g.layout === 'channels_first' || g.channels === 1;
}

/**
 * Whether the sum backward on contiguous planes (kernels/wasm/assembly/backward.ts bwdSumRows) initialises dx itself,
 * storing each input row's first contribution and zeroing the rows no window holds, instead of the host zeroing dx
 * and the kernel adding every contribution. It needs the windows to reach a plane's rows in increasing order (2-D,
 * height dilation 1), and it pays on planes over 4096 floats: measured against zeroing first (poolspec bench
 * --scopes op, one run), dense-3x3-avg-bwd (128² planes) took 0.85× the time and resnet50-stem-lp2-bwd (112²) 0.95×,
 * but inception-v3-pool-avg-bwd-b8 (35²) 1.06×.
 */
export function sumRowsFirstTouch(g3: Geometry3): boolean {
  return g3.inSize[0] === 1 && g3.dilation[1] === 1 && g3.inPlane > 4096;
}

/**
 * The sum backward as a gather (kernels/wasm/engine.ts): dx_i = Σ over the windows holding i of
 * that window's share (GRAD.SUM, GRAD.AVG). With dilation 1 on every axis the windows holding input coordinate i
 * along an axis are a contiguous run of outputs (window starts and ends never decrease with the output), so over
 * the share array this is a sum pool whose window for input (d, h, w) is the product of those runs: the forward
 * sum kernel runs it with these tables, the extents swapped. Order of accumulation is free (ACC.GRAD).
 */
export interface GatherGeometry {
  /** The share array's extents (the pool's output), then dx's (the pool's input): the swapped roles. */
  readonly inSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  /** Per axis of dx: the first output whose window holds it, how many do, and a divisor factor of 1. */
  readonly tables: Int32Array;
  /** Ring rows for the forward kernel over these windows (as Geometry3.ringRows), and the most rows one holds. */
  readonly ringRows: number;
  readonly windowRows: number;
  /**
   * Contiguous planes: the rows kernel (kernels/wasm/assembly/rows.ts fwdRows) runs the gather, which needs its width
   * windows as one sliding window. With stride 1 the windows holding dx column i are outputs i + padBegin − k + 1 ..
   * i + padBegin: a window of k over the share row, stride 1, padding k − 1 − padBegin in front. vLo, vHi as
   * Geometry3's, for these windows.
   */
  readonly rows?: { readonly kernelW: number; readonly padW: number; readonly vLo: number; readonly vHi: number };
}

/**
 * The gather's geometry, or undefined where it does not apply: a dilation over 1 (the windows holding an input are
 * then not a contiguous run), or an input no window holds (the gather would have to write zeros there); on
 * channels_last, channel counts that are not a multiple of 4 (the forward kernel would store trailing lanes past a
 * batch item's dx, where a second kernel thread may be writing); on contiguous planes (else bwdSumRows' row-wise
 * scatter), a stride over 1 on some axis (the windows holding an input then do not slide evenly), padding of a
 * kernel's length or more, rows under 4 wide (the rows kernel's one group would store past the row) or a global
 * window (the global kernel's case).
 */
export function gatherGeometry(g: PoolGeometry): GatherGeometry | undefined {
  const axes = axes3(g);
  const contiguous = planesContiguous(g);
  if (axes.some((a) => a.dilation !== 1)) return undefined;
  if (contiguous) {
    const w = axes[2];
    if (axes.some((a) => a.stride !== 1 || a.padBegin > a.kernel - 1) || w.size < 4 || axes.every((a) => a.out === 1)) return undefined;
  } else if (g.channels % 4 !== 0) return undefined;
  const tables = new Int32Array(3 * axes.reduce((s, a) => s + a.size, 0));
  const span: number[] = [];
  let at = 0;
  for (const a of axes) {
    const first = tables.subarray(at, at + a.size).fill(-1);
    const count = tables.subarray(at + a.size, at + 2 * a.size);
    tables.subarray(at + 2 * a.size, at + 3 * a.size).fill(1);
    for (let j = 0; j < a.out; j++) {
      const win = axisWindow(a, j);
      for (let t = win.tFirst; t < win.tEnd; t++) {
        const i = win.start + t;
        if (first[i]! < 0) first[i] = j;
        count[i]!++;
      }
    }
    if (count.some((n) => n === 0)) return undefined;
    span.push(count.reduce((m, n) => Math.max(m, n), 0));
    at += 3 * a.size;
  }
  const [d, h, w] = axes;
  const [spanD, spanH] = span as [number, number, number];
  let rows: GatherGeometry['rows'];
  if (contiguous) {
    // dx column i's taps all lie in the share row when i − padW ≥ 0 and i − padW + k − 1 ≤ w.out − 1.
    const padW = w.kernel - 1 - w.padBegin;
    const lo = padW;
    const hi = Math.min(w.size, w.out - w.kernel + padW + 1);
    const vLo = hi > lo ? lo : 0;
    const vHi = hi > lo && hi - lo >= 4 ? hi : vLo;
    rows = { kernelW: w.kernel, padW, vLo, vHi };
  }
  return {
    inSize: [d.out, h.out, w.out],
    outSize: [d.size, h.size, w.size],
    tables,
    ringRows: spanD === 1 ? Math.min(spanH, h.out) : Math.min(spanD, d.out) * h.out,
    windowRows: spanD * spanH,
    ...(rows ? { rows } : {}),
  };
}
