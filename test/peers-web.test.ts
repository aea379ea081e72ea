/**
 * The web runtimes as peers (kernels/peers/): onnxruntime-web (its wasm execution provider), tfjs-webgpu
 * (@tensorflow/tfjs-backend-webgpu on Dawn, the adapter poolspec's own webgpu backend uses) and
 * onnxruntime-web-webgpu (ORT Web's WebGPU EP in headless Chromium, kernels/peers/chromium-ort.ts).
 *
 * A peer whose npm package is not installed is skipped with that reason. A peer whose package IS installed must
 * load and run: a load failure fails here (.ci/run relies on it to catch a web runtime that stopped working). The
 * WebGPU peers also need an adapter (tfjs-webgpu) or Chromium (onnxruntime-web-webgpu): without one they are skipped
 * outside CI and fail under CI.
 *
 * What is asserted: hand-worked cases (the Global*Pool models among them), `supports()` reasons, the indices
 * variant, and the outcome of the verifier's differential properties under each library's policy — a pass, or the
 * library's known deviation recognised in the shrunk counterexample (reports/ecosystem-readings.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, test } from 'vitest';
import type { Layout, PoolSpec, PoolingBackend, Tensor } from '../spec/contract.js';
import { FORWARD_ONLY } from '../kernels/peers/common.js';
import { PEER_BACKENDS } from '../kernels/peers/index.js';
import type { OnnxSessionBackend } from '../kernels/peers/onnx-session.js';
import type { TfjsBackend } from '../kernels/peers/tfjs.js';
import { nodeGpu } from '../kernels/webgpu/node.js';
import { isDeviceBackend } from '../spec/extensions.js';
import { resolvePolicy } from '../spec/policy.js';
import { findProperty } from '../spec/properties/index.js';
import { runProperty } from '../spec/verifier.js';
import { webgpuSkipReason } from './helpers/webgpu-availability.js';

const SEED = 20261123;
const RUNS = 100;

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** The peer, created once, or the reason it is skipped (package absent). A broken installed package throws. */
async function load(name: string, pkgs: readonly string[], make: () => Promise<PoolingBackend>): Promise<PoolingBackend | string> {
  const missing = pkgs.filter((p) => !installed(p));
  if (missing.length > 0) return `not installed: npm install ${missing.join(' ')}`;
  return make();
}

const entry = (name: string): (typeof PEER_BACKENDS)[number] => PEER_BACKENDS.find((e) => e.name === name)!;
const ortWeb = await load('onnxruntime-web', ['onnxruntime-web', 'onnx-proto'], () => entry('onnxruntime-web').create());
const ortWebIdx = typeof ortWeb === 'string' ? ortWeb
  : await (await import('../kernels/peers/onnxruntime-web.js')).createOrtWebBackend({ indices: true });
// tfjs-webgpu needs a WebGPU adapter: without one it is skipped outside CI and fails under CI (the rule of every
// WebGPU test, test/helpers/webgpu-availability.ts); the probe is poolspec's own adapter request.
const noAdapter = await webgpuSkipReason('test/peers-web.test.ts (tfjs-webgpu)', async () => {
  if ((await (await nodeGpu()).requestAdapter()) === null) throw new Error('requestAdapter() returned null (no WebGPU adapter on this machine)');
});
const tfWebgpu = noAdapter !== undefined ? noAdapter
  : await load('tfjs-webgpu', ['@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-core', '@tensorflow/tfjs', 'webgpu'], () => entry('tfjs-webgpu').create());

// Chromium is a system package (.ci/run installs it): without it the peer is skipped here, except in CI.
const CHROMIUM = process.env.POOLSPEC_CHROMIUM ?? '/usr/bin/chromium';
const ortWebGpu = !existsSync(CHROMIUM) && !process.env['CI'] ? `no Chromium at ${CHROMIUM} (apt-get install chromium)`
  : await load('onnxruntime-web-webgpu', ['onnxruntime-web', 'onnx-proto', 'playwright-core'], () => entry('onnxruntime-web-webgpu').create());

afterAll(async () => {
  for (const b of [ortWeb, ortWebIdx, tfWebgpu, ortWebGpu]) if (typeof b !== 'string') await b.dispose?.();
});

const skip = (b: PoolingBackend | string): boolean => typeof b === 'string';
const title = (name: string, b: PoolingBackend | string): string => (typeof b === 'string' ? `${name} (skipped: ${b})` : name);
function get<T extends PoolingBackend = PoolingBackend>(b: PoolingBackend | string): T {
  if (typeof b === 'string') throw new Error(b);
  return b as T;
}

