/**
 * Backward (GRAD.*), scalar. Max, sum and avg accumulate in float32, straight into dx (zeroed by the host, except
 * where bwdSumRows initialises its planes itself and where bwdMaxPlanes zeroes them): SPEC.md
 * ACC.GRAD bounds max and sum by γ_{m−1}·Σ|dy| over an input's m contributions, for float32 additions in any order
 * (ACC.MODEL), and avg by γ_{m+2}·Σ|dy/D| + 2m·η, which also covers rounding D to float32 and one float32 division
 * per output. Lp (lp.ts) accumulates in an f64 buffer `acc` and `narrow` rounds it to float32 in place.
 * Max uses the indices of a forward run (the same MAX.SELECT winner). bwdSum walks each window with walk.ts.
 */
import {
  countD, countH, countW, dilD, dilH, dilW, divisorAt, factorD, factorH, factorW, firstD, firstH, firstW, inH, inPlane,
  inW, kerW, outD, outH, outPlane, outW, padW, selectPlane, strW, tab, xb, xs, yb, ys,
} from './state';
import { lpGradApply, lpWeigh2 } from './lp';
import { k3s2Windows } from './maxgrad';
import { ShareTap, windowAt } from './walk';

@inline function addAt32(dx: usize, e: usize, v: f32): void {
  const a = dx + (e << 2);
  store<f32>(a, load<f32>(a) + v);
}

/**
 * GRAD.MAX on channels_last batch items: dx[index] += dy (float32). The outputs are walked in memory order, all
 * channels of a position together, rather than one channel's plane at a time (C floats apart, through the whole
 * item once per channel); an element still receives its contributions in output order, so the bits are the same.
 * On the ResNet-50 stem in channels_last (1×112×112×64, op alone, interleaved CPU time, medians) the whole backward
 * took 0.47× the time.
 */
export function bwdMaxChannels(N: i32, C: i32, ix: usize, dy: usize, dx: usize): void {
  const P = outPlane;
  for (let n = 0; n < N; n++) {
    const item = <usize>n * <usize>C;
    const xn = dx + ((item * <usize>inPlane) << 2);
    const on = (item * <usize>P) << 2;
    const end = on + ((<usize>P * <usize>C) << 2);
    let c = 0;
    for (let e = on; e < end; e += 4) {
      const q = load<i32>(ix + e);
      const a = xn + ((<usize>q * <usize>C + <usize>c) << 2);
      store<f32>(a, load<f32>(a) + load<f32>(dy + e));
      c++;
      if (c == C) c = 0;
    }
  }
}

/**
 * GRAD.MAX on contiguous planes: per plane, dx[index] += dy, four outputs' indices and gradients loaded at a time.
 * `disjoint` = 1 when no two windows share an input (every axis's stride at least its window span): each input
 * then receives at most one contribution, which is stored (dx was zeroed), not added. The planes' dx is zeroed
 * here first, so that each kernel thread zeroes its own half (engine.ts splitRun). On the dense
 * 16×64×128² backward, against the host's one fill before the forward (interleaved op-alone runs, new ÷ old, min /
 * median, two runs): one thread 0.98–0.99 / 1.00–1.09 (the same), two threads 0.81–0.86 / 0.78–0.81.
 */
