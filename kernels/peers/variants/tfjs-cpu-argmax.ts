/** `poolspec verify --backend dist/kernels/peers/variants/tfjs-cpu-argmax.js --policy maxNan=ignore`: tfjs-cpu max through tf.maxPoolWithArgmax, indices checked. */
import { createTfjsBackend } from '../tfjs.js';

export default () => createTfjsBackend('cpu', { argmax: true });
