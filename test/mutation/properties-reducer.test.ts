/**
 * spec/properties/reducer.ts (the properties of a declared reducer, SPEC.md §11) one case at a time, for mutation
 * testing: the backend calls' contract checks (reducerHalf, forward and backward), reducer.NAME.forward,
 * .gradient and .layout on hand-worked median windows (MEDIAN.DEF, MEDIAN.SELECT, MEDIAN.GRAD: exact to the bit)
 * on the naive backend (they must pass) and on backends wrong in exactly one way each (they must fail, citing the
 * clause). No fast-check runs.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ForwardResult, Layout, PoolingBackend, ReducerPoolSpec, ReducerPoolingBackend, ReducingBackend, Tensor } from '../../spec/contract.js';
import fc from 'fast-check';
import type { ReducerCase } from '../../spec/arbitraries/reducer.js';
import type { ReducerDeclaration } from '../../spec/reducer.js';
import { GEM, MEDIAN } from '../../spec/reducers/index.js';
import { DEFAULT_POLICY } from '../../spec/policy.js';
import { reducerHalf, reducerProperties } from '../../spec/properties/reducer.js';
import { referenceReducerForward } from '../../spec/reference/reducer.js';
import { CALL_TIMEOUT_MS, VerdictSignal, fail, type Property, type Verdict } from '../../spec/properties/property.js';
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

/** Wraps naive's reducer forward: `f` rewrites each output value (from the window's input x). */
const mapOutput = (f: (v: number, x: Tensor, i: number) => number): ReducingBackend =>
  withReducers({ forward: async (s, x) => { const r = await R.forward(s, x); return { y: { ...r.y, data: Float32Array.from(r.y.data, (v, i) => f(v, x, i)) } }; } });
// Plane layout as in the INV.LAYOUT tests: N 2, C 2, W 5, channels_first.
const planes2 = [[3, 1, 2, 5, 4], [9, 7, 8, 6, 5], [1, 1, 4, 0, 2], [-1, -3, -2, 6, 7]];
const four: ReducerCase = { spec: spec(), x: t([2, 2, 5], planes2.flat()), dy: t([2, 2, 3], new Array<number>(12).fill(1)), profile: 'hard' };

describe('reducer.NAME.permute (INV.PERMUTE)', () => {
  const permute = (): Property<ReducerCase> => propertyOf(MEDIAN, 'permute');
  test('passes on naive; a backend wrong in its first output only fails there', async () => {
    expect(permute().clauses).toEqual(['INV.PERMUTE']);
    expect(await permute().check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    const cl: ReducerCase = { ...four, x: t([2, 5, 2], [0, 1].flatMap((n) => [0, 1, 2, 3, 4].flatMap((w) => [0, 1].map((c) => planes2[2 * n + c]![w]!))), 'channels_last') };
    expect(await permute().check(naive, cl, DEFAULT_POLICY)).toEqual(PASSED);
    // Plane (0, 0) = [3, 1, 2, 5, 4]: medians [2, 2, 4]; the first one made 3 (where x's first element is 3).
    const first = mapOutput((v, x, i) => (i === 0 && x.data[0] === 3 ? 3 : v));
    expect(failure(await permute().check(first, four, DEFAULT_POLICY))).toBe('y[0,0,0]: 3 vs 2 (INV.PERMUTE)');
  });
});

describe('reducer.NAME.translate (INV.TRANSLATE)', () => {
  const translate = (): Property<ReducerCase> => propertyOf(MEDIAN, 'translate');
  /** Wrong in the second output of every plane: y[…, 1] + 10 (y1's j = 1 is compared with y2's j = 0). */
  const second = withReducers({
    forward: async (s, x) => {
      const r = await R.forward(s, x);
      const out = r.y.shape[r.y.shape.length - 1]!;
      return { y: { ...r.y, data: Float32Array.from(r.y.data, (v, i) => (i % out === 1 ? v + 10 : v)) } };
    },
  });
  test('passes on naive (ceil mode dropped, both layouts, rank 2); a backend wrong at one window position fails', async () => {
    expect(translate().clauses).toEqual(['INV.TRANSLATE']);
    expect(await translate().check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await translate().check(second, four, DEFAULT_POLICY))).toBe('y[0,0,0]: 2 vs 12 (INV.TRANSLATE)');
    // Kernel 2, stride 2 over 7 in ceil mode: the property compares the floor-mode pools of 7 and 5 columns.
    const ceil: ReducerCase = { ...four, spec: { ...spec(2), strides: [2], ceilMode: true }, x: t([1, 1, 7], [5, 1, 4, 2, 8, 3, 6]) };
    expect(await translate().check(naive, ceil, DEFAULT_POLICY)).toEqual(PASSED);
    // Rank 2, channels_last, [1, 2, 4, 2]: kernel [1, 2], stride [1, 1].
    const r2: ReducerCase = {
      ...four, spec: { kind: 'median', kernel: [1, 2], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false },
      x: t([1, 2, 4, 2], [3, -1, 1, 4, 2, 0, 5, 9, 7, 2, 8, 6, 6, 3, 5, 1], 'channels_last'),
    };
    expect(await translate().check(naive, r2, DEFAULT_POLICY)).toEqual(PASSED);
    // Wrong at output column 1 of every row and channel, channels_last ([N, OH, OW, C] with C = 2, OW = 3).
    const column1 = withReducers({
      forward: async (s, x) => {
        const r = await R.forward(s, x);
        const [, , ow, ch] = r.y.shape as [number, number, number, number];
        return { y: { ...r.y, data: Float32Array.from(r.y.data, (v, i) => (Math.floor(i / ch) % ow === 1 ? v + 10 : v)) } };
      },
    });
    expect(await translate().check(column1, { ...r2, x: { ...r2.x, data: r2.x.data.map(() => 1) } }, DEFAULT_POLICY)).toMatchObject({ status: 'fail' });
    expect(failure(await translate().check(column1, r2, DEFAULT_POLICY))).toMatch(/^y\[0,0,0,0\]: .* \(INV\.TRANSLATE\)$/);
    // The same data channels_first: [1, 2, 2, 4] (C 2, H 2, W 4); the wrong second column is caught there too.
    const r2first: ReducerCase = { ...r2, x: t([1, 2, 2, 4], [...r2.x.data], 'channels_first') };
    expect(await translate().check(naive, r2first, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await translate().check(second, r2first, DEFAULT_POLICY))).toMatch(/^y\[0,0,0,0\]: .* \(INV\.TRANSLATE\)$/);
  });
  test('only where a window is left after the drop: kernel 3 over 4 columns still compares one window', async () => {
    const c4: ReducerCase = { ...four, x: t([1, 1, 4], [3, 1, 2, 5]) };
    // x2 = [1, 2, 5]: its one window is compared with y1's second; made 3 instead of 2 it fails.
    const wrongDropped = mapOutput((v, x, i) => (i === 0 && x.shape[2] === 3 ? v + 1 : v));
    expect(failure(await translate().check(wrongDropped, c4, DEFAULT_POLICY))).toBe('y[0,0,0]: 3 vs 2 (INV.TRANSLATE)');
  });
});

