/**
 * The channels_last forward kernel (4 adjacent channels per vector): every rank, stride, dilation and padding,
 * C ≥ 4 channels (the C mod 4 trailing channels run scalar). Reducers: max with indices, max values only, sum.
 *
 * Row-first separable, as rows.ts is for contiguous planes, with the channels as the vector lanes:
 * - H pass, once per input row that some window uses: for every output column, the reduction of the row's in-bounds
 *   taps of that column (its first tap, then the others in order), for all channels, into a ring slot holding one
 *   output row's worth (outW·C floats, and as many indices for max).
 * - The ring has R slots (geometry.ts ringRows: the window's row span, or its depth span times the plane's rows for
 *   rank 3, so no two rows of one window share a slot); a tag per slot says which input row it holds, so each row
 *   is reduced once however many output rows use it.
 * - V pass, once per output row: the window rows' slots in scan order (depth, then height), combined as whole
 *   vectors along the row (an output row of channels_last data is outW·C contiguous floats).
 * For the ResNet-50 stem's 3×3 stride-2 windows that is 2 H rows and a 3-row combine per output row instead of
 * 9 taps per output: about half the loads, maxima and NaN sums. Against the per-output walk it replaced (op alone,
 * one bench run, medians): resnet50-stem-max-nhwc 0.71× values only and 0.81× with indices, the Keras
 * InceptionV3 3×3 avg in NHWC 0.60×. engine.ts also runs the sum kernel as the channels_last sum backward's gather
 * (geometry.ts gatherGeometry: the share array pooled over the windows that hold each input).
 *
 * Kernel 3, dilation 1 (the stem, the Keras 3×3 pools), in the columns whose windows lie inside the row:
 * - hRun3, an unrolled H step that also leaves out of the NaN sum the taps the next column starts with: 0.95× the
 *   table-driven step's time on the stem with indices, 0.96× on the Keras avg (values-only max keeps the tables).
 * - fusedOutRow, for an output row whose first window row the ring holds and whose second no later window uses
 *   (stride 2 and more), C a multiple of 4: the two new rows' H steps and the V combine in one pass (fusedRow3),
 *   so the middle row never goes to the ring. With the taps' distance a constant load offset (C = 16 .. 256, powers
 *   of 2) it took the stem to 0.79× with indices and 0.68× values only. With the distance at run time the fused
 *   pass gave only 0.96× (an earlier one-block-at-a-time version: 1.00×, and 1.15× values only): most of the gain
 *   is the addresses V8 no longer spills.
 * Keeping the taps that neighbouring kernel-3 windows share in registers (each input column loaded and NaN-summed
 * once per row) measured no faster: 1.00–1.08× on both workloads.
 *
 * Max is exact and keeps scan order as in rows.ts: in a row, m = v > acc, acc = pmax(acc, v) (= m ? v : acc: ties,
 * −0/+0 included, keep the earlier tap's bits) and idx = max_s(idx, m & q) (q, the plane index, grows with the tap);
 * across rows the same step with the later row's indices, all larger. Comparisons ignore NaN, so the H pass also
 * sums every value it reads (f32x4.add: NaN is absorbing; ∞ − ∞ only costs a needless redo) and flags its slot;
 * an output row whose window rows include a flagged slot is recomputed by the scalar MAX.SELECT (first NaN in scan
 * order).
 *
 * Sums accumulate in float32: k − 1 additions per row, then one per further row, a summation tree over the
 * window's n terms; SPEC.md ACC.MODEL allows any order or tree and ACC.SUM's γ_{n−1}·Σ|v| bound covers it.
 */
import {
  countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inH, inPlane, inW, kerW, outD, outH, outPlane, outW,
  padW, strW, tab,
} from './state';
import { KIND_MAX_VALUES, MaxIdx, MaxVal, N3, Sum, firstOf3, vRow, vRowFew } from './rows';
import { KIND_MAX, maxStore, planeScalar } from './scalar';

// How many 4-channel blocks an H step takes (only their size is read). The reducers are rows.ts's markers: max with
// indices, max values only (indices are written only for an output row a NaN sent to the scalar rule), sum.
type OneBlock = u8;
type TwoBlocks = u16;
type FourBlocks = u32;

