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
 *   never a tap.
 * - The H rows live in a small ring of R rows (R = the window's row span, or its depth span times the plane's
 *   rows for rank 3, so no two rows of one window share a slot); a tag per slot says which input row it holds,
 *   so each row is reduced once however many output rows use it.
 * - V pass, once per output row: the H rows of the window's in-bounds rows (depth, then height: scan order)
 *   combined 4 output columns at a time.
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
  countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inH, inPlane, inW, kerW, outD, outH,
  outPlane, outW, padW, strW, tab,
} from './state';
import { KIND_MAX, planeScalar } from './scalar';

/** fwdRows' kind for max without indices (KIND_MAX and KIND_SUM are scalar.ts's). */
export const KIND_MAX_VALUES: i32 = 2;

// Reducer markers (only their size is read).
type MaxIdx = u8;
type MaxVal = u16;
type Sum = u32;
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
// The H pass's output columns: outW, or a whole plane's in flat mode.
let hOut: i32 = 0;
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

// Tap codes of the specialised H bodies: the winning tap's column offset within a window.
const ONE = i32x4.splat(1);
const TWO = i32x4.splat(2);

/**
 * The specialised H bodies of the three common windows (dilation 1): kernel 3 stride 2, kernel 2 stride 2 and
 * kernel 3 stride 1; the columns [from, to) only (the caller runs the scalar border columns). Returns the
 * NaN sum's lanes (every column the windows read is added once).
 *
 * Stride 2 deinterleaves two loads into the even and odd columns (tap 0 and tap 1) and takes tap 2 as the even
 * columns shifted by one lane, the next load's first column shifted in; stride 1 loads each tap (unaligned).
 * Indices: code = max_s(m1 & 1, m2 & 2) is the tap of the last strict improvement (the first maximum).
 */
@inline function hBodyK3S2<R>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  let c = (from << 1) - padW;
  let a = xr + (<usize>c << 2);
  let L0 = v128.load(a);
  let col = i32x4.add(i32x4.splat(rq + c), i32x4(0, 2, 4, 6));
  const eight = i32x4.splat(8);
  let sum = f32x4.splat(0);
  for (let ow = from; ow < to; ow += 4) {
    const L1 = v128.load(a, 16);
    const L2 = v128.load(a, 32);
    const e = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
    const od = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
    const t2 = v128.shuffle<f32>(e, L2, 1, 2, 3, 4);
    const o = <usize>ow << 2;
    if (sizeof<R>() == 4) {
      v128.store(hv + o, f32x4.add(f32x4.add(e, od), t2));
    } else {
      sum = f32x4.add(sum, f32x4.add(L0, L1));
      const m1 = f32x4.gt(od, e);
      const acc = f32x4.pmax(e, od);
      const m2 = f32x4.gt(t2, acc);
      v128.store(hv + o, f32x4.pmax(acc, t2));
      if (sizeof<R>() == 1) {
        v128.store(hi + o, i32x4.add(col, i32x4.max_s(v128.and(m1, ONE), v128.and(m2, TWO))));
        col = i32x4.add(col, eight);
      }
    }
    L0 = L2;
    a += 32;
  }
  // The last window's tap 2 is the first column of the carried load.
  return f32x4.add(sum, v128.and(L0, i32x4(-1, 0, 0, 0)));
}

@inline function hBodyK2S2<R>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  let c = (from << 1) - padW;
  let a = xr + (<usize>c << 2);
  let col = i32x4.add(i32x4.splat(rq + c), i32x4(0, 2, 4, 6));
  const eight = i32x4.splat(8);
  let sum = f32x4.splat(0);
  for (let ow = from; ow < to; ow += 4) {
    const L0 = v128.load(a);
    const L1 = v128.load(a, 16);
    const e = v128.shuffle<f32>(L0, L1, 0, 2, 4, 6);
    const od = v128.shuffle<f32>(L0, L1, 1, 3, 5, 7);
    const o = <usize>ow << 2;
    if (sizeof<R>() == 4) {
      v128.store(hv + o, f32x4.add(e, od));
    } else {
      sum = f32x4.add(sum, f32x4.add(L0, L1));
      v128.store(hv + o, f32x4.pmax(e, od));
      if (sizeof<R>() == 1) {
        v128.store(hi + o, i32x4.add(col, v128.and(f32x4.gt(od, e), ONE)));
        col = i32x4.add(col, eight);
      }
    }
    a += 32;
  }
  return sum;
}

