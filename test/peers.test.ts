/**
 * The peer backends (kernels/peers/): TensorFlow.js (cpu, wasm) and ONNX Runtime behind the backend contract.
 * Each peer is an optional dependency: when one is not installed its tests are skipped with the reason.
 *
 * What is asserted: hand-worked cases, the classic cases (2-D max/avg without padding) against the reference's
 * acceptance sets, precise `supports()` reasons, no tensor leak over 10 000 tfjs calls, ORT's session cache, and
 * the outcome of the verifier's differential properties under each library's policy: a pass, or the library's
 * known deviation (reports/results/ecosystem.md, "Findings by cause"), recognised in the shrunk
 * counterexample. A deviation that goes away (a library fixed) or a new one fails here: the findings are stale.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { Layout, PoolSpec, PoolingBackend, Tensor } from '../spec/contract.js';
import { joinShape, product } from '../spec/geometry.js';
import { FORWARD_ONLY, PeerUnavailableError } from '../kernels/peers/common.js';
import { PEER_BACKENDS } from '../kernels/peers/index.js';
import type { OrtBackend } from '../kernels/peers/onnxruntime.js';
import type { TfjsBackend } from '../kernels/peers/tfjs.js';
import { accepts, describeAcceptance } from '../spec/interval.js';
import { resolvePolicy } from '../spec/policy.js';
import { findProperty } from '../spec/properties/index.js';
import { referenceBackward } from '../spec/reference/backward.js';
import { referenceForward } from '../spec/reference/forward.js';
import { runProperty } from '../spec/verifier.js';

const SEED = 20261123;
/** The run count of the ecosystem report; with SEED, each property sees the cases the report's row saw. */
const RUNS = 200;

/** Each peer created once; a string is the reason it is unavailable. */
const peers = new Map<string, PoolingBackend | string>();
function skipReason(name: string): string {
  const b = peers.get(name);
  return typeof b === 'string' ? b : 'loaded';
}
// The web runtimes (onnxruntime-web, tfjs-webgpu, onnxruntime-web-webgpu) have their own file, test/peers-web.test.ts.
const NATIVE_PEERS = new Set(['tfjs-cpu', 'tfjs-wasm', 'onnxruntime']);
for (const entry of PEER_BACKENDS.filter((e) => NATIVE_PEERS.has(e.name))) {
  try {
    peers.set(entry.name, await entry.create());
  } catch (e) {
    peers.set(entry.name, e instanceof PeerUnavailableError ? e.message : `failed to load: ${(e as Error).message}`);
    console.warn(`[peers] ${entry.name} skipped: ${skipReason(entry.name)}`);
  }
}
const variants = new Map<string, PoolingBackend | string>();
async function variant(name: string, make: () => Promise<PoolingBackend>): Promise<void> {
  try {
    variants.set(name, await make());
  } catch (e) {
    variants.set(name, (e as Error).message);
  }
}
if (typeof peers.get('tfjs-cpu') !== 'string') await variant('tfjs-cpu+argmax', async () => (await import('../kernels/peers/tfjs.js')).createTfjsBackend('cpu', { argmax: true }));
if (typeof peers.get('onnxruntime') !== 'string') {
  await variant('onnxruntime+indices', async () => (await import('../kernels/peers/onnxruntime.js')).createOrtBackend({ indices: true }));
  await variant('onnxruntime cache 2', async () => (await import('../kernels/peers/onnxruntime.js')).createOrtBackend({ cacheSize: 2 }));
  await variant('onnxruntime-1t', async () => (await import('../kernels/peers/variants/onnxruntime-1t.js')).default());
}

afterAll(async () => {
  for (const b of [...peers.values(), ...variants.values()]) if (typeof b !== 'string') await b.dispose?.();
});

function get<T extends PoolingBackend = PoolingBackend>(map: Map<string, PoolingBackend | string>, name: string): T {
  const b = map.get(name);
  if (b === undefined || typeof b === 'string') throw new Error(`${name} unavailable: ${b}`);
  return b as T;
}
const unavailable = (name: string): boolean => typeof peers.get(name) === 'string';