export function bwdMaxPlanes(planes: i32, ix: usize, dy: usize, dx: usize, disjoint: i32): void {
  const P = outPlane;
  memory.fill(dx, 0, (<usize>planes * <usize>inPlane) << 2);
  for (let pl = 0; pl < planes; pl++) {
    const xp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const base = (<usize>pl * <usize>P) << 2;
    const ip = ix + base;
    const gp = dy + base;
    let o = 0;
    if (disjoint) {
      for (; o + 4 <= P; o += 4) {
        const at = <usize>o << 2;
        const q = v128.load(ip + at);
        const g = v128.load(gp + at);
        store<f32>(xp + (<usize>i32x4.extract_lane(q, 0) << 2), f32x4.extract_lane(g, 0));
        store<f32>(xp + (<usize>i32x4.extract_lane(q, 1) << 2), f32x4.extract_lane(g, 1));
        store<f32>(xp + (<usize>i32x4.extract_lane(q, 2) << 2), f32x4.extract_lane(g, 2));
        store<f32>(xp + (<usize>i32x4.extract_lane(q, 3) << 2), f32x4.extract_lane(g, 3));
      }
      for (; o < P; o++) store<f32>(xp + (<usize>load<i32>(ip + (<usize>o << 2)) << 2), load<f32>(gp + (<usize>o << 2)));
    } else {
      for (; o + 4 <= P; o += 4) {
        const at = <usize>o << 2;
        addAt32(xp, <usize>load<i32>(ip + at), load<f32>(gp + at));
        addAt32(xp, <usize>load<i32>(ip + at, 4), load<f32>(gp + at, 4));
        addAt32(xp, <usize>load<i32>(ip + at, 8), load<f32>(gp + at, 8));
        addAt32(xp, <usize>load<i32>(ip + at, 12), load<f32>(gp + at, 12));
      }
      for (; o < P; o++) addAt32(xp, <usize>load<i32>(ip + (<usize>o << 2)), load<f32>(gp + (<usize>o << 2)));
    }
  }
}

/**
 * GRAD.SUM (avg = 0) and GRAD.AVG (avg = 1): every tap receives dy, or dy / divisor (float32), by walk.ts; in
 * channels_last the channels in blocks of 4 go through sumChannelBlocks and only the C mod 4 others through the walk.
 */
export function bwdSum(cl: i32, N: i32, C: i32, dy: usize, dx: usize, avg: i32, useOverride: i32, overrideDivisor: f64): void {
  const over = <f32>overrideDivisor;
  const c0 = cl ? (C >> 2) << 2 : 0;
  if (c0 > 0) sumChannelBlocks(N, C, dy, dx, avg, useOverride, over);
  for (let n = 0; n < N; n++) {
    for (let c = c0; c < C; c++) {
      selectPlane(cl, n, c, C);
      let o: usize = 0;
      for (let od = 0; od < outD; od++) {
        for (let oh = 0; oh < outH; oh++) {
          for (let ow = 0; ow < outW; ow++) {
            let share = load<f32>(dy + ((yb + o * ys) << 2));
            if (avg) share = share / (useOverride ? over : <f32>divisorAt(od, oh, ow));
            windowAt<ShareTap>(dx + (xb << 2), xs, od, oh, ow, share);
            o++;
          }
        }
      }
    }
  }
}

/**
 * bwdSum's channels_last blocks: per output, 4 adjacent channels per vector, each block's share added at every
 * in-bounds tap of the window (the window's taps and blocks stay in L1 while an output is done). Walking one
 * channel's plane at a time instead strides through the whole batch item once per channel: on the Keras
 * InceptionV3 branch_pool backward (8×35×35×192) this took 0.21× the CPU time of that (one interleaved run,
 * medians). Every element receives its contributions in output order, as on the scalar walk, and the share is the
 * same float32 division: the results are the same to the bit.
 */
function sumChannelBlocks(N: i32, C: i32, dy: usize, dx: usize, avg: i32, useOverride: i32, over: f32): void {
  const blocks = C >> 2;
  const step = <usize>C << 2;
  const tapStep = <usize>dilW * step;
  for (let n = 0; n < N; n++) {
    const xn = dx + ((<usize>n * <usize>inPlane * <usize>C) << 2);
    let g = dy + ((<usize>n * <usize>outPlane * <usize>C) << 2);
    for (let od = 0; od < outD; od++) {
      const d0 = tab(firstD, od);
      const nd = tab(countD, od);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = tab(firstH, oh);
        const nh = tab(countH, oh);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = tab(firstW, ow);
          const nw = tab(countW, ow);
          const div = f32x4.splat(useOverride ? over : <f32>divisorAt(od, oh, ow));
          for (let b = 0; b < blocks; b++) {
            const off = <usize>b << 4;
            let share = v128.load(g + off);
            if (avg) share = f32x4.div(share, div);
            for (let i = 0; i < nd; i++) {
              const rowD = (d0 + i * dilD) * inH + h0;
              for (let j = 0; j < nh; j++) {
                let p = xn + off + <usize>((rowD + j * dilH) * inW + w0) * step;
                for (let k = 0; k < nw; k++) {
                  v128.store(p, f32x4.add(v128.load(p), share));
                  p += tapStep;
                }
              }
            }
          }
          g += step;
        }
      }
    }
  }
}

