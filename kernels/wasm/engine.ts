/**
 * One instance of the kernels over one memory, and what runs on it: a case (spec, geometry, path, chunking and
 * memory plan fixed once), bound to the kernels before it runs, and the per-chunk forward and backward kernel
 * sequences. The backend (index.ts) owns one engine for its calls and plans; a resident case owns one of its own,
 * so that its data stays in place while other calls run. With two threads (threads.ts) an engine's memory is shared
 * with a worker's instance, and a large call's units are split between the two (splitRun).
 */
import type { PoolSpec } from '../../spec/contract.js';
import type { PoolGeometry } from '../../spec/geometry.js';
import { BackendError } from '../../spec/errors.js';
import { chunking, type Chunking } from './chunking.js';
import { gatherGeometry, geometry3, indexCodesFit, planesContiguous, sumRowsFirstTouch, type GatherGeometry, type Geometry3 } from './geometry.js';
import { planMemory, spareUnits, type MemoryPlan } from './memory-plan.js';
import {
  KIND_MAX, KIND_MAX_CODES, KIND_MAX_VALUES, KIND_SUM, NAME, WASM_MAX_MEMORY_BYTES, WasmMemory, instantiateKernels, wasmModule, type Kernels,
} from './module.js';
import { forwardPath, type WasmPath } from './path.js';
import { KernelThread, type ThreadKernels } from './threads.js';

/** A case laid out for the kernels: everything a call needs that depends only on (spec, shape, layout). */
export interface WasmCase {
  readonly spec: PoolSpec;
  readonly g: PoolGeometry;
  readonly g3: Geometry3;
  readonly path: WasmPath;
  readonly plan: MemoryPlan;
  readonly chunk: Chunking;
  /**
   * Units in a streamed call's chunk (CaseOptions chunkBytes): a sum or avg backward holding more (a resident case)
   * runs in blocks of this many (backward()).
   */
  readonly blockUnits: number;
  readonly backward: boolean;
  /** max: whether the indices are wanted (a backward always wants them). */
  readonly indices: boolean;
  /** 1 when the kernels address channels_last data (batch items of C channels), 0 for contiguous planes. */
  readonly cl: number;
  /** Channels per kernel "batch item": the layout's C for channels_last, 1 for contiguous planes. */
  readonly C: number;
  readonly pairSequentialBytes: number;
  readonly threadMinBytes: number;
  /** Sum, avg and lp backward: the gather's geometry where it applies (geometry.ts gatherGeometry). */
  readonly gather: GatherGeometry | undefined;
  /**
   * Whether a forward may leave its indices as window-relative codes of a byte at plan.codes (kernels/wasm/assembly/
   * rows.ts putCodes): the case asked for them (CaseOptions packIndices), its calls are never split between two
   * kernel threads, and a byte holds them (geometry.ts indexCodesFit). It does so where its kernel writes codes, and
   * forward() says whether it did; else the int32 plane indices are at plan.ix.
   */
  readonly codes: boolean;
}

export interface CaseOptions {
  readonly path: WasmPath | 'auto';
  readonly chunkBytes: number;
  /** Every unit in one chunk (a resident case keeps the whole tensor in memory). */
  readonly whole?: boolean;
  /** max forward: false when the caller does not want indices (default true). */
  readonly indices?: boolean;
  /** Bytes a rows kernel call touches from which on it streams (PAIR_SEQUENTIAL_BYTES; the default is that). */
  readonly pairSequentialBytes?: number;
  /** Bytes a call must touch before it is split between two kernel threads (default THREAD_MIN_BYTES). */
  readonly threadMinBytes?: number;
  /**
   * max forward with indices on the rows path, on calls that are never split between two kernel threads (one
   * thread, or fewer than threadMinBytes touched): keep the indices as window-relative codes of a byte where they
   * fit (geometry.ts indexCodesFit) and the kernel writes them (WasmCase.codes). A resident case asks for it.
   */
  readonly packIndices?: boolean;
}

