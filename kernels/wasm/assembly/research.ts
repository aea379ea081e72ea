/**
 * The research kinds of SPEC.md §11 (gem, softpool, lse, median, mixed) and stochastic pooling (STOCH.*), forward
 * and backward. Stochastic inference (Σv²/Σv) is a window reducer like the others; training mode has its own entry
 * points at the end (the generator's draw per output, the selection by float32 running sums, the routed gradient).
 *
 * Self-contained on purpose (its own geometry globals, no import from the max/avg kernels), so the sliding-window
 * kernels can change without touching it; only the window walk itself (windowPositions) is walk.ts's, fed this
 * file's tables. The host (kernels/wasm/research.ts) writes per-axis window tables (first
 * in-bounds coordinate and in-bounds tap count per output coordinate, rank padded to 3) and calls these with flat
 * parameters. Data is addressed as N units of C interleaved channels: channels_first planes are units with C = 1;
 * channels_last batch items have C = channels. Element (u, q, c) lies at (u·inPlane + q)·C + c.
 *
 * Arithmetic. The exponential kinds and gem evaluate each window in f64 with the window maximum subtracted before
 * exponentiating (EXP.WEIGHT: no weight exceeds 1, no sum is below 1, nothing overflows for large x), and round
 * once to float32. The forward's weights come two per f64x2 vector from exp2x below (relative error < 2^−45);
 * log, pow and the backward's exps are AssemblyScript's Math (musl-derived, about 1 f64 ulp). Both are far inside
 * REDUCER.MODEL's κ = 2^−22.
 * Median is a selection (exact); on channels_last with C ≥ 4 and at most 32 taps it ranks four channels per f32x4
 * vector. Mixed on channels_last with C ≥ 4 runs four channels per f32x4 vector in float32, in the order MIXED.ACC
 * models (exact max, float32 sum, one division, two products, one addition), and so does mixed with λ < 1 on
 * contiguous planes with unit width dilation (four adjacent taps of a window row per vector); elsewhere it uses f64
 * and rounds once.
 * gem takes products for p = 1 … 4 and pow otherwise. Backward computes each window's partials in f64 and accumulates dx in f64; the host
 * narrows once (researchNarrow).
 */

import { PositionTap, walkWindow } from './walk';

export const KIND_GEM: i32 = 0;
export const KIND_SOFTPOOL: i32 = 1;
export const KIND_LSE: i32 = 2;
export const KIND_MEDIAN: i32 = 3;
export const KIND_MIXED: i32 = 4;
/** Stochastic pooling's inference mode (STOCH.INFER); training mode has its own entry points below. */
export const KIND_STOCHASTIC: i32 = 5;

// Input extents and dilations (rank padded to 3: depth, height, width).
let rH: i32 = 1;
let rW: i32 = 1;
let rDD: i32 = 1;
let rDH: i32 = 1;
let rDW: i32 = 1;
let rOD: i32 = 1;
let rOH: i32 = 1;
let rOW: i32 = 1;
let rInPlane: i32 = 1;
let rOutPlane: i32 = 1;
// Tables: first in-bounds coordinate and tap count per output coordinate, per axis.
let firstD: usize = 0;
let countD: usize = 0;
let firstH: usize = 0;
let countH: usize = 0;
let firstW: usize = 0;
let countW: usize = 0;
// Scratch: a window's values (f64), plane positions (i32), partials (f64), selection order (i32), each maxTaps long.
let win: usize = 0;
let pos: usize = 0;
let part: usize = 0;
let order: usize = 0;

/**
 * Sets the geometry and the scratch for the calls that follow. `tables` holds six i32 tables: firstD[oD], countD[oD],
 * firstH[oH], countH[oH], firstW[oW], countW[oW]; `scratch` has room for 24 bytes per tap of the largest window.
 */
export function researchGeometry(
  d: i32, h: i32, w: i32, oD: i32, oH: i32, oW: i32, dD: i32, dH: i32, dW: i32, tables: usize, scratch: usize, maxTaps: i32,
): void {
  rH = h; rW = w; rDD = dD; rDH = dH; rDW = dW; rOD = oD; rOH = oH; rOW = oW;
  rInPlane = d * h * w;
  rOutPlane = oD * oH * oW;
  firstD = tables;
  countD = firstD + (<usize>oD << 2);
  firstH = countD + (<usize>oD << 2);
  countH = firstH + (<usize>oH << 2);
  firstW = countH + (<usize>oH << 2);
  countW = firstW + (<usize>oW << 2);
  const m = <usize>maxTaps;
  win = scratch;
  part = win + (m << 3);
  pos = part + (m << 3);
  order = pos + (m << 2);
}

