/**
 * Whether a device flushes subnormal f32 values (SPEC.md POLICY.SUBNORMALS: WGSL lets it flush inputs and
 * results), measured once with a tiny kernel: 2^−149 + 2^−148 (subnormal inputs and result) and 2^−126 · 0.5
 * (a normal product whose result is subnormal), from buffer data so that no compiler can fold them. Chromium's
 * SwiftShader flushes both.
 */
const PROBE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> r: array<u32>;
@compute @workgroup_size(1) fn main() {
  r[0] = bitcast<u32>(a[0] + a[1]);
  r[1] = bitcast<u32>(a[2] * a[3]);
}`;

/** The bits a device that keeps subnormals returns: 3·2^−149 and 2^−127. */
const KEPT = [3, 0x00400000];

export async function flushesSubnormals(device: GPUDevice): Promise<boolean> {
  const usage = globalThis.GPUBufferUsage;
  const input = device.createBuffer({ size: 16, usage: usage.STORAGE | usage.COPY_DST, label: 'subnormal probe in' });
  const output = device.createBuffer({ size: 8, usage: usage.STORAGE | usage.COPY_SRC, label: 'subnormal probe out' });
  const read = device.createBuffer({ size: 8, usage: usage.MAP_READ | usage.COPY_DST, label: 'subnormal probe read' });
  try {
    device.queue.writeBuffer(input, 0, Float32Array.of(2 ** -149, 2 ** -148, 2 ** -126, 0.5));
    const module = device.createShaderModule({ code: PROBE, label: 'subnormal probe' });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: input } }, { binding: 1, resource: { buffer: output } }],
    }));
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(output, 0, read, 0, 8);
    device.queue.submit([encoder.finish()]);
    await read.mapAsync(globalThis.GPUMapMode.READ);
    const got = new Uint32Array(read.getMappedRange().slice(0));
    read.unmap();
    return got[0] !== KEPT[0] || got[1] !== KEPT[1];
  } finally {
    input.destroy();
    output.destroy();
    read.destroy();
  }
}
