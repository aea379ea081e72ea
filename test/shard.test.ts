/**
 * Sharded verification (issue 12 item 7): the split (spec/shard.ts), `poolspec verify --shard i/n` and
 * `poolspec merge`. The central claim: the merged results of the 4 shards of a run equal one unsharded run of it,
 * property by property (status, case counts, the shrunk failure; timings excepted), on the naive backend and on a
 * fixture backend with a planted bug, so a failure found by one shard survives the merge. The CLI runs are the
 * built CLI (dist/, built by `npm test` first), as a CI matrix runs it.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mergeShards, readShardResults, MergeError, type ShardResults } from '../cli/merge.js';
import { ShardError, parseShard, shardUnits, type Unit } from '../spec/shard.js';
import { PROPERTIES } from '../spec/properties/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'poolspec.js');
const PLANTED = 'test/fixtures/planted/divisorAtBorders.mjs';
const BACKENDS = ['naive', PLANTED];
const SEED = 20261203;
const RUNS = 25;

describe('the split (spec/shard.ts)', () => {
  test('parseShard reads i/n with integers 1 ≤ i ≤ n', () => {
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    expect(parseShard('4/4')).toEqual({ index: 4, count: 4 });
    expect(parseShard('12/40')).toEqual({ index: 12, count: 40 });
  });

  test.each(['0/4', '5/4', '1/0', '0/0', '-1/4', '1/-4', '1.5/4', '1/4.0', '+1/4', '1e0/4', ' 1/4', '1/4 ', '1/4/2', '1', '/4', 'a/b', ''])(
    'parseShard refuses %j with a typed error naming the flag, the rule and the value', (value) => {
      let error: unknown;
      try {
        parseShard(value);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ShardError);
      const e = error as ShardError;
      expect(e.field).toBe('--shard');
      expect(e.value).toBe(value);
      expect(e.message).toContain('1 ≤ i ≤ n');
      expect(e.message).toContain(JSON.stringify(value));
    });

  test('a hand-worked split: unit (b, p) goes to shard ((b + p) mod n) + 1', () => {
    const backends = ['A', 'B'];
    const properties = ['p0', 'p1', 'p2'];
    const u = (backend: string, property: string): Unit => ({ backend, property });
    // (A,p0)=0 (A,p1)=1 (A,p2)=2 (B,p0)=1 (B,p1)=2 (B,p2)=3; mod 2 → shards 1 2 1 2 1 2.
    expect(shardUnits(backends, properties, { index: 1, count: 2 })).toEqual([u('A', 'p0'), u('A', 'p2'), u('B', 'p1')]);
    expect(shardUnits(backends, properties, { index: 2, count: 2 })).toEqual([u('A', 'p1'), u('B', 'p0'), u('B', 'p2')]);
    // mod 3 → shards 1 2 3 2 3 1: each backend starts one shard further on.
    expect(shardUnits(backends, properties, { index: 1, count: 3 })).toEqual([u('A', 'p0'), u('B', 'p2')]);
    expect(shardUnits(backends, properties, { index: 2, count: 3 })).toEqual([u('A', 'p1'), u('B', 'p0')]);
    expect(shardUnits(backends, properties, { index: 3, count: 3 })).toEqual([u('A', 'p2'), u('B', 'p1')]);
  });

  test('a backend with its own property list (a user module\'s reducer properties) counts p in that list', () => {
    const u = (backend: string, property: string): Unit => ({ backend, property });
    // A runs p0 p1; M runs p0 p1 r0 r1. (A,p0)=0 (A,p1)=1 | (M,p0)=1 (M,p1)=2 (M,r0)=3 (M,r1)=4; mod 2 → 1 2 | 2 1 2 1.
    const own = { M: ['p0', 'p1', 'r0', 'r1'] };
    expect(shardUnits(['A', 'M'], ['p0', 'p1'], { index: 1, count: 2 }, own)).toEqual([u('A', 'p0'), u('M', 'p1'), u('M', 'r1')]);
    expect(shardUnits(['A', 'M'], ['p0', 'p1'], { index: 2, count: 2 }, own)).toEqual([u('A', 'p1'), u('M', 'p0'), u('M', 'r0')]);
  });

  test('the shards partition the units, evenly per backend, for every n up to past the number of properties', () => {
    const backends = ['naive', 'im2col', 'wasm', './mine.mjs', 'webgpu'];
    const properties = PROPERTIES.map((p) => p.id);
    const all = backends.flatMap((backend) => properties.map((property) => `${backend} ${property}`));
    for (let count = 1; count <= properties.length + 2; count++) {
      const parts = Array.from({ length: count }, (_, i) => shardUnits(backends, properties, { index: i + 1, count }).map((x) => `${x.backend} ${x.property}`));
      const flat = parts.flat();
      expect(new Set(flat).size, `n=${count}: a unit in two shards`).toBe(flat.length);
      expect(flat.sort(), `n=${count}: a unit in no shard`).toEqual([...all].sort());
      for (const backend of backends) {
        const sizes = parts.map((p) => p.filter((x) => x.startsWith(`${backend} `)).length);
        expect(Math.max(...sizes) - Math.min(...sizes), `n=${count}, ${backend}: ${sizes.join(' ')}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

interface Run { code: number; stdout: string; stderr: string }

function cli(args: readonly string[]): Promise<Run> {
  return new Promise<Run>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 110_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

interface PropertyJson { id: string; status: string; cases: number; unsupported: number; failure?: { counterexample: unknown; path: string } }
interface BackendJson { backend: string; ref: string; status: string; properties: PropertyJson[]; replay: Record<string, string> }
interface VerifyJson { schema: string; seed: number; runs: number; backends: BackendJson[]; shard?: { units: Unit[] }; merged?: { count: number; shards: { index: number }[] } }

const readJson = (file: string): VerifyJson => JSON.parse(readFileSync(file, 'utf8')) as VerifyJson;

/** The results without what may differ between equal runs: timings, dates, the Node version, provenance. */
/**
 * A run's case files go beside its --json file (FILE-cases/): the merged run's and the unsharded run's differ
 * only in that folder, so paths are compared with it named alike.
 */