/**
 * The pair kernels (kernels/wasm/assembly/rows.ts: 2×2 stride-2 tilings) read rows of 192 columns and more in memory
 * order, one input row after the other, once a call touches at least this many bytes (input, outputs, and for the
 * backward dy and dx): the data then streams from memory, where two interleaved row streams cost more than the
 * extra pass over a ring row, while data a cache still holds from the previous call is read faster side by side.
 * Measured on VGG-16 pool1 shapes (N×64×224×224, op alone, back to back, new ÷ old median): N = 1 (18 MiB touched
 * with indices) 1.19× with indices, 1.01× values only; N = 2 (37 MiB) 0.64× and 0.50×; N = 8 0.73× and 0.49×;
 * the backward at N = 1 (28 MiB) 0.82×. From the same size on, the fused kernel-3 walk (fusedRun) reads a few
 * pages ahead of its input rows (kernels/wasm/assembly/stream.ts): on the DenseNet-style 16×64×128×128 pool
 * (64 MiB) 0.90–0.97×; on the stem at N = 1 (3 MiB, in cache) it measured 1.00–1.03×, so smaller calls skip it.
 */
export const PAIR_SEQUENTIAL_BYTES = 24 * 2 ** 20;

/**
 * With a second kernel thread, a call is split in two only when its x and y together hold at least this many
 * bytes (forward and backward alike): below it, handing half the units over (a wake-up of the worker, a join, the
 * spare units' copy) costs about what the half saves. On this project's 2-core VM a hand-over of two 50 µs halves
 * took 0.19–0.25 ms and of two 0.2 ms halves 0.37–0.44 ms (busy loops on both threads, Atomics as threads.ts uses
 * them), so a split gains only from about a millisecond of work. Measured op
 * alone, interleaved, CPU-time harness (two threads ÷ one, wall median, split at every size; with indices, then
 * values only): the ResNet-50 stem (1×64×112×112, 4 MiB) 0.79 and 1.22, backward 1.46; VGG-16 pool3 b1 (4 MiB)
 * 0.94 and 1.3; Inception-v1 3×3 s1 (0.75 MiB) 1.0 and 1.3; Inception-v3 avg (1.1 MiB) 1.3; VGG-16 pool2 b1
 * (8 MiB) 0.72 and 1.0; DenseNet 3×3 s1 b1 (8 MiB) max 0.74 and 0.70 but avg 1.18; ResNet-50 global average at
 * batch 32 (12.8 MiB) 0.94; VGG-16 pool1 b1 (16 MiB) 0.54 and 0.56, backward 0.62; the stem at batch 8 and C3D
 * pool2 b1 (32 and 29 MiB) 0.55 and 0.54. Single runs on a shared machine: the threshold sits where every
 * measured workload gains. It was 12 MiB until the kernels of 2026-12 made DenseNet's avg split well too; 6 MiB
 * against 12 (poolspec bench --scopes op --time 3000, one run, 6 MiB ÷ 12 MiB medians, with indices then values
 * only): VGG-16 pool2 b1 (7.7 MiB) 0.73 and 0.94, MobileNetV2 global average at batch 32 (7.8 MiB) 0.82,
 * DenseNet 3×3 s1 b1 (8 MiB) max 0.57 and 0.60, avg 0.60. Below that it is mixed (3.5 MiB against 12, interleaved
 * wall time): the stem 0.79 and 0.96 and its backward 0.82, but VGG-16 pool3 b1 1.28 and 1.43 and the audio M5
 * pool at batch 1 (4.9 MiB) 0.88 and 1.32.
 */
export const THREAD_MIN_BYTES = 6 * 2 ** 20;

/**
 * The most blocks a worker's task of a split sum or avg backward holds (backward()): at most 53 argument slots each
 * (the gather of avg: the shares' division, the gather's geometry, the kernel, the geometry set back), within
 * threads.ts ARG_SLOTS. A larger half takes larger blocks.
 */
const SUM_TASK_BLOCKS = 64;

/**
 * Where n units are split between two kernel threads (the lower thread's unit count; engine.ts splitRun), 0 where
 * they are not: a call touching less than threadMinBytes, or of fewer than 8 units. It never splits fewer units
 * where it does not split n.
 */
function splitPoint(chunk: Chunking, threadMinBytes: number, n: number): number {
  const touched = 4 * n * (chunk.unitIn + chunk.unitOut);
  return touched >= threadMinBytes ? 4 * Math.floor(n / 8) : 0;
}

/**
 * Whether a case holding all its units at once (a resident one) makes kernel calls that two threads would share:
 * its x and y reach threadMinBytes (splitPoint), and its kernels split: every forward, the max backward, the sum and
 * avg backward on contiguous planes or by gather (Engine.backward); not lp's backward, nor channels_last's sum and
 * avg without the gather. A case that does not is kept on one thread, over a plain memory (unsplit on a shared one,
 * the stem's lp forward measured 1.16× slower by min, the Inception-v3 channels_last avg backward 1.10×).
 */
