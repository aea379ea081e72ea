/**
 * spec/properties/contract.ts (CONTRACT.PURE, CONTRACT.DETERMINISTIC, CONTRACT.ISOLATION, CONTRACT.SUPPORTS,
 * CONTRACT.PLAN), one case at a time: each property's check() on hand-made cases, on the naive backend (it must
 * pass) and on backends that break its clause in exactly one way (it must fail, with the message naming what was
 * broken and the clause). Without fast-check runs, so that Stryker can afford it per mutant.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { ForwardOut, ForwardResult, PoolPlan, PoolPlanOptions, PoolSpec, PoolingBackend, Tensor } from '../../spec/contract.js';
import type { GradCase, PoolCase } from '../../spec/arbitraries/case.js';
import { ValidationError } from '../../spec/errors.js';
import { DEFAULT_POLICY, resolvePolicy } from '../../spec/policy.js';
import { determinism, isolation, planContract, purity, refusal } from '../../spec/properties/contract.js';
import { CALL_TIMEOUT_MS, type Verdict } from '../../spec/properties/property.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const naive = createNaiveBackend();
const geometry = { kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false };
const maxSpec: PoolSpec = { ...geometry, kind: 'max' };
const sumSpec: PoolSpec = { ...geometry, kind: 'sum' };
// max: windows [1, 3] and [2, 0], y = [3, 2], indices [1, 2]; sum: y = [4, 2].
const x: Tensor = { shape: [1, 1, 4], data: Float32Array.from([1, 3, 2, 0]) };
const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 2]) };
const maxCase: GradCase = { spec: maxSpec, x, dy, profile: 'finite' };
const sumCase: GradCase = { spec: sumSpec, x, dy, profile: 'finite' };
// The same, channels_last ([N, W, C], one channel: the same data).
const lastCase: GradCase = {
  spec: maxSpec, x: { ...x, layout: 'channels_last', shape: [1, 4, 1] }, dy: { ...dy, layout: 'channels_last', shape: [1, 2, 1] }, profile: 'finite',
};

function failure(v: Verdict): string {
  expect(v.status).toBe('fail');
  return v.status === 'fail' ? v.message : '';
}

function backend(over: Record<string, unknown>): PoolingBackend {
  return { ...naive, ...over };
}

afterEach(() => { vi.useRealTimers(); });

const HUNG = Symbol('hung');
/**
 * Only setTimeout and clearTimeout are faked: setImmediate stays real, so a verdict left hanging (a mutant that
 * never rejects) is seen at once instead of waiting out the test's timeout.
 */
function settled<T>(p: Promise<T>): Promise<T | typeof HUNG> {
  return Promise.race([p, new Promise<typeof HUNG>((resolve) => { setImmediate(() => resolve(HUNG)); })]);
}

