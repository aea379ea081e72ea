/**
 * WINDOW.TAPS, literally: for each output position of a plane, the input positions its window reads, in the
 * window's row-major scan order (last spatial axis fastest), in-bounds taps only, plus the per-axis windows
 * that AVG.DIVISOR needs. Shared by the forward and backward reference.
 */
import type { PoolSpec } from '../contract.js';
import { axisWindow, rowMajorStrides, type AxisWindow, type PoolGeometry } from '../geometry.js';

export interface PlaneWindow {
  /** Plane indices (row-major over the input's spatial extents) of the in-bounds taps, in scan order. */
  readonly taps: readonly number[];
  readonly axes: readonly AxisWindow[];
}

export function planeWindows(spec: PoolSpec, g: PoolGeometry): PlaneWindow[] {
  const inStrides = rowMajorStrides(g.inSpatial);
  const d = g.rank;
  const out: PlaneWindow[] = [];
  const pos = new Array<number>(d).fill(0);
  for (let o = 0; o < g.outPlane; o++) {
    // Decode o into per-axis output coordinates.
    let rest = o;
    for (let i = d - 1; i >= 0; i--) {
      pos[i] = rest % g.outSpatial[i]!;
      rest = Math.floor(rest / g.outSpatial[i]!);
    }
    const axes = g.axes.map((a, i) => axisWindow(a, pos[i]!));
    const taps: number[] = [];
    // Odometer over the kernel offsets t (row-major), keeping taps whose every coordinate is in bounds.
    const t = new Array<number>(d).fill(0);
    for (;;) {
      let q = 0;
      let inside = true;
      for (let i = 0; i < d; i++) {
        const coord = axes[i]!.start + t[i]! * g.axes[i]!.dilation;
        if (coord < 0 || coord >= g.inSpatial[i]!) { inside = false; break; }
        q += coord * inStrides[i]!;
      }
      if (inside) taps.push(q);
      let i = d - 1;
      while (i >= 0 && ++t[i]! === spec.kernel[i]!) { t[i] = 0; i--; }
      if (i < 0) break;
    }
    out.push({ taps, axes });
  }
  return out;
}
