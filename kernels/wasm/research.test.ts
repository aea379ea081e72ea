/**
 * The wasm backend's research kinds (SPEC.md §11): hand-worked vectors for each kind, forward and backward (the
 * derivations in the comments, computed by hand, not by the kernels); a deterministic grid of geometries, layouts
 * and hard values against the exact reference's acceptance sets (spec/reference/reducer.ts), including every lane
 * and tail of the f32x4 mixed path and the quickselect median of large windows; gradients against the reference's
 * REDUCER.FD sets; chunked calls equal to unchunked ones; and the memory bound refused by supports().
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Layout, ReducerPoolSpec, ResearchKind, Tensor } from '../../spec/contract.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { joinShape, poolGeometry, product } from '../../spec/geometry.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { BUILTIN_REDUCERS } from '../../spec/reducers/index.js';
import { referenceReducerForward, referenceReducerGradient } from '../../spec/reference/reducer.js';
import { reducerGeometrySpec } from '../../spec/validate-reducer.js';
import createWasmBackend, { WASM_PAGE_BYTES, type WasmBackend } from './index.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
});
afterAll(async () => {
  await wasm.dispose?.();
});

const f = Math.fround;

function spec1(kind: ResearchKind, k: number, params?: Record<string, number>, stride = 1): ReducerPoolSpec {
  return { kind, kernel: [k], strides: [stride], dilations: [1], pads: [0, 0], ceilMode: false, ...(params ? { params } : {}) };
}

/** One window over a 1-D input [1, 1, n]: kernel n. */
async function y1(kind: ResearchKind, values: number[], params?: Record<string, number>): Promise<number> {
  const x: Tensor = { shape: [1, 1, values.length], data: Float32Array.from(values) };
  return (await wasm.reducers.forward(spec1(kind, values.length, params), x)).y.data[0]!;
}

async function dx1(kind: ResearchKind, values: number[], dy: number[], params?: Record<string, number>, k = values.length): Promise<number[]> {
  const x: Tensor = { shape: [1, 1, values.length], data: Float32Array.from(values) };
  const d: Tensor = { shape: [1, 1, dy.length], data: Float32Array.from(dy) };
  return [...(await wasm.reducers.backward(spec1(kind, k, params), x, d)).data];
}

function accepted(kind: ResearchKind, values: number[], got: number, params?: Record<string, number>): boolean {
  const x: Tensor = { shape: [1, 1, values.length], data: Float32Array.from(values) };
  return accepts(referenceReducerForward(BUILTIN_REDUCERS[kind], spec1(kind, values.length, params), x).acceptance[0]!, got);
}

