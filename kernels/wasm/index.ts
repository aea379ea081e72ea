/**
 * The wasm backend: AssemblyScript kernels with 128-bit SIMD (kernels/wasm/assembly/*.ts), compiled by
 * kernels/wasm/build.mjs into module.generated.ts (base64). Validation and geometry stay in TypeScript
 * (spec/validate.ts, spec/geometry.ts): the kernels receive flat parameters and per-axis window tables.
 *
 * The host side is split by job: module.ts (the module's exports, instantiation, the memory), geometry.ts (the
 * rank-3 lowering and window tables), path.ts (which forward algorithm), chunking.ts (streaming units through
 * memory), memory-plan.ts (buffer offsets); this file is the backend itself.
 *
 * Memory: one imported WebAssembly.Memory per backend, reused across calls and grown on demand up to a bound
 * (WASM_MAX_MEMORY_BYTES, or a smaller `maxMemoryBytes`). Calls stream their planes (channels_first) or batch items
 * (channels_last) through it in chunks of about WASM_CHUNK_BYTES of input, so a call needs one chunk's buffers;
 * a case whose chunk (at least one plane or item) needs more than the bound is refused by supports() and by
 * forward/backward with a BackendError. Typed-array views are re-created after growth. No Node-only API is used:
 * the module runs in Node and in browsers.
 */
