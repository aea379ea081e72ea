/**
 * One instance of the kernels over one memory, and what runs on it: a case (spec, geometry, path, chunking and
 * memory plan fixed once), bound to the kernels before it runs, and the per-chunk forward and backward kernel
 * sequences. The backend (index.ts) owns one engine for its calls and plans; a resident case owns one of its own,
 * so that its data stays in place while other calls run.
 */
import type { PoolSpec } from '../../spec/contract.js';
import type { PoolGeometry } from '../../spec/geometry.js';
import { BackendError } from '../../spec/errors.js';
import { chunking, WASM_CHUNK_BYTES, type Chunking } from './chunking.js';
import { geometry3, planesContiguous, type Geometry3 } from './geometry.js';
import { planMemory, type MemoryPlan } from './memory-plan.js';
import {
  KIND_MAX, KIND_MAX_VALUES, KIND_SUM, NAME, WASM_MAX_MEMORY_BYTES, WasmMemory, instantiateKernels, type Kernels,
} from './module.js';
import { forwardPath, type WasmPath } from './path.js';

/** A case laid out for the kernels: everything a call needs that depends only on (spec, shape, layout). */
export interface WasmCase {
  readonly spec: PoolSpec;
  readonly g: PoolGeometry;
  readonly g3: Geometry3;
  readonly path: WasmPath;
  readonly plan: MemoryPlan;
  readonly chunk: Chunking;
  readonly backward: boolean;
  /** max: whether the indices are wanted (a backward always wants them). */
  readonly indices: boolean;
  /** 1 when the kernels address channels_last data (batch items of C channels), 0 for contiguous planes. */
  readonly cl: number;
  /** Channels per kernel "batch item": the layout's C for channels_last, 1 for contiguous planes. */
  readonly C: number;
  readonly pairSequentialBytes: number;
}

export interface CaseOptions {
  readonly path: WasmPath | 'auto';
  readonly chunkBytes: number;
  /** Every unit in one chunk (a resident case keeps the whole tensor in memory). */
  readonly whole?: boolean;
  /** max forward: false when the caller does not want indices (default true). */
  readonly indices?: boolean;
  /** Bytes a 2×2 pair kernel call touches from which on it reads wide rows in memory order (default PAIR_SEQUENTIAL_BYTES). */
  readonly pairSequentialBytes?: number;
}

/**
 * The pair kernels (kernels/wasm/assembly/rows.ts: 2×2 stride-2 tilings) read rows of 192 columns and more in memory
 * order, one input row after the other, once a call touches at least this many bytes (input, outputs, and for the
 * backward dy and dx): the data then streams from memory, where two interleaved row streams cost more than the
 * extra pass over a ring row, while data a cache still holds from the previous call is read faster side by side.
 * Measured on VGG-16 pool1 shapes (N×64×224×224, op alone, back to back, new ÷ old median): N = 1 (18 MiB touched
 * with indices) 1.19× with indices, 1.01× values only; N = 2 (37 MiB) 0.64× and 0.50×; N = 8 0.73× and 0.49×;
 * the backward at N = 1 (28 MiB) 0.82×.
 */
export const PAIR_SEQUENTIAL_BYTES = 24 * 2 ** 20;

/** 1 when a pair kernel call touching `floats` float32 elements reads wide rows in memory order (PAIR_SEQUENTIAL_BYTES). */
function sequential(c: WasmCase, floats: number): number {
  return 4 * floats >= c.pairSequentialBytes ? 1 : 0;
}

