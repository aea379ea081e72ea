/**
 * spec/reference/stochastic.ts against SPEC.md STOCH.TRAINING and STOCH.GRAD on windows whose selection does not
 * depend on the generator (reports/mutation/summary.md): the stochastic properties compare a correct naive backend
 * with this reference, so a wider gradient set, a lost overflow widening or a missing set passes them. A window with
 * one positive tap selects it for every U (STOCH.SELECT: u·S < ĉ_i first holds where the running sum reaches S,
 * u < 1), so each element's contributions are known by hand.
 */
import { describe, expect, test } from 'vitest';
import type { ReducerPoolSpec, Tensor } from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { referenceStochasticGradient, referenceStochasticSelection } from '../../spec/reference/stochastic.js';
import { expectEnds, gamma, interval } from '../helpers/acc-clauses.js';

const OMEGA = 2 ** 128 - 2 ** 103;

function spec(training: number): ReducerPoolSpec {
  return { kind: 'stochastic', kernel: [2], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { training, seed: 0 } };
}
const row = (data: number[]): Tensor => ({ shape: [1, 1, data.length], data: Float32Array.from(data) });

describe('STOCH.TRAINING: the selection and its gradient exist in training mode only', () => {
  test('training = 0 is refused with the field, the clause and the value', () => {
    for (const call of [() => referenceStochasticSelection(spec(0), row([0, 5, 0])), () => referenceStochasticGradient(spec(0), row([0, 5, 0]), row([1, 1]))]) {
      let error: unknown;
      try { call(); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(ValidationError);
      const v = error as ValidationError;
      expect([v.field, v.rule, v.value]).toEqual(['spec.params.training', 'STOCH.TRAINING', 0]);
      expect(v.requirement).toMatch(/training/);
    }
  });
});

describe('STOCH.GRAD with ACC.GRAD\'s bound for max routing', () => {
  test('two outputs select the same element: Σdy ± γ_1·Σ|dy|; unselected elements are exactly 0; one set per element', () => {
    // [0, 5, 0], kernel 2, stride 1: windows [0, 5] and [5, 0] both select the 5 (plane index 1).
    const sel = referenceStochasticSelection(spec(1), row([0, 5, 0]));
    expect([...sel.indices]).toEqual([1, 1]);
    const a = referenceStochasticGradient(spec(1), row([0, 5, 0]), row([3, -0.25]));
    expect(a).toHaveLength(3);
    // m = 2 contributions: γ_{m−1} = γ_1 on Σ|dy| = 3.25 around 2.75.
    expectEnds(interval(a[1]), 2.75 - gamma(1) * 3.25, 2.75 + gamma(1) * 3.25);
    for (const i of [0, 2]) expectEnds(interval(a[i]), 0, 0);
  });

  test('ACC.OVERFLOW: M = (1 + γ_1)·Σ|dy| ≥ Ω accepts ±∞ and NaN; just below it, neither', () => {
    // dy = [2^127, 2^127 − 2^104], both float32: Σ = 2^128 − 2^104 < Ω, and (1 + γ_1)Σ ≈ 2^128 ≥ Ω, while Σ/(1 + γ_1)
    // or (1 − γ_1)Σ ≈ 2^128 − 2^105 is not.
    const over = [2 ** 127, 2 ** 127 - 2 ** 104];
    // dy = [2^127, 2^127 − 6·2^103]: (1 + γ_1)Σ ≈ 2^128 − 4·2^103 < Ω.
    const under = [2 ** 127, 2 ** 127 - 6 * 2 ** 103];
    for (const [dy, want] of [[over, true], [under, false]] as const) {
      expect(dy.map(Math.fround)).toEqual(dy);
      const s = dy[0]! + dy[1]!;
      expect((1 + gamma(1)) * s >= OMEGA).toBe(want);
      const a = interval(referenceStochasticGradient(spec(1), row([0, 1, 0]), row([...dy]))[1]);
      expect([a.nan, a.negInf, a.posInf]).toEqual([want, want, want]);
    }
  });
});
