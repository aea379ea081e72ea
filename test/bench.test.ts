/**
 * The benchmark's contracts, never its timings: the results schema rejects corrupt and foreign files with a
 * message naming the problem; `poolspec compare` flags a planted 30% slowdown and passes two runs drawn from one
 * distribution (synthetic samples, bench/synthetic.ts, seeded); and `poolspec bench --quick` runs end to end and
 * writes a file that validates. No assertion here depends on how fast anything is.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareResults } from '../bench/compare.js';
import { BENCH_SCHEMA, BENCH_SCHEMA_V1, BenchSchemaError, parseBenchResults, serializeBenchResults, type BenchResult, type BenchResults, type CompletedResult } from '../bench/schema.js';
import { BIMODAL_GAP, WIDE_RATIO, bootstrapRatioOfMedians, classifySamples, latencyStats, medianSorted, thinSorted } from '../bench/stats.js';
import { mulberry32 } from '../spec/seeds.js';
import { syntheticResults } from '../bench/synthetic.js';
import { ALL_WORKLOADS, WORKLOADS, caseKey, matchesFilter, workloadOutShape, type Workload } from '../bench/workloads.js';
import { OWN_BACKENDS } from '../kernels/registry.js';
import { runBench, samplingGroups, scopesOf } from '../bench/runner.js';
import { backwardOverForward } from '../bench/summary.js';
import type { PoolingBackend, Tensor } from '../spec/contract.js';
import { product } from '../spec/geometry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'poolspec.js');

interface Run { code: number; stdout: string; stderr: string }

function cli(args: readonly string[], timeout = 150_000): Promise<Run> {
  return new Promise<Run>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let dir = '';
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs "npm run build")`);
  dir = mkdtempSync(join(tmpdir(), 'poolspec-bench-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Path = readonly (string | number)[];

/**
 * A deep copy of `r` as plain JSON data with the value at `path` replaced by `change(old)`, or removed where
 * `change` returns undefined. The copy is `unknown`: a corrupt file has no type, the parser must find out.
 */
function corrupted(r: BenchResults, path: Path, change: (old: unknown) => unknown): unknown {
  const o: unknown = JSON.parse(JSON.stringify(r));
  let parent = o as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const next = change(parent[key]);
  if (next === undefined) delete parent[key];
  else parent[key] = next;
  return o;
}

/** A bench file as plain JSON, for building files of another shape (an old schema) field by field. */
type LooseRow = Record<string, unknown> & { workload: string; backend: string; state: string; samples?: number[]; samplesCount?: number };
interface LooseFile {
  [key: string]: unknown;
  schema: string;
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  backends: { name: string; ref: string }[];
  results: LooseRow[];
}
function copy(r: BenchResults): LooseFile {
  return JSON.parse(JSON.stringify(r)) as LooseFile;
}

/** A change that sets a fixed value. */
const to = (value: unknown) => (): unknown => value;

function rejects(value: unknown, message: RegExp): void {
  expect(() => parseBenchResults(value)).toThrow(BenchSchemaError);
  expect(() => parseBenchResults(value)).toThrow(message);
}

