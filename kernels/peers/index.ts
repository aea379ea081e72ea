/**
 * The peer backends: what a user would pick instead of poolspec's own kernels, wrapped behind the same contract
 * so that `poolspec verify` checks them against the spec and the benchmark times them. They are optional
 * dependencies; `create()` rejects with a PeerUnavailableError naming the npm package when one is missing, and
 * only that backend is unavailable.
 *
 * Each entry carries the library's documented conventions where SPEC.md §6 allows alternatives (`policy`).
 * Spread PEER_BACKENDS into kernels/registry.ts's BUILTIN_BACKENDS; `peer: true` tells the project's own
 * conformance suite (which requires every property to pass) to leave them to test/peers.test.ts and the
 * ecosystem report (`poolspec report --ecosystem`, reports/results/ecosystem.md), where their deviations are
 * the point.
 */
import type { PoolingBackend } from '../../spec/contract.js';
import type { BackendEntry } from '../backend-entry.js';

export interface PeerEntry extends BackendEntry {
  /** A library that is not poolspec's: verified and reported, not required to pass. */
  readonly peer: true;
  /** The npm packages it needs (all optional dependencies). */
  readonly packages: readonly string[];
}

export const PEER_BACKENDS: readonly PeerEntry[] = [
  {
    name: 'tfjs-cpu',
    description: 'TensorFlow.js 4.22 CPU backend (plain JS kernels), NHWC; max and avg, 1-D (as 2-D), 2-D and 3-D',
    peer: true,
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs'],
    create: async () => (await import('./tfjs.js')).createTfjsBackend('cpu'),
    // tfjs CPU ignores NaN in max pooling (tensorflow/tfjs tfjs-core/src/ops/max_pool_test.ts "ignores NaNs";
    // pool_utils.ts `pixel > minMaxValue` from −∞) and keeps the first maximum. tf.maxPool returns no indices.
    policy: { maxNan: 'ignore', maxTies: 'first', indices: 'unchecked' },
  },
  {
    name: 'tfjs-wasm',
    description: 'TensorFlow.js 4.22 WebAssembly backend (XNNPACK, SIMD), NHWC; max and avg, 1-D (as 2-D), 2-D and 3-D',
    peer: true,
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs'],
    create: async () => (await import('./tfjs.js')).createTfjsBackend('wasm'),
    // No documented NaN convention: tfjs's own wasm test setup skips max_pool_test's "ignores NaNs"
    // ("Actual != expected", tensorflow/tfjs tfjs-backend-wasm/src/setup_test.ts), and XNNPACK's max-pool
    // microkernels reduce in a tree and clamp to [min, max] (google/XNNPACK src/f32-maxpool/maxpool.c.in).
    // So the spec's NaN default stays and the verifier reports what happens. No indices from tf.maxPool.
    policy: { indices: 'unchecked' },
  },
  {
    name: 'tfjs-webgpu',
    description: 'TensorFlow.js 4.22 WebGPU backend (WGSL) on the Dawn adapter of the webgpu backend, NHWC; max and avg, 2-D and 3-D',
    peer: true,
    packages: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs', 'webgpu'],
    create: async () => (await import('./tfjs.js')).createTfjsBackend('webgpu'),
    // No documented NaN convention (tfjs-backend-webgpu pool_webgpu.ts keeps a running `max(value, resultValue)`
    // from −1e20, and WGSL leaves max() of a NaN to the implementation): the spec's default stays and the verifier
    // reports what happens. Ties keep the spec's default (first): the forward's WGSL max() documents none, and the
    // gradient's positions (`if (value >= currMaxValue)`, the same file) take the last, which the verifier reports.
    // Subnormals may be flushed on a GPU (WGSL), as for poolspec's own webgpu backend. No indices from tf.maxPool.
    policy: { indices: 'unchecked', subnormals: 'flush' },
    platform: true,
  },
  {
    name: 'onnxruntime',
    description: 'ONNX Runtime 1.30 (onnxruntime-node, native CPU EP), one-node models built in memory; forward only',
    peer: true,
    packages: ['onnxruntime-node', 'onnx-proto'],
    create: async () => (await import('./onnxruntime.js')).createOrtBackend(),
    // ORT CPU's max loop updates on `x > best` from the first in-bounds tap (onnxruntime
    // core/providers/cpu/nn/pool_functors.h): only a leading NaN propagates. The inference graph has no Indices.
    policy: { maxNan: 'first-only', indices: 'unchecked' },
  },
  {
    name: 'onnxruntime-web',
    description: 'ONNX Runtime Web 1.30 (onnxruntime-web, wasm EP, SIMD, 1 thread) in Node, one-node models incl. Global*Pool; forward only',
    peer: true,
    packages: ['onnxruntime-web', 'onnx-proto'],
    create: async () => (await import('./onnxruntime-web.js')).createOrtWebBackend(),
    // The same CPU kernels as onnxruntime-node, compiled to wasm (onnxruntime core/providers/cpu/nn/pool_functors.h:
    // `x > best` from the first in-bounds tap), so the same documented convention. No Indices in the inference graph.
    policy: { maxNan: 'first-only', indices: 'unchecked' },
  },
  {
    name: 'onnxruntime-web-webgpu',
    description: 'ONNX Runtime Web 1.30 WebGPU EP in headless Chromium (its own WebGPU adapter), driven from Node; CPU fallback disabled, opset ≤ 21, no LpPool; forward only',
    peer: true,
    packages: ['onnxruntime-web', 'onnx-proto', 'playwright-core'],
    create: async () => (await import('./onnxruntime-web-webgpu.js')).createOrtWebGpuBackend(),
    // No documented NaN or tie convention for its WGSL pooling: the spec's defaults, and the verifier reports what
    // happens. Subnormals may be flushed on a GPU (WGSL). No Indices in the inference graph.
    policy: { indices: 'unchecked', subnormals: 'flush' },
    platform: true,
  },
];

