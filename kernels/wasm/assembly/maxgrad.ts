/**
 * GRAD.MAX fused with its forward for the raw-audio pool (M5): kernel 4 stride 4 along the width, no padding, no
 * dilation, windows of one row each, contiguous planes. The windows are disjoint, so every input receives at most
 * one contribution: each group of 4 outputs finds its MAX.SELECT winners in registers and writes its 16 inputs'
 * dx as 4 whole vectors (dy at the winner, +0 at the other taps, as bwdMaxPlanes' stores into a zeroed dx). No
 * forward indices, no zeroing pass, no scatter; the columns after the last window are zeroed.
 *
 * Winners: the first maximum of the 4 taps (a later tap wins only when strictly greater; ties keep the earlier
 * tap, −0/+0 included). Comparisons ignore NaN, so every tap is also summed (NaN is absorbing; so is ∞ − ∞): a
 * plane whose sum is NaN is redone by the exact scalar MAX.SELECT (maxIndexAt), first NaN in scan order.
 */
import { countH, dilW, firstH, inD, inH, inPlane, inW, kerW, outD, outH, outPlane, outW, padW, strW, tab } from './state';
import { maxIndexAt } from './scalar';

/**
 * Whether the windows are the ones this kernel covers: kernel 4 stride 4 inside each row (4·outW ≤ inW, at least
 * 4 outputs per row), one input row per output row, one depth slice.
 */
function k4s4Windows(): bool {
  if (kerW != 4 || strW != 4 || dilW != 1 || padW != 0 || outW < 4 || (outW << 2) > inW) return false;
  if (outD != 1 || inD != 1 || outH != inH) return false;
  for (let oh = 0; oh < outH; oh++) {
    if (tab(firstH, oh) != oh || tab(countH, oh) != 1) return false;
  }
  return true;
}

/**
 * GRAD.MAX for kernel 4 stride 4 rows (k4s4Windows): writes the whole of dx for `planes` contiguous planes and
 * returns 1; returns 0, doing nothing, for any other windows (the host then takes the general path). Per row,
 * groups of 4 outputs, the last moved back to end at outW (it rewrites a few inputs, identically).
 */
export function bwdMaxK4S4(planes: i32, x: usize, dy: usize, dx: usize): i32 {
  if (!k4s4Windows()) return 0;
  const rowB = <usize>inW << 2;
  const last = outW - 4;
  const zero = f32x4.splat(0);
  for (let pl = 0; pl < planes; pl++) {
    const xp = x + ((<usize>pl * <usize>inPlane) << 2);
    const dp = dx + ((<usize>pl * <usize>inPlane) << 2);
    const gp = dy + ((<usize>pl * <usize>outPlane) << 2);
    let nan = zero;
    for (let oh = 0; oh < outH; oh++) {
      const xr = xp + <usize>oh * rowB;
      const dr = dp + <usize>oh * rowB;
      const gr = gp + (<usize>(oh * outW) << 2);
      for (let ow = 0; ; ow += 4) {
        if (ow > last) ow = last;
        const a = xr + (<usize>ow << 4);
        const L0 = v128.load(a);
        const L1 = v128.load(a, 16);
        const L2 = v128.load(a, 32);
        const L3 = v128.load(a, 48);
        nan = f32x4.add(nan, f32x4.add(f32x4.add(L0, L1), f32x4.add(L2, L3)));
        // 4×4 transpose: t_k holds tap k of the 4 outputs.
        const u0 = v128.shuffle<f32>(L0, L1, 0, 4, 1, 5);
        const u1 = v128.shuffle<f32>(L2, L3, 0, 4, 1, 5);
        const u2 = v128.shuffle<f32>(L0, L1, 2, 6, 3, 7);
        const u3 = v128.shuffle<f32>(L2, L3, 2, 6, 3, 7);
        const t0 = v128.shuffle<f32>(u0, u1, 0, 1, 4, 5);
        const t1 = v128.shuffle<f32>(u0, u1, 2, 3, 6, 7);
        const t2 = v128.shuffle<f32>(u2, u3, 0, 1, 4, 5);
        const t3 = v128.shuffle<f32>(u2, u3, 2, 3, 6, 7);
        // The tap of the last strict improvement wins.
        const m1 = f32x4.gt(t1, t0);
        let acc = f32x4.pmax(t0, t1);
        const m2 = f32x4.gt(t2, acc);
        acc = f32x4.pmax(acc, t2);
        const m3 = f32x4.gt(t3, acc);
        const g = v128.load(gr + (<usize>ow << 2));
        const d3 = v128.and(g, m3);
        const g2 = v128.andnot(g, m3);
        const d2 = v128.and(g2, m2);
        const g1 = v128.andnot(g2, m2);
        const d1 = v128.and(g1, m1);
        const d0 = v128.andnot(g1, m1);
        // Transposed back: each output's 4 taps, contiguous.
        const v0 = v128.shuffle<f32>(d0, d1, 0, 4, 1, 5);
        const v1 = v128.shuffle<f32>(d2, d3, 0, 4, 1, 5);
        const v2 = v128.shuffle<f32>(d0, d1, 2, 6, 3, 7);
        const v3 = v128.shuffle<f32>(d2, d3, 2, 6, 3, 7);
        const o = dr + (<usize>ow << 4);
        v128.store(o, v128.shuffle<f32>(v0, v1, 0, 1, 4, 5));
        v128.store(o, v128.shuffle<f32>(v0, v1, 2, 3, 6, 7), 16);
        v128.store(o, v128.shuffle<f32>(v2, v3, 0, 1, 4, 5), 32);
        v128.store(o, v128.shuffle<f32>(v2, v3, 2, 3, 6, 7), 48);
        if (ow == last) break;
      }
      // Columns after the last window: in no window.
      for (let c = outW << 2; c < inW; c++) store<f32>(dr + (<usize>c << 2), 0);
    }
    if (v128.any_true(f32x4.ne(nan, nan))) {
      // A NaN (or ∞ − ∞) was read: the exact scalar MAX.SELECT for the whole plane.
      memory.fill(dp, 0, <usize>inPlane << 2);
      let o: usize = 0;
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          store<f32>(dp + (<usize>maxIndexAt(xp, 1, 0, oh, ow) << 2), load<f32>(gp + (o << 2)));
          o++;
        }
      }
    }
  }
  return 1;
}
