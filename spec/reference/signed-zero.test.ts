/**
 * ACC.GRAD: dx compares numerically, so the sign of a zero dx is free. A kernel that stores a single dy = −0
 * directly (wasm and WebGPU on disjoint windows) and one that adds it to a +0 start (naive) must both pass.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec, Tensor } from '../contract.js';
import { accepts } from '../interval.js';
import { referenceBackward } from './backward.js';

const spec = (kind: PoolSpec['kind']): PoolSpec =>
  ({ kind, kernel: [2], strides: [2], dilations: [1], pads: [0, 1], ceilMode: false, countIncludePad: false });
// x = [1, 2, 3, 4, 5] with k2 s2 and one end pad: windows {1,2}, {3,4}, {5}. dy = −0 everywhere.
const x: Tensor = { shape: [1, 1, 5], data: Float32Array.from([1, 2, 3, 4, 5]) };
const dy: Tensor = { shape: [1, 1, 3], data: Float32Array.from([-0, -0, -0]) };

describe('ACC.GRAD leaves the sign of a zero dx free', () => {
  test.each(['max', 'sum', 'avg'] as const)('%s: every dx element accepts +0 and −0', (kind) => {
    const { acceptance } = referenceBackward(spec(kind), x, dy);
    expect(acceptance).toHaveLength(5);
    for (const a of acceptance) {
      expect(accepts(a, 0)).toBe(true);
      expect(accepts(a, -0)).toBe(true);
      // Beyond ±0 the set holds only what ACC.GRAD allows for one contribution: nothing for max and sum
      // (γ_0 = 0), 2m·η = 2^-149 for avg (the product dy·(1/D) may underflow). The next float out is rejected.
      const edge = kind === 'avg' ? 2 ** -148 : 2 ** -149;
      expect(accepts(a, edge)).toBe(false);
      expect(accepts(a, -edge)).toBe(false);
    }
  });
});