/**
 * Output row (od, oh) of the vectorised channels by the scalar MAX.SELECT (first NaN, else first maximum, in scan
 * order): the rows walk takes it for an output row whose window rows held a NaN.
 */
function maxRowScalar(xn: usize, S: i32, blocks: i32, od: i32, oh: i32, yRow: usize, iRow: usize): void {
  const vectorised = blocks << 2;
  for (let ow = 0; ow < outW; ow++) {
    for (let c = 0; c < vectorised; c++) {
      const at = (<usize>ow * <usize>S + <usize>c) << 2;
      maxStore(xn + (<usize>c << 2), S, od, oh, ow, yRow + at, iRow + at);
    }
  }
}

// The ring, set per call by fwdChannelsLast: values and indices slots (slotBytes apart), a tag and a NaN flag per
// slot, and the current output row's window rows (slot byte offsets).
let ringV: usize = 0;
let ringI: usize = 0;
let tags: usize = 0;
let nanFlags: usize = 0;
let rowOff: usize = 0;
let slotBytes: usize = 0;
let ringRows: i32 = 1;
// The columns [run3Lo, run3Hi) whose windows are 3 adjacent taps inside the row (kernel 3, dilation 1; else empty).
let run3Lo: i32 = 0;
let run3Hi: i32 = 0;

/** The lane sums of the nb = 1, 2 or 4 block vectors v0 .. v3 (B's size), for max's NaN test. */
@inline function blockSum<B>(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  if (sizeof<B>() == 1) return v0;
  if (sizeof<B>() == 2) return f32x4.add(v0, v1);
  return f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3));
}

/**
 * H step of nb = 1, 2 or 4 blocks of one output column: the nw taps from src (tapStep bytes apart, plane indices
 * q, q + dilW, …) into the slot at dv (and di). Returns nan plus every value read (max), or nan (sum).
 */
@inline function hBlocks<R, B>(src: usize, tapStep: usize, nw: i32, q: i32, dv: usize, di: usize, nan: v128): v128 {
  const nb = <i32>sizeof<B>();
  let a0 = v128.load(src);
  let a1 = nb > 1 ? v128.load(src, 16) : a0;
  let a2 = nb > 2 ? v128.load(src, 32) : a0;
  let a3 = nb > 2 ? v128.load(src, 48) : a0;
  let i0 = i32x4.splat(q);
  let i1 = i0;
  let i2 = i0;
  let i3 = i0;
  if (sizeof<R>() != 4) nan = f32x4.add(nan, blockSum<B>(a0, a1, a2, a3));
  let p = src;
  for (let k = 1; k < nw; k++) {
    p += tapStep;
    q += dilW;
    const v0 = v128.load(p);
    const v1 = nb > 1 ? v128.load(p, 16) : v0;
    const v2 = nb > 2 ? v128.load(p, 32) : v0;
    const v3 = nb > 2 ? v128.load(p, 48) : v0;
    if (sizeof<R>() == 4) {
      a0 = f32x4.add(a0, v0);
      if (nb > 1) a1 = f32x4.add(a1, v1);
      if (nb > 2) { a2 = f32x4.add(a2, v2); a3 = f32x4.add(a3, v3); }
    } else {
      if (sizeof<R>() == 1) {
        const qs = i32x4.splat(q);
        i0 = i32x4.max_s(i0, v128.and(f32x4.gt(v0, a0), qs));
        if (nb > 1) i1 = i32x4.max_s(i1, v128.and(f32x4.gt(v1, a1), qs));
        if (nb > 2) {
          i2 = i32x4.max_s(i2, v128.and(f32x4.gt(v2, a2), qs));
          i3 = i32x4.max_s(i3, v128.and(f32x4.gt(v3, a3), qs));
        }
      }
      a0 = f32x4.pmax(a0, v0);
      if (nb > 1) a1 = f32x4.pmax(a1, v1);
      if (nb > 2) { a2 = f32x4.pmax(a2, v2); a3 = f32x4.pmax(a3, v3); }
      nan = f32x4.add(nan, blockSum<B>(v0, v1, v2, v3));
    }
  }
  v128.store(dv, a0);
  if (nb > 1) v128.store(dv, a1, 16);
  if (nb > 2) { v128.store(dv, a2, 32); v128.store(dv, a3, 48); }
  if (sizeof<R>() == 1) {
    v128.store(di, i0);
    if (nb > 1) v128.store(di, i1, 16);
    if (nb > 2) { v128.store(di, i2, 32); v128.store(di, i3, 48); }
  }
  return nan;
}