describe('results schema (poolspec.bench/2)', () => {
  const good = syntheticResults({ seed: 1 });

  test('a valid file round-trips through its text form', () => {
    const text = serializeBenchResults(good);
    const back = parseBenchResults(text);
    expect(back.schema).toBe(BENCH_SCHEMA);
    expect(back).toEqual(good);
    expect(text.endsWith('\n')).toBe(true);
  });

  test('foreign files are refused by kind', () => {
    rejects('{"schema": "poolspec.verify/1", "backends": []}', /schema is "poolspec\.verify\/1", expected "poolspec\.bench\/2"/);
    rejects({ name: 'poolspec', version: '0.1.0' }, /no "schema" field/);
    rejects('[1, 2, 3]', /not a poolspec bench results file.*got an array/);
    rejects('not json at all', /not JSON/);
    rejects('', /not JSON/);
    rejects(null, /not a poolspec bench results file/);
    rejects(corrupted(good, ['schema'], to('poolspec.bench/3')), /unsupported bench results version "poolspec\.bench\/3"/);
  });

  test('corrupt fields are named by their path', () => {
    const cases: [Path, (old: unknown) => unknown, RegExp][] = [
      [['results', 3, 'samples', 2], to('fast'), /results\[3\]\.samples\[2\]: expected a finite number ≥ 0, got "fast"/],
      [['results', 0, 'samples', 1], to(-1), /results\[0\]\.samples\[1\]/],
      [['results', 0, 'samples'], (s) => [...(s as number[])].reverse(), /results\[0\]\.samples: must be ascending/],
      [['results', 0, 'samples'], to([]), /results\[0\]\.samples: expected at least one sample/],
      [['results', 1, 'medianMs'], to(null), /results\[1\]\.medianMs: expected a finite number/],
      [['results', 1, 'state'], to('done'), /results\[1\]\.state: expected one of completed, unsupported, errored/],
      [['environment'], to(undefined), /environment: expected an object, got undefined/],
      [['environment', 'cpu', 'cores'], to(0), /environment\.cpu\.cores: expected an integer ≥ 1/],
      [['machine', 'copy', 'medianGBps'], to('x'), /machine\.copy\.medianGBps/],
      [['workloads', 0, 'spec', 'pads'], to([0]), /workloads\[0\]\.spec\.pads: expected 4 entries/],
      [['workloads', 0, 'shape'], to([1, 64]), /workloads\[0\]\.shape: expected 4 dimensions/],
      [['results', 0, 'workload'], to('no-such-workload'), /results\[0\]\.workload: "no-such-workload" is not in workloads/],
      [['results', 0, 'backend'], to('ghost'), /results\[0\]\.backend: "ghost" is not in backends/],
      [['results'], (rs) => [...(rs as unknown[]), (rs as unknown[])[0]], /results: ".* × call" appears twice/],
      [['results', 2, 'scope'], to('kernels'), /results\[2\]\.scope: expected one of call, call-reused, op/],
      [['results', 2, 'via'], to(undefined), /results\[2\]\.via: expected one of forward, backward, plan, resident, prepare/],
      [['results', 2, 'flag'], to('odd'), /results\[2\]\.flag: expected one of bimodal, wide/],
      [['results', 0, 'copyGBps'], to(-1), /results\[0\]\.copyGBps: expected a finite number ≥ 0, got number -1/],
      [['settings', 'pairDirections'], to('yes'), /settings\.pairDirections/],
      [['machine', 'firstTouch', 'fresh', 'medianGBps'], to(-1), /machine\.firstTouch\.fresh\.medianGBps/],
      [['settings', 'scopes', 1], to('all'), /settings\.scopes\[1\]: expected one of call, call-reused, op/],
      [['date'], to('yesterday'), /date: expected an ISO 8601 date/],
      [['results'], to({}), /results: expected an array, got an object/],
    ];
    for (const [path, change, message] of cases) rejects(corrupted(good, path, change), message);
  });

  test('one workload and backend may have a row per scope (the same scope twice is refused: see the corrupt fields)', () => {
    const o = copy(good);
    const first = o.results[0]!;
    o.results.push({ ...first, scope: 'op', via: 'resident' }, { ...first, scope: 'call-reused', via: 'plan' });
    expect(parseBenchResults(o).results.filter((r) => r.workload === first.workload && r.backend === first.backend).map((r) => r.scope)).toEqual(['call', 'op', 'call-reused']);
  });

  test('a poolspec.bench/1 file is read: timed becomes scope and via, NAME:kernels rows become NAME\'s op rows, flags are computed', () => {
    // A v1 file as `poolspec bench` wrote it: `timed`, no flag, the GPU backend's kernels-alone rows as a backend of their own.
    const v1 = copy(good);
    v1.schema = BENCH_SCHEMA_V1;
    delete v1.machine.firstTouch;
    delete v1.settings.scopes;
    v1.backends.push({ name: 'naive:kernels', ref: 'naive' });
    const extra: LooseRow[] = [];
    for (const r of v1.results) {
      delete r.via;
      delete r.flag;
      delete r.clusters;
      if (r.state === 'completed') r.timed = 'call';
      if (r.backend === 'naive' && r.state === 'completed') extra.push({ ...r, backend: 'naive:kernels', timed: 'resident' });
    }
    v1.results.push(...extra);
    const bimodal = v1.results.find((r) => r.state === 'completed')!;
    bimodal.samples = [...new Array<number>(10).fill(1), ...new Array<number>(10).fill(5)];
    bimodal.samplesCount = 20;
    const read = parseBenchResults(JSON.stringify(v1));
    expect(read.schema).toBe(BENCH_SCHEMA);
    expect(read.upgradedFrom).toBe(BENCH_SCHEMA_V1);
    expect(read.backends.map((b) => b.name)).toEqual(good.backends.map((b) => b.name));
    const ops = read.results.filter((r): r is CompletedResult => r.scope === 'op' && r.state === 'completed');
    expect(ops).toHaveLength(extra.length);
    expect(ops.every((r) => r.backend === 'naive' && r.via === 'resident')).toBe(true);
    const calls = read.results.filter((r): r is CompletedResult => r.scope === 'call' && r.state === 'completed');
    const direction = new Map(read.workloads.map((w) => [w.id, w.direction]));
    expect(calls.every((r) => r.via === direction.get(r.workload))).toBe(true);
    expect(calls.find((r) => r.workload === bimodal.workload && r.backend === bimodal.backend)!.flag).toBe('bimodal');
    // And it compares with a v2 file of the same numbers: every whole-call pair unchanged.
    const c = compareResults(read, good);
    expect(c.rows.filter((r) => r.scope === 'call' && r.verdict === 'regression')).toEqual([]);
  });

  test('a truncated file is refused', () => {
    const text = serializeBenchResults(good);
    rejects(text.slice(0, text.length / 2), /not JSON/);
  });
});