export function wholeCaseSplits(spec: PoolSpec, g: PoolGeometry, backward: boolean, threadMinBytes: number): boolean {
  const chunk = chunking(g, Infinity);
  if (splitPoint(chunk, threadMinBytes, chunk.units) === 0) return false;
  return !backward || backwardSplits(spec.kind, planesContiguous(g), spec.kind !== 'max' && gatherGeometry(g) !== undefined);
}

/**
 * Whether a large backward of this kind is split between two kernel threads: max always; sum and avg where every
 * unit's stores stay in its own dx, on contiguous planes or by gather (not channels_last's bwdSum); lp never.
 */
function backwardSplits(kind: PoolSpec['kind'], contiguous: boolean, gather: boolean): boolean {
  if (kind === 'max') return true;
  return kind !== 'lp' && (contiguous || gather);
}

/** 1 when a rows kernel call touching `floats` float32 elements streams from memory (PAIR_SEQUENTIAL_BYTES). */
function sequential(c: WasmCase, floats: number): number {
  return 4 * floats >= c.pairSequentialBytes ? 1 : 0;
}

/** The plan moved to unit u: each per-unit buffer starts u units further (0 stays 0: a buffer the case lacks). */
function planAt(c: WasmCase, plan: MemoryPlan, u: number): MemoryPlan {
  const at = (ptr: number, bytes: number, per: number): number => (ptr ? ptr + bytes * per * u : 0);
  const { unitIn, unitOut } = c.chunk;
  return {
    ...plan,
    x: at(plan.x, 4, unitIn), y: at(plan.y, 4, unitOut), ix: at(plan.ix, 4, unitOut), dy: at(plan.dy, 4, unitOut),
    acc: at(plan.acc, c.spec.kind === 'lp' ? 8 : 4, unitIn), shares: at(plan.shares, 4, unitOut),
    // A split lp forward's float32 powers (forwardUnits); lp's backward is never split.
    pw: at(plan.pw, 4, unitIn),
  };
}

/** Whether a max backward case may take a fused kernel: contiguous planes whose forward is the rows kernel. */
function rowsMax(c: WasmCase): boolean {
  return c.spec.kind === 'max' && !c.cl && c.path === 'rows';
}

/**
 * Whether the sum backward writes every element of dx itself, so that the host zeroes nothing: on contiguous
 * planes (bwdSumRows) with one window over the whole plane, or where it initialises the rows itself
 * (geometry.ts sumRowsFirstTouch).
 */
function sumRowsWritesDx(c: WasmCase): boolean {
  return c.gather !== undefined || (!c.cl && (c.g3.global || sumRowsFirstTouch(c.g3)));
}

/**
 * Whether the host zeroes a float32 backward's dx before its kernels: not where the sum backward writes every
 * element itself (sumRowsWritesDx), nor for max on contiguous planes, whose scatter (bwdMaxPlanes) zeroes each
 * thread's dx after the forward. (Zeroing each unit's dx just before its scatter measured no faster: the stem's
 * backward at batch 1 and 8 1.02×, DenseNet's 1.06×, C3D's 0.94×; poolspec bench --scopes op, one run.)
 */
function hostZeroesDx(c: WasmCase): boolean {
  if (c.spec.kind === 'sum' || c.spec.kind === 'avg') return !sumRowsWritesDx(c);
  return !(c.spec.kind === 'max' && !c.cl);
}

/** The refusal for a plan beyond the memory bound, or undefined when it fits. */
export function boundProblem(plan: MemoryPlan, limit: number, what: string): string | undefined {
  return plan.end > limit
    ? `${what} needs ${plan.end} bytes of wasm memory, more than the backend's bound of ${limit} bytes (WASM_MAX_MEMORY_BYTES = ${WASM_MAX_MEMORY_BYTES})`
    : undefined;
}

export class Engine {
  readonly mem: WasmMemory;
  readonly base: number;
  private k: Kernels | undefined;
  /** The second kernel thread (threads: 2), or undefined. */
  private readonly thread: KernelThread | undefined;
  /** setGeometry's arguments at the last bind(): a worker's task sets them on its own instance first. */
  private geometryArgs: number[] = [];

  private constructor(mem: WasmMemory, k: Kernels, thread: KernelThread | undefined) {
    this.mem = mem;
    this.k = k;
    this.thread = thread;
    this.base = k.heapBase();
  }

  /** An engine over a fresh memory; with threads = 2 the memory is shared and a worker runs half of large calls. */
  static async create(limit: number, threads = 1): Promise<Engine> {
    const mem = new WasmMemory(limit, threads > 1);
    const k = await instantiateKernels(mem);
    const thread = threads > 1 ? await KernelThread.create(await wasmModule(true), mem.memory) : undefined;
    return new Engine(mem, k, thread);
  }