function spec2d(kind: 'max' | 'avg', k: number, s: number, pads = [0, 0, 0, 0], extra: Partial<PoolSpec> = {}): PoolSpec {
  return { kind, kernel: [k, k], strides: [s, s], dilations: [1, 1], pads, ceilMode: false, countIncludePad: false, ...extra };
}
function t(shape: number[], data: number[], layout: Layout = 'channels_first'): Tensor {
  return { shape, data: Float32Array.from(data), layout };
}

/** The fields of a shrunk case that the deviations below read (the verifier's JSON-safe form: NaN as "NaN"). */
interface Shrunk {
  readonly spec: PoolSpec;
  readonly x: { readonly data: { readonly Float32Array: readonly (number | string)[] } };
}
const xValues = (c: Shrunk): number[] => c.x.data.Float32Array.map(Number);
interface Deviation { readonly cause: string; readonly shows: (c: Shrunk, got: number) => boolean }
const FLT_MAX = (2 - 2 ** -23) * 2 ** 127;
const FLT_MIN = 2 ** -126;
const padded = (s: PoolSpec): boolean => s.pads.some((p) => p > 0);
const DEVIATIONS = {
  ortMaxLastTie: {
    cause: 'ort-max-last-tie (MLAS max keeps the last of equal taps: ±0)',
    shows: (c, got) => c.spec.kind === 'max' && got === 0 && xValues(c).some((v) => Object.is(v, -0)),
  },
  ortMaxNan: {
    cause: 'ort-max-nan (MLAS max pooling replaces NaN by −FLT_MAX)',
    shows: (c, got) => c.spec.kind === 'max' && xValues(c).some(Number.isNaN) && got === -FLT_MAX,
  },
  ortLpRoot: {
    cause: 'ort-lp-root-exponent (the root is taken as pow(y, float32(1/p)))',
    shows: (c) => c.spec.kind === 'lp' && c.spec.p !== undefined && Math.fround(1 / c.spec.p) !== 1 / c.spec.p,
  },
  ortWebGpuMaxFlush: {
    cause: 'ort-webgpu-max-flushes-subnormals (its WGSL max() on a device that flushes: ACC.MAX allows no flush)',
    shows: (c, got) => c.spec.kind === 'max' && got === 0 && xValues(c).some((v) => v !== 0 && Math.abs(v) < FLT_MIN),
  },
  webgpuMaxFlush: {
    cause: 'tfjs-webgpu-max-flushes-subnormals (WGSL max() on a device that flushes: ACC.MAX allows no flush)',
    shows: (c, got) => c.spec.kind === 'max' && got === 0 && xValues(c).some((v) => v !== 0 && Math.abs(v) < FLT_MIN),
  },
  avgGradDivisor: {
    cause: 'tfjs-avg-grad-divisor (the avg gradient divides by the full window where the forward excludes padding)',
    shows: (c) => c.spec.kind === 'avg' && !c.spec.countIncludePad && padded(c.spec),
  },
} satisfies Record<string, Deviation>;

async function expectProperty(b: PoolingBackend, entryName: string, id: string, expected: 'pass' | Deviation): Promise<void> {
  const prop = findProperty(id)!;
  const o = await runProperty(prop, b, resolvePolicy(entry(entryName).policy), RUNS, SEED);
  const detail = o.failure ? ` — ${o.failure.message}\n    counterexample: ${JSON.stringify(o.failure.counterexample)}` : '';
  if (expected === 'pass') {
    expect(o.status, `${b.name} · ${id}${detail}`).toBe('pass');
    expect(o.cases).toBeGreaterThan(0);
    return;
  }
  expect(o.status, `${b.name} · ${id} should find ${expected.cause}`).toBe('fail');
  expect(expected.shows(o.failure!.counterexample as Shrunk, Number(o.failure!.mismatch?.got)), `${b.name} · ${id}: not ${expected.cause}${detail}`).toBe(true);
}