describe('statistics', () => {
  test('thinning keeps the extremes and the median of a sorted sample', () => {
    const s = Array.from({ length: 10_001 }, (_, i) => i);
    const t = thinSorted(s, 501);
    expect(t).toHaveLength(501);
    expect(t[0]).toBe(0);
    expect(t[500]).toBe(10_000);
    expect(medianSorted(t)).toBe(5000);
    expect(thinSorted([3, 4], 500)).toEqual([3, 4]);
  });

  test('the bootstrap CI is deterministic for a seed and holds the point estimate', () => {
    const a = Array.from({ length: 40 }, (_, i) => 10 + (i % 7));
    const b = Array.from({ length: 50 }, (_, i) => 20 + (i % 5));
    const opts = { confidence: 0.95, resamples: 2000, seed: 42 };
    const x = bootstrapRatioOfMedians(a, b, opts);
    expect(bootstrapRatioOfMedians(a, b, opts)).toEqual(x);
    expect(x.ratio).toBeCloseTo(13 / 22, 12);
    expect(x.lo).toBeLessThanOrEqual(x.ratio);
    expect(x.hi).toBeGreaterThanOrEqual(x.ratio);
    const same = bootstrapRatioOfMedians(a, a, opts);
    expect(same.lo).toBeLessThanOrEqual(1);
    expect(same.hi).toBeGreaterThanOrEqual(1);
  });
});

describe('latency statistics of merged rounds (bench/stats.ts latencyStats)', () => {
  test('a five-sample case worked by hand', () => {
    // [1, 2, 3, 4, 10]: median 3, mean 4; p99 at position 4·0.99 = 3.96, 4 + 0.96·6; |x − 3| = 0 1 1 2 7, median 1;
    // variance 50 / 4, sem √12.5 / √5 = 1.58114, Student's t for 4 degrees of freedom 2.776: rme 1.58114·2.776 / 4.
    const s = latencyStats([1, 2, 3, 4, 10]);
    expect(s).toMatchObject({ medianMs: 3, meanMs: 4, minMs: 1, maxMs: 10, madMs: 1 });
    expect(s.p99Ms).toBeCloseTo(9.76, 12);
    expect(s.rmePercent).toBeCloseTo((Math.sqrt(12.5 / 5) * 2.776 / 4) * 100, 10);
  });

  test('one sample has no margin of error; none is an error', () => {
    expect(latencyStats([2])).toMatchObject({ medianMs: 2, meanMs: 2, p99Ms: 2, madMs: 0, rmePercent: 0 });
    expect(() => latencyStats([])).toThrow(RangeError);
  });

  test('beyond 31 samples the normal quantile 1.96 is used', () => {
    const s = Array.from({ length: 100 }, (_, i) => 1 + (i % 2));
    const sd = Math.sqrt((100 * 0.25) / 99);
    expect(latencyStats(s).rmePercent).toBeCloseTo(((1.96 * sd) / 10 / 1.5) * 100, 10);
  });
});

/** A small forward workload for the runner's own tests. */
const GAP = ALL_WORKLOADS.find((w) => w.id === 'resnet-global-avg')!;
/** GAP's backward, the same case under another ID. */
const GAP_BWD: Workload = { ...GAP, id: 'gap-bwd', direction: 'backward' };

/**
 * A backend that logs every forward call by name into `log` (and fails from call `failAt` on, where given), for
 * the runner's interleaving: the order of calls, not their speed, is what is checked.
 */
function loggingBackend(name: string, log: string[], failAt = Infinity): PoolingBackend {
  let calls = 0;
  const shape = workloadOutShape(GAP);
  return {
    name,
    supports: () => ({ ok: true }),
    forward: async () => {
      if (++calls >= failAt) throw new Error(`${name} planted failure`);
      log.push(name);
      return { y: { shape, data: new Float32Array(product(shape)) } };
    },
    backward: async (_spec, x: Tensor) => {
      log.push(`${name}'`);
      return { shape: [...x.shape], data: new Float32Array(x.data.length) };
    },
  };
}

