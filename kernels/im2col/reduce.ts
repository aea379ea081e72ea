/**
 * The forward half of im2col: reduce each row of an unfolded plane to one output. Sums and powers accumulate in
 * f64 in the row's (scan) order and round once to float32, exactly as the naive backend does, so the two agree
 * bit for bit; padded entries hold the reduction's identity (unfold.ts) and are summed densely.
 */
import type { PoolKind } from '../../spec/contract.js';

/**
 * MAX.SELECT over row r: the column of the winning tap. Padded taps (index −1) are skipped, so one never wins;
 * the first in-bounds tap starts as the best, a later one replaces it only when strictly greater (ties keep
 * the first, and a window of only −∞ keeps its first in-bounds tap), and the first NaN wins outright and ends
 * the scan (MAX.NAN: NaN propagates with the index of the first NaN in scan order).
 */
export function maxColumn(col: Float32Array, map: Int32Array, offset: number, width: number): number {
  let best = -1;
  let bestV = 0;
  for (let k = 0; k < width; k++) {
    if (map[offset + k]! < 0) continue;
    const v = col[offset + k]!;
    if (Number.isNaN(v)) return k;
    if (best < 0 || v > bestV) { best = k; bestV = v; }
  }
  return best; // ≥ 0: validation (WINDOW.NONEMPTY) guarantees an in-bounds tap in every row
}

/** Σ|v|^p over row r (LP.DEF's inner sum); padded zeros add |0|^p = 0. Shared with the gradient. */
export function lpRowSum(col: Float32Array, offset: number, width: number, p: number): number {
  let acc = 0;
  for (let k = 0; k < width; k++) acc += Math.pow(Math.abs(col[offset + k]!), p);
  return acc;
}

export interface PlaneOutput {
  readonly y: Float32Array;
  /** MAX.INDEX destination (max only), same addressing as y. */
  readonly indices: Int32Array | undefined;
  /** Output element of row r is y[base + r·step] (planeAddress of the output plane). */
  readonly base: number;
  readonly step: number;
}

/** Reduces every row of one unfolded plane into its outputs. divisors: AVG.DIVISOR per row (avg only). */
export function reducePlane(
  kind: PoolKind, col: Float32Array, map: Int32Array, rows: number, width: number,
  divisors: Float64Array | undefined, p: number, out: PlaneOutput,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * width;
    const at = out.base + r * out.step;
    switch (kind) {
      case 'max': {
        const k = maxColumn(col, map, offset, width);
        out.y[at] = col[offset + k]!;
        out.indices![at] = map[offset + k]!;
        break;
      }
      case 'sum':
      case 'avg': {
        let acc = 0;
        for (let k = 0; k < width; k++) acc += col[offset + k]!;
        out.y[at] = kind === 'avg' ? acc / divisors![r]! : acc;
        break;
      }
      case 'lp':
        out.y[at] = Math.pow(lpRowSum(col, offset, width, p), 1 / p);
        break;
    }
  }
}
