/**
 * The backward half of im2col (col2im): each row's gradient taps are scattered back through the same index map
 * into a float64 accumulator for the plane, adding where windows overlap. The gradient column matrix is never
 * materialised: a row's taps are computed and scattered at once, so backward needs no more memory than the
 * forward's column matrix and map (the budget in unfold.ts covers both directions). Rows are visited in order
 * and each row left to right, which is the naive backend's accumulation order, so the two agree bit for bit.
 */
import type { PoolKind } from '../../spec/contract.js';
import { lpRowSum, maxColumn } from './reduce.js';

export interface PlaneGradient {
  /** dL/dy of the plane: row r's gradient is dy[base + r·step]. */
  readonly dy: Float32Array;
  readonly base: number;
  readonly step: number;
}

/**
 * Adds one plane's input gradient into dx (indexed by plane index, length = the input plane). `col` holds the
 * unfolded input for max and lp (they need the values); sum and avg read only the map, and col may be undefined.
 */
export function col2imPlane(
  kind: PoolKind, col: Float32Array | undefined, map: Int32Array, rows: number, width: number,
  divisors: Float64Array | undefined, p: number, grad: PlaneGradient, dx: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const offset = r * width;
    const g = grad.dy[grad.base + r * grad.step]!;
    switch (kind) {
      case 'max': {
        // GRAD.MAX: the whole gradient goes to the forward's winner (same selection, same tie and NaN rules).
        const k = maxColumn(col!, map, offset, width);
        dx[map[offset + k]!]! += g;
        break;
      }
      case 'sum':
      case 'avg': {
        // GRAD.SUM / GRAD.AVG: every in-bounds tap receives dy (divided by the row's divisor for avg).
        const share = kind === 'avg' ? g / divisors![r]! : g;
        for (let k = 0; k < width; k++) {
          const q = map[offset + k]!;
          if (q >= 0) dx[q]! += share;
        }
        break;
      }
      case 'lp': {
        // GRAD.LP: dy · sign(x)·|x|^(p−1) · y^(1−p), with y recomputed from the row; zero where x = 0 or y = 0.
        const y = Math.pow(lpRowSum(col!, offset, width, p), 1 / p);
        if (y === 0) break;
        const scale = g * Math.pow(y, 1 - p);
        for (let k = 0; k < width; k++) {
          const q = map[offset + k]!;
          const v = col![offset + k]!;
          if (q >= 0 && v !== 0) dx[q]! += scale * Math.sign(v) * Math.pow(Math.abs(v), p - 1);
        }
        break;
      }
    }
  }
}
