/**
 * SPEC.md §ACC's terms and formulas, evaluated in f64 beside the tests that hold the reference's acceptance sets
 * to them (test/mutation/reference-*.test.ts). Written from the clauses' text, not from spec/interval.ts, so that
 * a changed term in the reference shows up as a difference.
 */
import { expect } from 'vitest';
import type { Acceptance } from '../../spec/interval.js';

/** u, η, λ, κ of ACC.MODEL, POLICY.SUBNORMALS and ACC.LP. */
export const u = 2 ** -24;
export const eta = 2 ** -150;
export const lambda = 2 ** -126;
export const kappa = 2 ** -22;

/** γ_k = k·u/(1 − k·u), γ_0 = 0 (ACC.MODEL). */
export function gamma(k: number): number {
  return k <= 0 ? 0 : (k * u) / (1 - k * u);
}

export type Interval = Extract<Acceptance, { kind: 'interval' }>;

export function interval(a: Acceptance | undefined): Interval {
  expect(a?.kind).toBe('interval');
  return a as Interval;
}

/**
 * The set's ends equal the clause's, up to ACC.ENDPOINTS' outward rounding: never inside the clause's ends, and
 * outside them by at most 2^-38 of the larger end's magnitude (`around` widens an error by 2^-40 for its own f64 evaluation, plus a
 * few f64 ulps); every term of a clause that a test is about is far larger than that.
 */
export function expectEnds(a: Interval, lo: number, hi: number): void {
  const slack = Math.max(Math.abs(lo), Math.abs(hi)) * 2 ** -38 + 2 ** -1060;
  expect(a.lo).toBeLessThanOrEqual(lo);
  expect(a.lo).toBeGreaterThanOrEqual(lo - slack);
  expect(a.hi).toBeGreaterThanOrEqual(hi);
  expect(a.hi).toBeLessThanOrEqual(hi + slack);
}

/** ACC.LP's ends, preserve, for the non-zero terms' powers `pw` (each |v|^p, exact in f64 in the tests' cases). */
export function lpEnds(pw: readonly number[], p: number): [number, number] {
  const n = pw.length;
  const s = pw.reduce((a, b) => a + b, 0);
  const g = gamma(n - 1);
  const sLo = Math.max(0, (s * (1 - kappa) - n * eta) * (1 - g));
  const sHi = (s * (1 + kappa) + n * eta) * (1 + g);
  return [Math.max(0, Math.pow(sLo, 1 / p) * (1 - kappa) - eta), Math.pow(sHi, 1 / p) * (1 + kappa) + eta];
}
