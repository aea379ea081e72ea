/**
 * spec/properties/reducer.ts (the properties of a declared reducer, SPEC.md §11) one case at a time, for mutation
 * testing: the backend calls' contract checks (reducerHalf, forward and backward), reducer.NAME.forward,
 * .gradient and .layout on hand-worked median windows (MEDIAN.DEF, MEDIAN.SELECT, MEDIAN.GRAD: exact to the bit)
 * on the naive backend (they must pass) and on backends wrong in exactly one way each (they must fail, citing the
 * clause). No fast-check runs.
 */
import { describe, expect, test } from 'vitest';
import type { ForwardResult, Layout, PoolingBackend, ReducerPoolSpec, ReducerPoolingBackend, ReducingBackend, Tensor } from '../../spec/contract.js';
import type { ReducerCase } from '../../spec/arbitraries/reducer.js';
import type { ReducerDeclaration } from '../../spec/reducer.js';
import { GEM, MEDIAN } from '../../spec/reducers/index.js';
import { DEFAULT_POLICY } from '../../spec/policy.js';
import { reducerHalf, reducerProperties } from '../../spec/properties/reducer.js';
import { VerdictSignal, fail, type Property, type Verdict } from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const R = naive.reducers;
const t = (shape: number[], data: number[], layout?: Layout): Tensor => ({ shape, data: Float32Array.from(data), ...(layout ? { layout } : {}) });

function withReducers(over: Partial<ReducerPoolingBackend>, name = 'broken'): ReducingBackend {
  return { ...naive, name, reducers: { ...R, ...over } };
}
const editForward = (edit: (r: ForwardResult, x: Tensor) => unknown): PoolingBackend =>
  withReducers({ forward: async (spec, x) => edit(await R.forward(spec, x), x) as ForwardResult });
const editBackward = (edit: (dx: Tensor) => unknown): PoolingBackend =>
  withReducers({ backward: async (spec, x, dy) => edit(await R.backward(spec, x, dy)) as Tensor });
const bump = (data: ArrayLike<number>, at: number, by: number): Float32Array => { const d = Float32Array.from(data); d[at] = d[at]! + by; return d; };

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}
const PASSED = { status: 'pass' };

const propertyOf = (decl: ReducerDeclaration, name: string): Property<ReducerCase> => {
  const p = reducerProperties(decl).find((q) => q.id === `reducer.${decl.name}.${name}`);
  expect(p, name).toBeDefined();
  return p!;
};
const spec = (kernel = 3): ReducerPoolSpec => ({ kind: 'median', kernel: [kernel], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false });
// MEDIAN.DEF, kernel 3 stride 1 over [3, 1, 2, 5, 4]: [3, 1, 2] → 2 (at 2), [1, 2, 5] → 2 (at 2), [2, 5, 4] → 4 (at 4).
// MEDIAN.GRAD with dy [1, 2, 3]: dx = [0, 0, 1 + 2, 0, 3].
const median: ReducerCase = { spec: spec(), x: t([1, 1, 5], [3, 1, 2, 5, 4]), dy: t([1, 1, 3], [1, 2, 3]), profile: 'smooth' };

