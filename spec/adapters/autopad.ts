/**
 * Pad generators for the string paddings of ONNX (auto_pad), TensorFlow/Keras and tfjs ('valid' / 'same'), and the
 * spec of a global pool. The spec has explicit pads only (SPEC.md §PARAM); these turn the strings into them.
 */
import { POOL_KINDS, type Layout, type PoolKind, type PoolSpec } from '../contract.js';
import { effectiveKernel, splitShape } from '../geometry.js';
import { ValidationError } from '../errors.js';
import { validateSpec } from '../validate.js';
import { checkInputShape, checkIntArray, checkP, ones, zeros } from './common.js';

/**
 * 'valid': no padding. 'same_upper' / 'same_lower': out = ceil(in/s) with the odd pad at the end (ONNX SAME_UPPER,
 * TensorFlow SAME, tfjs 'same', XNNPACK's TF-SAME flag) or at the beginning (ONNX SAME_LOWER).
 */
export type AutoPadMode = 'valid' | 'same_upper' | 'same_lower';

const AUTO_PAD_MODES: readonly AutoPadMode[] = ['valid', 'same_upper', 'same_lower'];

/**
 * Pads in ONNX order [begin_1..begin_d, end_1..end_d] for a string padding mode.
 *
 * SAME: out = ceil(in/s) and total = max(0, (out − 1)·s + E − in) with E = d·(k − 1) + 1, the dilated window.
 * Two deliberate choices, both documented in CONVENTIONS.md:
 * - E is the dilated window, as in the ONNX spec and reference; ONNX Runtime's CPU provider (at the commit we read)
 *   uses the non-dilated kernel here, which gives too little padding when d > 1.
 * - The total is clamped at 0, as TensorFlow, tfjs 2-D and XNNPACK do. The ONNX reference does not clamp (a stride
 *   larger than the window can make its total negative, e.g. in 6, k 1, s 2).
 */
export function autoPads(
  mode: AutoPadMode,
  inputSpatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): number[] {
  if (!AUTO_PAD_MODES.includes(mode)) {
    throw new ValidationError('mode', 'ADAPT.AUTOPAD', `must be one of ${AUTO_PAD_MODES.join(', ')}`, mode);
  }
  const d = kernel.length;
  if (d < 1 || d > 3) throw new ValidationError('kernel', 'PARAM.RANK', 'must have length 1, 2 or 3 (the spatial rank)', kernel);
  const ks = checkIntArray(kernel, 'kernel', 'PARAM.KERNEL', d, 1);
  const ins = checkIntArray(inputSpatial, 'inputSpatial', 'TENSOR.SHAPE', d, 1);
  const ss = checkIntArray(strides, 'strides', 'PARAM.STRIDE', d, 1);
  const ds = checkIntArray(dilations, 'dilations', 'PARAM.DILATION', d, 1);
  if (mode === 'valid') return zeros(2 * d);

  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < d; i++) {
    const size = ins[i]!;
    const stride = ss[i]!;
    const out = Math.ceil(size / stride);
    const total = Math.max(0, (out - 1) * stride + effectiveKernel(ks[i]!, ds[i]!) - size);
    const small = Math.floor(total / 2);
    const large = total - small;
    begin.push(mode === 'same_upper' ? small : large);
    end.push(mode === 'same_upper' ? large : small);
  }
  return [...begin, ...end];
}

/**
 * The spec of a global pool over the whole spatial extent of `inputShape` (ONNX Global*Pool, Keras Global*Pooling):
 * kernel = spatial extents, strides 1, dilations 1, no padding, floor mode, padding excluded (there is none).
 * `p` is required for kind 'lp' and rejected for the other kinds.
 */
export function globalPoolSpec(
  kind: PoolKind, inputShape: readonly number[], layout: Layout = 'channels_first', p?: number,
): PoolSpec {
  if (layout !== 'channels_first' && layout !== 'channels_last') {
    throw new ValidationError('layout', 'TENSOR.LAYOUT', 'must be "channels_first" or "channels_last"', layout);
  }
  const shape = checkInputShape(inputShape, 'inputShape');
  const { spatial } = splitShape(shape, layout);
  const d = spatial.length;
  if (!POOL_KINDS.includes(kind)) throw new ValidationError('kind', 'PARAM.KIND', `must be one of ${POOL_KINDS.join(', ')}`, kind);
  if (kind === 'lp') checkP(p, 'p');
  else if (p !== undefined) throw new ValidationError('p', 'LP.P', 'is only meaningful for kind "lp"', p);
  const spec: PoolSpec = {
    kind,
    kernel: [...spatial],
    strides: ones(d),
    dilations: ones(d),
    pads: zeros(2 * d),
    ceilMode: false,
    countIncludePad: false,
  };
  if (kind === 'lp') spec.p = p;
  validateSpec(spec);
  return spec;
}
