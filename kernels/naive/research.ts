/**
 * The naive backend's research kinds (SPEC.md §11): direct loops over every window in f64, max-shifted
 * exponentials (SOFT.DEF, LSE.DEF), rounded once to float32; backward by the analytic gradients (GEM.GRAD,
 * SOFT.GRAD, LSE.GRAD, MEDIAN.GRAD, MIXED.GRAD).
 */
import { RESEARCH_KINDS, STOCHASTIC_KIND, type ReducerPoolSpec, type ReducerPoolingBackend, type ResearchKind, type Support, type Tensor } from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { forEachPlane } from '../../spec/geometry.js';
import { BUILTIN_REDUCERS, builtinReducer, medianPosition } from '../../spec/reducers/index.js';
import {
  reducerGeometrySpec, reducerValidationProblem, validateReducerBackward, validateReducerForward,
} from '../../spec/validate-reducer.js';
import { stochasticBackward, stochasticForward } from './stochastic.js';
import { planeTaps } from './window.js';

/** The research kinds plus stochastic pooling (STOCH.*), which has its own kernel (./stochastic.ts). */
const KINDS: readonly string[] = [...RESEARCH_KINDS, STOCHASTIC_KIND];

function kindOf(spec: ReducerPoolSpec): ResearchKind {
  if (!builtinReducer(spec?.kind)) throw new ValidationError('spec.kind', 'PARAM.KIND', `must be one of ${RESEARCH_KINDS.join(', ')}`, spec?.kind);
  return spec.kind as ResearchKind;
}

function firstMaxPosition(v: readonly number[]): number {
  let best = 0;
  for (let r = 1; r < v.length; r++) if (v[r]! > v[best]!) best = r;
  return best;
}

/** One window's value in f64 (special windows by the same rules as the declarations, SPEC.md §11). */
function windowValue(kind: ResearchKind, v: readonly number[], params: Readonly<Record<string, number>>): number {
  const special = BUILTIN_REDUCERS[kind].special(v, params);
  if (special !== undefined) return special;
  const n = v.length;
  switch (kind) {
    case 'gem': {
      const p = params.p!;
      // Scaled by the largest tap so that no power overflows or underflows in f64: y = m·((1/n)Σ(x/m)^p)^(1/p).
      const m = Math.max(...v);
      let s = 0;
      for (const x of v) s += Math.pow(x / m, p);
      return m * Math.pow(s / n, 1 / p);
    }
    case 'softpool': {
      const f = v.filter(Number.isFinite);
      const m = Math.max(...f);
      let num = 0;
      let den = 0;
      for (const x of f) { const w = Math.exp(x - m); num += w * x; den += w; }
      return num / den;
    }
    case 'lse': {
      const r = params.r!;
      const m = Math.max(...v.filter(Number.isFinite));
      let s = 0;
      for (const x of v) s += Math.exp(r * (x - m));
      return m + Math.log(s / n) / r;
    }
    case 'median':
      return v[medianPosition(v)]!;
    case 'mixed': {
      const lambda = params.lambda!;
      let s = 0;
      for (const x of v) s += x;
      return lambda * v[firstMaxPosition(v)]! + (1 - lambda) * (s / n);
    }
  }
}

/** ∂y/∂x_r for every tap of a window (0 where the spec defines the contribution as 0). */
function windowPartials(kind: ResearchKind, v: readonly number[], params: Readonly<Record<string, number>>): number[] {
  const n = v.length;
  const y = windowValue(kind, v, params);
  switch (kind) {
    case 'gem': {
      const p = params.p!;
      // GEM.GRAD: (1/n)(x/y)^(p−1); 0 where x = 0 or y = 0.
      return v.map((x) => (x === 0 || y === 0 ? 0 : Math.pow(x / y, p - 1) / n));
    }
    case 'softpool': {
      const m = Math.max(...v.filter(Number.isFinite));
      const w = v.map((x) => Math.exp(x - m));
      const W = w.reduce((a, b) => a + b, 0);
      return v.map((x, r) => (w[r]! / W) * (1 + x - y));
    }
    case 'lse': {
      const r = params.r!;
      const m = Math.max(...v.filter(Number.isFinite));
      const w = v.map((x) => Math.exp(r * (x - m)));
      const S = w.reduce((a, b) => a + b, 0);
      return w.map((wi) => wi / S);
    }
    case 'median': {
      const at = medianPosition(v);
      return v.map((_, r) => (r === at ? 1 : 0));
    }
    case 'mixed': {
      const lambda = params.lambda!;
      const at = firstMaxPosition(v);
      return v.map((_, r) => (r === at ? lambda : 0) + (1 - lambda) / n);
    }
  }
}

function forward(spec: ReducerPoolSpec, x: Tensor): Tensor {
  const kind = kindOf(spec);
  const g = validateReducerForward(spec, x, BUILTIN_REDUCERS[kind]);
  const w = planeTaps(reducerGeometrySpec(spec), g);
  const params = spec.params ?? {};
  const y = new Float32Array(g.batch * g.channels * g.outPlane);
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const v: number[] = [];
      for (let k = w.start[o]!; k < w.start[o + 1]!; k++) v.push(x.data[src.base + w.taps[k]! * src.step]!);
      y[dst.base + o * dst.step] = windowValue(kind, v, params);
    }
  });
  return { shape: [...g.outShape], data: y, layout: g.layout };
}

function backward(spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Tensor {
  const kind = kindOf(spec);
  const g = validateReducerBackward(spec, x, dy, BUILTIN_REDUCERS[kind]);
  const w = planeTaps(reducerGeometrySpec(spec), g);
  const params = spec.params ?? {};
  const dx = new Float64Array(x.data.length);
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const idx: number[] = [];
      for (let k = w.start[o]!; k < w.start[o + 1]!; k++) idx.push(src.base + w.taps[k]! * src.step);
      const d = dy.data[dst.base + o * dst.step]!;
      windowPartials(kind, idx.map((i) => x.data[i]!), params).forEach((gr, r) => { dx[idx[r]!]! += d * gr; });
    }
  });
  return { shape: [...x.shape], data: Float32Array.from(dx), layout: g.layout };
}

export const naiveResearch: ReducerPoolingBackend = {
  kinds: KINDS,
  supports(spec, inputShape, layout): Support {
    const decl = builtinReducer((spec as { kind?: string } | null)?.kind ?? '');
    if (!decl) return { ok: false, reason: `naive implements the research kinds ${KINDS.join(', ')}; not ${JSON.stringify((spec as { kind?: unknown } | null)?.kind)}` };
    const problem = reducerValidationProblem(spec, decl, inputShape, layout);
    return problem === undefined ? { ok: true } : { ok: false, reason: problem };
  },
  async forward(spec, x) {
    if (spec?.kind === STOCHASTIC_KIND) return stochasticForward(spec, x);
    return { y: forward(spec, x) };
  },
  async backward(spec, x, dy) {
    if (spec?.kind === STOCHASTIC_KIND) return stochasticBackward(spec, x, dy);
    return backward(spec, x, dy);
  },
};