describe('hand-worked forward vectors', () => {
  test('gem', async () => {
    // p = 2 over [3, 4]: ((9 + 16)/2)^(1/2) = √12.5 = 3.5355339059327378.
    expect(await y1('gem', [3, 4], { p: 2 })).toBe(f(3.5355339059327378));
    // p = 3 over [1, 2]: ((1 + 8)/2)^(1/3) = 4.5^(1/3) = 1.6509636244473134.
    expect(await y1('gem', [1, 2], { p: 3 })).toBe(f(1.6509636244473134));
    // p = 1 is the mean: (1 + 2 + 6)/3 = 3. Equal taps are their own mean for any p: [2^100, 2^100], p = 4 → 2^100
    // (a kernel taking x^p in float32 would overflow at 2^128).
    expect(await y1('gem', [1, 2, 6], { p: 1 })).toBe(3);
    expect(await y1('gem', [2 ** 100, 2 ** 100], { p: 4 })).toBe(2 ** 100);
    // GEM.DOMAIN / GEM.SPECIAL: negative → NaN (also −∞, and before +∞); all zero → +0 (also −0 taps); +∞ → +∞.
    expect(await y1('gem', [1, -1], { p: 2 })).toBeNaN();
    expect(await y1('gem', [Infinity, -Infinity], { p: 2 })).toBeNaN();
    expect(Object.is(await y1('gem', [-0, 0], { p: 3 }), 0)).toBe(true);
    expect(await y1('gem', [1, Infinity], { p: 3 })).toBe(Infinity);
    expect(await y1('gem', [NaN, 1], { p: 3 })).toBeNaN();
  });

  test('softpool', async () => {
    // [0, l3], l3 = float32(ln 3): weights 1 and w = e^{l3} (3 to about 1e-7), y = l3·w/(1 + w) ≈ 0.75·ln 3.
    const l3 = f(Math.log(3));
    const w = Math.exp(l3);
    expect(await y1('softpool', [0, l3])).toBe(f((l3 * w) / (1 + w)));
    // Max-shifted (SOFT.DEF, EXP.WEIGHT): equal taps are their own value with no e^x overflow (e^1000, e^88.8
    // overflow float32); [1000, 0]: e^{−1000} vanishes, y = 1000.
    expect(await y1('softpool', [1000, 1000])).toBe(1000);
    expect(await y1('softpool', [f(88.8), f(88.8), f(88.8)])).toBe(f(88.8));
    expect(await y1('softpool', [1000, 0])).toBe(1000);
    expect(await y1('softpool', [3e38, 3e38])).toBe(f(3e38));
    // SOFT.SPECIAL: −∞ weighs nothing; all −∞ → −∞; +∞ → +∞; NaN wins over +∞.
    expect(await y1('softpool', [-Infinity, 2])).toBe(2);
    expect(await y1('softpool', [-Infinity, -Infinity])).toBe(-Infinity);
    expect(await y1('softpool', [Infinity, 2])).toBe(Infinity);
    expect(await y1('softpool', [Infinity, NaN])).toBeNaN();
    // −∞ beside finite taps in both f64x2 lanes: [−∞, 2, −∞, 3] weighs 2 by e^{−1} and 3 by 1:
    // y = (2e^{−1} + 3)/(e^{−1} + 1) = 2 + 1/(1 + e^{−1}) = 2 + e/(e + 1) = 2.731058578630005.
    expect(await y1('softpool', [-Infinity, 2, -Infinity, 3])).toBe(f(2.731058578630005));
  });

  test('lse', async () => {
    // r = 1 over [0, 0]: log((1 + 1)/2) = 0. Max-shifted: [100, 100] → 100 (e^100 overflows float32), [−100, −100] → −100.
    expect(await y1('lse', [0, 0], { r: 1 })).toBe(0);
    expect(await y1('lse', [100, 100], { r: 1 })).toBe(100);
    expect(await y1('lse', [-100, -100], { r: 1 })).toBe(-100);
    // r = 2 over [0, h], h = float32(ln 3 / 2): (1/2)·log((1 + e^{2h})/2) ≈ (1/2)·log 2 = 0.34657359 (e^{2h} is 3
    // to ~1e-7; the acceptance set is far narrower than the distance to any other float32 candidate's error).
    const got = await y1('lse', [0, f(0.5 * Math.log(3))], { r: 2 });
    expect(Math.abs(got - 0.5 * Math.LN2)).toBeLessThan(1e-6);
    expect(accepted('lse', [0, f(0.5 * Math.log(3))], got, { r: 2 })).toBe(true);
    // LSE.SPECIAL: [−∞, 0] = log((0 + 1)/2) = −ln 2 (the −∞ tap counts in n); all −∞ → −∞; +∞ → +∞.
    expect(await y1('lse', [-Infinity, 0], { r: 1 })).toBe(f(-Math.LN2));
    expect(await y1('lse', [-Infinity, -Infinity], { r: 1 })).toBe(-Infinity);
    // Both lanes: [−∞, 0, −∞, 0] → log((0 + 1 + 0 + 1)/4) = −ln 2; five taps [1, 1, 1, 1, 1] (two vectors and a
    // scalar tail) → 1 + log(5/5) = 1.
    expect(await y1('lse', [-Infinity, 0, -Infinity, 0], { r: 1 })).toBe(f(-Math.LN2));
    expect(await y1('lse', [1, 1, 1, 1, 1], { r: 3 })).toBe(1);
    expect(await y1('lse', [Infinity, 0], { r: 1 })).toBe(Infinity);
    // A huge temperature is the max: r = 2^100 over [1, 2] → 2 + log((e^{−2^100} + 1)/2)/2^100 = 2 − ln2·2^−100 → 2.
    expect(await y1('lse', [1, 2], { r: 2 ** 100 })).toBe(2);
  });

  test('median', async () => {
    // [5, 1, 4, 2]: sorted 1, 2, 4, 5; rank ⌊3/2⌋ = 1 → 2. [3, 1, 2] → 2.
    expect(await y1('median', [5, 1, 4, 2])).toBe(2);
    expect(await y1('median', [3, 1, 2])).toBe(2);
    // MEDIAN.SELECT: equal values by scan order. [0, −0, 1]: 0, −0, 1 → rank 1 is −0. [−0, 0] → rank 0 is −0; [0, −0] → 0.
    expect(Object.is(await y1('median', [0, -0, 1]), -0)).toBe(true);
    expect(Object.is(await y1('median', [-0, 0]), -0)).toBe(true);
    expect(Object.is(await y1('median', [0, -0]), 0)).toBe(true);
    // ±∞ are ordinary values: [∞, −∞, 0] sorts −∞, 0, ∞ → 0. A NaN is selected.
    expect(await y1('median', [Infinity, -Infinity, 0])).toBe(0);
    expect(await y1('median', [1, NaN, 2])).toBeNaN();
  });

  test('median of large windows (the quickselect)', async () => {
    // 49 taps: a permutation of 0..48 (17·i mod 49, 17 coprime to 49) → rank 24 is 24. 40 taps (a permutation of
    // 0..39, 7·i mod 40) → rank ⌊39/2⌋ = 19 is 19.
    expect(await y1('median', Array.from({ length: 49 }, (_, i) => (17 * i) % 49))).toBe(24);
    expect(await y1('median', Array.from({ length: 40 }, (_, i) => (7 * i) % 40))).toBe(19);
    // 41 taps: 20 ones and 21 zeros whose signs alternate in scan order (+0, −0, +0, …; the ones interleaved). The
    // zeros are ranks 0..20 in scan order, so rank 20 is the last zero: the 21st, +0 (even count before it).
    const mixedZeros: number[] = [];
    for (let i = 0; i < 21; i++) { mixedZeros.push(i % 2 === 0 ? 0 : -0); if (i < 20) mixedZeros.push(1); }
    expect(Object.is(await y1('median', mixedZeros), 0)).toBe(true);
    // Same with the signs flipped: the 21st zero is −0.
    expect(Object.is(await y1('median', mixedZeros.map((v) => (v === 0 ? -v : v))), -0)).toBe(true);
    // 33 equal taps of 5 but one NaN at position 30 → NaN.
    const withNaN = new Array<number>(33).fill(5);
    withNaN[30] = NaN;
    expect(await y1('median', withNaN)).toBeNaN();
  });

  test('mixed', async () => {
    // λ = 0.25 over [1, 2, 6]: 0.25·6 + 0.75·3 = 3.75. λ = 1 is the max, λ = 0 the mean (3).
    expect(await y1('mixed', [1, 2, 6], { lambda: 0.25 })).toBe(3.75);
    expect(await y1('mixed', [1, 2, 6], { lambda: 1 })).toBe(6);
    expect(await y1('mixed', [1, 2, 6], { lambda: 0 })).toBe(3);
    // MIXED.SPECIAL: λ = 1 keeps the max's bits (first maximum: [−0, 0] → −0); with λ = 1, +∞ and −∞ give +∞
    // (no average term); otherwise both give NaN (∞ − ∞ in the average); one −∞ gives −∞; with λ = 0 a +∞ tap is in
    // the average → +∞.
    expect(Object.is(await y1('mixed', [-0, 0], { lambda: 1 }), -0)).toBe(true);
    expect(await y1('mixed', [Infinity, -Infinity], { lambda: 1 })).toBe(Infinity);
    expect(await y1('mixed', [Infinity, -Infinity], { lambda: 0.5 })).toBeNaN();
    expect(await y1('mixed', [1, -Infinity], { lambda: 0.5 })).toBe(-Infinity);
    expect(await y1('mixed', [1, Infinity], { lambda: 0 })).toBe(Infinity);
  });
});

