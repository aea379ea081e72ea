/**
 * The executable gradient reference (SPEC.md §4 GRAD.*), exact or high precision, with each dx element's
 * float32 acceptance set (ACC.GRAD). Every contribution of an output to an input is accumulated exactly.
 */
import type { PoolSpec, Tensor } from '../contract.js';
import { avgDivisor, forEachPlane } from '../geometry.js';
import {
  ETA32, KAPPA_POW, MAX32, MIN_NORMAL32, OVERFLOW32, U32, around, flushError, gamma, subnormalMagnitude, unconstrained,
  type Acceptance,
} from '../interval.js';
import { DEFAULT_POLICY, type Policy } from '../policy.js';
import { validateBackward } from '../validate.js';
import { ExactSum } from './exact.js';
import { referenceForward, sumAcceptance } from './forward.js';
import { hpAbs, hpAdd, hpFromNumber, hpMul, hpPow, hpZero, type Decimal } from './highprec.js';

export interface ReferenceBackward {
  /** Exact dx rounded to f64, in x's layout. */
  readonly values: Float64Array;
  readonly acceptance: readonly Acceptance[];
}

export function referenceBackward(spec: PoolSpec, x: Tensor, dy: Tensor, policy: Policy = DEFAULT_POLICY): ReferenceBackward {
  const g = validateBackward(spec, x, dy);
  const fwd = referenceForward(spec, x, policy);
  const count = x.data.length;
  const flush = policy.subnormals === 'flush';
  if (spec.kind === 'lp') return lpBackward(spec, x, dy, fwd, flush);

  const sums = Array.from({ length: count }, () => new ExactSum());
  // Bounds every partial sum of a kernel that divides late (Σdy then /D): Σ|dy|·max(1, 1/|D|) (ACC.OVERFLOW).
  const magnitude = new Float64Array(count);
  // POLICY.SUBNORMALS 'flush': the magnitude of the contributions a flushing device may lose (subnormal dy).
  const lost = new Float64Array(count);
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const w = fwd.windows[o]!;
      const at = dst.base + o * dst.step;
      const grad = dy.data[at]!;
      if (spec.kind === 'max') {
        const i = src.base + fwd.indices![at]! * src.step;
        sums[i]!.add(grad);
        magnitude[i]! += Math.abs(grad);
        lost[i]! += subnormalMagnitude(grad);
        continue;
      }
      const D = spec.kind === 'avg' ? avgDivisor(spec, w.axes) : 1;
      for (const q of w.taps) {
        const i = src.base + q * src.step;
        sums[i]!.add(grad, D);
        magnitude[i]! += Math.abs(grad) * Math.max(1, 1 / Math.abs(D));
        lost[i]! += subnormalMagnitude(grad) / Math.abs(D);
      }
    }
  });
  const values = new Float64Array(count);
  const acceptance = new Array<Acceptance>(count);
  for (let i = 0; i < count; i++) {
    const s = sums[i]!;
    const m = s.terms;
    // ACC.GRAD: max/sum scatter m terms with m−1 additions; avg adds a reciprocal, a product and fl(D) per term.
    // Under POLICY.SUBNORMALS 'flush': the lost subnormal dy, plus a flushed product per term (avg) and a flushed
    // partial sum per addition.
    const a = spec.kind === 'avg'
      ? sumAcceptance(s, gamma(m + 2), flush ? flushError(lost[i]!, 2 * m - 1) * (1 + gamma(m + 2)) : 2 * m * ETA32, 1)
      : sumAcceptance(s, gamma(m - 1), flush ? flushError(lost[i]!, m - 1) * (1 + gamma(m - 1)) : 0, 1);
    // ACC.OVERFLOW: M = (1 + γ)·Σ|dy|·max(1, 1/|D|) with γ the clause's own factor (γ_{m+2} for avg, γ_{m−1} for
    // max and sum), so the band where ±∞ and NaN are accepted starts where a kernel can really overflow.
    const widened = a.kind === 'interval' && magnitude[i]! * (1 + gamma(spec.kind === 'avg' ? m + 2 : m - 1)) >= OVERFLOW32
      ? { ...a, posInf: true, negInf: true, nan: true } : a;
    values[i] = a.value;
    acceptance[i] = widened;
  }
  return { values, acceptance };
}

/**
 * GRAD.LP with ACC.GRAD's Lp bound. Each term t = dy·sign(x)·|x|^(p−1)·y^(1−p) is computed in 40 digits;
 * a float32 kernel's term has relative error ρ = (1+κ)²(1+u)^(3+|p−1|)(1+ρ_y) − 1, ρ_y the largest relative change
 * of y^(1−p) over y's forward interval (ACC.GRAD).
 * Under POLICY.SUBNORMALS 'flush' (`flush`), a term whose x or dy is subnormal may be lost whole, and each of the
 * 4 roundings per term may flush (2^-126 instead of 2^-150).
 */
