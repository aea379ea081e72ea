/**
 * kernels/naive/structured.ts (SPEC.md §10) without the property runs: hand-worked windows for each reducer
 * (ADAPTIVE.WINDOW, ROI.EMPTY, MAX.SELECT's first maximum and first NaN, UNPOOL's copy) and a fixed set of cases
 * of every structured kind, both layouts, batch and channels above 1, whose forward and backward must lie in the
 * reference's acceptance sets (spec/reference/structured.ts) with equal indices — the structured properties' check
 * on a handful of deterministic cases, so that Stryker can afford it per mutant.
 */
import { describe, expect, test } from 'vitest';
import type { Layout, StructuredSpec, Tensor } from '../../spec/contract.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { referenceStructuredBackward, referenceStructuredForward } from '../../spec/reference/structured.js';
import { naiveStructured as naive } from '../../kernels/naive/structured.js';

const t = (shape: number[], data: number[], layout?: Layout): Tensor => ({ shape, data: Float32Array.from(data), ...(layout ? { layout } : {}) });

describe('hand-worked windows', () => {
  test('adaptive_max: the first maximum, the first NaN; GRAD.STRUCTURED routes dy to the index', async () => {
    // 6 → 3 (ADAPTIVE.WINDOW: [0, 2), [2, 4), [4, 6)): [4, 4] → 4 at 0; [1, 3] → 3 at 3; [NaN, NaN] → NaN at 4.
    const spec: StructuredSpec = { kind: 'adaptive_max', outputSize: [3] };
    const x = t([1, 1, 6], [4, 4, 1, 3, NaN, NaN]);
    const r = await naive.forward(spec, x);
    expect([...r.y.data]).toEqual([4, 3, NaN]);
    expect([...r.indices!]).toEqual([0, 3, 4]);
    expect(r.y.shape).toEqual([1, 1, 3]);
    expect([...(await naive.backward(spec, x, t([1, 1, 3], [1, 2, 3]))).data]).toEqual([1, 0, 0, 2, 3, 0]);
  });

  test('adaptive_max: a NaN after a number wins; a later greater value wins; a smaller one does not', async () => {
    // 6 → 2: [0, 3) = [1, NaN, 9] → NaN at 1 (the scan stops there); [3, 6) = [2, 8, 5] → 8 at 4.
    const spec: StructuredSpec = { kind: 'adaptive_max', outputSize: [2] };
    const r = await naive.forward(spec, t([1, 1, 6], [1, NaN, 9, 2, 8, 5]));
    expect([...r.y.data, ...r.indices!]).toEqual([NaN, 8, 1, 4]);
  });

  test('adaptive_avg: the mean of each window; dy/n to each of its n elements, added where windows overlap', async () => {
    // 5 → 2: [0, 3) and [2, 5): means 2 and 4; dy [3, 6]: dx = [1, 1, 1 + 2, 2, 2]. No indices.
    const spec: StructuredSpec = { kind: 'adaptive_avg', outputSize: [2] };
    const x = t([1, 1, 5], [1, 2, 3, 4, 5]);
    const r = await naive.forward(spec, x);
    expect([...r.y.data]).toEqual([2, 4]);
    expect(r.indices).toBeUndefined();
    expect([...(await naive.backward(spec, x, t([1, 1, 2], [3, 6]))).data]).toEqual([1, 1, 3, 2, 2]);
  });

  test('roi_max: a box outside the map has empty bins: +0, index −1, no gradient (ROI.EMPTY)', async () => {
    // 4×4 map; box 0 covers columns and rows 10..12: clipped to nothing. Box 1 is the whole map (ROI.WHOLE):
    // adaptive max to [1, 1], the 15 at (3, 3), plane index 15.
    const spec: StructuredSpec = { kind: 'roi_max', pooledSize: [1, 1], spatialScale: 1, boxes: [[0, 10, 10, 12, 12], [0, 0, 0, 3, 3]] };
    const x = t([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));
    const r = await naive.forward(spec, x);
    expect(r.y.shape).toEqual([2, 1, 1, 1]);
    expect([...r.y.data]).toEqual([0, 15]);
    expect(Object.is(r.y.data[0], 0)).toBe(true);
    expect([...r.indices!]).toEqual([-1, 15]);
    const dx = await naive.backward(spec, x, t([2, 1, 1, 1], [5, 7]));
    expect([...dx.data]).toEqual([...new Array<number>(15).fill(0), 7]);
  });

  test('max_unpool: each value to its index, zeros elsewhere; the gradient back from that index', async () => {
    // x = [7, 9] to 4 positions at indices [3, 0]: y = [9, 0, 0, 7]; dy = [1, 2, 3, 4] gives dx = [4, 1].
    const spec: StructuredSpec = { kind: 'max_unpool', kernel: [2], strides: [2], pads: [0, 0], indices: Int32Array.from([3, 0]) };
    const x = t([1, 1, 2], [7, 9]);
    expect([...(await naive.forward(spec, x)).y.data]).toEqual([9, 0, 0, 7]);
    expect((await naive.forward(spec, x)).indices).toBeUndefined();
    expect([...(await naive.backward(spec, x, t([1, 1, 4], [1, 2, 3, 4]))).data]).toEqual([4, 1]);
  });

  test('max_unpool moves values, it does not add them: −0 stays −0 at its index (+0 only where no index points)', async () => {
    // x = [−0, 9] at indices [2, 0] of 4 positions: y = [9, +0, −0, +0] (UNPOOL.ZERO for positions 1 and 3). An
    // average over the one element (0 + x) would turn −0 into +0.
    const spec: StructuredSpec = { kind: 'max_unpool', kernel: [2], strides: [2], pads: [0, 0], indices: Int32Array.from([2, 0]) };
    const y = (await naive.forward(spec, t([1, 1, 2], [-0, 9]))).y.data;
    expect([...y].map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(['9', '0', '-0', '0']);
  });

  test('supports(): a valid case yes, an invalid one no with a reason; every structured kind is offered', () => {
    expect(naive.supports({ kind: 'adaptive_max', outputSize: [2] }, [1, 1, 4], 'channels_first')).toEqual({ ok: true });
    const no = naive.supports({ kind: 'adaptive_max', outputSize: [0] }, [1, 1, 4], 'channels_first');
    expect(no.ok).toBe(false);
    expect(no.ok === false ? no.reason : '').not.toBe('');
    expect([...naive.kinds].sort()).toEqual(['adaptive_avg', 'adaptive_max', 'max_unpool', 'roi_max', 'spp']);
  });

  test('the backward keeps x\'s layout, channels_first when x names none', async () => {
    const spec: StructuredSpec = { kind: 'adaptive_avg', outputSize: [1] };
    expect((await naive.backward(spec, t([1, 2, 1], [1, 2]), t([1, 2, 1], [1, 1]))).layout).toBe('channels_first');
    expect((await naive.backward(spec, t([1, 2, 1], [1, 2], 'channels_last'), t([1, 1, 1], [1], 'channels_last'))).layout).toBe('channels_last');
  });
});

/** A fixed pseudo-random stream (a 32-bit LCG): small halves with repeats, so ties occur. */
function values(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(((s >>> 16) % 13) / 2 - 3);
  }
  return out;
}

