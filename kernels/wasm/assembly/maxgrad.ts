/**
 * GRAD.MAX fused with its forward, no indices, no zeroing pass, no scatter, for three windows: the raw-audio pool's
 * kernel 4 stride 4 rows (bwdMaxK4S4), the ResNet stem's 3×3 stride 2 (bwdMaxK3S2) and the dense 3×3 stride 1
 * (bwdMaxK3S1). The host calls each on no planes first: 0 means the windows are not its own.
 *
 * The raw-audio pool (M5): kernel 4 stride 4 along the width, no padding, no
 * dilation, windows of one row each, contiguous planes. The windows are disjoint, so every input receives at most
 * one contribution: each group of 4 outputs finds its MAX.SELECT winners in registers and writes its 16 inputs'
 * dx as 4 whole vectors (dy at the winner, +0 at the other taps, as bwdMaxPlanes' stores into a zeroed dx). No
 * forward indices, no zeroing pass, no scatter; the columns after the last window are zeroed.
 *
 * Winners: the first maximum of the 4 taps (a later tap wins only when strictly greater; ties keep the earlier
 * tap, −0/+0 included). Comparisons ignore NaN, so every tap is also summed (NaN is absorbing; so is ∞ − ∞): a
 * plane whose sum is NaN is redone by the exact scalar MAX.SELECT (maxIndexAt), first NaN in scan order.
 */
import {
  countH, dilH, dilW, firstH, inD, inH, inPlane, inW, kerW, outD, outH, outPlane, outW, padW, strW, tab,
} from './state';
import { planeRedo } from './scalar';

/**
 * Whether the windows are the ones this kernel covers: kernel 4 stride 4 inside each row (4·outW ≤ inW, at least
 * 4 outputs per row), one input row per output row, one depth slice.
 */
function k4s4Windows(): bool {
  if (kerW != 4 || strW != 4 || dilW != 1 || padW != 0 || outW < 4 || (outW << 2) > inW) return false;
  if (outD != 1 || inD != 1 || outH != inH) return false;
  for (let oh = 0; oh < outH; oh++) {
    if (tab(firstH, oh) != oh || tab(countH, oh) != 1) return false;
  }
  return true;
}

/**
 * GRAD.MAX for kernel 4 stride 4 rows (k4s4Windows): writes the whole of dx for `planes` contiguous planes and
 * returns 1; returns 0, doing nothing, for any other windows (the host then takes the general path). Per row,
 * groups of 4 outputs, the last moved back to end at outW (it rewrites a few inputs, identically).
 */
