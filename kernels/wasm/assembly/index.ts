/**
 * The wasm backend's kernels (AssemblyScript, 128-bit SIMD). The host (kernels/wasm/index.ts) validates, computes
 * the geometry with spec/geometry.ts, lays out buffers in the imported memory and calls these with flat
 * parameters. Built by kernels/wasm/build.mjs into kernels/wasm/module.generated.ts.
 */
export { heapBase, setGeometry, tableBytes } from './state';
export { fwdGlobal, fwdScalar } from './forward';
export { fwdChannelsLast } from './channels';
export { bwdMaxPairs, fwdRows } from './rows';
export { avgDivide, buildDivisors, lpMap, lpRoot } from './passes';
export { bwdMaxChannels, bwdMaxPlanes, bwdSum, bwdSumK3S2, bwdSumRows, narrow } from './backward';
export { bwdMaxK3S1, bwdMaxK3S2, bwdMaxK4S4 } from './maxgrad';
export { bwdLp, bwdLpPrep, lpForward64, lpGradApply, lpGradScale, lpSafe } from './lp';
export { researchBackward, researchForward, researchGeometry, researchNarrow } from './research';
export { stochasticTrainBackward, stochasticTrainForward } from './research';
export { statsInterleaved, statsInterleavedBackward, statsPlanes, statsPlanesBackward } from './stats';
