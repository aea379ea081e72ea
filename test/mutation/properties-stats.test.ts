/**
 * spec/properties/stats.ts (statistics pooling's properties, SPEC.md STATS.PROPS) one case at a time, for mutation
 * testing: the statistics half's contract checks (member, kinds, supports(), the calls' results), and each property
 * on hand-worked planes, on the naive backend (it must pass) and on backends wrong in exactly one way each (they
 * must fail, citing the clause). No fast-check runs (a few cases sampled from the arbitraries only).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import fc from 'fast-check';
import type { ForwardResult, Layout, PoolingBackend, StatsPoolingBackend, Tensor } from '../../spec/contract.js';
import type { StatsCase } from '../../spec/arbitraries/stats.js';
import { DEFAULT_POLICY } from '../../spec/policy.js';
import { STATS_PROPERTIES, statsForward, statsGradient, statsLayout, statsPure, statsReverse, statsShift } from '../../spec/properties/stats.js';
import { CALL_TIMEOUT_MS, VerdictSignal, fail, type Property, type Verdict } from '../../spec/properties/property.js';
import { referenceStatsForward } from '../../spec/reference/stats.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const S = naive.statistics;
const t = (shape: number[], data: number[], layout?: Layout): Tensor => ({ shape, data: Float32Array.from(data), ...(layout ? { layout } : {}) });
const mk = (x: Tensor, dy: number[]): StatsCase => {
  const batch = x.shape[0]!;
  return { spec: { kind: 'stats' }, x, dy: t([batch, dy.length / batch], dy, 'channels_first'), profile: 'finite' };
};

function withStats(over: Partial<StatsPoolingBackend>, name = 'broken'): PoolingBackend {
  return { ...naive, name, statistics: { ...S, ...over } } as PoolingBackend;
}
const editForward = (edit: (y: Tensor, x: Tensor) => unknown): PoolingBackend =>
  withStats({ forward: async (spec, x) => ({ y: edit((await S.forward(spec, x)).y, x) }) as ForwardResult });
const editBackward = (edit: (dx: Tensor, x: Tensor) => unknown): PoolingBackend =>
  withStats({ backward: async (spec, x, dy) => edit(await S.backward(spec, x, dy), x) as Tensor });
const mapY = (f: (v: number, i: number) => number) => (y: Tensor): Tensor => ({ ...y, data: Float32Array.from(y.data, f) });

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}
const PASSED = { status: 'pass' };
/** `two`'s gradient passes with channel 1's two elements unconstrained (σ = 0: ACC.RANGE, counted). */
const TWO_GRAD = { status: 'pass', unconstrained: 2 };
const check = (p: Property<StatsCase>, b: PoolingBackend, c: StatsCase): Promise<Verdict> => p.check(b, c, DEFAULT_POLICY);

// [1, 2, 2] channels_first: channel 0 {1, 3} (μ 2, σ 1), channel 1 {10, 10} (μ 10, σ 0): y = [2, 10, 1, 0].
// dy = [dμ0, dμ1, dσ0, dσ1] = [2, 1, 1, 1]: channel 0's dx_t = 2/2 + 1·(x_t − 2)/(2·1) = [0.5, 1.5] (STATS.GRAD);
// channel 1 has σ = 0, where dx is unconstrained (ACC.RANGE).
const two = mk(t([1, 2, 2], [1, 3, 10, 10], 'channels_first'), [2, 1, 1, 1]);
// [1, 3, 2] channels_last (T = 3 positions, C = 2): channel 0 {1, 2, 4}, channel 1 {10, 10, 10}. Read as
// channels_first it would be 3 channels of 2 positions, so a layout ignored anywhere shows.
const cl = mk(t([1, 3, 2], [1, 10, 2, 10, 4, 10], 'channels_last'), [1, 1, 1, 1]);
// Batch 2, 2 channels, 3 positions (channels_first); distinct planes.
const wide = mk(t([2, 2, 3], [1, 2, 6, -1, 0, 4, 5, 5, 8, 0.5, 1, 3]), [1, 0.5, 2, 1, -1, 1, 0.25, 3]);

