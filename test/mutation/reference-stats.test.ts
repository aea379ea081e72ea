/**
 * spec/reference/stats.ts against SPEC.md STATS.* term by term (reports/mutation/summary.md): the stats properties
 * compare a correct naive backend with these sets, so a wider term passes them. Each expected value is the clause's
 * formula evaluated here from its own terms (test/helpers/acc-clauses.ts), on planes where that term is visible:
 * moderate values for the γ terms, subnormal ones for the η terms, a constant plane and a plane with σ below its own
 * error for min(√E_v, E_v/σ).
 */
import { describe, expect, test } from 'vitest';
import type { Tensor } from '../../spec/contract.js';
import { accepts } from '../../spec/interval.js';
import { planeStats, referenceStatsForward, referenceStatsGradient } from '../../spec/reference/stats.js';
import { eta, expectEnds, gamma, interval, u } from '../helpers/acc-clauses.js';

const OMEGA = 2 ** 128 - 2 ** 103;
const t = (shape: number[], values: number[]): Tensor => ({ shape, data: Float32Array.from(values) });

/** |got − want| within 2^-40 of |want| (f64 evaluation order), exactly 0 when want is 0. */
function expectClose(got: number, want: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -40);
}

/** STATS.ACC's terms for a finite plane, from the clause; μ and V exact in f64 for the tests' planes. */
function clause(x: number[]): { mu: number; sigma: number; eMu: number; eV: number; hSigma: number; mMean: number; mStd: number } {
  const T = x.length;
  const A = x.reduce((s, v) => s + Math.abs(v), 0);
  const mu = x.reduce((s, v) => s + v, 0) / T;
  const V = x.reduce((s, v) => s + (v - mu) ** 2, 0) / T;
  const sigma = Math.sqrt(V);
  const eMu = (gamma(T + 2) * A) / T + (T + 1) * eta;
  const eV = eMu ** 2 + gamma(T + 3) * (V + eMu ** 2) + (T + 1) * eta;
  const hSigma = (1 + u) * Math.min(Math.sqrt(eV), sigma > 0 ? eV / sigma : Infinity) + u * sigma;
  const mStd = x.reduce((s, v) => s + (Math.abs(v) + Math.abs(mu) + eMu) ** 2, 0) * (1 + gamma(T + 3));
  return { mu, sigma, eMu, eV, hSigma, mMean: A * (1 + gamma(T + 2)), mStd };
}

function expectPlane(x: number[]): void {
  const p = planeStats(x);
  const c = clause(x);
  expect(p.kind).toBe('finite');
  if (p.kind !== 'finite') return;
  expectClose(p.mean, c.mu);
  expectClose(p.std, c.sigma);
  expectClose(p.eMean, c.eMu);
  expectClose(p.eVar, c.eV);
  expectClose(p.hStd, c.hSigma);
  expectClose(p.meanMagnitude, c.mMean);
  expectClose(p.stdMagnitude, c.mStd);
}

describe('STATS.ACC: the terms', () => {
  test('[1, 2, 3, 4]: γ_{T+2}, γ_{T+3}, E_v/σ the smaller root term', () => expectPlane([1, 2, 3, 4]));
  test('[1, 1 + 2^-23]: σ = 2^-24 below √E_v ≈ e_μ ≈ 2^-22, so √E_v is the smaller term', () => {
    const x = [1, 1 + 2 ** -23];
    const c = clause(x);
    expect(Math.sqrt(c.eV)).toBeLessThan(c.eV / c.sigma);
    expectPlane(x);
  });
  test('a constant plane: σ = 0, H_σ = (1 + u)√E_v', () => expectPlane([5, 5]));
  test('subnormal taps: the (T + 1)η terms dominate e_μ and E_v', () => {
    const s = 2 ** -140;
    expectPlane([s, 3 * s]);
    expect(clause([s, 3 * s]).eMu).toBeGreaterThan(2 * eta);
  });
  test('a negative mean: |μ| in the σ overflow magnitude', () => expectPlane([-6, -2, -1]));
});

