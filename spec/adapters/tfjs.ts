/**
 * TensorFlow.js adapter: the arguments of `tf.maxPool`, `tf.avgPool`, `tf.maxPool3d`, `tf.avgPool3d` (tfjs-core 4.x)
 * → the canonical PoolSpec. tfjs is channels_last only (NHWC / NDHWC), has no dilation for these ops and always
 * excludes padding from the average.
 *
 * The output extents are what tfjs computes in `conv_util.ts` (getPadAndOutInfo / get3DPadAndOutInfo), and the
 * adapter only returns a spec whose SHAPE.OUT / SHAPE.CEIL extents equal them; otherwise it throws ADAPT.TFJS.
 * Where the extents agree the windows agree too (tfjs clips every window to the input, like the spec), so the spec
 * then describes exactly what tfjs computes.
 */
import type { PoolSpec } from '../contract.js';
import { outputSize } from '../geometry.js';
import { ValidationError } from '../errors.js';
import { validateSpec } from '../validate.js';
import { autoPads } from './autopad.js';
import {
  checkInputShape, checkInt, checkKeys, expandIntOrTuple, ones, zeros, isRecord, type AdapterResult,
} from './common.js';

export type TfjsPoolOp = 'maxPool' | 'avgPool' | 'maxPool3d' | 'avgPool3d';

/** NHWC explicit padding: [[0, 0], [top, bottom], [left, right], [0, 0]] (2-D ops only). */
export type TfjsExplicitPadding = readonly [
  readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number],
];

export type TfjsPad = 'valid' | 'same' | number | TfjsExplicitPadding;

export type TfjsRoundingMode = 'floor' | 'round' | 'ceil';

export interface TfjsPoolArgs {
  /** int or [h, w] / [d, h, w]. Required, except by maxPool3d (default [1, 1, 1]). */
  filterSize?: number | readonly number[];
  /** int or [h, w] / [d, h, w]. Required. */
  strides: number | readonly number[];
  pad: TfjsPad;
  /**
   * Rounding of the output extent for a numeric or explicit pad; tfjs's default is truncation. tfjs has no
   * "last window starts inside" rule, so 'ceil' and 'round' map only where they agree with the spec.
   */
  dimRoundingMode?: TfjsRoundingMode;
  /** 3-D ops only: 'NDHWC' (default); tfjs rejects 'NCDHW'. */
  dataFormat?: 'NDHWC' | 'NCDHW';
}

const KEYS_2D = ['filterSize', 'strides', 'pad', 'dimRoundingMode'];
const KEYS_3D = [...KEYS_2D, 'dataFormat'];
const OPS: readonly TfjsPoolOp[] = ['maxPool', 'avgPool', 'maxPool3d', 'avgPool3d'];

function tfjsRound(value: number, mode: TfjsRoundingMode | undefined): number {
  switch (mode) {
    case undefined: return Math.trunc(value);
    case 'floor': return Math.floor(value);
    case 'round': return Math.round(value);
    case 'ceil': return Math.ceil(value);
  }
}

function explicitPads(pad: readonly unknown[]): number[] {
  if (pad.length !== 4) {
    throw new ValidationError('pad', 'PARAM.PADS', 'must be 4 pairs [[0, 0], [top, bottom], [left, right], [0, 0]] (NHWC)', pad);
  }
  const pairs = pad.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new ValidationError(`pad[${i}]`, 'PARAM.PADS', 'must be a pair [begin, end]', pair);
    }
    return [checkInt(pair[0], `pad[${i}][0]`, 'PARAM.PADS', 0), checkInt(pair[1], `pad[${i}][1]`, 'PARAM.PADS', 0)] as const;
  });
  for (const i of [0, 3]) {
    const [b, e] = pairs[i]!;
    if (b !== 0 || e !== 0) {
      throw new ValidationError(`pad[${i}]`, 'ADAPT.TFJS',
        `must be [0, 0]: tfjs silently ignores padding of the ${i === 0 ? 'batch' : 'channel'} axis`, pad[i]);
    }
  }
  const [top, bottom] = pairs[1]!;
  const [left, right] = pairs[2]!;
  return [top, left, bottom, right];
}