const sameCasesDir = (text: string): string => text.replaceAll('/merged-cases/', '/whole-cases/');

function comparable(file: string): unknown {
  const drop = new Set(['ms', 'date', 'node', 'merged']);
  return JSON.parse(sameCasesDir(readFileSync(file, 'utf8')), (k, v: unknown) => (drop.has(k) ? undefined : v));
}

/** stdout from the property table on (verify's progress lines and timings go to stderr). */
const tables = (stdout: string): string => stdout.slice(stdout.indexOf('Properties × backends'));

let dir = '';
const base = ['verify', ...BACKENDS.flatMap((b) => ['--backend', b]), '--runs', String(RUNS), '--seed', String(SEED)];
const shardFile = (i: number): string => join(dir, `shard-${i}.json`);
let whole: Run;
const shards: Run[] = [];

describe('poolspec verify --shard and poolspec merge (CLI)', () => {
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs "npm run build")`);
    dir = mkdtempSync(join(tmpdir(), 'poolspec-shard-'));
    whole = await cli([...base, '--json', join(dir, 'whole.json'), '--junit', join(dir, 'whole.xml')]);
    for (let i = 1; i <= 4; i++) shards.push(await cli([...base, '--shard', `${i}/4`, '--json', shardFile(i)]));
  }, 600_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the unsharded run has the planted failure to carry through (else this file proves little)', () => {
    expect(whole.code, whole.stderr).toBe(1);
    const out = readJson(join(dir, 'whole.json'));
    expect(out.backends.map((b) => b.status)).toEqual(['pass', 'fail']);
    expect(out.backends[1]!.properties.find((p) => p.id === 'diff.forward.avg')?.status).toBe('fail');
  });

  test('each shard runs its units only, and only the shards holding the failure fail', () => {
    const failing = new Set(readJson(join(dir, 'whole.json')).backends[1]!.properties.filter((p) => p.status === 'fail').map((p) => p.id));
    let units = 0;
    for (const [i, r] of shards.entries()) {
      const out = readJson(shardFile(i + 1));
      const ran = out.backends.flatMap((b) => b.properties.map((p) => ({ backend: b.ref, property: p.id })));
      expect(ran).toEqual(out.shard!.units);
      expect(ran).toEqual(shardUnits(BACKENDS, PROPERTIES.map((p) => p.id), { index: i + 1, count: 4 }));
      units += ran.length;
      const holdsFailure = ran.some((u) => u.backend === PLANTED && failing.has(u.property));
      expect(r.code, `shard ${i + 1}/4: ${r.stderr}`).toBe(holdsFailure ? 1 : 0);
      expect(r.stderr).toContain(`shard ${i + 1}/4: ${ran.length} of ${BACKENDS.length * PROPERTIES.length} backend × property units`);
    }
    expect(units).toBe(BACKENDS.length * PROPERTIES.length);
  });

  test('merging the 4 shards gives the unsharded run: results, tables, verdict, exit status and JUnit', async () => {
    const json = join(dir, 'merged.json');
    const junit = join(dir, 'merged.xml');
    // Out of order on purpose: merge orders by shard index.
    const r = await cli(['merge', shardFile(3), shardFile(1), shardFile(4), shardFile(2), '--json', json, '--junit', junit]);
    expect(r.code, r.stderr).toBe(whole.code);
    // Every property's status, case counts, declines, shrunk counterexample and replay path; every verdict.
    expect(comparable(json)).toEqual(comparable(join(dir, 'whole.json')));
    const merged = readJson(json);
    expect(merged.merged?.count).toBe(4);
    expect(merged.merged?.shards.map((s) => s.index)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(sameCasesDir(JSON.stringify(merged.backends[1]!.replay)))).toEqual(readJson(join(dir, 'whole.json')).backends[1]!.replay);
    expect(sameCasesDir(tables(r.stdout))).toBe(tables(whole.stdout));
    const timeless = (xml: string): string => sameCasesDir(xml.replace(/ time="[\d.]+"/g, ''));
    expect(timeless(readFileSync(junit, 'utf8'))).toBe(timeless(readFileSync(join(dir, 'whole.xml'), 'utf8')));
  }, 400_000);

  test('merge refuses a missing shard and lists what it held', async () => {
    const r = await cli(['merge', shardFile(1), shardFile(2), shardFile(4)]);
    expect(r.code).toBe(2);
    const missing = shardUnits(BACKENDS, PROPERTIES.map((p) => p.id), { index: 3, count: 4 });
    expect(r.stderr).toContain(`missing shard 3/4 of the run: ${missing.length} of ${BACKENDS.length * PROPERTIES.length} units have no result`);
    expect(r.stderr).toContain(`naive: `);
    expect(r.stdout).toBe('');
  });

  test('merge refuses overlapping shards', async () => {
    const copy = join(dir, 'shard-2-again.json');
    copyFileSync(shardFile(2), copy);
    const r = await cli(['merge', shardFile(1), shardFile(2), copy, shardFile(3), shardFile(4)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`overlapping shards: shard 2/4 is given 2 times (${shardFile(2)}, ${copy})`);
  });

  test('merge refuses shards of different runs: another seed, other runs, another split', async () => {
    const otherSeed = join(dir, 'shard-4-seed.json');
    const s = await cli([...base.slice(0, -1), String(SEED + 1), '--shard', '4/4', '--json', otherSeed]);
    expect([0, 1]).toContain(s.code);
    const bySeed = await cli(['merge', shardFile(1), shardFile(2), shardFile(3), otherSeed]);
    expect(bySeed.code).toBe(2);
    expect(bySeed.stderr).toContain(`seed is ${SEED} in ${shardFile(1)} but ${SEED + 1} in ${otherSeed}`);

    const otherRuns = join(dir, 'shard-4-runs.json');
    writeFileSync(otherRuns, JSON.stringify({ ...readJson(shardFile(4)), runs: RUNS * 4 }));
    const byRuns = await cli(['merge', shardFile(1), shardFile(2), shardFile(3), otherRuns]);
    expect(byRuns.code).toBe(2);
    expect(byRuns.stderr).toContain(`runs is ${RUNS} in ${shardFile(1)} but ${RUNS * 4} in ${otherRuns}`);

    const byCount = await cli(['merge', shardFile(1), join(dir, 'whole.json')]);
    expect(byCount.code).toBe(2);
    expect(byCount.stderr).toContain('an unsharded run');
  }, 400_000);

  test('usage mistakes exit 2 naming the flag', async () => {
    const bad = await cli(['verify', '--backend', 'naive', '--seed', '1', '--shard', '5/4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--shard: must be i/n with integers 1 ≤ i ≤ n (shard i of n), got "5/4"');
    const noSeed = await cli(['verify', '--backend', 'naive', '--shard', '1/4']);
    expect(noSeed.code).toBe(2);
    expect(noSeed.stderr).toContain('--shard 1/4 needs --seed');
    const nothing = await cli(['merge']);
    expect(nothing.code).toBe(2);
  }, 400_000);
});

describe('a sharded run with a user module\'s reducer properties (SPEC.md REDUCER.MODULE)', () => {
  const MODULE = 'test/fixtures/entropy-reducer.mjs';
  const args = ['verify', '--backend', 'naive', '--backend', MODULE, '--property', 'reducer.gem.*', '--property', 'reducer.entropy.*',
    '--property', 'reducer.entropy.*', '--runs', '8', '--seed', String(SEED)];
  let reducerDir = '';
  afterAll(() => {
    if (reducerDir) rmSync(reducerDir, { recursive: true, force: true });
  });

  test('the module\'s own properties are split too, and the merged shards equal the unsharded run', async () => {
    reducerDir = mkdtempSync(join(tmpdir(), 'poolspec-shard-reducer-'));
    const file = (name: string): string => join(reducerDir, `${name}.json`);
    const one = await cli([...args, '--json', file('whole')]);
    expect(one.code, one.stderr).toBe(0);
    const whole = readJson(file('whole'));
    const ids = (b: BackendJson): string[] => b.properties.map((p) => p.id);
    // naive runs the built-in GeM properties only; the module runs those and its own, each named once although
    // the command names reducer.entropy.* twice.
    const [naive, entropy] = whole.backends;
    expect(ids(naive!).every((id) => id.startsWith('reducer.gem.'))).toBe(true);
    const own = ids(entropy!).filter((id) => id.startsWith('reducer.entropy.'));
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(ids(entropy!)).size).toBe(ids(entropy!).length);
    expect(ids(entropy!)).toEqual([...ids(naive!), ...own]);
    // The property table lists them (folded rows keep the prefix).
    expect(tables(one.stdout)).toContain('reducer.entropy.');

    for (const i of [1, 2]) {
      const r = await cli([...args, '--shard', `${i}/2`, '--json', file(`shard-${i}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const ran = [1, 2].flatMap((i) => readJson(file(`shard-${i}`)).backends.flatMap((b) => ids(b).map((id) => `${b.ref} ${id}`)));
    expect(ran.sort()).toEqual(whole.backends.flatMap((b) => ids(b).map((id) => `${b.ref} ${id}`)).sort());
    const merged = await cli(['merge', file('shard-1'), file('shard-2'), '--json', file('merged')]);
    expect(merged.code, merged.stderr).toBe(0);
    const drop = new Set(['ms', 'date', 'node', 'merged']);
    const load = (name: string): unknown => JSON.parse(readFileSync(file(name), 'utf8').replaceAll('/merged-cases/', '/whole-cases/'), (k, v: unknown) => (drop.has(k) ? undefined : v));
    expect(load('merged')).toEqual(load('whole'));
  }, 400_000);

  test('a --property that names only a module\'s reducer properties is refused for a backend without them', async () => {
    const r = await cli(['verify', '--backend', 'naive', '--backend', MODULE, '--property', 'reducer.entropy.*', '--runs', '2', '--seed', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backend naive has none of these properties');
  }, 120_000);
});

