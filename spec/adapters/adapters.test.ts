/**
 * Adapter tests. Every expected number below was worked out by hand from the framework's documented rules
 * (the derivation is in the comment next to it), never copied from running the code.
 */
import { describe, expect, it } from 'vitest';
import type { PoolSpec } from '../contract.js';
import { outputSize } from '../geometry.js';
import { ValidationError } from '../errors.js';
import {
  autoPads, fromKeras, fromOnnx, fromTfjs, fromTorch, globalPoolSpec,
  type KerasLayer, type OnnxPoolOp, type TfjsPoolOp, type TorchPoolParams,
} from './index.js';

/** Asserts that `fn` throws a ValidationError with this field and rule. */
function expectInvalid(fn: () => unknown, field: string, rule: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const err = caught as ValidationError;
  expect({ field: err.field, rule: err.rule }).toEqual({ field, rule });
}

/** Output extents of a channels_first or channels_last spatial list under a spec. */
function outSizes(spec: PoolSpec, spatial: readonly number[]): number[] {
  const d = spec.kernel.length;
  return spatial.map((size, i) => outputSize(size, spec.kernel[i]!, spec.strides[i]!, spec.dilations[i]!,
    spec.pads[i]!, spec.pads[i + d]!, spec.ceilMode));
}

// Loose casts for invalid-input tests: the types forbid these calls on purpose.
const torchLoose = (p: Record<string, unknown>, shape?: number[]) => fromTorch(p as unknown as TorchPoolParams, shape);
const onnxLoose = (op: string, a: Record<string, unknown>, shape?: number[]) => fromOnnx(op as OnnxPoolOp, a, shape);
const kerasLoose = (l: string, c: Record<string, unknown>, shape?: number[]) => fromKeras(l as KerasLayer, c, shape);
const tfjsLoose = (op: string, a: Record<string, unknown>, shape: number[]) =>
  fromTfjs(op as TfjsPoolOp, a as unknown as Parameters<typeof fromTfjs>[1], shape);

describe('autoPads', () => {
  it('SAME_UPPER vs SAME_LOWER, in 5, k 2, s 2', () => {
    // out = ceil(5/2) = 3; E = 1·(2−1)+1 = 2; total = (3−1)·2 + 2 − 5 = 1.
    // upper: begin ⌊1/2⌋ = 0, end 1; lower: begin 1, end 0.
    expect(autoPads('same_upper', [5], [2], [2], [1])).toEqual([0, 1]);
    expect(autoPads('same_lower', [5], [2], [2], [1])).toEqual([1, 0]);
  });

  it('uses the dilated kernel: in 7, k 3, s 2, d 2', () => {
    // E = 2·(3−1)+1 = 5; out = ceil(7/2) = 4; total = 3·2 + 5 − 7 = 4 → 2 and 2 both ways.
    // (ORT's non-dilated version would give 3·2 + 3 − 7 = 2 → [1, 1].)
    expect(autoPads('same_upper', [7], [3], [2], [2])).toEqual([2, 2]);
    expect(autoPads('same_lower', [7], [3], [2], [2])).toEqual([2, 2]);
  });

  it('odd total with dilation: in 6, k 3, s 2, d 2', () => {
    // E = 5; out = ceil(6/2) = 3; total = 2·2 + 5 − 6 = 3 → upper [1, 2], lower [2, 1].
    expect(autoPads('same_upper', [6], [3], [2], [2])).toEqual([1, 2]);
    expect(autoPads('same_lower', [6], [3], [2], [2])).toEqual([2, 1]);
  });

  it('clamps a negative total at 0: in 6, k 1, s 2', () => {
    // out = 3; (3−1)·2 + 1 − 6 = −1 → max(0, −1) = 0.
    expect(autoPads('same_upper', [6], [1], [2], [1])).toEqual([0, 0]);
  });

  it('2-D pads are in ONNX order [begins..., ends...]', () => {
    // axis 0: in 5, k 2, s 2 → total 1 (as above). axis 1: in 7, k 3, s 2, d 2 → total 4 (as above).
    expect(autoPads('same_upper', [5, 7], [2, 3], [2, 2], [1, 2])).toEqual([0, 2, 1, 2]);
    expect(autoPads('same_lower', [5, 7], [2, 3], [2, 2], [1, 2])).toEqual([1, 2, 0, 2]);
  });

  it('SAME gives out = ceil(in/s) through SHAPE.OUT', () => {
    // in 5, k 2, s 2, pads [0, 1]: ⌊(5 + 1 − 2)/2⌋ + 1 = 3 = ceil(5/2).
    const pads = autoPads('same_upper', [5], [2], [2], [1]);
    expect(outputSize(5, 2, 2, 1, pads[0]!, pads[1]!, false)).toBe(3);
  });

  it('valid gives zeros', () => {
    expect(autoPads('valid', [5, 5], [3, 3], [2, 2], [1, 1])).toEqual([0, 0, 0, 0]);
  });

  it('rejects bad arguments', () => {
    expectInvalid(() => autoPads('same' as never, [5], [2], [2], [1]), 'mode', 'ADAPT.AUTOPAD');
    expectInvalid(() => autoPads('same_upper', [5], [2], [2, 2], [1]), 'strides', 'PARAM.STRIDE');
    expectInvalid(() => autoPads('same_upper', [5], [0], [2], [1]), 'kernel[0]', 'PARAM.KERNEL');
    expectInvalid(() => autoPads('same_upper', [0], [2], [2], [1]), 'inputSpatial[0]', 'TENSOR.SHAPE');
  });
});

