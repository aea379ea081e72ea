/**
 * The row-first separable forward kernel for contiguous planes (channels_first, or channels_last with one
 * channel): every rank, stride, dilation and padding. The window walk is written once; the reducers (max with
 * indices, max values only, sum) and the width stride (1, 2, other) are generic markers whose branches fold at
 * compile time.
 *
 * Per plane:
 * - H pass, once per input row that some window uses: out[ow] = the reduction of the row's in-bounds taps of
 *   output column ow, for every ow. Columns whose taps all lie in the row ([vLo, vHi), at least 4 of them) run 4
 *   at a time (stride 1: one unaligned load per tap; stride 2: two loads and an even-lane shuffle; other strides:
 *   four scalar loads); the border and tail columns run scalar over the tables' in-bounds taps, so padding is
 *   never a tap. The specialised windows (kernel 3 stride 2, kernel 2 stride 2, kernel 3 stride 1, dilation 1;
 *   hCore) run every column in groups of 4, border groups masked (an out-of-row column is −∞ for max, 0 for sums):
 *   on small planes the scalar border columns cost as much as the vector ones.
 * - The H rows live in a small ring of R rows (R = the window's row span, or its depth span times the plane's
 *   rows for rank 3, so no two rows of one window share a slot); a tag per slot says which input row it holds,
 *   so each row is reduced once however many output rows use it.
 * - V pass, once per output row: the H rows of the window's in-bounds rows (depth, then height: scan order)
 *   combined 4 output columns at a time.
 * - Fused walk (fusedRow), for the specialised windows with at most 3 rows: per group of 4 outputs, the H groups of
 *   the window rows the ring does not hold yet, then the V combine; no pass per row. Kernel 3 across (stride 2: the
 *   stem; stride 1) runs its output rows whose earlier window rows the ring holds as one loop per plane (fusedRun):
 *   the walk, tag lookups and calls cost about 25 ns per output row, half the stem's values kernel.
 * Two shapes skip the ring altogether (fwdRows tries them first):
 * - Pair kernel (pairPlanes): 2×2 stride-2 windows inside the plane (VGG): both rows' pairs and their combine in
 *   registers, no tables or masks. bwdMaxPairs is its backward for exact tilings. Rank 3's 2×2×2 stride-2 windows
 *   (C3D) take the same kernel over the window's 4 rows (pairPlanes3, backward bwdMaxPairs3).
 * - Strip kernel (stripPlanes): kernel-3 windows (stride 1 or 2) of up to 3 rows on planes of at most 16 KiB: column
 *   strips top to bottom, the last three rows' H results in registers; the steady rows (one new input row each) in
 *   one loop without tables.
 * The sum backward on contiguous planes with stride 1 runs the sum kernel here too, as a gather (kernels/wasm/
 * geometry.ts gatherGeometry). On calls that stream from memory (fwdRows' sequential), fusedRun and the pair
 * kernels' memory order load one word a few pages ahead per input row (stream.ts touchAhead), and pairPlanes3 per
 * output row on each of its two slices.
 *
 * Max is exact and keeps scan order: the H pass takes the first maximum of a row (a later tap replaces the
 * running maximum only when strictly greater: m = v > acc, acc = pmax(acc, v) = m ? v : acc, so ties, −0/+0
 * included, keep the earlier tap's bits); the V pass takes, across rows in scan order, the first row holding the
 * maximum the same way. Every tap of a row precedes every tap of a later row in scan order (WINDOW.TAPS), so that
 * is the first maximum of the window (MAX.SELECT). Indices: the H pass keeps the column of the last strict
 * improvement, idx = max_s(idx, m & col) (columns grow with the tap), and stores the plane index; in the V pass a
 * later row's indices are all larger, so idx = max_s(idx, m & q) again. Comparisons ignore NaN, so the H pass
 * also sums every value it reads (f32x4.add: NaN is absorbing) and checks the scalar ones; a plane where a NaN
 * (or ∞ − ∞) showed up is recomputed by the exact scalar MAX.SELECT (first NaN in scan order).
 *
 * Sums accumulate in float32, k − 1 additions per row then one per further row: a summation tree over the
 * window's n terms in which every term takes part in fewer than n additions. SPEC.md ACC.MODEL allows any order
 * or tree and ACC.SUM bounds the result by γ_{n−1}·Σ|v| for float32 arithmetic with unit roundoff u = 2^−24, which
 * covers exactly this (the depth of any tree over n terms is at most n − 1).
 */
import {
  countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inD, inH, inPlane, inW, kerW, outD, outH,
  outPlane, outW, padW, strW, tab,
} from './state';
import { KIND_MAX, planeRedo, planeScalar } from './scalar';
import { touchAhead } from './stream';

/** fwdRows' kind for max without indices (KIND_MAX and KIND_SUM are scalar.ts's). */
export const KIND_MAX_VALUES: i32 = 2;
/** fwdRows' kind for max with its indices as window-relative codes where the kernel writes them (putCodes). */
export const KIND_MAX_CODES: i32 = 3;

// Reducer markers (only their size is read; channels.ts's kernel takes them too).
export type MaxIdx = u8;
export type MaxVal = u16;
export type Sum = u32;
// The pair kernels' max with window-relative index codes of one byte (putCodes).
type MaxCode = u64;
/** Whether reducer R tracks the winners: as plane indices (MaxIdx) or as codes (MaxCode). */
@inline function tracks<R>(): bool {
  return sizeof<R>() == 1 || sizeof<R>() == 8;
}
// Width stride markers.
type S1 = u8;
type S2 = u16;
type Sn = u32;

// The ring, set per call by fwdRows: values and indices rows (rowBytes apart), a tag per slot, and the slot
// offsets of the current output row's window rows.
let ringV: usize = 0;
let ringI: usize = 0;
let tags: usize = 0;
let rowOff: usize = 0;
let rowBytes: usize = 0;
let ringRows: i32 = 1;
let windowRows: i32 = 1;
let vLo: i32 = 0;
let vHi: i32 = 0;
// Whether the call streams from memory (fwdRows' sequential): fusedRun then reads ahead (touchAhead) up to
// the input's last word, xLast (set by rowsPlanes).
let streaming: bool = false;
let xLast: usize = 0;
// The H pass's output columns: outW, or a whole plane's in flat mode.
let hOut: i32 = 0;
// Fused mode (fusedRow): a specialised window shape, not flat, at most 3 rows per window.
let fused: i32 = 0;
// Flat mode: the windows tile each row exactly, so one H pass runs over the whole plane as one long row.
let flat: i32 = 0;

/** Columns c, c + s, c + 2s, c + 3s of the row (all inside it; stride 2 reads c + 7, which may be one past). */
@inline function loadTap<S>(a: usize): v128 {
  if (sizeof<S>() == 1) return v128.load(a);
  if (sizeof<S>() == 2) return v128.shuffle<f32>(v128.load(a), v128.load(a, 16), 0, 2, 4, 6);
  const step = <usize>strW << 2;
  let v = f32x4.splat(load<f32>(a));
  v = f32x4.replace_lane(v, 1, load<f32>(a + step));
  v = f32x4.replace_lane(v, 2, load<f32>(a + 2 * step));
  return f32x4.replace_lane(v, 3, load<f32>(a + 3 * step));
}

/** One H output column from the tables (a border or tail column): returns 1 when a NaN was read. */
@inline function hScalar<R>(xr: usize, rq: i32, hv: usize, hi: usize, ow: i32): i32 {
  const c0 = tab(firstW, ow);
  const n = tab(countW, ow);
  const tap = <usize>dilW << 2;
  let a = xr + (<usize>c0 << 2);
  let acc = load<f32>(a);
  let best = c0;
  let bad = i32(acc != acc);
  for (let k = 1; k < n; k++) {
    a += tap;
    const v = load<f32>(a);
    if (sizeof<R>() == 4) {
      acc += v;
    } else {
      bad |= i32(v != v);
      if (v > acc) {
        acc = v;
        best = c0 + k * dilW;
      }
    }
  }
  store<f32>(hv + (<usize>ow << 2), acc);
  if (sizeof<R>() == 1) store<i32>(hi + (<usize>ow << 2), rq + best);
  return bad;
}

/** The H columns [from, to) of one input row, any kernel, stride and dilation; returns the NaN sum's lanes. */
@inline function hBodyAny<R, S>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  const K = kerW;
  const s = strW;
  const tap = <usize>dilW << 2;
  const dv = i32x4.splat(dilW);
  const lanes = i32x4(0, s, 2 * s, 3 * s);
  const rqv = i32x4.splat(rq);
  let sum = f32x4.splat(0);
  for (let ow = from; ow < to; ow += 4) {
    const c = ow * s - padW;
    let a = xr + (<usize>c << 2);
    let acc = loadTap<S>(a);
    let col = i32x4.add(i32x4.splat(c), lanes);
    let idx = col;
    if (sizeof<R>() != 4) sum = f32x4.add(sum, acc);
    for (let k = 1; k < K; k++) {
      a += tap;
      const v = loadTap<S>(a);
      if (sizeof<R>() == 4) {
        acc = f32x4.add(acc, v);
      } else {
        sum = f32x4.add(sum, v);
        if (sizeof<R>() == 1) {
          col = i32x4.add(col, dv);
          idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), col));
        }
        acc = f32x4.pmax(acc, v);
      }
    }
    const o = <usize>ow << 2;
    v128.store(hv + o, acc);
    if (sizeof<R>() == 1) v128.store(hi + o, i32x4.add(idx, rqv));
  }
  return sum;
}

// Tap codes of the specialised groups: the winning tap's column offset within a window.
const ONE = i32x4.splat(1);
// The lanes' first columns at stride 2 (2·lane), and their step per group of 4 outputs.
const LANE_PAIRS = i32x4(0, 2, 4, 6);
const EIGHT = i32x4.splat(8);
const TWO = i32x4.splat(2);
const LANES = i32x4(0, 1, 2, 3);
const NEG_INF = f32x4.splat(-Infinity);

// Width shape markers of the specialised groups (dilation 1): kernel 3 stride 2, kernel 2 stride 2, kernel 3
// stride 1.
type K3S2 = u8;
type K2S2 = u16;
type K3S1 = u32;
// Whether a group's columns may leave the row (masked: out-of-row lanes are padding) or all lie inside it.
type Plain = u8;
type Masked = u16;

/** Lanes whose columns c .. c + 3 lie inside the row [0, inW). */
@inline function inRow(c: i32): v128 {
  const cv = i32x4.add(i32x4.splat(c), LANES);
  return v128.and(i32x4.gt_s(cv, i32x4.splat(-1)), i32x4.lt_s(cv, i32x4.splat(inW)));
}

/**
 * The 4 columns from column c (address a): with M = Masked, a column outside the row is padding, an absent tap:
 * −∞ for max (it never strictly exceeds anything, so it never wins; a window whose first taps are padding has its
 * index clamped to its first in-bounds column), 0 for sums.
 */
@inline function ld<R, M>(a: usize, c: i32): v128 {
  const v = v128.load(a);
  if (sizeof<M>() == 1) return v;
  const m = inRow(c);
  return sizeof<R>() == 4 ? v128.and(v, m) : v128.bitselect(v, NEG_INF, m);
}

/** The plane indices of a row's H group at column offset 0 (lanes: its first taps), before adding rq and the column. */
@inline function colPattern<HS>(): v128 {
  return sizeof<HS>() == 4 ? LANES : LANE_PAIRS;
}

/**
 * The plane index of a 3-tap row's first maximum: col (the lanes' tap 0) plus 2 where tap 2 won (m2: it beats
 * the first two), else plus 1 where tap 1 beat tap 0 (m1). With all-ones masks, subtracting a mask adds 1:
 * col − (m1 | m2) − m2, three operations (the masked codes max_s(m1 & 1, m2 & 2) and their add took four).
 */
@inline export function firstOf3(col: v128, m1: v128, m2: v128): v128 {
  return i32x4.sub(i32x4.sub(col, v128.or(m1, m2)), m2);
}

