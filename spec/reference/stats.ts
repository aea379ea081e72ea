/**
 * The reference of statistics pooling (SPEC.md STATS.*): per (n, c), the mean and the population standard
 * deviation in 40 digits, two-pass (ACC.REF), with the acceptance sets of STATS.ACC; and the gradient of
 * STATS.GRAD in 40 digits with its bound (elements where the bound is not finite are unconstrained, ACC.RANGE).
 */
import type { StatsPoolSpec, Tensor } from '../contract.js';
import { planeAddress } from '../geometry.js';
import { ETA32, OVERFLOW32, U32, around, exact, gamma, unconstrained, type Acceptance } from '../interval.js';
import type { HP } from '../reducer.js';
import { validateStatsBackward, validateStatsForward, type StatsGeometry } from '../validate-stats.js';
import { HP_MATH as hp } from './hpmath.js';

/** One plane's statistics: special (exact) or finite with the error terms STATS.ACC and STATS.GRAD use. */
export type PlaneStats =
  /** `meanMayBeNaN`: the plane holds ±∞ and its finite taps may overflow the other way (ACC.OVERFLOW). */
  | { readonly kind: 'special'; readonly mean: number; readonly std: number; readonly meanMayBeNaN?: boolean }
  | {
      readonly kind: 'finite'; readonly values: readonly number[]; readonly muHP: HP; readonly sigmaHP: HP;
      readonly mean: number; readonly std: number; readonly variance: number;
      /** e_μ (ACC.AVG with D = T), E_v and H_σ of STATS.ACC. */
      readonly eMean: number; readonly eVar: number; readonly hStd: number;
      readonly meanMagnitude: number; readonly stdMagnitude: number;
    };

/** STATS.SPECIAL, STATS.DEF and STATS.ACC for one plane. */
export function planeStats(values: readonly number[]): PlaneStats {
  if (values.some(Number.isNaN)) return { kind: 'special', mean: NaN, std: NaN };
  const pos = values.includes(Infinity);
  const neg = values.includes(-Infinity);
  if (pos && neg) return { kind: 'special', mean: NaN, std: NaN };
  if (pos || neg) {
    const finite = values.filter(Number.isFinite);
    const A = finite.reduce((a, v) => a + Math.abs(v), 0);
    return { kind: 'special', mean: pos ? Infinity : -Infinity, std: NaN, meanMayBeNaN: A * (1 + gamma(values.length + 2)) >= OVERFLOW32 };
  }
  const T = values.length;
  const xs = values.map((v) => hp.of(v));
  const muHP = hp.div(hp.sum(xs), hp.of(T));
  const varHP = hp.div(hp.sum(xs.map((x) => { const d = hp.sub(x, muHP); return hp.mul(d, d); })), hp.of(T));
  const sigmaHP = hp.sqrt(varHP);
  const mean = hp.toNumber(muHP);
  const variance = hp.toNumber(varHP);
  const std = hp.toNumber(sigmaHP);
  const A = values.reduce((s, v) => s + Math.abs(v), 0);
  const eMean = (gamma(T + 2) * A) / T + (T + 1) * ETA32;
  const eVar = eMean * eMean + gamma(T + 3) * (variance + eMean * eMean) + (T + 1) * ETA32;
  const hStd = (1 + U32) * Math.min(Math.sqrt(eVar), std > 0 ? eVar / std : Infinity) + U32 * std;
  const g = gamma(T + 3);
  const stdMagnitude = values.reduce((s, v) => s + (Math.abs(v) + Math.abs(mean) + eMean) ** 2, 0) * (1 + g);
  return { kind: 'finite', values, muHP, sigmaHP, mean, std, variance, eMean, eVar, hStd, meanMagnitude: A * (1 + gamma(T + 2)), stdMagnitude };
}

/** Each (n, c) plane's values in position order. */
export function planesOf(x: Tensor, g: StatsGeometry): number[][] {
  const out: number[][] = [];
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const { base, step } = planeAddress(g.layout, g.batch, g.channels, g.plane, n, c);
      out.push(Array.from({ length: g.plane }, (_, t) => x.data[base + t * step]!));
    }
  }
  return out;
}

