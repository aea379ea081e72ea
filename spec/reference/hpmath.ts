/**
 * The HPMath a reducer's reference is given (spec/reducer.ts): mathjs BigNumbers at 40 significant digits, as
 * in highprec.ts (ACC.REF). exp, log and pow at 40 digits have relative error near 10^-39, far below u = 2^-24.
 */
import { all, create } from 'mathjs';
import type { HP, HPMath } from '../reducer.js';
import { exactFraction } from './exact.js';

const M = create(all!, { precision: 40 });

export const HP_MATH: HPMath = {
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
