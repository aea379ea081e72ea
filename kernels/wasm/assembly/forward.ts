/**
 * Forward kernels besides the rows kernel (rows.ts): channels_last, whole-plane windows and the scalar rule.
 *
 * Max computes its index in the same pass. Per tap and vector: m = (v > acc); acc = pmax(acc, v) (= m ? v : acc,
 * so ties, −0/+0 included, keep the earlier tap); idx = max(idx, m & q). A lane's tap plane indices q increase in
 * scan order, so the largest q with m set is the last strict improvement: the first maximum. The comparison ignores
 * NaN: before pooling a plane (or a channels_last batch item, or a packed block) a SIMD scan looks for NaN; where
 * there is one the kernel instance that also ORs (v != v) per output runs, and flagged outputs are recomputed by
 * the scalar MAX.SELECT (first NaN in scan order). Sums accumulate in float32.
 *
 *   fwdScalar        every layout and geometry, one output at a time (scalar.ts over walk.ts's window walk).
 *   fwdChannelsLast  channels_last: 4 adjacent channels per vector (two blocks per step), any geometry; C mod 4
 *                    channels scalar.
 *   fwdGlobal        channels_first, window = the whole contiguous plane: a 4-lane reduction over the plane.
 */
import {
  countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inH, inPlane, inW, outD, outH, outPlane, outW,
  selectPlane, tab, xb, xs, yb, ys,
} from './state';
import { KIND_MAX, maxStore, planeScalar } from './scalar';

// Generic markers: whether the data being pooled holds a NaN (hasNaN). Unchecked kernels skip the per-tap (v != v)
// test; checked ones OR it per output vector and recompute flagged outputs with the scalar rule.
type Checked = u8;
type Unchecked = u16;
/** Whether any of `count` floats at p is NaN. */
function hasNaN(p: usize, count: i32): bool {
  let bad = f32x4.splat(0);
  let i = 0;
  for (; i + 16 <= count; i += 16) {
    const a = p + (<usize>i << 2);
    const v0 = v128.load(a);
    const v1 = v128.load(a, 16);
    const v2 = v128.load(a, 32);
    const v3 = v128.load(a, 48);
    bad = v128.or(bad, v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3))));
  }
  for (; i + 4 <= count; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    bad = v128.or(bad, f32x4.ne(v, v));
  }
  if (v128.any_true(bad)) return true;
  for (; i < count; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    if (v != v) return true;
  }
  return false;
}


/** Recomputes one block's 4 lanes of output (od, oh, ow) with the scalar MAX.SELECT (a lane saw a NaN). */
function maxLanesScalar(xq: usize, S: usize, od: i32, oh: i32, ow: i32, yt: usize, it: usize): void {
  for (let l = 0; l < 4; l++) {
    const lo = <usize>l << 2;
    maxStore(xq + lo, S, od, oh, ow, yt + lo, it + lo);
  }
}

// Reducer markers of the channel kernel (only their size is read), and how many 4-channel blocks a step takes.
type MaxCh = u8;
type SumCh = u32;
type OneBlock = u8;
type TwoBlocks = u16;

/**
 * One output of one (B = TwoBlocks: two adjacent) block(s) of 4 channels: the window walk, written once for max
 * (m = v > acc; acc = pmax(acc, v); idx = max_s(idx, m & q): the first maximum; with C = Checked also the NaN
 * test, NaN lanes recomputed by the scalar rule) and sum (float32 adds). Lane l of the block reads element q at
 * xq + 4·(q·S + l) and writes output o at yt + 4·l.
 */