describe('the statistics half (STATS.SPEC, CONTRACT.SUPPORTS)', () => {
  test('a backend without the statistics member is unsupported in every property, with the reason', async () => {
    const plain: PoolingBackend = { name: 'plain', supports: (s, sh, l) => naive.supports(s, sh, l), forward: (s, x) => naive.forward(s, x), backward: (s, x, dy) => naive.backward(s, x, dy) };
    for (const p of STATS_PROPERTIES as readonly Property<StatsCase>[]) {
      expect(await check(p, plain, two), p.id).toEqual({ status: 'unsupported', reason: 'plain implements no statistics pooling (PoolingBackend.statistics, SPEC.md STATS.SPEC)' });
    }
  });

  test('a statistics member that does not list stats is unsupported', async () => {
    expect(await check(statsForward, withStats({ kinds: [] }), two))
      .toEqual({ status: 'unsupported', reason: 'broken does not list stats in statistics.kinds' });
  });

  test('supports() is asked with the spec, x\'s shape and layout; a decline is unsupported with its reason', async () => {
    const asked: unknown[][] = [];
    const spy = withStats({ supports: (...a) => { asked.push(a); return S.supports(...a); } });
    expect(await check(statsForward, spy, cl)).toEqual(PASSED);
    expect(asked[0]).toEqual([{ kind: 'stats' }, [1, 3, 2], 'channels_last']);
    expect(await check(statsForward, withStats({ supports: () => ({ ok: false, reason: 'too big' }) }), two)).toEqual({ status: 'unsupported', reason: 'too big' });
  });

  test('supports() throwing, or answering without a boolean ok, fails citing CONTRACT.SUPPORTS', async () => {
    expect(await check(statsForward, withStats({ supports: () => { throw new RangeError('boom'); } }), two))
      .toEqual(fail('statistics.supports() threw RangeError: boom (CONTRACT.SUPPORTS)'));
    expect(await check(statsForward, withStats({ supports: () => undefined as unknown as { ok: true } }), two))
      .toEqual(fail('statistics.supports() returned undefined (CONTRACT.SUPPORTS)'));
    expect(await check(statsForward, withStats({ supports: () => ({ ok: 'yes' }) as unknown as { ok: true } }), two))
      .toEqual(fail('statistics.supports() returned {"ok":"yes"} (CONTRACT.SUPPORTS)'));
  });
});