function spec2d(kind: 'max' | 'avg', k: number, s: number, pads = [0, 0, 0, 0], extra: Partial<PoolSpec> = {}): PoolSpec {
  return { kind, kernel: [k, k], strides: [s, s], dilations: [1, 1], pads, ceilMode: false, countIncludePad: false, ...extra };
}

function t(shape: number[], data: number[], layout: Layout = 'channels_first'): Tensor {
  return { shape, data: Float32Array.from(data), layout };
}

/** Deterministic distinct-ish values in [−8, 8): a small LCG, no NaN, no ties in practice. */
function lcgData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 16 - 8);
  });
}

/** The classic cases: 2-D, no padding, both layouts, max and avg. */
function classicCases(): { spec: PoolSpec; x: Tensor }[] {
  const out: { spec: PoolSpec; x: Tensor }[] = [];
  let seed = 1;
  for (const kind of ['max', 'avg'] as const) {
    for (const [k, s] of [[2, 2], [3, 1], [3, 2], [1, 1]] as const) {
      for (const layout of ['channels_first', 'channels_last'] as Layout[]) {
        const shape = joinShape(2, 3, [7, 6], layout);
        out.push({ spec: spec2d(kind, k, s), x: { shape, data: lcgData(product(shape), seed++), layout } });
      }
    }
  }
  return out;
}

async function expectForwardAccepted(b: PoolingBackend, policyOf: string, spec: PoolSpec, x: Tensor): Promise<void> {
  expect(b.supports(spec, x.shape, x.layout)).toEqual({ ok: true });
  const policy = resolvePolicy(PEER_BACKENDS.find((e) => e.name === policyOf)?.policy);
  const r = await b.forward(spec, x);
  const ref = referenceForward(spec, x, policy);
  ref.acceptance.forEach((a, i) => {
    if (!accepts(a, r.y.data[i]!)) expect.fail(`${b.name} ${JSON.stringify(spec)} y[${i}] = ${r.y.data[i]}, expected ${describeAcceptance(a)}`);
  });
}

async function expectBackwardAccepted(b: PoolingBackend, spec: PoolSpec, x: Tensor, dy: Tensor): Promise<void> {
  const dx = await b.backward(spec, x, dy);
  const ref = referenceBackward(spec, x, dy, resolvePolicy(undefined));
  ref.acceptance.forEach((a, i) => {
    if (!accepts(a, dx.data[i]!)) expect.fail(`${b.name} ${JSON.stringify(spec)} dx[${i}] = ${dx.data[i]}, expected ${describeAcceptance(a)}`);
  });
}

/** The fields of a shrunk case that the causes below read (the verifier's JSON-safe form: NaN as "NaN"). */
interface Shrunk {
  readonly spec: PoolSpec;
  readonly x: { readonly data: { readonly Float32Array: readonly (number | string)[] } };
}
const xValues = (c: Shrunk): number[] => c.x.data.Float32Array.map(Number);