export function bwdMaxK4S4(planes: i32, x: usize, dy: usize, dx: usize): i32 {
  if (!k4s4Windows()) return 0;
  const rowB = <usize>inW << 2;
  const last = outW - 4;
  const zero = f32x4.splat(0);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const dp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const gp = dy + ((<usize>pl * <usize>outPlane) << 2);
    let nan = zero;
    for (let oh = 0; oh < outH; oh++) {
      const xr = xp + <usize>oh * rowB;
      const dr = dp + <usize>oh * rowB;
      const gr = gp + (<usize>(oh * outW) << 2);
      for (let ow = 0; ; ow += 4) {
        if (ow > last) ow = last;
        const a = xr + (<usize>ow << 4);
        const L0 = v128.load(a);
        const L1 = v128.load(a, 16);
        const L2 = v128.load(a, 32);
        const L3 = v128.load(a, 48);
        nan = f32x4.add(nan, f32x4.add(f32x4.add(L0, L1), f32x4.add(L2, L3)));
        // 4×4 transpose: t_k holds tap k of the 4 outputs.
        const u0 = v128.shuffle<f32>(L0, L1, 0, 4, 1, 5);
        const u1 = v128.shuffle<f32>(L2, L3, 0, 4, 1, 5);
        const u2 = v128.shuffle<f32>(L0, L1, 2, 6, 3, 7);
        const u3 = v128.shuffle<f32>(L2, L3, 2, 6, 3, 7);
        const t0 = v128.shuffle<f32>(u0, u1, 0, 1, 4, 5);
        const t1 = v128.shuffle<f32>(u0, u1, 2, 3, 6, 7);
        const t2 = v128.shuffle<f32>(u2, u3, 0, 1, 4, 5);
        const t3 = v128.shuffle<f32>(u2, u3, 2, 3, 6, 7);
        // The tap of the last strict improvement wins.
        const m1 = f32x4.gt(t1, t0);
        let acc = f32x4.pmax(t0, t1);
        const m2 = f32x4.gt(t2, acc);
        acc = f32x4.pmax(acc, t2);
        const m3 = f32x4.gt(t3, acc);
        const g = v128.load(gr + (<usize>ow << 2));
        const d3 = v128.and(g, m3);
        const g2 = v128.andnot(g, m3);
        const d2 = v128.and(g2, m2);
        const g1 = v128.andnot(g2, m2);
        const d1 = v128.and(g1, m1);
        const d0 = v128.andnot(g1, m1);
        // Transposed back: each output's 4 taps, contiguous.
        const v0 = v128.shuffle<f32>(d0, d1, 0, 4, 1, 5);
        const v1 = v128.shuffle<f32>(d2, d3, 0, 4, 1, 5);
        const v2 = v128.shuffle<f32>(d0, d1, 2, 6, 3, 7);
        const v3 = v128.shuffle<f32>(d2, d3, 2, 6, 3, 7);
        const o = dr + (<usize>ow << 4);
        v128.store(o, v128.shuffle<f32>(v0, v1, 0, 1, 4, 5));
        v128.store(o, v128.shuffle<f32>(v0, v1, 2, 3, 6, 7), 16);
        v128.store(o, v128.shuffle<f32>(v2, v3, 0, 1, 4, 5), 32);
        v128.store(o, v128.shuffle<f32>(v2, v3, 2, 3, 6, 7), 48);
        if (ow == last) break;
      }
      // Columns after the last window: in no window.
      for (let c = outW << 2; c < inW; c++) store<f32>(dr + (<usize>c << 2), 0);
    }
    // A NaN (or ∞ − ∞) was read: the exact scalar MAX.SELECT for the whole plane (disjoint windows: stores).
    if (v128.any_true(f32x4.ne(nan, nan))) planeRedo(xp, gp, dp, false);
  }
  return 1;
}

/**
 * Whether the windows are the ResNet stem's that bwdMaxK3S2 covers: kernel 3 stride 2 with one column of padding
 * before, dilation 1, along the width, a multiple of 4 outputs per row, the last window inside the row
 * (2·outW ≤ inW); along the height the same windows by the tables (rows 2·oh − 1 to 2·oh + 1, the first output
 * row's without its padding row); one depth slice.
 */
export function k3s2Windows(): bool {
  if (kerW != 3 || strW != 2 || dilW != 1 || padW != 1) return false;
  if (outW < 4 || (outW & 3) != 0 || (outW << 1) > inW) return false;
  if (outD != 1 || inD != 1 || dilH != 1) return false;
  for (let oh = 0; oh < outH; oh++) {
    if (tab(firstH, oh) != max(0, 2 * oh - 1) || tab(countH, oh) != (oh == 0 ? 2 : 3)) return false;
  }
  return true;
}

/**
 * A row's dx columns 2·ow − 1 … 2·ow + 6 for group k (ow = 4k) from its odd columns (2·ow − 1 + 2j) and even ones
 * (2·ow + 2j); the first group's column −1 (padding) is not stored.
 */
