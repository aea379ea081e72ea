/**
 * kernels/naive/research.ts against SPEC.md §11 on small windows (reports/mutation/summary.md): the reducer
 * properties accept anything inside the acceptance sets, so a naive kernel that routes a gradient to the wrong tie,
 * reads a channel at the wrong stride or loses a window's contribution could hide behind a property's draws. Each
 * expected value is the clause's definition (GEM.DEF, SOFT.DEF, LSE.DEF, MIXED.DEF and their GRAD clauses)
 * evaluated here in f64 and rounded once to float32, as the naive kernel's contract says.
 */
import { describe, expect, test } from 'vitest';
import type { ReducerPoolSpec, Tensor } from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { naiveResearch } from '../../kernels/naive/research.js';

const f = Math.fround;
const E = Math.E;

function spec(kind: string, kernel: number, stride: number, params?: Record<string, number>): ReducerPoolSpec {
  return { kind, kernel: [kernel], strides: [stride], dilations: [1], pads: [0, 0], ceilMode: false, ...(params ? { params } : {}) };
}
const row = (data: number[]): Tensor => ({ shape: [1, 1, data.length], data: Float32Array.from(data) });

async function fwd(kind: string, values: number[], params?: Record<string, number>): Promise<number[]> {
  return [...(await naiveResearch.forward(spec(kind, values.length, 1, params), row(values))).y.data];
}
async function bwd(kind: string, values: number[], params?: Record<string, number>, dy = 1): Promise<number[]> {
  return [...(await naiveResearch.backward(spec(kind, values.length, 1, params), row(values), row([dy]))).data];
}

describe('forward: one window per kind, from the DEF clauses', () => {
  test('gem: ((1/n)Σv^p)^(1/p)', async () => {
    // p = 3 over [1, 2]: (9/2)^(1/3). A zero tap: p = 2 over [0, 2]: √2. p = 0.5 over [1, 4]: ((1 + 2)/2)² = 2.25.
    expect(await fwd('gem', [1, 2], { p: 3 })).toEqual([f(Math.cbrt(4.5))]);
    expect(await fwd('gem', [0, 2], { p: 2 })).toEqual([f(Math.SQRT2)]);
    expect(await fwd('gem', [1, 4], { p: 0.5 })).toEqual([2.25]);
  });

  test('softpool: Σe^v·v/Σe^v, −∞ taps left out', async () => {
    expect(await fwd('softpool', [0, 1])).toEqual([f(E / (1 + E))]);
    expect(await fwd('softpool', [1, 2, -Infinity])).toEqual([f((E + 2 * E * E) / (E + E * E))]);
  });

  test('lse: (1/r)·log((1/n)Σe^{r·v}), −∞ taps counting in n', async () => {
    expect(await fwd('lse', [0, 1], { r: 2 })).toEqual([f(0.5 * Math.log((1 + E * E) / 2))]);
    expect(await fwd('lse', [-Infinity, 1], { r: 1 })).toEqual([f(1 - Math.LN2)]);
    expect(await fwd('lse', [3, 3, 3], { r: 0.5 })).toEqual([3]);
  });

  test('median and mixed', async () => {
    expect(await fwd('median', [9, 1, 4, 7])).toEqual([4]);
    // λ = 0.25 over [3, 1, 2]: 0.25·3 + 0.75·2 = 2.25; the max in the middle: [1, 5, 2], λ = 0.5: 2.5 + 4/3.
    expect(await fwd('mixed', [3, 1, 2], { lambda: 0.25 })).toEqual([2.25]);
    expect(await fwd('mixed', [1, 5, 2], { lambda: 0.5 })).toEqual([f(2.5 + 4 / 3)]);
  });

  test('several windows and channels_last', async () => {
    // mixed λ = 0, kernel 2 stride 1 over [1, 3, 7]: the averages 2 and 5.
    expect([...(await naiveResearch.forward(spec('mixed', 2, 1, { lambda: 0 }), row([1, 3, 7]))).y.data]).toEqual([2, 5]);
    // [N=1, W=4, C=2] channels_last, median kernel 2 stride 2: channel 0 = [4, 1, 8, 9], channel 1 = [2, 6, 5, 3].
    // Lower medians: channel 0 → 1, 8; channel 1 → 2, 3; written (w, c): [1, 2, 8, 3].
    const x: Tensor = { shape: [1, 4, 2], data: Float32Array.from([4, 2, 1, 6, 8, 5, 9, 3]), layout: 'channels_last' };
    const y = (await naiveResearch.forward(spec('median', 2, 2), x)).y;
    expect([...y.data]).toEqual([1, 2, 8, 3]);
    expect(y.layout).toBe('channels_last');
    expect(y.shape).toEqual([1, 2, 2]);
  });
});

