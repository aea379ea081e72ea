/**
 * The naive backend: direct loops over every window, accumulating in f64 and rounding once to float32.
 * Every kind, rank 1–3, both layouts, forward and backward. Correct by construction and plain: the baseline
 * the other backends are measured against.
 */
import type { ForwardResult, PoolSpec, PoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { forEachPlane } from '../../spec/geometry.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';
import { naiveStructured } from './structured.js';
import { planeTaps, type PlaneTaps } from './window.js';

/** MAX.SELECT: the first tap starts; a NaN wins and ends the scan (first NaN); otherwise strictly greater wins. */
function argmax(data: Float32Array, base: number, step: number, w: PlaneTaps, o: number): number {
  let best = w.taps[w.start[o]!]!;
  let bestV = data[base + best * step]!;
  for (let k = w.start[o]! + 1; k < w.start[o + 1]! && bestV === bestV; k++) {
    const q = w.taps[k]!;
    const v = data[base + q * step]!;
    if (v > bestV || v !== v) { best = q; bestV = v; }
  }
  return best;
}

function forward(spec: PoolSpec, x: Tensor): ForwardResult {
  const g = validateForward(spec, x);
  const w = planeTaps(spec, g);
  const y = new Float32Array(g.batch * g.channels * g.outPlane);
  const indices = spec.kind === 'max' ? new Int32Array(y.length) : undefined;
  const p = spec.p ?? 1;
  const data = x.data;
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const at = dst.base + o * dst.step;
      if (spec.kind === 'max') {
        const q = argmax(data, src.base, src.step, w, o);
        indices![at] = q;
        y[at] = data[src.base + q * src.step]!;
        continue;
      }
      let acc = 0;
      for (let k = w.start[o]!; k < w.start[o + 1]!; k++) {
        const v = data[src.base + w.taps[k]! * src.step]!;
        acc += spec.kind === 'lp' ? Math.pow(Math.abs(v), p) : v;
      }
      y[at] = spec.kind === 'avg' ? acc / w.divisor[o]! : spec.kind === 'lp' ? Math.pow(acc, 1 / p) : acc;
    }
  });
  return { y: { shape: [...g.outShape], data: y, layout: g.layout }, ...(indices ? { indices } : {}) };
}

function backward(spec: PoolSpec, x: Tensor, dy: Tensor): Tensor {
  const g = validateBackward(spec, x, dy);
  const w = planeTaps(spec, g);
  const dx = new Float64Array(x.data.length);
  const p = spec.p ?? 1;
  const data = x.data;
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const grad = dy.data[dst.base + o * dst.step]!;
      const from = w.start[o]!;
      const to = w.start[o + 1]!;
      switch (spec.kind) {
        case 'max': // GRAD.MAX: the whole gradient goes to the forward's index.
          dx[src.base + argmax(data, src.base, src.step, w, o) * src.step]! += grad;
          break;
        case 'sum':
        case 'avg': { // GRAD.SUM, GRAD.AVG
          const share = spec.kind === 'avg' ? grad / w.divisor[o]! : grad;
          for (let k = from; k < to; k++) dx[src.base + w.taps[k]! * src.step]! += share;
          break;
        }
        case 'lp': { // GRAD.LP: dy · sign(x)·|x|^(p−1) · y^(1−p); zero where x = 0 or y = 0.
          let s = 0;
          for (let k = from; k < to; k++) s += Math.pow(Math.abs(data[src.base + w.taps[k]! * src.step]!), p);
          const yv = Math.pow(s, 1 / p);
          if (yv === 0) break;
          const scale = grad * Math.pow(yv, 1 - p);
          for (let k = from; k < to; k++) {
            const i = src.base + w.taps[k]! * src.step;
            const v = data[i]!;
            if (v !== 0) dx[i]! += scale * Math.sign(v) * Math.pow(Math.abs(v), p - 1);
          }
          break;
        }
      }
    }
  });
  return { shape: [...x.shape], data: Float32Array.from(dx), layout: g.layout };
}

export function createNaiveBackend(): PoolingBackend {
  return {
    name: 'naive',
    structured: naiveStructured,
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
