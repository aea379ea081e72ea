/**
 * Forward kernels besides the rows kernel (rows.ts): channels_last, whole-plane windows and the scalar rule.
 *
 * Max computes its index in the same pass. Per tap and vector: m = (v > acc); acc = pmax(acc, v) (= m ? v : acc,
 * so ties, −0/+0 included, keep the earlier tap); idx = max(idx, m & q). A lane's tap plane indices q increase in
 * scan order, so the largest q with m set is the last strict improvement: the first maximum. The comparison ignores
 * NaN: channels_last sums every value it reads per output (a NaN makes the sum NaN) and recomputes a flagged
 * output with the scalar MAX.SELECT (first NaN in scan order); the whole-plane kernel ORs (v != v) as it goes.
 * Sums accumulate in float32.
 *
 *   fwdScalar        every layout and geometry, one output at a time (scalar.ts over walk.ts's window walk).
 *   fwdChannelsLast  channels_last: 4 adjacent channels per vector (four blocks per step), any geometry; C mod 4
 *                    channels scalar.
 *   fwdGlobal        channels_first, window = the whole contiguous plane: a 4-lane reduction over the plane.
 */
import {
  countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inH, inPlane, inW, outD, outH, outPlane, outW,
  selectPlane, tab, xb, xs, yb, ys,
} from './state';
import { KIND_MAX_VALUES } from './rows';
import { KIND_MAX, maxStore, planeScalar } from './scalar';

/** Recomputes one block's 4 lanes of output (od, oh, ow) with the scalar MAX.SELECT (a lane saw a NaN). */
function maxLanesScalar(xq: usize, S: usize, od: i32, oh: i32, ow: i32, yt: usize, it: usize): void {
  for (let l = 0; l < 4; l++) {
    const lo = <usize>l << 2;
    maxStore(xq + lo, S, od, oh, ow, yt + lo, it + lo);
  }
}

// Reducer markers of the channel kernel (only their size is read): max with indices, max values only (the
// indices are written only for an output a NaN sent to the scalar rule), sum; and how many 4-channel blocks a step
// takes.
type MaxCh = u8;
type MaxValCh = u16;
type SumCh = u32;
type OneBlock = u8;
type TwoBlocks = u16;
type FourBlocks = u32;

/**
 * One output of nb = 1, 2 or 4 adjacent blocks of 4 channels (B): the window walk, written once for max
 * (m = v > acc; acc = pmax(acc, v); idx = max_s(idx, m & q): the first maximum) and sum (float32 adds). Lane l of
 * block k reads element q at xq + 16·k + 4·(q·S + l) and writes output o at yt + 16·k + 4·l. Four blocks a step
 * read the window tables once for 16 channels. Max's NaN test is a running sum of every value read (NaN is
 * absorbing; so is ∞ − ∞, which only costs a needless redo): an output whose sum is NaN in some lane has its nb
 * blocks recomputed by the scalar MAX.SELECT. It replaced a scan of the whole batch item for NaN before the walk,
 * a pass over the input of its own; with the four-block step, resnet50-stem-max-nhwc took 0.74× and the Keras
 * InceptionV3 avg in NHWC 0.80× the CPU time per op of the two-block kernel (one interleaved run, medians).
 */
