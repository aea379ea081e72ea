/**
 * `poolspec verify`: runs the verifier on built-in or user backends, prints progress, the property × backend
 * and clause × backend tables, each failure's shrunk counterexample with a replay command, and writes JSON and
 * JUnit for CI. Exit 0: everything supported passed; 1: a property failed or a backend declined everything;
 * 2: bad usage or a backend that cannot load.
 */
import { parseArgs } from 'node:util';
import { BUILTIN_BACKENDS, VERIFIED_BACKENDS, findBuiltin } from '../kernels/registry.js';
import type { Policy } from '../spec/policy.js';
import { PROPERTIES, RESEARCH_PROPERTIES, type AnyProperty } from '../spec/properties/index.js';
import { replayCommand } from '../spec/replay.js';
import {
  DEFAULT_RUNS, allClauses, defaultMinChecked, randomSeed, selectProperties, userReducerProperties, verifyBackend,
  type BackendOutcome, type PropertyOutcome,
} from '../spec/verifier.js';
import { writeFileAtomic } from './atomic.js';
import { casesDirFor, loadCases, replayCases, writeFailureCases } from './case-files.js';
import { backendVerdict, clauseCell, exitStatus, propertyCell, thinLines, withVerdicts, type CoverageRule } from './coverage.js';
import { formatDeclines, groupDeclines } from './declines.js';
import { foldRows } from './fold.js';
import { toJUnit } from './junit.js';
import { BackendLoadError, loadBackend, type LoadedBackend } from './load-backend.js';
import { heldOutputHint } from './stderr-filter.js';
import { describeShard, planShard, type ShardRecord } from './shard.js';
import { renderTable } from './table.js';
import { UsageError } from './usage.js';

export const VERIFY_HELP = `Usage: poolspec verify [options]

Checks pooling backends against the spec (spec/SPEC.md) with property-based tests.

Options:
  --backend NAME|PATH   a built-in backend (${BUILTIN_BACKENDS.map((b) => b.name).join(', ')}) or a module
                        default-exporting a PoolingBackend or a function returning one; repeatable
                        (default: poolspec's own backends, ${VERIFIED_BACKENDS.map((b) => b.name).join(', ')}; the peers
                        ${BUILTIN_BACKENDS.filter((b) => b.peer).map((b) => b.name).join(', ')} and the variant
                        ${BUILTIN_BACKENDS.filter((b) => !b.peer && b.verifyByDefault === false).map((b) => b.name).join(', ')} on request)
  --runs N              cases per property (default ${DEFAULT_RUNS}); a declined case is drawn again, within a
                        skip budget of 10 declines per case
  --min-checked N       a property that passed on fewer checked cases is thin (default: half of --runs,
                        reported only); given, thin fails the run (SPEC.md PROP.THIN)
  --seed S              fast-check seed (default: random, always printed)
  --property ID         run only this property; repeatable (see --list); ID* names every property with
                        that prefix, e.g. 'reducer.*' for the research kinds (not in the default set)
  --path P              replay path of one recorded failure (with --property and --seed)
  --case FILE|DIR       replay recorded case files (spec/CASE-FILE.md; a directory: its *.json) on the
                        backends, no cases drawn; repeatable. Exit 1 while a case still fails
  --cases-dir DIR       where each failure's case file is written (default: beside --json FILE, in
                        FILE-cases/; without --json, poolspec-results/cases)
  --policy K=V          a convention where the spec allows alternatives (SPEC.md §6), repeatable:
                        maxNan=propagate|ignore|first-only  maxTies=first|last  indices=plane|unchecked
                        subnormals=preserve|flush
  --shard I/N           run shard I of N of the backend × property units (with --seed; combine the
                        shards' --json files with poolspec merge; see the README's "Sharded runs")
  --json FILE           write the results as JSON (schema poolspec.verify/1; with --case, poolspec.replay/1)
  --junit FILE          write JUnit XML
  --list                list the properties and their clauses, then exit
  --verbose             a progress line per property and one table row per property and clause
                        (by default: a line per backend, and rows with the same status folded)
  -h, --help            this text

Tables show each property's checked cases: pass 200, THIN 37, FAIL 12 (checked before the failing case).

Exit status: 0 all supported cases pass, 1 a property failed (or a backend declined every case, or with
--min-checked a property is thin), 2 bad usage or a backend that could not load.`;