describe('the calls\' results (STATS.SPEC, GRAD.SHAPE, CONTRACT.SUPPORTS)', () => {
  afterEach(() => { vi.useRealTimers(); });

  test('forward() throwing on a supported case fails; so does backward()', async () => {
    const boom = withStats({ forward: () => Promise.reject(new TypeError('bad')), backward: () => Promise.reject(new TypeError('worse')) });
    expect(await check(statsForward, boom, two)).toEqual(fail('statistics.forward() threw TypeError: bad on a supported case (CONTRACT.SUPPORTS)'));
    expect(await check(statsGradient, boom, two)).toEqual(fail('statistics.backward() threw TypeError: worse on a supported case (CONTRACT.SUPPORTS)'));
  });

  test('a call that never settles ends in a verdict naming the call (the 30 s bound)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const HUNG = Symbol('hung');
    const settled = <T>(p: Promise<T>): Promise<T | typeof HUNG> => Promise.race([p, new Promise<typeof HUNG>((resolve) => { setImmediate(() => resolve(HUNG)); })]);
    const hangs = withStats({ forward: () => new Promise(() => undefined), backward: () => new Promise(() => undefined) });
    const f = check(statsForward, hangs, two);
    const b = check(statsGradient, hangs, two);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(await settled(f)).toEqual(fail('statistics.forward() did not settle within 30 s'));
    expect(await settled(b)).toEqual(fail('statistics.backward() did not settle within 30 s'));
  });

  test('a VerdictSignal thrown by a call ends the case with its verdict', async () => {
    const own = withStats({ forward: () => { throw new VerdictSignal({ status: 'unsupported', reason: 'own' }); } });
    expect(await check(statsForward, own, two)).toEqual({ status: 'unsupported', reason: 'own' });
  });

  test('y must be a Float32Array of shape [N, 2C] with N·2C elements, whatever x\'s layout', async () => {
    expect(await check(statsForward, naive, cl)).toEqual(PASSED);
    const bad: [string, (y: Tensor) => unknown][] = [
      ['an Array', (y) => ({ ...y, data: Array.from(y.data) })],
      ['shape [4]', (y) => ({ ...y, shape: [4] })],
      ['shape [1, 2, 2]', (y) => ({ ...y, shape: [1, 2, 2] })],
      ['one element short', (y) => ({ ...y, data: y.data.slice(1) })],
      ['one element more', (y) => ({ ...y, data: Float32Array.of(...y.data, 0) })],
    ];
    for (const [what, edit] of bad) expect(failure(await check(statsForward, editForward(edit), two)), what).toMatch(/^statistics\.forward\(\) output \[.*\] ≠ expected \[1,4\] \(STATS\.SPEC\)$/);
    expect(await check(statsForward, withStats({ forward: async () => ({}) as ForwardResult }), two))
      .toEqual(fail('statistics.forward() output [undefined] ≠ expected [1,4] (STATS.SPEC)'));
    // channels_last [1, 3, 2] is N = 1, C = 2: [1, 4]; the same shape read as channels_first would be [1, 6].
    expect(failure(await check(statsForward, editForward((y) => ({ ...y, shape: [1, 6], data: new Float32Array(6) })), cl))).toMatch(/≠ expected \[1,4\] \(STATS\.SPEC\)$/);
  });

  test('dx must be a Float32Array of x\'s shape (GRAD.SHAPE)', async () => {
    expect(await check(statsGradient, naive, two)).toEqual(TWO_GRAD);
    expect(await check(statsGradient, editBackward((dx) => ({ ...dx, shape: [4] })), two)).toEqual(fail('statistics.backward() dx shape [4] ≠ [1,2,2] (GRAD.SHAPE)'));
    expect(failure(await check(statsGradient, editBackward((dx) => ({ ...dx, data: Array.from(dx.data) })), two))).toMatch(/^statistics\.backward\(\) dx shape \[1,2,2\] ≠ \[1,2,2\] \(GRAD\.SHAPE\)$/);
    expect(failure(await check(statsGradient, withStats({ backward: async () => undefined as unknown as Tensor }), two))).toMatch(/dx shape \[undefined\] ≠ \[1,2,2\] \(GRAD\.SHAPE\)$/);
  });
});

describe('results that are not tensors of the right shape and layout end in a verdict (STATS.SPEC, GRAD.SHAPE)', () => {
  test('a y or dx whose shape is not an array fails, never throws', async () => {
    expect(failure(await check(statsForward, editForward((y) => ({ ...y, shape: '1,4' })), two))).toMatch(/^statistics\.forward\(\) output \[1,4\] ≠ expected \[1,4\] \(STATS\.SPEC\)$/);
    expect(failure(await check(statsLayout, editForward((y) => ({ ...y, shape: undefined })), two))).toMatch(/^statistics\.forward\(\) output \[undefined\] ≠ expected \[1,4\] \(STATS\.SPEC\)$/);
    expect(failure(await check(statsGradient, editBackward((dx) => ({ ...dx, shape: { length: 3 } })), two))).toMatch(/^statistics\.backward\(\) dx shape \[.*\] ≠ \[1,2,2\] \(GRAD\.SHAPE\)$/);
  });

  test('dx labelled with a layout other than x\'s fails: it would be read in the wrong order', async () => {
    expect(await check(statsGradient, naive, cl)).toEqual({ status: 'pass', unconstrained: 3 });
    expect(await check(statsGradient, editBackward((dx) => ({ ...dx, layout: 'channels_last' })), two))
      .toEqual(fail('statistics.backward() dx layout channels_last ≠ input layout channels_first (GRAD.SHAPE)'));
    expect(await check(statsGradient, editBackward(({ shape, data }) => ({ shape, data })), cl))
      .toEqual(fail('statistics.backward() dx layout channels_first (absent) ≠ input layout channels_last (GRAD.SHAPE)'));
    // x without a label is channels_first: a dx without one, or labelled channels_first, is right.
    const bare = mk(t([1, 2, 2], [1, 3, 10, 10]), [2, 1, 1, 1]);
    expect(await check(statsGradient, editBackward(({ shape, data }) => ({ shape, data })), bare)).toEqual(TWO_GRAD);
    expect(await check(statsGradient, naive, bare)).toEqual(TWO_GRAD);
  });
});

