/**
 * stochastic: stochastic pooling (Zeiler & Fergus 2013) over the window's in-bounds taps (SPEC.md STOCH.*).
 * Training mode (params.training = 1) selects one tap with probability ≈ v_r / Σv, drawn by the counter-based
 * generator of STOCH.RNG, so every selection is checkable to the bit (spec/reference/stochastic.ts); inference
 * mode (training = 0) is the probability-weighted average Σv² / Σv, an ordinary reducer declared below.
 */
import type { ReducerDeclaration } from '../reducer.js';
import { MAX32 } from '../interval.js';
import { ETA32, OVERFLOW32, U32, gamma } from './terms.js';

/** STOCH.SEED: the largest seed, 2^24 − 1 (every integer up to it is a float32, as REDUCER.PARAMS requires). */
export const MAX_SEED = 2 ** 24 - 1;

/** The 2^24 grid of the uniform (STOCH.RNG): u = U / 2^24. */
export const UNIFORM_STEPS = 2 ** 24;

const M1 = 0x85ebca6bn;
const M2 = 0xc2b2ae35n;
const MASK = 0xffffffffn;
/** The 32-bit golden-ratio constant ⌊2^32/φ⌋ that keys the seed (STOCH.RNG). */
const GOLDEN = 0x9e3779b9n;

/**
 * STOCH.RNG's finalizer f (MurmurHash3's fmix32, a bijection of 32-bit words), in BigInt so that the spec's
 * arithmetic (mod 2^32) is literal here and independent of a kernel's Math.imul.
 */
function fmix32(h: bigint): bigint {
  h ^= h >> 16n;
  h = (h * M1) & MASK;
  h ^= h >> 13n;
  h = (h * M2) & MASK;
  h ^= h >> 16n;
  return h;
}

/**
 * STOCH.RNG: the integer U ∈ [0, 2^24) for (seed, n, c, o), o the output's flat row-major index within its
 * (n, c) output plane: h = f(seed ⊕ 0x9E3779B9), h = f(h ⊕ n), h = f(h ⊕ c), h = f(h ⊕ o), U = h >> 8.
 */
export function uniformBits(seed: number, n: number, c: number, o: number): number {
  let h = fmix32(BigInt(seed) ^ GOLDEN);
  h = fmix32(h ^ BigInt(n));
  h = fmix32(h ^ BigInt(c));
  h = fmix32(h ^ BigInt(o));
  return Number(h >> 8n);
}

/**
 * STOCH.SELECT: the position (into the window's scan order) of the tap selected by U (u = U·2^-24).
 * NaN → the first NaN; else a negative tap (−∞ included, −0 is not negative) → the first one; else +∞ → the
 * first +∞; else with ĉ_i the float32 running sums in scan order (ĉ_0 = 0) and S = ĉ_k: S = 0 → tap ⌊U·k/2^24⌋;
 * S = +∞ → the first i with ĉ_i = +∞; otherwise the first i with u·S < ĉ_i, compared exactly.
 */
export function stochasticPosition(values: readonly number[], U: number): number {
  const nan = values.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  const negative = values.findIndex((v) => v < 0);
  if (negative >= 0) return negative;
  const inf = values.indexOf(Infinity);
  if (inf >= 0) return inf;
  const cum: number[] = [];
  let c = 0;
  for (const v of values) { c = Math.fround(c + v); cum.push(c); }
  const S = c;
  if (S === 0) return Math.floor((U * values.length) / UNIFORM_STEPS);
  if (S === Infinity) return cum.indexOf(Infinity);
  // u·S < ĉ_i ⇔ U·S < 2^24·ĉ_i. Both sides are exact in f64: U has 24 bits and S a float32's 24, so U·S has at
  // most 48 significant bits (and S ≥ 2^-149 keeps it far above f64's underflow); 2^24·ĉ_i is a power-of-two
  // scaling of a float32. So this f64 comparison is the exact comparison of the reals.
  const t = U * S;
  for (let i = 0; i < cum.length; i++) if (t < UNIFORM_STEPS * cum[i]!) return i;
  throw new Error('unreachable: u < 1 so u·S < S = ĉ_k');
}