import type { ForwardResult, Layout, PoolSpec, PoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { poolGeometry, type PoolGeometry } from '../../spec/geometry.js';
import { BackendError } from '../../spec/errors.js';
import { declineStructured } from '../structured/decline.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';
import { WASM_CHUNK_BYTES, chunking, type Chunking } from './chunking.js';
import { geometry3, planesContiguous, type Geometry3 } from './geometry.js';
import { planMemory, type MemoryPlan } from './memory-plan.js';
import {
  KIND_MAX, KIND_SUM, NAME, WASM_MAX_MEMORY_BYTES, WASM_PAGE_BYTES, WasmMemory, instantiateKernels, type Kernels,
} from './module.js';
import { forwardPath, type WasmPath } from './path.js';

export { WASM_MAX_MEMORY_BYTES, WASM_PAGE_BYTES } from './module.js';
export { WASM_CHUNK_BYTES, chunking, type Chunking } from './chunking.js';
export { geometry3, type Geometry3 } from './geometry.js';
export { forwardPath, type WasmPath } from './path.js';

/** A PoolingBackend that also exposes its memory (for leak checks) and its bound. */
export interface WasmBackend extends PoolingBackend {
  readonly memory: WebAssembly.Memory;
  readonly maxMemoryBytes: number;
}

export interface WasmBackendOptions {
  /** Memory bound in bytes, at most (and by default) WASM_MAX_MEMORY_BYTES; rounded down to whole pages. */
  maxMemoryBytes?: number;
  /**
   * Diagnostics and tests: force a forward algorithm where it applies (else the automatic choice is used).
   * Results are the same on every path; only speed differs.
   */
  path?: WasmPath | 'auto';
  /**
   * Tuning and tests: input bytes per chunk (default WASM_CHUNK_BYTES). Planes (channels_first) or batch items
   * (channels_last) are streamed through wasm memory this many at a time, at least one.
   */
  chunkBytes?: number;
}

/** What prepare() hands the per-chunk loops. */
interface Prepared {
  readonly k: Kernels;
  readonly g3: Geometry3;
  readonly path: WasmPath;
  readonly plan: MemoryPlan;
  readonly chunk: Chunking;
  /** 1 when the kernels address channels_last data (batch items of C channels), 0 for contiguous planes. */
  readonly cl: number;
  /** Channels per kernel "batch item": the layout's C for channels_last, 1 for contiguous planes. */
  readonly C: number;
}

/**
 * Creates a wasm backend: compiles (once) and instantiates the kernels with a fresh memory of its own.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const requestedLimit = options.maxMemoryBytes ?? WASM_MAX_MEMORY_BYTES;
  if (!(requestedLimit >= WASM_PAGE_BYTES) || !(requestedLimit <= WASM_MAX_MEMORY_BYTES)) {
    throw new BackendError(NAME, `maxMemoryBytes must be between ${WASM_PAGE_BYTES} and ${WASM_MAX_MEMORY_BYTES}, got ${requestedLimit}`);
  }
  const limit = Math.floor(requestedLimit / WASM_PAGE_BYTES) * WASM_PAGE_BYTES;
  const requestedPath = options.path ?? 'auto';
  const chunkBytes = options.chunkBytes ?? WASM_CHUNK_BYTES;
  if (!(chunkBytes >= 1)) throw new BackendError(NAME, `chunkBytes must be at least 1, got ${chunkBytes}`);
  const mem = new WasmMemory(limit);
  let kernels: Kernels | undefined = await instantiateKernels(mem);
  const base = kernels.heapBase();

  const live = (): Kernels => {
    if (!kernels) throw new BackendError(NAME, 'the backend was disposed');
    return kernels;
  };

  /** Refuses a plan beyond the memory bound. */
  const checkBound = (plan: MemoryPlan, what: string): string | undefined =>
    plan.end > limit
      ? `${what} needs ${plan.end} bytes of wasm memory, more than the backend's bound of ${limit} bytes (WASM_MAX_MEMORY_BYTES = ${WASM_MAX_MEMORY_BYTES})`
      : undefined;

  /** Lays out a chunk's buffers, grows memory, writes the geometry tables and passes them to the kernels. */
  const prepare = (spec: PoolSpec, g: PoolGeometry, backward: boolean): Prepared => {
    const k = live();
    const g3 = geometry3(spec, g);
    const path = forwardPath(g, g3, requestedPath);
    const chunk = chunking(g, path, chunkBytes);
    const plan = planMemory(base, spec, g, path, chunk, backward);
    const problem = checkBound(plan, backward ? 'backward' : 'forward');
    if (problem) throw new BackendError(NAME, problem);
    mem.ensure(plan.end);
    mem.i32.set(g3.tables, plan.tables >> 2);
    const [d, h, w] = g3.inSize;
    const [oD, oH, oW] = g3.outSize;
    const [dD, dH, dW] = g3.dilation;
    k.setGeometry(d, h, w, oD, oH, oW, dD, dH, dW, g3.kernelW, g3.strideW, g3.padW, plan.tables);
    if (spec.kind === 'avg' && !backward) {
      const override = spec.divisorOverride;
      k.buildDivisors(plan.div, override === undefined ? 0 : 1, override ?? 0);
    }
    // Per chunk of n units, the kernels see N·C planes (channels_first: n planes of one channel) in layout cl.
    const cl = planesContiguous(g) ? 0 : 1;
    return { k, g3, path, plan, chunk, cl, C: cl ? g.channels : 1 };
  };

  /** Runs the forward kernels on a chunk of n units (x at plan.x); y (and ix for max) at plan.y / plan.ix. */
  const runForward = (p: Prepared, spec: PoolSpec, g: PoolGeometry, n: number): void => {
    const { k, g3, path, plan, chunk, cl, C } = p;
    const kind = spec.kind === 'max' ? KIND_MAX : KIND_SUM;
    const planes = n * C;
    const xCount = n * chunk.unitIn;
    const ix = plan.ix || plan.y;
    if (spec.kind === 'lp') {
      const power = spec.p!;
      // The float32 path needs every nonzero |x|^p in about [2^-96, 2^96] (no subnormal term, no overflowing
      // sum); otherwise f64 powers and sums, rounded once (scalar).
      const taps = g.axes.reduce((t, a) => t * a.kernel, 1);
      if (taps > 2 ** 29 || !k.lpSafe(plan.x, xCount, Math.pow(2, -96 / power), Math.pow(2, 96 / power))) {
        k.lpForward64(cl, n, C, plan.x, plan.y, power, plan.pw, xCount);
        return;
      }
      k.lpMap(plan.x, xCount, power);
    }
    switch (path) {
      case 'global': k.fwdGlobal(kind, planes, plan.x, plan.y, ix); break;
      case 'width': k.fwdWidth(kind, planes, plan.x, plan.y, ix, g3.owLo, g3.owHi); break;
      case 'channels':
        if (cl) k.fwdChannelsLast(kind, n, C, plan.x, plan.y, ix);
        else k.fwdPacked(kind, planes, plan.x, plan.y, ix, plan.scratch);
        break;
      case 'scalar': k.fwdScalar(kind, cl, n, C, plan.x, plan.y, ix); break;
    }
    if (spec.kind === 'avg') k.avgDivide(cl, n, C, plan.y, plan.div);
    if (spec.kind === 'lp') k.lpRoot(plan.y, n * chunk.unitOut, spec.p!);
  };

  const forward = (spec: PoolSpec, x: Tensor): ForwardResult => {
    const g = validateForward(spec, x);
    const p = prepare(spec, g, false);
    const { plan, chunk } = p;
    const total = chunk.units * chunk.unitOut;
    const y = new Float32Array(total);
    const indices = spec.kind === 'max' ? new Int32Array(total) : undefined;
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      mem.f32.set(x.data.subarray(u * chunk.unitIn, (u + n) * chunk.unitIn), plan.x >> 2);
      runForward(p, spec, g, n);
      const out = n * chunk.unitOut;
      y.set(mem.f32.subarray(plan.y >> 2, (plan.y >> 2) + out), u * chunk.unitOut);
      indices?.set(mem.i32.subarray(plan.ix >> 2, (plan.ix >> 2) + out), u * chunk.unitOut);
    }
    const result: ForwardResult = { y: { shape: [...g.outShape], data: y, layout: g.layout } };
    if (indices) result.indices = indices;
    return result;
  };

  const backward = (spec: PoolSpec, x: Tensor, dy: Tensor): Tensor => {
    const g = validateBackward(spec, x, dy);
    const p = prepare(spec, g, true);
    const { k, plan, chunk, cl, C } = p;
    const dx = new Float32Array(x.data.length);
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      const xCount = n * chunk.unitIn;
      mem.f32.set(x.data.subarray(u * chunk.unitIn, u * chunk.unitIn + xCount), plan.x >> 2);
      mem.f32.set(dy.data.subarray(u * chunk.unitOut, (u + n) * chunk.unitOut), plan.dy >> 2);
      mem.f64.fill(0, plan.acc >> 3, (plan.acc >> 3) + xCount);
      switch (spec.kind) {
        case 'max':
          // GRAD.MAX: the forward's MAX.SELECT indices, then dx[index] += dy.
          runForward(p, spec, g, n);
          k.bwdMax(cl, n, C, plan.ix, plan.dy, plan.acc);
          break;
        case 'sum':
        case 'avg': {
          const override = spec.divisorOverride;
          k.bwdSum(cl, n, C, plan.dy, plan.acc, spec.kind === 'avg' ? 1 : 0, override === undefined ? 0 : 1, override ?? 0);
          break;
        }
        case 'lp':
          k.bwdLpPrep(plan.x, xCount, spec.p!, plan.pw, plan.g);
          k.bwdLp(cl, n, C, plan.x, plan.dy, plan.pw, plan.g, plan.acc, spec.p!);
          break;
      }
      k.narrow(plan.acc, xCount);
      dx.set(mem.f32.subarray(plan.acc >> 2, (plan.acc >> 2) + xCount), u * chunk.unitIn);
    }
    return { shape: [...x.shape], data: dx, layout: g.layout };
  };

  const backend: WasmBackend = {
    name: NAME,
    structured: declineStructured(NAME, 'the wasm kernels cover sliding-window pooling only; the structured kinds of SPEC.md §10 (adaptive, RoI, SPP, unpooling) run on the naive backend'),
    memory: mem.memory,
    maxMemoryBytes: limit,
    supports(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const problem = validationProblem(spec, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      if (!kernels) return { ok: false, reason: 'the backend was disposed' };
      const g = poolGeometry(spec, inputShape, layout);
      const path = forwardPath(g, geometry3(spec, g, false), requestedPath);
      const chunk = chunking(g, path, chunkBytes);
      const bound = checkBound(planMemory(base, spec, g, path, chunk, false), 'forward')
        ?? checkBound(planMemory(base, spec, g, path, chunk, true), 'backward');
      return bound === undefined ? { ok: true } : { ok: false, reason: bound };
    },
    async forward(spec, x) {
      return forward(spec, x);
    },
    async backward(spec, x, dy) {
      return backward(spec, x, dy);
    },
    async dispose() {
      kernels = undefined;
    },
  };
  return backend;
}

export default createWasmBackend;
