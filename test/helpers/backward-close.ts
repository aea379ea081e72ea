/**
 * Backward of a backend against the naive backend, for backend tests (im2col, wasm) that promise more than the
 * spec: max and sum equal naive exactly (same taps, same f64 order, one rounding); avg and lp are within the
 * bound derived below. The spec's own check (ACC.GRAD) is the verifier's diff.backward.* properties.
 */
import { expect } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { avgDivisor, planeAddress } from '../../spec/geometry.js';
import { ETA32, accepts, describeAcceptance, gamma } from '../../spec/interval.js';
import { referenceBackward } from '../../spec/reference/backward.js';
import { referenceForward } from '../../spec/reference/forward.js';
import { planeWindows } from '../../spec/reference/windows.js';
import { validateForward } from '../../spec/validate.js';
import { forEachWinner } from './max-exact.js';

function sameFloat(a: number, b: number): boolean {
  return Number.isNaN(a) ? Number.isNaN(b) : Object.is(a, b);
}

/**
 * Per input element: m, the number of windows covering it, and mag = Σ_w |contribution of window w| (in f64),
 * the magnitude the backward bound is relative to. Only avg and lp use it.
 */
export function backwardMagnitudes(spec: PoolSpec, x: Tensor, dy: Tensor): { m: Int32Array; mag: Float64Array } {
  const g = validateForward(spec, x);
  const windows = planeWindows(spec, g);
  const m = new Int32Array(x.data.length);
  const mag = new Float64Array(x.data.length);
  const p = spec.p ?? 1;
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c);
      const at = (q: number): number => src.base + q * src.step;
      windows.forEach((w, o) => {
        const gy = Math.abs(dy.data[dst.base + o * dst.step]!);
        let y = 0;
        if (spec.kind === 'lp') {
          let s = 0;
          for (const q of w.taps) s += Math.pow(Math.abs(x.data[at(q)]!), p);
          y = Math.pow(s, 1 / p);
        }
        const divisor = spec.kind === 'avg' ? Math.abs(avgDivisor(spec, w.axes)) : 1;
        for (const q of w.taps) {
          m[at(q)]! += 1;
          const v = Math.abs(x.data[at(q)]!);
          mag[at(q)]! += spec.kind === 'avg' ? gy / divisor : spec.kind === 'sum' ? gy
            : v === 0 || y === 0 ? 0 : gy * Math.pow(v, p - 1) * Math.pow(y, 1 - p);
        }
      });
    }
  }
  return { m, mag };
}

/**
 * Per input element, for max: m, the number of outputs whose MAX.SELECT index it is (the reference's), and
 * mag = Σ|dy| over them.
 */
function maxContributions(spec: PoolSpec, x: Tensor, dy: Tensor): { m: Int32Array; mag: Float64Array } {
  const ref = referenceForward(spec, x);
  const m = new Int32Array(x.data.length);
  const mag = new Float64Array(x.data.length);
  forEachWinner(ref.geometry, ref.indices!, (out, i) => {
    m[i]! += 1;
    mag[i]! += Math.abs(dy.data[out]!);
  });
  return { m, mag };
}

/**
 * How the backend under test accumulates its gradients: 'f64' (in f64, rounded to float32 once, as the naive
 * backend does) or 'float32' (float32 additions in any order, which SPEC.md ACC.GRAD allows; lp computed in
 * float32 too).
 */
export type GradAccumulation = 'f64' | 'float32';

/**
 * Backward check. With 'f64' accumulation, max and sum must equal the naive backend exactly: both pick the same tap / add the same dy
 * values in the same order in f64 and round once. avg and lp are held to a relative bound instead, derived so:
 * element i of dx is Σ_w t_w over the m windows covering it, each t_w = dy_w/D_w (avg) or
 * dy_w·sign(x_i)|x_i|^(p−1)·y_w^(1−p) (lp). A float32 evaluation perturbs each t_w by at most m+2 roundings —
 * the divisor's conversion (or the power), the division (or the product), the m−1 additions, and the final
 * store — so by Higham §3.1 it lands within γ_{m+2}·Σ_w|t_w| of the exact sum. Here both backends accumulate
 * in f64 and round to float32 once, so each is within u·mag + O(m·2^-53)·mag of the exact value and their
 * distance is below 3u·mag ≤ γ_{m+2}·mag for every covered element (m ≥ 1); the (m+2)·2^-150 term covers
 * roundings in the subnormal range. Uncovered elements (m = 0) are exactly 0 in both. Non-finite results
 * (NaN/∞ inputs or dy) must match exactly.
 */
