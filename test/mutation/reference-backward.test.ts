/**
 * spec/reference/backward.ts against SPEC.md ACC.GRAD (reports/mutation/summary.md): the properties compare a
 * correct backend with the reference, so a gradient acceptance set made wider passes them. Each set's ends are
 * held here to the clause's formula, evaluated beside the test from its own terms (m, Σ|dy|, D, ρ, η, λ), on
 * windows small enough to work out by hand; the Lp cases' y and δ_y come from ACC.LP the same way.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { accepts } from '../../spec/interval.js';
import { resolvePolicy } from '../../spec/policy.js';
import { referenceBackward } from '../../spec/reference/backward.js';
import { eta, expectEnds, gamma, interval, kappa, lambda, lpEnds, u } from '../helpers/acc-clauses.js';

const MAX32 = (2 - 2 ** -23) * 2 ** 127;

function spec(kind: PoolSpec['kind'], kernel: number, stride: number, extra: Partial<PoolSpec> = {}): PoolSpec {
  return { kind, kernel: [kernel], strides: [stride], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false, ...extra };
}
const row = (data: number[]): Tensor => ({ shape: [1, 1, data.length], data: Float32Array.from(data) });
const flush = resolvePolicy({ subnormals: 'flush' });
const flags = (a: ReturnType<typeof interval>): boolean[] => [a.posInf, a.negInf, a.nan];

describe('ACC.GRAD, max and sum: γ_{m−1}·Σ|dy| over the m contributions', () => {
  test('sum: windows [x0 x1] and [x1 x2] with dy = 1 and −3', () => {
    const r = referenceBackward(spec('sum', 2, 1), row([5, 6, 7]), row([1, -3]));
    expect(Array.from(r.values)).toEqual([1, -2, -3]);
    expectEnds(interval(r.acceptance[0]), 1, 1); // m = 1: γ_0 = 0
    expectEnds(interval(r.acceptance[1]), -2 - gamma(1) * 4, -2 + gamma(1) * 4);
    expect(flags(interval(r.acceptance[1]))).toEqual([false, false, false]);
  });

  test('max: both windows pick x1 (3), so x1 takes m = 2 contributions and the others none', () => {
    const r = referenceBackward(spec('max', 2, 1), row([1, 3, 2]), row([1, 2]));
    expect(Array.from(r.values)).toEqual([0, 3, 0]);
    expectEnds(interval(r.acceptance[1]), 3 - gamma(1) * 3, 3 + gamma(1) * 3);
    for (const i of [0, 2]) {
      const a = interval(r.acceptance[i]);
      expect(accepts(a, 0)).toBe(true);
      expect(accepts(a, 2 ** -149) || accepts(a, -(2 ** -149))).toBe(false);
    }
  });

  test('GRAD.MAX follows the index the policy selects (POLICY.TIES)', () => {
    const s = spec('max', 2, 2);
    expect(Array.from(referenceBackward(s, row([2, 2]), row([5])).values)).toEqual([5, 0]);
    expect(Array.from(referenceBackward(s, row([2, 2]), row([5]), resolvePolicy({ maxTies: 'last' })).values)).toEqual([0, 5]);
  });

  test('POLICY.SUBNORMALS flush: + (L + (m − 1)·λ)·(1 + γ_{m−1}), L over the subnormal dy', () => {
    const t = 2 ** -140;
    const r = referenceBackward(spec('sum', 2, 1), row([5, 6, 7]), row([1, t]), flush);
    // x1: m = 2, Σ|dy| = 1 + t (1 in f64), L = t.
    const w1 = gamma(1) * 1 + (t + lambda) * (1 + gamma(1));
    expectEnds(interval(r.acceptance[1]), 1 - w1, 1 + w1);
    // x2: m = 1, L = t: the device may lose its only contribution.
    expectEnds(interval(r.acceptance[2]), t - t, t + t);
    expectEnds(interval(r.acceptance[0]), 1, 1);
  });

  test('ACC.OVERFLOW: two contributions of MAX32 may overflow', () => {
    const a = interval(referenceBackward(spec('sum', 2, 1), row([0, 0, 0]), row([MAX32, MAX32])).acceptance[1]);
    expect(flags(a)).toEqual([true, true, true]);
  });

  test('ACC.OVERFLOW uses the clause\'s γ_{m−1} for max and sum, not avg\'s γ_{m+2}', () => {
    // max, m = 1: dx = MAX32 = 2^128 − 2^104 exactly, routed without arithmetic. γ_0 = 0, so M = MAX32 < Ω and
    // no kernel can overflow: ±∞ and NaN are not accepted (with γ_3, M would pass Ω by about 2^105).
    const mx = interval(referenceBackward(spec('max', 2, 2), row([1, 0]), row([MAX32])).acceptance[0]);
    expect(flags(mx)).toEqual([false, false, false]);
    expect(accepts(mx, MAX32)).toBe(true);
    // sum, m = 2: dy = 2^127 and 2^127 − 6·2^103, Σ|dy| = 2^128 − 6·2^103, a float32 (a multiple of 2^104 below
    // 2^128), so the one addition is exact. (1 + γ_1)·Σ ≈ 2^128 − 4·2^103 < Ω = 2^128 − 2^103, while
    // (1 + γ_4)·Σ ≈ 2^128 + 2·2^103 would pass Ω.
    const s = 2 ** 128 - 6 * 2 ** 103;
    expect(s * (1 + gamma(1))).toBeLessThan(2 ** 128 - 2 ** 103);
    expect(s * (1 + gamma(4))).toBeGreaterThanOrEqual(2 ** 128 - 2 ** 103);
    const dy = row([2 ** 127, 2 ** 127 - 6 * 2 ** 103]);
    expect(Array.from(dy.data)).toEqual([2 ** 127, 2 ** 127 - 6 * 2 ** 103]);
    const sm = interval(referenceBackward(spec('sum', 2, 1), row([0, 0, 0]), dy).acceptance[1]);
    expect(flags(sm)).toEqual([false, false, false]);
    expect(accepts(sm, s)).toBe(true);
  });
});

describe('ACC.GRAD, avg: γ_{m+2}·Σ|dy/D| + 2m·η', () => {
  test('D = 2, dy = 1 and −3: x1 = (1 − 3)/2', () => {
    const r = referenceBackward(spec('avg', 2, 1), row([5, 6, 7]), row([1, -3]));
    expect(Array.from(r.values)).toEqual([0.5, -1, -1.5]);
    expectEnds(interval(r.acceptance[1]), -1 - (gamma(4) * 2 + 4 * eta), -1 + (gamma(4) * 2 + 4 * eta));
    expectEnds(interval(r.acceptance[0]), 0.5 - (gamma(3) * 0.5 + 2 * eta), 0.5 + (gamma(3) * 0.5 + 2 * eta));
  });

  test('the 2m·η term: dy = 2^-148 twice over D = 2 gives 2^-148 ± about 2^-148', () => {
    const t = 2 ** -148;
    const a = interval(referenceBackward(spec('avg', 2, 1), row([5, 6, 7]), row([t, t])).acceptance[1]);
    const w = gamma(4) * t + 4 * eta;
    expectEnds(a, t - w, t + w);
    expect(accepts(a, 2 * t)).toBe(true);
    expect(accepts(a, 2 * t + 2 ** -149)).toBe(false);
  });

  test('ACC.OVERFLOW with |D| > 1: M = (1 + γ_{m+2})·Σ|dy| reaches Ω although Σ|dy/D| does not', () => {
    // dy = MAX32 over D = 4: the exact gradient MAX32/4 is finite, but a kernel that sums dy before dividing
    // holds MAX32, and MAX32·(1 + γ_3) ≥ Ω = 2^128 − 2^103.
    const s = spec('avg', 1, 1, { divisorOverride: 4 });
    expect(flags(interval(referenceBackward(s, row([0]), row([MAX32])).acceptance[0]))).toEqual([true, true, true]);
    expect(flags(interval(referenceBackward(s, row([0]), row([2 ** 126])).acceptance[0]))).toEqual([false, false, false]);
  });

  test('|D| < 1: each dy/D counts in M, and a negative D flips the sign', () => {
    const s = spec('avg', 1, 1, { divisorOverride: -(2 ** -10) });
    const a = interval(referenceBackward(s, row([0]), row([2 ** 100])).acceptance[0]);
    expect(a.value).toBe(-(2 ** 110));
    expect(flags(a)).toEqual([false, false, false]);
    expect(flags(interval(referenceBackward(s, row([0]), row([2 ** 120])).acceptance[0]))).toEqual([true, true, true]);
  });

  test('POLICY.SUBNORMALS flush: (L + (2m − 1)·λ)·(1 + γ_{m+2}), L = Σ|dy/D| over subnormal dy', () => {
    const t = 2 ** -140;
    const a = interval(referenceBackward(spec('avg', 2, 1), row([5, 6, 7]), row([t, t]), flush).acceptance[1]);
    // x1: m = 2, value (t + t)/2 = t, Σ|dy/D| = t, L = t.
    const w = gamma(4) * t + (t + 3 * lambda) * (1 + gamma(4));
    expectEnds(a, t - w, t + w);
  });
});

describe('ACC.GRAD, lp: Σ|t|·((1 + ρ)(1 + γ_{m−1}) − 1) + 4m·η', () => {
  /** ρ for exponent p and the forward's δ_y (ACC.GRAD). */
  function rho(p: number, deltaY: number): number {
    const rhoY = Math.max(Math.abs((1 + deltaY) ** (1 - p) - 1), Math.abs((1 - deltaY) ** (1 - p) - 1));
    return (1 + kappa) ** 2 * (1 + u) ** (3 + Math.abs(p - 1)) * (1 + rhoY) - 1;
  }
  /** δ_y = max(hi/y − 1, 1 − lo/y) over ACC.LP's ends. */
  function deltaOf(pw: number[], p: number, y: number): number {
    const [lo, hi] = lpEnds(pw, p);
    return Math.max(hi / y - 1, 1 - lo / y);
  }

  test('p = 2 over 3 and −4 (y = 5): t = dy·x/y, m = 1 each', () => {
    const r = referenceBackward(spec('lp', 2, 2, { p: 2 }), row([3, -4]), row([1]));
    const w = (t: number): number => Math.abs(t) * rho(2, deltaOf([9, 16], 2, 5)) + 4 * eta;
    expectEnds(interval(r.acceptance[0]), 0.6 - w(0.6), 0.6 + w(0.6));
    expectEnds(interval(r.acceptance[1]), -0.8 - w(0.8), -0.8 + w(0.8));
  });

  test('p = 1 over overlapping windows: x1 takes m = 2 terms dy·sign(x)', () => {
    // Windows [1, −2] and [−2, 4] (y = 3 and 6); p = 1: t = dy·sign(x), ρ_y = 0.
    const r = referenceBackward(spec('lp', 2, 1, { p: 1 }), row([1, -2, 4]), row([2, 3]));
    expect(Array.from(r.values)).toEqual([2, -5, 3]);
    const r1 = rho(1, 0);
    const w1 = 5 * gamma(1) + 5 * r1 * (1 + gamma(1)) + 8 * eta;
    expectEnds(interval(r.acceptance[1]), -5 - w1, -5 + w1);
  });

  test('a zero term is exact zero, within 4m·η', () => {
    const a = interval(referenceBackward(spec('lp', 2, 2, { p: 2 }), row([0, 3]), row([1])).acceptance[0]);
    expectEnds(a, -4 * eta, 4 * eta);
    expect(accepts(a, 2 ** -148)).toBe(true);
    expect(accepts(a, 2 ** -147)).toBe(false);
  });

  test('ACC.RANGE: a subnormal x, a non-finite window or dy, a gradient beyond float32 are unconstrained', () => {
    const lp2 = spec('lp', 2, 2, { p: 2 });
    const sub = referenceBackward(lp2, row([2 ** -140, 1]), row([1]));
    expect(sub.acceptance[0]).toMatchObject({ kind: 'unconstrained', reason: expect.stringContaining('ACC.RANGE') as unknown });
    const inf = referenceBackward(lp2, row([Infinity, 1]), row([1]));
    expect(inf.acceptance.map((a) => a.kind)).toEqual(['unconstrained', 'unconstrained']);
    expect(inf.acceptance[1]).toMatchObject({ reason: expect.stringContaining('non-finite') as unknown });
    expect(referenceBackward(lp2, row([3, 4]), row([Infinity])).acceptance.map((a) => a.kind)).toEqual(['unconstrained', 'unconstrained']);
    // p = 1, two contributions of MAX32 to x1: the exact gradient 2·MAX32 is beyond float32.
    const big = referenceBackward(spec('lp', 2, 1, { p: 1 }), row([1, 1, 1]), row([MAX32, MAX32]));
    expect(big.acceptance[1]).toMatchObject({ kind: 'unconstrained', reason: expect.stringContaining('beyond float32') as unknown });
    expect(big.acceptance[0]?.kind).toBe('interval');
  });

  test('POLICY.SUBNORMALS flush: 4m·λ, and a term with a subnormal dy may be lost whole', () => {
    const t = 2 ** -140;
    const r = referenceBackward(spec('lp', 2, 2, { p: 2 }), row([3, -4]), row([t]), flush);
    const tAbs = 0.6 * t;
    const w = tAbs * rho(2, deltaOf([9, 16], 2, 5)) + 4 * lambda + tAbs;
    expectEnds(interval(r.acceptance[0]), tAbs - w, tAbs + w);
    expect(accepts(r.acceptance[0]!, 0)).toBe(true);
  });
});

