/**
 * The WebGPU backend's engineering: device lifecycle, buffer pooling, pipeline cache, limits and the 2-D dispatch.
 * Its numerics are the conformance suite's job (test/conformance.test.ts runs every property on it).
 *
 * Needs a WebGPU adapter: kernels/webgpu/node.ts adds Chromium's SwiftShader where no GPU is present. Under CI a
 * missing adapter fails these tests (.ci/run installs one); elsewhere they are skipped with the how-to message.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { poolGeometry, product } from '../../spec/geometry.js';
import { createNaiveBackend } from '../naive/index.js';
import { BackendError } from '../../spec/errors.js';
import { createWebGpuBackend, limitProblem, WebGpuDeviceError, type WebGpuBackend } from './index.js';
import { BufferPool } from './buffers.js';
import { DEFAULT_LIMITS } from './device.js';
import { nodeGpu } from './node.js';
import { buildPlan, dispatchSize, WORKGROUP_SIZE } from './plan.js';
import { webgpuSkipReason } from '../../test/helpers/webgpu-availability.js';

const unavailable = await webgpuSkipReason('kernels/webgpu/webgpu.test.ts', async () => {
  const probe = createWebGpuBackend({ gpu: nodeGpu });
  await probe.ready();
  await probe.dispose();
});

const maxSpec = (k: number, s: number): PoolSpec => ({
  kind: 'max', kernel: [k, k], strides: [s, s], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false,
});

function ramp(shape: number[], seed = 1): Tensor {
  // Distinct values (no ties), so max indices are unique and comparable bit for bit.
  return { shape, data: Float32Array.from({ length: product(shape) }, (_, i) => Math.sin(i * 12.9898 + seed) * 1000) };
}

describe('plan helpers', () => {
  test('dispatchSize covers every invocation and respects the per-dimension limit', () => {
    for (const [total, limit] of [[1, 65535], [64, 65535], [65, 65535], [1000, 2], [1000, 3], [64 * 65535 + 1, 65535]] as const) {
      const [x, y] = dispatchSize(total, limit);
      expect(x).toBeLessThanOrEqual(limit);
      expect(x * y * WORKGROUP_SIZE).toBeGreaterThanOrEqual(total);
      expect((x * (y - 1)) * WORKGROUP_SIZE).toBeLessThan(total); // no whole row of idle workgroups
    }
  });

  test('buildPlan marks disjoint windows (broadcast backward) and whether they cover every element', () => {
    const flags = (spec: PoolSpec, shape: number[]): [boolean, boolean] => {
      const p = buildPlan(spec, poolGeometry(spec, shape));
      return [p.disjoint, p.covered];
    };
    expect(flags(maxSpec(2, 2), [1, 1, 8, 8])).toEqual([true, true]);
    expect(flags(maxSpec(2, 2), [1, 1, 9, 8])).toEqual([true, false]); // floor mode: the last row is in no window
    expect(flags(maxSpec(2, 3), [1, 1, 8, 8])).toEqual([true, false]); // a gap between windows
    expect(flags(maxSpec(3, 2), [1, 1, 9, 9])).toEqual([false, true]); // windows share their edge taps
    expect(flags(maxSpec(7, 1), [1, 1, 7, 7])).toEqual([true, true]); // global pooling
  });

  test('buildPlan: runs of outputs along the innermost axis, and (j, divisor factor) pairs in the inverse lists', () => {
    const spec: PoolSpec = { ...maxSpec(3, 2), kind: 'avg', pads: [0, 1, 0, 1] };
    const g = poolGeometry(spec, [2, 3, 5, 9]); // out 2 × 5
    const plan = buildPlan(spec, g);
    // 2·3 planes × 2 rows × ceil(5 / 4) runs.
    expect(plan.runInvocations).toBe(2 * 3 * 2 * 2);
    // Innermost axis (size 9, k3 s2, one pad each side): window j has taps 2j − 1 .. 2j + 1. Input 8 is in
    // window 4 only (taps 7, 8 and the padding at 9, which does not count without countIncludePad: 2).
    const invX = new Int32Array(plan.params)[18]!;
    const list = (i: number): number[] => Array.from(plan.tables.subarray(plan.tables[invX + i], plan.tables[invX + i + 1]));
    expect(list(8)).toEqual([4, 2]);
    // Input 1 is in windows 0 (taps −1 (padding), 0, 1: 2 count) and 1 (taps 1, 2, 3: 3).
    expect(list(1)).toEqual([0, 2, 1, 3]);
    // With countIncludePad the padded tap counts.
    const incl = buildPlan({ ...spec, countIncludePad: true }, g);
    expect(Array.from(incl.tables.subarray(incl.tables[invX + 8], incl.tables[invX + 9]))).toEqual([4, 3]);
  });

  test('limitProblem names the limit that a case exceeds', () => {
    const spec = maxSpec(2, 2);
    const big = poolGeometry(spec, [1, 1, 8192, 8192]); // 256 MiB of input
    expect(limitProblem(spec, big, DEFAULT_LIMITS)).toMatch(/x \(and dx\) needs 268435456 bytes, over the device's maxStorageBufferBindingSize \(134217728\)/);
    expect(limitProblem(spec, poolGeometry(spec, [1, 1, 64, 64]), DEFAULT_LIMITS)).toBeUndefined();
  });
});

describe.skipIf(unavailable !== undefined)('webgpu backend', () => {
  let backend: WebGpuBackend;
  beforeAll(async () => { backend = createWebGpuBackend({ gpu: nodeGpu }); await backend.ready(); });
  afterAll(async () => { await backend?.dispose(); });

  test('supports() refuses a case over the device limits and names the limit', () => {
    const r = backend.supports(maxSpec(2, 2), [1, 1, 32768, 32768]); // 4 GiB of input
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/maxStorageBufferBindingSize \(\d+\)/);
  });

  test('a 2-D grid of workgroups gives the same results as one row (max, exact)', async () => {
    const split = createWebGpuBackend({ gpu: nodeGpu, maxWorkgroupsPerDimension: 3 });
    try {
      const spec = maxSpec(2, 2);
      const x = ramp([2, 3, 24, 30]); // 2·3·12·15 = 1080 outputs: 17 workgroups on a 3-wide grid
      const dy = ramp([2, 3, 12, 15], 7);
      const naive = createNaiveBackend();
      const [a, b] = [await split.forward(spec, x), await naive.forward(spec, x)];
      expect(Array.from(a.y.data)).toEqual(Array.from(b.y.data));
      expect(Array.from(a.indices!)).toEqual(Array.from(b.indices!));
      // Stride = kernel: each input gets at most one contribution, so the gradient is exact too.
      expect(Array.from((await split.backward(spec, x, dy)).data)).toEqual(Array.from((await naive.backward(spec, x, dy)).data));
    } finally {
      await split.dispose();
    }
  });

  test('disjoint windows: the broadcast backward gives the gather\'s gradient exactly, +0 on elements in no window', async () => {
    const naive = createNaiveBackend();
    // Its own backend: the many shapes here would leave idle buffers in the shared one's pool (the leak test
    // below counts them).
    const own = createWebGpuBackend({ gpu: nodeGpu });
    try {
      for (const layout of ['channels_first', 'channels_last'] as const) {
        for (const [k, s] of [[2, 2], [2, 3], [3, 3]] as const) {
          for (const kind of ['max', 'sum'] as const) {
            const spec: PoolSpec = { ...maxSpec(k, s), kind };
            const shape = [2, 3, 11, 17]; // output rows of 5 or 8 or 3: runs of 4 with a short last run
            const x = layout === 'channels_last' ? { ...ramp([2, 11, 17, 3]), layout } : ramp(shape);
            const out = poolGeometry(spec, x.shape, layout).outShape;
            const dy = { ...ramp([...out], 9), ...(layout === 'channels_last' ? { layout } : {}) };
            // Special values in dy: a NaN (made canonical), −0 (kept) and ∞.
            dy.data[0] = Number.NaN; dy.data[1] = -0; dy.data[2] = Number.POSITIVE_INFINITY;
            // A previous call leaves non-zero data in the pooled dx buffer of this size: it must not show through.
            await own.backward({ ...maxSpec(3, 1), kind: 'sum' }, x, { ...ramp([...poolGeometry(maxSpec(3, 1), x.shape, layout).outShape], 4), ...(layout === 'channels_last' ? { layout } : {}) });
            const got = await own.backward(spec, x, dy);
            const want = await naive.backward(spec, x, dy);
            // Zeros compared numerically: a −0 in dy reaches dx as −0 here (as it did through the gather: one term
            // is its own sum) and as 0 + −0 = +0 in naive's accumulation; gradients are compared numerically.
            const numeric = (a: Float32Array): number[] => Array.from(a, (v) => (v === 0 ? 0 : v));
            expect(numeric(got.data), `${kind} k${k} s${s} ${layout}`).toEqual(numeric(want.data));
          }
        }
      }
    } finally {
      await own.dispose();
    }
  });

  test('one pipeline per kind and direction, reused across shapes and layouts', async () => {
    const fresh = createWebGpuBackend({ gpu: nodeGpu });
    try {
      for (const kind of ['max', 'avg', 'sum', 'lp'] as const) {
        for (const shape of [[1, 2, 5, 6], [2, 1, 7, 4]]) {
          const spec: PoolSpec = { ...maxSpec(3, 1), kind, ...(kind === 'lp' ? { p: 2 } : {}) };
          const x = ramp(shape);
          await fresh.forward(spec, x);
          const out = poolGeometry(spec, shape).outShape;
          await fresh.backward(spec, x, ramp([...out], 3));
          await fresh.forward(spec, { ...ramp([shape[0]!, shape[2]!, shape[3]!, shape[1]!]), layout: 'channels_last' });
        }
      }
      expect(fresh.stats().pipelines).toBe(8);
    } finally {
      await fresh.dispose();
    }
  });

  test('no buffer leak over 10 000 calls: the live-buffer count stays at its first-call level', async () => {
    const spec = maxSpec(3, 2);
    const x = ramp([1, 2, 9, 9]);
    const dy = ramp([1, 2, 4, 4], 5);
    const avg: PoolSpec = { ...spec, kind: 'avg' };
    await backend.forward(spec, x);
    await backend.backward(avg, x, dy);
    const settled = backend.stats().liveBuffers;
    for (let i = 0; i < 10_000; i++) {
      if (i % 2 === 0) await backend.forward(spec, x);
      else await backend.backward(avg, x, dy);
    }
    const after = backend.stats();
    expect(after.liveBuffers).toBe(settled);
    expect(after.liveBuffers).toBeLessThanOrEqual(16);
    console.log(`webgpu: ${after.liveBuffers} live buffers (${after.idleBuffers} idle) after 10 000 calls`);
  }, 300_000);

  test('concurrent calls do not share buffers', async () => {
    const spec = maxSpec(2, 2);
    const xs = Array.from({ length: 8 }, (_, i) => ramp([1, 2, 8, 8], i));
    const results = await Promise.all(xs.map((x) => backend.forward(spec, x)));
    const naive = createNaiveBackend();
    for (let i = 0; i < xs.length; i++) {
      expect(Array.from(results[i]!.y.data)).toEqual(Array.from((await naive.forward(spec, xs[i]!)).y.data));
    }
  });

  test('a lost device surfaces as a clear error on the next call; a new backend works again', async () => {
    const doomed = createWebGpuBackend({ gpu: nodeGpu });
    const spec = maxSpec(2, 2);
    const x = ramp([1, 1, 4, 4]);
    await doomed.forward(spec, x);
    (await doomed.gpuDevice()).destroy();
    await new Promise((r) => setTimeout(r, 50)); // device.lost resolves asynchronously
    await expect(doomed.forward(spec, x)).rejects.toThrow(WebGpuDeviceError);
    await expect(doomed.forward(spec, x)).rejects.toThrow(/device was lost.*create a new backend/);
    await doomed.dispose();
    const again = createWebGpuBackend({ gpu: nodeGpu });
    expect((await again.forward(spec, x)).y.data.length).toBe(4);
    await again.dispose();
  });

  test('an uncaptured device error is reported on the next call, then the backend goes on', async () => {
    const b = createWebGpuBackend({ gpu: nodeGpu });
    const spec = maxSpec(2, 2);
    const x = ramp([1, 1, 4, 4]);
    await b.forward(spec, x);
    const device = await b.gpuDevice();
    // A validation error outside any error scope: MAP_READ and MAP_WRITE may not be combined.
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.MAP_WRITE });
    await device.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    await expect(b.forward(spec, x)).rejects.toThrow(/reported an error/);
    expect((await b.forward(spec, x)).y.data.length).toBe(4);
    await b.dispose();
  });

  test('dispose() destroys the buffers and the device; later calls are refused', async () => {
    const b = createWebGpuBackend({ gpu: nodeGpu });
    await b.forward(maxSpec(2, 2), ramp([1, 1, 4, 4]));
    expect(b.stats().liveBuffers).toBeGreaterThan(0);
    await b.dispose();
    expect(b.stats().liveBuffers).toBe(0);
    await expect(b.forward(maxSpec(2, 2), ramp([1, 1, 4, 4]))).rejects.toThrow(BackendError);
    await expect(b.forward(maxSpec(2, 2), ramp([1, 1, 4, 4]))).rejects.toThrow(/disposed/);
  });

  test('resident cases run without upload or readback and release their buffers', async () => {
    const spec = maxSpec(3, 2);
    const r = await backend.resident(spec, ramp([1, 4, 16, 16]), 'forward');
    await r.run();
    await r.run();
    const held = backend.stats();
    r.release();
    const after = backend.stats();
    // Its buffers (params, x, tables, y, indices) go back to the pool: none destroyed, none still held.
    expect(after.liveBuffers).toBe(held.liveBuffers);
    expect(after.idleBuffers - held.idleBuffers).toBe(5);
    await expect(r.run()).rejects.toThrow(/released/);
  });

  test('a backward stages only what its kernels bind: avg and sum skip x and the forward pass', async () => {
    const x = ramp([1, 4, 16, 16]);
    const dy = ramp([1, 4, 7, 7], 2);
    const held = async (spec: PoolSpec): Promise<number> => {
      const r = await backend.resident(spec, x, 'backward', dy);
      const before = backend.stats().idleBuffers;
      r.release();
      return backend.stats().idleBuffers - before;
    };
    // avg: params, tables, reciprocals, dy, dx. sum: the same without reciprocals.
    expect(await held({ ...maxSpec(3, 2), kind: 'avg' })).toBe(5);
    expect(await held({ ...maxSpec(3, 2), kind: 'sum' })).toBe(4);
    // max runs the forward first for its indices: x, tables, y, indices, forward params, dy, dx, backward params.
    expect(await held(maxSpec(3, 2))).toBe(8);
  });
});

describe('buffer size classes', () => {
  test('powers of two up to 16 MiB, then multiples of 16 MiB; never smaller than the request', () => {
    const MiB = 1024 * 1024;
    expect([1, 256, 257, 4096, 5000, 16 * MiB].map((b) => BufferPool.sizeClass(b))).toEqual([256, 256, 512, 4096, 8192, 16 * MiB]);
    expect(BufferPool.sizeClass(16 * MiB + 1)).toBe(32 * MiB);
    expect(BufferPool.sizeClass(600 * MiB)).toBe(608 * MiB);
  });
});