describe('reducerProperties: which properties a declaration gets', () => {
  test('median: every trait it declares, no parameter to refuse', () => {
    expect(reducerProperties(MEDIAN).map((p) => p.id)).toEqual(
      ['forward', 'gradient', 'layout', 'permute', 'translate', 'reflect', 'monotone', 'homogeneous', 'shift', 'bounded', 'pure'].map((s) => `reducer.median.${s}`),
    );
    // REDUCER.FD applies only where the declaration says it is differentiable.
    const flat: ReducerDeclaration = { ...MEDIAN, traits: { ...MEDIAN.traits, differentiable: undefined } };
    expect(reducerProperties(flat).map((p) => p.id)).not.toContain('reducer.median.gradient');
  });

  test('forward: id, title, clauses (REDUCER.DIFF and the declaration\'s own)', () => {
    const p = propertyOf(MEDIAN, 'forward');
    expect(p.title).toBe('median forward matches its reference within its error model');
    expect(p.clauses).toEqual(expect.arrayContaining(['PROP.DIFF', 'REDUCER.DIFF', 'REDUCER.ACCURACY', 'TENSOR.LAYOUT', 'MEDIAN.DEF', 'MEDIAN.SELECT', 'MEDIAN.ACC']));
  });

  test('gradient: REDUCER.FD with the gradient clauses, or the declaration\'s own where it names none', () => {
    const p = propertyOf(MEDIAN, 'gradient');
    expect(p.title).toBe('median backward matches finite differences of its reference');
    expect(p.clauses).toEqual(expect.arrayContaining(['REDUCER.FD', 'GRAD.FD', 'GRAD.SHAPE', 'MEDIAN.GRAD']));
    expect(p.clauses).not.toContain('MEDIAN.DEF');
    const own = propertyOf({ ...MEDIAN, gradientClauses: undefined }, 'gradient');
    expect(own.clauses).toEqual(expect.arrayContaining(['REDUCER.FD', 'MEDIAN.DEF']));
    expect(propertyOf({ ...MEDIAN, clauses: undefined, gradientClauses: undefined }, 'forward').clauses).toContain('REDUCER.DIFF');
  });

  test('layout: INV.LAYOUT', () => {
    const p = propertyOf(MEDIAN, 'layout');
    expect(p.title).toBe('median: channels_first and channels_last agree');
    expect(p.clauses).toEqual(['INV.LAYOUT']);
  });
});

describe('reducerHalf: the reducer member, its kinds and supports() (CONTRACT.SUPPORTS)', () => {
  const bare: PoolingBackend = { ...naive, name: 'bare', reducers: undefined } as PoolingBackend;

  test('a backend without reducers, or without this kind, is unsupported (every property, before its precondition)', async () => {
    expect(await propertyOf(MEDIAN, 'forward').check(bare, median, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: 'bare implements no reducers (PoolingBackend.reducers, SPEC.md §11)' });
    const gemOnly = withReducers({ kinds: ['gem'] }, 'gem-only');
    for (const p of reducerProperties(MEDIAN)) {
      expect(await p.check(gemOnly, median, DEFAULT_POLICY), p.id).toEqual({ status: 'unsupported', reason: 'gem-only does not implement reducer median (PoolingBackend.reducers.kinds)' });
    }
    expect(() => reducerHalf(bare, median.spec, median.x)).toThrow(VerdictSignal);
    expect(reducerHalf(naive, median.spec, median.x)).toBe(R);
  });

  test('supports(): a decline is unsupported with its reason; a throw or a malformed answer fails', async () => {
    const forward = propertyOf(MEDIAN, 'forward');
    expect(await forward.check(withReducers({ supports: () => ({ ok: false, reason: 'not today' }) }), median, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: 'not today' });
    expect(failure(await forward.check(withReducers({ supports: () => { throw new RangeError('nope'); } }), median, DEFAULT_POLICY))).toBe('reducers.supports() threw RangeError: nope (CONTRACT.SUPPORTS)');
    for (const [answer, text] of [[undefined, 'undefined'], [{ ok: 'yes' }, '{"ok":"yes"}'], [{}, '{}']] as const) {
      const odd = withReducers({ supports: () => answer as never });
      expect(failure(await forward.check(odd, median, DEFAULT_POLICY))).toBe(`reducers.supports() returned ${text} (CONTRACT.SUPPORTS)`);
    }
  });
});