/**
 * One group of 4 H outputs (columns ow .. ow + 3) of the input row at xr (plane index rq of its first element)
 * for the three specialised windows, every column vectorised (M = Masked where a window leaves the row): the
 * values to hv + 4·ow, the winning taps' plane indices (R = MaxIdx) to hi + 4·ow. pw is padW and colRow the lanes'
 * plane indices at ow = 0 (rq − pw + colPattern), both hoisted by the caller. Returns, for sums, the values (the
 * fused walk combines them while in registers: dense-3x3-avg-b1 took 0.86× the time of reading them back), and
 * for max the NaN sum's lanes (every tap column the group reads is added, so a NaN shows up as NaN; a masked lane
 * adds −∞, so a plane with +∞ near a border may take the exact path needlessly). Max's values are read back from
 * the ring: returning them too needs a global for the NaN lanes, which measured no faster on the stem.
 *
 * Kernel 3 stride 2 deinterleaves two loads into the even and odd columns (tap 0 and tap 1) and takes tap 2 as
 * the even columns shifted by one lane with the third load's first column; kernel 2 stride 2 the pair;
 * stride 1 loads each tap (unaligned). Indices: the tap of the last strict improvement (the first maximum), from
 * the win masks (firstOf3).
 */
@inline function hCore<R, HS, M>(xr: usize, rq: i32, ow: i32, pw: i32, colRow: v128, hv: usize, hi: usize): v128 {
  const o = <usize>ow << 2;
  const stride = sizeof<HS>() == 4 ? 1 : 2;
  const c = ow * stride - pw;
  const a = xr + (<usize>(<isize>c << 2));
  let acc: v128;
  let nan = f32x4.splat(0);
  // Max with indices: the win masks of tap 1 and tap 2 (firstOf3; kernel 2 has tap 1's only).
  let code1 = nan;
  let code2 = nan;
  if (sizeof<HS>() == 4) {
    const t0 = ld<R, M>(a, c);
    const t1 = ld<R, M>(a + 4, c + 1);
    const t2 = ld<R, M>(a + 8, c + 2);
    if (sizeof<R>() == 4) {
      acc = f32x4.add(f32x4.add(t0, t1), t2);
    } else {
      nan = f32x4.add(t0, t2);
      const m1 = f32x4.gt(t1, t0);
      acc = f32x4.pmax(t0, t1);
      const m2 = f32x4.gt(t2, acc);
      acc = f32x4.pmax(acc, t2);
      if (sizeof<R>() == 1) { code1 = m1; code2 = m2; }
    }
  } else {
    const L0 = ld<R, M>(a, c);
    const L1 = ld<R, M>(a + 16, c + 4);
    const e = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
    const od = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
    if (sizeof<HS>() == 1) {
      const L2 = ld<R, M>(a + 32, c + 8);
      const t2 = v128.shuffle<f32>(e, L2, 1, 2, 3, 4);
      if (sizeof<R>() == 4) {
        acc = f32x4.add(f32x4.add(e, od), t2);
      } else {
        nan = f32x4.add(f32x4.add(L0, L1), L2);
        const m1 = f32x4.gt(od, e);
        acc = f32x4.pmax(e, od);
        const m2 = f32x4.gt(t2, acc);
        acc = f32x4.pmax(acc, t2);
        if (sizeof<R>() == 1) { code1 = m1; code2 = m2; }
      }
    } else {
      if (sizeof<R>() == 4) {
        acc = f32x4.add(e, od);
      } else {
        nan = f32x4.add(L0, L1);
        acc = f32x4.pmax(e, od);
        if (sizeof<R>() == 1) code1 = f32x4.gt(od, e);
      }
    }
  }
  v128.store(hv + o, acc);
  if (sizeof<R>() == 1) {
    const col = i32x4.add(colRow, i32x4.splat(ow * stride));
    let idx = sizeof<HS>() == 2 ? i32x4.sub(col, code1) : firstOf3(col, code1, code2);
    // A window whose first taps are padding: its first in-bounds column (dilation 1) is the row's first.
    if (sizeof<M>() == 2) idx = i32x4.max_s(idx, i32x4.splat(rq));
    v128.store(hi + o, idx);
  }
  return sizeof<R>() == 4 ? acc : nan;
}

/**
 * The H outputs [0, end) of one row through hCore: groups of 4, plain inside [vLo, vHi), masked outside; the
 * last group moved back to end at `end` (it recomputes a few columns, identically), or, when end < 4, one group
 * whose extra lanes land in the row's slack. Returns 1 when a NaN was read.
 */
function hRowGroups<R, HS>(xr: usize, rq: i32, hv: usize, hi: usize, end: i32): i32 {
  // hCore's return for max is the NaN lanes (for sums its values, unused here).
  const pw = padW;
  const colRow = i32x4.add(i32x4.splat(rq - pw), colPattern<HS>());
  let nan = f32x4.splat(0);
  const head = min((vLo + 3) & ~3, end);
  let ow = 0;
  for (; ow < head; ow += 4) nan = f32x4.add(nan, hCore<R, HS, Masked>(xr, rq, ow, pw, colRow, hv, hi));
  for (; ow + 4 <= vHi; ow += 4) nan = f32x4.add(nan, hCore<R, HS, Plain>(xr, rq, ow, pw, colRow, hv, hi));
  for (; ow < end; ow += 4) {
    const g = ow + 4 > end && end >= 4 ? end - 4 : ow;
    // (Flat mode's rows are a whole plane: its moved-back group lies inside [vLo, vHi) and must not be masked.)
    if (g >= vLo && g + 4 <= vHi) nan = f32x4.add(nan, hCore<R, HS, Plain>(xr, rq, g, pw, colRow, hv, hi));
    else nan = f32x4.add(nan, hCore<R, HS, Masked>(xr, rq, g, pw, colRow, hv, hi));
  }
  return sizeof<R>() == 4 ? 0 : i32(v128.any_true(f32x4.ne(nan, nan)));
}

/** Kernel 4 stride 4 (the 1-D audio pool): a 4×4 transpose of four loads gives the four tap vectors. */
@inline function hBodyK4S4<R>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  let c = (from << 2) - padW;
  let a = xr + (<usize>c << 2);
  // The lanes' first taps' plane indices (int32 indices only; codes need none).
  let col = sizeof<R>() == 1 ? i32x4.add(i32x4.splat(rq + c), i32x4(0, 4, 8, 12)) : i32x4.splat(0);
  const sixteen = i32x4.splat(16);
  const three = i32x4.splat(3);
  let sum = f32x4.splat(0);
  for (let ow = from; ow < to; ow += 4) {
    const L0 = v128.load(a);
    const L1 = v128.load(a, 16);
    const L2 = v128.load(a, 32);
    const L3 = v128.load(a, 48);
    const u0 = v128.shuffle<f32>(L0, L1, 0, 4, 1, 5);
    const u1 = v128.shuffle<f32>(L2, L3, 0, 4, 1, 5);
    const u2 = v128.shuffle<f32>(L0, L1, 2, 6, 3, 7);
    const u3 = v128.shuffle<f32>(L2, L3, 2, 6, 3, 7);
    const t0 = v128.shuffle<f32>(u0, u1, 0, 1, 4, 5);
    const t1 = v128.shuffle<f32>(u0, u1, 2, 3, 6, 7);
    const t2 = v128.shuffle<f32>(u2, u3, 0, 1, 4, 5);
    const t3 = v128.shuffle<f32>(u2, u3, 2, 3, 6, 7);
    const o = <usize>ow << 2;
    if (sizeof<R>() == 4) {
      v128.store(hv + o, f32x4.add(f32x4.add(f32x4.add(t0, t1), t2), t3));
    } else {
      sum = f32x4.add(sum, f32x4.add(f32x4.add(L0, L1), f32x4.add(L2, L3)));
      const m1 = f32x4.gt(t1, t0);
      let acc = f32x4.pmax(t0, t1);
      const m2 = f32x4.gt(t2, acc);
      acc = f32x4.pmax(acc, t2);
      const m3 = f32x4.gt(t3, acc);
      v128.store(hv + o, f32x4.pmax(acc, t3));
      if (tracks<R>()) {
        const code = i32x4.max_s(i32x4.max_s(v128.and(m1, ONE), v128.and(m2, TWO)), v128.and(m3, three));
        if (sizeof<R>() == 1) {
          v128.store(hi + o, i32x4.add(col, code));
          col = i32x4.add(col, sixteen);
        } else {
          // As codes (k4s4Codes: no padding before the row), the window's origin is its first tap: the code itself.
          putCodes(hi + o, code);
        }
      }
    }
    a += 64;
  }
  return sum;
}

// Which H body a case takes (set by fwdRows): any, or one of the specialised windows.
const H_ANY = 0;
const H_K3S2 = 1;
const H_K2S2 = 2;
const H_K3S1 = 3;
const H_K4S4 = 4;
let hShape: i32 = H_ANY;

/** The vector H columns [from, to) (a multiple of 4 wide) of the other windows. */
@inline function hBody<R, S>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  if (hShape == H_K4S4) return hBodyK4S4<R>(xr, rq, hv, hi, from, to);
  return hBodyAny<R, S>(xr, rq, hv, hi, from, to);
}

/**
 * The H pass of one input row (x at xr, plane index of its first element rq): returns 1 when a NaN was read. The
 * specialised windows run every column in groups (hRowGroups). Other windows: the interior columns [vLo, vHi) run
 * in groups of 4, the last group moved back to end at vHi (it recomputes a few columns, identically); the border
 * columns outside run scalar.
 */
function hRow<R, S>(xr: usize, rq: i32, hv: usize, hi: usize): i32 {
  if (hShape == H_K3S2) return hRowGroups<R, K3S2>(xr, rq, hv, hi, hOut);
  if (hShape == H_K2S2) return hRowGroups<R, K2S2>(xr, rq, hv, hi, hOut);
  if (hShape == H_K3S1) return hRowGroups<R, K3S1>(xr, rq, hv, hi, hOut);
  let bad: i32 = 0;
  for (let ow = 0; ow < vLo; ow++) bad |= hScalar<R>(xr, rq, hv, hi, ow);
  if (vHi > vLo) {
    const full = vLo + ((vHi - vLo) & ~3);
    let sum = hBody<R, S>(xr, rq, hv, hi, vLo, full);
    if (full < vHi) sum = f32x4.add(sum, hBody<R, S>(xr, rq, hv, hi, vHi - 4, vHi));
    if (sizeof<R>() != 4) bad |= i32(v128.any_true(f32x4.ne(sum, sum)));
  }
  for (let ow = vHi; ow < hOut; ow++) bad |= hScalar<R>(xr, rq, hv, hi, ow);
  return bad;
}

/** One V step of a sum or a max (whose caller has updated the indices first): ring value v combined into acc. */
@inline function vStep<R>(acc: v128, v: v128): v128 {
  return sizeof<R>() == 4 ? f32x4.add(acc, v) : f32x4.pmax(acc, v);
}

/**
 * The V pass of one output row of at most 3 window rows (NR: the row-count markers N1 .. N3 below): the ring
 * rows at value addresses a0..a2 (their indices at a0 + di ..) combined in scan order over `bytes` bytes into yp
 * (and ip). Its own loop, with the rows' addresses in locals and no row count tests per vector (vRow's general
 * loop re-read the count and spilled addresses on every vector): on the channels_last stem that alone took the
 * whole forward to 0.86× its time with indices, 0.84× values only (op alone, interleaved runs).
 */
@inline export function vRowFew<R, NR>(a0: usize, a1: usize, a2: usize, di: usize, bytes: usize, yp: usize, ip: usize): void {
  const n = cnt<NR>();
  const j0 = a0 + di;
  const j1 = a1 + di;
  const j2 = a2 + di;
  for (let o: usize = 0; o < bytes; o += 16) {
    let acc = v128.load(a0 + o);
    let idx = sizeof<R>() == 1 ? v128.load(j0 + o) : acc;
    if (n > 1) {
      const v = v128.load(a1 + o);
      if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(j1 + o)));
      acc = vStep<R>(acc, v);
    }
    if (n > 2) {
      const v = v128.load(a2 + o);
      if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(j2 + o)));
      acc = vStep<R>(acc, v);
    }
    v128.store(yp + o, acc);
    if (sizeof<R>() == 1) v128.store(ip + o, idx);
  }
}

/**
 * The V pass of one output row: the n ring rows at byte offsets offs[0..n) (values from rv, indices from ri)
 * combined in scan order as whole vectors over `bytes` bytes, into yp (and ip). Here an output row is ⌈outW/4⌉
 * vectors of one plane; channels.ts's output rows (outW·C floats) take it too.
 */