describe('survivors of the first Stryker run (reports/mutation/summary.md)', () => {
  test('channels_last: dy read and dx written at stride C (max, sum)', () => {
    // [N=1, W=4, C=2], kernel 2 stride 2: channel 0 = [1, 2, 3, 4], channel 1 = [40, 30, 20, 10].
    const x: Tensor = { shape: [1, 4, 2], data: Float32Array.from([1, 40, 2, 30, 3, 20, 4, 10]), layout: 'channels_last' };
    // dy [1, 2, 2] channels_last: (w0, c0) = 1, (w0, c1) = 2, (w1, c0) = 3, (w1, c1) = 4.
    const dy: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 2, 3, 4]), layout: 'channels_last' };
    // max: channel 0 picks w1 and w3, channel 1 picks w0 and w2.
    expect(Array.from(referenceBackward(spec('max', 2, 2), x, dy).values)).toEqual([0, 2, 1, 0, 0, 4, 3, 0]);
    // sum: every tap of a window gets its dy.
    expect(Array.from(referenceBackward(spec('sum', 2, 2), x, dy).values)).toEqual([1, 2, 1, 2, 3, 4, 3, 4]);
  });

  test('flush, max: a subnormal dy routed to one element may be lost whole', () => {
    const t = 2 ** -140;
    const a = interval(referenceBackward(spec('max', 2, 2), row([1, 0]), row([t]), flush).acceptance[0]);
    expectEnds(a, t - t, t + t);
  });

  test('flush, sum: two subnormal contributions, (L + λ)·(1 + γ_1) with L = 2^-129', () => {
    const t = 2 ** -130;
    const a = interval(referenceBackward(spec('sum', 2, 1), row([0, 0, 0]), row([t, t]), flush).acceptance[1]);
    const w = gamma(1) * 2 * t + (2 * t + lambda) * (1 + gamma(1));
    expectEnds(a, 2 * t - w, 2 * t + w);
  });

  test('avg ACC.OVERFLOW at M = Ω exactly: M = (1 + γ_{m+2})·Σ|dy| ≥ Ω widens', () => {
    // Kernel 3, stride 1: x2 is in all three windows (m = 3, γ_5). Σ|dy| = 2^127 + (2^127 − 11·2^103) + 5·2^79
    // = Ω·(2^24 − 5)/2^24, so (1 + γ_5)·Σ|dy| = Ω. D = 4 keeps the exact gradient (Σ/4) far from overflow.
    const dy = row([2 ** 127, 2 ** 127 - 11 * 2 ** 103, 5 * 2 ** 79]);
    expect(Array.from(dy.data)).toEqual([2 ** 127, 2 ** 127 - 11 * 2 ** 103, 5 * 2 ** 79]);
    const a = interval(referenceBackward(spec('avg', 3, 1, { divisorOverride: 4 }), row([0, 0, 0, 0, 0]), dy).acceptance[2]);
    expect(flags(a)).toEqual([true, true, true]);
  });
});

