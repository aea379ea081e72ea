/**
 * The wasm backend's research kinds (SPEC.md §11: gem, softpool, lse, median, mixed, and stochastic pooling,
 * STOCH.*): the `reducers` member of the wasm backend. Validation and geometry stay in TypeScript (spec/validate-reducer.ts, spec/geometry.ts); the
 * kernels (kernels/wasm/assembly/research.ts) get per-axis window tables and flat parameters. Data streams through
 * the engine's memory a chunk of units at a time (chunking.ts), as the max/avg calls do; windows never cross a
 * unit, so chunks are independent.
 */
import {
  RESEARCH_KINDS, STOCHASTIC_KIND, type Layout, type ReducerPoolSpec, type ReducerPoolingBackend, type ResearchKind, type Support, type Tensor,
} from '../../spec/contract.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { axisWindow, poolGeometry, type PoolGeometry } from '../../spec/geometry.js';
import { builtinReducer } from '../../spec/reducers/index.js';
import {
  reducerGeometrySpec, reducerValidationProblem, validateReducerBackward, validateReducerForward,
} from '../../spec/validate-reducer.js';
import { chunking, type Chunking } from './chunking.js';
import type { Engine } from './engine.js';
import { axes3, planesContiguous } from './geometry.js';
import { NAME, WASM_MAX_MEMORY_BYTES, type Kernels } from './module.js';

/** The research kernels' exports (kernels/wasm/assembly/research.ts), beside the module's other kernels. */
interface ResearchKernels {
  researchGeometry(d: number, h: number, w: number, oD: number, oH: number, oW: number,
    dD: number, dH: number, dW: number, tables: number, scratch: number, maxTaps: number): void;
  researchForward(kind: number, N: number, C: number, x: number, y: number, param: number): void;
  researchBackward(kind: number, N: number, C: number, x: number, dy: number, acc: number, param: number): void;
  researchNarrow(acc: number, count: number): void;
  stochasticTrainForward(N: number, C: number, x: number, y: number, ix: number, seed: number, unit0: number, channels: number): void;
  stochasticTrainBackward(N: number, C: number, x: number, dy: number, acc: number, seed: number, unit0: number, channels: number): void;
}

/** The kinds this member implements: the research kinds and stochastic pooling. */
type WasmReducerKind = ResearchKind | typeof STOCHASTIC_KIND;
const KINDS: readonly WasmReducerKind[] = [...RESEARCH_KINDS, STOCHASTIC_KIND];

/** The kernels' kind codes (KIND_* in kernels/wasm/assembly/research.ts); stochastic's is its inference mode's. */
const KIND_CODE: Readonly<Record<WasmReducerKind, number>> = { gem: 0, softpool: 1, lse: 2, median: 3, mixed: 4, stochastic: 5 };

/** Byte offsets of one chunk's buffers (0 where unused) and the end of the last. */
interface ResearchPlan {
  tables: number; scratch: number; x: number; y: number; ix: number; dy: number; acc: number; end: number;
}

/** A call laid out: the geometry, its kernel-side tables, the chunking and the memory plan. */
interface ResearchCase {
  g: PoolGeometry;
  chunk: Chunking;
  plan: ResearchPlan;
  /** Channels interleaved per unit: the layout's C for channels_last (with C > 1), else 1. */
  C: number;
  maxTaps: number;
}

const SLACK = 64;

/** The refusal for a call beyond the memory bound (worded as engine.ts's), or undefined when it fits. */
export function boundProblem(plan: { readonly end: number }, limit: number, what: string): string | undefined {
  return plan.end > limit
    ? `${what} needs ${plan.end} bytes of wasm memory, more than the backend's bound of ${limit} bytes (WASM_MAX_MEMORY_BYTES = ${WASM_MAX_MEMORY_BYTES})`
    : undefined;
}

