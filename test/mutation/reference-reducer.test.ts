/**
 * spec/reference/reducer.ts (REDUCER.ACCURACY, REDUCER.FD) and spec/reference/hpmath.ts (ACC.REF) on a test
 * declaration whose values and partials are known in closed form: y = Σv²/n, ∂y/∂v_r = 2v_r/n. Its error model is
 * made up for the test (each branch of the machinery reached on a window chosen for it), so every expected set is
 * the clause's formula over the model's numbers, worked out beside the test (reports/mutation/summary.md).
 */
import { describe, expect, test } from 'vitest';
import type { ReducerPoolSpec, Tensor } from '../../spec/contract.js';
import type { ReducerDeclaration } from '../../spec/reducer.js';
import { accepts } from '../../spec/interval.js';
import { HP_MATH, HP_MATH_FD } from '../../spec/reference/hpmath.js';
import { reducerAcceptance, reducerValue, referenceReducerForward, referenceReducerGradient, windowPartials } from '../../spec/reference/reducer.js';
import { eta, expectEnds, gamma, interval, u } from '../helpers/acc-clauses.js';

/** The made-up forward half-width: 2^-10·|y| + 2^-20; 0 at y = 0; NaN at y = 2. */
function halfWidthOf(y: number): number {
  if (y === 0) return 0;
  if (y === 2) return NaN;
  return 2 ** -10 * Math.abs(y) + 2 ** -20;
}

const SQ: ReducerDeclaration = {
  name: 'sq',
  title: 'mean of squares (a test declaration)',
  params: [],
  // NaN → NaN; a tap above 100 → 7 (a made-up special answer).
  special: (values) => (values.some(Number.isNaN) ? NaN : values.some((v) => v > 100) ? 7 : undefined),
  reference: (values, _params, hp) => hp.div(hp.sum(values.map((v) => hp.mul(v, v))), hp.of(values.length)),
  accuracy: {
    // May overflow (made up) once y > 50.
    forward: ({ y }) => ({ halfWidth: halfWidthOf(y), mayOverflow: y > 50 }),
    // 2^-12 of the partial; no finite bound in a window holding 3.
    gradient: ({ values, partials }, r) => (values.includes(3) ? Infinity : 2 ** -12 * Math.abs(partials[r]!)),
  },
  // Differentiable where every tap is ≥ 0 (made up; ±∞ pass this test, the machinery must refuse them itself).
  traits: { differentiable: (values) => values.every((v) => v >= 0) },
};

function spec1(kernel: number, stride: number): ReducerPoolSpec {
  return { kind: 'sq', kernel: [kernel], strides: [stride], dilations: [1], pads: [0, 0], ceilMode: false };
}
const row = (data: number[]): Tensor => ({ shape: [1, 1, data.length], data: Float32Array.from(data) });
const flags = (a: ReturnType<typeof interval>): boolean[] => [a.posInf, a.negInf, a.nan];

