/**
 * What a property is, and the safe ways for a property to call a backend: every call is checked against the
 * contract (shapes, types, supports) and bounded in time, so a misbehaving backend yields a verdict, not a crash
 * or a hang.
 */
import type fc from 'fast-check';
import type { ForwardResult, Layout, PoolSpec, PoolingBackend, PoolingCapabilities, Tensor } from '../contract.js';
import { isForwardOnlyAware } from '../extensions.js';
import { poolGeometry } from '../geometry.js';
import { ValidationError } from '../errors.js';
import { accepts, describeAcceptance, formatNumber, type Acceptance } from '../interval.js';
import type { Policy } from '../policy.js';

export type Verdict =
  | { readonly status: 'pass'; readonly unconstrained?: number }
  | { readonly status: 'fail'; readonly message: string; readonly mismatch?: Mismatch }
  /** `backward`: declined by supportsBackward() (ForwardOnlyBackend), not by supports(). */
  | { readonly status: 'unsupported'; readonly reason: string; readonly backward?: true };

export interface Mismatch {
  /** Which tensor: 'y', 'indices', 'dx', ... */
  readonly tensor: string;
  /** Flat index into it and the multi-index in its shape. */
  readonly flat: number;
  readonly position: readonly number[];
  readonly expected: string;
  readonly got: string;
}

export interface Property<C> {
  /** Stable ID, used by --property and in reports (e.g. 'diff.forward'). */
  readonly id: string;
  readonly title: string;
  /** SPEC.md clause IDs this property checks. */
  readonly clauses: readonly string[];
  /** The cases drawn for a backend without capabilities. */
  readonly arbitrary: fc.Arbitrary<C>;
  /**
   * The same cases, most of them narrowed to a backend's declared capabilities (spec/arbitraries/spec.ts keeps a
   * share unconstrained). Absent: `arbitrary` is drawn for every backend.
   */
  readonly arbitraryFor?: (capabilities: PoolingCapabilities) => fc.Arbitrary<C>;
  /** The property calls backward(): n/a at once on a backend whose capabilities say `backward: false`. */
  readonly usesBackward?: boolean;
  /**
   * Why the property cannot run on this backend at all (a member it needs is absent), or undefined. The verifier
   * then reports it unsupported with this reason without drawing a case.
   */
  applies?(backend: PoolingBackend): string | undefined;
  check(backend: PoolingBackend, c: C, policy: Policy): Promise<Verdict>;
}

export const PASS: Verdict = { status: 'pass' };

/** `arbitrary` and `arbitraryFor` from one builder: called without capabilities for the first. */
export function narrowable<C>(build: (capabilities?: PoolingCapabilities) => fc.Arbitrary<C>): Pick<Property<C>, 'arbitrary' | 'arbitraryFor'> {
  return { arbitrary: build(), arbitraryFor: build };
}

export function fail(message: string, mismatch?: Mismatch): Verdict {
  return mismatch ? { status: 'fail', message, mismatch } : { status: 'fail', message };
}

/** Thrown inside a property to end the case with a verdict (keeps property code linear). */
export class VerdictSignal extends Error {
  constructor(readonly verdict: Verdict) {
    super(verdict.status === 'fail' ? verdict.message : verdict.status);
  }
}

/** Milliseconds a single backend call may take before it counts as a hang. */
export const CALL_TIMEOUT_MS = 30_000;

export async function bounded<T>(what: string, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new VerdictSignal(fail(`${what} did not settle within ${CALL_TIMEOUT_MS / 1000} s`))), CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(work), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Clones a tensor so the backend cannot touch the property's copy (CONTRACT.PURE is checked separately). */
export function cloneTensor(t: Tensor): Tensor {
  return { shape: [...t.shape], data: new Float32Array(t.data), layout: t.layout ?? 'channels_first' };
}

/** Asks `supports`; a decline ends the case as unsupported. */
export function requireSupport(backend: PoolingBackend, spec: PoolSpec, shape: readonly number[], layout: Layout): void {
  let answer;
  try {
    answer = backend.supports(spec, shape, layout);
  } catch (e) {
    throw new VerdictSignal(fail(`supports() threw ${describeError(e)} (CONTRACT.SUPPORTS)`));
  }
  if (!answer || typeof answer !== 'object' || typeof answer.ok !== 'boolean') {
    throw new VerdictSignal(fail(`supports() returned ${JSON.stringify(answer)}, not { ok: boolean } (CONTRACT.SUPPORTS)`));
  }
  if (!answer.ok) throw new VerdictSignal({ status: 'unsupported', reason: answer.reason });
}

