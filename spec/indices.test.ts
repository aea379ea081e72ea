import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ValidationError } from './errors.js';
import { onnxToPlane, planeToOnnx, planeToTf, tfToPlane } from './indices.js';
import { referenceForward } from './reference/forward.js';

describe('index conventions (INDEX.ONNX, INDEX.TF)', () => {
  test('ONNX test_maxpool_with_argmax_2d_precomputed_strides: storage_order=1 gives I = [[6,16],[8,18]]', () => {
    // 5×5 input 1..25, kernel 2, stride 2 (ONNX backend test data, quoted in the pooling study).
    const x = { shape: [1, 1, 5, 5], data: Float32Array.from({ length: 25 }, (_, i) => i + 1) };
    const r = referenceForward({ kind: 'max', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false }, x);
    expect(Array.from(r.values)).toEqual([7, 9, 17, 19]);
    expect(Array.from(r.indices!, (q) => planeToOnnx({ n: 0, c: 0, q }, 1, [5, 5], 1))).toEqual([6, 16, 8, 18]);
    expect(Array.from(r.indices!, (q) => planeToOnnx({ n: 0, c: 0, q }, 1, [5, 5], 0))).toEqual([6, 8, 16, 18]);
  });

  test('ONNX flat indices include the batch and channel planes', () => {
    // n = 1, c = 2 of C = 3, plane 4×4: (1·3 + 2)·16 + 5 = 85.
    expect(planeToOnnx({ n: 1, c: 2, q: 5 }, 3, [4, 4])).toBe(85);
    expect(onnxToPlane(85, 2, 3, [4, 4])).toEqual({ n: 1, c: 2, q: 5 });
  });

  test('tfjs maxPoolWithArgmax with the batch: [3, 7] for 1..8 as [2,2,2,1] (the study ran it)', () => {
    // Each example's max is its last element, plane index 3; C = 1, P = 4.
    expect([0, 1].map((n) => planeToTf({ n, c: 0, q: 3 }, 1, [2, 2], true))).toEqual([3, 7]);
    expect(planeToTf({ n: 1, c: 0, q: 3 }, 1, [2, 2], false)).toBe(3);
  });

  test('round trips, both ways, for any valid index', () => {
    const arb = fc.record({ batch: fc.integer({ min: 1, max: 3 }), channels: fc.integer({ min: 1, max: 4 }), spatial: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }) })
      .chain((s) => fc.record({ s: fc.constant(s), flat: fc.nat({ max: s.batch * s.channels * s.spatial.reduce((a, b) => a * b, 1) - 1 }), order: fc.constantFrom<0 | 1>(0, 1), withBatch: fc.boolean() }));
    fc.assert(fc.property(arb, ({ s, flat, order, withBatch }) => {
      const p = onnxToPlane(flat, s.batch, s.channels, s.spatial, order);
      expect(planeToOnnx(p, s.channels, s.spatial, order)).toBe(flat);
      const tf = planeToTf(p, s.channels, s.spatial, withBatch);
      expect(tfToPlane(tf, s.channels, s.spatial, withBatch, s.batch, p.n)).toEqual(p);
    }));
  });

  test('out-of-range indices are refused with a typed error', () => {
    expect(() => onnxToPlane(16, 1, 1, [4, 4])).toThrow(ValidationError);
    expect(() => planeToTf({ n: 0, c: 0, q: -1 }, 1, [4], false)).toThrow(/INDEX\.TF/);
    expect(() => planeToOnnx({ n: 0, c: 1, q: 0 }, 1, [4])).toThrow(/INDEX\.ONNX/);
  });
});