export function vRow<R>(n: i32, offs: usize, rv: usize, ri: usize, bytes: usize, yp: usize, ip: usize): void {
  const r0 = <usize>load<i32>(offs);
  const r1 = n > 1 ? <usize>load<i32>(offs, 4) : r0;
  const r2 = n > 2 ? <usize>load<i32>(offs, 8) : r0;
  const di = ri - rv;
  if (n == 3) { vRowFew<R, N3>(rv + r0, rv + r1, rv + r2, di, bytes, yp, ip); return; }
  if (n == 2) { vRowFew<R, N2>(rv + r0, rv + r1, rv + r2, di, bytes, yp, ip); return; }
  if (n == 1) { vRowFew<R, N1>(rv + r0, rv + r1, rv + r2, di, bytes, yp, ip); return; }
  for (let o: usize = 0; o < bytes; o += 16) {
    let acc = v128.load(rv + r0 + o);
    let idx = sizeof<R>() == 1 ? v128.load(ri + r0 + o) : acc;
    let v = v128.load(rv + r1 + o);
    if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(ri + r1 + o)));
    acc = vStep<R>(acc, v);
    v = v128.load(rv + r2 + o);
    if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(ri + r2 + o)));
    acc = vStep<R>(acc, v);
    for (let j = 3; j < n; j++) {
      const r = <usize>load<i32>(offs + (<usize>j << 2)) + o;
      v = v128.load(rv + r);
      if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(ri + r)));
      acc = vStep<R>(acc, v);
    }
    v128.store(yp + o, acc);
    if (sizeof<R>() == 1) v128.store(ip + o, idx);
  }
}

// Row-count markers of the fused walk (fusedRow): how many of an output row's window rows the ring already holds
// (NC, a prefix: they came from earlier output rows) and how many are reduced now (NF, the rest).
type N0 = u8;
type N1 = u16;
type N2 = u32;
export type N3 = u64;
@inline function cnt<N>(): i32 {
  return sizeof<N>() == 1 ? 0 : sizeof<N>() == 2 ? 1 : sizeof<N>() == 4 ? 2 : 3;
}

// The fused walk's window rows for the current output row (set by rowsPlanes, read once by fusedRow): ring byte
// offsets; for rows reduced now, their x address and the plane index of their first element.
let fOff0: usize = 0;
let fOff1: usize = 0;
let fOff2: usize = 0;
let fX0: usize = 0;
let fX1: usize = 0;
let fX2: usize = 0;
let fQ0: i32 = 0;
let fQ1: i32 = 0;
let fQ2: i32 = 0;

/**
 * One group of 4 outputs of a fused output row: the H groups of the rows reduced now (into their ring slots, for
 * the output rows after it; for sums their values stay in registers for this one, see hCore), then the V combine
 * of all n window rows in scan order (the first maximum: a later row wins only when strictly greater; its
 * indices are all larger, so idx = max_s(idx, m & q)). v0..v2 and i0..i2 are the rows' ring addresses (values,
 * indices), x0..x2 their x addresses, q0..q2 the plane indices of their first elements and c0..c2 their colRow
 * (hCore). Returns the NaN sum's lanes.
 */
@inline function fusedGroup<R, HS, M, NC, NF>(
  ow: i32, pw: i32, v0: usize, v1: usize, v2: usize, i0: usize, i1: usize, i2: usize,
  x0: usize, x1: usize, x2: usize, q0: i32, q1: i32, q2: i32, c0: v128, c1: v128, c2: v128, yRow: usize, iRow: usize,
): v128 {
  const nc = cnt<NC>();
  const n = nc + cnt<NF>();
  const o = <usize>ow << 2;
  // Max: the NaN lanes of the rows reduced now (the first one's, then sums).
  let nan = f32x4.splat(0);
  let acc: v128;
  if (sizeof<R>() == 4 && nc == 0) acc = hCore<R, HS, M>(x0, q0, ow, pw, c0, v0, i0);
  else {
    if (nc == 0) nan = hCore<R, HS, M>(x0, q0, ow, pw, c0, v0, i0);
    acc = v128.load(v0 + o);
  }
  let idx = sizeof<R>() == 1 ? v128.load(i0 + o) : acc;
  if (n > 1) {
    let v: v128;
    if (sizeof<R>() == 4 && nc <= 1) v = hCore<R, HS, M>(x1, q1, ow, pw, c1, v1, i1);
    else {
      if (nc == 1) nan = hCore<R, HS, M>(x1, q1, ow, pw, c1, v1, i1);
      else if (nc == 0) nan = f32x4.add(nan, hCore<R, HS, M>(x1, q1, ow, pw, c1, v1, i1));
      v = v128.load(v1 + o);
    }
    if (sizeof<R>() == 4) {
      acc = f32x4.add(acc, v);
    } else {
      if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(i1 + o)));
      acc = f32x4.pmax(acc, v);
    }
  }
  if (n > 2) {
    let v: v128;
    if (sizeof<R>() == 4 && nc <= 2) v = hCore<R, HS, M>(x2, q2, ow, pw, c2, v2, i2);
    else {
      if (nc == 2) nan = hCore<R, HS, M>(x2, q2, ow, pw, c2, v2, i2);
      else if (nc < 2) nan = f32x4.add(nan, hCore<R, HS, M>(x2, q2, ow, pw, c2, v2, i2));
      v = v128.load(v2 + o);
    }
    if (sizeof<R>() == 4) {
      acc = f32x4.add(acc, v);
    } else {
      if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v, acc), v128.load(i2 + o)));
      acc = f32x4.pmax(acc, v);
    }
  }
  v128.store(yRow + o, acc);
  if (sizeof<R>() == 1) v128.store(iRow + o, idx);
  return nan;
}

/**
 * One group of 4 outputs of a kernel 3 stride 2 output row whose first window row the ring holds (values at v0,
 * indices at i0) and whose other two are reduced now, at byte offset o: A0..A2 and B0..B2 are rows 1 and 2's loads
 * (8 columns and the next group's first), col1 and col2 their plane indices of the group's first taps. Row 2's H
 * result goes to the ring (v2, i2) for the next output row; the V combine with the held row goes to yRow, iRow.
 * With M = Masked the group is a row's first and its first load starts left of the row (padding): the lanes left
 * of it (headMask clear) are padding, −∞ for max (its index then clamped to the row's first column, q1v, q2v) or 0
 * for sums. Returns the NaN sum of A0, A1, B0, B1 (max: A2 and B2 are the next group's A0 and B0); for sums a
 * vector its callers drop.
 */
@inline function k3s2Group<R, M>(
  A0: v128, A1: v128, A2: v128, B0: v128, B1: v128, B2: v128, col1: v128, col2: v128, headMask: v128,
  q1v: v128, q2v: v128, o: usize, v0: usize, i0: usize, v2: usize, i2: usize, yRow: usize, iRow: usize,
): v128 {
  if (sizeof<M>() == 2) {
    A0 = sizeof<R>() == 4 ? v128.and(A0, headMask) : v128.bitselect(A0, NEG_INF, headMask);
    B0 = sizeof<R>() == 4 ? v128.and(B0, headMask) : v128.bitselect(B0, NEG_INF, headMask);
  }
  // Row 1 and row 2: taps 0, 1, 2 are the even columns, the odd ones and the even ones shifted by a lane.
  const e1 = v128.shuffle<f32>(A0, A1, 0, 2, 4, 6);
  const od1 = v128.shuffle<f32>(A0, A1, 1, 3, 5, 7);
  const t1 = v128.shuffle<f32>(e1, A2, 1, 2, 3, 4);
  const e2 = v128.shuffle<f32>(B0, B1, 0, 2, 4, 6);
  const od2 = v128.shuffle<f32>(B0, B1, 1, 3, 5, 7);
  const t2 = v128.shuffle<f32>(e2, B2, 1, 2, 3, 4);
  if (sizeof<R>() == 4) {
    const h2 = f32x4.add(f32x4.add(e2, od2), t2);
    v128.store(v2 + o, h2);
    v128.store(yRow + o, f32x4.add(f32x4.add(v128.load(v0 + o), f32x4.add(f32x4.add(e1, od1), t1)), h2));
    return h2;
  }
  const m1 = f32x4.gt(od1, e1);
  let h1 = f32x4.pmax(e1, od1);
  const n1 = f32x4.gt(t1, h1);
  h1 = f32x4.pmax(h1, t1);
  const m2 = f32x4.gt(od2, e2);
  let h2 = f32x4.pmax(e2, od2);
  const n2 = f32x4.gt(t2, h2);
  h2 = f32x4.pmax(h2, t2);
  v128.store(v2 + o, h2);
  // V: the held row, then rows 1 and 2 in scan order.
  let acc = v128.load(v0 + o);
  if (sizeof<R>() == 1) {
    let j1 = firstOf3(col1, m1, n1);
    let j2 = firstOf3(col2, m2, n2);
    if (sizeof<M>() == 2) {
      j1 = i32x4.max_s(j1, q1v);
      j2 = i32x4.max_s(j2, q2v);
    }
    v128.store(i2 + o, j2);
    let idx = v128.load(i0 + o);
    idx = i32x4.max_s(idx, v128.and(f32x4.gt(h1, acc), j1));
    acc = f32x4.pmax(acc, h1);
    idx = i32x4.max_s(idx, v128.and(f32x4.gt(h2, acc), j2));
    v128.store(iRow + o, idx);
  } else {
    acc = f32x4.pmax(acc, h1);
  }
  v128.store(yRow + o, f32x4.pmax(acc, h2));
  return f32x4.add(f32x4.add(A0, A1), f32x4.add(B0, B1));
}

/**
 * The plain groups [ow, end) (4 outputs each) of a fused kernel 3 stride 2 output row whose first window row the
 * ring holds (values at v0, indices at i0) and whose other two (x1, x2; colRow c1, c2 as hCore) are reduced now:
 * the stem's every output row but the first (fusedRun, fusedRow). It is fusedGroup's work for these groups in one
 * loop (k3s2Group): each row's third load is the next group's first (carried, not reloaded), the column indices
 * are carried, and the pointers are bumped. Row 2 goes to the ring (v2, i2) for the next output row; row 1 goes
 * nowhere (the caller clears its tag). With head = 1 the first group is the row's first and starts left of it (k3s2Group's
 * Masked). Returns the NaN sum's lanes (max): every column the groups read, once.
 */
@inline function k3s2HeldOne<R>(
  ow: i32, end: i32, pw: i32, v0: usize, i0: usize, v2: usize, i2: usize, x1: usize, x2: usize,
  c1: v128, c2: v128, yRow: usize, iRow: usize, head: bool, headMask: v128, q1v: v128, q2v: v128,
): v128 {
  const c = ow * 2 - pw;
  let a1 = x1 + (<usize>(<isize>c << 2));
  let a2 = x2 + (<usize>(<isize>c << 2));
  let o = <usize>ow << 2;
  const oEnd = <usize>end << 2;
  // (Not the constant 8: V8 rematerialises a v128 constant at every use, 3 instructions in the loop.)
  const step = i32x4.splat(strW << 2);
  let col1 = i32x4.add(c1, i32x4.splat(ow * 2));
  // Row 2's indices are row 1's plus a row (wv): no second carried vector.
  const wv = i32x4.sub(c2, c1);
  let A0 = v128.load(a1);
  let B0 = v128.load(a2);
  let nan = f32x4.splat(0);
  if (head) {
    const A2 = v128.load(a1, 32);
    const B2 = v128.load(a2, 32);
    nan = k3s2Group<R, Masked>(A0, v128.load(a1, 16), A2, B0, v128.load(a2, 16), B2, col1, i32x4.add(col1, wv), headMask, q1v, q2v, o, v0, i0, v2, i2, yRow, iRow);
    A0 = A2;
    B0 = B2;
    col1 = i32x4.add(col1, step);
    a1 += 32;
    a2 += 32;
    o += 16;
  }
  for (; o < oEnd; o += 16) {
    // With indices, reloading a group's first columns beats carrying them: fewer vectors live across the loop, so
    // fewer spills (V8 keeps 15 in registers). Values only gains nothing from it, so they stay carried.
    if (sizeof<R>() == 1) {
      A0 = v128.load(a1);
      B0 = v128.load(a2);
    }
    const A2 = v128.load(a1, 32);
    const B2 = v128.load(a2, 32);
    nan = f32x4.add(nan, k3s2Group<R, Plain>(A0, v128.load(a1, 16), A2, B0, v128.load(a2, 16), B2, col1, i32x4.add(col1, wv), headMask, q1v, q2v, o, v0, i0, v2, i2, yRow, iRow));
    if (sizeof<R>() != 1) {
      A0 = A2;
      B0 = B2;
    }
    col1 = i32x4.add(col1, step);
    a1 += 32;
    a2 += 32;
  }
  if (sizeof<R>() == 1) {
    A0 = v128.load(a1);
    B0 = v128.load(a2);
  }
  // The last group's third loads (its last tap column) were not added as a next group's first.
  return sizeof<R>() == 4 ? nan : f32x4.add(nan, f32x4.add(A0, B0));
}

