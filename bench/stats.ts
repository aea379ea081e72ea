/**
 * Statistics for benchmark samples: medians, evenly spaced order statistics, and the bootstrap
 * confidence interval of a ratio of medians that `poolspec compare` decides on.
 */
import { mulberry32 } from '../spec/seeds.js';

/** Median of an ascending array (the mean of the two middle values for an even length). */
export function medianSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Linear-interpolated quantile q ∈ [0, 1] of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * At most `max` values of an ascending array: all of them, or `max` evenly spaced order statistics including the
 * minimum and the maximum (a quantile summary of the distribution).
 */
export function thinSorted(sorted: readonly number[], max: number): number[] {
  const n = sorted.length;
  if (n <= max) return [...sorted];
  if (max < 2) return [medianSorted(sorted)];
  const out: number[] = [];
  for (let i = 0; i < max; i++) out.push(sorted[Math.round((i * (n - 1)) / (max - 1))]!);
  return out;
}


/** The latency statistics a result keeps (bench/schema.ts CompletedResult), in ms, from all of a task's samples. */
export interface LatencyStats {
  readonly medianMs: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Median absolute deviation from the median. */
  readonly madMs: number;
  /** Relative margin of error of the mean at 95 % (Student's t, as tinybench's rme), percent; 0 for one sample. */
  readonly rmePercent: number;
}

/** Two-sided 95 % quantiles of Student's t for 1 … 30 degrees of freedom (standard tables); 1.96 beyond. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * The statistics of an ascending, non-empty array of latencies. They are computed here, not taken from tinybench,
 * because a task sampled in several rounds (bench/runner.ts, settings.rounds) has its samples from several
 * tinybench runs; the definitions are tinybench's (p50 and p99 by linear interpolation, the sample standard
 * deviation, the margin of error of the mean over the mean).
 */
export function latencyStats(sorted: readonly number[]): LatencyStats {
  const n = sorted.length;
  if (n === 0) throw new RangeError('latencyStats: no samples');
  const median = quantileSorted(sorted, 0.5);
  const mean = sorted.reduce((a, v) => a + v, 0) / n;
  const deviations = sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b);
  let rme = 0;
  if (n > 1) {
    const variance = sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
    const t = n - 1 <= T95.length ? T95[n - 2]! : 1.96;
    rme = mean > 0 ? ((t * Math.sqrt(variance / n)) / mean) * 100 : 0;
  }
  return {
    medianMs: median, meanMs: mean, p99Ms: quantileSorted(sorted, 0.99), minMs: sorted[0]!, maxMs: sorted[n - 1]!,
    madMs: quantileSorted(deviations, 0.5), rmePercent: rme,
  };
}

/**
 * The median of one bootstrap resample (n draws with replacement) of an ascending array, in O(n): because the
 * array is sorted, the resample's k-th smallest value is the value at the k-th smallest drawn index, so it
 * suffices to count the drawn indices and walk the counts to the middle.
 */
function resampleMedian(sorted: Float64Array, counts: Uint32Array, rand: () => number): number {
  const n = sorted.length;
  counts.fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(rand() * n)]!++;
  const kLo = (n - 1) >> 1;
  const kHi = n >> 1;
  let seen = 0;
  let lo = NaN;
  for (let i = 0; i < n; i++) {
    seen += counts[i]!;
    if (Number.isNaN(lo) && seen > kLo) lo = sorted[i]!;
    if (seen > kHi) return (lo + sorted[i]!) / 2;
  }
  return lo;
}

export interface RatioInterval {
  /** median(new) / median(base) of the samples as given. */
  readonly ratio: number;
  /** Percentile bootstrap interval of the ratio at the requested confidence. */
  readonly lo: number;
  readonly hi: number;
}

/**
 * Percentile-bootstrap confidence interval of median(a) / median(b): `resamples` times, resample both samples
 * independently with replacement and take the ratio of the medians; the interval is the (1−c)/2 and (1+c)/2
 * quantiles of those ratios. Deterministic for a given seed.
 */
export function bootstrapRatioOfMedians(
  a: readonly number[], b: readonly number[], options: { confidence: number; resamples: number; seed: number },
): RatioInterval {
  const sa = Float64Array.from(a).sort();
  const sb = Float64Array.from(b).sort();
  const ratio = medianSorted(sa) / medianSorted(sb);
  const rand = mulberry32(options.seed);
  const ca = new Uint32Array(sa.length);
  const cb = new Uint32Array(sb.length);
  const ratios = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) ratios[r] = resampleMedian(sa, ca, rand) / resampleMedian(sb, cb, rand);
  ratios.sort();
  const tail = (1 - options.confidence) / 2;
  return { ratio, lo: quantileSorted(ratios, tail), hi: quantileSorted(ratios, 1 - tail) };
}

/**
 * When a row's samples do not describe one typical call (bench/README.md, "Flags"):
 *
 * - 'bimodal': a two-cluster test. Split the ascending samples at the widest gap (largest ratio between
 *   neighbours) that leaves at least BIMODAL_MIN_SHARE of them, and at least 2, on each side. The row is bimodal
 *   when that gap is at least BIMODAL_GAP× and wider (in log scale) than the mean log range of the two clusters:
 *   two tight groups far apart, e.g. calls that reuse pages and calls that fault fresh ones. Needs 6 samples.
 * - 'wide': not bimodal, but median ≥ WIDE_RATIO × min: the typical call pays a cost the fastest did not (page
 *   faults, a GC, a neighbour), and it dominates.
 */
export const BIMODAL_GAP = 1.5;
export const BIMODAL_MIN_SHARE = 0.1;
export const WIDE_RATIO = 2;

export type DistributionFlag = 'bimodal' | 'wide';

export interface Clusters {
  /** Fraction of the samples in the faster cluster. */
  readonly lowerShare: number;
  readonly lowerMedianMs: number;
  readonly upperMedianMs: number;
}

export interface Distribution {
  readonly flag: DistributionFlag | null;
  /** The two clusters, when the test split the samples (set for 'bimodal'). */
  readonly clusters?: Clusters;
}

export function classifySamples(sorted: readonly number[]): Distribution {
  const n = sorted.length;
  if (n === 0 || !(sorted[0]! > 0)) return { flag: null };
  if (n >= 6) {
    const least = Math.max(2, Math.ceil(BIMODAL_MIN_SHARE * n));
    let best = -1;
    let bestGap = 0;
    for (let k = least; k <= n - least; k++) {
      const gap = Math.log(sorted[k]! / sorted[k - 1]!);
      if (gap > bestGap) { bestGap = gap; best = k; }
    }
    if (best > 0 && bestGap >= Math.log(BIMODAL_GAP)) {
      const lower = sorted.slice(0, best);
      const upper = sorted.slice(best);
      const spread = (Math.log(lower[lower.length - 1]! / lower[0]!) + Math.log(upper[upper.length - 1]! / upper[0]!)) / 2;
      if (bestGap > spread) {
        return { flag: 'bimodal', clusters: { lowerShare: best / n, lowerMedianMs: medianSorted(lower), upperMedianMs: medianSorted(upper) } };
      }
    }
  }
  return { flag: medianSorted(sorted) >= WIDE_RATIO * sorted[0]! ? 'wide' : null };
}
