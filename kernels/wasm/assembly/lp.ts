/**
 * Lp (LP.DEF) around the float32 sum kernels, and its f64 paths.
 *
 * Forward: when every nonzero |x|^p lies well inside the normal float32 range (lpSafe), |x|^p in float32 goes to
 * a buffer of its own (lpMap; for p = 2 lpSafe's own pass writes it), summed by the SIMD sum kernels and rooted
 * (lpRoot, in passes.ts). Otherwise (a power
 * would be subnormal or could overflow a sum) lpForward64 computes each output from f64 powers and an f64 sum,
 * rounding once, so no intermediate underflows or overflows.
 * Backward (GRAD.LP): for p = 1 and p = 2, factored through the float32 sum backward (lpGradScale and
 * lpGradApply below, the host's sequence in kernels/wasm/engine.ts); otherwise, or when the factored form's ranges
 * do not hold, scalar f64 in the naive backend's order. The f64 kernels walk each window with walk.ts.
 */
import { outD, outH, outW, selectPlane, xb, xs, yb, ys } from './state';
import { LpTap, PowerTap, windowAt } from './walk';

/**
 * 1 when every element's |x| is 0, NaN, or within [lo, hi] (the host passes lo = 2^(−96/p), hi = 2^(96/p), so
 * that every nonzero power lies in about [2^−96, 2^96]); else 0. With squareTo ≠ 0 it also writes x·x there (the
 * lp backward's p = 2 powers, lpMap's, in the same pass: one read of x fewer); those are meaningful only when it
 * returns 1.
 */
export function lpSafe(x: usize, count: i32, lo: f32, hi: f32, squareTo: usize): i32 {
  const zero = f32x4.splat(0);
  const lov = f32x4.splat(lo);
  const hiv = f32x4.splat(hi);
  let bad = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    if (squareTo != 0) v128.store(squareTo + o, f32x4.mul(v, v));
    const a = f32x4.abs(v);
    bad = v128.or(bad, v128.or(v128.and(f32x4.gt(a, zero), f32x4.lt(a, lov)), f32x4.gt(a, hiv)));
  }
  if (v128.any_true(bad)) return 0;
  for (; i < count; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (squareTo != 0) store<f32>(squareTo + (<usize>i << 2), v * v);
    const a = Mathf.abs(v);
    if ((a > 0 && a < lo) || a > hi) return 0;
  }
  return 1;
}

/** |v|^p in f64 (p = 1 and p = 2 exactly). */
@inline function power(v: f64, p: f64): f64 {
  const a = Math.abs(v);
  if (p == 1) return a;
  if (p == 2) return a * a;
  return Math.pow(a, p);
}

/** Σ pw over the in-bounds taps of output (od, oh, ow) of the selected plane, in scan order, in f64 (walk.ts). */
@inline function powerSumAt(pw: usize, od: i32, oh: i32, ow: i32): f64 {
  return windowAt<PowerTap>(pw + (xb << 3), xs, od, oh, ow);
}

/** Every lp output from f64 powers (pw: scratch, one f64 per input element) and an f64 sum, rounded once. */
export function lpForward64(cl: i32, N: i32, C: i32, x: usize, y: usize, p: f64, pw: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    store<f64>(pw + (<usize>i << 3), power(<f64>load<f32>(x + (<usize>i << 2)), p));
  }
  const r = 1.0 / p;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      selectPlane(cl, n, c, C);
      let o: usize = 0;
      for (let od = 0; od < outD; od++) {
        for (let oh = 0; oh < outH; oh++) {
          for (let ow = 0; ow < outW; ow++) {
            const s = powerSumAt(pw, od, oh, ow);
            store<f32>(y + ((yb + o * ys) << 2), <f32>root(s, p, r));
            o++;
          }
        }
      }
    }
  }
}

@inline function sign(v: f64): f64 {
  return v > 0 ? 1.0 : v < 0 ? -1.0 : v;
}

/**
 * For GRAD.LP: pw[i] = |x_i|^p and g[i] = sign(x_i)·|x_i|^(p−1), in f64; exact without Math.pow for p = 1
 * (|x|, sign(x)) and p = 2 (x², a float32's square is exact in f64; x itself), as in `power`. Math.pow per element
 * made the L2 pooling backward at the ResNet-50 stem 25–35× its forward.
 */