/** Runs forward on a supported, valid case and checks the result's structure (shape, dtype, layout, indices). */
export async function runForward(backend: PoolingBackend, spec: PoolSpec, x: Tensor, policy: Policy): Promise<ForwardResult> {
  const layout = x.layout ?? 'channels_first';
  requireSupport(backend, spec, x.shape, layout);
  let r: ForwardResult;
  try {
    r = await bounded('forward()', () => backend.forward(spec, cloneTensor(x)));
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`forward() threw ${describeError(e)} on a case supports() accepted (CONTRACT.SUPPORTS)`));
  }
  const g = poolGeometry(spec, x.shape, layout);
  const y = r?.y;
  if (!y || !(y.data instanceof Float32Array)) throw new VerdictSignal(fail('forward() result.y.data is not a Float32Array (TENSOR.DTYPE)'));
  if (!Array.isArray(y.shape) || y.shape.join(',') !== g.outShape.join(',')) {
    // String(), not join(): a shape that is not an array (a string, an object) must end in this verdict, not a TypeError.
    throw new VerdictSignal(fail(`forward() output shape [${String(y.shape)}] ≠ expected [${g.outShape.join(',')}] (SHAPE.OUT, SHAPE.CEIL)`));
  }
  if (y.data.length !== g.batch * g.channels * g.outPlane) throw new VerdictSignal(fail(`forward() output data length ${y.data.length} ≠ ${g.batch * g.channels * g.outPlane} (TENSOR.LENGTH)`));
  if ((y.layout ?? 'channels_first') !== layout) throw new VerdictSignal(fail(`forward() output layout ${y.layout} ≠ input layout ${layout} (TENSOR.LAYOUT)`));
  if (spec.kind === 'max' && policy.indices === 'plane') {
    if (!(r.indices instanceof Int32Array) || r.indices.length !== y.data.length) {
      throw new VerdictSignal(fail('forward() of a max pool must return indices as an Int32Array with one entry per output (MAX.INDEX)'));
    }
  }
  return r;
}

/** Asks a forward-only-aware backend's supportsBackward(); a decline ends the case as unsupported (backward). */
export function requireBackwardSupport(backend: PoolingBackend, spec: PoolSpec, shape: readonly number[], layout: Layout): void {
  if (!isForwardOnlyAware(backend)) return;
  let answer;
  try {
    answer = backend.supportsBackward(spec, shape, layout);
  } catch (e) {
    throw new VerdictSignal(fail(`supportsBackward() threw ${describeError(e)} (CONTRACT.SUPPORTS)`));
  }
  if (answer && typeof answer === 'object' && answer.ok === false) throw new VerdictSignal({ status: 'unsupported', reason: answer.reason, backward: true });
}

export async function runBackward(backend: PoolingBackend, spec: PoolSpec, x: Tensor, dy: Tensor): Promise<Tensor> {
  const layout = x.layout ?? 'channels_first';
  requireSupport(backend, spec, x.shape, layout);
  requireBackwardSupport(backend, spec, x.shape, layout);
  let dx: Tensor;
  try {
    dx = await bounded('backward()', () => backend.backward(spec, cloneTensor(x), cloneTensor(dy)));
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`backward() threw ${describeError(e)} on a case supports() accepted (CONTRACT.SUPPORTS)`));
  }
  if (!dx || !(dx.data instanceof Float32Array)) throw new VerdictSignal(fail('backward() result.data is not a Float32Array (TENSOR.DTYPE)'));
  if (!Array.isArray(dx.shape) || dx.shape.join(',') !== x.shape.join(',')) {
    throw new VerdictSignal(fail(`backward() dx shape [${String(dx.shape)}] ≠ input shape [${x.shape.join(',')}] (GRAD.SHAPE)`));
  }
  if (dx.data.length !== x.data.length) throw new VerdictSignal(fail(`backward() dx length ${dx.data.length} ≠ ${x.data.length} (TENSOR.LENGTH)`));
  // GRAD.SHAPE: dx has x's layout. Without this a channels_last dx labelled channels_first (or the reverse) would be
  // read element by element as if it were in x's layout and pass wherever the values happen to match.
  if ((dx.layout ?? 'channels_first') !== layout) {
    throw new VerdictSignal(fail(`backward() dx layout ${dx.layout ?? 'channels_first (absent)'} ≠ input layout ${layout} (GRAD.SHAPE)`));
  }
  return dx;
}

