/**
 * spec/reference/exact.ts, the exact arithmetic under the reference (SPEC.md ACC.REF, SPECIAL.IEEE), on values
 * whose exact rational form is known by hand: an f64 is ±m·2^e with an integer m < 2^53, and IEEE's special-value
 * rules for sums. The reference's tests reach these only through whole windows, where a wrong low bit or a
 * special-value rule that never fires in the drawn cases goes unseen.
 */
import { fraction } from 'mathjs';
import { describe, expect, test } from 'vitest';
import { ExactSum, ZERO, exactFraction, toNumber } from '../../spec/reference/exact.js';

const pow2 = (e: number): bigint => 2n ** BigInt(e);

describe('exactFraction: the rational value of a double, from its bits', () => {
  test('normal values', () => {
    // 0.1 rounds to 3602879701896397·2^-55 (its mantissa with the hidden bit, 0x1999999999999A).
    expect(exactFraction(0.1).equals(fraction(3602879701896397n, pow2(55)))).toBe(true);
    expect(exactFraction(-1.5).equals(fraction(-3n, 2n))).toBe(true);
    expect(exactFraction(3).equals(fraction(3n, 1n))).toBe(true);
    expect(exactFraction(2 ** 100).equals(fraction(pow2(100), 1n))).toBe(true);
    // The smallest normal double, 2^-1022, and the largest, (2^53 − 1)·2^971.
    expect(exactFraction(2 ** -1022).equals(fraction(1n, pow2(1022)))).toBe(true);
    expect(exactFraction(Number.MAX_VALUE).equals(fraction((pow2(53) - 1n) * pow2(971), 1n))).toBe(true);
  });

  test('subnormal doubles have no hidden bit and exponent −1074', () => {
    expect(exactFraction(Number.MIN_VALUE).equals(fraction(1n, pow2(1074)))).toBe(true);
    expect(exactFraction(-3 * Number.MIN_VALUE).equals(fraction(-3n, pow2(1074)))).toBe(true);
    // 2^-1023 is subnormal: mantissa 2^51 at exponent −1074.
    expect(exactFraction(2 ** -1023).equals(fraction(1n, pow2(1023)))).toBe(true);
  });

  test('zeros are zero; non-finite values are refused', () => {
    expect(exactFraction(0).equals(ZERO)).toBe(true);
    expect(exactFraction(-0).equals(ZERO)).toBe(true);
    expect(() => exactFraction(Infinity)).toThrow(RangeError);
    expect(() => exactFraction(-Infinity)).toThrow(/-Infinity is not finite/);
    expect(() => exactFraction(NaN)).toThrow(RangeError);
  });

  test('toNumber rounds back to the double', () => {
    expect(toNumber(exactFraction(0.1))).toBe(0.1);
    expect(toNumber(fraction(1n, 3n))).toBe(1 / 3);
  });
});

describe('ExactSum: exact finite part, IEEE special values beside it', () => {
  test('finite terms: value, Σ|terms| and the count', () => {
    const s = new ExactSum();
    s.add(1); s.add(-3); s.add(0.1); s.add(0);
    // 1 − 3 + 0.1 exactly (0.1 as its double), and a zero still counts as a term (n of the γ bounds).
    expect(s.exactFinite().equals(fraction(1n, 1n).sub(fraction(3n, 1n)).add(exactFraction(0.1)))).toBe(true);
    expect(s.value()).toBe(-1.9);
    expect(s.absSum()).toBe(4.1);
    expect(s.terms).toBe(4);
    expect(s.special).toBe(false);
  });

  test('terms divided by a divisor: exact quotients, the sign of D applied', () => {
    const s = new ExactSum();
    s.add(3, 2); s.add(1, -4);
    expect(s.value()).toBe(1.25);
    expect(s.absSum()).toBe(1.75);
    // 1/3 is not a double: the sum 1/3 + 2/3 is exactly 1.
    const t = new ExactSum();
    t.add(1, 3); t.add(2, 3);
    expect(t.value()).toBe(1);
  });

  test('a big and a small term cancel exactly (no f64 rounding in the finite part)', () => {
    const s = new ExactSum();
    s.add(2 ** 60); s.add(1); s.add(-(2 ** 60));
    expect(s.value()).toBe(1);
    expect(s.absSum()).toBe(2 ** 61 + 1);
  });

  test('SPECIAL.IEEE: ∞ + finite = ∞, +∞ + −∞ = NaN, NaN absorbs', () => {
    const sum = (...xs: [number, number?][]): ExactSum => {
      const s = new ExactSum();
      for (const [x, d] of xs) s.add(x, d);
      return s;
    };
    expect(sum([Infinity], [5]).value()).toBe(Infinity);
    expect(sum([-Infinity], [5]).value()).toBe(-Infinity);
    expect(sum([Infinity], [-Infinity]).value()).toBeNaN();
    expect(sum([NaN], [1]).value()).toBeNaN();
    expect(sum([NaN], [Infinity]).value()).toBeNaN();
    // Divided by a negative D, +∞ becomes −∞ and −∞ becomes +∞.
    expect(sum([Infinity, -2]).value()).toBe(-Infinity);
    expect(sum([-Infinity, -2]).value()).toBe(Infinity);
    expect(sum([Infinity, 2]).value()).toBe(Infinity);
    expect(sum([-Infinity, 2]).value()).toBe(-Infinity);
    const flags = (s: ExactSum): boolean[] => [s.posInf, s.negInf, s.nan, s.special];
    expect(flags(sum([Infinity]))).toEqual([true, false, false, true]);
    expect(flags(sum([-Infinity]))).toEqual([false, true, false, true]);
    expect(flags(sum([NaN]))).toEqual([false, false, true, true]);
    expect(flags(sum([1]))).toEqual([false, false, false, false]);
    // The finite part is kept apart: Σ|finite terms| ignores the infinite one.
    const s = sum([Infinity], [-2], [3]);
    expect(s.absSum()).toBe(5);
    expect(s.terms).toBe(3);
  });

  test('an empty sum is +0', () => {
    const s = new ExactSum();
    expect(Object.is(s.value(), 0)).toBe(true);
    expect(s.absSum()).toBe(0);
    expect(s.terms).toBe(0);
  });
});