@inline function channelBlocks<R, B>(
  xq: usize, S: i32, od: i32, oh: i32, ow: i32, yt: usize, it: usize,
): void {
  const nb = <i32>sizeof<B>();
  const step = <usize>S << 2;
  const tapStep = <usize>dilW * step;
  const d0 = tab(firstD, od);
  const nd = tab(countD, od);
  const h0 = tab(firstH, oh);
  const nh = tab(countH, oh);
  const w0 = tab(firstW, ow);
  const nw = tab(countW, ow);
  const q0 = (d0 * inH + h0) * inW + w0;
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let a2 = a0;
  let a3 = a0;
  let i0 = i32x4.splat(q0);
  let i1 = i0;
  let i2 = i0;
  let i3 = i0;
  let nan = a0;
  if (sizeof<R>() != 4) {
    const p0 = xq + <usize>q0 * step;
    a0 = v128.load(p0);
    if (nb > 1) a1 = v128.load(p0, 16);
    if (nb > 2) { a2 = v128.load(p0, 32); a3 = v128.load(p0, 48); }
  }
  for (let i = 0; i < nd; i++) {
    const rowD = (d0 + i * dilD) * inH + h0;
    for (let j = 0; j < nh; j++) {
      let q = (rowD + j * dilH) * inW + w0;
      let p = xq + <usize>q * step;
      for (let k = 0; k < nw; k++) {
        const v0 = v128.load(p);
        const v1 = nb > 1 ? v128.load(p, 16) : v0;
        const v2 = nb > 2 ? v128.load(p, 32) : v0;
        const v3 = nb > 2 ? v128.load(p, 48) : v0;
        if (sizeof<R>() == 4) {
          a0 = f32x4.add(a0, v0);
          if (nb > 1) a1 = f32x4.add(a1, v1);
          if (nb > 2) { a2 = f32x4.add(a2, v2); a3 = f32x4.add(a3, v3); }
        } else {
          const qs = i32x4.splat(q);
          if (sizeof<R>() == 1) i0 = i32x4.max_s(i0, v128.and(f32x4.gt(v0, a0), qs));
          a0 = f32x4.pmax(a0, v0);
          if (nb == 1) nan = f32x4.add(nan, v0);
          if (nb > 1) {
            if (sizeof<R>() == 1) i1 = i32x4.max_s(i1, v128.and(f32x4.gt(v1, a1), qs));
            a1 = f32x4.pmax(a1, v1);
          }
          if (nb == 2) nan = f32x4.add(nan, f32x4.add(v0, v1));
          if (nb > 2) {
            if (sizeof<R>() == 1) i2 = i32x4.max_s(i2, v128.and(f32x4.gt(v2, a2), qs));
            a2 = f32x4.pmax(a2, v2);
            if (sizeof<R>() == 1) i3 = i32x4.max_s(i3, v128.and(f32x4.gt(v3, a3), qs));
            a3 = f32x4.pmax(a3, v3);
            nan = f32x4.add(nan, f32x4.add(f32x4.add(v0, v1), f32x4.add(v2, v3)));
          }
        }
        p += tapStep;
        q += dilW;
      }
    }
  }
  v128.store(yt, a0);
  if (nb > 1) v128.store(yt, a1, 16);
  if (nb > 2) { v128.store(yt, a2, 32); v128.store(yt, a3, 48); }
  if (sizeof<R>() != 4) {
    if (sizeof<R>() == 1) {
      v128.store(it, i0);
      if (nb > 1) v128.store(it, i1, 16);
      if (nb > 2) { v128.store(it, i2, 32); v128.store(it, i3, 48); }
    }
    if (v128.any_true(f32x4.ne(nan, nan))) {
      for (let k = 0; k < nb; k++) {
        const off = <usize>k << 4;
        maxLanesScalar(xq + off, S, od, oh, ow, yt + off, it + off);
      }
    }
  }
}

/**
 * channels_last, one batch item: `blocks` blocks of 4 channels (C = S channels per position), four blocks per
 * step, then two, then one; output o of channel c at yb + 4·(o·S + c).
 */
function channelsWalk<R>(xb: usize, S: i32, blocks: i32, yb: usize, ib: usize): void {
  let o = 0;
  for (let od = 0; od < outD; od++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const oAt = (<usize>o * <usize>S) << 2;
        let b = 0;
        for (; b + 4 <= blocks; b += 4) {
          const off = <usize>b << 4;
          channelBlocks<R, FourBlocks>(xb + off, S, od, oh, ow, yb + off + oAt, ib + off + oAt);
        }
        if (b + 2 <= blocks) {
          const off = <usize>b << 4;
          channelBlocks<R, TwoBlocks>(xb + off, S, od, oh, ow, yb + off + oAt, ib + off + oAt);
          b += 2;
        }
        if (b < blocks) {
          const off = <usize>b << 4;
          channelBlocks<R, OneBlock>(xb + off, S, od, oh, ow, yb + off + oAt, ib + off + oAt);
        }
        o++;
      }
    }
  }
}