/** The log with each run of one backend's consecutive calls collapsed to one entry. */
function turns(log: readonly string[]): string[] {
  return log.filter((v, i) => i === 0 || log[i - 1] !== v);
}

describe('interleaved rounds (bench/runner.ts, settings.rounds)', () => {
  const workloads = [GAP];
  const settings = { scopes: ['call' as const], timeMs: 6, minSamples: 3, warmupMs: 0, warmupIterations: 1 };
  const probe = { bufferBytes: 1 << 20, trials: 1 };

  test('each round runs every backend in turn, the order rotated by one per round; rows stay in backend order', async () => {
    const log: string[] = [];
    const backends = ['a', 'b', 'c'].map((n) => ({ name: n, ref: n, backend: loggingBackend(n, log) }));
    const r = await runBench({ backends, workloads, settings: { ...settings, rounds: 3 }, probe });
    // Opening: one check call each, in order; then round 0: a b c, round 1: b c a, round 2: c a b.
    expect(turns(log)).toEqual(turns(['a', 'b', 'c', 'a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']));
    expect(r.settings.rounds).toBe(3);
    expect(r.results.map((x) => `${x.backend}/${x.state}`)).toEqual(['a/completed', 'b/completed', 'c/completed']);
    for (const x of r.results) {
      if (x.state !== 'completed') continue;
      // Each round takes at least ceil(3 / 3) = 1 sample after its warm-up call: every sample is a logged call.
      expect(x.samplesCount).toBeGreaterThanOrEqual(3);
      expect(x.samplesCount).toBeLessThanOrEqual(log.filter((n) => n === x.backend).length);
      expect(x.samples).toHaveLength(Math.min(x.samplesCount, r.settings.maxStoredSamples));
    }
  });

  test('one round times each backend in one piece', async () => {
    const log: string[] = [];
    const backends = ['a', 'b'].map((n) => ({ name: n, ref: n, backend: loggingBackend(n, log) }));
    await runBench({ backends, workloads, settings: { ...settings, rounds: 1 }, probe });
    expect(turns(log)).toEqual(['a', 'b', 'a', 'b']);
  });

  test('a backward workload and its forward take their turns in the same rounds (pairDirections); rows stay in workload order', async () => {
    const log: string[] = [];
    const backends = ['a', 'b'].map((n) => ({ name: n, ref: n, backend: loggingBackend(n, log) }));
    // The backward first in the selection: the group starts with it, the rows still follow the selection.
    const r = await runBench({ backends, workloads: [GAP_BWD, GAP], settings: { ...settings, rounds: 2, pairDirections: true }, probe });
    // Opening: a' b' (the backward's tasks), a b; round 0: a' b' a b; round 1, rotated by one: b' a b a'.
    expect(turns(log)).toEqual(turns(["a'", "b'", 'a', 'b', "a'", "b'", 'a', 'b', "b'", 'a', 'b', "a'"]));
    expect(r.settings.pairDirections).toBe(true);
    expect(r.results.map((x) => `${x.workload}/${x.backend}/${x.state}`)).toEqual(['gap-bwd/a/completed', 'gap-bwd/b/completed', 'resnet-global-avg/a/completed', 'resnet-global-avg/b/completed']);
  });

  test('without pairDirections each workload takes its rounds alone', async () => {
    const log: string[] = [];
    const backends = ['a', 'b'].map((n) => ({ name: n, ref: n, backend: loggingBackend(n, log) }));
    await runBench({ backends, workloads: [GAP, GAP_BWD], settings: { ...settings, rounds: 2, pairDirections: false }, probe });
    expect(turns(log)).toEqual(turns(['a', 'b', 'a', 'b', 'b', 'a', "a'", "b'", "a'", "b'", "b'", "a'"]));
  });

  test('sampling groups: one per case, in the order of their first workload; alone without pairing', () => {
    const stem = WORKLOADS.filter((w) => w.id.startsWith('resnet50-stem-max'));
    const ids = (groups: Workload[][]): string[][] => groups.map((g) => g.map((w) => w.id));
    expect(ids(samplingGroups(stem, true))).toEqual([
      ['resnet50-stem-max', 'resnet50-stem-max-bwd'], ['resnet50-stem-max-b8', 'resnet50-stem-max-bwd-b8'], ['resnet50-stem-max-nhwc'],
    ]);
    expect(ids(samplingGroups(stem, false))).toEqual(stem.map((w) => [w.id]));
  });

  test('% copy is against the copy passes of the same rounds: one pass at the start of each round, their median', async () => {
    const log: string[] = [];
    const backends = ['a', 'b'].map((n) => ({ name: n, ref: n, backend: loggingBackend(n, log) }));
    const passes = [4, 1, 2];
    let taken = 0;
    const r = await runBench({ backends, workloads, settings: { ...settings, rounds: 3 }, probe, copyPass: () => passes[taken++]! });
    expect(taken).toBe(3);
    // 2 × 1 MiB counted per pass (read + written), the median pass 2 ms: 2 097 152 B / 2 ms = 1.048576 GB/s.
    for (const x of r.results) {
      if (x.state !== 'completed') throw new Error(`${x.backend}: ${x.state}`);
      expect(x.copyGBps).toBeCloseTo(1.048576, 9);
      expect(x.fractionOfCopy! * 1.048576).toBeCloseTo(x.gbPerS!, 9);
    }
  });

  test('a backend that fails in a later round is reported errored; the others complete', async () => {
    const log: string[] = [];
    const backends = [
      { name: 'a', ref: 'a', backend: loggingBackend('a', log) },
      { name: 'bad', ref: 'bad', backend: loggingBackend('bad', log, 4) },
    ];
    const r = await runBench({ backends, workloads, settings: { ...settings, rounds: 4 }, probe });
    expect(r.results[0]).toMatchObject({ backend: 'a', state: 'completed' });
    expect(r.results[1]).toMatchObject({ backend: 'bad', state: 'errored' });
    expect(r.results[1]!.state === 'errored' && r.results[1]!.error).toMatch(/planted failure/);
  });
});