@inline function stemStoreCols(d: usize, k: i32, odd: v128, even: v128): void {
  const lo = v128.shuffle<f32>(odd, even, 0, 4, 1, 5);
  const hi = v128.shuffle<f32>(odd, even, 2, 6, 3, 7);
  const at = d + (<usize>k << 5);
  if (k == 0) {
    store<f32>(at, f32x4.extract_lane(lo, 1));
    store<f32>(at, f32x4.extract_lane(lo, 2), 4);
    store<f32>(at, f32x4.extract_lane(lo, 3), 8);
  } else {
    v128.store(at - 4, lo);
  }
  v128.store(at, hi, 12);
}

/** A row's last window column (2·outW − 1) and the columns after it, in no window (+0). */
@inline function stemStoreEnd(d: usize, last: f32): void {
  store<f32>(d + (<usize>((outW << 1) - 1) << 2), last);
  const tail = inW - (outW << 1);
  if (tail > 0) memory.fill(d + (<usize>outW << 3), 0, <usize>tail << 2);
}

// stemRow's markers: the first output row or not.
type True = u8;
type False = u16;

/**
 * Output row oh of bwdMaxK3S2 (TOP = True: the first, whose row 2·oh − 1 is padding), its groups in one loop: the
 * row's own function, so that the first row's tests fold at compile time and no mask for them stays live.
 */
function stemRow<TOP>(xp: usize, dp: usize, gp: usize, oh: i32, G: i32, hRing: usize, pend: usize): void {
  const top = sizeof<TOP>() == 1;
  const rowB = <usize>inW << 2;
  const zero = f32x4.splat(0);
  // A row's first group has no column before it: tap 0 of its first window is padding, NaN here, so that tap 0
  // never wins (w0 below) and the pmax chain drops it.
  const before0 = f32x4.splat(<f32>NaN);
  const all = i32x4.splat(-1);
  const xa = xp + <usize>(oh << 1) * rowB;
  const da = dp + <usize>(oh << 1) * rowB;
  const dP = da - rowB;
  const gr = gp + (<usize>(oh * outW) << 2);
  let oddA = before0;
  let oddB = before0;
  let d2P = zero;
  let d2A = zero;
  let d2B = zero;
  for (let k = 0; k < G; k++) {
    const c = <usize>k << 5;
    // The horizontal pass of rows A and B: taps t0, t1, t2 are columns 2·ow − 1, 2·ow, 2·ow + 1 (t0 from the
    // previous group's odd columns); w0: t0 beats t1 (t0 ≥ t1: ties keep the earlier tap), m2: t2 beats both,
    // h: the row maximum. pmax keeps its first operand on ties and NaN: h only meets comparisons, where two
    // equal values (±0 too) compare the same, and a NaN read sends the plane to the scalar redo. (Written out
    // for each row: one helper for both, its three results through memory, took 1.2× the time on the stem.)
    const A0 = v128.load(xa + c);
    const A1 = v128.load(xa + c, 16);
    const B0 = v128.load(xa + rowB + c);
    const B1 = v128.load(xa + rowB + c, 16);
    stemNan = f32x4.add(stemNan, f32x4.add(f32x4.add(A0, A1), f32x4.add(B0, B1)));
    const tA1 = v128.shuffle<f32>(A0, A1, 0, 2, 4, 6);
    const tA2 = v128.shuffle<f32>(A0, A1, 1, 3, 5, 7);
    const tA0 = v128.shuffle<f32>(oddA, tA2, 3, 4, 5, 6);
    oddA = tA2;
    const wA0 = f32x4.ge(tA0, tA1);
    const pA = f32x4.pmax(tA1, tA0);
    const mA2 = f32x4.gt(tA2, pA);
    const hA = f32x4.pmax(pA, tA2);
    const tB1 = v128.shuffle<f32>(B0, B1, 0, 2, 4, 6);
    const tB2 = v128.shuffle<f32>(B0, B1, 1, 3, 5, 7);
    const tB0 = v128.shuffle<f32>(oddB, tB2, 3, 4, 5, 6);
    oddB = tB2;
    const wB0 = f32x4.ge(tB0, tB1);
    const pB = f32x4.pmax(tB1, tB0);
    const mB2 = f32x4.gt(tB2, pB);
    const hB = f32x4.pmax(pB, tB2);
    // Row P's, kept from the previous output row (its row B); row B's kept for the next.
    const hr = hRing + <usize>k * 48;
    const hP = v128.load(hr);
    const wP0 = v128.load(hr, 16);
    const mP2 = v128.load(hr, 32);
    v128.store(hr, hB);
    v128.store(hr, wB0, 16);
    v128.store(hr, mB2, 32);
    // The rows: A beats P (always at the top, where P is padding), B beats both.
    const v1 = top ? all : f32x4.gt(hA, hP);
    const v2 = f32x4.gt(hB, top ? hA : f32x4.pmax(hP, hA));
    // dy + 0: −0 becomes +0, so that no sum below is −0 (as the scatter's, which starts from +0).
    const g = f32x4.add(v128.load(gr + (<usize>k << 4)), zero);
    const dB = v128.and(g, v2);
    const g1 = v128.andnot(g, v2);
    const dA = v128.and(g1, v1);
    const dPr = v128.andnot(g1, v1);
    // The taps of each row; odd columns take the previous group's tap 2 (lane 3) first.
    const pOdd = v128.load(pend + (<usize>k << 5));
    const pEven = v128.load(pend + (<usize>k << 5), 16);
    let t2 = v128.and(dPr, mP2);
    let r = v128.andnot(dPr, mP2);
    if (!top) {
      const odd = f32x4.add(f32x4.add(pOdd, v128.shuffle<f32>(d2P, t2, 3, 4, 5, 6)), v128.and(r, wP0));
      stemStoreCols(dP, k, odd, f32x4.add(pEven, v128.andnot(r, wP0)));
    }
    d2P = t2;
    t2 = v128.and(dA, mA2);
    r = v128.andnot(dA, mA2);
    stemStoreCols(da, k, f32x4.add(v128.shuffle<f32>(d2A, t2, 3, 4, 5, 6), v128.and(r, wA0)), v128.andnot(r, wA0));
    d2A = t2;
    t2 = v128.and(dB, mB2);
    r = v128.andnot(dB, mB2);
    v128.store(pend + (<usize>k << 5), f32x4.add(v128.shuffle<f32>(d2B, t2, 3, 4, 5, 6), v128.and(r, wB0)));
    v128.store(pend + (<usize>k << 5), v128.andnot(r, wB0), 16);
    d2B = t2;
  }
  // The last window column: tap 2 of the last window alone.
  const last = pend + (<usize>G << 5);
  if (!top) stemStoreEnd(dP, load<f32>(last) + f32x4.extract_lane(d2P, 3));
  stemStoreEnd(da, f32x4.extract_lane(d2A, 3));
  store<f32>(last, f32x4.extract_lane(d2B, 3));
}