describe('globalPoolSpec', () => {
  it('takes the spatial extents as the kernel (channels_first and channels_last)', () => {
    // [N 2, C 3, H 4, W 5] → kernel [4, 5]; [N 2, H 4, W 5, C 3] → kernel [4, 5].
    const expected: PoolSpec = {
      kind: 'avg', kernel: [4, 5], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0],
      ceilMode: false, countIncludePad: false,
    };
    expect(globalPoolSpec('avg', [2, 3, 4, 5])).toEqual(expected);
    expect(globalPoolSpec('avg', [2, 4, 5, 3], 'channels_last')).toEqual(expected);
  });

  it('passes p through for lp and requires it', () => {
    expect(globalPoolSpec('lp', [1, 1, 6], 'channels_first', 3)).toMatchObject({ kind: 'lp', kernel: [6], p: 3 });
    expectInvalid(() => globalPoolSpec('lp', [1, 1, 6]), 'p', 'PARAM.FINITE');
    expectInvalid(() => globalPoolSpec('max', [1, 1, 6], 'channels_first', 2), 'p', 'LP.P');
    expectInvalid(() => globalPoolSpec('max', [1, 6]), 'inputShape', 'TENSOR.RANK');
  });
});

describe('fromTorch', () => {
  it('defaults: stride = kernel_size, padding 0, dilation 1, count_include_pad TRUE', () => {
    const { spec, layout } = fromTorch({ kind: 'avg', kernel_size: 3 }, [1, 1, 7, 7]);
    expect(layout).toBe('channels_first');
    expect(spec).toEqual({
      kind: 'avg', kernel: [3, 3], strides: [3, 3], dilations: [1, 1], pads: [0, 0, 0, 0],
      ceilMode: false, countIncludePad: true,
    });
  });

  it('stride None / empty tuple means kernel_size; one-element tuples repeat', () => {
    expect(fromTorch({ kind: 'max', rank: 2, kernel_size: [2, 3], stride: null }).spec.strides).toEqual([2, 3]);
    expect(fromTorch({ kind: 'max', rank: 2, kernel_size: [2, 3], stride: [] }).spec.strides).toEqual([2, 3]);
    // (4,) as a 2-D kernel_size → (4, 4); rank 2 from the kernel tuple's length otherwise.
    expect(fromTorch({ kind: 'avg', rank: 2, kernel_size: [4] }).spec.kernel).toEqual([4, 4]);
    expect(fromTorch({ kind: 'max', kernel_size: [3, 3] }).spec.kernel.length).toBe(2);
  });

  it('symmetric padding tuple → ONNX-order pads', () => {
    // padding (1, 2) → begins [1, 2], ends [1, 2]. Limits: ⌊3/2⌋ = 1, ⌊5/2⌋ = 2, both met.
    const { spec } = fromTorch({ kind: 'avg', kernel_size: [3, 5], padding: [1, 2], count_include_pad: false });
    expect(spec.pads).toEqual([1, 2, 1, 2]);
    expect(spec.countIncludePad).toBe(false);
  });

  it('max: dilation, and the pad limit of the non-dilated kernel in 2-D too', () => {
    // k 3, d 2: E = 5, but the limit is ⌊3/2⌋ = 1 (PyTorch 2.11 rejects padding 2: golden/torch.json).
    expect(fromTorch({ kind: 'max', rank: 2, kernel_size: 3, dilation: 2, padding: 1 }).spec)
      .toMatchObject({ dilations: [2, 2], pads: [1, 1, 1, 1], countIncludePad: false });
    expectInvalid(() => fromTorch({ kind: 'max', rank: 2, kernel_size: 3, dilation: 2, padding: 2 }), 'padding', 'ADAPT.TORCH');
    // k 2 without dilation: limit ⌊2/2⌋ = 1; padding (0, 2) breaks it on axis 1.
    expectInvalid(() => fromTorch({ kind: 'max', kernel_size: [2, 2], padding: [0, 2] }), 'padding[1]', 'ADAPT.TORCH');
  });

  it('max: 1-D and 3-D use the non-dilated kernel for the pad limit', () => {
    // k 3, d 2: the 3-D check is ⌊3/2⌋ = 1 ≥ pad, so padding 2 is rejected although ⌊E/2⌋ = 2.
    expectInvalid(() => fromTorch({ kind: 'max', rank: 3, kernel_size: 3, dilation: 2, padding: 2 }), 'padding', 'ADAPT.TORCH');
    expectInvalid(() => fromTorch({ kind: 'max', rank: 1, kernel_size: 3, dilation: 2, padding: 2 }), 'padding', 'ADAPT.TORCH');
    expect(fromTorch({ kind: 'max', rank: 3, kernel_size: 3, dilation: 2, padding: 1 }).spec.pads).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('lp: norm_type → p, no padding', () => {
    const { spec } = fromTorch({ kind: 'lp', norm_type: 2, kernel_size: 2, rank: 1 });
    expect(spec).toEqual({
      kind: 'lp', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false, p: 2,
    });
    expectInvalid(() => torchLoose({ kind: 'lp', norm_type: 2, kernel_size: 2, rank: 1, padding: 1 }), 'padding', 'ADAPT.TORCH');
    expectInvalid(() => fromTorch({ kind: 'lp', kernel_size: 2, rank: 1 }), 'norm_type', 'ADAPT.TORCH');
    expectInvalid(() => fromTorch({ kind: 'lp', norm_type: 0, kernel_size: 2, rank: 1 }), 'norm_type', 'LP.P');
  });

  it('divisor_override', () => {
    expect(fromTorch({ kind: 'avg', rank: 2, kernel_size: 2, divisor_override: -2 }).spec.divisorOverride).toBe(-2);
    expectInvalid(() => fromTorch({ kind: 'avg', rank: 2, kernel_size: 2, divisor_override: 0 }), 'divisor_override', 'AVG.OVERRIDE');
    expectInvalid(() => fromTorch({ kind: 'avg', rank: 2, kernel_size: 2, divisor_override: 1.5 }), 'divisor_override', 'ADAPT.TORCH');
    expectInvalid(() => fromTorch({ kind: 'avg', rank: 1, kernel_size: 2, divisor_override: 2 }), 'divisor_override', 'ADAPT.TORCH');
  });

  it('rejects parameters the function does not take, and a missing rank', () => {
    expectInvalid(() => torchLoose({ kind: 'avg', rank: 2, kernel_size: 2, dilation: 2 }), 'dilation', 'ADAPT.TORCH');
    expectInvalid(() => torchLoose({ kind: 'max', rank: 2, kernel_size: 2, count_include_pad: true }), 'count_include_pad', 'ADAPT.TORCH');
    expectInvalid(() => fromTorch({ kind: 'max', kernel_size: 2 }), 'rank', 'ADAPT.TORCH');
    expectInvalid(() => torchLoose({ kind: 'mean', rank: 2, kernel_size: 2 }), 'kind', 'PARAM.KIND');
  });

  it('rejects malformed values with the canonical rules, naming the PyTorch field', () => {
    expectInvalid(() => fromTorch({ kind: 'max', kernel_size: [2, 2] }, [1, 1, 4, 4, 4]), 'kernel_size', 'PARAM.KERNEL');
    expectInvalid(() => fromTorch({ kind: 'max', rank: 2, kernel_size: [2, 0] }), 'kernel_size[1]', 'PARAM.KERNEL');
    expectInvalid(() => fromTorch({ kind: 'max', rank: 2, kernel_size: 2, stride: 0 }), 'stride', 'PARAM.STRIDE');
    expectInvalid(() => fromTorch({ kind: 'max', rank: 2, kernel_size: 2, padding: -1 }), 'padding', 'PARAM.PADS');
    expectInvalid(() => torchLoose({ kind: 'max', rank: 2, kernel_size: 2, ceil_mode: 1 }), 'ceil_mode', 'PARAM.FLAGS');
    expectInvalid(() => fromTorch({ kind: 'max', rank: 2, kernel_size: 2 }, [1, 1, 4]), 'inputShape', 'TENSOR.RANK');
  });

  it('avg_pool3d rejects an input smaller than the kernel', () => {
    // D = 2 < k = 3, even though padding 1 would make 2 + 2 ≥ 3.
    expectInvalid(() => fromTorch({ kind: 'avg', kernel_size: 3, padding: 1 }, [1, 1, 2, 5, 5]), 'inputShape[2]', 'ADAPT.TORCH');
  });

  it('output sizes of known bug inputs (start-inside ceil rule)', () => {
    // #2 pytorch#57178: MaxPool2d(k=1, s=2, ceil) on 32: ⌈(32 − 1)/2⌉ + 1 = 17; 16·2 = 32 ≥ 32 + 0 → 16.
    const b2 = fromTorch({ kind: 'max', kernel_size: 1, stride: 2, ceil_mode: true }, [1, 1, 32, 32]).spec;
    expect(outSizes(b2, [32, 32])).toEqual([16, 16]);
    // #3 pytorch#116420: AvgPool2d(4, s=4, p=2, ceil) on 9: pad 2 ≤ ⌊4/2⌋; ⌈(9 + 4 − 4)/4⌉ + 1 = 4;
    // 3·4 = 12 ≥ 9 + 2 = 11 → 3.
    const b3 = fromTorch({ kind: 'avg', kernel_size: 4, stride: 4, padding: 2, ceil_mode: true }, [1, 1, 9, 9]).spec;
    expect(outSizes(b3, [9, 9])).toEqual([3, 3]);
    // #4 webnn#935: in 5, k 3, s 3, p 1, ceil: ⌈(5 + 2 − 3)/3⌉ + 1 = 3; 2·3 = 6 ≥ 5 + 1 → 2.
    const b4 = fromTorch({ kind: 'max', kernel_size: 3, stride: 3, padding: 1, ceil_mode: true }, [1, 2, 5, 5]).spec;
    expect(outSizes(b4, [5, 5])).toEqual([2, 2]);
    // #6 burn#5791: in 5, k 2, s 2, p 1, ceil: ⌈(5 + 2 − 2)/2⌉ + 1 = 4; 3·2 = 6 ≥ 5 + 1 → 3.
    const b6 = fromTorch({ kind: 'max', kernel_size: 2, stride: 2, padding: 1, ceil_mode: true }, [1, 1, 5]).spec;
    expect(outSizes(b6, [5])).toEqual([3]);
    // #13 pytorch#99424: AvgPool2d(4, s=2, ceil) on 9: ⌈(9 − 4)/2⌉ + 1 = 4; 3·2 = 6 < 9 → stays 4.
    const b13 = fromTorch({ kind: 'avg', kernel_size: 4, stride: 2, ceil_mode: true }, [1, 1, 9, 9]).spec;
    expect(outSizes(b13, [9, 9])).toEqual([4, 4]);
    // #7 ort#15446: MaxPool3d(k=3, s=3, p=1, ceil) on D,H,W = 3,6,5:
    // D: ⌈(3+2−3)/3⌉+1 = 2, 1·3 = 3 < 4 → 2; H: ⌈5/3⌉+1 = 3, 2·3 = 6 < 7 → 3; W: ⌈4/3⌉+1 = 3, 2·3 = 6 ≥ 6 → 2.
    const b7 = fromTorch({ kind: 'max', kernel_size: 3, stride: 3, padding: 1, ceil_mode: true }, [1, 2, 3, 6, 5]).spec;
    expect(outSizes(b7, [3, 6, 5])).toEqual([2, 3, 2]);
  });
});

describe('fromOnnx', () => {
  it('defaults: strides 1, dilations 1, pads 0, ceil_mode 0, count_include_pad 0', () => {
    const { spec, layout } = fromOnnx('AveragePool', { kernel_shape: [2, 2] });
    expect(layout).toBe('channels_first');
    expect(spec).toEqual({
      kind: 'avg', kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0],
      ceilMode: false, countIncludePad: false,
    });
  });

  it('explicit pads keep ONNX order; flags map to booleans', () => {
    const { spec } = fromOnnx('AveragePool', { kernel_shape: [3, 3], pads: [0, 1, 2, 1], count_include_pad: 1, ceil_mode: 1 });
    expect(spec).toMatchObject({ pads: [0, 1, 2, 1], countIncludePad: true, ceilMode: true });
  });

  it('SAME_UPPER vs SAME_LOWER on 5×5, k 2, s 2', () => {
    // Per axis: out 3, total 1 (see autoPads). upper → begins [0, 0], ends [1, 1]; lower → begins [1, 1], ends [0, 0].
    const attrs = { kernel_shape: [2, 2], strides: [2, 2] };
    expect(fromOnnx('MaxPool', { ...attrs, auto_pad: 'SAME_UPPER' }, [1, 1, 5, 5]).spec.pads).toEqual([0, 0, 1, 1]);
    expect(fromOnnx('MaxPool', { ...attrs, auto_pad: 'SAME_LOWER' }, [1, 1, 5, 5]).spec.pads).toEqual([1, 1, 0, 0]);
  });

  it('SAME with dilation: in 7, k 3, s 2, d 2 → pads [2, 2]', () => {
    // E = 5, out = 4, total = 3·2 + 5 − 7 = 4.
    const { spec } = fromOnnx('MaxPool', { kernel_shape: [3], strides: [2], dilations: [2], auto_pad: 'SAME_LOWER' }, [1, 1, 7]);
    expect(spec.pads).toEqual([2, 2]);
    expect(outSizes(spec, [7])).toEqual([4]); // ⌊(7 + 4 − 5)/2⌋ + 1 = 4 = ceil(7/2)
  });

  it('VALID needs no input shape', () => {
    expect(fromOnnx('MaxPool', { kernel_shape: [3, 3], auto_pad: 'VALID' }).spec.pads).toEqual([0, 0, 0, 0]);
  });

  it('LpPool p defaults to 2; MaxPool storage_order 0 is accepted', () => {
    expect(fromOnnx('LpPool', { kernel_shape: [2] }).spec).toMatchObject({ kind: 'lp', p: 2 });
    expect(fromOnnx('LpPool', { kernel_shape: [2], p: 3 }).spec.p).toBe(3);
    expect(fromOnnx('MaxPool', { kernel_shape: [2], storage_order: 0 }).spec.kind).toBe('max');
  });

  it('global ops', () => {
    expect(fromOnnx('GlobalAveragePool', {}, [1, 3, 4, 5]).spec).toMatchObject({ kind: 'avg', kernel: [4, 5], strides: [1, 1] });
    expect(fromOnnx('GlobalLpPool', {}, [1, 3, 4]).spec).toMatchObject({ kind: 'lp', kernel: [4], p: 2 });
    expect(fromOnnx('GlobalMaxPool', {}, [1, 3, 2, 2, 2]).spec.kernel).toEqual([2, 2, 2]);
    expectInvalid(() => fromOnnx('GlobalMaxPool', {}), 'inputShape', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('GlobalMaxPool', { kernel_shape: [2, 2] }, [1, 1, 2, 2]), 'kernel_shape', 'ADAPT.ONNX');
  });

  it('rejects what the ONNX spec and reference reject', () => {
    expectInvalid(() => fromOnnx('MaxPool', { strides: [1] }), 'kernel_shape', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER' }), 'inputShape', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], auto_pad: 'SAME_UPPER', pads: [0, 0, 1, 1] }, [1, 1, 5, 5]), 'pads', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], auto_pad: 'SAME_LOWER', ceil_mode: 1 }, [1, 1, 5, 5]), 'ceil_mode', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], auto_pad: 'VALID', ceil_mode: 1 }), 'ceil_mode', 'ADAPT.ONNX');
    expectInvalid(() => onnxLoose('MaxPool', { kernel_shape: [2, 2], auto_pad: 'SAME' }, [1, 1, 5, 5]), 'auto_pad', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], storage_order: 1 }), 'storage_order', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], count_include_pad: 1 }), 'count_include_pad', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('AveragePool', { kernel_shape: [2, 2], storage_order: 0 }), 'storage_order', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('LpPool', { kernel_shape: [2], p: 2.5 }), 'p', 'ADAPT.ONNX');
    expectInvalid(() => fromOnnx('LpPool', { kernel_shape: [2], p: 0 }), 'p', 'LP.P');
    expectInvalid(() => onnxLoose('MaxUnpool', { kernel_shape: [2] }), 'op', 'ADAPT.ONNX');
  });

  it('rejects malformed attributes with the canonical rules', () => {
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], pads: [1, 1] }), 'pads', 'PARAM.PADS');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], strides: [1, 0] }), 'strides[1]', 'PARAM.STRIDE');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2, 2, 2] }), 'kernel_shape', 'PARAM.RANK');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2], ceil_mode: 2 }), 'ceil_mode', 'PARAM.FLAGS');
    expectInvalid(() => fromOnnx('MaxPool', { kernel_shape: [2, 2] }, [1, 1, 5]), 'inputShape', 'TENSOR.RANK');
  });

  it('output sizes of known bug inputs', () => {
    // #1 onnx#5711: MaxPool k 1, s 2, ceil on 12: ⌈11/2⌉ + 1 = 7; 6·2 = 12 ≥ 12 → 6.
    const b1 = fromOnnx('MaxPool', { kernel_shape: [1, 1], strides: [2, 2], ceil_mode: 1 }, [1, 1, 12, 12]).spec;
    expect(outSizes(b1, [12, 12])).toEqual([6, 6]);
    // test_maxpool_2d_ceil_output_size_reduce_by_one: 2×2, k 1, s 2: ⌈1/2⌉ + 1 = 2; 1·2 = 2 ≥ 2 → 1.
    expect(outSizes(b1, [2, 2])).toEqual([1, 1]);
    // #11 test_averagepool_2d_ceil_last_window_starts_on_pad: 2×2, k 3, s 3, pads 1, ceil:
    // ⌈(2 + 2 − 3)/3⌉ + 1 = 2; 1·3 = 3 ≥ 2 + 1 → 1.
    const b11 = fromOnnx('AveragePool', { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, [1, 3, 2, 2]).spec;
    expect(outSizes(b11, [2, 2])).toEqual([1, 1]);
    // #4 again through ONNX: in 5, k 3, s 3, pads 1, ceil → 2.
    const b4 = fromOnnx('MaxPool', { kernel_shape: [3, 3], strides: [3, 3], pads: [1, 1, 1, 1], ceil_mode: 1 }).spec;
    expect(outSizes(b4, [5, 5])).toEqual([2, 2]);
  });
});

