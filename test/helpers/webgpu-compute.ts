/**
 * Runs small WGSL compute kernels in Node for tests: get a device (kernels/webgpu/node.ts), compile with every
 * diagnostic turned into a failure, dispatch one kernel over a flat f32 input, read the f32 output back.
 *
 * Kernel convention: bindings `@group(0) @binding(0) var<storage, read> ps_in: array<f32>` and
 * `@group(0) @binding(1) var<storage, read_write> ps_out: array<f32>`; the dispatch has
 * ceil(outputCount / workgroupSize) workgroups of `workgroupSize` invocations along x, and each invocation
 * checks its index against arrayLength(&ps_out).
 */
import type { TestContext } from 'vitest';
import { nodeGpu } from '../../kernels/webgpu/node.js';
import { webgpuSkipReason } from './webgpu-availability.js';

export type Acquired = { device: GPUDevice; description: string } | { reason: string };

/** A device, or why there is none (nodeGpu() rejected, no adapter, or requestDevice() failed). */
export async function acquireDevice(): Promise<Acquired> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await (await nodeGpu()).requestAdapter();
  } catch (e) {
    return { reason: (e as Error).message };
  }
  if (adapter === null) return { reason: 'requestAdapter() returned null (no WebGPU adapter on this machine)' };
  try {
    const device = await adapter.requestDevice();
    const i = adapter.info;
    const parts = [i.vendor, i.architecture, i.device, i.description].filter((s) => s);
    const description = parts.join(' / ') || 'unnamed adapter';
    return { device, description };
  } catch (e) {
    return { reason: `requestDevice() failed: ${(e as Error).message}` };
  }
}

/**
 * A test file's device work, done once for all its tests: `run(ctx)` acquires a device, skips the test without one
 * (webgpuSkipReason: fails on CI instead), and otherwise returns the one shared result of `compute`.
 */
export function deviceRunOnce<R>(file: string, compute: (device: GPUDevice, description: string) => Promise<R>): (ctx: TestContext) => Promise<R> {
  let acquired: Promise<Acquired> | undefined;
  let skipReason: Promise<string | undefined> | undefined;
  let running: Promise<R> | undefined;
  return async (ctx) => {
    acquired ??= acquireDevice();
    skipReason ??= webgpuSkipReason(file, async () => {
      const a = await acquired!;
      if ('reason' in a) throw new Error(a.reason);
    });
    const why = await skipReason;
    const a = await acquired;
    if (why !== undefined || 'reason' in a) {
      ctx.skip(why);
      throw new Error('unreachable');
    }
    running ??= compute(a.device, a.description);
    return running;
  };
}

/** Compiles WGSL; throws with the compiler's messages on any error or on a validation error. */
export async function compileWgsl(device: GPUDevice, code: string, label: string): Promise<GPUShaderModule> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label });
  const info = await module.getCompilationInfo();
  const scopeError = await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0 || scopeError) {
    const lines = code.split('\n');
    const text = errors.map((m) => `${label}:${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1] ?? ''}`);
    if (scopeError) text.push(`validation: ${scopeError.message}`);
    throw new Error(`WGSL did not compile:\n${text.join('\n')}`);
  }
  return module;
}

/**
 * Dispatches `entryPoint` of `module` once and returns `outputCount` f32 results. Every WebGPU error (validation,
 * out-of-memory, internal) raised on the way is thrown.
 */
export async function runF32Kernel(
  device: GPUDevice,
  module: GPUShaderModule,
  entryPoint: string,
  input: Float32Array<ArrayBuffer>,
  outputCount: number,
  workgroupSize = 64,
): Promise<Float32Array> {
  const scopes: GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];
  for (const s of scopes) device.pushErrorScope(s);
  let pushed = scopes.length;
  const inBytes = Math.max(16, input.byteLength);
  const inBuf = device.createBuffer({ size: inBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const outBytes = Math.max(16, outputCount * 4);
  // The output binding is exactly outputCount long, so arrayLength(&ps_out) is the invocation bound.
  const outBuf = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readBuf = device.createBuffer({ size: outBytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(inBuf, 0, input);
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint } });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: inBuf } },
        { binding: 1, resource: { buffer: outBuf, size: outputCount * 4 } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(Math.ceil(outputCount / workgroupSize));
    pass.end();
    encoder.copyBufferToBuffer(outBuf, 0, readBuf, 0, outBytes);
    device.queue.submit([encoder.finish()]);
    await readBuf.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(readBuf.getMappedRange().slice(0, outputCount * 4));
    readBuf.unmap();
    const errors: GPUError[] = [];
    for (; pushed > 0; pushed--) {
      const e = await device.popErrorScope();
      if (e) errors.push(e);
    }
    if (errors.length > 0) {
      throw new Error(`WebGPU error running ${entryPoint}: ${errors.map((e) => e.message).join('; ')}`);
    }
    return out;
  } finally {
    // Leave no scope pushed when something threw on the way (the next call would inherit it).
    for (; pushed > 0; pushed--) await device.popErrorScope().catch(() => null);
    inBuf.destroy();
    outBuf.destroy();
    readBuf.destroy();
  }
}
