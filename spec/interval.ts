/**
 * Acceptance sets for float32 results (SPEC.md §ACC), after the WebGPU CTS's interval library: the reference
 * computes each output element exactly or in high precision, then says which float32 values a correct
 * backend may return. Numbers here come from SPEC.md §ACC's error analysis; nothing is tuned to make a test pass.
 */

/** Unit roundoff of float32 round-to-nearest: u = 2^-24 (SPEC ACC.MODEL). */
export const U32 = 2 ** -24;
/** Absolute error of one rounding that lands in the subnormal range: half the subnormal spacing, 2^-150. */
export const ETA32 = 2 ** -150;
/** Smallest positive normal float32. */
export const MIN_NORMAL32 = 2 ** -126;
/** Largest finite float32. */
export const MAX32 = (2 - 2 ** -23) * 2 ** 127;
/** Round-to-nearest overflows to ±∞ at and beyond |x| ≥ 2^128 − 2^103 (MAX32 + half an ulp). */
export const OVERFLOW32 = 2 ** 128 - 2 ** 103;
/**
 * POLICY.SUBNORMALS = 'flush': a flushing device may read a subnormal input as zero, losing all of it. Returns
 * |v| for a subnormal v, else 0.
 */
export function subnormalMagnitude(v: number): number {
  const a = Math.abs(v);
  return a > 0 && a < MIN_NORMAL32 ? a : 0;
}

/**
 * POLICY.SUBNORMALS = 'flush': the absolute error a flushing device may add to a computation, before later
 * roundings scale it: the subnormal inputs it may lose (`lost`, their total magnitude), plus 2^-126 for each of
 * `operations` results it may flush (a result below 2^-126 that becomes 0 loses less than 2^-126).
 */
export function flushError(lost: number, operations: number): number {
  return lost + Math.max(0, operations) * MIN_NORMAL32;
}

/** Declared accuracy of a backend's power function (ACC.LP): relative error at most 2^-22 (2 ulp at 1.0). */
export const KAPPA_POW = 2 ** -22;

/**
 * γ_k = k·u/(1 − k·u) (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., §3.1): the bound on
 * |θ_k| where (1+δ_1)…(1+δ_k) = 1+θ_k and |δ_i| ≤ u. Infinite once k·u ≥ 1 (no useful bound).
 */
export function gamma(k: number): number {
  if (k <= 0) return 0;
  const ku = k * U32;
  return ku >= 1 ? Infinity : ku / (1 - ku);
}

export type Acceptance =
  /** The result must equal `value` to the bit; a NaN `value` accepts any NaN. */
  | { readonly kind: 'exact'; readonly value: number }
  /**
   * lo ≤ got ≤ hi; or got = +∞ when `posInf`, −∞ when `negInf`, NaN when `nan` (results that overflow
   * somewhere in a legal evaluation order). `value` is the exact result rounded to f64, for display.
   */
  | {
      readonly kind: 'interval'; readonly value: number; readonly lo: number; readonly hi: number;
      readonly posInf: boolean; readonly negInf: boolean; readonly nan: boolean;
    }
  /** No float32 result is wrong here (SPEC ACC.RANGE); `reason` says why. Counted and reported. */
  | { readonly kind: 'unconstrained'; readonly value: number; readonly reason: string };

const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);

/** The next f64 after x towards +∞ (dir = 1) or −∞ (dir = −1). */
export function nextF64(x: number, dir: 1 | -1): number {
  if (Number.isNaN(x) || x === dir * Infinity) return x;
  if (x === 0) return dir * Number.MIN_VALUE;
  f64[0] = x;
  bits[0]! += (x > 0) === (dir > 0) ? 1n : -1n;
  return f64[0];
}

/**
 * Widens [lo, hi] outwards by `steps` f64 ulps on each side: the endpoints are themselves computed in f64,
 * each operation of that computation adding at most half an f64 ulp; `steps` is that operation count.
 */
export function outward(lo: number, hi: number, steps: number): [number, number] {
  for (let i = 0; i < steps; i++) {
    lo = nextF64(lo, -1);
    hi = nextF64(hi, 1);
  }
  return [lo, hi];
}

export function exact(value: number): Acceptance {
  return { kind: 'exact', value };
}

/**
 * The interval value ± err, where `err` bounds the backend's float32 error and `magnitude` bounds every partial
 * result in any legal evaluation order (it decides whether overflow to ±∞ is possible). `ops` counts the f64
 * operations that produced value and err (outward rounding).
 */
export function around(value: number, err: number, magnitude: number, ops: number): Acceptance {
  if (!Number.isFinite(value)) return exact(value);
  // err itself was evaluated in f64 by fewer than 2^12 operations of relative error 2^-53 each: 2^-40 covers it.
  const e = err * (1 + 2 ** -40);
  const [lo, hi] = outward(value - e, value + e, ops + 2);
  const mayOverflow = magnitude >= OVERFLOW32;
  // A value whose interval reaches the threshold may also round to ±∞ directly.
  return { kind: 'interval', value, lo, hi, posInf: mayOverflow || hi >= OVERFLOW32, negInf: mayOverflow || lo <= -OVERFLOW32, nan: mayOverflow };
}

/** An interval [lo, hi] (already outward-rounded) for a result known to be ≥ 0, +∞ allowed when `posInf`. */
export function between(value: number, lo: number, hi: number, posInf: boolean): Acceptance {
  return { kind: 'interval', value, lo, hi, posInf: posInf || hi >= OVERFLOW32, negInf: false, nan: false };
}

export function unconstrained(value: number, reason: string): Acceptance {
  return { kind: 'unconstrained', value, reason };
}

/** Whether a float32 result `got` is in the acceptance set. */
export function accepts(a: Acceptance, got: number): boolean {
  switch (a.kind) {
    case 'exact':
      return Number.isNaN(a.value) ? Number.isNaN(got) : Object.is(got, a.value);
    case 'interval':
      if (Number.isNaN(got)) return a.nan;
      if (got === Infinity && a.posInf) return true;
      if (got === -Infinity && a.negInf) return true;
      return got >= a.lo && got <= a.hi;
    case 'unconstrained':
      return true;
  }
}

export function formatNumber(x: number): string {
  if (Object.is(x, -0)) return '-0';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return String(x);
}

export function describeAcceptance(a: Acceptance): string {
  switch (a.kind) {
    case 'exact':
      return Number.isNaN(a.value) ? 'NaN' : `exactly ${formatNumber(a.value)}`;
    case 'interval': {
      const extra = [a.posInf ? '+Infinity' : '', a.negInf ? '-Infinity' : '', a.nan ? 'NaN' : ''].filter(Boolean);
      return `[${formatNumber(a.lo)}, ${formatNumber(a.hi)}]${extra.length ? ` or ${extra.join(' or ')} (overflow possible)` : ''} (exact ${formatNumber(a.value)})`;
    }
    case 'unconstrained':
      return `anything (${a.reason})`;
  }
}