describe('REDUCER.ACCURACY (referenceReducerForward, reducerAcceptance)', () => {
  test('[y − H, y + H] about the 40-digit value, per window', () => {
    // [1, 2, 4, −1], kernel 2, stride 1: (1 + 4)/2 = 2.5, (4 + 16)/2 = 10, (16 + 1)/2 = 8.5.
    const r = referenceReducerForward(SQ, spec1(2, 1), row([1, 2, 4, -1]));
    expect(Array.from(r.values)).toEqual([2.5, 10, 8.5]);
    [2.5, 10, 8.5].forEach((y, o) => {
      const a = interval(r.acceptance[o]);
      expectEnds(a, y - halfWidthOf(y), y + halfWidthOf(y));
      expect(flags(a)).toEqual([false, false, false]);
    });
    expect(r.windows.map((w) => [...w.taps])).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  test('channels_last: taps read and outputs written at stride C', () => {
    // [N=1, W=2, C=2]: channel 0 = [1, 3], channel 1 = [2, 4]; kernel 2: (1 + 9)/2 = 5 and (4 + 16)/2 = 10.
    const x: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 2, 3, 4]), layout: 'channels_last' };
    expect(Array.from(referenceReducerForward(SQ, spec1(2, 2), x).values)).toEqual([5, 10]);
    // Two outputs per channel, [N=1, W=4, C=2], kernel 2 stride 2: channel 0 = [1, 3, 0, 2], channel 1 = [2, 4, 6, 0].
    const x4: Tensor = { shape: [1, 4, 2], data: Float32Array.from([1, 2, 3, 4, 0, 6, 2, 0]), layout: 'channels_last' };
    // channel 0: 5, 2; channel 1: 10, 18; interleaved (w, c).
    expect(Array.from(referenceReducerForward(SQ, spec1(2, 2), x4).values)).toEqual([5, 10, 2, 18]);
  });

  test('special windows are exact; a model may allow overflow; a bound of 0 is a bound', () => {
    expect(reducerAcceptance(SQ, [1, NaN], {})).toEqual({ kind: 'exact', value: NaN });
    expect(reducerAcceptance(SQ, [1, 200], {})).toEqual({ kind: 'exact', value: 7 });
    // [8, 8]: y = 64 > 50, so ±∞ and NaN are also accepted; [4, 4] (y = 16) is not.
    expect(flags(interval(reducerAcceptance(SQ, [8, 8], {})))).toEqual([true, true, true]);
    expect(flags(interval(reducerAcceptance(SQ, [4, 4], {})))).toEqual([false, false, false]);
    // y = 0, H = 0: an interval holding 0 only (up to ACC.ENDPOINTS' outward steps), not unconstrained.
    const z = interval(reducerAcceptance(SQ, [0, 0], {}));
    expect(accepts(z, 0)).toBe(true);
    expect(accepts(z, 2 ** -149)).toBe(false);
  });

  test('a model without a finite bound leaves the window unconstrained (ACC.RANGE), with the reason', () => {
    // [0, 2]: y = 2, H = NaN. The other two branches (H = +∞, H < 0) through declarations that answer only them.
    const a = reducerAcceptance(SQ, [0, 2], {});
    expect(a).toMatchObject({ kind: 'unconstrained', value: 2, reason: expect.stringContaining('ACC.RANGE') as unknown });
    expect(a).toMatchObject({ reason: expect.stringContaining('sq') as unknown });
    const inf: ReducerDeclaration = { ...SQ, accuracy: { forward: () => ({ halfWidth: Infinity }) } };
    expect(reducerAcceptance(inf, [1, 2], {}).kind).toBe('unconstrained');
    const neg: ReducerDeclaration = { ...SQ, accuracy: { forward: () => ({ halfWidth: -1 }) } };
    expect(reducerAcceptance(neg, [1, 2], {}).kind).toBe('unconstrained');
  });
});

