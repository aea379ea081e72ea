/**
 * spec/reference/highprec.ts, the 40-digit arithmetic of the Lp reference and of the finite-difference check
 * (SPEC.md ACC.REF, PROP.FD), on values worked out by hand. The finite-difference helpers are otherwise reached only
 * through grad.fd's property run, where a wrong window value could pass as truncation error.
 */
import { describe, expect, test } from 'vitest';
import {
  hpAbs, hpAdd, hpDiv, hpFromNumber, hpMul, hpPow, hpSub, hpZero, lpPowers, lpRoot, windowValueHP,
} from '../../spec/reference/highprec.js';

const hp = (xs: number[]) => xs.map(hpFromNumber);

describe('powers and roots in 40 digits', () => {
  test('lpPowers: |x|^p per element, cached per index', () => {
    const data = Float32Array.from([-3, 0.5, 2]);
    const pw = lpPowers(data, 2);
    expect(pw(0).toNumber()).toBe(9);
    expect(pw(1).toNumber()).toBe(0.25);
    expect(pw(2).toNumber()).toBe(4);
    // The cache answers by index: a second read gives the same (unchanged) value.
    expect(pw(0).toNumber()).toBe(9);
    // p = 0.5: √2 to 40 digits, far closer than f64's rounding of it.
    expect(lpPowers(Float32Array.from([2]), 0.5)(0).toNumber()).toBe(Math.SQRT2);
  });

  test('lpRoot: the sum and its p-th root', () => {
    expect(lpRoot(hp([9, 16]), 2)).toEqual({ sum: 25, root: 5 });
    expect(lpRoot(hp([1, 2, 5]), 1)).toEqual({ sum: 8, root: 8 });
    expect(lpRoot(hp([8, 19]), 3)).toEqual({ sum: 27, root: 3 });
    expect(lpRoot([], 2)).toEqual({ sum: 0, root: 0 });
  });

  test('hpPow with a real exponent, hpMul of several factors, hpAbs', () => {
    expect(hpPow(4, 0.5).toNumber()).toBe(2);
    expect(hpPow(2, -3).toNumber()).toBe(0.125);
    expect(hpMul(hpFromNumber(3), hpFromNumber(-0.5), hpFromNumber(4)).toNumber()).toBe(-6);
    expect(hpMul().toNumber()).toBe(1);
    expect(hpAbs(hpFromNumber(-2.5)).toNumber()).toBe(2.5);
    expect(hpAdd(hpFromNumber(0.5), hpFromNumber(0.25)).toNumber()).toBe(0.75);
    expect(hpSub(hpFromNumber(1), hpFromNumber(3)).toNumber()).toBe(-2);
    expect(hpDiv(hpFromNumber(1), hpFromNumber(4)).toNumber()).toBe(0.25);
    expect(hpZero.toNumber()).toBe(0);
  });
});

describe('windowValueHP: one window of SPEC.md §3 in 40 digits', () => {
  test('max, sum, avg with its divisor, lp', () => {
    expect(windowValueHP('max', hp([1, 3, 2]), 3, 1).toNumber()).toBe(3);
    expect(windowValueHP('max', hp([-4, -1, -2]), 3, 1).toNumber()).toBe(-1);
    expect(windowValueHP('sum', hp([1, 3, -2]), 3, 1).toNumber()).toBe(2);
    expect(windowValueHP('avg', hp([1, 3, 2]), 4, 1).toNumber()).toBe(1.5);
    expect(windowValueHP('lp', hp([3, -4]), 2, 2).toNumber()).toBe(5);
    expect(windowValueHP('lp', hp([-1, 2, 3]), 3, 1).toNumber()).toBe(6);
  });

  test('values no float can hold: 1 + 2^-60 and 1 − 2^-60 differ', () => {
    // The finite-difference check evaluates f at x ± h; 40 digits keep h = 2^-60 around 1.
    const h = hpFromNumber(2 ** -60);
    const up = windowValueHP('sum', [hpAdd(hpFromNumber(1), h), hpFromNumber(1)], 2, 1);
    const down = windowValueHP('sum', [hpSub(hpFromNumber(1), h), hpFromNumber(1)], 2, 1);
    expect(hpDiv(hpSub(up, down), hpMul(hpFromNumber(2), h)).toNumber()).toBe(1);
  });
});
