/**
 * spec/reducers/stochastic.ts: STOCH.RNG's vectors, STOCH.SELECT on hand-worked windows, and the inference
 * declaration (STOCH.INFER, STOCH.INFER_SPECIAL, STOCH.INFER_ACC's half-width and overflow test, STOCH.INFER_GRAD's
 * bound) evaluated beside it from the clauses' own terms (u = 2^-24, η = 2^-150, Ω = 2^128 − 2^103, γ_n = nu/(1 − nu)).
 * Fixed cases only, so that Stryker can afford it per mutant.
 */
import { describe, expect, test } from 'vitest';
import { HP_MATH } from '../../spec/reference/hpmath.js';
import { MAX_SEED, STOCHASTIC, UNIFORM_STEPS, stochasticPosition, uniformBits } from '../../spec/reducers/stochastic.js';

const u = 2 ** -24;
const eta = 2 ** -150;
const OMEGA = 2 ** 128 - 2 ** 103;
const gamma = (n: number): number => (n <= 0 ? 0 : (n * u) / (1 - n * u));
const infer = { training: 0, seed: 0 };

describe('STOCH.RNG and STOCH.SEED', () => {
  test('SPEC.md\'s vectors: seed 0 at (0, 0, 0) → U = 3661175; seed 7 at (1, 2, 3) → U = 9575784', () => {
    expect(uniformBits(0, 0, 0, 0)).toBe(0x37dd7702 >>> 8);
    expect(uniformBits(0, 0, 0, 0)).toBe(3661175);
    expect(uniformBits(7, 1, 2, 3)).toBe(0x921d682a >>> 8);
  });

  test('U is a 24-bit integer; distinct outputs of a plane draw distinct words; n, c and o each matter', () => {
    const seen = new Set<number>();
    for (let o = 0; o < 64; o++) {
      const U = uniformBits(5, 1, 1, o);
      expect(Number.isInteger(U)).toBe(true);
      expect(U).toBeGreaterThanOrEqual(0);
      expect(U).toBeLessThan(2 ** 24);
      seen.add(U);
    }
    expect(seen.size).toBeGreaterThan(60);
    const base = uniformBits(MAX_SEED, 3, 4, 5);
    expect(uniformBits(MAX_SEED, 4, 3, 5)).not.toBe(base);
    expect(uniformBits(MAX_SEED, 3, 4, 6)).not.toBe(base);
    expect(uniformBits(MAX_SEED - 1, 3, 4, 5)).not.toBe(base);
    expect(MAX_SEED).toBe(2 ** 24 - 1);
    expect(UNIFORM_STEPS).toBe(2 ** 24);
  });
});