  /** How many kernel threads run a large call. */
  get threads(): number {
    return this.thread ? 2 : 1;
  }

  get live(): boolean {
    return this.k !== undefined;
  }

  get kernels(): Kernels {
    if (!this.k) throw new BackendError(NAME, 'the backend was disposed');
    return this.k;
  }

  /** Throws the disposed-backend error when the kernels are gone. */
  assertLive(): void {
    if (!this.k) throw new BackendError(NAME, 'the backend was disposed');
  }

  dispose(): void {
    this.k = undefined;
    this.thread?.dispose();
  }

  /** Lays a case out (without touching memory); throws a BackendError when it exceeds the bound. */
  layout(spec: PoolSpec, g: PoolGeometry, backward: boolean, options: CaseOptions): WasmCase {
    const g3 = geometry3(spec, g);
    const path = forwardPath(g, g3, options.path);
    const chunked = chunking(g, options.chunkBytes);
    const chunk = options.whole ? { ...chunked, size: chunked.units } : chunked;
    const cl = planesContiguous(g) ? 0 : 1;
    const indices = backward || options.indices !== false;
    const threadMinBytes = options.threadMinBytes ?? THREAD_MIN_BYTES;
    // Only this thread's kernels write codes, so a case whose calls may be split keeps int32 indices; a call of at
    // most chunk.size units that is not split never is with fewer.
    const codes = options.packIndices === true && spec.kind === 'max' && indices && !backward && path === 'rows' && !cl
      && (!this.thread || splitPoint(chunk, threadMinBytes, chunk.size) === 0) && indexCodesFit(g);
    const plan = planMemory(this.base, spec, g, path, chunk, backward, this.threads, codes);
    const problem = boundProblem(plan, this.mem.limit, backward ? 'backward' : 'forward');
    if (problem) throw new BackendError(NAME, problem);
    return {
      spec, g, g3, path, plan, chunk, blockUnits: chunked.size, backward, indices, cl, C: cl ? g.channels : 1,
      pairSequentialBytes: options.pairSequentialBytes ?? PAIR_SEQUENTIAL_BYTES,
      threadMinBytes,
      gather: backward && spec.kind !== 'max' ? gatherGeometry(g) : undefined,
      codes,
    };
  }

  /** Grows memory for the case, writes its tables and passes the geometry to the kernels (before each call). */
  bind(c: WasmCase): void {
    const k = this.kernels;
    const { g3, plan, spec } = c;
    this.mem.ensure(plan.end);
    this.mem.i32.set(g3.tables, plan.tables >> 2);
    const [d, h, w] = g3.inSize;
    const [oD, oH, oW] = g3.outSize;
    const [dD, dH, dW] = g3.dilation;
    this.geometryArgs = [d, h, w, oD, oH, oW, dD, dH, dW, g3.kernelW, g3.strideW, g3.padW, plan.tables];
    k.setGeometry(d, h, w, oD, oH, oW, dD, dH, dW, g3.kernelW, g3.strideW, g3.padW, plan.tables);
    if (spec.kind === 'avg' && (!c.backward || c.gather)) {
      const override = spec.divisorOverride;
      k.buildDivisors(plan.div, override === undefined ? 0 : 1, override ?? 0);
    }
    if (c.gather) this.mem.i32.set(c.gather.tables, plan.gatherTables >> 2);
  }

  /**
   * dx (at plan.acc, every element written) = Σ over the windows holding each input of the share at `from` (dy, the
   * avg shares, or lp's factor), on n units, on either thread's kernels: the forward sum kernel (channels_last, or
   * rows on contiguous planes) over the share array with the gather's tables (geometry.ts gatherGeometry), the
   * geometry set back after.
   */
  private sumGather(kk: ThreadKernels, c: WasmCase, p: MemoryPlan, n: number, from: number): void {
    const gg = c.gather!;
    const [d, h, w] = gg.inSize;
    const [oD, oH, oW] = gg.outSize;
    const rows = gg.rows;
    if (rows) {
      // Contiguous planes (a unit is a plane): the rows kernel, its width windows sliding over the share rows.
      kk.setGeometry(d, h, w, oD, oH, oW, 1, 1, 1, rows.kernelW, 1, rows.padW, p.gatherTables);
      kk.fwdRows(KIND_SUM, n, from, p.acc, p.acc, p.ring, gg.ringRows, gg.windowRows, rows.vLo, rows.vHi, 0, 0, 0);
    } else {
      kk.setGeometry(d, h, w, oD, oH, oW, 1, 1, 1, 1, 1, 0, p.gatherTables);
      kk.fwdChannelsLast(KIND_SUM, n, c.C, from, p.acc, p.acc, p.ring, gg.ringRows);
    }
    kk.setGeometry(...(this.geometryArgs as Parameters<Kernels['setGeometry']>));
  }

