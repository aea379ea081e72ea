/**
 * spec/interval.ts, the cases mutation testing found untested (reports/mutation/summary.md): the flush helpers,
 * the f64 stepping at its edges, the exact endpoints of `around`, `between`, and the wording of acceptance sets
 * (failure messages quote it). Every expected value is worked out by hand in the comment beside it, from IEEE 754
 * facts, never from the code under test.
 */
import { describe, expect, test } from 'vitest';
import {
  KAPPA_POW, MAX32, MIN_NORMAL32, OVERFLOW32, accepts, around, between, describeAcceptance, exact, flushError, formatNumber,
  gamma, nextF64, subnormalMagnitude, unconstrained,
} from '../../spec/interval.js';

/** The float32 whose bit pattern is `bits`, decoded by the hardware rather than by arithmetic. */
function f32FromBits(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0]!;
}

describe('float32 constants, decoded from their bit patterns', () => {
  test('MIN_NORMAL32 is 0x00800000 (exponent field 1, fraction 0)', () => {
    expect(MIN_NORMAL32).toBe(f32FromBits(0x0080_0000));
  });
  test('KAPPA_POW is two float32 ulps at 1.0: 0x3f800002 − 0x3f800000', () => {
    expect(KAPPA_POW).toBe(f32FromBits(0x3f80_0002) - f32FromBits(0x3f80_0000));
  });
});

describe('subnormalMagnitude and flushError (POLICY.SUBNORMALS)', () => {
  test('a subnormal counts with its magnitude, a normal or zero not at all', () => {
    const sub = f32FromBits(0x0000_0100); // 256 · 2^-149 = 2^-141, subnormal (exponent field 0)
    expect(subnormalMagnitude(sub)).toBe(2 ** -141);
    expect(subnormalMagnitude(-sub)).toBe(2 ** -141); // the magnitude, sign dropped
    expect(subnormalMagnitude(f32FromBits(0x0080_0000))).toBe(0); // the smallest normal is not subnormal
    expect(subnormalMagnitude(f32FromBits(0x007f_ffff))).toBe(f32FromBits(0x007f_ffff)); // the largest subnormal is
    expect(subnormalMagnitude(0)).toBe(0);
    expect(subnormalMagnitude(1)).toBe(0);
  });

  test('lost magnitude plus 2^-126 per flushable operation, none for a count ≤ 0', () => {
    expect(flushError(2 ** -141, 3)).toBe(2 ** -141 + 3 * 2 ** -126);
    expect(flushError(0.5, 0)).toBe(0.5);
    expect(flushError(0.5, -2)).toBe(0.5); // a negative count is no operation, not a credit
  });
});

describe('gamma outside its useful range', () => {
  test('γ of a negative count is 0 (no roundings, no error)', () => {
    expect(gamma(-3)).toBe(0);
  });
  test('γ stays infinite beyond k·u = 1, where k·u/(1 − k·u) would turn negative', () => {
    // k = 2^25: k·u = 2, and 2/(1 − 2) = −2 is no bound at all; no useful bound is +∞.
    expect(gamma(2 ** 25)).toBe(Infinity);
  });
});

describe('nextF64 at its edges', () => {
  test('NaN and the infinity in the direction of travel stay; the other infinity steps to ±MAX_VALUE', () => {
    expect(nextF64(NaN, 1)).toBeNaN();
    expect(nextF64(Infinity, 1)).toBe(Infinity);
    expect(nextF64(-Infinity, -1)).toBe(-Infinity);
    expect(nextF64(Infinity, -1)).toBe(Number.MAX_VALUE);
    expect(nextF64(-Infinity, 1)).toBe(-Number.MAX_VALUE);
  });
  test('negative numbers step by their own ulp: below −1 the spacing is 2^-52, above it 2^-53', () => {
    expect(nextF64(-1, -1)).toBe(-(1 + 2 ** -52));
    expect(nextF64(-1, 1)).toBe(-(1 - 2 ** -53));
  });
  test('both zeros step to ±MIN_VALUE', () => {
    expect(nextF64(0, 1)).toBe(Number.MIN_VALUE);
    expect(nextF64(-0, 1)).toBe(Number.MIN_VALUE);
    expect(nextF64(-0, -1)).toBe(-Number.MIN_VALUE);
  });
});

