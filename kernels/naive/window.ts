/**
 * The naive backend's windows: for every output position of a plane, the plane indices of its in-bounds taps
 * in row-major scan order, stored once per call as a compressed list (start offsets + taps) and reused for
 * every (n, c) plane. Each axis is walked over its in-bounds tap range [tFirst, tEnd); no per-tap bounds test.
 */
import type { PoolSpec } from '../../spec/contract.js';
import { avgDivisor, axisWindow, rowMajorStrides, type AxisWindow, type PoolGeometry } from '../../spec/geometry.js';

export interface PlaneTaps {
  /** Taps of output o are taps[start[o] .. start[o + 1]). */
  readonly start: Int32Array;
  readonly taps: Int32Array;
  /** AVG.DIVISOR per output position (avg only; 1 otherwise). */
  readonly divisor: Float64Array;
}

export function planeTaps(spec: PoolSpec, g: PoolGeometry): PlaneTaps {
  const d = g.rank;
  const inStrides = rowMajorStrides(g.inSpatial);
  const outStrides = rowMajorStrides(g.outSpatial);
  const start = new Int32Array(g.outPlane + 1);
  const divisor = new Float64Array(g.outPlane).fill(1);
  const list: number[] = [];
  for (let o = 0; o < g.outPlane; o++) {
    const ws: AxisWindow[] = [];
    for (let i = 0; i < d; i++) ws.push(axisWindow(g.axes[i]!, Math.floor(o / outStrides[i]!) % g.outSpatial[i]!));
    if (spec.kind === 'avg') divisor[o] = avgDivisor(spec, ws);
    const walk = (axis: number, base: number): void => {
      const w = ws[axis]!;
      const dil = g.axes[axis]!.dilation;
      for (let t = w.tFirst; t < w.tEnd; t++) {
        const q = base + (w.start + t * dil) * inStrides[axis]!;
        if (axis === d - 1) list.push(q); else walk(axis + 1, q);
      }
    };
    walk(0, 0);
    start[o + 1] = list.length;
  }
  return { start, taps: Int32Array.from(list), divisor };
}
