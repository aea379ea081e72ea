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
 * the module runs in Node and in browsers. The one exception is the second kernel thread (threads.ts): where Node's
 * worker threads, shared memory and two cores exist, a kernel call large enough to gain runs half its units on a
 * worker over a shared memory (engine.ts); elsewhere, or with `threads: 1`, everything runs on the caller's thread.
 */
import type {
  Direction, ForwardOut, ForwardResult, Layout, PlanningBackend, PoolPlan, PoolPlanOptions, PoolSpec, ResidentBackend,
  ResidentCase, Support, Tensor,
} from '../../spec/contract.js';
import type { ReducingBackend, StatisticalBackend } from '../../spec/contract.js';
import { poolGeometry, product, type PoolGeometry } from '../../spec/geometry.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { declineStructured } from '../structured/decline.js';
import {
  validateBackward, validateForward, validateShape, validateShapeArray, validateSpec, validateTensor, validationProblem,
} from '../../spec/validate.js';
import { WASM_CHUNK_BYTES, chunking } from './chunking.js';
import { Engine, THREAD_MIN_BYTES, boundProblem, wholeCaseSplits, type CaseOptions, type WasmCase } from './engine.js';
import { kernelThreadsAvailable } from './threads.js';
import { decodeIndexCodes, geometry3 } from './geometry.js';
import { planMemory } from './memory-plan.js';
import { NAME, WASM_MAX_MEMORY_BYTES, WASM_PAGE_BYTES } from './module.js';
import { forwardPath, type WasmPath } from './path.js';
import { createWasmResearch } from './research.js';
import { createWasmStatistics } from './stats.js';

export { WASM_MAX_MEMORY_BYTES, WASM_PAGE_BYTES } from './module.js';
export { WASM_CHUNK_BYTES, chunking, type Chunking } from './chunking.js';
export { geometry3, type Geometry3 } from './geometry.js';
export { forwardPath, type WasmPath } from './path.js';

/**
 * A backend that also exposes its memory (for leak checks) and its bound, plans calls into caller-provided outputs
 * (PlanningBackend) and keeps a case's data in wasm memory for timing the kernels alone (ResidentBackend).
 */
export interface WasmBackend extends PlanningBackend, ResidentBackend, ReducingBackend, StatisticalBackend {
  readonly memory: WebAssembly.Memory;
  readonly maxMemoryBytes: number;
  /** Kernel threads a large call runs on: 2 by default where they can run, 1 otherwise (WasmBackendOptions.threads). */
  readonly threads: number;
  resident(spec: PoolSpec, x: Tensor, direction: Direction, dy?: Tensor): Promise<WasmResidentCase>;
}

/** A resident case whose last run's output can be read back (tests; the bench times run() alone). */
export interface WasmResidentCase extends ResidentCase {
  /** A copy of the last run's y (forward) or dx (backward). */
  read(): Float32Array;
  /**
   * The last forward run's indices (max with indices) as int32 plane indices, else undefined: a copy, or decoded
   * where the run left them as window-relative codes of a byte (the pair kernels' 2×2 stride-2 windows and kernel 4
   * stride 4 on rows without padding, where the codes fit: kernels/wasm/assembly/rows.ts putCodes).
   */
  readIndices(): Int32Array | undefined;
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
  /**
   * Tuning and tests: bytes a rows kernel call must touch before it streams: a 2×2 stride-2 pair kernel reads rows
   * of 192 columns and more in memory order, the fused kernel-3 walk reads ahead (default PAIR_SEQUENTIAL_BYTES,
   * kernels/wasm/engine.ts). Results are the same either way.
   */
  pairSequentialBytes?: number;
  /**
   * max: whether forward() returns indices (default true). With false it returns y alone, computed by the
   * values-only kernel (the `wasm-values` registry entry; its indices are unchecked, SPEC.md POLICY.INDICES).
   */
  indices?: boolean;
  /**
   * Kernel threads, 1 or 2. By default 2 where a second one can run and has a core of its own (threads.ts
   * kernelThreadsAvailable: shared memory, Node's worker threads, two cores), else 1. With 2, a worker
   * (kernels/wasm/threads.ts) runs half of the units of every kernel call whose x and y hold at least
   * `threadMinBytes`: forward kernels of every kind, the max backward, and the sum and avg backward on contiguous
   * planes or by gather. Such a call's memory is shared; a case none of whose calls split keeps a plain one. Streamed calls (forward, backward,
   * plans) split theirs only when their chunks can reach that size (2·chunkBytes ≥ threadMinBytes), so with the
   * default chunks only resident cases do. Results are bit-identical to one thread. Asked for 2 where shared memory
   * or worker threads are missing, whatever would start the worker (creating the backend, or resident()) throws a
   * BackendError; by default the backend then stays on one thread. `threads: 1` is the `wasm-1t` registry entry.
   */
  threads?: number;
  /** Tuning and tests: bytes a call must touch before it is split between two threads (default THREAD_MIN_BYTES). */
  threadMinBytes?: number;
}

