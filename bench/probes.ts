/**
 * The machine's own memory bandwidth, measured in the same run as the kernels, so that a kernel's effective
 * GB/s can be read as a fraction of what this machine can do right now (a noisy neighbour slows both).
 *
 * - copy: `Float32Array.prototype.set` from one buffer to another, both larger than the last-level cache;
 *   counted as bytes read + written (2 × buffer), like a kernel's bytes.
 * - read: a reduction over one buffer (bytes read only). WebAssembly SIMD with four independent f32x4
 *   accumulators when the engine has it (a plain JS loop is bound by add latency at 6–8 GB/s, well below
 *   memory), else a JS loop with four accumulators (method says which).
 *
 * - firstTouch: writing a newly allocated array (every page faulted in, from the kernel, on its first write)
 *   against writing the same array again (pages already mapped). On a VM that hands freed memory back to its
 *   host the first is an order of magnitude slower; a whole call that allocates its outputs pays it whenever the
 *   allocator gives it fresh pages, which is what makes such rows bimodal (bench/README.md, "Flags").
 *
 * Each probe runs a few warm-up passes, then `trials` timed passes; the median pass is the figure.
 */
import { freemem } from 'node:os';

export interface ProbeResult {
  /** How it was measured: 'Float32Array.prototype.set', 'wasm-simd128 f32x4 sum, 4 accumulators', … */
  readonly method: string;
  /** Buffer size in bytes (each buffer, for copy). */
  readonly bufferBytes: number;
  /** Bytes counted per pass (copy: read + written). */
  readonly bytesPerPass: number;
  /** GB/s (1e9 bytes/s) of the median pass, and of the fastest. */
  readonly medianGBps: number;
  readonly maxGBps: number;
  /** Every timed pass, ms, in the order taken. */
  readonly passesMs: readonly number[];
}

export interface FirstTouch {
  /** `fill` of a newly allocated array: page faults included. GB/s = MB/ms. */
  readonly fresh: ProbeResult;
  /** `fill` of the same array once more: its pages already mapped. */
  readonly reused: ProbeResult;
}

export interface MachineBandwidth {
  readonly copy: ProbeResult;
  readonly read: ProbeResult;
  /** Absent in files written before it was measured (poolspec.bench/1). */
  readonly firstTouch?: FirstTouch;
}

export interface ProbeOptions {
  /** Buffer size in bytes (default 256 MiB; 64 MiB when free memory is short). */
  bufferBytes?: number;
  /** Timed passes per probe (default 9). */
  trials?: number;
}

export const PROBE_BYTES_DEFAULT = 256 * 2 ** 20;
export const PROBE_BYTES_SMALL = 64 * 2 ** 20;

/** 256 MiB unless free memory is below 2 GiB (copy needs two buffers); then 64 MiB, still above any L3 here. */
export function defaultProbeBytes(): number {
  return freemem() > 2 * 2 ** 30 ? PROBE_BYTES_DEFAULT : PROBE_BYTES_SMALL;
}

/** A probe's passes summarised (median and best GB/s); also used for a GPU backend's device copy (bench/runner.ts). */
export function summarise(method: string, bufferBytes: number, bytesPerPass: number, passesMs: readonly number[]): ProbeResult {
  const sorted = [...passesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return {
    method, bufferBytes, bytesPerPass,
    medianGBps: bytesPerPass / (median / 1000) / 1e9,
    maxGBps: bytesPerPass / (sorted[0]! / 1000) / 1e9,
    passesMs,
  };
}

function fill(a: Float32Array): void {
  // Touch every page (and give the reduction something other than zeros).
  for (let i = 0; i < a.length; i += 1024) a[i] = (i & 0xffff) / 65536;
}

export const COPY_METHOD = 'Float32Array.prototype.set';

/**
 * The copy probe's buffers, kept for single passes: `pass()` copies once and returns the ms it took. The bench
 * takes one in every round of every workload group (bench/runner.ts), so that a row's % of copy compares it
 * with the copy bandwidth of the same stretch of time.
 */
export function copyPasses(bufferBytes: number): { readonly bufferBytes: number; pass(): number } {
  const n = bufferBytes >>> 2;
  const src = new Float32Array(n);
  const dst = new Float32Array(n);
  fill(src);
  fill(dst);
  for (let w = 0; w < 2; w++) dst.set(src);
  return {
    bufferBytes,
    pass(): number {
      const t0 = performance.now();
      dst.set(src);
      const ms = performance.now() - t0;
      if (dst[n - 1] !== src[n - 1]) throw new Error('copy probe: copy mismatch');
      return ms;
    },
  };
}

export function copyProbe(bufferBytes: number, trials: number): ProbeResult {
  const copy = copyPasses(bufferBytes);
  const passes: number[] = [];
  for (let t = 0; t < trials; t++) passes.push(copy.pass());
  return summarise(COPY_METHOD, bufferBytes, 2 * bufferBytes, passes);
}

// --- the wasm reduction, assembled here byte by byte (no toolchain needed) --------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * (module (import "e" "m" (memory 1))
 *   (func (export "sum") (param $p i32) (param $end i32) (result f32) (local $a $b $c $d v128)
 *     block loop  $p >= $end → exit
 *       $a += v128.load[$p]; $b += v128.load[$p+16]; $c += v128.load[$p+32]; $d += v128.load[$p+48]; $p += 64
 *     end end
 *     horizontal sum of ($a + $b) + ($c + $d)))
 */