describe('hand-worked backward vectors', () => {
  test('gem: (1/n)(v/y)^(p−1)', async () => {
    // p = 2 over [3, 4]: y = √12.5, ∂_r = v_r/(2y) = v_r/√50: 3/√50 = 0.42426406871192845, 4/√50 = 0.565685424949238.
    expect(await dx1('gem', [3, 4], [1], { p: 2 })).toEqual([f(0.42426406871192845), f(0.565685424949238)]);
    // p = 1 is the mean: 1/n each, times dy = 2 → 2/3; a zero tap gets 0 (GEM.GRAD).
    expect(await dx1('gem', [1, 2, 6], [2], { p: 1 })).toEqual([f(2 / 3), f(2 / 3), f(2 / 3)]);
    // p = 3 over [0, 4]: y = (64/2)^(1/3) = 4·2^(−1/3); ∂_1 = (1/2)(4/y)^2 = (1/2)·2^(2/3) = 2^(−1/3)
    // = 0.7937005259840998; ∂_0 = 0 (a zero tap, GEM.GRAD).
    expect(await dx1('gem', [0, 4], [1], { p: 3 })).toEqual([0, f(0.7937005259840998)]);
  });

  test('softpool: p_r(1 + v_r − y)', async () => {
    // Equal taps: p_r = 1/n, y = v, ∂_r = 1/n. [1, 1, 1, 1] → 0.25 each; [0, 0] with dy = 3 → 1.5 each.
    expect(await dx1('softpool', [1, 1, 1, 1], [1])).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(await dx1('softpool', [0, 0], [3])).toEqual([1.5, 1.5]);
    // [0, l3] (l3 ≈ ln 3): p = (1/4, 3/4), y = 0.75·ln 3; ∂_0 = (1/4)(1 − 0.75 ln 3) = 0.04401019…,
    // ∂_1 = (3/4)(1 + 0.25 ln 3) = 0.95598980… (both to ~1e-7 from l3's rounding: checked against REDUCER.FD's set).
    const l3 = f(Math.log(3));
    const got = await dx1('softpool', [0, l3], [1]);
    expect(Math.abs(got[0]! - 0.25 * (1 - 0.75 * Math.log(3)))).toBeLessThan(1e-6);
    expect(Math.abs(got[1]! - 0.75 * (1 + 0.25 * Math.log(3)))).toBeLessThan(1e-6);
    const x: Tensor = { shape: [1, 1, 2], data: Float32Array.of(0, l3) };
    const sets = referenceReducerGradient(BUILTIN_REDUCERS.softpool, spec1('softpool', 2), x, { shape: [1, 1, 1], data: Float32Array.of(1) });
    got.forEach((v, i) => expect(accepts(sets[i]!, v), describeAcceptance(sets[i]!)).toBe(true));
  });

  test('lse: the softmax weights', async () => {
    // Equal taps: every weight is 1/n. [7, 7] r = 3 → 0.5 each; [−5, −5, −5, −5] r = 1 with dy = 8 → 2 each.
    expect(await dx1('lse', [7, 7], [1], { r: 3 })).toEqual([0.5, 0.5]);
    expect(await dx1('lse', [-5, -5, -5, -5], [8], { r: 1 })).toEqual([2, 2, 2, 2]);
    // [0, 1000], r = 1: e^{−1000} vanishes beside 1 → (0, 1) (no e^1000 overflow).
    expect(await dx1('lse', [0, 1000], [1], { r: 1 })).toEqual([0, 1]);
  });

  test('median: dy to the selected tap, summed over overlapping windows', async () => {
    // [3, 1, 2, 5, 4], kernel 3, stride 1: [3,1,2] → 2 (tap 2), [1,2,5] → 2 (tap 2), [2,5,4] → 4 (tap 4).
    // dy = (1, 10, 100) → dx = (0, 0, 11, 0, 100).
    expect(await dx1('median', [3, 1, 2, 5, 4], [1, 10, 100], undefined, 3)).toEqual([0, 0, 11, 0, 100]);
    // Ties by scan order: [2, 2, 1] sorts 1 (tap 2), 2 (tap 0), 2 (tap 1) → rank 1 is tap 0.
    expect(await dx1('median', [2, 2, 1], [1])).toEqual([1, 0, 0]);
  });

  test('mixed: λ at the first max, (1 − λ)/n everywhere', async () => {
    // λ = 0.5 over [1, 3, 2]: 0.5/3 = 1/6 each, plus 0.5 at tap 1 → (1/6, 2/3, 1/6). Tied max [3, 3]: tap 0 gets it.
    expect(await dx1('mixed', [1, 3, 2], [1], { lambda: 0.5 })).toEqual([f(1 / 6), f(2 / 3), f(1 / 6)]);
    expect(await dx1('mixed', [3, 3], [4], { lambda: 0.25 })).toEqual([0.25 * 4 + 0.375 * 4, 0.375 * 4]);
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

const HARD = [0, -0, 1, -1, 2, 0.5, 3, 100, -100, 88.75, 1e-40, 2 ** 100, -(2 ** 100), 3e38, Infinity, -Infinity, NaN];

function draw(kind: ResearchKind, count: number, seed: number, hard: boolean): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: count }, () => {
    let v = hard && r() < 0.3 ? HARD[Math.floor(r() * HARD.length)]! : (r() - 0.5) * 2 ** Math.floor(r() * 12 - 4);
    if (kind === 'gem' && r() < 0.95) v = Math.abs(v); // mostly in the domain, sometimes not
    return v;
  });
}

const PARAMS: Record<ResearchKind, (Record<string, number> | undefined)[]> = {
  gem: [{ p: 0.25 }, { p: 1 }, { p: 3 }, { p: 16 }],
  softpool: [undefined],
  lse: [{ r: 2 ** -10 }, { r: 1 }, { r: 100 }],
  median: [undefined],
  mixed: [{ lambda: 0 }, { lambda: f(0.1) }, { lambda: 0.5 }, { lambda: 1 }],
};

interface Geo { name: string; spatial: number[]; kernel: number[]; strides: number[]; dilations: number[]; pads: number[]; ceilMode: boolean }

const GEOS: Geo[] = [
  { name: '1-D k3 s2 pad 1 ceil', spatial: [9], kernel: [3], strides: [2], dilations: [1], pads: [1, 1], ceilMode: true },
  { name: '2-D k2 s2', spatial: [4, 6], kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false },
  { name: '2-D k3 s1 pad 1 dil 2', spatial: [5, 5], kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [1, 1, 1, 1], ceilMode: false },
  { name: '2-D global 7×7 (49 taps: quickselect)', spatial: [7, 7], kernel: [7, 7], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false },
  { name: '3-D k2 s1 pad (1,0,0,0,1,1)', spatial: [3, 3, 4], kernel: [2, 2, 2], strides: [1, 2, 1], dilations: [1, 1, 1], pads: [1, 0, 0, 0, 1, 1], ceilMode: true },
];

describe.each(Object.keys(PARAMS) as ResearchKind[])('%s: forward over the grid against the exact reference', (kind) => {
  test.each(GEOS)('$name', async (geo) => {
    let seed = 1;
    for (const params of PARAMS[kind]) {
      for (const layout of ['channels_first', 'channels_last'] as Layout[]) {
        // C = 6 on channels_last: one f32x4 group and a scalar tail of 2 for mixed.
        for (const [batch, channels] of [[1, 1], [2, 6]] as const) {
          for (const hard of [false, true]) {
            const shape = joinShape(batch, channels, geo.spatial, layout);
            const x: Tensor = { shape, data: draw(kind, product(shape), seed++, hard), layout };
            const spec: ReducerPoolSpec = { kind, kernel: geo.kernel, strides: geo.strides, dilations: geo.dilations, pads: geo.pads, ceilMode: geo.ceilMode, ...(params ? { params } : {}) };
            const got = (await wasm.reducers.forward(spec, x)).y;
            expect(got.shape).toEqual(poolGeometry(reducerGeometrySpec(spec), shape, layout).outShape);
            expect(got.layout).toBe(layout);
            const ref = referenceReducerForward(BUILTIN_REDUCERS[kind], spec, x).acceptance;
            got.data.forEach((v, i) => {
              if (!accepts(ref[i]!, v)) {
                throw new Error(`${kind} ${JSON.stringify(params)} ${layout} [${shape.join(',')}] output ${i}: got ${v}, want ${describeAcceptance(ref[i]!)}`);
              }
            });
          }
        }
      }
    }
  }, 120_000);
});

describe('the vector exponential (softpool and lse weights)', () => {
  test('windows [0, d] and [d, 0] for d across [−120, 0] against the exact reference', async () => {
    // softpool [0, d] = d·e^d/(1 + e^d) carries e^d's relative error straight into y, down to where y underflows
    // float32; the pairs put d in either f64x2 lane. 4 000 windows, kernel 2, stride 2.
    const ds = Array.from({ length: 2000 }, (_, i) => f(-120 * ((i + 0.5) / 2000) ** 1.5));
    const values = ds.flatMap((d) => [0, d, d, 0]);
    const x: Tensor = { shape: [1, 1, values.length], data: Float32Array.from(values) };
    for (const [kind, params] of [['softpool', undefined], ['lse', { r: 1 }], ['lse', { r: 0.5 }]] as const) {
      const spec = spec1(kind, 2, params, 2);
      const got = (await wasm.reducers.forward(spec, x)).y.data;
      const ref = referenceReducerForward(BUILTIN_REDUCERS[kind], spec, x).acceptance;
      got.forEach((v, i) => {
        if (!accepts(ref[i]!, v)) throw new Error(`${kind} window ${i} [${values[2 * i]}, ${values[2 * i + 1]}]: got ${v}, want ${describeAcceptance(ref[i]!)}`);
      });
    }
  }, 120_000);
});

describe('mixed f32x4 lanes (channels_last)', () => {
  test('each special value in each lane and in the tail', async () => {
    // C = 7: lanes 0..3 vectorized, 4..6 the scalar tail. Window of 3 taps (kernel 3 over width 3), λ = 0.5.
    // Channel c holds (1, 3, 2) + c except where a special value is planted in tap t; expected per MIXED.SPECIAL
    // and MIXED.DEF by hand: finite (1+c, 3+c, 2+c) → 0.5·(3 + c) + 0.5·(2 + c) = 2.5 + c.
    const specials: [number, number][] = [[NaN, NaN], [Infinity, Infinity], [-Infinity, -Infinity]];
    const spec: ReducerPoolSpec = { kind: 'mixed', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { lambda: 0.5 } };
    for (let c0 = 0; c0 < 7; c0++) {
      for (let t = 0; t < 3; t++) {
        for (const [planted, want] of specials) {
          const data = new Float32Array(3 * 7);
          for (let q = 0; q < 3; q++) for (let c = 0; c < 7; c++) data[q * 7 + c] = [1, 3, 2][q]! + c;
          data[t * 7 + c0] = planted;
          const y = (await wasm.reducers.forward(spec, { shape: [1, 3, 7], data, layout: 'channels_last' })).y.data;
          for (let c = 0; c < 7; c++) expect(y[c], `lane ${c}, planted ${planted} at c ${c0} tap ${t}`).toBe(c === c0 ? want : 2.5 + c);
        }
      }
    }
    // +∞ and −∞ in one lane → NaN; λ = 1 keeps −0 first in scan order in every lane.
    const both = new Float32Array(3 * 4).fill(1);
    both[2] = Infinity; both[4 + 2] = -Infinity;
    const yb = (await wasm.reducers.forward(spec, { shape: [1, 3, 4], data: both, layout: 'channels_last' })).y.data;
    expect([...yb]).toEqual([1, 1, NaN, 1]);
    const zeros = Float32Array.of(-0, -0, -0, -0, 0, 0, 0, 0);
    const yz = (await wasm.reducers.forward({ ...spec, kernel: [2], params: { lambda: 1 } }, { shape: [1, 2, 4], data: zeros, layout: 'channels_last' })).y.data;
    expect([...yz].every((v) => Object.is(v, -0))).toBe(true);
  });
});

describe('mixed f32x4 rows (contiguous planes)', () => {
  test('each special value at each tap of a 9-wide window (two vectors and a tail)', async () => {
    // One window over 9 taps 1..9, λ = 0.25: max 9, mean 5 → 0.25·9 + 0.75·5 = 6. A planted NaN, +∞ or −∞ at any
    // tap gives NaN, +∞, −∞ (MIXED.SPECIAL); +∞ and −∞ together give NaN.
    const spec: ReducerPoolSpec = { kind: 'mixed', kernel: [3, 9], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, params: { lambda: 0.25 } };
    const base = Array.from({ length: 27 }, (_, i) => (i % 9) + 1);
    // Three rows of 1..9: max 9, mean 5 → 6.
    expect((await wasm.reducers.forward(spec, { shape: [1, 1, 3, 9], data: Float32Array.from(base) })).y.data[0]).toBe(6);
    for (let t = 0; t < 27; t++) {
      for (const [planted, want] of [[NaN, NaN], [Infinity, Infinity], [-Infinity, -Infinity]] as const) {
        const data = Float32Array.from(base);
        data[t] = planted;
        expect((await wasm.reducers.forward(spec, { shape: [1, 1, 3, 9], data })).y.data[0], `${planted} at ${t}`).toBe(want);
      }
      const data = Float32Array.from(base);
      data[t] = Infinity;
      data[(t + 13) % 27] = -Infinity;
      expect((await wasm.reducers.forward(spec, { shape: [1, 1, 3, 9], data })).y.data[0]).toBeNaN();
    }
  });
});

describe('median f32x4 lanes (channels_last)', () => {
  test('signed-zero ties and NaN in each lane and the tail', async () => {
    // C = 7, 4 taps per channel. Even channels hold [0, −0, 1, −1]: sorted −1, 0 (tap 0), −0 (tap 1), 1 → rank 1
    // is +0. Odd channels hold [−0, 0, 1, −1] → rank 1 is −0. A NaN planted in channel c0 makes that lane NaN.
    const spec: ReducerPoolSpec = { kind: 'median', kernel: [4], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false };
    for (let c0 = -1; c0 < 7; c0++) {
      const data = new Float32Array(4 * 7);
      for (let c = 0; c < 7; c++) {
        const taps = c % 2 === 0 ? [0, -0, 1, -1] : [-0, 0, 1, -1];
        taps.forEach((v, q) => { data[q * 7 + c] = v; });
      }
      if (c0 >= 0) data[3 * 7 + c0] = NaN;
      const y = (await wasm.reducers.forward(spec, { shape: [1, 4, 7], data, layout: 'channels_last' })).y.data;
      for (let c = 0; c < 7; c++) {
        if (c === c0) expect(y[c]).toBeNaN();
        else expect(Object.is(y[c], c % 2 === 0 ? 0 : -0), `lane ${c} (NaN in ${c0})`).toBe(true);
      }
    }
  });
});

describe('gradients against REDUCER.FD (smooth data)', () => {
  test.each(Object.keys(PARAMS) as ResearchKind[])('%s', async (kind) => {
    let seed = 100;
    for (const params of PARAMS[kind]) {
      for (const geo of GEOS.slice(0, 2)) {
        for (const layout of ['channels_first', 'channels_last'] as Layout[]) {
          const shape = joinShape(1, 2, geo.spatial, layout);
          const r = rng(seed++);
          // The smooth profile: magnitudes in [2^−6, 2^6], positive for gem (its domain).
          const data = Float32Array.from({ length: product(shape) }, () => f((kind === 'gem' || r() < 0.5 ? 1 : -1) * 2 ** (r() * 12 - 6)));
          const x: Tensor = { shape, data, layout };
          const spec: ReducerPoolSpec = { kind, kernel: geo.kernel, strides: geo.strides, dilations: geo.dilations, pads: geo.pads, ceilMode: geo.ceilMode, ...(params ? { params } : {}) };
          const g = poolGeometry(reducerGeometrySpec(spec), shape, layout);
          const dy: Tensor = { shape: [...g.outShape], data: Float32Array.from({ length: product(g.outShape) }, () => f(r() * 2 - 1)), layout };
          const dx = await wasm.reducers.backward(spec, x, dy);
          expect(dx.shape).toEqual(shape);
          const sets = referenceReducerGradient(BUILTIN_REDUCERS[kind], spec, x, dy);
          dx.data.forEach((v, i) => {
            if (!accepts(sets[i]!, v)) throw new Error(`${kind} ${JSON.stringify(params)} ${geo.name} ${layout} dx[${i}] = ${v}, want ${describeAcceptance(sets[i]!)}`);
          });
        }
      }
    }
  }, 120_000);
});

describe('chunking and the memory bound', () => {
  test('chunked calls (one unit per chunk) equal whole calls, bit for bit', async () => {
    const small = await createWasmBackend({ chunkBytes: 1 });
    try {
      for (const kind of Object.keys(PARAMS) as ResearchKind[]) {
        for (const layout of ['channels_first', 'channels_last'] as Layout[]) {
          const shape = joinShape(3, 5, [6, 5], layout);
          const x: Tensor = { shape, data: draw(kind, product(shape), 7, false), layout };
          const spec: ReducerPoolSpec = { kind, kernel: [3, 2], strides: [1, 2], dilations: [1, 1], pads: [1, 0, 1, 1], ceilMode: false, ...(PARAMS[kind][0] ? { params: PARAMS[kind][0] } : {}) };
          const g = poolGeometry(reducerGeometrySpec(spec), shape, layout);
          const dy: Tensor = { shape: [...g.outShape], data: draw('lse', product(g.outShape), 8, false), layout };
          expect((await small.reducers.forward(spec, x)).y.data).toEqual((await wasm.reducers.forward(spec, x)).y.data);
          expect((await small.reducers.backward(spec, x, dy)).data).toEqual((await wasm.reducers.backward(spec, x, dy)).data);
        }
      }
    } finally {
      await small.dispose?.();
    }
  });

  test('a case beyond the bound is declined by supports() and refused by forward/backward', async () => {
    const tiny = await createWasmBackend({ maxMemoryBytes: 2 * WASM_PAGE_BYTES });
    try {
      const spec: ReducerPoolSpec = { kind: 'median', kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false };
      const shape = [1, 1, 200, 200]; // one plane of 160 000 bytes: more than two pages with its output
      const answer = tiny.reducers.supports(spec, shape);
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.reason).toMatch(/bytes of wasm memory/);
      const x: Tensor = { shape, data: new Float32Array(40000) };
      await expect(tiny.reducers.forward(spec, x)).rejects.toBeInstanceOf(BackendError);
      expect(tiny.reducers.supports(spec, [1, 1, 20, 20]).ok).toBe(true);
    } finally {
      await tiny.dispose?.();
    }
  });

  test('supports() declines another reducer name and bad parameters with a reason; forward throws typed errors', async () => {
    const base: ReducerPoolSpec = { kind: 'entropy', kernel: [2], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false };
    const a = wasm.reducers.supports(base, [1, 1, 4]);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.reason).toMatch(/research kinds/);
    const b = wasm.reducers.supports({ ...base, kind: 'gem', params: { p: 0 } }, [1, 1, 4]);
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.reason).toMatch(/GEM\.P/);
    await expect(wasm.reducers.forward({ ...base, kind: 'mixed', params: { lambda: 2 } }, { shape: [1, 1, 4], data: new Float32Array(4) }))
      .rejects.toBeInstanceOf(ValidationError);
    expect(wasm.reducers.kinds).toEqual(['gem', 'softpool', 'lse', 'median', 'mixed', 'stochastic']);
  });
});
