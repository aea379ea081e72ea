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
 * runnable in minutes. With settings.rounds = N > 1 (the full run's default) a workload's backends, per scope,
 * take turns: N rounds of warm-up and 1/N of the sampling each (sampleRound), statistics over all rounds' samples
 * (summariseSamples). With settings.pairDirections (the default) a backward workload and the forward workload of
 * the same case take their turns in the same rounds (samplingGroups). Timings are for reading; tests never assert
 * on them.
 */
import { Bench } from 'tinybench';
import type { PoolingBackend, Support, Tensor } from '../spec/contract.js';
import { isDeviceBackend, isForwardOnlyAware, isPlanning, isPreparable, isResident } from '../spec/extensions.js';
import { product } from '../spec/geometry.js';
import { collectEnvironment } from './env.js';
import { COPY_METHOD, copyPasses, defaultProbeBytes, measureBandwidth, summarise, type MachineBandwidth, type ProbeResult } from './probes.js';
import {
  BENCH_SCHEMA, SCOPES, type BenchResult, type BenchResults, type BenchSettings, type CompletedResult, type Scope, type Via, type WorkloadRecord,
} from './schema.js';
import { classifySamples, latencyStats, thinSorted } from './stats.js';
import { ALL_WORKLOADS, caseKey, matchesFilter, workloadBytes, workloadOutShape, type Workload } from './workloads.js';

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
  /**
   * The copy pass taken at the start of every round of every group, returning its ms (default: one
   * `Float32Array.prototype.set` over the probe's buffers, bench/probes.ts copyPasses); tests plant their own.
   */
  readonly copyPass?: () => number;
}

export function defaultSettings(quick: boolean, filter: readonly string[] = []): BenchSettings {
  const scopes = [...SCOPES];
  return quick
    ? { quick, filter: [...filter], scopes, timeMs: 150, minSamples: 8, warmupMs: 30, warmupIterations: 2, slowCallMs: 500, slowMinSamples: 3, maxTaskMs: 10_000, maxStoredSamples: 500, rounds: 1, pairDirections: true }
    : { quick, filter: [...filter], scopes, timeMs: 1000, minSamples: 10, warmupMs: 200, warmupIterations: 3, slowCallMs: 1000, slowMinSamples: 5, maxTaskMs: 30_000, maxStoredSamples: 500, rounds: 5, pairDirections: true };
}

/**
 * The workloads whose tasks are open and sampled together, per scope, in the same rounds: with `pair`, those of
 * one case (bench/workloads.ts caseKey), i.e. a backward workload and the forward of the same layer; else each
 * workload alone. A group's turns then fall in the same stretch of time, so that the backward ÷ forward ratio
 * (bench/summary.ts backwardOverForward) is taken between samples that met the same disturbances from the rest
 * of the machine, as the rows of two backends are. Groups come in the order of their first workload.
 */
