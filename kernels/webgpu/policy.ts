/**
 * The WebGPU backend's documented convention where SPEC.md §6 allows alternatives, in one place for the Node
 * registry (kernels/registry.ts) and the browser test: WGSL and Vulkan let a device flush subnormals, and
 * SwiftShader does (POLICY.SUBNORMALS). Max stays exact regardless: it is compared on the bits.
 */
import type { Policy } from '../../spec/policy.js';

export const WEBGPU_POLICY: Readonly<Partial<Policy>> = Object.freeze({ subnormals: 'flush' });
