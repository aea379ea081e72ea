/**
 * The reference on hand-worked examples and on values published with real framework bugs
 * (cited per case; the pooling-semantics study lists them). Each expected number is worked out by hand from
 * SPEC.md or quoted from the cited source, never produced by this code.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec, Tensor } from '../contract.js';
import { outputSize } from '../geometry.js';
import { resolvePolicy } from '../policy.js';
import { referenceBackward } from './backward.js';
import { referenceForward } from './forward.js';

function spec(kind: PoolSpec['kind'], kernel: number[], strides: number[], pads: number[], extra: Partial<PoolSpec> = {}): PoolSpec {
  return { kind, kernel, strides, dilations: kernel.map(() => 1), pads, ceilMode: false, countIncludePad: false, ...extra };
}
const t = (shape: number[], data: number[], layout: Tensor['layout'] = 'channels_first'): Tensor => ({ shape, data: Float32Array.from(data), layout });
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => i + from);
const round4 = (xs: ArrayLike<number>): number[] => Array.from(xs, (v) => Math.round(v * 1e4) / 1e4);

describe('SHAPE.OUT and SHAPE.CEIL', () => {
  test.each([
    // [size, k, s, pb, pe, ceil, expected, source]
    [12, 1, 2, 0, 0, true, 6, 'onnx#5711: ceil would give 7; the last window would start at 12'],
    [2, 1, 2, 0, 0, true, 1, 'ONNX test_maxpool_2d_ceil_output_size_reduce_by_one'],
    [32, 1, 2, 0, 0, true, 16, 'pytorch#57178'],
    [9, 4, 4, 2, 2, true, 3, 'pytorch#116420: (9+4−4)/4 = 2.25 → 4 windows, the 4th starts at 12 ≥ 9+2'],
    [5, 3, 3, 1, 1, true, 2, 'webnn#935: (5+2−3)/3 → ceil 2 + 1 = 3, the 3rd starts at 6 ≥ 5+1'],
    [5, 2, 2, 1, 1, true, 3, 'burn#5791: (5+2−2)/2 = 2.5 → 4, the 4th starts at 6 ≥ 5+1'],
    [7, 4, 2, 1, 1, true, 4, 'webnn-baseline ceil case: (7+2−4)/2 = 2.5 → 4; the 4th starts at 6 < 8'],
    [7, 4, 2, 1, 1, false, 3, 'floor of the same'],
    [9, 4, 2, 0, 0, true, 4, 'pytorch#99424: (9−4)/2 = 2.5 → 4; the 4th starts at 6 < 9'],
  ])('size %i k%i s%i pads %i+%i ceil=%s → %i (%s)', (size, k, s, pb, pe, ceil, expected) => {
    expect(outputSize(size, k, s, 1, pb, pe, ceil)).toBe(expected);
  });
  test('dilation widens the window to d·(k−1)+1', () => {
    expect(outputSize(7, 3, 1, 2, 0, 0, false)).toBe(3); // E = 5: windows at 0, 1, 2
  });
});

describe('max (MAX.*)', () => {
  test('floor and ceil on a 1-D row, with indices', () => {
    const x = t([1, 1, 5], [1, 3, 2, 5, 4]);
    const floor = referenceForward(spec('max', [2], [2], [0, 0]), x);
    expect(Array.from(floor.values)).toEqual([3, 5]);
    expect(Array.from(floor.indices!)).toEqual([1, 3]);
    const ceil = referenceForward(spec('max', [2], [2], [0, 0], { ceilMode: true }), x);
    expect(Array.from(ceil.values)).toEqual([3, 5, 4]);
    expect(Array.from(ceil.indices!)).toEqual([1, 3, 4]);
  });

  test('NaN propagates with the first NaN\'s index (MAX.NAN); tfjs ignores it (POLICY.NAN)', () => {
    // pooling-semantics bug #18: [1..7, NaN, 9] as 3×3, kernel 2, stride 1.
    const x = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, NaN, 9]);
    const s = spec('max', [2, 2], [1, 1], [0, 0, 0, 0]);
    const r = referenceForward(s, x);
    expect(Array.from(r.values)).toEqual([5, 6, NaN, NaN]);
    expect(Array.from(r.indices!)).toEqual([4, 5, 7, 7]);
    const tfjs = referenceForward(s, x, resolvePolicy({ maxNan: 'ignore' }));
    expect(Array.from(tfjs.values)).toEqual([5, 6, 7, 9]); // the values tfjs 4.22 printed (study §5)
  });

  test('ties pick the first maximum; padding never wins; all −∞ gives −∞ at the first in-bounds tap', () => {
    expect(Array.from(referenceForward(spec('max', [2, 2], [2, 2], [0, 0, 0, 0]), t([1, 1, 2, 2], [5, 5, 5, 5])).indices!)).toEqual([0]);
    const neg = referenceForward(spec('max', [3], [1], [1, 1]), t([1, 1, 2], [-Infinity, -Infinity]));
    expect(Array.from(neg.values)).toEqual([-Infinity, -Infinity]);
    expect(Array.from(neg.indices!)).toEqual([0, 0]);
    const pad = referenceForward(spec('max', [2], [1], [1, 0]), t([1, 1, 2], [-3, -4]));
    expect(Array.from(pad.values)).toEqual([-3, -3]); // padding is absent, not 0
    // −0 and +0 tie: the first one's bits win.
    expect(Object.is(referenceForward(spec('max', [2], [2], [0, 0]), t([1, 1, 2], [-0, 0])).values[0], -0)).toBe(true);
  });

  test('indices are per plane, also for channels-last (MAX.INDEX)', () => {
    // [N=1, W=3, C=2] channels-last: channel 0 = [1, 9, 2], channel 1 = [8, 0, 7].
    const r = referenceForward(spec('max', [3], [1], [0, 0]), t([1, 3, 2], [1, 8, 9, 0, 2, 7], 'channels_last'));
    expect(Array.from(r.values)).toEqual([9, 8]);
    expect(Array.from(r.indices!)).toEqual([1, 0]);
  });

  test('the gradient of tied maxima goes to the first (tf#4886: [1,2,2,2] → [0,1,0,0])', () => {
    const s = spec('max', [2, 2], [2, 2], [0, 0, 0, 0]);
    const b = referenceBackward(s, t([1, 1, 2, 2], [1, 2, 2, 2]), t([1, 1, 1, 1], [1]));
    expect(Array.from(b.values)).toEqual([0, 1, 0, 0]);
  });
});

describe('average (AVG.DIVISOR)', () => {
  test('PyTorch clips count_include_pad at the end padding (pytorch#183528 values)', () => {
    // x = 1..16 as 4×4, k3 s2 p1, ceil, count_include_pad: PyTorch's published output.
    const r = referenceForward(spec('avg', [3, 3], [2, 2], [1, 1, 1, 1], { ceilMode: true, countIncludePad: true }), t([1, 1, 4, 4], range(16, 1)));
    expect(round4(r.values)).toEqual([1.5556, 3.3333, 2.0, 6.3333, 11.0, 6.0, 4.5, 7.5, 4.0]);
  });

  test('ceil-mode windows without padding divide by their in-bounds count (coremltools PR #2844 values)', () => {
    const r = referenceForward(spec('avg', [2, 2], [3, 3], [0, 0, 0, 0], { ceilMode: true, countIncludePad: true }), t([1, 1, 7, 7], range(49)));
    expect(Array.from(r.values)).toEqual([4, 7, 9.5, 25, 28, 30.5, 42.5, 45.5, 48]);
    const r1 = referenceForward(spec('avg', [2], [2], [0, 0], { ceilMode: true }), t([1, 1, 5], [1, 2, 3, 4, 5]));
    expect(Array.from(r1.values)).toEqual([1.5, 3.5, 5]);
  });

  test('excluded padding and divisor override', () => {
    // 1-D [2, 4], k2 s1, pads [1, 0]: windows {pad, 2} and {2, 4}.
    const x = t([1, 1, 2], [2, 4]);
    expect(Array.from(referenceForward(spec('avg', [2], [1], [1, 0]), x).values)).toEqual([2, 3]);
    expect(Array.from(referenceForward(spec('avg', [2], [1], [1, 0], { countIncludePad: true }), x).values)).toEqual([1, 3]);
    expect(Array.from(referenceForward(spec('avg', [2], [1], [1, 0], { divisorOverride: -2 }), x).values)).toEqual([-1, -3]);
  });

  test('the gradient uses the forward divisor (the tfjs avgPool grad bug, pooling-semantics #39)', () => {
    // x = [1,2,3,4] as 2×2, k2 s1, TF 'same' = pads [0,0,1,1], padding excluded. Windows and divisors:
    // (0,0): {1,2,3,4}/4  (0,1): {2,4}/2  (1,0): {3,4}/2  (1,1): {4}/1.  d sum(y)/dx = [1/4, 1/4+1/2, 1/4+1/2, 1/4+1/2+1/2+1]
    const s = spec('avg', [2, 2], [1, 1], [0, 0, 1, 1]);
    const x = t([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(Array.from(referenceForward(s, x).values)).toEqual([2.5, 3, 3.5, 4]);
    expect(Array.from(referenceBackward(s, x, t([1, 1, 2, 2], [1, 1, 1, 1])).values)).toEqual([0.25, 0.75, 0.75, 2.25]);
  });
});

describe('sum and Lp (SUM.DEF, LP.DEF, GRAD.LP, SPECIAL.IEEE)', () => {
  test('a 3-4-5 triangle', () => {
    const s = spec('lp', [2], [2], [0, 0], { p: 2 });
    const x = t([1, 1, 2], [3, -4]);
    expect(Array.from(referenceForward(s, x).values)).toEqual([5]);
    // d/dx (x²+y²)^½ = x/5: [0.6, −0.8]
    expect(round4(referenceBackward(s, x, t([1, 1, 1], [1])).values)).toEqual([0.6, -0.8]);
    expect(Array.from(referenceBackward(s, t([1, 1, 2], [0, 0]), t([1, 1, 1], [1])).values)).toEqual([0, 0]);
  });

  test('IEEE special values in sums', () => {
    const s = spec('sum', [2], [2], [0, 0]);
    expect(Array.from(referenceForward(s, t([1, 1, 6], [Infinity, 1, Infinity, -Infinity, NaN, 1])).values)).toEqual([Infinity, NaN, NaN]);
  });

  test('sum acceptance is γ_{n−1}·Σ|x| wide (ACC.SUM)', () => {
    const r = referenceForward(spec('sum', [3], [3], [0, 0]), t([1, 1, 3], [1, 2, -4]));
    const a = r.acceptance[0]!;
    expect(a.kind).toBe('interval');
    if (a.kind !== 'interval') return;
    const g2 = (2 * 2 ** -24) / (1 - 2 * 2 ** -24);
    expect(a.value).toBe(-1);
    expect(a.hi - a.value).toBeGreaterThanOrEqual(g2 * 7);
    // …plus a few f64 ulps of outward rounding (ACC.ENDPOINTS), nothing more.
    expect(a.hi - a.value).toBeLessThan(g2 * 7 + 16 * 2 ** -52);
  });
});

describe('POLICY.SUBNORMALS', () => {
  const tiny = 2 ** -149; // the smallest subnormal
  const flush = { maxNan: 'propagate', maxTies: 'first', indices: 'plane', subnormals: 'flush' } as const;
  const preserve = { ...flush, subnormals: 'preserve' } as const;
  const accepts = (a: ReturnType<typeof referenceForward>['acceptance'][number], v: number): boolean =>
    a.kind === 'exact' ? Object.is(a.value, v) || a.value === v : a.kind === 'interval' ? v >= a.lo && v <= a.hi : true;

  test('a sum of subnormals: exact under preserve; 0 is allowed under flush, and nothing beyond λ per flush', () => {
    const s = spec('sum', [2], [1], [0, 0]);
    const x = t([1, 1, 2], [tiny, 2 * tiny]);
    expect(accepts(referenceForward(s, x, preserve).acceptance[0]!, 0)).toBe(false);
    const a = referenceForward(s, x, flush).acceptance[0]!;
    expect(accepts(a, 0)).toBe(true); // both inputs read as 0
    // Lost inputs 3·2^-149 plus one flushed addition (2^-126), times (1 + γ_1): about 2^-126 either side.
    expect(a.kind === 'interval' && a.hi).toBeGreaterThan(2 ** -126);
    expect(a.kind === 'interval' && a.hi).toBeLessThan(2 ** -125);
  });

  test('max stays exact under flush (ACC.MAX)', () => {
    const r = referenceForward(spec('max', [2], [1], [0, 0]), t([1, 1, 2], [tiny, 2 * tiny]), flush);
    expect(r.acceptance[0]).toEqual({ kind: 'exact', value: 2 * tiny });
  });

  test('avg under flush: a lost subnormal sum may be divided by a tiny override', () => {
    const s = spec('avg', [1], [1], [0, 0], { divisorOverride: 2 ** -100 });
    const a = referenceForward(s, t([1, 1, 1], [tiny]), flush).acceptance[0]!;
    // exact 2^-49; a flushing device may read x as 0 and return 0.
    expect(accepts(a, 0)).toBe(true);
    expect(accepts(a, 2 ** -49)).toBe(true);
    expect(accepts(referenceForward(s, t([1, 1, 1], [tiny]), preserve).acceptance[0]!, 0)).toBe(false);
  });

  test('Lp gradient: y^(1−p) is bounded over the whole forward interval, both ends (ACC.GRAD ρ_y)', () => {
    // The counterexample of `poolspec verify --backend webgpu --runs 400 --seed 1812857394` (SwiftShader), shrunk to
    // its window: a normal and a subnormal tap, p = 0.5. A flushing device reads x2 as 0, so y = |x1| and its
    // gradient for x1, dy·(y/|x1|)^(1/2), is dy itself instead of about 1.5·dy. y's interval reaches down to about
    // |x1| (δ_y ≈ 0.56), where y^(1/2) changes by 1 − (1 − δ_y)^(1/2) ≈ 0.33; the first-order factor
    // (1 + δ_y)^(1/2) − 1 ≈ 0.25 that ACC.GRAD used before rejected the device's (admissible) result.
    const s = spec('lp', [2], [1], [0, 0], { p: 0.5 });
    const x = t([1, 1, 2], [-2.350990943722118e-38, -5.877547424228511e-39]);
    const dy = t([1, 1, 1], [1.578202916769928e-30]);
    const a = referenceBackward(s, x, dy, flush).acceptance[0]!;
    expect(a.kind).toBe('interval');
    expect(a.value / dy.data[0]!).toBeCloseTo(-1.5, 4);
    expect(accepts(a, -1.578202916769928e-30)).toBe(true);
    expect(accepts(referenceBackward(s, x, dy, preserve).acceptance[0]!, -1.578202916769928e-30)).toBe(false);
  });
});