export function samplingGroups(workloads: readonly Workload[], pair: boolean): Workload[][] {
  if (!pair) return workloads.map((w) => [w]);
  const groups = new Map<string, Workload[]>();
  for (const w of workloads) {
    const key = caseKey(w);
    const group = groups.get(key);
    if (group) group.push(w);
    else groups.set(key, [w]);
  }
  return [...groups.values()];
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

/**
 * The samples of round `round` of `rounds` of a task (tinybench's warm-up, then its measurement): a fast task gets
 * 1/rounds of the time budget and of the minimum sample count, and the full warm-up iterations (each round follows
 * other backends' calls); a slow one (pilot call over slowCallMs) gets its share of its calls and no warm-up, so
 * that over all rounds it makes floor(maxTaskMs / pilot) calls, between 1 and slowMinSamples, as with one round.
 */
export async function sampleRound(
  call: Call, settings: BenchSettings, pilotMs: number, label: string, round = 0, rounds = 1,
): Promise<number[] | { error: string }> {
  const slow = pilotMs > settings.slowCallMs;
  const slowSamples = Math.max(1, Math.min(settings.slowMinSamples, Math.floor(settings.maxTaskMs / Math.max(pilotMs, 1e-3))));
  // Σ over the rounds of floor((n + r) / rounds) is n (Hermite's identity): the calls spread as evenly as they can.
  const slowShare = Math.floor((slowSamples + round) / rounds);
  if (slow && slowShare === 0) return [];
  const bench = new Bench(slow
    ? { time: 0, iterations: slowShare, warmup: false, retainSamples: true, throws: false }
    : {
      time: settings.timeMs / rounds, iterations: Math.ceil(settings.minSamples / rounds), warmupTime: settings.warmupMs / rounds,
      warmupIterations: settings.warmupIterations, retainSamples: true, throws: false,
    });
  bench.add(label, async () => { await call(); });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') return { error: r.state === 'errored' ? errorText(r.error) : `tinybench ended in state ${r.state}` };
  return [...(r.latency.samples ?? [])];
}

/** A result's statistics, flag and stored samples from all of a task's samples (any order). */
export function summariseSamples(samples: readonly number[], settings: BenchSettings): Measured {
  const sorted = [...samples].sort((a, b) => a - b);
  const shape = classifySamples(sorted);
  return {
    ...latencyStats(sorted), samplesCount: sorted.length, samples: thinSorted(sorted, settings.maxStoredSamples).map(round6),
    flag: shape.flag, ...(shape.clusters ? { clusters: shape.clusters } : {}),
  };
}

/** One task measured on its own, in one round (the sampling of a single backend, as `measure` always was). */
export async function measure(call: Call, settings: BenchSettings, pilotMs: number, label: string): Promise<Measured | { error: string }> {
  const samples = await sampleRound(call, settings, pilotMs, label);
  return 'error' in samples ? samples : summariseSamples(samples, settings);
}

/** One backend's task on one workload of a sampling group, in one scope, while its rounds run. */
interface Slot {
  readonly index: number;
  /** Its workload's place in the selection (the results' order). */
  readonly workload: number;
  readonly backend: number;
  readonly key: { readonly workload: string; readonly backend: string; readonly scope: Scope };
  task?: Task;
  via?: Via;
  pilotMs: number;
  samples: number[];
  /** The wall time spent on this task (opening, pilot, its rounds). */
  busyMs: number;
  /** Set when the task ends early (unsupported, or errored opening or in a round), else from its samples at the end. */
  result?: BenchResult;
}

/** Whether a backend runs a workload (in its direction), a throwing supports() counting as no. */
function supportOf(b: PoolingBackend, w: Workload): Support {
  try {
    const support = b.supports(w.spec, w.shape, w.layout);
    if (support.ok && w.direction === 'backward' && isForwardOnlyAware(b)) return b.supportsBackward(w.spec, w.shape, w.layout);
    return support;
  } catch (e) {
    return { ok: false, reason: `supports() threw: ${errorText(e)}` };
  }
}

/** Disposes a slot's task once (a failed cleanup does not change the measurement). */
async function closeTask(slot: Slot): Promise<void> {
  const task = slot.task;
  slot.task = undefined;
  try {
    await task?.dispose();
  } catch { /* nothing to do */ }
}

/** A completed result: the statistics and the bandwidth they imply against the copy probe it is compared with. */
function completed(slot: Slot, m: Measured, bytes: number, copy: ProbeResult, machine: MachineBandwidth, onDevice: boolean): BenchResult {
  const gbPerS = m.medianMs > 0 ? bytes / (m.medianMs / 1000) / 1e9 : null;
  return {
    ...slot.key, state: 'completed', via: slot.via!, ...m, gbPerS, copyGBps: copy.medianGBps,
    fractionOfCopy: gbPerS === null ? null : gbPerS / copy.medianGBps,
    fractionOfRead: gbPerS === null || onDevice ? null : gbPerS / machine.read.medianGBps,
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

  // The copy passes of the rounds: the host's copy bandwidth while a group runs, the reference of its rows' % of
  // copy (the probe above was taken once, at the start, and a shared machine's bandwidth moves over a run). Each
  // timed pass follows an untimed one, as the probe's passes follow its warm-up: the first pass after other work
  // is the slower (on this 2-core VM 21–32 GB/s against 33–35 for the passes after it, nine tries each).
  const copyPass = options.copyPass ?? ((c) => (): number => {
    c.pass();
    return c.pass();
  })(copyPasses(bufferBytes));
  const wanted = new Set(settings.scopes ?? SCOPES);
  const rounds = Math.max(1, settings.rounds ?? 1);
  const plans = workloads.map((w) => options.backends.map((rb) => scopesOf(rb.backend, w.direction).filter((sc) => wanted.has(sc))));
  const total = plans.flat().reduce((n, scopes) => n + scopes.length, 0);
  const done: Slot[] = [];
  let index = 0;
  for (const members of samplingGroups(workloads, settings.pairDirections ?? false)) {
    // One case per group (its workloads differ in direction only): the same x and dy for all of them.
    const first = members[0]!;
    const outShape = workloadOutShape(first);
    const x: Tensor = { shape: [...first.shape], data: lcgData(product(first.shape), 1), layout: first.layout };
    const dy: Tensor = { shape: outShape, data: lcgData(product(outShape), 2), layout: first.layout };
    const cases = members.map((w) => ({ w, wi: workloads.indexOf(w), bytes: workloadBytes(w), support: options.backends.map((rb) => supportOf(rb.backend, w)) }));
    // One group per scope: every task in it (each workload's backends) is opened, sampled in `rounds` interleaved
    // rounds (each round in a rotated order), then closed. A disturbance from the rest of the machine then falls
    // on every task's samples alike instead of on one task.
    for (const scope of SCOPES.filter((sc) => wanted.has(sc))) {
      const group: Slot[] = [];
      for (const { w, wi, support } of cases) {
        for (const [bi, rb] of options.backends.entries()) {
          if (!plans[wi]![bi]!.includes(scope)) continue;
          const slot: Slot = { index: index++, workload: wi, backend: bi, key: { workload: w.id, backend: rb.name, scope }, pilotMs: 0, samples: [], busyMs: 0 };
          options.onProgress?.({ type: 'task-start', index: slot.index, total, workload: w.id, backend: rb.name, scope });
          const t0 = performance.now();
          const ok = support[bi]!;
          if (!ok.ok) slot.result = { ...slot.key, state: 'unsupported', reason: ok.reason };
          else {
            try {
              slot.task = await makeTask(rb.backend, w, x, dy, scope);
              slot.via = slot.task.via;
              const p0 = performance.now();
              await slot.task.check();
              slot.pilotMs = performance.now() - p0;
            } catch (e) {
              slot.result = { ...slot.key, state: 'errored', error: errorText(e) };
              await closeTask(slot);
            }
          }
          slot.busyMs += performance.now() - t0;
          group.push(slot);
        }
      }
      const copyMs: number[] = [];
      try {
        for (let r = 0; r < rounds; r++) {
          const live = group.filter((sl) => sl.result === undefined);
          if (live.length > 0) copyMs.push(copyPass());
          for (let j = 0; j < live.length; j++) {
            const slot = live[(j + r) % live.length]!;
            const t0 = performance.now();
            const got = await sampleRound(slot.task!.call, settings, slot.pilotMs, `${slot.key.workload}/${slot.key.backend}/${scope}`, r, rounds);
            if ('error' in got) {
              slot.result = { ...slot.key, state: 'errored', error: got.error };
              await closeTask(slot);
            } else slot.samples.push(...got);
            slot.busyMs += performance.now() - t0;
          }
        }
      } finally {
        // The group's tasks are held open together (peak memory: the sum of the backends' footprints for the
        // group's workloads in one scope), and closed together, whatever happened.
        for (const slot of group) await closeTask(slot);
      }
      const hostCopy = copyMs.length ? summarise(COPY_METHOD, bufferBytes, 2 * bufferBytes, copyMs) : machine.copy;
      for (const slot of group) {
        if (slot.result === undefined) {
          const rb = options.backends[slot.backend]!;
          const copy = deviceCopies.get(rb.backend) ?? hostCopy;
          slot.result = completed(slot, summariseSamples(slot.samples, settings), cases.find((c) => c.wi === slot.workload)!.bytes, copy, machine, deviceCopies.has(rb.backend));
        }
        options.onProgress?.({ type: 'task-done', index: slot.index, total, result: slot.result, elapsedMs: slot.busyMs });
        done.push(slot);
      }
    }
  }
  // Results in the order of the workloads, then of a workload's backends, then scopes.
  done.sort((a, b) => a.workload - b.workload || a.backend - b.backend || SCOPES.indexOf(a.key.scope) - SCOPES.indexOf(b.key.scope));
  const results = done.map((slot) => slot.result!);
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
