/**
 * Where the WebGPU backend gets a `GPU` in Node: Dawn's bindings, npm `webgpu` (pinned to 0.6.2: 0.5.0 and
 * 0.6.1 need GLIBCXX_3.4.32, which Debian 12 lacks). This is the only Node-specific file of the backend; in a
 * browser, pass `navigator.gpu` instead (kernels/webgpu/index.ts has no Node-only API).
 *
 * Without a GPU, Dawn needs a software Vulkan driver. If the Vulkan loader has not been told which drivers to
 * use (neither VK_ICD_FILENAMES nor VK_ADD_DRIVER_FILES is set) and a known software driver's manifest exists,
 * it is *added* (VK_ADD_DRIVER_FILES keeps the system's drivers, so a real GPU still wins). The variable is set
 * for this process only; a browser started from it gets an environment without it (test/browser/).
 */
import { existsSync } from 'node:fs';
import { WEBGPU_HOW_TO } from './errors.js';

/**
 * Vulkan driver manifests known to give Dawn an adapter without a GPU, best first. Chromium's SwiftShader
 * (Debian packages chromium + libvulkan1) works on plain Debian 12; Debian 12's own Mesa 22 lavapipe is
 * rejected by Dawn (it lacks shaderUniform*ArrayDynamicIndexing), so only a newer lavapipe is listed.
 */
export const SOFTWARE_VULKAN_MANIFESTS: readonly string[] = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
];

/** The manifest that was added to the Vulkan loader's list by this process, if any. */
export let addedVulkanManifest: string | undefined;

function addSoftwareDriver(): void {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES || process.env.VK_ADD_DRIVER_FILES) return;
  const manifest = SOFTWARE_VULKAN_MANIFESTS.find((m) => existsSync(m));
  if (manifest === undefined) return;
  process.env.VK_ADD_DRIVER_FILES = manifest;
  addedVulkanManifest = manifest;
}

let gpuPromise: Promise<GPU> | undefined;

/** Dawn's GPU object, created once per process. Rejects with a how-to message when `webgpu` cannot load. */
export function nodeGpu(): Promise<GPU> {
  gpuPromise ??= (async () => {
    addSoftwareDriver();
    let mod: { create(flags: string[]): GPU; globals: Record<string, unknown> };
    try {
      mod = (await import('webgpu')) as unknown as typeof mod;
    } catch (e) {
      throw new Error(`the npm package "webgpu" (Dawn for Node) could not be loaded: ${(e as Error).message}. ${WEBGPU_HOW_TO}`, { cause: e });
    }
    // Dawn's classes (GPUBufferUsage, GPUMapMode, …) are globals in a browser; the backend uses them as such.
    for (const [key, value] of Object.entries(mod.globals)) {
      if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
    }
    return mod.create([]);
  })();
  return gpuPromise;
}
