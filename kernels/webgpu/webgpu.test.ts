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
import { bitsOf } from '../../test/helpers/max-exact.js';
import type { ReducerPoolSpec, ReducerPoolingBackend, StatsPoolingBackend } from '../../spec/contract.js';
import { accepts, describeAcceptance, ETA32, gamma, KAPPA_POW, U32 } from '../../spec/interval.js';
import { reducerAcceptance } from '../../spec/reference/reducer.js';
import { referenceStatsForward, referenceStatsGradient } from '../../spec/reference/stats.js';
import { BUILTIN_REDUCERS } from '../../spec/reducers/index.js';
import { STOCHASTIC } from '../../spec/reducers/stochastic.js';
import { weightError } from '../../spec/reducers/terms.js';
import { maxWindowTaps } from './research.js';
import { MEDIAN_MAX_TAPS } from './shaders.js';

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

  test('indices: false (webgpu-values): the same max bits without indices, resident too; backward unchanged', async () => {
    const values = createWebGpuBackend({ gpu: nodeGpu, indices: false });
    const naive = createNaiveBackend();
    try {
      expect(values.name).toBe('webgpu-values');
      // Values where MAX.SELECT's rules decide: NaNs of three payloads (the first in scan order wins), −0 before
      // +0 (the first of equal keys stays), ±∞, and ties; the shapes put windows over padding, ceil overhang,
      // dilation, a run of 4 outputs with a short last one, and every rank and layout.
      const specials = [Number.NaN, -0, 0, Infinity, -Infinity, 3, 3, -2, f32FromBits(0x7fc00001), f32FromBits(0xffc00002)];
      const cases: Array<[PoolSpec, number[]]> = [
        [{ ...maxSpec(3, 2), pads: [1, 1, 1, 1] }, [2, 3, 9, 11]],
        [{ ...maxSpec(2, 2), ceilMode: true }, [1, 2, 7, 9]],
        [{ ...maxSpec(2, 1), dilations: [2, 2], pads: [1, 0, 1, 1] }, [1, 2, 6, 10]],
        [{ kind: 'max', kernel: [4], strides: [4], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false }, [2, 3, 37]],
        [{ kind: 'max', kernel: [2, 2, 2], strides: [2, 2, 2], dilations: [1, 1, 1], pads: [0, 1, 0, 0, 1, 0], ceilMode: false, countIncludePad: false }, [1, 2, 4, 5, 6]],
      ];
      for (const [spec, nc] of cases) {
        for (const layout of ['channels_first', 'channels_last'] as const) {
          const shape = layout === 'channels_first' ? nc : [nc[0]!, ...nc.slice(2), nc[1]!];
          const data = Float32Array.from({ length: product(shape) }, (_, i) => (i % 7 === 3 ? specials[(i >> 3) % specials.length]! : Math.round(Math.sin(i) * 4)));
          const x: Tensor = { shape, data, layout };
          const [v, full, ref] = [await values.forward(spec, x), await backend.forward(spec, x), await naive.forward(spec, x)];
          const what = `${JSON.stringify(spec.kernel)} ${shape.join('×')} ${layout}`;
          expect(v.indices, what).toBeUndefined();
          expect(Array.from(bitsOf(v.y.data)), what).toEqual(Array.from(bitsOf(full.y.data)));
          // The naive backend, f64, independent of the WGSL: equal values, NaN where it has NaN.
          expect(Array.from(v.y.data, (y) => (Number.isNaN(y) ? 'NaN' : Object.is(y, -0) ? '-0' : y)), what)
            .toEqual(Array.from(ref.y.data, (y) => (Number.isNaN(y) ? 'NaN' : Object.is(y, -0) ? '-0' : y)));
          expect(Array.from(full.indices!), what).toEqual(Array.from(ref.indices!));
        }
      }
      // Resident: y alone is staged (params, x, tables, y: no indices buffer).
      const r = await values.resident(maxSpec(3, 2), ramp([1, 4, 16, 16]), 'forward');
      await r.run();
      const before = values.stats().idleBuffers;
      r.release();
      expect(values.stats().idleBuffers - before).toBe(4);
      // The backward routes by indices it computes itself, as webgpu's.
      const spec = maxSpec(3, 2);
      const x = ramp([1, 2, 9, 9]);
      const dy = ramp([1, 2, 4, 4], 3);
      expect(Array.from((await values.backward(spec, x, dy)).data)).toEqual(Array.from((await backend.backward(spec, x, dy)).data));
    } finally {
      await values.dispose();
    }
  });
});