/**
 * GRAD.MAX fused with its forward for the ResNet stem's windows (k3s2Windows): writes the whole of dx for
 * `planes` contiguous planes and returns 1; returns 0, doing nothing, for any other windows. No indices, no
 * zeroing pass, no scatter. `ring`: the forward's ring (kernels/wasm/memory-plan.ts, 6 rows of outW floats and
 * more), scratch for 5 rows of outW and 8 floats.
 *
 * Per output row oh, per group of 4 windows: the horizontal pass of input rows 2·oh and 2·oh + 1, row
 * 2·oh − 1's from the ring (the previous output row's 2·oh + 1); the vertical pass picks the row the same way
 * (the first row holding the maximum: a later row wins only when strictly greater), so the winning row and tap
 * are MAX.SELECT's first maximum in scan order. dy is then split by masks into 9 vectors, one per tap, +0 where
 * the tap lost, and summed into columns: an even column 2·ow + 2j is tap 1 of window ow + j alone, an odd one is
 * tap 2 of window ow + j − 1 then tap 0 of window ow + j. Row 2·oh is written; row 2·oh − 1 adds this row's
 * taps to what the previous output row's left pending (its row 2·oh + 1, in the ring), then is written; row
 * 2·oh + 1 is left pending. Every element's terms are added in output scan order, as bwdMaxPlanes adds them into
 * a zeroed dx, and dy is first made dy + 0 (−0 to +0): adding a first term to +0 does exactly that, and a later
 * sum is −0 only when both its terms are. So the bits are the scatter's.
 *
 * Comparisons ignore NaN, so every value read is also summed; a plane whose sum is NaN (or ∞ − ∞) is redone
 * from the exact scalar MAX.SELECT (maxIndexAt) as a scatter into a zeroed plane.
 */
