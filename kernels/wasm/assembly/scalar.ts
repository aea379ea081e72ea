/**
 * Scalar per-output routines: the semantics every vector kernel must reproduce, and the path those kernels take
 * for borders, tails and NaN-affected outputs. A plane's element q (row-major spatial index) lies at x + 4·q·S.
 * The window walk itself (scan order, the max and sum pieces) is walk.ts's.
 */
import { inPlane, outD, outH, outW } from './state';
import { MaxTap, SumTap, windowAt } from './walk';

export const KIND_MAX: i32 = 0;
export const KIND_SUM: i32 = 1;

/** MAX.SELECT for output (od, oh, ow): the plane index of the winning tap (walk.ts's MaxTap). */
export function maxIndexAt(x: usize, S: usize, od: i32, oh: i32, ow: i32): i32 {
  return <i32>windowAt<MaxTap>(x, S, od, oh, ow);
}

/** Writes output (od, oh, ow)'s max, the winning tap's bits, to y and its plane index to ix. */
export function maxStore(x: usize, S: usize, od: i32, oh: i32, ow: i32, y: usize, ix: usize): void {
  const q = maxIndexAt(x, S, od, oh, ow);
  store<i32>(y, load<i32>(x + <usize>q * (S << 2)));
  store<i32>(ix, q);
}

/** SUM: the float32 sum of the in-bounds taps of output (od, oh, ow), in scan order. */
export function sumAt(x: usize, S: usize, od: i32, oh: i32, ow: i32): f32 {
  return <f32>windowAt<SumTap>(x, S, od, oh, ow);
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

/**
 * The fused max backwards' exact path for one plane (x at xp, dy at gp, dx at dp) that read a NaN: dx zeroed,
 * then each output's dy at its scalar MAX.SELECT index (maxIndexAt), in output order, as bwdMaxPlanes: stored where
 * windows are disjoint (each input receives at most one), added where they overlap.
 */
export function planeRedo(xp: usize, gp: usize, dp: usize, add: bool): void {
  memory.fill(dp, 0, <usize>inPlane << 2);
  let o: usize = 0;
  for (let od = 0; od < outD; od++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const a = dp + (<usize>maxIndexAt(xp, 1, od, oh, ow) << 2);
        const g = load<f32>(gp + (o << 2));
        store<f32>(a, add ? load<f32>(a) + g : g);
        o++;
      }
    }
  }
}