/**
 * Plane positions of output (od, oh, ow)'s in-bounds taps, in scan order (WINDOW.TAPS), into `pos`; returns their
 * count. walk.ts's walk, over this file's tables.
 */
function windowPositions(od: i32, oh: i32, ow: i32): i32 {
  return <i32>walkWindow<PositionTap>(
    0, 1,
    load<i32>(firstD + (<usize>od << 2)), load<i32>(countD + (<usize>od << 2)),
    load<i32>(firstH + (<usize>oh << 2)), load<i32>(countH + (<usize>oh << 2)),
    load<i32>(firstW + (<usize>ow << 2)), load<i32>(countW + (<usize>ow << 2)),
    rH, rW, rDD, rDH, rDW, 0, pos, 0,
  );
}

/** Loads the window's values (plane positions from `pos`) as f64 into `win`. */
@inline function gather(x: usize, n: i32, C: i32): void {
  for (let r = 0; r < n; r++) {
    const q = load<i32>(pos + (<usize>r << 2));
    store<f64>(win + (<usize>r << 3), <f64>load<f32>(x + ((<usize>q * <usize>C) << 2)));
  }
}

@inline function at(r: i32): f64 {
  return load<f64>(win + (<usize>r << 3));
}

/** The largest finite tap, −∞ when there is none (EXP.WEIGHT's m). */
function finiteMax(n: i32): f64 {
  let m = -Infinity;
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v > m && v != Infinity) m = v;
  }
  return m;
}

/** MAX.SELECT on a window: the first NaN, else the first of the largest taps in scan order (MAX.TIES). */
function firstMaxPosition(n: i32): i32 {
  let best = 0;
  let bv = at(0);
  if (bv != bv) return 0;
  for (let r = 1; r < n; r++) {
    const v = at(r);
    if (v != v) return r;
    if (v > bv) { bv = v; best = r; }
  }
  return best;
}

/** (value, scan position) order of MEDIAN.SELECT: equal values (−0 = +0) by scan order. NaN-free windows only. */
@inline function before(a: i32, b: i32): bool {
  const va = at(a);
  const vb = at(b);
  return va < vb || (va == vb && a < b);
}

/**
 * MEDIAN.SELECT: the position of the selected tap. The first NaN if any; otherwise the tap of rank ⌊(n − 1)/2⌋ in
 * the (value, scan position) order. Small windows count ranks directly; larger ones run a quickselect over the
 * positions, whose comparison is a strict total order on a NaN-free window, so the selection is the same.
 */
function medianPosition(n: i32): i32 {
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v != v) return r;
  }
  const k = (n - 1) >> 1;
  if (n <= 32) {
    for (let r = 0; r < n; r++) {
      let rank = 0;
      for (let s = 0; s < n; s++) if (before(s, r)) rank++;
      if (rank == k) return r;
    }
    return 0; // unreachable: the ranks are a permutation of 0..n−1
  }
  for (let r = 0; r < n; r++) store<i32>(order + (<usize>r << 2), r);
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    // Median of three as the pivot, then a Hoare partition of order[lo..hi].
    const mid = lo + ((hi - lo) >> 1);
    let a = load<i32>(order + (<usize>lo << 2));
    let b = load<i32>(order + (<usize>mid << 2));
    const c = load<i32>(order + (<usize>hi << 2));
    if (before(b, a)) { const t = a; a = b; b = t; }
    const pivot = before(c, b) ? (before(c, a) ? a : c) : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (before(load<i32>(order + (<usize>i << 2)), pivot)) i++;
      while (before(pivot, load<i32>(order + (<usize>j << 2)))) j--;
      if (i <= j) {
        const t = load<i32>(order + (<usize>i << 2));
        store<i32>(order + (<usize>i << 2), load<i32>(order + (<usize>j << 2)));
        store<i32>(order + (<usize>j << 2), t);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return load<i32>(order + (<usize>k << 2));
}

/** GEM.DEF with GEM.DOMAIN / GEM.SPECIAL; scaled by the largest tap so no f64 power overflows or underflows. */
function gemValue(n: i32, p: f64): f64 {
  let m: f64 = 0;
  let inf = false;
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v != v || v < 0) return NaN;
    if (v == Infinity) inf = true;
    else if (v > m) m = v;
  }
  if (inf) return Infinity;
  if (m == 0) return 0;
  let s: f64 = 0;
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v > 0) s += power(v / m, p);
  }
  return m * Math.pow(s / <f64>n, 1 / p);
}