/**
 * A run of n output rows (from yRow, iRow) of one plane (x at xp) for kernel 3 across, stride HS (K3S2: the stem;
 * K3S1: DenseNet-style pools on planes past the strip kernel), whose windows are input rows r, r + 1, r + 2 with
 * r = rowD + t·k (t = 2 for K3S2, 1 for K3S1): the rows an earlier output row reduced are held in the ring (NC of
 * them from slot s0 on: K3S2 the first, K3S1 the first two), the NF others are reduced now (fusedGroup's nc, nf).
 * The output rows run in one loop, so that each costs no walk, tag lookups or calls of its own: per output row those
 * cost about 25 ns, half the stem's values kernel. Each row's groups as fusedRow's: the masked first groups (for
 * K3S2 the cheap one of k3s2Group where the padding is one column), the plain groups (K3S2: k3s2HeldOne's loop), the
 * masked last ones. Leaves the ring holding, tagged, the rows the last output row kept; returns the NaN sum's lanes
 * (max).
 */
function fusedRun<R, HS, NC, NF>(xp: usize, rowD: i32, s0: i32, n: i32, yRow: usize, iRow: usize): v128 {
  const k3s2 = sizeof<HS>() == 1;
  const slots = ringRows;
  const rb = rowBytes;
  const rv = ringV;
  const ri = ringI;
  const pw = padW;
  const w = inW;
  const end = outW;
  const hiPlain = vHi;
  const head = min((vLo + 3) & ~3, end);
  // The first group's only out-of-row lanes are in its first load (columns −1 .. 2): the cheap masked group.
  const cheap = k3s2 && head == 4 && pw == 1 && hiPlain >= 8 && w >= 12;
  const headMask = inRow(-pw);
  const pat = colPattern<HS>();
  const outBytes = <usize>end << 2;
  let nan = f32x4.splat(0);
  let sh = s0;
  for (let k = 0; k < n; k++) {
    const r0 = rowD + (k3s2 ? 2 : 1) * k;
    const s1 = sh + 1 >= slots ? sh + 1 - slots : sh + 1;
    const s2 = s1 + 1 >= slots ? s1 + 1 - slots : s1 + 1;
    const v0 = rv + <usize>sh * rb;
    const v1 = rv + <usize>s1 * rb;
    const v2 = rv + <usize>s2 * rb;
    const i0 = ri + <usize>sh * rb;
    const i1 = ri + <usize>s1 * rb;
    const i2 = ri + <usize>s2 * rb;
    const q0 = r0 * w;
    const q1 = q0 + w;
    const q2 = q1 + w;
    const x0 = xp + (<usize>q0 << 2);
    const x1 = x0 + (<usize>w << 2);
    const x2 = x1 + (<usize>w << 2);
    if (streaming) touchAhead(x2, xLast);
    const c0 = i32x4.add(i32x4.splat(q0 - pw), pat);
    const c1 = i32x4.add(i32x4.splat(q1 - pw), pat);
    const c2 = i32x4.add(i32x4.splat(q2 - pw), pat);
    let ow = 0;
    if (cheap) {
      const to = hiPlain & ~3;
      nan = f32x4.add(nan, k3s2HeldOne<R>(0, to, pw, v0, i0, v2, i2, x1, x2, c1, c2, yRow, iRow, true, headMask, i32x4.splat(q1), i32x4.splat(q2)));
      ow = to;
    } else {
      for (; ow < head; ow += 4) {
        nan = f32x4.add(nan, fusedGroup<R, HS, Masked, NC, NF>(ow, pw, v0, v1, v2, i0, i1, i2, x0, x1, x2, q0, q1, q2, c0, c1, c2, yRow, iRow));
      }
      if (k3s2) {
        if (ow + 4 <= hiPlain) {
          const to = ow + ((hiPlain - ow) & ~3);
          nan = f32x4.add(nan, k3s2HeldOne<R>(ow, to, pw, v0, i0, v2, i2, x1, x2, c1, c2, yRow, iRow, false, headMask, c1, c2));
          ow = to;
        }
      } else {
        for (; ow + 4 <= hiPlain; ow += 4) {
          nan = f32x4.add(nan, fusedGroup<R, HS, Plain, NC, NF>(ow, pw, v0, v1, v2, i0, i1, i2, x0, x1, x2, q0, q1, q2, c0, c1, c2, yRow, iRow));
        }
      }
    }
    for (; ow < end; ow += 4) {
      const g = ow + 4 > end && end >= 4 ? end - 4 : ow;
      nan = f32x4.add(nan, fusedGroup<R, HS, Masked, NC, NF>(g, pw, v0, v1, v2, i0, i1, i2, x0, x1, x2, q0, q1, q2, c0, c1, c2, yRow, iRow));
    }
    yRow += outBytes;
    iRow += outBytes;
    sh = k3s2 ? s2 : s1;
  }
  for (let t = 0; t < slots; t++) store<i32>(tags + (<usize>t << 2), -1);
  if (k3s2) {
    // The last row's third input row (its second went nowhere).
    store<i32>(tags + (<usize>sh << 2), rowD + 2 * n);
  } else {
    // The last row's window rows, rowD + n − 1 .. rowD + n + 1.
    const last = rowD + n - 1;
    for (let j = 0; j < 3; j++) store<i32>(tags + (<usize>((last + j) % slots) << 2), last + j);
  }
  return nan;
}

/**
 * One output row of a specialised window with at most 3 input rows, fused: per group of 4 outputs, the H groups
 * of the window rows not yet in the ring and the V combine, so the rows reduced now are combined while in
 * registers and each row costs no pass of its own. Groups as hRowGroups (plain inside [vLo, vHi), masked outside,
 * the last moved back). The globals a group reads are copied to locals here, once per row. Returns 1 when a NaN
 * was read.
 */
function fusedRow<R, HS, NC, NF>(yRow: usize, iRow: usize): i32 {
  const pw = padW;
  const rv = ringV;
  const ri = ringI;
  const v0 = rv + fOff0;
  const v1 = rv + fOff1;
  const v2 = rv + fOff2;
  const i0 = ri + fOff0;
  const i1 = ri + fOff1;
  const i2 = ri + fOff2;
  const x0 = fX0;
  const x1 = fX1;
  const x2 = fX2;
  const q0 = fQ0;
  const q1 = fQ1;
  const q2 = fQ2;
  const pat = colPattern<HS>();
  const c0 = i32x4.add(i32x4.splat(q0 - pw), pat);
  const c1 = i32x4.add(i32x4.splat(q1 - pw), pat);
  const c2 = i32x4.add(i32x4.splat(q2 - pw), pat);
  const end = outW;
  const hiPlain = vHi;
  let nan = f32x4.splat(0);
  const head = min((vLo + 3) & ~3, end);
  let ow = 0;
  for (; ow < head; ow += 4) {
    nan = f32x4.add(nan, fusedGroup<R, HS, Masked, NC, NF>(ow, pw, v0, v1, v2, i0, i1, i2, x0, x1, x2, q0, q1, q2, c0, c1, c2, yRow, iRow));
  }
  if (sizeof<HS>() == 1 && cnt<NC>() == 1 && cnt<NF>() == 2) {
    if (ow + 4 <= hiPlain) {
      const to = ow + ((hiPlain - ow) & ~3);
      nan = f32x4.add(nan, k3s2HeldOne<R>(ow, to, pw, v0, i0, v2, i2, x1, x2, c1, c2, yRow, iRow, false, c1, c1, c2));
      ow = to;
    }
  } else {
    for (; ow + 4 <= hiPlain; ow += 4) {
      nan = f32x4.add(nan, fusedGroup<R, HS, Plain, NC, NF>(ow, pw, v0, v1, v2, i0, i1, i2, x0, x1, x2, q0, q1, q2, c0, c1, c2, yRow, iRow));
    }
  }
  for (; ow < end; ow += 4) {
    const g = ow + 4 > end && end >= 4 ? end - 4 : ow;
    nan = f32x4.add(nan, fusedGroup<R, HS, Masked, NC, NF>(g, pw, v0, v1, v2, i0, i1, i2, x0, x1, x2, q0, q1, q2, c0, c1, c2, yRow, iRow));
  }
  return sizeof<R>() == 4 ? 0 : i32(v128.any_true(f32x4.ne(nan, nan)));
}

/** fusedRow for nc rows held and nf reduced now (nc + nf in 1 .. 3). */
@inline function fusedRowOf<R, HS>(nc: i32, nf: i32, yRow: usize, iRow: usize): i32 {
  if (nc == 0) {
    if (nf == 1) return fusedRow<R, HS, N0, N1>(yRow, iRow);
    if (nf == 2) return fusedRow<R, HS, N0, N2>(yRow, iRow);
    return fusedRow<R, HS, N0, N3>(yRow, iRow);
  }
  if (nc == 1) {
    if (nf == 0) return fusedRow<R, HS, N1, N0>(yRow, iRow);
    if (nf == 1) return fusedRow<R, HS, N1, N1>(yRow, iRow);
    return fusedRow<R, HS, N1, N2>(yRow, iRow);
  }
  if (nc == 2) {
    if (nf == 0) return fusedRow<R, HS, N2, N0>(yRow, iRow);
    return fusedRow<R, HS, N2, N1>(yRow, iRow);
  }
  return fusedRow<R, HS, N3, N0>(yRow, iRow);
}

/**
 * The fused walk of one output row whose window has nh ≤ 3 input rows in one depth slice (rowD: its first row's
 * index, dilH apart): the rows the ring holds must be a prefix (else returns -1 and the caller takes the
 * two-pass walk); the others are reduced into their slots and tagged. Returns 1 when a NaN was read, else 0.
 */
@inline function fusedWalk<R>(xp: usize, rowD: i32, nh: i32, yRow: usize, iRow: usize): i32 {
  const slots = ringRows;
  let nc = 0;
  let fresh = 0;
  for (let j = 0; j < nh; j++) {
    const rr = rowD + j * dilH;
    const slot = rr % slots;
    const held = load<i32>(tags + (<usize>slot << 2)) == rr;
    if (held) {
      if (fresh) return -1;
      nc++;
    } else {
      fresh++;
    }
    const off = <usize>slot * rowBytes;
    const xa = xp + (<usize>(rr * inW) << 2);
    if (j == 0) { fOff0 = off; fX0 = xa; fQ0 = rr * inW; }
    else if (j == 1) { fOff1 = off; fX1 = xa; fQ1 = rr * inW; }
    else { fOff2 = off; fX2 = xa; fQ2 = rr * inW; }
  }
  let bad: i32;
  if (hShape == H_K3S2) bad = fusedRowOf<R, K3S2>(nc, fresh, yRow, iRow);
  else if (hShape == H_K2S2) bad = fusedRowOf<R, K2S2>(nc, fresh, yRow, iRow);
  else bad = fusedRowOf<R, K3S1>(nc, fresh, yRow, iRow);
  for (let j = nc; j < nh; j++) {
    const rr = rowD + j * dilH;
    store<i32>(tags + (<usize>(rr % slots) << 2), rr);
  }
  // k3s2HeldOne keeps row 1 out of the ring: its slot holds nothing whole.
  if (hShape == H_K3S2 && nc == 1 && fresh == 2) store<i32>(tags + (<usize>((rowD + dilH) % slots) << 2), -1);
  return bad;
}

/** The last word of `planes` input planes from x: touchAhead's bound. */
@inline function lastWord(x: usize, planes: i32): usize {
  return x + ((<usize>planes * <usize>inPlane) << 2) - 4;
}

