/**
 * ONNX adapter: a pooling node's op type and attributes (opset 22 schemas, onnx/defs/nn/defs.cc) → the canonical
 * PoolSpec. ONNX is channels_first ("N x C x D1 … Dn") and its `pads` are already in the spec's order.
 */
import type { PoolKind, PoolSpec } from '../contract.js';
import { ValidationError } from '../errors.js';
import { validateSpec } from '../validate.js';
import { autoPads, globalPoolSpec } from './autopad.js';
import {
  checkInputShape, checkIntArray, checkKeys, checkP, isRecord, ones, zeros, type AdapterResult,
} from './common.js';

export type OnnxPoolOp = 'MaxPool' | 'AveragePool' | 'LpPool' | 'GlobalMaxPool' | 'GlobalAveragePool' | 'GlobalLpPool';

export type OnnxAutoPad = 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';

/** The node's attributes, as ONNX names and types them (INT attributes for the flags). */
export interface OnnxPoolAttributes {
  /** Required by MaxPool, AveragePool, LpPool; its length is the spatial rank. */
  kernel_shape?: readonly number[];
  /** Default 1 per axis. */
  strides?: readonly number[];
  /** Default 1 per axis (MaxPool 10+, AveragePool 19+, LpPool 18+). */
  dilations?: readonly number[];
  /** [x1_begin, x2_begin, …, x1_end, x2_end, …], default 0; not together with auto_pad ≠ NOTSET. */
  pads?: readonly number[];
  /** Default NOTSET. SAME_* needs the input shape. */
  auto_pad?: OnnxAutoPad;
  /** 0 (default) or 1. */
  ceil_mode?: number;
  /** AveragePool only: 0 (default) or 1. */
  count_include_pad?: number;
  /** LpPool / GlobalLpPool only: an integer exponent, default 2. */
  p?: number;
  /** MaxPool only: 0 (default, row-major Indices). 1 (column-major) is not supported. */
  storage_order?: number;
}

const POOL_ATTRS = ['auto_pad', 'ceil_mode', 'dilations', 'kernel_shape', 'pads', 'strides'] as const;
const ATTRS: Readonly<Record<OnnxPoolOp, readonly string[]>> = {
  MaxPool: [...POOL_ATTRS, 'storage_order'],
  AveragePool: [...POOL_ATTRS, 'count_include_pad'],
  LpPool: [...POOL_ATTRS, 'p'],
  GlobalMaxPool: [],
  GlobalAveragePool: [],
  GlobalLpPool: ['p'],
};
const KIND: Readonly<Record<OnnxPoolOp, PoolKind>> = {
  MaxPool: 'max', AveragePool: 'avg', LpPool: 'lp', GlobalMaxPool: 'max', GlobalAveragePool: 'avg', GlobalLpPool: 'lp',
};
const AUTO_PADS: readonly OnnxAutoPad[] = ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'];
const isAutoPad = (v: unknown): v is OnnxAutoPad => (AUTO_PADS as readonly unknown[]).includes(v);

function flag(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (value !== 0 && value !== 1) throw new ValidationError(field, 'PARAM.FLAGS', 'must be 0 or 1 (an ONNX INT flag)', value);
  return value === 1;
}

function lpExponent(value: unknown): number {
  if (value === undefined) return 2;
  if (typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value)) {
    throw new ValidationError('p', 'ADAPT.ONNX', 'must be an integer (p is an INT attribute in ONNX)', value);
  }
  return checkP(value, 'p');
}

/**
 * Converts an ONNX pooling node into the canonical spec. `inputShape` ([N, C, ...spatial]) is required by the
 * Global* ops and by auto_pad SAME_UPPER / SAME_LOWER, and checked against the rank whenever given.
 *
 * Rejected (rule ADAPT.ONNX): attributes the op does not have; a missing kernel_shape; an unknown auto_pad;
 * auto_pad ≠ NOTSET together with `pads` (the spec: "cannot be used simultaneously") or with ceil_mode = 1 (the
 * reference asserts "ceil_mode is not supported with auto_pad"); storage_order = 1; a non-integer p.
 *
 * Known divergences this cannot express (CONVENTIONS.md): the reference drops NaN inputs like padding; its MaxPool
 * Indices are flat over N·C·spatial (the spec's MAX.INDEX is per plane); the reference LpPool, like PyTorch, scales a
 * ceil-mode partial window by K/n_valid.
 */
