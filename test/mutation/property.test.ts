/**
 * spec/properties/property.ts, the helpers every property goes through, on hand-made misbehaving backends: the
 * contract checks of runForward and runBackward (CONTRACT.SUPPORTS, TENSOR.DTYPE, SHAPE.OUT, TENSOR.LENGTH,
 * TENSOR.LAYOUT, MAX.INDEX, GRAD.SHAPE), the call bound, and the element comparisons. A property run on a correct
 * backend never reaches most of these branches, so the property runs cannot tell a weakened check from a sound
 * one: each test here builds the case the branch is for and names the clause its verdict must cite.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ForwardResult, PoolSpec, PoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { ValidationError } from '../../spec/errors.js';
import { exact, unconstrained, type Acceptance } from '../../spec/interval.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../spec/policy.js';
import {
  CALL_TIMEOUT_MS, PASS, VerdictSignal, bounded, cloneTensor, compareAll, compareExact, describeError, fail, narrowable, positionOf,
  requireBackwardSupport, requireSupport, runBackward, runForward, verdictOf, type Verdict,
} from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const maxSpec: PoolSpec = { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const sumSpec: PoolSpec = { ...maxSpec, kind: 'sum' };
const x: Tensor = { shape: [1, 1, 4], data: Float32Array.from([1, 3, 2, 0]) };
const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 1]) };

/** The naive backend with some members replaced. */
function backend(over: Partial<Record<'supports' | 'forward' | 'backward' | 'supportsBackward', unknown>>): PoolingBackend {
  return { ...naive, ...over } as PoolingBackend;
}

/** The verdict a call ends with: its VerdictSignal's, or undefined when it returns. */
async function verdictFrom(work: () => unknown): Promise<Verdict | undefined> {
  try {
    await work();
    return undefined;
  } catch (e) {
    if (e instanceof VerdictSignal) return e.verdict;
    throw e;
  }
}

function message(v: Verdict | undefined): string {
  expect(v?.status).toBe('fail');
  return v?.status === 'fail' ? v.message : '';
}

/** A forward result of naive's, changed by `edit`. */
function forwardReturning(edit: (r: ForwardResult) => unknown): PoolingBackend {
  return backend({ forward: async (spec: PoolSpec, t: Tensor) => edit(await naive.forward(spec, t)) });
}

afterEach(() => { vi.useRealTimers(); });

/**
 * Only setTimeout and clearTimeout are faked: setImmediate stays real, so `settled` can tell a promise that has
 * settled from one left hanging (a mutant that never rejects) at once, instead of waiting out the test's timeout.
 */
function fakeTimers(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
}

const HUNG = Symbol('hung');

/** The promise's value if it settles within the pending microtasks, HUNG otherwise. */
function settled<T>(p: Promise<T>): Promise<T | typeof HUNG> {
  return Promise.race([p, new Promise<typeof HUNG>((resolve) => { setImmediate(() => resolve(HUNG)); })]);
}

/** The failure message of a verdict that must have settled. */
async function settledMessage(p: Promise<Verdict | undefined>): Promise<string> {
  const v = await settled(p);
  expect(v).not.toBe(HUNG);
  return message(v === HUNG ? undefined : v);
}

