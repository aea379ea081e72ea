/**
 * spec/properties/invariance.ts (INV.*), one case at a time: each metamorphic property's check() on hand-made
 * cases, on the naive backend (it must pass) and on backends wrong in exactly one way (it must fail, naming the
 * element, both values and the clause). The non-exact kinds are held to INV.*'s slack, the acceptance width: a
 * deviation inside it passes, one beyond it fails. Without fast-check runs, so that Stryker can afford it per mutant.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { ForwardResult, Layout, PoolKind, PoolSpec, PoolingBackend, Tensor } from '../../spec/contract.js';
import type { PoolCase } from '../../spec/arbitraries/case.js';
import { MIN_NORMAL32 } from '../../spec/interval.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../spec/policy.js';
import {
  homogeneity, layoutAgreement, lpOne, maxRouting, maxShift, monotonicity, ordering, permutation, reflection, translation,
} from '../../spec/properties/invariance.js';
import type { Verdict } from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const geometry = { kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const spec = (kind: PoolKind, extra: Partial<PoolSpec> = {}): PoolSpec => ({ ...geometry, kind, ...(kind === 'lp' ? { p: 2 } : {}), ...extra });
const tensor = (shape: number[], data: number[], layout?: Layout): Tensor => ({ shape, data: Float32Array.from(data), ...(layout ? { layout } : {}) });
const pc = (s: PoolSpec, x: Tensor): PoolCase => ({ spec: s, x, profile: 'finite' });
const unchecked = resolvePolicy({ indices: 'unchecked' });

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}

/** naive, its forward results edited by `edit` (given the call number, the spec and the input). */
function forwardEdited(edit: (r: ForwardResult, call: number, s: PoolSpec, x: Tensor) => ForwardResult | void): PoolingBackend {
  let calls = 0;
  return {
    ...naive,
    forward: async (s: PoolSpec, x: Tensor) => { const r = await naive.forward(s, x); return edit(r, calls++, s, x) ?? r; },
  };
}

