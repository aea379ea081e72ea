/**
 * PyTorch adapter: the arguments of `torch.nn.functional.{max,avg,lp}_pool{1,2,3}d` → the canonical PoolSpec.
 * Conventions (see CONVENTIONS.md for sources): stride defaults to kernel_size, padding is symmetric,
 * count_include_pad defaults to True, ceil mode keeps the "last window starts inside input or left padding" rule
 * (the spec's SHAPE.CEIL), indices are per (n, c) plane (the spec's MAX.INDEX). Layout is channels_first: the
 * channels_last *memory format* does not change the logical NCHW shape PyTorch reports.
 */
import type { PoolSpec } from '../contract.js';
import { ValidationError } from '../errors.js';
import { validateSpec } from '../validate.js';
import {
  checkBool, checkInputShape, checkKeys, checkP, checkRank, expandIntOrTuple, isRecord, ones,
  type AdapterResult,
} from './common.js';

export type TorchPoolKind = 'max' | 'avg' | 'lp';

/** An int, or a tuple of 1 (repeated) or `rank` ints, as PyTorch's `_single`/`_pair`/`_triple` accept. */
export type TorchIntOrTuple = number | readonly number[];

/**
 * The keyword arguments of the functional pooling ops, plus `kind` and the spatial `rank` (1, 2, 3 for
 * the `*1d`, `*2d`, `*3d` functions), which PyTorch takes from the function name.
 */
export interface TorchPoolParams {
  kind: TorchPoolKind;
  /** Spatial rank; else taken from the input shape, else from the kernel_size tuple's length. */
  rank?: 1 | 2 | 3;
  kernel_size: TorchIntOrTuple;
  /** Default (None, omitted or an empty tuple): kernel_size. */
  stride?: TorchIntOrTuple | null;
  /** max and avg only; symmetric, default 0, at most half the (effective) kernel. */
  padding?: TorchIntOrTuple;
  /** max only; default 1. */
  dilation?: TorchIntOrTuple;
  /** Default false. */
  ceil_mode?: boolean;
  /** avg only; default **true**. */
  count_include_pad?: boolean;
  /** avg_pool2d / avg_pool3d only; a non-zero integer replacing the divisor. */
  divisor_override?: number | null;
  /** lp only, required: the exponent p. */
  norm_type?: number;
}

const KEYS: Readonly<Record<TorchPoolKind, readonly string[]>> = {
  max: ['kind', 'rank', 'kernel_size', 'stride', 'padding', 'dilation', 'ceil_mode'],
  avg: ['kind', 'rank', 'kernel_size', 'stride', 'padding', 'ceil_mode', 'count_include_pad', 'divisor_override'],
  lp: ['kind', 'rank', 'norm_type', 'kernel_size', 'stride', 'ceil_mode'],
};

function resolveRank(params: Record<string, unknown>, inputShape: readonly number[] | undefined): 1 | 2 | 3 {
  if (params.rank !== undefined) return checkRank(params.rank, 'rank');
  if (inputShape !== undefined) {
    const shape = checkInputShape(inputShape, 'inputShape');
    return checkRank(shape.length - 2, 'inputShape');
  }
  if (Array.isArray(params.kernel_size)) return checkRank(params.kernel_size.length, 'kernel_size');
  throw new ValidationError('rank', 'ADAPT.TORCH',
    'must be given (1, 2 or 3) when kernel_size is an int and there is no input shape; PyTorch takes it from the function name',
    params.rank);
}

/**
 * Converts PyTorch pooling arguments into the canonical spec. `inputShape`, when given, is the batched
 * [N, C, ...spatial] shape; it fixes the rank and enables AvgPool3d's "input not smaller than kernel" check.
 *
 * PyTorch's own rejections are mirrored (rule ADAPT.TORCH, naming the field): padding larger than half the
 * *non-dilated* kernel, k/2, in every rank (PyTorch 2.11 rejects max_pool2d k 3, dilation 2, padding 2 on the CPU
 * and on CUDA: "pad should be smaller than or equal to half of kernel size", spec/adapters/golden/torch.json), and
 * dilation for avg/lp, padding for lp, divisor_override for 1-D or a zero/non-integer one.
 *
 * LP pooling diverges from the spec, and the adapter cannot fix it (it only maps norm_type → p):
 * PyTorch computes `lp_pool = (sign(o)·relu(|o|)·K)^(1/p)` with `o = avg_pool(x.pow(p))` (torch/nn/functional.py),
 * i.e. it raises x — not |x| — to p and has no padding argument. The spec's LP.DEF uses (Σ|x|^p)^(1/p). They
 * agree when every input is ≥ 0 or p is an even integer; otherwise PyTorch gives signed sums (odd p) or NaN
 * (fractional p, or a negative sum). In ceil mode PyTorch also scales a partial window by K/n_valid (avg × K)
 * instead of summing its n_valid taps. Verify PyTorch LP pooling only on non-negative inputs without ceil mode.
 */