describe('fromKeras', () => {
  it('defaults: pool_size 2, strides = pool_size, valid, channels_last, padding excluded', () => {
    const { spec, layout } = fromKeras('MaxPooling2D', {}, [1, 5, 5, 3]);
    expect(layout).toBe('channels_last');
    expect(spec).toEqual({
      kind: 'max', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0],
      ceilMode: false, countIncludePad: false,
    });
    expect(fromKeras('AveragePooling1D', { pool_size: 3, strides: null }).spec).toMatchObject({ kernel: [3], strides: [3] });
  });

  it("'same' is TF SAME: the odd pad at the end", () => {
    // 5×5 (NHWC), pool 2, stride 2: out 3, total (3−1)·2 + 2 − 5 = 1 per axis → begins [0, 0], ends [1, 1].
    const { spec } = fromKeras('AveragePooling2D', { padding: 'same' }, [1, 5, 5, 3]);
    expect(spec.pads).toEqual([0, 0, 1, 1]);
    expect(spec.countIncludePad).toBe(false);
    // 1-D, length 6, pool 3, stride 2: out 3, total 2·2 + 3 − 6 = 1 → [0, 1]. Keras lower-cases 'SAME'.
    expect(fromKeras('MaxPooling1D', { pool_size: 3, strides: 2, padding: 'SAME' }, [1, 6, 4]).spec.pads).toEqual([0, 1]);
    // 3-D NDHWC 4×5×6, pool 2, stride 2: totals D 1·2+2−4 = 0, H 2·2+2−5 = 1, W 2·2+2−6 = 0.
    expect(fromKeras('MaxPooling3D', { padding: 'same' }, [1, 4, 5, 6, 2]).spec.pads).toEqual([0, 0, 0, 0, 1, 0]);
  });

  it('channels_first reads the spatial axes after C', () => {
    // [N 1, C 3, H 5, W 4], pool (2, 3), stride 1, same: H out 5, total 4·1 + 2 − 5 = 1 → (0, 1);
    // W out 4, total 3·1 + 3 − 4 = 2 → (1, 1).
    const { spec, layout } = fromKeras('MaxPooling2D', { pool_size: [2, 3], strides: 1, padding: 'same', data_format: 'channels_first' }, [1, 3, 5, 4]);
    expect(layout).toBe('channels_first');
    expect(spec.pads).toEqual([0, 1, 1, 1]);
  });

  it('global layers', () => {
    expect(fromKeras('GlobalAveragePooling2D', {}, [2, 4, 5, 3])).toEqual({
      spec: { kind: 'avg', kernel: [4, 5], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false },
      layout: 'channels_last',
    });
    expect(fromKeras('GlobalMaxPooling1D', { data_format: 'channels_first', keepdims: true }, [2, 3, 7]).spec.kernel).toEqual([7]);
    expectInvalid(() => fromKeras('GlobalMaxPooling3D', {}), 'inputShape', 'ADAPT.KERAS');
    expectInvalid(() => fromKeras('GlobalMaxPooling2D', { pool_size: 2 }, [1, 2, 2, 1]), 'pool_size', 'ADAPT.KERAS');
  });

  it('rejects invalid configs', () => {
    expectInvalid(() => fromKeras('MaxPooling1D', { padding: 'causal' }), 'padding', 'ADAPT.KERAS');
    expectInvalid(() => fromKeras('MaxPooling2D', { padding: 'same' }), 'inputShape', 'ADAPT.KERAS');
    expectInvalid(() => fromKeras('MaxPooling2D', { pool_size: [2, 2, 2] }), 'pool_size', 'PARAM.KERNEL');
    expectInvalid(() => fromKeras('MaxPooling2D', { pool_size: [2] }), 'pool_size', 'PARAM.KERNEL');
    expectInvalid(() => fromKeras('MaxPooling2D', { strides: 0 }), 'strides', 'PARAM.STRIDE');
    expectInvalid(() => kerasLoose('MaxPooling2D', { data_format: 'NHWC' }), 'data_format', 'ADAPT.KERAS');
    expectInvalid(() => kerasLoose('MaxPooling2D', { dilation_rate: 2 }), 'dilation_rate', 'ADAPT.KERAS');
    expectInvalid(() => kerasLoose('MinPooling2D', {}), 'layer', 'ADAPT.KERAS');
    expectInvalid(() => fromKeras('MaxPooling2D', {}, [1, 5, 5]), 'inputShape', 'TENSOR.RANK');
  });
});

