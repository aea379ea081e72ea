/**
 * The host interface to the compiled kernels: the module's exports as TypeScript sees them, the compiled module
 * (once per realm), and the one WebAssembly.Memory a backend owns, with typed views that are re-created after
 * growth. No Node-only API: the module runs in Node and in browsers.
 */
import { BackendError } from '../../spec/errors.js';
import { WASM_BASE64, WASM_SHARED_BASE64 } from './module.generated.js';

export const WASM_PAGE_BYTES = 65536;
/** The most memory one backend may hold: 2 GiB (32768 pages). Every byte offset then fits a positive i32. */
export const WASM_MAX_MEMORY_BYTES = 2 ** 31;

/** The backend's name, in its errors. */
export const NAME = 'wasm';

/** The kernels' exports (kernels/wasm/assembly/index.ts). Pointers are byte offsets into the memory. */
export interface Kernels {
  heapBase(): number;
  setGeometry(d: number, h: number, w: number, oD: number, oH: number, oW: number,
    dD: number, dH: number, dW: number, kW: number, sW: number, pW: number, tables: number): void;
  fwdScalar(kind: number, cl: number, N: number, C: number, x: number, y: number, ix: number): void;
  /**
   * Returns 1 when kind KIND_MAX_CODES wrote window-relative index codes, a byte each, at `codes`
   * (kernels/wasm/assembly/rows.ts putCodes), 0 when it wrote int32 indices at ix instead (and for every other kind).
   */
  fwdRows(kind: number, planes: number, x: number, y: number, ix: number, ring: number, R: number, rows: number, lo: number, hi: number, flat: number, sequential: number, codes: number): number;
  fwdChannelsLast(kind: number, N: number, C: number, x: number, y: number, ix: number, ring: number, R: number): void;
  fwdGlobal(kind: number, planes: number, x: number, y: number, ix: number): void;
  buildDivisors(div: number, useOverride: number, override: number): void;
  avgDivide(cl: number, N: number, C: number, src: number, dst: number, div: number): void;
  lpSafe(x: number, count: number, lo: number, hi: number, squareTo: number): number;
  lpMap(src: number, dst: number, count: number, p: number): void;
  lpRoot(y: number, count: number, p: number): void;
  lpForward64(cl: number, N: number, C: number, x: number, y: number, p: number, pw: number, count: number): void;
  bwdMaxChannels(N: number, C: number, ix: number, dy: number, dx: number): void;
  /** GRAD.MAX's scatter on contiguous planes; zeroes their dx itself first. */
  bwdMaxPlanes(planes: number, ix: number, dy: number, dx: number, disjoint: number): void;
  /**
   * 1 when it wrote the whole of dx (2×2 stride-2 windows tiling the planes), else 0 and nothing written. `ring`:
   * the forward's ring (kernels/wasm/memory-plan.ts), scratch for two rows of outW.
   */
  bwdMaxPairs(planes: number, x: number, dy: number, dx: number, ring: number, sequential: number): number;
  /** 1 when it wrote the whole of dx (kernel 4 stride 4 windows of one row, the audio pool's), else 0 and nothing written. */
  bwdMaxK4S4(planes: number, x: number, dy: number, dx: number): number;
  /**
   * 1 when it wrote the whole of dx (the ResNet stem's 3×3 stride-2 windows with one padding row and column before,
   * a multiple of 4 outputs per row), else 0 and nothing written. `ring`: the forward's ring, scratch for 5 rows of
   * outW and 8 floats.
   */
  bwdMaxK3S2(planes: number, x: number, dy: number, dx: number, ring: number): number;
  /**
   * 1 when it wrote the whole of dx (dense 3×3 stride-1 windows with one padding row and column on each side, a
   * multiple of 4 columns, at least 2 rows), else 0 and nothing written. `ring`: 48 bytes per column and 16
   * (kernels/wasm/memory-plan.ts).
   */
  bwdMaxK3S1(planes: number, x: number, dy: number, dx: number, ring: number): number;
  bwdSum(cl: number, N: number, C: number, dy: number, dx: number, avg: number, useOverride: number, override: number): void;
  bwdSumRows(planes: number, dy: number, dx: number, t: number, avg: number, useOverride: number, override: number, global: number, firstTouch: number): void;
  bwdSumK3S2(planes: number, a: number, dx: number, scaleX: number, p: number): number;
  bwdLpPrep(x: number, count: number, p: number, pw: number, g: number): void;
  bwdLp(cl: number, N: number, C: number, x: number, dy: number, pw: number, g: number, acc: number, p: number): void;
  narrow(acc: number, count: number): void;
  /** 1 when it wrote a = dy / ŷ, ŷ = sqrt(s), for the factored Lp gradient (p = 2) and its ranges hold, else 0 (kernels/wasm/assembly/lp.ts). */
  lpGradScale(dy: number, s: number, a: number, count: number): number;
  lpGradApply(dx: number, x: number, count: number, p: number): void;
}

/** The kernels' reducer codes (kernels/wasm/assembly/scalar.ts, rows.ts). */
export const KIND_MAX = 0;
export const KIND_SUM = 1;
/** Max without indices (fwdRows only; the other paths always compute them). */
export const KIND_MAX_VALUES = 2;
/** Max with its indices as window-relative codes where fwdRows' kernel writes them (fwdRows only). */
export const KIND_MAX_CODES = 3;

let compiled: Promise<WebAssembly.Module> | undefined;
let compiledShared: Promise<WebAssembly.Module> | undefined;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The compiled module for a plain or a shared memory, each once per realm. */
export function wasmModule(shared: boolean): Promise<WebAssembly.Module> {
  if (shared) return (compiledShared ??= WebAssembly.compile(decodeBase64(WASM_SHARED_BASE64)));
  return (compiled ??= WebAssembly.compile(decodeBase64(WASM_BASE64)));
}

/**
 * The wasm backend's memory: one Memory, grown on demand up to `limit` bytes, with views over its buffer. A shared
 * one (a SharedArrayBuffer underneath) is what kernel threads (threads.ts) run on together.
 */
export class WasmMemory {
  readonly memory: WebAssembly.Memory;
  readonly limit: number;
  readonly shared: boolean;
  f32!: Float32Array;
  i32!: Int32Array;
  f64!: Float64Array;

  constructor(limit: number, shared = false) {
    this.limit = limit;
    this.shared = shared;
    this.memory = new WebAssembly.Memory({ initial: 1, maximum: limit / WASM_PAGE_BYTES, shared });
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

/** Instantiates the kernels (compiling the module on first use) over `mem`. */
export async function instantiateKernels(mem: WasmMemory): Promise<Kernels> {
  const instance = await WebAssembly.instantiate(await wasmModule(mem.shared), { env: { memory: mem.memory } });
  return instance.exports as unknown as Kernels;
}
