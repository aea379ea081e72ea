/**
 * ONNX Runtime as a peer backend: `onnxruntime` (onnxruntime-node, the native CPU execution provider).
 *
 * Each case runs a one-node ONNX model built in memory (kernels/peers/onnx-session.ts: MaxPool-22, AveragePool-18
 * or -22, LpPool-22; what maps and what is declined, and the Indices variant, are described there). Sessions are
 * cached per (spec, input shape), with `graphOptimizationLevel: 'basic'` (the default 'all' rewrites single pools
 * into a blocked layout with two reorders) and 2 intra-op threads (1 with `threads: 1`).
 *
 * ORT is inference only: backward() rejects with a BackendError (FORWARD_ONLY) and `supportsBackward()` says so.
 */
import { FORWARD_ONLY, importPeer } from './common.js';
import { ONNX_PROTO_VERSION, createOnnxSessionBackend, type OnnxProto, type OnnxSessionBackend, type OrtRuntime } from './onnx-session.js';

export const ORT_VERSION = '1.30.0';
export { ONNX_PROTO_VERSION, buildModel, onnxNodeFor, type OnnxNode } from './onnx-session.js';

export interface OrtOptions {
  /** Ask the model for MaxPool's `Indices` output and return plane indices (default false: inference path). */
  indices?: boolean;
  /** Sessions kept (least recently used evicted); default 64. */
  cacheSize?: number;
  /**
   * Intra-op threads, 1 or 2 (default 2, ORT_SESSION_OPTIONS). With 1 the backend is named `onnxruntime-1t`: the
   * thread-matched peer of a single-threaded kernel (kernels/peers/variants/onnxruntime-1t.ts).
   */
  threads?: 1 | 2;
}

export const ORT_SESSION_OPTIONS = Object.freeze({
  graphOptimizationLevel: 'basic',
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  // Warnings only: ORT logs a shape-inference/kernel size disagreement as a warning per run; the verifier checks shapes.
  logSeverityLevel: 3,
});

export type OrtBackend = OnnxSessionBackend;

export async function createOrtBackend(options: OrtOptions = {}): Promise<OrtBackend> {
  const runtime = (await importPeer('onnxruntime-node', ORT_VERSION)) as OrtRuntime;
  const proto = (await importPeer('onnx-proto', ONNX_PROTO_VERSION)) as OnnxProto;
  const indices = options.indices ?? false;
  const threads = options.threads ?? ORT_SESSION_OPTIONS.intraOpNumThreads;
  return createOnnxSessionBackend({
    name: `onnxruntime${threads === 1 ? '-1t' : ''}${indices ? '+indices' : ''}`,
    runtime,
    proto,
    sessionOptions: { ...ORT_SESSION_OPTIONS, intraOpNumThreads: threads },
    indices,
    cacheSize: options.cacheSize ?? 64,
    backwardReason: `ONNX Runtime (onnxruntime-node) is ${FORWARD_ONLY}: it ships no pooling gradient kernels`,
  });
}
