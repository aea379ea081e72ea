/**
 * Shared plumbing of the peer backends (kernels/peers/): other libraries' pooling kernels wrapped behind the
 * backend contract so that the verifier checks them against SPEC.md and the benchmark times them.
 *
 * Peers are optional dependencies. Each is imported lazily, by a specifier the compiler does not resolve, so the
 * project builds without them and a missing one makes only its own backend unavailable.
 */
import type { Layout, PoolSpec, Support, Tensor } from '../../spec/contract.js';
import { axisWindow, poolGeometry, type PoolGeometry } from '../../spec/geometry.js';
import { BackendError, PoolspecError } from '../../spec/errors.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';

/** A peer library is not installed or failed to load: its backend is unavailable, the others still run. */
export class PeerUnavailableError extends PoolspecError {
  override readonly name = 'PeerUnavailableError';
  constructor(readonly pkg: string, readonly version: string, cause: unknown) {
    const detail = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0] ?? '';
    const missing = /Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(detail);
    super(missing
      ? `${pkg} is not installed: npm install ${pkg}@${version} (an optional dependency of poolspec)`
      : `${pkg} failed to load: ${detail}`);
  }
}

/**
 * Imports an optional package by name; a string specifier keeps the compiler from needing its types. The peers
 * are CommonJS packages, so the module object is `default` (all of `module.exports`, whatever Node's named-export
 * detection found). It is `unknown`: each caller states the members it uses in its own structural type.
 */
export async function importPeer(pkg: string, version: string): Promise<unknown> {
  const specifier: string = pkg;
  let mod: { default?: unknown };
  try {
    mod = (await import(specifier)) as { default?: unknown };
  } catch (e) {
    throw new PeerUnavailableError(pkg, version, e);
  }
  return mod.default ?? mod;
}

export { FORWARD_ONLY, isPreparable } from '../../spec/extensions.js';
export type { ForwardOnlyBackend, PreparableBackend, PreparedForward } from '../../spec/contract.js';

export const OK: Support = { ok: true };

export function decline(reason: string): Support {
  return { ok: false, reason };
}

/** The validation answer every backend owes first (CONTRACT.SUPPORTS): invalid input is declined with its message. */
export function validationSupport(spec: PoolSpec, inputShape: readonly number[], layout: Layout): Support | undefined {
  const problem = validationProblem(spec, inputShape, layout);
  return problem === undefined ? undefined : decline(problem);
}

export { validateBackward, validateForward, BackendError, poolGeometry, type PoolGeometry };

/**
 * Whether some window of the spec has a tap in the explicit padding, i.e. whether `countIncludePad` changes any
 * divisor (AVG.DIVISOR: padded count vs in-bounds count). The ceil-mode overhang beyond the end pad never counts.
 */
export function padTapsCount(spec: PoolSpec, inputShape: readonly number[], layout: Layout): boolean {
  const g = poolGeometry(spec, inputShape, layout);
  for (const a of g.axes) {
    for (let j = 0; j < a.out; j++) {
      const w = axisWindow(a, j);
      if (w.paddedCount !== w.tEnd - w.tFirst) return true;
    }
  }
  return false;
}

type Typed = Float32Array | Int32Array;

/** [N, C, P] → [N, P, C] (channels_first to channels_last), P the spatial plane size. */
export function toChannelsLast<T extends Typed>(src: T, n: number, c: number, p: number, make: (len: number) => T): T {
  const dst = make(src.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * p;
    for (let ch = 0; ch < c; ch++) {
      const from = base + ch * p;
      for (let q = 0; q < p; q++) dst[base + q * c + ch] = src[from + q]!;
    }
  }
  return dst;
}

/** [N, P, C] → [N, C, P] (channels_last to channels_first). */
export function toChannelsFirst<T extends Typed>(src: T, n: number, c: number, p: number, make: (len: number) => T): T {
  const dst = make(src.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * p;
    for (let ch = 0; ch < c; ch++) {
      const to = base + ch * p;
      for (let q = 0; q < p; q++) dst[to + q] = src[base + q * c + ch]!;
    }
  }
  return dst;
}

export const f32 = (len: number): Float32Array => new Float32Array(len);
export const i32 = (len: number): Int32Array => new Int32Array(len);

/** A tensor's data in the other layout family: `want` 'channels_last' or 'channels_first'. Copies unless already there. */
export function dataIn(x: Tensor, g: PoolGeometry, want: Layout): Float32Array {
  const have = x.layout ?? 'channels_first';
  if (have === want) return x.data;
  return want === 'channels_last'
    ? toChannelsLast(x.data, g.batch, g.channels, g.inPlane, f32)
    : toChannelsFirst(x.data, g.batch, g.channels, g.inPlane, f32);
}

/** Converts an output-shaped array from the library's layout `from` to the caller's layout. */
export function outputTo<T extends Typed>(data: T, g: PoolGeometry, from: Layout, make: (len: number) => T): T {
  if (g.layout === from) return data;
  return from === 'channels_last'
    ? toChannelsFirst(data, g.batch, g.channels, g.outPlane, make)
    : toChannelsLast(data, g.batch, g.channels, g.outPlane, make);
}

/** Same for input-shaped arrays (dx). */
export function inputTo(data: Float32Array, g: PoolGeometry, from: Layout): Float32Array {
  if (g.layout === from) return data;
  return from === 'channels_last'
    ? toChannelsFirst(data, g.batch, g.channels, g.inPlane, f32)
    : toChannelsLast(data, g.batch, g.channels, g.inPlane, f32);
}

/** Library shape of a tensor: [N, ...S, C] or [N, C, ...S]. */
export function shapeIn(g: PoolGeometry, layout: Layout, which: 'in' | 'out'): number[] {
  const s = which === 'in' ? g.inSpatial : g.outSpatial;
  return layout === 'channels_last' ? [g.batch, ...s, g.channels] : [g.batch, g.channels, ...s];
}

export function formatList(xs: readonly number[]): string {
  return `[${xs.join(', ')}]`;
}

/**
 * A library's output, converted to the caller's layout using the shape the library actually returned (not the
 * spec's): if the library computed another output extent, the caller sees that shape and the verifier reports it
 * (SHAPE.OUT / SHAPE.CEIL) instead of a garbled transposition.
 */
export function fromLibrary<T extends Typed>(
  data: T, libShape: readonly number[], libLayout: Layout, want: Layout, make: (len: number) => T,
): { shape: number[]; data: T } {
  const n = libShape[0]!;
  const c = libLayout === 'channels_last' ? libShape[libShape.length - 1]! : libShape[1]!;
  const spatial = libLayout === 'channels_last' ? libShape.slice(1, -1) : libShape.slice(2);
  const p = spatial.reduce((a, b) => a * b, 1);
  const shape = want === 'channels_last' ? [n, ...spatial, c] : [n, c, ...spatial];
  if (libLayout === want) return { shape, data };
  return { shape, data: libLayout === 'channels_last' ? toChannelsFirst(data, n, c, p, make) : toChannelsLast(data, n, c, p, make) };
}

/**
 * A library index converted to a plane index (MAX.INDEX) by one of spec/indices.ts's converters, or −1 when it
 * is out of range or names another batch element (n ≥ 0 given) or channel: the verifier then reports it.
 */
export function planeIndexOrMinusOne(convert: () => { n: number; c: number; q: number }, n: number, c: number): number {
  try {
    const p = convert();
    return (n < 0 || p.n === n) && p.c === c ? p.q : -1;
  } catch {
    return -1;
  }
}