  /** GRAD.SUM and GRAD.AVG by gather on n units, on either thread's kernels: avg's shares dy / D first. */
  private gatherUnits(kk: ThreadKernels, c: WasmCase, p: MemoryPlan, n: number): void {
    if (c.spec.kind === 'avg') {
      // One float32 division each, as bwdSum's.
      kk.avgDivide(c.cl, n, c.C, p.dy, p.shares, p.div);
      this.sumGather(kk, c, p, n, p.shares);
    } else {
      this.sumGather(kk, c, p, n, p.dy);
    }
  }

  /**
   * GRAD.SUM and GRAD.AVG (lp's factored gradient: the sum of its shares, at p.dy) on n units at p, on either
   * thread's kernels, after the host zeroed dx where hostZeroesDx: the stem's windows' kernel (`k3s2`, decided on
   * this thread: a recorded call returns nothing), the gather, or the row-wise scatter (contiguous planes;
   * `p.scratch` its row, one per thread) or channels_last's.
   */
  private sumUnits(kk: ThreadKernels, c: WasmCase, p: MemoryPlan, n: number, k3s2: boolean): void {
    const { spec, cl, C } = c;
    const avg = spec.kind === 'avg' ? 1 : 0;
    const override = spec.divisorOverride;
    const useOverride = override === undefined ? 0 : 1;
    if (k3s2) kk.bwdSumK3S2(n * C, p.dy, p.acc, 0, 0);
    else if (c.gather) this.gatherUnits(kk, c, p, n);
    else if (cl) kk.bwdSum(cl, n, C, p.dy, p.acc, avg, useOverride, override ?? 0);
    else kk.bwdSumRows(n * C, p.dy, p.acc, p.scratch, avg, useOverride, override ?? 0, c.g3.global ? 1 : 0, sumRowsFirstTouch(c.g3) ? 1 : 0);
  }

  /**
   * Where a call is split between the two kernel threads (the lower thread's unit count), 0 when it is not: one
   * thread, fewer than 8 units, or a call touching less than threadMinBytes. Split points are multiples of 4 units,
   * so that kernels working on 4 planes at a time (fwdGlobal's sums) group them as one thread does: the bits of
   * a split call are those of one thread's.
   */
  private split(c: WasmCase, n: number): number {
    return this.thread ? splitPoint(c.chunk, c.threadMinBytes, n) : 0;
  }

  /**
   * Runs `body` on n units: split in two when split() says so, else on this thread alone. Split, the worker takes
   * the upper units [half, n) on its own ring and this thread the lower ones. The kernels may store a few lanes
   * past the end of the units they were given (into the next unit's y and ix, or the buffer's slack: the rows
   * path with fewer than 4 outputs per row or a general stride), which one thread overwrites when it reaches that
   * unit; two threads must not. So the worker's stores past its end land in the buffer's slack, and this thread
   * computes its last units (at least SLACK bytes of output: spareUnits) into the spare y and ix
   * (MemoryPlan.spareY/spareIx) and copies them into place after. A backward body's y and ix are its own scratch
   * (the indices it reads back, or nothing): `outputs` false skips that copy.
   */
  private splitRun(
    c: WasmCase, plan: MemoryPlan, n: number, body: (k: ThreadKernels, plan: MemoryPlan, n: number) => void, outputs = true,
  ): void {
    const k = this.kernels;
    const half = this.split(c, n);
    const thread = this.thread;
    if (!half || !thread) {
      body(k, plan, n);
      return;
    }
    const r = thread.recorder;
    r.setGeometry(...(this.geometryArgs as Parameters<Kernels['setGeometry']>));
    body(r, { ...planAt(c, plan, half), ring: plan.ring2 }, n - half);
    thread.start();
    try {
      const spare = Math.min(half, spareUnits(c.chunk.unitOut));
      if (half > spare) body(k, plan, half - spare);
      const last = planAt(c, plan, half - spare);
      body(k, { ...last, y: plan.spareY, ix: plan.spareIx }, spare);
      if (outputs) {
        const out = spare * c.chunk.unitOut;
        this.mem.f32.copyWithin(last.y >> 2, plan.spareY >> 2, (plan.spareY >> 2) + out);
        if (plan.spareIx) this.mem.i32.copyWithin(last.ix >> 2, plan.spareIx >> 2, (plan.spareIx >> 2) + out);
      }
    } finally {
      thread.join();
    }
  }

