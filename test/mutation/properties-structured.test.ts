/**
 * spec/properties/structured.ts (SPEC.md §10's properties) one case at a time, for mutation testing: each
 * property's check() on hand-worked cases, on the naive backend (it must pass) and on backends wrong in exactly
 * one way each (they must fail, naming the element and the clause, or be declined), and a few cases drawn from
 * each property's arbitrary (fast-check's sample, no property run) checked on naive. Expected values are worked
 * out by hand from §10's clauses (ADAPTIVE.WINDOW, ROI.BIN, ROI.EMPTY, SPP.SHAPE, UNPOOL.DUPLICATE, GRAD.STRUCTURED).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { STRUCTURED_KINDS, type ForwardResult, type PoolSpec, type PoolingBackend, type StructuredKind, type StructuredPoolingBackend, type StructuredSpec, type Tensor } from '../../spec/contract.js';
import type { PoolCase } from '../../spec/arbitraries/case.js';
import type { StructuredCase } from '../../spec/arbitraries/structured.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../spec/policy.js';
import {
  STRUCTURED_PROPERTIES, adaptiveIsOrdinary, roiWholeMap, sppLength, structuredBackward, structuredFiniteDifferences, structuredForward, unpoolRoundTrip,
} from '../../spec/properties/structured.js';
import { CALL_TIMEOUT_MS, VerdictSignal, fail, type Verdict } from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const S = naive.structured!;
const t = (shape: number[], data: number[], layout?: Tensor['layout']): Tensor => ({ shape, data: Float32Array.from(data), ...(layout ? { layout } : {}) });

function withStructured(over: Partial<StructuredPoolingBackend>, name = 'broken'): PoolingBackend {
  return { ...naive, name, structured: { ...S, ...over } };
}
/** The naive structured forward, its result edited. */
const editForward = (edit: (r: ForwardResult) => unknown): PoolingBackend =>
  withStructured({ forward: async (spec, x) => edit(await S.forward(spec, x)) as ForwardResult });
/** The naive structured backward, its dx edited. */
const editBackward = (edit: (dx: Tensor) => unknown): PoolingBackend =>
  withStructured({ backward: async (spec, x, dy) => edit(await S.backward(spec, x, dy)) as Tensor });
const withY = (r: ForwardResult, data: number[]): ForwardResult => ({ ...r, y: { ...r.y, data: Float32Array.from(data) } });
const bump = (data: ArrayLike<number>, at: number, by: number): Float32Array => { const d = Float32Array.from(data); d[at] = d[at]! + by; return d; };
/** Records every structured forward call (spec and x) and answers with naive's. */
function spy(): { backend: PoolingBackend; calls: { spec: StructuredSpec; x: Tensor }[] } {
  const calls: { spec: StructuredSpec; x: Tensor }[] = [];
  return { calls, backend: withStructured({ forward: (spec, x) => { calls.push({ spec, x }); return S.forward(spec, x); } }, 'spy') };
}

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}
const PASSED = { status: 'pass' };

// One hand-worked case per kind (x, dy and the expected forward and backward, from §10):
const CASES: Record<StructuredKind, StructuredCase & { y: number[]; indices?: number[]; dx: number[] }> = {
  // ADAPTIVE.WINDOW 6 → 3: [0, 2), [2, 4), [4, 6): [4, 4] → 4 at 0 (MAX.TIES), [1, 3] → 3 at 3, [7, 2] → 7 at 4.
  adaptive_max: {
    spec: { kind: 'adaptive_max', outputSize: [3] }, x: t([1, 1, 6], [4, 4, 1, 3, 7, 2]), dy: t([1, 1, 3], [1, 2, 3]), profile: 'ties',
    y: [4, 3, 7], indices: [0, 3, 4], dx: [1, 0, 0, 2, 3, 0],
  },
  // 5 → 2: [0, 3) and [2, 5): means 2 and 4; dy [3, 6] gives 1 to each of the first three, 2 to the last three.
  adaptive_avg: {
    spec: { kind: 'adaptive_avg', outputSize: [2] }, x: t([1, 1, 5], [1, 2, 3, 4, 5]), dy: t([1, 1, 2], [3, 6]), profile: 'finite',
    y: [2, 4], dx: [1, 1, 3, 2, 2],
  },
  // A 4×4 map 0..15; box 0 lies outside the map (ROI.EMPTY: +0, index −1, no gradient), box 1 is the whole map.
  roi_max: {
    spec: { kind: 'roi_max', pooledSize: [1, 1], spatialScale: 1, boxes: [[0, 10, 10, 12, 12], [0, 0, 0, 3, 3]] },
    x: t([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i)), dy: t([2, 1, 1, 1], [5, 7]), profile: 'finite',
    y: [0, 15], indices: [-1, 15], dx: [...new Array<number>(15).fill(0), 7],
  },
  // SPP.LEVELS [1] and [2] over [1, 5, 2, 3]: 5 (at 1); 5 (at 1) and 3 (at 3). Output [N, F] = [1, 3].
  spp: {
    spec: { kind: 'spp', mode: 'max', levels: [[1], [2]] }, x: t([1, 1, 4], [1, 5, 2, 3]), dy: t([1, 3], [1, 2, 3]), profile: 'finite',
    y: [5, 5, 3], indices: [1, 1, 3], dx: [0, 3, 0, 3],
  },
  // UNPOOL.SIZE (2 − 1)·2 + 2 = 4 positions: 7 to 3, 9 to 0, +0 elsewhere (UNPOOL.ZERO); dx reads dy back there.
  max_unpool: {
    spec: { kind: 'max_unpool', kernel: [2], strides: [2], pads: [0, 0], indices: Int32Array.from([3, 0]) },
    x: t([1, 1, 2], [7, 9]), dy: t([1, 1, 4], [1, 2, 3, 4]), profile: 'finite',
    y: [9, 0, 0, 7], dx: [4, 1],
  },
};
/** The clause that defines each kind. */
const DEFINING: Record<StructuredKind, string> = { adaptive_max: 'ADAPTIVE.WINDOW', adaptive_avg: 'ADAPTIVE.WINDOW', roi_max: 'ROI.BIN', spp: 'SPP.LEVELS', max_unpool: 'UNPOOL.INDEX' };
const clauseList = (message: string): string[] => /\(([^()]*)\)$/.exec(message)![1]!.split(', ');

