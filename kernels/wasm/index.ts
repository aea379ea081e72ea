/**
 * The wasm backend: AssemblyScript kernels with 128-bit SIMD (kernels/wasm/assembly/*.ts), compiled by
 * kernels/wasm/build.mjs into module.generated.ts (base64). Validation and geometry stay here in TypeScript
 * (spec/validate.ts, spec/geometry.ts): the kernels receive flat parameters and per-axis window tables.
 *
 * Memory: one imported WebAssembly.Memory per backend, reused across calls and grown on demand up to a bound
 * (WASM_MAX_MEMORY_BYTES, or a smaller `maxMemoryBytes`). Calls stream their planes (channels_first) or batch items
 * (channels_last) through it in chunks of about WASM_CHUNK_BYTES of input, so a call needs one chunk's buffers;
 * a case whose chunk (at least one plane or item) needs more than the bound is refused by supports() and by
 * forward/backward with a BackendError. Typed-array views are re-created after growth. No Node-only API is used:
 * the module runs in Node and in browsers.
 */
import type { ForwardResult, Layout, PoolSpec, PoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { avgDivisor, axisWindow, poolGeometry, type AxisGeometry, type PoolGeometry } from '../../spec/geometry.js';
import { BackendError } from '../../spec/errors.js';
import { declineStructured } from '../structured/decline.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';
import { WASM_BASE64 } from './module.generated.js';

export const WASM_PAGE_BYTES = 65536;
/** The most memory one backend may hold: 2 GiB (32768 pages). Every byte offset then fits a positive i32. */
export const WASM_MAX_MEMORY_BYTES = 2 ** 31;

/**
 * Forward algorithms (kernels/wasm/assembly/forward.ts):
 * - 'width': channels_first, width stride 1 or 2, vectorised along the output row (border steps masked);
 * - 'channels': vectorised along channels (channels_last directly; channels_first by packing 8 planes);
 * - 'global': channels_first, one window covering each whole plane;
 * - 'scalar': one output at a time (any case).
 */
export type WasmPath = 'scalar' | 'width' | 'channels' | 'global';

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

/**
 * Input bytes staged in wasm memory per chunk: planes (or channels_last batch items) are copied in, pooled and
 * copied out a chunk at a time, so the data stays in cache between the three steps and the memory a call needs is
 * one chunk's buffers, not the whole tensor's.
 */
export const WASM_CHUNK_BYTES = 512 * 1024;

/** The kernels' exports (kernels/wasm/assembly/index.ts). Pointers are byte offsets into the memory. */
interface Kernels {
  heapBase(): number;
  setGeometry(d: number, h: number, w: number, oD: number, oH: number, oW: number,
    dD: number, dH: number, dW: number, kW: number, sW: number, pW: number, tables: number): void;
  fwdScalar(kind: number, cl: number, N: number, C: number, x: number, y: number, ix: number): void;
  fwdWidth(kind: number, planes: number, x: number, y: number, ix: number, owLo: number, owHi: number): void;
  fwdChannelsLast(kind: number, N: number, C: number, x: number, y: number, ix: number): void;
  fwdPacked(kind: number, planes: number, x: number, y: number, ix: number, scratch: number): void;
  fwdGlobal(kind: number, planes: number, x: number, y: number, ix: number): void;
  buildDivisors(div: number, useOverride: number, override: number): void;
  avgDivide(cl: number, N: number, C: number, y: number, div: number): void;
  lpSafe(x: number, count: number, lo: number, hi: number): number;
  lpMap(x: number, count: number, p: number): void;
  lpRoot(y: number, count: number, p: number): void;
  lpForward64(cl: number, N: number, C: number, x: number, y: number, p: number, pw: number, count: number): void;
  bwdMax(cl: number, N: number, C: number, ix: number, dy: number, acc: number): void;
  bwdSum(cl: number, N: number, C: number, dy: number, acc: number, avg: number, useOverride: number, override: number): void;
  bwdLpPrep(x: number, count: number, p: number, pw: number, g: number): void;
  bwdLp(cl: number, N: number, C: number, x: number, dy: number, pw: number, g: number, acc: number, p: number): void;
  narrow(acc: number, count: number): void;
}

const KIND_MAX = 0;
const KIND_SUM = 1;

/** The geometry as the kernels see it: rank padded to 3 (depth, height, width), window tables per axis. */
export interface Geometry3 {
  readonly inSize: readonly [number, number, number];
  readonly outSize: readonly [number, number, number];
  readonly dilation: readonly [number, number, number];
  readonly kernelW: number;
  readonly strideW: number;
  readonly padW: number;
  /** Per axis: first in-bounds coordinate, in-bounds tap count, avg divisor factor; each `out` long. */
  readonly tables: Int32Array;
  /** Outputs [owLo, owHi) along the width whose taps all lie inside the row. */
  readonly owLo: number;
  readonly owHi: number;
  /** Width path: floats the border loads may read before a plane's first and after its last element. */
  readonly readBefore: number;
  readonly readAfter: number;
  /** Every axis has one output whose in-bounds taps are the whole extent: the window is the whole plane. */
  readonly global: boolean;
  readonly inPlane: number;
  readonly outPlane: number;
}

const UNIT_AXIS: AxisGeometry = { size: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, out: 1 };

/**
 * The kernels' view of the geometry. `withTables = false` skips the per-output tables (supports() only needs the
 * path choice and the memory plan).
 */
export function geometry3(spec: PoolSpec, g: PoolGeometry, withTables = true): Geometry3 {
  const axes = [...new Array<AxisGeometry>(3 - g.rank).fill(UNIT_AXIS), ...g.axes];
  const [d, h, w] = axes as [AxisGeometry, AxisGeometry, AxisGeometry];
  // Width outputs whose taps all lie in the row: start = j·s − padBegin ≥ 0 and start + (k−1)·d ≤ size − 1.
  const lo = Math.ceil(w.padBegin / w.stride);
  const hi = Math.min(w.out, Math.floor((w.size - 1 - (w.kernel - 1) * w.dilation + w.padBegin) / w.stride) + 1);
  // The width kernels step 8 outputs at a time and load 8 columns per stride-2 tap vector.
  const readBefore = w.padBegin + 8;
  const readAfter = Math.ceil(w.out / 8) * 8 * w.stride + (w.kernel - 1) * w.dilation + 16;
  const global = axes.every((a) => {
    if (a.out !== 1) return false;
    const win = axisWindow(a, 0);
    return win.tEnd - win.tFirst === a.size;
  });
  const tables = new Int32Array(withTables ? 3 * axes.reduce((s, a) => s + a.out, 0) : 0);
  if (withTables) {
    const factorSpec: PoolSpec = { ...spec, divisorOverride: undefined };
    let at = 0;
    for (const a of axes) {
      for (let j = 0; j < a.out; j++) {
        const win = axisWindow(a, j);
        tables[at + j] = win.start + win.tFirst * a.dilation;
        tables[at + a.out + j] = win.tEnd - win.tFirst;
        // AVG.DIVISOR is the product over axes of these per-axis counts (or the override, applied in the kernel).
        tables[at + 2 * a.out + j] = avgDivisor(factorSpec, [win]);
      }
      at += 3 * a.out;
    }
  }
  return {
    inSize: [d.size, h.size, w.size], outSize: [d.out, h.out, w.out],
    dilation: [d.dilation, h.dilation, w.dilation], kernelW: w.kernel, strideW: w.stride, padW: w.padBegin,
    tables, owLo: hi > lo ? lo : 0, owHi: hi > lo ? hi : 0, readBefore, readAfter, global,
    inPlane: g.inPlane, outPlane: g.outPlane,
  };
}

/** Whether the tensor's planes are contiguous (channels_first, or channels_last with one channel). */
function planesContiguous(g: PoolGeometry): boolean {
  return g.layout === 'channels_first' || g.channels === 1;
}

/**
 * The forward algorithm for a case: `requested` where it applies, else the automatic choice. channels_last with
 * C ≥ 4 vectorises along channels. channels_first: a whole-plane window takes the global reduction; the width
 * kernel (no transposition) when the width stride is 1 or 2, rows give at least 16 outputs and at most a quarter of
 * its 8-output steps touch the row border (masked, slower); otherwise 4-plane packing (borders cost nothing there)
 * when there are 4 planes; else width, else scalar. (Measured on the bench shapes; both paths give the same results.)
 */
export function forwardPath(g: PoolGeometry, g3: Geometry3, requested: WasmPath | 'auto' = 'auto'): WasmPath {
  const cf = planesContiguous(g);
  const applies: Record<WasmPath, boolean> = {
    scalar: true,
    global: cf && g3.global,
    width: cf && g3.strideW <= 2,
    channels: cf ? g.batch * g.channels >= 4 : g.channels >= 4,
  };
  if (requested !== 'auto' && applies[requested]) return requested;
  if (applies.global) return 'global';
  const outW = g3.outSize[2];
  const steps = Math.ceil(outW / 8);
  let borderSteps = 0;
  for (let ow = 0; ow < outW; ow += 8) if (!(ow >= g3.owLo && ow + 8 <= g3.owHi)) borderSteps++;
  const preferWidth = outW >= 16 && borderSteps <= steps / 4;
  if (applies.width && (preferWidth || !applies.channels)) return 'width';
  if (applies.channels) return 'channels';
  return 'scalar';
}

/**
 * How a call is streamed: `units` independent units (channels_first planes, or channels_last batch items), `size`
 * of them per chunk; a unit holds `unitIn` input and `unitOut` output elements.
 */
export interface Chunking {
  readonly units: number;
  readonly size: number;
  readonly unitIn: number;
  readonly unitOut: number;
}

export function chunking(g: PoolGeometry, path: WasmPath, chunkBytes: number): Chunking {
  const cf = planesContiguous(g);
  const units = cf ? g.batch * g.channels : g.batch;
  const unitIn = cf ? g.inPlane : g.inPlane * g.channels;
  const unitOut = cf ? g.outPlane : g.outPlane * g.channels;
  let size = Math.max(1, Math.floor(chunkBytes / (4 * unitIn)));
  // Packing works on blocks of 8 (then 4) planes: keep chunks whole blocks; 4 planes for planes over 2 MiB.
  if (path === 'channels' && cf) size = size >= 8 ? Math.floor(size / 8) * 8 : 32 * unitIn <= 64 * 2 ** 20 ? 8 : 4;
  return { units, size: Math.min(size, units), unitIn, unitOut };
}

/** Byte offsets of one chunk's buffers; 0 for a buffer the call does not use. */
interface MemoryPlan {
  tables: number; x: number; y: number; ix: number; div: number; scratch: number;
  dy: number; acc: number; pw: number; g: number;
  /** One past the last byte used. */
  end: number;
}

const SLACK = 64; // bytes after every buffer: whole-vector stores past a row's end land here.

function planMemory(base: number, spec: PoolSpec, g: PoolGeometry, path: WasmPath, chunk: Chunking, backward: boolean): MemoryPlan {
  let top = base;
  const take = (bytes: number): number => {
    const at = Math.ceil(top / 16) * 16;
    top = at + bytes + SLACK;
    return at;
  };
  const xCount = chunk.size * chunk.unitIn;
  const yCount = chunk.size * chunk.unitOut;
  const plan: MemoryPlan = { tables: 0, x: 0, y: 0, ix: 0, div: 0, scratch: 0, dy: 0, acc: 0, pw: 0, g: 0, end: 0 };
  plan.tables = take(12 * g.outSpatial.reduce((s, v) => s + v, 3 - g.rank));
  if (path === 'width') {
    // The width kernels' border loads read (and ignore) a little memory around x.
    const g3 = geometry3(spec, g, false);
    take(4 * g3.readBefore);
    plan.x = take(4 * (xCount + g3.readAfter));
  } else {
    plan.x = take(4 * xCount);
  }
  const forwardBuffers = !backward || spec.kind === 'max';
  if (forwardBuffers) {
    plan.y = take(4 * yCount);
    if (spec.kind === 'max') plan.ix = take(4 * yCount);
    if (spec.kind === 'avg') plan.div = take(4 * g.outPlane);
    if (spec.kind === 'lp' && !backward) plan.pw = take(8 * xCount);
    if (path === 'channels' && planesContiguous(g)) plan.scratch = take(32 * g.inPlane);
  }
  if (backward) {
    plan.dy = take(4 * yCount);
    plan.acc = take(8 * xCount);
    if (spec.kind === 'lp') {
      plan.pw = take(8 * xCount);
      plan.g = take(8 * xCount);
    }
  }
  plan.end = top;
  return plan;
}

let compiled: Promise<WebAssembly.Module> | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The compiled module, once per realm. */
function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(decodeBase64(WASM_BASE64));
  return compiled;
}