describe('REDUCER.FD (windowPartials, referenceReducerGradient)', () => {
  test('windowPartials: central differences of the 80-digit reference', () => {
    // [1, 2, 4]: ∂/∂v_r = 2v_r/3. The central difference of a quadratic is exact, so D(h) = D(h/2) and the
    // truncation estimate is the rounding term 2·10^-76·max(1, |y|, max|v|)/h, h = 2^-24·2^⌊log2|v_r|⌋
    // (y = 7: 2·10^-76·7/h), plus 2|D(h) − D(h/2)| from the 80-digit roundings of the divisions by 3 (10^-72 here).
    const { partials, truncation } = windowPartials(SQ, [1, 2, 4], {});
    expect(partials).toEqual([2 / 3, 4 / 3, 8 / 3]);
    [1, 2, 4].forEach((v, r) => {
      const h = 2 ** (Math.log2(v) - 24);
      expect(Math.abs(truncation[r]! - (2e-76 * 7) / h)).toBeLessThanOrEqual(((2e-76 * 7) / h) * 1e-3);
    });
    // At v = 0 the partial is 0 (h = 2^-40 there).
    expect(windowPartials(SQ, [0, 3], {}).partials).toEqual([0, 3]);
  });

  test('Σ_o dy_o·∂y_o/∂x_i with the clause\'s tolerance', () => {
    // [1, 2, 4], kernel 2, stride 1, dy = [1, −3]: windows [1, 2] (∂ = 1, 2) and [2, 4] (∂ = 2, 4).
    // dx = [1·1, 1·2 − 3·2, −3·4] = [1, −4, −12].
    const sets = referenceReducerGradient(SQ, spec1(2, 1), row([1, 2, 4]), row([1, -3]));
    // Per contribution |dy|(e + u(|∂| + e)) + η with e = 2^-12|∂|; m contributions add γ_{m−1}(err + Σ|dy·∂|);
    // the truncation estimate (|dy|·2·10^-76·scale/h, below 10^-60) is inside expectEnds' slack.
    const term = (d: number, p: number): number => Math.abs(d) * (2 ** -12 * p + u * (p + 2 ** -12 * p)) + eta;
    expectEnds(interval(sets[0]), 1 - term(1, 1), 1 + term(1, 1));
    const e1 = term(1, 2) + term(-3, 2);
    const w1 = e1 * (1 + gamma(1)) + gamma(1) * (2 + 6);
    expectEnds(interval(sets[1]), -4 - w1, -4 + w1);
    expectEnds(interval(sets[2]), -12 - term(-3, 4), -12 + term(-3, 4));
  });

  test('channels_last gradient: dy read and dx written at stride C', () => {
    // [N=1, W=2, C=2]: channel 0 = [1, 2], channel 1 = [4, 1]; kernel 2; dy (c0, c1) = (1, 2).
    // ∂ = v_r (n = 2): dx channel 0 = [1, 2], channel 1 = [8, 2]; interleaved [1, 8, 2, 2].
    const x: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 4, 2, 1]), layout: 'channels_last' };
    const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 2]), layout: 'channels_last' };
    expect(referenceReducerGradient(SQ, spec1(2, 2), x, dy).map((a) => a.value)).toEqual([1, 8, 2, 2]);
  });

  test('unconstrained elements: not differentiable, no finite bound, non-finite taps — each with its reason', () => {
    // Windows [1, −1] (not differentiable: a tap < 0) and [2, 5] (fine), kernel 2 stride 2.
    const a = referenceReducerGradient(SQ, spec1(2, 2), row([1, -1, 2, 5]), row([1, 1]));
    expect(a.map((s) => s.kind)).toEqual(['unconstrained', 'unconstrained', 'interval', 'interval']);
    expect(a[0]).toMatchObject({ reason: expect.stringContaining('not differentiable') as unknown });
    // [3, 1]: the model gives no finite bound (a 3 in the window).
    const b = referenceReducerGradient(SQ, spec1(2, 2), row([3, 1, 2, 5]), row([1, 1]));
    expect(b.map((s) => s.kind)).toEqual(['unconstrained', 'unconstrained', 'interval', 'interval']);
    expect(b[0]).toMatchObject({ reason: expect.stringContaining('no finite gradient bound') as unknown });
    // [∞, 1]: differentiable says yes, but the window is not finite.
    const c = referenceReducerGradient(SQ, spec1(2, 2), row([Infinity, 1, 2, 5]), row([1, 1]));
    expect(c.map((s) => s.kind)).toEqual(['unconstrained', 'unconstrained', 'interval', 'interval']);
    // A declaration without `differentiable` is checked nowhere.
    const none: ReducerDeclaration = { ...SQ, traits: {} };
    expect(referenceReducerGradient(none, spec1(2, 2), row([1, 2]), row([1])).map((s) => s.kind)).toEqual(['unconstrained', 'unconstrained']);
    // Nor without a gradient model.
    const noModel: ReducerDeclaration = { ...SQ, accuracy: { forward: ({ y }) => ({ halfWidth: halfWidthOf(y) }) } };
    expect(referenceReducerGradient(noModel, spec1(2, 2), row([1, 2]), row([1])).map((s) => s.kind)).toEqual(['unconstrained', 'unconstrained']);
  });
});

