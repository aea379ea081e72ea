/**
 * gem: the generalized (power) mean, ((1/n)·Σ x^p)^(1/p) over the window's in-bounds taps (SPEC.md GEM.*).
 */
import type { ReducerDeclaration } from '../reducer.js';
import { MAX32, MIN_NORMAL32 } from '../interval.js';
import { ETA32, KAPPA_POW, OVERFLOW32, U32, gamma } from './terms.js';

function pOf(params: Readonly<Record<string, number>>): number {
  return params.p!;
}

/**
 * GEM.ACC: the power mean's float32 interval, as relative factors on m = s/n (s = Σ x^p exact, n′ non-zero
 * taps): n′ powers (κ, η each), n′ − 1 additions (γ_{n′−1}), the count's conversion and one division (γ_2), or
 * a division per term (then n′ more η); the root has κ, plus e^{u·|ln m̂|/p} for 1/p rounded to float32, and η.
 * Everything relative to m is taken through logarithms: m itself may be beyond f64 (y^p for large p).
 */
export function gemInterval(values: readonly number[], p: number, y: number): { lo: number; hi: number; mayOverflow: boolean } {
  const n = values.length;
  const nz = values.filter((v) => v !== 0).length;
  const lnM = p * Math.log(y); // ln m
  const g = gamma(Math.max(0, nz - 1));
  const g2 = gamma(2);
  const absRel = Math.exp(Math.log((2 * nz + 1) * ETA32) - lnM); // (2n′ + 1)·η relative to m
  const hiF = (1 + KAPPA_POW) * (1 + g) * (1 + g2) + absRel;
  const loF = Math.max(0, (1 - KAPPA_POW) * (1 - g) * (1 - g2) - absRel);
  const lnHi = lnM + Math.log(hiF);
  const lnLo = loF > 0 ? lnM + Math.log(loF) : -Infinity;
  const rootSpread = Math.max(Math.abs(lnHi), Number.isFinite(lnLo) ? Math.abs(lnLo) : Math.abs(lnM)) * U32 / p;
  const rootRel = (1 + KAPPA_POW) * Math.exp(rootSpread);
  const hi = Math.exp(lnHi / p) * rootRel + ETA32;
  const lo = Number.isFinite(lnLo) ? Math.max(0, Math.exp(lnLo / p) * (2 - rootRel) - ETA32) : 0;
  // ACC.OVERFLOW: the sum before its division (s = n·m) may reach Ω.
  const mayOverflow = lnM + Math.log(n) + Math.log((1 + KAPPA_POW) * (1 + g)) >= Math.log(OVERFLOW32);
  return { lo, hi, mayOverflow };
}

export const GEM: ReducerDeclaration = {
  name: 'gem',
  title: 'generalized mean ((1/n)·Σ x^p)^(1/p)',
  params: [{ name: 'p', clause: 'GEM.P', min: 0, max: MAX32, minOpen: true, samples: [0.25, 0.5, 1, 2, 3, 4.5, 16] }],
  domain: { min: 0 },
  clauses: ['GEM.DEF', 'GEM.DOMAIN', 'GEM.SPECIAL', 'GEM.ACC'],
  gradientClauses: ['GEM.GRAD'],
  hardValues: [0, 1, 2 ** -126, 2 ** -140, 2 ** 100, 2 ** 127, MAX32, 3, 3, 3],
  special(values) {
    // GEM.DOMAIN, GEM.SPECIAL: NaN or a negative tap (−∞ included) → NaN; else +∞ → +∞; all zero → +0.
    if (values.some((v) => Number.isNaN(v) || v < 0)) return NaN;
    if (values.some((v) => v === Infinity)) return Infinity;
    if (values.every((v) => v === 0)) return 0;
    return undefined;
  },
  reference(values, params, hp) {
    const P = hp.of(pOf(params));
    const s = hp.sum(values.map((v) => (hp.lt(hp.of(0), v) ? hp.pow(v, P) : hp.of(0))));
    return hp.pow(hp.div(s, hp.of(values.length)), hp.div(hp.of(1), P));
  },
  accuracy: {
    forward({ values, params, y }) {
      const { lo, hi, mayOverflow } = gemInterval(values, pOf(params), y);
      return { halfWidth: Math.max(hi - y, y - lo), mayOverflow };
    },
    // GEM.GRAD: ∂y/∂x_r = (1/n)·(x_r/y)^(p−1). ACC.GRAD's lp term with the count's conversion and division
    // (2 more roundings): ρ = (1 + κ)²(1 + u)^{5+|p−1|}(1 + ρ_y) − 1, ρ_y from the forward's relative bound;
    // plus 4η. An intermediate outside the normal range leaves the partial unconstrained (ACC.RANGE).
    gradient({ values, params, y, partials }, r) {
      const p = pOf(params);
      const x = values[r]!;
      if (x === 0) return 0; // GEM.GRAD defines the contribution as 0
      const { lo, hi } = gemInterval(values, p, y);
      const dy = Math.max(hi / y - 1, 1 - lo / y);
      const ry = Math.max(Math.abs((1 + dy) ** (1 - p) - 1), Math.abs((1 - Math.min(dy, 1)) ** (1 - p) - 1));
      const inter = [y, x ** Math.abs(p - 1), y ** Math.abs(p - 1), (x / y) ** (p - 1)];
      if (inter.some((v) => !(v >= MIN_NORMAL32 && v <= MAX32))) return Infinity;
      const rho = (1 + KAPPA_POW) ** 2 * (1 + U32) ** (5 + Math.abs(p - 1)) * (1 + ry) - 1;
      return Math.abs(partials[r]!) * rho + 4 * ETA32;
    },
  },
  traits: {
    symmetric: true,
    monotone: true,
    homogeneous: 1,
    bounded: true,
    // GEM.GRAD: smooth where every tap is > 0 (x^p has no derivative at 0 for p < 1).
    differentiable: (values) => values.every((v) => v > 0 && Number.isFinite(v)),
  },
};
