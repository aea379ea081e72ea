/**
 * The naive backend's stochastic pooling (SPEC.md STOCH.*): training mode draws U from the counter-based
 * generator (STOCH.RNG, written here with 32-bit integer arithmetic, independently of the spec's BigInt form),
 * selects a tap by float32 running sums (STOCH.SELECT) and returns its value and index; backward routes dy to
 * it (STOCH.GRAD). Inference mode Σx²/Σx is in f64, rounded once (STOCH.INFER, STOCH.INFER_GRAD).
 */
import type { ReducerPoolSpec, Tensor } from '../../spec/contract.js';
import { forEachPlane } from '../../spec/geometry.js';
import { STOCHASTIC } from '../../spec/reducers/stochastic.js';
import { reducerGeometrySpec, validateReducerBackward, validateReducerForward } from '../../spec/validate-reducer.js';
import { planeTaps } from './window.js';

/** MurmurHash3's 32-bit finalizer on uint32 words. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** STOCH.RNG: U ∈ [0, 2^24) for (seed, n, c, o). */
export function naiveUniform(seed: number, n: number, c: number, o: number): number {
  let h = fmix32((seed ^ 0x9e3779b9) >>> 0);
  h = fmix32((h ^ n) >>> 0);
  h = fmix32((h ^ c) >>> 0);
  h = fmix32((h ^ o) >>> 0);
  return h >>> 8;
}

/** STOCH.SELECT over one window's values, U the generator's draw. */
function select(v: readonly number[], U: number): number {
  for (let r = 0; r < v.length; r++) if (Number.isNaN(v[r])) return r;
  for (let r = 0; r < v.length; r++) if (v[r]! < 0) return r;
  for (let r = 0; r < v.length; r++) if (v[r] === Infinity) return r;
  const cum = new Float32Array(v.length);
  let s = 0;
  for (let r = 0; r < v.length; r++) { s = Math.fround(s + v[r]!); cum[r] = s; }
  if (s === 0) return Math.floor((U * v.length) / 2 ** 24);
  if (s === Infinity) return cum.indexOf(Infinity);
  const t = (U / 2 ** 24) * s; // exact in f64: 24 × 24 significant bits
  for (let r = 0; r < v.length; r++) if (t < cum[r]!) return r;
  return v.length - 1;
}

function inference(v: readonly number[]): number {
  const special = STOCHASTIC.special(v, { training: 0, seed: 0 });
  if (special !== undefined) return special;
  // Scaled by the largest tap so that no square overflows f64's range for taps near 2^128 (they do not, but
  // the scaling also keeps subnormal taps' squares away from f64's underflow).
  const m = Math.max(...v);
  let S = 0;
  let Q = 0;
  for (const x of v) { const a = x / m; S += a; Q += a * a; }
  return m * (Q / S);
}

export function stochasticForward(spec: ReducerPoolSpec, x: Tensor): { y: Tensor; indices?: Int32Array } {
  const g = validateReducerForward(spec, x, STOCHASTIC);
  const w = planeTaps(reducerGeometrySpec(spec), g);
  const training = spec.params?.training === 1;
  const seed = spec.params?.seed ?? 0;
  const y = new Float32Array(g.batch * g.channels * g.outPlane);
  const indices = training ? new Int32Array(y.length) : undefined;
  forEachPlane(g, (src, dst, n, c) => {
    for (let o = 0; o < g.outPlane; o++) {
      const v: number[] = [];
      for (let k = w.start[o]!; k < w.start[o + 1]!; k++) v.push(x.data[src.base + w.taps[k]! * src.step]!);
      const at = dst.base + o * dst.step;
      if (indices) {
        const r = select(v, naiveUniform(seed, n, c, o));
        y[at] = v[r]! < 0 ? NaN : v[r]!; // outside the domain (STOCH.SELECT)
        indices[at] = w.taps[w.start[o]! + r]!;
      } else {
        y[at] = inference(v);
      }
    }
  });
  const out: Tensor = { shape: [...g.outShape], data: y, layout: g.layout };
  return indices ? { y: out, indices } : { y: out };
}

export function stochasticBackward(spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Tensor {
  const g = validateReducerBackward(spec, x, dy, STOCHASTIC);
  const w = planeTaps(reducerGeometrySpec(spec), g);
  const training = spec.params?.training === 1;
  const seed = spec.params?.seed ?? 0;
  const dx = new Float64Array(x.data.length);
  forEachPlane(g, (src, dst, n, c) => {
    for (let o = 0; o < g.outPlane; o++) {
      const idx: number[] = [];
      for (let k = w.start[o]!; k < w.start[o + 1]!; k++) idx.push(src.base + w.taps[k]! * src.step);
      const v = idx.map((i) => x.data[i]!);
      const d = dy.data[dst.base + o * dst.step]!;
      if (training) {
        dx[idx[select(v, naiveUniform(seed, n, c, o))]!]! += d;
        continue;
      }
      // STOCH.INFER_GRAD: (2v_r − y)/S where the window is smooth; 0 elsewhere (unspecified there).
      if (!v.every((a) => Number.isFinite(a) && a >= 0)) continue;
      const S = v.reduce((a, b) => a + b, 0);
      if (S === 0) continue;
      const yv = inference(v);
      v.forEach((a, r) => { dx[idx[r]!]! += (d * (2 * a - yv)) / S; });
    }
  });
  return { shape: [...x.shape], data: Float32Array.from(dx), layout: g.layout };
}