describe('flags: bimodal and wide rows (bench/stats.ts classifySamples)', () => {
  const rand = mulberry32(5);
  const jitter = (n: number, at: number, spread = 0.05): number[] => Array.from({ length: n }, () => at * (1 + spread * rand()));
  const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

  test('two tight clusters far apart are bimodal, with their shares and medians', () => {
    const d = classifySamples(sorted([...jitter(30, 0.3), ...jitter(70, 3)]));
    expect(d.flag).toBe('bimodal');
    expect(d.clusters!.lowerShare).toBeCloseTo(0.3, 12);
    expect(d.clusters!.lowerMedianMs).toBeLessThan(0.32);
    expect(d.clusters!.upperMedianMs).toBeGreaterThan(3);
  });

  test('one cluster, or a smooth spread, is not bimodal; a median far above the min is wide', () => {
    expect(classifySamples(sorted(jitter(100, 1, 0.2))).flag).toBeNull();
    // Log-uniform over [1, 2.5): no gap as wide as BIMODAL_GAP, median below WIDE_RATIO × min.
    expect(classifySamples(sorted(Array.from({ length: 60 }, (_, i) => 2.5 ** (i / 60))))).toEqual({ flag: null });
    // A few fast calls (under the 10% a cluster needs), the rest slow: not bimodal, but the median is ≥ 2 × min.
    const wide = sorted([...jitter(3, 1), ...Array.from({ length: 97 }, (_, i) => 2.2 * 1.5 ** (i / 97))]);
    expect(classifySamples(wide).flag).toBe('wide');
    expect(medianSorted(wide) / wide[0]!).toBeGreaterThanOrEqual(WIDE_RATIO);
  });

  test('a gap just under the threshold, or too few samples, is not called bimodal', () => {
    expect(classifySamples(sorted([...jitter(10, 1, 0.01), ...jitter(10, BIMODAL_GAP * 0.95, 0.01)])).flag).toBeNull();
    expect(classifySamples([1, 1, 5, 5, 5]).flag).toBe('wide'); // 5 samples: no cluster test, the median rule only
    expect(classifySamples([]).flag).toBeNull();
  });
});

