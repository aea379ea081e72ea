/** `poolspec verify --backend dist/kernels/peers/variants/tfjs-wasm-argmax.js`: tfjs-wasm max through tf.maxPoolWithArgmax, indices checked. */
import { createTfjsBackend } from '../tfjs.js';

export default () => createTfjsBackend('wasm', { argmax: true });
