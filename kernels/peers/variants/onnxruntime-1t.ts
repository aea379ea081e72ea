/**
 * `poolspec bench --backends wasm-1t,dist/kernels/peers/variants/onnxruntime-1t.js`: native ONNX Runtime with one
 * intra-op thread, the thread-matched peer of `wasm-1t` (the registry's `onnxruntime` runs two, as `wasm` does on
 * large calls). Same models and session options otherwise.
 */
import { createOrtBackend } from '../onnxruntime.js';

export default () => createOrtBackend({ threads: 1 });
