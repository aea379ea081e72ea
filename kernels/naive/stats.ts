/**
 * The naive backend's statistics pooling (SPEC.md STATS.*): per (n, c), the mean and the population standard
 * deviation in f64, two-pass (the second pass around the computed mean), each rounded once to float32; backward
 * by STATS.GRAD, the σ term 0 on a constant plane.
 */
import type { StatsPoolingBackend, Tensor } from '../../spec/contract.js';
import { planeAddress } from '../../spec/geometry.js';
import { statsValidationProblem, validateStatsBackward, validateStatsForward, type StatsGeometry } from '../../spec/validate-stats.js';

function moments(x: Float32Array, g: StatsGeometry, n: number, c: number): { base: number; step: number; mean: number; std: number } {
  const { base, step } = planeAddress(g.layout, g.batch, g.channels, g.plane, n, c);
  let s = 0;
  for (let t = 0; t < g.plane; t++) s += x[base + t * step]!;
  const mean = s / g.plane;
  let q = 0;
  for (let t = 0; t < g.plane; t++) { const d = x[base + t * step]! - mean; q += d * d; }
  return { base, step, mean, std: Math.sqrt(q / g.plane) };
}

export const naiveStatistics: StatsPoolingBackend = {
  kinds: ['stats'],
  supports(spec, inputShape, layout) {
    const problem = statsValidationProblem(spec, inputShape, layout);
    return problem === undefined ? { ok: true } : { ok: false, reason: problem };
  },
  async forward(spec, x) {
    const g = validateStatsForward(spec, x);
    const C = g.channels;
    const y = new Float32Array(g.batch * 2 * C);
    for (let n = 0; n < g.batch; n++) {
      for (let c = 0; c < C; c++) {
        const m = moments(x.data, g, n, c);
        y[n * 2 * C + c] = m.mean;
        y[n * 2 * C + C + c] = m.std;
      }
    }
    const out: Tensor = { shape: [...g.outShape], data: y, layout: 'channels_first' };
    return { y: out };
  },
  async backward(spec, x, dy) {
    const g = validateStatsBackward(spec, x, dy);
    const C = g.channels;
    const T = g.plane;
    const dx = new Float32Array(x.data.length);
    for (let n = 0; n < g.batch; n++) {
      for (let c = 0; c < C; c++) {
        const m = moments(x.data, g, n, c);
        const dMu = dy.data[n * 2 * C + c]!;
        const dSigma = dy.data[n * 2 * C + C + c]!;
        for (let t = 0; t < T; t++) {
          const i = m.base + t * m.step;
          // STATS.GRAD: the σ term is 0 where σ = 0 (a constant plane).
          dx[i] = dMu / T + (m.std > 0 ? (dSigma * (x.data[i]! - m.mean)) / (T * m.std) : 0);
        }
      }
    }
    return { shape: [...x.shape], data: dx, layout: g.layout };
  },
};
