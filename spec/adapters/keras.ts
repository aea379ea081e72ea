/**
 * Keras 3 adapter: a pooling layer's class name and config (`layer.get_config()` or constructor kwargs) → the
 * canonical PoolSpec. Keras is channels_last unless `data_format: 'channels_first'`, has no dilation and no ceil
 * mode, and its average pooling always excludes padding (TensorFlow's behaviour, which the other backends copy).
 */
import type { Layout, PoolKind, PoolSpec } from '../contract.js';
import { splitShape } from '../geometry.js';
import { ValidationError } from '../errors.js';
import { validateSpec } from '../validate.js';
import { autoPads, globalPoolSpec } from './autopad.js';
import {
  checkBool, checkInputShape, checkKeys, expandIntOrTuple, isRecord, ones, zeros, type AdapterResult,
} from './common.js';

export type KerasPoolingLayer =
  | 'MaxPooling1D' | 'MaxPooling2D' | 'MaxPooling3D'
  | 'AveragePooling1D' | 'AveragePooling2D' | 'AveragePooling3D';

export type KerasGlobalPoolingLayer =
  | 'GlobalMaxPooling1D' | 'GlobalMaxPooling2D' | 'GlobalMaxPooling3D'
  | 'GlobalAveragePooling1D' | 'GlobalAveragePooling2D' | 'GlobalAveragePooling3D';

export type KerasLayer = KerasPoolingLayer | KerasGlobalPoolingLayer;

export type KerasDataFormat = 'channels_last' | 'channels_first';

/** The pooling-relevant config keys; `name`, `trainable` and `dtype` (present in get_config()) are ignored. */
export interface KerasPoolingConfig {
  /** Windowed layers: int or tuple of rank ints, default 2 per axis. */
  pool_size?: number | readonly number[];
  /** Windowed layers: int or tuple, default (None) = pool_size. */
  strides?: number | readonly number[] | null;
  /** Windowed layers: 'valid' (default) or 'same' (case-insensitive, as Keras lower-cases it). */
  padding?: string;
  /** Default (None) = 'channels_last', Keras's default image_data_format. */
  data_format?: KerasDataFormat | null;
  /** Global layers: whether the spatial axes are kept as size 1. Does not change the pooling. */
  keepdims?: boolean;
  name?: string;
  trainable?: boolean;
  dtype?: unknown;
}

interface LayerInfo {
  kind: PoolKind;
  rank: 1 | 2 | 3;
  global: boolean;
}

function layerInfo(layer: unknown): LayerInfo {
  const m = typeof layer === 'string' ? /^(Global)?(Max|Average)Pooling([123])D$/.exec(layer) : null;
  if (m === null) {
    throw new ValidationError('layer', 'ADAPT.KERAS',
      'must be a Keras pooling layer: MaxPooling{1,2,3}D, AveragePooling{1,2,3}D, GlobalMaxPooling{1,2,3}D or GlobalAveragePooling{1,2,3}D', layer);
  }
  return { kind: m[2] === 'Max' ? 'max' : 'avg', rank: Number(m[3]) as 1 | 2 | 3, global: m[1] !== undefined };
}

const COMMON_KEYS = ['data_format', 'name', 'trainable', 'dtype'];
const WINDOW_KEYS = [...COMMON_KEYS, 'pool_size', 'strides', 'padding'];
const GLOBAL_KEYS = [...COMMON_KEYS, 'keepdims'];

function dataFormat(value: unknown): Layout {
  if (value === undefined || value === null) return 'channels_last';
  if (value !== 'channels_last' && value !== 'channels_first') {
    throw new ValidationError('data_format', 'ADAPT.KERAS', 'must be "channels_last" or "channels_first"', value);
  }
  return value;
}

/**
 * Converts a Keras pooling layer into the canonical spec and its layout. `inputShape` is the batched input shape
 * in the layer's data format ([N, ...spatial, C] for channels_last); it is required by 'same' padding and by the
 * Global* layers, and checked against the rank whenever given.
 *
 * 'same' is TensorFlow's SAME: out = ceil(in/s), the odd pad at the end (same_upper). Keras accepts strides of 0
 * in the constructor; the spec does not (PARAM.STRIDE).
 */
export function fromKeras(layer: KerasLayer, config: KerasPoolingConfig = {}, inputShape?: readonly number[]): AdapterResult {
  const info = layerInfo(layer);
  if (!isRecord(config)) throw new ValidationError('config', 'ADAPT.KERAS', 'must be an object (the layer config)', config);
  const raw: Record<string, unknown> = config;
  checkKeys(raw, info.global ? GLOBAL_KEYS : WINDOW_KEYS, 'ADAPT.KERAS', layer);
  const layout = dataFormat(raw.data_format);
  const shape = inputShape === undefined ? undefined : checkInputShape(inputShape, 'inputShape', info.rank + 2);

  if (info.global) {
    if (raw.keepdims !== undefined) checkBool(raw.keepdims, 'keepdims');
    if (shape === undefined) throw new ValidationError('inputShape', 'ADAPT.KERAS', `is required by ${layer} (the window is the whole input)`, inputShape);
    return { spec: globalPoolSpec(info.kind, shape, layout), layout };
  }

  const d = info.rank;
  const kernel = raw.pool_size === undefined || raw.pool_size === null
    ? new Array<number>(d).fill(2)
    : expandIntOrTuple(raw.pool_size, 'pool_size', 'PARAM.KERNEL', d, 1, false);
  const strides = raw.strides === undefined || raw.strides === null
    ? [...kernel]
    : expandIntOrTuple(raw.strides, 'strides', 'PARAM.STRIDE', d, 1, false);
  const padding = raw.padding ?? 'valid';
  const mode = typeof padding === 'string' ? padding.toLowerCase() : padding;
  if (mode !== 'valid' && mode !== 'same') {
    throw new ValidationError('padding', 'ADAPT.KERAS', 'must be "valid" or "same"', padding);
  }
  let pads: number[];
  if (mode === 'valid') {
    pads = zeros(2 * d);
  } else {
    if (shape === undefined) {
      throw new ValidationError('inputShape', 'ADAPT.KERAS', 'is required to resolve padding "same" (the pads depend on the input extents)', inputShape);
    }
    pads = autoPads('same_upper', splitShape(shape, layout).spatial, kernel, strides, ones(d));
  }

  const spec: PoolSpec = {
    kind: info.kind,
    kernel,
    strides,
    dilations: ones(d),
    pads,
    ceilMode: false,
    countIncludePad: false,
  };
  validateSpec(spec);
  return { spec, layout };
}
