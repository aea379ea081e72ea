/**
 * The benchmark results file, schema "poolspec.bench/2" (bench/SCHEMA.md is the published description), and its
 * validator. `parseBenchResults` accepts JSON text or a parsed value and returns a typed, checked object, or
 * throws a BenchSchemaError that names the file kind it found or the first field that is wrong. A file of the
 * previous version, poolspec.bench/1, is read and upgraded (upgradeV1).
 *
 * Versioning: the schema string changes its number when a field is removed or changes meaning; fields may be
 * added within a version (readers ignore unknown fields).
 */
import { POOL_KINDS, type Layout, type PoolSpec } from '../spec/contract.js';
import type { Environment } from './env.js';
import type { MachineBandwidth, ProbeResult } from './probes.js';
import { classifySamples, type Clusters, type DistributionFlag, type LatencyStats } from './stats.js';
import type { SweepPoint } from './workloads.js';

export const BENCH_SCHEMA = 'poolspec.bench/2';
/** The previous version, still read (upgraded on reading). */
export const BENCH_SCHEMA_V1 = 'poolspec.bench/1';

/**
 * What one sample covers. Rows are compared only within a scope.
 * - 'call': the whole call as a user makes it: forward(spec, x) / backward(spec, x, dy) on JS arrays, validation,
 *   any copies in and out, and outputs the backend allocates afresh.
 * - 'call-reused': the whole call through the backend's optional plan() (CONTRACT.PLAN) into outputs allocated
 *   once: copies in and out included, no allocation; the plan is made outside the timing.
 * - 'op': the op alone, on data already where the backend keeps it, the output left there: the backend's
 *   resident() (webgpu, wasm) or, forward only, prepare() (the peers).
 */
export type Scope = 'call' | 'call-reused' | 'op';
export const SCOPES: readonly Scope[] = ['call', 'call-reused', 'op'];

/** The entry point a sample calls: forward()/backward(), plan.forward()/plan.backward(), resident().run(), prepare().run(). */
export type Via = 'forward' | 'backward' | 'plan' | 'resident' | 'prepare';
const VIAS: readonly Via[] = ['forward', 'backward', 'plan', 'resident', 'prepare'];

export interface BenchSettings {
  readonly quick: boolean;
  /** --filter patterns as given (empty: all). */
  readonly filter: readonly string[];
  /** --scopes: the scopes timed (absent in poolspec.bench/1 files, which timed 'call' and 'op'). */
  readonly scopes?: readonly Scope[];
  /** tinybench time budget per task (ms) and minimum samples. */
  readonly timeMs: number;
  readonly minSamples: number;
  readonly warmupMs: number;
  readonly warmupIterations: number;
  /** A task whose first call takes longer than this (ms) is measured with slowMinSamples calls instead. */
  readonly slowCallMs: number;
  readonly slowMinSamples: number;
  /**
   * A slow task takes at most about this long: its sample count is floor(maxTaskMs / first call), between 1 and
   * slowMinSamples (a library whose one call takes a minute is still measured, once).
   */
  readonly maxTaskMs: number;
  /** At most this many samples are stored per result (evenly spaced order statistics beyond it). */
  readonly maxStoredSamples: number;
  /**
   * Interleaved rounds: per workload and scope, every backend's task is sampled in this many rounds in turn, each
   * with 1/rounds of the time budget and minimum samples (absent in files written before it: 1).
   */
  readonly rounds?: number;
  /**
   * True: a backward workload and the forward workload of the same case (spec, shape, layout) were sampled in the
   * same rounds, their tasks open together (bench/runner.ts samplingGroups). Absent in files written before it:
   * false, each workload sampled on its own.
   */
  readonly pairDirections?: boolean;
}

export interface BackendRecord {
  readonly name: string;
  /** How it was loaded: a built-in name or a module path. */
  readonly ref: string;
  /** The device a GPU backend ran on (its adapter, and whether it is a software one), when it says. */
  readonly device?: string;
  /**
   * A GPU backend's device copy bandwidth, measured in the same run (ProbeResult of bench/probes.ts). Its rows'
   * fractionOfCopy is against this, not the host's copy, and their fractionOfRead is null.
   */
  readonly deviceCopy?: ProbeResult;
}