function f32FromBits(bits: number): number {
  return new Float32Array(Uint32Array.of(bits).buffer)[0]!;
}

/*
 * The research kinds (SPEC.md §11.3), on windows worked by hand: 1-D, kernel = stride (disjoint windows), the
 * expected values derived in the comments (30-digit values from the definitions, not from any backend). Values
 * are judged by the spec's own acceptance sets (reducerAcceptance: REDUCER.ACCURACY with the kind's error model),
 * after checking that the hand value is the set's exact value; gradients by the clause's bound, written out.
 */
describe.skipIf(unavailable !== undefined)('webgpu research kinds, worked by hand', () => {
  let gpu: WebGpuBackend;
  let reducers: ReducerPoolingBackend;
  let statistics: StatsPoolingBackend;
  beforeAll(async () => {
    // 'always': these windows hold no subnormal value, so a flushing device (SwiftShader) computes them too.
    gpu = createWebGpuBackend({ gpu: nodeGpu, research: 'always' });
    await gpu.ready();
    reducers = gpu.reducers!;
    statistics = gpu.statistics!;
  });
  afterAll(async () => { await gpu?.dispose(); });

  test("research: 'auto' attaches the members exactly when the device keeps subnormals; 'never' does not", async () => {
    for (const research of ['auto', 'never'] as const) {
      const b = createWebGpuBackend({ gpu: nodeGpu, research });
      try {
        expect(b.reducers).toBeUndefined(); // nothing before the device is acquired
        await b.ready();
        const attached = research === 'auto' && b.flushesSubnormals() === false;
        expect(b.flushesSubnormals()).toBeTypeOf('boolean');
        expect(b.reducers !== undefined, research).toBe(attached);
        expect(b.statistics !== undefined, research).toBe(attached);
      } finally {
        await b.dispose();
      }
    }
    expect(gpu.reducers?.kinds).toEqual(['gem', 'softpool', 'lse', 'median', 'mixed', 'stochastic']);
  });

  const spec1d = (kind: string, k: number, params?: Record<string, number>): ReducerPoolSpec => ({
    kind, kernel: [k], strides: [k], dilations: [1], pads: [0, 0], ceilMode: false, ...(params ? { params } : {}),
  });
  const row = (values: number[]): Tensor => ({ shape: [1, 1, values.length], data: Float32Array.from(values) });
  const ones = (n: number): Tensor => ({ shape: [1, 1, n], data: new Float32Array(n).fill(1) });

  /** y[o] in the spec's acceptance set of window o, whose exact value is hand[o] (NaN: a NaN). */
  async function forwardByHand(spec: ReducerPoolSpec, x: number[], hand: number[]): Promise<Float32Array> {
    const k = spec.kernel[0]!;
    const decl = BUILTIN_REDUCERS[spec.kind as keyof typeof BUILTIN_REDUCERS];
    const y = (await reducers.forward(spec, row(x))).y.data;
    expect(y.length).toBe(hand.length);
    hand.forEach((want, o) => {
      const a = reducerAcceptance(decl, x.slice(o * k, o * k + k), spec.params ?? {});
      // The hand value is the set's exact value (to f64 rounding of the 30-digit value).
      if (Number.isNaN(want)) expect(a.value).toBeNaN();
      else if (!Number.isFinite(want)) expect(a.value).toBe(want);
      else expect(Math.abs(a.value - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -50);
      expect(accepts(a, y[o]!), `${spec.kind} window ${o}: got ${y[o]}, ${describeAcceptance(a)}`).toBe(true);
    });
    return y;
  }

  test('gem: generalized mean, zeros, negatives (GEM.DEF, GEM.SPECIAL) and its gradient (GEM.GRAD)', async () => {
    // p = 2, windows of 2: [1, 7]: √((1 + 49)/2) = √25 = 5; [0, 0]: +0; [2, 2]: 2; [3, −1]: NaN (a negative tap);
    // [+∞, 1]: +∞; [NaN, −1]: NaN.
    const spec = spec1d('gem', 2, { p: 2 });
    const y = await forwardByHand(spec, [1, 7, 0, 0, 2, 2, 3, -1, Infinity, 1, NaN, -1], [5, 0, 2, NaN, Infinity, NaN]);
    expect(Object.is(y[1], 0)).toBe(true);
    // p = 3, window [1, 2]: y = ((1 + 8)/2)^(1/3) = 4.5^(1/3) = 1.65096362444731334193730497620;
    // ∂y/∂v = (1/2)(v/y)^2: 0.183440402716368149104144997356, 0.733761610865472596416579989424.
    const s3 = spec1d('gem', 2, { p: 3 });
    await forwardByHand(s3, [1, 2], [1.6509636244473134]);
    const dx = (await reducers.backward(s3, row([1, 2]), ones(1))).data;
    // GEM.GRAD: |∂|·ρ + 4η, ρ = (1 + κ)²(1 + u)^(5 + |p − 1|)(1 + ρ_y) − 1, ρ_y the relative change of y^(1−p) = y^−2
    // over the forward's interval: ≤ (1 + δ_y)² − 1 with δ_y the interval's relative half-width.
    const a = reducerAcceptance(BUILTIN_REDUCERS.gem, [1, 2], { p: 3 });
    const deltaY = a.kind === 'interval' ? Math.max(a.hi / a.value - 1, 1 - a.lo / a.value) : 0;
    const rhoY = Math.max((1 + deltaY) ** 2 - 1, 1 - (1 - deltaY) ** 2, 1 / (1 - deltaY) ** 2 - 1);
    const rho = (1 + KAPPA_POW) ** 2 * (1 + U32) ** 7 * (1 + rhoY) - 1;
    [0.18344040271636816, 0.7337616108654726].forEach((want, i) => {
      expect(Math.abs(dx[i]! - want), `gem ∂${i}: ${dx[i]}`).toBeLessThanOrEqual(want * rho + 4 * ETA32);
    });
  });

  test('softpool: exponentially weighted mean, −∞ taps weigh 0 (SOFT.DEF, SOFT.SPECIAL) and SOFT.GRAD', async () => {
    // [0, 1]: (0·1 + 1·e)/(1 + e) = e/(1 + e) = 0.731058578630004879251159241822; [1, 1]: 1; [−∞, 5]: 5;
    // [−∞, −∞]: −∞; [NaN, 1]: NaN; [+∞, 1]: +∞.
    const spec = spec1d('softpool', 2);
    const x = [0, 1, 1, 1, -Infinity, 5, -Infinity, -Infinity, NaN, 1, Infinity, 1];
    await forwardByHand(spec, x, [0.7310585786300049, 1, 5, -Infinity, NaN, Infinity]);
    // ∂y/∂v_r = p_r(1 + v_r − y), p = (1, e)/(1 + e): p_0·(1 − y) = 0.0723294881285132682114160245922,
    // p_1·(2 − y) = 0.927670511871486731788583975408 (they sum to 1: shift-equivariance).
    const dx = (await reducers.backward(spec, row([0, 1]), ones(1))).data;
    // SOFT.GRAD's bound, with k = 1 (one rounding for v − m), W = 1 + e^−1, H the forward's half-width.
    const v = [0, 1];
    const y = Math.E / (1 + Math.E);
    const w = v.map((t) => Math.exp(t - 1));
    const W = w[0]! + w[1]!;
    const errW = v.map((t) => weightError(t - 1, 1, false));
    const EW = (errW[0]! + errW[1]!) * (1 + gamma(1)) + gamma(1) * W;
    const a = reducerAcceptance(BUILTIN_REDUCERS.softpool, v, {});
    const H = a.kind === 'interval' ? Math.max(a.hi - a.value, a.value - a.lo) : 0;
    [0.07232948812851327, 0.9276705118714867].forEach((want, r) => {
      const p = w[r]! / W;
      const q = 1 + v[r]! - y;
      const ep = (errW[r]! + p * EW) / (W - EW) * (1 + U32) + U32 * p + ETA32;
      const eq = H * (1 + U32) + gamma(2) * (1 + Math.abs(v[r]!) + Math.abs(y) + H);
      const bound = ep * (Math.abs(q) + eq) + p * eq + U32 * (p + ep) * (Math.abs(q) + eq) + ETA32;
      expect(Math.abs(dx[r]! - want), `softpool ∂${r}: ${dx[r]}`).toBeLessThanOrEqual(bound);
    });
  });

  test('lse: smooth maximum with temperature r, −∞ taps count in n (LSE.DEF, LSE.SPECIAL) and LSE.GRAD', async () => {
    // r = 1: [0, 1]: 1 + ln((e^−1 + 1)/2) = ln((1 + e)/2) = 0.620114506958277524631763373510; [2, 2]: 2;
    // [−∞, 3]: 3 + ln(1/2) = 2.30685281944005469058276787854; [−∞, −∞]: −∞; [+∞, 0]: +∞; [NaN, 0]: NaN.
    await forwardByHand(spec1d('lse', 2, { r: 1 }), [0, 1, 2, 2, -Infinity, 3, -Infinity, -Infinity, Infinity, 0, NaN, 0],
      [0.6201145069582775, 2, 2.3068528194400546, -Infinity, Infinity, NaN]);
    // r = 2: [0, 1]: 1 + ln((e^−2 + 1)/2)/2 = 0.716890415241513593513247342450; ∂ = w/S = (e^−2, 1)/(1 + e^−2):
    // 0.119202922022117555940270858698, 0.880797077977882444059729141302.
    const spec = spec1d('lse', 2, { r: 2 });
    await forwardByHand(spec, [0, 1], [0.7168904152415136]);
    const dx = (await reducers.backward(spec, row([0, 1]), ones(1))).data;
    // LSE.GRAD: (err_w + p·E_S)/(S − E_S)·(1 + u) + u·p + η, k = 2 (x − m, then the product by r).
    const d = [-2, 0];
    const w = d.map(Math.exp);
    const S = w[0]! + w[1]!;
    const errW = d.map((t) => weightError(t, 2, false));
    const ES = (errW[0]! + errW[1]!) * (1 + gamma(1)) + gamma(1) * S;
    [0.11920292202211756, 0.8807970779778824].forEach((want, r) => {
      const p = w[r]! / S;
      const bound = (errW[r]! + p * ES) / (S - ES) * (1 + U32) + U32 * p + ETA32;
      expect(Math.abs(dx[r]! - want), `lse ∂${r}: ${dx[r]}`).toBeLessThanOrEqual(bound);
    });
  });

  test('median: the lower median, ties in scan order, −0 kept, first NaN (MEDIAN.SELECT) and MEDIAN.GRAD', async () => {
    // Windows of 3: [3, 1, 2] → 2; [5, 5, 4] → sorted 4, 5 (first), 5 → 5; [+0, −0, 1] → +0 and −0 are equal,
    // kept in scan order: +0, −0, 1 → rank 1 is −0; [−∞, +∞, 0] → 0; [1, NaN, 2] → NaN.
    const spec = spec1d('median', 3);
    const x = [3, 1, 2, 5, 5, 4, 0, -0, 1, -Infinity, Infinity, 0, 1, NaN, 2];
    const y = await forwardByHand(spec, x, [2, 5, -0, 0, NaN]);
    expect(Object.is(y[2], -0)).toBe(true);
    // Gradient: dy whole to the selected tap: positions 2 (the 2), 3 (the first 5), 7 (−0), 11 (0), 13 (NaN).
    const dy = { shape: [1, 1, 5], data: Float32Array.of(10, 20, 30, 40, 50) };
    const dx = (await reducers.backward(spec, row(x), dy)).data;
    const want = new Array<number>(15).fill(0);
    want[2] = 10; want[3] = 20; want[7] = 30; want[11] = 40; want[13] = 50;
    expect(Array.from(dx)).toEqual(want);
    // Even n, window of 4: [4, 1, 3, 2] → sorted 1, 2, 3, 4 → rank ⌊3/2⌋ = 1 → 2; overlapping windows (stride 1
    // over [4, 1, 3, 2, 0]: windows [4, 1, 3, 2] → 2 and [1, 3, 2, 0] → 1) route to positions 3 and 1 (gather).
    const over: ReducerPoolSpec = { ...spec1d('median', 4), strides: [1] };
    expect(Array.from((await reducers.forward(over, row([4, 1, 3, 2, 0]))).y.data)).toEqual([2, 1]);
    const dxo = (await reducers.backward(over, row([4, 1, 3, 2, 0]), { shape: [1, 1, 2], data: Float32Array.of(1, 2) })).data;
    expect(Array.from(dxo)).toEqual([0, 2, 0, 1, 0]);
  });

  test('median: supports() declines a window beyond MEDIAN_MAX_TAPS in-bounds taps, and only that', () => {
    const big: ReducerPoolSpec = { kind: 'median', kernel: [9, 8], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false };
    const r = reducers.supports(big, [1, 1, 9, 8]);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(new RegExp(`up to ${MEDIAN_MAX_TAPS} in-bounds taps.*has 72`));
    // Padding on the right: 9 × 7 = 63 in-bounds taps at most, within the bound.
    const padded: ReducerPoolSpec = { ...big, pads: [0, 1, 0, 1] };
    expect(maxWindowTaps(poolGeometry({ ...padded, kind: 'sum', countIncludePad: false }, [1, 1, 9, 7]))).toBe(63);
    expect(reducers.supports(padded, [1, 1, 9, 7]).ok).toBe(true);
    // Other kinds have no such bound.
    expect(reducers.supports({ ...big, kind: 'mixed', params: { lambda: 0.5 } }, [1, 1, 9, 8]).ok).toBe(true);
  });

  test('mixed: λ·max + (1 − λ)·avg (MIXED.DEF, MIXED.SPECIAL) and MIXED.GRAD', async () => {
    // λ = 0.25: [1, 3] → 0.25·3 + 0.75·2 = 2.25 (every step exact); [+∞, 1] → +∞; [+∞, −∞] → NaN; [−∞, 1] → −∞.
    const spec = spec1d('mixed', 2, { lambda: 0.25 });
    const y = await forwardByHand(spec, [1, 3, Infinity, 1, Infinity, -Infinity, -Infinity, 1], [2.25, Infinity, NaN, -Infinity]);
    expect(y[0]).toBe(2.25);
    // λ = 1 is the max to the bit: [−0, −0] → −0 (MAX.TIES: the first); λ = 0 the average: [1, 2] → 1.5.
    expect(Object.is((await reducers.forward(spec1d('mixed', 2, { lambda: 1 }), row([-0, -0]))).y.data[0], -0)).toBe(true);
    expect((await reducers.forward(spec1d('mixed', 2, { lambda: 0 }), row([1, 2]))).y.data[0]).toBe(1.5);
    // ∂ = λ·[the max's tap] + (1 − λ)/n: [1, 3] → 0.375, 0.625: fl(1 − λ) = 0.75, fl(1/2), their product and the
    // sum with λ are all exact, so MIXED.GRAD's γ_5|∂| + 2η leaves nothing to round: compared exactly.
    const dx = (await reducers.backward(spec, row([1, 3]), ones(1))).data;
    expect(Array.from(dx)).toEqual([0.375, 0.625]);
    // Overlapping windows (gather): kernel 2, stride 1 over [1, 3, 2]: windows [1, 3] (max 3) and [3, 2] (max 3):
    // dx = [0.375, 0.625 + 0.625, 0.375] = [0.375, 1.25, 0.375].
    const over: ReducerPoolSpec = { ...spec, strides: [1] };
    const dxo = (await reducers.backward(over, row([1, 3, 2]), ones(2))).data;
    expect(Array.from(dxo)).toEqual([0.375, 1.25, 0.375]);
  });

  test('the research kinds in channels_last give the channels_first values (INV.LAYOUT), rank 2', async () => {
    const shape = [1, 2, 4, 4];
    const x = ramp(shape, 3);
    for (let i = 0; i < x.data.length; i++) x.data[i] = Math.abs(x.data[i]!) / 100; // gem's domain: v ≥ 0
    const last: Tensor = { shape: [1, 4, 4, 2], data: new Float32Array(32), layout: 'channels_last' };
    for (let c = 0; c < 2; c++) for (let q = 0; q < 16; q++) last.data[q * 2 + c] = x.data[c * 16 + q]!;
    for (const [kind, params] of [['gem', { p: 3 }], ['softpool', undefined], ['lse', { r: 0.5 }], ['median', undefined], ['mixed', { lambda: 0.75 }]] as const) {
      const spec: ReducerPoolSpec = { kind, kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, ...(params ? { params } : {}) };
      const a = (await reducers.forward(spec, x)).y.data;
      const b = (await reducers.forward(spec, last)).y.data;
      for (let c = 0; c < 2; c++) for (let q = 0; q < 4; q++) expect(b[q * 2 + c], kind).toBe(a[c * 4 + q]);
    }
  });

  test('stochastic: STOCH.RNG draws, STOCH.SELECT in training (with indices), STOCH.INFER, and routing', async () => {
    // STOCH.RNG's vectors (SPEC.md): seed 7, (n, c, o) = (1, 2, 3) gives U = 9575784, u = U/2^24 = 0.5707612037...;
    // seed 0, (0, 0, 0) gives U = 3661175, u = 0.2182230353....
    // x [2, 3, 8], kernel = stride = 2: output o = 3 of plane (1, 2) is the window of plane positions 6 and 7.
    const x: Tensor = { shape: [2, 3, 8], data: new Float32Array(48).fill(1) };
    const at = (n: number, c: number, q: number): number => (n * 3 + c) * 8 + q;
    const train = (seed: number): ReducerPoolSpec => ({ ...spec1d('stochastic', 2, { training: 1, seed }) });
    // Taps [1, 1]: S = 2, u·S = 1.1415: ĉ_1 = 1 is not above it, ĉ_2 = 2 is: position 7.
    let r = await reducers.forward(train(7), x);
    expect(r.indices![(1 * 3 + 2) * 4 + 3]).toBe(7);
    // Taps [3, 1]: S = 4, u·S = 2.2830: ĉ_1 = 3 is above it: position 6, y = 3.
    x.data[at(1, 2, 6)] = 3;
    r = await reducers.forward(train(7), x);
    expect(r.indices![(1 * 3 + 2) * 4 + 3]).toBe(6);
    expect(r.y.data[(1 * 3 + 2) * 4 + 3]).toBe(3);
    // Seed 0, output (0, 0, 0), taps [0, 0]: S = 0 picks tap ⌊U·k/2^24⌋ = ⌊0.4364⌋ = 0, position 0, y = +0;
    // taps [1, 3] there: u·S = 0.8729 < ĉ_1 = 1: position 0, y = 1.
    x.data[0] = 0; x.data[1] = 0;
    r = await reducers.forward(train(0), x);
    expect(r.indices![0]).toBe(0);
    expect(Object.is(r.y.data[0], 0)).toBe(true);
    x.data[0] = 1; x.data[1] = 3;
    r = await reducers.forward(train(0), x);
    expect([r.indices![0], r.y.data[0]]).toEqual([0, 1]);
    // Training backward routes dy whole to the selected tap (STOCH.GRAD): here position 0 of plane (0, 0).
    const dy: Tensor = { shape: [2, 3, 4], data: new Float32Array(24) };
    dy.data[0] = 5;
    const dx = (await reducers.backward(train(0), x, dy)).data;
    expect(dx[0]).toBe(5);
    expect(dx[1]).toBe(0);
    // Inference (STOCH.INFER): [1, 3] → (1 + 9)/(1 + 3) = 2.5; [0, 0] → +0; [2, −1] → NaN; [+∞, 1] → +∞.
    const infer = spec1d('stochastic', 2, { training: 0, seed: 0 });
    const y = (await reducers.forward(infer, row([1, 3, 0, 0, 2, -1, Infinity, 1]))).y.data;
    expect(Array.from(y)).toEqual([2.5, 0, NaN, Infinity]);
    // ∂y/∂v = (2v − y)/S: [1, 3] → (2 − 2.5)/4 = −0.125, (6 − 2.5)/4 = 0.875 (exact here).
    expect(Array.from((await reducers.backward(infer, row([1, 3]), ones(1))).data)).toEqual([-0.125, 0.875]);
  });

  test('stochastic on tiny windows: scaled so that Q, the division and TwoProd stay out of the subnormals', async () => {
    // Inference, one tap v: y = v²/v = v exactly, judged by STOCH.INFER_ACC's set. v = 7.229691839652008e-21
    // (≈ 2^−67, the 2^64 path) is lavapipe's shrunk counterexample: v² = 5.2e−41 is subnormal, and without the
    // scaling the result was 7.229496353608807e-21, outside the set. 2^−100 takes the 2^128 path; 1 takes none.
    const infer = spec1d('stochastic', 1, { training: 0, seed: 0 });
    const taps = [7.229691839652008e-21, 2 ** -100, 1];
    const y = (await reducers.forward(infer, row(taps))).y.data;
    taps.forEach((v, o) => {
      const a = reducerAcceptance(STOCHASTIC, [v], { training: 0, seed: 0 });
      expect(a.value).toBe(v);
      expect(accepts(a, y[o]!), `v = ${v}: got ${y[o]}, ${describeAcceptance(a)}`).toBe(true);
    });
    expect(accepts(reducerAcceptance(STOCHASTIC, [taps[0]!], { training: 0, seed: 0 }), 7.229496353608807e-21)).toBe(false);
    // Training, one tap S = 2^−149: u·S < ĉ_1 = S for every u < 1, so the tap is selected (index 0) whatever the
    // draw; TwoProd's error term underflowed without the 2^100 scaling and no tap was chosen (index −1). Only on a
    // device that keeps subnormals (lavapipe in CI); a flushing one reads S as 0.
    if (gpu.flushesSubnormals() === false) {
      const train = spec1d('stochastic', 1, { training: 1, seed: 0 });
      const r = await reducers.forward(train, { shape: [2, 2, 2], data: Float32Array.of(0, 0, 0, 0, 0, 0, 2 ** -149, 0) });
      expect(r.indices![6]).toBe(0);
      expect(r.y.data[6]).toBe(2 ** -149);
    }
  });

  test('stats: mean and population deviation per (n, c), [N, 2C] (STATS.DEF, STATS.SPECIAL) and STATS.GRAD', async () => {
    // x [1, 3, 4]: channel 0 [1, 2, 3, 4]: μ = 2.5, σ = √((1.5² + 0.5² + 0.5² + 1.5²)/4) = √1.25 =
    // 1.11803398874989484820458683437; channel 1 [5, 5, 5, 5]: μ = 5, σ = 0; channel 2 [1, +∞, 2, 3]: μ = +∞,
    // σ = NaN (x − μ is ∞ − ∞). y = [2.5, 5, +∞, 1.118…, 0, NaN].
    const spec = { kind: 'stats' as const };
    const x: Tensor = { shape: [1, 3, 4], data: Float32Array.of(1, 2, 3, 4, 5, 5, 5, 5, 1, Infinity, 2, 3) };
    const hand = [2.5, 5, Infinity, 1.1180339887498949, 0, NaN];
    const ref = referenceStatsForward(spec, x).acceptance;
    const check = (y: Float32Array, what: string): void => {
      hand.forEach((want, i) => {
        if (Number.isNaN(want)) expect(ref[i]!.value).toBeNaN();
        else expect(ref[i]!.value).toBe(want);
        expect(accepts(ref[i]!, y[i]!), `${what} y[${i}] = ${y[i]}, ${describeAcceptance(ref[i]!)}`).toBe(true);
      });
    };
    const y = (await statistics.forward(spec, x)).y;
    expect(y.shape).toEqual([1, 6]);
    check(y.data, 'channels_first');
    // channels_last: the same planes interleaved give the same y.
    const last: Tensor = { shape: [1, 4, 3], data: new Float32Array(12), layout: 'channels_last' };
    for (let c = 0; c < 3; c++) for (let t = 0; t < 4; t++) last.data[t * 3 + c] = x.data[c * 4 + t]!;
    check((await statistics.forward(spec, last)).y.data, 'channels_last');
    // Gradient, finite planes only (channel 2 unconstrained): dy = [dμ 1, 2, 0 | dσ 1, 3, 0]. Channel 0:
    // dx_t = 1/4 + (x_t − 2.5)/(4·√1.25) = 0.25 + (x_t − 2.5)/4.47213595499957939281834733746:
    // −0.0854101966249684544613760503, 0.138196601125010515179541316563, 0.361803398874989484820458683437,
    // 0.585410196624968454461376050311. Channel 1 (σ = 0: the σ term is 0): 2/4 = 0.5 each.
    const dy: Tensor = { shape: [1, 6], data: Float32Array.of(1, 2, 0, 1, 3, 0) };
    const dx = (await statistics.backward(spec, x, dy)).data;
    const grad = referenceStatsGradient(spec, x, dy);
    const handDx = [-0.08541019662496845, 0.13819660112501053, 0.3618033988749895, 0.5854101966249685, 0.5, 0.5, 0.5, 0.5];
    handDx.forEach((want, i) => {
      expect(Math.abs(grad[i]!.value - want)).toBeLessThanOrEqual(2 ** -50);
      expect(accepts(grad[i]!, dx[i]!), `dx[${i}] = ${dx[i]}, ${describeAcceptance(grad[i]!)}`).toBe(true);
    });
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
