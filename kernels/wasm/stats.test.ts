/**
 * The wasm backend's statistics pooling (SPEC.md STATS.*): hand-worked vectors (derivations in the comments, by
 * hand), the [N, 2C] feature order on both layouts, STATS.SPECIAL, the cancellation a one-pass float32 variance
 * would suffer, every lane and tail of the vector loops against the reference's acceptance sets
 * (spec/reference/stats.ts), chunked calls equal to whole ones, the memory bound and typed errors.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Layout, StatsPoolSpec, Tensor } from '../../spec/contract.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { joinShape, product } from '../../spec/geometry.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { referenceStatsForward, referenceStatsGradient } from '../../spec/reference/stats.js';
import createWasmBackend, { WASM_PAGE_BYTES, type WasmBackend } from './index.js';

let wasm: WasmBackend;
let chunked: WasmBackend;
beforeAll(async () => {
  wasm = await createWasmBackend();
  chunked = await createWasmBackend({ chunkBytes: 1 }); // one plane (or batch item) per chunk
});
afterAll(async () => {
  await wasm.dispose?.();
  await chunked.dispose?.();
});

const spec: StatsPoolSpec = { kind: 'stats' };
const f = Math.fround;

function t(shape: number[], values: number[], layout: Layout = 'channels_first'): Tensor {
  return { shape, data: Float32Array.from(values), layout };
}

async function y1(values: number[]): Promise<number[]> {
  return [...(await wasm.statistics.forward(spec, t([1, 1, values.length], values))).y.data];
}

describe('hand-worked forward vectors', () => {
  test('{1, 3}: μ 2, σ 1; {2, 4, 4, 4, 5, 5, 7, 9}: μ 40/8 = 5, V = (9 + 1 + 1 + 1 + 0 + 0 + 4 + 16)/8 = 4, σ 2', async () => {
    expect(await y1([1, 3])).toEqual([2, 1]);
    // Eight taps: two full vectors of four, no tail.
    expect(await y1([2, 4, 4, 4, 5, 5, 7, 9])).toEqual([5, 2]);
    // Nine taps (a tail of one): add a 5, μ = 45/9 = 5, V = 32/9, σ = √32/3 = 1.8856180831641267.
    expect(await y1([2, 4, 4, 4, 5, 5, 7, 9, 5])).toEqual([5, f(1.8856180831641267)]);
  });

  test('T = 1 and constant planes: σ = 0 exactly (population variance); μ the value', async () => {
    expect(await y1([7])).toEqual([7, 0]);
    // 5·f32(0.1) is exact in f64 and /5 gives f32(0.1) back: every deviation is 0.
    expect(await y1([0.1, 0.1, 0.1, 0.1, 0.1].map(f))).toEqual([f(0.1), 0]);
    expect(await y1([-3, -3, -3])).toEqual([-3, 0]);
  });

  test('a large offset: {2^23, 2^23 + 2, 2^23, 2^23 + 2}: μ = 2^23 + 1, σ = 1 (a one-pass float32 variance cancels: Σx² needs 48 bits)', async () => {
    expect(await y1([2 ** 23, 2 ** 23 + 2, 2 ** 23, 2 ** 23 + 2])).toEqual([2 ** 23 + 1, 1]);
  });

  test('STATS.SPECIAL: NaN → NaN, NaN; +∞ and −∞ → NaN, NaN; +∞ → +∞, NaN; −∞ → −∞, NaN', async () => {
    expect((await y1([1, 2, 3, 4, NaN])).every(Number.isNaN)).toBe(true);
    expect((await y1([Infinity, 1, -Infinity])).every(Number.isNaN)).toBe(true);
    const pos = await y1([1, 2, 3, 4, Infinity]);
    expect(pos[0]).toBe(Infinity);
    expect(pos[1]).toBeNaN();
    const neg = await y1([-Infinity, 1]);
    expect(neg[0]).toBe(-Infinity);
    expect(neg[1]).toBeNaN();
  });

  // N = 2, C = 3, T = 2. Plane (n, c) holds {a, a + 2·(c + 1)}, a = 10n + c: μ = a + c + 1 = 10n + 2c + 1, σ = c + 1.
  // Row n: the three means, then the three deviations (STATS.SPEC's feature order).
  const EXPECTED = [1, 3, 5, 1, 2, 3, 11, 13, 15, 1, 2, 3];
  test.each(['channels_first', 'channels_last'] as Layout[])('feature order [N, 2C] (%s), whole and chunked', async (layout) => {
    const data = new Float32Array(12);
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 3; c++) {
        const a = 10 * n + c;
        [a, a + 2 * (c + 1)].forEach((v, q) => { data[layout === 'channels_first' ? (n * 3 + c) * 2 + q : (n * 2 + q) * 3 + c] = v; });
      }
    }
    const x: Tensor = { shape: joinShape(2, 3, [2], layout), data, layout };
    for (const backend of [wasm, chunked]) {
      const y = (await backend.statistics.forward(spec, x)).y;
      expect(y.shape).toEqual([2, 6]);
      expect(y.layout ?? 'channels_first').toBe('channels_first');
      expect([...y.data]).toEqual(EXPECTED);
    }
  });
});

describe('hand-worked backward vectors (STATS.GRAD)', () => {
  test('{1, 3} (μ 2, σ 1), dμ 2, dσ 4: dx_t = 2/2 + 4·(x_t − 2)/(2·1) = [−1, 3]', async () => {
    expect([...(await wasm.statistics.backward(spec, t([1, 1, 2], [1, 3]), t([1, 2], [2, 4]))).data]).toEqual([-1, 3]);
  });

  test('{2, 4, 4, 4, 5, 5, 7, 9} (μ 5, σ 2), dμ 8, dσ 16: dx_t = 1 + 16·(x_t − 5)/16 = x_t − 4', async () => {
    const dx = await wasm.statistics.backward(spec, t([1, 1, 8], [2, 4, 4, 4, 5, 5, 7, 9]), t([1, 2], [8, 16]));
    expect([...dx.data]).toEqual([-2, 0, 0, 0, 1, 1, 3, 5]);
  });

  test('a constant plane and T = 1: the σ term is 0, dx = dμ/T', async () => {
    expect([...(await wasm.statistics.backward(spec, t([1, 1, 4], [5, 5, 5, 5]), t([1, 2], [1, 7]))).data]).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect([...(await wasm.statistics.backward(spec, t([1, 1, 1], [5]), t([1, 2], [3, 7]))).data]).toEqual([3]);
  });

  test.each(['channels_first', 'channels_last'] as Layout[])('N = 2, C = 3 (%s): each plane gets its own dμ, dσ', async (layout) => {
    // Plane (n, c) = {a, a + 2} (σ 1, μ a + 1), dμ = 2(n·3 + c + 1), dσ = 2: dx = dμ/2 + 2·(∓1)/2 = dμ/2 ∓ 1.
    const data = new Float32Array(12);
    const dy = new Float32Array(12);
    const want = new Float32Array(12);
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 3; c++) {
        const dmu = 2 * (n * 3 + c + 1);
        dy[n * 6 + c] = dmu;
        dy[n * 6 + 3 + c] = 2;
        for (let q = 0; q < 2; q++) {
          const at = layout === 'channels_first' ? (n * 3 + c) * 2 + q : (n * 2 + q) * 3 + c;
          data[at] = 7 * c + n + 2 * q;
          want[at] = dmu / 2 + (q === 0 ? -1 : 1);
        }
      }
    }
    const x: Tensor = { shape: joinShape(2, 3, [2], layout), data, layout };
    for (const backend of [wasm, chunked]) {
      const dx = await backend.statistics.backward(spec, x, { shape: [2, 6], data: dy });
      expect(dx.shape).toEqual(x.shape);
      expect(dx.layout).toBe(layout);
      expect([...dx.data]).toEqual([...want]);
    }
  });
});

/** A small deterministic generator (xorshift32): the data, not the code under test. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 32;
  };
}

const HARD = [0, -0, 1e-40, 2 ** 100, -(2 ** 100), 3e38, -3e38, Infinity, -Infinity, NaN];

/** An offset plus a spread (|μ| ≫ σ at times), with hard values mixed in when asked. */
function draw(count: number, seed: number, hard: boolean): Float32Array {
  const r = rng(seed);
  const offset = (r() - 0.5) * 2 ** Math.floor(r() * 40 - 10);
  return Float32Array.from({ length: count }, () => (hard && r() < 0.1 ? HARD[Math.floor(r() * HARD.length)]! : offset + (r() - 0.5) * 2 ** Math.floor(r() * 10 - 4)));
}