describe('the properties\' declarations', () => {
  test('ids, clauses, backward use', () => {
    expect([purity.id, determinism.id, isolation.id, refusal.id, planContract.id])
      .toEqual(['contract.pure', 'contract.deterministic', 'contract.isolation', 'contract.supports', 'contract.plan']);
    expect(purity.clauses).toEqual(['CONTRACT.PURE']);
    expect(determinism.clauses).toEqual(['CONTRACT.DETERMINISTIC']);
    expect(isolation.clauses).toEqual(['CONTRACT.ISOLATION']);
    expect(planContract.clauses).toEqual(['CONTRACT.PLAN']);
    expect(refusal.clauses[0]).toBe('CONTRACT.SUPPORTS');
    for (const p of [purity, determinism, isolation, planContract]) expect(p.usesBackward).toBe(true);
    expect(refusal.usesBackward).toBeFalsy();
    expect(purity.title).toMatch(/^forward and backward leave their inputs \(spec, x, dy\) untouched$/);
    expect(determinism.title).toBe('repeated calls give bit-identical results');
    expect(isolation.title).toMatch(/^calls on different inputs do not leak into each other/);
    expect(refusal.title).toMatch(/^invalid input is declined by supports\(\) or rejected by forward\(\), never answered$/);
    expect(planContract.title).toMatch(/^plan\(\): caller-provided outputs get forward\(\)\/backward\(\)'s results bit for bit/);
  });

  test('the cases drawn: narrowed to capabilities; isolation without special values; refusal over ties with a variant number in 0..19', () => {
    const caps = { regions: [{ kinds: ['sum' as const], layouts: ['channels_last' as const] }] };
    for (const p of [purity, determinism, isolation, planContract]) {
      // Most draws are narrowed to the capabilities (4 in 5, spec/arbitraries/spec.ts), the rest drawn from everything.
      const cases = fc.sample(p.arbitraryFor!(caps), { numRuns: 40, seed: 5 });
      expect(cases.filter((c) => c.spec.kind === 'sum' && c.x.layout === 'channels_last').length).toBeGreaterThanOrEqual(24);
      for (const c of fc.sample(p.arbitrary, { numRuns: 4, seed: 5 })) expect(c.dy.data.length).toBeGreaterThan(0);
    }
    for (const c of fc.sample(isolation.arbitrary, { numRuns: 80, seed: 9 })) expect(['finite', 'ties']).toContain(c.profile);
    for (const c of fc.sample(isolation.arbitraryFor!(caps), { numRuns: 80, seed: 9 })) expect(['finite', 'ties']).toContain(c.profile);
    const drawn = fc.sample(refusal.arbitrary, { numRuns: 60, seed: 9 });
    for (const [c, which] of drawn) {
      expect(c.profile).toBe('ties');
      expect(which).toBeGreaterThanOrEqual(0);
      expect(which).toBeLessThanOrEqual(19);
    }
    const narrowed = fc.sample(refusal.arbitraryFor!(caps), { numRuns: 60, seed: 5 });
    expect(narrowed.filter(([c]) => c.spec.kind === 'sum' && c.x.layout === 'channels_last').length).toBeGreaterThanOrEqual(36);
    for (const [c, which] of narrowed) {
      expect(c.profile).toBe('ties');
      expect(which).toBeLessThanOrEqual(19);
    }
  });
});

describe('contract.pure (CONTRACT.PURE)', () => {
  test('passes on naive, with and without a layout, channels_last too', async () => {
    for (const c of [maxCase, sumCase, lastCase]) expect(await purity.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('a backend declining channels_first still passes a channels_last case (the case\'s layout is the one asked about)', async () => {
    const lastOnly = backend({ supports: (s: PoolSpec, shape: number[], layout?: string) => (layout === 'channels_last' ? naive.supports(s, shape, layout) : { ok: false, reason: 'channels_last only' }) });
    expect(await purity.check(lastOnly, lastCase, DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(await purity.check(lastOnly, maxCase, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: 'channels_last only' });
  });

  test('a backend that declines the backward is unsupported (backward)', async () => {
    const fwdOnly = backend({ supportsBackward: () => ({ ok: false, reason: 'no backward' }) });
    expect(await purity.check(fwdOnly, sumCase, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason: 'no backward', backward: true });
  });

  const cases: readonly [string, Record<string, unknown>, string][] = [
    ['forward changes one element of x', { forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); t.data[2] = 5; return r; } }, 'forward() modified its input x (CONTRACT.PURE)'],
    ['forward turns a +0 of x into −0 (bits, not ===)', { forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); t.data[3] = -0; return r; } }, 'forward() modified its input x (CONTRACT.PURE)'],
    ['forward reorders x.shape', { forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); t.shape.reverse(); return r; } }, 'forward() modified its input x (CONTRACT.PURE)'],
    ['forward changes x.layout', { forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); t.layout = 'channels_last'; return r; } }, 'forward() modified its input x (CONTRACT.PURE)'],
    ['forward replaces x.data with a shorter prefix', { forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); t.data = t.data.slice(0, 3); return r; } }, 'forward() modified its input x (CONTRACT.PURE)'],
    ['backward changes x', { backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(s, t, g); t.data[0] = 9; return r; } }, 'backward() modified its input x (CONTRACT.PURE)'],
    ['backward changes dy', { backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(s, t, g); g.data[1] = 7; return r; } }, 'backward() modified its input dy (CONTRACT.PURE)'],
    ['forward changes the spec', { forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); s.ceilMode = true; return r; } }, 'a call modified the spec object (CONTRACT.PURE)'],
    ['backward changes the spec', { backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(s, t, g); s.pads.push(0); return r; } }, 'a call modified the spec object (CONTRACT.PURE)'],
    ['forward throws on a supported case', { forward: async () => { throw new Error('boom'); } }, 'a supported call threw boom (CONTRACT.SUPPORTS)'],
    ['backward throws an error without a message', { backward: async () => { throw Object.assign(new RangeError('x'), { message: undefined }); } }, 'a supported call threw RangeError (CONTRACT.SUPPORTS)'],
  ];
  test.each(cases)('%s: fails', async (_name, over, message) => {
    expect(failure(await purity.check(backend(over), sumCase, DEFAULT_POLICY))).toBe(message);
  });

  test('the case itself is never touched, whatever the backend does', async () => {
    const c: GradCase = { spec: structuredClone(sumSpec), x: { shape: [1, 1, 4], data: Float32Array.from([1, 3, 2, 0]) }, dy: { shape: [1, 1, 2], data: Float32Array.from([1, 2]) }, profile: 'finite' };
    const vandal = backend({
      forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); t.data.fill(8); s.kernel[0] = 9; return r; },
    });
    expect(failure(await purity.check(vandal, c, DEFAULT_POLICY))).toBe('forward() modified its input x (CONTRACT.PURE)');
    expect([...c.x.data]).toEqual([1, 3, 2, 0]);
    expect(c.spec).toEqual(sumSpec);
  });
});

