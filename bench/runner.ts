/**
 * The benchmark runner behind `poolspec bench`: every backend × workload (bench/workloads.ts) × scope timed with
 * tinybench, after the machine's own bandwidth is probed (bench/probes.ts), into one results object of schema
 * poolspec.bench/2 (bench/schema.ts, bench/SCHEMA.md). Scopes (bench/schema.ts Scope): the whole call; the whole
 * call into reused outputs through plan(); the op alone on resident data through resident() or prepare().
 *
 * Per task: one pilot call (checks that the backend runs and returns the right sizes, and picks the sampling
 * plan), then tinybench's warm-up and measurement. Fast tasks get a time budget and a minimum sample count; a
 * task whose pilot call is slower than `slowCallMs` gets `slowMinSamples` calls (fewer, down to one, when they
 * would take longer than `maxTaskMs`) and no further warm-up, so the slowest workloads (and libraries) stay
 * runnable in minutes. Timings are for reading; tests never assert on them.
 */
import { Bench } from 'tinybench';
import type { PoolingBackend, Tensor } from '../spec/contract.js';
import { isDeviceBackend, isForwardOnlyAware, isPlanning, isPreparable, isResident } from '../spec/extensions.js';
import { product } from '../spec/geometry.js';
import { collectEnvironment } from './env.js';
import { defaultProbeBytes, measureBandwidth, summarise, type MachineBandwidth, type ProbeResult } from './probes.js';
import {
  BENCH_SCHEMA, SCOPES, type BenchResult, type BenchResults, type BenchSettings, type CompletedResult, type Scope, type Via, type WorkloadRecord,
} from './schema.js';
import { classifySamples, thinSorted } from './stats.js';
import { ALL_WORKLOADS, matchesFilter, workloadBytes, workloadOutShape, type Workload } from './workloads.js';

export interface RunnerBackend {
  readonly name: string;
  /** How it was loaded (a built-in name or a module path), recorded in the results. */
  readonly ref: string;
  readonly backend: PoolingBackend;
}

export type BenchProgress =
  | { readonly type: 'probe-start'; readonly bufferBytes: number }
  | { readonly type: 'probe-done'; readonly machine: MachineBandwidth }
  | { readonly type: 'device-probe-done'; readonly backend: string; readonly copy: ProbeResult | { readonly error: string } }
  | { readonly type: 'task-start'; readonly index: number; readonly total: number; readonly workload: string; readonly backend: string; readonly scope: Scope }
  | { readonly type: 'task-done'; readonly index: number; readonly total: number; readonly result: BenchResult; readonly elapsedMs: number };

export interface RunOptions {
  readonly backends: readonly RunnerBackend[];
  readonly quick?: boolean;
  /** --filter patterns (bench/workloads.ts matchesFilter). */
  readonly filter?: readonly string[];
  /** The workloads to draw from (default ALL_WORKLOADS); quick and filter still apply. */
  readonly workloads?: readonly Workload[];
  /** Overrides of the sampling settings (settings.scopes: the scopes to time, default all of SCOPES). */
  readonly settings?: Partial<BenchSettings>;
  /** Bandwidth probe buffer size and passes (default: 256 MiB, 64 MiB when short of memory; 9 passes, 5 quick). */
  readonly probe?: { readonly bufferBytes?: number; readonly trials?: number };
  readonly onProgress?: (event: BenchProgress) => void;
}

export function defaultSettings(quick: boolean, filter: readonly string[] = []): BenchSettings {
  const scopes = [...SCOPES];
  return quick
    ? { quick, filter: [...filter], scopes, timeMs: 150, minSamples: 8, warmupMs: 30, warmupIterations: 2, slowCallMs: 500, slowMinSamples: 3, maxTaskMs: 10_000, maxStoredSamples: 500 }
    : { quick, filter: [...filter], scopes, timeMs: 1000, minSamples: 10, warmupMs: 200, warmupIterations: 3, slowCallMs: 1000, slowMinSamples: 5, maxTaskMs: 30_000, maxStoredSamples: 500 };
}

export function selectWorkloads(quick: boolean, filter: readonly string[], from: readonly Workload[] = ALL_WORKLOADS): Workload[] {
  return from.filter((w) => (!quick || w.quick === true) && matchesFilter(w.id, filter));
}

/** Deterministic inputs (a small LCG): the same bytes for every backend and every run. */
export function lcgData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 8 - 4;
  }
  return out;
}

export function workloadRecord(w: Workload): WorkloadRecord {
  return {
    id: w.id, layer: w.layer, direction: w.direction, spec: w.spec, shape: [...w.shape], layout: w.layout,
    outShape: workloadOutShape(w), bytes: workloadBytes(w), quick: w.quick === true, ...(w.sweep ? { sweep: w.sweep } : {}),
  };
}