describe('verdicts', () => {
  test('fail() carries the mismatch only when there is one', () => {
    const m = { tensor: 'y', flat: 0, position: [0], expected: 'exactly 1', got: '2' };
    expect(fail('bad', m)).toEqual({ status: 'fail', message: 'bad', mismatch: m });
    expect(Object.keys(fail('bad'))).toEqual(['status', 'message']);
  });

  test('a VerdictSignal\'s message is the failure\'s message, or the status', () => {
    expect(new VerdictSignal(fail('broken (X.Y)')).message).toBe('broken (X.Y)');
    expect(new VerdictSignal({ status: 'unsupported', reason: 'r' }).message).toBe('unsupported');
    expect(new VerdictSignal(PASS).message).toBe('pass');
    expect(PASS).toEqual({ status: 'pass' });
  });

  test('narrowable: the plain arbitrary is built without capabilities, the narrowed one with them', () => {
    const seen: unknown[] = [];
    const built = narrowable((caps) => { seen.push(caps); return caps as never; });
    expect(seen).toEqual([undefined]);
    const caps = { kinds: ['max'] } as never;
    expect(built.arbitraryFor!(caps)).toBe(caps);
    expect(seen).toEqual([undefined, caps]);
  });

  test('describeError names an Error\'s class and message; anything else is its string', () => {
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError(42)).toBe('42');
  });

  test('verdictOf: the body\'s verdict, a signal\'s verdict, a ValidationError as a generator bug, others rethrown', async () => {
    const v = fail('x');
    expect(await verdictOf(async () => v)).toBe(v);
    expect(await verdictOf(async () => { throw new VerdictSignal(v); })).toBe(v);
    const invalid = new ValidationError('spec.kernel', 'PARAM.KERNEL', 'must be positive', 0);
    const err = await verdictOf(async () => { throw invalid; }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/^generator produced an invalid case: spec\.kernel/);
    expect((err as Error).cause).toBe(invalid);
    const other = new RangeError('r');
    await expect(verdictOf(async () => { throw other; })).rejects.toBe(other);
  });
});

describe('bounded: a backend call ends with a result or a verdict', () => {
  test('a settled call gives its value (or its error) and leaves no timer behind', async () => {
    fakeTimers();
    expect(await bounded('forward()', async () => 7)).toBe(7);
    expect(vi.getTimerCount()).toBe(0);
    const thrown = new Error('sync');
    await expect(bounded('forward()', () => { throw thrown; })).rejects.toBe(thrown);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('a call that never settles fails after CALL_TIMEOUT_MS, naming the call and the time in seconds', async () => {
    fakeTimers();
    const pending = verdictFrom(() => bounded('backward()', () => new Promise(() => undefined)));
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS - 1);
    expect(await settled(pending)).toBe(HUNG);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settledMessage(pending)).toBe(`backward() did not settle within ${CALL_TIMEOUT_MS / 1000} s`);
    expect(CALL_TIMEOUT_MS).toBe(30_000);
  });
});

describe('cloneTensor', () => {
  test('a copy: new shape array and data buffer, the layout made explicit', () => {
    const t: Tensor = { shape: [1, 1, 2], data: Float32Array.of(1, 2) };
    const c = cloneTensor(t);
    expect(c).toEqual({ shape: [1, 1, 2], data: Float32Array.of(1, 2), layout: 'channels_first' });
    expect(c.shape).not.toBe(t.shape);
    expect(c.data.buffer).not.toBe(t.data.buffer);
    expect(cloneTensor({ ...t, layout: 'channels_last' }).layout).toBe('channels_last');
  });
});

describe('requireSupport (CONTRACT.SUPPORTS)', () => {
  const ask = (answer: () => unknown): Promise<Verdict | undefined> =>
    verdictFrom(() => requireSupport(backend({ supports: answer }), maxSpec, [1, 1, 4], 'channels_first'));

  test('{ ok: true } lets the case run; { ok: false } makes it unsupported with the backend\'s reason', async () => {
    expect(await ask(() => ({ ok: true }))).toBeUndefined();
    expect(await ask(() => ({ ok: false, reason: 'no rank 1' }))).toEqual({ status: 'unsupported', reason: 'no rank 1' });
  });

  test('a throwing supports() fails, naming the error', async () => {
    expect(message(await ask(() => { throw new TypeError('nope'); }))).toBe('supports() threw TypeError: nope (CONTRACT.SUPPORTS)');
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a boolean', true],
    ['a function with ok', Object.assign(() => undefined, { ok: true })],
    ['ok not a boolean', { ok: 1 }],
  ])('an answer that is %s fails', async (_, answer) => {
    expect(message(await ask(() => answer))).toMatch(/^supports\(\) returned .*, not \{ ok: boolean \} \(CONTRACT\.SUPPORTS\)$/);
  });
});

