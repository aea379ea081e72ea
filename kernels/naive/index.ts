/**
 * The naive backend: direct loops over every window, accumulating in f64 and rounding once to float32.
 * Every kind, rank 1–3, both layouts, forward and backward. Correct by construction and slow: the baseline.
 */
import type { ForwardResult, PoolSpec, PoolingBackend, Support, Tensor } from '../contract.js';
import { avgDivisor, planeAddress } from '../geometry.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';
import { windowWalker } from './window.js';

/** MAX.SELECT: NaN wins (first NaN), otherwise the first strictly greater value. */
function maxPlane(read: (q: number) => number, taps: (visit: (q: number) => void) => void): number {
  let best = -1;
  let bestV = 0;
  taps((q) => {
    const v = read(q);
    if (best < 0) { best = q; bestV = v; return; }
    if (Number.isNaN(bestV)) return;
    if (Number.isNaN(v) || v > bestV) { best = q; bestV = v; }
  });
  return best;
}

function forward(spec: PoolSpec, x: Tensor): ForwardResult {
  const g = validateForward(spec, x);
  const walker = windowWalker(g);
  const y = new Float32Array(g.batch * g.channels * g.outPlane);
  const indices = spec.kind === 'max' ? new Int32Array(y.length) : undefined;
  const windows = Array.from({ length: g.outPlane }, (_, o) => walker.axes(o));
  const p = spec.p ?? 1;
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c);
      const read = (q: number): number => x.data[src.base + q * src.step]!;
      for (let o = 0; o < g.outPlane; o++) {
        const ws = windows[o]!;
        const at = dst.base + o * dst.step;
        if (spec.kind === 'max') {
          const q = maxPlane(read, (visit) => walker.forEachTap(ws, visit));
          indices![at] = q;
          y[at] = read(q);
          continue;
        }
        let acc = 0;
        if (spec.kind === 'lp') walker.forEachTap(ws, (q) => { acc += Math.pow(Math.abs(read(q)), p); });
        else walker.forEachTap(ws, (q) => { acc += read(q); });
        y[at] = spec.kind === 'avg' ? acc / avgDivisor(spec, ws) : spec.kind === 'lp' ? Math.pow(acc, 1 / p) : acc;
      }
    }
  }
  return { y: { shape: [...g.outShape], data: y, layout: g.layout }, ...(indices ? { indices } : {}) };
}

function backward(spec: PoolSpec, x: Tensor, dy: Tensor): Tensor {
  const g = validateBackward(spec, x, dy);
  const walker = windowWalker(g);
  const dx = new Float64Array(x.data.length);
  const windows = Array.from({ length: g.outPlane }, (_, o) => walker.axes(o));
  const p = spec.p ?? 1;
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c);
      const read = (q: number): number => x.data[src.base + q * src.step]!;
      const at = (q: number): number => src.base + q * src.step;
      for (let o = 0; o < g.outPlane; o++) {
        const ws = windows[o]!;
        const grad = dy.data[dst.base + o * dst.step]!;
        switch (spec.kind) {
          case 'max': {
            // GRAD.MAX: the whole gradient goes to the forward's index.
            const q = maxPlane(read, (visit) => walker.forEachTap(ws, visit));
            dx[at(q)]! += grad;
            break;
          }
          case 'sum':
            walker.forEachTap(ws, (q) => { dx[at(q)]! += grad; });
            break;
          case 'avg': {
            const share = grad / avgDivisor(spec, ws);
            walker.forEachTap(ws, (q) => { dx[at(q)]! += share; });
            break;
          }
          case 'lp': {
            // GRAD.LP: dy · sign(x)·|x|^(p−1) · y^(1−p); zero where x = 0 or y = 0.
            let s = 0;
            walker.forEachTap(ws, (q) => { s += Math.pow(Math.abs(read(q)), p); });
            const yv = Math.pow(s, 1 / p);
            if (yv === 0) break;
            const scale = grad * Math.pow(yv, 1 - p);
            walker.forEachTap(ws, (q) => {
              const v = read(q);
              if (v !== 0) dx[at(q)]! += scale * Math.sign(v) * Math.pow(Math.abs(v), p - 1);
            });
            break;
          }
        }
      }
    }
  }
  return { shape: [...x.shape], data: Float32Array.from(dx), layout: g.layout };
}

export function createNaiveBackend(): PoolingBackend {
  return {
    name: 'naive',
    supports(spec, inputShape, layout): Support {
      const problem = validationProblem(spec, inputShape, layout);
      return problem === undefined ? { ok: true } : { ok: false, reason: problem };
    },
    async forward(spec, x) {
      return forward(spec, x);
    },
    async backward(spec, x, dy) {
      return backward(spec, x, dy);
    },
  };
}

export default createNaiveBackend;
