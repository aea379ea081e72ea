/**
 * CONTRACT.*: hygiene every backend owes its callers, whatever its arithmetic: inputs untouched, results
 * reproducible and not aliased between calls, invalid input refused rather than answered, and (where a backend
 * has the optional plan()) caller-provided outputs filled exactly as the plain calls would fill new ones.
 */
import fc from 'fast-check';
import type { PoolSpec, Tensor } from '../contract.js';
import { isPlanning } from '../extensions.js';
import { gradCaseArbitrary, poolCaseArbitrary, type GradCase, type PoolCase } from '../arbitraries/case.js';
import {
  CALL_TIMEOUT_MS, PASS, VerdictSignal, bounded, cloneTensor, compareExact, describeError, fail, narrowable, positionOf, requireBackwardSupport,
  requireSupport, runBackward,
  runForward, verdictOf, type Property, type Verdict,
} from './property.js';

function snapshot(t: Tensor): { shape: string; data: Uint32Array; layout: string | undefined } {
  return { shape: JSON.stringify(t.shape), data: new Uint32Array(new Float32Array(t.data).buffer), layout: t.layout };
}

function unchanged(t: Tensor, s: ReturnType<typeof snapshot>): boolean {
  if (JSON.stringify(t.shape) !== s.shape || t.layout !== s.layout) return false;
  const now = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
  return now.length === s.data.length && now.every((v, i) => v === s.data[i]);
}

export const purity: Property<GradCase> = {
  id: 'contract.pure',
  title: 'forward and backward leave their inputs (spec, x, dy) untouched',
  clauses: ['CONTRACT.PURE'],
  ...narrowable((capabilities) => gradCaseArbitrary({ capabilities })),
  usesBackward: true,
  check: (backend, c) => verdictOf(async () => {
    const layout = c.x.layout ?? 'channels_first';
    requireSupport(backend, c.spec, c.x.shape, layout);
    requireBackwardSupport(backend, c.spec, c.x.shape, layout);
    const specBefore = JSON.stringify(c.spec);
    const x = { shape: [...c.x.shape], data: new Float32Array(c.x.data), layout };
    const dy = { shape: [...c.dy.shape], data: new Float32Array(c.dy.data), layout };
    const xs = snapshot(x);
    const dys = snapshot(dy);
    const spec = JSON.parse(specBefore) as PoolSpec;
    try {
      await backend.forward(spec, x);
      if (!unchanged(x, xs)) return fail('forward() modified its input x (CONTRACT.PURE)');
      await backend.backward(spec, x, dy);
    } catch (e) {
      return fail(`a supported call threw ${(e as Error).message ?? e} (CONTRACT.SUPPORTS)`);
    }
    if (!unchanged(x, xs)) return fail('backward() modified its input x (CONTRACT.PURE)');
    if (!unchanged(dy, dys)) return fail('backward() modified its input dy (CONTRACT.PURE)');
    if (JSON.stringify(spec) !== specBefore) return fail('a call modified the spec object (CONTRACT.PURE)');
    return PASS;
  }),
};

export const determinism: Property<GradCase> = {
  id: 'contract.deterministic',
  title: 'repeated calls give bit-identical results',
  clauses: ['CONTRACT.DETERMINISTIC'],
  ...narrowable((capabilities) => gradCaseArbitrary({ capabilities })),
  usesBackward: true,
  check: (backend, c, policy) => verdictOf(async () => {
    const a = await runForward(backend, c.spec, c.x, policy);
    const ya = new Float32Array(a.y.data);
    const b = await runForward(backend, c.spec, c.x, policy);
    let v = compareExact('y', a.y.shape, b.y.data, ya, 'CONTRACT.DETERMINISTIC');
    if (v.status !== 'pass') return v;
    if (a.indices && b.indices) {
      v = compareExact('indices', a.y.shape, b.indices, a.indices, 'CONTRACT.DETERMINISTIC');
      if (v.status !== 'pass') return v;
    }
    const da = await runBackward(backend, c.spec, c.x, c.dy);
    const dxa = new Float32Array(da.data);
    const db = await runBackward(backend, c.spec, c.x, c.dy);
    return compareExact('dx', c.x.shape, db.data, dxa, 'CONTRACT.DETERMINISTIC');
  }),
};