describe('reducer.NAME.forward (REDUCER.DIFF)', () => {
  const forward = (): Property<ReducerCase> => propertyOf(MEDIAN, 'forward');

  test('passes on naive; a wrong value fails naming the element and the accuracy clauses', async () => {
    expect(await forward().check(naive, median, DEFAULT_POLICY)).toEqual(PASSED);
    const wrong = editForward((r) => ({ ...r, y: { ...r.y, data: bump(r.y.data, 1, 1) } }));
    expect(failure(await forward().check(wrong, median, DEFAULT_POLICY))).toBe('y[0,0,1] = 3, expected exactly 2 (REDUCER.ACCURACY, MEDIAN.DEF, MEDIAN.SELECT, MEDIAN.ACC)');
    const none = propertyOf({ ...MEDIAN, clauses: undefined }, 'forward');
    expect(failure(await none.check(wrong, median, DEFAULT_POLICY))).toBe('y[0,0,1] = 3, expected exactly 2 (REDUCER.ACCURACY)');
  });

  test('a result of the wrong shape, dtype or layout fails (SHAPE.OUT, SHAPE.CEIL, TENSOR.LAYOUT); a shape that is not an array too', async () => {
    const msg = (got: string, layout: string): string => `reducers.forward() output [${got}] ${layout} ≠ expected [1,1,3] channels_first (SHAPE.OUT, SHAPE.CEIL, TENSOR.LAYOUT)`;
    expect(failure(await forward().check(editForward((r) => ({ y: { ...r.y, shape: [1, 3, 1] } })), median, DEFAULT_POLICY))).toBe(msg('1,3,1', 'channels_first'));
    expect(failure(await forward().check(editForward((r) => ({ y: { ...r.y, data: Array.from(r.y.data) } })), median, DEFAULT_POLICY))).toBe(msg('1,1,3', 'channels_first'));
    expect(failure(await forward().check(editForward((r) => ({ y: { ...r.y, layout: 'channels_last' } })), median, DEFAULT_POLICY))).toBe(msg('1,1,3', 'channels_last'));
    expect(failure(await forward().check(editForward(() => ({ y: undefined })), median, DEFAULT_POLICY))).toBe(msg('undefined', ''));
    expect(failure(await forward().check(editForward((r) => ({ y: { ...r.y, shape: '1,1,3' } })), median, DEFAULT_POLICY))).toBe(msg('1,1,3', 'channels_first'));
    // An absent layout label is channels_first.
    expect(await forward().check(editForward((r) => ({ y: { shape: r.y.shape, data: r.y.data } })), median, DEFAULT_POLICY)).toEqual(PASSED);
    const last: ReducerCase = { ...median, x: t([1, 5, 1], [3, 1, 2, 5, 4], 'channels_last'), dy: t([1, 3, 1], [1, 2, 3], 'channels_last') };
    expect(await forward().check(naive, last, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await forward().check(editForward((r) => ({ y: { shape: r.y.shape, data: r.y.data } })), last, DEFAULT_POLICY)))
      .toBe('reducers.forward() output [1,3,1]  ≠ expected [1,3,1] channels_last (SHAPE.OUT, SHAPE.CEIL, TENSOR.LAYOUT)');
  });

  test('a throwing forward fails under CONTRACT.SUPPORTS; a verdict the call itself ends in is kept', async () => {
    expect(failure(await forward().check(withReducers({ forward: () => Promise.reject(new TypeError('boom')) }), median, DEFAULT_POLICY)))
      .toBe('reducers.forward() threw TypeError: boom on a supported case (CONTRACT.SUPPORTS)');
    expect(failure(await forward().check(withReducers({ forward: () => { throw new VerdictSignal(fail('its own verdict')); } }), median, DEFAULT_POLICY))).toBe('its own verdict');
  });
});