describe('survivors of the Stryker run (reports/mutation/summary.md)', () => {
  test('reducerValue: the special answer where there is one, else the 40-digit value', () => {
    expect(reducerValue(SQ, [1, 2], {})).toBe(2.5);
    expect(reducerValue(SQ, [1, 200], {})).toBe(7);
    expect(reducerValue(SQ, [1, NaN], {})).toBeNaN();
  });

  test('spec.params reach the declaration (forward and gradient)', () => {
    // c·Σv²/n with a declared parameter c: c = 2 over [1, 2] is 5, and the partials 2c·v_r/n = [2, 4].
    const SCALED: ReducerDeclaration = {
      ...SQ,
      params: [{ name: 'c', clause: 'TEST.C', min: 0, max: 10, minOpen: true, samples: [1, 2] }],
      reference: (values, params, hp) => hp.mul(hp.of(params.c!), SQ.reference(values, params, hp)),
    };
    const s2: ReducerPoolSpec = { ...spec1(2, 2), params: { c: 2 } };
    expect(Array.from(referenceReducerForward(SCALED, s2, row([1, 2])).values)).toEqual([5]);
    expect(referenceReducerGradient(SCALED, s2, row([1, 2]), row([1])).map((a) => a.value)).toEqual([2, 4]);
  });

  test('REDUCER.FD at a zero tap: h = 2^-40, so the rounding term is 2·10^-76·scale·2^40', () => {
    // [0, 3]: y = 4.5 (scale 4.5); at the zero tap the partial is 0 and D(h) = D(h/2) = 0 exactly.
    const { truncation } = windowPartials(SQ, [0, 3], {});
    const want = 2e-76 * 4.5 * 2 ** 40;
    expect(Math.abs(truncation[0]! - want)).toBeLessThanOrEqual(want * 1e-3);
  });

  test('REDUCER.FD on a cubic: D(h/2) and the truncation estimate 2|D(h) − D(h/2)| from the Taylor remainder', () => {
    // f = v³ (n = 1), v = 1, h = 2^-24: a central difference of a cubic is f′ + h²f‴/6 = 3 + h² exactly, so
    // D(h/2) = 3 + 2^-50 (two f64 ulps above 3) and 2|D(h) − D(h/2)| = 2·(3/4)h² = 1.5·2^-48; the rounding
    // term 2·10^-76·max(1, |y|, |v|)/h ≈ 3·10^-69 is far below.
    const CUBE: ReducerDeclaration = { ...SQ, reference: (values, _p, hp) => hp.mul(values[0]!, hp.mul(values[0]!, values[0]!)) };
    const { partials, truncation } = windowPartials(CUBE, [1], {});
    expect(partials).toEqual([3 + 2 ** -50]);
    expect(Math.abs(truncation[0]! - 1.5 * 2 ** -48)).toBeLessThanOrEqual(1.5 * 2 ** -48 * 1e-6);
  });

  test('channels_last gradient with two outputs per channel; a non-differentiable window only in its channel', () => {
    // [N=1, W=4, C=2], kernel 2 stride 2: channel 0 = [1, 2, 3, 1], channel 1 = [2, 1, 1, 4]; ∂ = v_r (n = 2).
    // dy (w, c): (0, 0) = 1, (0, 1) = 2, (1, 0) = 3, (1, 1) = 5. dx channel 0 = [1, 2, 9, 3]; channel 1 =
    // [4, 2, 5, 20]; interleaved (w, c).
    const x: Tensor = { shape: [1, 4, 2], data: Float32Array.from([1, 2, 2, 1, 3, 1, 1, 4]), layout: 'channels_last' };
    const dy: Tensor = { shape: [1, 2, 2], data: Float32Array.from([1, 2, 3, 5]), layout: 'channels_last' };
    const plain: ReducerDeclaration = { ...SQ, accuracy: { ...SQ.accuracy, gradient: ({ partials }, r) => 2 ** -12 * Math.abs(partials[r]!) } };
    expect(referenceReducerGradient(plain, spec1(2, 2), x, dy).map((a) => a.value)).toEqual([1, 4, 2, 2, 9, 5, 3, 20]);
    // Channel 1's second window [1, −4] is not differentiable: only its two elements (w2, c1) and (w3, c1).
    const xn: Tensor = { shape: [1, 4, 2], data: Float32Array.from([1, 2, 2, 1, 3, 1, 1, -4]), layout: 'channels_last' };
    expect(referenceReducerGradient(plain, spec1(2, 2), xn, dy).map((a) => a.kind)).toEqual(
      ['interval', 'interval', 'interval', 'interval', 'interval', 'unconstrained', 'interval', 'unconstrained']);
  });

  test('a window with a non-finite tap is not differentiable (the reason says so), whatever the model', () => {
    const c = referenceReducerGradient(SQ, spec1(2, 2), row([Infinity, 1]), row([1]));
    expect(c[1]).toMatchObject({ kind: 'unconstrained', reason: expect.stringContaining('not differentiable') as unknown });
  });

  test('REDUCER.FD\'s per-contribution η, and a truncation estimate that dominates', () => {
    // [0, 2], dy = 1: at the zero tap ∂ = 0 and e = 0, so the contribution's error is η, plus the truncation
    // estimate 2·10^-76·2·2^40 (about 4·10^-64, far below η).
    const z = interval(referenceReducerGradient(SQ, spec1(2, 2), row([0, 2]), row([1]))[0]);
    expectEnds(z, -(eta + 4e-76 * 2 ** 40), eta + 4e-76 * 2 ** 40);
    // One tap 2^-120 (n = 1, ∂ = 2v = 2^-119): h = 2^-144 and the rounding term 2·10^-76·1/h ≈ 4.5·10^-33 is far
    // above the model's error (2^-12·2^-119 + u(…) + η ≈ 3.7·10^-40): the set is dx ± (err + trunc).
    const v = 2 ** -120;
    const g = 2 * v;
    const err = 2 ** -12 * g + u * (g + 2 ** -12 * g) + eta;
    const trunc = (2e-76 * 1) / 2 ** -144;
    const t = interval(referenceReducerGradient(SQ, spec1(1, 1), row([v]), row([1]))[0]);
    expectEnds(t, g - (err + trunc), g + (err + trunc));
  });
});

