/**
 * Stochastic pooling (SPEC.md STOCH.*): the generator's vectors, hand-worked selections and inference values,
 * validation's typed errors, the frequency test on the reference, the naive backend on every stochastic
 * property at three seeds, and planted bugs (a wrong generator mapping, selection ∝ v²) each rejected.
 */
import { describe, expect, test } from 'vitest';
import type { PoolingBackend, ReducerPoolSpec, ReducingBackend, Tensor } from '../spec/contract.js';
import { ValidationError } from '../spec/errors.js';
import { forEachPlane } from '../spec/geometry.js';
import { DEFAULT_POLICY } from '../spec/policy.js';
import { FREQ_SEEDS, FREQ_WINDOWS, frequencyCounts, frequencyThreshold, frequencyVerdict, stochasticFrequency, stochasticRoute, stochasticSelect } from '../spec/properties/stochastic.js';
import { RESEARCH_PROPERTIES } from '../spec/properties/index.js';
import { STOCHASTIC, stochasticPosition, uniformBits } from '../spec/reducers/stochastic.js';
import { referenceStochasticSelection } from '../spec/reference/stochastic.js';
import { planeWindows } from '../spec/reference/windows.js';
import { reducerGeometrySpec, validateReducerForward, validateReducerSpec } from '../spec/validate-reducer.js';
import { runProperty } from '../spec/verifier.js';
import { createNaiveBackend } from '../kernels/naive/index.js';
import { naiveUniform } from '../kernels/naive/stochastic.js';

const naive = createNaiveBackend();

function spec1d(k: number, stride: number, params: Record<string, number>): ReducerPoolSpec {
  return { kind: 'stochastic', kernel: [k], strides: [stride], dilations: [1], pads: [0, 0], ceilMode: false, params };
}

function tensor(shape: number[], values: number[]): Tensor {
  return { shape, data: Float32Array.from(values), layout: 'channels_first' };
}

describe('STOCH.RNG vectors', () => {
  // Computed with Python's arbitrary-precision integers straight from STOCH.RNG's text (fmix32 with products
  // mod 2^32, h = f(seed ⊕ 0x9E3779B9), then ⊕ n, ⊕ c, ⊕ o, each followed by f; U = h >> 8), not by this code:
  //   (0, 0, 0, 0) → h 0x37dd7702, U 3661175    (1, 0, 0, 0) → h 0x1e10cf35, U 1970383
  //   (0, 1, 0, 0) → h 0xf22862c3, U 15870050   (0, 0, 1, 0) → h 0xc09c6008, U 12622944
  //   (0, 0, 0, 1) → h 0x52081de9, U 5376029    (7, 1, 2, 3) → h 0x921d682a, U 9575784
  //   (16777215, 0, 0, 5) → h 0x372fe098, U 3616736
  test.each([
    [0, 0, 0, 0, 3661175], [1, 0, 0, 0, 1970383], [0, 1, 0, 0, 15870050], [0, 0, 1, 0, 12622944],
    [0, 0, 0, 1, 5376029], [7, 1, 2, 3, 9575784], [16777215, 0, 0, 5, 3616736],
  ])('seed %i, n %i, c %i, o %i → U %i', (seed, n, c, o, U) => {
    expect(uniformBits(seed, n, c, o)).toBe(U);
    expect(naiveUniform(seed, n, c, o)).toBe(U); // the naive kernel's own 32-bit integer version
  });
});