/** Two inputs of the same shape: the second is the first with every element changed. */
export const isolation: Property<GradCase> = {
  id: 'contract.isolation',
  title: 'calls on different inputs do not leak into each other (sequential, interleaved and concurrent)',
  clauses: ['CONTRACT.ISOLATION'],
  ...narrowable((capabilities) => gradCaseArbitrary({ profiles: ['finite', 'ties'], capabilities })),
  usesBackward: true,
  check: (backend, c, policy) => verdictOf(async () => {
    const other: Tensor = { ...c.x, data: Float32Array.from(c.x.data, (v, i) => -v + (i % 5) + 0.5) };
    const otherDy: Tensor = { ...c.dy, data: Float32Array.from(c.dy.data, (v, i) => v * 2 + (i % 3) - 1) };
    const clause = 'CONTRACT.ISOLATION';
    const a1 = await runForward(backend, c.spec, c.x, policy);
    const y1 = new Float32Array(a1.y.data);
    const i1 = a1.indices ? new Int32Array(a1.indices) : undefined;
    const b1 = await runForward(backend, c.spec, other, policy);
    const yb = new Float32Array(b1.y.data);
    // Earlier results must survive later calls (no shared output buffers), values and indices alike.
    const checks: (() => Verdict)[] = [
      () => compareExact('y', a1.y.shape, a1.y.data, y1, `${clause}: an earlier result changed after a later call`),
      () => (i1 ? compareExact('indices', a1.y.shape, a1.indices!, i1, `${clause}: earlier indices changed after a later call`) : PASS),
    ];
    const d1 = await runBackward(backend, c.spec, c.x, c.dy);
    const dx1 = new Float32Array(d1.data);
    await runBackward(backend, c.spec, other, otherDy);
    checks.push(() => compareExact('dx', c.x.shape, d1.data, dx1, `${clause}: an earlier gradient changed after a later call`));
    const a2 = await runForward(backend, c.spec, c.x, policy);
    checks.push(() => compareExact('y', a1.y.shape, a2.y.data, y1, `${clause}: same input, different result after another input`));
    const [a3, b3] = await Promise.all([runForward(backend, c.spec, c.x, policy), runForward(backend, c.spec, other, policy)]);
    checks.push(() => compareExact('y', a1.y.shape, a3.y.data, y1, `${clause}: concurrent calls`));
    checks.push(() => compareExact('y', b1.y.shape, b3.y.data, yb, `${clause}: concurrent calls`));
    for (const check of checks) {
      const v = check();
      if (v.status !== 'pass') return v;
    }
    return PASS;
  }),
};

interface BadInput { readonly rule: string; readonly spec: unknown; readonly x: unknown }

