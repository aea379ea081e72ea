/**
 * 40-significant-digit decimal arithmetic (mathjs BigNumber) for the one thing Fractions cannot hold exactly:
 * real powers (LP.DEF). Its relative error, about 1e-39, is 31 orders below float32's unit roundoff; the
 * callers' outward() rounding of the f64 endpoints covers the final conversion to f64.
 */
import { all, create, type BigNumber } from 'mathjs';
import { exactFraction } from './exact.js';

const M = create(all!, { precision: 40 });

export type Decimal = BigNumber;

/** |x|^p for every element of data, computed lazily and cached (each input element is read by many windows). */
export function lpPowers(data: Float32Array, p: number): (index: number) => Decimal {
  const cache = new Map<number, Decimal>();
  const P = M.bignumber(exactFraction(p));
  return (index) => {
    let r = cache.get(index);
    if (r === undefined) {
      r = M.pow(M.bignumber(exactFraction(Math.abs(data[index]!))), P) as Decimal;
      cache.set(index, r);
    }
    return r;
  };
}

/** Σ terms and (Σ terms)^(1/p), in 40 digits, rounded to f64. */
export function lpRoot(terms: readonly Decimal[], p: number): { sum: number; root: number } {
  let s = M.bignumber(0);
  for (const t of terms) s = M.add(s, t);
  const root = M.pow(s, M.divide(M.bignumber(1), M.bignumber(exactFraction(p))) as Decimal) as Decimal;
  return { sum: s.toNumber(), root: root.toNumber() };
}

/** High-precision helpers for the Lp gradient (GRAD.LP): |x|^e and y^e for a real exponent e. */
export function hpPow(base: number, e: number): Decimal {
  return M.pow(M.bignumber(exactFraction(base)), M.bignumber(exactFraction(e))) as Decimal;
}

export function hpMul(...xs: Decimal[]): Decimal {
  return xs.reduce((a, b) => M.multiply<Decimal>(a, b), M.bignumber(1));
}

export function hpFromNumber(x: number): Decimal {
  return M.bignumber(exactFraction(x));
}

export function hpAdd(a: Decimal, b: Decimal): Decimal {
  return M.add(a, b);
}

export function hpAbs(a: Decimal): Decimal {
  return M.abs<Decimal>(a);
}

export const hpZero: Decimal = M.bignumber(0);

/**
 * One window's value in 40 digits for arbitrary (not float32) inputs: the finite-difference check evaluates
 * the spec's function at x ± h, which float32 cannot represent.
 */
export function windowValueHP(kind: 'max' | 'avg' | 'sum' | 'lp', values: readonly Decimal[], divisor: number, p: number): Decimal {
  switch (kind) {
    case 'max':
      return values.reduce((a, b) => (M.larger(b, a) ? b : a));
    case 'sum':
      return values.reduce((a, b) => M.add(a, b), hpZero);
    case 'avg':
      return M.divide(values.reduce((a, b) => M.add(a, b), hpZero), hpFromNumber(divisor)) as Decimal;
    case 'lp': {
      const P = hpFromNumber(p);
      const s = values.reduce((a, b) => M.add(a, M.pow(M.abs(b), P)) as Decimal, hpZero);
      return M.pow(s, M.divide(M.bignumber(1), P) as Decimal) as Decimal;
    }
  }
}

export function hpSub(a: Decimal, b: Decimal): Decimal {
  return M.subtract(a, b);
}

export function hpDiv(a: Decimal, b: Decimal): Decimal {
  return M.divide(a, b) as Decimal;
}