/** Every plane: the walk over output rows, reducing each window row once (H) and combining rows (V). */
function rowsPlanes<R, S>(planes: i32, x: usize, y: usize, ix: usize): void {
  const slots = ringRows;
  xLast = lastWord(x, planes);
  const direct = windowRows == 1;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const yo = (<usize>pl * <usize>outPlane) << 2;
    for (let t = 0; t < slots; t++) store<i32>(tags + (<usize>t << 2), -1);
    let bad: i32 = 0;
    let o: usize = 0;
    if (flat) {
      // Row r's H outputs land at r·outW: the ring holds the plane's every H row, contiguous.
      const lo = vLo;
      const hi = vHi;
      hOut = inPlane / strW;
      vLo = 0;
      vHi = hOut;
      bad = hRow<R, S>(xp, 0, ringV, ringI);
      hOut = outW;
      vLo = lo;
      vHi = hi;
    }
    for (let od = 0; od < outD; od++) {
      const d0 = tab(firstD, od);
      const nd = tab(countD, od);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = tab(firstH, oh);
        const nh = tab(countH, oh);
        const yRow = y + yo + (o << 2);
        const iRow = ix + yo + (o << 2);
        o += <usize>outW;
        if (direct) {
          // One input row per window (a 1-D case, or kernel 1 across rows): its H pass is the output row.
          const rq = (d0 * inH + h0) * inW;
          bad |= hRow<R, S>(xp + (<usize>rq << 2), rq, yRow, iRow);
          continue;
        }
        if (fused && (hShape == H_K3S2 || hShape == H_K3S1) && nd == 1 && nh == 3 && dilH == 1) {
          // A run of output rows each of whose windows is 3 rows, t below the one before's (t = 2 for stride 2
          // across, 1 for stride 1), the rows an earlier output row reduced held: fusedRun.
          const k3s2 = hShape == H_K3S2;
          const t = k3s2 ? 2 : 1;
          const rowD = d0 * inH + h0;
          const s0 = rowD % slots;
          const held = load<i32>(tags + (<usize>s0 << 2)) == rowD
            && (k3s2 || load<i32>(tags + (<usize>((rowD + 1) % slots) << 2)) == rowD + 1);
          if (held) {
            let e = oh + 1;
            while (e < outH && tab(countH, e) == 3 && tab(firstH, e) == h0 + t * (e - oh)) e++;
            const more = e - oh - 1;
            const run = k3s2 ? fusedRun<R, K3S2, N1, N2>(xp, rowD, s0, e - oh, yRow, iRow) : fusedRun<R, K3S1, N2, N1>(xp, rowD, s0, e - oh, yRow, iRow);
            if (sizeof<R>() != 4) bad |= i32(v128.any_true(f32x4.ne(run, run)));
            o += <usize>(more * outW);
            oh = e - 1;
            continue;
          }
        }
        if (fused && nd == 1 && nh <= 3) {
          const f = fusedWalk<R>(xp, d0 * inH + h0, nh, yRow, iRow);
          if (f >= 0) {
            bad |= f;
            continue;
          }
        }
        let n = 0;
        for (let i = 0; i < nd; i++) {
          const rowD = (d0 + i * dilD) * inH + h0;
          for (let j = 0; j < nh; j++) {
            const rr = rowD + j * dilH;
            if (flat) {
              store<i32>(rowOff + (<usize>n << 2), rr * outW * 4);
              n++;
              continue;
            }
            const slot = rr % slots;
            const tagAt = tags + (<usize>slot << 2);
            const off = <usize>slot * rowBytes;
            if (load<i32>(tagAt) != rr) {
              const rq = rr * inW;
              bad |= hRow<R, S>(xp + (<usize>rq << 2), rq, ringV + off, ringI + off);
              store<i32>(tagAt, rr);
            }
            store<i32>(rowOff + (<usize>n << 2), <i32>off);
            n++;
          }
        }
        vRow<R>(n, rowOff, ringV, ringI, <usize>((outW + 3) >> 2) << 4, yRow, iRow);
      }
    }
    if (sizeof<R>() != 4 && bad) planeScalar(KIND_MAX, xp, 1, y + yo, ix + yo, 1);
  }
}

/**
 * Whether every window is exactly input rows 2·oh, 2·oh + 1 and columns 2·ow, 2·ow + 1 of one depth slice (its
 * in-bounds taps: padding taps beyond them never win and add nothing), with at least 4 outputs per row: the pair
 * kernel (pairPlanes) applies.
 */
function pairWindows(): bool {
  return outD == 1 && inD == 1 && tab(countD, 0) == 1 && pairRows();
}

/** pairWindows' and pairWindows3's test of the rows and columns: pairs 2·oh, 2·oh + 1 and 2·ow, 2·ow + 1. */
function pairRows(): bool {
  if (hShape != H_K2S2 || padW != 0 || outW < 4 || dilH != 1 || (outW << 1) > inW) return false;
  for (let oh = 0; oh < outH; oh++) {
    if (tab(firstH, oh) != oh << 1 || tab(countH, oh) != 2) return false;
  }
  return true;
}

/**
 * pairWindows for rank 3: every window is exactly slices 2·od, 2·od + 1, rows 2·oh, 2·oh + 1 and columns 2·ow,
 * 2·ow + 1, with at least 4 outputs per row (C3D's pools): the pair kernel over 4 rows (pairPlanes3) applies.
 */
function pairWindows3(): bool {
  if (inD < 2 || dilD != 1) return false;
  for (let od = 0; od < outD; od++) {
    if (tab(firstD, od) != od << 1 || tab(countD, od) != 2) return false;
  }
  return pairRows();
}

/**
 * The pair kernels' indices: qv (the lanes' first taps' plane indices) plus 1 where the winning row's odd column
 * won (odd0 or odd1, all-ones masks, so subtracting the mask adds 1) plus inW (rowV) where the second row won
 * (second). Four vector operations and a select; no per-group splat of the base. As codes (putCodes), the same
 * without qv.
 */
@inline function pairIndex<R>(io: usize, qv: v128, rowV: v128, odd0: v128, odd1: v128, second: v128): void {
  if (sizeof<R>() == 1) v128.store(io, i32x4.add(i32x4.sub(qv, v128.bitselect(odd1, odd0, second)), v128.and(second, rowV)));
  else putCodes(io, i32x4.sub(v128.and(second, rowV), v128.bitselect(odd1, odd0, second)));
}

// Where KIND_MAX_CODES' pair kernels write their codes (set by fwdRows): the code of the output whose int32 index
// would be at ix + 4·j (codesIx: the call's ix) goes to codesAt + j.
let codesAt: usize = 0;
let codesIx: usize = 0;

/**
 * Window-relative index codes (KIND_MAX_CODES, R = MaxCode): a resident forward (kernels/wasm/index.ts
 * resident(), the bench's op-alone scope) may keep its max indices as each winner's plane index minus its
 * window's origin, the plane index of the window's first tap, in one byte, so that the op writes 5 bytes per
 * output instead of 8; the host decodes them when they are read (kernels/wasm/geometry.ts decodeIndexCodes, and
 * indexCodesFit for where a byte holds every code). The pair kernels write them: a pair window's origin is the
 * lanes' qv, so a code is what pairIndex adds to qv (the winner's row times inW, plus 1 for an odd column), or
 * pairGroup4's code; so does kernel 4 stride 4 on rows without padding (k4s4Codes: its tap code). The other
 * kernels write int32 indices, and fwdRows says which it did.
 */
@inline function putCodes(io: usize, code: v128): void {
  const half = i16x8.narrow_i32x4_u(code, code);
  v128.store32_lane(codesAt + ((io - codesIx) >> 2), i8x16.narrow_i16x8_u(half, half), 0);
}

/**
 * A plane of int32 indices at ip (a plane the exact scalar rule recomputed: it holds a NaN) as codes: each minus its
 * window's origin, (firstD·inH + firstH)·inW + ow·strW − padW (the pair kernels' and k4s4Codes' windows start
 * in bounds on depth and rows, so the tables' first in-bounds coordinates are their origins there).
 */
function codesOfPlane(ip: usize): void {
  let at = ip;
  for (let od = 0; od < outD; od++) {
    const depthRow = tab(firstD, od) * inH;
    for (let oh = 0; oh < outH; oh++) {
      const rowOrigin = (depthRow + tab(firstH, oh)) * inW - padW;
      for (let ow = 0; ow < outW; ow++) {
        store<u8>(codesAt + ((at - codesIx) >> 2), <u8>(load<i32>(at) - rowOrigin - ow * strW));
        at += 4;
      }
    }
  }
}

/**
 * Whether k4s4Codes applies: kernel 4 stride 4 windows of one row each (the audio pool), every column in the
 * vector body (no padding before the row, none of its windows past the row's end), at least 4 outputs per row.
 */
function k4s4Windows(): bool {
  return hShape == H_K4S4 && windowRows == 1 && !flat && vLo == 0 && vHi == outW && outW >= 4;
}

/**
 * The direct H pass (one input row per window) of kernel 4 stride 4 with codes (KIND_MAX_CODES): hBodyK4S4 over
 * each output row, the last group moved back to end at outW. A plane holding a NaN is recomputed by the exact
 * scalar MAX.SELECT and turned into codes.
 */
function k4s4Codes(planes: i32, x: usize, y: usize, ix: usize): void {
  const full = outW & ~3;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const yo = (<usize>pl * <usize>outPlane) << 2;
    let nan = f32x4.splat(0);
    let o: usize = 0;
    for (let od = 0; od < outD; od++) {
      for (let oh = 0; oh < outH; oh++) {
        const rq = (tab(firstD, od) * inH + tab(firstH, oh)) * inW;
        const xr = xp + (<usize>rq << 2);
        const yRow = y + yo + (o << 2);
        const iRow = ix + yo + (o << 2);
        nan = f32x4.add(nan, hBodyK4S4<MaxCode>(xr, rq, yRow, iRow, 0, full));
        if (full < outW) nan = f32x4.add(nan, hBodyK4S4<MaxCode>(xr, rq, yRow, iRow, outW - 4, outW));
        o += <usize>outW;
      }
    }
    if (v128.any_true(f32x4.ne(nan, nan))) {
      planeScalar(KIND_MAX, xp, 1, y + yo, ix + yo, 1);
      codesOfPlane(ix + yo);
    }
  }
}

/**
 * One group of 4 outputs of the pair kernel: rows at a (row 2·oh) and a + 4·inW (row 2·oh + 1), columns from
 * 2·ow. Each row's pair first (the odd column wins only when strictly greater), then the second row's result
 * wins only when strictly greater: the first maximum in scan order (row 0's taps precede row 1's). Indices: qv
 * (the lanes' first taps' plane indices), minus the winning row's odd-column mask (−1 or 0), plus inW (rowV) where
 * the second row won. Returns the NaN sum of the 4 loads.
 */
@inline function pairGroup<R>(a: usize, rowB: usize, qv: v128, rowV: v128, yo: usize, io: usize): v128 {
  const L0 = v128.load(a);
  const L1 = v128.load(a, 16);
  const M0 = v128.load(a + rowB);
  const M1 = v128.load(a + rowB, 16);
  const e0 = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
  const o0 = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
  const e1 = v128.shuffle<f32>(M0, M1, 0, 2, 4, 6);
  const o1 = v128.shuffle<f32>(M0, M1, 1, 3, 5, 7);
  if (sizeof<R>() == 4) {
    v128.store(yo, f32x4.add(f32x4.add(e0, o0), f32x4.add(e1, o1)));
    return e0;
  }
  const h0 = f32x4.pmax(e0, o0);
  const h1 = f32x4.pmax(e1, o1);
  v128.store(yo, f32x4.pmax(h0, h1));
  if (tracks<R>()) pairIndex<R>(io, qv, rowV, f32x4.gt(o0, e0), f32x4.gt(o1, e1), f32x4.gt(h1, h0));
  return f32x4.add(f32x4.add(L0, L1), f32x4.add(M0, M1));
}

/**
 * One group of 4 outputs of the 4-row pair kernel (pairPlanes3): rows at a (slice 2·od, row 2·oh), a + rowB,
 * a + sliceB and a + sliceB + rowB, columns from 2·ow: each row's pairs (the odd column wins only when strictly
 * greater), then the rows in scan order (a later row wins only when strictly greater). Indices: qv (the lanes' first
 * taps' plane indices) plus the winner's code, its row's offset (rq1 .. rq3: a row, a slice, a slice and a row)
 * plus 1 for an odd column. The code is kept negated, as the odd-column mask (−1 or 0) minus the row's offset:
 * a later row's is below every earlier row's (rq1 = inW ≥ 8 here), so a row that wins replaces it by min_s of its
 * masked code, 2 operations where a bitselect is 3 on x64. Returns the NaN sum of the 8 loads.
 */