/** Whether a max backward case may take a fused kernel: contiguous planes whose forward is the rows kernel. */
function rowsMax(c: WasmCase): boolean {
  return c.spec.kind === 'max' && !c.cl && c.path === 'rows';
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

  private constructor(mem: WasmMemory, k: Kernels) {
    this.mem = mem;
    this.k = k;
    this.base = k.heapBase();
  }

  static async create(limit: number): Promise<Engine> {
    const mem = new WasmMemory(limit);
    return new Engine(mem, await instantiateKernels(mem));
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
  }

  /** Lays a case out (without touching memory); throws a BackendError when it exceeds the bound. */
  layout(spec: PoolSpec, g: PoolGeometry, backward: boolean, options: CaseOptions): WasmCase {
    const g3 = geometry3(spec, g);
    const path = forwardPath(g, g3, options.path);
    const chunked = chunking(g, options.chunkBytes);
    const chunk = options.whole ? { ...chunked, size: chunked.units } : chunked;
    const plan = planMemory(this.base, spec, g, path, chunk, backward);
    const problem = boundProblem(plan, this.mem.limit, backward ? 'backward' : 'forward');
    if (problem) throw new BackendError(NAME, problem);
    const cl = planesContiguous(g) ? 0 : 1;
    return {
      spec, g, g3, path, plan, chunk, backward, indices: backward || options.indices !== false, cl, C: cl ? g.channels : 1,
      pairSequentialBytes: options.pairSequentialBytes ?? PAIR_SEQUENTIAL_BYTES,
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
    k.setGeometry(d, h, w, oD, oH, oW, dD, dH, dW, g3.kernelW, g3.strideW, g3.padW, plan.tables);
    if (spec.kind === 'avg' && !c.backward) {
      const override = spec.divisorOverride;
      k.buildDivisors(plan.div, override === undefined ? 0 : 1, override ?? 0);
    }
  }

  /** The forward kernels on n units at plan.x; y (and the indices for max) at plan.y / plan.ix. */
  forward(c: WasmCase, n: number): void {
    const k = this.kernels;
    const { spec, g, g3, path, plan, chunk, cl, C } = c;
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
    // The rows and channels_last kernels have a values-only max (no index kept); the others compute the indices anyway.
    const vectorKind = spec.kind !== 'max' ? KIND_SUM : c.indices ? KIND_MAX : KIND_MAX_VALUES;
    switch (path) {
      case 'rows':
        k.fwdRows(vectorKind, planes, plan.x, plan.y, ix,
          plan.ring, g3.ringRows, g3.windowRows, g3.vLo, g3.vHi, g3.flatRows ? 1 : 0,
          sequential(c, planes * (g.inPlane + g.outPlane * (vectorKind === KIND_MAX ? 2 : 1))));
        break;
      case 'global': k.fwdGlobal(kind, planes, plan.x, plan.y, ix); break;
      case 'channels': k.fwdChannelsLast(vectorKind, n, C, plan.x, plan.y, ix); break;
      case 'scalar': k.fwdScalar(kind, cl, n, C, plan.x, plan.y, ix); break;
    }
    if (spec.kind === 'avg') k.avgDivide(cl, n, C, plan.y, plan.div);
    if (spec.kind === 'lp') k.lpRoot(plan.y, n * chunk.unitOut, spec.p!);
  }

  /**
   * The backward kernels on n units (x at plan.x, dy at plan.dy); dx, as float32, at plan.acc (max, sum and avg
   * accumulate there in float32; lp in f64, narrowed in place). A case holding more than a chunk's worth of units
   * (a resident one holds the whole tensor) runs in blocks of about WASM_CHUNK_BYTES of input, as a streamed call
   * does, so that a block's forward outputs and dx are still in cache when its next kernel reads them.
   */
  backward(c: WasmCase, n: number): void {
    const { plan, chunk } = c;
    const block = Math.max(1, Math.floor(WASM_CHUNK_BYTES / (4 * chunk.unitIn)));
    // (Not lp: its f64 accumulator is narrowed in place to float32 slots at the front of the whole buffer.)
    // (Nor max: measured on the stem's overlapping 3×3 stride-2 windows, 8×64×112×112, running the indices forward,
    // the zeroing and the scatter once per block was 1.1–1.2× slower than once over the whole tensor.)
    if (n <= block || c.spec.kind === 'lp' || c.spec.kind === 'max') {
      this.backwardUnits(c, n);
      return;
    }
    // Byte offset of unit u in a buffer of `per` elements of `bytes` bytes per unit (0: a buffer the case lacks).
    const at = (ptr: number, bytes: number, per: number, u: number): number => (ptr ? ptr + bytes * per * u : 0);
    for (let u = 0; u < n; u += block) {
      const blockPlan: MemoryPlan = {
        ...plan,
        x: at(plan.x, 4, chunk.unitIn, u),
        y: at(plan.y, 4, chunk.unitOut, u),
        ix: at(plan.ix, 4, chunk.unitOut, u),
        dy: at(plan.dy, 4, chunk.unitOut, u),
        acc: at(plan.acc, 4, chunk.unitIn, u),
      };
      this.backwardUnits({ ...c, plan: blockPlan }, Math.min(block, n - u));
    }
  }

  private backwardUnits(c: WasmCase, n: number): void {
    const k = this.kernels;
    const { spec, plan, chunk, cl, C } = c;
    const xCount = n * chunk.unitIn;
    // GRAD.MAX on contiguous planes whose forward is the rows kernel (a forced other path takes the general one):
    // 2×2 stride-2 windows tiling the planes, or kernel 4 stride 4 rows, by a fused kernel that writes the whole of
    // dx, no indices, no zeroing pass.
    if (rowsMax(c) && (k.bwdMaxPairs(n * C, plan.x, plan.dy, plan.acc, plan.ring, sequential(c, n * C * (2 * c.g.inPlane + c.g.outPlane))) || k.bwdMaxK4S4(n * C, plan.x, plan.dy, plan.acc))) return;
    if (spec.kind === 'lp') this.mem.f64.fill(0, plan.acc >> 3, (plan.acc >> 3) + xCount);
    // (A global sum or avg writes every element of dx: no zeroing.)
    else if (!((spec.kind === 'sum' || spec.kind === 'avg') && !cl && c.g3.global)) this.mem.f32.fill(0, plan.acc >> 2, (plan.acc >> 2) + xCount);
    switch (spec.kind) {
      case 'max':
        // GRAD.MAX: the forward's MAX.SELECT indices, then dx[index] += dy.
        this.forward(c, n);
        if (cl) {
          k.bwdMax(cl, n, C, plan.ix, plan.dy, plan.acc);
        } else {
          // No two windows share an input when every axis's stride is at least its window span.
          const disjoint = c.g.axes.every((a) => a.stride >= (a.kernel - 1) * a.dilation + 1);
          k.bwdMaxPlanes(n * C, plan.ix, plan.dy, plan.acc, disjoint ? 1 : 0);
        }
        break;
      case 'sum':
      case 'avg': {
        const override = spec.divisorOverride;
        const avg = spec.kind === 'avg' ? 1 : 0;
        const useOverride = override === undefined ? 0 : 1;
        if (cl) k.bwdSum(cl, n, C, plan.dy, plan.acc, avg, useOverride, override ?? 0);
        else k.bwdSumRows(n * C, plan.dy, plan.acc, plan.scratch, avg, useOverride, override ?? 0, c.g3.global ? 1 : 0);
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