describe('the vector loops against the reference (every lane and tail)', () => {
  const shapes: [string, number, number, number[]][] = [];
  // Contiguous planes: T = 1 … 9 and 13 (vectors of four taps, tails of 0 … 3); channels_last: C = 1 … 6 and 9
  // (four channels per vector, tails of 0 … 3), T across both.
  for (const T of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13]) shapes.push(['planes', 2, 3, [T]]);
  for (const C of [1, 2, 3, 4, 5, 6, 9]) shapes.push(['channels', 2, C, [3, 2]]);
  test.each(shapes)('%s N %i C %i spatial %j', async (_what, N, C, spatial) => {
    let seed = N * 1000 + C * 100 + product(spatial);
    for (const layout of ['channels_first', 'channels_last'] as Layout[]) {
      for (const hard of [false, true]) {
        const shape = joinShape(N, C, spatial, layout);
        const x: Tensor = { shape, data: draw(product(shape), seed++, hard), layout };
        const ref = referenceStatsForward(spec, x).acceptance;
        const whole = (await wasm.statistics.forward(spec, x)).y.data;
        whole.forEach((v, i) => {
          if (!accepts(ref[i]!, v)) throw new Error(`${layout} [${shape.join(',')}] y[${i}] = ${v}, want ${describeAcceptance(ref[i]!)}`);
        });
        expect((await chunked.statistics.forward(spec, x)).y.data).toEqual(whole);
        const r = rng(seed + 77);
        const dy: Tensor = { shape: [N, 2 * C], data: Float32Array.from({ length: 2 * N * C }, () => f(r() * 4 - 2)) };
        const sets = referenceStatsGradient(spec, x, dy);
        const dx = (await wasm.statistics.backward(spec, x, dy)).data;
        dx.forEach((v, i) => {
          if (!accepts(sets[i]!, v)) throw new Error(`${layout} [${shape.join(',')}] dx[${i}] = ${v}, want ${describeAcceptance(sets[i]!)}`);
        });
        expect((await chunked.statistics.backward(spec, x, dy)).data).toEqual(dx);
      }
    }
  });
});

