/**
 * Float32 input values, after fast-check's own float arbitraries: drawn from the f32 lattice, biased towards
 * the values that break pooling kernels. Exported for reuse.
 *
 * Constraints:
 * - 'ties': small integers in [-3, 3], so windows hold repeated maxima (MAX.TIES) and −0/+0 meet.
 * - 'finite': any finite f32 of moderate magnitude (|x| ≤ 2^20), plus exact zeros; no NaN/∞.
 * - 'special': mixes ±0, NaN, ±∞, subnormals, the largest finite values and small integers with 'finite'.
 * - 'smooth': finite, non-zero, magnitudes in [2^-8, 2^8]: for gradient checks away from zero and overflow.
 */
import fc from 'fast-check';
import { MAX32 } from '../interval.js';

export type ValueProfile = 'ties' | 'finite' | 'special' | 'smooth';

const SMALLEST_SUBNORMAL = 2 ** -149;

/** Values every kernel gets wrong somewhere: signed zeros, NaN, infinities, subnormals, extremes. */
export const specialValues: readonly number[] = [
  0, -0, NaN, Infinity, -Infinity,
  SMALLEST_SUBNORMAL, -SMALLEST_SUBNORMAL, 2 ** -127, -(2 ** -130),
  MAX32, -MAX32, 2 ** 127, -(2 ** 127), 1, -1,
];

export function finiteFloat(maxAbs = 2 ** 20): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(-maxAbs), max: Math.fround(maxAbs), noNaN: true, noDefaultInfinity: true });
}

export function valueArbitrary(profile: ValueProfile): fc.Arbitrary<number> {
  switch (profile) {
    case 'ties':
      return fc.integer({ min: -3, max: 3 }).map((v) => (v === 0 ? 0 : v));
    case 'finite':
      return fc.oneof({ weight: 6, arbitrary: finiteFloat() }, { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1) });
    case 'special':
      return fc.oneof(
        { weight: 4, arbitrary: finiteFloat() },
        { weight: 2, arbitrary: fc.constantFrom(...specialValues) },
        { weight: 2, arbitrary: fc.integer({ min: -3, max: 3 }) },
        { weight: 1, arbitrary: fc.float({ noNaN: true }) },
      );
    case 'smooth':
      return fc.tuple(fc.float({ min: Math.fround(2 ** -8), max: Math.fround(2 ** 8), noNaN: true }), fc.boolean())
        .map(([m, neg]) => (neg ? -m : m));
  }
}

/** A Float32Array of exactly `length` values of one profile. */
export function float32Data(length: number, profile: ValueProfile): fc.Arbitrary<Float32Array> {
  return fc.array(valueArbitrary(profile), { minLength: length, maxLength: length }).map((xs) => Float32Array.from(xs));
}