describe('fromTfjs', () => {
  it("'valid' and 'same' (NHWC, padding excluded)", () => {
    const v = fromTfjs('avgPool', { filterSize: 2, strides: 2, pad: 'valid' }, [1, 5, 5, 1]);
    expect(v).toEqual({
      spec: { kind: 'avg', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false },
      layout: 'channels_last',
    });
    // 'same' on 5×5, f 2, s 2: total 1 per axis, top = ⌊1/2⌋ = 0 → [0, 0, 1, 1].
    expect(fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: 'same' }, [1, 5, 5, 1]).spec.pads).toEqual([0, 0, 1, 1]);
  });

  it('explicit padding [[0,0],[t,b],[l,r],[0,0]] → [t, l, b, r]', () => {
    // 5×5, f 3, s 2, t 1, b 2, l 0, r 1. tfjs: H trunc((5 − 3 + 3)/2 + 1) = trunc(3.5) = 3,
    // W trunc((5 − 3 + 1)/2 + 1) = trunc(2.5) = 2. Spec floor: H ⌊5/2⌋ + 1 = 3, W ⌊3/2⌋ + 1 = 2: equal.
    const { spec } = fromTfjs('maxPool', { filterSize: 3, strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] }, [1, 5, 5, 1]);
    expect(spec.pads).toEqual([1, 0, 2, 1]);
    expect(spec.ceilMode).toBe(false);
    expect(outSizes(spec, [5, 5])).toEqual([3, 2]);
  });

  it('numeric pad, square window: symmetric pads', () => {
    // 5×5, f 3, s 1, pad 1: tfjs (5 − 3 + 2)/1 + 1 = 5 on both axes; spec ⌊4/1⌋ + 1 = 5.
    expect(fromTfjs('avgPool', { filterSize: 3, strides: 1, pad: 1 }, [1, 5, 5, 2]).spec.pads).toEqual([1, 1, 1, 1]);
  });

  it("dimRoundingMode 'ceil' maps to ceilMode only where it agrees with SHAPE.CEIL", () => {
    // 5×5, f 2, s 2, pad 0: tfjs ⌈(5 − 2)/2 + 1⌉ = ⌈2.5⌉ = 3; spec ceil ⌈3/2⌉ + 1 = 3, 2·2 = 4 < 5 → 3. Agrees.
    expect(fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: 0, dimRoundingMode: 'ceil' }, [1, 5, 5, 1]).spec.ceilMode).toBe(true);
    // #5 (tfjs, §5): [2, 2, 3] input (batched [1, 2, 2, 3]), f 2, s 3, pad 1, ceil: tfjs ⌈(2 − 2 + 2)/3 + 1⌉ = 2;
    // spec ceil ⌈2/3⌉ + 1 = 2, 1·3 = 3 ≥ 2 + 1 → 1; spec floor ⌊2/3⌋ + 1 = 1. Neither is 2.
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 3, pad: 1, dimRoundingMode: 'ceil' }, [1, 2, 2, 3]), 'dimRoundingMode', 'ADAPT.TFJS');
  });

  it("dimRoundingMode 'round' and 'floor'", () => {
    // 7×7, f 2, s 3, pad 0: tfjs round((7 − 2)/3 + 1) = round(2.67) = 3; spec floor ⌊5/3⌋ + 1 = 2,
    // spec ceil ⌈5/3⌉ + 1 = 3 and 2·3 = 6 < 7 → 3. So 'round' maps to ceilMode true here.
    expect(fromTfjs('avgPool', { filterSize: 2, strides: 3, pad: 0, dimRoundingMode: 'round' }, [1, 7, 7, 1]).spec.ceilMode).toBe(true);
    // 8×8, f 2, s 3: (8 − 2)/3 + 1 = 3 exactly → floor mode.
    expect(fromTfjs('avgPool', { filterSize: 2, strides: 3, pad: 0, dimRoundingMode: 'round' }, [1, 8, 8, 1]).spec.ceilMode).toBe(false);
    // #5 input with 'round': round(1.67) = 2, again neither 1 nor 1.
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 3, pad: 1, dimRoundingMode: 'round' }, [1, 2, 2, 3]), 'dimRoundingMode', 'ADAPT.TFJS');
    // 'floor' on 7×7: ⌊2.67⌋ = 2 = spec floor.
    expect(fromTfjs('avgPool', { filterSize: 2, strides: 3, pad: 0, dimRoundingMode: 'floor' }, [1, 7, 7, 1]).spec.ceilMode).toBe(false);
  });

  it('rejects the numeric-pad width bug (tfjs#649)', () => {
    // #38: x [1, 5, 7, 1], f [1, 3], s 1, pad 0: tfjs width uses f_h = 1: (7 − 1)/1 + 1 = 7; the windows give 7 − 3 + 1 = 5.
    expectInvalid(() => fromTfjs('maxPool', { filterSize: [1, 3], strides: 1, pad: 0 }, [1, 5, 7, 1]), 'pad', 'ADAPT.TFJS');
    // The same window with an explicit pad is fine: H 5, W (7 − 3)/1 + 1 = 5.
    expect(fromTfjs('maxPool', { filterSize: [1, 3], strides: 1, pad: [[0, 0], [0, 0], [0, 0], [0, 0]] }, [1, 5, 7, 1]).spec.kernel).toEqual([1, 3]);
    // 3-D: every axis uses the depth's filter 1: tfjs [4, 5, 5], windows [4, 3, 3].
    expectInvalid(() => fromTfjs('maxPool3d', { filterSize: [1, 3, 3], strides: 1, pad: 0 }, [1, 4, 5, 5, 1]), 'pad', 'ADAPT.TFJS');
  });

  it('3-D ops', () => {
    // maxPool3d filterSize defaults to [1, 1, 1].
    expect(fromTfjs('maxPool3d', { strides: 1, pad: 'valid' }, [1, 2, 2, 2, 1]).spec.kernel).toEqual([1, 1, 1]);
    // avgPool3d 'same' on 5×5×5, f 2, s 2: out 3, total 2·2 + 2 − 5 = 1 per axis → [0, 0, 0, 1, 1, 1].
    expect(fromTfjs('avgPool3d', { filterSize: 2, strides: 2, pad: 'same' }, [1, 5, 5, 5, 2]).spec.pads).toEqual([0, 0, 0, 1, 1, 1]);
    // 'same' on D 6, f 1, s 2: tfjs total (3 − 1)·2 + 1 − 6 = −1 (not clamped in 3-D) → rejected.
    expectInvalid(() => fromTfjs('maxPool3d', { filterSize: 1, strides: 2, pad: 'same' }, [1, 6, 6, 6, 1]), 'pad', 'ADAPT.TFJS');
    // The 2-D path clamps the same total at 0.
    expect(fromTfjs('maxPool', { filterSize: 1, strides: 2, pad: 'same' }, [1, 6, 6, 1]).spec.pads).toEqual([0, 0, 0, 0]);
  });

  it('rejects invalid arguments', () => {
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: 'same', dimRoundingMode: 'ceil' }, [1, 4, 4, 1]), 'dimRoundingMode', 'ADAPT.TFJS');
    expectInvalid(() => tfjsLoose('maxPool3d', { filterSize: 2, strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] }, [1, 4, 4, 4, 1]), 'pad', 'ADAPT.TFJS');
    expectInvalid(() => fromTfjs('avgPool3d', { filterSize: 2, strides: 2, pad: 'valid', dataFormat: 'NCDHW' }, [1, 4, 4, 4, 1]), 'dataFormat', 'ADAPT.TFJS');
    expectInvalid(() => tfjsLoose('maxPool', { filterSize: 2, strides: 2, pad: 'valid', dataFormat: 'NHWC' }, [1, 4, 4, 1]), 'dataFormat', 'ADAPT.TFJS');
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: [[1, 0], [0, 0], [0, 0], [0, 0]] }, [1, 4, 4, 1]), 'pad[0]', 'ADAPT.TFJS');
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: [[0, 0], [0, -1], [0, 0], [0, 0]] }, [1, 4, 4, 1]), 'pad[1][1]', 'PARAM.PADS');
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: 1.5 }, [1, 4, 4, 1]), 'pad', 'PARAM.PADS');
    expectInvalid(() => tfjsLoose('maxPool', { filterSize: 2, strides: 2, pad: 'causal' }, [1, 4, 4, 1]), 'pad', 'ADAPT.TFJS');
    expectInvalid(() => tfjsLoose('avgPool', { strides: 2, pad: 'valid' }, [1, 4, 4, 1]), 'filterSize', 'ADAPT.TFJS');
    expectInvalid(() => tfjsLoose('avgPool', { filterSize: 2, pad: 'valid' }, [1, 4, 4, 1]), 'strides', 'ADAPT.TFJS');
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 2, strides: 2, pad: 'valid' }, [1, 4, 4, 4, 1]), 'inputShape', 'TENSOR.RANK');
    expectInvalid(() => tfjsLoose('pool', { filterSize: 2, strides: 2, pad: 'valid' }, [1, 4, 4, 1]), 'op', 'ADAPT.TFJS');
    // Numeric pad on a too-small input: 1×1, f 3, s 1, pad 0 → tfjs (1 − 3)/1 + 1 = −1 → empty output.
    expectInvalid(() => fromTfjs('maxPool', { filterSize: 3, strides: 1, pad: 0 }, [1, 1, 1, 1]), 'inputShape[1]', 'WINDOW.FITS');
  });
});
