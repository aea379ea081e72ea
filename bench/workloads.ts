/**
 * Benchmark workloads named after real network layers (the XNNPACK habit): one list that the benchmark, the
 * reports and the tests iterate. Each is a spec, an input shape and a direction.
 *
 * IDs are stable: results files (bench/SCHEMA.md) and `poolspec compare` match on them, so a workload's spec,
 * shape and direction never change under an existing ID; a changed workload gets a new ID.
 *
 * Two lists:
 * - WORKLOADS: layers of real networks, forward and backward, batch 1 and a larger batch; every backward workload
 *   has the forward workload of the same case (spec, shape, layout) beside it, so that the bench samples the two
 *   together and reports the backward's cost as a multiple of the forward's (caseKey);
 * - SCALING_WORKLOADS: two small sweeps (time against input size, time against kernel size) that show how each
 *   backend's cost grows: a direct loop is O(k^d) per output, a separable one O(d·k).
 *
 * `quick` marks the workloads of `poolspec bench --quick` (the CI smoke run). The others are left out of it
 * because they are large (the naive backend takes hundreds of milliseconds per call), never because they
 * are unrunnable: every workload runs without --quick.
 */
import type { Layout, PoolSpec, ReducerPoolSpec, StatsPoolSpec } from '../spec/contract.js';
import { poolGeometry, product } from '../spec/geometry.js';

export interface Workload {
  /** Stable ID, used by --filter and in results. */
  readonly id: string;
  /** The layer it comes from, for readers. */
  readonly layer: string;
  readonly spec: PoolSpec;
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly direction: 'forward' | 'backward';
  /** Part of `--quick` (default false). */
  readonly quick?: boolean;
  /** Set on the scaling sweeps only: which axis is swept, the series it belongs to, and the swept value. */
  readonly sweep?: SweepPoint;
}

export interface SweepPoint {
  /** 'size': spatial extent S of an S×S input at a fixed kernel; 'kernel': kernel extent k at a fixed input. */
  readonly axis: 'size' | 'kernel';
  /** The curve this point belongs to (e.g. 'max'), one per pooling kind swept. */
  readonly series: string;
  readonly value: number;
}

function pool2d(kind: PoolSpec['kind'], k: number, s: number, p: number, countIncludePad = false): PoolSpec {
  return { kind, kernel: [k, k], strides: [s, s], dilations: [1, 1], pads: [p, p, p, p], ceilMode: false, countIncludePad };
}