/** acc (f64) → float32, in place from the front (element i's f32 slot lies below its f64 slot). */
export function narrow(acc: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    store<f32>(acc + (<usize>i << 2), <f32>load<f64>(acc + (<usize>i << 3)));
  }
}

// How bwdSumRows initialises dx (only their size is read): Zeroed, the host zeroed it and every contribution is
// added; FirstTouch (the host's choice: kernels/wasm/geometry.ts sumRowsFirstTouch), the windows reach the rows of a
// plane in increasing order, so a row's first contribution is stored, not added, and the rows no window holds
// (before the first window, in a stride's gaps, after the last) are zeroed as the walk passes them.
type Zeroed = u8;
type FirstTouch = u16;
// FirstTouch: the rows of the current plane initialised so far (stored or zeroed), [0, rowsDone).
let rowsDone: i32 = 0;

/** Zeroes rows [from, to) of the plane at dxp. */
@inline function zeroRows(dxp: usize, from: i32, to: i32): void {
  if (to > from) memory.fill(dxp + (<usize>(from * inW) << 2), 0, <usize>((to - from) * inW) << 2);
}

/** Ends a plane of bwdSumRows (FirstTouch): zeroes the rows after the last window's. */
@inline function endPlane<FT>(dxp: usize): void {
  if (sizeof<FT>() == 2) zeroRows(dxp, rowsDone, inH);
}

/**
 * Adds the scratch row t (inW floats) to every in-bounds input row of output row (od, oh)'s windows (depth, then
 * height), 4 columns at a time, or (FirstTouch) stores it into a row no window reached before: the row-wise second
 * half of bwdSumRows and sumRowsGather.
 */
@inline function addRowToWindowRows<FT>(dxp: usize, t: usize, od: i32, oh: i32): void {
  const W = inW;
  const d0 = tab(firstD, od);
  const nd = tab(countD, od);
  const h0 = tab(firstH, oh);
  const nh = tab(countH, oh);
  for (let i = 0; i < nd; i++) {
    const rowD = (d0 + i * dilD) * inH + h0;
    for (let j = 0; j < nh; j++) {
      const rr = rowD + j * dilH;
      const row = dxp + (<usize>(rr * W) << 2);
      let w = 0;
      if (sizeof<FT>() == 2 && rr >= rowsDone) {
        zeroRows(dxp, rowsDone, rr);
        // (memory.copy measured the same on dense-3x3-avg-bwd.)
        for (; w + 4 <= W; w += 4) v128.store(row + (<usize>w << 2), v128.load(t + (<usize>w << 2)));
        for (; w < W; w++) store<f32>(row + (<usize>w << 2), load<f32>(t + (<usize>w << 2)));
        rowsDone = rr + 1;
        continue;
      }
      for (; w + 4 <= W; w += 4) {
        const o = <usize>w << 2;
        v128.store(row + o, f32x4.add(v128.load(row + o), v128.load(t + o)));
      }
      for (; w < W; w++) {
        const o = <usize>w << 2;
        store<f32>(row + o, load<f32>(row + o) + load<f32>(t + o));
      }
    }
  }
}

/**
 * GRAD.SUM / GRAD.AVG for contiguous planes, separable: per output row, its shares (dy, or dy / divisor) are
 * spread along the width into a scratch row `t` of inW floats (each output's in-bounds taps), then that row is
 * added, 4 columns at a time, to every in-bounds input row of the row's windows. Every contribution to an input
 * element is added once, in float32: a summation tree in any order, within ACC.GRAD. `global`: one window over
 * the whole plane (the plane is filled with its share). firstTouch = 1: dx needs no zeroing (FirstTouch above);
 * else the host zeroed it.
 */
