/**
 * Decides, per backend × workload × scope, whether NEW is slower than BASE beyond noise (`poolspec compare`).
 *
 * Method: the ratio of medians r = median(NEW) / median(BASE), with a percentile-bootstrap confidence interval
 * (default 95%, 2000 resamples, fixed seed per row so a comparison is reproducible). A regression is a CI whose
 * lower bound lies above 1 + threshold: NEW is slower by more than the threshold with that confidence, not
 * merely in its point estimate. The threshold (default 10%) absorbs what the samples of one run cannot show:
 * run-to-run drift of the machine (frequency, neighbours, JIT decisions).
 *
 * Verdicts: regression (lo > 1 + t) · slower (lo > 1, within the threshold) · unchanged (the CI holds 1) ·
 * faster (hi < 1) · improvement (hi < 1/(1 + t)) · errored (completed in BASE, errored in NEW) ·
 * not-compared (missing on one side, unsupported, too few samples, or the workload's definition changed).
 */
import type { BenchResults, CompletedResult, Scope, WorkloadRecord } from './schema.js';
import { seedFor } from '../spec/seeds.js';
import { bootstrapRatioOfMedians } from './stats.js';
import { matchesFilter } from './workloads.js';

export type Verdict = 'regression' | 'slower' | 'unchanged' | 'faster' | 'improvement' | 'errored' | 'not-compared';

export interface ComparisonRow {
  readonly workload: string;
  readonly backend: string;
  /** Rows are paired within a scope only (bench/schema.ts Scope). */
  readonly scope: Scope;
  readonly verdict: Verdict;
  readonly baseMedianMs?: number;
  readonly newMedianMs?: number;
  /** median(NEW samples) / median(BASE samples) and its confidence interval. */
  readonly ratio?: number;
  readonly lo?: number;
  readonly hi?: number;
  readonly note?: string;
}

export interface CompareOptions {
  /** Percent: a regression needs the CI's lower bound above 1 + threshold/100 (default 10). */
  readonly thresholdPercent?: number;
  /** Confidence level of the interval (default 0.95). */
  readonly confidence?: number;
  readonly resamples?: number;
  readonly seed?: number;
  /** Only rows whose workload matches (bench/workloads.ts matchesFilter). */
  readonly filter?: readonly string[];
}

export interface Comparison {
  readonly thresholdPercent: number;
  readonly confidence: number;
  readonly resamples: number;
  readonly seed: number;
  readonly rows: readonly ComparisonRow[];
  /** Rows that fail the gate (regression or errored). */
  readonly failing: number;
  /** Differences between the two runs' environments or settings that make the comparison weaker. */
  readonly warnings: readonly string[];
}

export const COMPARE_DEFAULTS = { thresholdPercent: 10, confidence: 0.95, resamples: 2000, seed: 1 } as const;
const MIN_SAMPLES = 3;

function sameDefinition(a: WorkloadRecord, b: WorkloadRecord): boolean {
  return JSON.stringify([a.spec, a.shape, a.layout, a.direction]) === JSON.stringify([b.spec, b.shape, b.layout, b.direction]);
}

function environmentWarnings(base: BenchResults, next: BenchResults): string[] {
  const w: string[] = [];
  const pairs: [string, unknown, unknown][] = [
    ['CPU model', base.environment.cpu.model, next.environment.cpu.model],
    ['cores', base.environment.cpu.cores, next.environment.cpu.cores],
    ['Node version', base.environment.node, next.environment.node],
    ['quick mode', base.settings.quick, next.settings.quick],
  ];
  for (const [what, a, b] of pairs) if (a !== b) w.push(`${what} differs: BASE ${String(a)}, NEW ${String(b)}`);
  const bw = next.machine.copy.medianGBps / base.machine.copy.medianGBps;
  if (bw < 0.8 || bw > 1.25) {
    w.push(`the machine's copy bandwidth differs: BASE ${base.machine.copy.medianGBps.toFixed(1)} GB/s, NEW ${next.machine.copy.medianGBps.toFixed(1)} GB/s (a busier or different machine)`);
  }
  return w;
}