export const VERIFY_SCHEMA = 'poolspec.verify/1';

function parsePolicy(values: readonly string[]): Partial<Policy> {
  const allowed: Record<keyof Policy, readonly string[]> = {
    maxNan: ['propagate', 'ignore', 'first-only'], maxTies: ['first', 'last'], indices: ['plane', 'unchecked'],
    subnormals: ['preserve', 'flush'],
  };
  const out: Record<string, string> = {};
  for (const kv of values) {
    const [k, v] = kv.split('=', 2) as [string, string | undefined];
    if (!(k in allowed)) throw new UsageError(`--policy ${kv}: unknown key "${k}"; known: ${Object.keys(allowed).join(', ')}`);
    if (v === undefined || !allowed[k as keyof Policy].includes(v)) {
      throw new UsageError(`--policy ${kv}: ${k} must be one of ${allowed[k as keyof Policy].join(', ')}`);
    }
    out[k] = v;
  }
  return out;
}

function positiveInt(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

/** A backend's progress line once all its properties ran: `naive: PASS (24 pass, 15 unsupported; 12.3 s)`. */
function backendLine(o: BackendOutcome): string {
  const count = (s: PropertyOutcome['status']): number => o.properties.filter((p) => p.status === s).length;
  const parts = [`${count('pass')} pass`, count('fail') ? `${count('fail')} FAIL` : '', count('unsupported') ? `${count('unsupported')} unsupported` : '', count('n/a') ? `${count('n/a')} n/a` : ''];
  return `${o.backend}: ${o.status.toUpperCase()} (${parts.filter(Boolean).join(', ')}; ${(o.ms / 1000).toFixed(1)} s)`;
}

function describeFailure(ref: string, o: BackendOutcome, p: PropertyOutcome, caseFile: string | undefined): string {
  const f = p.failure!;
  return [
    `✗ ${o.backend} · ${p.id} — ${p.title}`,
    `  clauses: ${p.clauses.join(', ')}`,
    `  ${f.message}`,
    ...(f.mismatch ? [`  at ${f.mismatch.tensor}${JSON.stringify(f.mismatch.position)}: expected ${f.mismatch.expected}, got ${f.mismatch.got}`] : []),
    `  minimal counterexample (after ${f.shrinks} shrinks):`,
    `    ${JSON.stringify(f.counterexample)}`,
    ...(caseFile !== undefined ? [`  case file: ${caseFile}`] : []),
    `  replay: ${replayCommand(ref, p, o.policy, caseFile)}`,
  ].join('\n');
}

export async function verifyCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backend: { type: 'string', multiple: true },
      runs: { type: 'string' },
      'min-checked': { type: 'string' },
      seed: { type: 'string' },
      property: { type: 'string', multiple: true },
      path: { type: 'string' },
      case: { type: 'string', multiple: true },
      'cases-dir': { type: 'string' },
      policy: { type: 'string', multiple: true },
      shard: { type: 'string' },
      json: { type: 'string' },
      junit: { type: 'string' },
      list: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) { console.log(VERIFY_HELP); return 0; }
  if (values.list) {
    console.log(renderTable(['property', 'checks', 'clauses'], [...PROPERTIES, ...RESEARCH_PROPERTIES].map((p) => [p.id, p.title, p.clauses.join(' ')])));
    return 0;
  }
  const runs = positiveInt('--runs', values.runs, DEFAULT_RUNS);
  const coverage: CoverageRule = {
    minChecked: positiveInt('--min-checked', values['min-checked'], defaultMinChecked(runs)),
    thinFails: values['min-checked'] !== undefined,
  };
  let seed = randomSeed();
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  }
  const cliPolicy = parsePolicy(values.policy ?? []);
  const properties = values.property ?? [];
  // A user module's reducers add properties (REDUCER.MODULE): ids of the form reducer.NAME.* are checked once loaded.
  try {
    selectProperties(properties.filter((id) => !id.startsWith('reducer.')));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.path !== undefined && properties.length !== 1) throw new UsageError('--path replays one case: give exactly one --property');
  if (values.case !== undefined) {
    const drawn = (['runs', 'seed', 'property', 'path', 'junit', 'cases-dir'] as const).filter((k) => values[k] !== undefined);
    if (drawn.length) throw new UsageError(`--case replays recorded cases: ${drawn.map((k) => `--${k}`).join(', ')} ${drawn.length === 1 ? 'does' : 'do'} not apply`);
  }

  const refs = values.backend ?? VERIFIED_BACKENDS.map((b) => b.name);
  const byRef = new Map<string, LoadedBackend>();
  const unavailable: Array<{ backend: string; reason: string }> = [];
  /** Loads one backend; a number is the exit status of a backend that cannot load and is not skipped. */
  const load = async (ref: string): Promise<number | undefined> => {
    try {
      byRef.set(ref, await loadBackend(ref));
    } catch (e) {
      if (!(e instanceof BackendLoadError)) throw e;
      const platform = findBuiltin(ref)?.platform === true;
      // What the platform's native layer printed while looking for a device (e.g. no Vulkan loader) was held back.
      const hint = platform ? heldOutputHint() : undefined;
      const notices = hint ? `\n  (${hint})` : '';
      // A platform backend (e.g. webgpu without an adapter) in the default set is reported, not fatal.
      if (values.backend === undefined && platform) {
        console.error(`poolspec verify: ${e.message}\n  (skipped; the other backends are verified)${notices}`);
        unavailable.push({ backend: ref, reason: e.message });
        return undefined;
      }
      console.error(`poolspec verify: ${e.message}${notices}`);
      return 2;
    }
    return undefined;
  };
  // A user module is loaded first: its reducers add properties that it alone runs (SPEC.md REDUCER.MODULE), so
  // each backend's property list, and a shard's split of them, are known only once the modules are in.
  for (const ref of refs.filter((r) => findBuiltin(r) === undefined)) {
    const status = await load(ref);
    if (status !== undefined) return status;
  }
  const extra = userReducerProperties([...byRef.values()].flatMap((l) => l.reducers ?? []));
  let lists: Map<string, string[]>;
  try {
    // Every ID must name a property of some backend of the run.
    selectProperties(properties, extra);
    lists = new Map(refs.map((ref) => [ref, propertyIds(ref, properties, userReducerProperties(byRef.get(ref)?.reducers))]));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const common = selectProperties(properties.filter((id) => namesBuiltin(id))).map((p) => p.id);
  const own = Object.fromEntries(refs.filter((r) => !same(lists.get(r)!, common)).map((r) => [r, lists.get(r)!]));
  const shard = values.shard === undefined ? undefined
    : planShard(values.shard, { seed: values.seed !== undefined, path: values.path !== undefined }, refs, common, own);
  // A shard loads only the backends it has units of.
  const inShard = (ref: string): boolean => !shard || shard.units.some((u) => u.backend === ref);
  for (const ref of refs.filter((r) => findBuiltin(r) !== undefined && inShard(r))) {
    const status = await load(ref);
    if (status !== undefined) return status;
  }
  const loaded = refs.filter((r) => byRef.has(r) && inShard(r)).map((r) => byRef.get(r)!);
  for (const ref of refs.filter((r) => byRef.has(r) && !inShard(r))) await byRef.get(ref)!.backend.dispose?.();

  // Case files are read once the backends are loaded: a user reducer's properties come from its module.
  if (values.case !== undefined) return replayCases(loadCases(values.case, extra), loaded, cliPolicy, values.json);

  const selected = new Set(loaded.flatMap((l) => lists.get(l.ref)!)).size;
  console.error(`poolspec verify: seed ${seed}, ${runs} cases per property, ${selected} properties, backends: ${loaded.map((l) => l.backend.name).join(', ')}`);
  if (shard) console.error(`  ${describeShard(shard)}`);
  const outcomes: BackendOutcome[] = [];
  for (const l of loaded) {
    const outcome = await verifyBackend(l.backend, {
      runs, seed, properties: shard ? shard.units.filter((u) => u.backend === l.ref).map((u) => u.property) : lists.get(l.ref)!,
      ...(l.reducers ? { reducers: l.reducers } : {}), ...(values.path !== undefined ? { path: values.path } : {}),
      policy: { ...l.policy, ...cliPolicy },
      onProgress: (e) => {
        if (e.type !== 'done') return;
        const o = e.outcome;
        // A failure is announced as it happens; the other properties only with --verbose.
        if (!values.verbose && o.status !== 'fail') return;
        const extra = [o.unsupported ? `${o.unsupported} unsupported` : '', o.unconstrained ? `${o.unconstrained} unconstrained elements` : ''].filter(Boolean).join(', ');
        console.error(`  [${e.backend} ${e.index + 1}/${e.total}] ${o.id.padEnd(24)} ${propertyCell(o, coverage).padEnd(12)} cases${extra ? ` (${extra})` : ''}  ${(o.ms / 1000).toFixed(1)} s`);
      },
    });
    if (!values.verbose) console.error(`  ${backendLine(outcome)}`);
    outcomes.push(outcome);
    await l.backend.dispose?.();
  }
  return reportResults(loaded, outcomes, unavailable, { seed, runs, ...coverage, ...(shard ? { shard } : {}) }, values);
}