describe('STATS.ACC and STATS.SPECIAL: the acceptance sets', () => {
  test('[1, 2, 3, 4] in [1, 2, 4]-shaped channels: μ ± e_μ, then σ ± H_σ; one set per feature', () => {
    const x = [1, 2, 3, 4, 10, 10, 10, 10];
    const a = referenceStatsForward({ kind: 'stats' }, t([1, 2, 4], x)).acceptance;
    expect(a).toHaveLength(4);
    const c0 = clause([1, 2, 3, 4]);
    const c1 = clause([10, 10, 10, 10]);
    // [N, 2C]: the means of channels 0 and 1, then their standard deviations.
    expectEnds(interval(a[0]), c0.mu - c0.eMu, c0.mu + c0.eMu);
    expectEnds(interval(a[1]), 10 - c1.eMu, 10 + c1.eMu);
    expectEnds(interval(a[2]), c0.sigma - c0.hSigma, c0.sigma + c0.hSigma);
    expectEnds(interval(a[3]), 0 - c1.hSigma, c1.hSigma);
    for (const i of [0, 1, 2, 3]) expect([interval(a[i]).nan, interval(a[i]).posInf]).toEqual([false, false]);
  });

  test('NaN → NaN, NaN; +∞ with −∞ → NaN, NaN; +∞ → +∞, NaN, exact', () => {
    for (const [x, mean] of [[[1, NaN], NaN], [[Infinity, -Infinity], NaN], [[Infinity, 1], Infinity], [[-Infinity, 1], -Infinity]] as const) {
      const p = planeStats(x);
      expect(p.kind).toBe('special');
      expect(Object.is(p.mean, mean)).toBe(true);
      expect(p.std).toBeNaN();
      const a = referenceStatsForward({ kind: 'stats' }, t([1, 1, 2], [...x])).acceptance;
      expect(a[0]!.kind).toBe('exact');
      expect(Object.is(a[0]!.value, mean)).toBe(true);
      expect(a[1]!.kind).toBe('exact');
      expect(a[1]!.value).toBeNaN();
    }
  });

  test('ACC.OVERFLOW beside +∞: Σ|finite|·(1 + γ_{T+2}) ≥ Ω also accepts NaN for μ; just below it, exactly +∞', () => {
    // T = 3: finite taps 2^127 and 2^127 − k·2^104: (1 + γ_5)Σ ≈ 2^128 − (k − 5)·2^104 is ≥ Ω for k = 5, not for k = 6.
    for (const [k, want] of [[5, true], [6, false]] as const) {
      const x = [Infinity, 2 ** 127, 2 ** 127 - k * 2 ** 104];
      expect(x.map(Math.fround)).toEqual(x);
      expect((2 ** 128 - k * 2 ** 104) * (1 + gamma(5)) >= OMEGA).toBe(want);
      // The same plane negated: μ = −∞, NaN also accepted, never +∞.
      for (const sign of [1, -1]) {
        const a = referenceStatsForward({ kind: 'stats' }, t([1, 1, 3], x.map((v) => sign * v))).acceptance[0]!;
        expect(accepts(a, sign * Infinity)).toBe(true);
        expect(accepts(a, NaN)).toBe(want);
        expect(accepts(a, -sign * Infinity)).toBe(false);
        expect(accepts(a, 0)).toBe(false);
        expect(a.kind).toBe(want ? 'interval' : 'exact');
      }
    }
  });
});

