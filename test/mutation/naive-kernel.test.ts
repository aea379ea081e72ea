/**
 * kernels/naive/index.ts, its forward and backward loops (SPEC.md §3–§5), without the property runs: hand-worked
 * windows for MAX.SELECT (first maximum, first NaN, −∞), SUM/AVG/LP.DEF and their gradients, then a fixed set of
 * geometries (batch and channels above 1, both layouts, rank 1 and 2, padding, dilation, ceil mode, divisors)
 * whose results must lie in the reference's acceptance sets (spec/reference, ACC.*) — the diff.* properties'
 * check, on a handful of deterministic cases so that Stryker can afford it per mutant. Expected values are worked
 * out beside each test from the clauses, never taken from the kernel.
 */
import { describe, expect, test } from 'vitest';
import type { Layout, PoolSpec, Tensor } from '../../spec/contract.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { referenceBackward } from '../../spec/reference/backward.js';
import { referenceForward } from '../../spec/reference/forward.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const base: PoolSpec = { kind: 'max', kernel: [3], strides: [3], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const row = (...v: number[]): Tensor => ({ shape: [1, 1, v.length], data: Float32Array.from(v) });

describe('max: MAX.SELECT and GRAD.MAX on hand-worked windows', () => {
  test('the first maximum wins a tie; a NaN wins and the first NaN is the index; −∞ alone is a maximum', async () => {
    // Windows [2, 5, 5] → 5 at 1 (MAX.TIES: first); [1, NaN, NaN] → NaN at 4 (MAX.NAN: first NaN);
    // [−∞, −∞, −∞] → −∞ at 6 (the first tap); [NaN, 9, 1] → NaN at 9 (a NaN first ends the scan, the 9 does not win).
    // Indices are flat positions in the input plane (MAX.INDEX).
    const x = row(2, 5, 5, 1, NaN, NaN, -Infinity, -Infinity, -Infinity, NaN, 9, 1);
    const r = await naive.forward(base, x);
    expect([...r.y.data]).toEqual([5, NaN, -Infinity, NaN]);
    expect([...r.indices!]).toEqual([1, 4, 6, 9]);
    expect(r.y.shape).toEqual([1, 1, 4]);
    // GRAD.MAX: each dy to its window's index only, never split among ties.
    const dx = await naive.backward(base, x, row(10, 20, 30, 40));
    expect([...dx.data]).toEqual([0, 10, 0, 0, 20, 0, 30, 0, 0, 40, 0, 0]);
  });

  test('a later strictly greater tap wins; a smaller one after the maximum does not', async () => {
    // [1, 2, 3] → 3 at 2; [3, 2, 1] → 3 at 3; [−1, 4, −5] → 4 at 7 (plane positions).
    const x = row(1, 2, 3, 3, 2, 1, -1, 4, -5);
    const r = await naive.forward(base, x);
    expect([...r.y.data, ...r.indices!]).toEqual([3, 3, 4, 2, 3, 7]);
    const dx = await naive.backward(base, x, row(1, 2, 4));
    expect([...dx.data]).toEqual([0, 0, 1, 2, 0, 0, 0, 4, 0]);
  });

  test('overlapping windows add their gradients on a shared maximum (GRAD.MAX\'s +=)', async () => {
    // k 2, s 1 over [1, 7, 2]: both windows select the 7 at 1; dx[1] = 3 + 5.
    const spec: PoolSpec = { ...base, kernel: [2], strides: [1] };
    const x = row(1, 7, 2);
    expect([...(await naive.forward(spec, x)).indices!]).toEqual([1, 1]);
    expect([...(await naive.backward(spec, x, row(3, 5))).data]).toEqual([0, 8, 0]);
  });
});