export interface WorkloadRecord {
  readonly id: string;
  readonly layer: string;
  readonly direction: 'forward' | 'backward';
  readonly spec: PoolSpec;
  readonly shape: readonly number[];
  readonly layout: Layout;
  readonly outShape: readonly number[];
  /** Minimum bytes moved per call (bench/workloads.ts workloadBytes). */
  readonly bytes: number;
  readonly quick: boolean;
  readonly sweep?: SweepPoint;
}

interface ResultKey {
  readonly workload: string;
  readonly backend: string;
  readonly scope: Scope;
}

/** Latency statistics over every sample taken (ms; bench/stats.ts latencyStats). */
export interface CompletedResult extends ResultKey, LatencyStats {
  readonly state: 'completed';
  readonly via: Via;
  readonly samplesCount: number;
  /** Latencies in ms, ascending: all of them, or maxStoredSamples evenly spaced order statistics. */
  readonly samples: readonly number[];
  /** bytes / median; null when the median is 0. */
  readonly gbPerS: number | null;
  /**
   * gbPerS as a fraction of copyGBps and of this run's read probe (may exceed 1 when the data fits in cache).
   * In files without copyGBps, against the copy probe taken at the start of the run (or the device's).
   */
  readonly fractionOfCopy: number | null;
  readonly fractionOfRead: number | null;
  /**
   * The copy bandwidth (GB/s) fractionOfCopy is against: for a host backend, the median of the copy passes taken
   * at the start of each round of its workload group and scope (bench/runner.ts), so in the same stretch of time
   * as its samples; for a GPU backend, its device's copy probe. Absent in files written before it.
   */
  readonly copyGBps?: number;
  /** bench/stats.ts classifySamples: null, or why the median is not one typical call ('bimodal', 'wide'). */
  readonly flag: DistributionFlag | null;
  /** The two clusters of a 'bimodal' row. */
  readonly clusters?: Clusters;
}

export interface UnsupportedResult extends ResultKey {
  readonly state: 'unsupported';
  readonly reason: string;
}

export interface ErroredResult extends ResultKey {
  readonly state: 'errored';
  readonly error: string;
}

export type BenchResult = CompletedResult | UnsupportedResult | ErroredResult;

export interface BenchResults {
  readonly schema: typeof BENCH_SCHEMA;
  /** Set when the file was written as an older version and upgraded on reading (e.g. "poolspec.bench/1"). */
  readonly upgradedFrom?: string;
  /** ISO 8601 start of the run. */
  readonly date: string;
  readonly durationMs: number;
  readonly environment: Environment;
  readonly settings: BenchSettings;
  readonly machine: MachineBandwidth;
  readonly backends: readonly BackendRecord[];
  readonly workloads: readonly WorkloadRecord[];
  readonly results: readonly BenchResult[];
}

/** A file that is not valid poolspec.bench results; the message says what and where. */
export class BenchSchemaError extends Error {
  override readonly name = 'BenchSchemaError';
}

// --- validation -------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function fail(path: string, want: string, got: unknown): never {
  throw new BenchSchemaError(`${path}: expected ${want}, got ${describe(got)}`);
}

function obj(v: unknown, path: string): Obj {
  if (!v || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) fail(path, 'an array', v);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'a boolean', v);
  return v;
}

function num(v: unknown, path: string, min = -Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(path, min === 0 ? 'a finite number ≥ 0' : 'a finite number', v);
  return v;
}

function int(v: unknown, path: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, `an integer ≥ ${min}`, v);
  return v;
}

function numOrNull(v: unknown, path: string): number | null {
  return v === null ? null : num(v, path, 0);
}

function strOrNull(v: unknown, path: string): string | null {
  return v === null ? null : str(v, path);
}

function oneOf<T extends string>(v: unknown, path: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(path, `one of ${values.join(', ')}`, v);
  return v as T;
}

function ints(v: unknown, path: string, min: number): number[] {
  return arr(v, path).map((x, i) => int(x, `${path}[${i}]`, min));
}

function checkSpec(v: unknown, path: string): PoolSpec {
  const o = obj(v, path);
  oneOf(o['kind'], `${path}.kind`, POOL_KINDS);
  const d = ints(o['kernel'], `${path}.kernel`, 1).length;
  for (const f of ['strides', 'dilations'] as const) {
    if (ints(o[f], `${path}.${f}`, 1).length !== d) fail(`${path}.${f}`, `${d} entries (one per kernel axis)`, o[f]);
  }
  if (ints(o['pads'], `${path}.pads`, 0).length !== 2 * d) fail(`${path}.pads`, `${2 * d} entries`, o['pads']);
  bool(o['ceilMode'], `${path}.ceilMode`);
  bool(o['countIncludePad'], `${path}.countIncludePad`);
  if (o['divisorOverride'] !== undefined) num(o['divisorOverride'], `${path}.divisorOverride`);
  if (o['p'] !== undefined) num(o['p'], `${path}.p`);
  return o as unknown as PoolSpec;
}

