/**
 * The `navigator.gpu` that the web runtimes' WebGPU code looks for (tfjs-backend-webgpu, onnxruntime-web's WebGPU
 * execution provider), given in Node from the same Dawn `GPU` object poolspec's own `webgpu` backend uses
 * (kernels/webgpu/node.ts: the npm package `webgpu`, its software Vulkan driver set up there). So the peers and
 * poolspec's kernels get their adapters from one GPU object, under one Vulkan driver list, in one process.
 *
 * Node 20 has no global `navigator`; Node ≥ 21 has one without `gpu`. Either way a `gpu` member is added, and an
 * existing `navigator.gpu` (a browser, or an earlier call) is left as it is.
 */
import { nodeGpu } from '../webgpu/node.js';

export async function ensureNavigatorGpu(): Promise<GPU> {
  const existing = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (existing?.gpu) return existing.gpu;
  const gpu = await nodeGpu(); // also installs Dawn's GPUBufferUsage, GPUMapMode, … as globals
  if (existing) {
    Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent: `Node.js/${process.versions.node}` }, configurable: true, writable: true });
  }
  return gpu;
}