@inline function pairGroup4<R>(a: usize, rowB: usize, sliceB: usize, qv: v128, rq1: v128, rq2: v128, rq3: v128, yo: usize, io: usize): v128 {
  const b = a + rowB;
  const c = a + sliceB;
  const d = c + rowB;
  const A0 = v128.load(a);
  const A1 = v128.load(a, 16);
  const B0 = v128.load(b);
  const B1 = v128.load(b, 16);
  const C0 = v128.load(c);
  const C1 = v128.load(c, 16);
  const D0 = v128.load(d);
  const D1 = v128.load(d, 16);
  const ea = v128.shuffle<f32>(A0, A1, 0, 2, 4, 6);
  const oa = v128.shuffle<f32>(A0, A1, 1, 3, 5, 7);
  const eb = v128.shuffle<f32>(B0, B1, 0, 2, 4, 6);
  const ob = v128.shuffle<f32>(B0, B1, 1, 3, 5, 7);
  const ec = v128.shuffle<f32>(C0, C1, 0, 2, 4, 6);
  const oc = v128.shuffle<f32>(C0, C1, 1, 3, 5, 7);
  const ed = v128.shuffle<f32>(D0, D1, 0, 2, 4, 6);
  const od = v128.shuffle<f32>(D0, D1, 1, 3, 5, 7);
  if (sizeof<R>() == 4) {
    v128.store(yo, f32x4.add(f32x4.add(f32x4.add(ea, oa), f32x4.add(eb, ob)), f32x4.add(f32x4.add(ec, oc), f32x4.add(ed, od))));
    return ea;
  }
  let acc = f32x4.pmax(ea, oa);
  const hb = f32x4.pmax(eb, ob);
  const hc = f32x4.pmax(ec, oc);
  const hd = f32x4.pmax(ed, od);
  if (tracks<R>()) {
    let neg = f32x4.gt(oa, ea);
    neg = i32x4.min_s(neg, v128.and(f32x4.gt(hb, acc), i32x4.sub(f32x4.gt(ob, eb), rq1)));
    acc = f32x4.pmax(acc, hb);
    neg = i32x4.min_s(neg, v128.and(f32x4.gt(hc, acc), i32x4.sub(f32x4.gt(oc, ec), rq2)));
    acc = f32x4.pmax(acc, hc);
    neg = i32x4.min_s(neg, v128.and(f32x4.gt(hd, acc), i32x4.sub(f32x4.gt(od, ed), rq3)));
    if (sizeof<R>() == 1) v128.store(io, i32x4.sub(qv, neg));
    else putCodes(io, i32x4.neg(neg));
  } else {
    acc = f32x4.pmax(acc, hb);
    acc = f32x4.pmax(acc, hc);
  }
  v128.store(yo, f32x4.pmax(acc, hd));
  return f32x4.add(f32x4.add(f32x4.add(A0, A1), f32x4.add(B0, B1)), f32x4.add(f32x4.add(C0, C1), f32x4.add(D0, D1)));
}

/**
 * pairPlanes for rank 3 (pairWindows3: C3D's 2×2×2 stride-2 windows): per output row, groups of 4 over the
 * window's 4 rows (pairGroup4), the last moved back to end at outW. A volume whose loads summed to NaN is
 * recomputed by the exact scalar MAX.SELECT.
 */
function pairPlanes3<R>(planes: i32, x: usize, y: usize, ix: usize): void {
  const rowB = <usize>inW << 2;
  const sliceB = <usize>(inH * inW) << 2;
  const rq1 = i32x4.splat(inW);
  const rq2 = i32x4.splat(inH * inW);
  const rq3 = i32x4.splat(inH * inW + inW);
  const last = outW - 4;
  const end = lastWord(x, planes);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const yp = (<usize>pl * <usize>outPlane) << 2;
    let nan = f32x4.splat(0);
    let yo = yp;
    for (let od = 0; od < outD; od++) {
      for (let oh = 0; oh < outH; oh++) {
        const q = ((od << 1) * inH + (oh << 1)) * inW;
        const xr = xp + (<usize>q << 2);
        // Each output row reads two rows of each of two slices: two streams, each touched ahead.
        if (streaming) {
          touchAhead(xr, end);
          touchAhead(xr + sliceB, end);
        }
        // The lanes' first taps' plane indices, stepped by 8 per group (used by MaxIdx only).
        let qv = i32x4.add(i32x4.splat(q), LANE_PAIRS);
        for (let ow = 0; ; ow += 4) {
          if (ow > last) {
            ow = last;
            if (sizeof<R>() == 1) qv = i32x4.add(i32x4.splat(q + (last << 1)), LANE_PAIRS);
          }
          const o = yo + (<usize>ow << 2);
          nan = f32x4.add(nan, pairGroup4<R>(xr + (<usize>ow << 3), rowB, sliceB, qv, rq1, rq2, rq3, y + o, ix + o));
          if (ow == last) break;
          if (sizeof<R>() == 1) qv = i32x4.add(qv, EIGHT);
        }
        yo += <usize>outW << 2;
      }
    }
    if (sizeof<R>() != 4 && v128.any_true(f32x4.ne(nan, nan))) {
      planeScalar(KIND_MAX, xp, 1, y + yp, ix + yp, 1);
      if (sizeof<R>() == 8) codesOfPlane(ix + yp);
    }
  }
}

/**
 * Kernel 2 stride 2 windows that lie inside the plane (pairWindows): no ring, no tables, no masks; per output row
 * groups of 4, the last moved back to end at outW (it recomputes a few outputs, identically). A plane whose loads
 * summed to NaN (a NaN, or ∞ − ∞) is recomputed by the exact scalar MAX.SELECT.
 */
function pairPlanes<R>(planes: i32, x: usize, y: usize, ix: usize, sequential: i32): void {
  if (sequential && inW >= PAIR_SEQUENTIAL_W) { pairPlanesSequential<R>(planes, x, y, ix); return; }
  const rowB = <usize>inW << 2;
  const rowV = i32x4.splat(inW);
  const last = outW - 4;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const yp = (<usize>pl * <usize>outPlane) << 2;
    let nan = f32x4.splat(0);
    let yo = yp;
    for (let oh = 0; oh < outH; oh++) {
      const q = (oh << 1) * inW;
      const xr = xp + (<usize>q << 2);
      let qv = i32x4.add(i32x4.splat(q), LANE_PAIRS);
      let ow = 0;
      for (; ow < last; ow += 4) {
        const o = yo + (<usize>ow << 2);
        nan = f32x4.add(nan, pairGroup<R>(xr + (<usize>ow << 3), rowB, qv, rowV, y + o, ix + o));
        qv = i32x4.add(qv, EIGHT);
      }
      const o = yo + (<usize>last << 2);
      qv = i32x4.add(i32x4.splat(q + (last << 1)), LANE_PAIRS);
      nan = f32x4.add(nan, pairGroup<R>(xr + (<usize>last << 3), rowB, qv, rowV, y + o, ix + o));
      yo += <usize>outW << 2;
    }
    if (sizeof<R>() != 4 && v128.any_true(f32x4.ne(nan, nan))) {
      planeScalar(KIND_MAX, xp, 1, y + yp, ix + yp, 1);
      if (sizeof<R>() == 8) codesOfPlane(ix + yp);
    }
  }
}

/**
 * Input rows at least this wide are read by the pair kernels in memory order (pairPlanesSequential, bwdMaxPairs)
 * when the host asks for it (`sequential`: the call touches more bytes than a cache holds, kernels/wasm/engine.ts
 * PAIR_SEQUENTIAL_BYTES). Reading the two rows of a window row side by side makes two interleaved streams that
 * restart every second row; on rows of 224 floats (VGG-16 pool1) streamed from memory the sequential order took
 * 0.5–0.73× the time, while on rows of 112 and fewer (pool2 to pool4) the extra pass over the ring row cost
 * 1.08–1.6× (CPU time per op, one interleaved run).
 */
const PAIR_SEQUENTIAL_W: i32 = 192;

/**
 * The first input row of an output row of pair windows, read in memory order (PAIR_SEQUENTIAL_W): per group of 4
 * outputs (the last moved back to end at outW), the pair maxima to hv (R = Sum: the pair sums) and, with indices
 * (R = MaxIdx), the odd column's strict-win masks to masks. Returns the NaN sum of what it read. pairPlanesSequential
 * and bwdMaxPairs then read the second row and combine.
 */
@inline function pairFirstRow<R>(xr: usize, last: i32, hv: usize, masks: usize): v128 {
  let nan = f32x4.splat(0);
  for (let ow = 0; ; ow += 4) {
    if (ow > last) ow = last;
    const a = xr + (<usize>ow << 3);
    const L0 = v128.load(a);
    const L1 = v128.load(a, 16);
    nan = f32x4.add(nan, f32x4.add(L0, L1));
    const e0 = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
    const o0 = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
    const t = <usize>ow << 2;
    if (sizeof<R>() == 4) {
      v128.store(hv + t, f32x4.add(e0, o0));
    } else {
      v128.store(hv + t, f32x4.pmax(e0, o0));
      if (tracks<R>()) v128.store(masks + t, f32x4.gt(o0, e0));
    }
    if (ow == last) break;
  }
  return nan;
}

/**
 * pairPlanes in memory order: per output row, the first input row's pairs (max and, with indices, the odd column's
 * win mask; or sum) go to the ring's first row (pairFirstRow), then the second input row is read and combined with
 * them, with the same operations in the same order as pairGroup, so the results are the same to the bit.
 */
function pairPlanesSequential<R>(planes: i32, x: usize, y: usize, ix: usize): void {
  const rowV = i32x4.splat(inW);
  const last = outW - 4;
  const xLast = lastWord(x, planes);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const yp = (<usize>pl * <usize>outPlane) << 2;
    let nan = f32x4.splat(0);
    let yo = yp;
    for (let oh = 0; oh < outH; oh++) {
      const q = (oh << 1) * inW;
      const xr = xp + (<usize>q << 2);
      touchAhead(xr, xLast);
      nan = f32x4.add(nan, pairFirstRow<R>(xr, last, ringV, ringI));
      const xs = xr + (<usize>inW << 2);
      for (let ow = 0; ; ow += 4) {
        if (ow > last) ow = last;
        const a = xs + (<usize>ow << 3);
        const M0 = v128.load(a);
        const M1 = v128.load(a, 16);
        nan = f32x4.add(nan, f32x4.add(M0, M1));
        const e1 = v128.shuffle<f32>(M0, M1, 0, 2, 4, 6);
        const o1 = v128.shuffle<f32>(M0, M1, 1, 3, 5, 7);
        const t = <usize>ow << 2;
        const o = yo + t;
        if (sizeof<R>() == 4) {
          v128.store(y + o, f32x4.add(v128.load(ringV + t), f32x4.add(e1, o1)));
        } else {
          const h0 = v128.load(ringV + t);
          const h1 = f32x4.pmax(e1, o1);
          v128.store(y + o, f32x4.pmax(h0, h1));
          if (tracks<R>()) {
            const qv = i32x4.add(i32x4.splat(q + (ow << 1)), LANE_PAIRS);
            pairIndex<R>(ix + o, qv, rowV, v128.load(ringI + t), f32x4.gt(o1, e1), f32x4.gt(h1, h0));
          }
        }
        if (ow == last) break;
      }
      yo += <usize>outW << 2;
    }
    if (sizeof<R>() != 4 && v128.any_true(f32x4.ne(nan, nan))) {
      planeScalar(KIND_MAX, xp, 1, y + yp, ix + yp, 1);
      if (sizeof<R>() == 8) codesOfPlane(ix + yp);
    }
  }
}

// The strip kernel's H row result besides the values (set by stripH): the winners' plane indices (MaxIdx).
let sIdx: v128 = i32x4.splat(0);
// The strip kernel's steady output rows [steadyFrom, steadyTo) (set by stripPlanes): 3-row windows, each one row
// below the one before's, so that each reduces exactly one new input row.
let steadyFrom: i32 = 0;
let steadyTo: i32 = 0;

/**
 * The sum of the columns one H group of the strip kernel reads (c .. c + 5 or c .. c + 8; masked as ld), for the
 * NaN test. Kept out of stripH so that the running sum is a local of the strip, not a global: a global's
 * read-modify-write per row chains every row through memory.
 */
@inline function stripLoads<R, HS, M>(a: usize, c: i32): v128 {
  if (sizeof<HS>() == 4) return f32x4.add(ld<R, M>(a, c), ld<R, M>(a + 8, c + 2));
  return f32x4.add(f32x4.add(ld<R, M>(a, c), ld<R, M>(a + 16, c + 4)), ld<R, M>(a + 32, c + 8));
}

