/**
 * The built-in reducer declarations (spec/reducers/, SPEC.md §11) held to their clauses one by one
 * (reports/mutation/summary.md): the research-kind properties compare a correct backend with these declarations,
 * so a wider error model, a wrong selection on a window the generators rarely draw or a lost special case passes
 * them. Each expected value here is worked out by hand from the clause's text, in its comment; the error models'
 * half-widths are the clauses' formulas evaluated beside the test from their own terms (test/helpers/acc-clauses.ts).
 */
import { describe, expect, test } from 'vitest';
import { accepts } from '../../spec/interval.js';
import { BUILTIN_REDUCERS, GEM, LSE, MEDIAN, MIXED, SOFTPOOL, STOCHASTIC, builtinReducer, medianPosition } from '../../spec/reducers/index.js';
import { finiteMax, logFactor, weightError } from '../../spec/reducers/terms.js';
import { HP_MATH as hp } from '../../spec/reference/hpmath.js';
import { reducerAcceptance } from '../../spec/reference/reducer.js';
import { eta, gamma, kappa, u } from '../helpers/acc-clauses.js';

/** |got − want| within 2^-40 of |want| (the f64 evaluation order of a formula), and exactly 0 when want is 0. */
function expectClose(got: number, want: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -40);
}

/** The declaration's 40-digit reference on float32 taps, rounded to f64. */
function ref(decl: typeof MEDIAN, values: number[], params: Record<string, number> = {}): number {
  return hp.toNumber(decl.reference(values.map((v) => hp.of(v)), params, hp));
}

describe('EXP.WEIGHT terms (spec/reducers/terms.ts)', () => {
  test('weightError: w((1 + κ)e^{γ_k|d|} − 1) + η while γ_k|d| < 1', () => {
    for (const [d, k] of [[-2, 1], [-0.5, 2], [0, 1], [-30, 2]] as const) {
      const w = Math.exp(d);
      expectClose(weightError(d, k, false), w * ((1 + kappa) * Math.exp(gamma(k) * -d) - 1) + eta);
    }
    // d = 0, k = 1: the weight is 1 and only exp's κ is left: κ + η.
    expectClose(weightError(0, 1, false), kappa + eta);
  });

  test('weightError: e^{−|d|(1−γ_k)}(1 + κ) + η once γ_k|d| ≥ 1, finite where e^{γ_k|d|} overflows', () => {
    // d = −10^30: e^d and e^{−|d|(1−γ)} are both 0 in f64, so the bound is η; e^{γ|d|} alone is +∞ (0·∞ = NaN).
    expect(weightError(-1e30, 1, false)).toBe(eta);
    // Where the log-domain form matters: k = 2^23 makes γ_k = 2^-1/(1 − 2^-1) = 1, so at d = −3, γ_k|d| = 3 ≥ 1 and
    // the bound is e^{−3·0}(1 + κ) + η = 1 + κ (+ η, below its ulp), not e^-3((1 + κ)e^3 − 1) = 1 + κ − e^-3.
    expect(gamma(2 ** 23)).toBe(1);
    expectClose(weightError(-3, 2 ** 23, false), 1 + kappa);
    // γ_k|d| = 1 exactly (k = 2^23, d = −1) is already the log-domain form: e^0(1 + κ) = 1 + κ, not
    // e^-1((1 + κ)e − 1) = 1 + κ − e^-1.
    expectClose(weightError(-1, 2 ** 23, false), 1 + kappa);
  });

  test('weightError: a weight that may vanish is bounded by w + η; a −∞ tap has none', () => {
    expectClose(weightError(-2, 1, true), Math.exp(-2) + eta);
    // Where e^d is 0 in f64 the bound is η itself (a flushed or lost weight of at most η), not −η.
    expect(weightError(-1000, 1, true)).toBe(eta);
    expect(weightError(-Infinity, 1, false)).toBe(0);
    expect(weightError(-Infinity, 1, true)).toBe(0);
  });

  test('finiteMax: the largest finite tap, −∞ when there is none', () => {
    expect(finiteMax([NaN, 3, Infinity, -Infinity, 5, 4])).toBe(5);
    expect(finiteMax([-3, -2, -7])).toBe(-2);
    expect(finiteMax([Infinity, NaN, -Infinity])).toBe(-Infinity);
    expect(finiteMax([])).toBe(-Infinity);
  });

  test('logFactor: −log(1 − ε), unbounded from ε = 1 on', () => {
    expectClose(logFactor(0.5), Math.LN2);
    expectClose(logFactor(0.75), 2 * Math.LN2);
    expect(logFactor(0)).toBe(0);
    expect(logFactor(1)).toBe(Infinity);
    expect(logFactor(2)).toBe(Infinity);
  });
});