describe('reducer.stats.forward and .gradient (STATS.ACC, STATS.GRAD)', () => {
  test('naive passes on hand-worked planes, channels_last and a batch of two', async () => {
    for (const c of [two, cl, wide]) expect(await check(statsForward, naive, c)).toEqual(PASSED);
  });

  test('a σ of 1.5 where {1, 3} has σ = 1 fails at y[0,2]', async () => {
    const v = await check(statsForward, editForward(mapY((v, i) => (i === 2 ? 1.5 : v))), two);
    expect(failure(v)).toMatch(/^y\[0,2\] = 1\.5, expected .* \(STATS\.ACC\)$/);
  });

  test('dx of channel 0 is [0.5, 1.5]; 1.25 at its second position fails at dx[0,0,1]', async () => {
    expect(await check(statsGradient, editBackward((dx) => ({ ...dx, data: Float32Array.from(dx.data, (v, i) => (i < 2 ? [0.5, 1.5][i]! : v)) })), two)).toEqual(TWO_GRAD);
    const v = await check(statsGradient, editBackward((dx) => ({ ...dx, data: Float32Array.from(dx.data, (v, i) => (i === 1 ? 1.25 : v)) })), two);
    expect(failure(v)).toMatch(/^dx\[0,0,1\] = 1\.25, expected .* \(STATS\.GRAD\)$/);
  });

  test('the gradient\'s cases come from the smooth, offset and finite profiles; the forward\'s and the shift\'s as SPEC.md lists', () => {
    const profiles = (p: Property<StatsCase>): string[] => [...new Set(fc.sample(p.arbitrary, { numRuns: 200, seed: 5 }).map((c) => c.profile))].sort();
    expect(profiles(statsGradient)).toEqual(['finite', 'offset', 'smooth']);
    expect(profiles(statsShift)).toEqual(['constant', 'finite', 'offset']);
    expect(profiles(statsForward)).toEqual(['constant', 'finite', 'offset', 'special']);
    expect(statsGradient.usesBackward).toBe(true);
    expect(statsForward.usesBackward).toBeUndefined();
  });
});