function lpBackward(spec: PoolSpec, x: Tensor, dy: Tensor, fwd: ReturnType<typeof referenceForward>, flush: boolean): ReferenceBackward {
  const g = fwd.geometry;
  const p = spec.p!;
  const e = Math.abs(p - 1);
  const count = x.data.length;
  const exactSum = new Array<Decimal>(count).fill(hpZero);
  const absSum = new Float64Array(count);
  const rhoSum = new Float64Array(count); // Σ|t|·ρ: kept apart from Σ|t| so the bound is a sum of positives
  const lostSum = new Float64Array(count); // flush: Σ|t| over terms with a subnormal x or dy
  const terms = new Int32Array(count);
  const broken = new Array<string | undefined>(count);
  const powCache = new Map<number, Decimal>();
  const xPow = (v: number): Decimal => {
    let r = powCache.get(v);
    if (r === undefined) { r = hpPow(Math.abs(v), p - 1); powCache.set(v, r); }
    return r;
  };
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const w = fwd.windows[o]!;
      const at = dst.base + o * dst.step;
      const grad = dy.data[at]!;
      const y = fwd.values[at]!;
      const deltaY = fwd.lpRelErr![at]!;
      const finiteWindow = w.taps.every((q) => Number.isFinite(x.data[src.base + q * src.step]!));
      for (const q of w.taps) {
        const i = src.base + q * src.step;
        const v = x.data[i]!;
        terms[i]!++;
        if (!finiteWindow || !Number.isFinite(grad)) { broken[i] = 'GRAD.LP is unspecified for non-finite values'; continue; }
        if (v === 0 || y === 0 || grad === 0) continue; // exact zero term (GRAD.LP)
        // ACC.RANGE: outside float32's normal range the relative error model does not hold.
        const yLo = y * (1 - deltaY);
        const yHi = y * (1 + deltaY);
        const ratioLo = Math.abs(v) / yHi;
        const inRange = (t: number): boolean => t >= MIN_NORMAL32 && t <= MAX32;
        if (!inRange(yLo) || !inRange(yHi) || !inRange(Math.pow(yLo, e)) || !inRange(Math.pow(yHi, e))
          || !inRange(Math.pow(Math.abs(v), e)) || !inRange(Math.pow(Math.abs(v), -e)) || !inRange(Math.pow(ratioLo, p - 1))) {
          broken[i] = 'an intermediate of the Lp gradient leaves the normal float32 range (ACC.RANGE)';
          continue;
        }
        const t = hpMul(hpFromNumber(grad * Math.sign(v)), xPow(v), hpPow(y, 1 - p));
        exactSum[i] = hpAdd(exactSum[i]!, t);
        const tAbs = hpAbs(t).toNumber();
        // y^(1−p) over y's forward interval [y(1−δ_y), y(1+δ_y)]: the larger relative change of its two ends.
        const rhoY = Math.max(Math.abs((1 + deltaY) ** (1 - p) - 1), Math.abs((1 - deltaY) ** (1 - p) - 1));
        const rho = (1 + KAPPA_POW) ** 2 * (1 + U32) ** (3 + e) * (1 + rhoY) - 1;
        absSum[i]! += tAbs;
        rhoSum[i]! += tAbs * rho;
        if (flush && (subnormalMagnitude(v) > 0 || subnormalMagnitude(grad) > 0)) lostSum[i]! += tAbs;
      }
    }
  });
  const values = new Float64Array(count);
  const acceptance = new Array<Acceptance>(count);
  for (let i = 0; i < count; i++) {
    const v = exactSum[i]!.toNumber();
    values[i] = v;
    const m = terms[i]!;
    const reason = broken[i];
    if (reason !== undefined) { acceptance[i] = unconstrained(v, reason); continue; }
    if (!(Math.abs(v) <= MAX32)) { acceptance[i] = unconstrained(v, 'the exact gradient is beyond float32 (ACC.RANGE)'); continue; }
    const gm = gamma(m - 1);
    // Σ|t|(1+ρ)(1+γ) − Σ|t| = Σ|t|·γ + Σ|t|ρ·(1+γ), plus η for each of 4 roundings per term that may underflow.
    const err = absSum[i]! * gm + rhoSum[i]! * (1 + gm) + 4 * m * (flush ? MIN_NORMAL32 : ETA32) + lostSum[i]! * (1 + gm);
    acceptance[i] = around(v, err, (absSum[i]! + rhoSum[i]!) * (1 + gm), 12);
  }
  return { values, acceptance };
}