const stem = pool2d('max', 3, 2, 1);
const vggMax = pool2d('max', 2, 2, 0);
const vggAvg = pool2d('avg', 2, 2, 0);
const globalAvg7 = pool2d('avg', 7, 1, 0);
const denseMax = pool2d('max', 3, 1, 1);
const denseAvg = pool2d('avg', 3, 1, 1);
/** torchvision's InceptionA branch_pool: F.avg_pool2d(x, 3, stride=1, padding=1), count_include_pad=True. */
const inceptionAvg = pool2d('avg', 3, 1, 1, true);
/** GoogLeNet (Inception v1) pool projection branch: max 3×3 s1 p1. */
const inceptionMax = pool2d('max', 3, 1, 1);
/** M5 audio CNN (Dai et al. 2017): MaxPool1d(4) after each conv. */
const audioMax: PoolSpec = { kind: 'max', kernel: [4], strides: [4], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
/** C3D (Tran et al. 2015) pool2..pool5: MaxPool3d 2×2×2 stride 2. */
const c3dMax: PoolSpec = {
  kind: 'max', kernel: [2, 2, 2], strides: [2, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false, countIncludePad: false,
};

/** Keras/TensorFlow InceptionV3 branch_pool: AveragePooling2D((3, 3), strides=(1, 1), padding='same'); TF's
 * average excludes the padding from the divisor. */
const kerasInceptionAvg = pool2d('avg', 3, 1, 1);
/** Lp pooling with p = 2 (L2 pooling) on the stem's window: the bench's only lp workloads. */
const stemL2: PoolSpec = { ...stem, kind: 'lp', p: 2 };

const cf: Layout = 'channels_first';

type Def = Omit<Workload, 'layout'> & { layout?: Layout };
const def = (w: Def): Workload => ({ layout: cf, ...w });

export const WORKLOADS: readonly Workload[] = [
  // The first eight are the original workloads; their IDs, specs and shapes stay as they are.
  def({ id: 'resnet50-stem-max', layer: 'ResNet-50 stem max pool (1×64×112×112, k3 s2 p1)', spec: stem, shape: [1, 64, 112, 112], direction: 'forward', quick: true }),
  def({ id: 'vgg16-pool2-max', layer: 'VGG-style k2 s2 max at 8×128×56×56 (pool2 channels, pool3 size)', spec: vggMax, shape: [8, 128, 56, 56], direction: 'forward' }),
  def({ id: 'vgg16-pool2-avg', layer: 'VGG-style k2 s2 as average at 8×128×56×56', spec: vggAvg, shape: [8, 128, 56, 56], direction: 'forward' }),
  def({ id: 'resnet-global-avg', layer: 'ResNet-18/34 global average pool (8×512×7×7)', spec: globalAvg7, shape: [8, 512, 7, 7], direction: 'forward', quick: true }),
  def({ id: 'dense-3x3-max', layer: 'large overlapping pool (16×64×128×128, k3 s1 p1) max', spec: denseMax, shape: [16, 64, 128, 128], direction: 'forward' }),
  def({ id: 'dense-3x3-avg', layer: 'large overlapping pool (16×64×128×128, k3 s1 p1) avg', spec: denseAvg, shape: [16, 64, 128, 128], direction: 'forward' }),
  def({ id: 'resnet50-stem-max-bwd', layer: 'ResNet-50 stem max pool backward (1×64×112×112)', spec: stem, shape: [1, 64, 112, 112], direction: 'backward', quick: true }),
  def({ id: 'vgg16-pool2-max-bwd', layer: 'VGG-style k2 s2 max backward at 8×128×56×56', spec: vggMax, shape: [8, 128, 56, 56], direction: 'backward' }),

  // ResNet-50 stem at a training batch.
  def({ id: 'resnet50-stem-max-b8', layer: 'ResNet-50 stem max pool (8×64×112×112, k3 s2 p1)', spec: stem, shape: [8, 64, 112, 112], direction: 'forward' }),
  def({ id: 'resnet50-stem-max-bwd-b8', layer: 'ResNet-50 stem max pool backward (8×64×112×112)', spec: stem, shape: [8, 64, 112, 112], direction: 'backward' }),

  // VGG-16's four k2 s2 max pools at their real sizes (pool5, 512×14², is pool4's kernel on a smaller plane).
  def({ id: 'vgg16-pool1-max-b1', layer: 'VGG-16 pool1 max (1×64×224×224, k2 s2)', spec: vggMax, shape: [1, 64, 224, 224], direction: 'forward', quick: true }),
  def({ id: 'vgg16-pool1-max-b8', layer: 'VGG-16 pool1 max (8×64×224×224, k2 s2)', spec: vggMax, shape: [8, 64, 224, 224], direction: 'forward' }),
  def({ id: 'vgg16-pool2-max-b1', layer: 'VGG-16 pool2 max (1×128×112×112, k2 s2)', spec: vggMax, shape: [1, 128, 112, 112], direction: 'forward' }),
  def({ id: 'vgg16-pool2-max-b8', layer: 'VGG-16 pool2 max (8×128×112×112, k2 s2)', spec: vggMax, shape: [8, 128, 112, 112], direction: 'forward' }),
  def({ id: 'vgg16-pool3-max-b1', layer: 'VGG-16 pool3 max (1×256×56×56, k2 s2)', spec: vggMax, shape: [1, 256, 56, 56], direction: 'forward' }),
  def({ id: 'vgg16-pool3-max-b8', layer: 'VGG-16 pool3 max (8×256×56×56, k2 s2)', spec: vggMax, shape: [8, 256, 56, 56], direction: 'forward' }),
  def({ id: 'vgg16-pool4-max-b1', layer: 'VGG-16 pool4 max (1×512×28×28, k2 s2)', spec: vggMax, shape: [1, 512, 28, 28], direction: 'forward', quick: true }),
  def({ id: 'vgg16-pool4-max-b8', layer: 'VGG-16 pool4 max (8×512×28×28, k2 s2)', spec: vggMax, shape: [8, 512, 28, 28], direction: 'forward' }),
  def({ id: 'vgg16-pool1-max-bwd-b1', layer: 'VGG-16 pool1 max backward (1×64×224×224)', spec: vggMax, shape: [1, 64, 224, 224], direction: 'backward' }),
  def({ id: 'vgg16-pool3-max-bwd-b8', layer: 'VGG-16 pool3 max backward (8×256×56×56)', spec: vggMax, shape: [8, 256, 56, 56], direction: 'backward' }),

  // Global average pools before the classifier.
  def({ id: 'resnet50-gap-b1', layer: 'ResNet-50 global average pool (1×2048×7×7)', spec: globalAvg7, shape: [1, 2048, 7, 7], direction: 'forward', quick: true }),
  def({ id: 'resnet50-gap-b32', layer: 'ResNet-50 global average pool (32×2048×7×7)', spec: globalAvg7, shape: [32, 2048, 7, 7], direction: 'forward' }),
  def({ id: 'mobilenetv2-gap-b1', layer: 'MobileNetV2 global average pool (1×1280×7×7)', spec: globalAvg7, shape: [1, 1280, 7, 7], direction: 'forward', quick: true }),
  def({ id: 'mobilenetv2-gap-b32', layer: 'MobileNetV2 global average pool (32×1280×7×7)', spec: globalAvg7, shape: [32, 1280, 7, 7], direction: 'forward' }),
  def({ id: 'resnet50-gap-bwd-b32', layer: 'ResNet-50 global average pool backward (32×2048×7×7)', spec: globalAvg7, shape: [32, 2048, 7, 7], direction: 'backward' }),

  // Inception-style 3×3 s1 p1 pools (output size = input size).
  def({ id: 'inception-v3-pool-avg-b1', layer: 'Inception-v3 InceptionA branch pool, avg 3×3 s1 p1 incl. pad (1×192×35×35)', spec: inceptionAvg, shape: [1, 192, 35, 35], direction: 'forward', quick: true }),
  def({ id: 'inception-v3-pool-avg-b8', layer: 'Inception-v3 InceptionA branch pool, avg 3×3 s1 p1 incl. pad (8×192×35×35)', spec: inceptionAvg, shape: [8, 192, 35, 35], direction: 'forward' }),
  def({ id: 'inception-v1-pool-max-b1', layer: 'GoogLeNet inception(3a) pool projection, max 3×3 s1 p1 (1×192×28×28)', spec: inceptionMax, shape: [1, 192, 28, 28], direction: 'forward', quick: true }),
  def({ id: 'inception-v3-pool-avg-bwd-b8', layer: 'Inception-v3 InceptionA branch pool backward (8×192×35×35)', spec: inceptionAvg, shape: [8, 192, 35, 35], direction: 'backward' }),

  // 1-D: raw-audio CNN.
  def({ id: 'audio-m5-pool1-max-b1', layer: 'M5 raw-audio CNN pool1, max k4 s4 (1×128×7981)', spec: audioMax, shape: [1, 128, 7981], direction: 'forward', quick: true }),
  def({ id: 'audio-m5-pool1-max-b16', layer: 'M5 raw-audio CNN pool1, max k4 s4 (16×128×7981)', spec: audioMax, shape: [16, 128, 7981], direction: 'forward' }),
  def({ id: 'audio-m5-pool1-max-bwd-b16', layer: 'M5 raw-audio CNN pool1 backward (16×128×7981)', spec: audioMax, shape: [16, 128, 7981], direction: 'backward' }),

  // 3-D: video CNN.
  def({ id: 'c3d-pool2-max-b1', layer: 'C3D pool2, max 2×2×2 s2 (1×128×16×56×56)', spec: c3dMax, shape: [1, 128, 16, 56, 56], direction: 'forward', quick: true }),
  def({ id: 'c3d-pool2-max-b4', layer: 'C3D pool2, max 2×2×2 s2 (4×128×16×56×56)', spec: c3dMax, shape: [4, 128, 16, 56, 56], direction: 'forward' }),
  def({ id: 'c3d-pool2-max-bwd-b1', layer: 'C3D pool2 backward (1×128×16×56×56)', spec: c3dMax, shape: [1, 128, 16, 56, 56], direction: 'backward' }),

  // The large overlapping pool at batch 1, and backward at batch 16 (the slowest workloads here).
  def({ id: 'dense-3x3-max-b1', layer: 'large overlapping pool (1×64×128×128, k3 s1 p1) max', spec: denseMax, shape: [1, 64, 128, 128], direction: 'forward', quick: true }),
  def({ id: 'dense-3x3-avg-b1', layer: 'large overlapping pool (1×64×128×128, k3 s1 p1) avg', spec: denseAvg, shape: [1, 64, 128, 128], direction: 'forward' }),
  def({ id: 'dense-3x3-max-bwd', layer: 'large overlapping pool backward (16×64×128×128, k3 s1 p1) max', spec: denseMax, shape: [16, 64, 128, 128], direction: 'backward' }),
  def({ id: 'dense-3x3-avg-bwd', layer: 'large overlapping pool backward (16×64×128×128, k3 s1 p1) avg', spec: denseAvg, shape: [16, 64, 128, 128], direction: 'backward' }),

  // channels_last, the layout of TensorFlow, Keras and tfjs models (a backend's channels_last kernels are its own).
  def({ id: 'resnet50-stem-max-nhwc', layer: 'ResNet-50 stem max pool in channels_last (1×112×112×64, k3 s2 p1)', spec: stem, shape: [1, 112, 112, 64], layout: 'channels_last', direction: 'forward' }),
  def({ id: 'inception-v3-keras-pool-avg-nhwc-b1', layer: "Keras InceptionV3 mixed-block branch_pool: AveragePooling2D 3×3 s1 'same', padding excluded (1×35×35×192)", spec: kerasInceptionAvg, shape: [1, 35, 35, 192], layout: 'channels_last', direction: 'forward' }),
  def({ id: 'inception-v3-keras-pool-avg-nhwc-b8', layer: 'Keras InceptionV3 branch_pool at a training batch (8×35×35×192, channels_last)', spec: kerasInceptionAvg, shape: [8, 35, 35, 192], layout: 'channels_last', direction: 'forward' }),
  def({ id: 'inception-v3-keras-pool-avg-nhwc-bwd-b8', layer: 'Keras InceptionV3 branch_pool backward (8×35×35×192, channels_last)', spec: kerasInceptionAvg, shape: [8, 35, 35, 192], layout: 'channels_last', direction: 'backward' }),
  // Lp pooling: L2 pooling (p = 2) at the ResNet-50 stem's position and shape.
  def({ id: 'resnet50-stem-lp2', layer: 'L2 pooling (p = 2) in place of the ResNet-50 stem max pool (1×64×112×112, k3 s2 p1)', spec: stemL2, shape: [1, 64, 112, 112], direction: 'forward' }),
  def({ id: 'resnet50-stem-lp2-bwd', layer: 'L2 pooling backward at the ResNet-50 stem (1×64×112×112)', spec: stemL2, shape: [1, 64, 112, 112], direction: 'backward' }),
];

/** 'same' padding for a stride-1 window of extent k: floor((k−1)/2) before, the rest after (output = input). */
function same2d(kind: PoolSpec['kind'], k: number): PoolSpec {
  const b = Math.floor((k - 1) / 2);
  const e = k - 1 - b;
  return { kind, kernel: [k, k], strides: [1, 1], dilations: [1, 1], pads: [b, b, e, e], ceilMode: false, countIncludePad: false };
}

/** Sweep sizes: S×S planes at k3 (input size axis) and k×k windows on 128×128 (kernel axis). */
export const SWEEP_SIZES: readonly number[] = [32, 64, 128, 256];
export const SWEEP_KERNELS: readonly number[] = [2, 3, 4, 5, 6, 7];
const SWEEP_CHANNELS = 16;
const SWEEP_PLANE = 128;

export const SCALING_WORKLOADS: readonly Workload[] = [
  ...SWEEP_SIZES.map((s) => def({
    id: `sweep-size-max-s${s}`, layer: `input-size sweep: max 3×3 s1 p1 on 1×${SWEEP_CHANNELS}×${s}×${s}`,
    spec: same2d('max', 3), shape: [1, SWEEP_CHANNELS, s, s], direction: 'forward', quick: true,
    sweep: { axis: 'size', series: 'max', value: s },
  })),
  ...(['max', 'avg'] as const).flatMap((kind) => SWEEP_KERNELS.map((k) => def({
    id: `sweep-kernel-${kind}-k${k}`, layer: `kernel-size sweep: ${kind} ${k}×${k} s1 'same' on 1×${SWEEP_CHANNELS}×${SWEEP_PLANE}×${SWEEP_PLANE}`,
    spec: same2d(kind, k), shape: [1, SWEEP_CHANNELS, SWEEP_PLANE, SWEEP_PLANE], direction: 'forward', quick: true,
    sweep: { axis: 'kernel', series: kind, value: k },
  }))),
];

/**
 * The research kinds (SPEC.md §11): run through a backend's optional `reducers` and `statistics` members by
 * bench/research.ts (`poolspec bench --research`), kept apart from ALL_WORKLOADS so that the results schema of
 * poolspec.bench/2 (PoolSpec workloads) is unchanged. A backend without the kind is reported unsupported.
 */
export interface ResearchWorkload {
  readonly id: string;
  /** The layer it comes from, for readers. */
  readonly layer: string;
  readonly spec: ReducerPoolSpec | StatsPoolSpec;
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly direction: 'forward' | 'backward';
}

function reducer2d(kind: string, k: number, s: number, p: number, params?: Record<string, number>): ReducerPoolSpec {
  return { kind, kernel: [k, k], strides: [s, s], dilations: [1, 1], pads: [p, p, p, p], ceilMode: false, ...(params ? { params } : {}) };
}

/** GeM (Radenović et al. 2018) replaces the global average pool of a retrieval ResNet-50; p = 3 as there. */
const gemGlobal7 = reducer2d('gem', 7, 1, 0, { p: 3 });
/** SoftPool (Stergiou et al. 2021) in place of the ResNet stem's max pool (k3 s2 p1). */
const softStem = reducer2d('softpool', 3, 2, 1);
/** LSE pooling (Pinheiro & Collobert 2015) as a global pool over a 14×14 map, r = 5. */
const lseGlobal14 = reducer2d('lse', 14, 1, 0, { r: 5 });
/** Median pooling as a 3×3 'same' filter (a denoising layer). */
const median3 = reducer2d('median', 3, 1, 1);
/** Mixed pooling (Yu et al. 2014) at a VGG k2 s2 position, λ = 0.5. */
const mixedK2 = reducer2d('mixed', 2, 2, 0, { lambda: 0.5 });
/** Stochastic pooling (Zeiler & Fergus 2013), training mode with their 3×3 s2 regions. */
const stochasticK3 = reducer2d('stochastic', 3, 2, 0, { training: 1, seed: 1 });
/** The same regions at test time: the probability-weighted average Σx²/Σx (STOCH.INFER). */
const stochasticK3Infer = reducer2d('stochastic', 3, 2, 0, { training: 0, seed: 1 });
const stats: StatsPoolSpec = { kind: 'stats' };

export const RESEARCH_WORKLOADS: readonly ResearchWorkload[] = [
  { id: 'gem-resnet50-final-b32', layer: 'GeM p = 3 on the ResNet-50 final feature map (32×2048×7×7, global)', spec: gemGlobal7, shape: [32, 2048, 7, 7], layout: cf, direction: 'forward' },
  { id: 'gem-resnet50-final-bwd-b32', layer: 'GeM p = 3 backward on the ResNet-50 final feature map (32×2048×7×7)', spec: gemGlobal7, shape: [32, 2048, 7, 7], layout: cf, direction: 'backward' },
  { id: 'softpool-resnet50-stem-b1', layer: 'SoftPool at the ResNet-50 stem (1×64×112×112, k3 s2 p1)', spec: softStem, shape: [1, 64, 112, 112], layout: cf, direction: 'forward' },
  { id: 'softpool-resnet50-stem-bwd-b1', layer: 'SoftPool backward at the ResNet-50 stem (1×64×112×112)', spec: softStem, shape: [1, 64, 112, 112], layout: cf, direction: 'backward' },
  { id: 'stats-xvector-b16', layer: 'x-vector statistics pooling (16×512×300 frames → 16×1024)', spec: stats, shape: [16, 512, 300], layout: cf, direction: 'forward' },
  { id: 'stats-xvector-bwd-b16', layer: 'x-vector statistics pooling backward (16×512×300)', spec: stats, shape: [16, 512, 300], layout: cf, direction: 'backward' },
  { id: 'lse-global-14-b8', layer: 'LSE r = 5 global pool over a ResNet conv4 map (8×256×14×14)', spec: lseGlobal14, shape: [8, 256, 14, 14], layout: cf, direction: 'forward' },
  { id: 'median-3x3-b1', layer: 'median 3×3 s1 p1 filter on a ResNet conv2 map (1×64×56×56)', spec: median3, shape: [1, 64, 56, 56], layout: cf, direction: 'forward' },
  { id: 'mixed-vgg-pool3-b1', layer: 'mixed λ = 0.5 k2 s2 at VGG-16 pool3 (1×256×56×56)', spec: mixedK2, shape: [1, 256, 56, 56], layout: cf, direction: 'forward' },
  { id: 'stochastic-cifar-k3s2-b8', layer: 'stochastic pooling, training, 3×3 s2 (Zeiler & Fergus CIFAR-10 layer 1, 8×64×32×32)', spec: stochasticK3, shape: [8, 64, 32, 32], layout: cf, direction: 'forward' },
  { id: 'stochastic-cifar-k3s2-bwd-b8', layer: 'stochastic pooling backward, training, 3×3 s2 (8×64×32×32)', spec: stochasticK3, shape: [8, 64, 32, 32], layout: cf, direction: 'backward' },
  { id: 'stochastic-cifar-k3s2-infer-b8', layer: 'stochastic pooling, inference Σx²/Σx, 3×3 s2 (8×64×32×32)', spec: stochasticK3Infer, shape: [8, 64, 32, 32], layout: cf, direction: 'forward' },
];

/** Every workload the runner knows: the layers, then the sweeps. IDs are unique across both. */
export const ALL_WORKLOADS: readonly Workload[] = [...WORKLOADS, ...SCALING_WORKLOADS];

/**
 * Bytes a kernel must move at least: input read and output written (forward: y, plus int32 indices for max;
 * backward: x and dy read, dx written). Effective GB/s = this / median time.
 */
export function workloadBytes(w: Pick<Workload, 'spec' | 'shape' | 'layout' | 'direction'>): number {
  const g = poolGeometry(w.spec, w.shape, w.layout);
  const inElems = product(w.shape);
  const outElems = product(g.outShape);
  if (w.direction === 'forward') return 4 * (inElems + outElems * (w.spec.kind === 'max' ? 2 : 1));
  return 4 * (2 * inElems + outElems);
}

/**
 * The case a workload runs (its spec, input shape and layout) as a key: equal for a backward workload and the
 * forward workload of the same layer, whatever the order of the spec's fields. The runner samples the workloads
 * of one case in the same rounds (bench/runner.ts samplingGroups), and backward ÷ forward pairs rows by it
 * (bench/summary.ts backwardOverForward).
 */
export function caseKey(w: Pick<Workload, 'spec' | 'shape' | 'layout'>): string {
  const spec = Object.fromEntries(Object.entries(w.spec).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify([spec, w.shape, w.layout]);
}

/** Output shape of a workload's forward pass (the shape of dy for backward). */
export function workloadOutShape(w: Pick<Workload, 'spec' | 'shape' | 'layout'>): number[] {
  return [...poolGeometry(w.spec, w.shape, w.layout).outShape];
}

/**
 * `--filter`: comma-separated patterns. A pattern with `*` is a glob over the whole ID; any other pattern is a
 * substring. A pattern starting with `!` excludes. With no including pattern, everything is included first.
 */
export function matchesFilter(id: string, patterns: readonly string[]): boolean {
  const test = (p: string): boolean => {
    if (!p.includes('*')) return id.includes(p);
    const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return re.test(id);
  };
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return (include.length === 0 || include.some(test)) && !exclude.some(test);
}