/**
 * One block of hRun3 (max with indices, or sum): taps a, v, w into the slot at dv (and di: q0 is tap a's index);
 * returns the NaN lanes (max) of the first `all` taps.
 */
@inline function h3Block<R>(a: v128, v: v128, w: v128, all: i32, q0: v128, dv: usize, di: usize): v128 {
  if (sizeof<R>() == 4) {
    v128.store(dv, f32x4.add(f32x4.add(a, v), w));
    return a;
  }
  let t = a;
  if (all > 1) t = f32x4.add(t, v);
  if (all > 2) t = f32x4.add(t, w);
  const m = f32x4.gt(v, a);
  a = f32x4.pmax(a, v);
  v128.store(di, firstOf3(q0, m, f32x4.gt(w, a)));
  v128.store(dv, f32x4.pmax(a, w));
  return t;
}

/**
 * The H columns [lo, hi) whose windows are 3 adjacent taps inside the row (kernel 3, dilation 1), max with indices
 * or sum: hBlocks' work unrolled, q the plane index of column lo's first tap. Max adds to the NaN sum only the
 * first min(strW, 3) taps of a column but the last: the others are the next column's first taps.
 */
function hRun3<R>(src: usize, step: usize, blocks: i32, lo: i32, hi: i32, q: i32, dv: usize, di: usize): v128 {
  const colStep = <usize>strW * step;
  const sums = min(strW, 3);
  const pairs = <usize>(blocks >> 1) << 5;
  let nan = f32x4.splat(0);
  for (let ow = lo; ow < hi; ow++) {
    const q0 = i32x4.splat(q);
    const all = ow == hi - 1 ? 3 : sums;
    const s1 = src + step;
    const s2 = s1 + step;
    let o: usize = 0;
    for (; o + 32 < pairs; o += 64) {
      const x = h3Block<R>(v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), all, q0, dv + o, di + o);
      const y = h3Block<R>(v128.load(src + o, 16), v128.load(s1 + o, 16), v128.load(s2 + o, 16), all, q0, dv + o + 16, di + o + 16);
      const z = h3Block<R>(v128.load(src + o, 32), v128.load(s1 + o, 32), v128.load(s2 + o, 32), all, q0, dv + o + 32, di + o + 32);
      const u = h3Block<R>(v128.load(src + o, 48), v128.load(s1 + o, 48), v128.load(s2 + o, 48), all, q0, dv + o + 48, di + o + 48);
      if (sizeof<R>() != 4) nan = f32x4.add(nan, f32x4.add(f32x4.add(x, y), f32x4.add(z, u)));
    }
    for (; o < pairs; o += 32) {
      const x = h3Block<R>(v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), all, q0, dv + o, di + o);
      const y = h3Block<R>(v128.load(src + o, 16), v128.load(s1 + o, 16), v128.load(s2 + o, 16), all, q0, dv + o + 16, di + o + 16);
      if (sizeof<R>() != 4) nan = f32x4.add(nan, f32x4.add(x, y));
    }
    if (blocks & 1) {
      const x = h3Block<R>(v128.load(src + o), v128.load(s1 + o), v128.load(s2 + o), all, q0, dv + o, di + o);
      if (sizeof<R>() != 4) nan = f32x4.add(nan, x);
    }
    src += colStep;
    dv += step;
    di += step;
    q += strW;
  }
  return nan;
}

/**
 * H pass of input row rr (at xr, C = S channels per position, `blocks` blocks) into the slot at offset `off`; with
 * fused = true the columns [run3Lo, run3Hi) are left to the caller (fusedRow3). Returns 1 when a NaN was read.
 */
