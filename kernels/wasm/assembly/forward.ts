/**
 * Forward kernels besides the rows kernel (rows.ts) and the channels_last kernel (channels.ts): whole-plane
 * windows and the scalar rule.
 *
 * The whole-plane max computes its index in the same pass. Per vector: m = (v > acc); acc = pmax(acc, v)
 * (= m ? v : acc, so ties, −0/+0 included, keep the earlier element); idx = max(idx, m & q). A lane's plane indices
 * q increase in scan order, so the largest q with m set is the last strict improvement: the first maximum. The
 * comparison ignores NaN, so the kernel ORs (v != v) as it goes and a plane with a NaN takes the scalar
 * MAX.SELECT (first NaN in scan order). Sums accumulate in float32.
 *
 *   fwdScalar        every layout and geometry, one output at a time (scalar.ts over walk.ts's window walk).
 *   fwdGlobal        channels_first, window = the whole contiguous plane: a 4-lane reduction over the plane.
 */
import { inPlane, selectPlane, xb, xs, yb, ys } from './state';
import { KIND_MAX, maxStore, planeScalar } from './scalar';

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