/** A peer run through the library's index-returning op, so that its max indices can be checked (MAX.INDEX). */
export interface PeerIndexVariant {
  readonly name: string;
  /** The PEER_BACKENDS entry it is a variant of. */
  readonly of: string;
  /**
   * The compiled module that default-exports the variant's factory, which `poolspec verify --backend PATH`
   * accepts (the ecosystem report prints replay commands with it). Resolved from this module, so it holds in a
   * checkout's dist/ and in an installed package alike.
   */
  readonly module: URL;
  readonly policy: BackendEntry['policy'];
  create(): Promise<PoolingBackend>;
}

/** Used by the ecosystem report (reports/ecosystem.ts) to check max indices. */
export const PEER_INDEX_VARIANTS: readonly PeerIndexVariant[] = [
  {
    name: 'tfjs-cpu+argmax', of: 'tfjs-cpu', module: new URL('./variants/tfjs-cpu-argmax.js', import.meta.url),
    policy: { maxNan: 'ignore', maxTies: 'first', indices: 'plane' },
    create: async () => (await import('./variants/tfjs-cpu-argmax.js')).default(),
  },
  {
    name: 'tfjs-wasm+argmax', of: 'tfjs-wasm', module: new URL('./variants/tfjs-wasm-argmax.js', import.meta.url),
    policy: { indices: 'plane' },
    create: async () => (await import('./variants/tfjs-wasm-argmax.js')).default(),
  },
  {
    name: 'onnxruntime+indices', of: 'onnxruntime', module: new URL('./variants/onnxruntime-indices.js', import.meta.url),
    policy: { maxNan: 'first-only', indices: 'plane' },
    create: async () => (await import('./variants/onnxruntime-indices.js')).default(),
  },
  {
    name: 'onnxruntime-web+indices', of: 'onnxruntime-web', module: new URL('./variants/onnxruntime-web-indices.js', import.meta.url),
    policy: { maxNan: 'first-only', indices: 'plane' },
    create: async () => (await import('./variants/onnxruntime-web-indices.js')).default(),
  },
];

export { PeerUnavailableError } from './common.js';
export { FORWARD_ONLY } from '../../spec/extensions.js';