function hRow<R>(xr: usize, rr: i32, S: i32, blocks: i32, off: usize, fused: bool): i32 {
  const step = <usize>S << 2;
  const tapStep = <usize>dilW * step;
  const rq = rr * inW;
  const dv0 = ringV + off;
  const di0 = ringI + off;
  let nan = f32x4.splat(0);
  // Columns [lo, hi): 3 adjacent taps inside the row (hRun3); the others (borders, other windows) by the tables.
  // (Values-only max keeps the table-driven step: hRun3 measured 1.02× its time there.)
  const lo = run3Lo;
  const hi = (fused || sizeof<R>() != 2) ? run3Hi : lo;
  for (let ow = 0; ow < outW; ow++) {
    if (ow == lo && lo < hi) {
      const at = <usize>lo * step;
      if (!fused) nan = f32x4.add(nan, hRun3<R>(xr + <usize>(lo * strW - padW) * step, step, blocks, lo, hi, rq + lo * strW - padW, dv0 + at, di0 + at));
      ow = hi - 1;
      continue;
    }
    const w0 = tab(firstW, ow);
    const nw = tab(countW, ow);
    const src = xr + <usize>w0 * step;
    const at = <usize>ow * step;
    const q = rq + w0;
    let b = 0;
    for (; b + 4 <= blocks; b += 4) {
      const o = <usize>b << 4;
      nan = hBlocks<R, FourBlocks>(src + o, tapStep, nw, q, dv0 + at + o, di0 + at + o, nan);
    }
    if (b + 2 <= blocks) {
      const o = <usize>b << 4;
      nan = hBlocks<R, TwoBlocks>(src + o, tapStep, nw, q, dv0 + at + o, di0 + at + o, nan);
      b += 2;
    }
    if (b < blocks) {
      const o = <usize>b << 4;
      nan = hBlocks<R, OneBlock>(src + o, tapStep, nw, q, dv0 + at + o, di0 + at + o, nan);
    }
  }
  return sizeof<R>() == 4 ? 0 : i32(v128.any_true(f32x4.ne(nan, nan)));
}

/**
 * One block of fusedRow3 at byte offset o: the H step of rows 1 and 2 (taps at p1, p1 + step, p1 + 2·step and the
 * same from p2; q0 and r0 the plane indices of rows 1 and 2's first taps), row 2's result into its ring slot
 * (a2, its indices di further), and the V combine in scan order with the held row 0 (a0) into yp and ip. Returns
 * the NaN lanes (max) of rows 1 and 2's first `all` taps. ST: a signed type when step is only known at run time,
 * else an unsigned one (or v128) whose size·64 bytes is step, as a constant load offset (fusedOutRow).
 */
@inline function f3Block<R, ST>(
  p1: usize, p2: usize, step: usize, all: i32, q0: v128, r0: v128, a0: usize, a2: usize, di: usize, yp: usize, ip: usize, o: usize,
): v128 {
  let v: v128, w: v128, u: v128, z: v128;
  const a = v128.load(p1 + o);
  const b = v128.load(p2 + o);
  if (isSigned<ST>()) {
    v = v128.load(p1 + step + o);
    w = v128.load(p1 + 2 * step + o);
    u = v128.load(p2 + step + o);
    z = v128.load(p2 + 2 * step + o);
  } else {
    v = v128.load(p1 + o, sizeof<ST>() << 6);
    w = v128.load(p1 + o, sizeof<ST>() << 7);
    u = v128.load(p2 + o, sizeof<ST>() << 6);
    z = v128.load(p2 + o, sizeof<ST>() << 7);
  }
  if (sizeof<R>() == 4) {
    const h2 = f32x4.add(f32x4.add(b, u), z);
    v128.store(a2 + o, h2);
    v128.store(yp + o, f32x4.add(f32x4.add(v128.load(a0 + o), f32x4.add(f32x4.add(a, v), w)), h2));
    return a;
  }
  let t = f32x4.add(a, b);
  if (all > 1) t = f32x4.add(t, f32x4.add(v, u));
  if (all > 2) t = f32x4.add(t, f32x4.add(w, z));
  let h1 = f32x4.pmax(a, v);
  let h2 = f32x4.pmax(b, u);
  let acc = v128.load(a0 + o);
  if (sizeof<R>() == 1) {
    const i1 = firstOf3(q0, f32x4.gt(v, a), f32x4.gt(w, h1));
    const i2 = firstOf3(r0, f32x4.gt(u, b), f32x4.gt(z, h2));
    h1 = f32x4.pmax(h1, w);
    h2 = f32x4.pmax(h2, z);
    v128.store(a2 + o, h2);
    v128.store(a2 + di + o, i2);
    let idx = i32x4.max_s(v128.load(a0 + di + o), v128.and(f32x4.gt(h1, acc), i1));
    acc = f32x4.pmax(acc, h1);
    idx = i32x4.max_s(idx, v128.and(f32x4.gt(h2, acc), i2));
    v128.store(ip + o, idx);
  } else {
    h1 = f32x4.pmax(h1, w);
    h2 = f32x4.pmax(h2, z);
    v128.store(a2 + o, h2);
    acc = f32x4.pmax(acc, h1);
  }
  v128.store(yp + o, f32x4.pmax(acc, h2));
  return t;
}