/**
 * t^p for t ≥ 0: products for p = 1 … 4 (GeM's usual p = 3 among them; in f64 each product is far inside κ), else
 * pow. Products and pow both underflow to 0 only below f64's range, where the f64 sum cannot feel the term.
 */
@inline function power(t: f64, p: f64): f64 {
  if (p == 1) return t;
  if (p == 2) return t * t;
  if (p == 3) return t * t * t;
  if (p == 4) { const t2 = t * t; return t2 * t2; }
  return Math.pow(t, p);
}

/**
 * e^d for two f64 lanes with d ≤ 0 (EXP.WEIGHT's max-shifted exponents), relative error below 2^−45, far inside
 * REDUCER.MODEL's κ = 2^−22. d = k·ln 2 + t with k = round(d·log2 e) and t by Cody–Waite (ln 2 split so k·ln2_hi is
 * exact for |k| < 2^11), |t| ≤ ln 2/2 + tiny; e^t by its Taylor polynomial to t^11 (the first omitted term
 * (ln2/2)^12/12! < 2^−46 relative); 2^k from bits. d < −708 (and d = −∞) gives 0: such a weight is below 2^−1021 beside a
 * largest weight of 1, so no sum or quotient of §11 can notice it (their η terms are 2^−150 and larger). NaN lanes
 * never reach here (the window is special).
 */
@inline function exp2x(d: v128): v128 {
  const tiny = f64x2.lt(d, f64x2.splat(-708));
  const dc = f64x2.max(d, f64x2.splat(-708));
  const k = f64x2.nearest(f64x2.mul(dc, f64x2.splat(1.4426950408889634)));
  // ln 2 = LN2_HI + LN2_LO, LN2_HI with its low 32 bits zero (fdlibm's split): k·LN2_HI is exact.
  let t = f64x2.sub(dc, f64x2.mul(k, f64x2.splat(6.93147180369123816490e-01)));
  t = f64x2.sub(t, f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
  let p = f64x2.splat(1.0 / 39916800.0);
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 3628800.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(0.5));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0));
  p = f64x2.add(f64x2.mul(p, t), f64x2.splat(1.0));
  // 2^k, k ∈ [−1022, 0]: the biased exponent k + 1023 in bits 52…62.
  const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
  const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
  return v128.andnot(f64x2.mul(p, scale), tiny);
}

/** The special value of an exponential kind's window (SOFT.SPECIAL, LSE.SPECIAL), or 0 with *none* set. */
let special = false;
function expSpecial(n: i32): f64 {
  special = true;
  let allNegInf = true;
  for (let r = 0; r < n; r++) if (at(r) != at(r)) return NaN;
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v == Infinity) return Infinity;
    if (v != -Infinity) allNegInf = false;
  }
  if (allNegInf) return -Infinity;
  special = false;
  return 0;
}

/** SOFT.DEF with max-shifted weights: Σ w·v / Σ w over the finite taps (−∞ weighs 0). */
function softpoolValue(n: i32): f64 {
  const s = expSpecial(n);
  if (special) return s;
  const m = finiteMax(n);
  // Two taps per f64x2 vector; a −∞ tap's weight is 0 and its product w·v is taken as 0 (not 0·(−∞) = NaN).
  const mv = f64x2.splat(m);
  const ninf = f64x2.splat(-Infinity);
  let numv = f64x2.splat(0);
  let denv = f64x2.splat(0);
  let r = 0;
  for (; r + 2 <= n; r += 2) {
    const v = v128.load(win + (<usize>r << 3));
    const w = exp2x(f64x2.sub(v, mv));
    numv = f64x2.add(numv, v128.andnot(f64x2.mul(w, v), f64x2.eq(v, ninf)));
    denv = f64x2.add(denv, w);
  }
  let num = f64x2.extract_lane(numv, 0) + f64x2.extract_lane(numv, 1);
  let den = f64x2.extract_lane(denv, 0) + f64x2.extract_lane(denv, 1);
  for (; r < n; r++) {
    const v = at(r);
    if (v == -Infinity) continue;
    const w = Math.exp(v - m);
    num += w * v;
    den += w;
  }
  return num / den;
}