export function fromOnnx(op: OnnxPoolOp, attrs: OnnxPoolAttributes = {}, inputShape?: readonly number[]): AdapterResult {
  if (!Object.hasOwn(ATTRS, op)) {
    throw new ValidationError('op', 'ADAPT.ONNX', `must be one of ${Object.keys(ATTRS).join(', ')}`, op);
  }
  if (!isRecord(attrs)) throw new ValidationError('attrs', 'ADAPT.ONNX', 'must be an object of node attributes', attrs);
  const raw: Record<string, unknown> = attrs;
  checkKeys(raw, ATTRS[op], 'ADAPT.ONNX', op);
  const kind = KIND[op];

  if (op === 'GlobalMaxPool' || op === 'GlobalAveragePool' || op === 'GlobalLpPool') {
    if (inputShape === undefined) throw new ValidationError('inputShape', 'ADAPT.ONNX', `is required by ${op} (the window is the whole input)`, inputShape);
    const spec = globalPoolSpec(kind, checkInputShape(inputShape, 'inputShape'), 'channels_first',
      kind === 'lp' ? lpExponent(raw.p) : undefined);
    return { spec, layout: 'channels_first' };
  }

  const ks = raw.kernel_shape;
  if (ks === undefined) throw new ValidationError('kernel_shape', 'ADAPT.ONNX', `is required by ${op}`, ks);
  if (!Array.isArray(ks) || ks.length < 1 || ks.length > 3) {
    throw new ValidationError('kernel_shape', 'PARAM.RANK', 'must be an array of 1, 2 or 3 integers (the spatial rank)', ks);
  }
  const d = ks.length;
  const kernel = checkIntArray(ks, 'kernel_shape', 'PARAM.KERNEL', d, 1);
  const shape = inputShape === undefined ? undefined : checkInputShape(inputShape, 'inputShape', d + 2);
  const strides = raw.strides === undefined ? ones(d) : checkIntArray(raw.strides, 'strides', 'PARAM.STRIDE', d, 1);
  const dilations = raw.dilations === undefined ? ones(d) : checkIntArray(raw.dilations, 'dilations', 'PARAM.DILATION', d, 1);
  const ceilMode = flag(raw.ceil_mode, 'ceil_mode');

  const autoPad = raw.auto_pad ?? 'NOTSET';
  if (!isAutoPad(autoPad)) {
    throw new ValidationError('auto_pad', 'ADAPT.ONNX', `must be one of ${AUTO_PADS.join(', ')}`, autoPad);
  }
  let pads: number[];
  if (autoPad === 'NOTSET') {
    pads = raw.pads === undefined ? zeros(2 * d) : checkIntArray(raw.pads, 'pads', 'PARAM.PADS', 2 * d, 0);
  } else {
    if (raw.pads !== undefined) {
      throw new ValidationError('pads', 'ADAPT.ONNX', `cannot be used together with auto_pad ${autoPad} (only with NOTSET)`, raw.pads);
    }
    if (ceilMode) {
      throw new ValidationError('ceil_mode', 'ADAPT.ONNX', `must be 0 with auto_pad ${autoPad} (the ONNX reference does not support ceil_mode with auto_pad)`, raw.ceil_mode);
    }
    if (autoPad === 'VALID') {
      pads = zeros(2 * d);
    } else {
      if (shape === undefined) {
        throw new ValidationError('inputShape', 'ADAPT.ONNX', `is required to resolve auto_pad ${autoPad} (the pads depend on the input extents)`, inputShape);
      }
      pads = autoPads(autoPad === 'SAME_UPPER' ? 'same_upper' : 'same_lower', shape.slice(2), kernel, strides, dilations);
    }
  }

  if (raw.storage_order !== undefined && flag(raw.storage_order, 'storage_order')) {
    throw new ValidationError('storage_order', 'ADAPT.ONNX',
      'must be 0: column-major Indices (storage_order 1) are not supported yet; the spec\'s indices are row-major per (n, c) plane', raw.storage_order);
  }

  const spec: PoolSpec = {
    kind,
    kernel,
    strides,
    dilations,
    pads,
    ceilMode,
    countIncludePad: kind === 'avg' ? flag(raw.count_include_pad, 'count_include_pad') : false,
  };
  if (kind === 'lp') spec.p = lpExponent(raw.p);
  validateSpec(spec);
  return { spec, layout: 'channels_first' };
}
