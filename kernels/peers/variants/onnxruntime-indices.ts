/** `poolspec verify --backend dist/kernels/peers/variants/onnxruntime-indices.js --policy maxNan=first-only`: MaxPool with its Indices output, indices checked. */
import { createOrtBackend } from '../onnxruntime.js';

export default () => createOrtBackend({ indices: true });