/**
 * The columns [run3Lo, run3Hi) of an output row whose window rows are input rows rr, rr + 1, rr + 2 (kernel 3,
 * dilation 1), with row rr held in the ring (at a0) and rows rr + 1 (x1) and rr + 2 (x2) not yet reduced, row
 * rr + 1 in no later window (stride 2 and more): the H steps of the two rows and the V combine in one pass, so row
 * rr + 1 never goes to the ring and row rr + 2 goes there only for the next output row (a2). a0, a2, yp and ip are
 * at column run3Lo, q is row rr + 1's plane index of its first tap. Returns the NaN sum's lanes (max) of both rows.
 */
function fusedRow3<R, ST>(x1: usize, x2: usize, step: usize, blocks: i32, q: i32, a0: usize, a2: usize, yp: usize, ip: usize): v128 {
  const lo = run3Lo;
  const hi = run3Hi;
  const colStep = <usize>strW * step;
  const sums = min(strW, 3);
  const pairs = <usize>(blocks >> 1) << 5;
  const di = ringI - ringV;
  const w = inW;
  let nan = f32x4.splat(0);
  for (let ow = lo; ow < hi; ow++) {
    const q0 = i32x4.splat(q);
    const r0 = i32x4.splat(q + w);
    const all = ow == hi - 1 ? 3 : sums;
    let o: usize = 0;
    for (; o < pairs; o += 32) {
      const t = f3Block<R, ST>(x1, x2, step, all, q0, r0, a0, a2, di, yp, ip, o);
      const u = f3Block<R, ST>(x1, x2, step, all, q0, r0, a0, a2, di, yp, ip, o + 16);
      if (sizeof<R>() != 4) nan = f32x4.add(nan, f32x4.add(t, u));
    }
    if (blocks & 1) {
      const t = f3Block<R, ST>(x1, x2, step, all, q0, r0, a0, a2, di, yp, ip, o);
      if (sizeof<R>() != 4) nan = f32x4.add(nan, t);
    }
    x1 += colStep;
    x2 += colStep;
    a0 += step;
    a2 += step;
    yp += step;
    ip += step;
    q += strW;
  }
  return nan;
}

/**
 * Output row (od, oh) of channelsItem whose window rows are input rows rr (held in ring slot s0), rr + 1 and
 * rr + 2 (slots s1, s2, not yet reduced), row rr + 1 in no later window, C a multiple of 4: the border columns'
 * H steps into the slots and their V combine as usual, the columns [run3Lo, run3Hi) by fusedRow3. Slot s2 is
 * tagged rr + 2 for the next output row, with the NaN flag of both rows (row rr + 1's NaN can send that row to the
 * scalar rule needlessly, never miss one); slot s1 holds only border columns and is tagged as holding no row.
 */
