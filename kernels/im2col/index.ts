/**
 * The im2col backend: the classic lowering. Each (n, c) plane is unfolded into a column matrix
 * [output positions × kernel volume] through a shared index map (unfold.ts), each row is reduced to an output
 * (reduce.ts), and backward scatters each row's gradient back through the same map (col2im.ts).
 * Every kind, rank 1–3, both layouts; the semantics are the naive backend's, clause for clause.
 *
 * This file only wires the pieces: validation at the entry points, the memory budget (checked before anything
 * is allocated), and the loop over planes that reuses one column buffer.
 */
import type { ForwardResult, PoolSpec, PoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { planeAddress, poolGeometry, type PoolGeometry } from '../../spec/geometry.js';
import { BackendError } from '../../spec/errors.js';
import { declineStructured } from '../structured/decline.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';
import { col2imPlane } from './col2im.js';
import { reducePlane } from './reduce.js';
import {
  IM2COL_MAX_COLUMN_BYTES, buildIndexMap, columnBudgetProblem, columnShape, paddingValue, rowDivisors,
  unfoldPlane, type ColumnShape,
} from './unfold.js';

export { IM2COL_BYTES_PER_TAP, IM2COL_MAX_COLUMN_BYTES } from './unfold.js';

const NAME = 'im2col';

export interface Im2colOptions {
  /**
   * Budget in bytes for one plane's column matrix plus the index map (default IM2COL_MAX_COLUMN_BYTES).
   * Lower it where memory is tighter (a browser worker); raising it only moves the point of refusal.
   */
  maxColumnBytes?: number;
}

/** The column matrix's shape, or a BackendError naming the limit and the size that would be needed. */
function checkBudget(spec: PoolSpec, g: PoolGeometry, limit: number, limitName: string): ColumnShape {
  const shape = columnShape(spec, g);
  const problem = columnBudgetProblem(shape, limit, limitName);
  if (problem !== undefined) throw new BackendError(NAME, problem);
  return shape;
}

function forward(spec: PoolSpec, x: Tensor, limit: number, limitName: string): ForwardResult {
  const g = validateForward(spec, x);
  const { rows, width } = checkBudget(spec, g, limit, limitName);
  const map = buildIndexMap(spec, g);
  const col = new Float32Array(map.length);
  const y = new Float32Array(g.batch * g.channels * g.outPlane);
  const indices = spec.kind === 'max' ? new Int32Array(y.length) : undefined;
  const divisors = spec.kind === 'avg' ? rowDivisors(spec, g) : undefined;
  const padding = paddingValue(spec.kind);
  const p = spec.p ?? 1;
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c);
      unfoldPlane(x.data, src.base, src.step, map, padding, col);
      reducePlane(spec.kind, col, map, rows, width, divisors, p, { y, indices, base: dst.base, step: dst.step });
    }
  }
  return { y: { shape: [...g.outShape], data: y, layout: g.layout }, ...(indices ? { indices } : {}) };
}

function backward(spec: PoolSpec, x: Tensor, dy: Tensor, limit: number, limitName: string): Tensor {
  const g = validateBackward(spec, x, dy);
  const { rows, width } = checkBudget(spec, g, limit, limitName);
  const map = buildIndexMap(spec, g);
  // sum and avg gradients do not depend on x: only the map is needed, no column matrix.
  const needsValues = spec.kind === 'max' || spec.kind === 'lp';
  const col = needsValues ? new Float32Array(map.length) : undefined;
  const divisors = spec.kind === 'avg' ? rowDivisors(spec, g) : undefined;
  const padding = paddingValue(spec.kind);
  const p = spec.p ?? 1;
  const dx = new Float32Array(x.data.length);
  // One plane's f64 accumulator, reused: overlapping windows add in f64 and round to float32 once.
  const acc = new Float64Array(g.inPlane);
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c);
      if (col) unfoldPlane(x.data, src.base, src.step, map, padding, col);
      acc.fill(0);
      col2imPlane(spec.kind, col, map, rows, width, divisors, p, { dy: dy.data, base: dst.base, step: dst.step }, acc);
      for (let q = 0; q < g.inPlane; q++) dx[src.base + q * src.step] = acc[q]!;
    }
  }
  return { shape: [...x.shape], data: dx, layout: g.layout };
}

export function createIm2colBackend(options: Im2colOptions = {}): PoolingBackend {
  const limit = options.maxColumnBytes ?? IM2COL_MAX_COLUMN_BYTES;
  if (typeof limit !== 'number' || !(limit > 0)) {
    throw new RangeError(`createIm2colBackend: maxColumnBytes must be a positive number, got ${String(limit)}`);
  }
  const limitName = options.maxColumnBytes === undefined ? 'IM2COL_MAX_COLUMN_BYTES' : 'the configured maxColumnBytes';
  return {
    name: NAME,
    structured: declineStructured(NAME, 'im2col lowers sliding windows only; the structured kinds of SPEC.md §10 (adaptive, RoI, SPP, unpooling) run on the naive backend'),
    supports(spec, inputShape, layout): Support {
      const problem = validationProblem(spec, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      const g = poolGeometry(spec, inputShape, layout);
      const budget = columnBudgetProblem(columnShape(spec, g), limit, limitName);
      return budget === undefined ? { ok: true } : { ok: false, reason: `${NAME}: ${budget}` };
    },
    async forward(spec, x) {
      return forward(spec, x, limit, limitName);
    },
    async backward(spec, x, dy) {
      return backward(spec, x, dy, limit, limitName);
    },
  };
}

export default createIm2colBackend;