describe('compare', () => {
  const base = syntheticResults({ seed: 11 });
  const sameDist = syntheticResults({ seed: 12 });
  const slower = syntheticResults({ seed: 13, scale: 1.3 });

  test('a planted 30% slowdown is a regression on every row', () => {
    const c = compareResults(base, slower);
    expect(c.rows.length).toBe(base.results.length);
    expect(c.rows.every((r) => r.verdict === 'regression')).toBe(true);
    expect(c.failing).toBe(c.rows.length);
    for (const r of c.rows) expect(r.lo!).toBeGreaterThan(1.1);
  });

  test('two runs drawn from the same distribution pass', () => {
    const c = compareResults(base, sameDist);
    expect(c.failing).toBe(0);
    expect(c.rows.filter((r) => r.verdict === 'regression' || r.verdict === 'improvement')).toEqual([]);
    expect(c.warnings).toEqual([]);
  });

  test('a slowdown inside the threshold is not a regression; one row slowed is flagged alone', () => {
    const mild = compareResults(base, syntheticResults({ seed: 14, scale: 1.04 }));
    expect(mild.failing).toBe(0);
    const target = 'vgg16-pool1-max-b1';
    const one = compareResults(base, syntheticResults({ seed: 15, scale: (w, b) => (w === target && b === 'im2col' ? 1.3 : 1) }));
    expect(one.rows.filter((r) => r.verdict === 'regression').map((r) => `${r.workload}/${r.backend}`)).toEqual([`${target}/im2col`]);
  });

  test('a row\'s interval depends on the seed and the row, not on the row\'s position in the file', () => {
    // Determinism for one seed is the bootstrap's (statistics above); here: compare draws each row's seed from
    // the comparison seed and the row's key, so reordering NEW's rows leaves every interval as it was,
    // and another comparison seed moves them.
    const c = compareResults(base, sameDist);
    const reordered = compareResults(base, { ...sameDist, results: [...sameDist.results].reverse() });
    expect(reordered.rows).toHaveLength(c.rows.length);
    for (const r of c.rows) expect(reordered.rows.find((q) => q.workload === r.workload && q.backend === r.backend)).toEqual(r);
    const reseeded = compareResults(base, sameDist, { seed: 2 });
    expect(reseeded.rows.some((r, i) => r.lo !== c.rows[i]!.lo || r.hi !== c.rows[i]!.hi)).toBe(true);
  });

  test('rows are paired within a scope only', () => {
    const op = (r: BenchResults): BenchResults => ({
      ...r, results: [...r.results, ...r.results.filter((x) => x.backend === 'naive').map((x) => (x.state === 'completed' ? { ...x, scope: 'op' as const, via: 'resident' as const, medianMs: x.medianMs / 10, samples: x.samples.map((v) => v / 10) } : { ...x, scope: 'op' as const }))],
    });
    const c = compareResults(op(base), op(sameDist));
    expect(c.rows.filter((r) => r.scope === 'op')).toHaveLength(base.results.filter((r) => r.backend === 'naive').length);
    // Op rows ten times faster than the call rows: no pair mixes the scopes, so nothing reads as a change.
    expect(c.failing).toBe(0);
    expect(c.rows.filter((r) => r.verdict === 'improvement')).toEqual([]);
  });

  test('rows that cannot be compared say why; a task that now errors fails the gate', () => {
    const victim = sameDist.results.find((r) => r.backend === 'im2col')!;
    const errored: BenchResult = { workload: victim.workload, backend: 'im2col', scope: 'call', state: 'errored', error: 'out of memory' };
    const results = sameDist.results
      .map((r) => (r === victim ? errored : r))
      .filter((r) => !(r.workload === 'resnet50-gap-b1' && r.backend === 'naive'));
    const next: BenchResults = { ...sameDist, results };
    const c = compareResults(base, parseBenchResults(serializeBenchResults(next)));
    const row = (w: string, b: string) => c.rows.find((r) => r.workload === w && r.backend === b)!;
    expect(row(victim.workload, 'im2col').verdict).toBe('errored');
    expect(row('resnet50-gap-b1', 'naive')).toMatchObject({ verdict: 'not-compared', note: 'only in BASE' });
    expect(c.failing).toBe(1);
  });

  test('CLI: exit 1 with REGRESSION rows for the slowdown, 0 for the same distribution, 2 for foreign files', async () => {
    const f = (name: string, r: BenchResults): string => { const p = join(dir, name); writeFileSync(p, serializeBenchResults(r)); return p; };
    const b = f('base.json', base);
    const s = f('same.json', sameDist);
    const w = f('slow.json', slower);
    const foreign = join(dir, 'verify.json');
    writeFileSync(foreign, JSON.stringify({ schema: 'poolspec.verify/1', backends: [] }));

    const reg = await cli(['compare', b, w, '--threshold', '10']);
    expect(reg.code, reg.stderr).toBe(1);
    expect(reg.stdout).toMatch(/REGRESSION/);
    expect(reg.stdout).toMatch(/FAIL: \d+ significant regression/);
    expect(reg.stdout).toMatch(/NEW\/BASE/);

    const ok = await cli(['compare', b, s, '--json', join(dir, 'cmp.json')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/OK: no significant regression/);
    const cmp = JSON.parse(readFileSync(join(dir, 'cmp.json'), 'utf8')) as { schema: string; failing: number; rows: unknown[] };
    expect(cmp.schema).toBe('poolspec.compare/1');
    expect(cmp.failing).toBe(0);
    expect(cmp.rows).toHaveLength(base.results.length);

    const [bad, missing, one, threshold] = await Promise.all([
      cli(['compare', b, foreign]), cli(['compare', b, join(dir, 'missing.json')]), cli(['compare', b]), cli(['compare', b, s, '--threshold', 'ten']),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/NEW .*verify\.json: not a poolspec bench results file: its schema is "poolspec\.verify\/1"/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read \(ENOENT\)/);
    expect(one.code).toBe(2);
    expect(threshold.code).toBe(2);
  });
});

describe('backward ÷ forward (bench/summary.ts backwardOverForward)', () => {
  test('each backward row is divided by the same backend\'s forward row of the same case and scope, min by min and median by median', async () => {
    const backends = ['a', 'b'].map((n) => ({ name: n, ref: n, backend: loggingBackend(n, []) }));
    const other: Workload = { ...GAP, id: 'gap-bwd-b1', shape: [1, 512, 7, 7], direction: 'backward' };
    const run = await runBench({
      backends, workloads: [GAP, GAP_BWD, other],
      settings: { scopes: ['call', 'op'], timeMs: 2, minSamples: 1, warmupMs: 0, warmupIterations: 0, rounds: 1 }, probe: { bufferBytes: 1 << 20, trials: 1 },
    });
    // Planted times: forward a 2 / 4 ms (min / median), backward a 3 / 10, b's forward missing (errored).
    const planted: Record<string, [number, number]> = { 'resnet-global-avg/a': [2, 4], 'gap-bwd/a': [3, 10], 'gap-bwd/b': [1, 1], 'gap-bwd-b1/a': [1, 1] };
    const results = run.results.map((r): BenchResult => {
      if (r.workload === 'resnet-global-avg' && r.backend === 'b') return { workload: r.workload, backend: r.backend, scope: r.scope, state: 'errored', error: 'planted' };
      const t = planted[`${r.workload}/${r.backend}`];
      return t && r.state === 'completed' ? { ...r, minMs: t[0], medianMs: t[1] } : r;
    });
    const ratios = backwardOverForward({ ...run, results });
    // Only a's gap-bwd in each scope the logging backend runs (call; op is not offered): b has no forward row,
    // gap-bwd-b1 is another case with no forward workload.
    expect(ratios).toEqual([{ workload: 'gap-bwd', forward: 'resnet-global-avg', backend: 'a', scope: 'call', minRatio: 1.5, medianRatio: 2.5 }]);
  });
});

describe('workloads', () => {
  test('every backward workload has the forward workload of its case, and the case key ignores the order of the spec\'s fields', () => {
    const forward = new Set(WORKLOADS.filter((w) => w.direction === 'forward').map(caseKey));
    for (const w of WORKLOADS.filter((x) => x.direction === 'backward')) expect(forward.has(caseKey(w)), w.id).toBe(true);
    const a = WORKLOADS[0]!;
    const reordered = { ...a, spec: Object.fromEntries(Object.entries(a.spec).reverse()) as Workload['spec'] };
    expect(caseKey(reordered)).toBe(caseKey(a));
    expect(caseKey({ ...a, shape: [2, 64, 112, 112] })).not.toBe(caseKey(a));
  });

  test('IDs are unique and filters select by substring, glob and exclusion', () => {
    const ids = ALL_WORKLOADS.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => matchesFilter(id, ['vgg16-*-b1', '!*bwd*']))).toEqual(['vgg16-pool1-max-b1', 'vgg16-pool2-max-b1', 'vgg16-pool3-max-b1', 'vgg16-pool4-max-b1']);
    expect(ids.filter((id) => matchesFilter(id, ['resnet-global-avg']))).toEqual(['resnet-global-avg']);
    // Every network family of the issue is present, forward and backward, batch 1 and a larger batch.
    for (const family of ['resnet50-stem', 'vgg16-pool1', 'vgg16-pool4', 'resnet50-gap', 'mobilenetv2-gap', 'inception', 'audio-m5', 'c3d', 'dense-3x3']) {
      expect(ids.some((id) => id.startsWith(family)), family).toBe(true);
    }
    expect(ALL_WORKLOADS.some((w) => w.direction === 'backward' && w.shape[0]! > 1)).toBe(true);
    expect(ALL_WORKLOADS.some((w) => w.spec.kernel.length === 1) && ALL_WORKLOADS.some((w) => w.spec.kernel.length === 3)).toBe(true);
  });
});

