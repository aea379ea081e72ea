/**
 * The wasm backend's stochastic pooling (SPEC.md STOCH.*): hand-worked training selections (the generator's draws
 * computed from STOCH.RNG's text with Python's integers, not by the kernels; the selections worked by hand from
 * STOCH.SELECT), the all-zero, one-tap, overflow, absorbed-tap and tie rules, NaN/±∞ windows, channels_last's
 * (n, c) keys, chunked calls (the unit offset), hand-worked inference values and gradients, and a grid of
 * geometries and layouts against the reference (spec/reference/stochastic.ts, spec/reference/reducer.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Layout, ReducerPoolSpec, Tensor } from '../../spec/contract.js';
import { joinShape, poolGeometry, product } from '../../spec/geometry.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { STOCHASTIC } from '../../spec/reducers/stochastic.js';
import { referenceReducerForward, referenceReducerGradient } from '../../spec/reference/reducer.js';
import { referenceStochasticGradient, referenceStochasticSelection } from '../../spec/reference/stochastic.js';
import { reducerGeometrySpec } from '../../spec/validate-reducer.js';
import createWasmBackend, { type WasmBackend } from './index.js';

let wasm: WasmBackend;
let chunked: WasmBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
  chunked = await createWasmBackend({ chunkBytes: 1 }); // one unit per chunk: the kernels see unit offsets > 0
});
afterAll(async () => {
  await wasm.dispose?.();
  await chunked.dispose?.();
});

const f = Math.fround;

function spec1(k: number, stride: number, params: Record<string, number>): ReducerPoolSpec {
  return { kind: 'stochastic', kernel: [k], strides: [stride], dilations: [1], pads: [0, 0], ceilMode: false, params };
}

function t1(values: number[]): Tensor {
  return { shape: [1, 1, values.length], data: Float32Array.from(values) };
}

/** Training forward over one window [1, 1, k] (kernel k): the selected value and index. */
async function select1(values: number[], seed: number): Promise<{ y: number; index: number }> {
  const out = await wasm.reducers.forward(spec1(values.length, values.length, { training: 1, seed }), t1(values));
  return { y: out.y.data[0]!, index: out.indices![0]! };
}

/** Inference forward over one window. */
async function infer1(values: number[]): Promise<number> {
  return (await wasm.reducers.forward(spec1(values.length, values.length, { training: 0, seed: 0 }), t1(values))).y.data[0]!;
}