/** Decodes a flat index into a multi-index of a row-major shape. */
export function positionOf(shape: readonly number[], flat: number): number[] {
  const pos = new Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    pos[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return pos;
}

/**
 * GRAD.SHAPE for a member interface's backward result (`caller`, e.g. 'reducers.backward()'): dx is a Float32Array
 * tensor of x's shape and layout, or this is the failure. The layout matters too: a mislabelled dx would be read in
 * the wrong order wherever the shapes agree.
 */
export function dxShapeFailure(dx: Tensor | undefined, x: Tensor, caller: string): Verdict | undefined {
  if (!(dx?.data instanceof Float32Array) || !Array.isArray(dx.shape) || dx.shape.join(',') !== x.shape.join(',')) {
    return fail(`${caller} dx shape [${String(dx?.shape)}] ≠ [${x.shape.join(',')}] (GRAD.SHAPE)`);
  }
  const layout = x.layout ?? 'channels_first';
  if ((dx.layout ?? 'channels_first') !== layout) {
    return fail(`${caller} dx layout ${dx.layout ?? 'channels_first (absent)'} ≠ input layout ${layout} (GRAD.SHAPE)`);
  }
  return undefined;
}

/**
 * A result with more or fewer elements than expected fails outright: the element loops below walk the expected
 * elements only, so without this an empty expectation (or a longer result) would pass unseen.
 */
function lengthMismatch(tensor: string, shape: readonly number[], got: number, expected: number, clause: string): Verdict | undefined {
  if (got === expected) return undefined;
  return fail(`${tensor} has ${got} elements, expected ${expected} (shape [${shape.join(', ')}]; ${clause})`);
}

/** Checks every element against its acceptance set; the first mismatch fails the case. */
export function compareAll(
  tensor: string, shape: readonly number[], got: ArrayLike<number>, expected: readonly Acceptance[], clause: string,
): Verdict {
  const count = lengthMismatch(tensor, shape, got.length, expected.length, clause);
  if (count) return count;
  let unconstrained = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = expected[i]!;
    if (a.kind === 'unconstrained') unconstrained++;
    if (!accepts(a, got[i]!)) {
      return fail(`${tensor}${JSON.stringify(positionOf(shape, i))} = ${formatNumber(got[i]!)}, expected ${describeAcceptance(a)} (${clause})`, {
        tensor, flat: i, position: positionOf(shape, i), expected: describeAcceptance(a), got: formatNumber(got[i]!),
      });
    }
  }
  return unconstrained > 0 ? { status: 'pass', unconstrained } : PASS;
}

/** Exact equality of two results (bitwise, NaN = NaN), for metamorphic properties of exact quantities. */
export function compareExact(tensor: string, shape: readonly number[], got: ArrayLike<number>, want: ArrayLike<number>, clause: string): Verdict {
  const count = lengthMismatch(tensor, shape, got.length, want.length, clause);
  if (count) return count;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) {
      return fail(`${tensor}${JSON.stringify(positionOf(shape, i))} = ${formatNumber(a)}, expected exactly ${formatNumber(b)} (${clause})`, {
        tensor, flat: i, position: positionOf(shape, i), expected: formatNumber(b), got: formatNumber(a),
      });
    }
  }
  return PASS;
}

/** Wraps a property body: VerdictSignals become verdicts; a ValidationError from the reference is a bug here. */
export async function verdictOf(body: () => Promise<Verdict>): Promise<Verdict> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof VerdictSignal) return e.verdict;
    if (e instanceof ValidationError) throw new Error(`generator produced an invalid case: ${e.message}`, { cause: e });
    throw e;
  }
}