describe('survivors of the Stryker run over lines 136-150 (lp acceptance)', () => {
  /** ρ for p = 1 (ρ_y = 0: y^(1−p) = 1). */
  const rho1 = (1 + kappa) ** 2 * (1 + u) ** 3 - 1;

  test('lost terms only under flush, and only for a subnormal x or dy', () => {
    // p = 2 over 3 and −4 (y = 5, m = 1): t = dy·x/y.
    const lp2 = spec('lp', 2, 2, { p: 2 });
    const rho2 = ((): number => {
      const [lo, hi] = lpEnds([9, 16], 2);
      const d = Math.max(hi / 5 - 1, 1 - lo / 5);
      const rhoY = Math.max(Math.abs((1 + d) ** -1 - 1), Math.abs((1 - d) ** -1 - 1));
      return (1 + kappa) ** 2 * (1 + u) ** 4 * (1 + rhoY) - 1;
    })();
    // Preserve, subnormal dy: nothing is lost, only ρ and 4η.
    const t = 2 ** -140;
    const pre = interval(referenceBackward(lp2, row([3, -4]), row([t])).acceptance[0]);
    expectEnds(pre, 0.6 * t - (0.6 * t * rho2 + 4 * eta), 0.6 * t + (0.6 * t * rho2 + 4 * eta));
    // Flush, normal x and dy: 4λ instead of 4η, and no term is lost.
    const fl = interval(referenceBackward(lp2, row([3, -4]), row([1]), flush).acceptance[0]);
    expectEnds(fl, 0.6 - (0.6 * rho2 + 4 * lambda), 0.6 + (0.6 * rho2 + 4 * lambda));
  });

  test('channels_last Lp: x, dy and dx at stride C', () => {
    // [N=1, W=4, C=2], p = 2, kernel 2 stride 2: channel 0 = [3, −4, 6, 8] (y = 5, 10; dy = 1, 3),
    // channel 1 = [6, 8, 3, −4] (y = 10, 5; dy = 2, 4).
    const x4: Tensor = { shape: [1, 4, 2], data: Float32Array.from([3, 6, -4, 8, 6, 3, 8, -4]), layout: 'channels_last' };
    const dy4: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 2, 3, 4]), layout: 'channels_last' };
    // dx = dy·x/y: channel 0 [0.6, −0.8, 1.8, 2.4], channel 1 [1.2, 1.6, 2.4, −3.2], interleaved.
    expect(Array.from(referenceBackward(spec('lp', 2, 2, { p: 2 }), x4, dy4).values)).toEqual([0.6, 1.2, -0.8, 1.6, 1.8, 2.4, 2.4, -3.2]);
    const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 2]), layout: 'channels_last' };
    // A non-finite element breaks only its own channel's window.
    const xi: Tensor = { shape: [1, 2, 2], data: Float32Array.from([3, Infinity, -4, 8]), layout: 'channels_last' };
    expect(referenceBackward(spec('lp', 2, 2, { p: 2 }), xi, dy).acceptance.map((a) => a.kind)).toEqual(['interval', 'unconstrained', 'interval', 'unconstrained']);
  });

  test('ACC.RANGE: |x|^−|p−1| alone below the normal range makes the element unconstrained', () => {
    // p = 3 (|p − 1| = 2), one tap x = 1.5·2^63: y = x, y² = |x|² = 1.125·2^127 (normal), (|x|/y)² = 1, but
    // |x|^−2 = 2^-126/2.25 is below 2^-126.
    const a = referenceBackward(spec('lp', 1, 1, { p: 3 }), row([1.5 * 2 ** 63]), row([1])).acceptance[0];
    expect(a).toMatchObject({ kind: 'unconstrained', reason: expect.stringContaining('ACC.RANGE') as unknown });
    // The same window at x = 2^62: every intermediate normal, so the set is an interval.
    expect(referenceBackward(spec('lp', 1, 1, { p: 3 }), row([2 ** 62]), row([1])).acceptance[0]?.kind).toBe('interval');
  });

  test('a zero term taking m = 2 contributions: 4m·η = 2^-147', () => {
    const a = interval(referenceBackward(spec('lp', 2, 1, { p: 2 }), row([3, 0, 4]), row([1, 1])).acceptance[1]);
    expectEnds(a, -8 * eta, 8 * eta);
    expect(accepts(a, 2 ** -147)).toBe(true);
    expect(accepts(a, 2 ** -146)).toBe(false);
  });

  test('flush, p = 1: terms of a subnormal x may be lost whole, + Σ|t|·(1 + γ_{m−1})', () => {
    // x1 = 2^-140 is in both windows (m = 2); t = dy·sign(x) = 1 each.
    const a = interval(referenceBackward(spec('lp', 2, 1, { p: 1 }), row([1, 2 ** -140, 1]), row([1, 1]), flush).acceptance[1]);
    const w = 2 * gamma(1) + 2 * rho1 * (1 + gamma(1)) + 8 * lambda + 2 * (1 + gamma(1));
    expectEnds(a, 2 - w, 2 + w);
  });

  test('ACC.OVERFLOW: (Σ|t| + Σ|t|ρ)(1 + γ_{m−1}) ≥ Ω allows ±∞ and NaN', () => {
    // p = 1, t = dy: two contributions 2^127 and S − 2^127, S the smallest multiple of 2^103 with
    // S(1 + ρ)(1 + γ_1) ≥ Ω (with a 2^-40 margin for f64 rounding). S itself is below MAX32.
    const omega = 2 ** 128 - 2 ** 103;
    let s = 2 ** 127;
    while (s * (1 + rho1) * (1 + gamma(1)) < omega * (1 + 2 ** -40)) s += 2 ** 103;
    expect(s).toBeLessThan(MAX32);
    const dy = row([2 ** 127, s - 2 ** 127]);
    expect(dy.data[1]).toBe(s - 2 ** 127);
    const a = interval(referenceBackward(spec('lp', 2, 1, { p: 1 }), row([1, 1, 1]), dy).acceptance[1]);
    expect(a.value).toBe(s);
    expect(flags(a)).toEqual([true, true, true]);
  });
});