/** Every output, scalar; cl = 1 for channels_last (plane (n, c) placed by state.ts's selectPlane). */
export function fwdScalar(kind: i32, cl: i32, N: i32, C: i32, x: usize, y: usize, ix: usize): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      selectPlane(cl, n, c, C);
      const yo = yb << 2;
      planeScalar(kind, x + (xb << 2), xs, y + yo, ix + yo, ys);
    }
  }
}

/** channels_last (kind KIND_MAX, KIND_MAX_VALUES or KIND_SUM): channel blocks of 4 vectorised, C mod 4 trailing channels scalar. */
export function fwdChannelsLast(kind: i32, N: i32, C: i32, x: usize, y: usize, ix: usize): void {
  const blocks = C >> 2;
  for (let n = 0; n < N; n++) {
    const xn = x + ((<usize>n * <usize>inPlane * <usize>C) << 2);
    const on = (<usize>n * <usize>outPlane * <usize>C) << 2;
    if (blocks > 0) {
      if (kind == KIND_MAX) channelsWalk<MaxCh>(xn, C, blocks, y + on, ix + on);
      else if (kind == KIND_MAX_VALUES) channelsWalk<MaxValCh>(xn, C, blocks, y + on, ix + on);
      else channelsWalk<SumCh>(xn, C, blocks, y + on, ix + on);
    }
    for (let c = blocks << 2; c < C; c++) {
      const cOff = <usize>c << 2;
      planeScalar(kind == KIND_MAX_VALUES ? KIND_MAX : kind, xn + cOff, C, y + on + cOff, ix + on + cOff, C);
    }
  }
}

/** Max of a whole contiguous plane of P ≥ 8 elements: 4 strided lanes, then the first maximum across lanes. */
function maxGlobalPlane(xp: usize, y: usize, ix: usize): void {
  const P = inPlane;
  let acc = v128.load(xp);
  let idx = i32x4(0, 1, 2, 3);
  let nan = f32x4.ne(acc, acc);
  let qv = i32x4(4, 5, 6, 7);
  const four = i32x4.splat(4);
  let q = 4;
  for (; q + 4 <= P; q += 4) {
    const v = v128.load(xp + (<usize>q << 2));
    const m = f32x4.gt(v, acc);
    acc = f32x4.pmax(acc, v);
    idx = i32x4.max_s(idx, v128.and(m, qv));
    nan = v128.or(nan, f32x4.ne(v, v));
    qv = i32x4.add(qv, four);
  }
  if (v128.any_true(nan)) {
    maxStore(xp, 1, 0, 0, 0, y, ix);
    return;
  }
  // Each lane holds the first maximum of its residue class: the plane's first maximum is, among lanes holding
  // the largest value, the one with the smallest index.
  let best = i32x4.extract_lane(idx, 0);
  let bestV = f32x4.extract_lane(acc, 0);
  let i = i32x4.extract_lane(idx, 1);
  let v = f32x4.extract_lane(acc, 1);
  if (v > bestV || (v == bestV && i < best)) { best = i; bestV = v; }
  i = i32x4.extract_lane(idx, 2);
  v = f32x4.extract_lane(acc, 2);
  if (v > bestV || (v == bestV && i < best)) { best = i; bestV = v; }
  i = i32x4.extract_lane(idx, 3);
  v = f32x4.extract_lane(acc, 3);
  if (v > bestV || (v == bestV && i < best)) { best = i; bestV = v; }
  for (; q < P; q++) {
    v = load<f32>(xp + (<usize>q << 2));
    if (v != v) {
      best = q;
      break;
    }
    if (v > bestV) {
      best = q;
      bestV = v;
    }
  }
  store<i32>(y, load<i32>(xp + (<usize>best << 2)));
  store<i32>(ix, best);
}