describe('runForward: the result\'s structure', () => {
  test('a well-formed result is returned; supports() sees the layout, defaulted to channels_first', async () => {
    const layouts: unknown[] = [];
    const b = backend({ supports: (_s: PoolSpec, _sh: number[], layout: unknown): Support => { layouts.push(layout); return { ok: true }; } });
    const r = await runForward(b, maxSpec, x, DEFAULT_POLICY);
    expect([...r.y.data, ...r.indices!]).toEqual([3, 2, 1, 2]);
    await runForward(b, maxSpec, { shape: [1, 4, 1], data: x.data, layout: 'channels_last' }, DEFAULT_POLICY);
    expect(layouts).toEqual(['channels_first', 'channels_last']);
  });

  test('the backend gets a copy of x: writing to it leaves the caller\'s x alone', async () => {
    const mine: Tensor = { shape: [1, 1, 4], data: Float32Array.from([1, 3, 2, 0]) };
    const b = backend({ forward: async (spec: PoolSpec, t: Tensor) => { const r = await naive.forward(spec, t); t.data.fill(9); return r; } });
    await runForward(b, maxSpec, mine, DEFAULT_POLICY);
    expect([...mine.data]).toEqual([1, 3, 2, 0]);
  });

  test('a decline ends the case as unsupported before forward() runs', async () => {
    let called = false;
    const b = backend({ supports: () => ({ ok: false, reason: 'r' }), forward: async () => { called = true; } });
    expect(await verdictFrom(() => runForward(b, maxSpec, x, DEFAULT_POLICY))).toEqual({ status: 'unsupported', reason: 'r' });
    expect(called).toBe(false);
  });

  test('a throwing forward() on a supported case fails under CONTRACT.SUPPORTS', async () => {
    const b = backend({ forward: async () => { throw new RangeError('oops'); } });
    expect(message(await verdictFrom(() => runForward(b, maxSpec, x, DEFAULT_POLICY))))
      .toBe('forward() threw RangeError: oops on a case supports() accepted (CONTRACT.SUPPORTS)');
  });

  test('a forward() that never settles fails as a hang, not as a throw', async () => {
    fakeTimers();
    const pending = verdictFrom(() => runForward(backend({ forward: () => new Promise(() => undefined) }), maxSpec, x, DEFAULT_POLICY));
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(await settledMessage(pending)).toMatch(/^forward\(\) did not settle within 30 s$/);
  });

  test.each<[string, (r: ForwardResult) => unknown, RegExp]>([
    ['no result', () => undefined, /^forward\(\) result\.y\.data is not a Float32Array \(TENSOR\.DTYPE\)$/],
    ['no y', (r) => ({ indices: r.indices }), /TENSOR\.DTYPE/],
    ['y.data a Float64Array', (r) => ({ ...r, y: { ...r.y, data: Float64Array.from(r.y.data) } }), /TENSOR\.DTYPE/],
    ['a wrong output shape', (r) => ({ ...r, y: { ...r.y, shape: [1, 1, 3] } }), /^forward\(\) output shape \[1,1,3\] ≠ expected \[1,1,2\] \(SHAPE\.OUT, SHAPE\.CEIL\)$/],
    // Not an array, though it reads the same: a verdict, not a TypeError from the message (fixed with this test).
    ['a shape that is not an array', (r) => ({ ...r, y: { ...r.y, shape: '1,1,2' } }), /^forward\(\) output shape \[1,1,2\] ≠ expected \[1,1,2\] \(SHAPE\.OUT/],
    ['no shape', (r) => ({ ...r, y: { ...r.y, shape: undefined } }), /^forward\(\) output shape \[undefined\] ≠/],
    ['one element too many', (r) => ({ ...r, y: { ...r.y, data: new Float32Array(3) } }), /^forward\(\) output data length 3 ≠ 2 \(TENSOR\.LENGTH\)$/],
    ['another layout', (r) => ({ ...r, y: { ...r.y, layout: 'channels_last' } }), /^forward\(\) output layout channels_last ≠ input layout channels_first \(TENSOR\.LAYOUT\)$/],
    ['no indices', (r) => ({ y: r.y }), /^forward\(\) of a max pool must return indices as an Int32Array with one entry per output \(MAX\.INDEX\)$/],
    ['indices a Float32Array', (r) => ({ ...r, indices: Float32Array.from(r.indices!) }), /MAX\.INDEX/],
    ['one index too few', (r) => ({ ...r, indices: new Int32Array(1) }), /MAX\.INDEX/],
  ])('a max result with %s fails', async (_, edit, why) => {
    expect(message(await verdictFrom(() => runForward(forwardReturning(edit), maxSpec, x, DEFAULT_POLICY)))).toMatch(why);
  });

  test('y without a layout is channels_first; indices are required only of max, under the plane policy', async () => {
    const bare = forwardReturning((r) => ({ y: { shape: r.y.shape, data: r.y.data } }));
    expect([...(await runForward(bare, sumSpec, x, DEFAULT_POLICY)).y.data]).toEqual([4, 2]);
    // A channels_last input with a y that omits its layout is read as channels_first: wrong.
    const last: Tensor = { shape: [1, 4, 1], data: x.data, layout: 'channels_last' };
    expect(message(await verdictFrom(() => runForward(bare, sumSpec, last, DEFAULT_POLICY)))).toMatch(/TENSOR\.LAYOUT/);
    const noIndices = forwardReturning((r) => ({ y: r.y }));
    expect((await runForward(noIndices, maxSpec, x, resolvePolicy({ indices: 'none' } as never))).indices).toBeUndefined();
  });
});

describe('requireBackwardSupport and runBackward', () => {
  test('without supportsBackward() nothing is asked; { ok: true } and a non-object answer let the case run', async () => {
    expect(await verdictFrom(() => requireBackwardSupport(naive, maxSpec, [1, 1, 4], 'channels_first'))).toBeUndefined();
    for (const answer of [{ ok: true }, undefined, 'yes']) {
      const b = backend({ supportsBackward: () => answer });
      expect(await verdictFrom(() => requireBackwardSupport(b, maxSpec, [1, 1, 4], 'channels_first'))).toBeUndefined();
    }
  });

  test('a decline is unsupported, marked backward; a throw fails under CONTRACT.SUPPORTS', async () => {
    const layouts: unknown[] = [];
    const declines = backend({ supportsBackward: (_s: PoolSpec, _sh: number[], layout: unknown) => { layouts.push(layout); return { ok: false, reason: 'forward only' }; } });
    expect(await verdictFrom(() => runBackward(declines, maxSpec, x, dy))).toEqual({ status: 'unsupported', reason: 'forward only', backward: true });
    expect(layouts).toEqual(['channels_first']);
    const throws = backend({ supportsBackward: () => { throw new Error('no'); } });
    expect(message(await verdictFrom(() => requireBackwardSupport(throws, maxSpec, [1, 1, 4], 'channels_first'))))
      .toBe('supportsBackward() threw Error: no (CONTRACT.SUPPORTS)');
  });

  test('runBackward asks supports() first, and returns a well-formed dx', async () => {
    const declined = backend({ supports: () => ({ ok: false, reason: 'r' }) });
    expect(await verdictFrom(() => runBackward(declined, maxSpec, x, dy))).toEqual({ status: 'unsupported', reason: 'r' });
    expect([...(await runBackward(naive, maxSpec, x, dy)).data]).toEqual([0, 1, 1, 0]);
  });

  test('the backend gets copies of x and dy', async () => {
    const mx: Tensor = { shape: [1, 1, 4], data: Float32Array.from([1, 3, 2, 0]) };
    const mdy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 1]) };
    const b = backend({ backward: async (spec: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(spec, t, g); t.data.fill(9); g.data.fill(9); return r; } });
    await runBackward(b, maxSpec, mx, mdy);
    expect([...mx.data, ...mdy.data]).toEqual([1, 3, 2, 0, 1, 1]);
  });

  test.each<[string, unknown, RegExp]>([
    ['no result', undefined, /^backward\(\) result\.data is not a Float32Array \(TENSOR\.DTYPE\)$/],
    ['a Float64Array', { shape: [1, 1, 4], data: new Float64Array(4) }, /TENSOR\.DTYPE/],
    ['another shape', { shape: [1, 4, 1], data: new Float32Array(4) }, /^backward\(\) dx shape \[1,4,1\] ≠ input shape \[1,1,4\] \(GRAD\.SHAPE\)$/],
    ['a shape that is not an array', { shape: '1,1,4', data: new Float32Array(4) }, /^backward\(\) dx shape \[1,1,4\] ≠ input shape \[1,1,4\] \(GRAD\.SHAPE\)$/],
    ['the wrong length', { shape: [1, 1, 4], data: new Float32Array(5) }, /^backward\(\) dx length 5 ≠ 4 \(TENSOR\.LENGTH\)$/],
    ['another layout (GRAD.SHAPE: x\'s layout)', { shape: [1, 1, 4], data: new Float32Array(4), layout: 'channels_last' },
      /^backward\(\) dx layout channels_last ≠ input layout channels_first \(GRAD\.SHAPE\)$/],
  ])('a dx with %s fails', async (_, dx, why) => {
    expect(message(await verdictFrom(() => runBackward(backend({ backward: async () => dx }), maxSpec, x, dy)))).toMatch(why);
  });

  test('a channels_last x needs a dx labelled channels_last (an absent layout means channels_first)', async () => {
    // [N, W, C]: one channel, so the data are those of x and dy above.
    const lx: Tensor = { shape: [1, 4, 1], data: x.data, layout: 'channels_last' };
    const ldy: Tensor = { shape: [1, 2, 1], data: dy.data, layout: 'channels_last' };
    const unlabelled = backend({ backward: async () => ({ shape: [1, 4, 1], data: new Float32Array(4) }) });
    expect(message(await verdictFrom(() => runBackward(unlabelled, maxSpec, lx, ldy))))
      .toBe('backward() dx layout channels_first (absent) ≠ input layout channels_last (GRAD.SHAPE)');
    expect((await runBackward(naive, maxSpec, lx, ldy)).layout).toBe('channels_last');
  });

  test('a throwing backward() fails under CONTRACT.SUPPORTS; a hanging one as a hang', async () => {
    const throws = backend({ backward: async () => { throw new Error('bad'); } });
    expect(message(await verdictFrom(() => runBackward(throws, maxSpec, x, dy))))
      .toBe('backward() threw Error: bad on a case supports() accepted (CONTRACT.SUPPORTS)');
    fakeTimers();
    const pending = verdictFrom(() => runBackward(backend({ backward: () => new Promise(() => undefined) }), maxSpec, x, dy));
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    expect(await settledMessage(pending)).toMatch(/^backward\(\) did not settle within 30 s$/);
  });
});