// Draws at (n, c, o) = (0, 0, 0), computed from STOCH.RNG's text with Python's integers (fmix32 mod 2^32):
// seed 0 → U = 3661175 (u = 0.2182230, SPEC.md's example), seed 2 → U = 13774142 (u = 0.8210170),
// seed 115276 → U = 13565952 = 207·2^16 (u = 207/256 exactly).
describe('hand-worked training selections (STOCH.SELECT, STOCH.INDEX)', () => {
  test('[1, 2, 3, 4], seed 0: u·S = 0.2182·10 = 2.18; running sums 1, 3, 6, 10 → the first above is ĉ_2 = 3: tap 1', async () => {
    expect(await select1([1, 2, 3, 4], 0)).toEqual({ y: 2, index: 1 });
    // seed 2: u·S = 8.21 < ĉ_4 = 10 only → tap 3.
    expect(await select1([1, 2, 3, 4], 2)).toEqual({ y: 4, index: 3 });
    // STOCH.GRAD: dy goes whole to the selected tap.
    const dx = await wasm.reducers.backward(spec1(4, 4, { training: 1, seed: 0 }), t1([1, 2, 3, 4]), t1([5]));
    expect([...dx.data]).toEqual([0, 5, 0, 0]);
  });

  test('a tie u·S = ĉ_i passes to the next running sum: 256 ones, seed 115276, u·S = 207 = ĉ_207 → tap 207 (0-based)', async () => {
    // The first i (1-based) with 207 < ĉ_i = i is 208: 0-based tap 207 (a ≤ comparison would give 206).
    const r = await select1(new Array<number>(256).fill(1), 115276);
    expect(r).toEqual({ y: 1, index: 207 });
  });

  test('an all-zero window selects ⌊U·k/2^24⌋, carrying the tap\'s sign of zero', async () => {
    // k = 8, seed 0: ⌊3661175·8/2^24⌋ = ⌊1.746⌋ = 1, a −0 there; seed 2: ⌊13774142·8/2^24⌋ = ⌊6.568⌋ = 6.
    const zeros = [0, -0, 0, 0, 0, 0, 0, 0];
    const a = await select1(zeros, 0);
    expect(a.index).toBe(1);
    expect(Object.is(a.y, -0)).toBe(true);
    const b = await select1(zeros, 2);
    expect(b.index).toBe(6);
    expect(Object.is(b.y, 0)).toBe(true);
  });

  test('one tap is always selected (positive or zero)', async () => {
    for (const seed of [0, 2, 115276]) {
      expect(await select1([f(0.3)], seed)).toEqual({ y: f(0.3), index: 0 });
      expect(await select1([0], seed)).toEqual({ y: 0, index: 0 }); // S = 0: ⌊U·1/2^24⌋ = 0
    }
  });

  test('special windows: the first NaN; else the first negative (y NaN); else the first +∞', async () => {
    const nan = await select1([1, -1, NaN, Infinity, NaN], 0);
    expect(nan.index).toBe(2);
    expect(nan.y).toBeNaN();
    const neg = await select1([1, Infinity, -2, -Infinity], 0);
    expect(neg.index).toBe(2); // the window is outside the domain: y is NaN, not −2
    expect(neg.y).toBeNaN();
    expect(await select1([5, Infinity, 2, Infinity], 0)).toEqual({ y: Infinity, index: 1 });
    // −0 is not negative: [−0, 4] has S = 4, u·S = 0.87 < ĉ_2 = 4 → tap 1.
    expect(await select1([-0, 4], 0)).toEqual({ y: 4, index: 1 });
  });

  test('running sums that overflow select the first ĉ_i = +∞; absorbed taps are never selected', async () => {
    // ĉ_1 = 1, ĉ_2 = fl(1 + 3e38) = f32(3e38), ĉ_3 = fl(2·3e38) = +∞ (6e38 > 3.4028e38) → tap 2 (0-based).
    expect(await select1([1, 3e38, 3e38, 1], 0)).toEqual({ y: f(3e38), index: 2 });
    // [2^24, 1, 1]: ĉ = 2^24, 2^24 (2^24 + 1 rounds to even), 2^24: every u·S < 2^24 = ĉ_1 → tap 0 for any draw.
    for (const seed of [0, 2, 115276]) expect(await select1([2 ** 24, 1, 1], seed)).toEqual({ y: 2 ** 24, index: 0 });
  });

  // channels_first [2, 3, 16], kernel 4 stride 4: four windows per plane, all ones except plane (1, 2), window 3,
  // = [1, 2, 3, 4]. For ones the tap is ⌊4u⌋; at (1, 2, 3), seed 7: u = 9575784/2^24 = 0.5708, u·10 = 5.71 < 6 →
  // tap 2, index 14. Expected indices per (n, c, o), o·4 + tap, from Python's draws U(7, n, c, o).
  const EXPECTED = [2, 6, 11, 14, 3, 6, 10, 12, 1, 6, 8, 13, 3, 5, 11, 14, 1, 4, 8, 12, 2, 4, 11, 14];

  function planes(): Float32Array {
    const v = new Array<number>(2 * 3 * 16).fill(1);
    [1, 2, 3, 4].forEach((a, i) => { v[(1 * 3 + 2) * 16 + 12 + i] = a; });
    return Float32Array.from(v);
  }

  test.each([['whole', () => wasm], ['chunked', () => chunked]] as const)('the generator keys (n, c, o): channels_first, %s', async (_n, backend) => {
    const out = await backend().reducers.forward(spec1(4, 4, { training: 1, seed: 7 }), { shape: [2, 3, 16], data: planes() });
    expect([...out.indices!]).toEqual(EXPECTED);
    expect(out.y.data[(1 * 3 + 2) * 4 + 3]).toBe(3);
  });

  test.each([['whole', () => wasm], ['chunked', () => chunked]] as const)('the same keys on channels_last (C = 3 interleaved), %s', async (_n, backend) => {
    const cf = planes();
    const data = new Float32Array(cf.length);
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let q = 0; q < 16; q++) data[(n * 16 + q) * 3 + c] = cf[(n * 3 + c) * 16 + q]!;
    const out = await backend().reducers.forward(spec1(4, 4, { training: 1, seed: 7 }), { shape: [2, 16, 3], data, layout: 'channels_last' });
    const got: number[] = [];
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let o = 0; o < 4; o++) got.push(out.indices![(n * 4 + o) * 3 + c]!);
    expect(got).toEqual(EXPECTED);
  });
});