export function compareResults(base: BenchResults, next: BenchResults, options: CompareOptions = {}): Comparison {
  const thresholdPercent = options.thresholdPercent ?? COMPARE_DEFAULTS.thresholdPercent;
  const confidence = options.confidence ?? COMPARE_DEFAULTS.confidence;
  const resamples = options.resamples ?? COMPARE_DEFAULTS.resamples;
  const seed = options.seed ?? COMPARE_DEFAULTS.seed;
  const t = thresholdPercent / 100;
  const filter = options.filter ?? [];

  const key = (w: string, b: string, s: Scope): string => `${w}\u0000${b}\u0000${s}`;
  const baseRes = new Map(base.results.map((r) => [key(r.workload, r.backend, r.scope), r]));
  const nextRes = new Map(next.results.map((r) => [key(r.workload, r.backend, r.scope), r]));
  const baseW = new Map(base.workloads.map((w) => [w.id, w]));
  const nextW = new Map(next.workloads.map((w) => [w.id, w]));

  // Row order: NEW's order, then what only BASE has.
  const keys: [string, string, Scope][] = [];
  const seen = new Set<string>();
  for (const r of [...next.results, ...base.results]) {
    const k = key(r.workload, r.backend, r.scope);
    if (!seen.has(k) && matchesFilter(r.workload, filter)) { seen.add(k); keys.push([r.workload, r.backend, r.scope]); }
  }

  const rows: ComparisonRow[] = keys.map(([workload, backend, scope]) => {
    const b = baseRes.get(key(workload, backend, scope));
    const n = nextRes.get(key(workload, backend, scope));
    const id = { workload, backend, scope };
    if (!b) return { ...id, verdict: 'not-compared', note: 'only in NEW' };
    if (!n) return { ...id, verdict: 'not-compared', note: 'only in BASE' };
    if (!sameDefinition(baseW.get(workload)!, nextW.get(workload)!)) return { ...id, verdict: 'not-compared', note: 'the workload\'s definition changed between the runs' };
    if (b.state === 'completed' && n.state === 'errored') return { ...id, verdict: 'errored', baseMedianMs: b.medianMs, note: `NEW errored: ${n.error}` };
    if (b.state !== 'completed' || n.state !== 'completed') {
      return { ...id, verdict: 'not-compared', note: `BASE ${b.state}, NEW ${n.state}` };
    }
    const bc: CompletedResult = b;
    const nc: CompletedResult = n;
    if (bc.samples.length < MIN_SAMPLES || nc.samples.length < MIN_SAMPLES) {
      return { ...id, verdict: 'not-compared', baseMedianMs: bc.medianMs, newMedianMs: nc.medianMs, note: `fewer than ${MIN_SAMPLES} samples` };
    }
    // The seed of a whole-call row is the one poolspec.bench/1 used, so old comparisons reproduce.
    const ci = bootstrapRatioOfMedians(nc.samples, bc.samples, { confidence, resamples, seed: seedFor(seed, scope === 'call' ? `${workload}/${backend}` : `${workload}/${backend}/${scope}`) });
    let verdict: Verdict = 'unchanged';
    if (ci.lo > 1 + t) verdict = 'regression';
    else if (ci.hi < 1 / (1 + t)) verdict = 'improvement';
    else if (ci.lo > 1) verdict = 'slower';
    else if (ci.hi < 1) verdict = 'faster';
    return { ...id, verdict, baseMedianMs: bc.medianMs, newMedianMs: nc.medianMs, ratio: ci.ratio, lo: ci.lo, hi: ci.hi };
  });

  return {
    thresholdPercent, confidence, resamples, seed, rows,
    failing: rows.filter((r) => r.verdict === 'regression' || r.verdict === 'errored').length,
    warnings: environmentWarnings(base, next),
  };
}