@inline function hBodyK3S1<R>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  let c = from - padW;
  let a = xr + (<usize>c << 2);
  let col = i32x4.add(i32x4.splat(rq + c), i32x4(0, 1, 2, 3));
  const four = i32x4.splat(4);
  let sum = f32x4.splat(0);
  let t2 = sum;
  for (let ow = from; ow < to; ow += 4) {
    const t0 = v128.load(a);
    const t1 = v128.load(a, 4);
    t2 = v128.load(a, 8);
    const o = <usize>ow << 2;
    if (sizeof<R>() == 4) {
      v128.store(hv + o, f32x4.add(f32x4.add(t0, t1), t2));
    } else {
      sum = f32x4.add(sum, t0);
      const m1 = f32x4.gt(t1, t0);
      const acc = f32x4.pmax(t0, t1);
      const m2 = f32x4.gt(t2, acc);
      v128.store(hv + o, f32x4.pmax(acc, t2));
      if (sizeof<R>() == 1) {
        v128.store(hi + o, i32x4.add(col, i32x4.max_s(v128.and(m1, ONE), v128.and(m2, TWO))));
        col = i32x4.add(col, four);
      }
    }
    a += 16;
  }
  // Tap 0 of the windows covers their first columns; the last window's tap 2 covers the two after.
  return f32x4.add(sum, t2);
}

/** Kernel 4 stride 4 (the 1-D audio pool): a 4×4 transpose of four loads gives the four tap vectors. */
@inline function hBodyK4S4<R>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  let c = (from << 2) - padW;
  let a = xr + (<usize>c << 2);
  let col = i32x4.add(i32x4.splat(rq + c), i32x4(0, 4, 8, 12));
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
      if (sizeof<R>() == 1) {
        const code = i32x4.max_s(i32x4.max_s(v128.and(m1, ONE), v128.and(m2, TWO)), v128.and(m3, three));
        v128.store(hi + o, i32x4.add(col, code));
        col = i32x4.add(col, sixteen);
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

/** The vector H columns [from, to) (a multiple of 4 wide) with the case's body. */
@inline function hBody<R, S>(xr: usize, rq: i32, hv: usize, hi: usize, from: i32, to: i32): v128 {
  if (hShape == H_K3S2) return hBodyK3S2<R>(xr, rq, hv, hi, from, to);
  if (hShape == H_K2S2) return hBodyK2S2<R>(xr, rq, hv, hi, from, to);
  if (hShape == H_K3S1) return hBodyK3S1<R>(xr, rq, hv, hi, from, to);
  if (hShape == H_K4S4) return hBodyK4S4<R>(xr, rq, hv, hi, from, to);
  return hBodyAny<R, S>(xr, rq, hv, hi, from, to);
}

/**
 * The H pass of one input row (x at xr, plane index of its first element rq): returns 1 when a NaN was read. The
 * interior columns [vLo, vHi) run in groups of 4, the last group moved back to end at vHi (it recomputes a few
 * columns, identically); the border columns outside run scalar.
 */
function hRow<R, S>(xr: usize, rq: i32, hv: usize, hi: usize): i32 {
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

/** Combines ring row r (byte offset of this column group) into acc/idx: one V step in scan order. */
@inline function vStep<R>(acc: v128, idx: v128, r: usize): v128 {
  const v = v128.load(ringV + r);
  if (sizeof<R>() == 4) return f32x4.add(acc, v);
  return f32x4.pmax(acc, v);
}

/** The V pass of one output row: the n ring rows at rowOff[0..n) in scan order, into y (and ix). */
function vRow<R>(n: i32, yp: usize, ip: usize): void {
  const r0 = <usize>load<i32>(rowOff);
  const r1 = n > 1 ? <usize>load<i32>(rowOff, 4) : r0;
  const r2 = n > 2 ? <usize>load<i32>(rowOff, 8) : r0;
  for (let ow = 0; ow < outW; ow += 4) {
    const o = <usize>ow << 2;
    let acc = v128.load(ringV + r0 + o);
    let idx = sizeof<R>() == 1 ? v128.load(ringI + r0 + o) : acc;
    if (n > 1) {
      if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v128.load(ringV + r1 + o), acc), v128.load(ringI + r1 + o)));
      acc = vStep<R>(acc, idx, r1 + o);
      if (n > 2) {
        if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v128.load(ringV + r2 + o), acc), v128.load(ringI + r2 + o)));
        acc = vStep<R>(acc, idx, r2 + o);
        for (let j = 3; j < n; j++) {
          const r = <usize>load<i32>(rowOff + (<usize>j << 2)) + o;
          if (sizeof<R>() == 1) idx = i32x4.max_s(idx, v128.and(f32x4.gt(v128.load(ringV + r), acc), v128.load(ringI + r)));
          acc = vStep<R>(acc, idx, r);
        }
      }
    }
    v128.store(yp + o, acc);
    if (sizeof<R>() == 1) v128.store(ip + o, idx);
  }
}