/** A library's known deviation: its name in the findings, and what its counterexample shows (`got`: the bad value). */
interface Deviation {
  readonly cause: string;
  readonly shows: (c: Shrunk, got: number) => boolean;
}
const FLT_MIN = 2 ** -126;
const FLT_MAX = (2 - 2 ** -23) * 2 ** 127;
const padded = (s: PoolSpec): boolean => s.pads.some((p) => p > 0);
const DEVIATIONS = {
  avgGradDivisor: {
    cause: 'tfjs-avg-grad-divisor (the avg gradient divides by kh·kw where the forward excludes padding)',
    shows: (c) => c.spec.kind === 'avg' && !c.spec.countIncludePad && padded(c.spec),
  },
  fltMinInit: {
    cause: 'tfjs-wasm-fltmin-init (max windows start from FLT_MIN, not −∞)',
    shows: (c, got) => c.spec.kind === 'max' && (got === FLT_MIN || xValues(c).every((v) => v <= FLT_MIN)),
  },
  ortMaxNan: {
    cause: 'ort-max-nan (MLAS max pooling starts from −FLT_MAX: a NaN, or a window of only −∞, gives −FLT_MAX)',
    shows: (c, got) => c.spec.kind === 'max' && xValues(c).some((v) => Number.isNaN(v) || v === -Infinity) && got === -FLT_MAX,
  },
  maxPool3dGrad: {
    cause: 'tfjs-cpu-maxpool3d-grad-position (the 3-D max gradient decodes positions with the wrong extent and keeps the last tie)',
    shows: (c) => c.spec.kind === 'max' && c.spec.kernel.length === 3,
  },
  identityNan: {
    cause: 'tfjs-cpu-identity-nan (a 1×1 max pool is an identity that keeps NaN; the pooling loop ignores it)',
    shows: (c, got) => c.spec.kind === 'max' && c.spec.kernel.every((k) => k === 1) && xValues(c).some(Number.isNaN) && Number.isNaN(got),
  },
  xnnpackAvgNan: {
    cause: 'xnnpack-nan-clamp (XNNPACK pooling clamps a NaN window result to −∞), on avg',
    shows: (c, got) => c.spec.kind === 'avg' && xValues(c).some(Number.isNaN) && got === -Infinity,
  },
  ortMaxLastTie: {
    cause: 'ort-max-last-tie (MLAS max keeps the last of equal taps: ±0)',
    shows: (c, got) => c.spec.kind === 'max' && got === 0 && xValues(c).some((v) => Object.is(v, -0)),
  },
  ortLpRoot: {
    cause: 'ort-lp-root-exponent (the root is taken as pow(y, float32(1/p)))',
    shows: (c) => c.spec.kind === 'lp' && c.spec.p !== undefined && Math.fround(1 / c.spec.p) !== 1 / c.spec.p,
  },
} satisfies Record<string, Deviation>;

/** Runs a verifier property on a peer under its policy: it passes, or it fails with the expected deviation. */
async function expectProperty(b: PoolingBackend, entryName: string, id: string, expected: 'pass' | Deviation): Promise<void> {
  const prop = findProperty(id)!;
  const policy = resolvePolicy(PEER_BACKENDS.find((e) => e.name === entryName)?.policy);
  const o = await runProperty(prop, b, policy, RUNS, SEED);
  const detail = o.failure ? ` — ${o.failure.message}\n    counterexample: ${JSON.stringify(o.failure.counterexample)}` : '';
  console.info(`[peers] ${b.name} · ${id}: ${o.status.toUpperCase()} (${o.cases} checked, ${o.unsupported} declined)${detail}`);
  if (expected === 'pass') {
    expect(o.status, `${b.name} · ${id}${detail}`).toBe('pass');
    expect(o.cases).toBeGreaterThan(0);
    return;
  }
  expect(o.status, `${b.name} · ${id} should find ${expected.cause}`).toBe('fail');
  const got = Number(o.failure!.mismatch?.got);
  expect(expected.shows(o.failure!.counterexample as Shrunk, got), `${b.name} · ${id}: not ${expected.cause}${detail}`).toBe(true);
}

describe('peer availability', () => {
  test('every peer either loads or names the npm package to install', () => {
    for (const [name, b] of peers) {
      if (typeof b === 'string') expect(b, name).toMatch(/is not installed: npm install |failed to load/);
      else expect(b.name).toBe(name);
    }
  });
});

/** Each differential property's outcome on each tfjs flavor under its policy (ecosystem report, Property × backend). */
const TFJS_EXPECTED: Record<'cpu' | 'wasm', Record<string, 'pass' | Deviation>> = {
  cpu: {
    'diff.forward.max': DEVIATIONS.identityNan,
    'diff.forward.avg': 'pass',
    'diff.backward.max': DEVIATIONS.maxPool3dGrad,
    'diff.backward.avg': DEVIATIONS.avgGradDivisor,
  },
  wasm: {
    'diff.forward.max': DEVIATIONS.fltMinInit,
    'diff.forward.avg': DEVIATIONS.xnnpackAvgNan,
    'diff.backward.max': DEVIATIONS.fltMinInit,
    'diff.backward.avg': DEVIATIONS.avgGradDivisor,
  },
};