describe('sum, avg, lp: the definitions and their gradients', () => {
  test('SUM.DEF and GRAD.SUM: every tap of a window once, gradients added where windows overlap', async () => {
    // k 3, s 2 over [1, 2, 4, 8, 16]: windows [1, 2, 4] and [4, 8, 16] → 7, 28; dy [1, 10]: dx = [1, 1, 11, 10, 10].
    const spec: PoolSpec = { ...base, kind: 'sum', strides: [2] };
    const x = row(1, 2, 4, 8, 16);
    expect([...(await naive.forward(spec, x)).y.data]).toEqual([7, 28]);
    expect((await naive.forward(spec, x)).indices).toBeUndefined();
    expect([...(await naive.backward(spec, x, row(1, 10))).data]).toEqual([1, 1, 11, 10, 10]);
  });

  test('AVG.DIVISOR and GRAD.AVG: padding not counted, then counted, then a divisorOverride', async () => {
    // k 2, s 2, pads [1, 1] over [6, 2, 4]: windows {pad, 6}, {2, 4}. Not counting padding the divisors are 1, 2:
    // y = [6, 3], dx for dy [4, 8] = [4, 4, 4]. Counting it: divisors 2, 2, y = [3, 3], dx = [2, 4, 4].
    // Override 4: y = [1.5, 1.5], dx = [1, 2, 2].
    const spec: PoolSpec = { ...base, kind: 'avg', kernel: [2], strides: [2], pads: [1, 1] };
    const x = row(6, 2, 4);
    const dy = row(4, 8);
    expect([...(await naive.forward(spec, x)).y.data]).toEqual([6, 3]);
    expect([...(await naive.backward(spec, x, dy)).data]).toEqual([4, 4, 4]);
    const counted = { ...spec, countIncludePad: true };
    expect([...(await naive.forward(counted, x)).y.data]).toEqual([3, 3]);
    expect([...(await naive.backward(counted, x, dy)).data]).toEqual([2, 4, 4]);
    const over = { ...spec, divisorOverride: 4 };
    expect([...(await naive.forward(over, x)).y.data]).toEqual([1.5, 1.5]);
    expect([...(await naive.backward(over, x, dy)).data]).toEqual([1, 2, 2]);
  });

  test('LP.DEF and GRAD.LP at p = 3 and p = 1, with negative taps', async () => {
    // p 3, window [−1, 2, 0] (k 3): y = (1 + 8 + 0)^(1/3) = 9^(1/3); dx_r = dy·sign(x)|x|²·y^(−2):
    // with dy = 9^(2/3) that is −1, 4, 0 (a zero tap gets nothing).
    const lp3: PoolSpec = { ...base, kind: 'lp', p: 3 };
    const y3 = (await naive.forward(lp3, row(-1, 2, 0))).y.data[0]!;
    expect(y3).toBe(Math.fround(Math.cbrt(9)));
    const dx3 = await naive.backward(lp3, row(-1, 2, 0), row(Math.fround(Math.cbrt(81))));
    expect(dx3.data[0]).toBeCloseTo(-1, 6);
    expect(dx3.data[1]).toBeCloseTo(4, 6);
    expect(dx3.data[2]).toBe(0);
    // p 1: y = Σ|x| = 1 + 2 + 4 = 7 over [−1, 2, −4]; dx = dy·sign(x) = [−5, 5, −5].
    const lp1: PoolSpec = { ...base, kind: 'lp', p: 1 };
    expect([...(await naive.forward(lp1, row(-1, 2, -4))).y.data]).toEqual([7]);
    expect([...(await naive.backward(lp1, row(-1, 2, -4), row(5))).data]).toEqual([-5, 5, -5]);
    // p 2, two windows [3, −4, 0] and [0, 0, 5]: y = 5, 5; dx = dy·x/y with dy [10, 2]: [6, −8, 0, 0, 0, 2].
    const lp2: PoolSpec = { ...base, kind: 'lp', p: 2 };
    const x2 = row(3, -4, 0, 0, 0, 5);
    expect([...(await naive.forward(lp2, x2)).y.data]).toEqual([5, 5]);
    expect([...(await naive.backward(lp2, x2, row(10, 2))).data]).toEqual([6, -8, 0, 0, 0, 2]);
  });
});