describe('reducer.NAME.reflect (INV.REFLECT)', () => {
  const reflect = (): Property<ReducerCase> => propertyOf(MEDIAN, 'reflect');
  test('passes on naive where windows tile the axis and where they do not; a backend wrong at one end fails', async () => {
    expect(reflect().clauses).toEqual(['INV.REFLECT', 'REDUCER.TRAITS']);
    expect(await reflect().check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    // Kernel 2, stride 2 over 5: the last column is in no window, so reversing the axis changes the windows.
    const untiled: ReducerCase = { ...four, spec: { ...spec(2), strides: [2] }, x: t([1, 1, 5], [1, 2, 3, 4, 50]) };
    expect(await reflect().check(naive, untiled, DEFAULT_POLICY)).toEqual(PASSED);
    const ceil: ReducerCase = { ...four, spec: { ...spec(2), strides: [2], ceilMode: true }, x: t([1, 1, 4], [1, 2, 3, 40]) };
    expect(await reflect().check(naive, ceil, DEFAULT_POLICY)).toEqual(PASSED);
    const first = mapOutput((v, x, i) => (i === 0 ? v + 1 : v));
    expect(failure(await reflect().check(first, four, DEFAULT_POLICY))).toBe('y[0,0,0]: 3 vs 2 (INV.REFLECT)');
    const r2: ReducerCase = {
      ...four, spec: { kind: 'median', kernel: [1, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false },
      x: t([1, 2, 2, 4], [3, 1, 2, 5, 9, 7, 8, 6, 1, 1, 4, 0, -1, -3, -2, 6], 'channels_first'),
    };
    expect(await reflect().check(naive, r2, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await reflect().check(first, r2, DEFAULT_POLICY))).toMatch(/^y\[0,0,0,0\]: .* \(INV\.REFLECT\)$/);
  });
});

describe('reducer.NAME.monotone, .homogeneous, .shift, .bounded (REDUCER.TRAITS)', () => {
  test('monotone: passes on naive (and skips non-finite data); a decreasing backend fails', async () => {
    const p = propertyOf(MEDIAN, 'monotone');
    expect(p.clauses).toEqual(['INV.MONOTONE', 'REDUCER.TRAITS']);
    expect(await p.check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    // +∞ raised stays +∞ only as MAX32 (x′ is clamped to MAX32): y would fall from +∞ to MAX32.
    const inf: ReducerCase = { ...four, x: t([1, 1, 3], [Infinity, Infinity, 1]), dy: t([1, 1, 1], [2]) };
    expect(await p.check(naive, inf, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await p.check(mapOutput((v) => -v), four, DEFAULT_POLICY))).toMatch(/^y\[0,0,0\]: -2 vs -3 \(INV\.MONOTONE\)$/);
  });

  test('homogeneous: passes on naive; a backend off by one everywhere fails', async () => {
    const p = propertyOf(MEDIAN, 'homogeneous');
    expect(p.title).toBe('median: y(2^k·x) = 2^(k·1)·y(x)');
    expect(p.clauses).toEqual(['INV.HOMOGENEOUS', 'REDUCER.TRAITS']);
    expect(await p.check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    // 20 elements, 12 outputs: k = +1·(1 + 20 mod 3) = 3, s = 8: y(8x) + 1 = 8y + 1 against 8(y + 1).
    expect(failure(await p.check(mapOutput((v) => v + 1), four, DEFAULT_POLICY))).toBe('y[0,0,0]: 17 vs 3 (INV.HOMOGENEOUS)');
    // 5 elements, 3 outputs: k = −(1 + 2) = −3.
    expect(failure(await p.check(mapOutput((v) => v + 1), median, DEFAULT_POLICY))).toBe('y[0,0,0]: 1.25 vs 3 (INV.HOMOGENEOUS)');
    // Subnormal or overflowing after scaling: the identity is not exact, nothing is compared.
    const tiny: ReducerCase = { ...median, x: t([1, 1, 5], [2 ** -126, 1, 2, 5, 4]) };
    expect(await p.check(mapOutput((v) => v + 1), tiny, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('shift: passes on naive; a backend that scales fails', async () => {
    const p = propertyOf(MEDIAN, 'shift');
    expect(p.clauses).toEqual(['INV.SHIFT', 'REDUCER.TRAITS']);
    expect(await p.check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    // 20 elements: c = 1 + 20 mod 4 = 1. y(x + 1)·2 = 6 against 2·2 + 1 = 5.
    expect(failure(await p.check(mapOutput((v) => 2 * v), four, DEFAULT_POLICY))).toBe('y[0,0,0]: 6 vs 4 (INV.SHIFT)');
    // x + c not exact in float32 (5 elements: c = 2; 2^25 + 2 lies between float32s 4 apart): skipped.
    const big: ReducerCase = { ...median, x: t([1, 1, 5], [2 ** 25, 1, 2, 5, 4]) };
    expect(await p.check(mapOutput((v) => 2 * v), big, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('bounded: passes on naive; an output outside its window\'s range fails naming the range', async () => {
    const p = propertyOf(MEDIAN, 'bounded');
    expect(p.clauses).toEqual(['REDUCER.BOUNDED', 'REDUCER.TRAITS']);
    expect(await p.check(naive, four, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await p.check(mapOutput((v) => v + 100), median, DEFAULT_POLICY))).toBe('y[0,0,0] = 102 outside the window\'s [1, 3] (REDUCER.BOUNDED)');
    expect(failure(await p.check(mapOutput((v, x, i) => (i === 2 ? 1 : v)), median, DEFAULT_POLICY))).toBe('y[0,0,2] = 1 outside the window\'s [2, 5] (REDUCER.BOUNDED)');
    // Plane (1, 1) of `four` is [−1, −3, −2, 6, 7]; its first window [−1, −3, −2], channels_last too.
    expect(failure(await p.check(mapOutput((v, x, i) => (i === 9 ? 0 : v)), four, DEFAULT_POLICY))).toBe('y[1,1,0] = 0 outside the window\'s [-3, -1] (REDUCER.BOUNDED)');
    const cl: ReducerCase = { ...four, x: t([2, 5, 2], [0, 1].flatMap((n) => [0, 1, 2, 3, 4].flatMap((w) => [0, 1].map((c) => planes2[2 * n + c]![w]!))), 'channels_last') };
    expect(await p.check(naive, cl, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await p.check(mapOutput((v, x, i) => (i === 7 ? 0 : v)), cl, DEFAULT_POLICY))).toBe('y[1,0,1] = 0 outside the window\'s [-3, -1] (REDUCER.BOUNDED)');
    // Non-finite data: no bound is checked.
    const inf: ReducerCase = { ...median, x: t([1, 1, 5], [Infinity, 1, 2, 5, 4]) };
    expect(await p.check(mapOutput((v) => v + 100), inf, DEFAULT_POLICY)).toEqual(PASSED);
  });
});

describe('reducer.NAME.pure (CONTRACT.PURE, CONTRACT.DETERMINISTIC)', () => {
  const pure = (): Property<ReducerCase> => propertyOf(MEDIAN, 'pure');
  test('passes on naive; each impurity fails with its clause', async () => {
    expect(pure().clauses).toEqual(['CONTRACT.PURE', 'CONTRACT.DETERMINISTIC']);
    expect(await pure().check(naive, median, DEFAULT_POLICY)).toEqual(PASSED);
    const writesX = withReducers({ forward: async (s, x) => { const r = await R.forward(s, x); x.data[0] = 99; return r; } });
    expect(failure(await pure().check(writesX, median, DEFAULT_POLICY))).toBe('a call modified x or dy (CONTRACT.PURE)');
    const writesDy = withReducers({ backward: async (s, x, dy) => { const r = await R.backward(s, x, dy); dy.data[1] = 99; return r; } });
    expect(failure(await pure().check(writesDy, median, DEFAULT_POLICY))).toBe('a call modified x or dy (CONTRACT.PURE)');
    const writesSpec = withReducers({ forward: async (s, x) => { const r = await R.forward(s, x); s.kernel.push(1); s.kernel.pop(); s.ceilMode = true; return r; } });
    expect(failure(await pure().check(writesSpec, { ...median, spec: spec() }, DEFAULT_POLICY))).toBe('a call modified the spec (CONTRACT.PURE)');
    let n = 0;
    const drifts = mapOutput((v, x, i) => (i === 0 ? v + n++ : v));
    expect(failure(await pure().check(drifts, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    let m = 0;
    const gradDrifts = withReducers({ backward: async (s, x, dy) => { const r = await R.backward(s, x, dy); r.data[4] = r.data[4]! + m++; return r; } });
    expect(failure(await pure().check(gradDrifts, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    // NaN repeats as NaN, and −0 must repeat as −0.
    const nan: ReducerCase = { ...median, x: t([1, 1, 5], [NaN, 1, 2, 5, 4]) };
    expect(await pure().check(naive, nan, DEFAULT_POLICY)).toEqual(PASSED);
    let z = 0;
    const signFlips = mapOutput((v, x, i) => (i === 0 ? (z++ === 0 ? -0 : 0) : v));
    expect(failure(await pure().check(signFlips, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    const shorter = withReducers({ backward: async (s, x, dy) => { const r = await R.backward(s, x, dy); return m++ % 2 ? { ...r, data: r.data.slice(0, 4) } : r; } });
    expect(failure(await pure().check(shorter, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
  });
});

describe('reducer.NAME.refuse (CONTRACT.SUPPORTS, REDUCER.PARAMS)', () => {
  const refuse = (): Property<ReducerCase> => propertyOf(GEM, 'refuse');
  const gemSpec: ReducerPoolSpec = { kind: 'gem', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { p: 2 } };
  // p = [NaN, 0 (GEM.P's open lower end), +∞ (above MAX32)][dy length mod 3].
  const gcase = (dyLength: number): ReducerCase => ({ spec: gemSpec, x: t([1, 1, dyLength + 2], new Array<number>(dyLength + 2).fill(1)), dy: t([1, 1, dyLength], new Array<number>(dyLength).fill(1)), profile: 'smooth' });
  /** Accepts every spec, then answers (or throws from) forward. */
  const lax = (forward: ReducerPoolingBackend['forward']) => withReducers({ supports: () => ({ ok: true }), forward });

  test('only for declarations with parameters; passes on naive (it declines)', async () => {
    expect(reducerProperties(MEDIAN).map((p) => p.id)).not.toContain('reducer.median.refuse');
    expect(refuse().title).toBe('gem: a parameter outside its domain is refused with a ValidationError or declined');
    expect(refuse().clauses).toEqual(['CONTRACT.SUPPORTS', 'REDUCER.PARAMS', 'GEM.P']);
    for (const k of [3, 4, 5]) expect(await refuse().check(naive, gcase(k), DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('a backend that accepts and answers fails, naming the value; a ValidationError (or one by name) passes', async () => {
    const answers = lax((s, x) => R.forward({ ...s, params: { p: 2 } }, x));
    expect(failure(await refuse().check(answers, gcase(3), DEFAULT_POLICY))).toBe('p = NaN is outside GEM.P\'s domain, yet supports() accepted it and forward() answered (CONTRACT.SUPPORTS)');
    expect(failure(await refuse().check(answers, gcase(4), DEFAULT_POLICY))).toBe('p = 0 is outside GEM.P\'s domain, yet supports() accepted it and forward() answered (CONTRACT.SUPPORTS)');
    expect(failure(await refuse().check(answers, gcase(5), DEFAULT_POLICY))).toBe('p = Infinity is outside GEM.P\'s domain, yet supports() accepted it and forward() answered (CONTRACT.SUPPORTS)');
    expect(await refuse().check(lax((s, x) => R.forward(s, x)), gcase(3), DEFAULT_POLICY)).toEqual(PASSED);
    const named = lax(() => { throw Object.assign(new Error('bad p'), { name: 'ValidationError' }); });
    expect(await refuse().check(named, gcase(3), DEFAULT_POLICY)).toEqual(PASSED);
    const other = lax(() => { throw new TypeError('oops'); });
    expect(failure(await refuse().check(other, gcase(3), DEFAULT_POLICY))).toBe('p = NaN: forward threw TypeError: oops, not a ValidationError (CONTRACT.SUPPORTS)');
  });

  test('the bounds: a closed lower end is left by one below it, a closed upper end by one above it', async () => {
    // A declaration with p in [1, 10] (both closed): p = 0 and p = 11; with [1, MAX32) open above: MAX32 itself.
    const closed: ReducerDeclaration = { ...GEM, params: [{ ...GEM.params[0]!, min: 1, max: 10, minOpen: false, maxOpen: false }] };
    const seen: number[] = [];
    const records = withReducers({ supports: (s) => { seen.push(s.params!.p!); return s.params!.p === 2 ? { ok: true } : { ok: false, reason: 'no' }; } });
    for (const k of [3, 4, 5]) await propertyOf(closed, 'refuse').check(records, gcase(k), DEFAULT_POLICY);
    const openTop: ReducerDeclaration = { ...GEM, params: [{ ...GEM.params[0]!, min: 1, max: 10, maxOpen: true }] };
    await propertyOf(openTop, 'refuse').check(records, gcase(5), DEFAULT_POLICY);
    // The first supports() call of each check is the case's own (p = 2), then the refused value.
    expect(seen.filter((v, i) => i % 2 === 1)).toEqual([NaN, 0, 11, 10]);
  });
});

describe('after the first Stryker run of lines 1–213 (reports/mutation/round-4b.md)', () => {
  afterEach(() => { vi.useRealTimers(); });
  const HUNG = Symbol('hung');
  const settled = <T>(p: Promise<T>): Promise<T | typeof HUNG> => Promise.race([p, new Promise<typeof HUNG>((resolve) => { setImmediate(() => resolve(HUNG)); })]);
  /** MEDIAN's reference without its exact special case: the window's set is unconstrained where `loose` says so. */
  const looseMedian = (loose: (values: readonly number[]) => boolean): ReducerDeclaration => ({
    ...MEDIAN, special: () => undefined,
    accuracy: { ...MEDIAN.accuracy, forward: ({ values }) => ({ halfWidth: loose(values) ? Infinity : 0 }) },
  });
  const cl: ReducerCase = { ...four, x: t([2, 5, 2], [0, 1].flatMap((n) => [0, 1, 2, 3, 4].flatMap((w) => [0, 1].map((c) => planes2[2 * n + c]![w]!))), 'channels_last'), dy: t([2, 3, 2], new Array<number>(12).fill(1), 'channels_last') };

  test('a call that never settles ends in a verdict naming the reducer call (the 30 s bound)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hangs = withReducers({ forward: () => new Promise(() => undefined), backward: () => new Promise(() => undefined) });
    const f = propertyOf(MEDIAN, 'forward').check(hangs, median, DEFAULT_POLICY);
    const b = propertyOf(MEDIAN, 'gradient').check(hangs, median, DEFAULT_POLICY);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(await settled(f)).toEqual({ status: 'fail', message: 'reducers.forward() did not settle within 30 s' });
    expect(await settled(b)).toEqual({ status: 'fail', message: 'reducers.backward() did not settle within 30 s' });
  });

  test('INV.*: an unconstrained set (ACC.RANGE: no finite error bound) relates to nothing', async () => {
    const plusOne = editForward((r, x) => ((x.layout ?? 'channels_first') === 'channels_last' ? { y: { ...r.y, data: Float32Array.from(r.y.data, (v) => v + 1) } } : r));
    expect(await propertyOf(looseMedian(() => true), 'layout').check(plusOne, four, DEFAULT_POLICY)).toEqual(PASSED);
    expect(failure(await propertyOf(looseMedian(() => false), 'layout').check(plusOne, four, DEFAULT_POLICY))).toMatch(/\(INV\.LAYOUT\)$/);
  });

  test('INV.MONOTONE: one side unconstrained (before or after raising the taps) is not compared', async () => {
    // [1, 2, 9] raised by |dy| = 3: [4, 5, 12]. Unconstrained where a tap is ≥ 10 (after), or where none is (before).
    const c: ReducerCase = { ...median, x: t([1, 1, 3], [1, 2, 9]), dy: t([1, 1, 1], [3]) };
    expect(await propertyOf(looseMedian((v) => v.some((x) => x >= 10)), 'monotone').check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
    expect(await propertyOf(looseMedian((v) => v.every((x) => x < 10)), 'monotone').check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('INV.LAYOUT: a NaN against a number fails (only NaN against NaN is equal); the mismatch names both', async () => {
    const nanAt = (at: number) => editForward((r, x) => ((x.layout ?? 'channels_first') === 'channels_last' ? { y: { ...r.y, data: bump(r.y.data, at, NaN) } } : r));
    expect(failure(await propertyOf(MEDIAN, 'layout').check(nanAt(3), four, DEFAULT_POLICY))).toBe('y[0,1,1]: 7 vs NaN (INV.LAYOUT)');
    const off = editForward((r, x) => ((x.layout ?? 'channels_first') === 'channels_last' ? { y: { ...r.y, data: (() => { const d = Float32Array.from(r.y.data); d[3] = 2.5; return d; })() } } : r));
    expect(await propertyOf(MEDIAN, 'layout').check(off, four, DEFAULT_POLICY)).toEqual({
      status: 'fail', message: 'y[0,1,1]: 7 vs 2.5 (INV.LAYOUT)',
      mismatch: { tensor: 'y', flat: 4, position: [0, 1, 1], expected: '2.5', got: '7' },
    });
  });

  test('the scaled and shifted copies keep x\'s layout (channels_last)', async () => {
    for (const name of ['monotone', 'homogeneous', 'shift', 'bounded', 'permute', 'layout']) {
      expect(await propertyOf(MEDIAN, name).check(naive, cl, DEFAULT_POLICY), name).toEqual(PASSED);
    }
  });

  test('titles and clause lists in full; the drawn cases of the trait and gradient properties', () => {
    expect(propertyOf(MEDIAN, 'permute').title).toBe('median: reversing batch and channels reverses y');
    expect(propertyOf(MEDIAN, 'forward').clauses).toEqual(['PROP.DIFF', 'REDUCER.DIFF', 'REDUCER.ACCURACY', 'WINDOW.TAPS', 'SHAPE.OUT', 'SHAPE.CEIL', 'TENSOR.LAYOUT', 'MEDIAN.DEF', 'MEDIAN.SELECT', 'MEDIAN.ACC']);
    // The trait properties draw finite profiles only ('hard', 'equal', 'dominant'); the gradient smooth data,
    // at most 18 elements, rank 1 or 2.
    for (const c of fc.sample(propertyOf(MEDIAN, 'monotone').arbitrary, { numRuns: 20, seed: 3 })) expect(['hard', 'equal', 'dominant']).toContain(c.profile);
    const profiles = new Set(fc.sample(propertyOf(MEDIAN, 'bounded').arbitrary, { numRuns: 40, seed: 4 }).map((c) => c.profile));
    expect([...profiles].sort()).toEqual(['dominant', 'equal', 'hard']);
    for (const c of fc.sample(propertyOf(MEDIAN, 'gradient').arbitrary, { numRuns: 20, seed: 3 })) {
      expect(c.profile).toBe('smooth');
      expect(c.x.data.length).toBeLessThanOrEqual(18);
      expect([1, 2]).toContain(c.x.shape.length - 2);
    }
  });
});

test('INV.HOMOGENEOUS allows y(x)\'s width scaled by the factor: f·w(y(x)) + w(y(s·x)) (gem, p = 1, s = f = 8)', async () => {
  // 5 elements and an even dy length: k = +(1 + 5 mod 3) = 3, s = 2^3; GEM is homogeneous of degree 1: f = 8.
  const gemSpec: ReducerPoolSpec = { kind: 'gem', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { p: 1 } };
  const c: ReducerCase = { spec: gemSpec, x: t([1, 1, 5], [1, 2, 4, 3, 5]), dy: t([1, 1, 2], [1, 1]), profile: 'hard' };
  const widthOf = (x: Tensor): number => { const a = referenceReducerForward(GEM, gemSpec, x).acceptance[0]!; return a.kind === 'interval' ? a.hi - a.lo : NaN; };
  const w1 = widthOf(c.x);
  const w8 = widthOf(t([1, 1, 5], [8, 16, 32, 24, 40]));
  expect(w1 > 0 && w8 > 0).toBe(true);
  // y(8x)[0] moved by d: within w8 + 8·w1 it passes, beyond it fails (the slack is not w8 + w1/8).
  const moved = (d: number) => editForward((r, x) => (x.data[0] === 8 ? { y: { ...r.y, data: Float32Array.from(r.y.data, (v, i) => (i === 0 ? v + d : v)) } } : r));
  const p = propertyOf(GEM, 'homogeneous');
  expect(await p.check(naive, c, DEFAULT_POLICY)).toEqual(PASSED);
  expect(await p.check(moved(w8 + 4 * w1), c, DEFAULT_POLICY)).toEqual(PASSED);
  expect(failure(await p.check(moved(4 * (w8 + 8 * w1)), c, DEFAULT_POLICY))).toMatch(/^y\[0,0,0\]: .* \(INV\.HOMOGENEOUS\)$/);
});

describe('after the Stryker run of lines 214–381 (reports/mutation/round-4b.md)', () => {
  test('titles; a declaration without traits gets only the properties every reducer has', () => {
    const titles: Record<string, string> = Object.fromEntries(reducerProperties(MEDIAN).map((p): [string, string] => [p.id.split('.')[2]!, p.title]));
    expect(titles).toMatchObject({
      translate: 'median: dropping one stride of input along the last axis drops one output',
      reflect: 'median: reversing the last axis reverses y (symmetric)',
      monotone: 'median: raising taps never lowers y (monotone)',
      shift: 'median: y(x + c) = y(x) + c',
      bounded: 'median: min ≤ y ≤ max over each window',
      pure: 'median: forward and backward leave x, dy and the spec untouched, and repeat to the bit',
    });
    const plain: ReducerDeclaration = { ...MEDIAN, traits: {} };
    expect(reducerProperties(plain).map((p) => p.id)).toEqual(['forward', 'layout', 'permute', 'translate', 'pure'].map((s) => `reducer.median.${s}`));
  });

  test('refuse: a decline passes even if forward would answer; a thrown undefined fails by name', async () => {
    const gemSpec: ReducerPoolSpec = { kind: 'gem', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { p: 2 } };
    const c: ReducerCase = { spec: gemSpec, x: t([1, 1, 5], [1, 1, 1, 1, 1]), dy: t([1, 1, 3], [1, 1, 1]), profile: 'smooth' };
    const declinesButAnswers = withReducers({ supports: (s) => (s.params?.p === 2 ? { ok: true } : { ok: false, reason: 'p' }), forward: (s, x) => R.forward({ ...s, params: { p: 2 } }, x) });
    expect(await propertyOf(GEM, 'refuse').check(declinesButAnswers, c, DEFAULT_POLICY)).toEqual(PASSED);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test: a backend that throws a non-Error
    const throwsUndefined = withReducers({ supports: () => ({ ok: true }), forward: async (s, x) => { if (s.params?.p === 2) return R.forward(s, x); throw undefined; } });
    expect(failure(await propertyOf(GEM, 'refuse').check(throwsUndefined, c, DEFAULT_POLICY))).toBe('p = NaN: forward threw undefined, not a ValidationError (CONTRACT.SUPPORTS)');
  });

  test('pure: a reused output buffer, a shorter first answer and a NaN that becomes a number all fail', async () => {
    const pure = propertyOf(MEDIAN, 'pure');
    const buf = new Float32Array(3);
    let k = 0;
    const reuses = withReducers({ forward: async (s, x) => { const r = await R.forward(s, x); buf.set(r.y.data); buf[0] = buf[0]! + k++; return { y: { ...r.y, data: buf } }; } });
    expect(failure(await pure.check(reuses, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    const dbuf = new Float32Array(5);
    let j = 0;
    const reusesDx = withReducers({ backward: async (s, x, dy) => { const r = await R.backward(s, x, dy); dbuf.set(r.data); dbuf[0] = dbuf[0]! + j++; return { ...r, data: dbuf }; } });
    expect(failure(await pure.check(reusesDx, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    let n = 0;
    const shortFirst = withReducers({ backward: async (s, x, dy) => { const r = await R.backward(s, x, dy); return n++ === 0 ? { ...r, data: r.data.slice(0, 4) } : r; } });
    expect(failure(await pure.check(shortFirst, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    let m = 0;
    const nanThenNumber = mapOutput((v, x, i) => (i === 0 ? (m++ === 0 ? NaN : v) : v));
    expect(failure(await pure.check(nanThenNumber, median, DEFAULT_POLICY))).toBe('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
  });

  test('bounded: the window\'s ends are allowed (closed); an unconstrained set bounds nothing; the mismatch record', async () => {
    const bounded = propertyOf(MEDIAN, 'bounded');
    // [1, 3, 3]: the median 3 is the window's maximum; [1, 1, 3]: 1 is its minimum.
    expect(await bounded.check(naive, { ...median, x: t([1, 1, 3], [1, 3, 3]), dy: t([1, 1, 1], [1]) }, DEFAULT_POLICY)).toEqual(PASSED);
    expect(await bounded.check(naive, { ...median, x: t([1, 1, 3], [1, 1, 3]), dy: t([1, 1, 1], [1]) }, DEFAULT_POLICY)).toEqual(PASSED);
    // gem (p = 2) over [2, 2, 2] is 2, at both ends of the window, within an interval set of positive width.
    const gemSpec: ReducerPoolSpec = { kind: 'gem', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { p: 2 } };
    expect(await propertyOf(GEM, 'bounded').check(naive, { spec: gemSpec, x: t([1, 1, 3], [2, 2, 2]), dy: t([1, 1, 1], [1]), profile: 'equal' }, DEFAULT_POLICY)).toEqual(PASSED);
    const loose: ReducerDeclaration = { ...MEDIAN, special: () => undefined, accuracy: { ...MEDIAN.accuracy, forward: () => ({ halfWidth: Infinity }) } };
    expect(await propertyOf(loose, 'bounded').check(mapOutput((v) => v + 100), median, DEFAULT_POLICY)).toEqual(PASSED);
    expect(await bounded.check(mapOutput((v) => v + 100), median, DEFAULT_POLICY)).toEqual({
      status: 'fail', message: 'y[0,0,0] = 102 outside the window\'s [1, 3] (REDUCER.BOUNDED)',
      mismatch: { tensor: 'y', flat: 0, position: [0, 0, 0], expected: '[1, 3]', got: '102' },
    });
  });

  test('monotone: an unchanged x (dy = 0) gives the same y, which is not lower (the relation is ≤ within the widths)', async () => {
    const same: ReducerCase = { ...median, dy: t([1, 1, 3], [0, 0, 0]) };
    expect(await propertyOf(MEDIAN, 'monotone').check(naive, same, DEFAULT_POLICY)).toEqual(PASSED);
    const gemSpec: ReducerPoolSpec = { kind: 'gem', kernel: [3], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, params: { p: 2 } };
    expect(await propertyOf(GEM, 'monotone').check(naive, { spec: gemSpec, x: t([1, 1, 5], [1, 2, 4, 3, 5]), dy: t([1, 1, 3], [0, 0, 0]), profile: 'hard' }, DEFAULT_POLICY)).toEqual(PASSED);
  });

  test('reflect keeps x\'s layout (channels_last)', async () => {
    const cl: ReducerCase = { ...four, x: t([2, 5, 2], [0, 1].flatMap((n) => [0, 1, 2, 3, 4].flatMap((w) => [0, 1].map((c) => planes2[2 * n + c]![w]!))), 'channels_last'), dy: t([2, 3, 2], new Array<number>(12).fill(1), 'channels_last') };
    expect(await propertyOf(MEDIAN, 'reflect').check(naive, cl, DEFAULT_POLICY)).toEqual(PASSED);
    const first = mapOutput((v, x, i) => (i === 0 ? v + 1 : v));
    expect(failure(await propertyOf(MEDIAN, 'reflect').check(first, cl, DEFAULT_POLICY))).toMatch(/\(INV\.REFLECT\)$/);
  });
});

test('translate and reflect: where nothing is left to compare they pass; where windows tile they compare', async () => {
  // Kernel 3 over 3 columns, stride 1: after dropping one column no window is left (nothing to compare).
  const three: ReducerCase = { ...median, x: t([1, 1, 3], [3, 1, 2]), dy: t([1, 1, 1], [1]) };
  expect(await propertyOf(MEDIAN, 'translate').check(naive, three, DEFAULT_POLICY)).toEqual(PASSED);
  // Kernel 2, stride 3 over 5: windows [0, 1] and [3, 4] tile the axis symmetrically ((5 − 2) mod 3 = 0): compared.
  const tiled: ReducerCase = { ...median, spec: { ...spec(2), strides: [3] }, x: t([1, 1, 5], [1, 2, 3, 4, 5]), dy: t([1, 1, 2], [1, 1]) };
  expect(await propertyOf(MEDIAN, 'reflect').check(naive, tiled, DEFAULT_POLICY)).toEqual(PASSED);
  expect(failure(await propertyOf(MEDIAN, 'reflect').check(mapOutput((v, x, i) => (i === 0 ? v + 1 : v)), tiled, DEFAULT_POLICY))).toMatch(/\(INV\.REFLECT\)$/);
});

test('shift with c = 2 (5 elements); homogeneous against a backend that divides where it should multiply', async () => {
  // 5 elements: c = 1 + 5 mod 4 = 2. A backend answering 2·y: y(x + 2)·2 = 8 against 2·2 + 2 = 6.
  expect(failure(await propertyOf(MEDIAN, 'shift').check(mapOutput((v) => 2 * v), median, DEFAULT_POLICY))).toBe('y[0,0,0]: 8 vs 4 (INV.SHIFT)');
  // Even dy length: s = f = 8. The backend answers y(8x)/64 = y(x)/8 for the scaled input: not 8·y(x).
  const c: ReducerCase = { ...median, dy: t([1, 1, 2], [1, 1]) };
  const divides = mapOutput((v, x) => (x.data[0] === 24 ? v / 64 : v));
  expect(failure(await propertyOf(MEDIAN, 'homogeneous').check(divides, c, DEFAULT_POLICY))).toBe('y[0,0,0]: 0.25 vs 2 (INV.HOMOGENEOUS)');
});