describe('HPMath (spec/reference/hpmath.ts)', () => {
  const hp = HP_MATH;
  test('of: doubles enter exactly (through their rational value); ±∞ as infinite values', () => {
    // 0.1 in binary is 0.1000000000000000055511151231257827021181583404541015625 exactly; 40 digits keep
    // 0.1000000000000000055511151231257827021182, 80 digits keep it whole.
    expect(hp.of(0.1).toString()).toBe('0.1000000000000000055511151231257827021182');
    expect(HP_MATH_FD.of(0.1).toString()).toBe('0.1000000000000000055511151231257827021181583404541015625');
    expect(hp.isFinite(hp.of(Infinity))).toBe(false);
    expect(hp.toNumber(hp.of(-Infinity))).toBe(-Infinity);
    expect(hp.isFinite(hp.of(-3))).toBe(true);
  });

  test('arithmetic at 40 digits', () => {
    const n = (x: number) => hp.of(x);
    expect(hp.toNumber(hp.add(n(1.5), n(2)))).toBe(3.5);
    expect(hp.toNumber(hp.sub(n(1.5), n(2)))).toBe(-0.5);
    expect(hp.toNumber(hp.mul(n(1.5), n(-2)))).toBe(-3);
    expect(hp.div(n(1), n(3)).toString()).toBe('0.3333333333333333333333333333333333333333');
    expect(hp.toNumber(hp.neg(n(2)))).toBe(-2);
    expect(hp.toNumber(hp.abs(n(-2)))).toBe(2);
    expect(hp.exp(n(1)).toString()).toBe('2.718281828459045235360287471352662497757');
    expect(hp.log(n(2)).toString()).toBe('0.6931471805599453094172321214581765680755');
    expect(hp.toNumber(hp.pow(n(2), n(10)))).toBe(1024);
    expect(hp.sqrt(n(2)).toString()).toBe('1.41421356237309504880168872420969807857');
    expect(hp.lt(n(1), n(2))).toBe(true);
    expect(hp.lt(n(2), n(2))).toBe(false);
    expect(hp.toNumber(hp.max([n(3), n(7), n(5)]))).toBe(7);
    expect(hp.toNumber(hp.max([n(7), n(3), n(5)]))).toBe(7);
    expect(hp.toNumber(hp.min([n(3), n(1), n(5)]))).toBe(1);
    expect(hp.toNumber(hp.min([n(1), n(3), n(5)]))).toBe(1);
    expect(hp.toNumber(hp.sum([n(1), n(2), n(4)]))).toBe(7);
    expect(hp.toNumber(hp.sum([]))).toBe(0);
  });
});
