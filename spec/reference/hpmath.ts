/**
 * The HPMath a reducer's reference is given (spec/reducer.ts): mathjs BigNumbers at 40 significant digits, as
 * in highprec.ts (ACC.REF). exp, log and pow at 40 digits have relative error near 10^-39, far below u = 2^-24.
 */
import { all, create } from 'mathjs';
import type { HP, HPMath } from '../reducer.js';
import { exactFraction } from './exact.js';

/** An HPMath at `precision` significant digits. */
export function createHPMath(precision: number): HPMath {
  const M = create(all!, { precision });
  return {
    // Float32 and f64 values are dyadic rationals: through a Fraction they enter exactly.
    of: (x) => (Number.isFinite(x) ? M.bignumber(exactFraction(x)) : M.bignumber(x)),
    isFinite: (a) => a.isFinite(),
    toNumber: (a) => a.toNumber(),
    add: (a, b) => M.add(a, b),
    sub: (a, b) => M.subtract(a, b),
    mul: (a, b) => M.multiply<HP>(a, b),
    div: (a, b) => M.divide(a, b) as HP,
    neg: (a) => M.unaryMinus(a),
    abs: (a) => M.abs(a),
    exp: (a) => M.exp(a),
    log: (a) => M.log<HP>(a),
    pow: (a, b) => M.pow(a, b) as HP,
    sqrt: (a) => M.sqrt<HP>(a),
    lt: (a, b) => a.lt(b),
    max: (vs) => vs.reduce((a, b) => (b.gt(a) ? b : a)),
    min: (vs) => vs.reduce((a, b) => (b.lt(a) ? b : a)),
    sum: (vs) => vs.reduce((a, b) => M.add(a, b), M.bignumber(0)),
  };
}

/** The reference's arithmetic (ACC.REF): 40 digits. */
export const HP_MATH: HPMath = createHPMath(40);

/**
 * The finite differences' arithmetic (REDUCER.FD): 80 digits, so that a difference quotient keeps some 60 digits
 * even where the reference's intermediates are far larger than its result (e.g. log W with W = 1 + 10^-28).
 */
export const HP_MATH_FD: HPMath = createHPMath(80);
export const HP_FD_DIGITS = 80;