/** The inference mode's exact value Σv²/Σv, its parts rounded to f64 (for the error model). */
function sums(values: readonly number[]): { S: number; Q: number } {
  let S = 0;
  let Q = 0;
  for (const v of values) { S += v; Q += v * v; }
  return { S, Q };
}

export const STOCHASTIC: ReducerDeclaration = {
  name: 'stochastic',
  title: 'stochastic pooling: inference Σx²/Σx (training selections: reducer.stochastic.select)',
  params: [
    // STOCH.TRAINING: 0 inference, 1 training. The declaration's reference is the inference mode's, so its
    // generic properties draw training = 0 only; training mode has its own properties (spec/properties/stochastic.ts).
    { name: 'training', clause: 'STOCH.TRAINING', min: 0, max: 1, integer: true, samples: [0] },
    { name: 'seed', clause: 'STOCH.SEED', min: 0, max: MAX_SEED, integer: true, samples: [0, 1, 7, MAX_SEED] },
  ],
  domain: { min: 0 },
  clauses: ['STOCH.DEF', 'STOCH.INFER', 'STOCH.INFER_SPECIAL', 'STOCH.INFER_ACC'],
  gradientClauses: ['STOCH.INFER_GRAD'],
  hardValues: [0, 0, 0, -0, 1, 1, 2, 3, 2 ** -149, 2 ** -130, 2 ** 24, 2 ** 60, 1e30, MAX32],
  special(values, params) {
    if (params.training === 1) throw new Error('stochastic training mode is positional: its reference is spec/reference/stochastic.ts');
    // STOCH.INFER_SPECIAL
    if (values.some(Number.isNaN)) return NaN;
    if (values.some((v) => v < 0)) return NaN;
    if (values.includes(Infinity)) return Infinity;
    if (values.every((v) => v === 0)) return 0;
    return undefined;
  },
  reference(values, _params, hp) {
    const S = hp.sum(values);
    return hp.div(hp.sum(values.map((v) => hp.mul(v, v))), S);
  },
  accuracy: {
    // STOCH.INFER_ACC: Q̂ = Σ fl(v²) with k − 1 additions of non-negative terms (or Σ v·fl(v/Ŝ), two roundings
    // per term): γ_{k+1}; Ŝ: γ_{k−1}; the division: u. Each square or quotient may underflow: η each (2kη
    // absolute on the numerator, divided by Ŝ ≥ S(1 − γ_{k−1})); a quotient v/Ŝ that underflows loses at most
    // v·η, S·η in all; the result may be subnormal: η.
    forward({ values, y }) {
      const k = values.length;
      const { S, Q } = sums(values);
      const gS = gamma(k - 1);
      const rel = ((1 + gamma(k + 1)) * (1 + U32)) / (1 - gS) - 1;
      const halfWidth = y * rel + ((2 * k * ETA32) / (S * (1 - gS))) * (1 + U32) + S * ETA32 + ETA32;
      return { halfWidth, mayOverflow: Q * (1 + gamma(k + 1)) >= OVERFLOW32 || S * (1 + gS) >= OVERFLOW32 };
    },
    // STOCH.INFER_GRAD: g = (2v_r − y)/S. N̂ = fl(2v_r − ŷ): |N̂ − N| ≤ H(1 + u) + u|N| (2v_r is exact); the
    // division by Ŝ (γ_{k−1}) rounds once more (u), and may underflow (η).
    gradient({ values, params, y, partials }, r) {
      const k = values.length;
      const { S } = sums(values);
      const gS = gamma(k - 1);
      const H = STOCHASTIC.accuracy.forward({ values, params, y }).halfWidth;
      const N = 2 * values[r]! - y;
      const eN = H * (1 + U32) + U32 * Math.abs(N);
      return ((eN + Math.abs(N) * gS) / (S * (1 - gS))) * (1 + U32) + U32 * Math.abs(partials[r]!) + ETA32;
    },
  },
  traits: {
    symmetric: true,
    homogeneous: 1,
    // Σ (v/S)·v: a convex combination of the taps.
    bounded: true,
    // Smooth where every tap is positive (v = 0 is the domain's edge).
    differentiable: (values) => values.every((v) => Number.isFinite(v) && v > 0),
  },
};
