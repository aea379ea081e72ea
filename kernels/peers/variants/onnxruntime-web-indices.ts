/** `poolspec verify --backend dist/kernels/peers/variants/onnxruntime-web-indices.js --policy maxNan=first-only`: ORT Web's MaxPool with its Indices output, indices checked. */
import { createOrtWebBackend } from '../onnxruntime-web.js';

export default () => createOrtWebBackend({ indices: true });
