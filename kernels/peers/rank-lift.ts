/**
 * Rank-1 pooling as rank-2 with a unit axis, for libraries that pool 2-D and 3-D only (tfjs-core): the 1-D case
 * over W becomes a 2-D case over (1, W) with kernel, stride and dilation 1 and no padding on the new leading
 * spatial axis. That axis has one input and one output position and every window holds its single tap, so the
 * values, the avg divisors (AVG.DIVISOR: a factor 1) and SHAPE.CEIL's extents are the 1-D case's.
 *
 * Inserting a unit axis moves no element: the data is shared as is, only shapes change. Plane indices agree too
 * (MAX.INDEX): the 2-D plane index of input position (0, w) is 0·W + w = w.
 */
import type { Layout, PoolSpec, Tensor } from '../../spec/contract.js';

/** Whether a spec is rank 1 (the one rank lifted). */
export function isRank1(spec: PoolSpec): boolean {
  return spec.kernel.length === 1;
}

/** The rank-2 spec of a rank-1 one: a unit axis first, pads in ONNX order [0, b, 0, e]. */
export function liftSpec(spec: PoolSpec): PoolSpec {
  return {
    ...spec,
    kernel: [1, spec.kernel[0]!],
    strides: [1, spec.strides[0]!],
    dilations: [1, spec.dilations[0]!],
    pads: [0, spec.pads[0]!, 0, spec.pads[1]!],
  };
}

/** [N, C, W] → [N, C, 1, W]; channels_last [N, W, C] → [N, 1, W, C]. Other ranks unchanged. */
export function liftShape(shape: readonly number[], layout: Layout = 'channels_first'): number[] {
  if (shape.length !== 3) return [...shape];
  const [n, a, b] = shape as [number, number, number];
  return layout === 'channels_first' ? [n, a, 1, b] : [n, 1, a, b];
}

/** The inverse of liftShape for an output or gradient shape: the unit axis removed. */
export function dropUnitAxis(shape: readonly number[], layout: Layout = 'channels_first'): number[] {
  const at = layout === 'channels_first' ? 2 : 1;
  if (shape.length !== 4 || shape[at] !== 1) throw new RangeError(`rank-lift: [${shape.join(', ')}] has no unit axis at ${at}`);
  return shape.filter((_, i) => i !== at);
}

/** The tensor with its shape lifted; the data is shared. */
export function liftTensor(t: Tensor): Tensor {
  return { ...t, shape: liftShape(t.shape, t.layout) };
}