/** Whether a `--property` ID names a built-in property (not only a user module's reducer property). */
function namesBuiltin(id: string): boolean {
  try {
    selectProperties([id]);
    return true;
  } catch {
    return false;
  }
}

/**
 * The property IDs backend `ref` runs: the selection with its own module's reducer properties (`own`). An ID
 * that names only another module's reducer properties is not this backend's; a selection that leaves it
 * nothing at all is a usage error rather than a silent default run.
 */
function propertyIds(ref: string, ids: readonly string[], own: readonly AnyProperty[]): string[] {
  if (ids.length === 0) return selectProperties([], own).map((p) => p.id);
  const mine = ids.filter((id) => {
    try {
      selectProperties([id], own);
      return true;
    } catch {
      return false;
    }
  });
  if (mine.length === 0) {
    throw new UsageError(`--property ${ids.join(', ')}: backend ${ref} has none of these properties (a user module's reducer properties run only on the backend of that module)`);
  }
  return selectProperties(mine, own).map((p) => p.id);
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** A run's parameters in its JSON (beside the results): the seed and runs, and a shard's record of its part. */
export interface RunParameters {
  readonly seed: number;
  readonly runs: number;
  readonly shard?: ShardRecord;
  /** The coverage rule (SPEC.md PROP.THIN): thin below minChecked cases; a failure when thinFails. */
  readonly minChecked?: number;
  readonly thinFails?: boolean;
  /** What `poolspec merge` adds: where the merged results came from. */
  readonly merged?: unknown;
}

/**
 * Prints the tables, declines, failures and verdict line of a run, writes its JSON and JUnit, and returns the
 * exit status; `poolspec merge` prints a merged run through it, so both show the same tables. `loaded[i]` is the
 * reference `outcomes[i]` was loaded from.
 */
export function reportResults(
  loaded: readonly { readonly ref: string }[], outcomes: readonly BackendOutcome[],
  unavailable: readonly { readonly backend: string; readonly reason: string }[], run: RunParameters,
  values: { readonly verbose?: boolean | undefined; readonly json?: string | undefined; readonly junit?: string | undefined; readonly 'cases-dir'?: string | undefined },
): number {
  const { seed } = run;
  const coverage: CoverageRule = { minChecked: run.minChecked ?? defaultMinChecked(run.runs), thinFails: run.thinFails ?? false };
  const names = outcomes.map((o) => o.backend);
  const table = (head: string, rows: Array<{ id: string; cells: string[] }>): string => renderTable([head, ...names],
    values.verbose ? rows.map((r) => [r.id, ...r.cells]) : foldRows(rows).map((r) => [r.label, ...r.cells]));
  console.log(`\nProperties × backends${values.verbose ? '' : ' (rows with the same status folded; --verbose shows each)'}`);
  // Every property some backend ran, in run order (the research kinds' and a user reducer's included).
  const ids = [...new Set(outcomes.flatMap((o) => o.properties.map((q) => q.id)))];
  console.log(table('property', ids
    .map((id) => ({ id, cells: outcomes.map((o) => propertyCell(o.properties.find((q) => q.id === id), coverage)) }))));
  console.log(`\nClauses × backends (SPEC.md IDs${values.verbose ? '' : '; folded likewise'})`);
  console.log(table('clause', allClauses(outcomes).map((c) => ({ id: c, cells: outcomes.map((o) => clauseCell(o, c, coverage)) }))));
  const thin = thinLines(outcomes, coverage);
  if (thin.length) console.log(`\nThin (passed on fewer than ${coverage.minChecked} checked cases; SPEC.md PROP.THIN${coverage.thinFails ? ', a failure with --min-checked' : ''}):\n${thin.join('\n')}`);
  const declined = formatDeclines(groupDeclines(outcomes));
  if (declined.length) console.log(`\nUnsupported cases (declined through supports(), not counted as passed):\n${declined.join('\n')}`);
  // Each failure's shrunk case goes to a case file (spec/CASE-FILE.md); the replay commands name it.
  const casesDir = casesDirFor(values.json, values['cases-dir']);
  const caseFiles = outcomes.map((o, i) => writeFailureCases(casesDir, o, loaded[i]!.ref));
  const failures = outcomes.flatMap((o, i) => o.properties.filter((p) => p.status === 'fail').map((p) => describeFailure(loaded[i]!.ref, o, p, caseFiles[i]!.get(p.id))));
  if (failures.length) console.log(`\nFailures\n${failures.join('\n\n')}`);
  console.log(`\n${[...outcomes.map((o) => `${o.backend}: ${backendVerdict(o, coverage).toUpperCase()}`), ...unavailable.map((u) => `${u.backend}: UNAVAILABLE`)].join('  ')}  (seed ${seed})`);

  const refOf = (name: string): string => loaded[names.indexOf(name)]?.ref ?? name;
  if (values.json) {
    writeFileAtomic(values.json, `${JSON.stringify({
      schema: VERIFY_SCHEMA, date: new Date().toISOString(), ...run, ...coverage, node: process.version,
      backends: outcomes.map((o, i) => ({
        ...withVerdicts(o, coverage), ref: loaded[i]!.ref,
        replay: Object.fromEntries(o.properties.filter((p) => p.status === 'fail').map((p) => [p.id, replayCommand(loaded[i]!.ref, p, o.policy, caseFiles[i]!.get(p.id))])),
        cases: Object.fromEntries(caseFiles[i]!),
      })),
      unavailable,
    }, null, 2)}\n`);
  }
  if (values.junit) {
    writeFileAtomic(values.junit, toJUnit(outcomes, (b, id) => {
      const i = outcomes.findIndex((x) => x.backend === b);
      const o = outcomes[i]!;
      return replayCommand(refOf(b), o.properties.find((p) => p.id === id)!, o.policy, caseFiles[i]!.get(id));
    }, coverage));
  }
  return exitStatus(outcomes, coverage);
}
