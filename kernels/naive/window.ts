/**
 * The naive backend's window walk: for one output position, visit the in-bounds taps in row-major scan order,
 * iterating each axis over its in-bounds tap range [tFirst, tEnd) (no per-tap bounds test).
 */
import { axisWindow, rowMajorStrides, type AxisWindow, type PoolGeometry } from '../geometry.js';

export interface WindowWalker {
  /** Per-axis windows of output position o (flat row-major index into the output plane). */
  axes(o: number): AxisWindow[];
  /** Calls visit(q) for each in-bounds tap's plane index q, in scan order. */
  forEachTap(windows: readonly AxisWindow[], visit: (q: number) => void): void;
}

export function windowWalker(g: PoolGeometry): WindowWalker {
  const d = g.rank;
  const inStrides = rowMajorStrides(g.inSpatial);
  const outStrides = rowMajorStrides(g.outSpatial);
  return {
    axes(o) {
      const ws: AxisWindow[] = [];
      for (let i = 0; i < d; i++) ws.push(axisWindow(g.axes[i]!, Math.floor(o / outStrides[i]!) % g.outSpatial[i]!));
      return ws;
    },
    forEachTap(ws, visit) {
      const walk = (axis: number, base: number): void => {
        const w = ws[axis]!;
        const dil = g.axes[axis]!.dilation;
        for (let t = w.tFirst; t < w.tEnd; t++) {
          const q = base + (w.start + t * dil) * inStrides[axis]!;
          if (axis === d - 1) visit(q); else walk(axis + 1, q);
        }
      };
      walk(0, 0);
    },
  };
}