function checkProbe(v: unknown, path: string): ProbeResult {
  const o = obj(v, path);
  str(o['method'], `${path}.method`);
  int(o['bufferBytes'], `${path}.bufferBytes`, 1);
  int(o['bytesPerPass'], `${path}.bytesPerPass`, 1);
  num(o['medianGBps'], `${path}.medianGBps`, 0);
  num(o['maxGBps'], `${path}.maxGBps`, 0);
  arr(o['passesMs'], `${path}.passesMs`).forEach((x, i) => num(x, `${path}.passesMs[${i}]`, 0));
  return o as unknown as ProbeResult;
}

function checkEnvironment(v: unknown, path: string): Environment {
  const o = obj(v, path);
  const cpu = obj(o['cpu'], `${path}.cpu`);
  str(cpu['model'], `${path}.cpu.model`);
  int(cpu['cores'], `${path}.cpu.cores`, 1);
  numOrNull(cpu['speedMHz'], `${path}.cpu.speedMHz`);
  num(o['memoryBytes'], `${path}.memoryBytes`, 0);
  for (const f of ['platform', 'arch', 'osRelease', 'node', 'v8']) str(o[f], `${path}.${f}`);
  const pk = obj(o['packages'], `${path}.packages`);
  for (const [k, x] of Object.entries(pk)) strOrNull(x, `${path}.packages.${k}`);
  const g = obj(o['git'], `${path}.git`);
  strOrNull(g['commit'], `${path}.git.commit`);
  if (g['dirty'] !== null) bool(g['dirty'], `${path}.git.dirty`);
  return o as unknown as Environment;
}

function checkSettings(v: unknown, path: string): BenchSettings {
  const o = obj(v, path);
  bool(o['quick'], `${path}.quick`);
  arr(o['filter'], `${path}.filter`).forEach((x, i) => str(x, `${path}.filter[${i}]`));
  if (o['scopes'] !== undefined) arr(o['scopes'], `${path}.scopes`).forEach((x, i) => oneOf(x, `${path}.scopes[${i}]`, SCOPES));
  for (const f of ['timeMs', 'warmupMs', 'slowCallMs', 'maxTaskMs']) num(o[f], `${path}.${f}`, 0);
  for (const f of ['minSamples', 'warmupIterations', 'slowMinSamples', 'maxStoredSamples']) int(o[f], `${path}.${f}`, 0);
  if (o['rounds'] !== undefined) int(o['rounds'], `${path}.rounds`, 1);
  if (o['pairDirections'] !== undefined) bool(o['pairDirections'], `${path}.pairDirections`);
  return o as unknown as BenchSettings;
}

function checkWorkload(v: unknown, path: string): WorkloadRecord {
  const o = obj(v, path);
  str(o['id'], `${path}.id`);
  str(o['layer'], `${path}.layer`);
  oneOf(o['direction'], `${path}.direction`, ['forward', 'backward'] as const);
  const spec = checkSpec(o['spec'], `${path}.spec`);
  const shape = ints(o['shape'], `${path}.shape`, 1);
  if (shape.length !== spec.kernel.length + 2) fail(`${path}.shape`, `${spec.kernel.length + 2} dimensions (N, C and one per kernel axis)`, o['shape']);
  oneOf(o['layout'], `${path}.layout`, ['channels_first', 'channels_last'] as const);
  ints(o['outShape'], `${path}.outShape`, 0);
  num(o['bytes'], `${path}.bytes`, 0);
  bool(o['quick'], `${path}.quick`);
  if (o['sweep'] !== undefined) {
    const s = obj(o['sweep'], `${path}.sweep`);
    oneOf(s['axis'], `${path}.sweep.axis`, ['size', 'kernel'] as const);
    str(s['series'], `${path}.sweep.series`);
    num(s['value'], `${path}.sweep.value`);
  }
  return o as unknown as WorkloadRecord;
}