export function expectBackwardClose(
  spec: PoolSpec, x: Tensor, dy: Tensor, got: Tensor, want: Tensor, where: string, accumulation: GradAccumulation = 'f64',
): void {
  expect(got.shape, where).toEqual(want.shape);
  expect(got.layout, where).toBe(want.layout);
  // (lp with other powers runs f64 kernels in naive's order: held to naive, below.)
  if (accumulation === 'float32' && spec.kind === 'lp' && (spec.p === 1 || spec.p === 2)) {
    expectLpFloat32(spec, x, dy, got, where);
    return;
  }
  if (accumulation === 'float32' && spec.kind !== 'lp') {
    expectFloat32Close(spec, x, dy, got, want, where);
    return;
  }
  const exactKinds = spec.kind === 'max' || spec.kind === 'sum';
  const { m, mag } = exactKinds ? { m: undefined, mag: undefined } : backwardMagnitudes(spec, x, dy);
  for (let i = 0; i < want.data.length; i++) {
    const a = got.data[i]!;
    const b = want.data[i]!;
    if (exactKinds || !Number.isFinite(b) || !Number.isFinite(mag![i]!)) {
      if (!sameFloat(a, b)) expect.fail(`${where}: dx[${i}] = ${a}, naive ${b}`);
      continue;
    }
    const k = m![i]! + 2;
    const bound = gamma(k) * mag![i]! + k * ETA32;
    if (!(Math.abs(a - b) <= bound)) expect.fail(`${where}: dx[${i}] = ${a}, naive ${b}, bound ${bound}`);
  }
}

/**
 * lp with p = 1 or 2 computed in float32 (the wasm backend's factored gradient: kernels/wasm/assembly/lp.ts): ACC.GRAD's
 * lp clause is itself the model of a float32 evaluation (each term's powers, roundings and the forward's δ_y, then
 * float32 accumulation), so every dx element must lie in the reference's set for it (an element of a window with a
 * non-finite value is unconstrained there: GRAD.LP leaves it unspecified).
 */
function expectLpFloat32(spec: PoolSpec, x: Tensor, dy: Tensor, got: Tensor, where: string): void {
  const ref = memoReferenceBackward(spec, x, dy);
  ref.acceptance.forEach((a, i) => {
    if (!accepts(a, got.data[i]!)) expect.fail(`${where}: dx[${i}] = ${got.data[i]}, want ${describeAcceptance(a)}`);
  });
}

/**
 * The reference backward for (spec, x, dy), computed once per triple of objects: a test checks several paths of
 * one backend against the same reference, and lp's high-precision reference is most of such a test's time.
 * Keyed by identity, so it holds only while the caller does not mutate the three (the backends under test must
 * not: contract.isolation).
 */
const lpReferences = new WeakMap<Tensor, { spec: PoolSpec; x: Tensor; ref: ReturnType<typeof referenceBackward> }>();
function memoReferenceBackward(spec: PoolSpec, x: Tensor, dy: Tensor): ReturnType<typeof referenceBackward> {
  const hit = lpReferences.get(dy);
  if (hit !== undefined && hit.spec === spec && hit.x === x) return hit.ref;
  const ref = referenceBackward(spec, x, dy);
  lpReferences.set(dy, { spec, x, ref });
  return ref;
}

/**
 * max, sum and avg accumulated in float32. ACC.GRAD puts the backend within γ_{m−1}·mag (max, sum: m contributions,
 * mag = Σ|dy| over them) or γ_{m+2}·mag + 2m·η (avg, mag = Σ|dy/D|) of the exact gradient; the naive backend is
 * within u·mag(1 + m·2^−52) + η of it (f64 sum, one rounding). Their distance is therefore below γ_m·mag + η
 * (γ_{m−1} + u(1 + m·2^−52) ≤ γ_m), and γ_{m+3}·mag + (2m + 1)·η for avg. Non-finite results must match.
 */
function expectFloat32Close(spec: PoolSpec, x: Tensor, dy: Tensor, got: Tensor, want: Tensor, where: string): void {
  const { m, mag } = spec.kind === 'max' ? maxContributions(spec, x, dy) : backwardMagnitudes(spec, x, dy);
  for (let i = 0; i < want.data.length; i++) {
    const a = got.data[i]!;
    const b = want.data[i]!;
    if (!Number.isFinite(b) || !Number.isFinite(mag[i]!)) {
      if (!sameFloat(a, b)) expect.fail(`${where}: dx[${i}] = ${a}, naive ${b}`);
      continue;
    }
    const bound = spec.kind === 'avg' ? gamma(m[i]! + 3) * mag[i]! + (2 * m[i]! + 1) * ETA32 : gamma(m[i]!) * mag[i]! + ETA32;
    if (!(Math.abs(a - b) <= bound)) expect.fail(`${where}: dx[${i}] = ${a}, naive ${b}, bound ${bound}`);
  }
}
