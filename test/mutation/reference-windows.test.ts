/**
 * spec/reference/windows.ts, WINDOW.TAPS literally (SPEC.md §2): the in-bounds taps of each output position in scan
 * order, worked out by hand from the window start j·s − b and the tap offsets t·d.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec } from '../../spec/contract.js';
import { poolGeometry } from '../../spec/geometry.js';
import { planeWindows } from '../../spec/reference/windows.js';

function spec(kernel: number[], strides: number[], dilations: number[], pads: number[]): PoolSpec {
  return { kind: 'max', kernel, strides, dilations, pads, ceilMode: false, countIncludePad: false };
}
const taps = (s: PoolSpec, shape: number[]): number[][] => planeWindows(s, poolGeometry(s, shape)).map((w) => [...w.taps]);

describe('planeWindows', () => {
  test('one window per output position of the plane, no more', () => {
    // Size 4, kernel 2, stride 2: outputs 2.
    expect(taps(spec([2], [2], [1], [0, 0]), [1, 1, 4])).toEqual([[0, 1], [2, 3]]);
  });

  test('dilation 2: taps at start, start + 2', () => {
    // Size 5, kernel 2, dilation 2 (extent 3), stride 1: windows start at 0, 1, 2.
    expect(taps(spec([2], [1], [2], [0, 0]), [1, 1, 5])).toEqual([[0, 2], [1, 3], [2, 4]]);
  });

  test('padding: taps before 0 and past the end are dropped', () => {
    // Size 3, kernel 3, stride 2, pads 1/1: windows start at −1 and 1.
    expect(taps(spec([3], [2], [1], [1, 1]), [1, 1, 3])).toEqual([[0, 1], [1, 2]]);
  });

  test('2-D with dilation: row-major scan, last axis fastest', () => {
    // 3×4 plane, kernel 2×2, dilation 1×2, stride 1: windows at rows 0–1, columns 0 and 1 (extent 3 of 4).
    // Window (0, 0) reads (0,0) (0,2) (1,0) (1,2) = 0, 2, 4, 6.
    expect(taps(spec([2, 2], [1, 1], [1, 2], [0, 0, 0, 0]), [1, 1, 3, 4])).toEqual([
      [0, 2, 4, 6], [1, 3, 5, 7],
      [4, 6, 8, 10], [5, 7, 9, 11],
    ]);
  });
});
