/**
 * lse: log-sum-exp (smooth max) pooling with temperature r, (1/r)·log((1/n)·Σ e^{r·x_i}) over the window's
 * in-bounds taps, defined and bounded for the max-shifted evaluation m + (1/r)·log((1/n)·Σ e^{r(x_i − m)})
 * (SPEC.md LSE.*).
 */
import type { ReducerDeclaration } from '../reducer.js';
import { MAX32 } from '../interval.js';
import { ETA32, KAPPA_POW, OVERFLOW32, U32, finiteMax, gamma, logFactor, weightError } from './terms.js';

/** LSE.ACC's terms for one window. */
export function lseTerms(values: readonly number[], r: number, y: number) {
  const n = values.length;
  const m = finiteMax(values);
  let S = 0;
  let errS = 0;
  const w: number[] = [];
  const ew: number[] = [];
  for (const v of values) {
    const diff = v - m;
    const d = r * diff;
    // d̂ = fl(fl(x − m)·r): two roundings (γ_2); either may overflow to −∞ once |x − m|·max(1, r) ≥ Ω.
    const ei = weightError(d, 2, Math.abs(diff) * Math.max(1, r) * (1 + gamma(2)) >= OVERFLOW32);
    const wi = Math.exp(d);
    w.push(wi); ew.push(ei); S += wi; errS += ei;
  }
  const ES = errS * (1 + gamma(n - 1)) + gamma(n - 1) * S;
  // z = S/n: the count's conversion and the division (γ_2). ℓ = log z ∈ [−ln n, 0], log with relative κ.
  const epsZ = (1 + ES / S) * (1 + gamma(2)) - 1;
  const ell = Math.log(S / n);
  const eEll = logFactor(epsZ) * (1 + KAPPA_POW) + KAPPA_POW * Math.abs(ell);
  // L = ℓ/r: a division or a product with fl(1/r) (γ_2), possibly subnormal (η); then ŷ = fl(m + L̂).
  const L = ell / r;
  const eL = (eEll / r) * (1 + gamma(2)) + gamma(2) * Math.abs(L) + ETA32;
  const halfWidth = eL * (1 + U32) + U32 * Math.abs(y);
  return { m, S, ES, w, ew, L, eL, halfWidth };
}

export const LSE: ReducerDeclaration = {
  name: 'lse',
  title: 'log-sum-exp (1/r)·log((1/n)·Σ e^{r·x}) (max-shifted)',
  params: [{ name: 'r', clause: 'LSE.R', min: 0, max: MAX32, minOpen: true, samples: [2 ** -10, 0.5, 1, 2, 10, 100] }],
  clauses: ['LSE.DEF', 'LSE.SPECIAL', 'EXP.WEIGHT', 'LSE.ACC'],
  gradientClauses: ['LSE.GRAD'],
  hardValues: [0, 88, -88, 100, -100, 1e4, -1e4, 2 ** 127, -(2 ** 127), MAX32, -MAX32, 1e-30, 7, 7, 7],
  special(values) {
    // LSE.SPECIAL: NaN wins; then +∞; −∞ taps add e^{−∞} = 0 and still count in n; all −∞ → −∞.
    if (values.some(Number.isNaN)) return NaN;
    if (values.includes(Infinity)) return Infinity;
    if (values.every((v) => v === -Infinity)) return -Infinity;
    return undefined;
  },
  reference(values, params, hp) {
    const R = hp.of(params.r!);
    const finite = values.filter((v) => hp.isFinite(v));
    const m = hp.max(finite);
    const S = hp.sum(finite.map((v) => hp.exp(hp.mul(R, hp.sub(v, m)))));
    return hp.add(m, hp.div(hp.log(hp.div(S, hp.of(values.length))), R));
  },
  accuracy: {
    forward({ values, params, y }) {
      const t = lseTerms(values, params.r!, y);
      // ACC.OVERFLOW: ŷ itself is at most the largest tap, but L = ℓ/r can exceed Ω for a tiny r.
      return { halfWidth: t.halfWidth, mayOverflow: Math.abs(t.L) + t.eL >= OVERFLOW32 };
    },
    // LSE.GRAD: ∂y/∂x_r = w_r / S (the softmax weight): a weight over the weight sum, one division.
    gradient({ values, params, y }, r) {
      const t = lseTerms(values, params.r!, y);
      const p = t.w[r]! / t.S;
      return t.S > t.ES ? ((t.ew[r]! + p * t.ES) / (t.S - t.ES)) * (1 + U32) + U32 * p + ETA32 : Infinity;
    },
  },
  traits: {
    symmetric: true,
    monotone: true,
    shiftEquivariant: true,
    bounded: true,
    differentiable: (values) => values.every(Number.isFinite),
  },
};