export function bwdSumRows(
  planes: i32, dy: usize, dx: usize, t: usize, avg: i32, useOverride: i32, overrideDivisor: f64, global: i32,
  firstTouch: i32,
): void {
  const over = <f32>overrideDivisor;
  const W = inW;
  const tap = <usize>dilW << 2;
  const zero = f32x4.splat(0);
  if (global) {
    // One window over the whole plane: every element receives the plane's one share.
    for (let pl = 0; pl < planes; pl++) {
      let share = load<f32>(dy + (<usize>pl << 2));
      if (avg) share = share / (useOverride ? over : <f32>divisorAt(0, 0, 0));
      const dxp = dx + ((<usize>pl * <usize>inPlane) << 2);
      const v = f32x4.splat(share);
      let q = 0;
      for (; q + 4 <= inPlane; q += 4) v128.store(dxp + (<usize>q << 2), v);
      for (; q < inPlane; q++) store<f32>(dxp + (<usize>q << 2), share);
    }
    return;
  }
  if (strW <= 2 && dilW == 1 && (useOverride || divisorsExact32())) {
    if (firstTouch) {
      if (strW == 1) sumRowsGather<Stride1, FirstTouch>(planes, dy, dx, t, avg, useOverride, over);
      else sumRowsGather<Stride2, FirstTouch>(planes, dy, dx, t, avg, useOverride, over);
    } else {
      if (strW == 1) sumRowsGather<Stride1, Zeroed>(planes, dy, dx, t, avg, useOverride, over);
      else sumRowsGather<Stride2, Zeroed>(planes, dy, dx, t, avg, useOverride, over);
    }
    return;
  }
  for (let pl = 0; pl < planes; pl++) {
    const dxp = dx + ((<usize>pl * <usize>inPlane) << 2);
    let at = dy + ((<usize>pl * <usize>outPlane) << 2);
    rowsDone = 0;
    for (let od = 0; od < outD; od++) {
      for (let oh = 0; oh < outH; oh++) {
        let w = 0;
        for (; w + 4 <= W; w += 4) v128.store(t + (<usize>w << 2), zero);
        for (; w < W; w++) store<f32>(t + (<usize>w << 2), 0);
        for (let ow = 0; ow < outW; ow++) {
          let share = load<f32>(at);
          at += 4;
          if (avg) share = share / (useOverride ? over : <f32>divisorAt(od, oh, ow));
          const n = tab(countW, ow);
          let p = t + (<usize>tab(firstW, ow) << 2);
          for (let k = 0; k < n; k++) {
            store<f32>(p, load<f32>(p) + share);
            p += tap;
          }
        }
        if (firstTouch) addRowToWindowRows<FirstTouch>(dxp, t, od, oh);
        else addRowToWindowRows<Zeroed>(dxp, t, od, oh);
      }
    }
    if (firstTouch) endPlane<FirstTouch>(dxp);
  }
}

/** Whether every AVG.DIVISOR is below 2^24, so that float32 products of the per-axis factors are exact. */
function divisorsExact32(): bool {
  let d = 0;
  let h = 0;
  let w = 0;
  for (let i = 0; i < outD; i++) d = max(d, tab(factorD, i));
  for (let i = 0; i < outH; i++) h = max(h, tab(factorH, i));
  for (let i = 0; i < outW; i++) w = max(w, tab(factorW, i));
  return <f64>d * <f64>h * <f64>w < 16777216.0;
}

// Width stride markers of sumRowsGather (only their size is read).
type Stride1 = u8;
type Stride2 = u16;

/**
 * bwdSumRows for width stride S = 1 or 2 and dilation 1, vectorised: per output row, the shares (dy, or dy over
 * the divisor: one float32 division per output, by the float32 divisor, as the scalar path) are written 4 at a
 * time between zero pads into a row u with u[S·ow] = share ow and zeros between (stride 2: each vector of shares
 * interleaved with zeros). The width spread then becomes a gather: input column c lies in output ow's window when
 * c = S·ow − padW + k for a tap k in 0 .. K − 1, so it receives u[c + padW − k] summed over k (a zero where no
 * output is), K loads per 4 columns. The row is then added to the window's input rows, as the scalar path does.
 * Any order of the float32 additions is within ACC.GRAD.
 */
