/**
 * spec/geometry.ts, the cases mutation testing found untested (reports/mutation/summary.md): the default layout
 * and the input shape a geometry carries, and the memory addressing of an (n, c) plane in both layouts
 * (TENSOR.LAYOUT). Expected values are worked out by hand from TENSOR.LAYOUT's row-major definition.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec } from '../../spec/contract.js';
import { forEachPlane, planeAddress, poolGeometry } from '../../spec/geometry.js';

const spec: PoolSpec = { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };

describe('poolGeometry', () => {
  test('the layout defaults to channels_first and the geometry keeps the input shape', () => {
    // [N, C, W] = [2, 3, 4]: channels_first reads C = 3 and W = 4; O = ⌊(4 − 2)/2⌋ + 1 = 2.
    const g = poolGeometry(spec, [2, 3, 4]);
    expect(g.layout).toBe('channels_first');
    expect(g.inShape).toEqual([2, 3, 4]);
    expect([g.batch, g.channels, g.inSpatial, g.outShape]).toEqual([2, 3, [4], [2, 3, 2]]);
  });
});

describe('planeAddress (TENSOR.LAYOUT)', () => {
  // Batch 2, channels 3, a plane of 4 elements; the plane of n = 1, c = 2.
  test('channels_first: planes are contiguous, in (n, c) order', () => {
    // NCW row-major: element (n, c, q) at (n·C + c)·P + q = (1·3 + 2)·4 + q = 20 + q.
    expect(planeAddress('channels_first', 2, 3, 4, 1, 2)).toEqual({ base: 20, step: 1 });
  });
  test('channels_last: a plane is strided by the channel count', () => {
    // NWC row-major: element (n, q, c) at (n·P + q)·C + c = 1·4·3 + 2 + 3q = 14 + 3q.
    expect(planeAddress('channels_last', 2, 3, 4, 1, 2)).toEqual({ base: 14, step: 3 });
  });
  test('the first plane starts at 0 in both layouts; channel c of image 0 at c·P or c', () => {
    expect(planeAddress('channels_first', 2, 3, 4, 0, 0)).toEqual({ base: 0, step: 1 });
    expect(planeAddress('channels_first', 2, 3, 4, 0, 1)).toEqual({ base: 4, step: 1 });
    expect(planeAddress('channels_last', 2, 3, 4, 0, 1)).toEqual({ base: 1, step: 3 });
    expect(planeAddress('channels_last', 2, 3, 4, 1, 0)).toEqual({ base: 12, step: 3 });
  });
});

describe('forEachPlane', () => {
  test('visits every (n, c) once, in order, with its input and output addressing', () => {
    // [N, C, W] = [2, 2, 4] channels_first, output W 2: input planes at 4·(2n + c), output planes at 2·(2n + c).
    const g = poolGeometry(spec, [2, 2, 4], 'channels_first');
    const seen: string[] = [];
    forEachPlane(g, (src, dst, n, c) => seen.push(`${n}${c}:${src.base}/${src.step},${dst.base}/${dst.step}`));
    expect(seen).toEqual(['00:0/1,0/1', '01:4/1,2/1', '10:8/1,4/1', '11:12/1,6/1']);
  });
  test('channels_last: planes interleave, strided by C', () => {
    // [N, W, C] = [2, 4, 2], output W 2: input plane (n, c) at n·4·2 + c, output at n·2·2 + c, both with step 2.
    const g = poolGeometry(spec, [2, 4, 2], 'channels_last');
    const seen: string[] = [];
    forEachPlane(g, (src, dst, n, c) => seen.push(`${n}${c}:${src.base}/${src.step},${dst.base}/${dst.step}`));
    expect(seen).toEqual(['00:0/2,0/2', '01:1/2,1/2', '10:8/2,4/2', '11:9/2,5/2']);
  });
});