@inline function channelBlocks<R, C, B>(
  xq: usize, S: i32, od: i32, oh: i32, ow: i32, yt: usize, it: usize,
): void {
  const two = sizeof<B>() == 2;
  const step = <usize>S << 2;
  const tapStep = <usize>dilW * step;
  const d0 = tab(firstD, od);
  const nd = tab(countD, od);
  const h0 = tab(firstH, oh);
  const nh = tab(countH, oh);
  const w0 = tab(firstW, ow);
  const nw = tab(countW, ow);
  const q0 = (d0 * inH + h0) * inW + w0;
  let accA = f32x4.splat(0);
  let accB = accA;
  let idxA = i32x4.splat(q0);
  let idxB = idxA;
  let nan = accA;
  if (sizeof<R>() != 4) {
    accA = v128.load(xq + <usize>q0 * step);
    accB = two ? v128.load(xq + 16 + <usize>q0 * step) : accA;
    if (sizeof<C>() == 1) nan = v128.or(f32x4.ne(accA, accA), f32x4.ne(accB, accB));
  }
  for (let i = 0; i < nd; i++) {
    const rowD = (d0 + i * dilD) * inH + h0;
    for (let j = 0; j < nh; j++) {
      let q = (rowD + j * dilH) * inW + w0;
      let p = xq + <usize>q * step;
      for (let k = 0; k < nw; k++) {
        const vA = v128.load(p);
        const vB = two ? v128.load(p, 16) : vA;
        if (sizeof<R>() == 4) {
          accA = f32x4.add(accA, vA);
          if (two) accB = f32x4.add(accB, vB);
        } else {
          const qs = i32x4.splat(q);
          idxA = i32x4.max_s(idxA, v128.and(f32x4.gt(vA, accA), qs));
          accA = f32x4.pmax(accA, vA);
          if (two) {
            idxB = i32x4.max_s(idxB, v128.and(f32x4.gt(vB, accB), qs));
            accB = f32x4.pmax(accB, vB);
          }
          if (sizeof<C>() == 1) nan = v128.or(nan, v128.or(f32x4.ne(vA, vA), f32x4.ne(vB, vB)));
        }
        p += tapStep;
        q += dilW;
      }
    }
  }
  v128.store(yt, accA);
  if (two) v128.store(yt, accB, 16);
  if (sizeof<R>() != 4) {
    v128.store(it, idxA);
    if (two) v128.store(it, idxB, 16);
    if (sizeof<C>() == 1) {
      if (v128.any_true(nan)) {
        maxLanesScalar(xq, S, od, oh, ow, yt, it);
        if (two) maxLanesScalar(xq + 16, S, od, oh, ow, yt + 16, it + 16);
      }
    }
  }
}

/**
 * channels_last, one batch item: `blocks` blocks of 4 channels (C = S channels per position), two blocks per step
 * and a last single block; output o of channel c at yb + 4·(o·S + c).
 */
function channelsWalk<R, C>(xb: usize, S: i32, blocks: i32, yb: usize, ib: usize): void {
  let o = 0;
  for (let od = 0; od < outD; od++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const oAt = (<usize>o * <usize>S) << 2;
        let b = 0;
        for (; b + 2 <= blocks; b += 2) {
          const off = <usize>b << 4;
          channelBlocks<R, C, TwoBlocks>(xb + off, S, od, oh, ow, yb + off + oAt, ib + off + oAt);
        }
        if (b < blocks) {
          const off = <usize>b << 4;
          channelBlocks<R, C, OneBlock>(xb + off, S, od, oh, ow, yb + off + oAt, ib + off + oAt);
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

/** channels_last: channel blocks of 4 vectorised, C mod 4 trailing channels scalar. */
export function fwdChannelsLast(kind: i32, N: i32, C: i32, x: usize, y: usize, ix: usize): void {
  const blocks = C >> 2;
  for (let n = 0; n < N; n++) {
    const xn = x + ((<usize>n * <usize>inPlane * <usize>C) << 2);
    const on = (<usize>n * <usize>outPlane * <usize>C) << 2;
    if (blocks > 0) {
      if (kind == KIND_MAX) {
        if (hasNaN(xn, inPlane * C)) channelsWalk<MaxCh, Checked>(xn, C, blocks, y + on, ix + on);
        else channelsWalk<MaxCh, Unchecked>(xn, C, blocks, y + on, ix + on);
      }
      else channelsWalk<SumCh, Unchecked>(xn, C, blocks, y + on, ix + on);
    }
    for (let c = blocks << 2; c < C; c++) {
      const cOff = <usize>c << 2;
      planeScalar(kind, xn + cOff, C, y + on + cOff, ix + on + cOff, C);
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