const NAME = 'wasm';

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

/** The wasm backend's memory: one Memory, grown on demand up to `limit` bytes, with views over its buffer. */
class WasmMemory {
  readonly memory: WebAssembly.Memory;
  readonly limit: number;
  f32!: Float32Array;
  i32!: Int32Array;
  f64!: Float64Array;

  constructor(limit: number) {
    this.limit = limit;
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: limit / WASM_PAGE_BYTES });
    this.refresh();
  }

  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Grows to hold `end` bytes (never beyond the limit: callers check first) and re-creates stale views. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / WASM_PAGE_BYTES));
      } catch (e) {
        throw new BackendError(NAME, `could not grow wasm memory to ${end} bytes: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.f32.buffer !== this.memory.buffer) this.refresh();
  }

  private refresh(): void {
    const buffer = this.memory.buffer;
    this.f32 = new Float32Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
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
  const requestedPath = options.path ?? 'auto';
  const chunkBytes = options.chunkBytes ?? WASM_CHUNK_BYTES;
  if (!(chunkBytes >= 1)) throw new BackendError(NAME, `chunkBytes must be at least 1, got ${chunkBytes}`);
  const mem = new WasmMemory(limit);
  const instance = await WebAssembly.instantiate(await wasmModule(), { env: { memory: mem.memory } });
  let kernels: Kernels | undefined = instance.exports as unknown as Kernels;
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