describe('ACC.RANGE, one intermediate at a time (the guard\'s survivors, lines 112–119)', () => {
  const MIN_NORMAL = 2 ** -126;
  const inRange = (t: number): boolean => t >= MIN_NORMAL && t <= MAX32;
  /**
   * ACC.RANGE's intermediates for element x_i of one Lp window, evaluated here from the clause: y over its forward
   * interval (ACC.LP's ends, as y(1 ± δ_y)), y^{|p−1|} at both ends, |x|^{±|p−1|} and (|x|/y)^{p−1} at the end of
   * y that makes it smallest or largest. Returns the names of those outside the normal float32 range.
   */
  function outside(xs: readonly number[], i: number, p: number): string[] {
    const pw = xs.map((v) => Math.abs(v) ** p);
    const y = pw.reduce((a, b) => a + b, 0) ** (1 / p);
    const [lo, hi] = lpEnds(pw, p);
    const d = Math.max(hi / y - 1, 1 - lo / y);
    const yLo = y * (1 - d);
    const yHi = y * (1 + d);
    const e = Math.abs(p - 1);
    const a = Math.abs(xs[i]!);
    const named: [string, number][] = [
      ['yLo', yLo], ['yHi', yHi], ['yLo^e', yLo ** e], ['yHi^e', yHi ** e], ['|x|^e', a ** e], ['|x|^-e', a ** -e], ['ratio', (a / yHi) ** (p - 1)],
    ];
    return named.filter(([, v]) => !inRange(v)).map(([n]) => n);
  }
  const lpWindow = (n: number, p: number): PoolSpec => spec('lp', n, n, { p });
  const kindOf = (xs: number[], i: number, p: number): string => {
    const a = referenceBackward(lpWindow(xs.length, p), row(xs), row([1])).acceptance[i]!;
    return a.kind === 'unconstrained' ? `unconstrained: ${a.reason}` : a.kind;
  };
  // x with x^127 just at or above 2^-126 (float32), so that y^127 = x^127 is in range but y·(1 − δ_y) to the 127th is not.
  let x127 = Math.fround(2 ** (-126 / 127));
  while (x127 ** 127 < MIN_NORMAL) x127 = Math.fround(x127 * (1 + 2 ** -24));
  // A second tap making y² just below MAX32 while y(1 + δ_y) squared is above it (p = 3, x0 = 2^63).
  const w = Math.fround(2 ** 64 * (7 / 8 - 3 * 2 ** -23) ** (1 / 3));

  test.each<[string, number[], number, string]>([
    // p 0.5, one tap 2^-126: y = 2^-126, so y(1 − δ_y) is just below the normal range; y^0.5 = 2^-63 is not.
    ['y(1 − δ_y) below', [2 ** -126], 0.5, 'yLo'],
    // p 1.5, one tap MAX32: y(1 + δ_y) is just above MAX32.
    ['y(1 + δ_y) above', [MAX32], 1.5, 'yHi'],
    // p 128, one tap x127: y^127 ≥ 2^-126 > (y(1 − δ_y))^127; s = y^128 ≈ 2^-127 keeps δ_y near κ.
    ['(y(1 − δ_y))^|p−1| below', [x127], 128, 'yLo^e'],
    // p 3, [2^63, w]: y² ≤ MAX32 < (y(1 + δ_y))²; |x0|^±2 = 2^±126 and (x0/y)² ≈ 1/4 in range.
    ['(y(1 + δ_y))^|p−1| above', [2 ** 63, w], 3, 'yHi^e'],
    // p 128, [0.5, 0.75]: 0.5^127 = 2^-127 is below (its inverse 2^127 is not); y ≈ 0.75.
    ['|x|^|p−1| below', [0.5, 0.75], 128, '|x|^e'],
    // p 3, one tap 1.5·2^63: |x|^-2 = 2^-126/2.25.
    ['|x|^−|p−1| below', [1.5 * 2 ** 63], 3, '|x|^-e'],
    // p 2, [2^-60, 2^70]: |x0|/y ≈ 2^-130.
    ['(|x|/y)^(p−1) below', [2 ** -60, 2 ** 70], 2, 'ratio'],
  ])('%s alone: the element is unconstrained (ACC.RANGE)', (_, xs, p, which) => {
    expect(xs.map((v) => Math.fround(v))).toEqual(xs);
    expect(outside(xs, 0, p)).toEqual([which]);
    expect(kindOf(xs, 0, p)).toMatch(/^unconstrained: .*ACC\.RANGE/);
  });

  test('every intermediate in range, one of them exactly 2^-126: the element is constrained', () => {
    // p 3, [2^63, 2^62]: |x0|^-2 = 2^-126 exactly (the range is closed); y ≈ 1.04·2^63.
    expect(outside([2 ** 63, 2 ** 62], 0, 3)).toEqual([]);
    expect(2 ** (63 * -2)).toBe(MIN_NORMAL);
    expect(kindOf([2 ** 63, 2 ** 62], 0, 3)).toBe('interval');
    // The second tap of the |x|^|p−1| and ratio windows above is in range everywhere.
    expect(outside([0.5, 0.75], 1, 128)).toEqual([]);
    expect(kindOf([0.5, 0.75], 1, 128)).toBe('interval');
    expect(kindOf([2 ** -60, 2 ** 70], 1, 2)).toBe('interval');
  });
});
