/**
 * The naive backend: direct loops over every window, accumulating in f64 and rounding once to float32.
 * Every kind, rank 1–3, both layouts, forward and backward. Correct by construction and plain: the baseline
 * the other backends are measured against. Its plan() (CONTRACT.PLAN) runs the same loops into the caller's
 * arrays, with the windows built once per plan.
 */
import type {
  ForwardOut, ForwardResult, Layout, PlanningBackend, PoolPlan, PoolPlanOptions, PoolSpec, ReducingBackend, StatisticalBackend, Support, Tensor,
} from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { forEachPlane, type PoolGeometry } from '../../spec/geometry.js';
import {
  validateBackward, validateForward, validateShape, validateShapeArray, validateSpec, validateTensor, validationProblem,
} from '../../spec/validate.js';
import { naiveResearch } from './research.js';
import { naiveStatistics } from './stats.js';
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

/** The forward loops into given arrays; `indices` only when the caller wants them (max). */
function forwardInto(spec: PoolSpec, g: PoolGeometry, w: PlaneTaps, data: Float32Array, y: Float32Array, indices: Int32Array | undefined): void {
  const p = spec.p ?? 1;
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const at = dst.base + o * dst.step;
      if (spec.kind === 'max') {
        const q = argmax(data, src.base, src.step, w, o);
        if (indices) indices[at] = q;
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
}

function forward(spec: PoolSpec, x: Tensor): ForwardResult {
  const g = validateForward(spec, x);
  const y = new Float32Array(g.batch * g.channels * g.outPlane);
  const indices = spec.kind === 'max' ? new Int32Array(y.length) : undefined;
  forwardInto(spec, g, planeTaps(spec, g), x.data, y, indices);
  return { y: { shape: [...g.outShape], data: y, layout: g.layout }, ...(indices ? { indices } : {}) };
}

/** The backward loops: contributions accumulated into `dx` (f64, zeroed by the caller), rounded by the caller. */
function backwardInto(spec: PoolSpec, g: PoolGeometry, w: PlaneTaps, x: Tensor, dy: Tensor, dx: Float64Array): void {
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
}

function backward(spec: PoolSpec, x: Tensor, dy: Tensor): Tensor {
  const g = validateBackward(spec, x, dy);
  const dx = new Float64Array(x.data.length);
  backwardInto(spec, g, planeTaps(spec, g), x, dy, dx);
  return { shape: [...x.shape], data: Float32Array.from(dx), layout: g.layout };
}

/** CONTRACT.PLAN: a plan's input must be the planned shape and layout; a caller's output must have the exact length. */
function checkPlanned(t: unknown, name: string, shape: readonly number[], layout: Layout): asserts t is Tensor {
  validateTensor(t, name, shape.length);
  if ((t.layout ?? 'channels_first') !== layout) throw new ValidationError(`${name}.layout`, 'CONTRACT.PLAN', `must be the planned layout "${layout}"`, t.layout);
  if (t.shape.some((v, i) => v !== shape[i])) throw new ValidationError(`${name}.shape`, 'CONTRACT.PLAN', `must be the planned shape [${shape.join(', ')}]`, t.shape);
}

function checkOut<T extends Float32Array | Int32Array>(a: unknown, field: string, type: new (n: number) => T, length: number): asserts a is T {
  if (!(a instanceof type) || a.length !== length) {
    throw new ValidationError(field, 'CONTRACT.PLAN', `must be a caller-provided ${type.name} of ${length} elements`, a);
  }
}

function plan(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first', options: PoolPlanOptions = {}): PoolPlan {
  validateSpec(spec);
  validateShapeArray(inputShape, 'inputShape', spec.kernel.length + 2);
  const fixed = structuredClone(spec); // the plan keeps its case even if the caller edits the spec object later
  const shape = [...inputShape];
  const g = validateShape(fixed, shape, layout);
  const w = planeTaps(fixed, g);
  const outCount = g.batch * g.channels * g.outPlane;
  const wantIndices = fixed.kind === 'max' && options.indices !== false;
  // The backward's f64 accumulator, reused by every call of this plan (zeroed each time).
  let acc: Float64Array | undefined;
  return {
    outShape: [...g.outShape],
    async forward(x: Tensor, out: ForwardOut): Promise<void> {
      checkPlanned(x, 'x', shape, layout);
      checkOut(out?.y, 'out.y', Float32Array, outCount);
      if (wantIndices) checkOut(out.indices, 'out.indices', Int32Array, outCount);
      forwardInto(fixed, g, w, x.data, out.y, wantIndices ? out.indices : undefined);
    },
    async backward(x: Tensor, dy: Tensor, dx: Float32Array): Promise<void> {
      checkPlanned(x, 'x', shape, layout);
      checkPlanned(dy, 'dy', g.outShape, layout);
      checkOut(dx, 'dx', Float32Array, x.data.length);
      acc ??= new Float64Array(x.data.length);
      acc.fill(0);
      backwardInto(fixed, g, w, x, dy, acc);
      for (let i = 0; i < acc.length; i++) dx[i] = acc[i]!;
    },
    dispose(): void { acc = undefined; },
  };
}

export function createNaiveBackend(): PlanningBackend & ReducingBackend & StatisticalBackend {
  return {
    name: 'naive',
    structured: naiveStructured,
    reducers: naiveResearch,
    statistics: naiveStatistics,
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
    async plan(spec, inputShape, layout, options) {
      return plan(spec, inputShape, layout, options);
    },
  };
}

export default createNaiveBackend;
