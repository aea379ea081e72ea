/**
 * spec/reference/structured.ts against SPEC.md §10 by hand (reports/mutation/summary.md): the acceptance sets of
 * ACC.AVG and ACC.GRAD evaluated beside it from the clauses' terms, max indices in a plane that does not start at 0
 * or step by 1 (channels_last), POLICY.NAN's 'ignore', and GRAD.STRUCTURED's routing for each reducer.
 */
import { describe, expect, test } from 'vitest';
import type { StructuredSpec, Tensor } from '../../spec/contract.js';
import { DEFAULT_POLICY } from '../../spec/policy.js';
import { referenceStructuredBackward, referenceStructuredForward } from '../../spec/reference/structured.js';
import { eta, expectEnds, gamma, interval } from '../helpers/acc-clauses.js';

const t = (shape: number[], data: number[], layout: Tensor['layout'] = 'channels_first'): Tensor => ({ shape, data: Float32Array.from(data), layout });
const avg2: StructuredSpec = { kind: 'adaptive_avg', outputSize: [2] };
const max2: StructuredSpec = { kind: 'adaptive_max', outputSize: [2] };
const max1: StructuredSpec = { kind: 'adaptive_max', outputSize: [1] };

describe('forward', () => {
  test('ACC.AVG: γ_{n+2}·Σ|v|/n + (n + 1)η around the exact average; one set per output; no indices', () => {
    // 5 → 2: windows [0, 3) and [2, 5) (ADAPTIVE.WINDOW), n = 3 each.
    const r = referenceStructuredForward(avg2, t([1, 1, 5], [1, 2, 3, 4, 5]));
    expect(r.acceptance).toHaveLength(2);
    expect(r.indices).toBeUndefined();
    expectEnds(interval(r.acceptance[0]), 2 - gamma(5) * 2 - 4 * eta, 2 + gamma(5) * 2 + 4 * eta);
    expectEnds(interval(r.acceptance[1]), 4 - gamma(5) * 4 - 4 * eta, 4 + gamma(5) * 4 + 4 * eta);
    // Subnormal taps, where (n + 1)η = 2^-148 is the larger term: [1, 2, 3]·2^-140 averages to 2^-139.
    const s = 2 ** -140;
    const tiny = referenceStructuredForward(avg2, t([1, 1, 5], [s, 2 * s, 3 * s, 4 * s, 5 * s]));
    const h = gamma(5) * 2 * s + 4 * eta;
    expectEnds(interval(tiny.acceptance[0]), 2 * s - h, 2 * s + h);
  });

  test('max indices are per plane: channels_last [1, 3, 2], channel 1 starts at element 1 and steps by 2', () => {
    // Positions t = 0, 1, 2 of channels 0 and 1: (1, 10), (5, 2), (3, 7). Channel 0's max 5 is at t = 1, channel 1's
    // max 10 at t = 0 (MAX.INDEX: the index within the (n, c) plane).
    const r = referenceStructuredForward(max1, t([1, 3, 2], [1, 10, 5, 2, 3, 7], 'channels_last'));
    expect([...r.values]).toEqual([5, 10]);
    expect([...r.indices!]).toEqual([1, 0]);
    expect(r.acceptance).toHaveLength(2);
  });

  test('POLICY.NAN: propagate gives NaN; ignore takes the max of the other taps, and −∞ for a window of only NaN', () => {
    const ignore = { ...DEFAULT_POLICY, maxNan: 'ignore' as const };
    const x = t([1, 1, 4], [NaN, NaN, 1, NaN]);
    // Windows [0, 2) = [NaN, NaN] and [2, 4) = [1, NaN].
    const got = referenceStructuredForward(max2, x, ignore);
    expect([...got.values]).toEqual([-Infinity, 1]);
    expect([...got.indices!]).toEqual([0, 2]);
    const prop = referenceStructuredForward(max2, x, DEFAULT_POLICY);
    expect([...prop.values].every(Number.isNaN)).toBe(true);
    // No NaN anywhere: both policies give the taps' max.
    expect([...referenceStructuredForward(max2, t([1, 1, 4], [2, 3, 1, 0]), ignore).values]).toEqual([3, 1]);
  });
});

describe('backward (GRAD.STRUCTURED, ACC.GRAD)', () => {
  test('max: dy to the index; an element two windows select gets Σdy ± γ_1·Σ|dy|', () => {
    // [1, 5, 2] → 2: windows [0, 2) and [1, 3) both select the 5.
    const b = referenceStructuredBackward(max2, t([1, 1, 3], [1, 5, 2]), t([1, 1, 2], [3, -0.25]));
    expect(b.acceptance).toHaveLength(3);
    expectEnds(interval(b.acceptance[1]), 2.75 - gamma(1) * 3.25, 2.75 + gamma(1) * 3.25);
    for (const i of [0, 2]) expectEnds(interval(b.acceptance[i]), 0, 0);
  });

  test('max in channels_last: each channel\'s dy goes to its own plane\'s index', () => {
    // As the forward above: channel 0 selects element (t 1, c 0) = flat 2, channel 1 element (t 0, c 1) = flat 1.
    const b = referenceStructuredBackward(max1, t([1, 3, 2], [1, 10, 5, 2, 3, 7], 'channels_last'), t([1, 1, 2], [4, 8], 'channels_last'));
    expect([...b.values]).toEqual([0, 8, 4, 0, 0, 0]);
  });

  test('avg: dy/n to each of the n elements; γ_{m+2}·Σ|dy/n| + 2mη for m contributions', () => {
    // Windows [0, 3) and [2, 5), n = 3: dy = [3, 6] gives [1, 1, 1 + 2, 2, 2]; element 2 has m = 2.
    const b = referenceStructuredBackward(avg2, t([1, 1, 5], [1, 2, 3, 4, 5]), t([1, 1, 2], [3, 6]));
    expect([...b.values]).toEqual([1, 1, 3, 2, 2]);
    expectEnds(interval(b.acceptance[0]), 1 - gamma(3) - 2 * eta, 1 + gamma(3) + 2 * eta);
    expectEnds(interval(b.acceptance[2]), 3 - gamma(4) * 3 - 4 * eta, 3 + gamma(4) * 3 + 4 * eta);
    // Subnormal dy, where 2mη is the larger term: element 2 gets (3 + 6)·2^-140/3 = 3·2^-140 ± (γ_4·3·2^-140 + 4η).
    const s = 2 ** -140;
    const tiny = referenceStructuredBackward(avg2, t([1, 1, 5], [1, 2, 3, 4, 5]), t([1, 1, 2], [3 * s, 6 * s]));
    const h = gamma(4) * 3 * s + 4 * eta;
    expectEnds(interval(tiny.acceptance[2]), 3 * s - h, 3 * s + h);
  });

  test('max_unpool: dy hands back to the element kept; γ_0 = 0, exact', () => {
    // x = [7, 9] unpooled to 4 positions at indices [3, 0]: y = [9, 0, 0, 7]; dy = [1, 2, 3, 4] gives dx = [4, 1].
    const spec: StructuredSpec = { kind: 'max_unpool', kernel: [2], strides: [2], pads: [0, 0], indices: Int32Array.from([3, 0]) };
    const b = referenceStructuredBackward(spec, t([1, 1, 2], [7, 9]), t([1, 1, 4], [1, 2, 3, 4]));
    expect([...b.values]).toEqual([4, 1]);
    expectEnds(interval(b.acceptance[0]), 4, 4);
  });
});
