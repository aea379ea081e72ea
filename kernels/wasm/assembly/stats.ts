/**
 * Statistics pooling (SPEC.md STATS.*): per (n, c) plane the mean and the population standard deviation, forward
 * and backward. Self-contained (no window geometry: every position of a plane is a tap).
 *
 * Arithmetic. Two-pass in f64, as STATS.ACC models it: μ = Σx/T, then V = Σ(x − μ)²/T around the computed mean,
 * σ = √V, each rounded once to float32 by the store. The f64 sums' errors (about T·2^−53 relative) are far inside
 * STATS.ACC's float32 bounds, and a float32 tap's square never leaves f64's range. Non-finite taps propagate as
 * STATS.SPECIAL says without a test: NaN → NaN; +∞ and −∞ → Σ = NaN; ±∞ alone → μ = ±∞ and x − μ has ∞ − ∞, σ = NaN.
 *
 * Layouts. Contiguous planes (channels_first, or C = 1) run two taps per f64x2 vector, four float32 loaded at a
 * time (two accumulators, so the additions of one vector do not wait on the other's). channels_last batch items
 * run four channels per vector: each channel's sum then goes through its positions in order, in f64 scratch.
 */

/** The sum of a contiguous plane's T float32 taps in f64. */
function planeSum(x: usize, T: i32): f64 {
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let t = 0;
  for (; t + 4 <= T; t += 4) {
    const v = v128.load(x + (<usize>t << 2));
    a = f64x2.add(a, f64x2.promote_low_f32x4(v));
    b = f64x2.add(b, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
  }
  const s = f64x2.add(a, b);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; t < T; t++) sum += <f64>load<f32>(x + (<usize>t << 2));
  return sum;
}

/** Σ(x_t − μ)² over a contiguous plane, in f64. */
function planeSquares(x: usize, T: i32, mu: f64): f64 {
  const m = f64x2.splat(mu);
  let a = f64x2.splat(0);
  let b = f64x2.splat(0);
  let t = 0;
  for (; t + 4 <= T; t += 4) {
    const v = v128.load(x + (<usize>t << 2));
    const lo = f64x2.sub(f64x2.promote_low_f32x4(v), m);
    const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), m);
    a = f64x2.add(a, f64x2.mul(lo, lo));
    b = f64x2.add(b, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(a, b);
  let q = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; t < T; t++) {
    const d = <f64>load<f32>(x + (<usize>t << 2)) - mu;
    q += d * d;
  }
  return q;
}

/** Mean and standard deviation of the plane at x, left in these globals (f64, unrounded). */
let mean: f64 = 0;
let std: f64 = 0;
@inline function planeMoments(x: usize, T: i32): void {
  mean = planeSum(x, T) / <f64>T;
  std = Math.sqrt(planeSquares(x, T, mean) / <f64>T);
}

/** Forward over P contiguous planes of T taps: out[2p] = μ_p, out[2p + 1] = σ_p (float32). */
export function statsPlanes(P: i32, T: i32, x: usize, out: usize): void {
  for (let p = 0; p < P; p++) {
    planeMoments(x + ((<usize>p * <usize>T) << 2), T);
    store<f32>(out + (<usize>p << 3), <f32>mean);
    store<f32>(out + (<usize>p << 3) + 4, <f32>std);
  }
}

/**
 * Backward over P contiguous planes (STATS.GRAD): dx_t = dμ/T + dσ·(x_t − μ)/(T·σ) in f64, the σ term 0 where σ is
 * not > 0 (a constant plane; NaN planes, whose elements are unconstrained, likewise), rounded once. dmu and dsigma
 * hold the planes' dy entries (float32, P each).
 */
export function statsPlanesBackward(P: i32, T: i32, x: usize, dmu: usize, dsigma: usize, dx: usize): void {
  for (let p = 0; p < P; p++) {
    const xp = x + ((<usize>p * <usize>T) << 2);
    const dp = dx + ((<usize>p * <usize>T) << 2);
    planeMoments(xp, T);
    const a = <f64>load<f32>(dmu + (<usize>p << 2)) / <f64>T;
    const b = std > 0 ? <f64>load<f32>(dsigma + (<usize>p << 2)) / (<f64>T * std) : 0;
    const av = f64x2.splat(a);
    const bv = f64x2.splat(b);
    const m = f64x2.splat(mean);
    let t = 0;
    for (; t + 4 <= T; t += 4) {
      const v = v128.load(xp + (<usize>t << 2));
      const lo = f64x2.add(av, f64x2.mul(bv, f64x2.sub(f64x2.promote_low_f32x4(v), m)));
      const hi = f64x2.add(av, f64x2.mul(bv, f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)), m)));
      // Two f32x4 halves from the two f64x2 results: lanes 0, 1 of each demotion.
      v128.store(dp + (<usize>t << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
    }
    for (; t < T; t++) store<f32>(dp + (<usize>t << 2), <f32>(a + b * (<f64>load<f32>(xp + (<usize>t << 2)) - mean)));
  }
}