function sumRowsGather<ST, FT>(planes: i32, dy: usize, dx: usize, t: usize, avg: i32, useOverride: i32, over: f32): void {
  const W = inW;
  const K = kerW;
  const S = <i32>sizeof<ST>(); // folds at compile time: no stride test in the loops
  // The shares row u: K + 4 zero floats, S·outW entries, K + 4 zero floats (memory-plan.ts sizes the scratch).
  const sp = t + ((<usize>W + 4) << 2);
  const sh = sp + ((<usize>K + 4) << 2);
  for (let i = 0; i < K + 4; i++) {
    store<f32>(sp + (<usize>i << 2), 0);
    store<f32>(sh + (<usize>(S * outW + i) << 2), 0);
  }
  const zero = f32x4.splat(0);
  const overV = f32x4.splat(over);
  const first = sh + (<usize>(<isize>(padW - K + 1) << 2));
  for (let pl = 0; pl < planes; pl++) {
    const dxp = dx + ((<usize>pl * <usize>inPlane) << 2);
    let at = dy + ((<usize>pl * <usize>outPlane) << 2);
    rowsDone = 0;
    for (let od = 0; od < outD; od++) {
      for (let oh = 0; oh < outH; oh++) {
        const fdh = <f32>(tab(factorD, od) * tab(factorH, oh));
        const fdhV = f32x4.splat(fdh);
        let ow = 0;
        for (; ow + 4 <= outW; ow += 4) {
          let v = v128.load(at + (<usize>ow << 2));
          if (avg) {
            v = f32x4.div(v, useOverride ? overV : f32x4.mul(fdhV, f32x4.convert_i32x4_s(v128.load(factorW + (<usize>ow << 2)))));
          }
          if (S == 1) {
            v128.store(sh + (<usize>ow << 2), v);
          } else {
            const u = sh + (<usize>ow << 3);
            v128.store(u, v128.shuffle<f32>(v, zero, 0, 4, 1, 5));
            v128.store(u, v128.shuffle<f32>(v, zero, 2, 6, 3, 7), 16);
          }
        }
        for (; ow < outW; ow++) {
          let v = load<f32>(at + (<usize>ow << 2));
          if (avg) v = v / (useOverride ? over : fdh * <f32>tab(factorW, ow));
          store<f32>(sh + (<usize>(S * ow) << 2), v);
          if (S == 2) store<f32>(sh + (<usize>(2 * ow + 1) << 2), 0);
        }
        at += <usize>outW << 2;
        // Column c gathers u[c + padW − K + 1 .. c + padW]: loads from first + 4·c, K of them.
        let c = 0;
        if (K == 3) {
          // The 3×3 pools' (the stem's): the taps as constant offsets, no tap loop.
          for (; c + 4 <= W; c += 4) {
            const a = first + (<usize>c << 2);
            v128.store(t + (<usize>c << 2), f32x4.add(f32x4.add(v128.load(a), v128.load(a, 4)), v128.load(a, 8)));
          }
        }
        for (; c + 4 <= W; c += 4) {
          let a = first + (<usize>c << 2);
          let s = v128.load(a);
          for (let j = 1; j < K; j++) {
            a += 4;
            s = f32x4.add(s, v128.load(a));
          }
          v128.store(t + (<usize>c << 2), s);
        }
        for (; c < W; c++) {
          let a = first + (<usize>c << 2);
          let s = load<f32>(a);
          for (let j = 1; j < K; j++) {
            a += 4;
            s += load<f32>(a);
          }
          store<f32>(t + (<usize>c << 2), s);
        }
        addRowToWindowRows<FT>(dxp, t, od, oh);
      }
    }
    endPlane<FT>(dxp);
  }
}

/**
 * One group of 8 dx columns (at byte c of a row) of bwdSumK3S2: the spread lo, hi, scaled by lp's w(x) with x's row
 * at xRow when p2 (lp's factored gradient for p = 2), as lpGradApply does.
 */