export function fromTorch(params: TorchPoolParams, inputShape?: readonly number[]): AdapterResult {
  if (!isRecord(params)) throw new ValidationError('params', 'ADAPT.TORCH', 'must be an object of pooling arguments', params);
  const raw = params as unknown as Record<string, unknown>;
  const kind = raw.kind;
  if (kind !== 'max' && kind !== 'avg' && kind !== 'lp') {
    throw new ValidationError('kind', 'PARAM.KIND', 'must be "max", "avg" or "lp"', kind);
  }
  const rank = resolveRank(raw, inputShape);
  const fn = `torch.nn.functional.${kind}_pool${rank}d`;
  checkKeys(raw, KEYS[kind], 'ADAPT.TORCH', fn);
  const shape = inputShape === undefined ? undefined : checkInputShape(inputShape, 'inputShape', rank + 2);

  if (raw.kernel_size === undefined) throw new ValidationError('kernel_size', 'ADAPT.TORCH', `is required by ${fn}`, undefined);
  const kernel = expandIntOrTuple(raw.kernel_size, 'kernel_size', 'PARAM.KERNEL', rank, 1, true);
  const stride = raw.stride;
  const strides = stride === undefined || stride === null || (Array.isArray(stride) && stride.length === 0)
    ? [...kernel]
    : expandIntOrTuple(stride, 'stride', 'PARAM.STRIDE', rank, 1, true);
  const padding = raw.padding ?? 0;
  const pad = expandIntOrTuple(padding, 'padding', 'PARAM.PADS', rank, 0, true);
  const dilations = raw.dilation === undefined ? ones(rank) : expandIntOrTuple(raw.dilation, 'dilation', 'PARAM.DILATION', rank, 1, true);
  const ceilMode = raw.ceil_mode === undefined ? false : checkBool(raw.ceil_mode, 'ceil_mode');

  pad.forEach((p, i) => {
    const k = kernel[i]!;
    const limit = Math.floor(k / 2);
    if (p > limit) {
      const field = typeof padding === 'number' ? 'padding' : (padding as readonly number[]).length === 1 ? 'padding[0]' : `padding[${i}]`;
      const dilated = dilations[i]! > 1 ? ' (dilation not counted)' : '';
      throw new ValidationError(field, 'ADAPT.TORCH', `must be at most ${limit}, half the kernel ${k}${dilated}; ${fn} rejects larger padding`, p);
    }
  });

  const spec: PoolSpec = {
    kind,
    kernel,
    strides,
    dilations,
    pads: [...pad, ...pad],
    ceilMode,
    countIncludePad: false,
  };

  if (kind === 'avg') {
    spec.countIncludePad = raw.count_include_pad === undefined ? true : checkBool(raw.count_include_pad, 'count_include_pad');
    const div = raw.divisor_override;
    if (div !== undefined && div !== null) {
      if (rank === 1) throw new ValidationError('divisor_override', 'ADAPT.TORCH', 'is not a parameter of avg_pool1d (only avg_pool2d and avg_pool3d)', div);
      if (typeof div !== 'number' || !Number.isInteger(div)) {
        throw new ValidationError('divisor_override', 'ADAPT.TORCH', `must be an integer (Optional[int] in ${fn})`, div);
      }
      if (div === 0) throw new ValidationError('divisor_override', 'AVG.OVERRIDE', 'must be non-zero', div);
      spec.divisorOverride = div;
    }
  }
  if (kind === 'lp') {
    if (raw.norm_type === undefined) throw new ValidationError('norm_type', 'ADAPT.TORCH', `is required by ${fn}`, undefined);
    spec.p = checkP(raw.norm_type, 'norm_type');
  }

  // avg_pool3d (and lp_pool3d, which calls it) rejects an input smaller than the kernel, padding notwithstanding.
  if (shape !== undefined && rank === 3 && kind !== 'max') {
    shape.slice(2).forEach((size, i) => {
      if (size < kernel[i]!) {
        throw new ValidationError(`inputShape[${i + 2}]`, 'ADAPT.TORCH',
          `must be at least the kernel ${kernel[i]} (${kind}_pool3d rejects an input smaller than the kernel)`, size);
      }
    });
  }

  validateSpec(spec);
  return { spec, layout: 'channels_first' };
}
