/**
 * The research kinds (SPEC.md §11) on the naive backend: hand-worked vectors (derivations in the comments,
 * computed by hand, not by the code), validation's typed errors, and every reducer property at three seeds.
 */
import { describe, expect, test } from 'vitest';
import type { ReducerPoolSpec, Tensor } from '../spec/contract.js';
import { ValidationError } from '../spec/errors.js';
import { accepts } from '../spec/interval.js';
import { RESEARCH_PROPERTIES } from '../spec/properties/index.js';
import { BUILTIN_REDUCERS } from '../spec/reducers/index.js';
import { referenceReducerForward } from '../spec/reference/reducer.js';
import { validateReducerSpec } from '../spec/validate-reducer.js';
import { runProperty } from '../spec/verifier.js';
import { DEFAULT_POLICY } from '../spec/policy.js';
import { createNaiveBackend } from '../kernels/naive/index.js';

const naive = createNaiveBackend();

/** One window over a 1-D input [1, 1, n]: kernel n, stride 1, no padding. */
function whole(kind: string, values: number[], params?: Record<string, number>): { spec: ReducerPoolSpec; x: Tensor } {
  return {
    spec: { kind, kernel: [values.length], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, ...(params ? { params } : {}) },
    x: { shape: [1, 1, values.length], data: Float32Array.from(values) },
  };
}

async function naiveY(kind: string, values: number[], params?: Record<string, number>): Promise<number> {
  const { spec, x } = whole(kind, values, params);
  return (await naive.reducers.forward(spec, x)).y.data[0]!;
}

function accepted(kind: string, values: number[], got: number, params?: Record<string, number>): boolean {
  const { spec, x } = whole(kind, values, params);
  return accepts(referenceReducerForward(BUILTIN_REDUCERS[kind as 'gem'], spec, x).acceptance[0]!, got);
}

