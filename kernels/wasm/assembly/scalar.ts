/**
 * Scalar per-output routines: the semantics every vector kernel must reproduce, and the path those kernels take
 * for borders, tails and NaN-affected outputs. A plane's element q (row-major spatial index) lies at x + 4·q·S.
 */
import {
  countD, countH, countW, dilD, dilH, dilW, firstD, firstH, firstW, inH, inW, outD, outH, outW, tab,
} from './state';

export const KIND_MAX: i32 = 0;
export const KIND_SUM: i32 = 1;

// Reducer markers of the scalar walk (only their size is read).
type MaxScan = u8;
type SumScan = u32;

/**
 * The window walk of output (od, oh, ow), written once: in-bounds taps only, in scan order (padding never takes
 * part). Max: the plane index of the first NaN if the window holds one, else of the first maximum (a later tap
 * wins only when strictly greater, so ties, −0/+0 included, keep the first; an all −∞ window gives its first
 * tap). Sum: the float32 sum in scan order (returned widened, exactly).
 */
@inline function windowScan<R>(x: usize, S: usize, od: i32, oh: i32, ow: i32): f64 {
  const d0 = tab(firstD, od);
  const nd = tab(countD, od);
  const h0 = tab(firstH, oh);
  const nh = tab(countH, oh);
  const w0 = tab(firstW, ow);
  const nw = tab(countW, ow);
  const step = S << 2;
  const tapStep = <usize>dilW * step;
  let best = -1;
  let bestV: f32 = 0;
  let acc: f32 = 0;
  for (let i = 0; i < nd; i++) {
    const rowD = (d0 + i * dilD) * inH + h0;
    for (let j = 0; j < nh; j++) {
      let q = (rowD + j * dilH) * inW + w0;
      let p = x + <usize>q * step;
      for (let k = 0; k < nw; k++) {
        const v = load<f32>(p);
        if (sizeof<R>() == 4) {
          acc += v;
        } else {
          if (v != v) return <f64>q;
          if (best < 0 || v > bestV) {
            best = q;
            bestV = v;
          }
        }
        q += dilW;
        p += tapStep;
      }
    }
  }
  return sizeof<R>() == 4 ? <f64>acc : <f64>best;
}

/** MAX.SELECT for output (od, oh, ow): the plane index of the winning tap (windowScan). */
export function maxIndexAt(x: usize, S: usize, od: i32, oh: i32, ow: i32): i32 {
  return <i32>windowScan<MaxScan>(x, S, od, oh, ow);
}

/** Writes output (od, oh, ow)'s max, the winning tap's bits, to y and its plane index to ix. */
export function maxStore(x: usize, S: usize, od: i32, oh: i32, ow: i32, y: usize, ix: usize): void {
  const q = maxIndexAt(x, S, od, oh, ow);
  store<i32>(y, load<i32>(x + <usize>q * (S << 2)));
  store<i32>(ix, q);
}

/** SUM: the float32 sum of the in-bounds taps of output (od, oh, ow), in scan order. */
export function sumAt(x: usize, S: usize, od: i32, oh: i32, ow: i32): f32 {
  return <f32>windowScan<SumScan>(x, S, od, oh, ow);
}

/**
 * Every output of one plane, scalar: input element q at x + 4·q·xs, output element o at y + 4·o·ys (and the index
 * at ix + 4·o·ys).
 */
export function planeScalar(kind: i32, x: usize, xs: usize, y: usize, ix: usize, ys: usize): void {
  const ostep = ys << 2;
  let at: usize = 0;
  for (let od = 0; od < outD; od++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        if (kind == KIND_MAX) maxStore(x, xs, od, oh, ow, y + at, ix + at);
        else store<f32>(y + at, sumAt(x, xs, od, oh, ow));
        at += ostep;
      }
    }
  }
}