  /**
   * The forward kernels on n units at plan.x; y (and the indices for max) at plan.y / plan.ix. Returns true when
   * the indices were left as codes at plan.codes instead (WasmCase.codes: one thread, the rows path, whose pair
   * kernels and kernel-4 stride-4 rows write them; kernels/wasm/assembly/rows.ts KIND_MAX_CODES).
   */
  forward(c: WasmCase, n: number): boolean {
    const k = this.kernels;
    const { spec, g, cl, C, chunk, plan } = c;
    const xCount = n * chunk.unitIn;
    // lp's float32 path sums |x|^p from pw, leaving x as it was (a resident case reruns on it); for p = 2 the range
    // check's pass writes the squares there.
    if (spec.kind === 'lp' && !this.lpFloat32(c, plan.x, xCount, spec.p === 2 ? plan.pw : 0)) {
      // f64 powers and sums, rounded once (scalar).
      k.lpForward64(cl, n, C, plan.x, plan.y, spec.p!, plan.pw, xCount);
      return false;
    }
    // The memory-order choice of the pair kernels depends on the whole call's bytes, not a thread's half (an index
    // is a float's 4 bytes, or one as a code).
    const indexFloats = spec.kind === 'max' && c.indices ? (c.codes ? 0.25 : 1) : 0;
    const seq = sequential(c, n * C * (g.inPlane + g.outPlane * (1 + indexFloats)));
    // (A case keeps codes only where its calls are never split: WasmCase.codes.)
    if (c.codes) return this.forwardUnits(k, c, plan, n, seq);
    this.splitRun(c, plan, n, (kk, p, m) => { this.forwardUnits(kk, c, p, m, seq); });
    return false;
  }

  /**
   * Whether lp's float32 forward applies to the `count` elements at x: every nonzero |x|^p in about [2^-96, 2^96]
   * (no subnormal term, no overflowing sum of at most 2^29 taps). squareTo (p = 2): where to write x·x as well.
   */
  private lpFloat32(c: WasmCase, x: number, count: number, squareTo = 0): boolean {
    const power = c.spec.p!;
    const taps = c.g.axes.reduce((t, a) => t * a.kernel, 1);
    return taps <= 2 ** 29 && this.kernels.lpSafe(x, count, Math.pow(2, -96 / power), Math.pow(2, 96 / power), squareTo) !== 0;
  }

  /**
   * GRAD.LP for p = 1 and 2, factored through the float32 sum backward (kernels/wasm/assembly/lp.ts lpGradScale,
   * with the error argument): dx = w(x)·Σ a over the windows, a = dy (p = 1) or dy / ŷ (p = 2, ŷ by the float32
   * forward from x² in pw). False, with nothing written to dx, where the float32 forward or the factored
   * form's ranges do not hold: the f64 kernels then run.
   */
  private lpFactored(c: WasmCase, plan: MemoryPlan, n: number): boolean {
    const k = this.kernels;
    const { spec, g, chunk, cl, C } = c;
    const xCount = n * chunk.unitIn;
    let a = plan.dy;
    if (spec.p === 2) {
      // ŷ as the forward computes it: x² (into pw, keeping x; written by the range check's pass), the sum forward,
      // the root (in lpGradScale).
      if (!this.lpFloat32(c, plan.x, xCount, plan.pw)) return false;
      const sum: WasmCase = { ...c, spec: { ...spec, kind: 'sum' } };
      this.forwardUnits(k, sum, { ...plan, x: plan.pw }, n, sequential(c, n * C * (g.inPlane + g.outPlane)));
      // (The root, ŷ = the float32 sqrt of each sum, is taken in lpGradScale's pass.)
      if (!k.lpGradScale(plan.dy, plan.y, plan.g, n * chunk.unitOut)) return false;
      a = plan.g;
    }
    // The stem's windows: the sum backward and the factor w(x) in one kernel that writes all of dx.
    if (!cl && k.bwdSumK3S2(n * C, a, plan.acc, plan.x, spec.p!)) return true;
    if (!sumRowsWritesDx(c)) this.mem.f32.fill(0, plan.acc >> 2, (plan.acc >> 2) + xCount);
    // Σ of the shares a over the windows holding each input: sumUnits with a as its dy (not split: lp's factor for
    // p = 2 lies in plan.g, which planAt does not move).
    this.sumUnits(k, c, { ...plan, dy: a }, n, false);
    k.lpGradApply(plan.acc, plan.x, xCount, spec.p!);
    return true;
  }