function fusedOutRow<R>(xn: usize, rr: i32, S: i32, blocks: i32, s0: i32, s1: i32, s2: i32, yp: usize, ip: usize, od: i32, oh: i32, vectors: i32): void {
  const step = <usize>S << 2;
  const rowStep = <usize>inW * step;
  const o0 = <usize>s0 * slotBytes;
  const o1 = <usize>s1 * slotBytes;
  const o2 = <usize>s2 * slotBytes;
  const x1 = xn + <usize>(rr + 1) * rowStep;
  const x2 = x1 + rowStep;
  let bad = hRow<R>(x1, rr + 1, S, blocks, o1, true) | hRow<R>(x2, rr + 2, S, blocks, o2, true);
  // The border columns' V combine: [0, run3Lo) and [run3Hi, outW).
  const di = ringI - ringV;
  const a0 = ringV + o0;
  const a1 = ringV + o1;
  const a2 = ringV + o2;
  const left = <usize>run3Lo * step;
  if (left) vRowFew<R, N3>(a0, a1, a2, di, left, yp, ip);
  const right = <usize>run3Hi * step;
  const end = <usize>vectors << 4;
  if (right < end) vRowFew<R, N3>(a0 + right, a1 + right, a2 + right, di, end - right, yp + right, ip + right);
  const firstTap = <usize>(run3Lo * strW - padW) * step;
  const q = (rr + 1) * inW + run3Lo * strW - padW;
  const f1 = x1 + firstTap;
  const f2 = x2 + firstTap;
  const b0 = a0 + left;
  const b2 = a2 + left;
  const y0 = yp + left;
  const i0 = ip + left;
  // 16 to 256 channels (powers of 2) take the taps' distance as a constant load offset: with it at run time the
  // loop keeps 12 addresses live and V8 spills some (on the stem, the constant took the whole forward to 0.79×).
  let nan: v128;
  if (S == 64) nan = fusedRow3<R, u32>(f1, f2, step, blocks, q, b0, b2, y0, i0);
  else if (S == 16) nan = fusedRow3<R, u8>(f1, f2, step, blocks, q, b0, b2, y0, i0);
  else if (S == 32) nan = fusedRow3<R, u16>(f1, f2, step, blocks, q, b0, b2, y0, i0);
  else if (S == 128) nan = fusedRow3<R, u64>(f1, f2, step, blocks, q, b0, b2, y0, i0);
  else if (S == 256) nan = fusedRow3<R, v128>(f1, f2, step, blocks, q, b0, b2, y0, i0);
  else nan = fusedRow3<R, i32>(f1, f2, step, blocks, q, b0, b2, y0, i0);
  store<i32>(tags + (<usize>s1 << 2), -1);
  store<i32>(tags + (<usize>s2 << 2), rr + 2);
  if (sizeof<R>() != 4) bad |= i32(v128.any_true(f32x4.ne(nan, nan)));
  store<i32>(nanFlags + (<usize>s2 << 2), bad);
  if (sizeof<R>() != 4 && (bad | load<i32>(nanFlags + (<usize>s0 << 2)))) maxRowScalar(xn, S, blocks, od, oh, yp, ip);
}

