#!/usr/bin/env node
// The WebGPU adapter Dawn gives the `webgpu` backend on this machine, as JSON on stdout (for scripts/gpu-run.sh):
// vendor, architecture, device, description, whether it is a software (fallback) adapter, the device limits
// poolspec asks for, and the Vulkan driver manifest kernels/webgpu/node.ts added, if any.
// Exit 0: a hardware adapter (or a software one with --allow-software); 3: no adapter at all; 4: only a
// software adapter, without --allow-software. The reason goes to stderr.
import { createWebGpuBackend } from '../dist/kernels/webgpu/index.js';
import { nodeGpu, addedVulkanManifest } from '../dist/kernels/webgpu/node.js';

const allowSoftware = process.argv.includes('--allow-software');
const backend = createWebGpuBackend({ gpu: nodeGpu, powerPreference: 'high-performance' });
let adapter;
try {
  adapter = await backend.ready();
} catch (e) {
  process.stderr.write(`gpu-adapter: no WebGPU adapter: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}
const device = await backend.gpuDevice();
const info = {
  ...adapter,
  described: await backend.describeDevice(),
  limits: {
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    maxComputeWorkgroupsPerDimension: device.limits.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: device.limits.maxComputeInvocationsPerWorkgroup,
  },
  addedVulkanManifest: addedVulkanManifest ?? null,
  vulkanEnvironment: Object.fromEntries(['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES'].map((k) => [k, process.env[k] ?? null])),
};
await backend.dispose();
process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
if (adapter.fallback && !allowSoftware) {
  process.stderr.write(`gpu-adapter: the only adapter is a software one (${info.described}): not a GPU. Pass --allow-software to run on it anyway.\n`);
  process.exit(4);
}
