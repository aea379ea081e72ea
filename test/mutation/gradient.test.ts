/**
 * spec/properties/gradient.ts (PROP.FD, PROP.ADJOINT), one hand-made case at a time: each check on the naive
 * backend (it must pass: smooth data for GRAD.FD, every kind and both layouts, a max tie that PROP.FD must skip)
 * and on backends wrong in one sampled element or by a small factor (they must fail, citing GRAD.FD or
 * GRAD.ADJOINT), and the skips PROP.FD and PROP.ADJOINT prescribe (unbounded ACC.GRAD sets, possible overflow).
 */
import { describe, expect, test } from 'vitest';
import type { PoolKind, PoolSpec, PoolingBackend, Tensor } from '../../spec/contract.js';
import type { GradCase } from '../../spec/arbitraries/case.js';
import { MAX32 } from '../../spec/interval.js';
import { referenceBackward } from '../../spec/reference/backward.js';
import { DEFAULT_POLICY } from '../../spec/policy.js';
import { adjointIdentity, finiteDifferences } from '../../spec/properties/gradient.js';
import type { Verdict } from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const k2s1 = { kernel: [2], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const t = (shape: number[], v: number[], layout?: 'channels_last'): Tensor => ({ shape, data: Float32Array.from(v), ...(layout ? { layout } : {}) });
const gradCase = (spec: PoolSpec, x: Tensor, dy: Tensor): GradCase => ({ spec, x, dy, profile: 'smooth' });

/** Naive's backward with dx[i] changed by `edit`. */
function wrongAt(i: number, edit: (v: number) => number): PoolingBackend {
  return { ...naive, backward: async (s: PoolSpec, x: Tensor, g: Tensor) => { const dx = await naive.backward(s, x, g); dx.data[i] = edit(dx.data[i]!); return dx; } };
}

function failure(v: Verdict): Extract<Verdict, { status: 'fail' }> {
  expect(v.status).toBe('fail');
  return v as Extract<Verdict, { status: 'fail' }>;
}

// Smooth data: non-zero, pairwise far apart compared with h = 2^-30·|x|.
const x6 = [1.5, -2.25, 3.75, 0.5, 5, -1.25];
const dy5 = [1, -2, 0.5, 3, 1.25];

describe('grad.fd (PROP.FD)', () => {
  const cases: [string, GradCase][] = [
    ['sum', gradCase({ ...k2s1, kind: 'sum' }, t([1, 1, 6], x6), t([1, 1, 5], dy5))],
    ['avg with padding not counted, ceil mode', gradCase(
      { ...k2s1, kind: 'avg', kernel: [3], strides: [2], pads: [1, 0], ceilMode: true },
      t([1, 1, 6], x6), t([1, 1, 3], [1.5, -3, 0.75]))],
    ['lp, p = 3 (LP.DEF)', gradCase({ ...k2s1, kind: 'lp', p: 3 }, t([1, 1, 6], x6), t([1, 1, 5], dy5))],
    ['lp, p = 1.5', gradCase({ ...k2s1, kind: 'lp', p: 1.5 }, t([1, 1, 6], x6.map(Math.abs)), t([1, 1, 5], dy5))],
    ['max, channels_last, two channels and two batches', gradCase(
      { ...k2s1, kind: 'max' },
      t([2, 3, 2], [1.5, -7, 2.5, -6, 0.25, -8, 9, 3.5, -4, 4.5, 8.5, 1.25], 'channels_last'),
      t([2, 2, 2], [2, 3, -5, 7, 1.5, -2.5, 4, 6], 'channels_last'))],
    ['max, a tie in one window (a kink: skipped for the tied elements)', gradCase(
      { ...k2s1, kind: 'max', strides: [2] }, t([1, 1, 6], [2, 2, -1, 3, 4.5, 1.5]), t([1, 1, 3], [5, 7, -2]))],
    ['sum, rank 2, channels_last', gradCase(
      { ...k2s1, kind: 'sum', kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] },
      t([1, 2, 3, 2], [1.5, -2.25, 3.75, 0.5, 5, -1.25, 2.5, 6.5, -3.5, 7.25, 0.75, -5.5], 'channels_last'),
      t([1, 1, 2, 2], [1, -2, 3, 0.5], 'channels_last'))],
  ];

  test('id and clauses', () => {
    expect(finiteDifferences.id).toBe('grad.fd');
    expect(finiteDifferences.clauses).toEqual(expect.arrayContaining(['GRAD.FD', 'GRAD.MAX', 'GRAD.SUM', 'GRAD.AVG', 'GRAD.LP']));
    expect(finiteDifferences.usesBackward).toBe(true);
  });

  test.each(cases)('%s: naive passes', async (_, c) => {
    expect(await finiteDifferences.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test.each(cases.map(([name, c]) => [name, c] as const))('%s: a dx 1/64 off at each of the sampled elements fails', async (_, c) => {
    // Six elements are sampled, spread evenly: 0, ⌊n/6⌋, … (all of them here, n ≤ 12); the tied ones are skipped.
    const n = c.x.data.length;
    const ties = c.spec.kind === 'max' && c.x.data[0] === c.x.data[1] ? [0, 1] : [];
    for (let k = 0; k < 6; k++) {
      const i = Math.floor((k * n) / 6);
      if (ties.includes(i)) continue;
      const v = failure(await finiteDifferences.check(wrongAt(i, (d) => d + (Math.abs(d) + 1) / 64), c, DEFAULT_POLICY));
      expect(v.message).toMatch(/^dx\[[0-9,]+\] = .*, central difference gives .* \(allowed error .*: ACC\.GRAD \+ truncation\) \(GRAD\.FD\)$/);
      expect(v.mismatch?.flat).toBe(i);
      expect(v.mismatch?.tensor).toBe('dx');
    }
  });

  test('the message and mismatch name the element and the difference\'s value', async () => {
    // sum k 2, s 1: element 2 (x = 3.75) is in windows 1 and 2, dy −2 and 0.5: the derivative is −1.5.
    const c = cases[0]![1];
    const v = failure(await finiteDifferences.check(wrongAt(2, () => 7), c, DEFAULT_POLICY));
    expect(v.message).toMatch(/^dx\[0,0,2\] = 7, central difference gives -1\.5 \(allowed error /);
    expect(v.mismatch).toMatchObject({ tensor: 'dx', flat: 2, position: [0, 0, 2], got: '7' });
    expect(v.mismatch?.expected).toMatch(/^-1\.5 ± /);
    // A NaN is never within the tolerance.
    expect((await finiteDifferences.check(wrongAt(2, () => NaN), c, DEFAULT_POLICY)).status).toBe('fail');
  });

  test('a tied maximum is a kink: skipped, whichever tap the backend routes to', async () => {
    const c = cases[5]![1]; // window [2, 2]
    expect((await finiteDifferences.check(wrongAt(0, () => 0), c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(1, () => 5), c, DEFAULT_POLICY)).status).toBe('pass');
  });

  test('an element whose ACC.GRAD set is unbounded (overflow possible) is skipped', async () => {
    // sum k 2, s 1 over 3 elements, dy = [MAX32, MAX32]: the middle element's exact dx is 2·MAX32 (overflows),
    // the outer ones get MAX32 exactly.
    const c = gradCase({ ...k2s1, kind: 'sum' }, t([1, 1, 3], [1.5, 2.5, -3.5]), t([1, 1, 2], [MAX32, MAX32]));
    expect((await finiteDifferences.check(naive, c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(1, () => 1), c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(0, () => 1), c, DEFAULT_POLICY)).status).toBe('fail');
  });
});

describe('grad.adjoint (PROP.ADJOINT)', () => {
  // avg k 3, s 1 over five float32 values that are not short binary fractions: y and dx are rounded, so the
  // two inner products differ a little, within the bound.
  const x = t([1, 1, 5], [0.1, 0.7, 1.3, -2.9, 0.37]);
  const dy = t([1, 1, 3], [-0.3, -1.1, 2.7]);
  const kinds: [PoolKind, GradCase][] = [
    ['avg', gradCase({ ...k2s1, kind: 'avg', kernel: [3] }, x, dy)],
    ['sum', gradCase({ ...k2s1, kind: 'sum', kernel: [3] }, x, dy)],
    ['avg', gradCase({ ...k2s1, kind: 'avg', kernel: [3], pads: [1, 1], countIncludePad: false, divisorOverride: 3 }, x, t([1, 1, 5], [-0.3, -1.1, 2.7, 0.9, -0.6]))],
  ];

  test('id and clauses', () => {
    expect(adjointIdentity.id).toBe('grad.adjoint');
    expect(adjointIdentity.clauses).toEqual(expect.arrayContaining(['GRAD.ADJOINT', 'GRAD.SUM', 'GRAD.AVG']));
    expect(adjointIdentity.usesBackward).toBe(true);
  });

  test.each(kinds)('%s: naive passes; a backward 2^-10 too large fails; a forward 2^-10 too large fails', async (_, c) => {
    expect(await adjointIdentity.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
    const scaledBack: PoolingBackend = {
      ...naive, backward: async (s: PoolSpec, xx: Tensor, g: Tensor) => { const dx = await naive.backward(s, xx, g); dx.data.forEach((v, i) => { dx.data[i] = v * (1 + 2 ** -10); }); return dx; },
    };
    expect(failure(await adjointIdentity.check(scaledBack, c, DEFAULT_POLICY)).message).toMatch(/^⟨forward\(x\), g⟩ − ⟨x, backward\(g\)⟩ = .*, more than the ACC bound .* \(GRAD\.ADJOINT\)$/);
    const scaledFwd: PoolingBackend = {
      ...naive, forward: async (s: PoolSpec, xx: Tensor) => { const r = await naive.forward(s, xx); r.y.data.forEach((v, i) => { r.y.data[i] = v * (1 + 2 ** -10); }); return r; },
    };
    expect(failure(await adjointIdentity.check(scaledFwd, c, DEFAULT_POLICY)).message).toMatch(/GRAD\.ADJOINT/);
  });

  test('a NaN or ±∞ in y or dx fails (every acceptance set here is finite), naming the element', async () => {
    const c = kinds[0]![1];
    const nanBack: PoolingBackend = {
      ...naive, backward: async (s: PoolSpec, xx: Tensor, g: Tensor) => { const dx = await naive.backward(s, xx, g); dx.data[2] = NaN; return dx; },
    };
    expect(failure(await adjointIdentity.check(nanBack, c, DEFAULT_POLICY)).message)
      .toBe('backward(g)[2] = NaN, where every acceptance set is finite (GRAD.ADJOINT)');
    const infFwd: PoolingBackend = {
      ...naive, forward: async (s: PoolSpec, xx: Tensor) => { const r = await naive.forward(s, xx); r.y.data[1] = -Infinity; return r; },
    };
    expect(failure(await adjointIdentity.check(infFwd, c, DEFAULT_POLICY)).message)
      .toBe('forward(x)[1] = -Infinity, where every acceptance set is finite (GRAD.ADJOINT)');
  });

  test('cases where overflow is possible are skipped (forward or backward sets unbounded)', async () => {
    const zeroBack: PoolingBackend = { ...naive, backward: async (s: PoolSpec, xx: Tensor) => ({ shape: [...xx.shape], data: new Float32Array(xx.data.length) }) };
    // Forward: 2^127 + 2^127 may overflow (ACC.OVERFLOW).
    const big = gradCase({ ...k2s1, kind: 'sum' }, t([1, 1, 3], [2 ** 127, 2 ** 127, 1]), t([1, 1, 2], [1, 1]));
    expect((await adjointIdentity.check(zeroBack, big, DEFAULT_POLICY)).status).toBe('pass');
    // Backward only: the middle element's dx is 2·MAX32.
    const bigDy = gradCase({ ...k2s1, kind: 'sum' }, t([1, 1, 3], [1, 2, 3]), t([1, 1, 2], [MAX32, MAX32]));
    expect((await adjointIdentity.check(zeroBack, bigDy, DEFAULT_POLICY)).status).toBe('pass');
    // The same backend on a bounded case fails: the skips above are the overflow's doing.
    expect((await adjointIdentity.check(zeroBack, kinds[1]![1], DEFAULT_POLICY)).status).toBe('fail');
  });
});

describe('after the first mutation run (reports/mutation/summary.md, spec/properties/gradient.ts)', () => {
  const sum = { ...k2s1, kind: 'sum' as const };

  test('grad.fd skips elements whose set is exactly ±∞ (a dy of +∞) and checks the others', async () => {
    // dy = [+∞, 1]: x0 and x1 get +∞ exactly (unbounded, skipped); x2 gets 1.
    const c = gradCase(sum, t([1, 1, 3], [1.5, 2.5, -3.5]), t([1, 1, 2], [Infinity, 1]));
    expect((await finiteDifferences.check(naive, c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(2, () => 3), c, DEFAULT_POLICY)).status).toBe('fail');
  });

  test('grad.fd skips an element that ACC.RANGE leaves unconstrained, and checks the others', async () => {
    // p 2, window [2^-60, 2^70]: (|x0|/y)^(p−1) ≈ 2^-130 is below the normal range, so x0 is unconstrained.
    const c = gradCase({ ...k2s1, kind: 'lp', p: 2, strides: [2] }, t([1, 1, 2], [2 ** -60, 2 ** 70]), t([1, 1, 1], [1]));
    expect(referenceBackward(c.spec, c.x, c.dy).acceptance[0]?.kind).toBe('unconstrained');
    expect((await finiteDifferences.check(naive, c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(0, () => 1), c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(1, () => 3), c, DEFAULT_POLICY)).status).toBe('fail');
  });

  test('max: only ties for the maximum of a window that holds the element are kinks', async () => {
    // k 2, s 2 over [3, 1, 3, 3]: x0 = 3 is the unique maximum of its window [3, 1]; the tie [3, 3] is another
    // window's. x0 is checked: a wrong dx0 fails.
    const c = gradCase({ ...k2s1, kind: 'max', strides: [2] }, t([1, 1, 4], [3, 1, 3, 3]), t([1, 1, 2], [5, 7]));
    expect((await finiteDifferences.check(wrongAt(0, () => 4), c, DEFAULT_POLICY)).status).toBe('fail');
    // k 3, s 3 over [5, 5, 1]: x0 and x1 tie for the maximum (skipped: the one-sided slopes are 1 and 0), x2 = 1
    // is not at the maximum (derivative 0, checked).
    const tie = gradCase({ ...k2s1, kind: 'max', kernel: [3], strides: [3] }, t([1, 1, 3], [5, 5, 1]), t([1, 1, 1], [2]));
    expect((await finiteDifferences.check(naive, tie, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(2, () => 1), tie, DEFAULT_POLICY)).status).toBe('fail');
  });

  test('sum: equal values are no kink (the sum is linear): a wrong dx at a tie fails', async () => {
    const c = gradCase(sum, t([1, 1, 4], [2, 2, 1, 4]), t([1, 1, 3], [1, 3, -2]));
    expect((await finiteDifferences.check(naive, c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await finiteDifferences.check(wrongAt(0, () => 7), c, DEFAULT_POLICY)).status).toBe('fail');
  });

  test('grad.fd\'s allowed error is the ACC.GRAD half-width plus the truncation estimate, never less', async () => {
    // lp, p 3 (curved, so the truncation estimate is not 0): element 2 of the smooth case above, made wrong.
    const c = gradCase({ ...k2s1, kind: 'lp', p: 3 }, t([1, 1, 6], x6), t([1, 1, 5], dy5));
    const a = referenceBackward(c.spec, c.x, c.dy).acceptance[2]!;
    expect(a.kind).toBe('interval');
    const hw = a.kind === 'interval' ? Math.max(a.hi - a.value, a.value - a.lo) : NaN;
    const v = failure(await finiteDifferences.check(wrongAt(2, () => 100), c, DEFAULT_POLICY));
    const allowed = Number(/\(allowed error ([^:]+): ACC\.GRAD/.exec(v.message)![1]);
    expect(allowed).toBeGreaterThan(hw);
    expect(Number(v.mismatch!.expected.split(' ± ')[1])).toBe(allowed);
  });

  test('grad.adjoint: all-zero x and g give 0 = 0 with a zero bound, and pass', async () => {
    const c = gradCase({ ...sum, kernel: [3] }, t([1, 1, 5], [0, 0, 0, 0, 0]), t([1, 1, 3], [0, 0, 0]));
    expect(await adjointIdentity.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });
});