describe('STOCH.SELECT', () => {
  test('NaN, then a negative tap (−∞ included, −0 is not), then +∞: the first such', () => {
    expect(stochasticPosition([1, NaN, -1, NaN], 0)).toBe(1);
    expect(stochasticPosition([-0, 2, -3, -1], 0)).toBe(2);
    expect(stochasticPosition([-0, 2, -Infinity], 0)).toBe(2);
    expect(stochasticPosition([1, Infinity, 2, Infinity], 2 ** 24 - 1)).toBe(1);
    // −0 is a zero: [−0, 1] selects the 1 whatever U.
    for (const U of [0, 2 ** 23, 2 ** 24 - 1]) expect(stochasticPosition([-0, 1], U)).toBe(1);
  });

  test('an all-zero window: tap ⌊U·k/2^24⌋ (uniform)', () => {
    const zeros = [0, -0, 0];
    expect(stochasticPosition(zeros, 0)).toBe(0);
    expect(stochasticPosition(zeros, Math.ceil(2 ** 24 / 3) - 1)).toBe(0);
    expect(stochasticPosition(zeros, Math.ceil(2 ** 24 / 3))).toBe(1);
    expect(stochasticPosition(zeros, Math.ceil(2 ** 25 / 3))).toBe(2);
    expect(stochasticPosition(zeros, 2 ** 24 - 1)).toBe(2);
  });

  test('a +∞ tap wins over running sums that overflow before it', () => {
    // ĉ = [3e38, +∞, +∞]: the running sums reach +∞ at tap 1, but tap 2 is +∞ itself: STOCH.SELECT takes the first +∞.
    for (const U of [0, 2 ** 24 - 1]) expect(stochasticPosition([3e38, 3e38, Infinity], U)).toBe(2);
  });

  test('running sums that overflow: the first i with ĉ_i = +∞', () => {
    // ĉ = [3e38, +∞, +∞]: tap 1 whatever U.
    for (const U of [0, 2 ** 23, 2 ** 24 - 1]) expect(stochasticPosition([3e38, 3e38, 1], U)).toBe(1);
    expect(stochasticPosition([1, 3e38, 3e38, 3e38], 0)).toBe(2);
  });

  test('the first i with u·S < ĉ_i: a tie passes on; a zero tap is never selected', () => {
    // [1, 0, 3]: ĉ = [1, 1, 4], S = 4; u·4 < 1 ⇔ U < 2^22.
    expect(stochasticPosition([1, 0, 3], 2 ** 22 - 1)).toBe(0);
    expect(stochasticPosition([1, 0, 3], 2 ** 22)).toBe(2);
    expect(stochasticPosition([1, 0, 3], 2 ** 24 - 1)).toBe(2);
    // [1, 1]: u·2 < 1 ⇔ U < 2^23.
    expect(stochasticPosition([1, 1], 2 ** 23 - 1)).toBe(0);
    expect(stochasticPosition([1, 1], 2 ** 23)).toBe(1);
    // Running sums in float32: [2^24, 1, 1] gives ĉ = [2^24, 2^24, 2^24] (each 1 absorbed): tap 0 always.
    for (const U of [0, 2 ** 24 - 1]) expect(stochasticPosition([2 ** 24, 1, 1], U)).toBe(0);
    // [1, 2^-30]: ĉ = [1, 1 + 2^-23]? No: fl32(1 + 2^-30) = 1, so the second tap is absorbed too.
    expect(stochasticPosition([1, 2 ** -30], 2 ** 24 - 1)).toBe(0);
    // Compared exactly: [3, 1], S = 4, u·4 < 3 ⇔ U < 3·2^22.
    expect(stochasticPosition([3, 1], 3 * 2 ** 22 - 1)).toBe(0);
    expect(stochasticPosition([3, 1], 3 * 2 ** 22)).toBe(1);
  });
});