describe('backward: the GRAD clauses\' partials times dy, summed over windows', () => {
  test('gem: (1/n)(v_r/y)^(p−1), 0 at a zero tap', async () => {
    const y = Math.sqrt(12.5);
    expect(await bwd('gem', [3, 4], { p: 2 })).toEqual([f(3 / y / 2), f(4 / y / 2)]);
    // p = 0.5 over [0, 4]: y = (2/2)² = 1; ∂ = (4/1)^(−0.5)/2 = 0.25 at the 4, and 0 (not ∞) at the zero tap.
    expect(await bwd('gem', [0, 4], { p: 0.5 })).toEqual([0, 0.25]);
  });

  test('softpool: p_r(1 + v_r − y), dy = 2', async () => {
    // [0, 1]: p = [1/(1 + e), e/(1 + e)], y = e/(1 + e).
    const y = E / (1 + E);
    const p = [1 / (1 + E), E / (1 + E)];
    expect(await bwd('softpool', [0, 1], undefined, 2)).toEqual([f(2 * p[0]! * (1 + 0 - y)), f(2 * p[1]! * (1 + 1 - y))]);
  });

  test('lse: the softmax weights e^{r·v_r}/Σe^{r·v}', async () => {
    // r = 2 over [0, 1]: [1, e²]/(1 + e²).
    expect(await bwd('lse', [0, 1], { r: 2 })).toEqual([f(1 / (1 + E * E)), f((E * E) / (1 + E * E))]);
  });

  test('mixed: λ to the first of tied maxima (MAX.TIES), (1 − λ)/n to every tap', async () => {
    // [5, 5, 2], λ = 0.5: the first 5 gets 0.5 + 0.5/3, the others 0.5/3.
    expect(await bwd('mixed', [5, 5, 2], { lambda: 0.5 })).toEqual([f(0.5 + 0.5 / 3), f(0.5 / 3), f(0.5 / 3)]);
    // The max last: [1, 2, 6], λ = 0.25 → [0.25, 0.25, 0.5].
    expect(await bwd('mixed', [1, 2, 6], { lambda: 0.25 })).toEqual([0.25, 0.25, 0.5]);
  });

  test('median: dy to the selected tap only', async () => {
    expect(await bwd('median', [9, 1, 4, 7], undefined, 3)).toEqual([0, 0, 3, 0]);
  });

  test('contributions of overlapping windows add up; channels_last', async () => {
    // median, kernel 2 stride 1 over [5, 1, 3]: windows [5, 1] → tap 1, [1, 3] → tap 1; dy = [2, 3] → dx = [0, 5, 0].
    const dx = await naiveResearch.backward(spec('median', 2, 1), row([5, 1, 3]), row([2, 3]));
    expect([...dx.data]).toEqual([0, 5, 0]);
    // [N=1, W=2, C=2] channels_last, mixed λ = 1, kernel 2: channel 0 = [1, 4] → tap 1; channel 1 = [3, 2] → tap 0;
    // dy (c0, c1) = (5, 7): dx channel 0 = [0, 5], channel 1 = [7, 0]; interleaved [0, 7, 5, 0].
    const x: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 3, 4, 2]), layout: 'channels_last' };
    const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([5, 7]), layout: 'channels_last' };
    const g = await naiveResearch.backward(spec('mixed', 2, 2, { lambda: 1 }), x, dy);
    expect([...g.data]).toEqual([0, 7, 5, 0]);
    expect(g.layout).toBe('channels_last');
    expect(g.shape).toEqual([1, 2, 2]);
  });
});

