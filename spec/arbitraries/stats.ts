/**
 * Cases for statistics pooling (SPEC.md STATS.*): batch, channels, 1 to 3 spatial axes, either layout, and data
 * biased to its hard regions: planes at a large offset with a small spread (where a one-pass variance
 * Σx²/T − μ² cancels catastrophically in float32), constant planes (σ = 0 exactly, large values included),
 * single-position planes (T = 1), special values, and a smooth profile for the gradient.
 */
import fc from 'fast-check';
import type { Layout, StatsPoolSpec, Tensor } from '../contract.js';
import { MAX32 } from '../interval.js';
import { finiteFloat, specialValues } from './values.js';

export type StatsProfile = 'offset' | 'constant' | 'finite' | 'special' | 'smooth';

export interface StatsCase {
  spec: StatsPoolSpec;
  x: Tensor;
  dy: Tensor;
  profile: StatsProfile;
}

/** Offsets at which float32 one-pass variance loses every bit of a spread of a few units. */
const OFFSETS: readonly number[] = [1e4, 2 ** 20, 3e6, -(2 ** 22), 12345.5];

function planeValues(profile: StatsProfile, count: number, T: number): fc.Arbitrary<number[]> {
  const arr = (a: fc.Arbitrary<number>): fc.Arbitrary<number[]> => fc.array(a, { minLength: count, maxLength: count });
  switch (profile) {
    case 'offset':
      // offset + a small integer or half-integer spread: exact in float32 for these offsets.
      return fc.tuple(fc.constantFrom(...OFFSETS), arr(fc.integer({ min: -6, max: 6 }))).map(([o, d]) => d.map((v) => Math.fround(o + v / 2)));
    case 'constant':
      // One value per plane (constant planes, σ = 0): every plane of T positions repeats its first draw.
      return arr(fc.oneof(fc.constantFrom(0, -0, 1, 0.1, 1e30, -3e38, 2 ** 20 + 1, MAX32), finiteFloat())).map((xs) => xs.map((_, i) => Math.fround(xs[Math.floor(i / T) * T]!)));
    case 'finite':
      return arr(fc.oneof(finiteFloat(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(2 ** -149, 1e-40, 1e30)));
    case 'special':
      return arr(fc.oneof({ weight: 3, arbitrary: finiteFloat() }, { weight: 1, arbitrary: fc.constantFrom(...specialValues) }));
    case 'smooth': {
      const mag = fc.float({ min: Math.fround(2 ** -6), max: Math.fround(2 ** 6), noNaN: true });
      return arr(fc.tuple(mag, fc.boolean()).map(([m, neg]) => (neg ? -m : m)));
    }
  }
}

export function statsCaseArbitrary(profiles: readonly StatsProfile[] = ['offset', 'constant', 'finite', 'special'], layouts: readonly Layout[] = ['channels_first', 'channels_last']): fc.Arbitrary<StatsCase> {
  const shape = fc.record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    spatial: fc.oneof(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 1 }), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 })),
    layout: fc.constantFrom(...layouts),
  });
  return fc.tuple(shape, fc.constantFrom(...profiles)).chain(([s, profile]) => {
    const T = s.spatial.reduce((a, b) => a * b, 1);
    const count = s.batch * s.channels * T;
    const dy = fc.array(fc.oneof(fc.float({ min: -4, max: 4, noNaN: true }), fc.constant(1)), { minLength: s.batch * 2 * s.channels, maxLength: s.batch * 2 * s.channels });
    return fc.tuple(planeValues(profile, count, T), dy).map(([values, dys]): StatsCase => {
      // Generated plane by plane (position fastest); laid out into the drawn layout.
      const data = new Float32Array(count);
      for (let n = 0; n < s.batch; n++) for (let c = 0; c < s.channels; c++) for (let t = 0; t < T; t++) {
        const at = s.layout === 'channels_last' ? (n * T + t) * s.channels + c : (n * s.channels + c) * T + t;
        data[at] = values[(n * s.channels + c) * T + t]!;
      }
      const shapeArr = s.layout === 'channels_last' ? [s.batch, ...s.spatial, s.channels] : [s.batch, s.channels, ...s.spatial];
      return {
        spec: { kind: 'stats' }, profile,
        x: { shape: shapeArr, data, layout: s.layout },
        dy: { shape: [s.batch, 2 * s.channels], data: Float32Array.from(dys), layout: 'channels_first' },
      };
    });
  });
}