describe('positionOf, compareAll, compareExact', () => {
  test('positionOf decodes row-major flat indices', () => {
    // Shape [2, 3, 4]: flat = 12·i + 4·j + k.
    expect(positionOf([2, 3, 4], 0)).toEqual([0, 0, 0]);
    expect(positionOf([2, 3, 4], 13)).toEqual([1, 0, 1]);
    expect(positionOf([2, 3, 4], 23)).toEqual([1, 2, 3]);
    expect(positionOf([2, 3, 4], 11)).toEqual([0, 2, 3]);
    expect(positionOf([], 0)).toEqual([]);
  });

  test('compareAll: the first element outside its set fails with its position, set and value', () => {
    const sets: Acceptance[] = [exact(1), exact(2), exact(3), exact(4)];
    const v = compareAll('y', [1, 2, 2], Float32Array.of(1, 2, 5, 6), sets, 'SUM.DEF');
    expect(v).toEqual({
      status: 'fail', message: 'y[0,1,0] = 5, expected exactly 3 (SUM.DEF)',
      mismatch: { tensor: 'y', flat: 2, position: [0, 1, 0], expected: 'exactly 3', got: '5' },
    });
    expect(message(compareAll('y', [4], Float32Array.of(0, 2, 3, 4), sets, 'SUM.DEF'))).toMatch(/^y\[0\] = 0,/);
    expect(message(compareAll('y', [4], Float32Array.of(1, 2, 3, 0), sets, 'SUM.DEF'))).toMatch(/^y\[3\] = 0,/);
  });

  test('compareAll counts the unconstrained elements of a passing result, and only those', () => {
    const sets: Acceptance[] = [unconstrained(0, 'ACC.RANGE'), exact(2), unconstrained(0, 'ACC.RANGE')];
    expect(compareAll('dx', [3], Float32Array.of(7, 2, -1), sets, 'GRAD.LP')).toEqual({ status: 'pass', unconstrained: 2 });
    expect(compareAll('dx', [1], Float32Array.of(2), [exact(2)], 'GRAD.LP')).toBe(PASS);
  });

  test('compareExact: bitwise, so −0 differs from +0, and NaN equals NaN', () => {
    expect(compareExact('y', [2], Float32Array.of(NaN, 1), Float32Array.of(NaN, 1), 'INV.LAYOUT')).toBe(PASS);
    expect(compareExact('y', [1], Float32Array.of(-0), Float32Array.of(0), 'INV.LAYOUT')).toEqual({
      status: 'fail', message: 'y[0] = -0, expected exactly 0 (INV.LAYOUT)',
      mismatch: { tensor: 'y', flat: 0, position: [0], expected: '0', got: '-0' },
    });
    expect(message(compareExact('y', [2], Float32Array.of(1, NaN), Float32Array.of(1, 2), 'INV.LAYOUT'))).toBe('y[1] = NaN, expected exactly 2 (INV.LAYOUT)');
    expect(message(compareExact('y', [2], Float32Array.of(1, 2), Float32Array.of(1, NaN), 'INV.LAYOUT'))).toBe('y[1] = 2, expected exactly NaN (INV.LAYOUT)');
    expect(message(compareExact('y', [2], Float32Array.of(3, 2), Float32Array.of(1, 2), 'INV.LAYOUT'))).toMatch(/^y\[0\] = 3/);
  });
});