export function bwdLpPrep(x: usize, count: i32, p: f64, pw: usize, g: usize): void {
  for (let i = 0; i < count; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    store<f64>(pw + (<usize>i << 3), power(v, p));
    store<f64>(g + (<usize>i << 3), p == 1 ? sign(v) : p == 2 ? v : sign(v) * Math.pow(Math.abs(v), p - 1));
  }
}

/** y = s^(1/p) in f64, as lpForward64 roots (p = 1: s; p = 2: the correctly rounded square root). */
@inline function root(s: f64, p: f64, r: f64): f64 {
  return p == 1 ? s : p == 2 ? Math.sqrt(s) : Math.pow(s, r);
}

/** GRAD.LP: dy · sign(x)|x|^(p−1) · y^(1−p), y = (Σ|x|^p)^(1/p) in f64; 0 where x = 0 or y = 0. */
export function bwdLp(cl: i32, N: i32, C: i32, x: usize, dy: usize, pw: usize, g: usize, acc: usize, p: f64): void {
  const r = 1.0 / p;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      selectPlane(cl, n, c, C);
      let o: usize = 0;
      for (let od = 0; od < outD; od++) {
        for (let oh = 0; oh < outH; oh++) {
          for (let ow = 0; ow < outW; ow++) {
            const yv = root(powerSumAt(pw, od, oh, ow), p, r);
            const grad = <f64>load<f32>(dy + ((yb + o * ys) << 2));
            o++;
            if (yv == 0) continue;
            // y^(1−p): 1 for p = 1, 1/y for p = 2.
            const scale = grad * (p == 1 ? 1 : p == 2 ? 1 / yv : Math.pow(yv, 1 - p));
            windowAt<LpTap>(acc + (xb << 3), xs, od, oh, ow, scale, x + (xb << 2), g + (xb << 3));
          }
        }
      }
    }
  }
}

/**
 * The factored Lp gradient (p = 1, 2), first step. A tap x of window o receives t = dy_o·sign(x)|x|^(p−1)·y_o^(1−p)
 * (GRAD.LP), which is w(x)·a_o with w(x) = sign(x)|x|^(p−1) and a_o = dy_o·y_o^(1−p): so dx_i = w(x_i)·Σ_o a_o over
 * the windows holding i, the sum backward (GRAD.SUM) of a, times w. For p = 1, a = dy and w = sign(x); for p = 2,
 * a_o = dy_o / y_o (0 where y_o = 0, as GRAD.LP defines) and w = x. This writes a for p = 2 over `count` outputs,
 * from the float32 forward's sums of squares s (ŷ = the float32 sqrt of s, as passes.ts lpRoot takes it, here in
 * the same pass: lpRoot's own pass took 0.08 ms of the stem's 1.1 ms backward), and returns 1 when the error
 * bound below holds, else 0 (the host then takes the f64 kernels).
 *
 * Why it is within ACC.GRAD's lp bound: a_o = fl(dy_o/ŷ_o) is one rounding, the sum backward adds the m terms in
 * float32 (γ_{m−1}), and the product with x is one more rounding, so each term carries (1 + u)² on top of the sum's
 * γ_{m−1}, against ACC.GRAD's ρ ≥ (1 + u)^4(1 + ρ_y) − 1 for p = 2 (ρ_y covers ŷ's error within the forward's ACC.LP
 * interval). That relative model needs every rounding in the normal range and no overflow, which the factoring
 * could break where the direct form does not (dy/y and Σ a can leave the range that dy·(x/y) stays in; an
 * underflowed a_o would be multiplied by a large x). So: every finite nonzero |a_o| must lie in [2^−100, 2^96]
 * (normal, and a sum of at most 2^31 of them stays below 2^127), and every finite |dy_o| at most 2^96 (then
 * |x·Σa| ≤ Σ|dy|·(1 + δ) cannot overflow either). A product x·Σa that is subnormal has absolute error ≤ η, within
 * the bound's 4m·η. ŷ_o is 0 only when its window is all zeros (the forward's float32 path runs only where every
 * nonzero x² is at least 2^−96), and a non-finite a_o (NaN or ±∞ in the window or in dy_o) reaches only elements
 * of that window, which GRAD.LP leaves unspecified.
 */