/** Invalid variants of a valid case, one broken rule each (SPEC.md §VALID). */
function breakCase(c: PoolCase, which: number): BadInput {
  const s = c.spec;
  const d = s.kernel.length;
  const x = c.x;
  const variants: BadInput[] = [
    { rule: 'PARAM.KERNEL (0)', spec: { ...s, kernel: s.kernel.map((k, i) => (i === 0 ? 0 : k)) }, x },
    { rule: 'PARAM.STRIDE (negative)', spec: { ...s, strides: s.strides.map((v, i) => (i === d - 1 ? -1 : v)) }, x },
    { rule: 'PARAM.DILATION (non-integer)', spec: { ...s, dilations: s.dilations.map((v, i) => (i === 0 ? 1.5 : v)) }, x },
    { rule: 'PARAM.PADS (wrong length)', spec: { ...s, pads: s.pads.slice(1) }, x },
    { rule: 'PARAM.FINITE (NaN stride)', spec: { ...s, strides: s.strides.map((v, i) => (i === 0 ? NaN : v)) }, x },
    { rule: 'PARAM.RANK (rank 4)', spec: { ...s, kernel: [1, 1, 1, 1], strides: [1, 1, 1, 1], dilations: [1, 1, 1, 1], pads: new Array(8).fill(0) }, x },
    { rule: 'TENSOR.LENGTH', spec: s, x: { ...x, data: x.data.slice(0, x.data.length - 1) } },
    { rule: 'TENSOR.DTYPE', spec: s, x: { ...x, data: Float64Array.from(x.data) } },
    { rule: 'WINDOW.FITS', spec: { ...s, kernel: s.kernel.map((k, i) => (i === 0 ? k + 64 : k)), pads: s.pads.map(() => 0) }, x },
    { rule: 'LP.P (p ≤ 0)', spec: { ...s, kind: 'lp', p: 0 }, x },
    { rule: 'LP.P (p not a float32)', spec: { ...s, kind: 'lp', p: 0.1 }, x },
    { rule: 'AVG.OVERRIDE (0)', spec: { ...s, kind: 'avg', divisorOverride: 0 }, x },
    { rule: 'AVG.OVERRIDE (on max)', spec: { ...s, kind: 'max', divisorOverride: 2 }, x },
    { rule: 'PARAM.FLAGS (ceilMode not boolean)', spec: { ...s, ceilMode: 'yes' }, x },
    { rule: 'PARAM.KIND', spec: { ...s, kind: 'median' }, x },
    { rule: 'TENSOR.RANK', spec: s, x: { ...x, shape: [x.data.length] } },
    { rule: 'TENSOR.SHAPE (0 extent)', spec: s, x: { ...x, shape: x.shape.map((v, i) => (i === 0 ? 0 : v)), data: new Float32Array(0) } },
    { rule: 'TENSOR.LAYOUT', spec: s, x: { ...x, layout: 'NCHW' } },
    { rule: 'WINDOW.NONEMPTY', spec: { ...s, kernel: s.kernel.map(() => 2), dilations: s.dilations.map(() => 1), strides: s.strides.map(() => 1), pads: [...s.kernel.map(() => 0), ...s.kernel.map(() => 9)] }, x },
  ];
  return variants[which % variants.length]!;
}

export const refusal: Property<[PoolCase, number]> = {
  id: 'contract.supports',
  title: 'invalid input is declined by supports() or rejected by forward(), never answered',
  clauses: ['CONTRACT.SUPPORTS', 'PARAM.KIND', 'PARAM.KERNEL', 'PARAM.STRIDE', 'PARAM.DILATION', 'PARAM.PADS', 'PARAM.FINITE',
    'PARAM.FLAGS', 'PARAM.RANK', 'TENSOR.LENGTH', 'TENSOR.DTYPE', 'TENSOR.RANK', 'TENSOR.SHAPE', 'TENSOR.LAYOUT',
    'WINDOW.FITS', 'WINDOW.NONEMPTY', 'AVG.OVERRIDE', 'LP.P'],
  ...narrowable((capabilities) => fc.tuple(poolCaseArbitrary({ profiles: ['ties'], capabilities }), fc.nat({ max: 19 }))),
  check: (backend, [c, which]) => verdictOf(async () => {
    const bad = breakCase(c, which);
    const shape = (bad.x as Tensor).shape;
    let declined: boolean;
    try {
      declined = backend.supports(bad.spec as PoolSpec, shape, c.x.layout ?? 'channels_first').ok === false;
    } catch {
      declined = true; // throwing on an invalid spec is a refusal too
    }
    if (declined) return PASS;
    let answered = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        backend.forward(bad.spec as PoolSpec, bad.x as Tensor).then(() => { answered = true; }),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), CALL_TIMEOUT_MS); }),
      ]);
    } catch (e) {
      if ((e as Error).message === 'timeout') return fail(`forward() hung on invalid input (${bad.rule}) (CONTRACT.SUPPORTS)`);
      return PASS;
    } finally {
      clearTimeout(timer);
    }
    return answered ? fail(`forward() returned a result for invalid input breaking ${bad.rule} (CONTRACT.SUPPORTS)`) : PASS;
  }),
};

// --- CONTRACT.PLAN ----------------------------------------------------------------------------------------------

/**
 * Two fills for the caller's arrays, so that an element a plan never writes cannot pass unnoticed: a result equal
 * to one sentinel cannot equal the other. The float one is a NaN with a payload (a result that is NaN matches it
 * under compareExact, and is then caught by the finite fill); the int ones are no plane index.
 */
