/**
 * mixed: mixed pooling λ·max + (1 − λ)·avg (Yu et al. 2014, the deterministic form) over the window's in-bounds
 * taps, the average's divisor being their count n (SPEC.md MIXED.*).
 */
import type { ReducerDeclaration } from '../reducer.js';
import { ETA32, OVERFLOW32, U32, gamma } from './terms.js';

/** MAX.SELECT's value of a NaN-free window: the first of the largest taps in scan order (its bits). */
function firstMax(values: readonly number[]): number {
  let best = values[0]!;
  for (const v of values) if (v > best) best = v;
  return best;
}

/** MIXED.ACC: the average's ACC.AVG error with D = n. */
function avgError(values: readonly number[]): number {
  const n = values.length;
  return (gamma(n + 2) * values.reduce((s, v) => s + Math.abs(v), 0)) / n + (n + 1) * ETA32;
}

export const MIXED: ReducerDeclaration = {
  name: 'mixed',
  title: 'mixed max/avg λ·max + (1 − λ)·avg',
  params: [{ name: 'lambda', clause: 'MIXED.LAMBDA', min: 0, max: 1, samples: [0, Math.fround(0.1), 0.25, 0.5, 0.75, 1] }],
  clauses: ['MIXED.DEF', 'MIXED.SPECIAL', 'MIXED.ACC'],
  gradientClauses: ['MIXED.GRAD'],
  hardValues: [0, -0, 3, 3, 3, -1, 2 ** 127, -(2 ** 127), 2 ** -149],
  special(values, params) {
    const lambda = params.lambda!;
    // MIXED.SPECIAL: a term whose coefficient is 0 is absent; λ = 1 is max exactly (MAX.SELECT's value).
    if (values.some(Number.isNaN)) return NaN;
    if (lambda === 1) return firstMax(values);
    const pos = values.includes(Infinity);
    const neg = values.includes(-Infinity);
    if (pos && neg) return NaN; // the average is +∞ + (−∞)
    if (pos) return Infinity;
    if (neg) return -Infinity; // the average is −∞, the max finite or −∞
    return undefined;
  },
  reference(values, params, hp) {
    const lambda = hp.of(params.lambda!);
    const avg = hp.div(hp.sum(values), hp.of(values.length));
    return hp.add(hp.mul(lambda, hp.max(values)), hp.mul(hp.sub(hp.of(1), lambda), avg));
  },
  accuracy: {
    // MIXED.ACC: max exact; the average within ACC.AVG (e_a); fl(1 − λ) one rounding; two products (u, η each);
    // the final addition (u).
    forward({ values, params, y }) {
      const lambda = params.lambda!;
      const n = values.length;
      const M = firstMax(values);
      const a = values.reduce((s, v) => s + v, 0) / n;
      const ea = avgError(values);
      const halfWidth = U32 * Math.abs(y)
        + (1 + U32) * (U32 * lambda * Math.abs(M) + ETA32 + (1 - lambda) * (gamma(2) * Math.abs(a) + (1 + gamma(2)) * ea) + ETA32);
      const S = values.reduce((s, v) => s + Math.abs(v), 0);
      return { halfWidth, mayOverflow: S * (1 + gamma(n + 2)) >= OVERFLOW32 };
    },
    // MIXED.GRAD: ∂y/∂x_r = λ·[r = r*] + (1 − λ)/n. (1 − λ)/n takes three roundings, the sum with λ one, and a
    // kernel may add the two parts to dx separately (one more): γ_5 relative, 2η.
    gradient({ partials }, r) {
      return gamma(5) * Math.abs(partials[r]!) + 2 * ETA32;
    },
  },
  traits: {
    symmetric: true,
    monotone: true,
    homogeneous: 1,
    shiftEquivariant: true,
    bounded: true,
    // Smooth away from a tie for the maximum (MAX.TIES decides the routing there).
    differentiable: (values) => values.every(Number.isFinite) && values.filter((v) => v === firstMax(values)).length === 1,
  },
};
