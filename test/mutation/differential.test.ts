/**
 * spec/properties/differential.ts (PROP.DIFF), one case at a time: each property's check() on a hand-made case,
 * on the naive backend (it must pass) and on a backend wrong in one element (it must fail, naming the element and
 * the clauses), and the cases each property draws (its kind; finite data only for the Lp gradient, GRAD.LP being
 * unspecified for non-finite x). Without fast-check runs, so that Stryker can afford it per mutant.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ForwardResult, PoolKind, PoolSpec, PoolingBackend, Tensor } from '../../spec/contract.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../spec/policy.js';
import { backwardDifferential, forwardDifferential } from '../../spec/properties/differential.js';
import type { Verdict } from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const KINDS: readonly PoolKind[] = ['max', 'sum', 'avg', 'lp'];
const geometry = { kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const specOf = (kind: PoolKind): PoolSpec => ({ ...geometry, kind, ...(kind === 'lp' ? { p: 2 } : {}) });
// Windows [3, 4] and [−1, 2] (no ties, no zero, exact sums).
const x: Tensor = { shape: [1, 1, 4], data: Float32Array.from([3, 4, -1, 2]) };
const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 2]) };

function withForward(edit: (r: ForwardResult) => ForwardResult): PoolingBackend {
  return { ...naive, forward: async (s: PoolSpec, t: Tensor) => edit(await naive.forward(s, t)) };
}

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}

describe('diff.forward.KIND', () => {
  test.each(KINDS)('%s: id, title, clauses; passes on naive', async (kind) => {
    const prop = forwardDifferential(kind);
    expect(prop.id).toBe(`diff.forward.${kind}`);
    expect(prop.title).toMatch(new RegExp(`^${kind} forward matches the reference \\(values${kind === 'max' ? ', indices' : ''} and shape\\)$`));
    expect(prop.clauses).toEqual(expect.arrayContaining(['PROP.DIFF', 'SHAPE.OUT', 'TENSOR.LAYOUT']));
    expect(prop.clauses).toContain({ max: 'MAX.SELECT', sum: 'SUM.DEF', avg: 'AVG.DIVISOR', lp: 'LP.DEF' }[kind]);
    expect(prop.usesBackward).toBeFalsy();
    expect(await prop.check(naive, { spec: specOf(kind), x, profile: 'finite' }, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test.each(KINDS)('%s: a wrong value fails, naming the element and the kind\'s clauses', async (kind) => {
    const wrong = withForward((r) => { const y = Float32Array.from(r.y.data); y[1] = y[1]! + 1; return { ...r, y: { ...r.y, data: y } }; });
    const clause = { max: 'MAX.SELECT', sum: 'SUM.DEF', avg: 'AVG.DEF', lp: 'LP.DEF' }[kind];
    const why = failure(await forwardDifferential(kind).check(wrong, { spec: specOf(kind), x, profile: 'finite' }, DEFAULT_POLICY));
    expect(why).toMatch(new RegExp(`^y\\[0,0,1\\] = .*\\(.*${clause.replace('.', '\\.')}.*\\)$`));
    // The clauses are listed as IDs separated by ", ", each one readable on its own.
    const ids = /\(([^()]*)\)$/.exec(why)![1]!.split(', ');
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) expect(id).toMatch(/^[A-Z]+\.[A-Z_]+$/);
  });

  test('max: a wrong index with right values fails under MAX.INDEX, unless the policy leaves indices unchecked', async () => {
    const wrong = withForward((r) => ({ ...r, indices: Int32Array.from([0, 3]) })); // the maxima are at 1 and 3
    const c = { spec: specOf('max'), x, profile: 'finite' as const };
    expect(failure(await forwardDifferential('max').check(wrong, c, DEFAULT_POLICY))).toMatch(/^indices\[0,0,0\] = 0, expected exactly 1 \(MAX\.INDEX\)$/);
    expect((await forwardDifferential('max').check(wrong, c, resolvePolicy({ indices: 'unchecked' }))).status).toBe('pass');
    // Values are checked before indices: a wrong value is reported as such even with a wrong index.
    const both = withForward((r) => ({ ...r, y: { ...r.y, data: Float32Array.from([4, 5]) }, indices: Int32Array.from([0, 3]) }));
    expect(failure(await forwardDifferential('max').check(both, c, DEFAULT_POLICY))).toMatch(/^y\[0,0,1\] = 5/);
  });

  test('sum: indices are not compared (a sum has none)', async () => {
    const extra = withForward((r) => ({ ...r, indices: Int32Array.from([7, 7]) }));
    expect((await forwardDifferential('sum').check(extra, { spec: specOf('sum'), x, profile: 'finite' }, DEFAULT_POLICY)).status).toBe('pass');
  });

  test.each(KINDS)('%s: draws cases of its kind, narrowed or not', (kind) => {
    const prop = forwardDifferential(kind);
    for (const arb of [prop.arbitrary, prop.arbitraryFor!({ regions: [{ layouts: ['channels_last'] }] })]) {
      for (const c of fc.sample(arb, { numRuns: 8, seed: 7 })) expect(c.spec.kind).toBe(kind);
    }
  });
});

describe('diff.backward.KIND', () => {
  test.each(KINDS)('%s: id, clauses, usesBackward; passes on naive; a wrong element fails', async (kind) => {
    const prop = backwardDifferential(kind);
    expect(prop.id).toBe(`diff.backward.${kind}`);
    expect(prop.title).toBe(`${kind} backward matches the reference gradient`);
    expect(prop.clauses).toEqual(expect.arrayContaining(['PROP.DIFF', 'GRAD.SHAPE', 'ACC.GRAD', { max: 'GRAD.MAX', sum: 'GRAD.SUM', avg: 'GRAD.AVG', lp: 'GRAD.LP' }[kind]]));
    expect(prop.usesBackward).toBe(true);
    const c = { spec: specOf(kind), x, dy, profile: 'finite' as const };
    expect(await prop.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
    const wrong: PoolingBackend = {
      ...naive,
      backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const dx = await naive.backward(s, t, g); dx.data[2] = dx.data[2]! + 3; return dx; },
    };
    const grad = { max: 'GRAD.MAX', sum: 'GRAD.SUM', avg: 'GRAD.AVG', lp: 'GRAD.LP' }[kind];
    expect(failure(await prop.check(wrong, c, DEFAULT_POLICY))).toMatch(new RegExp(`^dx\\[0,0,2\\] = .*\\(ACC\\.GRAD, ${grad.replace('.', '\\.')}.*\\)$`));
  });

  test('the backward check uses the policy: under maxTies last, a tie routes to the later tap', async () => {
    // Window [5, 5]: MAX.TIES gives index 0, POLICY.TIES 'last' index 1; naive follows the default only.
    const c = { spec: specOf('max'), x: { shape: [1, 1, 2], data: Float32Array.from([5, 5]) }, dy: { shape: [1, 1, 1], data: Float32Array.from([1]) }, profile: 'ties' as const };
    expect((await backwardDifferential('max').check(naive, c, DEFAULT_POLICY)).status).toBe('pass');
    expect((await backwardDifferential('max').check(naive, c, resolvePolicy({ maxTies: 'last' }))).status).toBe('fail');
  });

  test('the Lp gradient draws finite data only; the other kinds draw special values too', () => {
    const profiles = (kind: PoolKind): Set<string> => new Set(fc.sample(backwardDifferential(kind).arbitrary, { numRuns: 60, seed: 11 }).map((c) => c.profile));
    const lp = profiles('lp');
    expect([...lp].every((p) => p === 'finite' || p === 'ties')).toBe(true);
    expect(profiles('max').has('special')).toBe(true);
    for (const c of fc.sample(backwardDifferential('lp').arbitraryFor!({ regions: [{ layouts: ['channels_last'] }] }), { numRuns: 20, seed: 3 })) {
      expect(c.spec.kind).toBe('lp');
      expect(['finite', 'ties']).toContain(c.profile);
      expect(c.dy.data.length).toBeGreaterThan(0);
    }
  });
});