/** Every plane: the walk over output rows, reducing each window row once (H) and combining rows (V). */
function rowsPlanes<R, S>(planes: i32, x: usize, y: usize, ix: usize): void {
  const slots = ringRows;
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
        vRow<R>(n, yRow, iRow);
      }
    }
    if (sizeof<R>() != 4 && bad) planeScalar(KIND_MAX, xp, 1, y + yo, ix + yo, 1);
  }
}

/**
 * Contiguous planes: kind KIND_MAX (with indices), KIND_MAX_VALUES (ix is written only for planes that hold a
 * NaN, which the scalar rule recomputes) or KIND_SUM. `ring` holds R rows of ⌈outW/4⌉·16 bytes (twice
 * that with indices), then R i32 tags and one i32 per window row (kernels/wasm/memory-plan.ts reserves it); R is
 * the ring's row count, rows the most input rows of a window (1: the H pass writes the output directly); flatPlane
 * 1 when the windows tile each row exactly (kernel = stride, dilation 1, no padding, no remainder): the ring
 * then holds a whole plane's H rows (⌈inPlane/stride + 4⌉ floats, 16-byte aligned, twice with indices); [lo, hi) are the columns the vector H pass covers (taps all inside the row; hi − lo ≥ 4,
 * or hi = lo when there are fewer).
 */
export function fwdRows(kind: i32, planes: i32, x: usize, y: usize, ix: usize, ring: usize, R: i32, rows: i32, lo: i32, hi: i32, flatPlane: i32): void {
  windowRows = rows;
  flat = flatPlane;
  hOut = outW;
  const row = <usize>(((outW + 3) & ~3) << 2);
  rowBytes = row;
  ringRows = R;
  // The values rows (flat: the plane's H rows, contiguous, and 4 floats of slack for the last group's reads).
  const values = flat ? ((((<usize>(inPlane / strW) + 4) << 2) + 15) & ~(<usize>15)) : <usize>R * row;
  ringV = ring;
  ringI = kind == KIND_MAX ? ring + values : ring;
  tags = ring + values * (kind == KIND_MAX ? 2 : 1);
  rowOff = tags + (<usize>R << 2);
  vLo = lo;
  vHi = hi;
  const s = strW;
  hShape = dilW != 1 ? H_ANY : kerW == 3 && s == 2 ? H_K3S2 : kerW == 2 && s == 2 ? H_K2S2 : kerW == 3 && s == 1 ? H_K3S1 : kerW == 4 && s == 4 ? H_K4S4 : H_ANY;
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
}
