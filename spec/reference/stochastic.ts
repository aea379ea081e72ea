/**
 * The reference of stochastic pooling's training mode (SPEC.md STOCH.RNG, STOCH.SELECT, STOCH.INDEX,
 * STOCH.GRAD): per output, the generator's U for (seed, n, c, o), the selected tap, its value (to the bit) and
 * its plane index; and the gradient, dy routed to the selected taps, with ACC.GRAD's bound for max routing.
 * The inference mode is an ordinary reducer (spec/reducers/stochastic.ts, spec/reference/reducer.ts).
 */
import type { ReducerPoolSpec, Tensor } from '../contract.js';
import { forEachPlane, type PoolGeometry } from '../geometry.js';
import { around, gamma, type Acceptance } from '../interval.js';
import { STOCHASTIC, stochasticPosition, uniformBits } from '../reducers/stochastic.js';
import { reducerGeometrySpec, validateReducerBackward, validateReducerForward } from '../validate-reducer.js';
import { ValidationError } from '../errors.js';
import { planeWindows, type PlaneWindow } from './windows.js';

export interface StochasticSelection {
  readonly geometry: PoolGeometry;
  readonly windows: readonly PlaneWindow[];
  /** The selected taps' values (their bits), in the output's layout. */
  readonly y: Float32Array;
  /** The selected taps' plane indices (MAX.INDEX's convention), in the output's layout. */
  readonly indices: Int32Array;
  /** Per output, the generator's U (STOCH.RNG), for messages. */
  readonly uniforms: Int32Array;
}

function requireTraining(spec: ReducerPoolSpec): void {
  if (spec.params?.training !== 1) throw new ValidationError('spec.params.training', 'STOCH.TRAINING', 'must be 1 for a training-mode selection', spec.params?.training);
}

export function referenceStochasticSelection(spec: ReducerPoolSpec, x: Tensor): StochasticSelection {
  const g = validateReducerForward(spec, x, STOCHASTIC);
  requireTraining(spec);
  const seed = spec.params!.seed!;
  const windows = planeWindows(reducerGeometrySpec(spec), g);
  const total = g.batch * g.channels * g.outPlane;
  const y = new Float32Array(total);
  const indices = new Int32Array(total);
  const uniforms = new Int32Array(total);
  forEachPlane(g, (src, dst, n, c) => {
    for (let o = 0; o < g.outPlane; o++) {
      const taps = windows[o]!.taps;
      const values = taps.map((q) => x.data[src.base + q * src.step]!);
      const U = uniformBits(seed, n, c, o);
      const r = stochasticPosition(values, U);
      const at = dst.base + o * dst.step;
      // A negative tap is selected only in a window outside the domain: y is then NaN (STOCH.SELECT).
      y[at] = values[r]! < 0 ? NaN : values[r]!;
      indices[at] = taps[r]!;
      uniforms[at] = U;
    }
  });
  return { geometry: g, windows, y, indices, uniforms };
}

/**
 * STOCH.GRAD: dx_i = Σ dy_o over the outputs o that selected element i; with m such outputs the order of the
 * additions is free (ACC.GRAD, as for max): γ_{m−1}·Σ|dy|.
 */
export function referenceStochasticGradient(spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Acceptance[] {
  const g = validateReducerBackward(spec, x, dy, STOCHASTIC);
  const sel = referenceStochasticSelection(spec, x);
  const n = x.data.length;
  const sum = new Float64Array(n);
  const abs = new Float64Array(n);
  const count = new Int32Array(n);
  forEachPlane(g, (src, dst) => {
    for (let o = 0; o < g.outPlane; o++) {
      const at = dst.base + o * dst.step;
      const i = src.base + sel.indices[at]! * src.step;
      const d = dy.data[at]!;
      sum[i]! += d;
      abs[i]! += Math.abs(d);
      count[i]!++;
    }
  });
  return Array.from({ length: n }, (_, i) => {
    const gm = gamma(count[i]! - 1);
    return around(sum[i]!, gm * abs[i]!, abs[i]! * (1 + gm), 2);
  });
}
