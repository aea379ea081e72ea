/**
 * spec/validate.ts, the cases mutation testing found untested (reports/mutation/summary.md): each rule's
 * boundaries (the last accepted and first rejected value) and the parts of each error SPEC.md §8 asks for — the
 * field, the rule, a requirement that says what is wanted, and the value. Expected values come from SPEC.md's
 * rules (§1, §2, §8) and the arithmetic in the comments, not from the code under test.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec } from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { validateBackward, validateForward, validateShapeArray, validateSpec, validationProblem } from '../../spec/validate.js';

const base: PoolSpec = { kind: 'max', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false };
const x = { shape: [1, 1, 4, 4], data: new Float32Array(16) };
/** 2^31 − 1: indices are Int32 (MAX.INDEX), and integer parameters stay below it (§1). */
const INT_MAX = 2147483647;
/** The smallest normal and the largest finite float32, written out: 2^-126 and (2 − 2^-23)·2^127. */
const MIN_NORMAL = 2 ** -126;
const MAX_F32 = (2 - 2 ** -23) * 2 ** 127;

function errorOf(run: () => unknown): ValidationError {
  let err: unknown;
  try { run(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

interface Expected { field: string; rule: string; requirement: RegExp; value: unknown }

function expectError(run: () => unknown, want: Expected): void {
  const e = errorOf(run);
  expect({ field: e.field, rule: e.rule, value: e.value }).toEqual({ field: want.field, rule: want.rule, value: want.value });
  expect(e.requirement).toMatch(want.requirement);
}

describe('the spec on its own (§1)', () => {
  test.each<[string, unknown, Expected]>([
    ['not an object', null, { field: 'spec', rule: 'PARAM.KIND', requirement: /^must be an object$/, value: null }],
    ['a number', 42, { field: 'spec', rule: 'PARAM.KIND', requirement: /^must be an object$/, value: 42 }],
    ['unknown kind', { ...base, kind: 'mode' }, { field: 'spec.kind', rule: 'PARAM.KIND', requirement: /^must be one of max, avg, sum, lp$/, value: 'mode' }],
    // A research kind (SPEC.md §11) is not a PoolSpec kind: the message says where it belongs.
    ['research kind', { ...base, kind: 'median' }, { field: 'spec.kind', rule: 'PARAM.KIND', requirement: /^must be one of max, avg, sum, lp \(research kinds such as this one are ReducerPoolSpecs .*§11\)$/, value: 'median' }],
    ['kernel not an array', { ...base, kernel: 2 }, { field: 'spec.kernel', rule: 'PARAM.RANK', requirement: /^must be an array$/, value: 2 }],
    ['rank 0', { ...base, kernel: [] }, { field: 'spec.kernel', rule: 'PARAM.RANK', requirement: /length 1, 2 or 3/, value: [] }],
    ['rank 4', { ...base, kernel: [1, 1, 1, 1] }, { field: 'spec.kernel', rule: 'PARAM.RANK', requirement: /length 1, 2 or 3/, value: [1, 1, 1, 1] }],
    ['strides not an array', { ...base, strides: 2 }, { field: 'spec.strides', rule: 'PARAM.STRIDE', requirement: /^must be an array of 2 positive integers$/, value: 2 }],
    ['dilations not an array', { ...base, dilations: 1 }, { field: 'spec.dilations', rule: 'PARAM.DILATION', requirement: /^must be an array of 2 positive integers$/, value: 1 }],
    ['pads not an array', { ...base, pads: 0 }, { field: 'spec.pads', rule: 'PARAM.PADS', requirement: /^must be an array of 4 non-negative integers$/, value: 0 }],
    ['strides of rank 1 for a rank-2 kernel', { ...base, strides: [2] }, { field: 'spec.strides', rule: 'PARAM.STRIDE', requirement: /^must have length 2 \(the spatial rank\)$/, value: [2] }],
    ['pads of length 2 for rank 2', { ...base, pads: [0, 0] }, { field: 'spec.pads', rule: 'PARAM.PADS', requirement: /^must have length 4 \(2 × the spatial rank\)$/, value: [0, 0] }],
    ['a string stride', { ...base, strides: ['2', 2] }, { field: 'spec.strides[0]', rule: 'PARAM.FINITE', requirement: /^must be a finite number$/, value: '2' }],
    ['kernel 2^31', { ...base, kernel: [2, 2 ** 31] }, { field: 'spec.kernel[1]', rule: 'PARAM.KERNEL', requirement: /^must be an integer in \[1, 2147483647\]$/, value: 2 ** 31 }],
    ['pad −1', { ...base, pads: [0, 0, -1, 0] }, { field: 'spec.pads[2]', rule: 'PARAM.PADS', requirement: /^must be an integer in \[0, 2147483647\]$/, value: -1 }],
    ['ceilMode not boolean', { ...base, ceilMode: 'yes' }, { field: 'spec.ceilMode', rule: 'PARAM.FLAGS', requirement: /^must be a boolean$/, value: 'yes' }],
    ['countIncludePad not boolean', { ...base, countIncludePad: 0 }, { field: 'spec.countIncludePad', rule: 'PARAM.FLAGS', requirement: /^must be a boolean$/, value: 0 }],
    ['divisorOverride on sum', { ...base, kind: 'sum', divisorOverride: 2 }, { field: 'spec.divisorOverride', rule: 'AVG.OVERRIDE', requirement: /only allowed with kind "avg"/, value: 2 }],
    ['divisorOverride NaN', { ...base, kind: 'avg', divisorOverride: NaN }, { field: 'spec.divisorOverride', rule: 'PARAM.FINITE', requirement: /^must be a finite number$/, value: NaN }],
    ['divisorOverride a string', { ...base, kind: 'avg', divisorOverride: '2' }, { field: 'spec.divisorOverride', rule: 'PARAM.FINITE', requirement: /^must be a finite number$/, value: '2' }],
    ['divisorOverride 2^-127 (subnormal)', { ...base, kind: 'avg', divisorOverride: 2 ** -127 }, { field: 'spec.divisorOverride', rule: 'AVG.OVERRIDE', requirement: /normal float32 range/, value: 2 ** -127 }],
    ['divisorOverride 2^128 (beyond float32)', { ...base, kind: 'avg', divisorOverride: 2 ** 128 }, { field: 'spec.divisorOverride', rule: 'AVG.OVERRIDE', requirement: /normal float32 range/, value: 2 ** 128 }],
    ['divisorOverride −2^128', { ...base, kind: 'avg', divisorOverride: -(2 ** 128) }, { field: 'spec.divisorOverride', rule: 'AVG.OVERRIDE', requirement: /normal float32 range/, value: -(2 ** 128) }],
    ['lp without p', { ...base, kind: 'lp' }, { field: 'spec.p', rule: 'PARAM.FINITE', requirement: /^must be a finite number for kind "lp"$/, value: undefined }],
    ['lp with p Infinity', { ...base, kind: 'lp', p: Infinity }, { field: 'spec.p', rule: 'PARAM.FINITE', requirement: /finite number/, value: Infinity }],
    ['lp with p −1', { ...base, kind: 'lp', p: -1 }, { field: 'spec.p', rule: 'LP.P', requirement: /^must be > 0$/, value: -1 }],
    ['lp with p 0.1', { ...base, kind: 'lp', p: 0.1 }, { field: 'spec.p', rule: 'LP.P', requirement: /exactly representable in float32/, value: 0.1 }],
  ])('%s', (_, spec, want) => expectError(() => validateSpec(spec), want));

  test.each<[string, PoolSpec]>([
    ['rank 3, the largest rank (PARAM.RANK)', { ...base, kernel: [2, 2, 2], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0] }],
    ['rank 1, the smallest', { ...base, kernel: [2], strides: [1], dilations: [1], pads: [0, 0] }],
    ['kernel, stride and dilation 1 and pads 0 (the lower bounds)', { ...base, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] }],
    ['a kernel of 2^31 − 1 (the upper bound; whether it fits is the shape rule)', { ...base, kernel: [2, INT_MAX] }],
    ['divisorOverride 2^-126, the smallest normal float32', { ...base, kind: 'avg', divisorOverride: MIN_NORMAL }],
    ['divisorOverride −2^-126', { ...base, kind: 'avg', divisorOverride: -MIN_NORMAL }],
    ['divisorOverride ±MAX32', { ...base, kind: 'avg', divisorOverride: -MAX_F32 }],
    ['divisorOverride MAX32', { ...base, kind: 'avg', divisorOverride: MAX_F32 }],
    ['divisorOverride on avg', { ...base, kind: 'avg', divisorOverride: 3 }],
    ['lp with p 2^-149, the smallest positive float32', { ...base, kind: 'lp', p: 2 ** -149 }],
    ['a p on a non-lp kind is ignored', { ...base, p: 0.1 }],
  ])('accepts %s', (_, spec) => {
    expect(() => validateSpec(spec)).not.toThrow();
  });
});

describe('shape arrays and tensors (TENSOR.*)', () => {
  test.each<[string, unknown, Expected]>([
    ['not an array', 'abc', { field: 'x.shape', rule: 'TENSOR.RANK', requirement: /^must be an array of 4 extents$/, value: 'abc' }],
    ['three dimensions for rank 2', [1, 4, 4], { field: 'x.shape', rule: 'TENSOR.RANK', requirement: /^must have 4 dimensions \(batch, channels and 2 spatial\)$/, value: [1, 4, 4] }],
    ['a fractional extent', [1, 1, 4, 1.5], { field: 'x.shape[3]', rule: 'TENSOR.SHAPE', requirement: /^must be an integer in \[1, 2147483647\]$/, value: 1.5 }],
    ['an extent 2^31', [1, 1, 2 ** 31, 1], { field: 'x.shape[2]', rule: 'TENSOR.SHAPE', requirement: /\[1, 2147483647\]/, value: 2 ** 31 }],
    ['a string extent', [1, '1', 4, 4], { field: 'x.shape[1]', rule: 'TENSOR.SHAPE', requirement: /\[1, 2147483647\]/, value: '1' }],
    // 2^16 · 2^15 = 2^31 elements: one more than an Int32 index reaches.
    ['2^31 elements', [2 ** 16, 2 ** 15, 1, 1], { field: 'x.shape', rule: 'TENSOR.SIZE', requirement: /^must hold at most 2147483647 elements$/, value: [2 ** 16, 2 ** 15, 1, 1] }],
  ])('validateShapeArray rejects %s', (_, shape, want) => expectError(() => validateShapeArray(shape, 'x.shape', 4), want));

  test('2^31 − 1 elements are allowed (the largest Int32 index is 2^31 − 2)', () => {
    expect(validateShapeArray([INT_MAX, 1, 1, 1], 'x.shape', 4)).toBe(INT_MAX);
  });

  test.each<[string, unknown, Expected]>([
    ['not an object', 7, { field: 'x', rule: 'TENSOR.DTYPE', requirement: /tensor object/, value: 7 }],
    ['null', null, { field: 'x', rule: 'TENSOR.DTYPE', requirement: /tensor object/, value: null }],
    ['a bad layout', { ...x, layout: 'NCHW' }, { field: 'x.layout', rule: 'TENSOR.LAYOUT', requirement: /^must be "channels_first" or "channels_last"$/, value: 'NCHW' }],
    ['15 elements for a 4×4 shape', { shape: [1, 1, 4, 4], data: new Float32Array(15) }, { field: 'x.data.length', rule: 'TENSOR.LENGTH', requirement: /^must equal the product of the shape \(16\)$/, value: 15 }],
  ])('validateForward rejects a tensor that is %s', (_, input, want) => expectError(() => validateForward(base, input), want));

  test('TENSOR.DTYPE names a non-Float32Array', () => {
    const e = errorOf(() => validateForward(base, { shape: [1, 1, 4, 4], data: [0] }));
    expect([e.field, e.rule, e.requirement]).toEqual(['x.data', 'TENSOR.DTYPE', 'must be a Float32Array']);
  });
});

describe('the spec against the input (WINDOW.FITS, WINDOW.NONEMPTY, TENSOR.SIZE of the output)', () => {
  test('WINDOW.FITS names the spatial dimension of the layout, the pads, the dilated window and the axis', () => {
    // Axis 1 of a channels_last [N, H, W, C] input is dimension 2; its extent 1 + pads 0 + 0 < window 2.
    const e = errorOf(() => validateForward(base, { shape: [1, 4, 1, 1], data: new Float32Array(4), layout: 'channels_last' }));
    expect([e.field, e.rule, e.value]).toEqual(['x.shape[2]', 'WINDOW.FITS', 1]);
    expect(e.requirement).toBe('plus pads 0+0 must be at least the dilated window 2 of spatial axis 1');
    // channels_first [N, C, H, W]: axis 0 is dimension 2; dilation 3 makes the window 3·(2 − 1) + 1 = 4 > 1 + 1 + 1.
    const f = errorOf(() => validateForward({ ...base, kernel: [2], strides: [1], dilations: [3], pads: [1, 1] }, { shape: [1, 1, 1], data: new Float32Array(1) }));
    expect([f.field, f.rule, f.value, f.requirement]).toEqual(['x.shape[2]', 'WINDOW.FITS', 1, 'plus pads 1+1 must be at least the dilated window 4 of spatial axis 0']);
  });

  test('a padded extent equal to the window fits', () => {
    // 1 + 0 + 1 = 2 = k: one window, taps at 0 (input) and 1 (end padding).
    expect(validateForward({ ...base, kernel: [2], strides: [1], dilations: [1], pads: [0, 1] }, { shape: [1, 1, 1], data: new Float32Array(1) }).outShape).toEqual([1, 1, 1]);
  });

  test('WINDOW.NONEMPTY names the window, its taps and the pads of its axis', () => {
    // Rank 2, axis 1: kernel 1, pads (begin 1, end 0), stride 2, extent 3: O = ⌊(3 + 1 − 1)/2⌋ + 1 = 2 windows,
    // starting at 0·2 − 1 = −1 (padding only) and 1. Axis 0 is harmless (kernel 1, no pads).
    const spec: PoolSpec = { ...base, kernel: [1, 1], strides: [1, 2], dilations: [1, 1], pads: [0, 1, 0, 0] };
    const e = errorOf(() => validateForward(spec, { shape: [1, 1, 2, 3], data: new Float32Array(6) }));
    expect([e.field, e.rule, e.value]).toEqual(['spec.pads', 'WINDOW.NONEMPTY', [1, 0]]);
    expect(e.requirement).toBe('must leave every window with an input element; window 0 of spatial axis 1 (taps at -1, step 1) holds only padding for input extent 3');
  });

  test('an output of more than 2^31 − 1 elements is refused, one of as many as the input is not', () => {
    // 46340² = 2 147 395 600 ≤ 2^31 − 1 = 2 147 483 647 < 46341² = 2 147 488 281: kernel 2, stride 1, pads 1
    // each side give O = 46340 + 2 − 2 + 1 = 46341 per axis.
    const spec: PoolSpec = { ...base, kind: 'sum', kernel: [2, 2], strides: [1, 1], pads: [1, 1, 1, 1] };
    expect(validationProblem(spec, [1, 1, 46340, 46340])).toBe('x.shape: must give an output of at most 2147483647 elements (TENSOR.SIZE), got [1, 1, 46341, 46341]');
    // Without the pads O = 46339 per axis: allowed.
    expect(validationProblem({ ...spec, pads: [0, 0, 0, 0] }, [1, 1, 46340, 46340])).toBeUndefined();
  });

  test('an output of exactly 2^31 − 1 elements is allowed', () => {
    // Kernel 1, stride 1 over a [2^31 − 1, 1, 1, 1] input: the output has the input's shape, 2^31 − 1 elements.
    expect(validationProblem({ ...base, kernel: [1, 1], strides: [1, 1] }, [INT_MAX, 1, 1, 1])).toBeUndefined();
  });
});

describe('validationProblem and validateBackward', () => {
  test('the layout defaults to channels_first', () => {
    // [1, 4, 4, 1] read channels_first has spatial [4, 1]: a 2×2 window does not fit axis 1; channels_last has [4, 4].
    expect(validationProblem(base, [1, 4, 4, 1])).toMatch(/^x\.shape\[3\]: .* \(WINDOW\.FITS\), got 1$/);
    expect(validationProblem(base, [1, 4, 4, 1], 'channels_last')).toBeUndefined();
  });

  test('a spec problem is reported before the shape is looked at', () => {
    expect(validationProblem({ ...base, kind: 'median' }, [1])).toMatch(/^spec\.kind: .*\(PARAM\.KIND\), got "median"$/);
    expect(validationProblem(base, [1, 1, 4])).toMatch(/^x\.shape: .*\(TENSOR\.RANK\)/);
  });

  test('an error that is not a ValidationError is not turned into a refusal', () => {
    const hostile = { get kind(): string { throw new TypeError('getter failed'); } };
    expect(() => validationProblem(hostile, [1, 1, 4])).toThrow(TypeError);
  });

  test('dy in another layout than x is a GRAD.SHAPE error naming x.layout', () => {
    // x is channels_first [1, 1, 4, 4]: the output is [1, 1, 2, 2]; the same extents in channels_last still differ in layout.
    expectError(() => validateBackward(base, x, { shape: [1, 1, 2, 2], data: new Float32Array(4), layout: 'channels_last' }),
      { field: 'dy.layout', rule: 'GRAD.SHAPE', requirement: /^must equal x\.layout \(channels_first\)$/, value: 'channels_last' });
  });

  test('dy of another shape names the forward output shape', () => {
    expectError(() => validateBackward(base, x, { shape: [1, 1, 2, 3], data: new Float32Array(6) }),
      { field: 'dy.shape', rule: 'GRAD.SHAPE', requirement: /^must equal the forward output shape \[1, 1, 2, 2\]$/, value: [1, 1, 2, 3] });
  });

  test('dy is checked as a tensor of the output rank', () => {
    expectError(() => validateBackward(base, x, { shape: [1, 1, 4], data: new Float32Array(4) }),
      { field: 'dy.shape', rule: 'TENSOR.RANK', requirement: /^must have 4 dimensions/, value: [1, 1, 4] });
  });
});