describe.skipIf(skip(ortWeb))(title('onnxruntime-web', ortWeb), () => {
  test('hand-worked max, avg (count_include_pad), lp; channels_last', async () => {
    const b = get(ortWeb);
    const x = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from((await b.forward(spec2d('max', 2, 1), x)).y.data)).toEqual([5, 6, 8, 9]);
    const ones = t([1, 1, 3, 3], Array<number>(9).fill(1));
    const cip = await b.forward(spec2d('avg', 3, 1, [1, 1, 1, 1], { countIncludePad: true }), ones);
    expect(cip.y.data[0]).toBe(Math.fround(4 / 9));
    expect(cip.y.data[4]).toBe(1);
    const lp: PoolSpec = { kind: 'lp', p: 2, kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    expect(Array.from((await b.forward(lp, t([1, 1, 4], [3, -4, 0, -5]))).y.data)).toEqual([5, 5]);
    const yl = await b.forward(spec2d('max', 2, 1), t([1, 2, 2, 2], [1, -1, 2, -2, 3, -3, 4, -4], 'channels_last'));
    expect(yl.y.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(yl.y.data)).toEqual([4, -1]);
  });

  test('a global case runs GlobalMaxPool / GlobalAveragePool / GlobalLpPool', async () => {
    const b = get<OnnxSessionBackend>(ortWeb);
    const x = t([1, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -4]);
    const g = spec2d('max', 2, 1);
    expect(b.describe(g, x.shape)).toMatch(/^GlobalMaxPool-22/);
    expect(Array.from((await b.forward(g, x)).y.data)).toEqual([4, -1]);
    expect(b.describe({ ...g, kind: 'avg' }, x.shape)).toMatch(/^GlobalAveragePool-22/);
    expect(Array.from((await b.forward({ ...g, kind: 'avg' }, x)).y.data)).toEqual([2.5, -2.5]);
    const lp: PoolSpec = { ...g, kind: 'lp', p: 1 };
    expect(b.describe(lp, x.shape)).toMatch(/^GlobalLpPool-18\(p=1\)/);
    expect(Array.from((await b.forward(lp, x)).y.data)).toEqual([10, 10]);
    // A padded window over the whole input is not global: the windowed op.
    expect(b.describe(spec2d('max', 2, 1, [1, 1, 1, 1]), [1, 1, 2, 2])).toMatch(/^MaxPool-22/);
  });

  test('indices variant: ONNX flat N·C·spatial indices become plane indices (MAX.INDEX)', async () => {
    const b = get(ortWebIdx);
    const spec: PoolSpec = { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    const r = await b.forward(spec, t([2, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]));
    expect(Array.from(r.y.data)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(Array.from(r.indices!)).toEqual([1, 3, 1, 3, 1, 3, 1, 3]);
  });

  test('supports() declines what ONNX / ORT cannot express; backward is refused as forward-only', async () => {
    const b = get<OnnxSessionBackend>(ortWeb);
    const reason = (spec: PoolSpec, shape: number[]): string => {
      const s = b.supports(spec, shape);
      return s.ok ? 'accepted' : s.reason;
    };
    expect(reason({ ...spec2d('max', 2, 1), kind: 'sum' }, [1, 1, 4, 4])).toMatch(/no sum pooling/);
    expect(reason(spec2d('avg', 2, 1, [0, 0, 0, 0], { divisorOverride: 2 }), [1, 1, 4, 4])).toMatch(/divisor override/);
    expect(reason({ ...spec2d('max', 2, 1, [2, 0, 0, 0]), dilations: [2, 1] }, [1, 1, 4, 4])).toMatch(/pad < kernel/);
    const spec = spec2d('max', 2, 1);
    expect(b.supportsBackward(spec, [1, 1, 2, 2])).toMatchObject({ ok: false });
    await expect(b.backward(spec, t([1, 1, 2, 2], [1, 2, 3, 4]), t([1, 1, 1, 1], [1]))).rejects.toThrow(FORWARD_ONLY);
  });

  test('verifier differential properties under its policy: each passes or finds its known deviation', async () => {
    const b = get(ortWeb);
    await expectProperty(b, 'onnxruntime-web', 'diff.forward.max', DEVIATIONS.ortMaxLastTie);
    await expectProperty(b, 'onnxruntime-web', 'diff.forward.avg', 'pass');
    await expectProperty(b, 'onnxruntime-web', 'diff.forward.lp', DEVIATIONS.ortLpRoot);
  });
});

describe.skipIf(skip(tfWebgpu))(title('tfjs-webgpu', tfWebgpu), () => {
  test('is a DeviceBackend: it names its adapter and times copies on its own GPUDevice (the bench\'s % copy)', async () => {
    const b = get(tfWebgpu);
    expect(isDeviceBackend(b)).toBe(true);
    if (!isDeviceBackend(b)) return;
    expect(await b.describeDevice()).toMatch(/^tfjs-webgpu's device on \S/);
    const p = await b.measureCopy(2 ** 20, 3);
    expect({ bufferBytes: p.bufferBytes, bytesPerPass: p.bytesPerPass, passes: p.passesMs.length }).toEqual({ bufferBytes: 2 ** 20, bytesPerPass: 2 ** 21, passes: 3 });
    expect(p.passesMs.every((ms) => ms > 0 && Number.isFinite(ms))).toBe(true);
  });

  test('hand-worked 2-D max and avg (padding excluded), both layouts, and 3-D', async () => {
    const b = get(tfWebgpu);
    const x = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from((await b.forward(spec2d('max', 2, 1), x)).y.data)).toEqual([5, 6, 8, 9]);
    expect(Array.from((await b.forward(spec2d('avg', 2, 1), x)).y.data)).toEqual([3, 4, 6, 7]);
    expect(Array.from((await b.forward(spec2d('avg', 2, 1, [0, 0, 1, 1]), t([1, 1, 2, 2], [1, 2, 3, 4]))).y.data)).toEqual([2.5, 3, 3.5, 4]);
    const yl = await b.forward(spec2d('max', 2, 1), t([1, 2, 2, 2], [1, -1, 2, -2, 3, -3, 4, -4], 'channels_last'));
    expect(yl.y.layout).toBe('channels_last');
    expect(Array.from(yl.y.data)).toEqual([4, -1]);
    const s3: PoolSpec = { kind: 'max', kernel: [2, 2, 2], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false, countIncludePad: false };
    const x3 = t([1, 1, 2, 2, 3], [...Array(12).keys()].map((v) => v + 1));
    expect(Array.from((await b.forward(s3, x3)).y.data)).toEqual([11, 12]);
    expect(Array.from((await b.forward({ ...s3, kind: 'avg' }, x3)).y.data)).toEqual([6, 7]);
  });

  test('backward through tf.grad: max routes to the maximum, avg spreads dy/4 (no padding)', async () => {
    const b = get(tfWebgpu);
    const x = t([1, 1, 2, 2], [1, 4, 3, 2]);
    expect(Array.from((await b.backward(spec2d('max', 2, 2), x, t([1, 1, 1, 1], [8]))).data)).toEqual([0, 8, 0, 0]);
    expect(Array.from((await b.backward(spec2d('avg', 2, 2), x, t([1, 1, 1, 1], [8]))).data)).toEqual([2, 2, 2, 2]);
  });

  test('max windows start from −1e20, not −∞: a window below −1e20 returns −1e20 (pool_webgpu.ts)', async () => {
    const b = get(tfWebgpu);
    // k2 s1 on 3×3 (not a global window, which tfjs-webgpu computes as a reduction instead).
    const y = await b.forward(spec2d('max', 2, 1), t([1, 1, 3, 3], Array<number>(9).fill(-1e30)));
    // SPEC.md MAX.SELECT wants −1e30 (as float32); tfjs-webgpu's initial value, −1.0 / pow(10.0, −20.0) in f32
    // (pow is not correctly rounded in WGSL, hence a relative check), wins every comparison.
    for (const v of y.y.data) expect(v / -1e20).toBeCloseTo(1, 5);
  });

  test('the op alone (prepare) waits for the GPU queue and leaks no tensor', async () => {
    const b = get<TfjsBackend>(tfWebgpu);
    const spec = spec2d('max', 2, 2);
    const x = t([1, 2, 4, 4], [...Array(32).keys()]);
    await b.forward(spec, x);
    const before = b.liveTensors();
    const prepared = await b.prepare(spec, x);
    for (let i = 0; i < 20; i++) await prepared.run();
    await prepared.dispose();
    for (let i = 0; i < 20; i++) await b.forward(spec, x);
    expect(b.liveTensors()).toBe(before);
  });

  test('verifier differential properties under its policy: each passes or finds its known deviation', async () => {
    const b = get(tfWebgpu);
    await expectProperty(b, 'tfjs-webgpu', 'diff.forward.max', DEVIATIONS.webgpuMaxFlush);
    await expectProperty(b, 'tfjs-webgpu', 'diff.forward.avg', 'pass');
    await expectProperty(b, 'tfjs-webgpu', 'diff.backward.avg', DEVIATIONS.avgGradDivisor);
  });
});

describe.skipIf(skip(ortWebGpu))(title('onnxruntime-web-webgpu', ortWebGpu), () => {
  test('hand-worked max and avg on the WebGPU EP; the ops are capped at opset 21, where its kernels are', async () => {
    const b = get<OnnxSessionBackend>(ortWebGpu);
    const x = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(b.describe(spec2d('max', 2, 1), x.shape)).toMatch(/^MaxPool-21\(/);
    expect(Array.from((await b.forward(spec2d('max', 2, 1), x)).y.data)).toEqual([5, 6, 8, 9]);
    // count_include_pad over ones: the corner window holds 4 of its 9 taps → 4/9; the centre window 9/9.
    const ones = t([1, 1, 3, 3], Array<number>(9).fill(1));
    const cip = await b.forward(spec2d('avg', 3, 1, [1, 1, 1, 1], { countIncludePad: true }), ones);
    expect(cip.y.data[0]).toBe(Math.fround(4 / 9));
    expect(cip.y.data[4]).toBe(1);
    // A global case: GlobalMaxPool at opset 21 (22 has no WebGPU kernel in ORT 1.30; the session would fail).
    const g = spec2d('max', 2, 1);
    expect(b.describe(g, [1, 2, 2, 2])).toMatch(/^GlobalMaxPool-21/);
    expect(Array.from((await b.forward(g, t([1, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -4]))).y.data)).toEqual([4, -1]);
  });

  test('data crosses into the page bit for bit: −0, ±∞ limits and the largest float come back from a 1-tap max', async () => {
    const b = get(ortWebGpu);
    // k1 s1: every output is its one tap, so y must be x exactly (the page copies bytes, not numbers).
    const bits = new Uint32Array([0x80000000, 0x7f800000, 0x3f800000, 0x7f7fffff, 0xc0600000]); // −0, +∞, 1, FLT_MAX, −3.5
    const x: Tensor = { shape: [1, 1, 5], data: new Float32Array(bits.buffer), layout: 'channels_first' };
    const spec: PoolSpec = { kind: 'max', kernel: [1], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    const y = (await b.forward(spec, x)).y.data;
    expect(Array.from(new Uint32Array(y.buffer, y.byteOffset, y.length))).toEqual(Array.from(bits));
  });

  test('its WGSL max, as observed (readings ort-webgpu-max-*): NaN dropped, −∞ → −FLT_MAX, 2^−149 → 0, last of ±0', async () => {
    const b = get(ortWebGpu);
    const k = (n: number): PoolSpec => ({ kind: 'max', kernel: [n], strides: [n], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false });
    const show = (a: Float32Array): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));
    const FLT_MAX32 = String(-FLT_MAX);
    // One-tap windows: SPEC wants each tap back (MAX.NAN, MAX.INF, ACC.MAX); the shader starts from −FLT_MAX.
    expect(show((await b.forward(k(1), t([1, 1, 3], [NaN, -Infinity, 2 ** -149]))).y.data)).toEqual([FLT_MAX32, FLT_MAX32, '0']);
    // Two-tap windows [NaN, 1], [−0, 0], [0, −0]: SPEC wants NaN, −0, 0 (MAX.NAN, MAX.TIES).
    expect(show((await b.forward(k(2), t([1, 1, 6], [NaN, 1, -0, 0, 0, -0]))).y.data)).toEqual(['1', '0', '-0']);
  });

  test('supports() declines lp (no WebGPU kernel) and what ORT declines anyway; prepared runs leave y in the page', async () => {
    const b = get<OnnxSessionBackend>(ortWebGpu);
    const lp: PoolSpec = { kind: 'lp', p: 2, kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    expect(b.supports(lp, [1, 1, 4])).toMatchObject({ ok: false, reason: expect.stringMatching(/WebGPU EP has no LpPool/) as unknown });
    expect(b.supports({ ...spec2d('max', 2, 1), kind: 'sum' }, [1, 1, 4, 4])).toMatchObject({ ok: false });
    const prepared = await b.prepare(spec2d('avg', 2, 2), t([1, 1, 2, 2], [1, 2, 3, 4]));
    expect(prepared.outShape).toEqual([1, 1, 1, 1]);
    await prepared.run();
    await prepared.run();
    await prepared.dispose();
  });

  test('verifier differential properties: avg passes; max finds its known deviation', async () => {
    const b = get(ortWebGpu);
    await expectProperty(b, 'onnxruntime-web-webgpu', 'diff.forward.avg', 'pass');
    await expectProperty(b, 'onnxruntime-web-webgpu', 'diff.forward.max', DEVIATIONS.ortWebGpuMaxFlush);
  });
});