function sumGlobalPlane(xp: usize): f32 {
  const P = inPlane;
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  let q = 0;
  for (; q + 8 <= P; q += 8) {
    const p = xp + (<usize>q << 2);
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p, 16));
  }
  for (; q + 4 <= P; q += 4) a0 = f32x4.add(a0, v128.load(xp + (<usize>q << 2)));
  a0 = f32x4.add(a0, a1);
  let s = (f32x4.extract_lane(a0, 0) + f32x4.extract_lane(a0, 1)) + (f32x4.extract_lane(a0, 2) + f32x4.extract_lane(a0, 3));
  for (; q < P; q++) s += load<f32>(xp + (<usize>q << 2));
  return s;
}

const NEG_ZERO = f32x4.splat(-0.0);
const LANES = i32x4(0, 1, 2, 3);

/**
 * The float32 sum of the floats [lo, hi) from g (lo < hi) as 4 lanes, read as whole vectors from g (16-byte
 * aligned reads when g is): the vectors holding lo and hi − 1 contribute only their lanes inside the range, the
 * others −0 (the additive identity, exactly: a sum of −0s stays −0).
 */
@inline function segmentSum(g: usize, lo: i32, hi: i32): v128 {
  const a = lo >> 2;
  const b = (hi - 1) >> 2;
  const from = i32x4.ge_s(LANES, i32x4.splat(lo & 3));
  const to = i32x4.le_s(LANES, i32x4.splat((hi - 1) & 3));
  if (a == b) return v128.bitselect(v128.load(g + (<usize>a << 4)), NEG_ZERO, v128.and(from, to));
  let s0 = v128.bitselect(v128.load(g + (<usize>a << 4)), NEG_ZERO, from);
  let s1 = v128.bitselect(v128.load(g + (<usize>b << 4)), NEG_ZERO, to);
  let j = a + 1;
  for (; j + 2 <= b; j += 2) {
    const at = g + (<usize>j << 4);
    s0 = f32x4.add(s0, v128.load(at));
    s1 = f32x4.add(s1, v128.load(at, 16));
  }
  if (j < b) s0 = f32x4.add(s0, v128.load(g + (<usize>j << 4)));
  return f32x4.add(s0, s1);
}

/**
 * Sums of 4 consecutive whole planes of P floats from g: together they are exactly P vectors, so each plane is a
 * segment of whole vectors with at most a split vector at either end (segmentSum); a 4×4 transpose-add gives the
 * 4 sums in one vector, stored at y. Any order of the float32 additions is within ACC.SUM's bound (ACC.MODEL).
 */
@inline function sumGlobal4(g: usize, P: i32, y: usize): void {
  const s0 = segmentSum(g, 0, P);
  const s1 = segmentSum(g, P, 2 * P);
  const s2 = segmentSum(g, 2 * P, 3 * P);
  const s3 = segmentSum(g, 3 * P, 4 * P);
  const a = f32x4.add(v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), v128.shuffle<f32>(s0, s1, 2, 6, 3, 7));
  const b = f32x4.add(v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), v128.shuffle<f32>(s2, s3, 2, 6, 3, 7));
  v128.store(y, f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7)));
}

/** channels_first, one output per plane whose window is the whole plane in scan order. */
export function fwdGlobal(kind: i32, planes: i32, x: usize, y: usize, ix: usize): void {
  const P = inPlane;
  let first = 0;
  if (kind != KIND_MAX && P >= 4) {
    // Sums: 4 planes at a time (one vector per 4 planes' outputs), the last planes % 4 one at a time below.
    for (; first + 4 <= planes; first += 4) {
      sumGlobal4(x + ((<usize>first * <usize>P) << 2), P, y + (<usize>first << 2));
    }
  }
  for (let p = first; p < planes; p++) {
    const xp = x + ((<usize>p * <usize>P) << 2);
    const at = <usize>p << 2;
    if (kind == KIND_MAX) {
      if (P < 8) maxStore(xp, 1, 0, 0, 0, y + at, ix + at);
      else maxGlobalPlane(xp, y + at, ix + at);
    } else {
      store<f32>(y + at, sumGlobalPlane(xp));
    }
  }
}