@inline function storeScaled(row: usize, xRow: usize, c: usize, lo: v128, hi: v128, p2: bool): void {
  if (p2) {
    lo = lpWeigh2(lo, v128.load(xRow + c));
    hi = lpWeigh2(hi, v128.load(xRow + c, 16));
  }
  v128.store(row + c, lo);
  v128.store(row + c, hi, 16);
}

/**
 * GRAD.SUM for the ResNet stem's windows (maxgrad.ts k3s2Windows: 3×3 stride 2, one column and row of padding
 * before, every other tap inside the plane), straight from the shares `a` (dy, or lp's factored a) into all of
 * dx: returns 1, or 0, doing nothing, for any other windows. Per output row oh, its shares s spread along the width
 * without a scratch row: an even column 2·ow is window ow's alone, s + 0, and an odd one 2·ow + 1 windows ow's and
 * ow + 1's, (s + 0) + s' (the lanes' next shares; past the row's last, 0). Input row 2·oh is that spread; row 2·oh − 1
 * is the previous output row's spread, stored then, plus this one. These are bwdSumRows' additions in its order,
 * its +0 terms included, so the bits are its (−0 shares come out +0 as there). scaleX ≠ 0: lp's w(x), power p,
 * on each row as soon as it is complete (lpGradApply's step: the same bits as its pass over dx afterwards).
 */
export function bwdSumK3S2(planes: i32, a: usize, dx: usize, scaleX: usize, p: f64): i32 {
  if (!k3s2Windows()) return 0;
  const W = inW;
  const rowB = <usize>W << 2;
  const G = outW >> 2;
  const zero = f32x4.splat(0);
  const notLast = i32x4(-1, -1, -1, 0);
  // (At most one column, the last, lies past every window: 2·outW ≥ inW − 1 here.)
  const tail = W > outW << 1;
  const p2 = scaleX != 0 && p == 2;
  const p1 = scaleX != 0 && p != 2;
  for (let pl = 0; pl < planes; pl++) {
    const dxp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const xp = scaleX + ((<usize>pl * <usize>inPlane) << 2);
    let ap = a + ((<usize>pl * <usize>outPlane) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const off = <usize>(oh << 1) * rowB;
      const even = dxp + off;
      const xEven = xp + off;
      for (let k = 0; k < G; k++) {
        const s = v128.load(ap + (<usize>k << 4));
        let next = v128.load(ap + (<usize>k << 4), 4);
        if (k == G - 1) next = v128.and(next, notLast);
        const e = f32x4.add(s, zero);
        const o = f32x4.add(e, next);
        const lo = v128.shuffle<f32>(e, o, 0, 4, 1, 5);
        const hi = v128.shuffle<f32>(e, o, 2, 6, 3, 7);
        const c = <usize>k << 5;
        storeScaled(even, xEven, c, lo, hi, p2);
        if (oh > 0) {
          const prev = even - rowB;
          storeScaled(prev, xEven - rowB, c, f32x4.add(v128.load(prev + c), lo), f32x4.add(v128.load(prev + c, 16), hi), p2);
        }
        // Row 2·oh + 1, pending until the next output row adds to it.
        v128.store(even + rowB + c, lo);
        v128.store(even + rowB + c, hi, 16);
      }
      if (tail) {
        store<f32>(even + rowB - 4, 0);
        store<f32>(even + (rowB << 1) - 4, 0);
      }
      if (p1) {
        lpGradApply(even, xEven, W, p);
        if (oh > 0) lpGradApply(even - rowB, xEven - rowB, W, p);
      }
      ap += <usize>outW << 2;
    }
    // The last output row's pending row, then the rows past every window.
    const last = <usize>((outH << 1) - 1) * rowB;
    if (scaleX) lpGradApply(dxp + last, xp + last, W, p);
    const rest = <usize>((outH << 1) * W) << 2;
    if (rest < (<usize>inPlane << 2)) memory.fill(dxp + rest, 0, (<usize>inPlane << 2) - rest);
  }
  return 1;
}