describe('hand-worked selections (training)', () => {
  test('[1, 2, 3, 4], seed 0 at (0, 0, 0): u·S = 0.2182230·10 = 2.18 < ĉ_2 = 3 → tap 2 (value 2, index 1)', async () => {
    const out = await naive.reducers.forward(spec1d(4, 4, { training: 1, seed: 0 }), tensor([1, 1, 4], [1, 2, 3, 4]));
    expect([...out.y.data]).toEqual([2]);
    expect([...out.indices!]).toEqual([1]);
    const dx = await naive.reducers.backward(spec1d(4, 4, { training: 1, seed: 0 }), tensor([1, 1, 4], [1, 2, 3, 4]), tensor([1, 1, 1], [5]));
    expect([...dx.data]).toEqual([0, 5, 0, 0]); // STOCH.GRAD: dy whole to the selected tap
  });

  test('seed 7 at (n 1, c 2, o 3): u = 0.5707612, u·10 = 5.71 < ĉ_3 = 6 → tap 3 (value 3, plane index 14)', async () => {
    const values = new Array<number>(2 * 3 * 16).fill(1);
    const base = (1 * 3 + 2) * 16 + 12; // channels_first [2, 3, 16], window o = 3 covers positions 12..15
    [1, 2, 3, 4].forEach((v, i) => { values[base + i] = v; });
    const out = await naive.reducers.forward(spec1d(4, 4, { training: 1, seed: 7 }), tensor([2, 3, 16], values));
    const at = (1 * 3 + 2) * 4 + 3;
    expect(out.y.data[at]).toBe(3);
    expect(out.indices![at]).toBe(14);
  });

  test('all-zero window at o = 1, seed 0: U = 5376029, ⌊U·4/2^24⌋ = ⌊1.28⌋ = 1 → the second tap, −0 kept', async () => {
    const out = await naive.reducers.forward(spec1d(4, 4, { training: 1, seed: 0 }), tensor([1, 1, 8], [1, 1, 1, 1, 0, -0, 0, 0]));
    expect(Object.is(out.y.data[1], -0)).toBe(true);
    expect(out.indices![1]).toBe(5);
  });

  test('a tie u·S = ĉ_1 passes on: [3661175, 13116041] (S = 2^24) with U = 3661175 selects the second tap', async () => {
    // u·S = (3661175/2^24)·2^24 = 3661175 = ĉ_1, not < ĉ_1; ĉ_2 = 2^24 > u·S. A kernel comparing with ≤ takes tap 1.
    const out = await naive.reducers.forward(spec1d(2, 2, { training: 1, seed: 0 }), tensor([1, 1, 2], [3661175, 13116041]));
    expect(out.indices![0]).toBe(1);
    expect(stochasticPosition([3661175, 13116041], 3661175)).toBe(1);
    expect(stochasticPosition([3661175, 13116041], 3661174)).toBe(0);
  });

  test('special windows: NaN, a negative tap, +∞, overflowing running sums', () => {
    expect(stochasticPosition([1, NaN, 2], 0)).toBe(1);
    expect(stochasticPosition([1, -2, NaN], 0)).toBe(2); // NaN first: it wins over the negative tap
    expect(stochasticPosition([1, -2, 3], 0)).toBe(1);
    expect(stochasticPosition([1, -Infinity, 3], 0)).toBe(1);
    expect(stochasticPosition([1, Infinity, Infinity], 9_000_000)).toBe(1);
    // ĉ = 3e38, +∞, +∞ → S = +∞ → the first i with ĉ_i = +∞, whatever U.
    expect(stochasticPosition([3e38, 3e38, 1], 0)).toBe(1);
    expect(stochasticPosition([3e38, 3e38, 1], 2 ** 24 - 1)).toBe(1);
    // A zero tap is never selected (ĉ_i = ĉ_{i−1}): [0, 5] at U = 0 → u·S = 0 < ĉ_2 = 5.
    expect(stochasticPosition([0, 5], 0)).toBe(1);
  });

  test('a negative tap gives y = NaN with the index of that tap', async () => {
    const out = await naive.reducers.forward(spec1d(3, 3, { training: 1, seed: 0 }), tensor([1, 1, 3], [1, -2, 3]));
    expect(out.y.data[0]).toBeNaN();
    expect(out.indices![0]).toBe(1);
    const ref = referenceStochasticSelection(spec1d(3, 3, { training: 1, seed: 0 }), tensor([1, 1, 3], [1, -2, 3]));
    expect(ref.y[0]).toBeNaN();
  });
});