describe('the hand-worked cases are what the naive backend computes (the tests below build on them)', () => {
  test.each(STRUCTURED_KINDS)('%s', async (kind) => {
    const c = CASES[kind];
    const r = await S.forward(c.spec, c.x);
    expect([...r.y.data]).toEqual(c.y);
    expect(r.indices ? [...r.indices] : undefined).toEqual(c.indices);
    expect([...(await S.backward(c.spec, c.x, c.dy)).data]).toEqual(c.dx);
  });
});

describe('diff.forward.KIND (PROP.DIFF)', () => {
  test.each(STRUCTURED_KINDS)('%s: id, title, clauses, applies; passes on naive; a wrong value fails naming the element and the clauses', async (kind) => {
    const prop = structuredForward(kind);
    expect(prop.id).toBe(`diff.forward.${kind}`);
    expect(prop.title).toBe(`${kind} forward matches the reference`);
    expect(prop.clauses).toEqual(expect.arrayContaining(['PROP.DIFF', DEFINING[kind]]));
    expect(prop.applies!(naive)).toBeUndefined();
    const c = CASES[kind];
    expect(await prop.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
    const why = failure(await prop.check(editForward((r) => ({ ...r, y: { ...r.y, data: bump(r.y.data, 1, 1) } })), c, DEFAULT_POLICY));
    expect(why).toMatch(/^y\[[0-9,]+\] = .*, expected .*\(.*\)$/);
    const ids = clauseList(why);
    expect(ids).toContain(DEFINING[kind]);
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) expect(id).toMatch(/^[A-Z]+\.[A-Z_]+$/);
  });

  test('adaptive_max: right values with a wrong index fail under MAX.INDEX, unless the policy leaves indices unchecked', async () => {
    // Window [4, 4] ties: MAX.TIES gives index 0; this backend says 1 (the value is the same 4).
    const c = CASES.adaptive_max;
    const wrong = editForward((r) => ({ ...r, indices: Int32Array.from([1, 3, 4]) }));
    expect(failure(await structuredForward('adaptive_max').check(wrong, c, DEFAULT_POLICY))).toBe('indices[0,0,0] = 1, expected exactly 0 (MAX.INDEX)');
    expect(await structuredForward('adaptive_max').check(wrong, c, resolvePolicy({ indices: 'unchecked' }))).toEqual(PASSED);
    // Values are compared first: a wrong value with right indices fails on the value.
    const value = editForward((r) => withY(r, [4, 3, 8]));
    expect(failure(await structuredForward('adaptive_max').check(value, c, DEFAULT_POLICY))).toMatch(/^y\[0,0,2\] = 8, expected exactly 7 \(/);
  });

  test('adaptive_max: indices missing or one short fail (MAX.INDEX); not asked for when the policy leaves them unchecked', async () => {
    const c = CASES.adaptive_max;
    const none = editForward((r) => ({ y: r.y }));
    const short = editForward((r) => ({ ...r, indices: Int32Array.from([0, 3]) }));
    const wrongType = editForward((r) => ({ ...r, indices: [0, 3, 4] }));
    for (const b of [none, short, wrongType]) {
      expect(failure(await structuredForward('adaptive_max').check(b, c, DEFAULT_POLICY))).toBe('structured.forward() of a max kind must return Int32Array indices, one per output (MAX.INDEX)');
    }
    expect(await structuredForward('adaptive_max').check(none, c, resolvePolicy({ indices: 'unchecked' }))).toEqual(PASSED);
  });

  test('a result of the wrong shape, length or dtype fails naming the shapes (ADAPTIVE.WINDOW, …, UNPOOL.SIZE)', async () => {
    const c = CASES.adaptive_avg;
    const prop = structuredForward('adaptive_avg');
    const message = (got: string): string => `structured.forward() output shape [${got}] ≠ expected [1,1,2] (ADAPTIVE.WINDOW, ROI.SHAPE, SPP.SHAPE, UNPOOL.SIZE)`;
    expect(failure(await prop.check(editForward((r) => ({ ...r, y: { ...r.y, shape: [1, 1, 3] } })), c, DEFAULT_POLICY))).toBe(message('1,1,3'));
    expect(failure(await prop.check(editForward((r) => withY(r, [2, 4, 0])), c, DEFAULT_POLICY))).toBe(message('1,1,2'));
    expect(failure(await prop.check(editForward((r) => ({ ...r, y: { ...r.y, data: Float64Array.from(r.y.data) } })), c, DEFAULT_POLICY))).toBe(message('1,1,2'));
    expect(failure(await prop.check(editForward(() => undefined), c, DEFAULT_POLICY))).toBe(message('undefined'));
    expect(failure(await prop.check(editForward((r) => ({ indices: r.indices })), c, DEFAULT_POLICY))).toBe(message('undefined'));
  });

  test('a shape that is not an array ends in the shape verdict, not a TypeError', async () => {
    const c = CASES.adaptive_avg;
    for (const shape of ['1,1,2', undefined, { length: 3 }]) {
      const v = await structuredForward('adaptive_avg').check(editForward((r) => ({ ...r, y: { ...r.y, shape } })), c, DEFAULT_POLICY);
      expect(failure(v)).toMatch(/^structured\.forward\(\) output shape \[.*\] ≠ expected \[1,1,2\] \(ADAPTIVE\.WINDOW/);
    }
  });

  test('PROP.DIFF: the output is in x\'s layout (TENSOR.LAYOUT); SPP\'s [N, F] carries no layout', async () => {
    const c = CASES.adaptive_avg;
    const label = (layout: Tensor['layout']) => editForward((r) => ({ ...r, y: { ...r.y, layout } }));
    expect(failure(await structuredForward('adaptive_avg').check(label('channels_last'), c, DEFAULT_POLICY))).toBe('structured.forward() output layout channels_last ≠ input layout channels_first (TENSOR.LAYOUT)');
    expect(await structuredForward('adaptive_avg').check(label(undefined), c, DEFAULT_POLICY)).toEqual(PASSED);
    const last: StructuredCase = { ...c, x: t([1, 5, 1], [1, 2, 3, 4, 5], 'channels_last'), dy: t([1, 2, 1], [3, 6], 'channels_last') };
    expect(await structuredForward('adaptive_avg').check(naive, last, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await structuredForward('adaptive_avg').check(label(undefined), last, DEFAULT_POLICY))).toBe('structured.forward() output layout channels_first (absent) ≠ input layout channels_last (TENSOR.LAYOUT)');
    expect(await structuredForward('spp').check(label('channels_last'), CASES.spp, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('a throwing forward fails under CONTRACT.SUPPORTS; a verdict the call itself ends in is kept', async () => {
    const c = CASES.adaptive_avg;
    const throws = withStructured({ forward: () => Promise.reject(new TypeError('boom')) });
    expect(failure(await structuredForward('adaptive_avg').check(throws, c, DEFAULT_POLICY))).toBe('structured.forward() threw TypeError: boom on a supported case (CONTRACT.SUPPORTS)');
    const signal = withStructured({ forward: () => { throw new VerdictSignal(fail('its own verdict')); } });
    expect(failure(await structuredForward('adaptive_avg').check(signal, c, DEFAULT_POLICY))).toBe('its own verdict');
  });
});

describe('the backend\'s structured member: kinds and supports() (CONTRACT.SUPPORTS)', () => {
  const bare: PoolingBackend = { ...naive, name: 'bare', structured: undefined };
  const avgOnly = withStructured({ kinds: ['adaptive_avg'] }, 'avg-only');
  const sppOnly = withStructured({ kinds: ['spp'] }, 'spp-only');

  test('applies(): the kind (or one of the kinds) must be listed', () => {
    expect(structuredForward('adaptive_max').applies!(bare)).toBe('bare does not implement structured kind adaptive_max (PoolingBackend.structured.kinds)');
    expect(structuredForward('adaptive_max').applies!(avgOnly)).toBe('avg-only does not implement structured kind adaptive_max (PoolingBackend.structured.kinds)');
    expect(structuredForward('adaptive_avg').applies!(avgOnly)).toBeUndefined();
    expect(structuredBackward('adaptive_avg').applies!(avgOnly)).toBeUndefined();
    expect(structuredBackward('spp').applies!(avgOnly)).toBe('avg-only does not implement structured kind spp (PoolingBackend.structured.kinds)');
    expect(adaptiveIsOrdinary.applies!(avgOnly)).toBeUndefined();
    expect(adaptiveIsOrdinary.applies!(naive)).toBeUndefined();
    expect(adaptiveIsOrdinary.applies!(sppOnly)).toBe('spp-only does not implement structured kind adaptive_max or adaptive_avg (PoolingBackend.structured.kinds)');
    expect(sppLength.applies!(sppOnly)).toBeUndefined();
    expect(sppLength.applies!(avgOnly)).toBe('avg-only does not implement structured kind spp (PoolingBackend.structured.kinds)');
    expect(roiWholeMap.applies!(naive)).toBeUndefined();
    expect(roiWholeMap.applies!(bare)).toMatch(/structured kind roi_max /);
    expect(unpoolRoundTrip.applies!(naive)).toBeUndefined();
    expect(unpoolRoundTrip.applies!(sppOnly)).toMatch(/structured kind max_unpool /);
    expect(structuredFiniteDifferences.applies!(sppOnly)).toBeUndefined();
    expect(structuredFiniteDifferences.applies!(bare)).toBe('bare does not implement structured kind adaptive_max or adaptive_avg or roi_max or spp or max_unpool (PoolingBackend.structured.kinds)');
  });

  test('a check on a backend without the kind is unsupported, naming it (forward and backward)', async () => {
    for (const b of [bare, avgOnly]) {
      const why = `${b.name} does not implement structured kind adaptive_max (PoolingBackend.structured.kinds)`;
      expect(await structuredForward('adaptive_max').check(b, CASES.adaptive_max, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: why });
      expect(await structuredBackward('adaptive_max').check(b, CASES.adaptive_max, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: why });
    }
  });

  test('supports() declining ends the case unsupported with its reason; supports() throwing fails', async () => {
    const declines = withStructured({ supports: () => ({ ok: false, reason: 'too big for me' }) });
    expect(await structuredForward('adaptive_avg').check(declines, CASES.adaptive_avg, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: 'too big for me' });
    expect(await structuredBackward('adaptive_avg').check(declines, CASES.adaptive_avg, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: 'too big for me' });
    const throws = withStructured({ supports: () => { throw new RangeError('nope'); } });
    expect(failure(await structuredForward('adaptive_avg').check(throws, CASES.adaptive_avg, DEFAULT_POLICY))).toBe('structured.supports() threw RangeError: nope (CONTRACT.SUPPORTS)');
    expect(failure(await structuredBackward('adaptive_avg').check(throws, CASES.adaptive_avg, DEFAULT_POLICY))).toBe('structured.supports() threw RangeError: nope (CONTRACT.SUPPORTS)');
  });
});

describe('diff.backward.KIND (PROP.DIFF, GRAD.STRUCTURED)', () => {
  test.each(STRUCTURED_KINDS)('%s: id, title, clauses; passes on naive; a wrong element fails naming it', async (kind) => {
    const prop = structuredBackward(kind);
    expect(prop.id).toBe(`diff.backward.${kind}`);
    expect(prop.title).toBe(`${kind} backward matches the reference gradient`);
    expect(prop.clauses).toEqual(expect.arrayContaining(['PROP.DIFF', 'GRAD.STRUCTURED', 'ACC.GRAD', DEFINING[kind]]));
    expect(prop.applies!(naive)).toBeUndefined();
    const c = CASES[kind];
    expect(await prop.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
    const why = failure(await prop.check(editBackward((dx) => ({ ...dx, data: bump(dx.data, 1, 0.5) })), c, DEFAULT_POLICY));
    expect(why).toMatch(/^dx\[[0-9,]+\] = .* \(GRAD\.STRUCTURED, ACC\.GRAD\)$/);
  });

  test('dx of the wrong shape, dtype or layout fails under GRAD.SHAPE; a throw under CONTRACT.SUPPORTS', async () => {
    const c = CASES.adaptive_avg;
    const prop = structuredBackward('adaptive_avg');
    const shape = (got: string): string => `structured.backward() dx shape [${got}] ≠ [1,1,5] (GRAD.SHAPE)`;
    expect(failure(await prop.check(editBackward((dx) => ({ ...dx, shape: [1, 5, 1] })), c, DEFAULT_POLICY))).toBe(shape('1,5,1'));
    expect(failure(await prop.check(editBackward((dx) => ({ ...dx, data: [...dx.data] })), c, DEFAULT_POLICY))).toBe(shape('1,1,5'));
    expect(failure(await prop.check(editBackward(() => undefined), c, DEFAULT_POLICY))).toBe(shape('undefined'));
    expect(failure(await prop.check(editBackward((dx) => ({ ...dx, shape: '1,1,5' })), c, DEFAULT_POLICY))).toBe(shape('1,1,5'));
    expect(failure(await prop.check(editBackward((dx) => ({ ...dx, layout: 'channels_last' })), c, DEFAULT_POLICY))).toBe('structured.backward() dx layout channels_last ≠ input layout channels_first (GRAD.SHAPE)');
    const last: StructuredCase = { ...c, x: t([1, 5, 1], [1, 2, 3, 4, 5], 'channels_last'), dy: t([1, 2, 1], [3, 6], 'channels_last') };
    expect(await prop.check(naive, last, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await prop.check(editBackward((dx) => ({ shape: dx.shape, data: dx.data })), last, DEFAULT_POLICY))).toBe('structured.backward() dx layout channels_first (absent) ≠ input layout channels_last (GRAD.SHAPE)');
    const throws = withStructured({ backward: () => Promise.reject(new Error('nope')) });
    expect(failure(await prop.check(throws, c, DEFAULT_POLICY))).toBe('structured.backward() threw Error: nope on a supported case (CONTRACT.SUPPORTS)');
    const signal = withStructured({ backward: () => { throw new VerdictSignal(fail('its own verdict')); } });
    expect(failure(await prop.check(signal, c, DEFAULT_POLICY))).toBe('its own verdict');
  });

  test('the backward check uses the policy: under maxTies last, the tie [4, 4] routes dy to the later tap', async () => {
    const prop = structuredBackward('adaptive_max');
    expect(await prop.check(naive, CASES.adaptive_max, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await prop.check(naive, CASES.adaptive_max, resolvePolicy({ maxTies: 'last' })))).toMatch(/^dx\[0,0,0\] = 1, /);
  });
});

const poolCase = (kind: 'max' | 'avg', x: Tensor, kernel: number[] = [2], strides: number[] = kernel): PoolCase => ({
  spec: { kind, kernel, strides, dilations: kernel.map(() => 1), pads: new Array<number>(2 * kernel.length).fill(0), ceilMode: false, countIncludePad: false } satisfies PoolSpec,
  x, profile: 'finite',
});

describe('inv.adaptive_ordinary (ADAPTIVE.ORDINARY)', () => {
  test('id and clauses', () => {
    expect(adaptiveIsOrdinary.id).toBe('inv.adaptive_ordinary');
    expect(adaptiveIsOrdinary.clauses).toContain('ADAPTIVE.ORDINARY');
  });

  test('max, channels_first by default: OUT = the case\'s extent (at most 3), IN = OUT·m, the data repeated', async () => {
    // x [1, 2, 5]: OUT = [3], m = 2: the backend gets adaptive_max to [3] of [1, 2, 6], data 1..10 then 1, 2.
    const { backend, calls } = spy();
    const c = poolCase('max', t([1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(await adaptiveIsOrdinary.check(backend, [c, [2, 3, 1]], DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.spec).toEqual({ kind: 'adaptive_max', outputSize: [3] });
    expect(calls[0]!.x.shape).toEqual([1, 2, 6]);
    expect(calls[0]!.x.layout).toBe('channels_first');
    expect([...calls[0]!.x.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]);
  });

  test('avg, channels_last, rank 2: the channel axis is the last one', async () => {
    // x [1, 4, 2, 3] channels_last (H 4, W 2, C 3): OUT = [3, 2], m = [1, 2]: [1, 3, 4, 3], adaptive_avg to [3, 2].
    const { backend, calls } = spy();
    const data = Array.from({ length: 24 }, (_, i) => (i * 7) % 11 - 5);
    const c = poolCase('avg', t([1, 4, 2, 3], data, 'channels_last'), [2, 2]);
    expect(await adaptiveIsOrdinary.check(backend, [c, [1, 2, 3]], DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls[0]!.spec).toEqual({ kind: 'adaptive_avg', outputSize: [3, 2] });
    expect(calls[0]!.x.shape).toEqual([1, 3, 4, 3]);
    expect(calls[0]!.x.layout).toBe('channels_last');
    expect([...calls[0]!.x.data]).toEqual([...data, ...data.slice(0, 12)]);
  });

  test('a backend whose adaptive pooling is off fails, citing ADAPTIVE.ORDINARY', async () => {
    const c = poolCase('max', t([1, 1, 4], [1, 2, 3, 4]));
    const off = editForward((r) => ({ ...r, y: { ...r.y, data: bump(r.y.data, 0, 1) } }));
    expect(failure(await adaptiveIsOrdinary.check(off, [c, [2, 1, 1]], DEFAULT_POLICY))).toMatch(/^y\[0,0,0\] = 3, expected exactly 2 \(ADAPTIVE\.ORDINARY\)$/);
    // Adaptive max computed as an average: [1, 2] → 1.5, not 2.
    const mean = withStructured({ forward: (spec, x) => S.forward(spec.kind === 'adaptive_max' ? { ...spec, kind: 'adaptive_avg' } : spec, x) });
    expect(failure(await adaptiveIsOrdinary.check(mean, [c, [2, 1, 1]], DEFAULT_POLICY))).toMatch(/\(ADAPTIVE\.ORDINARY\)$/);
  });

  test('drawn cases: max or avg, three factors in 1..3; each passes on naive', async () => {
    for (const [c, m] of fc.sample(adaptiveIsOrdinary.arbitrary, { numRuns: 12, seed: 5 })) {
      expect(['max', 'avg']).toContain(c.spec.kind);
      expect(m).toHaveLength(3);
      for (const f of m) expect(f >= 1 && f <= 3).toBe(true);
      expect(await adaptiveIsOrdinary.check(naive, [c, m], DEFAULT_POLICY)).toEqual(PASSED);
    }
  });
});

describe('inv.spp_length (SPP.SHAPE)', () => {
  test('the second call gets the same batch and channels, each spatial extent + 2, the data repeated', async () => {
    expect(sppLength.id).toBe('inv.spp_length');
    expect(sppLength.clauses).toContain('SPP.SHAPE');
    for (const layout of ['channels_first', 'channels_last'] as const) {
      const { backend, calls } = spy();
      const x = t(layout === 'channels_first' ? [2, 3, 2] : [2, 2, 3], Array.from({ length: 12 }, (_, i) => i - 4), layout);
      const c: StructuredCase = { spec: { kind: 'spp', mode: 'avg', levels: [[1], [2]] }, x, dy: t([2, 9], new Array<number>(18).fill(1)), profile: 'finite' };
      expect(await sppLength.check(backend, c, DEFAULT_POLICY)).toEqual(PASSED);
      expect(calls.map((k) => k.x.shape)).toEqual([x.shape, layout === 'channels_first' ? [2, 3, 4] : [2, 4, 3]]);
      expect(calls[1]!.x.layout).toBe(layout);
      expect([...calls[1]!.x.data]).toEqual([...x.data, ...x.data.slice(0, 12)]);
    }
  });

  test('an SPP whose length grows with the input fails, citing SPP.SHAPE', async () => {
    let n = 0;
    const second = editForward((r) => (++n === 2 ? { ...r, y: { ...r.y, shape: [1, 4], data: Float32Array.from([...r.y.data, 0]) } } : r));
    expect(failure(await sppLength.check(second, CASES.spp, DEFAULT_POLICY))).toMatch(/\[1,4\] ≠ expected \[1,3\] \(.*SPP\.SHAPE.*\)$/);
  });

  test('drawn cases: spp, finite data; each passes on naive', async () => {
    for (const c of fc.sample(sppLength.arbitrary, { numRuns: 10, seed: 5 })) {
      expect(c.spec.kind).toBe('spp');
      expect(c.profile).toBe('finite');
      expect(await sppLength.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
    }
  });
});

describe('inv.roi_whole (ROI.WHOLE)', () => {
  test('the backend gets the box [0, 0, 0, W − 1, H − 1] at scale 1 over the first batch element', async () => {
    expect(roiWholeMap.id).toBe('inv.roi_whole');
    expect(roiWholeMap.clauses).toContain('ROI.WHOLE');
    for (const layout of ['channels_first', 'channels_last'] as const) {
      const { backend, calls } = spy();
      // N 2, C 1, H 2, W 3: batch element 0 holds 0..5, element 1 holds 6..11.
      const x = t(layout === 'channels_first' ? [2, 1, 2, 3] : [2, 2, 3, 1], Array.from({ length: 12 }, (_, i) => i), layout);
      const c: StructuredCase = { spec: { kind: 'roi_max', pooledSize: [1, 2], spatialScale: 0.5, boxes: [[1, 0, 0, 1, 1]] }, x, dy: t([1, 1, 1, 2], [1, 1]), profile: 'finite' };
      expect(await roiWholeMap.check(backend, c, DEFAULT_POLICY)).toEqual(PASSED);
      expect(calls[0]!.spec).toEqual({ kind: 'roi_max', pooledSize: [1, 2], spatialScale: 1, boxes: [[0, 0, 0, 2, 1]] });
      expect(calls[0]!.x.shape).toEqual(layout === 'channels_first' ? [1, 1, 2, 3] : [1, 2, 3, 1]);
      expect([...calls[0]!.x.data]).toEqual([0, 1, 2, 3, 4, 5]);
    }
  });

  test('a RoI pooling that differs from adaptive max fails, citing ROI.WHOLE', async () => {
    const c: StructuredCase = { spec: { kind: 'roi_max', pooledSize: [1, 1], spatialScale: 1, boxes: [[0, 0, 0, 1, 1]] }, x: t([1, 1, 2, 2], [1, 2, 3, 4]), dy: t([1, 1, 1, 1], [1]), profile: 'finite' };
    const off = editForward((r) => withY(r, [3]));
    expect(failure(await roiWholeMap.check(off, c, DEFAULT_POLICY))).toBe('y[0,0,0,0] = 3, expected exactly 4 (ROI.WHOLE)');
  });

  test('drawn cases: roi_max; each passes on naive', async () => {
    for (const c of fc.sample(roiWholeMap.arbitrary, { numRuns: 10, seed: 5 })) {
      expect(c.spec.kind).toBe('roi_max');
      expect(await roiWholeMap.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
    }
  });
});

describe('inv.unpool_roundtrip (UNPOOL.ROUNDTRIP)', () => {
  // Max pool k 3, s 2 over [1, 2, 9, 3, 4, 8, 5]: windows [1, 2, 9], [9, 3, 4], [4, 8, 5] → 9, 9, 8 at 2, 2, 5.
  const c = poolCase('max', t([1, 1, 7], [1, 2, 9, 3, 4, 8, 5]), [3], [2]);

  test('the backend unpools the reference pool (its values, indices, kernel, strides, pads) to x\'s extents', async () => {
    expect(unpoolRoundTrip.id).toBe('inv.unpool_roundtrip');
    expect(unpoolRoundTrip.clauses).toEqual(expect.arrayContaining(['UNPOOL.ROUNDTRIP', 'UNPOOL.DUPLICATE']));
    const { backend, calls } = spy();
    expect(await unpoolRoundTrip.check(backend, c, DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls).toHaveLength(1);
    const spec = calls[0]!.spec as Extract<StructuredSpec, { kind: 'max_unpool' }>;
    expect(spec.kind).toBe('max_unpool');
    expect([spec.kernel, spec.strides, spec.pads, spec.outputSize, [...spec.indices]]).toEqual([[3], [2], [0, 0], [7], [2, 2, 5]]);
    expect(calls[0]!.x.shape).toEqual([1, 1, 3]);
    expect(calls[0]!.x.layout).toBe('channels_first');
    expect([...calls[0]!.x.data]).toEqual([9, 9, 8]);
  });

  test('channels_last too', async () => {
    const x = t([1, 4, 2], [1, 5, 2, 6, 7, 3, 4, 8], 'channels_last'); // channel 0: 1, 2, 7, 4; channel 1: 5, 6, 3, 8
    const { backend, calls } = spy();
    expect(await unpoolRoundTrip.check(backend, poolCase('max', x), DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls[0]!.x.shape).toEqual([1, 2, 2]);
    expect(calls[0]!.x.layout).toBe('channels_last');
  });

  test('an unpool that adds duplicates (UNPOOL.DUPLICATE: the last one wins) fails the round trip', async () => {
    // Index 2 is named twice: adding gives 18 there, and the re-pool 18, 18, 8.
    const adds = withStructured({
      forward: async (spec, x) => {
        if (spec.kind !== 'max_unpool') return S.forward(spec, x);
        const y = new Float32Array(7);
        spec.indices.forEach((q, i) => { y[q] = y[q]! + x.data[i]!; });
        return { y: { shape: [1, 1, 7], data: y, layout: 'channels_first' } };
      },
    });
    expect(failure(await unpoolRoundTrip.check(adds, c, DEFAULT_POLICY))).toBe('y[0,0,0] = 18, expected exactly 9 (UNPOOL.ROUNDTRIP)');
    const wrongShape = editForward((r) => ({ ...r, y: { ...r.y, shape: [1, 1, 8], data: Float32Array.from([...r.y.data, 0]) } }));
    expect(failure(await unpoolRoundTrip.check(wrongShape, c, DEFAULT_POLICY))).toMatch(/\[1,1,8\] ≠ expected \[1,1,7\]/);
  });

  test('drawn cases: max pools without padding or dilation, kernel ≥ stride, x > 0; each passes on naive', async () => {
    for (const d of fc.sample(unpoolRoundTrip.arbitrary, { numRuns: 15, seed: 5 })) {
      expect(d.spec.kind).toBe('max');
      expect(d.spec.ceilMode).toBe(false);
      for (const v of d.spec.dilations) expect(v).toBe(1);
      for (const v of d.spec.pads) expect(v).toBe(0);
      d.spec.kernel.forEach((k, i) => expect(k).toBeGreaterThanOrEqual(d.spec.strides[i]!));
      for (const v of d.x.data) expect(v).toBeGreaterThan(0);
      expect(await unpoolRoundTrip.check(naive, d, DEFAULT_POLICY)).toEqual(PASSED);
    }
  });
});

describe('grad.fd.structured (PROP.FD, GRAD.FD)', () => {
  const prop = structuredFiniteDifferences;
  const fd = (c: StructuredCase): [StructuredKind, StructuredCase] => [c.spec.kind, c];
  // ADAPTIVE.WINDOW 12 → 3: [0, 4), [4, 8), [8, 12); no ties: maxima 5 at 1, 6 at 4, 7 at 10. dy [1, 2, 3]:
  // dx = [0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0]. Every ⌊12/6⌋ = 2nd element is sampled: 0, 2, 4, 6, 8, 10.
  const max12: StructuredCase = {
    spec: { kind: 'adaptive_max', outputSize: [3] }, x: t([1, 1, 12], [1, 5, 2, 3, 6, 1.5, 4, 2.5, 0.5, 3.5, 7, 1.25]),
    dy: t([1, 1, 3], [1, 2, 3]), profile: 'smooth',
  };
  const moved = (c: StructuredCase, at: number, by: number): PoolingBackend =>
    withStructured({ backward: async (spec, x, dy) => { const dx = await S.backward(spec, x, dy); return { ...dx, data: bump(dx.data, at, by) }; } });

  test('id, clauses; passes on naive for every kind (SPP sums its levels; RoI and unpool route to one element)', async () => {
    expect(prop.id).toBe('grad.fd.structured');
    expect(prop.clauses).toEqual(expect.arrayContaining(['GRAD.FD', 'GRAD.STRUCTURED']));
    expect(await prop.check(naive, fd(max12), DEFAULT_POLICY)).toEqual(PASSED);
    // PROP.FD needs x_i ≠ 0: the RoI case's map is 1..16 here.
    const roi = { ...CASES.roi_max, x: t([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i + 1)) };
    for (const c of [...STRUCTURED_KINDS.filter((k) => k !== 'roi_max').map((k) => CASES[k]), roi]) expect(await prop.check(naive, fd(c), DEFAULT_POLICY)).toEqual(PASSED);
    const spp: StructuredCase = { spec: { kind: 'spp', mode: 'avg', levels: [[1], [3]] }, x: t([1, 1, 7], [1, -2, 3, 0.5, 4, -1, 2]), dy: t([1, 4], [1, 2, -1, 3]), profile: 'smooth' };
    expect(await prop.check(naive, fd(spp), DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('a wrong dx at a sampled maximum fails with the element, the central difference and its tolerance', async () => {
    expect(failure(await prop.check(moved(max12, 4, 1), fd(max12), DEFAULT_POLICY))).toMatch(/^dx\[0,0,4\] = 3, central difference gives 2 ± [0-9.e-]+ \(GRAD\.FD\)$/);
    expect(failure(await prop.check(moved(max12, 10, -1), fd(max12), DEFAULT_POLICY))).toMatch(/^dx\[0,0,10\] = 2, central difference gives 3 ± [0-9.e-]+ \(GRAD\.FD\)$/);
    // A sampled element that is no maximum has derivative 0: a dx of 2^-20 there fails.
    expect(failure(await prop.check(moved(max12, 2, 2 ** -20), fd(max12), DEFAULT_POLICY))).toMatch(/^dx\[0,0,2\] = 9\.5367431640625e-7, central difference gives 0 ± [0-9.e-]+ \(GRAD\.FD\)$/);
  });

  test('an average\'s dx is held to its ACC.GRAD half-width', async () => {
    // 3 → 1: dx = dy/3 each; dy = 1: 1/3 is not a float32, so the half-width is needed, and a quarter off fails.
    const avg: StructuredCase = { spec: { kind: 'adaptive_avg', outputSize: [1] }, x: t([1, 1, 3], [1, 2, 4]), dy: t([1, 1, 1], [1]), profile: 'smooth' };
    expect(await prop.check(naive, fd(avg), DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await prop.check(moved(avg, 1, 0.25), fd(avg), DEFAULT_POLICY))).toMatch(/^dx\[0,0,1\] = 0\.58333\d*, central difference gives 0\.3333\d* ± \d/);
    // Equal values in an average are no kink: the element is still checked.
    const flat: StructuredCase = { ...avg, x: t([1, 1, 3], [2, 2, 2]) };
    expect(failure(await prop.check(moved(flat, 0, 0.25), fd(flat), DEFAULT_POLICY))).toMatch(/^dx\[0,0,0\] = /);
  });

  test('PROP.FD skips an element tied for the maximum of a window, and checks the others of that window', async () => {
    // [5, 5, 1] → 1 window: x0 and x1 tie for the maximum (no derivative); x2 = 1 has derivative 0.
    const tie: StructuredCase = { spec: { kind: 'adaptive_max', outputSize: [1] }, x: t([1, 1, 3], [5, 5, 1]), dy: t([1, 1, 1], [2]), profile: 'smooth' };
    expect(await prop.check(naive, fd(tie), DEFAULT_POLICY)).toEqual(PASSED);
    expect(await prop.check(moved(tie, 1, 1), fd(tie), DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await prop.check(moved(tie, 2, 1), fd(tie), DEFAULT_POLICY))).toMatch(/^dx\[0,0,2\] = 1, central difference gives 0 ± [0-9.e-]+ \(GRAD\.FD\)$/);
    // [1, 1, 5]: x0 and x1 tie, but not for the maximum: both are checked.
    const low: StructuredCase = { ...tie, x: t([1, 1, 3], [1, 1, 5]) };
    expect(failure(await prop.check(moved(low, 0, 1), fd(low), DEFAULT_POLICY))).toMatch(/^dx\[0,0,0\] = 1, central difference gives 0 ± [0-9.e-]+ \(GRAD\.FD\)$/);
  });

  test('drawn cases: every kind, smooth data (finite, non-zero); each passes on naive', async () => {
    const kinds = new Set<string>();
    for (const [k, c] of fc.sample(prop.arbitrary, { numRuns: 15, seed: 5 })) {
      kinds.add(k);
      expect(c.spec.kind).toBe(k);
      expect(c.profile).toBe('smooth');
      for (const v of c.x.data) expect(Number.isFinite(v) && v !== 0).toBe(true);
      expect(await prop.check(naive, [k, c], DEFAULT_POLICY)).toEqual(PASSED);
    }
    expect(kinds.size).toBeGreaterThan(1);
  });
});

test('STRUCTURED_PROPERTIES: one forward and one backward property per kind, then the five invariants', () => {
  expect(STRUCTURED_PROPERTIES.map((p) => p.id)).toEqual([
    ...STRUCTURED_KINDS.map((k) => `diff.forward.${k}`), ...STRUCTURED_KINDS.map((k) => `diff.backward.${k}`),
    'inv.adaptive_ordinary', 'inv.spp_length', 'inv.roi_whole', 'inv.unpool_roundtrip', 'grad.fd.structured',
  ]);
});

describe('after the first Stryker run (reports/mutation/round-4b.md)', () => {
  afterEach(() => { vi.useRealTimers(); });
  const HUNG = Symbol('hung');
  /** The verdict if it settles within the pending microtasks (setImmediate stays real), HUNG otherwise. */
  const settled = <T>(p: Promise<T>): Promise<T | typeof HUNG> => Promise.race([p, new Promise<typeof HUNG>((resolve) => { setImmediate(() => resolve(HUNG)); })]);

  test('a call that never settles ends in a verdict naming the structured call (the 30 s bound)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hangs = withStructured({ forward: () => new Promise(() => undefined), backward: () => new Promise(() => undefined) });
    const f = structuredForward('adaptive_avg').check(hangs, CASES.adaptive_avg, DEFAULT_POLICY);
    const b = structuredBackward('adaptive_avg').check(hangs, CASES.adaptive_avg, DEFAULT_POLICY);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(await settled(f)).toEqual({ status: 'fail', message: 'structured.forward() did not settle within 30 s' });
    expect(await settled(b)).toEqual({ status: 'fail', message: 'structured.backward() did not settle within 30 s' });
  });

  test('GRAD.SHAPE: a dx without a layout label is channels_first (TENSOR.LAYOUT\'s default), right for such an x', async () => {
    const unlabelled = editBackward((dx) => ({ shape: dx.shape, data: dx.data }));
    expect(await structuredBackward('adaptive_avg').check(unlabelled, CASES.adaptive_avg, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('inv.roi_whole: an x without a layout is channels_first ([N, C, H, W]: the box is [0, 0, 0, W − 1, H − 1])', async () => {
    const { backend, calls } = spy();
    const x = t([2, 1, 2, 3], Array.from({ length: 12 }, (_, i) => i));
    const c: StructuredCase = { spec: { kind: 'roi_max', pooledSize: [1, 2], spatialScale: 1, boxes: [[0, 0, 0, 1, 1]] }, x, dy: t([1, 1, 1, 2], [1, 1]), profile: 'finite' };
    expect(await roiWholeMap.check(backend, c, DEFAULT_POLICY)).toEqual(PASSED);
    expect(calls[0]!.spec).toEqual({ kind: 'roi_max', pooledSize: [1, 2], spatialScale: 1, boxes: [[0, 0, 0, 2, 1]] });
  });

  test('inv.roi_whole compares values: under POLICY.INDICES unchecked a backend returning no indices passes it', async () => {
    const c: StructuredCase = { spec: { kind: 'roi_max', pooledSize: [1, 1], spatialScale: 1, boxes: [[0, 0, 0, 1, 1]] }, x: t([1, 1, 2, 2], [1, 2, 3, 4]), dy: t([1, 1, 1, 1], [1]), profile: 'finite' };
    const noIndices = editForward((r) => ({ y: r.y }));
    const unchecked = resolvePolicy({ indices: 'unchecked' });
    expect(await roiWholeMap.check(noIndices, c, unchecked)).toEqual(PASSED);
    expect(await structuredForward('roi_max').check(noIndices, c, unchecked)).toEqual(PASSED);
  });

  test('inv.unpool_roundtrip draws pools whose kernel equals the stride too (the usual, non-overlapping use)', () => {
    const drawn = fc.sample(unpoolRoundTrip.arbitrary, { numRuns: 30, seed: 5 });
    expect(drawn.some((d) => d.spec.kernel.some((k, i) => k === d.spec.strides[i]))).toBe(true);
  });
});