const SENTINEL_NAN_BITS = 0x7fa5a5a5;
const SENTINEL_FINITE = Math.fround(-1.2345678e-21);
const SENTINEL_INDICES = [-0x5a5a5a5a, 0x5a5a5a5a] as const;

function fillFloat(a: Float32Array, which: 0 | 1): void {
  if (which === 0) new Uint32Array(a.buffer, a.byteOffset, a.length).fill(SENTINEL_NAN_BITS);
  else a.fill(SENTINEL_FINITE);
}

/** The first element still holding the fill (bit for bit) where the expected result is something else; −1 if none. */
function unwritten(a: Float32Array, which: 0 | 1, expected: Float32Array): number {
  const bits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const want = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const fill = which === 0 ? SENTINEL_NAN_BITS : new Uint32Array(Float32Array.of(SENTINEL_FINITE).buffer)[0]!;
  return bits.findIndex((v, i) => v === fill && want[i] !== fill);
}

/**
 * A plan() that resolves to something other than a PoolPlan fails here, citing CONTRACT.PLAN, instead of ending in
 * the TypeError its first use would throw (for undefined: from the `finally` that disposes it, which hid the cause).
 */
function notAPlan(plan: unknown, what: string): Verdict | undefined {
  const members = plan !== null && typeof plan === 'object' ? plan as Record<string, unknown> : undefined;
  if (members && ['forward', 'backward', 'dispose'].every((m) => typeof members[m] === 'function')) return undefined;
  return fail(`${what} resolved to ${members ? 'an object without forward(), backward() and dispose()' : String(plan)}, not a PoolPlan (CONTRACT.PLAN)`);
}

async function planned<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await bounded(what, work);
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`${what} threw ${describeError(e)} on a case supports() accepted (CONTRACT.PLAN)`));
  }
}

/**
 * CONTRACT.PLAN, for a backend with the optional plan() (spec/contract.ts PlanningBackend); n/a, reported as
 * unsupported, for one without. Through a plan, into caller-provided arrays: y, the indices and dx equal the plain
 * forward()/backward() bit for bit; arrays pre-filled with a sentinel are overwritten everywhere; reused arrays
 * hold nothing of the previous call (a second input); a values-only plan writes the same y and leaves the indices
 * array it is handed alone.
 */
