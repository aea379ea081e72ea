/**
 * The executable forward reference: SPEC.md's MAX/SUM/AVG/LP clauses, literally, in exact arithmetic
 * (Fractions) or 40-digit decimals (powers), with every output's float32 acceptance set (§ACC).
 * Slow on purpose: it is the definition, not a kernel.
 */
import type { PoolSpec, Tensor } from '../contract.js';
import { avgDivisor, forEachPlane, type PoolGeometry } from '../geometry.js';
import {
  ETA32, KAPPA_POW, MIN_NORMAL32, OVERFLOW32, around, between, exact, flushError, gamma, outward, subnormalMagnitude,
  type Acceptance,
} from '../interval.js';
import { DEFAULT_POLICY, type Policy } from '../policy.js';
import { validateForward } from '../validate.js';
import { ExactSum, exactFraction } from './exact.js';
import { lpPowers, lpRoot, type Decimal } from './highprec.js';
import { planeWindows, type PlaneWindow } from './windows.js';

export interface ReferenceForward {
  readonly geometry: PoolGeometry;
  readonly windows: readonly PlaneWindow[];
  /** Exact results rounded to f64, in the output's layout. */
  readonly values: Float64Array;
  readonly acceptance: readonly Acceptance[];
  /** max only: the spec's index per output (MAX.INDEX), in the output's layout. */
  readonly indices?: Int32Array;
  /** lp only: per output, bounds on a float32 backend's y relative error (used by the lp gradient bound). */
  readonly lpRelErr?: Float64Array;
}

export function referenceForward(spec: PoolSpec, x: Tensor, policy: Policy = DEFAULT_POLICY): ReferenceForward {
  const g = validateForward(spec, x);
  const windows = planeWindows(spec, g);
  const total = g.batch * g.channels * g.outPlane;
  const values = new Float64Array(total);
  const acceptance = new Array<Acceptance>(total);
  const indices = spec.kind === 'max' ? new Int32Array(total) : undefined;
  const lpRelErr = spec.kind === 'lp' ? new Float64Array(total) : undefined;
  const powers = spec.kind === 'lp' ? lpPowers(x.data, spec.p!) : undefined;
  const flush = policy.subnormals === 'flush';

  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const w = windows[o]!;
      const at = dst.base + o * dst.step;
      const read = (q: number): number => x.data[src.base + q * src.step]!;
      switch (spec.kind) {
        case 'max': {
          const q = maxIndex(w.taps, read, policy);
          const v = policy.maxNan === 'ignore' && Number.isNaN(read(q)) ? -Infinity : read(q);
          indices![at] = q;
          values[at] = v;
          acceptance[at] = exact(v);
          break;
        }
        case 'sum': {
          const acc = new ExactSum();
          let lost = 0;
          for (const q of w.taps) { acc.add(read(q)); lost += subnormalMagnitude(read(q)); }
          const rel = gamma(acc.terms - 1);
          // POLICY.SUBNORMALS 'flush': lost subnormal inputs and n−1 flushed partial sums, scaled by later roundings.
          const abs = flush ? flushError(lost, acc.terms - 1) * (1 + rel) : 0;
          values[at] = acc.value();
          acceptance[at] = sumAcceptance(acc, rel, abs, 1);
          break;
        }
        case 'avg': {
          const acc = new ExactSum();
          let lost = 0;
          for (const q of w.taps) { acc.add(read(q)); lost += subnormalMagnitude(read(q)); }
          const divisor = avgDivisor(spec, w.axes);
          // ACC.AVG: n−1 additions, the divisor's conversion to float32, and one division (or a reciprocal
          // and a multiplication): γ_{n+2}·Σ|x|/|D|, plus (n+1)·2^-150 for roundings in the subnormal range.
          // Under POLICY.SUBNORMALS 'flush': the sum's flush error divided by |D|, plus one flushed quotient.
          const n = acc.terms;
          const rel = gamma(n + 2);
          const abs = flush
            ? flushError(lost, n - 1) * (1 + rel) / Math.abs(divisor) + MIN_NORMAL32
            : (n + 1) * ETA32;
          const r = sumAcceptance(acc, rel, abs, divisor);
          values[at] = r.value;
          acceptance[at] = r;
          break;
        }
        case 'lp': {
          const r = lpAcceptance(w.taps, read, (q) => powers!(src.base + q * src.step), spec.p!, flush);
          values[at] = r.acceptance.value;
          acceptance[at] = r.acceptance;
          lpRelErr![at] = r.relErr;
          break;
        }
      }
    }
  });
  return { geometry: g, windows, values, acceptance, indices, lpRelErr };
}