/**
 * One H group (4 output columns from input column c, address a) of one row (plane index rq of its first
 * element) for kernel 3, stride 1 or 2: returns the values (first maximum of the row's taps, or their sum) and
 * sets sIdx to the winners' plane indices (cb: the lanes' first taps' plane indices). Masked lanes as hCore (ld).
 */
@inline function stripH<R, HS, M>(a: usize, c: i32, rq: i32, cb: v128): v128 {
  let t0: v128;
  let t1: v128;
  let t2: v128;
  if (sizeof<HS>() == 4) {
    t0 = ld<R, M>(a, c);
    t1 = ld<R, M>(a + 4, c + 1);
    t2 = ld<R, M>(a + 8, c + 2);
  } else {
    const L0 = ld<R, M>(a, c);
    const L1 = ld<R, M>(a + 16, c + 4);
    const L2 = ld<R, M>(a + 32, c + 8);
    t0 = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
    t1 = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
    t2 = v128.shuffle<f32>(t0, L2, 1, 2, 3, 4);
  }
  if (sizeof<R>() == 4) return f32x4.add(f32x4.add(t0, t1), t2);
  const m1 = f32x4.gt(t1, t0);
  let acc = f32x4.pmax(t0, t1);
  const m2 = f32x4.gt(t2, acc);
  acc = f32x4.pmax(acc, t2);
  if (sizeof<R>() == 1) {
    let idx = firstOf3(cb, m1, m2);
    // A window whose first taps are padding: its first in-bounds column (dilation 1) is the row's first.
    if (sizeof<M>() == 2) idx = i32x4.max_s(idx, i32x4.splat(rq));
    sIdx = idx;
  }
  return acc;
}

/**
 * One column strip of the strip kernel: output columns ow .. ow + 3 of every output row of the plane at xp, top
 * to bottom. The H groups of the last three input rows reduced live in registers (h0, h1, h2, oldest first: rows
 * last − 2 .. last); an output row reduces the rows up to its window's last (stripWindows: windows of at most 3
 * consecutive rows, their last rows non-decreasing), then combines its n rows, the n most recent, in scan order (a
 * later row wins only when strictly greater; its indices are all larger). Returns the NaN sum's lanes.
 */
@inline function strip<R, HS, M>(xp: usize, ow: i32, yp: usize, ip: usize, ohFrom: i32, ohTo: i32): v128 {
  const stride = sizeof<HS>() == 4 ? 1 : 2;
  const c = ow * stride - padW;
  const ac = xp + (<usize>(<isize>c << 2));
  const cb = i32x4.add(i32x4.splat(c), colPattern<HS>());
  let nan = f32x4.splat(0);
  let h0 = NEG_INF;
  let h1 = NEG_INF;
  let h2 = NEG_INF;
  let i0 = ONE;
  let i1 = ONE;
  let i2 = ONE;
  let last = tab(firstH, ohFrom) - 1;
  // The lanes' plane indices in row `last` (cb moved down a row per row reduced).
  const rowStep = i32x4.splat(inW);
  let rowCb = i32x4.add(cb, i32x4.splat(last * inW));
  const rowB = <usize>inW << 2;
  const yStep = <usize>outW << 2;
  let yo = yp + (<usize>ow << 2) + <usize>ohFrom * yStep;
  let io = ip + (<usize>ow << 2) + <usize>ohFrom * yStep;
  for (let oh = ohFrom; oh < ohTo; oh++) {
    if (oh == steadyFrom && oh < steadyTo) {
      // The steady rows in one loop: one new row each (its H group in registers), no tables, no inner loop.
      let ar = ac + <usize>(last + 1) * rowB;
      let rq = (last + 1) * inW;
      const to = min(steadyTo, ohTo);
      for (; oh < to; oh++) {
        let t0: v128;
        let t1: v128;
        let t2: v128;
        if (sizeof<HS>() == 4) {
          // Stride 1: columns c .. c + 7 from two loads; taps 1 and 2 are lane shifts.
          t0 = ld<R, M>(ar, c);
          const L1 = ld<R, M>(ar + 16, c + 4);
          t1 = v128.shuffle<f32>(t0, L1, 1, 2, 3, 4);
          t2 = v128.shuffle<f32>(t0, L1, 2, 3, 4, 5);
          // Every tap column (c .. c + 5), once.
          if (sizeof<R>() != 4) nan = f32x4.add(nan, f32x4.add(t0, t2));
        } else {
          const L0 = ld<R, M>(ar, c);
          const L1 = ld<R, M>(ar + 16, c + 4);
          const L2 = ld<R, M>(ar + 32, c + 8);
          t0 = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
          t1 = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
          t2 = v128.shuffle<f32>(t0, L2, 1, 2, 3, 4);
          if (sizeof<R>() != 4) nan = f32x4.add(nan, f32x4.add(f32x4.add(L0, L1), L2));
        }
        h0 = h1;
        h1 = h2;
        if (sizeof<R>() == 4) {
          h2 = f32x4.add(f32x4.add(t0, t1), t2);
          v128.store(yo, f32x4.add(f32x4.add(h0, h1), h2));
        } else {
          const m1 = f32x4.gt(t1, t0);
          let h = f32x4.pmax(t0, t1);
          const m2 = f32x4.gt(t2, h);
          h2 = f32x4.pmax(h, t2);
          let acc = h0;
          if (sizeof<R>() == 1) {
            rowCb = i32x4.add(rowCb, rowStep);
            let hi = firstOf3(rowCb, m1, m2);
            if (sizeof<M>() == 2) hi = i32x4.max_s(hi, i32x4.splat(rq));
            i0 = i1;
            i1 = i2;
            i2 = hi;
            let idx = i0;
            idx = i32x4.max_s(idx, v128.and(f32x4.gt(h1, acc), i1));
            acc = f32x4.pmax(acc, h1);
            idx = i32x4.max_s(idx, v128.and(f32x4.gt(h2, acc), i2));
            v128.store(io, idx);
          } else {
            acc = f32x4.pmax(acc, h1);
          }
          v128.store(yo, f32x4.pmax(acc, h2));
        }
        yo += yStep;
        io += yStep;
        ar += rowB;
        rq += inW;
      }
      last += to - steadyFrom;
      oh--;
      continue;
    }
    const n = tab(countH, oh);
    const r1 = tab(firstH, oh) + n - 1;
    while (last < r1) {
      last++;
      h0 = h1;
      h1 = h2;
      if (sizeof<R>() == 1) {
        i0 = i1;
        i1 = i2;
      }
      const ar = ac + <usize>last * rowB;
      if (sizeof<R>() == 1) rowCb = i32x4.add(rowCb, rowStep);
      h2 = stripH<R, HS, M>(ar, c, last * inW, rowCb);
      if (sizeof<R>() != 4) nan = f32x4.add(nan, stripLoads<R, HS, M>(ar, c));
      if (sizeof<R>() == 1) i2 = sIdx;
    }
    let acc = h2;
    let idx = i2;
    if (n == 2) {
      acc = h1;
      idx = i1;
      if (sizeof<R>() == 4) {
        acc = f32x4.add(acc, h2);
      } else {
        if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(h2, acc), i2));
        acc = f32x4.pmax(acc, h2);
      }
    } else if (n == 3) {
      acc = h0;
      idx = i0;
      if (sizeof<R>() == 4) {
        acc = f32x4.add(f32x4.add(acc, h1), h2);
      } else {
        if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(h1, acc), i1));
        acc = f32x4.pmax(acc, h1);
        if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(h2, acc), i2));
        acc = f32x4.pmax(acc, h2);
      }
    }
    v128.store(yo, acc);
    if (sizeof<R>() == 1) v128.store(io, idx);
    yo += yStep;
    io += yStep;
  }
  return nan;
}

/**
 * Whether the strip kernel (stripPlanes) applies: kernel 3 stride 1 or 2 along the width (dilation 1), one depth
 * slice, at least 4 outputs per row, windows of 1 to 3 consecutive rows whose last rows never decrease, and a
 * plane of at most 16 KiB. The strips walk down the plane column by column, so the plane must stay in L1 (measured:
 * on 112×112 and 128×128 planes the strips lose to the ring's fused walk, on 28×28 and 35×35 they win).
 */
function stripWindows(): bool {
  if ((hShape != H_K3S2 && hShape != H_K3S1) || outW < 4 || outD != 1 || inD != 1 || tab(countD, 0) != 1) return false;
  if (inPlane > 4096) return false;
  if (dilH != 1) return false;
  let prev = -1;
  for (let oh = 0; oh < outH; oh++) {
    const n = tab(countH, oh);
    const r1 = tab(firstH, oh) + n - 1;
    if (n < 1 || n > 3 || r1 < prev) return false;
    prev = r1;
  }
  return true;
}

/**
 * Kernel 3 windows of up to 3 rows, column strip by column strip (strip): every H result stays in registers, each
 * input row is reduced once per strip, no ring, no per-row setup. Strips are plain inside [vLo, vHi), masked
 * outside; the last moved back to end at outW (it recomputes a few outputs, identically). A plane whose loads
 * summed to NaN is recomputed by the exact scalar MAX.SELECT.
 */
function stripPlanes<R, HS>(planes: i32, x: usize, y: usize, ix: usize): void {
  const last = outW - 4;
  // The steady rows: the first run of 3-row windows whose last row is one below the window before's.
  steadyFrom = 0;
  steadyTo = 0;
  for (let oh = 1; oh < outH; oh++) {
    // (Row oh's last row, firstH + 2, is the row after row oh − 1's last.)
    const ok = tab(countH, oh) == 3 && tab(firstH, oh) + 2 == tab(firstH, oh - 1) + tab(countH, oh - 1);
    if (ok && steadyTo == 0) steadyFrom = oh;
    if (ok) steadyTo = oh + 1;
    else if (steadyTo != 0) break;
  }
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const yo = (<usize>pl * <usize>outPlane) << 2;
    let nan = f32x4.splat(0);
    for (let ow = 0; ; ow += 4) {
      if (ow > last) ow = last;
      if (ow >= vLo && ow + 4 <= vHi) nan = f32x4.add(nan, strip<R, HS, Plain>(xp, ow, y + yo, ix + yo, 0, outH));
      else nan = f32x4.add(nan, strip<R, HS, Masked>(xp, ow, y + yo, ix + yo, 0, outH));
      if (ow == last) break;
    }
    if (sizeof<R>() != 4 && v128.any_true(f32x4.ne(nan, nan))) planeScalar(KIND_MAX, xp, 1, y + yo, ix + yo, 1);
  }
}

/** stripPlanes for the case's width shape. */
function stripOf<R>(planes: i32, x: usize, y: usize, ix: usize): void {
  if (hShape == H_K3S2) stripPlanes<R, K3S2>(planes, x, y, ix);
  else stripPlanes<R, K3S1>(planes, x, y, ix);
}

/**
 * One row of bwdMaxPairs3's group: dy's lanes g that this row's pairs won (the odd column where m, else the even)
 * spread over the row's 8 columns at d, +0 elsewhere.
 */
@inline function pairRowDx(d: usize, g: v128, m: v128): void {
  const go = v128.and(g, m);
  const ge = v128.andnot(g, m);
  v128.store(d, v128.shuffle<f32>(ge, go, 0, 4, 1, 5));
  v128.store(d, v128.shuffle<f32>(ge, go, 2, 6, 3, 7), 16);
}

/**
 * bwdMaxPairs for rank 3: 2×2×2 stride-2 windows that tile every volume exactly (C3D's pools): per group of 4
 * outputs the pairs of the window's 4 rows (slice 2·od rows 2·oh and 2·oh + 1, then slice 2·od + 1's), combined in
 * scan order (a later row wins only when its pair's maximum is strictly greater), and dy written at the winner,
 * +0 at the other 7 taps: dx written once, whole. A volume whose loads summed to NaN is redone with the scalar
 * MAX.SELECT. Returns 0, doing nothing, when the windows are not such a tiling.
 */