describe('after the first mutation run (reports/mutation/summary.md, spec/properties/property.ts)', () => {
  test('TENSOR.LENGTH counts batch × channels × outputs per plane', async () => {
    // [N, C, W] = [1, 2, 4], k 2, s 2: 1·2·2 = 4 outputs. A correct result passes; one of 5 fails and says 4.
    const x2: Tensor = { shape: [1, 2, 4], data: Float32Array.from([1, 3, 2, 0, 5, 4, 7, 6]) };
    expect([...(await runForward(naive, sumSpec, x2, DEFAULT_POLICY)).y.data]).toEqual([4, 2, 9, 13]);
    const long = forwardReturning((r) => ({ ...r, y: { ...r.y, data: new Float32Array(5) } }));
    expect(message(await verdictFrom(() => runForward(long, sumSpec, x2, DEFAULT_POLICY)))).toBe('forward() output data length 5 ≠ 4 (TENSOR.LENGTH)');
  });

  test('only a Support object with ok: false declines the backward; a function carrying ok: false is no answer', async () => {
    const fn = backend({ supportsBackward: () => Object.assign(() => undefined, { ok: false, reason: 'r' }) });
    expect(await verdictFrom(() => requireBackwardSupport(fn, maxSpec, [1, 1, 4], 'channels_first'))).toBeUndefined();
    const yes = backend({ supportsBackward: () => ({ ok: true }) });
    expect(await verdictFrom(() => requireBackwardSupport(yes, maxSpec, [1, 1, 4], 'channels_first'))).toBeUndefined();
  });

  test('compareAll and compareExact: a result with more or fewer elements than expected fails, whichever is shorter', () => {
    const sets: Acceptance[] = [exact(1), exact(2)];
    expect(message(compareAll('dx', [1, 2], Float32Array.of(1, 2, 3), sets, 'GRAD.SUM'))).toBe('dx has 3 elements, expected 2 (shape [1, 2]; GRAD.SUM)');
    expect(message(compareAll('dx', [1, 2], Float32Array.of(1), sets, 'GRAD.SUM'))).toBe('dx has 1 elements, expected 2 (shape [1, 2]; GRAD.SUM)');
    expect(message(compareAll('dx', [0], Float32Array.of(5), [], 'GRAD.SUM'))).toMatch(/^dx has 1 elements, expected 0/);
    expect(message(compareExact('y', [1, 2], Float32Array.of(1, 2, 3), Float32Array.of(1, 2), 'INV.LAYOUT'))).toBe('y has 3 elements, expected 2 (shape [1, 2]; INV.LAYOUT)');
    expect(message(compareExact('y', [0], new Float32Array(0), Float32Array.of(1), 'INV.LAYOUT'))).toMatch(/^y has 0 elements, expected 1/);
  });
});