export interface StatsReference {
  readonly geometry: StatsGeometry;
  /** [N, 2C]: the means then the standard deviations of each batch element. */
  readonly acceptance: readonly Acceptance[];
  readonly planes: readonly PlaneStats[];
}

export function referenceStatsForward(spec: StatsPoolSpec, x: Tensor): StatsReference {
  const g = validateStatsForward(spec, x);
  const planes = planesOf(x, g).map(planeStats);
  const C = g.channels;
  const acceptance = new Array<Acceptance>(g.batch * 2 * C);
  planes.forEach((p, i) => {
    const n = Math.floor(i / C);
    const c = i % C;
    const mAt = n * 2 * C + c;
    const sAt = mAt + C;
    if (p.kind === 'special') {
      // ACC.OVERFLOW: the infinity is kept, and NaN is accepted too where finite taps may overflow the other way.
      acceptance[mAt] = p.meanMayBeNaN === true
        ? { kind: 'interval', value: p.mean, lo: Infinity, hi: -Infinity, posInf: p.mean === Infinity, negInf: p.mean === -Infinity, nan: true }
        : exact(p.mean);
      acceptance[sAt] = exact(p.std);
      return;
    }
    acceptance[mAt] = around(p.mean, p.eMean, p.meanMagnitude, 4);
    acceptance[sAt] = around(p.std, p.hStd, p.stdMagnitude, 8);
  });
  return { geometry: g, acceptance, planes };
}

/** STATS.GRAD: dx per element with its bound; unconstrained where |D̂ − D| ≥ D or the plane is not finite. */
export function referenceStatsGradient(spec: StatsPoolSpec, x: Tensor, dy: Tensor): Acceptance[] {
  const g = validateStatsBackward(spec, x, dy);
  const C = g.channels;
  const T = g.plane;
  const out = new Array<Acceptance>(x.data.length);
  const g2 = gamma(2);
  planesOf(x, g).forEach((values, i) => {
    const n = Math.floor(i / C);
    const c = i % C;
    const { base, step } = planeAddress(g.layout, g.batch, C, T, n, c);
    const dMu = dy.data[n * 2 * C + c]!;
    const dSigma = dy.data[n * 2 * C + C + c]!;
    const p = planeStats(values);
    for (let t = 0; t < T; t++) {
      const at = base + t * step;
      if (p.kind === 'special') { out[at] = unconstrained(NaN, 'stats: a plane with NaN or ±∞ has no gradient (STATS.GRAD)'); continue; }
      if (p.stdMagnitude >= OVERFLOW32) { out[at] = unconstrained(NaN, 'stats: the squared deviations may overflow float32, and σ̂ with them (STATS.GRAD, ACC.OVERFLOW)'); continue; }
      const D = T * p.std;
      const eD = T * p.hStd * (1 + g2) + g2 * D;
      if (!(eD < D)) { out[at] = unconstrained(dMu / T, 'stats: σ is 0 or within its own error, so (x − μ)/σ has no bound here (STATS.GRAD, ACC.RANGE)'); continue; }
      const xHP = hp.of(values[t]!);
      const NHP = hp.sub(xHP, p.muHP);
      const gHP = hp.add(hp.div(hp.of(dMu), hp.of(T)), hp.div(hp.mul(hp.of(dSigma), NHP), hp.mul(hp.of(T), p.sigmaHP)));
      const gv = hp.toNumber(gHP);
      const N = hp.toNumber(NHP);
      const t1 = dMu / T;
      const t2 = (dSigma * N) / D;
      const e1 = g2 * Math.abs(t1) + ETA32;
      const eN = p.eMean * (1 + U32) + U32 * Math.abs(N);
      const eq = (eN + Math.abs(N / D) * eD) / (D - eD);
      // An underflow of the product dσ·N̂ (η) is divided by D̂ afterwards; one of N̂/D̂ is multiplied by dσ: either
      // way η·max(1/(D − |D̂ − D|), |dσ|), plus η for the last rounding.
      const e2 = Math.abs(dSigma) * eq * (1 + g2) + g2 * Math.abs(t2) + ETA32 * (1 + Math.max(1 / (D - eD), Math.abs(dSigma)));
      out[at] = around(gv, (e1 + e2) * (1 + U32) + U32 * Math.abs(gv), 0, 12);
    }
  });
  return out;
}
