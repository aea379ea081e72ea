/**
 * Element-wise passes around the sum kernels: avg = sum / divisor, lp = (sum of |x|^p)^(1/p).
 */
import { divisorAt, outD, outH, outPlane, outW } from './state';

/**
 * AVG.DIVISOR per output position into div (f32, outPlane entries): the override, or the product of the per-axis
 * factors, each converted to float32 once.
 */
export function buildDivisors(div: usize, useOverride: i32, overrideDivisor: f64): void {
  let at = div;
  for (let od = 0; od < outD; od++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        store<f32>(at, useOverride ? <f32>overrideDivisor : <f32>divisorAt(od, oh, ow));
        at += 4;
      }
    }
  }
}

/**
 * dst = src / div (one float32 division per output; cl = 1 for channels_last). In place (dst = src) for the
 * forward's y; the avg backward writes its shares dy / D from dy (engine.ts), so that no copy of dy comes first.
 */
export function avgDivide(cl: i32, N: i32, C: i32, src: usize, dst: usize, div: usize): void {
  const P = outPlane;
  if (!cl && P == 1) {
    // One output per plane (a global pool): one divisor for the whole contiguous run of outputs.
    const d = load<f32>(div);
    const dv = f32x4.splat(d);
    const total = N * C;
    let o = 0;
    for (; o + 4 <= total; o += 4) {
      const a = <usize>o << 2;
      v128.store(dst + a, f32x4.div(v128.load(src + a), dv));
    }
    for (; o < total; o++) {
      const a = <usize>o << 2;
      store<f32>(dst + a, load<f32>(src + a) / d);
    }
    return;
  }
  if (!cl) {
    const planes = N * C;
    for (let p = 0; p < planes; p++) {
      const at = (<usize>p * <usize>P) << 2;
      let o = 0;
      for (; o + 4 <= P; o += 4) {
        const a = at + (<usize>o << 2);
        v128.store(dst + a, f32x4.div(v128.load(src + a), v128.load(div + (<usize>o << 2))));
      }
      for (; o < P; o++) {
        const a = at + (<usize>o << 2);
        store<f32>(dst + a, load<f32>(src + a) / load<f32>(div + (<usize>o << 2)));
      }
    }
    return;
  }
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < P; o++) {
      const d = load<f32>(div + (<usize>o << 2));
      const dv = f32x4.splat(d);
      const row = (<usize>(n * P + o) * <usize>C) << 2;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const a = row + (<usize>c << 2);
        v128.store(dst + a, f32x4.div(v128.load(src + a), dv));
      }
      for (; c < C; c++) {
        const a = row + (<usize>c << 2);
        store<f32>(dst + a, load<f32>(src + a) / d);
      }
    }
  }
}

/**
 * dst[i] = |src[i]|^p rounded to float32 (p = 1: |x|; p = 2: x·x, both correctly rounded; otherwise the f64
 * power, then one rounding: well within ACC.LP's 2^-22), into a buffer of its own (the plan's pw), so that x is
 * left as it was. For p = 2 the forward's and the lp backward's squares come from lp.ts lpSafe's pass instead.
 */
export function lpMap(src: usize, dst: usize, count: i32, p: f64): void {
  let i = 0;
  if (p == 1) {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.abs(v128.load(src + o)));
    }
    for (; i < count; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, Mathf.abs(load<f32>(src + o)));
    }
    return;
  }
  if (p == 2) {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i << 2;
      const v = v128.load(src + o);
      v128.store(dst + o, f32x4.mul(v, v));
    }
    for (; i < count; i++) {
      const o = <usize>i << 2;
      const v = load<f32>(src + o);
      store<f32>(dst + o, v * v);
    }
    return;
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, <f32>Math.pow(Math.abs(<f64>load<f32>(src + o)), p));
  }
}

/** In place: y[i] = y[i]^(1/p) (p = 2: float32 sqrt; otherwise the f64 power rounded once). */
export function lpRoot(y: usize, count: i32, p: f64): void {
  if (p == 1) return;
  let i = 0;
  if (p == 2) {
    for (; i + 4 <= count; i += 4) {
      const a = y + (<usize>i << 2);
      v128.store(a, f32x4.sqrt(v128.load(a)));
    }
    for (; i < count; i++) {
      const a = y + (<usize>i << 2);
      store<f32>(a, Mathf.sqrt(load<f32>(a)));
    }
    return;
  }
  const r = 1.0 / p;
  for (; i < count; i++) {
    const a = y + (<usize>i << 2);
    store<f32>(a, <f32>Math.pow(<f64>load<f32>(a), r));
  }
}