interface Case { readonly name: string; readonly spec: StructuredSpec; readonly shape: number[]; readonly layout: Layout }

const CASES: Case[] = [];
for (const layout of ['channels_first', 'channels_last'] as const) {
  const shape2 = (n: number, c: number, h: number, w: number): number[] => (layout === 'channels_first' ? [n, c, h, w] : [n, h, w, c]);
  const shape1 = (n: number, c: number, w: number): number[] => (layout === 'channels_first' ? [n, c, w] : [n, w, c]);
  CASES.push(
    { name: 'adaptive_max 7 → 3', spec: { kind: 'adaptive_max', outputSize: [3] }, shape: shape1(2, 3, 7), layout },
    { name: 'adaptive_avg 7 → 3', spec: { kind: 'adaptive_avg', outputSize: [3] }, shape: shape1(2, 3, 7), layout },
    { name: 'adaptive_avg 5×4 → 2×3', spec: { kind: 'adaptive_avg', outputSize: [2, 3] }, shape: shape2(2, 2, 5, 4), layout },
    { name: 'adaptive_max 5×4 → 3×2', spec: { kind: 'adaptive_max', outputSize: [3, 2] }, shape: shape2(2, 2, 5, 4), layout },
    {
      name: 'roi_max, three boxes, one partly outside', layout, shape: shape2(2, 2, 5, 6),
      spec: { kind: 'roi_max', pooledSize: [2, 2], spatialScale: 0.5, boxes: [[1, 0, 0, 9, 7], [0, 4, 2, 14, 12], [1, 3, 3, 3, 3]] },
    },
    { name: 'spp max', spec: { kind: 'spp', mode: 'max', levels: [[1, 1], [2, 2]] }, shape: shape2(2, 2, 5, 4), layout },
    { name: 'spp avg', spec: { kind: 'spp', mode: 'avg', levels: [[1, 1], [2, 3]] }, shape: shape2(2, 2, 5, 4), layout },
    {
      name: 'max_unpool', layout, shape: shape1(2, 2, 3),
      // Per (n, c) plane of 3 inputs, indices into the output plane of (3 − 1)·2 + 2 = 6: one per window of 2.
      spec: { kind: 'max_unpool', kernel: [2], strides: [2], pads: [0, 0], indices: Int32Array.from([1, 2, 5, 0, 3, 4, 1, 3, 4, 0, 2, 5]) },
    },
  );
}

describe('fixed cases: every result in the reference\'s acceptance set, indices equal', () => {
  test.each(CASES.map((c, i) => [`${c.name} ${c.layout}`, c, i] as const))('%s', async (_, c, i) => {
    const x: Tensor = { shape: c.shape, data: Float32Array.from(values(c.shape.reduce((a, b) => a * b, 1), 3 + i)), layout: c.layout };
    const got = await naive.forward(c.spec, x);
    const ref = referenceStructuredForward(c.spec, x);
    expect(got.y.shape).toEqual([...ref.gather.outShape]);
    expect(got.y.layout).toBe(ref.gather.outLayout);
    expect(got.y.data.length).toBe(ref.acceptance.length);
    ref.acceptance.forEach((a, o) => {
      if (!accepts(a, got.y.data[o]!)) expect.fail(`y[${o}] = ${got.y.data[o]} outside ${describeAcceptance(a)}`);
    });
    if (ref.indices) expect([...got.indices!]).toEqual([...ref.indices]);
    else expect(got.indices).toBeUndefined();

    const dy: Tensor = { shape: [...ref.gather.outShape], data: Float32Array.from(values(ref.acceptance.length, 100 + i)), layout: ref.gather.outLayout };
    const dx = await naive.backward(c.spec, x, dy);
    const back = referenceStructuredBackward(c.spec, x, dy);
    expect(dx.shape).toEqual(c.shape);
    expect(dx.layout).toBe(c.layout);
    expect(dx.data.length).toBe(back.acceptance.length);
    back.acceptance.forEach((a, k) => {
      if (!accepts(a, dx.data[k]!)) expect.fail(`dx[${k}] = ${dx.data[k]} outside ${describeAcceptance(a)}`);
    });
  });
});