export function bwdMaxK3S2(planes: i32, x: usize, dy: usize, dx: usize, ring: usize): i32 {
  if (!k3s2Windows()) return 0;
  const G = outW >> 2;
  const rowB = <usize>inW << 2;
  // Ring: per group, the last odd input row's h, w0, m2 (48 bytes); then per group and one more (the last
  // column), the pending row's odd and even columns (32 bytes).
  const hRing = ring;
  const pend = ring + <usize>G * 48;
  const zero = f32x4.splat(0);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const dp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const gp = dy + ((<usize>pl * <usize>outPlane) << 2);
    stemNan = zero;
    stemRow<True>(xp, dp, gp, 0, G, hRing, pend);
    for (let oh = 1; oh < outH; oh++) stemRow<False>(xp, dp, gp, oh, G, hRing, pend);
    // The last pending row (2·outH − 1), then the rows in no window.
    const dB = dp + <usize>((outH << 1) - 1) * rowB;
    for (let k = 0; k < G; k++) {
      const at = pend + (<usize>k << 5);
      stemStoreCols(dB, k, v128.load(at), v128.load(at, 16));
    }
    stemStoreEnd(dB, load<f32>(pend + (<usize>G << 5)));
    const rest = inH - (outH << 1);
    if (rest > 0) memory.fill(dB + rowB, 0, <usize>rest * rowB);
    // A NaN (or ∞ − ∞) was read: the exact scalar MAX.SELECT for the whole plane (overlapping windows: additions).
    if (v128.any_true(f32x4.ne(stemNan, stemNan))) planeRedo(xp, gp, dp, true);
  }
  return 1;
}

// bwdMaxK3S2's NaN sum, in a global: as a local, V8 added each group's loads into it at the end of the loop body,
// holding the 4 loads in stack slots until then.
let stemNan: v128 = f32x4.splat(0);

/**
 * Whether the windows are the dense same-size ones that bwdMaxK3S1 covers: kernel 3 stride 1 with one column of
 * padding before (and so, as outW = inW, one after), dilation 1, along the width, a multiple of 4 columns; along
 * the height rows oh − 1 to oh + 1 clipped to the plane, by the tables, with outH = inH ≥ 2; one depth slice.
 */
function k3s1Windows(): bool {
  if (kerW != 3 || strW != 1 || dilW != 1 || padW != 1 || outW != inW) return false;
  if (outW < 4 || (outW & 3) != 0) return false;
  if (outD != 1 || inD != 1 || dilH != 1 || outH != inH || inH < 2) return false;
  for (let oh = 0; oh < outH; oh++) {
    const lo = max(0, oh - 1);
    if (tab(firstH, oh) != lo || tab(countH, oh) != min(inH - 1, oh + 1) - lo + 1) return false;
  }
  return true;
}

/**
 * bwdMaxK3S1's horizontal pass of one input row for group k (columns 4k … 4k + 3, the middle taps of 4 windows),
 * into its record: h, the row maximum over taps c − 1, c, c + 1 (also returned); w0, tap 0 beats tap 1 (t0 ≥ t1:
 * ties keep the earlier tap); m2, tap 2 beats both. A window's padding tap (column −1 or inW) is NaN, which never
 * wins a comparison; pmax keeps its first operand on NaN, so it drops out of h too. Every value read is summed
 * into k3s1Nan, once (as t1).
 */