describe('reducer.stats.layout (INV.LAYOUT)', () => {
  // A backend whose channels_last means are `by` higher: wrong in one layout only.
  const clHigher = (by: (v: number) => number): PoolingBackend => editForward((y, x) => (x.layout === 'channels_last' ? mapY((v, i) => (i % 4 < 2 ? by(v) : v))(y) : y));

  test('naive passes from either layout and on a batch of two', async () => {
    for (const c of [two, cl, wide]) expect(await check(statsLayout, naive, c)).toEqual(PASSED);
  });

  test('means 1 higher in channels_last fail, from channels_first, with the element and both values', async () => {
    expect(await check(statsLayout, clHigher((v) => v + 1), two)).toEqual(fail('y[0,0]: 3 vs 2 (INV.LAYOUT)', { tensor: 'y', flat: 0, position: [0, 0], expected: '2', got: '3' }));
  });

  test('from channels_last: the other layout is channels_first', async () => {
    const cfHigher = editForward((y, x) => ((x.layout ?? 'channels_first') === 'channels_first' ? mapY((v) => v + 1)(y) : y));
    expect(failure(await check(statsLayout, cfHigher, cl))).toMatch(/^y\[0,0\]: 3\.3333332538604736 vs 2\.3333332538604736 \(INV\.LAYOUT\)$/);
  });

  test('the slack is the sum of the two widths: a mean 2 ulps off passes, 12 ulps off fails', async () => {
    // μ = 2 of {1, 3}: its set is 2 ± e_μ, e_μ = γ_4·4/2 + 3η ≈ 4.8e-7 (STATS.ACC), so each width is ≈ 9.5e-7 and
    // their sum ≈ 1.9e-6. An ulp of 2 is 2^-22 ≈ 2.4e-7: 2 ulps lie within the sum, 12 ulps (2.9e-6) beyond it.
    const a = referenceStatsForward(two.spec, two.x).acceptance[0]!;
    const w = a.kind === 'interval' ? a.hi - a.lo : NaN;
    const ulp = 2 ** -22;
    expect(2 * ulp).toBeLessThan(2 * w);
    expect(12 * ulp).toBeGreaterThan(2 * w);
    expect(await check(statsLayout, clHigher((v) => (v === 2 ? 2 + 2 * ulp : v)), two)).toEqual(PASSED);
    expect(failure(await check(statsLayout, clHigher((v) => (v === 2 ? 2 + 12 * ulp : v)), two))).toMatch(/\(INV\.LAYOUT\)$/);
  });

  test('a NaN plane: NaN on both sides passes; NaN against a number fails; +∞ against +∞ passes', async () => {
    // channel 0 {1, NaN}: μ = σ = NaN (STATS.SPECIAL); channel 1 {1, +∞}: μ = +∞, σ = NaN, exact sets.
    const special = mk(t([1, 2, 2], [1, NaN, 1, Infinity]), [1, 1, 1, 1]);
    expect(await check(statsLayout, naive, special)).toEqual(PASSED);
    const zero = editForward((y, x) => (x.layout === 'channels_last' ? mapY((v, i) => (i === 0 ? 0 : v))(y) : y));
    expect(failure(await check(statsLayout, zero, special))).toBe('y[0,0]: 0 vs NaN (INV.LAYOUT)');
  });

  test('a set without a finite width (a σ that may overflow, ACC.OVERFLOW) relates to nothing', async () => {
    // channel 0 {1e19, 1e19}: Σ(|x| + |μ| + e_μ)² ≈ 8e38 ≥ Ω, so σ's set is not finite; channel 1 {1, 3}.
    const big = mk(t([1, 2, 2], [1e19, 1e19, 1, 3]), [1, 1, 1, 1]);
    const sigma0 = editForward((y, x) => (x.layout === 'channels_last' ? mapY((v, i) => (i === 2 ? 5 : v))(y) : y));
    expect(await check(statsLayout, sigma0, big)).toEqual(PASSED);
    const sigma1 = editForward((y, x) => (x.layout === 'channels_last' ? mapY((v, i) => (i === 3 ? 5 : v))(y) : y));
    expect(failure(await check(statsLayout, sigma1, big))).toBe('y[0,3]: 5 vs 1 (INV.LAYOUT)');
  });
});

describe('kill tests written after the run', () => {
  test('INV.LAYOUT: a mean whose set is "+∞ or NaN" (finite taps that may overflow, STATS.SPECIAL) relates to nothing', async () => {
    // channel 0 {+∞, 3e38, 3e38}: μ = +∞, and NaN is allowed too since Σ|finite| = 6e38 ≥ Ω (ACC.OVERFLOW); that set
    // has no finite width (its lo > hi). A backend answering NaN in one layout and +∞ in the other is right both times.
    const over = mk(t([1, 2, 3], [Infinity, 3e38, 3e38, 1, 2, 4]), [1, 1, 1, 1]);
    const a = referenceStatsForward(over.spec, over.x).acceptance[0]!;
    expect(a.kind === 'interval' && a.nan && a.posInf).toBe(true);
    const nanInCl = editForward((y, x) => (x.layout === 'channels_last' ? mapY((v, i) => (i === 0 ? NaN : v))(y) : y));
    expect(await check(statsLayout, nanInCl, over)).toEqual(PASSED);
    expect(await check(statsForward, nanInCl, over)).toEqual(PASSED);
  });

  test('CONTRACT.DETERMINISTIC: a second dx one element longer, or a NaN where the first y had a number, fails', async () => {
    const second = (edit: (d: Float32Array) => Float32Array) => {
      let n = 0;
      return (d: Float32Array): Float32Array => (++n === 2 ? edit(d) : d);
    };
    const longerSecond = second((d) => Float32Array.of(...d, 0));
    const longer = editBackward((dx) => ({ ...dx, data: longerSecond(dx.data) }));
    const nanSecond = second((d) => d.map((v, i) => (i === 0 ? NaN : v)));
    const nan = editForward((y) => ({ ...y, data: nanSecond(y.data) }));
    for (const b of [longer, nan]) expect(await check(statsPure, b, two)).toEqual(fail('repeated calls gave different results (CONTRACT.DETERMINISTIC)'));
  });
});