export function lpGradScale(dy: usize, s: usize, a: usize, count: i32): i32 {
  // The quotient is one float32 division: IEEE division rounds the exact quotient once, so a_o is the correctly
  // rounded float32 quotient (what the f64 quotient rounded to float32 also gives: 53 ≥ 2·24 + 2 bits; the f64
  // form took 1.2× the whole Lp backward's time on the stem). The tests are on that a_o, as the bound needs: a
  // nonzero |a_o| below 2^−100 or finite above 2^96; a quotient that underflowed to 0 (dy and y finite and
  // nonzero) or overflowed to ∞ (dy finite, y nonzero); a finite |dy| above 2^96.
  const lo: f32 = 7.888609052210118e-31; // 2^-100
  const hi: f32 = 7.922816251426434e28; // 2^96
  const lov = f32x4.splat(lo);
  const hiv = f32x4.splat(hi);
  const inf = f32x4.splat(Infinity);
  const zero = f32x4.splat(0);
  let bad = zero;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    const yv = f32x4.sqrt(v128.load(s + o));
    const yZero = f32x4.eq(yv, zero);
    const q = v128.andnot(f32x4.div(g, yv), yZero);
    v128.store(a + o, q);
    const m = f32x4.abs(q);
    const d = f32x4.abs(g);
    // The usual vector: every |a_o| in [2^−100, 2^96] and |dy_o| at most 2^96, which none of the tests below
    // rejects (NaN fails the comparisons, so it takes them).
    if (i32x4.all_true(v128.and(v128.and(f32x4.ge(m, lov), f32x4.le(m, hiv)), f32x4.le(d, hiv)))) continue;
    const dFinite = f32x4.lt(d, inf);
    const yNonzeroFinite = v128.andnot(f32x4.lt(f32x4.abs(yv), inf), yZero);
    const tooSmall = v128.or(v128.and(f32x4.gt(m, zero), f32x4.lt(m, lov)),
      v128.and(v128.and(f32x4.eq(m, zero), f32x4.gt(d, zero)), v128.and(dFinite, yNonzeroFinite)));
    const tooLarge = v128.or(v128.and(f32x4.gt(m, hiv), v128.or(f32x4.lt(m, inf), dFinite)),
      v128.and(f32x4.gt(d, hiv), dFinite));
    bad = v128.or(bad, v128.or(tooSmall, tooLarge));
  }
  if (v128.any_true(bad)) return 0;
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    const yv = Mathf.sqrt(load<f32>(s + o));
    const q: f32 = yv == 0 ? 0 : g / yv;
    const m = Mathf.abs(q);
    const d = Mathf.abs(g);
    const dFinite = d < Infinity;
    const yNonzeroFinite = yv != 0 && Mathf.abs(yv) < Infinity;
    if ((m > 0 && m < lo) || (m == 0 && d > 0 && dFinite && yNonzeroFinite)) return 0;
    if ((m > hi && (m < Infinity || dFinite)) || (d > hi && dFinite)) return 0;
    store<f32>(a + o, q);
  }
  return 1;
}

/** lpGradApply's step for p = 2 on 4 lanes: s·x, or s itself where s is zero. */
@inline export function lpWeigh2(s: v128, x: v128): v128 {
  return v128.bitselect(s, f32x4.mul(s, x), f32x4.eq(s, f32x4.splat(0)));
}

/**
 * The factored Lp gradient, last step, in place over dx (which holds Σ_o a_o per input element): dx_i ·= w(x_i),
 * w = sign(x) for p = 1 (0 at x = 0: the contribution GRAD.LP defines there), w = x for p = 2. A zero sum stays
 * as it is: an element no window holds (a stride's gap, a dropped remainder) has no contribution and is 0 whatever
 * its x, also ±∞ or NaN, where w·0 would be NaN.
 */
export function lpGradApply(dx: usize, x: usize, count: i32, p: f64): void {
  let i = 0;
  if (p == 2) {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(dx + o, lpWeigh2(v128.load(dx + o), v128.load(x + o)));
    }
    for (; i < count; i++) {
      const o = <usize>i << 2;
      const s = load<f32>(dx + o);
      if (s != 0) store<f32>(dx + o, s * load<f32>(x + o));
    }
    return;
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    const s = load<f32>(dx + o);
    // sign(x)·s: s itself, its negation, 0 at x = 0 (GRAD.LP), and NaN at a NaN x, as the f64 kernels give (GRAD.LP
    // leaves an element of a window holding NaN unspecified).
    if (s != 0) store<f32>(dx + o, v > 0 ? s : v < 0 ? -s : v == 0 ? 0 : v);
  }
}
