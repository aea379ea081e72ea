/**
 * ONNX Runtime Web as a peer backend: `onnxruntime-web` (the npm package onnxruntime-web, its `wasm` execution
 * provider: ORT's CPU kernels compiled to WebAssembly, the build a browser page loads), run in Node.
 *
 * The models are kernels/peers/onnx-session.ts's one-node models (MaxPool with or without Indices, AveragePool,
 * LpPool), and a global case (one window over the whole unpadded input) runs GlobalMaxPool / GlobalAveragePool /
 * GlobalLpPool, the ops exporters emit for it.
 *
 * Settings, all process-wide (`ort.env.wasm`, read once, when the first session initialises the runtime):
 * - `import('onnxruntime-web')` in Node resolves (package exports, condition "node") to its Node build, which
 *   finds its `.wasm`/`.mjs` files beside itself: no `wasmPaths` needed. Version 1.30 ships the SIMD build only
 *   (ort-wasm-simd-threaded.wasm); `env.wasm.simd` is left at its default (SIMD required, checked at init).
 * - `env.wasm.numThreads = 1`. Left unset, ORT picks min(4, ⌈cores / 2⌉) in Node (a worker_threads pool when
 *   above 1; 1 on a 2-core machine) and 1 in a browser page that is not cross-origin isolated, which is most pages.
 *   One thread is what most browser users get, and what poolspec's `wasm-1t` and tfjs-wasm (threads off in Node)
 *   use, so that comparison is kernel against kernel (`wasm` splits large calls over two threads, as native
 *   `onnxruntime` runs two). `env.wasm.proxy` stays false (no worker proxy in Node).
 * - Session options: `graphOptimizationLevel: 'basic'`, as for onnxruntime-node (no layout rewrite of one pool).
 */
import type { PoolSpec } from '../../spec/contract.js';
import { FORWARD_ONLY, importPeer } from './common.js';
import { ONNX_PROTO_VERSION, createOnnxSessionBackend, type OnnxProto, type OnnxSessionBackend, type OrtRuntime } from './onnx-session.js';

export const ORT_WEB_VERSION = '1.30.0';

/** The wasm threads used (ort.env.wasm.numThreads; see the header). */
export const ORT_WEB_WASM_THREADS = 1;

export const ORT_WEB_SESSION_OPTIONS = Object.freeze({
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'basic',
  executionMode: 'sequential',
  logSeverityLevel: 3,
});

/** The slice of onnxruntime-web's `env` set here. */
export interface OrtWebEnv {
  logLevel?: string;
  wasm: { numThreads?: number; proxy?: boolean };
  versions?: Record<string, string>;
}
export type OrtWebRuntime = OrtRuntime & { env: OrtWebEnv };

export interface OrtWebOptions {
  /** Ask the model for MaxPool's `Indices` output and return plane indices (default false: inference path). */
  indices?: boolean;
  /** Sessions kept (least recently used evicted); default 64. */
  cacheSize?: number;
}

const TINY_SPEC: PoolSpec = { kind: 'max', kernel: [1], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };

/** Loads onnxruntime-web's Node build and fixes its wasm settings before the first session. */
async function loadOrtWeb(): Promise<OrtWebRuntime> {
  const ort = (await importPeer('onnxruntime-web', ORT_WEB_VERSION)) as OrtWebRuntime;
  ort.env.wasm.numThreads = ORT_WEB_WASM_THREADS;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  return ort;
}

export async function createOrtWebBackend(options: OrtWebOptions = {}): Promise<OnnxSessionBackend> {
  const runtime = await loadOrtWeb();
  const proto = (await importPeer('onnx-proto', ONNX_PROTO_VERSION)) as OnnxProto;
  const indices = options.indices ?? false;
  const backend = createOnnxSessionBackend({
    name: indices ? 'onnxruntime-web+indices' : 'onnxruntime-web',
    runtime,
    proto,
    sessionOptions: ORT_WEB_SESSION_OPTIONS,
    indices,
    cacheSize: options.cacheSize ?? 64,
    globalOps: true,
    backwardReason: `ONNX Runtime Web is ${FORWARD_ONLY}: it ships no pooling gradient kernels`,
  });
  // Initialise the wasm runtime now (its first session compiles the module), so that a package that is installed
  // but cannot run fails here, with its own error, rather than as a failed first case.
  await backend.forward(TINY_SPEC, { shape: [1, 1, 1], data: new Float32Array([1]) });
  return backend;
}
