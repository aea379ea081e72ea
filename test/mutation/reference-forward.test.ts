/**
 * spec/reference/forward.ts, the parts the properties cannot judge (reports/mutation/summary.md): a property
 * compares a correct backend with the reference, so an acceptance set made wider, or a policy branch the default
 * policy never takes, passes them all. Here each acceptance set's ends are held to SPEC.md §ACC's formulas,
 * evaluated beside the test in f64 from the clause's own terms (n, S, D, p, u, η, κ, λ), and the max selection to
 * POLICY.NAN / POLICY.TIES on windows worked out by hand.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { accepts } from '../../spec/interval.js';
import { resolvePolicy, type Policy } from '../../spec/policy.js';
import { maxIndex, referenceForward } from '../../spec/reference/forward.js';
import { eta, expectEnds, gamma, interval, kappa, lambda, lpEnds } from '../helpers/acc-clauses.js';

function spec(kind: PoolSpec['kind'], kernel: number, extra: Partial<PoolSpec> = {}): PoolSpec {
  return { kind, kernel: [kernel], strides: [kernel], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false, ...extra };
}
const row = (data: number[]): Tensor => ({ shape: [1, 1, data.length], data: Float32Array.from(data) });
const preserve = resolvePolicy(undefined);
const flush = resolvePolicy({ subnormals: 'flush' });

describe('ACC.SUM', () => {
  test('γ_{n−1}·Σ|v| either side of the exact sum', () => {
    // 1 + 2 − 4 + 8 = 7, n = 4, Σ|v| = 15.
    const a = interval(referenceForward(spec('sum', 4), row([1, 2, -4, 8])).acceptance[0]);
    expect(a.value).toBe(7);
    expectEnds(a, 7 - gamma(3) * 15, 7 + gamma(3) * 15);
    expect([a.posInf, a.negInf, a.nan]).toEqual([false, false, false]);
  });

  test('a single tap is exact (γ_0 = 0), up to outward rounding', () => {
    const a = interval(referenceForward(spec('sum', 1), row([3])).acceptance[0]);
    expectEnds(a, 3, 3);
  });

  test('POLICY.SUBNORMALS flush: + (L + (n − 1)·λ)·(1 + γ_{n−1})', () => {
    // Taps 1 and 2^-140 (subnormal, L = 2^-140); n = 2; exact sum 1 + 2^-140 (rounds to 1 in f64).
    const tiny = 2 ** -140;
    const a = interval(referenceForward(spec('sum', 2), row([1, tiny]), flush).acceptance[0]);
    const w = gamma(1) * (1 + tiny) + (tiny + lambda) * (1 + gamma(1));
    expectEnds(a, 1 - w, 1 + w);
    // Under preserve the same window has no λ term: its width is γ_1·Σ|v| only.
    const p = interval(referenceForward(spec('sum', 2), row([1, tiny]), preserve).acceptance[0]);
    expectEnds(p, 1 - gamma(1) * 1, 1 + gamma(1) * 1);
  });

  test('ACC.OVERFLOW: +∞, −∞ and NaN once (1 + γ)·Σ|v| reaches Ω, not before', () => {
    const big = 2 ** 127;
    // 2^127 − 2^127 = 0, but in the order 2^127 + 2^127 first the partial sum overflows: M = 2^128(1 + γ_1) ≥ Ω.
    const a = interval(referenceForward(spec('sum', 2), row([big, -big])).acceptance[0]);
    expect([a.posInf, a.negInf, a.nan]).toEqual([true, true, true]);
    // 2^126 − 2^126: M = 2^127(1 + γ_1) < Ω, nothing may overflow.
    const b = interval(referenceForward(spec('sum', 2), row([2 ** 126, -(2 ** 126)])).acceptance[0]);
    expect([b.posInf, b.negInf, b.nan]).toEqual([false, false, false]);
  });

  test('a window holding ∞ keeps it; NaN only when the finite terms may overflow the other way', () => {
    expect(referenceForward(spec('sum', 2), row([Infinity, 1])).acceptance[0]).toEqual({ kind: 'exact', value: Infinity });
    expect(referenceForward(spec('sum', 2), row([-Infinity, 1])).acceptance[0]).toEqual({ kind: 'exact', value: -Infinity });
    const a = interval(referenceForward(spec('sum', 3), row([Infinity, -(2 ** 127), -(2 ** 127)])).acceptance[0]);
    expect(a.value).toBe(Infinity);
    expect([a.posInf, a.negInf, a.nan]).toEqual([true, false, true]);
    expect(accepts(a, Infinity) && accepts(a, NaN)).toBe(true);
    expect(accepts(a, -Infinity) || accepts(a, 0)).toBe(false);
  });
});

describe('ACC.AVG', () => {
  test('γ_{n+2}·Σ|v|/|D| + (n + 1)·η either side of s/D', () => {
    // (1 + 2 − 4)/3 = −1/3, n = 3, Σ|v| = 7.
    const a = interval(referenceForward(spec('avg', 3), row([1, 2, -4])).acceptance[0]);
    expect(a.value).toBe(-1 / 3);
    const w = (gamma(5) * 7) / 3 + 4 * eta;
    expectEnds(a, -1 / 3 - w, -1 / 3 + w);
  });

  test('the η term: three smallest subnormals average to 2^-149 ± about 2·2^-149', () => {
    const t = 2 ** -149;
    const a = interval(referenceForward(spec('avg', 3), row([t, t, t])).acceptance[0]);
    const w = (gamma(5) * 3 * t) / 3 + 4 * eta;
    expectEnds(a, t - w, t + w);
    expect(accepts(a, 3 * t)).toBe(true);
    expect(accepts(a, 4 * t)).toBe(false);
  });

  test('a negative divisorOverride divides by |D| in the width and flips the sign of the value', () => {
    // (2 + 4)/(−2) = −3; Σ|v|/|D| = 3.
    const a = interval(referenceForward(spec('avg', 2, { divisorOverride: -2 }), row([2, 4])).acceptance[0]);
    expect(a.value).toBe(-3);
    const w = gamma(4) * 3 + 3 * eta;
    expectEnds(a, -3 - w, -3 + w);
    // ∞ divided by a negative D is −∞ (SPECIAL.IEEE).
    expect(referenceForward(spec('avg', 2, { divisorOverride: -2 }), row([Infinity, 4])).acceptance[0]).toEqual({ kind: 'exact', value: -Infinity });
  });

  test('a divisor below 1 scales the overflow test: M = (1 + γ)·Σ|v|/|D|', () => {
    // 2^120 / 2^-10 = 2^130: a kernel that divides first overflows; the exact value is beyond float32 too.
    const a = interval(referenceForward(spec('avg', 1, { divisorOverride: 2 ** -10 }), row([2 ** 120])).acceptance[0]);
    expect([a.posInf, a.negInf, a.nan]).toEqual([true, true, true]);
    // 2^100 / 2^-10 = 2^110 stays far below Ω.
    const b = interval(referenceForward(spec('avg', 1, { divisorOverride: 2 ** -10 }), row([2 ** 100])).acceptance[0]);
    expect([b.posInf, b.negInf, b.nan]).toEqual([false, false, false]);
  });

  test('POLICY.SUBNORMALS flush: (L + (n − 1)·λ)·(1 + γ_{n+2})/|D| + λ instead of (n + 1)·η', () => {
    // Taps 2^-140 and 2^-139: L = 3·2^-140, n = 2, D = 2, exact value 3·2^-141.
    const t = 2 ** -140;
    const a = interval(referenceForward(spec('avg', 2), row([t, 2 * t]), flush).acceptance[0]);
    const v = 1.5 * t;
    const w = (gamma(4) * 3 * t) / 2 + ((3 * t + lambda) * (1 + gamma(4))) / 2 + lambda;
    expectEnds(a, v - w, v + w);
  });
});

describe('ACC.LP', () => {
  test('p = 2 over 3 and 4: y = 5 within the clause', () => {
    const r = referenceForward(spec('lp', 2, { p: 2 }), row([3, -4]));
    const a = interval(r.acceptance[0]);
    expect(a.value).toBe(5);
    const [lo, hi] = lpEnds([9, 16], 2);
    expectEnds(a, lo, hi);
    expect([a.posInf, a.negInf, a.nan]).toEqual([false, false, false]);
    // δ_y = max(hi/y − 1, 1 − lo/y) (ACC.LP, passed to ACC.GRAD).
    const relErr = r.lpRelErr![0]!;
    expect(relErr).toBeGreaterThanOrEqual(Math.max(hi / 5 - 1, 1 - lo / 5));
    expect(relErr).toBeLessThan(Math.max(hi / 5 - 1, 1 - lo / 5) * (1 + 2 ** -20));
  });

  test('p = 1 over three terms, zeros left out of n′', () => {
    // Zeros are not terms: n′ = 3 (γ_2), not 5.
    const a = interval(referenceForward(spec('lp', 5, { p: 1 }), row([1, 0, 2, 0, 4])).acceptance[0]);
    const [lo, hi] = lpEnds([1, 2, 4], 1);
    expectEnds(a, lo, hi);
  });

  test('the η terms at the bottom of the range: one smallest subnormal, p = 1', () => {
    const t = 2 ** -149;
    const a = interval(referenceForward(spec('lp', 1, { p: 1 }), row([t])).acceptance[0]);
    const [lo, hi] = lpEnds([t], 1);
    expectEnds(a, lo, hi);
    expect(accepts(a, 2 * t)).toBe(true);
    expect(accepts(a, 3 * t)).toBe(false);
  });

  test('POLICY.SUBNORMALS flush: the lower end loses L_p and λ per power, addition and root', () => {
    // Taps 2^-100 (normal) and 2^-130 (subnormal), p = 1: s = 2^-100 + 2^-130, L_p = 2^-130, n′ = 2.
    const a1 = 2 ** -100;
    const a2 = 2 ** -130;
    const a = interval(referenceForward(spec('lp', 2, { p: 1 }), row([a1, a2]), flush).acceptance[0]);
    const s = a1 + a2;
    const g = gamma(1);
    const sLo = Math.max(0, ((s - a2) * (1 - kappa) - 2 * lambda) * (1 - g) - lambda);
    const lo = Math.max(0, sLo * (1 - kappa) - lambda);
    const [, hi] = lpEnds([a1, a2], 1); // the upper end is unchanged by flushing
    expectEnds(a, lo, hi);
  });

  test('+∞ once s_hi reaches Ω', () => {
    // p = 2 over 2^64 and 2^64: s = 2^129 ≥ Ω although y = 2^64.5 is finite.
    const a = interval(referenceForward(spec('lp', 2, { p: 2 }), row([2 ** 64, 2 ** 64])).acceptance[0]);
    expect(a.posInf).toBe(true);
    const b = interval(referenceForward(spec('lp', 2, { p: 2 }), row([2 ** 62, 2 ** 62])).acceptance[0]);
    expect(b.posInf).toBe(false);
  });

  test('special windows are exact: NaN → NaN, ±∞ → +∞, all zero → +0', () => {
    const lp = spec('lp', 2, { p: 2 });
    expect(referenceForward(lp, row([Infinity, NaN])).acceptance[0]).toEqual({ kind: 'exact', value: NaN });
    expect(referenceForward(lp, row([NaN, -Infinity])).acceptance[0]).toEqual({ kind: 'exact', value: NaN });
    expect(referenceForward(lp, row([-Infinity, 1])).acceptance[0]).toEqual({ kind: 'exact', value: Infinity });
    expect(referenceForward(lp, row([0, -0])).acceptance[0]).toEqual({ kind: 'exact', value: 0 });
    expect(Array.from(referenceForward(lp, row([0, -0, -Infinity, 1])).lpRelErr!)).toEqual([0, Infinity]);
  });
});

describe('MAX.SELECT under POLICY.NAN and POLICY.TIES', () => {
  const pick = (values: number[], p: Partial<Policy>): number =>
    maxIndex(values.map((_, i) => i), (q) => values[q]!, resolvePolicy(p));

  test('propagate: the first NaN in scan order wins, whatever follows', () => {
    expect(pick([1, NaN, 5, NaN], {})).toBe(1);
    expect(pick([NaN, 7, NaN], { maxTies: 'last' })).toBe(0);
  });

  test('ties: the first maximum by default, the last under maxTies last', () => {
    expect(pick([2, 1, 2, 0], {})).toBe(0);
    expect(pick([2, 1, 2, 0], { maxTies: 'last' })).toBe(2);
    expect(pick([1, 3, 2], { maxTies: 'last' })).toBe(1);
  });

  test('ignore: NaN never wins; a window of only NaN keeps its first tap', () => {
    expect(pick([NaN, 1, 3, NaN, 3], { maxNan: 'ignore' })).toBe(2);
    expect(pick([NaN, 1, 3, NaN, 3], { maxNan: 'ignore', maxTies: 'last' })).toBe(4);
    expect(pick([NaN, NaN, NaN], { maxNan: 'ignore' })).toBe(0);
    expect(pick([NaN, -5, -7], { maxNan: 'ignore' })).toBe(1);
    expect(pick([4, NaN, 2], { maxNan: 'ignore' })).toBe(0);
  });

  test('first-only: a NaN in the first tap propagates, a later NaN is skipped', () => {
    expect(pick([NaN, 5], { maxNan: 'first-only' })).toBe(0);
    expect(pick([1, NaN, 5], { maxNan: 'first-only' })).toBe(2);
    expect(pick([2, NaN, 2], { maxNan: 'first-only', maxTies: 'last' })).toBe(2);
  });

  test('the forward value and index follow the selection; an all-NaN window under ignore is −∞', () => {
    const s = spec('max', 3);
    const x = row([NaN, NaN, NaN, 1, NaN, 1]);
    const ignoreLast = referenceForward(s, x, resolvePolicy({ maxNan: 'ignore', maxTies: 'last' }));
    expect(Array.from(ignoreLast.values)).toEqual([-Infinity, 1]);
    expect(Array.from(ignoreLast.indices!)).toEqual([0, 5]);
    expect(ignoreLast.acceptance).toEqual([{ kind: 'exact', value: -Infinity }, { kind: 'exact', value: 1 }]);
    const prop = referenceForward(s, x, preserve);
    expect(Array.from(prop.values)).toEqual([NaN, NaN]);
    expect(Array.from(prop.indices!)).toEqual([0, 4]);
  });
});

describe('survivors of the first Stryker run (reports/mutation/summary.md)', () => {
  test('channels_last: outputs and Lp powers are read and written at stride C', () => {
    // [N=1, W=4, C=2], kernel 2 stride 2: channel 0 = [1, 2, 3, 4], channel 1 = [10, 20, 30, 40].
    const x: Tensor = { shape: [1, 4, 2], data: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]), layout: 'channels_last' };
    // Output [1, 2, 2] channels_last: (w0, c0), (w0, c1), (w1, c0), (w1, c1).
    expect(Array.from(referenceForward(spec('sum', 2), x).values)).toEqual([3, 30, 7, 70]);
    // Lp, p = 1: the same sums, through the powers of the elements at stride C.
    expect(Array.from(referenceForward(spec('lp', 2, { p: 1 }), x).values)).toEqual([3, 30, 7, 70]);
  });

  test('indices only for max and δ_y only for lp, as the interface says', () => {
    const x = row([1, 2, 3, 4]);
    for (const kind of ['sum', 'avg', 'lp'] as const) expect(referenceForward(spec(kind, 2, kind === 'lp' ? { p: 2 } : {}), x).indices).toBeUndefined();
    for (const kind of ['sum', 'avg', 'max'] as const) expect(referenceForward(spec(kind, 2), x).lpRelErr).toBeUndefined();
  });

  test('flush sum of two subnormals: (L + λ)·(1 + γ_1) with L their magnitudes', () => {
    // Taps 2^-130 twice: exact sum 2^-129, Σ|v| = L = 2^-129, n = 2.
    const t = 2 ** -130;
    const a = interval(referenceForward(spec('sum', 2), row([t, t]), flush).acceptance[0]);
    const w = gamma(1) * 2 * t + (2 * t + lambda) * (1 + gamma(1));
    expectEnds(a, 2 * t - w, 2 * t + w);
  });

  test('ACC.OVERFLOW at M = Ω exactly: the set widens (M ≥ Ω)', () => {
    // Σ|finite| = 2^127 + (2^127 − 7·2^103) + 3·2^79 = Ω·(2^24 − 3)/2^24, so with n = 4 (γ_3 = 3u/(1 − 3u))
    // M = (1 + γ_3)·Σ|finite| = Ω exactly. All four are float32 values.
    const x = row([Infinity, 2 ** 127, 2 ** 127 - 7 * 2 ** 103, 3 * 2 ** 79]);
    expect(x.data[2]).toBe(2 ** 127 - 7 * 2 ** 103);
    const a = interval(referenceForward(spec('sum', 4), x).acceptance[0]);
    expect([a.value, a.posInf, a.negInf, a.nan]).toEqual([Infinity, true, false, true]);
  });

  test('a window holding −∞ keeps it, NaN allowed when the finite terms may overflow', () => {
    const a = interval(referenceForward(spec('sum', 3), row([-Infinity, 2 ** 127, 2 ** 127])).acceptance[0]);
    expect([a.value, a.posInf, a.negInf, a.nan]).toEqual([-Infinity, false, true, true]);
  });

  test('ignore with ties last: a later smaller value does not win', () => {
    const values = [NaN, 3, 1];
    expect(maxIndex([0, 1, 2], (q) => values[q]!, resolvePolicy({ maxNan: 'ignore', maxTies: 'last' }))).toBe(1);
  });
});