describe('hand-worked inference values (STOCH.INFER)', () => {
  const infer = async (values: number[]): Promise<number> =>
    (await naive.reducers.forward(spec1d(values.length, 1, { training: 0, seed: 0 }), tensor([1, 1, values.length], values))).y.data[0]!;
  test('Σv²/Σv', async () => {
    expect(await infer([1, 2, 3, 4])).toBe(3); // (1 + 4 + 9 + 16)/10 = 30/10
    expect(await infer([3, 0, 0, 7])).toBe(Math.fround(5.8)); // (9 + 49)/10 = 58/10
    expect(await infer([2, 2])).toBe(2); // (4 + 4)/4
    expect(Object.is(await infer([0, -0, 0]), 0)).toBe(true); // STOCH.INFER_SPECIAL: all zero → +0
    expect(await infer([1, -1])).toBeNaN();
    expect(await infer([1, Infinity])).toBe(Infinity);
  });
  test('gradient (2v_r − y)/S', async () => {
    // [1, 3]: S = 4, Q = 10, y = 2.5; ∂/∂v_1 = (2 − 2.5)/4 = −0.125, ∂/∂v_2 = (6 − 2.5)/4 = 0.875.
    const dx = await naive.reducers.backward(spec1d(2, 1, { training: 0, seed: 0 }), tensor([1, 1, 2], [1, 3]), tensor([1, 1, 1], [1]));
    expect([...dx.data]).toEqual([-0.125, 0.875]);
  });
});

describe('validation (STOCH.TRAINING, STOCH.SEED)', () => {
  test.each([
    [{ training: 2, seed: 0 }, 'spec.params.training', 'STOCH.TRAINING'],
    [{ training: 0.5, seed: 0 }, 'spec.params.training', 'STOCH.TRAINING'],
    [{ training: 1, seed: 0.5 }, 'spec.params.seed', 'STOCH.SEED'],
    [{ training: 1, seed: -1 }, 'spec.params.seed', 'STOCH.SEED'],
    [{ training: 1, seed: 2 ** 24 }, 'spec.params.seed', 'STOCH.SEED'],
    [{ training: 1 }, 'spec.params.seed', 'PARAM.FINITE'],
    [{ training: 1, seed: 0, p: 1 }, 'spec.params.p', 'REDUCER.PARAMS'],
  ] as const)('%j → %s (%s)', (params, field, rule) => {
    let error: unknown;
    try { validateReducerSpec(spec1d(2, 1, params), STOCHASTIC); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).rule).toBe(rule);
  });
});

describe('STOCH.FREQ', () => {
  test('the critical value: t = sqrt(ln(2k/α)/(2M)); k = 8, M = 8192, α = 1e-6 gives 0.0318', () => {
    // 2k/α = 1.6e7; ln(1.6e7) = ln 1.6 + 7·ln 10 = 0.4700 + 16.1181 = 16.5881; 2M = 16384;
    // 16.5881/16384 = 0.00101246; sqrt = 0.031819 (the value SPEC.md quotes for k = 8).
    expect(frequencyThreshold(8, 8192)).toBeCloseTo(0.031819, 5);
  });
  test.each(FREQ_WINDOWS.map((w, i) => [i, w] as const))('the reference passes window %i %j', async (_i, window) => {
    const { counts, draws } = await frequencyCounts(async (spec, x) => referenceStochasticSelection(spec, x).indices, window);
    expect(draws).toBe(8192);
    expect(frequencyVerdict(window, counts, draws).status).toBe('pass');
  });
});