/** LSE.DEF: m + log(S/n)/r with S = Σ e^{r(v − m)} (−∞ taps add 0 and still count in n). */
function lseValue(n: i32, rr: f64): f64 {
  const s = expSpecial(n);
  if (special) return s;
  const m = finiteMax(n);
  // Two taps per f64x2 vector (a −∞ tap's weight is 0).
  const mv = f64x2.splat(m);
  const rv = f64x2.splat(rr);
  let Sv = f64x2.splat(0);
  let r = 0;
  for (; r + 2 <= n; r += 2) Sv = f64x2.add(Sv, exp2x(f64x2.mul(rv, f64x2.sub(v128.load(win + (<usize>r << 3)), mv))));
  let S = f64x2.extract_lane(Sv, 0) + f64x2.extract_lane(Sv, 1);
  for (; r < n; r++) {
    const v = at(r);
    if (v != -Infinity) S += Math.exp(rr * (v - m));
  }
  return m + Math.log(S / <f64>n) / rr;
}

/** MIXED.DEF with MIXED.SPECIAL: a zero coefficient's term is absent; λ = 1 is the max's value and bits. */
function mixedValue(n: i32, lambda: f64): f64 {
  let pos = false;
  let neg = false;
  let sum: f64 = 0;
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v != v) return NaN;
    if (v == Infinity) pos = true;
    else if (v == -Infinity) neg = true;
    sum += v;
  }
  const mx = at(firstMaxPosition(n));
  if (lambda == 1) return mx;
  if (pos && neg) return NaN;
  if (pos) return Infinity;
  if (neg) return -Infinity;
  const avg = sum / <f64>n;
  return lambda == 0 ? avg : lambda * mx + (1 - lambda) * avg;
}

/**
 * STOCH.INFER with STOCH.INFER_SPECIAL: Σv²/Σv in f64, rounded once by the caller. A float32 tap's square lies in
 * f64's normal range (2^−298 … 2^256), and the sums of non-negative terms neither cancel nor overflow, so no
 * scaling is needed: the error is a few f64 ulps, far inside STOCH.INFER_ACC.
 */
function stochasticValue(n: i32): f64 {
  let inf = false;
  let S: f64 = 0;
  let Q: f64 = 0;
  for (let r = 0; r < n; r++) {
    const v = at(r);
    if (v != v) return NaN;
    if (v < 0) return NaN; // outside the domain, −∞ included (−0 is not negative)
    if (v == Infinity) inf = true;
    S += v;
    Q += v * v;
  }
  if (inf) return Infinity;
  // An all-zero window (S is exactly 0 only then: no sum of non-negative float32 taps underflows in f64).
  if (S == 0) return 0;
  return Q / S;
}

function windowValue(kind: i32, n: i32, param: f64): f64 {
  switch (kind) {
    case KIND_GEM: return gemValue(n, param);
    case KIND_SOFTPOOL: return softpoolValue(n);
    case KIND_LSE: return lseValue(n, param);
    case KIND_MEDIAN: return at(medianPosition(n));
    case KIND_STOCHASTIC: return stochasticValue(n);
    default: return mixedValue(n, param);
  }
}

/**
 * Mixed on four channels_last channels at once, float32 as MIXED.ACC models it: MAX.SELECT's value (first maximum
 * in scan order, NaN wins), a float32 sum, one division by n, λ·max + fl(1 − λ)·avg; MIXED.SPECIAL per lane.
 */
function mixedVector(x: usize, y: usize, n: i32, C: i32, lambda: f32): void {
  const rowBytes = <usize>C << 2;
  let best = v128.load(x + <usize>load<i32>(pos) * rowBytes);
  let sum = best;
  let pinf = f32x4.eq(best, f32x4.splat(Infinity));
  let ninf = f32x4.eq(best, f32x4.splat(-Infinity));
  for (let r = 1; r < n; r++) {
    const v = v128.load(x + <usize>load<i32>(pos + (<usize>r << 2)) * rowBytes);
    // A later tap replaces the best when it is larger or NaN, unless the best is already NaN (MAX.NAN: the first).
    const take = v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
    best = v128.bitselect(v, best, take);
    sum = f32x4.add(sum, v);
    pinf = v128.or(pinf, f32x4.eq(v, f32x4.splat(Infinity)));
    ninf = v128.or(ninf, f32x4.eq(v, f32x4.splat(-Infinity)));
  }
  let out: v128;
  if (lambda == 1) {
    out = best;
  } else {
    const avg = f32x4.div(sum, f32x4.splat(<f32>n));
    const rest = f32x4.mul(f32x4.splat(<f32>1 - lambda), avg);
    out = lambda == 0 ? avg : f32x4.add(f32x4.mul(f32x4.splat(lambda), best), rest);
    // Non-finite lanes take MIXED.SPECIAL's value: NaN stays NaN; ±∞ alone give ±∞; both give NaN.
    const nan = f32x4.ne(best, best);
    out = v128.bitselect(f32x4.splat(Infinity), out, v128.andnot(pinf, ninf));
    out = v128.bitselect(f32x4.splat(-Infinity), out, v128.andnot(ninf, pinf));
    out = v128.bitselect(f32x4.splat(NaN), out, v128.or(nan, v128.and(pinf, ninf)));
  }
  v128.store(y, out);
}

