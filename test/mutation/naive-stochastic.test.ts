/**
 * kernels/naive/stochastic.ts on a window the stochastic properties' generators rarely draw
 * (reports/mutation/summary.md): a +∞ tap after finite taps whose float32 running sum already overflowed. STOCH.SELECT
 * takes the first +∞ tap before it looks at running sums; a kernel that skips that rule selects where the running
 * sum first reaches +∞ instead, an earlier, finite tap.
 */
import { describe, expect, test } from 'vitest';
import type { ReducerPoolSpec, Tensor } from '../../spec/contract.js';
import { stochasticPosition } from '../../spec/reducers/stochastic.js';
import { stochasticBackward, stochasticForward } from '../../kernels/naive/stochastic.js';

const MAX = (2 - 2 ** -23) * 2 ** 127;
const spec: ReducerPoolSpec = { kind: 'stochastic', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { training: 1, seed: 0 } };
const row = (data: number[]): Tensor => ({ shape: [1, 1, data.length], data: Float32Array.from(data) });

describe('STOCH.SELECT: +∞ before the running sums', () => {
  test('[MAX32, MAX32, +∞]: the +∞ tap (index 2), although ĉ_2 = fl(MAX32 + MAX32) is already +∞', async () => {
    const x = [MAX, MAX, Infinity];
    // The rule's order (NaN, negative, +∞, then running sums) makes the answer independent of U.
    for (const U of [0, 2 ** 23, 2 ** 24 - 1]) expect(stochasticPosition(x, U)).toBe(2);
    const out = stochasticForward(spec, row(x));
    expect([...out.y.data]).toEqual([Infinity]);
    expect([...out.indices!]).toEqual([2]);
    // STOCH.GRAD: dy goes whole to the selected tap.
    expect([...stochasticBackward(spec, row(x), row([5])).data]).toEqual([0, 0, 5]);
  });
});
