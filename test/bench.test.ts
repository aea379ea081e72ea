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
import { BENCH_SCHEMA, BenchSchemaError, parseBenchResults, serializeBenchResults, type BenchResults } from '../bench/schema.js';
import { bootstrapRatioOfMedians, medianSorted, thinSorted } from '../bench/stats.js';
import { syntheticResults } from '../bench/synthetic.js';
import { ALL_WORKLOADS, matchesFilter } from '../bench/workloads.js';
import { OWN_BACKENDS } from '../kernels/registry.js';
import { isResident } from '../spec/extensions.js';

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

/** A deep copy to corrupt. */
function copy(r: BenchResults): Record<string, any> {
  return JSON.parse(JSON.stringify(r)) as Record<string, any>;
}

function rejects(value: unknown, message: RegExp): void {
  expect(() => parseBenchResults(value)).toThrow(BenchSchemaError);
  expect(() => parseBenchResults(value)).toThrow(message);
}

describe('results schema (poolspec.bench/1)', () => {
  const good = syntheticResults({ seed: 1 });

  test('a valid file round-trips through its text form', () => {
    const text = serializeBenchResults(good);
    const back = parseBenchResults(text);
    expect(back.schema).toBe(BENCH_SCHEMA);
    expect(back).toEqual(good);
    expect(text.endsWith('\n')).toBe(true);
  });

  test('foreign files are refused by kind', () => {
    rejects('{"schema": "poolspec.verify/1", "backends": []}', /schema is "poolspec\.verify\/1", expected "poolspec\.bench\/1"/);
    rejects({ name: 'poolspec', version: '0.1.0' }, /no "schema" field/);
    rejects('[1, 2, 3]', /not a poolspec bench results file.*got an array/);
    rejects('not json at all', /not JSON/);
    rejects('', /not JSON/);
    rejects(null, /not a poolspec bench results file/);
    rejects({ ...copy(good), schema: 'poolspec.bench/2' }, /unsupported bench results version "poolspec\.bench\/2"/);
  });

  test('corrupt fields are named by their path', () => {
    const cases: [(o: Record<string, any>) => void, RegExp][] = [
      [(o) => { o.results[3].samples[2] = 'fast'; }, /results\[3\]\.samples\[2\]: expected a finite number ≥ 0, got "fast"/],
      [(o) => { o.results[0].samples[1] = -1; }, /results\[0\]\.samples\[1\]/],
      [(o) => { o.results[0].samples.reverse(); }, /results\[0\]\.samples: must be ascending/],
      [(o) => { o.results[0].samples = []; }, /results\[0\]\.samples: expected at least one sample/],
      [(o) => { o.results[1].medianMs = null; }, /results\[1\]\.medianMs: expected a finite number/],
      [(o) => { o.results[1].state = 'done'; }, /results\[1\]\.state: expected one of completed, unsupported, errored/],
      [(o) => { delete o.environment; }, /environment: expected an object, got undefined/],
      [(o) => { o.environment.cpu.cores = 0; }, /environment\.cpu\.cores: expected an integer ≥ 1/],
      [(o) => { o.machine.copy.medianGBps = 'x'; }, /machine\.copy\.medianGBps/],
      [(o) => { o.workloads[0].spec.pads = [0]; }, /workloads\[0\]\.spec\.pads: expected 4 entries/],
      [(o) => { o.workloads[0].shape = [1, 64]; }, /workloads\[0\]\.shape: expected 4 dimensions/],
      [(o) => { o.results[0].workload = 'no-such-workload'; }, /results\[0\]\.workload: "no-such-workload" is not in workloads/],
      [(o) => { o.results[0].backend = 'ghost'; }, /results\[0\]\.backend: "ghost" is not in backends/],
      [(o) => { o.results.push(o.results[0]); }, /results: ".*" appears twice/],
      [(o) => { o.date = 'yesterday'; }, /date: expected an ISO 8601 date/],
      [(o) => { o.results = {}; }, /results: expected an array, got an object/],
    ];
    for (const [corrupt, message] of cases) {
      const o = copy(good);
      corrupt(o);
      rejects(o, message);
    }
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

  test('the comparison is reproducible (fixed seed)', () => {
    expect(compareResults(base, sameDist)).toEqual(compareResults(base, sameDist));
  });

  test('rows that cannot be compared say why; a task that now errors fails the gate', () => {
    const next = copy(sameDist);
    const i = next.results.findIndex((r: { backend: string }) => r.backend === 'im2col');
    const victim = next.results[i];
    next.results[i] = { workload: victim.workload, backend: 'im2col', state: 'errored', error: 'out of memory' };
    next.results = next.results.filter((r: { workload: string; backend: string }) => !(r.workload === 'resnet50-gap-b1' && r.backend === 'naive'));
    const c = compareResults(base, parseBenchResults(next));
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

describe('workloads', () => {
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
    const run = await cli(['bench', '--quick', '--filter', 'resnet-global-avg', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/probing memory bandwidth/);
    expect(run.stderr).toMatch(/\[1\/\d+\] resnet-global-avg · naive/);
    expect(run.stdout).toMatch(/resnet-global-avg\s+naive/);
    const results = parseBenchResults(readFileSync(out, 'utf8'));
    expect(results.settings.quick).toBe(true);
    expect(results.workloads.map((w) => w.id)).toEqual(['resnet-global-avg']);
    // Every own backend (a platform one, webgpu, only where it has an adapter; CI installs one), and each one with
    // a resident path (ResidentBackend: webgpu, wasm) a second time on its kernels alone.
    const loaded = results.backends.map((b) => b.name);
    const own = OWN_BACKENDS.filter((b) => !b.platform || loaded.includes(b.name) || process.env.CI).map((b) => b.name);
    const resident = new Set<string>();
    for (const entry of OWN_BACKENDS.filter((b) => own.includes(b.name))) {
      const b = await entry.create();
      if (isResident(b)) resident.add(entry.name);
      await b.dispose?.();
    }
    const expected = own.flatMap((name) => (resident.has(name) ? [name, `${name}:kernels`] : [name]));
    expect(loaded).toEqual(expected);
    expect(results.results).toHaveLength(expected.length);
    if (own.includes('webgpu')) {
      const kernelsOnly = results.results.find((r) => r.backend === 'webgpu:kernels');
      expect(kernelsOnly?.state === 'completed' && kernelsOnly.timed).toBe('resident');
      // Both webgpu rows are compared with the device's own copy bandwidth, measured in the run.
      const record = results.backends.find((b) => b.name === 'webgpu')!;
      expect(record.device).toMatch(/adapter$/);
      expect(record.deviceCopy?.method).toMatch(/copyBufferToBuffer/);
      for (const r of results.results.filter((x) => x.backend.startsWith('webgpu'))) {
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
