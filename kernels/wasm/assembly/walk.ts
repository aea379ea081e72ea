/**
 * The scalar window walk, written once for both directions: the in-bounds taps of one window, in scan order
 * (WINDOW.TAPS: depth, then height, then width; padding never takes part), each handed to the piece of a reducer
 * marker. The markers' branches fold at compile time (the walk is @inline), as rows.ts's do.
 *
 * A window is given per axis by its first in-bounds input coordinate and its in-bounds tap count (the host's
 * tables), with the input extents H, W and the dilations; tap q (the plane index) of element stride S lies at
 * x + q·S·(element size). windowAt reads the tables of state.ts; research.ts passes its own.
 *
 * Forward pieces (the walk returns the window's result):
 *   MaxTap       MAX.SELECT: the plane index of the first NaN (the walk stops there), else of the first maximum (a
 *                later tap wins only when strictly greater, so ties, −0/+0 included, keep the first; an all −∞
 *                window gives its first tap).
 *   SumTap       the float32 sum in scan order (returned widened, exactly).
 *   PowerTap     the f64 sum of f64 elements (lp's powers) in scan order.
 *   PositionTap  stores each tap's plane index, in order, as i32 at `a`; returns their count.
 * Backward pieces (the walk returns 0):
 *   ShareTap     float32 element += <f32>v (GRAD.SUM / GRAD.AVG's share).
 *   LpTap        f64 element += v · g (g: f64 at `b`, same layout), where the float32 input at `a` is nonzero
 *                (GRAD.LP's x = 0 case).
 *
 * Users: scalar.ts (maxIndexAt, sumAt: every max/sum fallback and the scalar path), lp.ts (lpForward64, bwdLp),
 * backward.ts (bwdSum), research.ts (windowPositions). Not on it, on purpose: the vector kernels (rows.ts, channels.ts's
 * hBlocks, research.ts's mixedRows, maxgrad.ts) keep vector state that a marker branch here cannot hold
 * (AssemblyScript has no closures), and bwdSumRows' one-axis width spread, which measured slower through this
 * walk (its single-iteration depth and height loops stay in the code).
 */
import { countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inH, inW, tab } from './state';

// Reducer markers: only their size and float-ness are read (isTap).
export type MaxTap = u8;
export type SumTap = u16;
export type PowerTap = u32;
export type PositionTap = u64;
export type ShareTap = f32;
export type LpTap = f64;

/** Whether marker R is marker M (a compile-time constant). */
@inline function isTap<R, M>(): bool {
  return sizeof<R>() == sizeof<M>() && isFloat<R>() == isFloat<M>();
}

/** The walk: see the header. Element size 8 for PowerTap and LpTap (f64 elements at x), else 4. */
@inline export function walkWindow<R>(
  x: usize, S: usize, d0: i32, nd: i32, h0: i32, nh: i32, w0: i32, nw: i32,
  H: i32, W: i32, dD: i32, dH: i32, dW: i32, v: f64, a: usize, b: usize,
): f64 {
  const wide = isTap<R, PowerTap>() || isTap<R, LpTap>();
  // Pieces that read the plane index per tap; the others only move the address.
  const indexed = isTap<R, MaxTap>() || isTap<R, PositionTap>() || isTap<R, LpTap>();
  const step = wide ? S << 3 : S << 2;
  const tapStep = <usize>dW * step;
  const share = <f32>v;
  let best = -1;
  let bestV: f32 = 0;
  let acc: f32 = 0;
  let acc64: f64 = 0;
  let n = 0;
  for (let i = 0; i < nd; i++) {
    const rowD = (d0 + i * dD) * H + h0;
    for (let j = 0; j < nh; j++) {
      let q = (rowD + j * dH) * W + w0;
      let p = x + <usize>q * step;
      for (let k = 0; k < nw; k++) {
        if (isTap<R, MaxTap>()) {
          const e = load<f32>(p);
          if (e != e) return <f64>q;
          if (best < 0 || e > bestV) {
            best = q;
            bestV = e;
          }
        } else if (isTap<R, SumTap>()) {
          acc += load<f32>(p);
        } else if (isTap<R, PowerTap>()) {
          acc64 += load<f64>(p);
        } else if (isTap<R, PositionTap>()) {
          store<i32>(a + (<usize>n << 2), q);
          n++;
        } else if (isTap<R, ShareTap>()) {
          store<f32>(p, load<f32>(p) + share);
        } else if (isTap<R, LpTap>()) {
          const e = <usize>q * S;
          if (load<f32>(a + (e << 2)) != 0) store<f64>(p, load<f64>(p) + v * load<f64>(b + (e << 3)));
        }
        if (indexed) q += dW;
        p += tapStep;
      }
    }
  }
  if (isTap<R, MaxTap>()) return <f64>best;
  if (isTap<R, SumTap>()) return <f64>acc;
  if (isTap<R, PowerTap>()) return acc64;
  if (isTap<R, PositionTap>()) return <f64>n;
  return 0;
}

/** walkWindow over output (od, oh, ow)'s window as state.ts's tables and extents give it (v, a, b: the piece's). */
@inline export function windowAt<R>(
  x: usize, S: usize, od: i32, oh: i32, ow: i32, v: f64 = 0, a: usize = 0, b: usize = 0,
): f64 {
  return walkWindow<R>(
    x, S, tab(firstD, od), tab(countD, od), tab(firstH, oh), tab(countH, oh), tab(firstW, ow), tab(countW, ow),
    inH, inW, dilD, dilH, dilW, v, a, b,
  );
}
