/**
 * The element comparisons every property ends in (spec/properties/property.ts compareAll, compareExact): a result
 * whose element count differs from the expectation fails, whichever side is shorter. Their loops walk the expected
 * elements only, so an empty expectation or a longer result would otherwise pass unseen (found by mutation testing:
 * a reference returning no gradient sets passed reducer.stochastic.route).
 */
import { describe, expect, test } from 'vitest';
import { exact } from '../spec/interval.js';
import { compareAll, compareExact } from '../spec/properties/property.js';

describe('compareAll and compareExact: element counts', () => {
  const sets = [exact(1), exact(2)];

  test('equal counts: compared element by element', () => {
    expect(compareAll('y', [2], Float32Array.of(1, 2), sets, 'DIFF').status).toBe('pass');
    expect(compareAll('y', [2], Float32Array.of(1, 3), sets, 'DIFF').status).toBe('fail');
    expect(compareExact('y', [2], Float32Array.of(1, 2), Float32Array.of(1, 2), 'INV').status).toBe('pass');
  });

  test('a longer or shorter result fails, naming the tensor, both counts and the clause', () => {
    for (const got of [Float32Array.of(1, 2, 3), Float32Array.of(1), new Float32Array(0)]) {
      const v = compareAll('dx', [2], got, sets, 'GRAD.MAX');
      expect(v.status).toBe('fail');
      expect(v.status === 'fail' ? v.message : '').toBe(`dx has ${got.length} elements, expected 2 (shape [2]; GRAD.MAX)`);
      expect(compareExact('dx', [2], got, Float32Array.of(1, 2), 'INV.LAYOUT').status).toBe('fail');
    }
    // An empty expectation does not accept a result that has elements.
    expect(compareAll('dx', [0], Float32Array.of(5), [], 'GRAD.MAX').status).toBe('fail');
  });
});