/** `indices`: the forward also writes one int32 per output (stochastic training, STOCH.INDEX). */
function planResearch(base: number, g: PoolGeometry, chunk: Chunking, backward: boolean, maxTaps: number, indices: boolean): ResearchPlan {
  let top = base;
  const take = (bytes: number): number => {
    const at = Math.ceil(top / 16) * 16;
    top = at + bytes + SLACK;
    return at;
  };
  const outs = axes3(g).reduce((s, a) => s + a.out, 0);
  const plan: ResearchPlan = { tables: take(8 * outs), scratch: take(24 * maxTaps), x: 0, y: 0, ix: 0, dy: 0, acc: 0, end: 0 };
  plan.x = take(4 * chunk.size * chunk.unitIn);
  if (backward) {
    plan.dy = take(4 * chunk.size * chunk.unitOut);
    plan.acc = take(8 * chunk.size * chunk.unitIn); // dx accumulates in f64, narrowed in place
  } else {
    plan.y = take(4 * chunk.size * chunk.unitOut);
    if (indices) plan.ix = take(4 * chunk.size * chunk.unitOut);
  }
  plan.end = top;
  return plan;
}

/** Per axis (rank padded to 3): the first in-bounds input coordinate and the in-bounds tap count of each output. */
function windowTables(g: PoolGeometry): Int32Array {
  const axes = axes3(g);
  const t = new Int32Array(2 * axes.reduce((s, a) => s + a.out, 0));
  let at = 0;
  for (const a of axes) {
    for (let j = 0; j < a.out; j++) {
      const w = axisWindow(a, j);
      t[at + j] = w.start + w.tFirst * a.dilation;
      t[at + a.out + j] = w.tEnd - w.tFirst;
    }
    at += 2 * a.out;
  }
  return t;
}

function kindOf(spec: ReducerPoolSpec): WasmReducerKind {
  const kind = (spec as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !builtinReducer(kind)) {
    throw new ValidationError('spec.kind', 'PARAM.KIND', `must be one of ${KINDS.join(', ')}`, kind);
  }
  return kind as WasmReducerKind;
}

/** Stochastic pooling in training mode (STOCH.TRAINING = 1): selections, not the inference reducer. */
function isTraining(kind: WasmReducerKind, spec: ReducerPoolSpec): boolean {
  return kind === STOCHASTIC_KIND && spec.params?.training === 1;
}

/** The kernels' parameter: p (gem), r (lse), λ (mixed); unused otherwise. */
function paramOf(kind: WasmReducerKind, spec: ReducerPoolSpec): number {
  const params = spec.params ?? {};
  return kind === 'gem' ? params.p! : kind === 'lse' ? params.r! : kind === 'mixed' ? params.lambda! : 0;
}