describe('hand-worked vectors', () => {
  test('gem', async () => {
    // p = 2 over [3, 4]: ((9 + 16)/2)^(1/2) = sqrt(12.5) = 3.5355339059327378.
    expect(await naiveY('gem', [3, 4], { p: 2 })).toBe(Math.fround(3.5355339059327378));
    expect(accepted('gem', [3, 4], Math.fround(3.5355339059327378), { p: 2 })).toBe(true);
    expect(accepted('gem', [3, 4], 3.5, { p: 2 })).toBe(false); // 3.5 is the arithmetic mean, not the power mean
    // p = 1 is the arithmetic mean: (1 + 2 + 6)/3 = 3 exactly.
    expect(await naiveY('gem', [1, 2, 6], { p: 1 })).toBe(3);
    // GEM.DOMAIN: a negative tap gives NaN; GEM.SPECIAL: all zero gives +0, +∞ gives +∞.
    expect(await naiveY('gem', [1, -1], { p: 2 })).toBeNaN();
    expect(Object.is(await naiveY('gem', [0, 0], { p: 3 }), 0)).toBe(true);
    expect(await naiveY('gem', [1, Infinity], { p: 3 })).toBe(Infinity);
  });

  test('softpool', async () => {
    // [0, ln 3]: weights 1 and 3, y = (0·1 + ln 3·3)/4 = 0.75·ln 3 ≈ 0.8239592. The input is the float32 of ln 3
    // (1.0986123085021973), whose weight e^{l3} is 3 only to about 1e-7, so the exact value is l3·w/(1 + w).
    const l3 = Math.fround(Math.log(3));
    const w = Math.exp(l3);
    expect(await naiveY('softpool', [0, l3])).toBe(Math.fround((l3 * w) / (1 + w)));
    // SOFT.DEF without overflow: [1000, 1000] is 1000 (equal weights), [1000, 0] is 1000 to float32 (e^-1000 vanishes).
    expect(await naiveY('softpool', [1000, 1000])).toBe(1000);
    expect(await naiveY('softpool', [1000, 0])).toBe(1000);
    // SOFT.SPECIAL: −∞ weighs nothing, [−∞, 2] = 2; all −∞ = −∞; +∞ = +∞.
    expect(await naiveY('softpool', [-Infinity, 2])).toBe(2);
    expect(await naiveY('softpool', [-Infinity, -Infinity])).toBe(-Infinity);
    expect(await naiveY('softpool', [Infinity, 2])).toBe(Infinity);
  });

  test('lse', async () => {
    // r = 1 over [0, 0]: log((1 + 1)/2) = 0. r = 2 over [0, 0.5·ln 3]: (1/2)·log((e^0 + e^{ln 3})/2) = (1/2)·log 2
    // = 0.34657359027997264 (the input is the float32 of 0.5·ln 3, so the weight is 3 only to ~1e-7: checked
    // against the acceptance set, which is far narrower than the distance to any other candidate).
    expect(await naiveY('lse', [0, 0], { r: 1 })).toBe(0);
    expect(accepted('lse', [0, Math.fround(0.5 * Math.log(3))], Math.fround(0.5 * Math.LN2), { r: 2 })).toBe(true);
    // Max-shifted: [100, 100] with r = 1 is 100 (no e^100 overflow), and [−100, −100] is −100.
    expect(await naiveY('lse', [100, 100], { r: 1 })).toBe(100);
    expect(await naiveY('lse', [-100, -100], { r: 1 })).toBe(-100);
    // LSE.SPECIAL: [−∞, 0] = log(1/2) = −ln 2 (the −∞ tap counts in n).
    expect(await naiveY('lse', [-Infinity, 0], { r: 1 })).toBe(Math.fround(-Math.LN2));
  });

  test('median', async () => {
    // [5, 1, 4, 2]: sorted 1, 2, 4, 5; lower median = rank ⌊3/2⌋ = 1 → 2.
    expect(await naiveY('median', [5, 1, 4, 2])).toBe(2);
    // [3, 1, 2]: sorted 1, 2, 3 → 2. Ties with signed zeros: [0, −0, 1] sorts 0, −0 (scan order), 1 → rank 1: −0.
    expect(await naiveY('median', [3, 1, 2])).toBe(2);
    expect(Object.is(await naiveY('median', [0, -0, 1]), -0)).toBe(true);
    // MEDIAN.SELECT: a NaN wins.
    expect(await naiveY('median', [1, NaN, 2])).toBeNaN();
    // MEDIAN.GRAD: the gradient goes to the selected tap: [2, 2, 1] sorts 1 (tap 2), 2 (tap 0), 2 (tap 1) → tap 0.
    const { spec, x } = whole('median', [2, 2, 1]);
    const dx = await naive.reducers.backward(spec, x, { shape: [1, 1, 1], data: Float32Array.of(1) });
    expect([...dx.data]).toEqual([1, 0, 0]);
  });

  test('mixed', async () => {
    // λ = 0.25 over [1, 2, 6]: 0.25·6 + 0.75·3 = 1.5 + 2.25 = 3.75.
    expect(await naiveY('mixed', [1, 2, 6], { lambda: 0.25 })).toBe(3.75);
    // λ = 1 is max; λ = 0 is the average: (1 + 2 + 6)/3 = 3.
    expect(await naiveY('mixed', [1, 2, 6], { lambda: 1 })).toBe(6);
    expect(await naiveY('mixed', [1, 2, 6], { lambda: 0 })).toBe(3);
    // MIXED.GRAD, λ = 0.5: the max tap gets 0.5 + 0.5/3 = 2/3, the others 1/6.
    const { spec, x } = whole('mixed', [1, 2, 6], { lambda: 0.5 });
    const dx = await naive.reducers.backward(spec, x, { shape: [1, 1, 1], data: Float32Array.of(1) });
    expect([...dx.data]).toEqual([Math.fround(1 / 6), Math.fround(1 / 6), Math.fround(2 / 3)]);
  });
});

describe('validation (REDUCER.PARAMS)', () => {
  const base = whole('gem', [1, 2]).spec;
  test.each([
    ['gem', { p: 0 }, 'spec.params.p', 'GEM.P'],
    ['gem', { p: -1 }, 'spec.params.p', 'GEM.P'],
    ['gem', { p: NaN }, 'spec.params.p', 'PARAM.FINITE'],
    ['gem', { p: 0.1 }, 'spec.params.p', 'GEM.P'],
    ['gem', { p: 2, q: 1 }, 'spec.params.q', 'REDUCER.PARAMS'],
    ['lse', { r: 0 }, 'spec.params.r', 'LSE.R'],
    ['lse', {}, 'spec.params.r', 'PARAM.FINITE'],
    ['mixed', { lambda: 1.5 }, 'spec.params.lambda', 'MIXED.LAMBDA'],
    ['mixed', { lambda: -0.25 }, 'spec.params.lambda', 'MIXED.LAMBDA'],
  ] as const)('%s %j → %s (%s)', (kind, params, field, rule) => {
    let error: unknown;
    try { validateReducerSpec({ ...base, kind, params }, BUILTIN_REDUCERS[kind]); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).rule).toBe(rule);
  });
});

describe('naive passes every research-kind property', () => {
  const props = RESEARCH_PROPERTIES;
  test.each([20261203, 7, 424242])('seed %i', async (seed) => {
    for (const p of props) {
      const o = await runProperty(p, naive, DEFAULT_POLICY, 40, seed);
      expect(o.failure?.message ?? o.status, p.id).toBe('pass');
    }
  }, 600_000);
});
