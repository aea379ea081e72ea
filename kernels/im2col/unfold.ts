/**
 * The im2col lowering of one (n, c) plane: a column matrix [output positions × kernel volume] of the taps'
 * float32 values, beside an index map of the same shape holding each tap's plane index (−1 for a tap in the
 * padding or in the ceil-mode overhang). Row r is output position r (row-major over the output plane); column k
 * is kernel offset k (row-major over the kernel, last axis fastest), so a row read left to right is the window
 * in SPEC's scan order (WINDOW.TAPS) with the padded taps left in place.
 *
 * The index map depends only on the geometry, never on the data, so it is built once and shared by every plane;
 * the column matrix is refilled plane by plane into one reused buffer. The memory budget below therefore bounds
 * one plane's matrix plus the shared map, independent of the batch and channel counts.
 */
import type { PoolKind, PoolSpec } from '../../spec/contract.js';
import { avgDivisor, axisWindow, product, rowMajorStrides, type PoolGeometry } from '../../spec/geometry.js';

/**
 * The most bytes the column matrix of one plane plus the index map may take: 512 MiB.
 *
 * Why this number: im2col multiplies a plane by its kernel volume (a 3×3×3 window makes every element 27
 * copies), so the matrix outgrows the tensors themselves long before they become large. 512 MiB (about 2%)
 * keeps the lowering's own working set small on a 24 GiB machine, which must also hold the input, the output,
 * the plane's float64 gradient accumulator and the verifier's reference and naive runs beside it; and it stays
 * well inside what a browser tab will hand out (a tab's whole heap is typically capped at a few GiB, and some
 * engines cap one ArrayBuffer at 2 GiB or less). Past the limit the backend declines rather than risk an
 * out-of-memory crash that would take the whole verification run down with it.
 */
export const IM2COL_MAX_COLUMN_BYTES = 512 * 2 ** 20;

/** Bytes per matrix entry: a float32 tap value plus its int32 plane index in the map. */
export const IM2COL_BYTES_PER_TAP = 4 + 4;

export interface ColumnShape {
  /** Output positions of one plane: the matrix's rows. */
  readonly rows: number;
  /** Kernel volume: the matrix's columns (padded taps included). */
  readonly width: number;
  /** rows × width × IM2COL_BYTES_PER_TAP, computed in f64: may be inexact (never small) for absurd shapes. */
  readonly bytes: number;
}

/** The matrix's size, from the geometry alone: nothing is allocated. */
export function columnShape(spec: PoolSpec, g: PoolGeometry): ColumnShape {
  const rows = g.outPlane;
  const width = product(spec.kernel);
  return { rows, width, bytes: rows * width * IM2COL_BYTES_PER_TAP };
}

function formatBytes(bytes: number): string {
  const exact = Number.isSafeInteger(bytes) ? `${bytes} bytes` : `about ${bytes.toPrecision(4)} bytes`;
  const unit = bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  return `${exact} (${unit})`;
}

/**
 * Why the matrix does not fit, or undefined when it does. The text names the chunking (one plane), the size
 * needed and the limit, so a user knows which extents to shrink.
 */
export function columnBudgetProblem(shape: ColumnShape, limit: number, limitName: string): string | undefined {
  if (!(shape.bytes > limit)) return undefined;
  return `column matrix too large: the backend unfolds one (n, c) plane at a time, and one plane needs `
    + `${shape.rows} output positions × ${shape.width} kernel taps × ${IM2COL_BYTES_PER_TAP} bytes `
    + `(float32 value + int32 index map) = ${formatBytes(shape.bytes)}, over ${limitName} = ${formatBytes(limit)}; `
    + `shrink the output plane or the kernel volume (batch and channels do not count)`;
}

/**
 * The index map [rows × width]: the plane index of each tap, or −1 where the tap lies outside the input.
 *
 * A tap's address and its plane index are both sums of per-axis terms (row = Σ j_i·outStride_i, column =
 * Σ t_i·kernelStride_i, index = Σ coord_i·inStride_i), so each axis gets a small table of its terms and the map
 * is filled by one loop nest over (j_0, t_0, …, j_{d−1}, t_{d−1}) writing straight into the final array: no
 * intermediate maps (which could double the peak memory the budget promises).
 */
export function buildIndexMap(spec: PoolSpec, g: PoolGeometry): Int32Array {
  const d = g.rank;
  const inStrides = rowMajorStrides(g.inSpatial);
  const outStrides = rowMajorStrides(g.outSpatial);
  const kernelStrides = rowMajorStrides(spec.kernel);
  const width = product(spec.kernel);
  const map = new Int32Array(g.outPlane * width);

  // tables[i][j·k + t]: axis i's share of the plane index for tap t of window j, or −1 outside [0, size).
  const tables = g.axes.map((a, i) => {
    const table = new Int32Array(a.out * a.kernel);
    for (let j = 0; j < a.out; j++) {
      const start = j * a.stride - a.padBegin;
      for (let t = 0; t < a.kernel; t++) {
        const coord = start + t * a.dilation;
        table[j * a.kernel + t] = coord >= 0 && coord < a.size ? coord * inStrides[i]! : -1;
      }
    }
    return table;
  });

  const fill = (i: number, addr: number, index: number): void => {
    const a = g.axes[i]!;
    const table = tables[i]!;
    const rowStep = outStrides[i]! * width;
    const colStep = kernelStrides[i]!;
    for (let j = 0; j < a.out; j++) {
      for (let t = 0; t < a.kernel; t++) {
        const share = table[j * a.kernel + t]!;
        const at = addr + j * rowStep + t * colStep;
        const q = index < 0 || share < 0 ? -1 : index + share;
        if (i === d - 1) map[at] = q;
        else fill(i + 1, at, q);
      }
    }
  };
  fill(0, 0, 0);
  return map;
}

/**
 * The value a padded tap holds in the matrix: the identity of the kind's reduction, so a dense row reduction
 * is unaffected by it. For sum/avg/lp that is 0 (adding +0 to an f64 accumulator that starts at +0 changes
 * nothing, not even a sign, and |0|^p = 0 for p > 0). For max it is −∞; the max reduction also skips taps whose
 * index is −1, because −∞ alone does not stop a padded tap from winning a window whose values are all −∞.
 */
export function paddingValue(kind: PoolKind): number {
  return kind === 'max' ? -Infinity : 0;
}

/** Fills the column matrix of the plane at x[base + q·step] (planeAddress) through the index map. */
export function unfoldPlane(
  x: Float32Array, base: number, step: number, map: Int32Array, padding: number, col: Float32Array,
): void {
  for (let e = 0; e < map.length; e++) {
    const q = map[e]!;
    col[e] = q < 0 ? padding : x[base + q * step]!;
  }
}

/** AVG.DIVISOR per row (output position), from the shared geometry; the same for every plane. */
export function rowDivisors(spec: PoolSpec, g: PoolGeometry): Float64Array {
  const outStrides = rowMajorStrides(g.outSpatial);
  const divisors = new Float64Array(g.outPlane);
  for (let o = 0; o < g.outPlane; o++) {
    const windows = g.axes.map((a, i) => axisWindow(a, Math.floor(o / outStrides[i]!) % a.out));
    divisors[o] = avgDivisor(spec, windows);
  }
  return divisors;
}