function reductionModule(): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b;
  const get = (i: number): number[] => [0x20, i];
  const set = (i: number): number[] => [0x21, i];
  const load = (offset: number): number[] => [0xfd, 0x00, 0x04, ...uleb(offset)]; // v128.load align=16
  const f32x4Add = [0xfd, ...uleb(228)];
  const lane = (l: number): number[] => [0xfd, 0x1f, l]; // f32x4.extract_lane
  const f32Add = [0x92];
  const acc = (local: number, offset: number): number[] => [...get(local), ...get(0), ...load(offset), ...f32x4Add, ...set(local)];
  const code = [
    0x01, 0x04, V128, // locals: 4 × v128 (indices 2..5)
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(0), ...get(1), 0x4f, 0x0d, 0x01, // i32.ge_u; br_if 1
    ...acc(2, 0), ...acc(3, 16), ...acc(4, 32), ...acc(5, 48),
    ...get(0), 0x41, 0xc0, 0x00, 0x6a, ...set(0), // p += 64
    0x0c, 0x00, // br 0
    0x0b, 0x0b, // end loop, end block
    ...get(2), ...get(3), ...f32x4Add, ...get(4), ...get(5), ...f32x4Add, ...f32x4Add, ...set(2),
    ...get(2), ...lane(0), ...get(2), ...lane(1), ...f32Add, ...get(2), ...lane(2), ...get(2), ...lane(3), ...f32Add, ...f32Add,
    0x0b,
  ];
  const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, I32, I32, 0x01, F32]),
    ...section(2, [0x01, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name('sum'), 0x00, 0x00]),
    ...section(10, [0x01, ...uleb(code.length), ...code]),
  ]);
}

function jsSum4(a: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = a.length & ~3;
  for (let i = 0; i < n; i += 4) {
    s0 += a[i]!;
    s1 += a[i + 1]!;
    s2 += a[i + 2]!;
    s3 += a[i + 3]!;
  }
  return s0 + s1 + s2 + s3;
}

export function readProbe(bufferBytes: number, trials: number, forceJs = false): ProbeResult {
  const bytes = reductionModule();
  if (!forceJs && WebAssembly.validate(bytes)) {
    const pages = Math.ceil(bufferBytes / 65536);
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { e: { m: memory } });
    const sum = instance.exports['sum'] as (p: number, end: number) => number;
    const view = new Float32Array(memory.buffer, 0, bufferBytes >>> 2);
    fill(view);
    const end = bufferBytes & ~63;
    for (let w = 0; w < 2; w++) sum(0, end);
    const passes: number[] = [];
    let sink = 0;
    for (let t = 0; t < trials; t++) {
      const t0 = performance.now();
      sink += sum(0, end);
      passes.push(performance.now() - t0);
    }
    if (!Number.isFinite(sink)) throw new Error('read probe: non-finite sum');
    return summarise('wasm-simd128 f32x4 sum, 4 accumulators', bufferBytes, end, passes);
  }
  const a = new Float32Array(bufferBytes >>> 2);
  fill(a);
  for (let w = 0; w < 2; w++) jsSum4(a);
  const passes: number[] = [];
  let sink = 0;
  for (let t = 0; t < trials; t++) {
    const t0 = performance.now();
    sink += jsSum4(a);
    passes.push(performance.now() - t0);
  }
  if (!Number.isFinite(sink)) throw new Error('read probe: non-finite sum');
  return summarise('JS loop, 4 accumulators (no wasm SIMD)', bufferBytes, a.length * 4, passes);
}

/**
 * 64 MiB: above glibc's largest mmap threshold (32 MiB on 64-bit), so every allocation is a fresh mapping and
 * every pass measures faults, whatever ran before; and small enough that a pass stays short.
 */
export const FIRST_TOUCH_BYTES = 64 * 2 ** 20;

export function firstTouchProbe(bufferBytes: number, trials: number): FirstTouch {
  const n = bufferBytes >>> 2;
  const fresh: number[] = [];
  const reused: number[] = [];
  for (let t = 0; t < trials; t++) {
    // Float32Array zero-fills through calloc, which leaves a fresh mapping untouched: fill() makes the first writes.
    const a = new Float32Array(n);
    const t0 = performance.now();
    a.fill(t + 1);
    const t1 = performance.now();
    a.fill(t + 2);
    const t2 = performance.now();
    if (a[n - 1] !== t + 2) throw new Error('first-touch probe: fill mismatch');
    fresh.push(t1 - t0);
    reused.push(t2 - t1);
  }
  return {
    fresh: summarise('Float32Array.prototype.fill, first write to a new array', bufferBytes, bufferBytes, fresh),
    reused: summarise('Float32Array.prototype.fill, the same array again', bufferBytes, bufferBytes, reused),
  };
}

export function measureBandwidth(options: ProbeOptions = {}): MachineBandwidth {
  const bufferBytes = options.bufferBytes ?? defaultProbeBytes();
  const trials = options.trials ?? 9;
  return {
    copy: copyProbe(bufferBytes, trials),
    read: readProbe(bufferBytes, trials),
    firstTouch: firstTouchProbe(Math.min(bufferBytes, FIRST_TOUCH_BYTES), trials),
  };
}