for (const flavor of ['cpu', 'wasm'] as const) {
  const name = `tfjs-${flavor}`;
  describe.skipIf(unavailable(name))(`${name}${unavailable(name) ? ` (skipped: ${skipReason(name)})` : ''}`, () => {
    test('1-D runs as 2-D with a unit axis: values, shapes and gradients of the 1-D case, both layouts', async () => {
      const b = get(peers, name);
      const d1 = (kind: 'max' | 'avg', k: number, st: number, pads: number[]): PoolSpec =>
        ({ kind, kernel: [k], strides: [st], dilations: [1], pads, ceilMode: false, countIncludePad: false });
      // Two channels [1, 5, 3, 2] and [7, 0, -1, 4], k2 s2: [5, 3] and [7, 4].
      const cf = await b.forward(d1('max', 2, 2, [0, 0]), t([1, 2, 4], [1, 5, 3, 2, 7, 0, -1, 4]));
      expect(cf.y.shape).toEqual([1, 2, 2]);
      expect(Array.from(cf.y.data)).toEqual([5, 3, 7, 4]);
      const cl = await b.forward(d1('max', 2, 2, [0, 0]), t([1, 4, 2], [1, 7, 5, 0, 3, -1, 2, 4], 'channels_last'));
      expect([cl.y.shape, cl.y.layout]).toEqual([[1, 2, 2], 'channels_last']);
      expect(Array.from(cl.y.data)).toEqual([5, 7, 3, 4]);
      // avg k2 s1, one pad at the start, padding excluded: windows {2}, {2, 4}, {4, 6}.
      const av = await b.forward(d1('avg', 2, 1, [1, 0]), t([1, 1, 3], [2, 4, 6]));
      expect([av.y.shape, Array.from(av.y.data)]).toEqual([[1, 1, 3], [2, 3, 5]]);
      // max k2 s2 on [1, 5, 3, 2], dy [1, 10]: each gradient to its window's maximum.
      const dx = await b.backward(d1('max', 2, 2, [0, 0]), t([1, 1, 4], [1, 5, 3, 2]), t([1, 1, 2], [1, 10]));
      expect([dx.shape, Array.from(dx.data)]).toEqual([[1, 1, 4], [0, 1, 10, 0]]);
    });

    test('hand-worked 2-D max and avg, both layouts', async () => {
      const b = get(peers, name);
      const x = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(Array.from((await b.forward(spec2d('max', 2, 1), x)).y.data)).toEqual([5, 6, 8, 9]);
      expect(Array.from((await b.forward(spec2d('avg', 2, 1), x)).y.data)).toEqual([3, 4, 6, 7]);
      // Padding is absent from the average (TF convention): [[1, 2], [3, 4]], pads bottom/right 1.
      const y = await b.forward(spec2d('avg', 2, 1, [0, 0, 1, 1]), t([1, 1, 2, 2], [1, 2, 3, 4]));
      expect(Array.from(y.y.data)).toEqual([2.5, 3, 3.5, 4]);
      // Two channels, channels_last: each channel pooled on its own, output stays channels_last.
      const xl = t([1, 2, 2, 2], [1, -1, 2, -2, 3, -3, 4, -4], 'channels_last');
      const yl = await b.forward(spec2d('max', 2, 1), xl);
      expect(yl.y.shape).toEqual([1, 1, 1, 2]);
      expect(yl.y.layout).toBe('channels_last');
      expect(Array.from(yl.y.data)).toEqual([4, -1]);
    });

    test('3-D through maxPool3d / avgPool3d', async () => {
      const b = get(peers, name);
      const spec: PoolSpec = { kind: 'max', kernel: [2, 2, 2], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false, countIncludePad: false };
      const x = t([1, 1, 2, 2, 3], [...Array(12).keys()].map((v) => v + 1));
      expect(Array.from((await b.forward(spec, x)).y.data)).toEqual([11, 12]);
      expect(Array.from((await b.forward({ ...spec, kind: 'avg' }, x)).y.data)).toEqual([6, 7]);
    });

    test('classic cases (2-D max/avg, no padding) are in the reference acceptance sets', async () => {
      const b = get(peers, name);
      for (const c of classicCases()) await expectForwardAccepted(b, name, c.spec, c.x);
    });

    test('supports() declines what tfjs cannot express, with the reason', () => {
      const b = get(peers, name);
      const reason = (spec: PoolSpec, shape: number[]): string => {
        const s = b.supports(spec, shape);
        return s.ok ? 'accepted' : s.reason;
      };
      expect(reason({ ...spec2d('max', 2, 1), kind: 'sum' }, [1, 1, 4, 4])).toMatch(/no sum pooling/);
      expect(reason({ ...spec2d('max', 2, 1), kind: 'lp', p: 2 }, [1, 1, 4, 4])).toMatch(/no Lp pooling/);
      expect(reason({ kind: 'max', kernel: [2], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false }, [1, 1, 4])).toBe('accepted');
      expect(reason(spec2d('avg', 2, 1, [0, 0, 0, 0], { divisorOverride: 3 }), [1, 1, 4, 4])).toMatch(/divisor override/);
      expect(reason(spec2d('avg', 2, 1, [1, 1, 1, 1], { countIncludePad: true }), [1, 1, 4, 4])).toMatch(/always excludes padding/);
      expect(reason(spec2d('avg', 2, 1, [0, 0, 0, 0], { countIncludePad: true }), [1, 1, 4, 4])).toBe('accepted');
      // SHAPE.CEIL's start-inside rule: I = 12, k = 1, s = 2 gives 6; tfjs's 'ceil' gives 7.
      expect(reason({ ...spec2d('max', 1, 2), ceilMode: true }, [1, 1, 12, 12])).toMatch(/no start-inside rule/);
      expect(reason({ ...spec2d('max', 2, 2), ceilMode: true }, [1, 1, 5, 5])).toBe('accepted');
      expect(reason({ ...spec2d('max', 2, 2), dilations: [2, 2] }, [1, 1, 6, 6])).toMatch(/strides 1 when dilations > 1/);
      expect(reason({ ...spec2d('max', 2, 1, [1, 0, 1, 0]), dilations: [2, 2] }, [1, 1, 6, 6])).toMatch(/'valid' or 'same' padding only/);
      const s3: PoolSpec = { kind: 'max', kernel: [2, 2, 2], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [1, 0, 0, 0, 0, 0], ceilMode: false, countIncludePad: false };
      expect(reason(s3, [1, 1, 3, 3, 3])).toMatch(/no explicit pads/);
      expect(reason({ ...s3, dilations: [2, 1, 1], pads: [0, 0, 0, 0, 0, 0] }, [1, 1, 3, 3, 3])).toMatch(/no dilations/);
      expect(reason({ ...spec2d('max', 2, 1), kernel: [0, 2] }, [1, 1, 4, 4])).toMatch(/PARAM.KERNEL/);
    });

    test('no tensor leaks over 10 000 forward calls, backward calls and prepared runs', async () => {
      const b = get<TfjsBackend>(peers, name);
      const spec = spec2d('max', 2, 2);
      const x = t([1, 2, 4, 4], [...Array(32).keys()]);
      const dy = t([1, 2, 2, 2], Array<number>(8).fill(1));
      await b.forward(spec, x);
      const before = b.liveTensors();
      for (let i = 0; i < 10_000; i++) await b.forward(i % 2 ? spec : { ...spec, kind: 'avg' }, x);
      for (let i = 0; i < 500; i++) await b.backward(i % 2 ? spec : { ...spec, kind: 'avg' }, x, dy);
      const prepared = await b.prepare(spec, x);
      for (let i = 0; i < 1000; i++) await prepared.run();
      await prepared.dispose();
      expect(b.liveTensors()).toBe(before);
    });

    test('verifier differential properties under the tfjs policy: each passes or finds its known deviation', async () => {
      const b = get(peers, name);
      for (const [id, expected] of Object.entries(TFJS_EXPECTED[flavor])) await expectProperty(b, name, id, expected);
    });
  });
}

