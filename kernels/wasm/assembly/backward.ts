/**
 * Backward (GRAD.*), scalar: gradients accumulate in an f64 buffer `acc` (one f64 per input element, zeroed by the
 * host) in the naive backend's order (n, c, output position, tap), then `narrow` rounds them to float32 in place.
 * Max uses the indices of a forward run (the same MAX.SELECT winner). Lp is in lp.ts.
 */
import {
  countD, countH, countW, dilD, dilH, dilW, divisorAt, firstD, firstH, firstW, inH, inW, outD, outH, outPlane, outW,
  selectPlane, tab, xb, xs, yb, ys,
} from './state';

@inline export function addAt(acc: usize, e: usize, v: f64): void {
  const a = acc + (e << 3);
  store<f64>(a, load<f64>(a) + v);
}

/** GRAD.MAX: dx[index] += dy. */
export function bwdMax(cl: i32, N: i32, C: i32, ix: usize, dy: usize, acc: usize): void {
  const P = outPlane;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      selectPlane(cl, n, c, C);
      for (let o = 0; o < P; o++) {
        const e = (yb + <usize>o * ys) << 2;
        const q = load<i32>(ix + e);
        addAt(acc, xb + <usize>q * xs, <f64>load<f32>(dy + e));
      }
    }
  }
}

/** Adds `share` to every in-bounds tap of output (od, oh, ow) of the selected plane. */
function scatter(acc: usize, od: i32, oh: i32, ow: i32, share: f64): void {
  const d0 = tab(firstD, od);
  const nd = tab(countD, od);
  const h0 = tab(firstH, oh);
  const nh = tab(countH, oh);
  const w0 = tab(firstW, ow);
  const nw = tab(countW, ow);
  for (let i = 0; i < nd; i++) {
    const rowD = (d0 + i * dilD) * inH + h0;
    for (let j = 0; j < nh; j++) {
      let q = (rowD + j * dilH) * inW + w0;
      for (let k = 0; k < nw; k++) {
        addAt(acc, xb + <usize>q * xs, share);
        q += dilW;
      }
    }
  }
}

/** GRAD.SUM (avg = 0) and GRAD.AVG (avg = 1): every tap receives dy, or dy / divisor (f64). */
export function bwdSum(cl: i32, N: i32, C: i32, dy: usize, acc: usize, avg: i32, useOverride: i32, overrideDivisor: f64): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      selectPlane(cl, n, c, C);
      let o: usize = 0;
      for (let od = 0; od < outD; od++) {
        for (let oh = 0; oh < outH; oh++) {
          for (let ow = 0; ow < outW; ow++) {
            let share = <f64>load<f32>(dy + ((yb + o * ys) << 2));
            if (avg) share = share / (useOverride ? overrideDivisor : divisorAt(od, oh, ow));
            scatter(acc, od, oh, ow, share);
            o++;
          }
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