describe('mergeShards (in process)', () => {
  /** A minimal shard of a run over backends A and B with properties p0, p1 (clauses X, Y), split 2 ways. */
  function shard(index: number, statuses: Record<string, string>, unavailable: string[] = []): ShardResults {
    const backends = ['A', 'B'];
    const properties = ['p0', 'p1'];
    const units = shardUnits(backends, properties, { index, count: 2 });
    const outcomes = backends.filter((b) => !unavailable.includes(b)).map((ref) => ({
      backend: ref, ref, status: 'pass', policy: {}, ms: 1,
      properties: units.filter((u) => u.backend === ref).map((u) => ({ id: u.property, title: u.property, clauses: [u.property === 'p0' ? 'X' : 'Y'], status: statuses[`${ref}.${u.property}`] ?? 'pass', cases: 3, unsupported: 0, reasons: [], unconstrained: 0, seed: 1, runs: 3, ms: 1 })),
    })).filter((b) => b.properties.length > 0);
    const data = {
      schema: 'poolspec.verify/1', date: 'd', seed: 1, runs: 3, node: 'v', backends: outcomes,
      unavailable: unavailable.map((backend) => ({ backend, reason: `${backend} has no adapter` })),
      shard: { index, count: 2, backends, properties, units },
    };
    return readShardResults(`s${index}.json`, JSON.stringify(data));
  }

  test('backend verdicts come from the union of the shards (a failure in one shard fails the backend)', () => {
    const m = mergeShards([shard(2, { 'B.p0': 'fail' }), shard(1, {})]);
    expect(m.refs).toEqual(['A', 'B']);
    expect(m.outcomes.map((o) => [o.backend, o.status, o.properties.map((p) => `${p.id}:${p.status}`).join(' ')])).toEqual([
      ['A', 'pass', 'p0:pass p1:pass'],
      ['B', 'fail', 'p0:fail p1:pass'],
    ]);
    expect(m.outcomes.map((o) => o.ms)).toEqual([2, 2]);
  });

  test('a backend unavailable on one runner is unavailable in the merged run, with a note', () => {
    const m = mergeShards([shard(1, {}), shard(2, {}, ['B'])]);
    expect(m.refs).toEqual(['A']);
    expect(m.unavailable).toEqual([{ backend: 'B', reason: 'B has no adapter' }]);
    expect(m.notes).toEqual(['B was unavailable on shard 2/2 but ran on 1 other shard(s); reported unavailable']);
  });

  test('a shard whose results are not its units is refused', () => {
    const s = shard(1, {});
    const tampered: ShardResults = { ...s, backends: s.backends.map((b) => ({ ...b, properties: b.properties.slice(0, 0) })) };
    expect(() => mergeShards([tampered, shard(2, {})])).toThrow(MergeError);
    expect(() => mergeShards([tampered, shard(2, {})])).toThrow(/s1\.json: results for A are absent, but shard 1\/2 runs p0/);
  });
});