describe('MEDIAN.* (spec/reducers/median.ts)', () => {
  test('MEDIAN.SELECT: rank ⌊(n − 1)/2⌋ in ascending order, ties by scan order, the first NaN wins', () => {
    // [5, 1, 4, 2] sorts 1 (1), 2 (3), 4 (2), 5 (0); rank 1 → position 3.
    expect(medianPosition([5, 1, 4, 2])).toBe(3);
    // Odd n: [3, 9, 7] sorts 3, 7, 9; rank 1 → position 2. n = 1: position 0.
    expect(medianPosition([3, 9, 7])).toBe(2);
    expect(medianPosition([8])).toBe(0);
    // Even n = 2: the smaller, [4, 3] → position 1.
    expect(medianPosition([4, 3])).toBe(1);
    // Ties by scan order: [3, 3, 1] sorts 1 (2), 3 (0), 3 (1) → position 0, not 1.
    expect(medianPosition([3, 3, 1])).toBe(0);
    // −0 = +0, by scan order: [0, −0, 1] → position 1 (−0); [−0, 0, 1] → position 1 (+0).
    expect(medianPosition([0, -0, 1])).toBe(1);
    expect(medianPosition([-0, 0, 1])).toBe(1);
    // ±∞ are ordinary values: [∞, −∞, 2, 5] sorts −∞, 2, 5, ∞ → rank 1 → position 2.
    expect(medianPosition([Infinity, -Infinity, 2, 5])).toBe(2);
    // The first NaN in scan order, wherever the median would be.
    expect(medianPosition([1, NaN, 2, NaN])).toBe(1);
    expect(medianPosition([NaN, 1, 2])).toBe(0);
  });

  test('MEDIAN.SELECT on long windows with many ties (the sort merges runs, comparing taps in both orders)', () => {
    // The selected position computed without sorting: tap i has rank #{j: v_j < v_i} + #{j < i: v_j = v_i}
    // (equal values, −0 = +0, by scan order); the one of rank ⌊(n − 1)/2⌋ is selected.
    const byRank = (v: number[]): number => {
      const want = Math.floor((v.length - 1) / 2);
      return v.findIndex((x, i) => v.filter((y) => y < x).length + v.slice(0, i).filter((y) => y === x).length === want);
    };
    let seed = 12345;
    const next = (): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed; };
    for (const n of [40, 64, 101, 200]) {
      for (let trial = 0; trial < 5; trial++) {
        // Few distinct values (many ties), signed zeros among them, and descending stretches.
        const v = Array.from({ length: n }, (_, i) => (i % 17 < 8 ? 8 - (i % 17) : [0, -0, 1, 2, 3][next() % 5]!));
        expect(medianPosition(v), `n = ${n}, trial ${trial}`).toBe(byRank(v));
      }
    }
  });

  test('special answers every window with the selected tap\'s bits; the 40-digit reference agrees', () => {
    expect(MEDIAN.special([5, 1, 4, 2], {})).toBe(2);
    expect(Object.is(MEDIAN.special([0, -0, 1], {}), -0)).toBe(true);
    expect(MEDIAN.special([1, NaN], {})).toBeNaN();
    expect(ref(MEDIAN, [5, 1, 4, 2])).toBe(2);
    expect(ref(MEDIAN, [3, 9, 7])).toBe(7);
    expect(ref(MEDIAN, [2, 2, 1])).toBe(2);
  });

  test('MEDIAN.ACC and MEDIAN.GRAD: exact, no error allowed', () => {
    expect(MEDIAN.accuracy.forward({ values: [1, 2, 3], params: {}, y: 2 })).toEqual({ halfWidth: 0 });
    expect(MEDIAN.accuracy.gradient?.({ values: [1, 2, 3], params: {}, y: 2, partials: [0, 1, 0] }, 1)).toBe(0);
  });

  test('differentiable where the taps are finite and distinct (−0 and +0 tie)', () => {
    const diff = (v: number[], q: Record<string, number>): boolean | undefined => MEDIAN.traits.differentiable?.(v, q);
    expect(diff([1, 2, 3], {})).toBe(true);
    expect(diff([1, 1, 3], {})).toBe(false);
    expect(diff([0, -0, 3], {})).toBe(false);
    expect(diff([1, Infinity], {})).toBe(false);
  });
});

describe('MIXED.* (spec/reducers/mixed.ts)', () => {
  const lam = (lambda: number): Record<string, number> => ({ lambda });

  test('MIXED.SPECIAL: NaN; λ = 1 is the max (its bits); +∞ with −∞ is NaN; one infinity wins', () => {
    expect(MIXED.special([1, NaN, 2], lam(1))).toBeNaN();
    expect(MIXED.special([1, NaN, 2], lam(0.5))).toBeNaN();
    // λ = 1: the first of the largest taps, even below zero and at a signed zero: [−0, 0] → −0.
    expect(MIXED.special([1, 6, 2], lam(1))).toBe(6);
    expect(MIXED.special([-3, -2, -7], lam(1))).toBe(-2);
    expect(Object.is(MIXED.special([-0, 0], lam(1)), -0)).toBe(true);
    // λ = 1 with both infinities is the max, +∞ (the average's term is absent).
    expect(MIXED.special([Infinity, -Infinity], lam(1))).toBe(Infinity);
    expect(MIXED.special([Infinity, -Infinity], lam(0.5))).toBeNaN();
    expect(MIXED.special([1, Infinity], lam(0.5))).toBe(Infinity);
    expect(MIXED.special([1, -Infinity], lam(0.5))).toBe(-Infinity);
    expect(MIXED.special([1, -Infinity], lam(0))).toBe(-Infinity);
    expect(MIXED.special([1, 2], lam(0.5))).toBeUndefined();
  });

  test('MIXED.DEF in 40 digits', () => {
    // λ = 0.25 over [1, −2, 6]: 0.25·6 + 0.75·(5/3) = 1.5 + 1.25 = 2.75.
    expect(ref(MIXED, [1, -2, 6], lam(0.25))).toBe(2.75);
    // λ = 0 over [1, 2]: the average 1.5; λ = 1 over [−1, −4]: the max −1.
    expect(ref(MIXED, [1, 2], lam(0))).toBe(1.5);
    expect(ref(MIXED, [-1, -4], lam(1))).toBe(-1);
  });

  /** MIXED.ACC: H = u|y| + (1 + u)(u·λ|max| + η + (1 − λ)(γ_2|avg| + (1 + γ_2)e_a) + η), e_a = γ_{n+2}Σ|v|/n + (n + 1)η. */
  function clauseH(values: number[], lambda: number, max: number, avg: number, y: number): number {
    const n = values.length;
    const S = values.reduce((s, v) => s + Math.abs(v), 0);
    const ea = (gamma(n + 2) * S) / n + (n + 1) * eta;
    return u * Math.abs(y) + (1 + u) * (u * lambda * Math.abs(max) + eta + (1 - lambda) * (gamma(2) * Math.abs(avg) + (1 + gamma(2)) * ea) + eta);
  }

  test('MIXED.ACC: the half-width from the clause\'s terms', () => {
    // [1, −2, 6], λ = 0.25: max 6, avg 5/3, Σ|v| = 9, y = 2.75 (above).
    const f = (values: number[], lambda: number, y: number) => MIXED.accuracy.forward({ values, params: lam(lambda), y });
    expectClose(f([1, -2, 6], 0.25, 2.75).halfWidth, clauseH([1, -2, 6], 0.25, 6, 5 / 3, 2.75));
    // The max is the first tap and negative: [−1, −4], λ = 0.75: max −1, avg −2.5, y = −0.75 − 0.625 = −1.375.
    expectClose(f([-1, -4], 0.75, -1.375).halfWidth, clauseH([-1, -4], 0.75, -1, -2.5, -1.375));
    // An all-zero window leaves only the η terms: (1 + u)(η + (1 − λ)(1 + γ_2)·3η + η) for n = 2.
    expectClose(f([0, 0], 0.5, 0).halfWidth, clauseH([0, 0], 0.5, 0, 0, 0));
    expectClose(f([0, 0], 0.5, 0).halfWidth, (1 + u) * (2 * eta + 0.5 * (1 + gamma(2)) * 3 * eta));
    expect(f([1, -2, 6], 0.25, 2.75).mayOverflow).toBe(false);
  });

  test('MIXED.ACC overflow: Σ|v|(1 + γ_{n+2}) ≥ Ω, from M = Ω exactly', () => {
    // n = 3 (γ_5): Σ|v| = 2^127 + (2^127 − 11·2^103) + 5·2^79 = Ω(2^24 − 5)/2^24 = Ω(1 − 5u), so Σ(1 + γ_5) = Ω.
    const omega = 2 ** 128 - 2 ** 103;
    const big = [2 ** 127, 2 ** 127 - 11 * 2 ** 103, 5 * 2 ** 79];
    expect(big.map(Math.fround)).toEqual(big);
    expect((big[0]! + big[1]! + big[2]!) * (1 + gamma(5))).toBe(omega);
    expect(MIXED.accuracy.forward({ values: big, params: lam(0.5), y: 2 ** 126 }).mayOverflow).toBe(true);
    // Signs do not matter (Σ|v|), and one 2^103 step below is not Ω.
    expect(MIXED.accuracy.forward({ values: [-big[0]!, big[1]!, -big[2]!], params: lam(0.5), y: 0 }).mayOverflow).toBe(true);
    const below = [2 ** 127, 2 ** 127 - 12 * 2 ** 103, 5 * 2 ** 79];
    expect(MIXED.accuracy.forward({ values: below, params: lam(0.5), y: 2 ** 126 }).mayOverflow).toBe(false);
  });

  test('MIXED.GRAD: γ_5|∂| + 2η', () => {
    const g = (w: Parameters<NonNullable<typeof MIXED.accuracy.gradient>>[0], r: number): number => MIXED.accuracy.gradient?.(w, r) ?? NaN;
    expectClose(g({ values: [1, 2], params: lam(0.5), y: 1.75, partials: [0.25, -0.75] }, 1), gamma(5) * 0.75 + 2 * eta);
    expectClose(g({ values: [1, 2], params: lam(0.5), y: 1.75, partials: [0.25, 0] }, 1), 2 * eta);
  });

  test('differentiable where the maximum is finite and not tied', () => {
    const diff = (v: number[], q: Record<string, number>): boolean | undefined => MIXED.traits.differentiable?.(v, q);
    expect(diff([1, 2, 6], lam(0.5))).toBe(true);
    expect(diff([6, 2, 6], lam(0.5))).toBe(false);
    expect(diff([1, Infinity], lam(0.5))).toBe(false);
    expect(diff([1, NaN], lam(0.5))).toBe(false);
    // A tie below the maximum does not matter.
    expect(diff([2, 2, 6], lam(0.5))).toBe(true);
  });
});

