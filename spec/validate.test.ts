import { describe, expect, test } from 'vitest';
import type { PoolSpec } from './contract.js';
import { ValidationError } from './errors.js';
import { validateBackward, validateForward } from './validate.js';

const base: PoolSpec = { kind: 'max', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false };
const x = { shape: [1, 1, 4, 4], data: new Float32Array(16) };

function rejects(spec: unknown, input: unknown, field: string, rule: string): void {
  let err: unknown;
  try { validateForward(spec, input); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).field).toBe(field);
  expect((err as ValidationError).rule).toBe(rule);
  expect((err as ValidationError).message).toContain(rule);
}

describe('validation names the field, the rule and the value (SPEC.md §8)', () => {
  test.each([
    ['kernel 0', { ...base, kernel: [0, 2] }, 'spec.kernel[0]', 'PARAM.KERNEL'],
    ['negative stride', { ...base, strides: [2, -1] }, 'spec.strides[1]', 'PARAM.STRIDE'],
    ['non-integer dilation', { ...base, dilations: [1.5, 1] }, 'spec.dilations[0]', 'PARAM.DILATION'],
    ['NaN stride', { ...base, strides: [NaN, 2] }, 'spec.strides[0]', 'PARAM.FINITE'],
    ['Infinity pad', { ...base, pads: [0, Infinity, 0, 0] }, 'spec.pads[1]', 'PARAM.FINITE'],
    ['pads of wrong length', { ...base, pads: [0, 0] }, 'spec.pads', 'PARAM.PADS'],
    ['strides of wrong length', { ...base, strides: [2] }, 'spec.strides', 'PARAM.STRIDE'],
    ['rank 0', { ...base, kernel: [] }, 'spec.kernel', 'PARAM.RANK'],
    ['rank 4', { ...base, kernel: [1, 1, 1, 1] }, 'spec.kernel', 'PARAM.RANK'],
    ['unknown kind', { ...base, kind: 'median' }, 'spec.kind', 'PARAM.KIND'],
    ['p = 0', { ...base, kind: 'lp', p: 0 }, 'spec.p', 'LP.P'],
    ['p missing', { ...base, kind: 'lp' }, 'spec.p', 'PARAM.FINITE'],
    ['p not a float32', { ...base, kind: 'lp', p: 0.1 }, 'spec.p', 'LP.P'],
    ['divisor 0', { ...base, kind: 'avg', divisorOverride: 0 }, 'spec.divisorOverride', 'AVG.OVERRIDE'],
    ['divisor on max', { ...base, divisorOverride: 2 }, 'spec.divisorOverride', 'AVG.OVERRIDE'],
    ['ceilMode not boolean', { ...base, ceilMode: 1 }, 'spec.ceilMode', 'PARAM.FLAGS'],
  ])('%s', (_, spec, field, rule) => rejects(spec, x, field, rule));

  test.each([
    ['Float64Array data', { shape: [1, 1, 4, 4], data: new Float64Array(16) }, 'x.data', 'TENSOR.DTYPE'],
    ['length ≠ product', { shape: [1, 1, 4, 4], data: new Float32Array(15) }, 'x.data.length', 'TENSOR.LENGTH'],
    ['wrong rank', { shape: [1, 4, 4], data: new Float32Array(16) }, 'x.shape', 'TENSOR.RANK'],
    ['zero extent', { shape: [1, 0, 4, 4], data: new Float32Array(0) }, 'x.shape[1]', 'TENSOR.SHAPE'],
    ['bad layout', { shape: [1, 1, 4, 4], data: new Float32Array(16), layout: 'nchw' }, 'x.layout', 'TENSOR.LAYOUT'],
    ['window larger than padded input', { shape: [1, 1, 1, 4], data: new Float32Array(4) }, 'x.shape[2]', 'WINDOW.FITS'],
  ])('%s', (_, input, field, rule) => rejects(base, input, field, rule));

  test('a window of padding only is rejected (WINDOW.NONEMPTY)', () => {
    // padded extent 1+1+2 = 4 = E fits; the one window's taps sit at −1 and 2 (dilation 3), around an input of extent 1: no tap lands in [0, 1).
    rejects({ ...base, kernel: [2], strides: [1], dilations: [3], pads: [1, 2] }, { shape: [1, 1, 1], data: new Float32Array(1) }, 'spec.pads', 'WINDOW.NONEMPTY');
  });

  test('dy must have the forward output shape and layout (GRAD.SHAPE)', () => {
    expect(() => validateBackward(base, x, { shape: [1, 1, 2, 3], data: new Float32Array(6) })).toThrow(/GRAD\.SHAPE/);
    expect(() => validateBackward(base, x, { shape: [1, 2, 2, 1], data: new Float32Array(4), layout: 'channels_last' })).toThrow(/GRAD\.SHAPE/);
    expect(validateBackward(base, x, { shape: [1, 1, 2, 2], data: new Float32Array(4) }).outShape).toEqual([1, 1, 2, 2]);
  });

  test('the message reads FIELD: REQUIREMENT (RULE), got VALUE', () => {
    expect(() => validateForward({ ...base, kernel: [0, 2] }, x)).toThrow('spec.kernel[0]: must be an integer in [1, 2147483647] (PARAM.KERNEL), got 0');
  });
});
