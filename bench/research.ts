/**
 * The research kinds' benchmark (`poolspec bench --research`): RESEARCH_WORKLOADS (bench/workloads.ts) timed
 * through each backend's optional `reducers` (SPEC.md §11) or `statistics` (STATS.*) member, whole calls only,
 * with the runner's sampling (bench/runner.ts measure). A backend without the member or the kind, or whose
 * supports() declines, gets an unsupported row with the reason: never a time, never an error.
 */
import type { PoolingBackend, ReducerPoolSpec, StatsPoolSpec, Support, Tensor } from '../spec/contract.js';
import { isReducing, isStatistical } from '../spec/extensions.js';
import { poolGeometry, product, splitShape } from '../spec/geometry.js';
import { reducerGeometrySpec } from '../spec/validate-reducer.js';
import { defaultSettings, lcgData, measure, type Call, type RunnerBackend } from './runner.js';
import type { BenchSettings } from './schema.js';
import { matchesFilter, RESEARCH_WORKLOADS, type ResearchWorkload } from './workloads.js';

export type ResearchResult =
  | { readonly workload: string; readonly backend: string; readonly state: 'completed'; readonly minMs: number; readonly medianMs: number; readonly samplesCount: number }
  | { readonly workload: string; readonly backend: string; readonly state: 'unsupported'; readonly reason: string }
  | { readonly workload: string; readonly backend: string; readonly state: 'errored'; readonly error: string };

export interface ResearchBenchResults {
  readonly schema: 'poolspec.bench-research/1';
  readonly date: string;
  readonly settings: BenchSettings;
  readonly backends: readonly { readonly name: string; readonly ref: string }[];
  readonly workloads: readonly ResearchWorkload[];
  readonly results: readonly ResearchResult[];
}

function isStats(spec: ReducerPoolSpec | StatsPoolSpec): spec is StatsPoolSpec {
  return spec.kind === 'stats';
}

/** The forward output's shape: §2's for a reducer, [N, 2C] for stats. */
export function researchOutShape(w: ResearchWorkload): number[] {
  if (isStats(w.spec)) {
    const { batch, channels } = splitShape(w.shape, w.layout);
    return [batch, 2 * channels];
  }
  return [...poolGeometry(reducerGeometrySpec(w.spec), w.shape, w.layout).outShape];
}

/** The call to time, or why the backend does not run this workload. */
function callOf(b: PoolingBackend, w: ResearchWorkload, x: Tensor, dy: Tensor): Call | { reason: string } {
  const spec = w.spec;
  let support: Support;
  if (isStats(spec)) {
    if (!isStatistical(b) || !b.statistics.kinds.includes('stats')) return { reason: `${b.name} implements no statistics pooling (PoolingBackend.statistics)` };
    const s = b.statistics;
    support = s.supports(spec, w.shape, w.layout);
    if (!support.ok) return { reason: support.reason };
    return w.direction === 'forward' ? () => s.forward(spec, x) : () => s.backward(spec, x, dy);
  }
  if (!isReducing(b)) return { reason: `${b.name} implements no reducers (PoolingBackend.reducers)` };
  if (!b.reducers.kinds.includes(spec.kind)) return { reason: `${b.name} does not implement ${spec.kind} (reducers.kinds)` };
  const r = b.reducers;
  support = r.supports(spec, w.shape, w.layout);
  if (!support.ok) return { reason: support.reason };
  return w.direction === 'forward' ? () => r.forward(spec, x) : () => r.backward(spec, x, dy);
}

export interface ResearchRunOptions {
  readonly backends: readonly RunnerBackend[];
  readonly quick?: boolean;
  readonly filter?: readonly string[];
  readonly settings?: Partial<BenchSettings>;
  readonly onProgress?: (line: string) => void;
}

export function selectResearchWorkloads(filter: readonly string[]): ResearchWorkload[] {
  return RESEARCH_WORKLOADS.filter((w) => matchesFilter(w.id, filter));
}

export async function runResearchBench(options: ResearchRunOptions): Promise<ResearchBenchResults> {
  const started = Date.now();
  const filter = options.filter ?? [];
  // One backend at a time, in one piece (runBench's interleaved rounds are not applied here).
  const settings: BenchSettings = { ...defaultSettings(options.quick ?? false, filter), ...options.settings, rounds: 1 };
  const workloads = selectResearchWorkloads(filter);
  const results: ResearchResult[] = [];
  for (const w of workloads) {
    const outShape = researchOutShape(w);
    const x: Tensor = { shape: [...w.shape], data: lcgData(product(w.shape), 1), layout: w.layout };
    // GeM and stochastic pooling are defined on x ≥ 0 (GEM.DOMAIN, STOCH.DEF): their inputs are |x|.
    if (w.spec.kind === 'gem' || w.spec.kind === 'stochastic') x.data.forEach((v, i) => { x.data[i] = Math.abs(v); });
    const dy: Tensor = { shape: outShape, data: lcgData(product(outShape), 2), layout: isStats(w.spec) ? 'channels_first' : w.layout };
    for (const rb of options.backends) {
      const key = { workload: w.id, backend: rb.name };
      let call: Call | { reason: string };
      try {
        call = callOf(rb.backend, w, x, dy);
      } catch (e) {
        call = { reason: `supports() threw: ${e instanceof Error ? e.message : String(e)}` };
      }
      if (!(call instanceof Function)) {
        results.push({ ...key, state: 'unsupported', reason: call.reason });
        options.onProgress?.(`  ${w.id} × ${rb.name}: unsupported (${call.reason})`);
        continue;
      }
      try {
        const p0 = performance.now();
        await call();
        const m = await measure(call, settings, performance.now() - p0, `${w.id}/${rb.name}`);
        if ('error' in m) results.push({ ...key, state: 'errored', error: m.error });
        else results.push({ ...key, state: 'completed', minMs: m.minMs, medianMs: m.medianMs, samplesCount: m.samplesCount });
      } catch (e) {
        results.push({ ...key, state: 'errored', error: e instanceof Error ? e.message : String(e) });
      }
      const last = results[results.length - 1]!;
      options.onProgress?.(`  ${w.id} × ${rb.name}: ${last.state === 'completed' ? `median ${last.medianMs.toFixed(2)} ms` : last.state}`);
    }
  }
  return {
    schema: 'poolspec.bench-research/1', date: new Date(started).toISOString(), settings,
    backends: options.backends.map((b) => ({ name: b.name, ref: b.ref })), workloads, results,
  };
}

/** Rows for the table: each completed row also as ratios (min and median) to the first backend's on that workload. */
export function researchRows(r: ResearchBenchResults): string[][] {
  const first = r.backends[0]?.name;
  return r.results.map((x) => {
    if (x.state !== 'completed') return [x.workload, x.backend, x.state, '', '', '', '', x.state === 'unsupported' ? x.reason : x.error];
    const base = r.results.find((y) => y.workload === x.workload && y.backend === first);
    const ratio = (a: number, b: number | undefined): string => (b === undefined || b <= 0 ? '' : (a / b).toFixed(2));
    const bMin = base?.state === 'completed' ? base.minMs : undefined;
    const bMed = base?.state === 'completed' ? base.medianMs : undefined;
    return [x.workload, x.backend, 'completed', x.minMs.toFixed(3), x.medianMs.toFixed(3), ratio(x.minMs, bMin), ratio(x.medianMs, bMed), `${x.samplesCount} samples`];
  });
}

export const RESEARCH_HEADER: readonly string[] = ['workload', 'backend', 'state', 'min ms', 'median ms', 'min / first', 'median / first', 'note'];