/**
 * Mixed with λ < 1 on a contiguous plane (C = 1) with unit width dilation: each window row's taps are adjacent, so
 * max and sum run four taps per f32x4 vector, float32 as MIXED.ACC models (the max's value is exact, its sign of
 * zero is unconstrained when λ < 1 since the set compares numerically; the sum in any order, γ_{n−1}; one division;
 * two products; one addition); MIXED.SPECIAL from flags for NaN, +∞ and −∞.
 */
function mixedRows(x: usize, od: i32, oh: i32, ow: i32, lambda: f32): f32 {
  const sd = load<i32>(firstD + (<usize>od << 2));
  const cd = load<i32>(countD + (<usize>od << 2));
  const sh = load<i32>(firstH + (<usize>oh << 2));
  const ch = load<i32>(countH + (<usize>oh << 2));
  const sw = load<i32>(firstW + (<usize>ow << 2));
  const cw = load<i32>(countW + (<usize>ow << 2));
  const inf = f32x4.splat(Infinity);
  const ninf = f32x4.splat(-Infinity);
  let vmax = ninf;
  let vsum = f32x4.splat(0);
  let flags = f32x4.splat(0); // lanes: NaN seen, +∞ seen, −∞ seen (as comparison masks, or-ed)
  let pinf = f32x4.splat(0);
  let minf = f32x4.splat(0);
  let smax: f32 = -Infinity;
  let ssum: f32 = 0;
  for (let td = 0; td < cd; td++) {
    const zd = sd + td * rDD;
    for (let th = 0; th < ch; th++) {
      const row = x + (<usize>((zd * rH + sh + th * rDH) * rW + sw) << 2);
      let t = 0;
      for (; t + 4 <= cw; t += 4) {
        const v = v128.load(row + (<usize>t << 2));
        vmax = f32x4.max(vmax, v); // wasm's max propagates NaN
        vsum = f32x4.add(vsum, v);
        flags = v128.or(flags, f32x4.ne(v, v));
        pinf = v128.or(pinf, f32x4.eq(v, inf));
        minf = v128.or(minf, f32x4.eq(v, ninf));
      }
      for (; t < cw; t++) {
        const v = load<f32>(row + (<usize>t << 2));
        smax = max<f32>(smax, v);
        ssum += v;
        if (v != v) flags = v128.or(flags, f32x4.eq(inf, inf));
        if (v == Infinity) pinf = v128.or(pinf, f32x4.eq(inf, inf));
        if (v == -Infinity) minf = v128.or(minf, f32x4.eq(inf, inf));
      }
    }
  }
  if (v128.any_true(flags)) return NaN;
  const anyPos = v128.any_true(pinf);
  const anyNeg = v128.any_true(minf);
  if (anyPos && anyNeg) return NaN;
  if (anyPos) return Infinity;
  if (anyNeg) return -Infinity;
  const mx = max<f32>(max<f32>(max<f32>(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
    max<f32>(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3))), smax);
  const sum = (f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1))
    + (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3)) + ssum;
  const avg = sum / <f32>(cd * ch * cw);
  return lambda == 0 ? avg : lambda * mx + (<f32>1 - lambda) * avg;
}

/**
 * Median on four channels_last channels at once, for windows of at most 32 taps (MEDIAN.SELECT): tap r's rank in
 * the (value, scan position) order is #{s < r : v_s ≤ v_r} + #{s > r : v_s < v_r} (−0 = +0 compare equal), and the
 * tap whose rank is ⌊(n − 1)/2⌋ is selected whole, so the result carries its bits. A lane with a NaN gives NaN.
 */