  /**
   * The forward kernels proper (after forward()'s lp check) on n units, on either thread's kernels. Returns true
   * when the rows kernel left the indices as codes at plan.codes (only where c.codes, on this thread's kernels,
   * whose fwdRows returns its answer; a worker's recorded call returns nothing).
   */
  private forwardUnits(k: ThreadKernels, c: WasmCase, plan: MemoryPlan, n: number, seq: number): boolean {
    const { spec, g3, path, chunk, cl, C } = c;
    const kind = spec.kind === 'max' ? KIND_MAX : KIND_SUM;
    const planes = n * C;
    const ix = plan.ix || plan.y;
    // lp sums its powers at pw (forward() wrote p = 2's).
    if (spec.kind === 'lp' && spec.p !== 2) k.lpMap(plan.x, plan.pw, n * chunk.unitIn, spec.p!);
    const x = spec.kind === 'lp' ? plan.pw : plan.x;
    // The rows and channels_last kernels have a values-only max (no index kept); the others compute the indices anyway.
    const vectorKind = spec.kind !== 'max' ? KIND_SUM : c.codes ? KIND_MAX_CODES : c.indices ? KIND_MAX : KIND_MAX_VALUES;
    let codes = false;
    switch (path) {
      case 'rows':
        codes = k.fwdRows(vectorKind, planes, x, plan.y, ix,
          plan.ring, g3.ringRows, g3.windowRows, g3.vLo, g3.vHi, g3.flatRows ? 1 : 0, seq, plan.codes) === 1;
        break;
      case 'global': k.fwdGlobal(kind, planes, x, plan.y, ix); break;
      case 'channels': k.fwdChannelsLast(vectorKind, n, C, x, plan.y, ix, plan.ring, g3.ringRows); break;
      case 'scalar': k.fwdScalar(kind, cl, n, C, x, plan.y, ix); break;
    }
    if (spec.kind === 'avg') k.avgDivide(cl, n, C, plan.y, plan.y, plan.div);
    if (spec.kind === 'lp') k.lpRoot(plan.y, n * chunk.unitOut, spec.p!);
    return codes;
  }

  /**
   * The backward kernels on n units (x at plan.x, dy at plan.dy); dx, as float32, at plan.acc (max, sum and avg
   * accumulate there in float32; lp in f64, narrowed in place). A sum or avg case holding more than a chunk's worth
   * of units (a resident one holds the whole tensor) runs in blocks of a chunk's units (WasmCase.blockUnits), as a
   * streamed call does, so that a block's shares and dx are still in cache when its next kernel reads them; a large
   * one on contiguous planes or by gather is split between two kernel threads, each walking its half in blocks.
   */
  backward(c: WasmCase, n: number): void {
    // (Not lp: its f64 accumulator is narrowed in place to float32 slots at the front of the whole buffer.)
    // (Nor max: measured on the stem's overlapping 3×3 stride-2 windows, 8×64×112×112, running the indices forward,
    // the zeroing and the scatter once per block was 1.1–1.2× slower than once over the whole tensor.)
    if (c.spec.kind === 'lp' || c.spec.kind === 'max') {
      this.backwardUnits(c, n);
      return;
    }
    const k = this.kernels;
    const { plan } = c;
    // Called on no planes, it only says whether the stem's windows apply; their kernel writes all of dx.
    const k3s2 = c.spec.kind === 'sum' && !c.cl && k.bwdSumK3S2(0, 0, 0, 0, 0) === 1;
    if (!k3s2 && hostZeroesDx(c)) this.mem.f32.fill(0, plan.acc >> 2, (plan.acc >> 2) + n * c.chunk.unitIn);
    const blocks = (kk: ThreadKernels, from: number, to: number, size: number, own: Partial<MemoryPlan>): void => {
      for (let u = from; u < to; u += size) this.sumUnits(kk, c, { ...planAt(c, plan, u), ...own }, Math.min(size, to - u), k3s2);
    };
    const half = backwardSplits(c.spec.kind, !c.cl, c.gather !== undefined) ? this.split(c, n) : 0;
    const thread = this.thread;
    if (!half || !thread) {
      blocks(k, 0, n, c.blockUnits, {});
      return;
    }
    const r = thread.recorder;
    r.setGeometry(...(this.geometryArgs as Parameters<Kernels['setGeometry']>));
    // A task's calls fit its argument slots (threads.ts ARG_SLOTS) in at most SUM_TASK_BLOCKS blocks.
    const size = Math.max(c.blockUnits, Math.ceil((n - half) / SUM_TASK_BLOCKS));
    blocks(r, half, n, size, { ring: plan.ring2, scratch: plan.scratch2 });
    thread.start();
    try {
      blocks(k, 0, half, c.blockUnits, {});
    } finally {
      thread.join();
    }
  }