describe('around: exact endpoints', () => {
  test('err 0 still widens by two f64 ulps per side (ops 0 + 2)', () => {
    // Below 1 the f64 spacing is 2^-53, above it 2^-52: two steps each way.
    const a = around(1, 0, 1, 0);
    expect(a).toEqual({ kind: 'interval', value: 1, lo: 1 - 2 * 2 ** -53, hi: 1 + 2 * 2 ** -52, posInf: false, negInf: false, nan: false });
  });
  test('ops adds steps: ops 3 widens by five ulps per side', () => {
    const a = around(1, 0, 1, 3);
    expect(a.kind === 'interval' && [a.lo, a.hi]).toEqual([1 - 5 * 2 ** -53, 1 + 5 * 2 ** -52]);
  });
  test('err is scaled up by (1 + 2^-40) before widening', () => {
    // e = 2^-10·(1 + 2^-40) = 2^-10 + 2^-50; 1 ± e is exact in f64 (50 fraction bits); then two ulps each way:
    // above, 1 + 2^-10 + 2^-50 has spacing 2^-52; below, 1 − 2^-10 − 2^-50 lies in [1/2, 1), spacing 2^-53.
    const a = around(1, 2 ** -10, 1, 0);
    expect(a.kind === 'interval' && [a.lo, a.hi]).toEqual([1 - 2 ** -10 - 2 ** -50 - 2 * 2 ** -53, 1 + 2 ** -10 + 2 ** -50 + 2 * 2 ** -52]);
  });
  test('a non-finite value is exact', () => {
    expect(around(Infinity, 1, Infinity, 0)).toEqual({ kind: 'exact', value: Infinity });
    expect(around(-Infinity, 1, Infinity, 0)).toEqual({ kind: 'exact', value: -Infinity });
    const nan = around(NaN, 0, 0, 0);
    expect(nan.kind).toBe('exact');
    expect(nan.value).toBeNaN();
  });
  test('a negative value whose interval reaches −OVERFLOW32 may be −∞, but not +∞ or NaN', () => {
    // −MAX32 − MAX32·2^-20 = −(2^128 − 2^104)(1 + 2^-20) < −(2^128 − 2^103): the low end passes the threshold;
    // the magnitude MAX32 < OVERFLOW32, so no partial result overflows in any order: no NaN, no +∞.
    const a = around(-MAX32, MAX32 * 2 ** -20, MAX32, 0);
    expect(a.kind === 'interval' && [a.posInf, a.negInf, a.nan]).toEqual([false, true, false]);
    expect(accepts(a, -Infinity)).toBe(true);
    expect(accepts(a, Infinity)).toBe(false);
    expect(accepts(a, NaN)).toBe(false);
  });
  test('an interval ending exactly at ±OVERFLOW32 may round to ±∞', () => {
    // In [2^127, 2^128) the f64 spacing is 2^(127−52) = 2^75, so the two outward steps (err 0, ops 0) take
    // OVERFLOW32 − 2^76 exactly to OVERFLOW32, the float32 rounding threshold: +∞ is allowed, on the boundary.
    // The magnitude MAX32 < OVERFLOW32 rules out overflow of a partial result: no NaN, and no ∞ of the other sign.
    const a = around(OVERFLOW32 - 2 ** 76, 0, MAX32, 0);
    expect(a.kind === 'interval' && [a.hi === OVERFLOW32, a.posInf, a.negInf, a.nan]).toEqual([true, true, false, false]);
    const b = around(-(OVERFLOW32 - 2 ** 76), 0, MAX32, 0);
    expect(b.kind === 'interval' && [b.lo === -OVERFLOW32, b.posInf, b.negInf, b.nan]).toEqual([true, false, true, false]);
  });
});

describe('between and unconstrained', () => {
  test('between keeps its endpoints, allows +∞ when asked, never −∞ or NaN', () => {
    expect(between(2, 1, 3, false)).toEqual({ kind: 'interval', value: 2, lo: 1, hi: 3, posInf: false, negInf: false, nan: false });
    expect(between(2, 1, 3, true)).toEqual({ kind: 'interval', value: 2, lo: 1, hi: 3, posInf: true, negInf: false, nan: false });
  });
  test('between allows +∞ once hi reaches OVERFLOW32 (MAX32 + half an ulp rounds up)', () => {
    const a = between(1, 0, OVERFLOW32, false);
    expect(a.kind === 'interval' && a.posInf).toBe(true);
    const b = between(1, 0, MAX32, false);
    expect(b.kind === 'interval' && b.posInf).toBe(false);
  });
  test('an interval accepts its endpoints and nothing outside', () => {
    const a = between(2, 1, 3, false);
    expect([1, 2, 3].map((v) => accepts(a, v))).toEqual([true, true, true]);
    expect([1 - 2 ** -52, 3 + 2 ** -51, Infinity, -Infinity, NaN].map((v) => accepts(a, v))).toEqual([false, false, false, false, false]);
  });
  test('unconstrained accepts anything, NaN and ±∞ included', () => {
    const a = unconstrained(5, 'why');
    expect(a).toEqual({ kind: 'unconstrained', value: 5, reason: 'why' });
    expect([NaN, Infinity, -Infinity, -0, 1e30].every((v) => accepts(a, v))).toBe(true);
  });
});

describe('wording (failure messages quote it)', () => {
  test('formatNumber names the specials and writes finite values as JavaScript does', () => {
    expect([-0, 0, NaN, Infinity, -Infinity, 1.5, -2].map(formatNumber)).toEqual(['-0', '0', 'NaN', 'Infinity', '-Infinity', '1.5', '-2']);
  });
  test('describeAcceptance for each kind', () => {
    expect(describeAcceptance(exact(NaN))).toBe('NaN');
    expect(describeAcceptance(exact(2))).toBe('exactly 2');
    expect(describeAcceptance(exact(-0))).toBe('exactly -0');
    expect(describeAcceptance(between(2, 1, 3, false))).toBe('[1, 3] (exact 2)');
    expect(describeAcceptance(between(2, 1, 3, true))).toBe('[1, 3] or +Infinity (overflow possible) (exact 2)');
    expect(describeAcceptance(unconstrained(5, 'why'))).toBe('anything (why)');
  });
  test('an interval where every overflow is possible lists all three', () => {
    // magnitude OVERFLOW32: a partial sum may overflow either way, so +∞, −∞ and NaN (∞ − ∞) are all legal.
    expect(describeAcceptance(around(1, 1, OVERFLOW32, 0))).toMatch(/^\[-?[\d.e+-]+, [\d.e+-]+\] or \+Infinity or -Infinity or NaN \(overflow possible\) \(exact 1\)$/);
  });
  test('−∞ alone', () => {
    // String(−MAX32) is −3.4028234663852886e+38, the shortest decimal that reads back as −(2 − 2^-23)·2^127.
    expect(describeAcceptance(around(-MAX32, MAX32 * 2 ** -20, MAX32, 0))).toMatch(/^\[.+\] or -Infinity \(overflow possible\) \(exact -3\.4028234663852886e\+38\)$/);
  });
});
