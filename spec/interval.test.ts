import { describe, expect, test } from 'vitest';
import { ETA32, MAX32, OVERFLOW32, U32, accepts, around, exact, gamma, nextF64, outward } from './interval.js';

describe('interval library (ACC.MODEL, ACC.ENDPOINTS)', () => {
  test('gamma follows k·u/(1−k·u)', () => {
    expect(gamma(0)).toBe(0);
    expect(gamma(1)).toBe(2 ** -24 / (1 - 2 ** -24));
    expect(gamma(2 ** 24)).toBe(Infinity);
    expect(U32).toBe(Math.fround(1 + 2 ** -23) - 1 === 2 ** -23 ? 2 ** -24 : NaN); // u is half an ulp of 1
  });

  test('constants are float32 facts', () => {
    expect(Math.fround(MAX32)).toBe(MAX32);
    expect(Math.fround(OVERFLOW32)).toBe(Infinity); // the threshold itself rounds up (ties to even)
    expect(Math.fround(OVERFLOW32 - 2 ** 80)).toBe(MAX32);
    expect(Math.fround(ETA32)).toBe(0); // 2^-150 is half the smallest subnormal: rounds to 0 (even)
    expect(Math.fround(3 * ETA32)).toBe(2 ** -149 * 2);
  });

  test('nextF64 steps one ulp, also across zero', () => {
    expect(nextF64(1, 1)).toBe(1 + 2 ** -52);
    expect(nextF64(1, -1)).toBe(1 - 2 ** -53);
    expect(nextF64(0, -1)).toBe(-Number.MIN_VALUE);
    expect(nextF64(-Number.MIN_VALUE, 1)).toBe(-0);
    expect(outward(1, 1, 2)).toEqual([1 - 2 * 2 ** -53, 1 + 2 * 2 ** -52]);
  });

  test('exact acceptance compares bits: -0 is not +0, any NaN is NaN', () => {
    expect(accepts(exact(-0), 0)).toBe(false);
    expect(accepts(exact(-0), -0)).toBe(true);
    expect(accepts(exact(NaN), NaN)).toBe(true);
    expect(accepts(exact(3), 3 + 2 ** -20)).toBe(false);
  });

  test('intervals contain their bound and nothing beyond, ±∞ only where overflow is possible', () => {
    const a = around(1, 2 ** -20, 1, 0);
    expect(accepts(a, 1 + 2 ** -20)).toBe(true);
    expect(accepts(a, 1 + 2 ** -19)).toBe(false);
    expect(accepts(a, Infinity)).toBe(false);
    expect(accepts(a, NaN)).toBe(false);
    const b = around(1, 1, OVERFLOW32, 0);
    expect(accepts(b, Infinity)).toBe(true);
    expect(accepts(b, NaN)).toBe(true);
    const c = around(MAX32, MAX32 * 2 ** -20, MAX32, 0); // the value itself may round to +∞
    expect(accepts(c, Infinity)).toBe(true);
    expect(accepts(c, -Infinity)).toBe(false);
  });
});
