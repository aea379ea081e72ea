/**
 * Synthetic, schema-valid bench results drawn from a known distribution (seeded, no timing): for the tests of
 * `poolspec compare` (a planted slowdown must be flagged, two draws of one distribution must not) and of the
 * report (charts and tables from known numbers). Not used by the benchmark itself.
 */
import { BENCH_SCHEMA, type BenchResult, type BenchResults } from './schema.js';
import { mulberry32 } from '../spec/seeds.js';
import { classifySamples, medianSorted, quantileSorted } from './stats.js';
import { workloadRecord } from './runner.js';
import { ALL_WORKLOADS, type Workload } from './workloads.js';

export interface SyntheticOptions {
  /** Seed of the draw: two seeds give two independent runs of the same distribution. */
  readonly seed: number;
  /** Multiplies every latency (1.3 = a 30% slowdown); a function scales per row. */
  readonly scale?: number | ((workload: string, backend: string) => number);
  readonly backends?: readonly string[];
  readonly workloads?: readonly Workload[];
  /** Samples per row (default 60). */
  readonly samples?: number;
  /** Log-normal spread σ of the latencies (default 0.08, about 8%). */
  readonly sigma?: number;
}

/** Model GB/s per backend name for the synthetic medians (unknown names: 4). */
const MODEL_GBPS: Record<string, number> = { naive: 1.5, im2col: 2.5, wasm: 12 };

/** The synthetic median (ms) of a row before scaling: bytes over a model bandwidth, times the window growth. */
export function syntheticMedianMs(w: Workload, backend: string, bytes: number): number {
  let ms = (bytes / ((MODEL_GBPS[backend] ?? 4) * 1e9)) * 1000;
  if (w.sweep?.axis === 'kernel') {
    const k = w.sweep.value;
    ms *= backend === 'naive' || backend === 'im2col' ? (k * k) / 9 : k / 3;
  }
  return ms;
}

export function syntheticResults(options: SyntheticOptions): BenchResults {
  const rand = mulberry32(options.seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const backends = options.backends ?? ['naive', 'im2col'];
  const workloads = options.workloads ?? ALL_WORKLOADS;
  const n = options.samples ?? 60;
  const sigma = options.sigma ?? 0.08;
  const copyGBps = 25;
  const readGBps = 21;
  const results: BenchResult[] = [];
  const records = workloads.map(workloadRecord);
  workloads.forEach((w, i) => {
    for (const b of backends) {
      const scale = typeof options.scale === 'function' ? options.scale(w.id, b) : options.scale ?? 1;
      const bytes = records[i]!.bytes;
      const m = syntheticMedianMs(w, b, bytes) * scale;
      const samples = Array.from({ length: n }, () => Number((m * Math.exp(sigma * gauss())).toPrecision(6))).sort((x, y) => x - y);
      const median = medianSorted(samples);
      const mean = samples.reduce((s, x) => s + x, 0) / n;
      const sd = Math.sqrt(samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
      const gbPerS = bytes / (median / 1000) / 1e9;
      const mad = medianSorted(samples.map((x) => Math.abs(x - median)).sort((x, y) => x - y));
      results.push({
        workload: w.id, backend: b, scope: 'call', state: 'completed', via: w.direction,
        medianMs: median, meanMs: mean, p99Ms: quantileSorted(samples, 0.99), minMs: samples[0]!, maxMs: samples[n - 1]!,
        madMs: mad, rmePercent: (100 * 1.96 * sd) / Math.sqrt(n) / mean, samplesCount: n, samples,
        gbPerS, fractionOfCopy: gbPerS / copyGBps, fractionOfRead: gbPerS / readGBps, ...classifySamples(samples),
      });
    }
  });
  const probe = (method: string, gbps: number, bytesPerPass: number): BenchResults['machine']['copy'] => ({
    method, bufferBytes: 64 * 2 ** 20, bytesPerPass, medianGBps: gbps, maxGBps: gbps * 1.05, passesMs: [bytesPerPass / gbps / 1e6],
  });
  return {
    schema: BENCH_SCHEMA,
    date: new Date(Date.UTC(2026, 0, 1) + options.seed * 1000).toISOString(),
    durationMs: 1000,
    environment: {
      cpu: { model: 'Synthetic CPU', cores: 2, speedMHz: null }, memoryBytes: 8 * 2 ** 30, platform: 'linux', arch: 'x64',
      osRelease: 'synthetic', node: process.version, v8: process.versions.v8, packages: { poolspec: '0.0.0-synthetic' },
      git: { commit: null, dirty: null },
    },
    settings: {
      quick: false, filter: [], scopes: ['call'], timeMs: 0, minSamples: n, warmupMs: 0, warmupIterations: 0, slowCallMs: 0, slowMinSamples: n, maxTaskMs: 0, maxStoredSamples: n,
    },
    machine: {
      copy: probe('synthetic copy', copyGBps, 2 * 64 * 2 ** 20), read: probe('synthetic read', readGBps, 64 * 2 ** 20),
      firstTouch: { fresh: probe('synthetic first touch', 0.35, 64 * 2 ** 20), reused: probe('synthetic rewrite', 25, 64 * 2 ** 20) },
    },
    backends: backends.map((name) => ({ name, ref: name })),
    workloads: records,
    results,
  };
}