describe('poolspec bench end to end', () => {
  test('--quick --filter one small workload writes results that validate', async () => {
    const out = join(dir, 'quick.json');
    const run = await cli(['bench', '--quick', '--filter', 'resnet-global-avg', '--unpaired', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/probing memory bandwidth/);
    expect(run.stderr).toMatch(/\[\s*1\/\d+\] resnet-global-avg · naive · call/);
    expect(run.stdout).toMatch(/resnet-global-avg\s+naive/);
    const results = parseBenchResults(readFileSync(out, 'utf8'));
    expect(results.settings.quick).toBe(true);
    expect(results.settings.pairDirections).toBe(false);
    expect(results.workloads.map((w) => w.id)).toEqual(['resnet-global-avg']);
    // Every own backend (a platform one, webgpu, only where it has an adapter; CI installs one), each in the
    // scopes it has: the whole call; into reused outputs with plan(); the op alone with resident().
    const loaded = results.backends.map((b) => b.name);
    const own = OWN_BACKENDS.filter((b) => !b.platform || loaded.includes(b.name) || process.env.CI).map((b) => b.name);
    expect(loaded).toEqual(own);
    const backends = await Promise.all(OWN_BACKENDS.filter((b) => own.includes(b.name)).map(async (e) => ({ name: e.name, b: await e.create() })));
    const expected = backends.flatMap(({ name, b }) => scopesOf(b, 'forward').map((scope) => `${name}/${scope}`));
    await Promise.all(backends.map(async ({ b }) => { await b.dispose?.(); }));
    expect(results.results.map((r) => `${r.backend}/${r.scope}`)).toEqual(expected);
    expect(expected).toContain('naive/call-reused');
    expect(results.results.find((r) => r.backend === 'naive' && r.scope === 'call-reused')).toMatchObject({ state: 'completed', via: 'plan' });
    expect(results.machine.firstTouch?.fresh.method).toMatch(/first write to a new array/);
    if (own.includes('webgpu')) {
      const kernelsOnly = results.results.find((r) => r.backend === 'webgpu' && r.scope === 'op');
      expect(kernelsOnly?.state === 'completed' && kernelsOnly.via).toBe('resident');
      // Both webgpu rows are compared with the device's own copy bandwidth, measured in the run.
      const record = results.backends.find((b) => b.name === 'webgpu')!;
      expect(record.device).toMatch(/adapter$/);
      expect(record.deviceCopy?.method).toMatch(/copyBufferToBuffer/);
      for (const r of results.results.filter((x) => x.backend === 'webgpu')) {
        if (r.state !== 'completed') continue;
        expect(r.fractionOfRead).toBeNull();
        expect(r.fractionOfCopy).toBeCloseTo(r.gbPerS! / record.deviceCopy!.medianGBps, 12);
      }
    }
    for (const r of results.results) {
      expect(r.state, JSON.stringify(r)).not.toBe('errored');
      if (r.state !== 'completed') continue;
      expect(r.samples.length).toBeGreaterThanOrEqual(Math.min(r.samplesCount, results.settings.minSamples));
      expect(r.gbPerS).not.toBeNull();
      expect(r.fractionOfCopy).not.toBeNull();
    }
    expect(results.results.some((r) => r.state === 'completed')).toBe(true);
    expect(results.machine.copy.method).toBe('Float32Array.prototype.set');
    expect(results.environment.node).toBe(process.version);
    expect(results.environment.packages['tinybench']).toMatch(/^\d+\.\d+\.\d+/);
    // The file is in a form `poolspec compare` accepts (against itself: nothing to flag).
    expect((await cli(['compare', out, out])).code).toBe(0);
  });

  test('usage errors exit 2', async () => {
    const [unknown, none, time, bogus, list] = await Promise.all([
      cli(['bench', '--backends', 'no-such-backend', '--quick']), cli(['bench', '--filter', 'no-such-workload']),
      cli(['bench', '--time', '-5']), cli(['bench', '--bogus']), cli(['bench', '--list', '--quick']),
    ]);
    const scopes = await cli(['bench', '--scopes', 'call,kernels']);
    const [rounds, researchRounds, researchUnpaired] = await Promise.all([
      cli(['bench', '--rounds', '0']), cli(['bench', '--research', '--rounds', '2']), cli(['bench', '--research', '--unpaired']),
    ]);
    expect(rounds.code).toBe(2);
    expect(rounds.stderr).toMatch(/--rounds must be a positive integer, got "0"/);
    expect(researchRounds.code).toBe(2);
    expect(researchRounds.stderr).toMatch(/--rounds applies to the layer workloads/);
    expect(researchUnpaired.code).toBe(2);
    expect(researchUnpaired.stderr).toMatch(/--unpaired applies to the layer workloads/);
    expect(scopes.code).toBe(2);
    expect(scopes.stderr).toMatch(/--scopes takes call, call-reused, op/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown backend "no-such-backend"/);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/matches no workload/);
    expect(time.code).toBe(2);
    expect(bogus.code).toBe(2);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/sweep-kernel-max-k7/);
  });
});
