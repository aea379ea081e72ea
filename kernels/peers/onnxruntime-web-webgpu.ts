/**
 * ONNX Runtime Web's WebGPU execution provider as a peer backend: `onnxruntime-web-webgpu`.
 *
 * Where it runs: in headless Chromium (kernels/peers/chromium-ort.ts), on the browser's own WebGPU (SwiftShader
 * when there is no GPU), driven from Node. The models are kernels/peers/onnx-session.ts's one-node models
 * (Global*Pool for global cases), with `executionProviders: ['webgpu']`.
 *
 * Which kernels: ORT assigns a node the WebGPU EP has no kernel for to its CPU EP (wasm) without saying so, so a
 * case it runs is no proof of a WGSL kernel. The session therefore sets `session.disable_cpu_ep_fallback`, which
 * turns such a placement into a session error, and the peer declines what 1.30's WebGPU EP has no kernel for.
 * Measured in Chromium with that option (a probe over MaxPool, AveragePool, LpPool and the Global* ops at opsets
 * 18, 19, 21 and 22, 1-D to 3-D, dilated, ceil mode): MaxPool and GlobalMaxPool/GlobalAveragePool are registered
 * up to opset 21 only (at 22 the session fails: the node would go to the CPU EP), AveragePool at every opset
 * tried, LpPool and GlobalLpPool at none, and MaxPool with Indices fails at run time. So the models are capped
 * at opset 21 (`maxOpset`; MaxPool-22 adds only bfloat16, ONNX Operators.md), and lp is declined.
 *
 * In Node on Dawn (POOLSPEC_ORT_WEBGPU_NODE=1 only), measured in Node 20.20 with Dawn (`webgpu` 0.6.2) on this
 * project's 2-core machines: the first `run()` of a process takes minutes (165–220 s on an idle machine,
 * SwiftShader and lavapipe alike, the process mostly idle; 693 s on a loaded one), and a second session's first run
 * then threw "Invalid argument" from Dawn's GPUQueue.writeBuffer, called by ORT's asyncify build with a view of its
 * shared WebAssembly.Memory. That path uses `onnxruntime-web/webgpu` with the `navigator.gpu` of
 * kernels/peers/webgpu-navigator.ts and makes the slow first run before the first case.
 */
import type { PoolSpec } from '../../spec/contract.js';
import { launchChromiumOrt } from './chromium-ort.js';
import { FORWARD_ONLY, PeerUnavailableError, importPeer } from './common.js';
import { ONNX_PROTO_VERSION, createOnnxSessionBackend, type OnnxProto, type OnnxSessionBackend } from './onnx-session.js';
import { ORT_WEB_VERSION, type OrtWebRuntime } from './onnxruntime-web.js';

export const ORT_WEB_WEBGPU_SESSION_OPTIONS = Object.freeze({
  executionProviders: ['webgpu'],
  graphOptimizationLevel: 'basic',
  executionMode: 'sequential',
  logSeverityLevel: 3,
  // A node the WebGPU EP cannot take fails the session instead of running on the CPU EP (see the header).
  extra: { session: { disable_cpu_ep_fallback: '1' } },
});

/** MaxPool and Global{Max,Average}Pool have WebGPU kernels up to opset 21 in ORT 1.30 (see the header). */
export const ORT_WEB_WEBGPU_MAX_OPSET = 21;

/** Why a spec is declined on top of ORT's CPU limits (onnx-session.ts onnxUnsupportedReason). */
export function ortWebGpuReason(spec: PoolSpec): string | undefined {
  return spec.kind === 'lp'
    ? "ONNX Runtime Web 1.30's WebGPU EP has no LpPool or GlobalLpPool kernel (a session with CPU fallback disabled fails)"
    : undefined;
}

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

export async function createOrtWebGpuBackend(options: { cacheSize?: number } = {}): Promise<OnnxSessionBackend> {
  const inNode = process.env.POOLSPEC_ORT_WEBGPU_NODE === '1';
  const chromium = inNode ? undefined : await launchChromiumOrt('onnxruntime-web-webgpu', ORT_WEB_VERSION);
  try {
    const runtime = chromium ?? await loadOrtWebGpu();
    const proto = (await importPeer('onnx-proto', ONNX_PROTO_VERSION)) as OnnxProto;
    const backend = createOnnxSessionBackend({
      name: 'onnxruntime-web-webgpu',
      runtime,
      proto,
      sessionOptions: ORT_WEB_WEBGPU_SESSION_OPTIONS,
      indices: false,
      cacheSize: options.cacheSize ?? 64,
      globalOps: true,
      maxOpset: ORT_WEB_WEBGPU_MAX_OPSET,
      extraReason: ortWebGpuReason,
      backwardReason: `ONNX Runtime Web is ${FORWARD_ONLY}: it ships no pooling gradient kernels`,
    });
    // The first WebGPU run (slow in Node, see the header); a WebGPU EP that cannot start fails here.
    await backend.forward(TINY_SPEC, { shape: [1, 1, 1], data: new Float32Array([1]) });
    if (!chromium) return backend;
    const release = backend.dispose?.bind(backend);
    return Object.assign(backend, {
      async dispose() {
        await release?.();
        await chromium.close();
      },
    });
  } catch (e) {
    await chromium?.close();
    throw e;
  }
}
