/**
 * The WebGPU backend's own errors. Every one is a BackendError (spec/errors.ts) naming the backend, so the CLI and
 * the verifier report them like any other backend refusal.
 */
import { BackendError } from '../../spec/errors.js';

/** What to do when no adapter can be had; quoted by every "unavailable" message. */
export const WEBGPU_HOW_TO =
  'To get a WebGPU adapter without a GPU on Debian/Ubuntu: `apt-get install chromium libvulkan1` (poolspec then adds ' +
  "Chromium's SwiftShader Vulkan driver, /usr/lib/chromium/vk_swiftshader_icd.json, for its own process), or point " +
  'VK_ICD_FILENAMES at another Vulkan driver manifest (e.g. Mesa 25 lavapipe, /usr/share/vulkan/icd.d/lvp_icd.json). ' +
  'With a GPU: install its Vulkan driver and the Vulkan loader (libvulkan1). In a browser: Chromium with WebGPU ' +
  'enabled (--enable-unsafe-webgpu on Linux).';

/** No adapter or no device: the backend cannot run on this machine. */
export class WebGpuUnavailableError extends BackendError {
  override readonly name: string = 'WebGpuUnavailableError';
  constructor(backend: string, why: string) {
    super(backend, `WebGPU is unavailable: ${why}. ${WEBGPU_HOW_TO}`);
  }
}

/** The device was lost or reported an error; the message says which. Re-create the backend to go on. */
export class WebGpuDeviceError extends BackendError {
  override readonly name: string = 'WebGpuDeviceError';
}