export function createWasmResearch(engine: Engine, chunkBytes: number): ReducerPoolingBackend {
  const { mem } = engine;
  const kernels = (): Kernels & ResearchKernels => engine.kernels as Kernels & ResearchKernels;

  const layoutCase = (g: PoolGeometry, backward: boolean, indices = false): ResearchCase => {
    const chunk = chunking(g, chunkBytes);
    // In-bounds taps per axis are distinct coordinates of the input: at most min(kernel, size).
    const maxTaps = g.axes.reduce((t, a) => t * Math.min(a.kernel, a.size), 1);
    const plan = planResearch(engine.base, g, chunk, backward, maxTaps, indices);
    return { g, chunk, plan, C: planesContiguous(g) ? 1 : g.channels, maxTaps };
  };

  /** Grows memory, writes the window tables and passes the geometry to the kernels. */
  const bind = (c: ResearchCase): void => {
    const problem = boundProblem(c.plan, mem.limit, c.plan.acc ? 'backward' : 'forward');
    if (problem) throw new BackendError(NAME, problem);
    mem.ensure(c.plan.end);
    mem.i32.set(windowTables(c.g), c.plan.tables >> 2);
    const [d, h, w] = axes3(c.g);
    kernels().researchGeometry(d.size, h.size, w.size, d.out, h.out, w.out, d.dilation, h.dilation, w.dilation,
      c.plan.tables, c.plan.scratch, c.maxTaps);
  };

  const forward = (spec: ReducerPoolSpec, x: Tensor): { y: Tensor; indices?: Int32Array } => {
    const kind = kindOf(spec);
    const g = validateReducerForward(spec, x, builtinReducer(kind)!);
    const training = isTraining(kind, spec);
    const c = layoutCase(g, false, training);
    bind(c);
    const k = kernels();
    const { chunk, plan } = c;
    const y = new Float32Array(chunk.units * chunk.unitOut);
    const indices = training ? new Int32Array(y.length) : undefined;
    const param = paramOf(kind, spec);
    const seed = spec.params?.seed ?? 0;
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      mem.f32.set(x.data.subarray(u * chunk.unitIn, (u + n) * chunk.unitIn), plan.x >> 2);
      if (indices) k.stochasticTrainForward(n, c.C, plan.x, plan.y, plan.ix, seed, u, g.channels);
      else k.researchForward(KIND_CODE[kind], n, c.C, plan.x, plan.y, param);
      y.set(mem.f32.subarray(plan.y >> 2, (plan.y >> 2) + n * chunk.unitOut), u * chunk.unitOut);
      indices?.set(mem.i32.subarray(plan.ix >> 2, (plan.ix >> 2) + n * chunk.unitOut), u * chunk.unitOut);
    }
    const out: Tensor = { shape: [...g.outShape], data: y, layout: g.layout };
    return indices ? { y: out, indices } : { y: out };
  };

  const backward = (spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Tensor => {
    const kind = kindOf(spec);
    const g = validateReducerBackward(spec, x, dy, builtinReducer(kind)!);
    const training = isTraining(kind, spec);
    const seed = spec.params?.seed ?? 0;
    const c = layoutCase(g, true);
    bind(c);
    const k = kernels();
    const { chunk, plan } = c;
    const dx = new Float32Array(x.data.length);
    const param = paramOf(kind, spec);
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      const xCount = n * chunk.unitIn;
      mem.f32.set(x.data.subarray(u * chunk.unitIn, u * chunk.unitIn + xCount), plan.x >> 2);
      mem.f32.set(dy.data.subarray(u * chunk.unitOut, (u + n) * chunk.unitOut), plan.dy >> 2);
      mem.f64.fill(0, plan.acc >> 3, (plan.acc >> 3) + xCount);
      if (training) k.stochasticTrainBackward(n, c.C, plan.x, plan.dy, plan.acc, seed, u, g.channels);
      else k.researchBackward(KIND_CODE[kind], n, c.C, plan.x, plan.dy, plan.acc, param);
      k.researchNarrow(plan.acc, xCount);
      dx.set(mem.f32.subarray(plan.acc >> 2, (plan.acc >> 2) + xCount), u * chunk.unitIn);
    }
    return { shape: [...x.shape], data: dx, layout: g.layout };
  };

  return {
    kinds: KINDS,
    supports(spec: ReducerPoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const kind = (spec as { kind?: unknown } | null)?.kind;
      const decl = typeof kind === 'string' ? builtinReducer(kind) : undefined;
      if (!decl) return { ok: false, reason: `wasm implements the research kinds ${KINDS.join(', ')}; not ${JSON.stringify(kind)}` };
      const problem = reducerValidationProblem(spec, decl, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      if (!engine.live) return { ok: false, reason: 'the backend was disposed' };
      const g = poolGeometry(reducerGeometrySpec(spec), inputShape, layout);
      const fwd = layoutCase(g, false, isTraining(kind as WasmReducerKind, spec));
      const bwd = layoutCase(g, true);
      const bound = boundProblem(fwd.plan, mem.limit, 'forward')
        ?? boundProblem(bwd.plan, mem.limit, 'backward');
      return bound === undefined ? { ok: true } : { ok: false, reason: bound };
    },
    async forward(spec, x) {
      return forward(spec, x);
    },
    async backward(spec, x, dy) {
      return backward(spec, x, dy);
    },
  };
}