describe('reducer.stats.reverse (INV.REFLECT)', () => {
  test('naive passes, in either layout and on a batch of two', async () => {
    for (const c of [two, cl, wide]) expect(await check(statsReverse, naive, c)).toEqual(PASSED);
  });

  test('a "mean" that is the plane\'s first value fails: {3, 1} gives 3, {1, 3} gives 1', async () => {
    const first = editForward((y, x) => mapY((v, i) => (i === 0 ? x.data[0]! : v))(y));
    expect(await check(statsReverse, first, two)).toEqual(fail('y[0,0]: 3 vs 1 (INV.REFLECT)', { tensor: 'y', flat: 0, position: [0, 0], expected: '1', got: '3' }));
  });
});

describe('reducer.stats.shift (INV.SHIFT)', () => {
  const doubledMeans = (C: number): PoolingBackend => editForward(mapY((v, i) => (i % (2 * C) < C ? 2 * v : v)));

  test('naive passes: the means move by c, the deviations stay', async () => {
    for (const c of [two, cl, wide]) expect(await check(statsShift, naive, c)).toEqual(PASSED);
  });

  test('c = 1 + (element count mod 4): five singleton planes [2^24, 1, 2, 3, 4] take c = 2, exact for all', async () => {
    // Doubled means: plane 1 gives 2·(1 + 2) = 6 against 2·1 + 2 = 4 (plane 0's width, ≈ 6 at 2^24, hides its own).
    // Another c would not do: c = 0 checks nothing, and an odd c is not exact at 2^24 (the case is skipped).
    const five = mk(t([1, 5, 1], [2 ** 24, 1, 2, 3, 4]), new Array<number>(10).fill(1));
    expect(await check(statsShift, naive, five)).toEqual(PASSED);
    expect(await check(statsShift, doubledMeans(5), five)).toEqual(fail('y[0,1]: 6 vs 4 (INV.SHIFT)', { tensor: 'y', flat: 1, position: [0, 1], expected: '4', got: '6' }));
  });

  test('a deviation that moves with x fails; so does one mean of a batch of two', async () => {
    const sigmaPlusMean = editForward((y) => mapY((v, i) => (i % 4 >= 2 ? v + y.data[i - 2]! : v))(y));
    expect(failure(await check(statsShift, sigmaPlusMean, two))).toMatch(/^y\[0,2\]: .* \(INV\.SHIFT\)$/);
    const lastMean = editForward(mapY((v, i) => (i === 5 ? v * 2 : v)));
    expect(failure(await check(statsShift, lastMean, wide))).toMatch(/^y\[1,1\]: .* \(INV\.SHIFT\)$/);
  });

  test('a case where some x + c is not exact, or not finite, is skipped (passes whatever the backend)', async () => {
    // 4 elements: c = 1. 2^24 + 1 is not a float32; +∞ + 1 is, but +∞ is not finite.
    const inexact = mk(t([1, 2, 2], [2 ** 24, 2 ** 24, 1, 3]), [1, 1, 1, 1]);
    const infinite = mk(t([1, 2, 2], [Infinity, 1, 1, 3]), [1, 1, 1, 1]);
    expect(await check(statsShift, doubledMeans(2), inexact)).toEqual(PASSED);
    expect(await check(statsShift, doubledMeans(2), infinite)).toEqual(PASSED);
    expect(failure(await check(statsShift, doubledMeans(2), two))).toBe('y[0,0]: 6 vs 5 (INV.SHIFT)');
  });
});