@inline function k3s1Horizontal(row: usize, k: i32, last: i32, rec: usize): v128 {
  const a = row + (<usize>k << 4);
  const nan = f32x4.splat(<f32>NaN);
  const t1 = v128.load(a);
  k3s1Nan = f32x4.add(k3s1Nan, t1);
  const t0 = k == 0 ? v128.shuffle<f32>(nan, t1, 3, 4, 5, 6) : v128.load(a - 4);
  const t2 = k == last ? v128.shuffle<f32>(t1, nan, 1, 2, 3, 4) : v128.load(a + 4);
  const p = f32x4.pmax(t1, t0);
  const h = f32x4.pmax(p, t2);
  v128.store(rec, h);
  v128.store(rec, f32x4.ge(t0, t1), 16);
  v128.store(rec, f32x4.gt(t2, p), 32);
  return h;
}

/**
 * Output row oh of bwdMaxK3S1, and dx row oh − 1. Records sP, sA, sB hold rows oh − 1, oh, oh + 1 (64 bytes a
 * group: h, w0, m2, then the row's pending sums). Variants: TOP, the first row, whose row oh − 1 is padding; BOT,
 * the last, whose row oh + 1 is; END, one past the last (oh = outH): no vertical pass, only dx row outH − 1.
 *
 * The vertical pass: row oh + 1's horizontal pass is made here; the first row holding the maximum wins (a later
 * row only when strictly greater); dy is added to the pending sum of the row it picked, per window column: row
 * oh + 1's sum starts, row oh's continues, row oh − 1's ends. Row oh − 1 is then complete: its sums are split by
 * its horizontal winners into dx (every column stored, no zeroing pass). Column c receives, in this order, the
 * sum of window column c − 1 where tap 2 won, of c where tap 1 won, of c + 1 where tap 0 won. `dummy`: 16 bytes
 * that take the first group's store.
 */
function k3s1Row<TOP, BOT, END>(
  xp: usize, gp: usize, oh: i32, G: i32, sP: usize, sA: usize, sB: usize, d: usize, dummy: usize,
): void {
  const top = sizeof<TOP>() == 1;
  const bot = sizeof<BOT>() == 1;
  const end = sizeof<END>() == 1;
  const rowB = <usize>inW << 2;
  const zero = f32x4.splat(0);
  const xB = xp + <usize>(oh + 1) * rowB;
  const gr = gp + <usize>oh * rowB;
  let t2p = zero;
  let t0p = zero;
  let part = zero;
  for (let k = 0; k < G; k++) {
    const at = <usize>k << 6;
    // Row oh − 1's sums, complete with this row's terms.
    let sum = end ? v128.load(sP + at, 48) : zero;
    if (!end) {
      const hA = v128.load(sA + at);
      const hP = top ? zero : v128.load(sP + at);
      // dy + 0: −0 becomes +0, so that no sum below is −0 (as the scatter's, which starts from +0).
      let g = f32x4.add(v128.load(gr + (<usize>k << 4)), zero);
      if (!bot) {
        const hB = k3s1Horizontal(xB, k, G - 1, sB + at);
        const v2 = f32x4.gt(hB, top ? hA : f32x4.pmax(hP, hA));
        v128.store(sB + at, v128.and(g, v2), 48);
        g = v128.andnot(g, v2);
      }
      if (top) {
        v128.store(sA + at, g, 48);
        continue;
      }
      const v1 = f32x4.gt(hA, hP);
      v128.store(sA + at, f32x4.add(v128.load(sA + at, 48), v128.and(g, v1)), 48);
      sum = f32x4.add(v128.load(sP + at, 48), v128.andnot(g, v1));
    }
    const w0 = v128.load(sP + at, 16);
    const m2 = v128.load(sP + at, 32);
    const t2 = v128.and(sum, m2);
    const r = v128.andnot(sum, m2);
    const t0 = v128.and(r, w0);
    // Group k − 1 is complete with tap 0 of this group's first window.
    v128.store(select<usize>(d + (<usize>k << 4) - 16, dummy, k > 0), f32x4.add(part, v128.shuffle<f32>(t0p, t0, 1, 2, 3, 4)));
    part = f32x4.add(v128.shuffle<f32>(t2p, t2, 3, 4, 5, 6), v128.andnot(r, w0));
    t2p = t2;
    t0p = t0;
  }
  if (!top) v128.store(d + (<usize>(G - 1) << 4), f32x4.add(part, v128.shuffle<f32>(t0p, zero, 1, 2, 3, 4)));
}

