/**
 * `poolspec verify`: runs the verifier on built-in or user backends, prints progress, the property × backend
 * and clause × backend tables, each failure's shrunk counterexample with a replay command, and writes JSON and
 * JUnit for CI. Exit 0: everything supported passed; 1: a property failed or a backend declined everything;
 * 2: bad usage or a backend that cannot load.
 */
import { parseArgs } from 'node:util';
import { BUILTIN_BACKENDS, OWN_BACKENDS, findBuiltin } from '../kernels/registry.js';
import type { Policy } from '../spec/policy.js';
import { PROPERTIES, RESEARCH_PROPERTIES } from '../spec/properties/index.js';
import { replayCommand } from '../spec/replay.js';
import {
  DEFAULT_RUNS, allClauses, clauseStatus, randomSeed, selectProperties, userReducerProperties, verifyBackend, type BackendOutcome, type PropertyOutcome,
} from '../spec/verifier.js';
import { writeFileAtomic } from './atomic.js';
import { formatDeclines, groupDeclines } from './declines.js';
import { foldRows } from './fold.js';
import { toJUnit } from './junit.js';
import { BackendLoadError, loadBackend, type LoadedBackend } from './load-backend.js';
import { heldOutputHint } from './stderr-filter.js';
import { renderTable } from './table.js';
import { UsageError } from './usage.js';

export const VERIFY_HELP = `Usage: poolspec verify [options]

Checks pooling backends against the spec (spec/SPEC.md) with property-based tests.

Options:
  --backend NAME|PATH   a built-in backend (${BUILTIN_BACKENDS.map((b) => b.name).join(', ')}) or a module
                        default-exporting a PoolingBackend or a function returning one; repeatable
                        (default: poolspec's own backends, ${OWN_BACKENDS.map((b) => b.name).join(', ')}; the peers
                        ${BUILTIN_BACKENDS.filter((b) => b.peer).map((b) => b.name).join(', ')} on request)
  --runs N              cases per property (default ${DEFAULT_RUNS})
  --seed S              fast-check seed (default: random, always printed)
  --property ID         run only this property; repeatable (see --list)
  --path P              replay path of one recorded failure (with --property and --seed)
  --policy K=V          a convention where the spec allows alternatives (SPEC.md §6), repeatable:
                        maxNan=propagate|ignore|first-only  maxTies=first|last  indices=plane|unchecked
                        subnormals=preserve|flush
  --json FILE           write the results as JSON (schema poolspec.verify/1)
  --junit FILE          write JUnit XML
  --list                list the properties and their clauses, then exit
  --verbose             a progress line per property and one table row per property and clause
                        (by default: a line per backend, and rows with the same status folded)
  -h, --help            this text

Exit status: 0 all supported cases pass, 1 a property failed (or a backend declined every case),
2 bad usage or a backend that could not load.`;

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

function mark(p: PropertyOutcome | undefined): string {
  if (!p) return '';
  if (p.status === 'pass') return p.unsupported > 0 ? `pass (${p.unsupported} unsupp.)` : 'pass';
  if (p.status === 'unsupported') return 'UNSUPPORTED';
  return 'FAIL';
}

/** A backend's progress line once all its properties ran: `naive: PASS (24 pass, 15 unsupported; 12.3 s)`. */
function backendLine(o: BackendOutcome): string {
  const count = (s: PropertyOutcome['status']): number => o.properties.filter((p) => p.status === s).length;
  const parts = [`${count('pass')} pass`, count('fail') ? `${count('fail')} FAIL` : '', count('unsupported') ? `${count('unsupported')} unsupported` : ''];
  return `${o.backend}: ${o.status.toUpperCase()} (${parts.filter(Boolean).join(', ')}; ${(o.ms / 1000).toFixed(1)} s)`;
}

function describeFailure(ref: string, o: BackendOutcome, p: PropertyOutcome): string {
  const f = p.failure!;
  return [
    `✗ ${o.backend} · ${p.id} — ${p.title}`,
    `  clauses: ${p.clauses.join(', ')}`,
    `  ${f.message}`,
    ...(f.mismatch ? [`  at ${f.mismatch.tensor}${JSON.stringify(f.mismatch.position)}: expected ${f.mismatch.expected}, got ${f.mismatch.got}`] : []),
    `  minimal counterexample (after ${f.shrinks} shrinks):`,
    `    ${JSON.stringify(f.counterexample)}`,
    `  replay: ${replayCommand(ref, p, o.policy)}`,
  ].join('\n');
}

