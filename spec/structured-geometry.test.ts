import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ValidationError } from './errors.js';
import { referenceStructuredBackward, referenceStructuredForward } from './reference/structured.js';
import type { StructuredSpec, Tensor } from './contract.js';
import { adaptiveWindow, roiBin, roiBox, unpoolOutputSpatial } from './structured-geometry.js';

const t = (shape: number[], data: number[]): Tensor => ({ shape, data: Float32Array.from(data) });

describe('adaptive windows (ADAPTIVE.WINDOW)', () => {
  test('cover the input, are monotone, never empty, and hold at most ⌈IN/OUT⌉ + 1 elements', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (size, out) => {
      let prev: [number, number] = [0, 0];
      for (let i = 0; i < out; i++) {
        const w = adaptiveWindow(i, size, out);
        expect(w[0]).toBeGreaterThanOrEqual(prev[0]);
        expect(w[1]).toBeGreaterThanOrEqual(prev[1]);
        expect(w[0]).toBeLessThanOrEqual(prev[1]); // no gap: every element is covered
        expect(w[1] - w[0]).toBeGreaterThanOrEqual(1);
        expect(w[1] - w[0]).toBeLessThanOrEqual(Math.ceil(size / out) + 1);
        prev = w;
      }
      expect(adaptiveWindow(0, size, out)[0]).toBe(0);
      expect(prev[1]).toBe(size);
    }));
  });

  test('10 → 3 uses the ceiling at the end (FlagGems#4915 used the floor)', () => {
    // ⌊0⌋,⌈10/3⌉ = [0,4); ⌊10/3⌋,⌈20/3⌉ = [3,7); ⌊20/3⌋,⌈30/3⌉ = [6,10).
    expect([0, 1, 2].map((i) => adaptiveWindow(i, 10, 3))).toEqual([[0, 4], [3, 7], [6, 10]]);
  });

  test('adaptive average of 1..5 to 2 outputs: windows [0,3) and [2,5)', () => {
    const r = referenceStructuredForward({ kind: 'adaptive_avg', outputSize: [2] }, t([1, 1, 5], [1, 2, 3, 4, 5]));
    expect(Array.from(r.values)).toEqual([2, 4]);
  });
});

describe('RoI pooling (ROI.*)', () => {
  test('corners round half away from zero, the end is inclusive, reversed boxes are one element wide', () => {
    expect(roiBox([0, 0.5, -0.5, 2.5, 1], 1)).toEqual({ batch: 0, x0: 1, y0: -1, w: 3, h: 3 });
    expect(roiBox([0, 4, 4, 1, 1], 1)).toMatchObject({ w: 1, h: 1 });
    // 8/16 = 0.5 rounds to 1, 24/16 = 1.5 rounds to 2: the box spans 2 − 1 + 1 = 2 cells.
    expect(roiBox([0, 8, 8, 24, 24], 0.0625)).toEqual({ batch: 0, x0: 1, y0: 1, w: 2, h: 2 });
  });

  test('bins by floor/ceil, clipped to the map', () => {
    // A box of 5 rows from row 1 into 3 bins: [1+0, 1+⌈5/3⌉) = [1,3), [1+1, 1+⌈10/3⌉) = [2,5), [1+3, 1+5) = [4,6)
    expect([0, 1, 2].map((p) => roiBin(p, 3, 1, 5, 10))).toEqual([[1, 3], [2, 5], [4, 6]]);
    expect(roiBin(0, 1, -3, 2, 10)).toEqual([0, 0]); // entirely above the map: empty
  });

  test('an all-negative bin gives its maximum, not FLT_MIN (ort#319)', () => {
    const r = referenceStructuredForward({ kind: 'roi_max', pooledSize: [1, 1], spatialScale: 1, boxes: [[0, 0, 0, 1, 1]] }, t([1, 1, 2, 2], [-1, -1, -1, -1]));
    expect(Array.from(r.values)).toEqual([-1]);
    expect(Array.from(r.indices!)).toEqual([0]);
  });

  test('an empty bin gives 0 with index −1, and no gradient', () => {
    const spec: StructuredSpec = { kind: 'roi_max', pooledSize: [1, 2], spatialScale: 1, boxes: [[0, 5, 0, 9, 0]] };
    const x = t([1, 1, 1, 2], [3, 4]);
    const r = referenceStructuredForward(spec, x);
    expect(Array.from(r.values)).toEqual([0, 0]);
    expect(Array.from(r.indices!)).toEqual([-1, -1]);
    expect(Array.from(referenceStructuredBackward(spec, x, t([1, 1, 1, 2], [1, 1])).values)).toEqual([0, 0]);
  });

  test('a batch index out of range is refused (ROI.BATCH)', () => {
    expect(() => referenceStructuredForward({ kind: 'roi_max', pooledSize: [1, 1], spatialScale: 1, boxes: [[1, 0, 0, 1, 1]] }, t([1, 1, 2, 2], [1, 2, 3, 4])))
      .toThrow(/ROI\.BATCH/);
  });
});

describe('spatial pyramid pooling (SPP.*)', () => {
  test('the output length is C · Σ bins whatever the input size', () => {
    for (const size of [4, 5, 9]) {
      const x = t([2, 3, size, size], new Array<number>(2 * 3 * size * size).fill(1));
      const r = referenceStructuredForward({ kind: 'spp', mode: 'max', levels: [[1, 1], [2, 2], [4, 4]] }, x);
      expect(r.gather.outShape).toEqual([2, 3 * 21]);
    }
  });

  test('features are ordered by level, then channel, then bin', () => {
    // C = 2, 1-D [1,2,3,4] and [5,6,7,8]; levels [1] and [2] (max): [4, 8 | 2, 4, 6, 8].
    const r = referenceStructuredForward({ kind: 'spp', mode: 'max', levels: [[1], [2]] }, t([1, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8]));
    expect(Array.from(r.values)).toEqual([4, 8, 2, 4, 6, 8]);
  });
});

describe('max unpooling (UNPOOL.*)', () => {
  test('the default output size is (in − 1)·stride − pads + kernel', () => {
    expect(unpoolOutputSpatial({ kind: 'max_unpool', kernel: [2, 3], strides: [2, 2], pads: [0, 1, 0, 1], indices: new Int32Array() }, [3, 4])).toEqual([6, 7]);
  });

  test('values land on their indices; a repeated index keeps the last value; gradients follow', () => {
    const spec: StructuredSpec = { kind: 'max_unpool', kernel: [2], strides: [2], pads: [0, 0], indices: Int32Array.from([1, 1, 3]) };
    const x = t([1, 1, 3], [5, 6, 7]);
    expect(Array.from(referenceStructuredForward(spec, x).values)).toEqual([0, 6, 0, 7, 0, 0]);
    // Only the value that was kept receives a gradient (pytorch#80827 was inconsistent here).
    expect(Array.from(referenceStructuredBackward(spec, x, t([1, 1, 6], [1, 2, 3, 4, 5, 6])).values)).toEqual([0, 2, 4]);
  });

  test('an index outside the output plane is refused before anything is written (pytorch#197409)', () => {
    const spec: StructuredSpec = { kind: 'max_unpool', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], indices: Int32Array.from([0, 1, 2, 16]) };
    expect(() => referenceStructuredForward(spec, t([1, 1, 2, 2], [1, 1, 1, 1]))).toThrow(ValidationError);
    expect(() => referenceStructuredForward(spec, t([1, 1, 2, 2], [1, 1, 1, 1]))).toThrow(/spec\.indices\[3\].*UNPOOL\.INDEX/);
  });
});