/** CONTRACT.PLAN: a plan's call must bring the tensor and outputs the plan was made for. */
function checkPlanInput(t: Tensor, name: string, shape: readonly number[], layout: Layout): void {
  validateTensor(t, name, shape.length);
  if (t.shape.length !== shape.length || t.shape.some((v, i) => v !== shape[i])) {
    throw new ValidationError(`${name}.shape`, 'CONTRACT.PLAN', `must equal the plan's shape [${shape.join(', ')}]`, t.shape);
  }
  const got = t.layout ?? 'channels_first';
  if (got !== layout) throw new ValidationError(`${name}.layout`, 'CONTRACT.PLAN', `must equal the plan's layout (${layout})`, got);
}

function checkOut(a: { length: number } | undefined, field: string, count: number): void {
  if (a?.length !== count) {
    throw new ValidationError(field, 'CONTRACT.PLAN', `must be an array of the plan's ${count} output elements`, a);
  }
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
  const chunkBytes = options.chunkBytes ?? WASM_CHUNK_BYTES;
  if (!(chunkBytes >= 1)) throw new BackendError(NAME, `chunkBytes must be at least 1, got ${chunkBytes}`);
  const caseOptions: CaseOptions = {
    path: options.path ?? 'auto', chunkBytes,
    ...(options.pairSequentialBytes !== undefined ? { pairSequentialBytes: options.pairSequentialBytes } : {}),
    ...(options.threadMinBytes !== undefined ? { threadMinBytes: options.threadMinBytes } : {}),
  };
  const requested = options.threads;
  if (requested !== undefined && requested !== 1 && requested !== 2) {
    throw new BackendError(NAME, `threads must be 1 or 2, got ${String(requested)}`);
  }
  let threads = requested ?? ((await kernelThreadsAvailable()) ? 2 : 1);
  /**
   * An engine of `n` kernel threads. By default, where the second thread cannot start after all, one thread, from
   * then on; asked for two, the error.
   */
  const engineOf = async (n: number): Promise<Engine> => {
    if (n === 1) return Engine.create(limit, 1);
    try {
      return await Engine.create(limit, 2);
    } catch (e) {
      if (requested === 2 || !(e instanceof BackendError)) throw e;
      threads = 1;
      return Engine.create(limit, 1);
    }
  };
  const withIndices = options.indices !== false;
  // Calls stream chunkBytes of input at a time through the backend's own engine. A chunk that cannot reach the
  // split threshold is never split, and copies into and out of a shared memory are slower (TypedArray.prototype.set
  // of 3.2 MB in Node 20 here: 0.21 against 0.085 ms in, 0.15 against 0.082 ms out), so that engine stays plain;
  // resident cases get threads. Streaming 8 MiB chunks through a shared memory on two threads instead measured
  // 1.3–4.5× the default's whole call by min, 1.5–2.4× on 11 of 14 workloads (call-reused scope, one run).
  // The copies, not the kernels, dominate a whole call, and on a shared memory they cost twice as much.
  const threadMinBytes = options.threadMinBytes ?? THREAD_MIN_BYTES;
  const engine = await engineOf(threads > 1 && 2 * chunkBytes >= threadMinBytes ? threads : 1);
  const callThreads = engine.threads;
  const { mem } = engine;

  /** Forward into caller-provided outputs, chunk by chunk: copy in, kernels, copy out. */
  const forwardInto = (c: WasmCase, x: Float32Array, y: Float32Array, indices: Int32Array | undefined): void => {
    engine.bind(c);
    const { plan, chunk } = c;
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      mem.f32.set(x.subarray(u * chunk.unitIn, (u + n) * chunk.unitIn), plan.x >> 2);
      engine.forward(c, n);
      const out = n * chunk.unitOut;
      y.set(mem.f32.subarray(plan.y >> 2, (plan.y >> 2) + out), u * chunk.unitOut);
      indices?.set(mem.i32.subarray(plan.ix >> 2, (plan.ix >> 2) + out), u * chunk.unitOut);
    }
  };

  /** Backward into a caller-provided dx, chunk by chunk. */
  const backwardInto = (c: WasmCase, x: Float32Array, dy: Float32Array, dx: Float32Array): void => {
    engine.bind(c);
    const { plan, chunk } = c;
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      const xCount = n * chunk.unitIn;
      mem.f32.set(x.subarray(u * chunk.unitIn, u * chunk.unitIn + xCount), plan.x >> 2);
      mem.f32.set(dy.subarray(u * chunk.unitOut, (u + n) * chunk.unitOut), plan.dy >> 2);
      engine.backward(c, n);
      dx.set(mem.f32.subarray(plan.acc >> 2, (plan.acc >> 2) + xCount), u * chunk.unitIn);
    }
  };

  const forward = (spec: PoolSpec, x: Tensor): ForwardResult => {
    const g = validateForward(spec, x);
    const c = engine.layout(spec, g, false, { ...caseOptions, indices: withIndices });
    const total = c.chunk.units * c.chunk.unitOut;
    const y = new Float32Array(total);
    const indices = spec.kind === 'max' && withIndices ? new Int32Array(total) : undefined;
    forwardInto(c, x.data, y, indices);
    const result: ForwardResult = { y: { shape: [...g.outShape], data: y, layout: g.layout } };
    if (indices) result.indices = indices;
    return result;
  };

  const backward = (spec: PoolSpec, x: Tensor, dy: Tensor): Tensor => {
    const g = validateBackward(spec, x, dy);
    const c = engine.layout(spec, g, true, caseOptions);
    const dx = new Float32Array(x.data.length);
    backwardInto(c, x.data, dy.data, dx);
    return { shape: [...x.shape], data: dx, layout: g.layout };
  };

  const plan = (spec: PoolSpec, inputShape: readonly number[], layout: Layout, planOptions: PoolPlanOptions): PoolPlan => {
    validateSpec(spec);
    validateShapeArray(inputShape, 'x.shape', spec.kernel.length + 2);
    const g: PoolGeometry = validateShape(spec, inputShape, layout);
    const shape = [...inputShape];
    const wantIndices = spec.kind === 'max' && planOptions.indices !== false;
    const fwd = engine.layout(spec, g, false, { ...caseOptions, indices: wantIndices });
    let bwd: WasmCase | undefined; // laid out on first use: a forward-only plan never pays for it
    let disposed = false;
    const live = (): void => {
      if (disposed) throw new BackendError(NAME, 'the plan was disposed');
    };
    const outCount = product(g.outShape);
    return {
      outShape: [...g.outShape],
      async forward(x: Tensor, out: ForwardOut): Promise<void> {
        live();
        checkPlanInput(x, 'x', shape, layout);
        checkOut(out.y, 'out.y', outCount);
        if (wantIndices) checkOut(out.indices, 'out.indices', outCount);
        forwardInto(fwd, x.data, out.y, wantIndices ? out.indices : undefined);
      },
      async backward(x: Tensor, dy: Tensor, dx: Float32Array): Promise<void> {
        live();
        checkPlanInput(x, 'x', shape, layout);
        checkPlanInput(dy, 'dy', g.outShape, layout);
        checkOut(dx, 'dx', x.data.length);
        bwd ??= engine.layout(spec, g, true, caseOptions);
        backwardInto(bwd, x.data, dy.data, dx);
      },
      dispose(): void {
        disposed = true;
      },
    };
  };

  /**
   * A case whose data lives in an engine (memory and kernel instance) of its own, so that other calls cannot
   * overwrite it: x (and dy) are copied in once, the whole tensor in one chunk; run() is the kernels alone.
   */
  const resident = async (spec: PoolSpec, x: Tensor, direction: Direction, dy?: Tensor): Promise<WasmResidentCase> => {
    const backwardCase = direction === 'backward';
    const g = backwardCase ? validateBackward(spec, x, dy) : validateForward(spec, x);
    engine.assertLive();
    // Its own engine: two threads where one of its kernel calls splits (engine.ts wholeCaseSplits), else one.
    const own = await engineOf(threads > 1 && wholeCaseSplits(spec, g, backwardCase, threadMinBytes) ? 2 : 1);
    // A forward leaves its indices as window-relative codes of a byte where its kernel writes them and a byte holds
    // them (engine.ts WasmCase.codes): 5 bytes written per output instead of 8. readIndices decodes them.
    const c = own.layout(spec, g, backwardCase, { ...caseOptions, whole: true, indices: withIndices, packIndices: true });
    own.bind(c);
    own.mem.f32.set(x.data, c.plan.x >> 2);
    if (backwardCase) own.mem.f32.set(dy!.data, c.plan.dy >> 2);
    const units = c.chunk.units;
    let released = false;
    // Whether the last forward run left its indices as codes at plan.codes (engine.ts forward).
    let codes = false;
    return {
      async run(): Promise<void> {
        if (released) throw new BackendError(NAME, 'resident case already released');
        if (backwardCase) own.backward(c, units);
        else codes = own.forward(c, units);
      },
      read(): Float32Array {
        const at = (backwardCase ? c.plan.acc : c.plan.y) >> 2;
        return own.mem.f32.slice(at, at + (backwardCase ? x.data.length : units * c.chunk.unitOut));
      },
      readIndices(): Int32Array | undefined {
        if (backwardCase || spec.kind !== 'max') return undefined;
        const count = units * c.chunk.unitOut;
        if (!codes) return own.mem.i32.slice(c.plan.ix >> 2, (c.plan.ix >> 2) + count);
        return decodeIndexCodes(c.g, new Uint8Array(own.mem.memory.buffer, c.plan.codes, count), units);
      },
      release(): void {
        released = true;
        own.dispose();
      },
    };
  };

  const backend: WasmBackend = {
    // The values-only and one-thread variants are registry entries of their own; their results carry their names.
    name: `${NAME}${withIndices ? '' : '-values'}${requested === 1 ? '-1t' : ''}`,
    get threads(): number {
      return threads;
    },
    structured: declineStructured(NAME, 'the wasm kernels cover sliding-window pooling only; the structured kinds of SPEC.md §10 (adaptive, RoI, SPP, unpooling) run on the naive backend'),
    reducers: createWasmResearch(engine, chunkBytes),
    statistics: createWasmStatistics(engine, chunkBytes),
    memory: mem.memory,
    maxMemoryBytes: limit,
    supports(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const problem = validationProblem(spec, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      if (!engine.live) return { ok: false, reason: 'the backend was disposed' };
      const g = poolGeometry(spec, inputShape, layout);
      const path = forwardPath(g, geometry3(spec, g, false), caseOptions.path);
      const chunk = chunking(g, chunkBytes);
      const bound = boundProblem(planMemory(engine.base, spec, g, path, chunk, false, callThreads), limit, 'forward')
        ?? boundProblem(planMemory(engine.base, spec, g, path, chunk, true, callThreads), limit, 'backward');
      return bound === undefined ? { ok: true } : { ok: false, reason: bound };
    },
    async forward(spec, x) {
      return forward(spec, x);
    },
    async backward(spec, x, dy) {
      return backward(spec, x, dy);
    },
    async plan(spec, inputShape, layout = 'channels_first', planOptions = {}) {
      engine.assertLive();
      return plan(spec, inputShape, layout, planOptions);
    },
    resident,
    async dispose() {
      engine.dispose();
    },
  };
  return backend;
}

export default createWasmBackend;