function medianVector(x: usize, y: usize, n: i32, C: i32): void {
  const rowBytes = <usize>C << 2;
  const k = i32x4.splat((n - 1) >> 1);
  let out = f32x4.splat(0);
  let nan = f32x4.splat(0);
  for (let r = 0; r < n; r++) {
    const vr = v128.load(x + <usize>load<i32>(pos + (<usize>r << 2)) * rowBytes);
    let rank = i32x4.splat(0);
    // Comparison masks are −1 per true lane: subtracting them counts.
    for (let s = 0; s < r; s++) rank = i32x4.sub(rank, f32x4.le(v128.load(x + <usize>load<i32>(pos + (<usize>s << 2)) * rowBytes), vr));
    for (let s = r + 1; s < n; s++) rank = i32x4.sub(rank, f32x4.lt(v128.load(x + <usize>load<i32>(pos + (<usize>s << 2)) * rowBytes), vr));
    out = v128.bitselect(vr, out, i32x4.eq(rank, k));
    nan = v128.or(nan, f32x4.ne(vr, vr));
  }
  v128.store(y, v128.bitselect(f32x4.splat(NaN), out, nan));
}

/**
 * Forward over N units of C channels: y(u, o, c) for every output position o of every (u, c).
 * `param` is p (gem), r (lse) or λ (mixed).
 */
export function researchForward(kind: i32, N: i32, C: i32, x: usize, y: usize, param: f64): void {
  const vecC = kind == KIND_MIXED || kind == KIND_MEDIAN ? C & ~3 : 0;
  const rowMixed = kind == KIND_MIXED && C == 1 && rDW == 1 && param != 1;
  for (let u = 0; u < N; u++) {
    const xu = x + ((<usize>u * <usize>rInPlane * <usize>C) << 2);
    const yu = y + ((<usize>u * <usize>rOutPlane * <usize>C) << 2);
    // Output o = (od·outH + oh)·outW + ow, walked in that order (no division per output).
    let o = 0;
    for (let od = 0; od < rOD; od++) for (let oh = 0; oh < rOH; oh++) for (let ow = 0; ow < rOW; ow++, o++) {
      if (rowMixed) {
        store<f32>(yu + (<usize>o << 2), mixedRows(xu, od, oh, ow, <f32>param));
        continue;
      }
      const n = windowPositions(od, oh, ow);
      const yo = yu + ((<usize>o * <usize>C) << 2);
      let c = 0;
      if (kind == KIND_MIXED) {
        for (; c < vecC; c += 4) mixedVector(xu + (<usize>c << 2), yo + (<usize>c << 2), n, C, <f32>param);
      } else if (kind == KIND_MEDIAN && n <= 32) {
        for (; c < vecC; c += 4) medianVector(xu + (<usize>c << 2), yo + (<usize>c << 2), n, C);
      }
      for (; c < C; c++) {
        gather(xu + (<usize>c << 2), n, C);
        store<f32>(yo + (<usize>c << 2), <f32>windowValue(kind, n, param));
      }
    }
  }
}

/** The window's partials ∂y/∂v_r into `part` (GEM.GRAD, SOFT.GRAD, LSE.GRAD, MEDIAN.GRAD, MIXED.GRAD). */
function windowPartials(kind: i32, n: i32, param: f64): void {
  const y = windowValue(kind, n, param);
  const inv = 1 / <f64>n;
  switch (kind) {
    case KIND_GEM: {
      // (1/n)(v/y)^(p−1), 0 where v = 0 or y = 0.
      for (let r = 0; r < n; r++) {
        const v = at(r);
        store<f64>(part + (<usize>r << 3), v == 0 || y == 0 ? 0 : power(v / y, param - 1) * inv);
      }
      break;
    }
    case KIND_SOFTPOOL:
    case KIND_LSE: {
      // Max-shifted weights w_r; softpool: (w_r/W)(1 + v_r − y); lse: w_r/S.
      const m = finiteMax(n);
      const rho = kind == KIND_LSE ? param : 1;
      let W: f64 = 0;
      for (let r = 0; r < n; r++) {
        const w = Math.exp(rho * (at(r) - m));
        store<f64>(part + (<usize>r << 3), w);
        W += w;
      }
      for (let r = 0; r < n; r++) {
        const p = load<f64>(part + (<usize>r << 3)) / W;
        store<f64>(part + (<usize>r << 3), kind == KIND_LSE ? p : p * (1 + at(r) - y));
      }
      break;
    }
    case KIND_STOCHASTIC: {
      // STOCH.INFER_GRAD: (2v_r − y)/S where every tap is finite and ≥ 0 and S > 0; 0 elsewhere (unspecified there).
      let smooth = true;
      let S: f64 = 0;
      for (let r = 0; r < n; r++) {
        const v = at(r);
        if (!(v >= 0 && v != Infinity)) smooth = false;
        S += v;
      }
      smooth = smooth && S > 0;
      for (let r = 0; r < n; r++) store<f64>(part + (<usize>r << 3), smooth ? (2 * at(r) - y) / S : 0);
      break;
    }
    case KIND_MEDIAN: {
      const sel = medianPosition(n);
      for (let r = 0; r < n; r++) store<f64>(part + (<usize>r << 3), r == sel ? 1 : 0);
      break;
    }
    default: {
      // λ at MAX.TIES's tap, plus (1 − λ)/n everywhere.
      const top = firstMaxPosition(n);
      const share = (1 - param) * inv;
      for (let r = 0; r < n; r++) store<f64>(part + (<usize>r << 3), (r == top ? param : 0) + share);
    }
  }
}