describe.skipIf(unavailable('tfjs-cpu'))('tfjs-cpu specifics', () => {
  test('NaN is ignored in max pooling (its documented convention); an all-NaN window gives −∞', async () => {
    const b = get(peers, 'tfjs-cpu');
    expect(Array.from((await b.forward(spec2d('max', 2, 1), t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, NaN, 9]))).y.data)).toEqual([5, 6, 7, 9]);
    expect(Array.from((await b.forward(spec2d('max', 2, 2), t([1, 1, 2, 2], [NaN, NaN, NaN, NaN]))).y.data)).toEqual([-Infinity]);
  });

  test('classic backward (no padding) matches the reference gradient', async () => {
    const b = get(peers, 'tfjs-cpu');
    for (const c of classicCases()) {
      const outShape = (await b.forward(c.spec, c.x)).y.shape;
      await expectBackwardAccepted(b, c.spec, c.x, { shape: outShape, data: lcgData(product(outShape), 99), layout: c.x.layout });
    }
  });

  test('the avgPool gradient with padding divides by kh·kw (known tfjs defect, GRAD.AVG), reproduced through the wrapper', async () => {
    const b = get(peers, 'tfjs-cpu');
    // tf.grad(x => sum(avgPool(x, 2, 1, 'same'))) at [[1, 2], [3, 4]]: the spec (and finite differences) give
    // [0.25, 0.75, 0.75, 2.25]; tfjs gives [0.25, 0.5, 0.5, 1] (pooling-semantics §5).
    const dx = await b.backward(spec2d('avg', 2, 1, [0, 0, 1, 1]), t([1, 1, 2, 2], [1, 2, 3, 4]), t([1, 1, 2, 2], [1, 1, 1, 1]));
    expect(Array.from(dx.data)).toEqual([0.25, 0.5, 0.5, 1]);
  });

  test('argmax variant: NHWC offsets become plane indices (INDEX.TF → MAX.INDEX), with padding and two channels', async () => {
    const a = get(variants, 'tfjs-cpu+argmax');
    const x = t([1, 2, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const r = await a.forward(spec2d('max', 2, 1), x);
    expect(Array.from(r.y.data)).toEqual([5, 6, 8, 9, 9, 8, 6, 5]);
    expect(Array.from(r.indices!)).toEqual([4, 5, 7, 8, 0, 1, 3, 4]);
    // 'same' padding (k3 s1 p1) on all-negative data: the max is in bounds, never the padding.
    const neg = t([1, 1, 2, 2], [-4, -3, -2, -1]);
    const rn = await a.forward(spec2d('max', 3, 1, [1, 1, 1, 1]), neg);
    expect(Array.from(rn.y.data)).toEqual([-1, -1, -1, -1]);
    expect(Array.from(rn.indices!)).toEqual([3, 3, 3, 3]);
    expect(a.supports(spec2d('avg', 2, 1), [1, 1, 3, 3])).toMatchObject({ ok: false });
  });

  test('argmax variant, 1-D lifted to 2-D: the unit axis leaves plane indices as the 1-D positions (MAX.INDEX)', async () => {
    const a = get(variants, 'tfjs-cpu+argmax');
    const spec: PoolSpec = { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    // Channels [1, 5, 3, 2] and [7, 0, -1, 4]: maxima at positions 1, 2 and 0, 3.
    const r = await a.forward(spec, t([1, 2, 4], [1, 5, 3, 2, 7, 0, -1, 4]));
    expect(Array.from(r.indices!)).toEqual([1, 2, 0, 3]);
    const rl = await a.forward(spec, t([1, 4, 2], [1, 7, 5, 0, 3, -1, 2, 4], 'channels_last'));
    expect(Array.from(rl.indices!)).toEqual([1, 0, 2, 3]);
  });
});

describe.skipIf(unavailable('onnxruntime'))('onnxruntime', () => {
  test('hand-worked max, avg (count_include_pad), lp; channels_last', async () => {
    const b = get(peers, 'onnxruntime');
    const x = t([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from((await b.forward(spec2d('max', 2, 1), x)).y.data)).toEqual([5, 6, 8, 9]);
    // 3×3 ones, k3 s1 p1: corners 4/9 with count_include_pad, 1 without.
    const ones = t([1, 1, 3, 3], Array<number>(9).fill(1));
    const cip = await b.forward(spec2d('avg', 3, 1, [1, 1, 1, 1], { countIncludePad: true }), ones);
    expect(cip.y.data[0]).toBeCloseTo(4 / 9, 6);
    expect(cip.y.data[4]).toBe(1);
    const exc = await b.forward(spec2d('avg', 3, 1, [1, 1, 1, 1]), ones);
    expect(Array.from(exc.y.data)).toEqual(Array(9).fill(1));
    const lp: PoolSpec = { kind: 'lp', p: 2, kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    expect(Array.from((await b.forward(lp, t([1, 1, 4], [3, -4, 0, -5]))).y.data)).toEqual([5, 5]);
    const xl = t([1, 2, 2, 2], [1, -1, 2, -2, 3, -3, 4, -4], 'channels_last');
    const yl = await b.forward(spec2d('max', 2, 1), xl);
    expect(yl.y.shape).toEqual([1, 1, 1, 2]);
    expect(Array.from(yl.y.data)).toEqual([4, -1]);
  });

  test("SPEC.md's ceil-mode examples: ORT 1.30 has the start-inside rule and the clipped count_include_pad divisor", async () => {
    const b = get(peers, 'onnxruntime');
    const d1 = (k: number, s: number, p: number, extra: Partial<PoolSpec> = {}): PoolSpec =>
      ({ kind: 'max', kernel: [k], strides: [s], dilations: [1], pads: [p, p], ceilMode: true, countIncludePad: false, ...extra });
    // SHAPE.CEIL: I = 12, k = 1, s = 2 → 6; I = 5, k = 2, s = 2, b = e = 1 → 3 (not 7 and 4).
    expect((await b.forward(d1(1, 2, 0), t([1, 1, 12], [...Array(12).keys()]))).y.shape).toEqual([1, 1, 6]);
    expect(Array.from((await b.forward(d1(2, 2, 1), t([1, 1, 5], [1, 2, 3, 4, 5]))).y.data)).toEqual([1, 3, 5]);
    // AVG.DIVISOR: I = 4, k = 3, s = 2, b = e = 1, ceil: window 2 has taps {3} in bounds, {3, 4} inside the padding.
    const x = t([1, 1, 4], [1, 2, 3, 4]);
    expect(Array.from((await b.forward(d1(3, 2, 1, { kind: 'avg', countIncludePad: true }), x)).y.data)).toEqual([1, 3, 2]);
    expect(Array.from((await b.forward(d1(3, 2, 1, { kind: 'avg' }), x)).y.data)).toEqual([1.5, 3, 4]);
  });

  test('classic cases (2-D max/avg, no padding) are in the reference acceptance sets', async () => {
    const b = get(peers, 'onnxruntime');
    for (const c of classicCases()) await expectForwardAccepted(b, 'onnxruntime', c.spec, c.x);
  });

  test('indices variant: ONNX flat N·C·spatial indices become plane indices (INDEX.ONNX → MAX.INDEX)', async () => {
    const b = get(variants, 'onnxruntime+indices');
    const x = t([2, 2, 4], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    const spec: PoolSpec = { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
    const r = await b.forward(spec, x);
    expect(Array.from(r.y.data)).toEqual([2, 4, 6, 8, 10, 12, 14, 16]);
    expect(Array.from(r.indices!)).toEqual([1, 3, 1, 3, 1, 3, 1, 3]);
  });

  test('supports() declines what ONNX / ORT cannot express, with the reason; backward is refused as forward-only', async () => {
    const b = get<OrtBackend>(peers, 'onnxruntime');
    const reason = (spec: PoolSpec, shape: number[]): string => {
      const s = b.supports(spec, shape);
      return s.ok ? 'accepted' : s.reason;
    };
    expect(reason({ ...spec2d('max', 2, 1), kind: 'sum' }, [1, 1, 4, 4])).toMatch(/no sum pooling/);
    expect(reason({ ...spec2d('max', 2, 1), kind: 'lp', p: 1.5 }, [1, 1, 4, 4])).toMatch(/p is an INT/);
    expect(reason(spec2d('avg', 2, 1, [0, 0, 0, 0], { divisorOverride: 2 }), [1, 1, 4, 4])).toMatch(/divisor override/);
    expect(reason({ ...spec2d('max', 2, 1, [2, 0, 0, 0]), dilations: [2, 1] }, [1, 1, 4, 4])).toMatch(/pad < kernel/);
    expect(reason({ ...spec2d('max', 2, 2), ceilMode: true }, [1, 1, 5, 5])).toBe('accepted');
    const spec = spec2d('max', 2, 1);
    const x = t([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(b.supportsBackward(spec, x.shape)).toMatchObject({ ok: false });
    await expect(b.backward(spec, x, t([1, 1, 1, 1], [1]))).rejects.toThrow(FORWARD_ONLY);
  });

  test('one intra-op thread (variants/onnxruntime-1t): its own name, the classic cases, the same bits as two threads', async () => {
    const one = get(variants, 'onnxruntime-1t');
    const two = get(peers, 'onnxruntime');
    expect(one.name).toBe('onnxruntime-1t');
    for (const c of classicCases()) {
      await expectForwardAccepted(one, 'onnxruntime-1t', c.spec, c.x);
      const a = (await one.forward(c.spec, c.x)).y.data;
      const b = (await two.forward(c.spec, c.x)).y.data;
      expect(Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length))).toEqual(Array.from(new Uint32Array(b.buffer, b.byteOffset, b.length)));
    }
  });

  test('sessions are cached per (spec, shape) and evicted least-recently-used', async () => {
    const b = get<OrtBackend>(variants, 'onnxruntime cache 2');
    const x = t([1, 1, 4, 4], [...Array(16).keys()]);
    for (let i = 0; i < 5; i++) await b.forward(spec2d('max', 2, 2), x);
    expect(b.sessionStats()).toEqual({ created: 1, cached: 1 });
    await b.forward(spec2d('avg', 2, 2), x);
    await b.forward(spec2d('max', 2, 2), t([1, 1, 2, 2], [1, 2, 3, 4]));
    expect(b.sessionStats()).toEqual({ created: 3, cached: 2 });
    await b.forward(spec2d('max', 2, 2), t([1, 1, 2, 2], [1, 2, 3, 4]));
    expect(b.sessionStats().created).toBe(3);
    const prepared = await b.prepare(spec2d('max', 2, 2), x);
    await prepared.run();
    expect(b.sessionStats().created).toBe(4);
  });

  test('verifier differential properties under the ORT policy: each passes or finds its known deviation', async () => {
    const b = get(peers, 'onnxruntime');
    await expectProperty(b, 'onnxruntime', 'diff.forward.max', DEVIATIONS.ortMaxLastTie);
    await expectProperty(b, 'onnxruntime', 'diff.forward.avg', 'pass');
    await expectProperty(b, 'onnxruntime', 'diff.forward.lp', DEVIATIONS.ortLpRoot);
  });
});
