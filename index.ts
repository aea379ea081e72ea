/**
 * poolspec's public entry: the backend contract, the spec's reference and validation, the framework
 * adapters, the arbitraries and properties, the verifier, and the built-in backends.
 */
export * from './spec/contract.js';
export {
  avgDivisor, axisWindow, effectiveKernel, outputSize, poolGeometry, type AxisGeometry, type AxisWindow, type PoolGeometry,
} from './spec/geometry.js';
export { BUILTIN_BACKENDS, findBuiltin, type BackendEntry } from './kernels/registry.js';
export { createNaiveBackend } from './kernels/naive/index.js';
export { createIm2colBackend, type Im2colOptions } from './kernels/im2col/index.js';
export {
  createWebGpuBackend, WEBGPU_POLICY, WebGpuDeviceError, WebGpuUnavailableError,
  type WebGpuBackend, type WebGpuBackendOptions, type WebGpuStats, type AdapterSummary,
} from './kernels/webgpu/index.js';
export { nodeGpu } from './kernels/webgpu/node.js';

export { BackendError, PoolspecError, ValidationError } from './spec/errors.js';
export { validateBackward, validateForward, validateSpec, validateTensor, validationProblem } from './spec/validate.js';
export { DEFAULT_POLICY, type Policy } from './spec/policy.js';
export { accepts, describeAcceptance, gamma, type Acceptance } from './spec/interval.js';
export { referenceForward, type ReferenceForward } from './spec/reference/forward.js';
export { referenceBackward, type ReferenceBackward } from './spec/reference/backward.js';
export { referenceStructuredForward, referenceStructuredBackward, type StructuredReference } from './spec/reference/structured.js';
export { validateStructuredForward, validateStructuredBackward } from './spec/validate-structured.js';
export { adaptiveWindow, roiBin, roiBox, structuredGather, unpoolOutputSpatial, type Gather } from './spec/structured-geometry.js';
export { onnxToPlane, planeToOnnx, planeToTf, tfToPlane, type PlaneIndex } from './spec/indices.js';
export { structuredCaseArbitrary, type StructuredCase } from './spec/arbitraries/structured.js';
export * from './spec/adapters/index.js';

export { poolCaseArbitrary, gradCaseArbitrary, type PoolCase, type GradCase, type CaseConstraints } from './spec/arbitraries/case.js';
export { specCaseArbitrary, type SpecCase, type SpecConstraints } from './spec/arbitraries/spec.js';
export { valueArbitrary, float32Data, specialValues, type ValueProfile } from './spec/arbitraries/values.js';
export { PROPERTIES, findProperty, type AnyProperty, type Property, type Verdict } from './spec/properties/index.js';
export {
  verifyBackend, runProperty, userReducerProperties, type BackendOutcome, type PropertyOutcome, type VerifyOptions, type Status,
} from './spec/verifier.js';

// Research kinds and user-defined reducers (SPEC.md §11).
export type {
  HP, HPMath, ReducerDeclaration, ReducerErrorModel, ReducerParameter, ReducerTraits, WindowContext, GradientContext,
} from './spec/reducer.js';
export { BUILTIN_REDUCERS, GEM, LSE, MEDIAN, MIXED, SOFTPOOL, builtinReducer } from './spec/reducers/index.js';
export { validateReducerSpec, validateReducerForward, validateReducerBackward, reducerValidationProblem } from './spec/validate-reducer.js';
export { referenceReducerForward, referenceReducerGradient, reducerAcceptance, type ReducerReference } from './spec/reference/reducer.js';
export { HP_MATH } from './spec/reference/hpmath.js';
export { reducerCaseArbitrary, type ReducerCase, type ReducerProfile } from './spec/arbitraries/reducer.js';
export { reducerProperties } from './spec/properties/reducer.js';
export { isReducing, isStatistical } from './spec/extensions.js';
// Stochastic pooling (STOCH.*) and statistics pooling (STATS.*).
export { STOCHASTIC, MAX_SEED, stochasticPosition, uniformBits } from './spec/reducers/stochastic.js';
export { referenceStochasticSelection, referenceStochasticGradient, type StochasticSelection } from './spec/reference/stochastic.js';
export { validateStatsSpec, validateStatsForward, validateStatsBackward, statsValidationProblem, type StatsGeometry } from './spec/validate-stats.js';
export { referenceStatsForward, referenceStatsGradient, type StatsReference } from './spec/reference/stats.js';
