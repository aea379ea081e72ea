/**
 * The error terms the research kinds' bounds share (SPEC.md EXP.WEIGHT): a max-shifted exponential weight
 * w = e^d, d = r·(x − m) ≤ 0, computed in float32 from a rounded argument, and sums of such weights.
 */
import { ETA32, KAPPA_POW, OVERFLOW32, U32, gamma } from '../interval.js';

export { ETA32, KAPPA_POW, OVERFLOW32, U32, gamma };

/**
 * EXP.WEIGHT: the error of one weight ŵ = fl(exp(d̂)) where d̂ = d(1 + θ), |θ| ≤ γ_k (k roundings produced the
 * argument), exp has relative error κ and may land in the subnormal range (η):
 *   |ŵ − e^d| ≤ e^d·((1 + κ)·e^{γ_k|d|} − 1) + η.
 * For large |d| the product is taken in the log domain (e^{−|d|(1−γ_k)}(1 + κ) bounds it, no overflow).
 * `mayVanish`: the argument may itself overflow to −∞ (|x − m| ≥ Ω in float32), so the weight may be lost
 * whole: the bound is then e^d + η.
 */
export function weightError(d: number, k: number, mayVanish: boolean): number {
  if (d === -Infinity) return 0; // a −∞ tap: exp(−∞) = 0 exactly in every order
  const w = Math.exp(d);
  if (mayVanish) return w + ETA32;
  const g = gamma(k);
  const a = g * Math.abs(d);
  const rel = a < 1 ? w * ((1 + KAPPA_POW) * Math.exp(a) - 1) : (1 + KAPPA_POW) * Math.exp(-Math.abs(d) * (1 - g));
  return rel + ETA32;
}

/** The largest finite value of a window (−∞ when there is none). */
export function finiteMax(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (Number.isFinite(v) && v > m) m = v;
  return m;
}

/** |log(1 + e)| over |e| ≤ eps: −log(1 − eps); Infinity once eps ≥ 1 (no bound). */
export function logFactor(eps: number): number {
  return eps >= 1 ? Infinity : -Math.log1p(-eps);
}