export const planContract: Property<GradCase> = {
  id: 'contract.plan',
  title: 'plan(): caller-provided outputs get forward()/backward()\'s results bit for bit, every element written on every call',
  clauses: ['CONTRACT.PLAN'],
  ...narrowable((capabilities) => gradCaseArbitrary({ capabilities })),
  usesBackward: true,
  applies: (backend) => (isPlanning(backend) ? undefined : `${backend.name} has no plan() (an optional member; CONTRACT.PLAN does not apply)`),
  check: (backend, c, policy) => verdictOf(async () => {
    if (!isPlanning(backend)) {
      return { status: 'unsupported', reason: `${backend.name} has no plan() (an optional member; CONTRACT.PLAN does not apply)` };
    }
    const clause = 'CONTRACT.PLAN';
    const layout = c.x.layout ?? 'channels_first';
    const x2: Tensor = { ...c.x, data: Float32Array.from(c.x.data, (v, i) => -v + (i % 5) + 0.5) };
    const dy2: Tensor = { ...c.dy, data: Float32Array.from(c.dy.data, (v, i) => v * 2 + (i % 3) - 1) };
    // The plain calls are the reference (runForward/runBackward check their structure and support).
    const want = [await runForward(backend, c.spec, c.x, policy), await runForward(backend, c.spec, x2, policy)] as const;
    const wantDx = [await runBackward(backend, c.spec, c.x, c.dy), await runBackward(backend, c.spec, x2, dy2)] as const;
    const outShape = want[0].y.shape;
    const n = want[0].y.data.length;
    const withIndices = c.spec.kind === 'max' && want[0].indices !== undefined;
    const plan = await planned('plan()', () => backend.plan(c.spec, [...c.x.shape], layout));
    const broken = notAPlan(plan, 'plan()');
    if (broken) return broken;
    try {
      if (!Array.isArray(plan.outShape) || plan.outShape.join(',') !== outShape.join(',')) {
        return fail(`plan().outShape [${String(plan.outShape)}] ≠ forward()'s output shape [${outShape.join(',')}] (${clause})`);
      }
      const y = new Float32Array(n);
      const indices = c.spec.kind === 'max' ? new Int32Array(n) : undefined;
      const dx = new Float32Array(c.x.data.length);
      // Step by step: a fill, then a call on x; the same arrays again on x2 (stale values); a second fill on x2.
      const steps: readonly { input: 0 | 1; fill?: 0 | 1 }[] = [{ input: 0, fill: 0 }, { input: 1 }, { input: 1, fill: 1 }];
      for (const step of steps) {
        const what = `${step.fill === undefined ? 'reused outputs' : step.fill === 0 ? 'outputs pre-filled with a NaN sentinel' : 'outputs pre-filled with a finite sentinel'}, ${step.input === 0 ? 'x' : 'a second x'}`;
        if (step.fill !== undefined) {
          fillFloat(y, step.fill);
          fillFloat(dx, step.fill);
          indices?.fill(SENTINEL_INDICES[step.fill]);
        }
        const input = step.input === 0 ? c.x : x2;
        await planned('plan.forward()', () => plan.forward(cloneTensor(input), { y, ...(indices ? { indices } : {}) }));
        const r = want[step.input];
        const left = step.fill === undefined ? -1 : unwritten(y, step.fill, r.y.data);
        if (left >= 0) return fail(`plan.forward() left y${JSON.stringify(positionOf(outShape, left))} unwritten (${what}) (${clause})`);
        let v = compareExact('y', outShape, y, r.y.data, `${clause}: plan.forward() ≠ forward() (${what})`);
        if (v.status !== 'pass') return v;
        if (withIndices) {
          v = compareExact('indices', outShape, indices!, r.indices!, `${clause}: plan.forward() indices ≠ forward()'s (${what})`);
          if (v.status !== 'pass') return v;
        }
        const grad = step.input === 0 ? c.dy : dy2;
        await planned('plan.backward()', () => plan.backward(cloneTensor(input), cloneTensor(grad), dx));
        const leftDx = step.fill === undefined ? -1 : unwritten(dx, step.fill, wantDx[step.input].data);
        if (leftDx >= 0) return fail(`plan.backward() left dx${JSON.stringify(positionOf(c.x.shape, leftDx))} unwritten (${what}) (${clause})`);
        v = compareExact('dx', c.x.shape, dx, wantDx[step.input].data, `${clause}: plan.backward() ≠ backward() (${what})`);
        if (v.status !== 'pass') return v;
      }
    } finally {
      await planned('plan.dispose()', async () => { await plan.dispose(); });
    }
    // A values-only plan: y as forward's; an indices array handed to it anyway stays as it was.
    const valuesOnly = await planned('plan(…, { indices: false })', () => backend.plan(c.spec, [...c.x.shape], layout, { indices: false }));
    const brokenValuesOnly = notAPlan(valuesOnly, 'plan(…, { indices: false })');
    if (brokenValuesOnly) return brokenValuesOnly;
    try {
      const y = new Float32Array(n);
      fillFloat(y, 1);
      const untouched = c.spec.kind === 'max' ? new Int32Array(n).fill(SENTINEL_INDICES[0]) : undefined;
      await planned('plan.forward() of a values-only plan', () => valuesOnly.forward(cloneTensor(c.x), { y, ...(untouched ? { indices: untouched } : {}) }));
      const left = unwritten(y, 1, want[0].y.data);
      if (left >= 0) return fail(`a values-only plan left y${JSON.stringify(positionOf(outShape, left))} unwritten (${clause})`);
      const v = compareExact('y', outShape, y, want[0].y.data, `${clause}: a values-only plan's y ≠ forward()'s`);
      if (v.status !== 'pass') return v;
      const touched = untouched?.findIndex((q) => q !== SENTINEL_INDICES[0]) ?? -1;
      if (touched >= 0) return fail(`a values-only plan (indices: false) wrote indices${JSON.stringify(positionOf(outShape, touched))} (${clause})`);
    } finally {
      await planned('plan.dispose()', async () => { await valuesOnly.dispose(); });
    }
    return PASS;
  }),
};
