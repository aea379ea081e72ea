/**
 * kernels/naive, the paths the properties reach rarely or never (reports/mutation/summary.md): plan() misuse
 * (CONTRACT.PLAN's typed errors), a plan's reuse of its accumulator, a plan that wants no indices, supports() on
 * invalid input, and the Lp gradient at zero. Every expected value is worked out by hand beside it.
 */
import { describe, expect, test } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';
import { planeTaps } from '../../kernels/naive/window.js';
import { poolGeometry } from '../../spec/geometry.js';

const naive = createNaiveBackend();
const maxSpec: PoolSpec = { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const x: Tensor = { shape: [1, 1, 4], data: Float32Array.from([1, 3, 2, 0]) };

async function rejection(work: () => Promise<unknown>): Promise<ValidationError> {
  let err: unknown;
  try { await work(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe('plan(): the case is fixed, outputs are the caller\'s', () => {
  test('forward fills y and indices; backward routes dy to the maxima and starts from zero on every call', async () => {
    // Windows [1, 3] and [2, 0]: maxima 3 at 1 and 2 at 2.
    const p = await naive.plan(maxSpec, [1, 1, 4]);
    expect(p.outShape).toEqual([1, 1, 2]);
    const out = { y: new Float32Array(2), indices: new Int32Array(2) };
    await p.forward(x, out);
    expect([...out.y, ...out.indices]).toEqual([3, 2, 1, 2]);
    const dx = new Float32Array(4);
    await p.backward(x, { shape: [1, 1, 2], data: Float32Array.from([10, 20]) }, dx);
    expect([...dx]).toEqual([0, 10, 20, 0]);
    // A second call with other dy: nothing of the first may remain in the plan's accumulator.
    await p.backward(x, { shape: [1, 1, 2], data: Float32Array.from([1, 1]) }, dx);
    expect([...dx]).toEqual([0, 1, 1, 0]);
    await p.dispose();
    // After dispose a new accumulator is made: still from zero.
    await p.backward(x, { shape: [1, 1, 2], data: Float32Array.from([5, 7]) }, dx);
    expect([...dx]).toEqual([0, 5, 7, 0]);
  });

  test('the spec is copied at plan time: editing it afterwards changes nothing', async () => {
    const spec: PoolSpec = { ...maxSpec, kernel: [2] };
    const p = await naive.plan(spec, [1, 1, 4]);
    (spec as { kind: string }).kind = 'sum';
    const out = { y: new Float32Array(2), indices: new Int32Array(2) };
    await p.forward(x, out);
    expect([...out.y]).toEqual([3, 2]); // still max, not the sums 4 and 2
  });

  test('with indices: false a max plan writes y only and needs no indices array', async () => {
    const p = await naive.plan(maxSpec, [1, 1, 4], 'channels_first', { indices: false });
    const out = { y: new Float32Array(2), indices: Int32Array.from([-7, -7]) };
    await p.forward(x, out);
    expect([...out.y]).toEqual([3, 2]);
    expect([...out.indices]).toEqual([-7, -7]); // untouched (PoolPlanOptions.indices)
    const bare = { y: new Float32Array(2) };
    await p.forward(x, bare);
    expect([...bare.y]).toEqual([3, 2]);
  });

  test('a channels_last plan reads and writes channels_last', async () => {
    // [N, W, C] = [1, 4, 2]: channel 0 is 1, 3, 2, 0 and channel 1 is 5, 4, 7, 6 (interleaved); k 2, s 2.
    const p = await naive.plan(maxSpec, [1, 4, 2], 'channels_last');
    expect(p.outShape).toEqual([1, 2, 2]);
    const out = { y: new Float32Array(4), indices: new Int32Array(4) };
    await p.forward({ shape: [1, 4, 2], data: Float32Array.from([1, 5, 3, 4, 2, 7, 0, 6]), layout: 'channels_last' }, out);
    // Output [N, W', C]: (w'0: c0 3, c1 5), (w'1: c0 2, c1 7); plane indices 1, 0, 2, 2.
    expect([...out.y, ...out.indices]).toEqual([3, 5, 2, 7, 1, 0, 2, 2]);
  });

  test.each<[string, (p: Awaited<ReturnType<typeof naive.plan>>) => Promise<unknown>, string, RegExp]>([
    ['x in another layout', (p) => p.forward({ shape: [1, 4, 1], data: new Float32Array(4), layout: 'channels_last' }, { y: new Float32Array(2), indices: new Int32Array(2) }),
      'x.layout', /^must be the planned layout "channels_first"$/],
    ['x of another shape', (p) => p.forward({ shape: [1, 1, 6], data: new Float32Array(6) }, { y: new Float32Array(2), indices: new Int32Array(2) }),
      'x.shape', /^must be the planned shape \[1, 1, 4\]$/],
    ['y of 3 elements', (p) => p.forward(x, { y: new Float32Array(3), indices: new Int32Array(2) }), 'out.y', /^must be a caller-provided Float32Array of 2 elements$/],
    ['y a Float64Array', (p) => p.forward(x, { y: new Float64Array(2) as unknown as Float32Array, indices: new Int32Array(2) }), 'out.y', /Float32Array of 2 elements/],
    ['no out at all', (p) => p.forward(x, undefined as unknown as { y: Float32Array }), 'out.y', /Float32Array of 2 elements/],
    ['indices missing', (p) => p.forward(x, { y: new Float32Array(2) }), 'out.indices', /^must be a caller-provided Int32Array of 2 elements$/],
    ['dy of another shape', (p) => p.backward(x, { shape: [1, 1, 3], data: new Float32Array(3) }, new Float32Array(4)), 'dy.shape', /planned shape \[1, 1, 2\]/],
    ['dy in another layout', (p) => p.backward(x, { shape: [1, 2, 1], data: new Float32Array(2), layout: 'channels_last' }, new Float32Array(4)), 'dy.layout', /planned layout "channels_first"/],
    ['dx of 3 elements', (p) => p.backward(x, { shape: [1, 1, 2], data: new Float32Array(2) }, new Float32Array(3)), 'dx', /^must be a caller-provided Float32Array of 4 elements$/],
  ])('a plan refuses %s (CONTRACT.PLAN)', async (_, misuse, field, requirement) => {
    const p = await naive.plan(maxSpec, [1, 1, 4]);
    const e = await rejection(() => misuse(p));
    expect([e.field, e.rule]).toEqual([field, 'CONTRACT.PLAN']);
    expect(e.requirement).toMatch(requirement);
  });

  test('plan() validates the spec and the shape it is given', async () => {
    expect((await rejection(() => naive.plan({ ...maxSpec, kind: 'median' } as unknown as PoolSpec, [1, 1, 4]))).rule).toBe('PARAM.KIND');
    const e = await rejection(() => naive.plan(maxSpec, [1, 4]));
    expect([e.field, e.rule]).toEqual(['inputShape', 'TENSOR.RANK']);
    expect((await rejection(() => naive.plan(maxSpec, [1, 1, 1]))).rule).toBe('WINDOW.FITS');
  });
});

describe('supports()', () => {
  test('accepts a valid case and declines an invalid one with validation\'s message', () => {
    expect(naive.supports(maxSpec, [1, 1, 4], 'channels_first')).toEqual({ ok: true });
    expect(naive.supports(maxSpec, [1, 1, 1], 'channels_first')).toEqual({
      ok: false, reason: 'x.shape[2]: plus pads 0+0 must be at least the dilated window 2 of spatial axis 0 (WINDOW.FITS), got 1',
    });
  });
});

describe('the Lp gradient where x or y is zero (GRAD.LP)', () => {
  const lp: PoolSpec = { ...maxSpec, kind: 'lp', p: 2 };
  test('a zero tap gets nothing; the others get dy·sign(x)·|x|^(p−1)·y^(1−p)', async () => {
    // Window [0, −3], p 2: y = √(0 + 9) = 3; dx = dy·x/y: 0 and 2·(−3)/3 = −2. Window [4, 0]: y 4, dx 1·4/4 = 1, 0.
    const dx = await naive.backward(lp, { shape: [1, 1, 4], data: Float32Array.from([0, -3, 4, 0]) }, { shape: [1, 1, 2], data: Float32Array.from([2, 1]) });
    expect([...dx.data]).toEqual([0, -2, 1, 0]);
  });
  test('an all-zero window (y = 0) passes no gradient, and no NaN', async () => {
    const dx = await naive.backward(lp, { shape: [1, 1, 4], data: Float32Array.from([0, 0, 1, 0]) }, { shape: [1, 1, 2], data: Float32Array.from([5, 1]) });
    expect([...dx.data]).toEqual([0, 0, 1, 0]);
  });
});

describe('planeTaps: the compressed window lists', () => {
  test('avg: in-bounds taps and AVG.DIVISOR per window', () => {
    // k 2, s 2, pads [1, 0], I = 3, padding not counted: O = ⌊(3 + 1 − 2)/2⌋ + 1 = 2. Window 0 starts at −1:
    // taps −1 (padding) and 0, divisor 1; window 1 starts at 1: taps 1 and 2, divisor 2.
    const spec: PoolSpec = { ...maxSpec, kind: 'avg', pads: [1, 0] };
    const w = planeTaps(spec, poolGeometry(spec, [1, 1, 3]));
    expect([[...w.start], [...w.taps], [...w.divisor]]).toEqual([[0, 1, 3], [0, 1, 2], [1, 2]]);
  });
  test('other kinds keep divisor 1 (the field is avg only)', () => {
    // Windows [0, 1] and [2, 3] of two in-bounds taps each: an avg divisor would be 2.
    const w = planeTaps(maxSpec, poolGeometry(maxSpec, [1, 1, 4]));
    expect([[...w.start], [...w.taps], [...w.divisor]]).toEqual([[0, 2, 4], [0, 1, 2, 3], [1, 1]]);
  });
});
