/**
 * Statistics pooling (SPEC.md STATS.*): hand-worked vectors (derivations in the comments, by hand), validation's
 * typed errors, the naive backend on every stats property at three seeds, a float32 two-pass kernel inside the
 * bounds, and a planted one-pass variance rejected; a backend without the member is unsupported.
 */
import { describe, expect, test } from 'vitest';
import type { PoolingBackend, StatisticalBackend, StatsPoolSpec, StatsPoolingBackend, Tensor } from '../spec/contract.js';
import { ValidationError } from '../spec/errors.js';
import { planeAddress } from '../spec/geometry.js';
import { accepts } from '../spec/interval.js';
import { DEFAULT_POLICY } from '../spec/policy.js';
import { RESEARCH_PROPERTIES } from '../spec/properties/index.js';
import { statsForward, statsGradient } from '../spec/properties/stats.js';
import { referenceStatsForward } from '../spec/reference/stats.js';
import { validateStatsBackward, validateStatsForward } from '../spec/validate-stats.js';
import { runProperty } from '../spec/verifier.js';
import { createNaiveBackend } from '../kernels/naive/index.js';

const naive = createNaiveBackend();
const spec: StatsPoolSpec = { kind: 'stats' };

function t(shape: number[], values: number[], layout: Tensor['layout'] = 'channels_first'): Tensor {
  return { shape, data: Float32Array.from(values), layout };
}

describe('hand-worked vectors', () => {
  test('[1, 2, 3, 4]: μ = 10/4 = 2.5; deviations ±1.5, ±0.5; V = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25; σ = √1.25', async () => {
    const y = (await naive.statistics.forward(spec, t([1, 1, 4], [1, 2, 3, 4]))).y;
    expect(y.shape).toEqual([1, 2]);
    expect([...y.data]).toEqual([2.5, Math.fround(Math.sqrt(1.25))]);
    // √1.25 = 1.1180339887498949; 1.118 (the sample deviation's √(5/3) = 1.2910 would be far outside the set).
    const a = referenceStatsForward(spec, t([1, 1, 4], [1, 2, 3, 4])).acceptance;
    expect(accepts(a[1]!, Math.fround(1.1180339887498949))).toBe(true);
    expect(accepts(a[1]!, Math.fround(Math.sqrt(5 / 3)))).toBe(false);
  });

  test('channels_last [1, 2, 2] = positions (1, 10), (3, 10): channel 0 {1, 3} μ 2 σ 1; channel 1 {10, 10} μ 10 σ 0; means first', async () => {
    const y = (await naive.statistics.forward(spec, t([1, 2, 2], [1, 10, 3, 10], 'channels_last'))).y;
    expect([...y.data]).toEqual([2, 10, 1, 0]);
  });

  test('T = 1: σ = 0 (population variance); a large offset: {2^20 + 1, 2^20 + 3} has μ = 2^20 + 2 and σ = 1 exactly', async () => {
    expect([...(await naive.statistics.forward(spec, t([1, 1, 1, 1], [7]))).y.data]).toEqual([7, 0]);
    expect([...(await naive.statistics.forward(spec, t([1, 1, 2], [2 ** 20 + 1, 2 ** 20 + 3]))).y.data]).toEqual([2 ** 20 + 2, 1]);
  });

  test('STATS.SPECIAL: NaN → NaN, NaN; +∞ → +∞, NaN; +∞ and −∞ → NaN, NaN', async () => {
    const f = async (v: number[]): Promise<number[]> => [...(await naive.statistics.forward(spec, t([1, 1, v.length], v))).y.data];
    expect((await f([1, NaN])).every(Number.isNaN)).toBe(true);
    const inf = await f([1, Infinity]);
    expect(inf[0]).toBe(Infinity);
    expect(inf[1]).toBeNaN();
    expect((await f([Infinity, -Infinity])).every(Number.isNaN)).toBe(true);
  });

  test('gradient: {1, 3} (μ 2, σ 1), dμ = dσ = 1: dx_t = 1/2 + (x_t − 2)/(2·1) = [0, 1]; a constant plane {5, 5}: [1/2, 1/2]', async () => {
    const dx = await naive.statistics.backward(spec, t([1, 1, 2], [1, 3]), t([1, 2], [1, 1]));
    expect([...dx.data]).toEqual([0, 1]);
    const flat = await naive.statistics.backward(spec, t([1, 1, 2], [5, 5]), t([1, 2], [1, 1]));
    expect([...flat.data]).toEqual([0.5, 0.5]);
  });
});

describe('validation', () => {
  const cases: [string, () => unknown, string, string][] = [
    ['an unknown member', () => validateStatsForward({ kind: 'stats', unbiased: true }, t([1, 1, 2], [1, 2])), 'spec.unbiased', 'STATS.SPEC'],
    ['a wrong kind', () => validateStatsForward({ kind: 'avg' }, t([1, 1, 2], [1, 2])), 'spec.kind', 'PARAM.KIND'],
    ['a rank-2 x', () => validateStatsForward(spec, t([1, 2], [1, 2])), 'x.shape', 'TENSOR.RANK'],
    ['dy of the wrong shape', () => validateStatsBackward(spec, t([1, 1, 2], [1, 2]), t([1, 1], [1])), 'dy.shape', 'GRAD.SHAPE'],
  ];
  test.each(cases)('%s', (_what, call, field, rule) => {
    let error: unknown;
    try { call(); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).rule).toBe(rule);
  });
});