export async function verifyCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backend: { type: 'string', multiple: true },
      runs: { type: 'string' },
      seed: { type: 'string' },
      property: { type: 'string', multiple: true },
      path: { type: 'string' },
      policy: { type: 'string', multiple: true },
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

  const refs = values.backend ?? OWN_BACKENDS.map((b) => b.name);
  const loaded: LoadedBackend[] = [];
  const unavailable: Array<{ backend: string; reason: string }> = [];
  for (const ref of refs) {
    try {
      loaded.push(await loadBackend(ref));
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
        continue;
      }
      console.error(`poolspec verify: ${e.message}${notices}`);
      return 2;
    }
  }

  const extra = userReducerProperties(loaded.flatMap((l) => l.reducers ?? []));
  try {
    selectProperties(properties, extra);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  console.error(`poolspec verify: seed ${seed}, ${runs} cases per property, ${selectProperties(properties, extra).length} properties, backends: ${loaded.map((l) => l.backend.name).join(', ')}`);
  const outcomes: BackendOutcome[] = [];
  for (const l of loaded) {
    const outcome = await verifyBackend(l.backend, {
      runs, seed, properties, ...(l.reducers ? { reducers: l.reducers } : {}), ...(values.path !== undefined ? { path: values.path } : {}),
      policy: { ...l.policy, ...cliPolicy },
      onProgress: (e) => {
        if (e.type !== 'done') return;
        const o = e.outcome;
        // A failure is announced as it happens; the other properties only with --verbose.
        if (!values.verbose && o.status !== 'fail') return;
        const extra = [o.unsupported ? `${o.unsupported} unsupported` : '', o.unconstrained ? `${o.unconstrained} unconstrained elements` : ''].filter(Boolean).join(', ');
        console.error(`  [${e.backend} ${e.index + 1}/${e.total}] ${o.id.padEnd(24)} ${mark(o).padEnd(12)} ${String(o.cases).padStart(4)} cases${extra ? ` (${extra})` : ''}  ${(o.ms / 1000).toFixed(1)} s`);
      },
    });
    if (!values.verbose) console.error(`  ${backendLine(outcome)}`);
    outcomes.push(outcome);
    await l.backend.dispose?.();
  }

  const names = outcomes.map((o) => o.backend);
  const table = (head: string, rows: Array<{ id: string; cells: string[] }>): string => renderTable([head, ...names],
    values.verbose ? rows.map((r) => [r.id, ...r.cells]) : foldRows(rows).map((r) => [r.label, ...r.cells]));
  console.log(`\nProperties × backends${values.verbose ? '' : ' (rows with the same status folded; --verbose shows each)'}`);
  console.log(table('property', PROPERTIES.filter((p) => outcomes.some((o) => o.properties.some((q) => q.id === p.id)))
    .map((p) => ({ id: p.id, cells: outcomes.map((o) => mark(o.properties.find((q) => q.id === p.id))) }))));
  console.log(`\nClauses × backends (SPEC.md IDs${values.verbose ? '' : '; folded likewise'})`);
  console.log(table('clause', allClauses(outcomes).map((c) => ({ id: c, cells: outcomes.map((o) => {
    const s = clauseStatus(o, c);
    return s === undefined ? '' : s === 'fail' ? 'FAIL' : s === 'unsupported' ? 'UNSUPPORTED' : 'pass';
  }) }))));
  const declined = formatDeclines(groupDeclines(outcomes));
  if (declined.length) console.log(`\nUnsupported cases (declined through supports(), not counted as passed):\n${declined.join('\n')}`);
  const failures = outcomes.flatMap((o, i) => o.properties.filter((p) => p.status === 'fail').map((p) => describeFailure(loaded[i]!.ref, o, p)));
  if (failures.length) console.log(`\nFailures\n${failures.join('\n\n')}`);
  console.log(`\n${[...outcomes.map((o) => `${o.backend}: ${o.status.toUpperCase()}`), ...unavailable.map((u) => `${u.backend}: UNAVAILABLE`)].join('  ')}  (seed ${seed})`);

  const refOf = (name: string): string => loaded[names.indexOf(name)]?.ref ?? name;
  if (values.json) {
    writeFileAtomic(values.json, `${JSON.stringify({
      schema: VERIFY_SCHEMA, date: new Date().toISOString(), seed, runs, node: process.version,
      backends: outcomes.map((o, i) => ({ ...o, ref: loaded[i]!.ref, replay: Object.fromEntries(o.properties.filter((p) => p.status === 'fail').map((p) => [p.id, replayCommand(loaded[i]!.ref, p, o.policy)])) })),
      unavailable,
    }, null, 2)}\n`);
  }
  if (values.junit) {
    writeFileAtomic(values.junit, toJUnit(outcomes, (b, id) => {
      const o = outcomes.find((x) => x.backend === b)!;
      return replayCommand(refOf(b), o.properties.find((p) => p.id === id)!, o.policy);
    }));
  }
  return outcomes.every((o) => o.status === 'pass') ? 0 : 1;
}