describe('hand-worked inference (STOCH.INFER, STOCH.INFER_SPECIAL, STOCH.INFER_GRAD)', () => {
  test('values', async () => {
    expect(await infer1([1, 2, 3, 4])).toBe(3); // (1 + 4 + 9 + 16)/10 = 30/10
    expect(await infer1([1, 3])).toBe(2.5); // 10/4
    expect(await infer1([1, 2])).toBe(f(5 / 3));
    expect(await infer1([7])).toBe(7); // one tap: v²/v
    // Squares beyond float32's range (9e76) and below it (2^−298) are fine: equal taps are their own value.
    expect(await infer1([3e38, 3e38])).toBe(f(3e38));
    expect(await infer1([2 ** -149, 2 ** -149, 0])).toBe(2 ** -149);
  });

  test('special windows', async () => {
    expect(Object.is(await infer1([0, -0, 0]), 0)).toBe(true); // all zero → +0
    expect(Object.is(await infer1([-0]), 0)).toBe(true);
    expect(await infer1([1, -1])).toBeNaN(); // outside the domain
    expect(await infer1([Infinity, -Infinity])).toBeNaN();
    expect(await infer1([NaN, Infinity])).toBeNaN();
    expect(await infer1([1, Infinity, 0])).toBe(Infinity);
  });

  test('gradient (2v_r − y)/S, summed over overlapping windows; 0 outside the smooth set', async () => {
    // [1, 3]: y = 2.5, S = 4 → (2 − 2.5)/4 = −0.125, (6 − 2.5)/4 = 0.875. [3, 1] likewise, mirrored.
    // x = [1, 3, 1], kernel 2 stride 1, dy = [1, 2]: dx = [−0.125, 0.875 + 2·0.875, 2·(−0.125)] = [−0.125, 2.625, −0.25].
    const spec = spec1(2, 1, { training: 0, seed: 0 });
    expect([...(await wasm.reducers.backward(spec, t1([1, 3, 1]), t1([1, 2]))).data]).toEqual([-0.125, 2.625, -0.25]);
    // [1, 1, 2]: y = 6/4 = 1.5, S = 4 → 0.125, 0.125, 0.625.
    expect([...(await wasm.reducers.backward(spec1(3, 3, { training: 0, seed: 0 }), t1([1, 1, 2]), t1([1]))).data]).toEqual([0.125, 0.125, 0.625]);
    // All zero, a negative tap, +∞: no gradient (unspecified there; the kernels give 0).
    for (const v of [[0, 0], [1, -1], [1, Infinity]]) {
      expect([...(await wasm.reducers.backward(spec1(2, 2, { training: 0, seed: 0 }), t1(v), t1([1]))).data]).toEqual([0, 0]);
    }
  });
});

/** A small deterministic generator (xorshift32): the grid's data, not the code under test. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

/** Mostly non-negative data with zero runs, absorbed taps and near-overflow values; `hard` adds NaN, ±∞, negatives. */
const TIES = [0, 0, 0, -0, 1, 1, 2, 2 ** -30, 2 ** 24, 2 ** 25, 0.5, 2 ** 127, 3e38];
const SPECIAL = [NaN, Infinity, -Infinity, -1];

function draw(count: number, seed: number, hard: boolean): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: count }, () => {
    const p = r();
    if (hard && p < 0.05) return SPECIAL[Math.floor(r() * SPECIAL.length)]!;
    if (p < 0.4) return TIES[Math.floor(r() * TIES.length)]!;
    return r() * 2 ** Math.floor(r() * 12 - 4);
  });
}

interface Geo { name: string; spatial: number[]; kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; ceilMode: boolean }

const GEOS: Geo[] = [
  { name: '1-D k3 s2 pad 1 ceil', spatial: [9], kernel: [3], strides: [2], dilations: [1], pads: [1, 1], ceilMode: true },
  { name: '2-D k2 s2', spatial: [4, 6], kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false },
  { name: '2-D k3 s1 pad 1 dil 2', spatial: [5, 5], kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [1, 1, 1, 1], ceilMode: false },
  { name: '3-D k2 s1 pad (1,0,0,0,1,1)', spatial: [3, 3, 4], kernel: [2, 2, 2], strides: [1, 2, 1], dilations: [1, 1, 1], pads: [1, 0, 0, 0, 1, 1], ceilMode: true },
];