function bwdMaxPairs3(planes: i32, x: usize, dy: usize, dx: usize): i32 {
  if (!pairWindows3() || outD << 1 != inD || outH << 1 != inH || outW << 1 != inW) return 0;
  const rowB = <usize>inW << 2;
  const sliceB = <usize>(inH * inW) << 2;
  const last = outW - 4;
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const dp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const gp = dy + ((<usize>pl * <usize>outPlane) << 2);
    let nan = f32x4.splat(0);
    let gr = gp;
    for (let od = 0; od < outD; od++) {
      for (let oh = 0; oh < outH; oh++) {
        const r = (<usize>((od << 1) * inH + (oh << 1)) * <usize>inW) << 2;
        for (let ow = 0; ; ow += 4) {
          if (ow > last) ow = last;
          const a = xp + r + (<usize>ow << 3);
          const A0 = v128.load(a);
          const A1 = v128.load(a, 16);
          const B0 = v128.load(a + rowB);
          const B1 = v128.load(a + rowB, 16);
          const C0 = v128.load(a + sliceB);
          const C1 = v128.load(a + sliceB, 16);
          const D0 = v128.load(a + sliceB + rowB);
          const D1 = v128.load(a + sliceB + rowB, 16);
          nan = f32x4.add(nan, f32x4.add(f32x4.add(f32x4.add(A0, A1), f32x4.add(B0, B1)), f32x4.add(f32x4.add(C0, C1), f32x4.add(D0, D1))));
          const ea = v128.shuffle<f32>(A0, A1, 0, 2, 4, 6);
          const oa = v128.shuffle<f32>(A0, A1, 1, 3, 5, 7);
          const eb = v128.shuffle<f32>(B0, B1, 0, 2, 4, 6);
          const ob = v128.shuffle<f32>(B0, B1, 1, 3, 5, 7);
          const ec = v128.shuffle<f32>(C0, C1, 0, 2, 4, 6);
          const oc = v128.shuffle<f32>(C0, C1, 1, 3, 5, 7);
          const ed = v128.shuffle<f32>(D0, D1, 0, 2, 4, 6);
          const odd = v128.shuffle<f32>(D0, D1, 1, 3, 5, 7);
          // Rows in scan order; mb, mc, md: that row's pair is strictly greater than every earlier tap.
          let acc = f32x4.pmax(ea, oa);
          const hb = f32x4.pmax(eb, ob);
          const mb = f32x4.gt(hb, acc);
          acc = f32x4.pmax(acc, hb);
          const hc = f32x4.pmax(ec, oc);
          const mc = f32x4.gt(hc, acc);
          acc = f32x4.pmax(acc, hc);
          const md = f32x4.gt(f32x4.pmax(ed, odd), acc);
          // The winning row of each lane is the last one whose mask is set.
          const g = v128.load(gr + (<usize>ow << 2));
          const d = dp + r + (<usize>ow << 3);
          pairRowDx(d + sliceB + rowB, v128.and(g, md), f32x4.gt(odd, ed));
          let rest = v128.andnot(g, md);
          pairRowDx(d + sliceB, v128.and(rest, mc), f32x4.gt(oc, ec));
          rest = v128.andnot(rest, mc);
          pairRowDx(d + rowB, v128.and(rest, mb), f32x4.gt(ob, eb));
          pairRowDx(d, v128.andnot(rest, mb), f32x4.gt(oa, ea));
          if (ow == last) break;
        }
        gr += <usize>outW << 2;
      }
    }
    if (v128.any_true(f32x4.ne(nan, nan))) planeRedo(xp, gp, dp, false);
  }
  return 1;
}

/**
 * GRAD.MAX for 2×2 stride-2 windows that tile every plane exactly (pairWindows, and 2·outH = inH, 2·outW = inW):
 * each input lies in exactly one window, so dx is written once, whole: dy at the window's MAX.SELECT winner (the
 * pair kernel's first maximum: the odd column when strictly greater, the second row when its pair's maximum is
 * strictly greater), +0 at its other taps. No forward indices, no zeroing pass, no scatter. A plane whose loads
 * summed to NaN is redone with the scalar MAX.SELECT (maxIndexAt). Returns 0, doing nothing, when the windows are
 * not such a tiling (the host then takes the general path).
 */
export function bwdMaxPairs(planes: i32, x: usize, dy: usize, dx: usize, ring: usize, seq: i32): i32 {
  hShape = dilW == 1 && kerW == 2 && strW == 2 ? H_K2S2 : H_ANY;
  if (inD > 1) return bwdMaxPairs3(planes, x, dy, dx);
  if (!pairWindows() || outH << 1 != inH || outW << 1 != inW) return 0;
  const rowB = <usize>inW << 2;
  const last = outW - 4;
  // Wide rows (PAIR_SEQUENTIAL_W): the first row's pairs are read in a pass of their own, into the ring (the
  // maxima, then the odd-column masks one ring row further), so that x is read in memory order.
  const sequential = seq != 0 && inW >= PAIR_SEQUENTIAL_W;
  const ringM = ring + (<usize>((outW + 3) & ~3) << 2);
  const xLast = lastWord(x, planes);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const dp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const gp = dy + ((<usize>pl * <usize>outPlane) << 2);
    let nan = f32x4.splat(0);
    for (let oh = 0; oh < outH; oh++) {
      const r = <usize>((oh << 1) * inW) << 2;
      const gr = gp + (<usize>(oh * outW) << 2);
      if (sequential) {
        touchAhead(xp + r, xLast);
        nan = f32x4.add(nan, pairFirstRow<MaxIdx>(xp + r, last, ring, ringM));
      }
      for (let ow = 0; ; ow += 4) {
        if (ow > last) ow = last;
        const a = xp + r + (<usize>ow << 3);
        let h0: v128, m0: v128;
        if (sequential) {
          h0 = v128.load(ring + (<usize>ow << 2));
          m0 = v128.load(ringM + (<usize>ow << 2));
        } else {
          const L0 = v128.load(a);
          const L1 = v128.load(a, 16);
          nan = f32x4.add(nan, f32x4.add(L0, L1));
          const e0 = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
          const o0 = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
          h0 = f32x4.pmax(e0, o0);
          m0 = f32x4.gt(o0, e0);
        }
        const M0 = v128.load(a + rowB);
        const M1 = v128.load(a + rowB, 16);
        nan = f32x4.add(nan, f32x4.add(M0, M1));
        const e1 = v128.shuffle<f32>(M0, M1, 0, 2, 4, 6);
        const o1 = v128.shuffle<f32>(M0, M1, 1, 3, 5, 7);
        const m1 = f32x4.gt(o1, e1);
        const mv = f32x4.gt(f32x4.pmax(e1, o1), h0);
        const g = v128.load(gr + (<usize>ow << 2));
        const g0 = v128.andnot(g, mv);
        const g1 = v128.and(g, mv);
        const go0 = v128.and(g0, m0);
        const ge0 = v128.andnot(g0, m0);
        const go1 = v128.and(g1, m1);
        const ge1 = v128.andnot(g1, m1);
        const d = dp + r + (<usize>ow << 3);
        v128.store(d, v128.shuffle<f32>(ge0, go0, 0, 4, 1, 5));
        v128.store(d, v128.shuffle<f32>(ge0, go0, 2, 6, 3, 7), 16);
        v128.store(d + rowB, v128.shuffle<f32>(ge1, go1, 0, 4, 1, 5));
        v128.store(d + rowB, v128.shuffle<f32>(ge1, go1, 2, 6, 3, 7), 16);
        if (ow == last) break;
      }
    }
    if (v128.any_true(f32x4.ne(nan, nan))) planeRedo(xp, gp, dp, false);
  }
  return 1;
}

/**
 * Contiguous planes: kind KIND_MAX (with indices), KIND_MAX_CODES (with indices, as codes at `codes` where the
 * kernel writes them: putCodes; returns 1 when it did, else it wrote KIND_MAX's int32 indices), KIND_MAX_VALUES
 * (ix is written only for planes that hold a NaN, which the scalar rule recomputes) or KIND_SUM. `ring` holds R
 * rows of ⌈outW/4⌉·16 bytes (twice that with indices), then R i32 tags and one i32 per window row
 * (kernels/wasm/memory-plan.ts reserves it); R is the ring's row count, rows the most input rows of a window (1:
 * the H pass writes the output directly); flatPlane 1 when the windows tile each row exactly (kernel = stride,
 * dilation 1, no padding, no remainder): the ring then holds a whole plane's H rows (⌈inPlane/stride + 4⌉ floats,
 * 16-byte aligned, twice with indices); [lo, hi) are the columns the vector H pass covers (taps all inside the
 * row; hi − lo ≥ 4, or hi = lo when there are fewer); sequential 1 when the call streams from memory (more bytes
 * than a cache holds): a pair kernel then reads wide rows in memory order (PAIR_SEQUENTIAL_W), fusedRun reads
 * ahead.
 */
export function fwdRows(
  kind: i32, planes: i32, x: usize, y: usize, ix: usize, ring: usize, R: i32, rows: i32, lo: i32, hi: i32, flatPlane: i32,
  sequential: i32, codes: usize,
): i32 {
  windowRows = rows;
  streaming = sequential != 0;
  const s = strW;
  hShape = dilW != 1 ? H_ANY : kerW == 3 && s == 2 ? H_K3S2 : kerW == 2 && s == 2 ? H_K2S2 : kerW == 3 && s == 1 ? H_K3S1 : kerW == 4 && s == 4 ? H_K4S4 : H_ANY;
  // A specialised shape with at most 3 rows per window takes the fused walk (the host asks for flat mode only
  // where it does not apply: kernels/wasm/geometry.ts flatRows).
  flat = flatPlane;
  fused = i32(!flat && hShape != H_ANY && hShape != H_K4S4 && rows <= 3);
  hOut = outW;
  const row = <usize>(((outW + 3) & ~3) << 2);
  rowBytes = row;
  ringRows = R;
  // The values rows (flat: the plane's H rows, contiguous, and 4 floats of slack for the last group's reads).
  const values = flat ? ((((<usize>(inPlane / strW) + 4) << 2) + 15) & ~(<usize>15)) : <usize>R * row;
  ringV = ring;
  const indices = kind == KIND_MAX || kind == KIND_MAX_CODES;
  ringI = indices ? ring + values : ring;
  tags = ring + values * (indices ? 2 : 1);
  rowOff = tags + (<usize>R << 2);
  vLo = lo;
  vHi = hi;
  codesAt = codes;
  codesIx = ix;
  if (pairWindows()) {
    if (kind == KIND_MAX_CODES) {
      pairPlanes<MaxCode>(planes, x, y, ix, sequential);
      return 1;
    }
    if (kind == KIND_MAX) pairPlanes<MaxIdx>(planes, x, y, ix, sequential);
    else if (kind == KIND_MAX_VALUES) pairPlanes<MaxVal>(planes, x, y, ix, sequential);
    else pairPlanes<Sum>(planes, x, y, ix, sequential);
    return 0;
  }
  if (pairWindows3()) {
    if (kind == KIND_MAX_CODES) {
      pairPlanes3<MaxCode>(planes, x, y, ix);
      return 1;
    }
    if (kind == KIND_MAX) pairPlanes3<MaxIdx>(planes, x, y, ix);
    else if (kind == KIND_MAX_VALUES) pairPlanes3<MaxVal>(planes, x, y, ix);
    else pairPlanes3<Sum>(planes, x, y, ix);
    return 0;
  }
  if (kind == KIND_MAX_CODES && k4s4Windows()) {
    k4s4Codes(planes, x, y, ix);
    return 1;
  }
  // The other kernels write int32 indices for KIND_MAX_CODES.
  if (kind == KIND_MAX_CODES) kind = KIND_MAX;
  if (stripWindows()) {
    if (kind == KIND_MAX) stripOf<MaxIdx>(planes, x, y, ix);
    else if (kind == KIND_MAX_VALUES) stripOf<MaxVal>(planes, x, y, ix);
    else stripOf<Sum>(planes, x, y, ix);
    return 0;
  }
  if (kind == KIND_MAX) {
    if (s == 1) rowsPlanes<MaxIdx, S1>(planes, x, y, ix);
    else if (s == 2) rowsPlanes<MaxIdx, S2>(planes, x, y, ix);
    else rowsPlanes<MaxIdx, Sn>(planes, x, y, ix);
  } else if (kind == KIND_MAX_VALUES) {
    if (s == 1) rowsPlanes<MaxVal, S1>(planes, x, y, ix);
    else if (s == 2) rowsPlanes<MaxVal, S2>(planes, x, y, ix);
    else rowsPlanes<MaxVal, Sn>(planes, x, y, ix);
  } else {
    if (s == 1) rowsPlanes<Sum, S1>(planes, x, y, ix);
    else if (s == 2) rowsPlanes<Sum, S2>(planes, x, y, ix);
    else rowsPlanes<Sum, Sn>(planes, x, y, ix);
  }
  return 0;
}