/**
 * Backward over N units of C channels: acc (f64, laid out as x) += dy_o · ∂y_o/∂x for every window. The host
 * zeroes acc before and narrows it after (researchNarrow).
 */
export function researchBackward(kind: i32, N: i32, C: i32, x: usize, dy: usize, acc: usize, param: f64): void {
  for (let u = 0; u < N; u++) {
    const xu = x + ((<usize>u * <usize>rInPlane * <usize>C) << 2);
    const au = acc + ((<usize>u * <usize>rInPlane * <usize>C) << 3);
    const du = dy + ((<usize>u * <usize>rOutPlane * <usize>C) << 2);
    let o = 0;
    for (let od = 0; od < rOD; od++) for (let oh = 0; oh < rOH; oh++) for (let ow = 0; ow < rOW; ow++, o++) {
      const n = windowPositions(od, oh, ow);
      for (let c = 0; c < C; c++) {
        const d = <f64>load<f32>(du + ((<usize>o * <usize>C + <usize>c) << 2));
        gather(xu + (<usize>c << 2), n, C);
        windowPartials(kind, n, param);
        for (let r = 0; r < n; r++) {
          const q = load<i32>(pos + (<usize>r << 2));
          const a = au + ((<usize>q * <usize>C + <usize>c) << 3);
          store<f64>(a, load<f64>(a) + d * load<f64>(part + (<usize>r << 3)));
        }
      }
    }
  }
}