/** A fixed pseudo-random stream (a 32-bit LCG), so the cases below are the same on every run. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // Small integers and halves, a few repeated, some negative: ties and cancellations occur.
    out[i] = ((s >>> 16) % 17) / 2 - 4;
  }
  return out;
}

interface Case { readonly spec: PoolSpec; readonly shape: number[]; readonly layout: Layout }

const p32 = Math.fround(2.5);
const GEOMETRIES: readonly Omit<PoolSpec, 'kind'>[] = [
  { kernel: [3], strides: [2], dilations: [1], pads: [1, 1], ceilMode: false, countIncludePad: false },
  { kernel: [2], strides: [1], dilations: [2], pads: [0, 1], ceilMode: true, countIncludePad: true },
  { kernel: [2, 3], strides: [2, 1], dilations: [1, 1], pads: [1, 0, 0, 1], ceilMode: true, countIncludePad: false },
  { kernel: [3, 2], strides: [1, 2], dilations: [1, 2], pads: [0, 1, 1, 0], ceilMode: false, countIncludePad: true },
];
const CASES: Case[] = [];
for (const g of GEOMETRIES) {
  for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
    for (const layout of ['channels_first', 'channels_last'] as const) {
      const spatial = g.kernel.length === 1 ? [9] : [5, 6];
      const shape = layout === 'channels_first' ? [2, 3, ...spatial] : [2, ...spatial, 3];
      CASES.push({ spec: { ...g, kind, ...(kind === 'lp' ? { p: p32 } : {}) }, shape, layout });
    }
  }
}

describe('fixed geometries: every result in the reference\'s acceptance set (ACC.*)', () => {
  test.each(CASES.map((c, i) => [`${c.spec.kind} k[${c.spec.kernel.join(',')}] ${c.layout}`, c, i] as const))('%s', async (_, c, i) => {
    const size = c.shape.reduce((a, b) => a * b, 1);
    const x: Tensor = { shape: c.shape, data: values(size, 7 + i), layout: c.layout };
    const got = await naive.forward(c.spec, x);
    const ref = referenceForward(c.spec, x);
    expect(got.y.shape).toEqual([...ref.geometry.outShape]);
    expect(got.y.layout ?? 'channels_first').toBe(c.layout);
    expect(got.y.data.length).toBe(ref.acceptance.length);
    ref.acceptance.forEach((a, o) => {
      if (!accepts(a, got.y.data[o]!)) expect.fail(`y[${o}] = ${got.y.data[o]} outside ${describeAcceptance(a)}`);
    });
    if (c.spec.kind === 'max') expect([...got.indices!]).toEqual([...ref.indices!]);
    else expect(got.indices).toBeUndefined();

    const dy: Tensor = { shape: [...ref.geometry.outShape], data: values(ref.acceptance.length, 1000 + i), layout: c.layout };
    const dx = await naive.backward(c.spec, x, dy);
    const back = referenceBackward(c.spec, x, dy);
    expect(dx.shape).toEqual(c.shape);
    expect(dx.layout ?? 'channels_first').toBe(c.layout);
    expect(dx.data.length).toBe(back.acceptance.length);
    back.acceptance.forEach((a, k) => {
      if (!accepts(a, dx.data[k]!)) expect.fail(`dx[${k}] = ${dx.data[k]} outside ${describeAcceptance(a)}`);
    });

    // A plan of the same case computes the same (CONTRACT.PLAN: the plan runs the same loops).
    const p = await naive.plan(c.spec, c.shape, c.layout);
    const out = { y: new Float32Array(got.y.data.length), indices: new Int32Array(got.y.data.length) };
    await p.forward(x, out);
    expect([...out.y]).toEqual([...got.y.data]);
    const pdx = new Float32Array(size);
    await p.backward(x, dy, pdx);
    expect([...pdx]).toEqual([...dx.data]);
  });
});

describe('after the first mutation run (reports/mutation/summary.md, kernels/naive/index.ts)', () => {
  test('p is ignored unless the kind is lp (§1): a sum and an avg with p = 2 are plain sums and means', async () => {
    // Windows [3, −4] and [1, 2] (k 2, s 2): sums −1 and 3, means −0.5 and 1.5 — not √ of anything.
    const x = row(3, -4, 1, 2);
    const k2 = { ...base, kernel: [2], strides: [2], p: 2 };
    expect([...(await naive.forward({ ...k2, kind: 'sum' }, x)).y.data]).toEqual([-1, 3]);
    expect([...(await naive.forward({ ...k2, kind: 'avg' }, x)).y.data]).toEqual([-0.5, 1.5]);
  });

  test('GRAD.LP at p < 1: a zero tap in a non-zero window gets 0, not 0·∞', async () => {
    // p 0.5, window [0, 4]: y = (0 + 4^0.5)^2 = 4; dx = dy·sign(x)·|x|^(−0.5)·y^(0.5): 0 for x = 0 (defined so),
    // 3·1·(1/2)·2 = 3 for x = 4.
    const lp: PoolSpec = { ...base, kind: 'lp', p: 0.5, kernel: [2], strides: [2] };
    expect([...(await naive.forward(lp, row(0, 4))).y.data]).toEqual([4]);
    expect([...(await naive.backward(lp, row(0, 4), row(3))).data]).toEqual([0, 3]);
  });

  test('a plan of a kind without indices needs no indices array and writes none', async () => {
    const p = await naive.plan({ ...base, kind: 'sum' }, [1, 1, 6]);
    const out = { y: new Float32Array(2) };
    await p.forward(row(1, 2, 3, 4, 5, 6), out);
    expect([...out.y]).toEqual([6, 15]);
    const given = { y: new Float32Array(2), indices: Int32Array.from([-1, -1]) };
    await p.forward(row(1, 2, 3, 4, 5, 6), given);
    expect([...given.indices]).toEqual([-1, -1]);
  });

  test('a plan\'s backward names x when x is not the planned shape (CONTRACT.PLAN)', async () => {
    const p = await naive.plan(base, [1, 1, 6]);
    const err = await p.backward(row(1, 2, 3), row(1), new Float32Array(3)).catch((e: unknown) => e);
    expect(err).toMatchObject({ field: 'x.shape', rule: 'CONTRACT.PLAN' });
  });
});