describe('kinds, supports() and errors', () => {
  test('the research kinds and stochastic', () => {
    expect([...naiveResearch.kinds].sort()).toEqual(['gem', 'lse', 'median', 'mixed', 'softpool', 'stochastic']);
  });

  test('supports(): the kinds it implements, validation\'s message otherwise', () => {
    expect(naiveResearch.supports(spec('gem', 2, 1, { p: 2 }), [1, 1, 4])).toEqual({ ok: true });
    const bad = naiveResearch.supports(spec('gem', 2, 1, { p: 0 }), [1, 1, 4]);
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.reason).toContain('GEM.P');
    const other = naiveResearch.supports(spec('max', 2, 1), [1, 1, 4]);
    expect(other.ok ? '' : other.reason).toContain('"max"');
    expect(other.ok ? '' : other.reason).toContain('gem');
    expect(naiveResearch.supports(null as unknown as ReducerPoolSpec, [1, 1, 4]).ok).toBe(false);
    // A window larger than the input fails validation with the geometry's rule.
    expect(naiveResearch.supports(spec('median', 5, 1), [1, 1, 4]).ok).toBe(false);
  });

  test('an unknown kind is a typed error naming spec.kind (PARAM.KIND)', async () => {
    for (const call of [
      () => naiveResearch.forward(spec('nope', 2, 1), row([1, 2])),
      () => naiveResearch.backward(spec('nope', 2, 1), row([1, 2]), row([1])),
    ]) {
      const e = await call().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(ValidationError);
      expect(e).toMatchObject({ field: 'spec.kind', rule: 'PARAM.KIND' });
      expect((e as Error).message).toContain('gem');
    }
  });
});

describe('survivors of the Stryker run (reports/mutation/summary.md)', () => {
  test('the max shift: [0, 1000] overflows e^v in f64 unshifted, not shifted', async () => {
    // softpool: weights e^-1000 (0 in f64) and 1, y = 1000; the partials p_r(1 + v_r − y) = [0, 1].
    expect(await fwd('softpool', [0, 1000])).toEqual([1000]);
    expect(await bwd('softpool', [0, 1000])).toEqual([0, 1]);
    // lse, r = 1: y = 1000 + log((e^-1000 + 1)/2) = 1000 − ln 2 (as float32); the softmax weights [0, 1].
    expect(await fwd('lse', [0, 1000], { r: 1 })).toEqual([f(1000 - Math.LN2)]);
    expect(await bwd('lse', [0, 1000], { r: 1 })).toEqual([0, 1]);
  });

  test('special windows are answered by the declaration (GEM.SPECIAL: all zero → +0)', async () => {
    const y = await fwd('gem', [0, 0], { p: 2 });
    expect(Object.is(y[0], 0)).toBe(true);
  });

  test('channels_last backward with two outputs per channel: dy read at stride C', async () => {
    // [N=1, W=4, C=2], median kernel 2 stride 2: channel 0 = [4, 1, 8, 9] → taps w1, w2; channel 1 = [2, 6, 5, 3]
    // → taps w0, w3. dy (w, c): (0, 0) = 1, (0, 1) = 2, (1, 0) = 3, (1, 1) = 4. dx (w, c) interleaved:
    // w0 = [0, 2], w1 = [1, 0], w2 = [3, 0], w3 = [0, 4].
    const x: Tensor = { shape: [1, 4, 2], data: Float32Array.from([4, 2, 1, 6, 8, 5, 9, 3]), layout: 'channels_last' };
    const dy: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 2, 3, 4]), layout: 'channels_last' };
    expect([...(await naiveResearch.backward(spec('median', 2, 2), x, dy)).data]).toEqual([0, 2, 1, 0, 3, 0, 0, 4]);
  });

  test('a null spec is a typed error, not a TypeError; the refusal lists the kinds', async () => {
    for (const call of [
      () => naiveResearch.forward(null as unknown as ReducerPoolSpec, row([1, 2])),
      () => naiveResearch.backward(null as unknown as ReducerPoolSpec, row([1, 2]), row([1])),
    ]) {
      const e = await call().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toContain('must be one of gem, ');
    }
    const other = naiveResearch.supports(spec('max', 2, 1), [1, 1, 4]);
    expect(other.ok ? '' : other.reason).toContain('gem, softpool');
  });
});