/** f64 → float32 in place (element i's f32 at acc + 4i; read before written since 4i ≤ 8i). */
export function researchNarrow(acc: usize, count: i32): void {
  for (let i = 0; i < count; i++) store<f32>(acc + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
}

/** MurmurHash3's 32-bit finalizer (STOCH.RNG's f); u32 products wrap mod 2^32. */
@inline function fmix32(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/** STOCH.RNG's key of a plane: f(f(f(seed ⊕ 0x9E3779B9) ⊕ n) ⊕ c); the draw for output o is f(key ⊕ o) ≫ 8. */
@inline function planeKey(seed: u32, n: u32, c: u32): u32 {
  return fmix32(fmix32(fmix32(seed ^ 0x9e3779b9) ^ n) ^ c);
}

/**
 * STOCH.SELECT on the window at plane positions `pos` (count n) of the channel at xc (stride C elements), U the
 * draw: the first NaN; else the first negative tap; else the first +∞; else by the float32 running sums ĉ_i (S =
 * ĉ_n): S = 0 → ⌊U·n/2^24⌋; S = +∞ → the first ĉ_i = +∞; otherwise the first i with U·S < 2^24·ĉ_i, both sides
 * exact in f64 (48 and 24 significant bits), so the comparison is the exact one of the reals.
 */
function stochasticSelect(xc: usize, n: i32, C: i32, U: u32): i32 {
  const rowBytes = <usize>C << 2;
  let negative = -1;
  let inf = -1;
  let S: f32 = 0;
  for (let r = 0; r < n; r++) {
    const v = load<f32>(xc + <usize>load<i32>(pos + (<usize>r << 2)) * rowBytes);
    if (v != v) return r;
    if (v < 0) { if (negative < 0) negative = r; } else if (v == Infinity && inf < 0) inf = r;
    S += v;
  }
  if (negative >= 0) return negative;
  if (inf >= 0) return inf;
  if (S == 0) return <i32>((<u64>U * <u64>n) >> 24);
  const t = <f64>U * <f64>S;
  let c: f32 = 0;
  for (let r = 0; r < n; r++) {
    c += load<f32>(xc + <usize>load<i32>(pos + (<usize>r << 2)) * rowBytes);
    if (S == Infinity ? c == Infinity : t < 16777216.0 * <f64>c) return r;
  }
  return n - 1; // unreachable: U < 2^24 so U·S < 2^24·S = 2^24·ĉ_n
}

/**
 * STOCH.RNG's key of unit g: with C = 1 the units are planes, global plane g = n·channels + c; otherwise the
 * units are batch items (n = g) and each lane's channel gets its key from channelKey.
 */
@inline function unitKeyOf(seed: u32, g: i32, C: i32, channels: i32): u32 {
  return C == 1 ? planeKey(seed, <u32>(g / channels), <u32>(g % channels)) : fmix32(seed ^ 0x9e3779b9) ^ <u32>g;
}

/** The plane index of the tap STOCH.SELECT picks for output o in lane c of unit xu (unitKey, nKey = fmix32(unitKey)). */
@inline function selectedTap(xu: usize, n: i32, C: i32, c: i32, unitKey: u32, nKey: u32, o: i32): i32 {
  const key = C == 1 ? unitKey : fmix32(nKey ^ <u32>c);
  const r = stochasticSelect(xu + (<usize>c << 2), n, C, fmix32(key ^ <u32>o) >> 8);
  return load<i32>(pos + (<usize>r << 2));
}

/**
 * Stochastic training forward (STOCH.SELECT, STOCH.INDEX) over N units of C channels: y gets the selected tap's
 * bits (NaN for a negative tap: the window is outside the domain), ix its plane index.
 */
export function stochasticTrainForward(N: i32, C: i32, x: usize, y: usize, ix: usize, seed: u32, unit0: i32, channels: i32): void {
  for (let u = 0; u < N; u++) {
    const xu = x + ((<usize>u * <usize>rInPlane * <usize>C) << 2);
    const yu = y + ((<usize>u * <usize>rOutPlane * <usize>C) << 2);
    const iu = ix + ((<usize>u * <usize>rOutPlane * <usize>C) << 2);
    const unitKey = unitKeyOf(seed, unit0 + u, C, channels);
    const nKey = C == 1 ? 0 : fmix32(unitKey);
    let o = 0;
    for (let od = 0; od < rOD; od++) for (let oh = 0; oh < rOH; oh++) for (let ow = 0; ow < rOW; ow++, o++) {
      const n = windowPositions(od, oh, ow);
      for (let c = 0; c < C; c++) {
        const q = selectedTap(xu, n, C, c, unitKey, nKey, o);
        const v = load<f32>(xu + ((<usize>q * <usize>C + <usize>c) << 2));
        const at = (<usize>o * <usize>C + <usize>c) << 2;
        store<f32>(yu + at, v < 0 ? <f32>NaN : v);
        store<i32>(iu + at, q);
      }
    }
  }
}

/** Stochastic training backward (STOCH.GRAD): acc (f64, laid out as x) += dy at each output's selected tap. */
export function stochasticTrainBackward(N: i32, C: i32, x: usize, dy: usize, acc: usize, seed: u32, unit0: i32, channels: i32): void {
  for (let u = 0; u < N; u++) {
    const xu = x + ((<usize>u * <usize>rInPlane * <usize>C) << 2);
    const au = acc + ((<usize>u * <usize>rInPlane * <usize>C) << 3);
    const du = dy + ((<usize>u * <usize>rOutPlane * <usize>C) << 2);
    const unitKey = unitKeyOf(seed, unit0 + u, C, channels);
    const nKey = C == 1 ? 0 : fmix32(unitKey);
    let o = 0;
    for (let od = 0; od < rOD; od++) for (let oh = 0; oh < rOH; oh++) for (let ow = 0; ow < rOW; ow++, o++) {
      const n = windowPositions(od, oh, ow);
      for (let c = 0; c < C; c++) {
        const a = au + ((<usize>selectedTap(xu, n, C, c, unitKey, nKey, o) * <usize>C + <usize>c) << 3);
        store<f64>(a, load<f64>(a) + <f64>load<f32>(du + ((<usize>o * <usize>C + <usize>c) << 2)));
      }
    }
  }
}
