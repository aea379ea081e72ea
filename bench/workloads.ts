/**
 * Benchmark workloads named after real network layers (the XNNPACK habit): one list that the benchmark, the
 * reports and the tests iterate. Each is a spec, an input shape and a direction.
 */
import type { Layout, PoolSpec } from '../kernels/contract.js';
import { poolGeometry, product } from '../kernels/geometry.js';

export interface Workload {
  /** Stable ID, used by --filter and in results. */
  readonly id: string;
  /** The layer it comes from, for readers. */
  readonly layer: string;
  readonly spec: PoolSpec;
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly direction: 'forward' | 'backward';
}

function pool2d(kind: PoolSpec['kind'], k: number, s: number, p: number): PoolSpec {
  return { kind, kernel: [k, k], strides: [s, s], dilations: [1, 1], pads: [p, p, p, p], ceilMode: false, countIncludePad: false };
}

const stem = pool2d('max', 3, 2, 1);
const vggMax = pool2d('max', 2, 2, 0);
const vggAvg = pool2d('avg', 2, 2, 0);
const globalAvg7 = pool2d('avg', 7, 1, 0);
const denseMax = pool2d('max', 3, 1, 1);
const denseAvg = pool2d('avg', 3, 1, 1);

const cf: Layout = 'channels_first';

export const WORKLOADS: readonly Workload[] = [
  { id: 'resnet50-stem-max', layer: 'ResNet-50 stem max pool (1×64×112×112, k3 s2 p1)', spec: stem, shape: [1, 64, 112, 112], layout: cf, direction: 'forward' },
  { id: 'vgg16-pool2-max', layer: 'VGG-16 pool2 max (8×128×56×56, k2 s2)', spec: vggMax, shape: [8, 128, 56, 56], layout: cf, direction: 'forward' },
  { id: 'vgg16-pool2-avg', layer: 'VGG-16 pool2 as average (8×128×56×56, k2 s2)', spec: vggAvg, shape: [8, 128, 56, 56], layout: cf, direction: 'forward' },
  { id: 'resnet-global-avg', layer: 'ResNet global average pool (8×512×7×7)', spec: globalAvg7, shape: [8, 512, 7, 7], layout: cf, direction: 'forward' },
  { id: 'dense-3x3-max', layer: 'large overlapping pool (16×64×128×128, k3 s1 p1) max', spec: denseMax, shape: [16, 64, 128, 128], layout: cf, direction: 'forward' },
  { id: 'dense-3x3-avg', layer: 'large overlapping pool (16×64×128×128, k3 s1 p1) avg', spec: denseAvg, shape: [16, 64, 128, 128], layout: cf, direction: 'forward' },
  { id: 'resnet50-stem-max-bwd', layer: 'ResNet-50 stem max pool backward', spec: stem, shape: [1, 64, 112, 112], layout: cf, direction: 'backward' },
  { id: 'vgg16-pool2-max-bwd', layer: 'VGG-16 pool2 max backward', spec: vggMax, shape: [8, 128, 56, 56], layout: cf, direction: 'backward' },
];

/**
 * Bytes a kernel must move at least: input read and output written (forward: y, plus int32 indices for max;
 * backward: x and dy read, dx written). Effective GB/s = this / median time.
 */
export function workloadBytes(w: Workload): number {
  const g = poolGeometry(w.spec, w.shape, w.layout);
  const inElems = product(w.shape);
  const outElems = product(g.outShape);
  if (w.direction === 'forward') return 4 * (inElems + outElems * (w.spec.kind === 'max' ? 2 : 1));
  return 4 * (2 * inElems + outElems);
}