describe('reducer.stats.pure (CONTRACT.PURE, CONTRACT.DETERMINISTIC)', () => {
  test('naive passes, on a NaN plane too', async () => {
    expect(await check(statsPure, naive, two)).toEqual(PASSED);
    expect(await check(statsPure, naive, mk(t([1, 1, 2], [NaN, 1]), [1, 1]))).toEqual(PASSED);
  });

  test('a call that writes into x, or into dy, fails', async () => {
    const xWriter = withStats({ forward: (spec, x) => { const r = S.forward(spec, x); x.data[0] = 7; return r; } });
    expect(await check(statsPure, xWriter, two)).toEqual(fail('a call modified x or dy (CONTRACT.PURE)'));
    const dyWriter = withStats({ backward: (spec, x, dy) => { const r = S.backward(spec, x, dy); dy.data[0] = 7; return r; } });
    expect(await check(statsPure, dyWriter, two)).toEqual(fail('a call modified x or dy (CONTRACT.PURE)'));
  });

  test('a call that changes the spec fails', async () => {
    // It writes a member into the spec it is given (and computes from a spec of its own, so the calls still succeed).
    const specWriter = withStats({
      forward: (spec, x) => { (spec as unknown as Record<string, unknown>).unbiased = false; return S.forward({ kind: 'stats' }, x); },
      backward: (_spec, x, dy) => S.backward({ kind: 'stats' }, x, dy),
    });
    expect(await check(statsPure, specWriter, { ...two, spec: { kind: 'stats' } })).toEqual(fail('a call modified the spec (CONTRACT.PURE)'));
  });

  test('repeated calls that differ fail: a second y, a second dx, one element of it, its length, −0 for +0, one output buffer reused', async () => {
    const second = (edit: (d: Float32Array) => Float32Array) => {
      let n = 0;
      return (d: Float32Array): Float32Array => (++n === 2 ? edit(d) : d);
    };
    const dyEdit = (f: (d: Float32Array) => Float32Array): PoolingBackend => editBackward((dx) => ({ ...dx, data: f(dx.data) }));
    const yEdit = (f: (d: Float32Array) => Float32Array): PoolingBackend => editForward((y) => ({ ...y, data: f(y.data) }));
    const cases: [string, PoolingBackend][] = [
      ['y', yEdit(second((d) => d.map((v) => v + 1)))],
      ['dx', dyEdit(second((d) => d.map((v) => v + 1)))],
      ['dx[3] only', dyEdit(second((d) => d.map((v, i) => (i === 3 ? v + 1 : v))))],
      ['dx one shorter', dyEdit(second((d) => d.slice(1)))],
      ['σ −0 then +0', yEdit(second((d) => d.map((v, i) => (i === 3 ? -0 : v))))],
    ];
    for (const [what, b] of cases) expect(await check(statsPure, b, two), what).toEqual(fail('repeated calls gave different results (CONTRACT.DETERMINISTIC)'));
    let yBuf: Float32Array | undefined;
    let n = 0;
    const reuse = editForward((y) => { yBuf ??= new Float32Array(y.data.length); yBuf.set(y.data); if (++n === 2) yBuf[0] = 99; return { ...y, data: yBuf }; });
    expect(await check(statsPure, reuse, two)).toEqual(fail('repeated calls gave different results (CONTRACT.DETERMINISTIC)'));
    let dxBuf: Float32Array | undefined;
    let m = 0;
    const reuseDx = editBackward((dx) => { dxBuf ??= new Float32Array(dx.data.length); dxBuf.set(dx.data); if (++m === 2) dxBuf[0] = 99; return { ...dx, data: dxBuf }; });
    expect(await check(statsPure, reuseDx, two)).toEqual(fail('repeated calls gave different results (CONTRACT.DETERMINISTIC)'));
  });
});
