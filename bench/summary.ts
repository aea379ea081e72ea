/**
 * Derived views of a results file, shared by the terminal output (cli/bench.ts) and the reports (reports/):
 * number formats, the speed-up over the naive baseline, the scaling fits (time against input size and against
 * kernel size, with the log-log slope: about 1 for O(k) per output, about 2 for O(k²) in 2-D), and each
 * backward's time as a multiple of its forward's, and what the rows' % of copy is against.
 */
import { SCOPES, type BenchResult, type BenchResults, type CompletedResult, type Scope, type WorkloadRecord } from './schema.js';
import { caseKey } from './workloads.js';

/** What each scope covers, in one line (bench/schema.ts Scope). */
export const SCOPE_TITLES: Readonly<Record<Scope, string>> = {
  call: 'forward()/backward() on JS arrays, as a user makes them: validation, copies in and out, outputs allocated afresh by each call',
  'call-reused': 'plan.forward()/plan.backward() into outputs allocated once: validation and copies as in a whole call, no allocation per call',
  op: 'the op alone, on data already where the backend keeps it, its output left there in the backend\'s own form: resident(), or a peer\'s prepare() '
    + '(wasm keeps the max indices of its 2×2 stride-2 and kernel-4 stride-4 kernels as a byte per output: bench/README.md, "Scopes")',
};

/** Short names for table headings. */
export const SCOPE_NAMES: Readonly<Record<Scope, string>> = { call: 'whole call', 'call-reused': 'whole call, reused outputs', op: 'op alone' };

/** The scopes that have at least one result, in SCOPES order. */
export function scopesIn(results: BenchResults): Scope[] {
  return SCOPES.filter((s) => results.results.some((r) => r.scope === s));
}

export function inScope(results: BenchResults, scope: Scope): BenchResult[] {
  return results.results.filter((r) => r.scope === scope);
}

/** The flag's mark in tables: '' for none (bench/stats.ts classifySamples). */
export function flagMark(r: CompletedResult): string {
  return r.flag === 'bimodal' ? 'bimodal' : r.flag === 'wide' ? 'wide' : '';
}

/** Milliseconds with 3 significant digits, never in exponent notation (e.g. 0.0312, 1.25, 312). */
export function fmtMs(ms: number): string {
  if (ms === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(ms))));
  return ms.toFixed(Math.min(digits, 6));
}