describe('naive passes the stochastic properties', () => {
  const props = RESEARCH_PROPERTIES.filter((p) => p.id.startsWith('reducer.stochastic.'));
  test('the set', () => {
    expect(props.map((p) => p.id)).toEqual(expect.arrayContaining(['reducer.stochastic.select', 'reducer.stochastic.route', 'reducer.stochastic.frequency', 'reducer.stochastic.forward', 'reducer.stochastic.gradient']));
  });
  test.each([20261203, 7, 424242])('seed %i', async (seed) => {
    for (const p of props) {
      const o = await runProperty(p, naive, DEFAULT_POLICY, 40, seed);
      expect(o.failure?.message ?? o.status, p.id).toBe('pass');
    }
  }, 300_000);
});

/**
 * A planted training kernel: the spec's selection rule with a substituted uniform or weighting, so each bug is
 * one change away from a correct kernel.
 */
type Uniform = (seed: number, n: number, c: number, o: number, flat: number) => number;

function plantedBackend(name: string, uniform: Uniform, weigh: (v: number) => number = (v) => v): ReducingBackend {
  const forward = (spec: ReducerPoolSpec, x: Tensor): { y: Tensor; indices: Int32Array } => {
    const g = validateReducerForward(spec, x, STOCHASTIC);
    const windows = planeWindows(reducerGeometrySpec(spec), g);
    const y = new Float32Array(g.batch * g.channels * g.outPlane);
    const indices = new Int32Array(y.length);
    forEachPlane(g, (src, dst, n, c) => {
      for (let o = 0; o < g.outPlane; o++) {
        const taps = windows[o]!.taps;
        const values = taps.map((q) => x.data[src.base + q * src.step]!);
        const r = stochasticPosition(values.map((v) => Math.fround(weigh(v))), uniform(spec.params!.seed!, n, c, o, dst.base + o * dst.step));
        // STOCH.SELECT: a selected negative tap (the window is outside the domain) gives NaN.
        y[dst.base + o * dst.step] = values[r]! < 0 ? Number.NaN : values[r]!;
        indices[dst.base + o * dst.step] = taps[r]!;
      }
    });
    return { y: { shape: [...g.outShape], data: y, layout: g.layout }, indices };
  };
  const base: PoolingBackend = naive;
  return {
    name, supports: (s, sh, l) => base.supports(s, sh, l), forward: (s, x) => base.forward(s, x), backward: (s, x, dy) => base.backward(s, x, dy),
    reducers: { kinds: ['stochastic'], supports: (s, sh, l) => naive.reducers.supports(s, sh, l), forward: async (s, x) => forward(s, x), backward: (s, x, dy) => naive.reducers.backward(s, x, dy) },
  };
}