describe('STATS.GRAD: the bound', () => {
  /** The clause's bound for element t of plane x with dμ, dσ (σ > 0, |D̂ − D| < D), and the exact dx. */
  function gradClause(x: number[], r: number, dMu: number, dSigma: number): { g: number; e: number } {
    const T = x.length;
    const c = clause(x);
    const g2 = gamma(2);
    const N = x[r]! - c.mu;
    const D = T * c.sigma;
    const eN = c.eMu * (1 + u) + u * Math.abs(N);
    const eD = T * c.hSigma * (1 + g2) + g2 * D;
    const Eq = (eN + Math.abs(N / D) * eD) / (D - eD);
    const t1 = dMu / T;
    const t2 = (dSigma * N) / D;
    const e1 = g2 * Math.abs(t1) + eta;
    const e2 = Math.abs(dSigma) * Eq * (1 + g2) + g2 * Math.abs(t2) + eta * (1 + Math.max(1 / (D - eD), Math.abs(dSigma)));
    const g = t1 + t2;
    return { g, e: (e1 + e2) * (1 + u) + u * Math.abs(g) };
  }

  test('{1, 3} (μ 2, σ 1) with dμ = dσ = 3: each element\'s set from the clause\'s terms', () => {
    // dx = 3/2 + 3·(x − 2)/2 = [0, 3]: at the exact 0 the set is ±e, so even the last rounding's (1 + u) shows.
    const a = referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], [1, 3]), t([1, 2], [3, 3]));
    expect(a).toHaveLength(2);
    for (const r of [0, 1]) {
      const { g, e } = gradClause([1, 3], r, 3, 3);
      expectEnds(interval(a[r]), g - e, g + e);
    }
    expect(gradClause([1, 3], 0, 3, 3).g).toBe(0);
  });

  test('σ near its own error: {1, 1 + 2^-20} with dy = 0, the bound is η(2 + 1/(D − |D̂ − D|))(1 + u)', () => {
    // σ = 2^-21, D = 2^-20, H_σ ≈ E_v/σ ≈ 2^-23, so |D̂ − D| ≈ D/4 and 1/(D − |D̂ − D|) ≈ 1.33·2^20 is most of the bound.
    const x = [1, 1 + 2 ** -20];
    const a = referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], x), t([1, 2], [0, 0]));
    const { g, e } = gradClause(x, 0, 0, 0);
    expect(e).toBeGreaterThan(2 ** 20 * eta);
    expectEnds(interval(a[0]), g - e, g + e);
  });

  test('channels [1, 3] and [2, 2, 6, …]: dμ, dσ of channel c are dy[c] and dy[C + c]', () => {
    // Two channels of T = 2: {1, 3} and {2, 6}; dy = [dμ_0, dμ_1, dσ_0, dσ_1] = [1, 2, 3, 4].
    const a = referenceStatsGradient({ kind: 'stats' }, t([1, 2, 2], [1, 3, 2, 6]), t([1, 4], [1, 2, 3, 4]));
    const want = [gradClause([1, 3], 0, 1, 3), gradClause([1, 3], 1, 1, 3), gradClause([2, 6], 0, 2, 4), gradClause([2, 6], 1, 2, 4)];
    want.forEach(({ g, e }, i) => expectEnds(interval(a[i]), g - e, g + e));
  });

  test('subnormal dμ: the η terms of both products are visible', () => {
    const s = 2 ** -140;
    const a = referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], [1, 3]), t([1, 2], [s, 0]));
    const { g, e } = gradClause([1, 3], 0, s, 0);
    expect(e).toBeGreaterThan(2 * eta);
    expectEnds(interval(a[0]), g - e, g + e);
  });

  test('unconstrained: a constant plane (σ = 0), a plane with NaN, and one whose squared deviations may overflow', () => {
    // Each with its reason, naming the clause that leaves it unconstrained (ACC.RANGE: counted and reported).
    const reason = (a: ReturnType<typeof referenceStatsGradient>[number]): string => (a.kind === 'unconstrained' ? a.reason : '');
    const flat = referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], [5, 5]), t([1, 2], [1, 1]));
    expect(flat.map((a) => a.kind)).toEqual(['unconstrained', 'unconstrained']);
    expect(reason(flat[0]!)).toMatch(/ACC\.RANGE/);
    // ACC.RANGE keeps dμ/T as the value it reports.
    expect(flat[0]!.value).toBe(0.5);
    const nan = referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], [NaN, 1]), t([1, 2], [1, 1]));
    expect(nan.map((a) => a.kind)).toEqual(['unconstrained', 'unconstrained']);
    // No gradient at all (STATS.GRAD), not a σ within its error (ACC.RANGE) nor an overflow.
    expect(reason(nan[0]!)).toMatch(/STATS\.GRAD/);
    expect(reason(nan[0]!)).not.toMatch(/ACC\.RANGE|ACC\.OVERFLOW/);
    // {2^127, −2^127}: μ = 0, Σ(|x| + |μ| + e_μ)² ≈ 2^255 ≥ Ω.
    const big = referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], [2 ** 127, -(2 ** 127)]), t([1, 2], [1, 1]));
    expect(big.map((a) => a.kind)).toEqual(['unconstrained', 'unconstrained']);
    expect(reason(big[0]!)).toMatch(/ACC\.OVERFLOW/);
    // {1, 3} is constrained (the three cases above are what leave an element unconstrained).
    expect(referenceStatsGradient({ kind: 'stats' }, t([1, 1, 2], [1, 3]), t([1, 2], [1, 1])).map((a) => a.kind)).toEqual(['interval', 'interval']);
  });
});
