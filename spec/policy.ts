/**
 * Where frameworks legitimately differ, the spec names a default and these options name the alternatives
 * (SPEC.md §POLICY). The verifier can be told a backend's documented convention; the default is the spec.
 */
export interface Policy {
  /**
   * MAX.NAN. 'propagate' (default): a NaN in the window gives NaN, index of the first NaN in scan order.
   * 'ignore': NaN never wins (TensorFlow.js CPU); a window of only NaN gives −∞ at its first in-bounds tap.
   * 'first-only': only a NaN in the first in-bounds tap propagates (ONNX Runtime CPU's `x > y` scan).
   */
  maxNan: 'propagate' | 'ignore' | 'first-only';
  /** MAX.TIES. 'first' (default): the first maximum in scan order wins; 'last': the last (tfjs WebGL/WebGPU). */
  maxTies: 'first' | 'last';
  /** MAX.INDEX. 'plane' (default): indices are checked; 'unchecked': the backend returns none. */
  indices: 'plane' | 'unchecked';
  /**
   * POLICY.SUBNORMALS. 'preserve' (default): IEEE gradual underflow (ACC.MODEL). 'flush': the device may read a
   * subnormal input as zero and may return zero for a result below 2^-126, as WGSL and Vulkan allow;
   * the absolute terms of ACC.* grow accordingly (SPEC.md POLICY.SUBNORMALS). Max stays exact under both.
   */
  subnormals: 'preserve' | 'flush';
}

export const DEFAULT_POLICY: Readonly<Policy> = Object.freeze({ maxNan: 'propagate', maxTies: 'first', indices: 'plane', subnormals: 'preserve' });

export function resolvePolicy(p: Partial<Policy> | undefined): Policy {
  return { ...DEFAULT_POLICY, ...p };
}