describe('reducer.NAME.gradient (REDUCER.FD)', () => {
  const gradient = (): Property<ReducerCase> => propertyOf(MEDIAN, 'gradient');

  test('passes on naive; a wrong element fails citing REDUCER.FD and the gradient clauses', async () => {
    expect(await gradient().check(naive, median, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await gradient().check(editBackward((dx) => ({ ...dx, data: bump(dx.data, 2, 1) })), median, DEFAULT_POLICY))).toMatch(/^dx\[0,0,2\] = 4, expected .* \(REDUCER\.FD, MEDIAN\.GRAD\)$/);
    expect(failure(await gradient().check(editBackward((dx) => ({ ...dx, data: bump(dx.data, 0, 1) })), median, DEFAULT_POLICY))).toMatch(/^dx\[0,0,0\] = 1, /);
    const own = propertyOf({ ...MEDIAN, gradientClauses: undefined }, 'gradient');
    expect(failure(await own.check(editBackward((dx) => ({ ...dx, data: bump(dx.data, 2, 1) })), median, DEFAULT_POLICY))).toMatch(/\(REDUCER\.FD, MEDIAN\.DEF, MEDIAN\.SELECT, MEDIAN\.ACC\)$/);
  });

  test('dx of the wrong shape, dtype or layout fails under GRAD.SHAPE; a throw under CONTRACT.SUPPORTS', async () => {
    const shape = (got: string): string => `reducers.backward() dx shape [${got}] ≠ [1,1,5] (GRAD.SHAPE)`;
    expect(failure(await gradient().check(editBackward((dx) => ({ ...dx, shape: [1, 5, 1] })), median, DEFAULT_POLICY))).toBe(shape('1,5,1'));
    expect(failure(await gradient().check(editBackward((dx) => ({ ...dx, data: Float64Array.from(dx.data) })), median, DEFAULT_POLICY))).toBe(shape('1,1,5'));
    expect(failure(await gradient().check(editBackward(() => undefined), median, DEFAULT_POLICY))).toBe(shape('undefined'));
    expect(failure(await gradient().check(editBackward((dx) => ({ ...dx, shape: '1,1,5' })), median, DEFAULT_POLICY))).toBe(shape('1,1,5'));
    expect(failure(await gradient().check(editBackward((dx) => ({ ...dx, layout: 'channels_last' })), median, DEFAULT_POLICY))).toBe('reducers.backward() dx layout channels_last ≠ input layout channels_first (GRAD.SHAPE)');
    expect(await gradient().check(editBackward((dx) => ({ shape: dx.shape, data: dx.data })), median, DEFAULT_POLICY)).toEqual(PASSED);
    const last: ReducerCase = { ...median, x: t([1, 5, 1], [3, 1, 2, 5, 4], 'channels_last'), dy: t([1, 3, 1], [1, 2, 3], 'channels_last') };
    expect(await gradient().check(naive, last, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await gradient().check(editBackward((dx) => ({ shape: dx.shape, data: dx.data })), last, DEFAULT_POLICY))).toBe('reducers.backward() dx layout channels_first (absent) ≠ input layout channels_last (GRAD.SHAPE)');
    expect(failure(await gradient().check(withReducers({ backward: () => Promise.reject(new Error('nope')) }), median, DEFAULT_POLICY))).toBe('reducers.backward() threw Error: nope on a supported case (CONTRACT.SUPPORTS)');
    expect(failure(await gradient().check(withReducers({ backward: () => { throw new VerdictSignal(fail('its own verdict')); } }), median, DEFAULT_POLICY))).toBe('its own verdict');
  });
});

