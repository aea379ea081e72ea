/**
 * `poolspec bench --backends wasm,dist/kernels/peers/variants/onnxruntime-1t.js`: native ONNX Runtime with one
 * intra-op thread, the thread-matched peer of the single-threaded `wasm` backend (the registry's `onnxruntime`
 * runs two, the thread count of `wasm-threads`). Same models and session options otherwise.
 */
import { createOrtBackend } from '../onnxruntime.js';

export default () => createOrtBackend({ threads: 1 });