describe('the inference declaration (STOCH.DEF, STOCH.INFER*)', () => {
  test('name, params (training 0/1, seed 0 … 2^24 − 1, integers), domain v ≥ 0, clauses', () => {
    expect(STOCHASTIC.name).toBe('stochastic');
    expect(STOCHASTIC.title).toMatch(/^stochastic pooling: inference Σx²\/Σx/);
    expect(STOCHASTIC.params).toEqual([
      { name: 'training', clause: 'STOCH.TRAINING', min: 0, max: 1, integer: true, samples: [0] },
      { name: 'seed', clause: 'STOCH.SEED', min: 0, max: 2 ** 24 - 1, integer: true, samples: [0, 1, 7, 2 ** 24 - 1] },
    ]);
    expect(STOCHASTIC.domain).toEqual({ min: 0 });
    expect(STOCHASTIC.clauses).toEqual(['STOCH.DEF', 'STOCH.INFER', 'STOCH.INFER_SPECIAL', 'STOCH.INFER_ACC']);
    expect(STOCHASTIC.gradientClauses).toEqual(['STOCH.INFER_GRAD']);
    expect(STOCHASTIC.hardValues).toEqual(expect.arrayContaining([0, -0, 1, 2 ** -149, 2 ** 24, 3.4028234663852886e38]));
    expect(STOCHASTIC.hardValues!.every((v) => v >= 0 || Object.is(v, -0))).toBe(true);
  });

  test('STOCH.INFER_SPECIAL: NaN → NaN; a negative tap (−∞ too) → NaN; +∞ → +∞; all zero → +0; else none', () => {
    const s = (v: number[]) => STOCHASTIC.special(v, infer);
    expect(s([1, NaN, Infinity])).toBeNaN();
    expect(s([1, -1, Infinity])).toBeNaN();
    expect(s([-Infinity, 2])).toBeNaN();
    expect(s([1, Infinity])).toBe(Infinity);
    expect(Object.is(s([0, -0, 0]), 0)).toBe(true);
    expect(s([-0, 3])).toBeUndefined();
    expect(s([1, 2])).toBeUndefined();
    expect(() => STOCHASTIC.special([1], { training: 1, seed: 0 })).toThrow(/training mode is positional/);
  });

  test('STOCH.INFER: the reference is Σv²/Σv (exact, in 40 digits)', () => {
    const ref = (v: number[]) => HP_MATH.toNumber(STOCHASTIC.reference(v.map((x) => HP_MATH.of(x)), infer, HP_MATH));
    expect(ref([1, 2, 3])).toBe(14 / 6);
    expect(ref([2, 2])).toBe(2);
    expect(ref([1, 3])).toBe(10 / 4);
    expect(ref([0.5, 0, 4])).toBe(16.25 / 4.5);
  });

  /** STOCH.INFER_ACC's H, and its ACC.OVERFLOW test, from the clause. */
  function clauseH(values: number[], y: number): { halfWidth: number; mayOverflow: boolean } {
    const k = values.length;
    const S = values.reduce((a, b) => a + b, 0);
    const Q = values.reduce((a, b) => a + b * b, 0);
    const gk1 = gamma(k - 1);
    const halfWidth = y * (((1 + gamma(k + 1)) * (1 + u)) / (1 - gk1) - 1) + ((2 * k * eta) / (S * (1 - gk1))) * (1 + u) + S * eta + eta;
    return { halfWidth, mayOverflow: Q * (1 + gamma(k + 1)) >= OMEGA || S * (1 + gk1) >= OMEGA };
  }

  test.each([
    ['small integers', [1, 2, 3], 14 / 6],
    ['one tap', [5], 5],
    ['subnormal taps (the 2kη/S term dominates)', [2 ** -140, 2 ** -141, 2 ** -142], 2 ** -140],
    ['large taps', [1e30, 3e30, 2e30, 5e29], 2.3e30],
    ['eight taps', [1, 2, 3, 4, 5, 6, 7, 8], 204 / 36],
  ])('STOCH.INFER_ACC: H on %s', (_name, values, y) => {
    const got = STOCHASTIC.accuracy.forward({ values, params: infer, y });
    const want = clauseH(values, y);
    expect(got.mayOverflow ?? false).toBe(want.mayOverflow);
    expect(Math.abs(got.halfWidth - want.halfWidth)).toBeLessThanOrEqual(want.halfWidth * 1e-14);
    expect(got.halfWidth).toBeGreaterThan(0);
  });

  test('STOCH.INFER_ACC: each term of H, where it dominates', () => {
    // One tap y = v = S = 1: y((1 + γ_2)(1 + u)/(1 − 0) − 1) = γ_2 + u + γ_2·u, the rest ~η.
    const one = STOCHASTIC.accuracy.forward({ values: [1], params: infer, y: 1 }).halfWidth;
    const want = gamma(2) + u + gamma(2) * u;
    expect(Math.abs(one - want) / want).toBeLessThan(1e-12);
    // Subnormal taps: 2kη(1 + u)/(S(1 − γ_{k−1})) ≈ 2·2·2^-150/2^-139 = 2^-9 dwarfs y·rel.
    const tiny = [2 ** -140, 2 ** -140];
    const h = STOCHASTIC.accuracy.forward({ values: tiny, params: infer, y: 2 ** -140 }).halfWidth;
    const term = ((4 * eta) / (2 ** -139 * (1 - gamma(1)))) * (1 + u);
    expect(Math.abs(h - term) / term).toBeLessThan(1e-6);
    expect(h).toBeGreaterThanOrEqual(term);
  });

  test('STOCH.INFER_ACC: ACC.OVERFLOW when Q(1 + γ_{k+1}) or S(1 + γ_{k−1}) reaches Ω', () => {
    const f = (values: number[], y: number) => STOCHASTIC.accuracy.forward({ values, params: infer, y }).mayOverflow ?? false;
    // Q = 2·(2^64)^2 = 2^129 ≥ Ω; S = 2^65 is not.
    expect(f([2 ** 64, 2 ** 64], 2 ** 64)).toBe(true);
    // Q = 2^126·(1 + 2^-20)… below Ω by far: not.
    expect(f([2 ** 63, 2 ** 60], 2 ** 63)).toBe(false);
    // S = 2^127 + 2^127 = 2^128 ≥ Ω, Q too; S just below Ω/(1 + γ_1) with Q below too: 2 taps of 2^63 (Q = 2^127).
    expect(f([2 ** 127, 2 ** 127], 2 ** 127)).toBe(true);
    expect(f([2 ** 63, 2 ** 63], 2 ** 63)).toBe(false);
    // Q just under Ω: one tap v with v²(1 + γ_2) < Ω ≤ v²(1 + γ_2)·(1 + 2^-20).
    const v = Math.sqrt(OMEGA / (1 + gamma(2)));
    expect(f([v * (1 + 2 ** -21)], v)).toBe(true);
    expect(f([v * (1 - 2 ** -21)], v)).toBe(false);
    // Q(1 + γ_2) ≥ Ω with Q itself below Ω: one tap v, v² = Ω(1 − 2^-25) (γ_2 ≈ 2^-23); and v² = Ω(1 − 2^-22) is below.
    expect(f([Math.sqrt(OMEGA * (1 - 2 ** -25))], 2 ** 64)).toBe(true);
    expect(f([Math.sqrt(OMEGA * (1 - 2 ** -22))], 2 ** 64)).toBe(false);
    // S alone: k = 1 000 000 taps would be needed; with S = Ω exactly and Q small it cannot happen for float32
    // taps, so S's test is reached through 2^127-sized taps above.
  });

  /** STOCH.INFER_GRAD's bound, from the clause. */
  function clauseBound(values: number[], y: number, partials: number[], r: number): number {
    const k = values.length;
    const S = values.reduce((a, b) => a + b, 0);
    const gk1 = gamma(k - 1);
    const H = clauseH(values, y).halfWidth;
    const N = 2 * values[r]! - y;
    const eN = H * (1 + u) + u * Math.abs(N);
    return ((eN + Math.abs(N) * gk1) / (S * (1 - gk1))) * (1 + u) + u * Math.abs(partials[r]!) + eta;
  }

  test.each([
    ['small integers, r = 0', [1, 2, 3], 0],
    ['small integers, r = 2', [1, 2, 3], 2],
    ['a large partial', [1, 7], 1],
    ['subnormal taps', [2 ** -140, 2 ** -141], 0],
  ])('STOCH.INFER_GRAD: the bound on %s', (_name, values, r) => {
    const S = values.reduce((a, b) => a + b, 0);
    const y = values.reduce((a, b) => a + b * b, 0) / S;
    const partials = values.map((v) => (2 * v - y) / S);
    const got = STOCHASTIC.accuracy.gradient!({ values, params: infer, y, partials }, r);
    const want = clauseBound(values, y, partials, r);
    expect(Math.abs(got - want)).toBeLessThanOrEqual(want * 1e-14);
    // Each term counts: the bound exceeds u|∂| + η and the N̂ error's share alone.
    expect(got).toBeGreaterThan(u * Math.abs(partials[r]!) + eta);
  });

  test('STOCH.INFER_GRAD: the u|∂| term, with a partial far larger than the rest', () => {
    const values = [1, 3];
    const y = 10 / 4;
    const small = STOCHASTIC.accuracy.gradient!({ values, params: infer, y, partials: [0, 0] }, 0);
    const large = STOCHASTIC.accuracy.gradient!({ values, params: infer, y, partials: [2 ** 40, 0] }, 0);
    expect(large - small).toBeCloseTo(u * 2 ** 40, 6);
  });

  test('traits: symmetric, homogeneous of degree 1, bounded; differentiable where every tap is finite and > 0', () => {
    expect(STOCHASTIC.traits).toMatchObject({ symmetric: true, homogeneous: 1, bounded: true });
    const d = (v: readonly number[]): boolean => STOCHASTIC.traits.differentiable!(v, infer);
    expect(d([1, 2, 3])).toBe(true);
    expect(d([1, 0])).toBe(false);
    expect(d([1, -0])).toBe(false);
    expect(d([1, Infinity])).toBe(false);
    expect(d([NaN, 1])).toBe(false);
    expect(d([2 ** -149])).toBe(true);
  });
});