describe.each(GEOS)('grid against the reference: $name', (geo) => {
  const cases: [Layout, number, number, boolean][] = [];
  for (const layout of ['channels_first', 'channels_last'] as Layout[]) {
    for (const [batch, channels] of [[1, 1], [2, 5], [3, 1]] as const) for (const hard of [false, true]) cases.push([layout, batch, channels, hard]);
  }
  const specOf = (params: Record<string, number>): ReducerPoolSpec => ({
    kind: 'stochastic', kernel: geo.kernel, strides: geo.strides, dilations: geo.dilations, pads: geo.pads, ceilMode: geo.ceilMode, params,
  });

  test('training: values and indices to the bit, dx within STOCH.GRAD (whole and chunked)', async () => {
    let seed = 1;
    for (const [layout, batch, channels, hard] of cases) {
      const shape = joinShape(batch, channels, geo.spatial, layout);
      const x: Tensor = { shape, data: draw(product(shape), seed, hard), layout };
      const spec = specOf({ training: 1, seed: [0, 7, 2 ** 24 - 1, seed * 977][seed % 4]! });
      seed++;
      const ref = referenceStochasticSelection(spec, x);
      const g = poolGeometry(reducerGeometrySpec(spec), shape, layout);
      const dy: Tensor = { shape: [...g.outShape], data: Float32Array.from(draw(product(g.outShape), seed + 1000, false), (v, i) => (i % 2 ? v : -v)), layout };
      const sets = referenceStochasticGradient(spec, x, dy);
      for (const backend of [wasm, chunked]) {
        const out = await backend.reducers.forward(spec, x);
        const where = `${layout} [${shape.join(',')}] seed ${spec.params!.seed}`;
        expect([...out.indices!], where).toEqual([...ref.indices]);
        out.y.data.forEach((v, i) => {
          if (!(Object.is(v, ref.y[i]) || (Number.isNaN(v) && Number.isNaN(ref.y[i])))) throw new Error(`${where} y[${i}] = ${v}, want ${ref.y[i]}`);
        });
        const dx = await backend.reducers.backward(spec, x, dy);
        dx.data.forEach((v, i) => {
          if (!accepts(sets[i]!, v)) throw new Error(`${where} dx[${i}] = ${v}, want ${describeAcceptance(sets[i]!)}`);
        });
      }
    }
  }, 120_000);

  test('inference: y within STOCH.INFER_ACC; dx within REDUCER.FD on smooth data', async () => {
    let seed = 50;
    for (const [layout, batch, channels, hard] of cases) {
      const shape = joinShape(batch, channels, geo.spatial, layout);
      const spec = specOf({ training: 0, seed: 0 });
      const x: Tensor = { shape, data: draw(product(shape), seed++, hard), layout };
      const want = referenceReducerForward(STOCHASTIC, spec, x).acceptance;
      const y = (await wasm.reducers.forward(spec, x)).y;
      expect(y.layout).toBe(layout);
      y.data.forEach((v, i) => {
        if (!accepts(want[i]!, v)) throw new Error(`${layout} [${shape.join(',')}] y[${i}] = ${v}, want ${describeAcceptance(want[i]!)}`);
      });
      // The smooth profile for the gradient: every tap in [2^−6, 2^6] (STOCH.INFER_GRAD's differentiable set).
      const r = rng(seed + 500);
      const xs: Tensor = { shape, data: Float32Array.from({ length: product(shape) }, () => f(2 ** (r() * 12 - 6))), layout };
      const g = poolGeometry(reducerGeometrySpec(spec), shape, layout);
      const dy: Tensor = { shape: [...g.outShape], data: Float32Array.from({ length: product(g.outShape) }, () => f(r() * 2 - 1)), layout };
      const sets = referenceReducerGradient(STOCHASTIC, spec, xs, dy);
      const dx = await wasm.reducers.backward(spec, xs, dy);
      dx.data.forEach((v, i) => {
        if (!accepts(sets[i]!, v)) throw new Error(`${layout} [${shape.join(',')}] dx[${i}] = ${v}, want ${describeAcceptance(sets[i]!)}`);
      });
    }
  }, 120_000);
});

describe('the reducers member', () => {
  test('lists stochastic; a bad parameter is declined with its clause', () => {
    expect(wasm.reducers.kinds).toContain('stochastic');
    const bad = wasm.reducers.supports(spec1(2, 2, { training: 1, seed: 0.5 }), [1, 1, 4]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toMatch(/STOCH\.SEED/);
    const missing = wasm.reducers.supports({ ...spec1(2, 2, { training: 1, seed: 0 }), params: { training: 1 } }, [1, 1, 4]);
    expect(missing.ok).toBe(false);
    expect(wasm.reducers.supports(spec1(2, 2, { training: 1, seed: 0 }), [1, 1, 4]).ok).toBe(true);
  });

  test('inference mode returns no indices (STOCH.INDEX)', async () => {
    const out = await wasm.reducers.forward(spec1(2, 2, { training: 0, seed: 0 }), t1([1, 3]));
    expect(out.indices).toBeUndefined();
  });
});
