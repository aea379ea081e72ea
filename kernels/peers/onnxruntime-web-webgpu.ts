/**
 * ONNX Runtime Web's WebGPU execution provider as a peer backend: `onnxruntime-web-webgpu`, run in Node on Dawn
 * (`onnxruntime-web/webgpu`, the build with the WebGPU EP, given the `navigator.gpu` of
 * kernels/peers/webgpu-navigator.ts: the GPU object poolspec's own `webgpu` backend uses).
 *
 * The models are kernels/peers/onnx-session.ts's one-node models (Global*Pool for global cases), with
 * `executionProviders: ['webgpu']`. ORT assigns a node the WebGPU EP has no kernel for to its CPU EP (wasm)
 * without saying so, so a case it runs is not proof of a WGSL kernel.
 *
 * Not usable in Node yet, measured in Node 20.20 with Dawn (`webgpu` 0.6.2) on this project's 2-core machines: the
 * first `run()` of a process takes minutes (165–220 s on an idle machine, SwiftShader and lavapipe alike, the
 * process mostly idle; 693 s on a loaded one), and a second session's first run then threw "Invalid argument"
 * from Dawn's GPUQueue.writeBuffer, called by ORT's asyncify build (ort-wasm-simd-threaded.asyncify.mjs) with a
 * view of its shared WebAssembly.Memory. So create() refuses with that reason (NODE_REFUSAL) unless
 * POOLSPEC_ORT_WEBGPU_NODE=1 asks to try anyway; then it makes the slow first run before the first case.
 */
import type { PoolSpec } from '../../spec/contract.js';
import { BackendError, FORWARD_ONLY, PeerUnavailableError, importPeer } from './common.js';
import { ONNX_PROTO_VERSION, createOnnxSessionBackend, type OnnxProto, type OnnxSessionBackend } from './onnx-session.js';
import { ORT_WEB_VERSION, type OrtWebRuntime } from './onnxruntime-web.js';

export const ORT_WEB_WEBGPU_SESSION_OPTIONS = Object.freeze({
  executionProviders: ['webgpu'],
  graphOptimizationLevel: 'basic',
  executionMode: 'sequential',
  logSeverityLevel: 3,
});

const TINY_SPEC: PoolSpec = { kind: 'max', kernel: [1], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };

async function loadOrtWebGpu(): Promise<OrtWebRuntime> {
  await (await import('./webgpu-navigator.js')).ensureNavigatorGpu();
  const specifier: string = 'onnxruntime-web/webgpu';
  let mod: { default?: unknown };
  try {
    mod = (await import(specifier)) as { default?: unknown };
  } catch (e) {
    throw new PeerUnavailableError('onnxruntime-web', ORT_WEB_VERSION, e);
  }
  const ort = (mod.default ?? mod) as OrtWebRuntime;
  ort.env.wasm.numThreads = 1; // the CPU EP's fallback nodes, as for onnxruntime-web
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

/** Why the peer is unavailable in Node (see the header). */
export const NODE_REFUSAL =
  "onnxruntime-web's WebGPU EP does not run usably in Node on Dawn (webgpu 0.6.2): a process's first run takes " +
  "3–11 minutes and a second session's run threw 'Invalid argument' in GPUQueue.writeBuffer (ORT's asyncify build " +
  'passes a view of its shared WebAssembly.Memory). Set POOLSPEC_ORT_WEBGPU_NODE=1 to try anyway; a headless ' +
  'Chromium run of this peer is not built yet';

export async function createOrtWebGpuBackend(options: { cacheSize?: number } = {}): Promise<OnnxSessionBackend> {
  if (process.env.POOLSPEC_ORT_WEBGPU_NODE !== '1') throw new BackendError('onnxruntime-web-webgpu', `unavailable: ${NODE_REFUSAL}`);
  const runtime = await loadOrtWebGpu();
  const proto = (await importPeer('onnx-proto', ONNX_PROTO_VERSION)) as OnnxProto;
  const backend = createOnnxSessionBackend({
    name: 'onnxruntime-web-webgpu',
    runtime,
    proto,
    sessionOptions: ORT_WEB_WEBGPU_SESSION_OPTIONS,
    indices: false,
    cacheSize: options.cacheSize ?? 64,
    globalOps: true,
    backwardReason: `ONNX Runtime Web is ${FORWARD_ONLY}: it ships no pooling gradient kernels`,
  });
  // The process's first WebGPU run (see the header), and a WebGPU EP that cannot start fails here.
  await backend.forward(TINY_SPEC, { shape: [1, 1, 1], data: new Float32Array([1]) });
  return backend;
}
