/**
 * softpool: SoftPool (Stergiou et al. 2021), Σ e^{x_i}·x_i / Σ e^{x_j} over the window's in-bounds taps,
 * defined and bounded for the max-shifted evaluation w_i = e^{x_i − m}, m the window's largest tap (SPEC.md SOFT.*).
 */
import type { ReducerDeclaration } from '../reducer.js';
import { MAX32 } from '../interval.js';
import { ETA32, OVERFLOW32, U32, finiteMax, gamma, weightError } from './terms.js';

/** The max-shifted sums and their float32 error terms (SOFT.ACC), shared by the forward and gradient bounds. */
export function softpoolTerms(values: readonly number[], y: number) {
  const m = finiteMax(values);
  const n = values.length;
  let W = 0;
  let A = 0;
  let errW = 0;
  let errWx = 0;
  const w: number[] = [];
  const ew: number[] = [];
  for (const v of values) {
    const d = v - m;
    const wi = Math.exp(d);
    // SOFT.ACC: d̂ = fl(x − m) = d(1 + δ), one rounding; x − m overflows to −∞ only when |x − m| ≥ Ω.
    const ei = weightError(d, 1, Math.abs(d) * (1 + U32) >= OVERFLOW32);
    w.push(wi); ew.push(ei);
    // A −∞ tap weighs e^{−∞} = 0 exactly and is left out (SOFT.SPECIAL): 0·∞ would make A and E_N NaN.
    const finite = Number.isFinite(v);
    W += wi; A += finite ? wi * Math.abs(v) : 0; errW += ei; errWx += finite ? ei * Math.abs(v) : 0;
  }
  const ED = errW * (1 + gamma(n - 1)) + gamma(n - 1) * W;
  // n products ŵ·x (u each, η if subnormal) and n − 1 additions: γ_n.
  const EN = errWx * (1 + gamma(n)) + gamma(n) * A + n * ETA32;
  const quotient = W > ED ? (EN + Math.abs(y) * ED) / (W - ED) : Infinity;
  return { m, W, A, ED, EN, w, ew, halfWidth: quotient * (1 + U32) + U32 * Math.abs(y) + ETA32 };
}

export const SOFTPOOL: ReducerDeclaration = {
  name: 'softpool',
  title: 'SoftPool Σ e^x·x / Σ e^x (max-shifted)',
  params: [],
  clauses: ['SOFT.DEF', 'SOFT.SPECIAL', 'EXP.WEIGHT', 'SOFT.ACC'],
  gradientClauses: ['SOFT.GRAD'],
  hardValues: [0, 88, 89, -88, 100, -100, 1e4, -1e4, 2 ** 127, -(2 ** 127), MAX32, -MAX32, 1e-30, 5, 5, 5],
  special(values) {
    // SOFT.SPECIAL: NaN wins; then +∞ (its weight dominates); −∞ taps weigh nothing; all −∞ → −∞.
    if (values.some(Number.isNaN)) return NaN;
    if (values.includes(Infinity)) return Infinity;
    if (values.every((v) => v === -Infinity)) return -Infinity;
    return undefined;
  },
  reference(values, _params, hp) {
    const finite = values.filter((v) => hp.isFinite(v));
    const m = hp.max(finite);
    const w = finite.map((v) => hp.exp(hp.sub(v, m)));
    return hp.div(hp.sum(finite.map((v, i) => hp.mul(v, w[i]!))), hp.sum(w));
  },
  accuracy: {
    forward({ values, y }) {
      const t = softpoolTerms(values, y);
      // ACC.OVERFLOW: the numerator's partial sums are at most (A + Σ|x|·err_w)(1 + γ_n).
      return { halfWidth: t.halfWidth, mayOverflow: (t.A + t.EN) * (1 + gamma(values.length)) >= OVERFLOW32 };
    },
    // SOFT.GRAD: ∂y/∂x_r = p_r·(1 + x_r − y), p_r = w_r / W. p̂ as a quotient of a weight and the weight sum;
    // q̂ = fl(fl(1 + x_r) − ŷ) carries the forward's error H and two roundings; then one product.
    gradient({ values, y }, r) {
      const t = softpoolTerms(values, y);
      const x = values[r]!;
      const p = t.w[r]! / t.W;
      const ep = t.W > t.ED ? ((t.ew[r]! + p * t.ED) / (t.W - t.ED)) * (1 + U32) + U32 * p + ETA32 : Infinity;
      const q = 1 + x - y;
      const eq = t.halfWidth * (1 + U32) + gamma(2) * (1 + Math.abs(x) + Math.abs(y) + t.halfWidth);
      return ep * (Math.abs(q) + eq) + p * eq + U32 * (p + ep) * (Math.abs(q) + eq) + ETA32;
    },
  },
  traits: {
    symmetric: true,
    // Not monotone: ∂y/∂x_r = p_r·(1 + x_r − y) < 0 where x_r < y − 1. Not homogeneous (e^{c·x} ≠ e^x).
    shiftEquivariant: true,
    bounded: true,
    differentiable: (values) => values.every(Number.isFinite),
  },
};