function checkResult(v: unknown, path: string): BenchResult {
  const o = obj(v, path);
  str(o['workload'], `${path}.workload`);
  str(o['backend'], `${path}.backend`);
  oneOf(o['scope'], `${path}.scope`, SCOPES);
  const state = oneOf(o['state'], `${path}.state`, ['completed', 'unsupported', 'errored'] as const);
  if (state === 'unsupported') { str(o['reason'], `${path}.reason`); return o as unknown as UnsupportedResult; }
  if (state === 'errored') { str(o['error'], `${path}.error`); return o as unknown as ErroredResult; }
  oneOf(o['via'], `${path}.via`, VIAS);
  if (o['flag'] !== null) oneOf(o['flag'], `${path}.flag`, ['bimodal', 'wide'] as const);
  if (o['clusters'] !== undefined) {
    const c = obj(o['clusters'], `${path}.clusters`);
    for (const f of ['lowerShare', 'lowerMedianMs', 'upperMedianMs']) num(c[f], `${path}.clusters.${f}`, 0);
  }
  for (const f of ['medianMs', 'meanMs', 'p99Ms', 'minMs', 'maxMs', 'madMs', 'rmePercent']) num(o[f], `${path}.${f}`, 0);
  const count = int(o['samplesCount'], `${path}.samplesCount`, 1);
  const samples = arr(o['samples'], `${path}.samples`).map((x, i) => num(x, `${path}.samples[${i}]`, 0));
  if (samples.length === 0) fail(`${path}.samples`, 'at least one sample', o['samples']);
  if (samples.length > count) fail(`${path}.samples`, `at most samplesCount (${count}) samples`, `${samples.length} samples`);
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]! < samples[i - 1]!) throw new BenchSchemaError(`${path}.samples: must be ascending (samples[${i}] = ${samples[i]} < samples[${i - 1}] = ${samples[i - 1]})`);
  }
  for (const f of ['gbPerS', 'fractionOfCopy', 'fractionOfRead']) numOrNull(o[f], `${path}.${f}`);
  if (o['copyGBps'] !== undefined) num(o['copyGBps'], `${path}.copyGBps`, 0);
  return o as unknown as CompletedResult;
}

/**
 * Checks a bench results file (JSON text or an already-parsed value) and returns it typed. Throws BenchSchemaError
 * for text that is not JSON, for another kind of file (e.g. `poolspec verify --json` output), for another version
 * of this schema, and for the first missing or malformed field, named by its path (e.g. `results[3].samples[2]`).
 */
export function parseBenchResults(input: unknown): BenchResults {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      throw new BenchSchemaError(`not JSON: ${(e as Error).message}`);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new BenchSchemaError(`not a poolspec bench results file: expected a JSON object with "schema": "${BENCH_SCHEMA}", got ${describe(value)}`);
  }
  let o = value as Obj;
  const schema = o['schema'];
  if (typeof schema !== 'string') {
    throw new BenchSchemaError(`not a poolspec bench results file: no "schema" field (expected "${BENCH_SCHEMA}")`);
  }
  if (schema === BENCH_SCHEMA_V1) o = upgradeV1(o);
  else if (schema !== BENCH_SCHEMA) {
    if (schema.startsWith('poolspec.bench/')) {
      throw new BenchSchemaError(`unsupported bench results version "${schema}"; this poolspec reads "${BENCH_SCHEMA}" and "${BENCH_SCHEMA_V1}"`);
    }
    throw new BenchSchemaError(`not a poolspec bench results file: its schema is "${schema}", expected "${BENCH_SCHEMA}"`);
  }
  str(o['date'], 'date');
  if (Number.isNaN(Date.parse(o['date'] as string))) fail('date', 'an ISO 8601 date', o['date']);
  num(o['durationMs'], 'durationMs', 0);
  checkEnvironment(o['environment'], 'environment');
  checkSettings(o['settings'], 'settings');
  const m = obj(o['machine'], 'machine');
  checkProbe(m['copy'], 'machine.copy');
  checkProbe(m['read'], 'machine.read');
  if (m['firstTouch'] !== undefined) {
    const f = obj(m['firstTouch'], 'machine.firstTouch');
    checkProbe(f['fresh'], 'machine.firstTouch.fresh');
    checkProbe(f['reused'], 'machine.firstTouch.reused');
  }
  if (o['upgradedFrom'] !== undefined) str(o['upgradedFrom'], 'upgradedFrom');
  const backends = arr(o['backends'], 'backends').map((b, i) => {
    const x = obj(b, `backends[${i}]`);
    const device = x['device'] === undefined ? {} : { device: str(x['device'], `backends[${i}].device`) };
    const deviceCopy = x['deviceCopy'] === undefined ? {} : { deviceCopy: checkProbe(x['deviceCopy'], `backends[${i}].deviceCopy`) };
    return { name: str(x['name'], `backends[${i}].name`), ref: str(x['ref'], `backends[${i}].ref`), ...device, ...deviceCopy };
  });
  const workloads = arr(o['workloads'], 'workloads').map((w, i) => checkWorkload(w, `workloads[${i}]`));
  const results = arr(o['results'], 'results').map((r, i) => checkResult(r, `results[${i}]`));

  const unique = (what: string, keys: readonly string[]): void => {
    const seen = new Set<string>();
    for (const k of keys) {
      if (seen.has(k)) throw new BenchSchemaError(`${what}: "${k}" appears twice`);
      seen.add(k);
    }
  };
  unique('backends', backends.map((b) => b.name));
  unique('workloads', workloads.map((w) => w.id));
  unique('results', results.map((r) => `${r.workload} × ${r.backend} × ${r.scope}`));
  const wIds = new Set(workloads.map((w) => w.id));
  const bNames = new Set(backends.map((b) => b.name));
  results.forEach((r, i) => {
    if (!wIds.has(r.workload)) throw new BenchSchemaError(`results[${i}].workload: "${r.workload}" is not in workloads`);
    if (!bNames.has(r.backend)) throw new BenchSchemaError(`results[${i}].backend: "${r.backend}" is not in backends`);
  });
  return o as unknown as BenchResults;
}