/** Two's planes: channel 0 [1, 3, 2, 0], channel 1 [5, 4, 7, 6] (max y [3, 2 | 5, 7], indices [1, 2 | 0, 2]). */
const twoChannels = tensor([1, 2, 4], [1, 3, 2, 0, 5, 4, 7, 6]);
const twoChannelsLast = tensor([1, 4, 2], [1, 5, 3, 4, 2, 7, 0, 6], 'channels_last');
// N 2, C 3, W 4, distinct values with signs; rank 2, [1, 2, 3, 4].
const big = tensor([2, 3, 4], Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) - 5 + i / 16));
const bigLast = { ...big, shape: [2, 4, 3], layout: 'channels_last' as const };
const rank2: PoolSpec = { kind: 'max', kernel: [2, 2], strides: [1, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false };
const rank2x = tensor([1, 2, 3, 4], Array.from({ length: 24 }, (_, i) => ((i * 5) % 13) - 6 + i / 32));

/** Spatial extents of a case's input. */
const spatialOf = (c: PoolCase): number[] => (c.x.layout === 'channels_last' ? c.x.shape.slice(1, -1) : c.x.shape.slice(2));
const extent = (s: PoolSpec, i: number): number => (s.kernel[i]! - 1) * s.dilations[i]! + 1;
/** INV.TRANSLATE's axis: no padding and room for one more stride (the first such). */
const shiftAxis = (c: PoolCase): number => spatialOf(c).findIndex((size, i) => size >= extent(c.spec, i) + 2 * c.spec.strides[i]!);
/** INV.REFLECT's axis: equal pads and windows that tile it. */
const mirrorAxis = (c: PoolCase): number => {
  const d = c.spec.kernel.length;
  return spatialOf(c).findIndex((size, i) => c.spec.pads[i] === c.spec.pads[i + d] && (size + 2 * c.spec.pads[i]! - extent(c.spec, i)) % c.spec.strides[i]! === 0);
};
/** Narrowed to channels_last; 4 in 5 draws are narrowed (spec/arbitraries/spec.ts), so most must be channels_last. */
const lastOnly = { regions: [{ layouts: ['channels_last' as const] }] };
const drawn = <C>(arb: fc.Arbitrary<C>, n = 40): C[] => fc.sample(arb, { numRuns: n, seed: 23 });
const mostlyLast = (cases: PoolCase[]): void => { expect(cases.filter((c) => c.x.layout === 'channels_last').length).toBeGreaterThanOrEqual(0.6 * cases.length); };

describe('declarations', () => {
  test('ids and clauses', () => {
    const all = [layoutAgreement, permutation, translation, reflection, monotonicity, homogeneity, maxShift, ordering, lpOne, maxRouting];
    expect(all.map((p) => p.id)).toEqual(['inv.layout', 'inv.permute', 'inv.translate', 'inv.reflect', 'inv.monotone', 'inv.homogeneous', 'inv.shift', 'inv.order', 'inv.lp1', 'inv.route']);
    expect(all.map((p) => p.clauses[0])).toEqual(['INV.LAYOUT', 'INV.PERMUTE', 'INV.TRANSLATE', 'INV.REFLECT', 'INV.MONOTONE', 'INV.HOMOGENEOUS', 'INV.SHIFT', 'INV.ORDER', 'INV.LP1', 'INV.ROUTE']);
    expect(layoutAgreement.clauses).toContain('MAX.INDEX');
    expect(maxRouting.clauses).toEqual(['INV.ROUTE', 'GRAD.MAX', 'MAX.INDEX']);
    expect(maxRouting.usesBackward).toBe(true);
    expect(all.filter((p) => p.usesBackward).length).toBe(1);
  });

  test('the cases each draws (translate: no padding, floor mode, a translatable axis; monotone: finite, no override; shift: max; order: avg without padding; lp1: sum; route: max)', () => {
    const sample = <C>(arb: fc.Arbitrary<C>, n = 30): C[] => fc.sample(arb, { numRuns: n, seed: 17 });
    for (const c of sample(translation.arbitrary)) {
      expect(c.spec.ceilMode).toBe(false);
      expect(c.spec.pads.every((p) => p === 0)).toBe(true);
      expect(c.x.data.length).toBeLessThanOrEqual(128);
    }
    for (const [c, seed] of sample(monotonicity.arbitrary)) {
      expect(['finite', 'ties']).toContain(c.profile);
      expect(c.spec.divisorOverride).toBeUndefined();
      expect(seed).toBeGreaterThanOrEqual(1);
      expect(seed).toBeLessThanOrEqual(2 ** 20);
    }
    const ks = new Set<number>();
    for (const [c, k] of sample(homogeneity.arbitrary, 60)) {
      ks.add(k);
      expect(['finite', 'ties']).toContain(c.profile);
      // INV.HOMOGENEOUS: no underflow, before or after scaling (|x| and, for Lp, |x|^p normal).
      for (const v of c.x.data) {
        if (v === 0) continue;
        const smaller = Math.abs(v) * Math.min(1, 2 ** k);
        expect(smaller).toBeGreaterThanOrEqual(MIN_NORMAL32);
        if (c.spec.kind === 'lp') expect(smaller ** c.spec.p!).toBeGreaterThanOrEqual(MIN_NORMAL32);
      }
    }
    for (const k of ks) expect([-3, -1, 1, 2, 3]).toContain(k);
    expect(ks.size).toBeGreaterThan(2);
    for (const [c, shift] of sample(maxShift.arbitrary)) {
      expect(c.spec.kind).toBe('max');
      expect(c.profile).toBe('ties');
      expect(Math.abs(shift)).toBeLessThanOrEqual(5);
    }
    for (const c of sample(ordering.arbitrary)) {
      expect(c.spec.kind).toBe('avg');
      expect(c.spec.pads.every((p) => p === 0)).toBe(true);
      expect(c.spec.divisorOverride).toBeUndefined();
    }
    for (const c of sample(lpOne.arbitrary)) expect(c.spec.kind).toBe('sum');
    for (const c of sample(maxRouting.arbitrary)) {
      expect(c.spec.kind).toBe('max');
      expect(['finite', 'ties']).toContain(c.profile);
    }
    const caps = { regions: [{ layouts: ['channels_last' as const] }] };
    for (const p of [layoutAgreement, permutation, translation, reflection, ordering, lpOne, maxRouting]) {
      expect(sample(p.arbitraryFor!(caps), 10).some((c) => c.x.layout === 'channels_last')).toBe(true);
    }
    for (const p of [monotonicity, homogeneity, maxShift]) {
      expect(sample(p.arbitraryFor!(caps), 10).some(([c]) => c.x.layout === 'channels_last')).toBe(true);
    }
  });

  test('reflect draws cases with a symmetric axis: equal pads and windows that tile it', () => {
    const narrowed = drawn(reflection.arbitraryFor!(lastOnly));
    mostlyLast(narrowed);
    for (const c of narrowed) expect(mirrorAxis(c)).toBeGreaterThanOrEqual(0);
    expect(narrowed.some((c) => mirrorAxis(c) === 0)).toBe(true);
    for (const c of fc.sample(reflection.arbitrary, { numRuns: 30, seed: 17 })) {
      const d = c.spec.kernel.length;
      const spatial = c.x.layout === 'channels_last' ? c.x.shape.slice(1, -1) : c.x.shape.slice(2);
      const ok = spatial.some((size, i) => c.spec.pads[i] === c.spec.pads[i + d]
        && (size + 2 * c.spec.pads[i]! - ((c.spec.kernel[i]! - 1) * c.spec.dilations[i]! + 1)) % c.spec.strides[i]! === 0);
      expect(ok).toBe(true);
    }
  });
});

describe('the narrowed draws (arbitraryFor): each property\'s constraints, and the capabilities', () => {
  test('layout, permute, route: narrowed; route max over ties and finite data', () => {
    mostlyLast(drawn(layoutAgreement.arbitraryFor!(lastOnly)));
    mostlyLast(drawn(permutation.arbitraryFor!(lastOnly)));
    const route = drawn(maxRouting.arbitraryFor!(lastOnly));
    mostlyLast(route);
    for (const c of route) {
      expect(c.spec.kind).toBe('max');
      expect(['finite', 'ties']).toContain(c.profile);
    }
  });

  test('translate: no padding, floor mode, at most 128 elements, a translatable axis (axis 0 among them)', () => {
    const cases = drawn(translation.arbitraryFor!(lastOnly), 60);
    mostlyLast(cases);
    for (const c of cases) {
      expect(c.spec.pads.every((p) => p === 0)).toBe(true);
      expect(c.spec.ceilMode).toBe(false);
      expect(c.x.data.length).toBeLessThanOrEqual(128);
      expect(shiftAxis(c)).toBeGreaterThanOrEqual(0);
    }
    expect(cases.some((c) => shiftAxis(c) === 0)).toBe(true);
  });

  test('monotone: finite or ties data, no divisorOverride, a seed in [1, 2^20]', () => {
    const cases = drawn(monotonicity.arbitraryFor!({ regions: [{ layouts: ['channels_last'], kinds: ['avg'] }] }), 60);
    mostlyLast(cases.map(([c]) => c));
    for (const [c, seed] of cases) {
      expect(['finite', 'ties']).toContain(c.profile);
      expect(c.spec.divisorOverride).toBeUndefined();
      expect(Number.isInteger(seed) && seed >= 1 && seed <= 2 ** 20).toBe(true);
    }
  });

  test('homogeneous: finite or ties data, k among −3, −1, 1, 2, 3 (negative ones too), no underflow before or after scaling', () => {
    const cases = drawn(homogeneity.arbitraryFor!(lastOnly), 400);
    mostlyLast(cases.map(([c]) => c));
    const ks = new Set<number>();
    for (const [c, k] of cases) {
      ks.add(k);
      expect(['finite', 'ties']).toContain(c.profile);
      for (const v of c.x.data) {
        if (v === 0) continue;
        const smaller = Math.abs(v) * Math.min(1, 2 ** k);
        expect(smaller).toBeGreaterThanOrEqual(MIN_NORMAL32);
        if (c.spec.kind === 'lp') expect(smaller ** c.spec.p!).toBeGreaterThanOrEqual(MIN_NORMAL32);
      }
    }
    expect([...ks].sort((a, b) => a - b)).toEqual([-3, -1, 1, 2, 3]);
    // The filter keeps zeros, and kinds other than lp.
    expect(cases.some(([c]) => c.spec.kind !== 'lp' && c.x.data.some((v) => v !== 0))).toBe(true);
    expect(cases.some(([c]) => c.x.data.some((v) => v === 0))).toBe(true);
    expect(cases.some(([c]) => c.spec.kind === 'lp' && c.x.data.some((v) => v !== 0))).toBe(true);
  });

  test('shift: max over ties, shifts in [−5, 5], negative ones too', () => {
    const cases = drawn(maxShift.arbitraryFor!(lastOnly), 60);
    mostlyLast(cases.map(([c]) => c));
    for (const [c, shift] of cases) {
      expect(c.spec.kind).toBe('max');
      expect(c.profile).toBe('ties');
      expect(Number.isInteger(shift) && Math.abs(shift) <= 5).toBe(true);
    }
    expect(cases.some(([, shift]) => shift < 0)).toBe(true);
  });

  test('order: avg, no padding, no divisorOverride; lp1: sum; both over finite or ties data', () => {
    const order = drawn(ordering.arbitraryFor!(lastOnly), 60);
    mostlyLast(order);
    for (const c of order) {
      expect(c.spec.kind).toBe('avg');
      expect(c.spec.pads.every((p) => p === 0)).toBe(true);
      expect(c.spec.divisorOverride).toBeUndefined();
      expect(['finite', 'ties']).toContain(c.profile);
    }
    const lp1 = drawn(lpOne.arbitraryFor!(lastOnly));
    mostlyLast(lp1);
    for (const c of lp1) {
      expect(c.spec.kind).toBe('sum');
      expect(['finite', 'ties']).toContain(c.profile);
    }
  });
});

describe('inv.layout (INV.LAYOUT)', () => {
  test('passes on naive: every kind, both directions, batch and channels, rank 2', async () => {
    for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
      for (const x of [twoChannels, twoChannelsLast, big, bigLast]) expect(await layoutAgreement.check(naive, pc(spec(kind), x), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    }
    expect(await layoutAgreement.check(naive, pc(rank2, rank2x), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // NaN and −0 survive the transposition (max propagates NaN; −0 is the first of a ±0 tie).
    expect(await layoutAgreement.check(naive, pc(spec('max'), tensor([1, 2, 2], [NaN, 1, -0, 0])), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  const wrongLast = (edit: (r: ForwardResult) => void) => forwardEdited((r, _n, _s, x) => { if (x.layout === 'channels_last') edit(r); });

  test('one wrong value in channels_last fails at its channels-first position', async () => {
    // channels_last y is [w0c0, w0c1, w1c0, w1c1] = [3, 5, 2, 7]; its element 1 is y[0, 1, 0] channels-first.
    expect(failure(await layoutAgreement.check(wrongLast((r) => { r.y.data[1] = 6; }), pc(spec('max'), twoChannels), DEFAULT_POLICY)))
      .toBe('y[0,1,0]: 6 vs 5 (INV.LAYOUT)');
  });

  test('from a channels_last case: the wrong channels-first value fails at its channels_last position', async () => {
    const wrongFirst = forwardEdited((r, _n, _s, x) => { if (x.layout !== 'channels_last') r.y.data[1] = 9; });
    // channels-first y [3, 2 | 5, 7]: its element 1 is (c 0, w 1), channels_last position [0, 1, 0].
    expect(failure(await layoutAgreement.check(wrongFirst, pc(spec('max'), twoChannelsLast), DEFAULT_POLICY))).toBe('y[0,1,0]: 9 vs 2 (INV.LAYOUT)');
  });

  test('max is exact: +0 for −0 fails, and says so', async () => {
    expect(failure(await layoutAgreement.check(wrongLast((r) => { r.y.data[0] = NaN; }), pc(spec('max'), tensor([1, 1, 4], [3, 1, 2, 0])), DEFAULT_POLICY))).toBe('y[0,0,0]: NaN vs 3 (INV.LAYOUT)');
    const v = await layoutAgreement.check(wrongLast((r) => { r.y.data[1] = 6; }), pc(spec('max'), twoChannels), DEFAULT_POLICY);
    expect(v).toEqual({ status: 'fail', message: 'y[0,1,0]: 6 vs 5 (INV.LAYOUT)', mismatch: { tensor: 'y', flat: 2, position: [0, 1, 0], expected: '5', got: '6' } });
    const x = tensor([1, 1, 4], [-0, 0, 1, 2]);
    expect(failure(await layoutAgreement.check(wrongLast((r) => { r.y.data[0] = 0; }), pc(spec('max'), x), DEFAULT_POLICY))).toBe('y[0,0,0]: 0 vs -0 (INV.LAYOUT)');
  });

  test('wrong indices (values right) fail under MAX.INDEX; not under indices: unchecked', async () => {
    const b = wrongLast((r) => { r.indices![1] = 1; });
    expect(failure(await layoutAgreement.check(b, pc(spec('max'), twoChannels), DEFAULT_POLICY))).toBe('indices[0,1,0]: 1 vs 0 (INV.LAYOUT, MAX.INDEX)');
    expect(await layoutAgreement.check(b, pc(spec('max'), twoChannels), unchecked)).toEqual({ status: 'pass' });
    const none = forwardEdited((r) => ({ y: r.y }));
    expect(await layoutAgreement.check(none, pc(spec('max'), twoChannels), unchecked)).toEqual({ status: 'pass' });
    // Indices are a max matter: a sum's are never read.
    expect(await layoutAgreement.check(forwardEdited((r) => ({ ...r, indices: Int32Array.from([9, 9]) })), pc(spec('sum'), twoChannels), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('a wrong value is reported before wrong indices', async () => {
    const b = wrongLast((r) => { r.indices![1] = 1; r.y.data[3] = 1; });
    expect(failure(await layoutAgreement.check(b, pc(spec('max'), twoChannels), DEFAULT_POLICY))).toBe('y[0,1,1]: 1 vs 7 (INV.LAYOUT)');
  });

  test('sum: a difference within the acceptance width passes, one beyond it fails; an overflowing window is not compared', async () => {
    // An all-zero Lp window is exact (width 0): −0 for +0 is no difference in value.
    const zeros = tensor([1, 1, 4], [0, 0, 1, 2]);
    expect(await layoutAgreement.check(wrongLast((r) => { r.y.data[0] = -0; }), pc(spec('lp', { p: 1 }), zeros), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // [2^24, 1]: both 2^24 and 2^24 + 2 are float32 sums of some legal order (width 2, ACC.SUM).
    const x = tensor([1, 1, 4], [2 ** 24, 1, 3, 4]);
    expect(await layoutAgreement.check(wrongLast((r) => { r.y.data[0] = 2 ** 24 + 2; }), pc(spec('sum'), x), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await layoutAgreement.check(wrongLast((r) => { r.y.data[0] = 2 ** 24 + 4; }), pc(spec('sum'), x), DEFAULT_POLICY)))
      .toBe('y[0,0,0]: 16777220 vs 16777216 (INV.LAYOUT)');
    const over = tensor([1, 1, 4], [3e38, 3e38, 3, 4]);
    expect(await layoutAgreement.check(wrongLast((r) => { r.y.data[0] = 0; }), pc(spec('sum'), over), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await layoutAgreement.check(wrongLast((r) => { r.y.data[1] = 0; }), pc(spec('sum'), over), DEFAULT_POLICY))).toBe('y[0,0,1]: 0 vs 7 (INV.LAYOUT)');
  });
});

describe('inv.permute (INV.PERMUTE)', () => {
  // N 2, C 2, W 2: planes (0,0) [1, 2], (0,1) [3, 4], (1,0) [5, 6], (1,1) [7, 8]; sum y [3, 7, 11, 15].
  const x = tensor([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);

  test('passes on naive: every kind, both layouts, rank 2', async () => {
    for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
      for (const t of [x, big, bigLast, twoChannelsLast]) expect(await permutation.check(naive, pc(spec(kind), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    }
    expect(await permutation.check(naive, pc(rank2, rank2x), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('one element off on every call fails where the permutation moves it', async () => {
    // a = [4, 7, 11, 15]; the permuted input (batch reversed, channels rotated) gives [15, 11, 7, 3] + 1 at 0,
    // and a permuted is [15, 11, 7, 4].
    const b = forwardEdited((r) => { r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await permutation.check(b, pc(spec('sum'), x), DEFAULT_POLICY))).toBe('y[0,0,0]: 16 vs 15 (INV.PERMUTE)');
  });

  test('a backend that reads channels in reverse, or batch 0 for every batch, fails', async () => {
    const reversed: PoolingBackend = {
      ...naive,
      forward: async (s: PoolSpec, t: Tensor) => {
        const [n, c, w] = t.shape as [number, number, number];
        const data = new Float32Array(t.data.length);
        for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) data.set(t.data.subarray((i * c + c - 1 - j) * w, (i * c + c - j) * w), (i * c + j) * w);
        return naive.forward(s, { ...t, data });
      },
    };
    const three = tensor([1, 3, 2], [1, 2, 3, 4, 5, 6]);
    expect(failure(await permutation.check(reversed, pc(spec('sum'), three), DEFAULT_POLICY))).toMatch(/^y\[0,\d,0\]: \d+ vs \d+ \(INV\.PERMUTE\)$/);
    const firstBatch = forwardEdited((r) => { const p = r.y.data.length / 2; r.y.data.copyWithin(p, 0, p); });
    expect(failure(await permutation.check(firstBatch, pc(spec('max'), x), DEFAULT_POLICY))).toMatch(/^y\[0,\d,0\]: \d+ vs \d+ \(INV\.PERMUTE\)$/);
  });

  test('wrong indices at one output fail under MAX.INDEX; not under indices: unchecked', async () => {
    // Every plane's maximum is its second element (index 1); output 0's index made 0 on every call.
    const b = forwardEdited((r) => { if (r.indices) r.indices[0] = 0; });
    expect(failure(await permutation.check(b, pc(spec('max'), x), DEFAULT_POLICY))).toBe('indices[0,0,0]: 0 vs 1 (INV.PERMUTE, MAX.INDEX)');
    expect(await permutation.check(b, pc(spec('max'), x), unchecked)).toEqual({ status: 'pass' });
    expect(await permutation.check(forwardEdited((r) => ({ y: r.y })), pc(spec('max'), x), unchecked)).toEqual({ status: 'pass' });
  });

  test('sum: within the width at the permuted position passes; beyond fails', async () => {
    // Plane (1, 1) is [2^24, 1] (width 2); the permuted input puts it at plane (0, 0).
    const t = tensor([2, 2, 2], [1, 2, 3, 4, 5, 6, 2 ** 24, 1]);
    const second = (v: number) => forwardEdited((r, n) => { if (n === 1) r.y.data[0] = v; });
    expect(await permutation.check(second(2 ** 24 + 2), pc(spec('sum'), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await permutation.check(second(2 ** 24 + 4), pc(spec('sum'), t), DEFAULT_POLICY))).toBe('y[0,0,0]: 16777220 vs 16777216 (INV.PERMUTE)');
  });
});

describe('inv.translate (INV.TRANSLATE)', () => {
  const x = tensor([1, 1, 6], [1, 2, 3, 4, 5, 6]);

  test('passes on naive: every kind, batch and channels, channels_last, rank 2 (only the second axis can shift)', async () => {
    for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
      for (const t of [x, tensor([2, 2, 6], Array.from({ length: 24 }, (_, i) => (i * 7) % 10 - 3)), tensor([2, 6, 2], Array.from({ length: 24 }, (_, i) => (i * 5) % 9 - 4), 'channels_last')]) {
        expect(await translation.check(naive, pc(spec(kind), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
      }
    }
    const r2 = { ...rank2, kind: 'sum' as const };
    expect(await translation.check(naive, pc(r2, tensor([1, 2, 2, 6], Array.from({ length: 24 }, (_, i) => (i * 7) % 10))), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(await translation.check(naive, pc(r2, tensor([1, 2, 6, 2], Array.from({ length: 24 }, (_, i) => (i * 7) % 10), 'channels_last')), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(await translation.check(naive, pc({ ...r2, strides: [1, 1] }, tensor([1, 1, 4, 3], Array.from({ length: 12 }, (_, i) => (i * 7) % 10))), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // Axis 0 (3 ≥ 2 + 1 but not 2 + 2·2) is too short to drop a stride of 2: axis 1 is shifted.
    expect(await translation.check(naive, pc({ ...r2, strides: [2, 2] }, tensor([1, 1, 3, 6], Array.from({ length: 18 }, (_, i) => (i * 7) % 10))), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('the first output off by one fails against the second output of the uncropped input', async () => {
    // sum: a = [3, 7, 11] → [4, 7, 11]; cropped [3, 4, 5, 6] → [7, 11] → [8, 11]; b[0] vs a[1].
    const b = forwardEdited((r) => { r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await translation.check(b, pc(spec('sum'), x), DEFAULT_POLICY))).toBe('y[0,0,0]: 8 vs 7 (INV.TRANSLATE)');
    expect(failure(await translation.check(b, pc(spec('max'), x), DEFAULT_POLICY))).toBe('y[0,0,0]: 5 vs 4 (INV.TRANSLATE)');
  });

  test('a window that reads one tap too far fails', async () => {
    // sum over [x_{2j}, x_{2j+1}] plus x_0 when j = 1 (a stray tap): translation moves it.
    const stray = forwardEdited((r, _n, _s, t) => { r.y.data[1] = r.y.data[1]! + t.data[0]!; });
    expect(failure(await translation.check(stray, pc(spec('sum'), x), DEFAULT_POLICY))).toBe('y[0,0,0]: 7 vs 8 (INV.TRANSLATE)');
  });

  test('sum: within the width passes, beyond fails', async () => {
    const t = tensor([1, 1, 6], [1, 2, 2 ** 24, 1, 5, 6]);
    const second = (v: number) => forwardEdited((r, n) => { if (n === 1) r.y.data[0] = v; });
    expect(await translation.check(second(2 ** 24 + 2), pc(spec('sum'), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await translation.check(second(2 ** 24 + 4), pc(spec('sum'), t), DEFAULT_POLICY))).toBe('y[0,0,0]: 16777220 vs 16777216 (INV.TRANSLATE)');
  });
});

describe('inv.reflect (INV.REFLECT)', () => {
  const x = tensor([1, 1, 4], [1, 2, 3, 4]);

  test('passes on naive: every kind, padded avg, ±0 ties (compared numerically), rank 2 (only the second axis is symmetric)', async () => {
    for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
      for (const t of [x, big, bigLast]) expect(await reflection.check(naive, pc(spec(kind), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    }
    expect(await reflection.check(naive, pc(spec('max'), tensor([1, 1, 4], [-0, 0, 5, 1])), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    const padded = spec('avg', { kernel: [3], strides: [3], pads: [1, 1] });
    expect(await reflection.check(naive, pc(padded, tensor([1, 1, 4], [1, 2, 4, 8])), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    const r2 = { ...rank2, strides: [2, 2], kind: 'sum' as const };
    expect(await reflection.check(naive, pc(r2, tensor([1, 1, 3, 4], Array.from({ length: 12 }, (_, i) => (i * 5) % 7))), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(await reflection.check(naive, pc(r2, tensor([1, 3, 4, 1], Array.from({ length: 12 }, (_, i) => (i * 5) % 7), 'channels_last')), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('the first output off by one fails against the reversed output', async () => {
    // [1, 1, 5], kernel 2, stride 3: windows [0, 1] and [3, 4] tile the axis symmetrically.
    const b3 = forwardEdited((r) => { r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await reflection.check(b3, pc(spec('sum', { strides: [3] }), tensor([1, 1, 5], [1, 2, 3, 4, 5])), DEFAULT_POLICY))).toBe('y[0,0,0]: 10 vs 9 (INV.REFLECT)');
    // channels_last: the spatial axis is the middle one.
    const bl = forwardEdited((r) => { r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await reflection.check(bl, pc(spec('sum'), tensor([1, 4, 1], [1, 2, 3, 4], 'channels_last')), DEFAULT_POLICY))).toBe('y[0,0,0]: 8 vs 7 (INV.REFLECT)');
    // sum: a = [3, 7] → [4, 7]; reversed input [4, 3, 2, 1] → [7, 3] → [8, 3]; a reversed is [7, 4].
    const b = forwardEdited((r) => { r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await reflection.check(b, pc(spec('sum'), x), DEFAULT_POLICY))).toBe('y[0,0,0]: 8 vs 7 (INV.REFLECT)');
  });

  test('max: −0 for +0 where no tie explains it still compares equal (numerically); 1 for 2 does not', async () => {
    const b = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = 2; });
    expect(failure(await reflection.check(b, pc(spec('max'), tensor([1, 1, 4], [1, 2, 1, 1])), DEFAULT_POLICY))).toBe('y[0,0,0]: 2 vs 1 (INV.REFLECT)');
    const signs = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = -0; });
    expect(await reflection.check(signs, pc(spec('max'), tensor([1, 1, 4], [1, 2, 0, 0])), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('avg with the padded taps counted at one border only fails', async () => {
    const padded = spec('avg', { kernel: [3], strides: [3], pads: [1, 1] });
    // Windows [pad, 1, 2] and [4, 8, pad]: (1 + 2)/2 and (4 + 8)/2; the bug divides the first window by 3.
    const oneBorder = forwardEdited((r, _n, _s, t) => { r.y.data[0] = (t.data[0]! + t.data[1]!) / 3; });
    expect(failure(await reflection.check(oneBorder, pc(padded, tensor([1, 1, 4], [1, 2, 4, 8])), DEFAULT_POLICY))).toBe('y[0,0,0]: 4 vs 6 (INV.REFLECT)');
  });
});

describe('inv.monotone (INV.MONOTONE)', () => {
  test('passes on naive: every kind; Lp raises magnitudes (negative inputs fall); inputs left as they were (seed 7) give equal outputs', async () => {
    const x = tensor([1, 1, 4], [1, 3, -2, 0.5]);
    for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
      for (const seed of [1, 3, 7]) expect(await monotonicity.check(naive, [pc(spec(kind), x), seed], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    }
    expect(await monotonicity.check(naive, [pc(spec('lp'), tensor([1, 1, 4], [-1, -2, -3, -4])), 1], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(await monotonicity.check(naive, [pc(spec('lp', { p: 1 }), tensor([1, 1, 4], [-1, -2, -3, -4])), 1], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // Raising a negative window raises a sum: only Lp moves magnitudes.
    for (const kind of ['max', 'sum', 'avg'] as const) expect(await monotonicity.check(naive, [pc(spec(kind), tensor([1, 1, 4], [-1, -2, 3, 4])), 1], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // Zeros left as they are (seed 7) stay zeros.
    expect(await monotonicity.check(naive, [pc(spec('lp'), tensor([1, 1, 4], [0, 1, -1, 0])), 7], DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('a sum that drops inputs ≥ 2 falls when its inputs rise', async () => {
    // Seed 1 raises element i by ((i + 1) mod 7)/4: [1.25, 1.5, 1.75, 2]; the second window's 2 is dropped.
    const saturating: PoolingBackend = { ...naive, forward: async (s: PoolSpec, t: Tensor) => naive.forward(s, { ...t, data: t.data.map((v) => (v >= 2 ? 0 : v)) }) };
    expect(failure(await monotonicity.check(saturating, [pc(spec('sum'), tensor([1, 1, 4], [1, 1, 1, 1])), 1], DEFAULT_POLICY)))
      .toBe('y[0,0,1] fell from 2 to 1.75 when inputs rose (INV.MONOTONE)');
    // Seed 2: [1.5, 2, 1.25, 1.75]: the first window falls.
    expect(failure(await monotonicity.check(saturating, [pc(spec('sum'), tensor([1, 1, 4], [1, 1, 1, 1])), 2], DEFAULT_POLICY)))
      .toBe('y[0,0,0] fell from 2 to 1.5 when inputs rose (INV.MONOTONE)');
  });

  test('a second call lower by more than the two widths fails; lower within them passes', async () => {
    // sum [1, 1]: 2 with width ≈ 4.8e-7 either way; seed 7 leaves the input as it was.
    const lower = (d: number) => forwardEdited((r, n) => { if (n === 1) r.y.data[0] = r.y.data[0]! - d; });
    const c = pc(spec('sum'), tensor([1, 1, 4], [1, 1, 1, 1]));
    expect(await monotonicity.check(lower(2 ** -22), [c, 7], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await monotonicity.check(lower(2 ** -19), [c, 7], DEFAULT_POLICY))).toBe(`y[0,0,0] fell from 2 to ${Math.fround(2 - 2 ** -19)} when inputs rose (INV.MONOTONE)`);
    // max is exact: no slack at all.
    const m = pc(spec('max'), tensor([1, 1, 4], [1, 1, 1, 1]));
    expect(failure(await monotonicity.check(lower(2 ** -23), [m, 7], DEFAULT_POLICY))).toBe('y[0,0,0] fell from 1 to 0.9999998807907104 when inputs rose (INV.MONOTONE)');
  });

  test('a NaN output counts as a fall', async () => {
    const nan = forwardEdited((r, n) => { if (n === 1) r.y.data[1] = NaN; });
    expect(failure(await monotonicity.check(nan, [pc(spec('max'), tensor([1, 1, 4], [1, 1, 1, 1])), 7], DEFAULT_POLICY))).toBe('y[0,0,1] fell from 1 to NaN when inputs rose (INV.MONOTONE)');
  });
});

describe('inv.homogeneous (INV.HOMOGENEOUS)', () => {
  const x = tensor([1, 1, 4], [1, 3, 2, 0]);

  test('passes on naive: every kind, every power drawn', async () => {
    for (const kind of ['max', 'sum', 'avg', 'lp'] as const) {
      for (const k of [-3, -1, 1, 2, 3]) expect(await homogeneity.check(naive, [pc(spec(kind), x), k], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    }
  });

  test('max is exact: one element off after scaling fails', async () => {
    const b = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await homogeneity.check(b, [pc(spec('max'), x), 1], DEFAULT_POLICY))).toBe('y[0,0,0]: 7 vs 6 (INV.HOMOGENEOUS)');
  });

  test('sum: the slack is 2^k times the width of y(x): within passes, beyond fails', async () => {
    // [2^24, 1]: width 2 at x, so 4 at 2x; 2x sums to 2^25.
    const c = pc(spec('sum'), tensor([1, 1, 4], [2 ** 24, 1, 3, 4]));
    const second = (v: number) => forwardEdited((r, n) => { if (n === 1) r.y.data[0] = v; });
    expect(await homogeneity.check(second(2 ** 25 + 4), [c, 1], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await homogeneity.check(second(2 ** 25 + 8), [c, 1], DEFAULT_POLICY))).toBe('y[0,0,0]: 33554440 vs 33554432 (INV.HOMOGENEOUS)');
    // At x/2 the slack is 1: 2^23 + 1 passes, 2^23 + 2 does not.
    expect(await homogeneity.check(second(2 ** 23 + 1), [c, -1], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(failure(await homogeneity.check(second(2 ** 23 + 2), [c, -1], DEFAULT_POLICY))).toBe('y[0,0,0]: 8388610 vs 8388608 (INV.HOMOGENEOUS)');
  });

  test('an output of 0 is held to its width (not left out as an underflow)', async () => {
    const b = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = 1; });
    expect(failure(await homogeneity.check(b, [pc(spec('sum'), tensor([1, 1, 4], [1, -1, 3, 4])), 1], DEFAULT_POLICY))).toBe('y[0,0,0]: 1 vs 0 (INV.HOMOGENEOUS)');
  });

  test('an output that underflows after scaling is outside the clause; one that stays normal is not', async () => {
    const b = () => forwardEdited((r, n) => { if (n === 1) r.y.data[0] = 5; });
    const ones = tensor([1, 1, 2], [1, 1]);
    // 2/2^125 = 2^-124, at 1/8: 2^-127, subnormal.
    expect(await homogeneity.check(b(), [pc(spec('avg', { divisorOverride: 2 ** 125 }), ones), -3], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // 2/2^124 = 2^-123, at 1/8: 2^-126, the smallest normal.
    expect(failure(await homogeneity.check(b(), [pc(spec('avg', { divisorOverride: 2 ** 124 }), ones), -3], DEFAULT_POLICY))).toBe(`y[0,0,0]: 5 vs ${2 ** -126} (INV.HOMOGENEOUS)`);
    // Scaling up: 2^-124 · 8 stays normal.
    expect(failure(await homogeneity.check(b(), [pc(spec('avg', { divisorOverride: 2 ** 125 }), ones), 3], DEFAULT_POLICY))).toBe(`y[0,0,0]: 5 vs ${2 ** -121} (INV.HOMOGENEOUS)`);
  });

  test('an overflowing window is not compared', async () => {
    const b = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = 1; });
    expect(await homogeneity.check(b, [pc(spec('sum'), tensor([1, 1, 4], [3e38, 3e38, 3, 4])), -1], DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });
});

describe('inv.shift (INV.SHIFT)', () => {
  test('passes on naive, ±0 included; one element off after the shift fails', async () => {
    for (const shift of [-5, -1, 0, 2, 5]) {
      for (const t of [tensor([1, 1, 4], [1, 3, 2, 0]), tensor([1, 1, 4], [-0, 0, -1, -0]), big]) {
        expect(await maxShift.check(naive, [pc(spec('max'), t), shift], DEFAULT_POLICY)).toEqual({ status: 'pass' });
      }
    }
    const b = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = r.y.data[0]! + 1; });
    expect(failure(await maxShift.check(b, [pc(spec('max'), tensor([1, 1, 4], [1, 3, 2, 0])), 2], DEFAULT_POLICY))).toBe('y[0,0,0]: 6 vs 5 (INV.SHIFT)');
    // Compared numerically (INV.SHIFT: −0 + c = +0 + c): −0 where +0 is expected passes.
    const negZero = forwardEdited((r, n) => { if (n === 1) r.y.data[0] = -0; });
    expect(await maxShift.check(negZero, [pc(spec('max'), tensor([1, 1, 4], [-3, -5, 2, 0])), 3], DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });
});

describe('inv.order (INV.ORDER)', () => {
  const x = tensor([1, 1, 4], [-3, -1, 2, 5]);
  const avgOnly = (edit: (y: Float32Array) => void) => forwardEdited((r, _n, s) => { if (s.kind === 'avg') edit(r.y.data); });

  test('passes on naive, negative windows included', async () => {
    for (const t of [x, big, bigLast, tensor([1, 1, 4], [-1, -1, 2, 2])]) expect(await ordering.check(naive, pc(spec('avg'), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('an avg above the max or below the min fails, naming both ends', async () => {
    expect(failure(await ordering.check(avgOnly((y) => { y[0] = 8; }), pc(spec('avg'), x), DEFAULT_POLICY))).toBe('avg 8 outside [min -3, max -1] at y[0,0,0] (INV.ORDER)');
    expect(failure(await ordering.check(avgOnly((y) => { y[1] = -6.5; }), pc(spec('avg'), x), DEFAULT_POLICY))).toBe('avg -6.5 outside [min 2, max 5] at y[0,0,1] (INV.ORDER)');
  });

  test('the avg\'s acceptance width is the slack: one ulp past the max (or the min) of a constant window passes', async () => {
    const flat = tensor([1, 1, 4], [1, 1, -1, -1]);
    const ulp = 2 ** -23;
    expect(await ordering.check(avgOnly((y) => { y[0] = 1 + ulp; y[1] = -1 - ulp; }), pc(spec('avg'), flat), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    // The width of avg [1, 1] is about 4.8e-7, four ulps: eight are beyond it.
    expect(failure(await ordering.check(avgOnly((y) => { y[0] = 1 + 8 * ulp; }), pc(spec('avg'), flat), DEFAULT_POLICY))).toBe(`avg ${1 + 8 * ulp} outside [min 1, max 1] at y[0,0,0] (INV.ORDER)`);
    expect(failure(await ordering.check(avgOnly((y) => { y[1] = -1 - 8 * ulp; }), pc(spec('avg'), flat), DEFAULT_POLICY))).toBe(`avg ${-1 - 8 * ulp} outside [min -1, max -1] at y[0,0,1] (INV.ORDER)`);
  });
});

describe('inv.lp1 (INV.LP1)', () => {
  const x = tensor([1, 1, 4], [3, 4, -1, 2]);

  test('passes on naive, negative inputs included', async () => {
    for (const t of [x, big, bigLast]) expect(await lpOne.check(naive, pc(spec('sum'), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('an Lp that forgets the absolute value fails', async () => {
    const noAbs = forwardEdited((r, _n, s, t) => {
      if (s.kind === 'lp') for (let j = 0; j < r.y.data.length; j++) r.y.data[j] = t.data[2 * j]! + t.data[2 * j + 1]!;
    });
    expect(failure(await lpOne.check(noAbs, pc(spec('sum'), x), DEFAULT_POLICY))).toMatch(/^lp\(p=1\) 1 ≠ sum\(\|x\|\) 3 at y\[0,0,1\] beyond 0\.00000\d+ \(INV\.LP1\)$/);
  });

  test('the slack is the sum of both widths: 14 ulps off 3 passes (widths ≈ 3.2e-6 + 3.6e-7), 16 do not', async () => {
    const off = (n: number) => forwardEdited((r, _n, s) => { if (s.kind === 'lp') r.y.data[1] = 3 + n * 2 ** -22; });
    expect(await lpOne.check(off(14), pc(spec('sum'), x), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect((await lpOne.check(off(16), pc(spec('sum'), x), DEFAULT_POLICY)).status).toBe('fail');
  });
});

describe('inv.route (INV.ROUTE)', () => {
  const x = tensor([1, 1, 4], [1, 3, 2, 0]);
  const backwardEdited = (edit: (dx: Float32Array) => void): PoolingBackend => ({
    ...naive, backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const dx = await naive.backward(s, t, g); edit(dx.data); return dx; },
  });

  test('passes on naive: ties, batch and channels, channels_last, rank 2', async () => {
    for (const t of [x, tensor([1, 1, 4], [5, 5, 1, 1]), big, bigLast, twoChannels, twoChannelsLast]) {
      expect(await maxRouting.check(naive, pc(spec('max'), t), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    }
    expect(await maxRouting.check(naive, pc(rank2, rank2x), DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(await maxRouting.check(naive, pc(rank2, { ...rank2x, shape: [1, 3, 4, 2], layout: 'channels_last' }), DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('a tie split in two fails, listing both', async () => {
    const extra = backwardEdited((dx) => { if (dx[1] === 1) dx[2] = 0.5; });
    expect(failure(await maxRouting.check(extra, pc(spec('max'), x), DEFAULT_POLICY))).toBe('a unit gradient at output 0 reached 2 inputs (1: 1, 2: 0.5) (INV.ROUTE)');
    const split = backwardEdited((dx) => { if (dx[0] === 1) { dx[0] = 0.5; dx[1] = 0.5; } });
    expect(failure(await maxRouting.check(split, pc(spec('max'), tensor([1, 1, 4], [5, 5, 1, 1])), DEFAULT_POLICY))).toBe('a unit gradient at output 0 reached 2 inputs (0: 0.5, 1: 0.5) (INV.ROUTE)');
  });

  test('the unit doubled fails; the gradient spread over six inputs lists the first four', async () => {
    expect(failure(await maxRouting.check(backwardEdited((dx) => { for (let i = 0; i < dx.length; i++) dx[i] = dx[i]! * 2; }), pc(spec('max'), x), DEFAULT_POLICY)))
      .toBe('a unit gradient at output 0 reached 1 inputs (1: 2) (INV.ROUTE)');
    expect(failure(await maxRouting.check(backwardEdited((dx) => { dx.fill(0.25); }), pc(spec('max'), tensor([1, 1, 6], [1, 2, 3, 4, 5, 6])), DEFAULT_POLICY)))
      .toBe('a unit gradient at output 0 reached 6 inputs (0: 0.25, 1: 0.25, 2: 0.25, 3: 0.25) (INV.ROUTE)');
    expect(failure(await maxRouting.check(backwardEdited((dx) => { dx.fill(0); }), pc(spec('max'), x), DEFAULT_POLICY)))
      .toBe('a unit gradient at output 0 reached 0 inputs () (INV.ROUTE)');
  });

  test('the outputs checked: the first, the middle and the last (a wrong middle or last one fails)', async () => {
    // [1, 1, 8], four outputs, maxima at 1, 3, 5, 7: output o's unit goes to input 2o + 1.
    const t = tensor([1, 1, 8], [0, 1, 0, 1, 0, 1, 0, 1]);
    for (const o of [2, 3]) {
      const wrong = backwardEdited((dx) => { if (dx[2 * o + 1] === 1) { dx[2 * o + 1] = 0; dx[2 * o] = 1; } });
      expect(failure(await maxRouting.check(wrong, pc(spec('max'), t), DEFAULT_POLICY))).toBe(`output ${o}'s gradient went to plane index ${2 * o}, but forward's index is ${2 * o + 1} (INV.ROUTE, MAX.INDEX)`);
    }
  });

  test('a gradient at another element than the forward\'s index fails under MAX.INDEX; not under indices: unchecked', async () => {
    // Output 0's index is 1 (max of [1, 3]); the forward says 0.
    const b = forwardEdited((r) => { if (r.indices) r.indices[0] = 0; });
    expect(failure(await maxRouting.check(b, pc(spec('max'), x), DEFAULT_POLICY))).toBe('output 0\'s gradient went to plane index 1, but forward\'s index is 0 (INV.ROUTE, MAX.INDEX)');
    expect(await maxRouting.check(b, pc(spec('max'), x), unchecked)).toEqual({ status: 'pass' });
    expect(await maxRouting.check(forwardEdited((r) => ({ y: r.y })), pc(spec('max'), x), unchecked)).toEqual({ status: 'pass' });
  });

  test('plane indices, not flat ones: the last output of [2, 3, 4] (batch 1, channel 2) routes to plane index 2 or 3', async () => {
    const flat = forwardEdited((r) => { if (r.indices) r.indices[r.indices.length - 1] = r.indices[r.indices.length - 1]! + 20; });
    expect(failure(await maxRouting.check(flat, pc(spec('max'), big), DEFAULT_POLICY))).toMatch(/^output 11's gradient went to plane index [23], but forward's index is 2[23] \(INV\.ROUTE, MAX\.INDEX\)$/);
  });
});