describe('naive passes the stats properties', () => {
  const props = RESEARCH_PROPERTIES.filter((p) => p.id.startsWith('reducer.stats.'));
  test('the set', () => expect(props.map((p) => p.id)).toEqual(['reducer.stats.forward', 'reducer.stats.gradient', 'reducer.stats.layout', 'reducer.stats.reverse', 'reducer.stats.shift', 'reducer.stats.pure']));
  test.each([20261203, 7, 424242])('seed %i', async (seed) => {
    for (const p of props) {
      const o = await runProperty(p, naive, DEFAULT_POLICY, 60, seed);
      expect(o.failure?.message ?? o.status, p.id).toBe('pass');
    }
  }, 300_000);
});

/** A float32 kernel whose variance is computed by `variance` from the plane's values (every operation rounded). */
function float32Backend(name: string, variance: (v: readonly number[], mean: number) => number): StatisticalBackend {
  const f = Math.fround;
  const statistics: StatsPoolingBackend = {
    kinds: ['stats'],
    supports: (s, sh, l) => naive.statistics.supports(s, sh, l),
    async forward(s, x) {
      const g = validateStatsForward(s, x);
      const C = g.channels;
      const y = new Float32Array(g.batch * 2 * C);
      for (let n = 0; n < g.batch; n++) for (let c = 0; c < C; c++) {
        const { base, step } = planeAddress(g.layout, g.batch, C, g.plane, n, c);
        const v = Array.from({ length: g.plane }, (_, i) => x.data[base + i * step]!);
        let sum = 0;
        for (const a of v) sum = f(sum + a);
        const mean = f(sum / g.plane);
        y[n * 2 * C + c] = mean;
        y[n * 2 * C + C + c] = f(Math.sqrt(variance(v, mean)));
      }
      return { y: { shape: [g.batch, 2 * C], data: y, layout: 'channels_first' } };
    },
    // Float32 throughout: the two-pass moments, then dx_t = fl(fl(dμ/T) + fl(fl(dσ·fl(x_t − μ̂))/fl(T·σ̂))).
    async backward(s, x, dy) {
      const g = validateStatsBackward(s, x, dy);
      const C = g.channels;
      const T = g.plane;
      const dx = new Float32Array(x.data.length);
      for (let n = 0; n < g.batch; n++) for (let c = 0; c < C; c++) {
        const { base, step } = planeAddress(g.layout, g.batch, C, T, n, c);
        const v = Array.from({ length: T }, (_, i) => x.data[base + i * step]!);
        let sum = 0;
        for (const a of v) sum = f(sum + a);
        const mean = f(sum / T);
        const std = f(Math.sqrt(variance(v, mean)));
        const dMu = dy.data[n * 2 * C + c]!;
        const dSigma = dy.data[n * 2 * C + C + c]!;
        v.forEach((a, i) => {
          const t2 = std > 0 ? f(f(dSigma * f(a - mean)) / f(T * std)) : 0;
          dx[base + i * step] = f(f(dMu / T) + t2);
        });
      }
      return { shape: [...x.shape], data: dx, layout: g.layout };
    },
  };
  const base: PoolingBackend = naive;
  return { name, supports: (s, sh, l) => base.supports(s, sh, l), forward: (s, x) => base.forward(s, x), backward: (s, x, dy) => base.backward(s, x, dy), statistics };
}

describe('float32 kernels against STATS.ACC', () => {
  const f = Math.fround;
  test('a float32 two-pass kernel passes reducer.stats.forward and .gradient (the bounds are reachable)', async () => {
    const twoPass = float32Backend('two-pass-f32', (v, mean) => {
      let q = 0;
      for (const a of v) { const d = f(a - mean); q = f(q + f(d * d)); }
      return f(q / v.length);
    });
    for (const seed of [1, 2, 3]) {
      const o = await runProperty(statsForward, twoPass, DEFAULT_POLICY, 150, seed);
      expect(o.failure?.message ?? o.status).toBe('pass');
      const gr = await runProperty(statsGradient, twoPass, DEFAULT_POLICY, 150, seed);
      expect(gr.failure?.message ?? gr.status, JSON.stringify(gr.failure?.counterexample, (_k, v: unknown) => (v instanceof Float32Array ? [...v] : v))).toBe('pass');
    }
  }, 120_000);
  test('a planted one-pass variance (Σx²/T − μ²) fails reducer.stats.forward', async () => {
    const onePass = float32Backend('one-pass-f32', (v, mean) => {
      let q = 0;
      for (const a of v) q = f(q + f(a * a));
      return Math.max(0, f(f(q / v.length) - f(mean * mean)));
    });
    const o = await runProperty(statsForward, onePass, DEFAULT_POLICY, 150, 1);
    expect(o.status).toBe('fail');
    expect(o.failure?.message).toMatch(/STATS\.ACC/);
  });
  test('a backend without the statistics member is unsupported, never passed', async () => {
    const plain: PoolingBackend = { name: 'plain', supports: (s, sh, l) => naive.supports(s, sh, l), forward: (s, x) => naive.forward(s, x), backward: (s, x, dy) => naive.backward(s, x, dy) };
    const o = await runProperty(statsForward, plain, DEFAULT_POLICY, 5, 1);
    expect(o.status).toBe('unsupported');
  });
});
