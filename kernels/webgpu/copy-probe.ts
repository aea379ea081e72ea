/**
 * A GPU device's own copy bandwidth, the yardstick of a GPU backend's bench rows (% of copy): copyBufferToBuffer
 * between two buffers, timed from submit to onSubmittedWorkDone. One function for every backend that has a
 * GPUDevice: poolspec's webgpu backend and the tfjs-webgpu peer, so their rows are held to the same number.
 */
import type { DeviceCopyPasses } from '../../spec/contract.js';

/** Copies per timed pass: one submission holds several, so the submit-and-wait latency is spread over them. */
export const COPIES_PER_PASS = 8;

/**
 * `trials` passes (after two warm-ups) of COPIES_PER_PASS copies each between two buffers of `bufferBytes`, capped
 * at the device's maxBufferSize and rounded down to whole floats. GPUBufferUsage is read when called (a global in
 * browsers, and in Node after kernels/webgpu/node.ts has loaded Dawn).
 */
export async function measureDeviceCopy(device: GPUDevice, bufferBytes: number, trials: number): Promise<DeviceCopyPasses> {
  const bytes = Math.max(4, Math.floor(Math.min(bufferBytes, device.limits.maxBufferSize) / 4) * 4);
  const usage = globalThis.GPUBufferUsage.COPY_SRC | globalThis.GPUBufferUsage.COPY_DST;
  const src = device.createBuffer({ size: bytes, usage, label: 'copy probe src' });
  const dst = device.createBuffer({ size: bytes, usage, label: 'copy probe dst' });
  try {
    const pass = async (): Promise<number> => {
      const encoder = device.createCommandEncoder();
      for (let i = 0; i < COPIES_PER_PASS; i++) encoder.copyBufferToBuffer(src, 0, dst, 0, bytes);
      const t0 = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return (performance.now() - t0) / COPIES_PER_PASS;
    };
    for (let w = 0; w < 2; w++) await pass();
    const passesMs: number[] = [];
    for (let t = 0; t < trials; t++) passesMs.push(await pass());
    return { method: `GPUCommandEncoder.copyBufferToBuffer ×${COPIES_PER_PASS} per submission`, bufferBytes: bytes, bytesPerPass: 2 * bytes, passesMs };
  } finally {
    src.destroy();
    dst.destroy();
  }
}
