/**
 * median: the lower median of the window's in-bounds taps (SPEC.md MEDIAN.*): a selection, exact to the bit.
 */
import type { ReducerDeclaration } from '../reducer.js';
import { MAX32 } from '../interval.js';

/**
 * MEDIAN.SELECT: the position (into the window's scan order) of the selected tap. With a NaN, the first NaN.
 * Otherwise the taps are ordered by value, equal values (−0 = +0) by scan order, and the one of rank
 * ⌊(n − 1)/2⌋ (0-based) is selected: the lower median.
 */
export function medianPosition(values: readonly number[]): number {
  const nan = values.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  const order = values.map((_, i) => i).sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  return order[Math.floor((values.length - 1) / 2)]!;
}

export const MEDIAN: ReducerDeclaration = {
  name: 'median',
  title: 'lower median (selection)',
  params: [],
  clauses: ['MEDIAN.DEF', 'MEDIAN.SELECT', 'MEDIAN.ACC'],
  gradientClauses: ['MEDIAN.GRAD'],
  hardValues: [0, -0, 1, 1, 1, -1, 2, Infinity, -Infinity, MAX32, -MAX32, 2 ** -149],
  // MEDIAN.ACC: every window is answered here, exactly (the value carries the selected tap's bits).
  special: (values) => values[medianPosition(values)]!,
  reference(values, _params, hp) {
    // Never reached (special answers every window); the same selection in 40 digits, for completeness.
    const sorted = [...values].sort((a, b) => (hp.lt(a, b) ? -1 : hp.lt(b, a) ? 1 : 0));
    return sorted[Math.floor((values.length - 1) / 2)]!;
  },
  accuracy: {
    forward: () => ({ halfWidth: 0 }),
    // MEDIAN.GRAD: the partial is 1 at the selected tap and 0 elsewhere, both exact.
    gradient: () => 0,
  },
  traits: {
    symmetric: true,
    monotone: true,
    homogeneous: 1,
    shiftEquivariant: true,
    bounded: true,
    // Piecewise the identity of one tap: differentiable where no two taps are equal.
    differentiable: (values) => values.every(Number.isFinite) && new Set(values.map((v) => v + 0)).size === values.length,
  },
};