describe('contract.deterministic (CONTRACT.DETERMINISTIC)', () => {
  test('passes on naive (max with indices, sum without, channels_last)', async () => {
    for (const c of [maxCase, sumCase, lastCase]) expect(await determinism.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('max under indices: unchecked, a backend returning no indices passes', async () => {
    const noIndices = backend({ forward: async (s: PoolSpec, t: Tensor) => ({ y: (await naive.forward(s, t)).y }) });
    expect(await determinism.check(noIndices, maxCase, resolvePolicy({ indices: 'unchecked' }))).toEqual({ status: 'pass' });
  });

  function counting(edit: (n: number, r: ForwardResult) => ForwardResult): PoolingBackend {
    let calls = 0;
    return backend({ forward: async (s: PoolSpec, t: Tensor) => edit(calls++, await naive.forward(s, t)) });
  }

  test('a y that changes on the second call fails', async () => {
    const b = counting((n, r) => { if (n > 0) r.y.data[1] = r.y.data[1]! + n; return r; });
    expect(failure(await determinism.check(b, maxCase, DEFAULT_POLICY))).toBe('y[0,0,1] = 3, expected exactly 2 (CONTRACT.DETERMINISTIC)');
  });

  test('indices that change on the second call fail (values equal)', async () => {
    const b = counting((n, r) => { if (n > 0) r.indices![0] = 0; return r; });
    expect(failure(await determinism.check(b, maxCase, DEFAULT_POLICY))).toBe('indices[0,0,0] = 0, expected exactly 1 (CONTRACT.DETERMINISTIC)');
  });

  test('under indices: unchecked, indices returned by one call only are not compared', async () => {
    const firstOnly = counting((n, r) => (n === 0 ? r : { y: r.y }));
    expect(await determinism.check(firstOnly, maxCase, resolvePolicy({ indices: 'unchecked' }))).toEqual({ status: 'pass' });
    const secondOnly = counting((n, r) => (n === 1 ? r : { y: r.y }));
    expect(await determinism.check(secondOnly, maxCase, resolvePolicy({ indices: 'unchecked' }))).toEqual({ status: 'pass' });
  });

  test('max: equal indices do not end the check; a dx that changes on the second call still fails', async () => {
    let calls = 0;
    const b = backend({ backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(s, t, g); if (calls++ > 0) r.data[0] = 4; return r; } });
    expect(failure(await determinism.check(b, maxCase, DEFAULT_POLICY))).toBe('dx[0,0,0] = 4, expected exactly 0 (CONTRACT.DETERMINISTIC)');
  });

  test('a dx that changes on the second call fails', async () => {
    let calls = 0;
    const b = backend({ backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(s, t, g); if (calls++ > 0) r.data[3] = 4; return r; } });
    expect(failure(await determinism.check(b, sumCase, DEFAULT_POLICY))).toBe('dx[0,0,3] = 4, expected exactly 2 (CONTRACT.DETERMINISTIC)');
  });
});

describe('contract.isolation (CONTRACT.ISOLATION)', () => {
  // The second input is x with every element changed: for [1, 3, 2, 0], other = [−0.5, −1.5, 0.5, 3.5] (max y
  // [−0.5, 3.5], indices [0, 3]); for [1, 2, 3, 4], other = [−0.5, −0.5, −0.5, −0.5] (sum y [−1, −1]). Other dy = [1, 4]
  // (sum: dx [1, 1, 2, 2] becomes [1, 1, 4, 4]).
  const sumX: GradCase = { spec: sumSpec, x: { shape: [1, 1, 4], data: Float32Array.from([1, 2, 3, 4]) }, dy, profile: 'finite' };

  test('passes on naive', async () => {
    for (const c of [maxCase, sumCase, lastCase, sumX]) expect(await isolation.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('max under indices: unchecked, a backend returning no indices passes', async () => {
    const noIndices = backend({ forward: async (s: PoolSpec, t: Tensor) => ({ y: (await naive.forward(s, t)).y }) });
    expect(await isolation.check(noIndices, maxCase, resolvePolicy({ indices: 'unchecked' }))).toEqual({ status: 'pass' });
  });

  test('a y buffer shared between calls: the earlier result changes', async () => {
    const shared = new Float32Array(2);
    const b = backend({ forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); shared.set(r.y.data); return { ...r, y: { ...r.y, data: shared } }; } });
    expect(failure(await isolation.check(b, maxCase, DEFAULT_POLICY)))
      .toBe('y[0,0,0] = -0.5, expected exactly 3 (CONTRACT.ISOLATION: an earlier result changed after a later call)');
  });

  test('an indices buffer shared between calls (values fresh): the earlier indices change', async () => {
    const shared = new Int32Array(2);
    const b = backend({ forward: async (s: PoolSpec, t: Tensor) => { const r = await naive.forward(s, t); shared.set(r.indices!); return { ...r, indices: shared }; } });
    expect(failure(await isolation.check(b, maxCase, DEFAULT_POLICY)))
      .toBe('indices[0,0,0] = 0, expected exactly 1 (CONTRACT.ISOLATION: earlier indices changed after a later call)');
  });

  test('a dx buffer shared between calls: the earlier gradient changes', async () => {
    const shared = new Float32Array(4);
    const b = backend({ backward: async (s: PoolSpec, t: Tensor, g: Tensor) => { const r = await naive.backward(s, t, g); shared.set(r.data); return { ...r, data: shared }; } });
    expect(failure(await isolation.check(b, sumCase, DEFAULT_POLICY)))
      .toBe('dx[0,0,2] = 4, expected exactly 2 (CONTRACT.ISOLATION: an earlier gradient changed after a later call)');
  });

  test('a result that depends on the previous input: same input, different result', async () => {
    let previous: number | undefined;
    const b = backend({
      forward: async (s: PoolSpec, t: Tensor) => {
        const r = await naive.forward(s, t);
        if (previous !== undefined && previous !== t.data[0]) r.y.data[0] = r.y.data[0]! + 1;
        previous = t.data[0];
        return r;
      },
    });
    expect(failure(await isolation.check(b, sumX, DEFAULT_POLICY)))
      .toBe('y[0,0,0] = 4, expected exactly 3 (CONTRACT.ISOLATION: same input, different result after another input)');
  });

  /** forward reads its input from a slot shared by the calls in flight, after yielding once. */
  function racing(firstWins: boolean): PoolingBackend {
    let slot: Tensor | undefined;
    return backend({
      forward: async (s: PoolSpec, t: Tensor) => {
        if (firstWins) {
          const mine = (slot ??= t);
          await new Promise((r) => setImmediate(r));
          slot = undefined;
          return naive.forward(s, mine);
        }
        slot = t;
        await new Promise((r) => setImmediate(r));
        return naive.forward(s, slot);
      },
    });
  }

  test('concurrent calls that read each other\'s input: the first call gets the second input', async () => {
    expect(failure(await isolation.check(racing(false), sumX, DEFAULT_POLICY)))
      .toBe('y[0,0,0] = -1, expected exactly 3 (CONTRACT.ISOLATION: concurrent calls)');
  });

  test('concurrent calls that read each other\'s input: the second call gets the first input', async () => {
    expect(failure(await isolation.check(racing(true), sumX, DEFAULT_POLICY)))
      .toBe('y[0,0,0] = 3, expected exactly -1 (CONTRACT.ISOLATION: concurrent calls)');
  });
});

describe('contract.supports (CONTRACT.SUPPORTS and §VALID)', () => {
  // Rank 2, so that "one axis" and "the last axis" differ: [1, 1, 3, 4], kernel [2, 2], strides [1, 2].
  const spec2: PoolSpec = { kind: 'max', kernel: [2, 2], strides: [1, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false };
  const case2: PoolCase = { spec: spec2, x: { shape: [1, 1, 3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i % 3) }, profile: 'ties' };

  /** Records what it is asked about; accepts everything in supports(), then rejects in forward() (a refusal). */
  function recorder(): { b: PoolingBackend; asked: { spec: PoolSpec; shape: number[]; layout?: string; x?: Tensor }[] } {
    const asked: { spec: PoolSpec; shape: number[]; layout?: string; x?: Tensor }[] = [];
    const b = backend({
      supports: (s: PoolSpec, shape: number[], layout?: string) => { asked.push({ spec: s, shape, layout }); return { ok: true }; },
      forward: async (_s: PoolSpec, t: Tensor) => { asked[asked.length - 1]!.x = t; throw new ValidationError('x', 'PARAM.KIND', 'refused', 0); },
    });
    return { b, asked };
  }

  /** Answers everything: supports() says yes and forward() returns a result of the right kind. */
  const answering = backend({
    supports: () => ({ ok: true }),
    forward: async () => ({ y: { shape: [1, 1, 1, 1], data: new Float32Array(1) }, indices: new Int32Array(1) }),
  });

  /** Each variant breaks the rule it names (the clause ID its rule text starts with), and that one only. */
  const VARIANTS: readonly { which: number; rule: string; field: string; spec?: Partial<PoolSpec> | Record<string, unknown> }[] = [
    { which: 0, rule: 'PARAM.KERNEL', field: 'spec.kernel[0]', spec: { kernel: [0, 2] } },
    { which: 1, rule: 'PARAM.STRIDE', field: 'spec.strides[1]', spec: { strides: [1, -1] } },
    { which: 2, rule: 'PARAM.DILATION', field: 'spec.dilations[0]', spec: { dilations: [1.5, 1] } },
    { which: 3, rule: 'PARAM.PADS', field: 'spec.pads', spec: { pads: [0, 0, 0] } },
    { which: 4, rule: 'PARAM.FINITE', field: 'spec.strides[0]', spec: { strides: [NaN, 2] } },
    { which: 5, rule: 'PARAM.RANK', field: 'spec.kernel', spec: { kernel: [1, 1, 1, 1], strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], pads: [0, 0, 0, 0, 0, 0, 0, 0] } },
    { which: 6, rule: 'TENSOR.LENGTH', field: 'x.data.length' },
    { which: 7, rule: 'TENSOR.DTYPE', field: 'x.data' },
    { which: 8, rule: 'WINDOW.FITS', field: 'x.shape[2]', spec: { kernel: [66, 2], pads: [0, 0, 0, 0] } },
    { which: 9, rule: 'LP.P', field: 'spec.p', spec: { kind: 'lp', p: 0 } },
    { which: 10, rule: 'LP.P', field: 'spec.p', spec: { kind: 'lp', p: 0.1 } },
    { which: 11, rule: 'AVG.OVERRIDE', field: 'spec.divisorOverride', spec: { kind: 'avg', divisorOverride: 0 } },
    { which: 12, rule: 'AVG.OVERRIDE', field: 'spec.divisorOverride', spec: { kind: 'max', divisorOverride: 2 } },
    { which: 13, rule: 'PARAM.FLAGS', field: 'spec.ceilMode', spec: { ceilMode: 'yes' } },
    { which: 14, rule: 'PARAM.KIND', field: 'spec.kind', spec: { kind: 'median' } },
    { which: 15, rule: 'TENSOR.RANK', field: 'x.shape' },
    { which: 16, rule: 'TENSOR.SHAPE', field: 'x.shape[0]' },
    { which: 17, rule: 'TENSOR.LAYOUT', field: 'x.layout' },
    { which: 18, rule: 'WINDOW.NONEMPTY', field: 'spec.pads', spec: { kernel: [2, 2], dilations: [1, 1], strides: [1, 1], pads: [0, 0, 9, 9] } },
  ];

  test.each(VARIANTS)('variant $which breaks $rule ($field) and nothing else; naive declines it; an answering backend fails naming it', async ({ which, rule, field, spec }) => {
    const { b, asked } = recorder();
    expect(await refusal.check(b, [case2, which], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(asked).toHaveLength(1);
    const got = asked[0]!;
    expect(got.layout).toBe('channels_first');
    expect(got.shape).toBe(got.x!.shape);
    if (spec) expect(got.spec).toEqual({ ...spec2, ...spec });
    else expect(got.spec).toEqual(spec2);
    let error: unknown;
    try {
      await naive.forward(got.spec, got.x!);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).rule).toBe(rule);
    expect((error as ValidationError).field).toBe(field);
    expect(await refusal.check(naive, [case2, which], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    const message = failure(await refusal.check(answering, [case2, which], DEFAULT_POLICY));
    expect(message).toMatch(new RegExp(`^forward\\(\\) returned a result for invalid input breaking ${rule.replace('.', '\\.')}( \\([^()]+\\))? \\(CONTRACT\\.SUPPORTS\\)$`));
    expect(refusal.clauses).toContain(rule);
  });

  test('the tensor variants: x cut short, Float64, rank 1, an empty extent, an unknown layout; the data otherwise kept', async () => {
    const { b, asked } = recorder();
    for (const which of [6, 7, 15, 16, 17]) await refusal.check(b, [case2, which], DEFAULT_POLICY);
    const [short, f64, rank1, empty, layout] = asked.map((a) => a.x!);
    expect([...short!.data]).toEqual([...case2.x.data].slice(0, 11));
    expect(short!.shape).toEqual([1, 1, 3, 4]);
    expect(f64!.data).toBeInstanceOf(Float64Array);
    expect([...f64!.data]).toEqual([...case2.x.data]);
    expect(rank1!.shape).toEqual([12]);
    expect(empty!.shape).toEqual([0, 1, 3, 4]);
    expect(empty!.data).toHaveLength(0);
    expect(layout!.layout).toBe('NCHW');
    expect(layout!.shape).toEqual([1, 1, 3, 4]);
  });

  test('the variant number wraps around: 19 is variant 0; the layout asked about is the case\'s', async () => {
    const { b, asked } = recorder();
    const last: PoolCase = { ...case2, x: { ...case2.x, shape: [1, 3, 4, 1], layout: 'channels_last' } };
    await refusal.check(b, [last, 19], DEFAULT_POLICY);
    expect(asked[0]!.spec.kernel).toEqual([0, 2]);
    expect(asked[0]!.layout).toBe('channels_last');
  });

  test('a refusal is a decline, a throwing supports(), or a rejecting forward(); an answer is not', async () => {
    const answer = async () => ({ y: { shape: [1], data: new Float32Array(1) } });
    const declines = backend({ supports: () => ({ ok: false, reason: 'no' }), forward: answer });
    const throwsInSupports = backend({ supports: () => { throw new Error('bad spec'); }, forward: answer });
    const rejects = backend({ supports: () => ({ ok: true }), forward: async () => { throw new Error('refused'); } });
    for (const b of [declines, throwsInSupports, rejects]) expect(await refusal.check(b, [case2, 0], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    const accepts = backend({ supports: () => ({ ok: true }), forward: answer });
    expect(failure(await refusal.check(accepts, [case2, 0], DEFAULT_POLICY))).toBe('forward() returned a result for invalid input breaking PARAM.KERNEL (0) (CONTRACT.SUPPORTS)');
  });

  test('a forward() that hangs on invalid input fails after the call bound, and the timer is cleared', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hangs = backend({ supports: () => ({ ok: true }), forward: () => new Promise(() => undefined) });
    const pending = refusal.check(hangs, [case2, 13], DEFAULT_POLICY);
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    const v = await settled(pending);
    expect(v).not.toBe(HUNG);
    expect(failure(v as Verdict)).toBe('forward() hung on invalid input (PARAM.FLAGS (ceilMode not boolean)) (CONTRACT.SUPPORTS)');
    expect(vi.getTimerCount()).toBe(0);
    const rejects = backend({ supports: () => ({ ok: true }), forward: async () => { throw new Error('refused'); } });
    expect(await refusal.check(rejects, [case2, 13], DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('contract.plan (CONTRACT.PLAN)', () => {
  type PlanEdit = (p: PoolPlan, options: PoolPlanOptions | undefined) => PoolPlan;
  /** naive, its plans changed by `edit`; counts the disposals. */
  function planning(edit: PlanEdit): PoolingBackend & { disposed: number } {
    const b = backend({
      plan: async (s: PoolSpec, shape: number[], layout?: 'channels_first' | 'channels_last', options?: PoolPlanOptions) => {
        const p = await naive.plan(s, shape, layout, options);
        const edited = edit(p, options);
        return { ...edited, dispose: () => { b.disposed++; return edited.dispose(); } };
      },
    }) as PoolingBackend & { disposed: number };
    b.disposed = 0;
    return b;
  }
  /** A plan whose forward is replaced by `f` (given the original's and the call number), likewise backward. */
  function forwardWith(f: (orig: PoolPlan['forward'], xx: Tensor, out: ForwardOut, call: number) => Promise<void>, valuesOnlyToo = false): PoolingBackend & { disposed: number } {
    return planning((p, options) => {
      if (options?.indices === false && !valuesOnlyToo) return p;
      let calls = 0;
      return { ...p, outShape: p.outShape, forward: (xx, out) => f(p.forward.bind(p), xx, out, calls++) };
    });
  }
  function backwardWith(f: (orig: PoolPlan['backward'], xx: Tensor, g: Tensor, dx: Float32Array, call: number) => Promise<void>): PoolingBackend & { disposed: number } {
    return planning((p) => {
      let calls = 0;
      return { ...p, outShape: p.outShape, backward: (xx, g, dx) => f(p.backward.bind(p), xx, g, dx, calls++) };
    });
  }
  // x's neighbours in the windows keep their order in the second input ([0.5, 1.25, 2.5, 3.25]): the same indices [1, 3].
  const sameIdx: GradCase = { spec: maxSpec, x: { shape: [1, 1, 4], data: Float32Array.from([0, 0.25, 0, 0.25]) }, dy, profile: 'finite' };

  test('passes on naive (max, sum, channels_last, the same indices twice), and disposes both plans', async () => {
    for (const c of [maxCase, sumCase, lastCase, sameIdx]) {
      const b = planning((p) => p);
      expect(await planContract.check(b, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
      expect(b.disposed).toBe(2);
    }
  });

  test('a backend without plan() is n/a (unsupported), with the reason', async () => {
    const plain: PoolingBackend = {
      name: naive.name,
      supports: (s, shape, layout) => naive.supports(s, shape, layout),
      forward: (s, t) => naive.forward(s, t),
      backward: (s, t, g) => naive.backward(s, t, g),
    };
    const reason = 'naive has no plan() (an optional member; CONTRACT.PLAN does not apply)';
    expect(planContract.applies!(plain)).toBe(reason);
    expect(planContract.applies!(naive)).toBeUndefined();
    expect(await planContract.check(plain, maxCase, DEFAULT_POLICY)).toEqual({ status: 'unsupported', reason });
  });

  test('the plans are asked for the case: its spec, shape and layout; the second values-only', async () => {
    const asked: unknown[][] = [];
    const b = backend({ plan: async (...args: Parameters<typeof naive.plan>) => { asked.push(args); return naive.plan(...args); } });
    expect(await planContract.check(b, lastCase, DEFAULT_POLICY)).toEqual({ status: 'pass' });
    expect(asked).toEqual([[maxSpec, [1, 4, 1], 'channels_last'], [maxSpec, [1, 4, 1], 'channels_last', { indices: false }]]);
    asked.length = 0;
    await planContract.check(b, sumCase, DEFAULT_POLICY);
    expect(asked[0]![2]).toBe('channels_first');
  });

  test('max under indices: unchecked, with a forward() that returns no indices, passes (the plan\'s indices are not compared)', async () => {
    const b = backend({
      forward: async (s: PoolSpec, t: Tensor) => ({ y: (await naive.forward(s, t)).y }),
      plan: async (...args: Parameters<typeof naive.plan>) => {
        const p = await naive.plan(...args);
        if (args[3]?.indices === false) return p;
        return { ...p, outShape: p.outShape, forward: async (xx: Tensor, out: ForwardOut) => { await p.forward(xx, out); out.indices?.fill(7); } };
      },
    });
    expect(await planContract.check(b, maxCase, resolvePolicy({ indices: 'unchecked' }))).toEqual({ status: 'pass' });
  });

  test('a sum plan is handed no indices array', async () => {
    const b = forwardWith(async (orig, xx, out) => { if (out.indices) throw new Error('indices for a sum'); await orig(xx, out); }, true);
    expect(await planContract.check(b, sumCase, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  const failing: readonly [string, () => PoolingBackend & { disposed: number }, GradCase, string][] = [
    ['the wrong outShape', () => planning((p) => ({ ...p, outShape: [1, 1, 3] })), maxCase,
      'plan().outShape [1,1,3] ≠ forward()\'s output shape [1,1,2] (CONTRACT.PLAN)'],
    ['an outShape that is not an array', () => planning((p) => ({ ...p, outShape: '1,1,2' as unknown as number[] })), maxCase,
      'plan().outShape [1,1,2] ≠ forward()\'s output shape [1,1,2] (CONTRACT.PLAN)'],
    ['forward leaves one element of y as it was', () => forwardWith(async (orig, xx, out) => { const y = new Float32Array(2); await orig(xx, { ...out, y }); out.y.set(y.subarray(0, 1)); }), maxCase,
      'plan.forward() left y[0,0,1] unwritten (outputs pre-filled with a NaN sentinel, x) (CONTRACT.PLAN)'],
    ['forward writes only on its first call (reused outputs keep x\'s result)', () => forwardWith(async (orig, xx, out, n) => { if (n === 0) await orig(xx, out); }), maxCase,
      'y[0,0,0] = 3, expected exactly -0.5 (CONTRACT.PLAN: plan.forward() ≠ forward() (reused outputs, a second x))'],
    ['forward writes only on its first two calls (the finite sentinel shows)', () => forwardWith(async (orig, xx, out, n) => { if (n < 2) await orig(xx, out); }), sumCase,
      'plan.forward() left y[0,0,0] unwritten (outputs pre-filled with a finite sentinel, a second x) (CONTRACT.PLAN)'],
    ['forward writes a wrong y', () => forwardWith(async (orig, xx, out) => { await orig(xx, out); out.y[0] = out.y[0]! * 2; }), maxCase,
      'y[0,0,0] = 6, expected exactly 3 (CONTRACT.PLAN: plan.forward() ≠ forward() (outputs pre-filled with a NaN sentinel, x))'],
    ['forward writes wrong indices', () => forwardWith(async (orig, xx, out) => { await orig(xx, out); out.indices![1] = 3; }), maxCase,
      'indices[0,0,1] = 3, expected exactly 2 (CONTRACT.PLAN: plan.forward() indices ≠ forward()\'s (outputs pre-filled with a NaN sentinel, x))'],
    ['forward writes indices only on its first two calls', () => forwardWith(async (orig, xx, out, n) => { const keep = Int32Array.from(out.indices!); await orig(xx, out); if (n >= 2) out.indices!.set(keep); }), sameIdx,
      `indices[0,0,0] = ${0x5a5a5a5a}, expected exactly 1 (CONTRACT.PLAN: plan.forward() indices ≠ forward()'s (outputs pre-filled with a finite sentinel, a second x))`],
    ['backward leaves one element of dx as it was', () => backwardWith(async (orig, xx, g, dx) => { const d = new Float32Array(4); await orig(xx, g, d); dx.set(d.subarray(0, 2)); dx.set(d.subarray(3), 3); }), sumCase,
      'plan.backward() left dx[0,0,2] unwritten (outputs pre-filled with a NaN sentinel, x) (CONTRACT.PLAN)'],
    ['backward writes only on its first call', () => backwardWith(async (orig, xx, g, dx, n) => { if (n === 0) await orig(xx, g, dx); }), sumCase,
      'dx[0,0,2] = 2, expected exactly 4 (CONTRACT.PLAN: plan.backward() ≠ backward() (reused outputs, a second x))'],
    ['backward writes only on its first two calls', () => backwardWith(async (orig, xx, g, dx, n) => { if (n < 2) await orig(xx, g, dx); }), sumCase,
      'plan.backward() left dx[0,0,0] unwritten (outputs pre-filled with a finite sentinel, a second x) (CONTRACT.PLAN)'],
    ['backward writes a wrong dx', () => backwardWith(async (orig, xx, g, dx) => { await orig(xx, g, dx); dx[3] = 5; }), sumCase,
      'dx[0,0,3] = 5, expected exactly 2 (CONTRACT.PLAN: plan.backward() ≠ backward() (outputs pre-filled with a NaN sentinel, x))'],
    ['a values-only plan writes indices', () => planning((p, o) => (o?.indices === false ? { ...p, outShape: p.outShape, forward: async (xx, out) => { await p.forward(xx, out); if (out.indices) out.indices[1] = 2; } } : p)), maxCase,
      'a values-only plan (indices: false) wrote indices[0,0,1] (CONTRACT.PLAN)'],
    ['a values-only plan leaves one element of y', () => planning((p, o) => (o?.indices === false ? { ...p, outShape: p.outShape, forward: async (xx, out) => { const keep = out.y[0]!; await p.forward(xx, out); out.y[0] = keep; } } : p)), maxCase,
      'a values-only plan left y[0,0,0] unwritten (CONTRACT.PLAN)'],
    ['a values-only plan writes a wrong y', () => planning((p, o) => (o?.indices === false ? { ...p, outShape: p.outShape, forward: async (xx, out) => { await p.forward(xx, out); out.y[1] = -2; } } : p)), maxCase,
      'y[0,0,1] = -2, expected exactly 2 (CONTRACT.PLAN: a values-only plan\'s y ≠ forward()\'s)'],
    ['plan.forward() throws', () => forwardWith(async () => { throw new Error('no'); }), maxCase,
      'plan.forward() threw Error: no on a case supports() accepted (CONTRACT.PLAN)'],
    ['plan.backward() throws', () => backwardWith(async () => { throw new RangeError('no'); }), maxCase,
      'plan.backward() threw RangeError: no on a case supports() accepted (CONTRACT.PLAN)'],
    ['a values-only plan\'s forward throws', () => planning((p, o) => (o?.indices === false ? { ...p, outShape: p.outShape, forward: async () => { throw new Error('v'); } } : p)), maxCase,
      'plan.forward() of a values-only plan threw Error: v on a case supports() accepted (CONTRACT.PLAN)'],
    ['dispose throws', () => planning((p) => ({ ...p, outShape: p.outShape, dispose: () => { throw new Error('d'); } })), sumCase,
      'plan.dispose() threw Error: d on a case supports() accepted (CONTRACT.PLAN)'],
  ];
  test.each(failing)('%s: fails, and both plans it got are disposed', async (_name, make, c, message) => {
    const b = make();
    expect(failure(await planContract.check(b, c, DEFAULT_POLICY))).toBe(message);
    if (!message.startsWith('plan.dispose()')) expect(b.disposed).toBe(message.includes('values-only') ? 2 : 1);
  });

  test('an expected element that equals the sentinel is not taken for an unwritten one', async () => {
    // avg by D = fround(−1/S) (S the finite sentinel): at the second input, dy = [−1, 2], dx[0] = dx[1] = −1/D = S exactly.
    const S = Math.fround(-1.2345678e-21);
    const D = Math.fround(-1 / S);
    const c: GradCase = { spec: { ...sumSpec, kind: 'avg', divisorOverride: D }, x, dy: { shape: [1, 1, 2], data: Float32Array.from([0, 1]) }, profile: 'finite' };
    expect((await naive.backward(c.spec, x, { shape: [1, 1, 2], data: Float32Array.from([-1, 2]) })).data[0]).toBe(S);
    expect(await planContract.check(naive, c, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('reused outputs are compared, not searched for the sentinel: a stale y or dx equal to it is reported as a wrong value', async () => {
    const S = Math.fround(-1.2345678e-21);
    // max over [S, −1]: y[0] = S on x; the second input's window is [−S + 0.5, 1 + 1.5] → 2.5.
    const staleY = forwardWith(async (orig, xx, out, n) => { if (n === 0) await orig(xx, out); });
    const cy: GradCase = { ...maxCase, x: { shape: [1, 1, 4], data: Float32Array.from([S, -1, 2, 0]) } };
    expect(failure(await planContract.check(staleY, cy, DEFAULT_POLICY))).toBe(`y[0,0,0] = ${S}, expected exactly 2.5 (CONTRACT.PLAN: plan.forward() ≠ forward() (reused outputs, a second x))`);
    // sum with dy [S, 1]: dx[0] = S on x; the second dy is [2S − 1, 2] → dx[0] = −1.
    const staleDx = backwardWith(async (orig, xx, g, d, n) => { if (n === 0) await orig(xx, g, d); });
    const cd: GradCase = { ...sumCase, dy: { shape: [1, 1, 2], data: Float32Array.from([S, 1]) } };
    expect(failure(await planContract.check(staleDx, cd, DEFAULT_POLICY))).toBe(`dx[0,0,0] = ${S}, expected exactly -1 (CONTRACT.PLAN: plan.backward() ≠ backward() (reused outputs, a second x))`);
  });

  test('a sum whose forward() returns indices anyway: the plan\'s indices are not compared (MAX.INDEX is max only)', async () => {
    const b = backend({ forward: async (s: PoolSpec, t: Tensor) => ({ ...(await naive.forward(s, t)), indices: Int32Array.from([0, 2]) }) });
    expect(await planContract.check(b, sumCase, DEFAULT_POLICY)).toEqual({ status: 'pass' });
  });

  test('a values-only plan that writes the first index fails; one whose dispose() throws fails naming it', async () => {
    const first = planning((p, o) => (o?.indices === false ? { ...p, outShape: p.outShape, forward: async (xx, out) => { await p.forward(xx, out); if (out.indices) out.indices[0] = 1; } } : p));
    expect(failure(await planContract.check(first, maxCase, DEFAULT_POLICY))).toBe('a values-only plan (indices: false) wrote indices[0,0,0] (CONTRACT.PLAN)');
    const disposeThrows = planning((p, o) => (o?.indices === false ? { ...p, outShape: p.outShape, dispose: () => { throw new Error('vd'); } } : p));
    expect(failure(await planContract.check(disposeThrows, maxCase, DEFAULT_POLICY))).toBe('plan.dispose() threw Error: vd on a case supports() accepted (CONTRACT.PLAN)');
  });

  test('plan() rejecting fails; the values-only plan() rejecting fails', async () => {
    const rejects = backend({ plan: async () => { throw new ValidationError('spec', 'PARAM.KIND', 'x', 0); } });
    expect(failure(await planContract.check(rejects, maxCase, DEFAULT_POLICY)))
      .toBe('plan() threw ValidationError: spec: x (PARAM.KIND), got 0 on a case supports() accepted (CONTRACT.PLAN)');
    const valuesOnly = backend({ plan: async (...args: Parameters<typeof naive.plan>) => { if (args[3]?.indices === false) throw new Error('vo'); return naive.plan(...args); } });
    expect(failure(await planContract.check(valuesOnly, maxCase, DEFAULT_POLICY)))
      .toBe('plan(…, { indices: false }) threw Error: vo on a case supports() accepted (CONTRACT.PLAN)');
  });

  test('a plan() that resolves to no plan fails saying so (not with the TypeError of its first use)', async () => {
    const resolvesTo = (value: unknown, valuesOnlyOnly = false) => backend({
      plan: async (...args: Parameters<typeof naive.plan>) => (valuesOnlyOnly && args[3]?.indices !== false ? naive.plan(...args) : value),
    });
    expect(failure(await planContract.check(resolvesTo(undefined), maxCase, DEFAULT_POLICY))).toBe('plan() resolved to undefined, not a PoolPlan (CONTRACT.PLAN)');
    expect(failure(await planContract.check(resolvesTo(null), maxCase, DEFAULT_POLICY))).toBe('plan() resolved to null, not a PoolPlan (CONTRACT.PLAN)');
    const p = await naive.plan(maxSpec, [1, 1, 4]);
    const noDispose = { outShape: p.outShape, forward: (t: Tensor, out: ForwardOut) => p.forward(t, out), backward: (t: Tensor, g: Tensor, d: Float32Array) => p.backward(t, g, d) };
    expect(failure(await planContract.check(resolvesTo(noDispose), maxCase, DEFAULT_POLICY)))
      .toBe('plan() resolved to an object without forward(), backward() and dispose(), not a PoolPlan (CONTRACT.PLAN)');
    expect(failure(await planContract.check(resolvesTo(7, true), maxCase, DEFAULT_POLICY))).toBe('plan(…, { indices: false }) resolved to 7, not a PoolPlan (CONTRACT.PLAN)');
  });

  test('a plan() that never settles fails after the call bound (the bound\'s own verdict, not a throw)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hangs = backend({ plan: () => new Promise(() => undefined) });
    const pending = planContract.check(hangs, maxCase, DEFAULT_POLICY);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    await vi.advanceTimersByTimeAsync(CALL_TIMEOUT_MS);
    const v = await settled(pending);
    expect(v).not.toBe(HUNG);
    expect(failure(v as Verdict)).toBe(`plan() did not settle within ${CALL_TIMEOUT_MS / 1000} s`);
  });
});
