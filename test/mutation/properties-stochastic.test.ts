/**
 * spec/properties/stochastic.ts (stochastic pooling's training-mode properties, SPEC.md STOCH.*) one case at a
 * time, for mutation testing: trainingForward's contract checks, reducer.stochastic.select and .route on
 * hand-worked windows whose selection does not depend on the draw (one positive tap, a NaN, a negative tap) or
 * is worked by hand from SPEC.md's RNG vector, and STOCH.FREQ's counting, critical value and verdict on
 * hand-made counts. Naive must pass; backends wrong in exactly one way must fail, citing the clause. No
 * fast-check runs (a few cases sampled from the arbitrary only).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import type { ForwardResult, Layout, PoolingBackend, ReducerPoolSpec, ReducerPoolingBackend, ReducingBackend, Tensor } from '../../spec/contract.js';
import type { ReducerCase } from '../../spec/arbitraries/reducer.js';
import { DEFAULT_POLICY } from '../../spec/policy.js';
import {
  FREQ_SEEDS, FREQ_WINDOWS, frequencyCounts, frequencyThreshold, frequencyVerdict, stochasticFrequency, stochasticRoute, stochasticSelect,
  stochasticTrainingArbitrary, trainingForward,
} from '../../spec/properties/stochastic.js';
import { CALL_TIMEOUT_MS, fail, type Verdict } from '../../spec/properties/property.js';
import { MAX_SEED } from '../../spec/reducers/stochastic.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const R = naive.reducers;
const t = (shape: number[], data: number[], layout?: Layout): Tensor => ({ shape, data: Float32Array.from(data), ...(layout ? { layout } : {}) });
const spec1d = (k: number, seed = 0): ReducerPoolSpec => ({ kind: 'stochastic', kernel: [k], strides: [k], dilations: [1], pads: [0, 0], ceilMode: false, params: { training: 1, seed } });
const mk = (spec: ReducerPoolSpec, x: Tensor, dy: Tensor): ReducerCase => ({ spec, x, dy, profile: 'hard' });

function withReducers(over: Partial<ReducerPoolingBackend>, name = 'broken'): ReducingBackend {
  return { ...naive, name, reducers: { ...R, ...over } };
}
const editForward = (edit: (r: ForwardResult) => unknown): PoolingBackend =>
  withReducers({ forward: async (spec, x) => edit(await R.forward(spec, x)) as ForwardResult });
const editBackward = (edit: (dx: Tensor) => unknown): PoolingBackend =>
  withReducers({ backward: async (spec, x, dy) => edit(await R.backward(spec, x, dy)) as Tensor });

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}
const PASSED = { status: 'pass' };

// Kernel = stride = 3 over [0, 5, 0, 2, 0, 0]: each window has one positive tap, so whatever u is, the first i with
// u·S < ĉ_i is that tap (STOCH.SELECT): window 0 ĉ = 0, 5, 5 → tap 2 (plane index 1, y 5); window 1 ĉ = 2, 2, 2 →
// tap 1 (index 3, y 2). dy = [3, −1] goes whole to them (STOCH.GRAD): dx = [0, 3, 0, −1, 0, 0].
const single = mk(spec1d(3), t([1, 1, 6], [0, 5, 0, 2, 0, 0], 'channels_first'), t([1, 1, 2], [3, -1], 'channels_first'));
// channels_last [1, 6, 2]: channel 0 as above, channel 1 [1, 0, 0, 0, 0, 7] → indices 0 and 5, y 1 and 7.
// y in (o, c) order: [5, 1, 2, 7]; indices [1, 0, 3, 5]; dy [3, 4, −1, 2] → dx channel 1 = [4, 0, 0, 0, 0, 2].
const cl = mk(spec1d(3), t([1, 6, 2], [0, 1, 5, 0, 0, 0, 2, 0, 0, 0, 0, 7], 'channels_last'), t([1, 2, 2], [3, 4, -1, 2], 'channels_last'));
// SPEC.md's vector: seed 0 at (0, 0, 0) gives u = 0.2182230; [1, 2, 3, 4]: u·S = 2.18, ĉ = 1, 3, 6, 10 → tap 2 (index 1).
const drawn = mk(spec1d(4), t([1, 1, 4], [1, 2, 3, 4]), t([1, 1, 1], [5]));
// A NaN selects the first NaN (y NaN); a negative tap the first negative tap (y NaN).
const special = mk(spec1d(3), t([1, 1, 6], [1, NaN, 2, 1, -2, 3]), t([1, 1, 2], [1, 1]));

describe('trainingForward (SHAPE.OUT, TENSOR.LAYOUT, STOCH.INDEX, CONTRACT.SUPPORTS)', () => {
  afterEach(() => { vi.useRealTimers(); });

  test('naive\'s y and indices, hand-worked, in either layout', async () => {
    const a = await trainingForward(naive, single.spec, single.x);
    expect([...a.y]).toEqual([5, 2]);
    expect([...a.indices]).toEqual([1, 3]);
    const b = await trainingForward(naive, cl.spec, cl.x);
    expect([...b.y]).toEqual([5, 1, 2, 7]);
    expect([...b.indices]).toEqual([1, 0, 3, 5]);
    const c = await trainingForward(naive, drawn.spec, drawn.x);
    expect([...c.indices]).toEqual([1]);
  });

  test('forward() throwing on a supported case fails; a call that never settles fails after 30 s', async () => {
    const boom = withReducers({ forward: () => Promise.reject(new TypeError('bad')) });
    expect(await stochasticSelect.check(boom, single, DEFAULT_POLICY)).toEqual(fail('reducers.forward() threw TypeError: bad on a supported case (CONTRACT.SUPPORTS)'));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const HUNG = Symbol('hung');
    const hangs = withReducers({ forward: () => new Promise(() => undefined), backward: () => new Promise(() => undefined) });
    const f = stochasticSelect.check(hangs, single, DEFAULT_POLICY);
    const b = stochasticRoute.check(hangs, single, DEFAULT_POLICY);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    const settled = <T>(p: Promise<T>): Promise<T | typeof HUNG> => Promise.race([p, new Promise<typeof HUNG>((resolve) => { setImmediate(() => resolve(HUNG)); })]);
    expect(await settled(f)).toEqual(fail('reducers.forward() did not settle within 30 s'));
    expect(await settled(b)).toEqual(fail('reducers.backward() did not settle within 30 s'));
  });

  test('y must be a Float32Array of §2\'s shape in x\'s layout', async () => {
    const bad: [string, (r: ForwardResult) => unknown][] = [
      ['an Array', (r) => ({ ...r, y: { ...r.y, data: Array.from(r.y.data) } })],
      ['shape [1, 2]', (r) => ({ ...r, y: { ...r.y, shape: [1, 2] } })],
      ['labelled channels_last', (r) => ({ ...r, y: { ...r.y, layout: 'channels_last' } })],
      ['no y', (r) => ({ indices: r.indices })],
    ];
    for (const [what, edit] of bad) {
      expect(failure(await stochasticSelect.check(editForward(edit), single, DEFAULT_POLICY)), what).toMatch(/^reducers\.forward\(\) output \[.*\] ≠ expected \[1,1,2\] channels_first \(SHAPE\.OUT, TENSOR\.LAYOUT\)$/);
    }
    expect(failure(await stochasticSelect.check(withReducers({ forward: async () => undefined as unknown as ForwardResult }), single, DEFAULT_POLICY))).toBe('reducers.forward() output [undefined] ≠ expected [1,1,2] channels_first (SHAPE.OUT, TENSOR.LAYOUT)');
    // channels_last x: y labelled channels_last is right, channels_first (or no label) wrong; no label on a bare x is right.
    expect(await stochasticSelect.check(naive, cl, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await stochasticSelect.check(editForward((r) => ({ ...r, y: { shape: r.y.shape, data: r.y.data } })), cl, DEFAULT_POLICY))).toBe('reducers.forward() output [1,2,2] ≠ expected [1,2,2] channels_last (SHAPE.OUT, TENSOR.LAYOUT)');
    const bare = mk(single.spec, t([1, 1, 6], [0, 5, 0, 2, 0, 0]), t([1, 1, 2], [3, -1]));
    expect(await stochasticSelect.check(editForward((r) => ({ ...r, y: { shape: r.y.shape, data: r.y.data } })), bare, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('indices: an Int32Array with one entry per output (STOCH.INDEX)', async () => {
    const message = fail('stochastic training forward must return indices, an Int32Array with one entry per output (STOCH.INDEX)');
    expect(await stochasticSelect.check(editForward((r) => ({ y: r.y })), single, DEFAULT_POLICY)).toEqual(message);
    expect(await stochasticSelect.check(editForward((r) => ({ ...r, indices: Array.from(r.indices!) })), single, DEFAULT_POLICY)).toEqual(message);
    expect(await stochasticSelect.check(editForward((r) => ({ ...r, indices: r.indices!.slice(1) })), single, DEFAULT_POLICY)).toEqual(message);
    expect(await stochasticSelect.check(editForward((r) => ({ ...r, indices: Int32Array.of(...r.indices!, 0) })), single, DEFAULT_POLICY)).toEqual(message);
  });
});

describe('reducer.stochastic.select (STOCH.SELECT, STOCH.INDEX)', () => {
  test('naive passes on the hand-worked windows, a NaN and a negative tap', async () => {
    for (const c of [single, cl, drawn, special]) expect(await stochasticSelect.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('a wrong index fails on the indices first, citing both clauses; a wrong value with the right index fails on y', async () => {
    const firstTap = editForward((r) => ({ ...r, indices: Int32Array.from(r.indices!, (_q, o) => 3 * o) }));
    expect(await stochasticSelect.check(firstTap, single, DEFAULT_POLICY)).toEqual(fail('indices[0,0,0] = 0, expected exactly 1 (STOCH.SELECT, STOCH.INDEX)',
      { tensor: 'indices', flat: 0, position: [0, 0, 0], expected: '1', got: '0' }));
    const firstTapBoth = editForward((r) => ({ y: { ...r.y, data: Float32Array.of(0, 2) }, indices: Int32Array.of(0, 3) }));
    expect(failure(await stochasticSelect.check(firstTapBoth, single, DEFAULT_POLICY))).toMatch(/^indices\[0,0,0\]/);
    const value = editForward((r) => ({ ...r, y: { ...r.y, data: Float32Array.of(5, 3) } }));
    expect(await stochasticSelect.check(value, single, DEFAULT_POLICY)).toEqual(fail('y[0,0,1] = 3, expected exactly 2 (STOCH.SELECT)',
      { tensor: 'y', flat: 1, position: [0, 0, 1], expected: '2', got: '3' }));
  });
});

describe('reducer.stochastic.route (STOCH.GRAD, GRAD.SHAPE)', () => {
  test('naive passes: dx = [0, 3, 0, −1, 0, 0]; channels_last; a NaN window', async () => {
    expect([...(await R.backward(single.spec, single.x, single.dy)).data]).toEqual([0, 3, 0, -1, 0, 0]);
    for (const c of [single, cl, drawn]) expect(await stochasticRoute.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('dy routed to the first tap instead fails at that element', async () => {
    const first = editBackward((dx) => ({ ...dx, data: Float32Array.of(3, 0, 0, -1, 0, 0) }));
    expect(failure(await stochasticRoute.check(first, single, DEFAULT_POLICY))).toMatch(/^dx\[0,0,0\] = 3, expected .* \(STOCH\.GRAD, ACC\.GRAD\)$/);
  });

  test('backward() throwing fails; dx must be a Float32Array of x\'s shape', async () => {
    expect(await stochasticRoute.check(withReducers({ backward: () => Promise.reject(new RangeError('no')) }), single, DEFAULT_POLICY))
      .toEqual(fail('reducers.backward() threw RangeError: no on a supported case (CONTRACT.SUPPORTS)'));
    expect(await stochasticRoute.check(editBackward((dx) => ({ ...dx, shape: [6] })), single, DEFAULT_POLICY)).toEqual(fail('reducers.backward() dx shape [6] ≠ [1,1,6] (GRAD.SHAPE)'));
    expect(failure(await stochasticRoute.check(editBackward((dx) => ({ ...dx, data: Array.from(dx.data) })), single, DEFAULT_POLICY))).toMatch(/^reducers\.backward\(\) dx shape \[1,1,6\] ≠ \[1,1,6\] \(GRAD\.SHAPE\)$/);
    expect(failure(await stochasticRoute.check(withReducers({ backward: async () => undefined as unknown as Tensor }), single, DEFAULT_POLICY))).toBe('reducers.backward() dx shape [undefined] ≠ [1,1,6] (GRAD.SHAPE)');
  });
});

describe('results that are not tensors of the right shape and layout end in a verdict (SHAPE.OUT, GRAD.SHAPE)', () => {
  test('a y or dx whose shape is not an array fails, never throws', async () => {
    expect(failure(await stochasticSelect.check(editForward((r) => ({ ...r, y: { ...r.y, shape: '1,1,2' } })), single, DEFAULT_POLICY))).toMatch(/^reducers\.forward\(\) output \[1,1,2\] ≠ expected \[1,1,2\] channels_first \(SHAPE\.OUT, TENSOR\.LAYOUT\)$/);
    expect(failure(await stochasticRoute.check(editBackward((dx) => ({ ...dx, shape: { length: 3 } })), single, DEFAULT_POLICY))).toMatch(/^reducers\.backward\(\) dx shape \[.*\] ≠ \[1,1,6\] \(GRAD\.SHAPE\)$/);
  });

  test('dx labelled with a layout other than x\'s fails: it would be read in the wrong order', async () => {
    expect(await stochasticRoute.check(editBackward((dx) => ({ ...dx, layout: 'channels_last' })), single, DEFAULT_POLICY))
      .toEqual(fail('reducers.backward() dx layout channels_last ≠ input layout channels_first (GRAD.SHAPE)'));
    expect(await stochasticRoute.check(editBackward(({ shape, data }) => ({ shape, data })), cl, DEFAULT_POLICY))
      .toEqual(fail('reducers.backward() dx layout channels_first (absent) ≠ input layout channels_last (GRAD.SHAPE)'));
    // x without a label is channels_first: a dx without one is right.
    const bare = mk(single.spec, t([1, 1, 6], [0, 5, 0, 2, 0, 0]), t([1, 1, 2], [3, -1]));
    expect(await stochasticRoute.check(editBackward(({ shape, data }) => ({ shape, data })), bare, DEFAULT_POLICY)).toEqual(PASSED);
  });
});

describe('STOCH.FREQ', () => {
  test('the critical value t = sqrt(ln(2k/α)/(2M)): k = 8, M = 8192 gives 0.0318 at α = 1e-6; 0.0212 at α = 0.01', () => {
    // ln(16/1e-6) = 16.5881, /16384 = 0.00101246, √ = 0.031819; ln(1600) = 7.37776, /16384, √ = 0.021220.
    expect(frequencyThreshold(8, 8192)).toBeCloseTo(0.031819, 5);
    expect(frequencyThreshold(8, 8192, 0.01)).toBeCloseTo(0.021220, 5);
  });

  test('the counts: 8 seeds, input [2, 2, 256·k] of the window repeated, kernel = stride = k; 4·256 draws per seed', async () => {
    const seen: ReducerPoolSpec[] = [];
    let input: Tensor | undefined;
    // A "backend" always selecting the window's second tap: index o·k + 1 at the output's position o in its plane.
    const second = async (spec: ReducerPoolSpec, x: Tensor): Promise<Int32Array> => {
      seen.push(spec);
      input = x;
      return Int32Array.from({ length: 4 * 256 }, (_, at) => (at % 256) * 4 + 1);
    };
    expect(await frequencyCounts(second, [1, 2, 3, 4])).toEqual({ counts: [0, 8192, 0, 0], draws: 8192 });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((seed) => ({ kind: 'stochastic', kernel: [4], strides: [4], dilations: [1], pads: [0, 0], ceilMode: false, params: { training: 1, seed } })));
    expect(input!.shape).toEqual([2, 2, 1024]);
    expect(input!.layout).toBe('channels_first');
    expect([...input!.data.slice(0, 8)]).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(input!.data.length).toBe(4096);
    expect(input!.data[4095]).toBe(4);
  });

  test('an index outside its window (before it or past it) spoils the counts', async () => {
    const at0 = (q: number) => async (): Promise<Int32Array> => Int32Array.from({ length: 4 * 256 }, (_, at) => (at === 0 ? q : (at % 256) * 4));
    expect((await frequencyCounts(at0(-1), [1, 2, 3, 4])).counts[0]).toBeNaN();
    expect((await frequencyCounts(at0(4), [1, 2, 3, 4])).counts[0]).toBeNaN();
    // Inside the window: the first output of each of the 8 seeds' calls counts for tap 3.
    expect((await frequencyCounts(at0(3), [1, 2, 3, 4])).counts).toEqual([8184, 0, 0, 8]);
  });

  test('the verdict: window [1, 1], 1000 draws, t = √(ln(4·10^6)/2000) = 0.087183: 587 passes, 588 fails, either tap', () => {
    expect(frequencyVerdict([1, 1], [587, 413], 1000)).toEqual(PASSED);
    expect(frequencyVerdict([1, 1], [413, 587], 1000)).toEqual(PASSED);
    const v = frequencyVerdict([1, 1], [412, 588], 1000);
    expect(failure(v)).toBe('window [1, 1]: tap 0 selected 412 of 1000 times (0.41200), probability 0.50000; allowed ±0.08718 (STOCH.FREQ)');
    expect(v.status === 'fail' && v.mismatch).toEqual({ tensor: 'frequency', flat: 0, position: [0], expected: `0.5 ± ${frequencyThreshold(2, 1000) + 2 ** -24}`, got: '0.412' });
    expect(failure(frequencyVerdict([1, 1], [588, 412], 1000))).toMatch(/^window \[1, 1\]: tap 0 selected 588 of 1000 times/);
  });

  test('a tap of probability 0 must never be selected, however close; an unusable count fails citing STOCH.INDEX', () => {
    expect(frequencyVerdict([0, 1], [0, 1000], 1000)).toEqual(PASSED);
    expect(failure(frequencyVerdict([0, 1], [1, 999], 1000))).toMatch(/^window \[0, 1\]: tap 0 selected 1 of 1000 times \(0\.00100\), probability 0\.00000; .* \(STOCH\.FREQ\)$/);
    expect(frequencyVerdict([1, 1], [NaN, 500], 1000)).toEqual(fail('window [1, 1]: an index outside the window (STOCH.INDEX)'));
  });

  test('reducer.stochastic.frequency: naive passes; each window is evaluated once per backend object', async () => {
    let calls = 0;
    const counted = withReducers({ forward: (s, x) => { calls++; return R.forward(s, x); } }, 'counted');
    expect(await stochasticFrequency.check(counted, 0, DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls).toBe(FREQ_SEEDS);
    const again = stochasticFrequency.check(counted, 0, DEFAULT_POLICY);
    expect(await again).toEqual(PASSED);
    expect(calls).toBe(FREQ_SEEDS);
    expect(await stochasticFrequency.check(counted, 1, DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls).toBe(2 * FREQ_SEEDS);
    const other = withReducers({ forward: (s, x) => { calls++; return R.forward(s, x); } }, 'other');
    expect(await stochasticFrequency.check(other, 1, DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls).toBe(3 * FREQ_SEEDS);
  });

  test('reducer.stochastic.frequency: a backend always taking the first positive tap fails', async () => {
    const first = editForward((r) => ({ ...r, indices: Int32Array.from(r.indices!, (_q, at) => (at % 256) * 4) }));
    expect(failure(await stochasticFrequency.check(first, 0, DEFAULT_POLICY))).toBe(`window [${FREQ_WINDOWS[0]!.join(', ')}]: tap 0 selected 8192 of 8192 times (1.00000), probability 0.10000; allowed ±0.03115 (STOCH.FREQ)`);
  });
});

describe('kill tests written after the run', () => {
  test('the training cases: every seed is an integer in [0, 2^24 − 1] (STOCH.SEED)', () => {
    const cases = fc.sample(stochasticTrainingArbitrary(12), { numRuns: 150, seed: 3 });
    const seeds = cases.map((c) => c.spec.params?.seed ?? NaN);
    expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= MAX_SEED)).toBe(true);
  });

  test('the ties pattern replaces x\'s data element by element: values of TIE_VALUES only, several of the rare ones, never NaN', () => {
    const cases = fc.sample(stochasticTrainingArbitrary(), { numRuns: 150, seed: 11 });
    // 2^-30, 2^25 and 2^127 appear in no other profile's draws together; a case holding two of them, every value from
    // the pattern's set, is the pattern's.
    const ties = new Set([0, 1, 2, 2 ** -30, 2 ** 24, 2 ** 25, 0.5, 2 ** 127, Math.fround(3e38)]);
    const rare = [2 ** -30, 2 ** 25, 2 ** 127];
    const patterned = cases.filter((c) => c.x.data.length >= 8 && [...c.x.data].every((v) => ties.has(v)) && rare.filter((r) => c.x.data.includes(r)).length >= 2);
    expect(patterned.length).toBeGreaterThanOrEqual(10);
    // The pattern is 64 draws long: a patterned case of 24 or more elements repeats with no short period (a pattern
    // of at most 10 draws would repeat every 10 elements or fewer).
    const periodic = (d: Float32Array, p: number): boolean => d.every((v, i) => i < p || Object.is(v, d[i - p]));
    const long = patterned.filter((c) => c.x.data.length >= 24);
    expect(long.length).toBeGreaterThan(0);
    expect(long.every((c) => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].every((p) => !periodic(c.x.data, p)))).toBe(true);
  });
});

describe('the training cases', () => {
  test('training mode at seeds 0, 1, 2^24 − 1 and others; a ties pattern in some; at most maxElements', () => {
    const cases = fc.sample(stochasticTrainingArbitrary(12), { numRuns: 150, seed: 3 });
    expect(cases.every((c) => c.spec.params?.training === 1 && c.spec.kind === 'stochastic')).toBe(true);
    const seeds = new Set(cases.map((c) => c.spec.params?.seed));
    for (const s of [0, 1, MAX_SEED]) expect(seeds.has(s)).toBe(true);
    expect([...seeds].some((s) => s !== 0 && s !== 1 && s !== MAX_SEED)).toBe(true);
    expect(cases.every((c) => c.x.data.length <= 12)).toBe(true);
    // The ties pattern's values only (0, ±0, 1, 2^-30, 2^24, 2^25, 0.5, 2^127, 3e38) in a case of 6 or more elements.
    const ties = new Set([0, 1, 2, 2 ** -30, 2 ** 24, 2 ** 25, 0.5, 2 ** 127, Math.fround(3e38)]);
    expect(cases.some((c) => c.x.data.length >= 6 && [...c.x.data].every((v) => ties.has(v)))).toBe(true);
  });
});