/** channels_last, one batch item at xn (C = S channels, `blocks` of them vectorised): the rows walk. */
function channelsItem<R>(xn: usize, S: i32, blocks: i32, yn: usize, iN: usize): void {
  const slots = ringRows;
  // fusedOutRow's conditions that hold for the whole call (the per-row ones are tested per output row).
  const fusable = run3Lo < run3Hi && dilH == 1 && (S & 3) == 0 && slots >= 3;
  for (let t = 0; t < slots; t++) store<i32>(tags + (<usize>t << 2), -1);
  const rowStep = <usize>inW * <usize>S << 2;
  const outRowBytes = <usize>outW * <usize>S << 2;
  // Whole vectors along an output row: the C mod 4 trailing channels' lanes carry ring garbage that the scalar
  // tail overwrites (fwdChannelsLast), and the last vector may end up to 3 floats past the row (SLACK).
  const vectors = (outW * S + 3) >> 2;
  let o: usize = 0;
  for (let od = 0; od < outD; od++) {
    const d0 = tab(firstD, od);
    const nd = tab(countD, od);
    for (let oh = 0; oh < outH; oh++) {
      const h0 = tab(firstH, oh);
      const nh = tab(countH, oh);
      if (fusable && nd == 1 && nh == 3 && (oh + 1 == outH || tab(firstH, oh + 1) > h0 + 1)) {
        const rr = d0 * inH + h0;
        const s0 = rr % slots;
        const s1 = (rr + 1) % slots;
        const s2 = (rr + 2) % slots;
        if (load<i32>(tags + (<usize>s0 << 2)) == rr && load<i32>(tags + (<usize>s1 << 2)) != rr + 1 && load<i32>(tags + (<usize>s2 << 2)) != rr + 2) {
          fusedOutRow<R>(xn, rr, S, blocks, s0, s1, s2, yn + o, iN + o, od, oh, vectors);
          o += outRowBytes;
          continue;
        }
      }
      let bad = 0;
      let n = 0;
      for (let i = 0; i < nd; i++) {
        const rowD = (d0 + i * dilD) * inH + h0;
        for (let j = 0; j < nh; j++) {
          const rr = rowD + j * dilH;
          const slot = rr % slots;
          const tagAt = tags + (<usize>slot << 2);
          const off = <usize>slot * slotBytes;
          if (load<i32>(tagAt) != rr) {
            store<i32>(nanFlags + (<usize>slot << 2), hRow<R>(xn + <usize>rr * rowStep, rr, S, blocks, off, false));
            store<i32>(tagAt, rr);
          }
          bad |= load<i32>(nanFlags + (<usize>slot << 2));
          store<i32>(rowOff + (<usize>n << 2), <i32>off);
          n++;
        }
      }
      if (bad) maxRowScalar(xn, S, blocks, od, oh, yn + o, iN + o);
      else vRow<R>(n, rowOff, ringV, ringI, <usize>vectors << 4, yn + o, iN + o);
      o += outRowBytes;
    }
  }
}

/**
 * channels_last (kind KIND_MAX, KIND_MAX_VALUES or KIND_SUM), C ≥ 4: the rows walk per batch item, then the C mod 4
 * trailing channels scalar. `ring`: R slots of ⌈outW·C/4⌉·16 bytes (twice for KIND_MAX: values, then indices),
 * then R tags, R NaN flags and a slot offset per window row (kernels/wasm/memory-plan.ts).
 */
export function fwdChannelsLast(kind: i32, N: i32, C: i32, x: usize, y: usize, ix: usize, ring: usize, R: i32): void {
  const blocks = C >> 2;
  run3Lo = outW;
  run3Hi = outW;
  if (kerW == 3 && dilW == 1) {
    // Column ow's taps start at ow·strW − padW: inside from run3Lo on, and end inside the row up to run3Hi − 1.
    const span = inW - 3 + padW;
    run3Lo = min((padW + strW - 1) / strW, outW);
    run3Hi = span < 0 ? run3Lo : max(run3Lo, min(span / strW + 1, outW));
  }
  slotBytes = <usize>((outW * C + 3) >> 2) << 4;
  ringRows = R;
  ringV = ring;
  ringI = ring + <usize>R * slotBytes;
  tags = ring + <usize>R * slotBytes * (kind == KIND_MAX ? 2 : 1);
  nanFlags = tags + (<usize>R << 2);
  rowOff = nanFlags + (<usize>R << 2);
  for (let n = 0; n < N; n++) {
    const xn = x + ((<usize>n * <usize>inPlane * <usize>C) << 2);
    const on = (<usize>n * <usize>outPlane * <usize>C) << 2;
    if (kind == KIND_MAX) channelsItem<MaxIdx>(xn, C, blocks, y + on, ix + on);
    else if (kind == KIND_MAX_VALUES) channelsItem<MaxVal>(xn, C, blocks, y + on, ix + on);
    else channelsItem<Sum>(xn, C, blocks, y + on, ix + on);
    for (let c = blocks << 2; c < C; c++) {
      const cOff = <usize>c << 2;
      planeScalar(kind == KIND_MAX_VALUES ? KIND_MAX : kind, xn + cOff, C, y + on + cOff, ix + on + cOff, C);
    }
  }
}