/**
 * A poolspec.bench/1 object in poolspec.bench/2's form, before validation. In v1 a result's `timed` said what a
 * sample covered ('call' | 'prepared' | 'resident') and a GPU backend's kernels-alone rows were a backend of their
 * own, `NAME:kernels`; in v2 that is the result's `scope` and `via`, under the backend's own name. The flag is
 * computed from the stored samples. Anything malformed is left for the v2 validator to name.
 */
function upgradeV1(v1: Obj): Obj {
  const direction = new Map<unknown, unknown>();
  if (Array.isArray(v1['workloads'])) for (const w of v1['workloads'] as unknown[]) if (w && typeof w === 'object') direction.set((w as Obj)['id'], (w as Obj)['direction']);
  const kernels = (name: unknown): boolean => typeof name === 'string' && name.endsWith(':kernels');
  const own = (name: unknown): unknown => (kernels(name) ? (name as string).slice(0, -':kernels'.length) : name);
  const backends: unknown[] | undefined = Array.isArray(v1['backends']) ? (v1['backends'] as unknown[]) : undefined;
  const names = new Set(backends ? backends.map((b) => (b && typeof b === 'object' ? (b as Obj)['name'] : undefined)) : []);
  const results = Array.isArray(v1['results']) ? (v1['results'] as unknown[]).map((r) => {
    if (!r || typeof r !== 'object') return r;
    const { timed, ...rest } = r as Obj;
    const op = timed === 'prepared' || timed === 'resident' || (timed === undefined && kernels(rest['backend']));
    const out: Obj = { ...rest, backend: own(rest['backend']), scope: op ? 'op' : 'call' };
    if (rest['state'] === 'completed') {
      out['via'] = timed === 'prepared' ? 'prepare' : timed === 'resident' ? 'resident' : direction.get(rest['workload']);
      const samples = rest['samples'];
      out['flag'] = Array.isArray(samples) && (samples as unknown[]).every((x): x is number => typeof x === 'number') ? classifySamples(samples).flag : null;
    }
    return out;
  }) : v1['results'];
  return {
    ...v1,
    schema: BENCH_SCHEMA,
    upgradedFrom: BENCH_SCHEMA_V1,
    // NAME:kernels rows now belong to NAME (kept as a backend only if NAME itself is missing).
    backends: backends
      ? backends.filter((b) => !(b && typeof b === 'object' && kernels((b as Obj)['name']) && names.has(own((b as Obj)['name']))))
        .map((b) => (b && typeof b === 'object' ? { ...(b as Obj), name: own((b as Obj)['name']) } : b))
      : v1['backends'],
    results,
  };
}

/** The file's text: 2-space JSON with arrays of numbers (shapes, samples) kept on one line, and a final newline. */
export function serializeBenchResults(results: BenchResults): string {
  return `${JSON.stringify(results, null, 2).replace(/\[\s+(-?[\d.eE+-]+(?:,\s+-?[\d.eE+-]+)*)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, '')}]`)}\n`;
}