describe('planted bugs are rejected', () => {
  test('a wrong generator mapping (the memory offset of the output as the counter o) fails reducer.stochastic.select', async () => {
    // Right for batch 0, channel 0 in channels_first; wrong wherever the offset is not the plane index.
    const offset: Uniform = (seed, n, c, _o, flat) => uniformBits(seed, n, c, flat);
    const o = await runProperty(stochasticSelect, plantedBackend('memory-offset', offset), DEFAULT_POLICY, 100, 1);
    expect(o.status).toBe('fail');
    expect(o.failure?.message).toMatch(/STOCH\.SELECT/);
  });
  test('swapping n and c in the counter fails reducer.stochastic.select', async () => {
    const o = await runProperty(stochasticSelect, plantedBackend('n-c-swapped', (s, n, c, p) => uniformBits(s, c, n, p)), DEFAULT_POLICY, 100, 1);
    expect(o.status).toBe('fail');
  });
  test('selection proportional to v² fails reducer.stochastic.frequency (and .select)', async () => {
    const squared = plantedBackend('squared', (s, n, c, o) => uniformBits(s, n, c, o), (v) => v * v);
    const f = await runProperty(stochasticFrequency, squared, DEFAULT_POLICY, 20, 1);
    expect(f.status).toBe('fail');
    expect(f.failure?.message).toMatch(/STOCH\.FREQ/);
    const s = await runProperty(stochasticSelect, squared, DEFAULT_POLICY, 100, 1);
    expect(s.status).toBe('fail');
  });
  test('reducer.stochastic.frequency evaluates each fixed window once per backend, not once per drawn case', async () => {
    const right = plantedBackend('counted', (s, n, c, o) => uniformBits(s, n, c, o));
    let calls = 0;
    const counted: ReducingBackend = { ...right, reducers: { ...right.reducers, forward: (s, x) => { calls++; return right.reducers.forward(s, x); } } };
    const o = await runProperty(stochasticFrequency, counted, DEFAULT_POLICY, 100, 1);
    expect(o.status, o.failure?.message).toBe('pass');
    expect(o.cases).toBe(100);
    // One call per seed per window: at most FREQ_WINDOWS.length · FREQ_SEEDS = 48 (100 cases unmemoised: 800).
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(FREQ_WINDOWS.length * FREQ_SEEDS);
    expect(calls % FREQ_SEEDS).toBe(0);
  });
  test('the planted harness itself is correct with the right generator (the checks can pass)', async () => {
    const right = plantedBackend('right', (s, n, c, o) => uniformBits(s, n, c, o));
    const sel = await runProperty(stochasticSelect, right, DEFAULT_POLICY, 60, 1);
    expect(sel.status, sel.failure?.message).toBe('pass');
    expect((await runProperty(stochasticRoute, right, DEFAULT_POLICY, 30, 1)).status).toBe('pass');
  });
});

/** A float32 inference kernel: Ŝ = Σ fl(v), Q̂ = Σ fl(fl(v²)), ŷ = fl(Q̂/Ŝ)·(1 + skew), every operation rounded. */
function float32Inference(skew: number): ReducingBackend {
  const f = Math.fround;
  const base: PoolingBackend = naive;
  return {
    name: `inference-f32${skew ? '-skewed' : ''}`, supports: (s, sh, l) => base.supports(s, sh, l), forward: (s, x) => base.forward(s, x), backward: (s, x, dy) => base.backward(s, x, dy),
    reducers: {
      kinds: ['stochastic'], supports: (s, sh, l) => naive.reducers.supports(s, sh, l), backward: (s, x, dy) => naive.reducers.backward(s, x, dy),
      async forward(spec, x) {
        const g = validateReducerForward(spec, x, STOCHASTIC);
        const windows = planeWindows(reducerGeometrySpec(spec), g);
        const y = new Float32Array(g.batch * g.channels * g.outPlane);
        forEachPlane(g, (src, dst) => {
          for (let o = 0; o < g.outPlane; o++) {
            const v = windows[o]!.taps.map((q) => x.data[src.base + q * src.step]!);
            const special = STOCHASTIC.special(v, { training: 0, seed: 0 });
            let S = 0;
            let Q = 0;
            for (const a of v) { S = f(S + a); Q = f(Q + f(a * a)); }
            y[dst.base + o * dst.step] = special ?? f(f(Q / S) * (1 + skew));
          }
        });
        return { y: { shape: [...g.outShape], data: y, layout: g.layout } };
      },
    },
  };
}

describe('a float32 inference kernel against STOCH.INFER_ACC', () => {
  const forward = RESEARCH_PROPERTIES.find((p) => p.id === 'reducer.stochastic.forward')!;
  test('every operation rounded to float32 passes (the bound is reachable)', async () => {
    for (const seed of [3, 20261203]) {
      const o = await runProperty(forward, float32Inference(0), DEFAULT_POLICY, 150, seed);
      expect(o.failure?.message ?? o.status).toBe('pass');
    }
  }, 120_000);
  test('off by 2^-12 relative is rejected (the bound is not loose)', async () => {
    const o = await runProperty(forward, float32Inference(2 ** -12), DEFAULT_POLICY, 150, 3);
    expect(o.status).toBe('fail');
  }, 120_000);
});