  private backwardUnits(c: WasmCase, n: number): void {
    const k = this.kernels;
    const { spec, plan, chunk, cl, C } = c;
    const xCount = n * chunk.unitIn;
    // GRAD.MAX on contiguous planes whose forward is the rows kernel (a forced other path takes the general one):
    // 2×2 (or 2×2×2) stride-2 windows tiling the planes, kernel 4 stride 4 rows, the ResNet stem's 3×3 stride-2
    // windows or the dense 3×3 stride-1 ones, by a fused kernel that writes the whole of dx, no indices, no zeroing
    // pass.
    if (rowsMax(c)) {
      const seq = sequential(c, n * C * (2 * c.g.inPlane + c.g.outPlane));
      const fused: ((kk: ThreadKernels, p: MemoryPlan, m: number) => number)[] = [
        (kk, p, m) => kk.bwdMaxPairs(m * C, p.x, p.dy, p.acc, p.ring, seq),
        (kk, p, m) => kk.bwdMaxK4S4(m * C, p.x, p.dy, p.acc),
        (kk, p, m) => kk.bwdMaxK3S2(m * C, p.x, p.dy, p.acc, p.ring),
        (kk, p, m) => kk.bwdMaxK3S1(m * C, p.x, p.dy, p.acc, p.ring),
      ];
      // Called on no units, a fused kernel only says whether it applies (1) or not (0): the split is decided before
      // either thread runs it.
      const run = fused.find((f) => f(k, plan, 0));
      if (run) {
        this.splitRun(c, plan, n, run, false);
        return;
      }
    }
    if (spec.kind === 'lp' && (spec.p === 1 || spec.p === 2) && this.lpFactored(c, plan, n)) return;
    if (spec.kind === 'lp') this.mem.f64.fill(0, plan.acc >> 3, (plan.acc >> 3) + xCount);
    else if (hostZeroesDx(c)) this.mem.f32.fill(0, plan.acc >> 2, (plan.acc >> 2) + xCount);
    switch (spec.kind) {
      case 'max': {
        // GRAD.MAX: the forward's MAX.SELECT indices, then dx[index] += dy; a unit's windows stay in its own dx.
        // No two windows share an input when every axis's stride is at least its window span.
        // Both halves are bound by instructions, not memory: on the dense 16×64×128² 3×3 stride-1 backward, before
        // its fused kernel (bwdMaxK3S1), the indices forward took about 17 ms (as the forward alone), the scatter
        // about 13.5 (some 8 instructions an output) and the zeroing 2. Measured no faster on that backward
        // (interleaved op-alone runs, new ÷ old, min / median): the forward and scatter per 256 KiB of planes,
        // indices and dx in cache, 1.01 / 0.97; zeroing each plane in the scatter 1.07 / 1.08; the scatter in
        // column phases (no two consecutive outputs of a row share a winner) 1.00 / 0.99; the forward's values
        // written over one plane (no y streamed) 0.99 / 0.99. What won was not computing the indices at all.
        const disjoint = c.g.axes.every((a) => a.stride >= (a.kernel - 1) * a.dilation + 1) ? 1 : 0;
        const seq = sequential(c, n * C * (c.g.inPlane + 2 * c.g.outPlane));
        this.splitRun(c, plan, n, (kk, p, m) => {
          this.forwardUnits(kk, c, p, m, seq);
          if (cl) kk.bwdMaxChannels(m, C, p.ix, p.dy, p.acc);
          else kk.bwdMaxPlanes(m * C, p.ix, p.dy, p.acc, disjoint);
        }, false);
        break;
      }
      case 'lp':
        k.bwdLpPrep(plan.x, xCount, spec.p!, plan.pw, plan.g);
        k.bwdLp(cl, n, C, plan.x, plan.dy, plan.pw, plan.g, plan.acc, spec.p!);
        k.narrow(plan.acc, xCount);
        break;
    }
  }
}