function round6(x: number): number {
  return Number(x.toPrecision(6));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export type Call = () => Promise<unknown>;

/** The scopes a backend can be timed in on a workload (bench/schema.ts Scope), in report order. */
export function scopesOf(b: PoolingBackend, direction: Workload['direction']): Scope[] {
  const out: Scope[] = ['call'];
  if (isPlanning(b)) out.push('call-reused');
  // One op-alone path: resident() where the backend has it (both directions), else a forward prepare().
  if (isResident(b) || (direction === 'forward' && isPreparable(b))) out.push('op');
  return out;
}

interface Task {
  readonly via: Via;
  readonly call: Call;
  /** One call whose result sizes are checked (the element count, nothing more: verify checks values). */
  readonly check: () => Promise<void>;
  readonly dispose: () => Promise<void>;
}

function expectCount(what: string, got: number | undefined, want: number): void {
  if (got !== want) throw new Error(`${what} ${got ?? 'no'} elements, expected ${want}`);
}

/** The call a task times in a scope. */
async function makeTask(b: PoolingBackend, w: Workload, x: Tensor, dy: Tensor, scope: Scope): Promise<Task> {
  const none = async (): Promise<void> => {};
  const outCount = dy.data.length;
  if (scope === 'op') {
    if (isResident(b)) {
      const resident = await b.resident(w.spec, x, w.direction, w.direction === 'backward' ? dy : undefined);
      return {
        via: 'resident',
        call: () => resident.run(),
        check: () => resident.run(), // values are verify's job; this proves the dispatches run
        dispose: async () => { resident.release(); },
      };
    }
    if (w.direction !== 'forward' || !isPreparable(b)) throw new Error(`backend ${b.name} has no op-alone path for a ${w.direction} workload`);
    const prepared = await b.prepare(w.spec, x);
    return {
      via: 'prepare',
      call: async () => { await prepared.run(); },
      check: async () => {
        expectCount('prepare() announced', product(prepared.outShape), outCount);
        await prepared.run();
      },
      dispose: async () => { await prepared.dispose(); },
    };
  }
  if (scope === 'call-reused') {
    if (!isPlanning(b)) throw new Error(`backend ${b.name} has no plan()`);
    const plan = await b.plan(w.spec, w.shape, w.layout);
    // Allocated once and written on every call (CONTRACT.PLAN): no call allocates.
    const out = { y: new Float32Array(outCount), ...(w.spec.kind === 'max' ? { indices: new Int32Array(outCount) } : {}) };
    const dx = new Float32Array(x.data.length);
    const call: Call = w.direction === 'forward' ? () => plan.forward(x, out) : () => plan.backward(x, dy, dx);
    return {
      via: 'plan', call,
      check: async () => {
        expectCount('plan() announced', product(plan.outShape), outCount);
        await call();
      },
      dispose: async () => { await plan.dispose(); },
    };
  }
  if (w.direction === 'forward') {
    return {
      via: 'forward', call: () => b.forward(w.spec, x), dispose: none,
      check: async () => expectCount('forward returned', (await b.forward(w.spec, x))?.y?.data?.length, outCount),
    };
  }
  return {
    via: 'backward', call: () => b.backward(w.spec, x, dy), dispose: none,
    check: async () => expectCount('backward returned', (await b.backward(w.spec, x, dy))?.data?.length, x.data.length),
  };
}

export type Measured = Pick<CompletedResult, 'medianMs' | 'meanMs' | 'p99Ms' | 'minMs' | 'maxMs' | 'madMs' | 'rmePercent' | 'samplesCount' | 'samples' | 'flag' | 'clusters'>;

export async function measure(call: Call, settings: BenchSettings, pilotMs: number, label: string): Promise<Measured | { error: string }> {
  const slow = pilotMs > settings.slowCallMs;
  const slowSamples = Math.max(1, Math.min(settings.slowMinSamples, Math.floor(settings.maxTaskMs / Math.max(pilotMs, 1e-3))));
  const bench = new Bench(slow
    ? { time: 0, iterations: slowSamples, warmup: false, retainSamples: true, throws: false }
    : { time: settings.timeMs, iterations: settings.minSamples, warmupTime: settings.warmupMs, warmupIterations: settings.warmupIterations, retainSamples: true, throws: false });
  bench.add(label, async () => { await call(); });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') return { error: r.state === 'errored' ? errorText(r.error) : `tinybench ended in state ${r.state}` };
  const l = r.latency;
  const sorted = [...(l.samples ?? [])].sort((a, b) => a - b);
  const shape = classifySamples(sorted);
  return {
    medianMs: l.p50, meanMs: l.mean, p99Ms: l.p99, minMs: l.min, maxMs: l.max, madMs: l.mad, rmePercent: Number.isFinite(l.rme) ? l.rme : 0,
    samplesCount: l.samplesCount, samples: thinSorted(sorted, settings.maxStoredSamples).map(round6),
    flag: shape.flag, ...(shape.clusters ? { clusters: shape.clusters } : {}),
  };
}

export async function runBench(options: RunOptions): Promise<BenchResults> {
  const started = Date.now();
  const t0 = performance.now();
  const quick = options.quick ?? false;
  const filter = options.filter ?? [];
  const settings: BenchSettings = { ...defaultSettings(quick, filter), ...options.settings };
  const workloads = selectWorkloads(quick, filter, options.workloads);
  const environment = collectEnvironment();

  const bufferBytes = options.probe?.bufferBytes ?? defaultProbeBytes();
  options.onProgress?.({ type: 'probe-start', bufferBytes });
  const machine = measureBandwidth({ bufferBytes, trials: options.probe?.trials ?? (quick ? 5 : 9) });
  options.onProgress?.({ type: 'probe-done', machine });
  // A GPU backend works in its device's memory: its rows are compared with that memory's copy bandwidth.
  const deviceCopies = new Map<PoolingBackend, ProbeResult>();
  for (const rb of options.backends) {
    const device = rb.backend;
    if (!isDeviceBackend(device) || deviceCopies.has(device)) continue;
    try {
      const p = await device.measureCopy(bufferBytes, options.probe?.trials ?? (quick ? 5 : 9));
      const copy = summarise(p.method, p.bufferBytes, p.bytesPerPass, p.passesMs);
      deviceCopies.set(rb.backend, copy);
      options.onProgress?.({ type: 'device-probe-done', backend: rb.name, copy });
    } catch (e) {
      options.onProgress?.({ type: 'device-probe-done', backend: rb.name, copy: { error: errorText(e) } });
    }
  }

  const wanted = new Set(settings.scopes ?? SCOPES);
  const plans = workloads.map((w) => options.backends.map((rb) => scopesOf(rb.backend, w.direction).filter((sc) => wanted.has(sc))));
  const total = plans.flat().reduce((n, scopes) => n + scopes.length, 0);
  const results: BenchResult[] = [];
  let index = 0;
  for (const [wi, w] of workloads.entries()) {
    const outShape = workloadOutShape(w);
    const x: Tensor = { shape: [...w.shape], data: lcgData(product(w.shape), 1), layout: w.layout };
    const dy: Tensor = { shape: outShape, data: lcgData(product(outShape), 2), layout: w.layout };
    const bytes = workloadBytes(w);
    for (const [bi, rb] of options.backends.entries()) {
      let support;
      try {
        support = rb.backend.supports(w.spec, w.shape, w.layout);
        if (support.ok && w.direction === 'backward' && isForwardOnlyAware(rb.backend)) support = rb.backend.supportsBackward(w.spec, w.shape, w.layout);
      } catch (e) {
        support = { ok: false as const, reason: `supports() threw: ${errorText(e)}` };
      }
      for (const scope of plans[wi]![bi]!) {
        const taskStart = performance.now();
        options.onProgress?.({ type: 'task-start', index, total, workload: w.id, backend: rb.name, scope });
        const key = { workload: w.id, backend: rb.name, scope };
        let result: BenchResult;
        if (!support.ok) {
          result = { ...key, state: 'unsupported', reason: support.reason };
        } else {
          let task: Task | undefined;
          try {
            task = await makeTask(rb.backend, w, x, dy, scope);
            const p0 = performance.now();
            await task.check();
            const pilotMs = performance.now() - p0;
            const m = await measure(task.call, settings, pilotMs, `${w.id}/${rb.name}/${scope}`);
            if ('error' in m) {
              result = { ...key, state: 'errored', error: m.error };
            } else {
              const gbPerS = m.medianMs > 0 ? bytes / (m.medianMs / 1000) / 1e9 : null;
              result = {
                ...key, state: 'completed', via: task.via, ...m, gbPerS,
                fractionOfCopy: gbPerS === null ? null : gbPerS / (deviceCopies.get(rb.backend) ?? machine.copy).medianGBps,
                fractionOfRead: gbPerS === null || deviceCopies.has(rb.backend) ? null : gbPerS / machine.read.medianGBps,
              };
            }
          } catch (e) {
            result = { ...key, state: 'errored', error: errorText(e) };
          } finally {
            try {
              await task?.dispose();
            } catch { /* a failed cleanup does not change the measurement */ }
          }
        }
        results.push(result);
        options.onProgress?.({ type: 'task-done', index, total, result, elapsedMs: performance.now() - taskStart });
        index++;
      }
    }
  }
  return {
    schema: BENCH_SCHEMA,
    date: new Date(started).toISOString(),
    durationMs: performance.now() - t0,
    environment,
    settings,
    machine,
    backends: await Promise.all(options.backends.map(async (b) => {
      const copy = deviceCopies.get(b.backend);
      return { name: b.name, ref: b.ref, ...(isDeviceBackend(b.backend) ? { device: await b.backend.describeDevice() } : {}), ...(copy ? { deviceCopy: copy } : {}) };
    })),
    workloads: workloads.map(workloadRecord),
    results,
  };
}