/**
 * Per-channel f64 sums for one channels_last batch item at x ([T, C] float32): scratch[c] = Σ_t x(t, c), or with
 * `squares`, Σ_t (x(t, c) − means[c])². Four channels per vector pair, the scalar tail after.
 */
function channelSums(x: usize, T: i32, C: i32, scratch: usize, means: usize, squares: bool): void {
  for (let c = 0; c < C; c++) store<f64>(scratch + (<usize>c << 3), 0);
  const C4 = C & ~3;
  for (let t = 0; t < T; t++) {
    const row = x + ((<usize>t * <usize>C) << 2);
    let c = 0;
    for (; c < C4; c += 4) {
      const v = v128.load(row + (<usize>c << 2));
      let lo = f64x2.promote_low_f32x4(v);
      let hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
      const s = scratch + (<usize>c << 3);
      if (squares) {
        lo = f64x2.sub(lo, v128.load(means + (<usize>c << 3)));
        hi = f64x2.sub(hi, v128.load(means + (<usize>c << 3) + 16));
        lo = f64x2.mul(lo, lo);
        hi = f64x2.mul(hi, hi);
      }
      v128.store(s, f64x2.add(v128.load(s), lo));
      v128.store(s + 16, f64x2.add(v128.load(s + 16), hi));
    }
    for (; c < C; c++) {
      let v = <f64>load<f32>(row + (<usize>c << 2));
      if (squares) { v -= load<f64>(means + (<usize>c << 3)); v *= v; }
      const s = scratch + (<usize>c << 3);
      store<f64>(s, load<f64>(s) + v);
    }
  }
}

/**
 * Forward over N channels_last batch items ([T, C] each): out row u (2C float32) gets the C means then the C
 * standard deviations. scratch: 2C f64 (means, then sums of squares).
 */
export function statsInterleaved(N: i32, T: i32, C: i32, x: usize, out: usize, scratch: usize): void {
  const means = scratch;
  const sq = scratch + (<usize>C << 3);
  for (let u = 0; u < N; u++) {
    const xu = x + ((<usize>u * <usize>T * <usize>C) << 2);
    interleavedMoments(xu, T, C, means, sq);
    const row = out + ((<usize>u * 2 * <usize>C) << 2);
    for (let c = 0; c < C; c++) {
      store<f32>(row + (<usize>c << 2), <f32>load<f64>(means + (<usize>c << 3)));
      store<f32>(row + ((<usize>C + <usize>c) << 2), <f32>load<f64>(sq + (<usize>c << 3)));
    }
  }
}

/** means[c] = μ_c and sq[c] = σ_c (f64) for one channels_last batch item. */
function interleavedMoments(xu: usize, T: i32, C: i32, means: usize, sq: usize): void {
  channelSums(xu, T, C, means, 0, false);
  for (let c = 0; c < C; c++) store<f64>(means + (<usize>c << 3), load<f64>(means + (<usize>c << 3)) / <f64>T);
  channelSums(xu, T, C, sq, means, true);
  for (let c = 0; c < C; c++) store<f64>(sq + (<usize>c << 3), Math.sqrt(load<f64>(sq + (<usize>c << 3)) / <f64>T));
}

/**
 * Backward over N channels_last batch items (STATS.GRAD as statsPlanesBackward): dy rows (2C float32 each: dμ then
 * dσ) at dy; scratch: 4C f64 (means, σ, then per channel the a = dμ/T and b = dσ/(T·σ) of dx = a + b·(x − μ)).
 */
export function statsInterleavedBackward(N: i32, T: i32, C: i32, x: usize, dy: usize, dx: usize, scratch: usize): void {
  const means = scratch;
  const sd = scratch + (<usize>C << 3);
  const as = sd + (<usize>C << 3);
  const bs = as + (<usize>C << 3);
  for (let u = 0; u < N; u++) {
    const xu = x + ((<usize>u * <usize>T * <usize>C) << 2);
    const du = dx + ((<usize>u * <usize>T * <usize>C) << 2);
    const row = dy + ((<usize>u * 2 * <usize>C) << 2);
    interleavedMoments(xu, T, C, means, sd);
    for (let c = 0; c < C; c++) {
      const s = load<f64>(sd + (<usize>c << 3));
      store<f64>(as + (<usize>c << 3), <f64>load<f32>(row + (<usize>c << 2)) / <f64>T);
      store<f64>(bs + (<usize>c << 3), s > 0 ? <f64>load<f32>(row + ((<usize>C + <usize>c) << 2)) / (<f64>T * s) : 0);
    }
    for (let t = 0; t < T; t++) {
      const xr = xu + ((<usize>t * <usize>C) << 2);
      const dr = du + ((<usize>t * <usize>C) << 2);
      for (let c = 0; c < C; c++) {
        const k = <usize>c << 3;
        const v = <f64>load<f32>(xr + (<usize>c << 2));
        store<f32>(dr + (<usize>c << 2), <f32>(load<f64>(as + k) + load<f64>(bs + k) * (v - load<f64>(means + k))));
      }
    }
  }
}
