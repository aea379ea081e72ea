/**
 * Named edge cases (the XNNPACK habit: the name says which edge): deterministic geometries that every backend
 * must get right. The one grid of the project: the conformance suite checks each, forward and backward, against
 * the reference with every kind and both layouts and the case's own avg flags; the own backends' tests (im2col,
 * wasm) run their window geometry (`windowGeometry`) with their own kind variants and value sets. Many rows are
 * 17–25 wide so that the wasm width kernels run pairs, single vectors and scalar borders and tails.
 */
import type { PoolSpec } from '../contract.js';

export interface EdgeCase {
  readonly name: string;
  readonly spec: Omit<PoolSpec, 'kind'>;
  /** Spatial extents of the input (each suite adds its own N and C). */
  readonly spatial: readonly number[];
}

/** The window alone, without the avg flags: for grids that take the kind and its flags from their own variants. */
export type WindowGeometry = Pick<PoolSpec, 'kernel' | 'strides' | 'dilations' | 'pads' | 'ceilMode'>;

export function windowGeometry(ec: EdgeCase): WindowGeometry {
  const { kernel, strides, dilations, pads, ceilMode } = ec.spec;
  return { kernel, strides, dilations, pads, ceilMode };
}

const ones = (d: number): number[] => new Array<number>(d).fill(1);
const zeros = (d: number): number[] => new Array<number>(d).fill(0);
function geo(kernel: number[], strides: number[], pads: number[], extra: Partial<PoolSpec> = {}): Omit<PoolSpec, 'kind'> {
  return { kernel, strides, dilations: ones(kernel.length), pads, ceilMode: false, countIncludePad: false, ...extra };
}

export const EDGE_CASES: readonly EdgeCase[] = [
  // The two first are taken by position in kernels/wasm/wasm.test.ts (SIMD block sizes, lanes): keep them first.
  { name: 'k3 s1 p1', spec: geo([3, 3], [1, 1], [1, 1, 1, 1]), spatial: [3, 18] },
  { name: 'k3 s2 p1 (ResNet stem)', spec: geo([3, 3], [2, 2], [1, 1, 1, 1]), spatial: [3, 19] },
  { name: '1×1 window, stride 1 (identity)', spec: geo([1, 1], [1, 1], zeros(4)), spatial: [3, 9] },
  { name: '1×1 window, stride 2, ceil', spec: geo([1, 1], [2, 2], zeros(4), { ceilMode: true }), spatial: [5, 4] },
  { name: 'window = input (global)', spec: geo([4, 5], [1, 1], zeros(4)), spatial: [4, 5] },
  { name: 'window = input (global), plane < 8', spec: geo([2, 3], [1, 1], zeros(4)), spatial: [2, 3] },
  { name: 'window = padded input (one window)', spec: geo([4, 3], [2, 2], [1, 0, 0, 1]), spatial: [3, 2] },
  { name: 'stride > window (gaps)', spec: geo([2, 2], [3, 4], zeros(4)), spatial: [7, 19] },
  { name: 'stride 3 = window', spec: geo([3, 3], [3, 3], zeros(4)), spatial: [7, 20] },
  { name: 'kernel = stride (tiling), odd remainder dropped', spec: geo([2, 2], [2, 2], zeros(4)), spatial: [5, 19] },
  { name: 'ceil: last window partial', spec: geo([3, 3], [2, 2], [0, 1, 0, 1], { ceilMode: true }), spatial: [5, 18] },
  { name: 'ceil: last window would start in the end padding (dropped)', spec: geo([2, 2], [2, 2], [1, 1, 1, 1], { ceilMode: true }), spatial: [5, 17] },
  { name: 'ceil + count_include_pad: overhang not counted', spec: geo([3, 3], [2, 2], [1, 1, 1, 1], { ceilMode: true, countIncludePad: true }), spatial: [4, 4] },
  { name: 'asymmetric pads (begin ≠ end)', spec: geo([3, 3], [1, 2], [0, 2, 2, 1]), spatial: [4, 17] },
  { name: 'asymmetric pads, count_include_pad', spec: geo([3, 2], [2, 1], [2, 0, 0, 1], { countIncludePad: true }), spatial: [5, 4] },
  { name: 'pads = window − 1', spec: geo([3, 3], [1, 1], [2, 2, 2, 2]), spatial: [4, 9] },
  { name: 'dilation 2 with padding', spec: { ...geo([3, 2], [1, 2], [2, 1, 2, 1]), dilations: [2, 3] }, spatial: [6, 7] },
  { name: 'stride 1, dilation 2', spec: { ...geo([2, 3], [1, 1], [0, 1, 0, 1]), dilations: [1, 2] }, spatial: [3, 17] },
  { name: 'stride 2, dilation 2, ceil', spec: { ...geo([2, 3], [2, 2], [1, 1, 0, 0], { ceilMode: true }), dilations: [2, 2] }, spatial: [5, 21] },
  { name: 'divisor override', spec: geo([2, 2], [1, 1], [1, 1, 0, 0], { divisorOverride: 3 }), spatial: [3, 3] },
  { name: 'rank 1', spec: geo([3], [1], [1, 1]), spatial: [23] },
  { name: 'rank 1, pads ≥ window − 1', spec: geo([3], [1], [2, 2]), spatial: [4] },
  { name: 'rank 1, stride 2, dilation 2, ceil', spec: { ...geo([3], [2], [2, 1], { ceilMode: true }), dilations: [2] }, spatial: [25] },
  { name: 'rank 1, single element', spec: geo([1], [1], [0, 0]), spatial: [1] },
  { name: 'rank 1, global', spec: geo([13], [1], [0, 0]), spatial: [13] },
  { name: 'rank 3 (C3D 2×2×2)', spec: geo([2, 2, 2], [2, 2, 2], zeros(6)), spatial: [4, 4, 4] },
  { name: 'rank 3, dilation and padding', spec: { ...geo([2, 2, 3], [1, 2, 1], [1, 0, 1, 0, 1, 1]), dilations: [1, 1, 2] }, spatial: [3, 4, 13] },
  { name: 'rank 3, ceil, stride 2', spec: geo([2, 3, 2], [2, 1, 2], [0, 1, 1, 0, 1, 0], { ceilMode: true }), spatial: [4, 3, 14] },
  { name: 'rank 3 ceil with dilation', spec: { ...geo([2, 2, 2], [2, 1, 2], [0, 1, 0, 1, 0, 1], { ceilMode: true }), dilations: [1, 2, 1] }, spatial: [3, 4, 5] },
  { name: 'rank 3, global', spec: geo([2, 3, 4], [1, 1, 1], zeros(6)), spatial: [2, 3, 4] },
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