describe('the statistics member', () => {
  test('a plane beyond the memory bound is declined by supports() and refused by forward', async () => {
    const tiny = await createWasmBackend({ maxMemoryBytes: 2 * WASM_PAGE_BYTES });
    try {
      const shape = [1, 1, 40000]; // one plane of 160 000 bytes: more than two pages beside the kernels' data
      const answer = tiny.statistics.supports(spec, shape);
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.reason).toMatch(/bytes of wasm memory/);
      await expect(tiny.statistics.forward(spec, { shape, data: new Float32Array(40000) })).rejects.toBeInstanceOf(BackendError);
      expect(tiny.statistics.supports(spec, [1, 1, 400]).ok).toBe(true);
    } finally {
      await tiny.dispose?.();
    }
  });

  test('bad specs and tensors: declined with the reason, typed errors from forward and backward', async () => {
    expect(wasm.statistics.kinds).toEqual(['stats']);
    const a = wasm.statistics.supports({ kind: 'stats', unbiased: true } as StatsPoolSpec, [1, 1, 4]);
    expect(a.ok).toBe(false);
    if (!a.ok) expect(a.reason).toMatch(/STATS\.SPEC/);
    expect(wasm.statistics.supports(spec, [1, 4]).ok).toBe(false);
    const err = await wasm.statistics.backward(spec, t([1, 1, 2], [1, 2]), t([1, 1], [1])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe('dy.shape');
    expect((err as ValidationError).rule).toBe('GRAD.SHAPE');
    await expect(wasm.statistics.forward({ kind: 'avg' } as unknown as StatsPoolSpec, t([1, 1, 2], [1, 2]))).rejects.toBeInstanceOf(ValidationError);
  });
});
