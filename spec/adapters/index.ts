/**
 * Framework adapters: each framework's pooling conventions converted into the canonical PoolSpec
 * (spec/contract.ts) plus the layout its input is read in. CONVENTIONS.md lists the defaults per framework
 * and the divergences the adapters cannot express.
 */
export type { AdapterResult, AdapterRule } from './common.js';
export { autoPads, globalPoolSpec, type AutoPadMode } from './autopad.js';
export { fromTorch, type TorchPoolKind, type TorchIntOrTuple, type TorchPoolParams } from './torch.js';
export { fromOnnx, type OnnxPoolOp, type OnnxAutoPad, type OnnxPoolAttributes } from './onnx.js';
export {
  fromKeras, type KerasLayer, type KerasPoolingLayer, type KerasGlobalPoolingLayer, type KerasDataFormat,
  type KerasPoolingConfig,
} from './keras.js';
export {
  fromTfjs, type TfjsPoolOp, type TfjsPad, type TfjsExplicitPadding, type TfjsRoundingMode, type TfjsPoolArgs,
} from './tfjs.js';
