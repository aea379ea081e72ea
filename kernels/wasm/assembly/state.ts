/**
 * Per-call geometry, set by `setGeometry` before a kernel runs. The spatial rank is padded to 3 (depth, height,
 * width): a missing leading axis has extent 1 and one tap. The host (kernels/wasm/index.ts) computes the window of
 * every output coordinate with spec/geometry.ts and writes three i32 tables per axis, one entry per output
 * coordinate: the first in-bounds input coordinate of the window, its number of in-bounds taps, and its factor of
 * the avg divisor (AVG.DIVISOR is the product of the per-axis factors).
 */

// Input extents.
export let inD: i32 = 1;
export let inH: i32 = 1;
export let inW: i32 = 1;
// Output extents.
export let outD: i32 = 1;
export let outH: i32 = 1;
export let outW: i32 = 1;
// Dilations.
export let dilD: i32 = 1;
export let dilH: i32 = 1;
export let dilW: i32 = 1;
// Width axis kernel, stride and begin padding (the width-vectorised kernels address taps directly).
export let kerW: i32 = 1;
export let strW: i32 = 1;
export let padW: i32 = 0;
// Elements of one (n, c) plane.
export let inPlane: i32 = 1;
export let outPlane: i32 = 1;
// Table pointers: first in-bounds coordinate, in-bounds tap count, divisor factor; per axis.
export let firstD: usize = 0;
export let countD: usize = 0;
export let factorD: usize = 0;
export let firstH: usize = 0;
export let countH: usize = 0;
export let factorH: usize = 0;
export let firstW: usize = 0;
export let countW: usize = 0;
export let factorW: usize = 0;

/** Where the module's static data ends: the host lays its buffers out above this (16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

/** Bytes of table space `setGeometry` reads at `tables`: 3 i32 tables per axis. */
export function tableBytes(oD: i32, oH: i32, oW: i32): i32 {
  return 12 * (oD + oH + oW);
}

export function setGeometry(
  d: i32, h: i32, w: i32, oD: i32, oH: i32, oW: i32,
  dD: i32, dH: i32, dW: i32, kW: i32, sW: i32, pW: i32, tables: usize,
): void {
  inD = d; inH = h; inW = w;
  outD = oD; outH = oH; outW = oW;
  dilD = dD; dilH = dH; dilW = dW;
  kerW = kW; strW = sW; padW = pW;
  inPlane = d * h * w;
  outPlane = oD * oH * oW;
  firstD = tables;
  countD = firstD + (<usize>oD << 2);
  factorD = countD + (<usize>oD << 2);
  firstH = factorD + (<usize>oD << 2);
  countH = firstH + (<usize>oH << 2);
  factorH = countH + (<usize>oH << 2);
  firstW = factorH + (<usize>oH << 2);
  countW = firstW + (<usize>oW << 2);
  factorW = countW + (<usize>oW << 2);
}

@inline export function tab(table: usize, i: i32): i32 {
  return load<i32>(table + (<usize>i << 2));
}

/** AVG.DIVISOR of output (od, oh, ow) without an override: the product of the per-axis factors (exact in f64). */
@inline export function divisorAt(od: i32, oh: i32, ow: i32): f64 {
  return <f64>tab(factorD, od) * <f64>tab(factorH, oh) * <f64>tab(factorW, ow);
}

// Element offsets of plane (n, c): input element q at xb + q·xs, output element o at yb + o·ys.
export let xb: usize = 0;
export let xs: usize = 1;
export let yb: usize = 0;
export let ys: usize = 1;

@inline export function selectPlane(cl: i32, n: i32, c: i32, C: i32): void {
  if (cl) {
    xb = <usize>n * <usize>inPlane * <usize>C + <usize>c;
    yb = <usize>n * <usize>outPlane * <usize>C + <usize>c;
    xs = <usize>C;
    ys = <usize>C;
  } else {
    const p = <usize>n * <usize>C + <usize>c;
    xb = p * <usize>inPlane;
    yb = p * <usize>outPlane;
    xs = 1;
    ys = 1;
  }
}