/** MAX.SELECT under a policy: the index (into the plane) of the winning tap. */
export function maxIndex(taps: readonly number[], read: (q: number) => number, policy: Policy): number {
  let best = taps[0]!;
  let bestV = read(best);
  if (policy.maxNan === 'ignore') {
    let found = !Number.isNaN(bestV);
    for (let i = 1; i < taps.length; i++) {
      const v = read(taps[i]!);
      if (Number.isNaN(v)) continue;
      if (!found || v > bestV || (policy.maxTies === 'last' && v === bestV)) {
        best = taps[i]!; bestV = v; found = true;
      }
    }
    return best;
  }
  for (let i = 1; i < taps.length; i++) {
    if (Number.isNaN(bestV)) break; // a NaN already won: the first NaN in scan order keeps the index
    const v = read(taps[i]!);
    const nanWins = policy.maxNan === 'propagate' && Number.isNaN(v);
    if (nanWins || v > bestV || (policy.maxTies === 'last' && v === bestV)) {
      best = taps[i]!; bestV = v;
    }
  }
  return best;
}

/**
 * ACC.SUM / ACC.AVG: the acceptance set of `acc / divisor` computed in float32 with relative error `rel`
 * on Σ|terms|/|divisor| and absolute error `abs`. ±∞ and NaN are allowed where a partial sum, in some legal
 * order, could reach the float32 overflow threshold (ACC.OVERFLOW).
 */
export function sumAcceptance(acc: ExactSum, rel: number, abs: number, divisor: number): Acceptance {
  const S = acc.absSum();
  // Partial sums are bounded by S(1+rel); a kernel that divides first bounds them by S(1+rel)/|D| (|D| < 1).
  const magnitude = S * (1 + rel) * Math.max(1, 1 / Math.abs(divisor));
  if (acc.special) {
    let v = acc.value();
    if (divisor < 0) v = -v;
    if (Number.isNaN(v) || magnitude < OVERFLOW32) return exact(v);
    // An infinite term plus finite terms that may overflow the other way: ∞ or NaN.
    return { kind: 'interval', value: v, lo: v, hi: v, posInf: v > 0, negInf: v < 0, nan: true };
  }
  const value = acc.exactFinite().div(exactFraction(divisor)).valueOf();
  return around(value, (rel * S) / Math.abs(divisor) + abs, magnitude, 6);
}

/**
 * ACC.LP: y = (Σ|x|^p)^(1/p), each power within relative KAPPA_POW, the sum of non-negative terms within
 * γ_{n−1}, the root within KAPPA_POW, plus 2^-150 per rounding that may land in the subnormal range.
 * Under POLICY.SUBNORMALS 'flush' (`flush`), the lower end also allows every subnormal input's power to be lost,
 * each power and each partial sum to be flushed, and the root to be flushed (2^-126 each instead of 2^-150);
 * flushing only moves non-negative values down, so the upper end is unchanged.
 * relErr bounds |ŷ/y − 1| for the gradient bound (Infinity when unusable).
 */
function lpAcceptance(
  taps: readonly number[], read: (q: number) => number, power: (q: number) => Decimal, p: number, flush: boolean,
): { acceptance: Acceptance; relErr: number } {
  let nan = false;
  let inf = false;
  let nonzero = 0;
  let lostPowers = 0;
  const terms: Decimal[] = [];
  for (const q of taps) {
    const v = read(q);
    if (Number.isNaN(v)) nan = true;
    else if (!Number.isFinite(v)) inf = true;
    else if (v !== 0) {
      nonzero++;
      terms.push(power(q));
      if (subnormalMagnitude(v) > 0) lostPowers += power(q).toNumber();
    }
  }
  if (nan) return { acceptance: exact(NaN), relErr: Infinity };
  if (inf) return { acceptance: exact(Infinity), relErr: Infinity };
  if (nonzero === 0) return { acceptance: exact(0), relErr: 0 };
  const { sum, root } = lpRoot(terms, p);
  const g = gamma(nonzero - 1);
  const sLo = flush
    ? Math.max(0, ((sum - lostPowers) * (1 - KAPPA_POW) - nonzero * MIN_NORMAL32) * (1 - g) - (nonzero - 1) * MIN_NORMAL32)
    : Math.max(0, (sum * (1 - KAPPA_POW) - nonzero * ETA32) * (1 - g));
  const sHi = (sum * (1 + KAPPA_POW) + nonzero * ETA32) * (1 + g);
  const [lo, hi] = outward(
    Math.max(0, Math.pow(sLo, 1 / p) * (1 - KAPPA_POW) - (flush ? MIN_NORMAL32 : ETA32)),
    Math.pow(sHi, 1 / p) * (1 + KAPPA_POW) + ETA32,
    8,
  );
  const relErr = root > 0 ? Math.max(hi / root - 1, 1 - lo / root) : Infinity;
  return { acceptance: between(root, lo, hi, sHi >= OVERFLOW32), relErr };
}