describe('reducer.NAME.layout (INV.LAYOUT)', () => {
  const layout = (): Property<ReducerCase> => propertyOf(MEDIAN, 'layout');
  // N 2, C 2, W 5, channels_first: planes [3, 1, 2, 5, 4], [9, 7, 8, 6, 5], [1, 1, 4, 0, 2], [−1, −3, −2, 6, 7].
  const planes = [[3, 1, 2, 5, 4], [9, 7, 8, 6, 5], [1, 1, 4, 0, 2], [-1, -3, -2, 6, 7]];
  const cf: ReducerCase = { spec: spec(), x: t([2, 2, 5], planes.flat()), dy: t([2, 2, 3], new Array<number>(12).fill(1)), profile: 'hard' };
  // The same data channels_last: [N, W, C], element (n, w, c) = plane (n, c) at w.
  const clData = [0, 1].flatMap((n) => [0, 1, 2, 3, 4].flatMap((w) => [0, 1].map((c) => planes[2 * n + c]![w]!)));
  const cl: ReducerCase = { spec: spec(), x: t([2, 5, 2], clData, 'channels_last'), dy: t([2, 3, 2], new Array<number>(12).fill(1), 'channels_last'), profile: 'hard' };

  test('passes on naive from either layout', async () => {
    expect(await layout().check(naive, cf, DEFAULT_POLICY)).toEqual(PASSED);
    expect(await layout().check(naive, cl, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('a backend that reads channels_last as channels_first fails, naming the element and both values', async () => {
    // It pools the channels_last data as if it were [N, C, W] (labelled channels_last): the second output of
    // plane (0, 0) comes from the interleaved data.
    const mixed = withReducers({
      forward: async (s, x) => {
        if ((x.layout ?? 'channels_first') !== 'channels_last') return R.forward(s, x);
        const [n, w, c] = x.shape as [number, number, number];
        const r = await R.forward(s, { shape: [n, c, w], data: x.data, layout: 'channels_first' });
        return { y: { shape: [n, r.y.shape[2]!, c], data: r.y.data, layout: 'channels_last' } };
      },
    });
    // From cf: y1 (channels_first) is plane (0, 0) = [2, 2, 4]; y2 is read from the channels_last data
    // [3, 9, 1, 7, 2 | 8, 5, 6, 4, 5] taken as [N, C, W] rows, mapped back to (n, c, q).
    expect(failure(await layout().check(mixed, cf, DEFAULT_POLICY))).toMatch(/^y\[0,0,\d\]: -?\d+ vs -?\d+ \(INV\.LAYOUT\)$/);
    expect(failure(await layout().check(mixed, cl, DEFAULT_POLICY))).toMatch(/\(INV\.LAYOUT\)$/);
  });

  test('one wrong output in the other layout is found at its position; −0 is shown as −0', async () => {
    const off = (at: number, value: number) => editForward((r, x) => ((x.layout ?? 'channels_first') === 'channels_last' ? { y: { ...r.y, data: (() => { const d = Float32Array.from(r.y.data); d[at] = value; return d; })() } } : r));
    // channels_last y [N, 3, C]: flat 3 is (n 0, w 1, c 1): plane (0, 1) = [9, 7, 8, 6, 5] → medians [8, 7, 6], its second 7.
    expect(failure(await layout().check(off(3, -0), cf, DEFAULT_POLICY))).toBe('y[0,1,1]: 7 vs -0 (INV.LAYOUT)');
    expect(failure(await layout().check(off(3, 2.5), cf, DEFAULT_POLICY))).toBe('y[0,1,1]: 7 vs 2.5 (INV.LAYOUT)');
  });

  test('NaN against NaN and ±∞ against the same ±∞ are equal; an exact set allows nothing else', async () => {
    // MEDIAN.SELECT: a NaN in the window is selected; ±∞ are taps like any other.
    const special: ReducerCase = { ...cf, x: t([2, 2, 5], [NaN, 1, 2, 5, 4, Infinity, Infinity, Infinity, 6, 5, -Infinity, -Infinity, 4, 0, 2, -1, -3, -2, 6, 7]) };
    expect(await layout().check(naive, special, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('interval sets: a difference within the two widths passes, one beyond them fails (gem, p = 1)', async () => {
    // GEM.DEF with p = 1 is the mean: [1, 2, 4] → 7/3, not a float32, so both sets have a width.
    const gemSpec: ReducerPoolSpec = { kind: 'gem', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { p: 1 } };
    const g: ReducerCase = { spec: gemSpec, x: t([1, 1, 3], [1, 2, 4]), dy: t([1, 1, 1], [1]), profile: 'smooth' };
    const gemLayout = propertyOf(GEM, 'layout');
    expect(await gemLayout.check(naive, g, DEFAULT_POLICY)).toEqual(PASSED);
    const step = (ulps: number) => editForward((r, x) => ((x.layout ?? 'channels_first') === 'channels_last'
      ? { y: { ...r.y, data: Float32Array.from(r.y.data, (v) => v + ulps * 2 ** -22) } } : r));
    expect(await gemLayout.check(step(1), g, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await gemLayout.check(step(64), g, DEFAULT_POLICY))).toMatch(/^y\[0,0,0\]: 2\.33333\d* vs 2\.3333\d* \(INV\.LAYOUT\)$/);
  });
});