/**
 * GRAD.MAX fused with its forward for the dense 3×3 stride-1 windows with one padding row and column on each side
 * (k3s1Windows): writes the whole of dx for `planes` contiguous planes and returns 1; returns 0, doing nothing,
 * for any other windows. No indices, no zeroing pass, no scatter. `ring`: 3 records of 64 bytes per group of 4
 * columns, and 16 bytes (kernels/wasm/memory-plan.ts).
 *
 * Windows that overlap in both directions share their winners' work: the horizontal winner of input row r at
 * window column w is the same for the three output rows whose windows hold that row. So the vertical pass adds
 * each output's dy, per window column, to a pending sum for the row it picked (in output row order), and each
 * input row's sums are split by its horizontal winners once, when the row is finished. The winning row and tap
 * are MAX.SELECT's first maximum in scan order, as in bwdMaxK3S2. The order of an element's terms differs from
 * the scatter's (window column first, then output row; ACC.GRAD leaves it free), so dx may differ from
 * bwdMaxPlanes' in the last bits where an element receives three or more terms.
 *
 * Comparisons ignore NaN, so every value read is also summed; a plane whose sum is NaN (or ∞ − ∞) is redone from
 * the exact scalar MAX.SELECT (maxIndexAt) as a scatter into a zeroed plane.
 */
export function bwdMaxK3S1(planes: i32, x: usize, dy: usize, dx: usize, ring: usize): i32 {
  if (!k3s1Windows()) return 0;
  const G = outW >> 2;
  const rowB = <usize>inW << 2;
  const slot = <usize>G << 6;
  const dummy = ring + 3 * slot;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const dp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const gp = dy + ((<usize>pl * <usize>outPlane) << 2);
    k3s1Nan = f32x4.splat(0);
    // Row r's records are slot r mod 3.
    let sP = ring + 2 * slot;
    let sA = ring;
    let sB = ring + slot;
    for (let k = 0; k < G; k++) k3s1Horizontal(xp, k, G - 1, sA + (<usize>k << 6));
    k3s1Row<True, False, False>(xp, gp, 0, G, sP, sA, sB, dp, dummy);
    for (let oh = 1; oh <= outH; oh++) {
      const s = sP;
      sP = sA;
      sA = sB;
      sB = s;
      const d = dp + <usize>(oh - 1) * rowB;
      if (oh < outH - 1) k3s1Row<False, False, False>(xp, gp, oh, G, sP, sA, sB, d, dummy);
      else if (oh == outH - 1) k3s1Row<False, True, False>(xp, gp, oh, G, sP, sA, sB, d, dummy);
      else k3s1Row<False, False, True>(xp, gp, oh, G, sP, sA, sB, d, dummy);
    }
    // A NaN (or ∞ − ∞) was read: the exact scalar MAX.SELECT for the whole plane (overlapping windows: additions).
    if (v128.any_true(f32x4.ne(k3s1Nan, k3s1Nan))) planeRedo(xp, gp, dp, true);
  }
  return 1;
}

// bwdMaxK3S1's NaN sum, in a global (as stemNan).
let k3s1Nan: v128 = f32x4.splat(0);