export function fmtNum(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

export function fmtPct(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? '–' : `${(fraction * 100).toFixed(0)}%`;
}

export function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} B`;
}

export const BASELINE_BACKEND = 'naive';

export function completed(results: BenchResults): CompletedResult[] {
  return results.results.filter((r): r is CompletedResult => r.state === 'completed');
}

/** median(naive) / median(backend) for the same workload in the same scope; undefined without a completed naive row there. */
export function speedupOverNaive(results: BenchResults, r: CompletedResult): number | undefined {
  const base = results.results.find((x) => x.workload === r.workload && x.backend === BASELINE_BACKEND && x.scope === r.scope);
  return base?.state === 'completed' && r.medianMs > 0 ? base.medianMs / r.medianMs : undefined;
}

/**
 * median(backend) / the lowest median of any backend on the same workload in the same scope (1 = the fastest
 * there); with `by: 'min'` the same on the minima. Undefined when the row is alone in its scope.
 */
export function relativeToFastest(results: BenchResults, r: CompletedResult, by: 'median' | 'min' = 'median'): number | undefined {
  const peers = completed(results).filter((x) => x.workload === r.workload && x.scope === r.scope);
  if (peers.length < 2) return undefined;
  const pick = (x: CompletedResult): number => (by === 'min' ? x.minMs : x.medianMs);
  const best = Math.min(...peers.map(pick));
  return best > 0 ? pick(r) / best : undefined;
}

export interface ScalingSeries {
  readonly axis: 'size' | 'kernel';
  readonly series: string;
  readonly backend: string;
  readonly scope: Scope;
  /** The backend, with the scope unless it is the whole call: what a chart's legend shows. */
  readonly label: string;
  /** Swept value (S or k), input elements, median ms; ascending by value. */
  readonly points: readonly { readonly value: number; readonly elements: number; readonly medianMs: number; readonly workload: string }[];
  /**
   * Least-squares slope of log(time) against log(swept quantity): input elements for 'size' (1 = linear), the
   * kernel extent k for 'kernel' (a direct 2-D window: towards 2; separable: towards 1; sliding: towards 0).
   */
  readonly slope: number | undefined;
  /** time(last) / time(first). */
  readonly growth: number | undefined;
}

function slopeOf(xs: readonly number[], ys: readonly number[]): number | undefined {
  if (xs.length < 2) return undefined;
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0, den = 0;
  for (let i = 0; i < lx.length; i++) { num += (lx[i]! - mx) * (ly[i]! - my); den += (lx[i]! - mx) ** 2; }
  return den > 0 ? num / den : undefined;
}

export function scalingSeries(results: BenchResults): ScalingSeries[] {
  const byId = new Map<string, WorkloadRecord>(results.workloads.map((w) => [w.id, w]));
  const groups = new Map<string, { axis: 'size' | 'kernel'; series: string; backend: string; scope: Scope; label: string; points: ScalingSeries['points'][number][] }>();
  for (const r of completed(results)) {
    const w = byId.get(r.workload);
    if (!w?.sweep) continue;
    const k = `${w.sweep.axis}\u0000${w.sweep.series}\u0000${r.backend}\u0000${r.scope}`;
    const label = r.scope === 'call' ? r.backend : `${r.backend} · ${SCOPE_NAMES[r.scope]}`;
    if (!groups.has(k)) groups.set(k, { axis: w.sweep.axis, series: w.sweep.series, backend: r.backend, scope: r.scope, label, points: [] });
    groups.get(k)!.points.push({ value: w.sweep.value, elements: w.shape.reduce((a, b) => a * b, 1), medianMs: r.medianMs, workload: w.id });
  }
  return [...groups.values()].map((g) => {
    const points = [...g.points].sort((a, b) => a.value - b.value);
    const xs = points.map((p) => (g.axis === 'size' ? p.elements : p.value));
    return {
      ...g, points,
      slope: slopeOf(xs, points.map((p) => p.medianMs)),
      growth: points.length >= 2 ? points[points.length - 1]!.medianMs / points[0]!.medianMs : undefined,
    };
  }).sort((a, b) => `${a.axis}/${a.series}/${a.backend}/${SCOPES.indexOf(a.scope)}`.localeCompare(`${b.axis}/${b.series}/${b.backend}/${SCOPES.indexOf(b.scope)}`));
}

/** A backward row against the same backend's forward row of the same case and scope (backwardOverForward). */
export interface BackwardRatio {
  /** The backward workload, and the forward workload of the same case (spec, shape, layout). */
  readonly workload: string;
  readonly forward: string;
  readonly backend: string;
  readonly scope: Scope;
  /** The backward's min ÷ the forward's min, and the same of the medians. */
  readonly minRatio: number;
  readonly medianRatio: number;
}

/**
 * What a backward costs as a multiple of its forward: every completed backward row with the same backend's
 * completed row, in the same scope, on the forward workload of the same case (bench/workloads.ts caseKey), in the
 * order of the results. In a file with settings.pairDirections the two were sampled in the same rounds; in an
 * older file, one after the other, and a disturbance of the machine can fall on one of them only.
 */
export function backwardOverForward(results: BenchResults): BackwardRatio[] {
  const forwardOf = new Map<string, string>();
  for (const w of results.workloads) if (w.direction === 'forward' && !forwardOf.has(caseKey(w))) forwardOf.set(caseKey(w), w.id);
  const byId = new Map<string, WorkloadRecord>(results.workloads.map((w) => [w.id, w]));
  const rows = completed(results);
  const out: BackwardRatio[] = [];
  for (const b of rows) {
    const w = byId.get(b.workload);
    if (w?.direction !== 'backward') continue;
    const forward = forwardOf.get(caseKey(w));
    const f = rows.find((r) => r.workload === forward && r.backend === b.backend && r.scope === b.scope);
    if (!f || f.minMs <= 0 || f.medianMs <= 0) continue;
    out.push({ workload: b.workload, forward: f.workload, backend: b.backend, scope: b.scope, minRatio: b.minMs / f.minMs, medianRatio: b.medianMs / f.medianMs });
  }
  return out;
}

/**
 * backwardOverForward as a table for the terminal and the reports: a row per backward workload and backend (its
 * forward's ID second), a "min× / median×" cell per scope, and the header.
 */
export function backwardOverForwardTable(results: BenchResults): { readonly header: string[]; readonly rows: string[][] } {
  const ratios = backwardOverForward(results);
  const scopes = SCOPES.filter((s) => ratios.some((r) => r.scope === s));
  const rows = new Map<string, string[]>();
  for (const r of ratios) {
    const key = `${r.workload}\u0000${r.backend}`;
    if (!rows.has(key)) rows.set(key, [r.workload, r.forward, r.backend, ...scopes.map(() => '–')]);
    rows.get(key)![3 + scopes.indexOf(r.scope)] = `${r.minRatio.toFixed(2)}× / ${r.medianRatio.toFixed(2)}×`;
  }
  return { header: ['backward', 'forward', 'backend', ...scopes.map((s) => `${SCOPE_NAMES[s]}: min / median`)], rows: [...rows.values()] };
}

/**
 * What the rows' % of copy is against, in a sentence: the copy passes taken in each group's rounds (their range
 * over the run's host rows), or, in files without per-row copyGBps, the copy probe at the start of the run.
 */
export function copyReference(results: BenchResults): string {
  const device = new Set(results.backends.filter((b) => b.deviceCopy).map((b) => b.name));
  const local = completed(results).filter((r) => r.copyGBps !== undefined && !device.has(r.backend)).map((r) => r.copyGBps!);
  const start = `${results.machine.copy.medianGBps.toFixed(1)} GB/s`;
  if (!local.length) return `% copy is against the copy probe at the start of the run (${start})`;
  return `% copy is against the copy passes taken in the same rounds as the row (${Math.min(...local).toFixed(1)}–${Math.max(...local).toFixed(1)} GB/s over this run; `
    + `the probe at its start: ${start})`;
}
