/**
 * Named edge cases (the XNNPACK habit: the name says which edge): deterministic geometries that every backend
 * must get right, checked forward and backward against the reference by the conformance suite. Each is
 * combined with every kind and both layouts there.
 */
import type { PoolSpec } from '../contract.js';

export interface EdgeCase {
  readonly name: string;
  readonly spec: Omit<PoolSpec, 'kind'>;
  /** Spatial extents of the input (N = 2, C = 3 are added by the suite). */
  readonly spatial: readonly number[];
}

const ones = (d: number): number[] => new Array<number>(d).fill(1);
const zeros = (d: number): number[] => new Array<number>(d).fill(0);
function geo(kernel: number[], strides: number[], pads: number[], extra: Partial<PoolSpec> = {}): Omit<PoolSpec, 'kind'> {
  return { kernel, strides, dilations: ones(kernel.length), pads, ceilMode: false, countIncludePad: false, ...extra };
}

export const EDGE_CASES: readonly EdgeCase[] = [
  { name: '1x1 window, stride 1 (identity)', spec: geo([1, 1], [1, 1], zeros(4)), spatial: [3, 4] },
  { name: 'window = input (global)', spec: geo([3, 5], [1, 1], zeros(4)), spatial: [3, 5] },
  { name: 'window = padded input', spec: geo([4, 4], [1, 1], [1, 0, 0, 1]), spatial: [3, 3] },
  { name: 'stride > window (gaps)', spec: geo([2, 1], [3, 4], zeros(4)), spatial: [8, 9] },
  { name: 'kernel = stride (tiling), odd remainder dropped', spec: geo([2, 2], [2, 2], zeros(4)), spatial: [5, 7] },
  { name: 'ceil: last window partial', spec: geo([2, 2], [2, 2], zeros(4), { ceilMode: true }), spatial: [5, 7] },
  { name: 'ceil: last window would start in the end padding (dropped)', spec: geo([3, 3], [3, 3], [1, 1, 1, 1], { ceilMode: true }), spatial: [5, 5] },
  { name: 'ceil + count_include_pad: overhang not counted', spec: geo([3, 3], [2, 2], [1, 1, 1, 1], { ceilMode: true, countIncludePad: true }), spatial: [4, 4] },
  { name: 'asymmetric pads (begin ≠ end)', spec: geo([3, 2], [2, 1], [2, 0, 0, 1], { countIncludePad: true }), spatial: [5, 4] },
  { name: 'dilation 2 with padding', spec: { ...geo([3, 2], [1, 2], [2, 1, 2, 1]), dilations: [2, 3] }, spatial: [6, 7] },
  { name: 'ResNet stem shape (k3 s2 p1), small', spec: geo([3, 3], [2, 2], [1, 1, 1, 1]), spatial: [8, 8] },
  { name: 'rank 1, pads ≥ window − 1', spec: geo([3], [1], [2, 2]), spatial: [4] },
  { name: 'rank 3 (C3D 2×2×2)', spec: geo([2, 2, 2], [2, 2, 2], zeros(6)), spatial: [4, 4, 4] },
  { name: 'rank 3 ceil with dilation', spec: { ...geo([2, 2, 2], [2, 1, 2], [0, 1, 0, 1, 0, 1], { ceilMode: true }), dilations: [1, 2, 1] }, spatial: [3, 4, 5] },
  { name: 'divisor override', spec: geo([2, 2], [1, 1], [1, 1, 0, 0], { divisorOverride: 3 }), spatial: [3, 3] },
];

/**
 * Deterministic data with ties, zeros of both signs and a sprinkle of specials: element i of a tensor.
 * Small integers make ties common (MAX.TIES); every 11th is −0, every 13th NaN, every 17th −∞ when `special`.
 */
export function edgeValue(i: number, special: boolean): number {
  if (special && i % 13 === 7) return NaN;
  if (special && i % 17 === 5) return -Infinity;
  if (i % 11 === 3) return -0;
  return ((i * 7) % 9) - 4;
}