/**
 * Converts tfjs pooling arguments into the canonical spec (layout channels_last). `inputShape` is the batched
 * input, [N, H, W, C] or [N, D, H, W, C] (tfjs's unbatched rank-3/4 inputs: prepend N = 1).
 *
 * Rejected with ADAPT.TFJS, each explaining the divergence:
 * - a numeric pad whose output extents tfjs computes from the *first* axis's filter and stride for every axis
 *   (2-D: the width uses the filter/stride height, tfjs#649; 3-D: every axis uses the depth's) where that differs
 *   from the real windows;
 * - 3-D 'same' where tfjs's padding comes out negative (it does not clamp the total at 0, unlike the 2-D path);
 * - dimRoundingMode 'ceil' or 'round' whose extents match neither the spec's floor nor its SHAPE.CEIL (tfjs ceil has
 *   no start-inside rule: windows starting in the end padding give −Inf / NaN there);
 * - dimRoundingMode with a string pad (tfjs throws), explicit padding on 3-D ops, dataFormat 'NCDHW'.
 */
export function fromTfjs(op: TfjsPoolOp, args: TfjsPoolArgs, inputShape: readonly number[]): AdapterResult {
  if (!OPS.includes(op)) throw new ValidationError('op', 'ADAPT.TFJS', `must be one of ${OPS.join(', ')}`, op);
  if (!isRecord(args)) throw new ValidationError('args', 'ADAPT.TFJS', 'must be an object of pooling arguments', args);
  const raw = args as unknown as Record<string, unknown>;
  const is3d = op === 'maxPool3d' || op === 'avgPool3d';
  const d = is3d ? 3 : 2;
  checkKeys(raw, is3d ? KEYS_3D : KEYS_2D, 'ADAPT.TFJS', `tf.${op}`);
  if (inputShape === undefined) throw new ValidationError('inputShape', 'ADAPT.TFJS', `is required: tf.${op} output extents depend on it`, inputShape);
  const shape = checkInputShape(inputShape, 'inputShape', d + 2);
  const spatial = shape.slice(1, -1);

  if (is3d && raw.dataFormat !== undefined && raw.dataFormat !== 'NDHWC') {
    throw new ValidationError('dataFormat', 'ADAPT.TFJS', `must be "NDHWC": tf.${op} supports only NDHWC`, raw.dataFormat);
  }
  if (raw.filterSize === undefined && op !== 'maxPool3d') {
    throw new ValidationError('filterSize', 'ADAPT.TFJS', `is required by tf.${op}`, raw.filterSize);
  }
  const kernel = expandIntOrTuple(raw.filterSize ?? 1, 'filterSize', 'PARAM.KERNEL', d, 1, false);
  if (raw.strides === undefined) throw new ValidationError('strides', 'ADAPT.TFJS', `is required by tf.${op}`, raw.strides);
  const strides = expandIntOrTuple(raw.strides, 'strides', 'PARAM.STRIDE', d, 1, false);

  const mode = raw.dimRoundingMode;
  if (mode !== undefined && mode !== 'floor' && mode !== 'round' && mode !== 'ceil') {
    throw new ValidationError('dimRoundingMode', 'ADAPT.TFJS', 'must be "floor", "round" or "ceil" (or omitted: truncation)', mode);
  }
  const pad = raw.pad;
  if (mode !== undefined && typeof pad === 'string') {
    throw new ValidationError('dimRoundingMode', 'ADAPT.TFJS', `is only allowed with a numeric or explicit pad (tfjs throws for pad "${pad}")`, mode);
  }

  let pads: number[];
  let ceilMode = false;
  if (pad === 'valid') {
    pads = zeros(2 * d);
  } else if (pad === 'same') {
    if (is3d) {
      spatial.forEach((size, i) => {
        const out = Math.ceil(size / strides[i]!);
        const total = (out - 1) * strides[i]! + kernel[i]! - size;
        if (total < 0) {
          throw new ValidationError('pad', 'ADAPT.TFJS',
            `"same" gives tfjs a negative padding ${total} on spatial axis ${i} (tf.${op} does not clamp it at 0, which shifts the windows); the spec has no negative pads`, pad);
        }
      });
    }
    pads = autoPads('same_upper', spatial, kernel, strides, ones(d));
  } else {
    let tfjsOut: number[];
    if (typeof pad === 'number') {
      const p = checkInt(pad, 'pad', 'PARAM.PADS', 0);
      pads = new Array<number>(2 * d).fill(p);
      // tfjs uses the first axis's filter and stride for every axis (computeOutputShape2D / computeOutputShape4D).
      tfjsOut = spatial.map((size) => tfjsRound((size - kernel[0]! + 2 * p) / strides[0]! + 1, mode));
    } else if (Array.isArray(pad)) {
      if (is3d) throw new ValidationError('pad', 'ADAPT.TFJS', `must be "valid", "same" or a number: tf.${op} has no explicit padding`, pad);
      pads = explicitPads(pad);
      tfjsOut = spatial.map((size, i) => tfjsRound((size - kernel[i]! + pads[i]! + pads[i + d]!) / strides[i]! + 1, mode));
    } else {
      throw new ValidationError('pad', 'ADAPT.TFJS', '"valid", "same", a number or [[0, 0], [top, bottom], [left, right], [0, 0]]', pad);
    }
    const intended = spatial.map((size, i) => tfjsRound((size - kernel[i]! + pads[i]! + pads[i + d]!) / strides[i]! + 1, mode));
    if (tfjsOut.some((o, i) => o !== intended[i])) {
      throw new ValidationError('pad', 'ADAPT.TFJS',
        `with a numeric pad tfjs computes every axis's output extent from the first axis's filter ${kernel[0]} and stride ${strides[0]} (tfjs#649): it gives [${tfjsOut.join(', ')}], the windows give [${intended.join(', ')}]; use equal filter and stride per axis${is3d ? '' : ' or an explicit padding'}`,
        pad);
    }
    tfjsOut.forEach((o, i) => {
      if (o < 1) {
        throw new ValidationError(`inputShape[${i + 1}]`, 'WINDOW.FITS',
          `plus pads ${pads[i]}+${pads[i + d]} must be at least the window ${kernel[i]}; tf.${op} would give an empty output`, spatial[i]);
      }
    });
    const specOut = (ceil: boolean): number[] =>
      spatial.map((size, i) => outputSize(size, kernel[i]!, strides[i]!, 1, pads[i]!, pads[i + d]!, ceil));
    const floorOut = specOut(false);
    const ceilOut = specOut(true);
    const same = (a: readonly number[]): boolean => a.every((v, i) => v === tfjsOut[i]);
    const candidates = mode === 'ceil' ? [true, false] : [false, true];
    const match = candidates.find((c) => same(c ? ceilOut : floorOut));
    if (match === undefined) {
      throw new ValidationError('dimRoundingMode', 'ADAPT.TFJS',
        `must give output extents the spec can express: tfjs "${mode ?? 'trunc'}" gives [${tfjsOut.join(', ')}], the spec gives [${floorOut.join(', ')}] in floor mode and [${ceilOut.join(', ')}] in ceil mode (SHAPE.CEIL drops a last window that starts in the end padding; tfjs keeps it and fills it with −Inf / NaN)`,
        mode);
    }
    ceilMode = match;
  }

  const spec: PoolSpec = {
    kind: op.startsWith('max') ? 'max' : 'avg',
    kernel,
    strides,
    dilations: ones(d),
    pads,
    ceilMode,
    countIncludePad: false,
  };
  validateSpec(spec);
  return { spec, layout: 'channels_last' };
}