/** Ω = 2^128 − 2^103, the float32 overflow threshold (ACC.OVERFLOW). */
const OMEGA = 2 ** 128 - 2 ** 103;

/**
 * EXP.WEIGHT's bound on one weight ŵ = fl(exp(d̂)), d̂ = d(1 + θ), |θ| ≤ γ_k: w((1 + κ)e^{γ_k|d|} − 1) + η, through
 * e^{−|d|(1−γ_k)}(1 + κ) + η once γ_k|d| ≥ 1, and w + η where the difference may overflow to −∞ (`vanish`).
 * A −∞ tap's weight is e^{−∞} = 0 in every order (SOFT.SPECIAL, LSE.SPECIAL): no error.
 */
function weightClause(d: number, k: number, vanish: boolean): number {
  if (d === -Infinity) return 0;
  const w = Math.exp(d);
  if (vanish) return w + eta;
  const g = gamma(k);
  return g * -d >= 1 ? Math.exp(d * (1 - g)) * (1 + kappa) + eta : w * ((1 + kappa) * Math.exp(g * -d) - 1) + eta;
}

/** The exact weights w_r = e^{ρ(v_r − m)} of EXP.WEIGHT (m the largest finite tap) and their bounds, k roundings. */
function weights(values: number[], rho: number, k: number): { w: number[]; err: number[] } {
  const m = Math.max(...values.filter(Number.isFinite));
  const w = values.map((v) => Math.exp(rho * (v - m)));
  // The difference (and its product by ρ) may round to −∞ where |v − m|·max(1, ρ) may reach Ω.
  const err = values.map((v) => weightClause(rho * (v - m), k, Math.abs(v - m) * Math.max(1, rho) * (1 + gamma(k)) >= OMEGA));
  return { w, err };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('SOFT.* (spec/reducers/softpool.ts)', () => {
  /**
   * SOFT.ACC: E_W = Σerr_w(1 + γ_{n−1}) + γ_{n−1}W; A = Σw|v|; E_N = Σ|v|err_w(1 + γ_n) + γ_n·A + nη;
   * H = (E_N + |y|E_W)/(W − E_W)·(1 + u) + u|y| + η; overflow where (A + E_N)(1 + γ_n) ≥ Ω.
   * −∞ taps weigh 0 exactly and are left out of A and E_N (SOFT.SPECIAL), though they count in n.
   */
  function clause(values: number[], y: number): { H: number; overflow: boolean } {
    const n = values.length;
    const { w, err } = weights(values, 1, 1);
    const fin = values.map((v) => Number.isFinite(v));
    const W = sum(w);
    const EW = sum(err) * (1 + gamma(n - 1)) + gamma(n - 1) * W;
    const A = sum(values.map((v, r) => (fin[r] ? w[r]! * Math.abs(v) : 0)));
    const EN = sum(values.map((v, r) => (fin[r] ? Math.abs(v) * err[r]! : 0))) * (1 + gamma(n)) + gamma(n) * A + n * eta;
    const H = ((EN + Math.abs(y) * EW) / (W - EW)) * (1 + u) + u * Math.abs(y) + eta;
    return { H, overflow: (A + EN) * (1 + gamma(n)) >= OMEGA };
  }
  const forward = (values: number[], y: number) => SOFTPOOL.accuracy.forward({ values, params: {}, y });

  test('SOFT.SPECIAL and SOFT.DEF', () => {
    expect(SOFTPOOL.special([1, NaN, Infinity], {})).toBeNaN();
    expect(SOFTPOOL.special([1, Infinity, -Infinity], {})).toBe(Infinity);
    expect(SOFTPOOL.special([-Infinity, -Infinity], {})).toBe(-Infinity);
    expect(SOFTPOOL.special([-Infinity, 2], {})).toBeUndefined();
    // [0, 1, −2]: Σ e^v·v / Σ e^v = (e − 2e^-2)/(1 + e + e^-2).
    const e = Math.E;
    expectClose(ref(SOFTPOOL, [0, 1, -2]), (e - 2 * e ** -2) / (1 + e + e ** -2));
    // −∞ weighs nothing: [−∞, 1, 2] = (e^1·1 + e^2·2)/(e^1 + e^2).
    expectClose(ref(SOFTPOOL, [-Infinity, 1, 2]), (e + 2 * e * e) / (e + e * e));
  });

  test('SOFT.ACC: the half-width from the clause\'s terms', () => {
    const e = Math.E;
    for (const [values, y] of [
      [[0, 1, -2], (e - 2 * e ** -2) / (1 + e + e ** -2)],
      [[3, 3], 3],
      [[-5, 40, 39.5, -1], ref(SOFTPOOL, [-5, 40, 39.5, -1])],
      [[0, 0], 0],
    ] as [number[], number][]) {
      const got = forward(values, y);
      expectClose(got.halfWidth, clause(values, y).H);
      expect(got.mayOverflow).toBe(false);
    }
  });

  test('a −∞ tap is left out of the bound: the window stays constrained (was unconstrained: 0·∞ = NaN)', () => {
    const e = Math.E;
    const y = (e + 2 * e * e) / (e + e * e);
    const got = forward([-Infinity, 1, 2], y);
    expect(Number.isFinite(got.halfWidth)).toBe(true);
    expectClose(got.halfWidth, clause([-Infinity, 1, 2], y).H);
    // Through the reference: an interval about y, and a kernel 2^-12 off (relative) is not in it.
    const a = reducerAcceptance(SOFTPOOL, [-Infinity, 1, 2], {});
    expect(a.kind).toBe('interval');
    expect(accepts(a, Math.fround(y))).toBe(true);
    expect(accepts(a, Math.fround(y * (1 + 2 ** -12)))).toBe(false);
  });

  test('EXP.WEIGHT inside SOFT.ACC: a difference that may overflow loses its weight whole', () => {
    // [MAX32, −MAX32]: x − m = −2·MAX32 overflows in float32 (|d|(1 + u) ≥ Ω): that weight's bound is w + η = η.
    const MAX = (2 - 2 ** -23) * 2 ** 127;
    const got = forward([MAX, -MAX], MAX);
    expectClose(got.halfWidth, clause([MAX, -MAX], MAX).H);
    // A = MAX32: (A + E_N)(1 + γ_2) ≥ Ω, so ±∞ and NaN are accepted; at 2^126 they are not.
    expect(got.mayOverflow).toBe(true);
    expect(clause([MAX, -MAX], MAX).overflow).toBe(true);
    expect(forward([2 ** 126, 0], 2 ** 126).mayOverflow).toBe(false);
  });

  /**
   * SOFT.GRAD: ∂y/∂v_r = p_r(1 + v_r − y), p_r = w_r/W. e_p = (err_w,r + p_r·E_W)/(W − E_W)·(1 + u) + u·p_r + η,
   * e_q = H(1 + u) + γ_2(1 + |v_r| + |y| + H), bound e_p(|q| + e_q) + p_r·e_q + u(p_r + e_p)(|q| + e_q) + η.
   */
  test('SOFT.GRAD: the partial\'s bound from the clause\'s terms', () => {
    for (const [values, y] of [[[0, 1, -2], (Math.E - 2 * Math.E ** -2) / (1 + Math.E + Math.E ** -2)], [[0, -1000], 0]] as [number[], number][]) {
      // [0, −1000]: the second weight is 0 in f64 with error η, so at that tap p = 0, e_p ≈ 2η and the bound is
      // about 2η·999 + η: both η terms are visible.
      const n = values.length;
      const { w, err } = weights(values, 1, 1);
      const W = sum(w);
      const EW = sum(err) * (1 + gamma(n - 1)) + gamma(n - 1) * W;
      const H = clause(values, y).H;
      for (let r = 0; r < n; r++) {
        const p = w[r]! / W;
        const q = 1 + values[r]! - y;
        const ep = ((err[r]! + p * EW) / (W - EW)) * (1 + u) + u * p + eta;
        const eq = H * (1 + u) + gamma(2) * (1 + Math.abs(values[r]!) + Math.abs(y) + H);
        const want = ep * (Math.abs(q) + eq) + p * eq + u * (p + ep) * (Math.abs(q) + eq) + eta;
        expectClose(SOFTPOOL.accuracy.gradient!({ values, params: {}, y, partials: [] }, r), want);
      }
    }
  });

  test('survivors of the Stryker run (reports/mutation/summary.md)', () => {
    // The reference shifts by the largest tap: over [0, 10^30] the weights are e^{−10^30} (0 even in 40 digits)
    // and 1, so y = 10^30 (as float32); shifting by the smallest tap instead needs e^{10^30}, beyond the range.
    const big = Math.fround(1e30);
    expect(ref(SOFTPOOL, [0, big])).toBe(big);
    // ACC.OVERFLOW's (1 + γ_n): one tap v = 2^128 − 12·2^103 (n = 1, w = 1, err_w = κ + η): A = v and
    // E_N = v(κ + η)(1 + γ_1) + γ_1·v + η, so (A + E_N)(1 + γ_1) ≈ v(1 + 6u) ≥ Ω while v(1 + 4u) < Ω.
    const v = 2 ** 128 - 12 * 2 ** 103;
    expect(Math.fround(v)).toBe(v);
    expect(clause([v], v).overflow).toBe(true);
    expect(forward([v], v).mayOverflow).toBe(true);
    // Two float32 steps lower, v(1 + 6u) < Ω: no overflow.
    const w = 2 ** 128 - 16 * 2 ** 103;
    expect(clause([w], w).overflow).toBe(false);
    expect(forward([w], w).mayOverflow).toBe(false);
  });

  test('differentiable on finite windows', () => {
    expect(SOFTPOOL.traits.differentiable!([1, -2], {})).toBe(true);
    expect(SOFTPOOL.traits.differentiable!([1, -Infinity], {})).toBe(false);
  });
});

describe('LSE.* (spec/reducers/lse.ts)', () => {
  /**
   * LSE.ACC: E_S as E_W with k = 2; ε_z = (1 + E_S/S)(1 + γ_2) − 1; ℓ = log(S/n), |ℓ̂ − ℓ| ≤ −log(1 − ε_z)(1 + κ) + κ|ℓ|;
   * L = ℓ/r, e_L = |ℓ̂ − ℓ|/r·(1 + γ_2) + γ_2|L| + η; H = e_L(1 + u) + u|y|; overflow where |L| + e_L ≥ Ω.
   */
  function clause(values: number[], r: number, y: number): { H: number; overflow: boolean; S: number; ES: number; w: number[]; err: number[] } {
    const n = values.length;
    const { w, err } = weights(values, r, 2);
    const S = sum(w);
    const ES = sum(err) * (1 + gamma(n - 1)) + gamma(n - 1) * S;
    const ez = (1 + ES / S) * (1 + gamma(2)) - 1;
    const ell = Math.log(S / n);
    const eEll = -Math.log(1 - ez) * (1 + kappa) + kappa * Math.abs(ell);
    const L = ell / r;
    const eL = (eEll / r) * (1 + gamma(2)) + gamma(2) * Math.abs(L) + eta;
    return { H: eL * (1 + u) + u * Math.abs(y), overflow: Math.abs(L) + eL >= OMEGA, S, ES, w, err };
  }
  const forward = (values: number[], r: number, y: number) => LSE.accuracy.forward({ values, params: { r }, y });

  test('LSE.SPECIAL and LSE.DEF', () => {
    expect(LSE.special([1, NaN, Infinity], { r: 1 })).toBeNaN();
    expect(LSE.special([1, Infinity, -Infinity], { r: 1 })).toBe(Infinity);
    expect(LSE.special([-Infinity, -Infinity], { r: 1 })).toBe(-Infinity);
    expect(LSE.special([-Infinity, 2], { r: 1 })).toBeUndefined();
    // r = 2 over [0, 1]: (1/2)·log((1 + e^2)/2). With a −∞ tap (counts in n): [−∞, 1], r = 1: 1 + log(1/2).
    expectClose(ref(LSE, [0, 1], { r: 2 }), 0.5 * Math.log((1 + Math.E ** 2) / 2));
    expectClose(ref(LSE, [-Infinity, 1], { r: 1 }), 1 - Math.LN2);
  });

  test('LSE.ACC: the half-width from the clause\'s terms', () => {
    for (const [values, r] of [[[0, 1], 2], [[-Infinity, 1], 1], [[5, -3, 4.5], 0.5], [[7, 7, 7], 10], [[-100, 100], 2 ** -10]] as [number[], number][]) {
      const y = ref(LSE, values, { r });
      const got = forward(values, r, y);
      const want = clause(values, r, y);
      expectClose(got.halfWidth, want.H);
      expect(got.mayOverflow).toBe(false);
    }
  });

  test('LSE.ACC overflow: L = ℓ/r beyond Ω for a tiny r', () => {
    // [0, −∞]: the −∞ tap weighs 0 but counts in n, so ℓ = log(1/2) and |L| = ln 2/r: for r = 2^-149 that is
    // about 0.69·2^149, far beyond Ω; for r = 2^-10 about 710, nowhere near it.
    const tiny = 2 ** -149;
    expect(clause([0, -Infinity], tiny, 0).overflow).toBe(true);
    expect(forward([0, -Infinity], tiny, -Math.LN2 / tiny).mayOverflow).toBe(true);
    expect(forward([0, -Infinity], 2 ** -10, -Math.LN2 * 2 ** 10).mayOverflow).toBe(false);
  });

  test('LSE.GRAD: (err_w,r + p_r·E_S)/(S − E_S)·(1 + u) + u·p_r + η', () => {
    const values = [5, -3, 4.5];
    const y = ref(LSE, values, { r: 0.5 });
    const t = clause(values, 0.5, y);
    for (let r = 0; r < values.length; r++) {
      const p = t.w[r]! / t.S;
      expectClose(LSE.accuracy.gradient!({ values, params: { r: 0.5 }, y, partials: [] }, r), ((t.err[r]! + p * t.ES) / (t.S - t.ES)) * (1 + u) + u * p + eta);
    }
  });

  test('survivors of the Stryker run (reports/mutation/summary.md)', () => {
    const MAX = (2 - 2 ** -23) * 2 ** 127;
    const tiny = 2 ** -149;
    // EXP.WEIGHT's vanishing weight for r < 1: |v − m| = 2^128 − 3·2^103 lies in [Ω/(1 + γ_2), Ω), so the rounded
    // difference may overflow to −∞, while r·(v − m) ≈ −2^-21 keeps the exact weight near 1: its bound is w + η ≈ 1,
    // not w·((1 + κ)e^{γ_2|d|} − 1) ≈ κ.
    const near = [2 ** 127, -(2 ** 127 - 3 * 2 ** 103)];
    expect(near.map(Math.fround)).toEqual(near);
    const yNear = ref(LSE, near, { r: tiny });
    expectClose(forward(near, tiny, yNear).halfWidth, clause(near, tiny, yNear).H);
    // The same window at |v − m| = 2^128 − 8·2^103, below Ω/(1 + γ_2): no vanishing, a much smaller bound.
    const far = [2 ** 127, -(2 ** 127 - 8 * 2 ** 103)];
    const yFar = ref(LSE, far, { r: tiny });
    expectClose(forward(far, tiny, yFar).halfWidth, clause(far, tiny, yFar).H);
    expect(forward(far, tiny, yFar).halfWidth).toBeLessThan(forward(near, tiny, yNear).halfWidth / 2 ** 20);
    // e_L's η: over [0, 0] with r = MAX32, ℓ = 0 and |ℓ̂ − ℓ|/r is about 2η, so η is a third of e_L.
    expectClose(forward([0, 0], MAX, 0).halfWidth, clause([0, 0], MAX, 0).H);
    // The reference shifts by the largest tap: over [0, 1] with r = MAX32 the unshifted e^{r·1} is beyond even
    // 40-digit range, while the shifted sum is 1 + e^{−MAX32} = 1: y = 1 − ln 2/MAX32, 1 in f64.
    expect(ref(LSE, [0, 1], { r: MAX })).toBe(1);
    // ACC.OVERFLOW through e_L alone: eight zeros with r = 2^-149: L = 0, e_L ≈ 13u/r ≈ 1.6·2^128 ≥ Ω.
    const zeros = [0, 0, 0, 0, 0, 0, 0, 0];
    expect(clause(zeros, tiny, 0).overflow).toBe(true);
    expect(forward(zeros, tiny, 0).mayOverflow).toBe(true);
    // LSE.GRAD's η: [0, −1] with r = 1000, the second weight is e^-1000 = 0 in f64 and its error η, so p = 0 and
    // the bound is η/(S − E_S)·(1 + u) + η ≈ 2η.
    const t = clause([0, -1], 1000, 0);
    expectClose(LSE.accuracy.gradient?.({ values: [0, -1], params: { r: 1000 }, y: 0, partials: [] }, 1) ?? NaN, ((t.err[1]! + 0) / (t.S - t.ES)) * (1 + u) + eta);
    // No bound once E_S ≥ S: 5000 taps that may vanish (near weights ≈ 1 each, errors ≈ 1 each) beside the max.
    const wide = [2 ** 127, ...Array.from({ length: 5000 }, () => near[1]!)];
    const tw = clause(wide, tiny, 0);
    expect(tw.ES).toBeGreaterThanOrEqual(tw.S);
    expect(LSE.accuracy.gradient?.({ values: wide, params: { r: tiny }, y: 0, partials: [] }, 0)).toBe(Infinity);
  });

  test('differentiable on finite windows', () => {
    expect(LSE.traits.differentiable!([1, -2], { r: 1 })).toBe(true);
    expect(LSE.traits.differentiable!([1, -Infinity], { r: 1 })).toBe(false);
  });
});

describe('GEM.* (spec/reducers/gem.ts)', () => {
  /**
   * GEM.ACC's upper end: m = s/n, m̂ ≤ m(1 + κ)(1 + γ_{n′−1})(1 + γ_2) + (2n′ + 1)η, the root with κ and the factor
   * e^{u|ln m̂|/p} for fl(1/p), then η. Returns that end and the lower m̂ end; for the tests' moderate m no logs are needed.
   */
  function clauseHi(values: number[], p: number): { hi: number; mLo: number; spread: number } {
    const n = values.length;
    const nz = values.filter((v) => v !== 0).length;
    const m = values.reduce((a, v) => a + v ** p, 0) / n;
    const a = (2 * nz + 1) * eta;
    const mHi = m * (1 + kappa) * (1 + gamma(nz - 1)) * (1 + gamma(2)) + a;
    const mLo = m * (1 - kappa) * (1 - gamma(nz - 1)) * (1 - gamma(2)) - a;
    const spread = (u * Math.max(Math.abs(Math.log(mHi)), Math.abs(Math.log(mLo)))) / p;
    return { hi: mHi ** (1 / p) * (1 + kappa) * Math.exp(spread) + eta, mLo, spread };
  }

  test('GEM.SPECIAL and GEM.DEF', () => {
    expect(GEM.special([1, NaN], { p: 2 })).toBeNaN();
    expect(GEM.special([1, -1], { p: 2 })).toBeNaN();
    expect(GEM.special([-Infinity, 1], { p: 2 })).toBeNaN();
    expect(GEM.special([1, Infinity], { p: 2 })).toBe(Infinity);
    expect(Object.is(GEM.special([0, 0], { p: 2 }), 0)).toBe(true);
    expect(GEM.special([0, 1], { p: 2 })).toBeUndefined();
    expect(GEM.special([-0, 1], { p: 2 })).toBeUndefined();
    // [3, 4], p = 2: √12.5; [0, 4], p = 0.5: ((0 + 2)/2)² = 1; [1, 2, 0], p = 3: 3^(1/3).
    expectClose(ref(GEM, [3, 4], { p: 2 }), Math.sqrt(12.5));
    expectClose(ref(GEM, [0, 4], { p: 0.5 }), 1);
    expectClose(ref(GEM, [1, 2, 0], { p: 3 }), Math.cbrt(3));
  });

  test('GEM.ACC: the upper end from the clause, the lower end at least as wide as the clause\'s', () => {
    for (const [values, p, y] of [[[3, 4], 2, Math.sqrt(12.5)], [[1, 2, 0], 3, Math.cbrt(3)], [[5, 0.25, 7, 2], 0.5, ref(GEM, [5, 0.25, 7, 2], { p: 0.5 })]] as [number[], number, number][]) {
      const { hi, mLo, spread } = clauseHi(values, p);
      const H = GEM.accuracy.forward({ values, params: { p }, y }).halfWidth;
      // The clause's lower end: mLo^{1/p}(1 − κ)e^{−spread} − η; the model may take it a hair lower (second order).
      const lo = mLo ** (1 / p) * (1 - kappa) * Math.exp(-spread) - eta;
      // hi − y and y − lo cancel: allow a few f64 ulps of y for the order of evaluation.
      const ulps = Math.abs(y) * 2 ** -48;
      expect(H).toBeGreaterThanOrEqual(hi - y - ulps);
      expect(H).toBeGreaterThanOrEqual(y - lo - ulps);
      expect(H).toBeLessThanOrEqual(Math.max(hi - y, (y - lo) * (1 + 2 ** -20)) + ulps);
    }
  });

  test('GEM.ACC overflow: s(1 + κ)(1 + γ_{n′−1}) ≥ Ω', () => {
    expect(GEM.accuracy.forward({ values: [2 ** 127, 2 ** 127], params: { p: 1 }, y: 2 ** 127 }).mayOverflow).toBe(true);
    expect(GEM.accuracy.forward({ values: [2 ** 126, 2 ** 126], params: { p: 1 }, y: 2 ** 126 }).mayOverflow).toBe(false);
  });

  test('GEM.GRAD: |∂|ρ + 4η, 0 at a zero tap, unbounded outside the normal range', () => {
    const values = [3, 4];
    const y = Math.sqrt(12.5);
    const H = GEM.accuracy.forward({ values, params: { p: 2 }, y }).halfWidth;
    // δ_y from the forward's set: H/y on both sides here (the half-width is symmetric about y).
    const dy = H / y;
    const rhoY = Math.max(Math.abs((1 + dy) ** -1 - 1), Math.abs((1 - dy) ** -1 - 1));
    const rho = (1 + kappa) ** 2 * (1 + u) ** 6 * (1 + rhoY) - 1;
    const partials = [3 / (2 * y), 4 / (2 * y)];
    const got = GEM.accuracy.gradient?.({ values, params: { p: 2 }, y, partials }, 1) ?? NaN;
    // δ_y of the model is max(hi/y − 1, 1 − lo/y) ≤ H/y: the bound is at most the one from H/y, and close to it.
    expect(got).toBeLessThanOrEqual((partials[1]! * rho + 4 * eta) * (1 + 2 ** -30));
    expect(got).toBeGreaterThanOrEqual(partials[1]! * ((1 + kappa) ** 2 * (1 + u) ** 6 - 1) + 4 * eta);
    expect(GEM.accuracy.gradient?.({ values: [0, 4], params: { p: 2 }, y: Math.sqrt(8), partials: [0, 1] }, 0)).toBe(0);
    // A tap of 2^-100 with p = 3: |x|^{p−1} = 2^-200 is below the normal range: no finite bound.
    expect(GEM.accuracy.gradient?.({ values: [2 ** -100, 1], params: { p: 3 }, y: 0.5 ** (1 / 3), partials: [0, 1] }, 0)).toBe(Infinity);
  });

  /**
   * GEM.ACC's whole interval from the clause: m = s/n from the taps, m̂ ∈ [m(1 − κ)(1 − γ_{n′−1})(1 − γ_2) − a,
   * m(1 + κ)(1 + γ_{n′−1})(1 + γ_2) + a], a = (2n′ + 1)η; the root's κ and e^{±u|ln m̂|/p} (|ln m̂| at its larger
   * end; only the upper end where the lower end of m̂ is ≤ 0, where y's lower end is 0: y ≥ 0), then η.
   */
  function clauseEnds(values: number[], p: number): { lo: number; hi: number } {
    const n = values.length;
    const nz = values.filter((v) => v !== 0).length;
    const m = values.reduce((acc, v) => acc + v ** p, 0) / n;
    const a = (2 * nz + 1) * eta;
    const mHi = m * (1 + kappa) * (1 + gamma(nz - 1)) * (1 + gamma(2)) + a;
    const mLo = m * (1 - kappa) * (1 - gamma(nz - 1)) * (1 - gamma(2)) - a;
    const spread = (u * Math.max(Math.abs(Math.log(mHi)), mLo > 0 ? Math.abs(Math.log(mLo)) : 0)) / p;
    const hi = mHi ** (1 / p) * (1 + kappa) * Math.exp(spread) + eta;
    const lo = mLo > 0 ? Math.max(0, mLo ** (1 / p) * (1 - kappa) * Math.exp(-spread) - eta) : 0;
    return { lo, hi };
  }

  /**
   * The model's half-width against the clause's max(hi − y, y − lo): never narrower (beyond 2^-40·y of f64
   * evaluation through logarithms), and wider by at most 2^-20 of it (the model's second-order looseness: its lower
   * root factor 2 − (1 + κ)e^s instead of (1 − κ)e^{−s}, and |ln m| instead of |ln m̂_hi| in the spread where m̂'s
   * lower end is ≤ 0, about 2^-23 in the first case below).
   */
  function expectForward(values: number[], p: number, y: number): void {
    const { lo, hi } = clauseEnds(values, p);
    const want = Math.max(hi - y, y - lo);
    const H = GEM.accuracy.forward({ values, params: { p }, y }).halfWidth;
    expect(H).toBeGreaterThanOrEqual(want - y * 2 ** -40);
    expect(H).toBeLessThanOrEqual(want * (1 + 2 ** -20) + y * 2 ** -40);
  }

  /**
   * GEM.GRAD's bound for tap r: |∂|ρ + 4η, ∂ = (1/n)(x_r/y)^{p−1}, ρ = (1 + κ)²(1 + u)^{5+|p−1|}(1 + ρ_y) − 1,
   * ρ_y = max(|(1 + δ_y)^{1−p} − 1|, |(1 − δ_y)^{1−p} − 1|) with δ_y = max(hi/y − 1, 1 − lo/y) from the clause's
   * forward interval; y's interval stops at 0 (y ≥ 0), so 1 − δ_y is taken as 0 where δ_y > 1.
   */
  function clauseGradient(values: number[], p: number, y: number, r: number): { partials: number[]; bound: number } {
    const n = values.length;
    const partials = values.map((x) => (1 / n) * (x / y) ** (p - 1));
    const { lo, hi } = clauseEnds(values, p);
    const dy = Math.max(hi / y - 1, 1 - lo / y);
    const rhoY = Math.max(Math.abs((1 + dy) ** (1 - p) - 1), Math.abs(Math.max(0, 1 - dy) ** (1 - p) - 1));
    const rho = (1 + kappa) ** 2 * (1 + u) ** (5 + Math.abs(p - 1)) * (1 + rhoY) - 1;
    return { partials, bound: Math.abs(partials[r]!) * rho + 4 * eta };
  }

  function gradient(values: number[], p: number, y: number, r: number, partials: number[]): number {
    return GEM.accuracy.gradient?.({ values, params: { p }, y, partials }, r) ?? NaN;
  }

  /**
   * The model's gradient bound against the clause's: not narrower beyond 2^-28 of it (δ_y = hi/y − 1 cancels: the
   * f64 rounding of y and hi, 2^-53, is up to 2^-32 of a δ_y of 2^-21), wider by at most 2^-20 (as the forward).
   */
  function expectGradient(values: number[], p: number, y: number, r: number): void {
    const { partials, bound } = clauseGradient(values, p, y, r);
    expect(Number.isFinite(bound)).toBe(true);
    const got = gradient(values, p, y, r, partials);
    expect(got).toBeGreaterThanOrEqual(bound * (1 - 2 ** -28));
    expect(got).toBeLessThanOrEqual(bound * (1 + 2 ** -20));
  }

  test('survivors of the Stryker run: GEM.ACC\'s η terms and its lower end (reports/mutation/summary.md)', () => {
    // The upper end, with a = (2n′ + 1)η dominant: [2^-149, 2^-149], p = 1: m = 2^-149 = 2η and a = 5η, so
    // m̂ ∈ [0, 3.5m(1 + …)] and ŷ ∈ [0, 3.5y + η] = [0, 4y]: H = 3y (a·m instead of a/m, 3η or 2η instead of 5η, or
    // −η instead of +η on the root each give 2y or less; −a gives a negative m̂ end).
    const tiny = [2 ** -149, 2 ** -149];
    expectForward(tiny, 1, 2 ** -149);
    expect(GEM.accuracy.forward({ values: tiny, params: { p: 1 }, y: 2 ** -149 }).halfWidth).toBeGreaterThan(2.99 * 2 ** -149);
    // The lower end, where it is the wider one: for p > 1 the root is concave, so a relative spread A of m̂ moves y
    // down by 1 − (1 − A)^{1/p}, more than up by (1 + A)^{1/p} − 1. [2^-70, 2^-70], p = 2: m = 2^-140, A = a/m
    // = 5·2^-10, the lower side wider than the upper by about A²/4·y ≈ 2^-17·y; each of the lower end's factors
    // (κ, γ_1, γ_2, a, the root's κ and spread) moves it by 2^-25·y or more.
    expectForward([2 ** -70, 2 ** -70], 2, 2 ** -70);
    // The root's η on the lower end: [2^-128, 2^-128] (subnormal), p = 1.125: m = 2^-144, A = 5/64, the lower side
    // wider by about 6·10^-4·y, and η = 2^-22·y.
    expectForward([2 ** -128, 2 ** -128], 1.125, 2 ** -128);
  });

  test('survivors of the Stryker run: GEM.ACC\'s overflow test on both sides of its boundary', () => {
    // p = 1, two taps: s(1 + κ)(1 + γ_1) ≥ Ω ⟺ s ≥ Ω(1 − κ − u + …) ≈ 2^128 − 11·2^103. s = 2^128 − 8·2^103
    // (taps 2^127 and 2^127 − 2^106) is above it: (1 + κ)(1 + γ_1)s ≈ 2^128 + 2^104, while (1 + κ)/(1 + γ_1) or
    // (1 + κ)(1 − γ_1) would give 2^128 − 2^104 − … < Ω. s = 2^128 − 12·2^103 is below it.
    const omega = 2 ** 128 - 2 ** 103;
    const over = [2 ** 127, 2 ** 127 - 2 ** 106];
    const under = [2 ** 127 - 2 ** 105, 2 ** 127 - 2 ** 106];
    for (const [values, want] of [[over, true], [under, false]] as const) {
      expect(values.map(Math.fround)).toEqual(values);
      const s = values[0]! + values[1]!;
      expect(s * (1 + kappa) * (1 + gamma(1)) >= omega).toBe(want);
      expect(GEM.accuracy.forward({ values: [...values], params: { p: 1 }, y: s / 2 }).mayOverflow).toBe(want);
    }
  });

  test('survivors of the Stryker run: GEM.GRAD\'s ρ_y, ρ, η and ACC.RANGE (reports/mutation/summary.md)', () => {
    // [2^-70, 2^-70], p = 2: δ_y is the forward's lower side (the wider one, above), ρ_y = δ_y/(1 − δ_y) from the
    // (1 − δ_y) side; the bound is about 2^-10 of the partial 1/2, and the (1 + u)^{6} factor is 2^-14 of it.
    expectGradient([2 ** -70, 2 ** -70], 2, 2 ** -70, 0);
    // [2^-63, 1], p = 3, tap 0: x² = 2^-126 exactly (the normal range includes its end), (x/y)² ≈ 2^-125.3; the
    // partial ≈ 2^-126.3 and ρ ≈ 2^-19, so |∂|ρ ≈ 2^-145.4 and 4η = 2^-148 is a sixth of the bound.
    const y3 = Math.cbrt(0.5);
    expectGradient([2 ** -63, 1], 3, y3, 0);
    expectGradient([2 ** -63, 1], 3, y3, 1);
    // [2^-50, 1], p = 2, tap 0: x and x/y ≈ 2^-49.5 are in range (x³ and (x/y)³ would not be).
    expectGradient([2 ** -50, 1], 2, Math.sqrt((2 ** -100 + 1) / 2), 0);
    // [MAX32, MAX32], p = 2: y, x, y and x/y = 1 are all in range, MAX32 itself included: a finite bound.
    const MAX = (2 - 2 ** -23) * 2 ** 127;
    expectGradient([MAX, MAX], 2, MAX, 0);
    // [2^100, 2^100], p = 3: x² = 2^200 is beyond float32: no bound.
    expect(gradient([2 ** 100, 2 ** 100], 3, 2 ** 100, 0, [0.5, 0.5])).toBe(Infinity);
    // δ_y > 1: 16 385 ones with p = 2^-10: γ_16384 ≈ 2^-10, so the forward's upper end is about e·y, δ_y ≈ 1.72;
    // y's interval reaches 0, where y^{1−p} changes by 1, while (1 + δ_y)^{1−p} − 1 ≈ 1.72 is the larger change.
    const ones = new Array<number>(16385).fill(1);
    expect(clauseEnds(ones, 2 ** -10).hi).toBeGreaterThan(2.5);
    expectGradient(ones, 2 ** -10, 1, 0);
  });

  test('differentiable where every tap is finite and > 0', () => {
    expect(GEM.traits.differentiable?.([1, 2], { p: 2 })).toBe(true);
    expect(GEM.traits.differentiable?.([0, 2], { p: 2 })).toBe(false);
    expect(GEM.traits.differentiable?.([1, Infinity], { p: 2 })).toBe(false);
  });
});

describe('the built-in kinds by name (spec/reducers/index.ts)', () => {
  test('each §11 kind by its name, stochastic apart from the table; no other name, inherited ones included', () => {
    // REDUCER.SPEC: kind = the reducer's name. §11.3's five kinds and §11.4's stochastic pooling.
    expect(Object.keys(BUILTIN_REDUCERS).sort()).toEqual(['gem', 'lse', 'median', 'mixed', 'softpool']);
    for (const decl of [GEM, SOFTPOOL, LSE, MEDIAN, MIXED, STOCHASTIC]) expect(builtinReducer(decl.name)).toBe(decl);
    expect(STOCHASTIC.name).toBe('stochastic');
    // Names an object has without declaring them (Object.prototype's) and kinds that are not reducers: PARAM.KIND.
    for (const kind of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'max', 'avg', 'lp', 'stats', '']) {
      expect(builtinReducer(kind)).toBeUndefined();
    }
  });
});
