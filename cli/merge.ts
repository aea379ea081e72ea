/**
 * `poolspec merge`: combines the JSON results of the n shards of one run (`poolspec verify --shard i/n --json`)
 * into the results of the whole run: the same tables `poolspec verify` prints, JSON in verify's schema with the
 * shards' provenance, JUnit, and verify's exit status. Verdicts come from the one roll-up (spec/verdicts.ts),
 * applied to the union of the shards' property outcomes. Merge refuses (exit 2) files that are not the n
 * complementary shards of one run: a shard given twice, a shard missing, or shards that differ in seed, runs,
 * backends, properties or any other run parameter.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatShard, shardUnits, type Unit } from '../spec/shard.js';
import { backendStatus } from '../spec/verdicts.js';
import type { BackendOutcome, PropertyOutcome } from '../spec/verifier.js';
import { compactList } from './fold.js';
import type { ShardRecord } from './shard.js';
import { UsageError } from './usage.js';
import { VERIFY_SCHEMA, reportResults, type RunParameters } from './verify.js';

export const MERGE_HELP = `Usage: poolspec merge SHARD.json... [options]

Combines the --json results of the shards of one run (poolspec verify --shard I/N --seed S --json FILE, for
I = 1..N) into the results of the whole run: the same tables and verdict as one unsharded verify, which it
equals property by property (case counts and statuses; timings are the shards' sums).

Options:
  --json FILE    write the merged results as JSON (schema ${VERIFY_SCHEMA}, with the shards' provenance)
  --junit FILE   write JUnit XML
  --verbose      one table row per property and clause
  -h, --help     this text

Exit status: 0 all supported cases pass, 1 a property failed (or a backend declined every case),
2 bad usage, or files that are not the N complementary shards of one run (a shard missing or given
twice, or shards that differ in seed, runs, backends or properties).`;

/** Shard files that do not make up one whole run, or a file that is not a shard's results. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
}

type Json = Record<string, unknown>;

/** A backend's outcome as a shard's JSON holds it: the verifier's outcome plus the reference it was loaded from. */
type BackendJson = BackendOutcome & { readonly ref: string };

export interface ShardResults {
  /** Where it was read from (for messages and provenance). */
  readonly file: string;
  readonly shard: ShardRecord;
  /** Every top-level member that describes the run rather than one shard's results: seed, runs and any other. */
  readonly parameters: Json;
  readonly date: string;
  readonly node: string;
  readonly backends: readonly BackendJson[];
  readonly unavailable: readonly { readonly backend: string; readonly reason: string }[];
}

/** Top-level members of verify's JSON that are one shard's own results or provenance, not run parameters. */
const OWN_MEMBERS = new Set(['schema', 'date', 'node', 'backends', 'unavailable', 'shard', 'merged']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

/** Reads one shard's results, checking the members merge relies on; anything else is carried through as is. */
export function readShardResults(file: string, text: string): ShardResults {
  const bad = (what: string): MergeError => new MergeError(`${file}: ${what}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${(e as Error).message})`);
  }
  if (!isObject(data)) throw bad('not a poolspec verify --json result');
  if (data.schema !== VERIFY_SCHEMA) throw bad(`schema is ${JSON.stringify(data.schema)}, expected "${VERIFY_SCHEMA}"`);
  const shard = data.shard;
  if (shard === undefined) throw bad('an unsharded run (no "shard" member): merge combines the results of poolspec verify --shard I/N');
  if (!isObject(shard) || !Number.isInteger(shard.index) || !Number.isInteger(shard.count)
    || !isStringArray(shard.backends) || !isStringArray(shard.properties) || !Array.isArray(shard.units)
    || !shard.units.every((u) => isObject(u) && typeof u.backend === 'string' && typeof u.property === 'string')) {
    throw bad('"shard" is not a shard record (index, count, backends, properties, units)');
  }
  if (shard.own !== undefined && !(isObject(shard.own) && Object.values(shard.own).every(isStringArray))) {
    throw bad('"shard.own" is not a map from backend to its property list');
  }
  if (typeof data.seed !== 'number' || typeof data.runs !== 'number') throw bad('"seed" and "runs" must be numbers');
  const backends = data.backends;
  if (!Array.isArray(backends) || !backends.every((b) => isObject(b) && typeof b.backend === 'string' && typeof b.ref === 'string'
    && typeof b.ms === 'number' && isObject(b.policy) && Array.isArray(b.properties)
    && b.properties.every((p) => isObject(p) && typeof p.id === 'string' && typeof p.status === 'string' && isStringArray(p.clauses)))) {
    throw bad('"backends" is not a list of backend outcomes (backend, ref, policy, ms, properties with id, status, clauses)');
  }
  const unavailable = data.unavailable ?? [];
  if (!Array.isArray(unavailable) || !unavailable.every((u) => isObject(u) && typeof u.backend === 'string' && typeof u.reason === 'string')) {
    throw bad('"unavailable" is not a list of { backend, reason }');
  }
  const parameters = Object.fromEntries(Object.entries(data).filter(([k]) => !OWN_MEMBERS.has(k)));
  return {
    file, parameters, date: String(data.date), node: String(data.node),
    shard: shard as unknown as ShardRecord,
    backends: backends as BackendJson[],
    unavailable: unavailable as ShardResults['unavailable'],
  };
}

export interface MergedRun {
  /** The run's backend references, in run order, for those that ran (`refs[i]` is `outcomes[i]`'s). */
  readonly refs: readonly string[];
  readonly outcomes: readonly BackendOutcome[];
  readonly unavailable: readonly { readonly backend: string; readonly reason: string }[];
  /** What the merged JSON carries beside the results: the run's parameters and the shards' provenance. */
  readonly run: RunParameters;
  /** Notes for the terminal (e.g. a backend unavailable on some runners only). */
  readonly notes: readonly string[];
}

/** `naive: diff.forward.{max,avg}, …; im2col: 10 properties`: units for a message, compact per backend. */
function describeUnits(units: readonly Unit[]): string {
  const backends = [...new Set(units.map((u) => u.backend))];
  return backends.map((b) => `${b}: ${compactList(units.filter((u) => u.backend === b).map((u) => u.property), 'properties')}`).join('; ');
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Refuses shards that are not the complementary parts of one run, naming what differs or is missing. */
function checkComplementary(shards: readonly ShardResults[]): void {
  const first = shards[0]!;
  const count = first.shard.count;
  const other = shards.find((s) => s.shard.count !== count);
  if (other) {
    throw new MergeError(`the files split runs different ways: ${first.file} is shard ${formatShard(first.shard)}, ${other.file} is shard ${formatShard(other.shard)}`);
  }
  // The run's parameters: seed, runs and anything else verify records at the top level; and the split's inputs.
  const keyed = (s: ShardResults): Json => ({ ...s.parameters, backends: s.shard.backends, properties: s.shard.properties, own: s.shard.own ?? {} });
  for (const s of shards.slice(1)) {
    const a = keyed(first);
    const b = keyed(s);
    const differ = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !same(a[k], b[k]));
    if (differ.length) {
      const show = (v: unknown): string => JSON.stringify(v) ?? 'absent';
      throw new MergeError(`the shards are not from one run: ${differ.map((k) => `${k} is ${show(a[k])} in ${first.file} but ${show(b[k])} in ${s.file}`).join('; ')}`);
    }
  }
  const byIndex = new Map<number, ShardResults[]>();
  for (const s of shards) byIndex.set(s.shard.index, [...(byIndex.get(s.shard.index) ?? []), s]);
  const twice = [...byIndex.entries()].filter(([, list]) => list.length > 1);
  if (twice.length) {
    throw new MergeError(`overlapping shards: ${twice.map(([i, list]) => `shard ${i}/${count} is given ${list.length} times (${list.map((s) => s.file).join(', ')})`).join('; ')}`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    const units = missing.flatMap((index) => shardUnits(first.shard.backends, first.shard.properties, { index, count }, first.shard.own));
    const total = first.shard.backends.reduce((t, b) => t + (first.shard.own?.[b] ?? first.shard.properties).length, 0);
    throw new MergeError(`missing shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} of the run: `
      + `${units.length} of ${total} units have no result (${describeUnits(units)})`);
  }
  for (const s of shards) {
    const expected = shardUnits(s.shard.backends, s.shard.properties, s.shard, s.shard.own);
    if (!same(expected, s.shard.units.map((u) => ({ backend: u.backend, property: u.property })))) {
      throw new MergeError(`${s.file}: its units are not those of shard ${formatShard(s.shard)} of this run (was it made by another poolspec version?)`);
    }
    for (const ref of s.shard.backends) {
      const want = s.shard.units.filter((u) => u.backend === ref).map((u) => u.property);
      const got = s.backends.filter((b) => b.ref === ref).flatMap((b) => b.properties.map((p) => p.id));
      const unavailable = s.unavailable.some((u) => u.backend === ref);
      if (!same(got, want) && !(unavailable && got.length === 0)) {
        throw new MergeError(`${s.file}: results for ${ref} are ${got.length ? got.join(', ') : 'absent'}, but shard ${formatShard(s.shard)} runs ${want.length ? want.join(', ') : 'none of its properties'}`);
      }
    }
  }
}

/** Merges the shards of one run into the run's results; throws MergeError when they are not its n parts. */
export function mergeShards(shards: readonly ShardResults[]): MergedRun {
  if (shards.length === 0) throw new MergeError('no shard results given');
  checkComplementary(shards);
  const ordered = [...shards].sort((a, b) => a.shard.index - b.shard.index);
  const { backends: refs, properties, own: ownLists, count } = ordered[0]!.shard;
  const notes: string[] = [];
  const outcomes: BackendOutcome[] = [];
  const ran: string[] = [];
  const unavailable: { backend: string; reason: string }[] = [];
  for (const ref of refs) {
    const missingOn = ordered.filter((s) => s.unavailable.some((u) => u.backend === ref));
    const parts = ordered.flatMap((s) => s.backends.filter((b) => b.ref === ref));
    if (missingOn.length) {
      // Unavailable on one runner: the run lacks part of this backend's units, so it has no verdict.
      unavailable.push(missingOn[0]!.unavailable.find((u) => u.backend === ref)!);
      if (parts.length) notes.push(`${ref} was unavailable on shard ${missingOn.map((s) => formatShard(s.shard)).join(', ')} but ran on ${parts.length} other shard(s); reported unavailable`);
      continue;
    }
    if (parts.length === 0) continue; // no shard had units of it (more shards than units)
    const first = parts[0]!;
    const policyDiffers = parts.find((p) => !same(p.policy, first.policy) || p.backend !== first.backend);
    if (policyDiffers) {
      throw new MergeError(`the shards loaded ${ref} differently: ${first.backend} with policy ${JSON.stringify(first.policy)} and ${policyDiffers.backend} with policy ${JSON.stringify(policyDiffers.policy)}`);
    }
    const byId = new Map<string, PropertyOutcome>(parts.flatMap((p) => p.properties.map((q) => [q.id, q] as const)));
    const props = (ownLists?.[ref] ?? properties).filter((id) => byId.has(id)).map((id) => byId.get(id)!);
    // A shard's own members (the reference, its replay commands) are re-derived when the merged run is written.
    const own = Object.fromEntries(Object.entries(first).filter(([k]) => k !== 'ref' && k !== 'replay')) as unknown as BackendOutcome;
    outcomes.push({ ...own, status: backendStatus(props), properties: props, ms: parts.reduce((t, p) => t + p.ms, 0) });
    ran.push(ref);
  }
  const merged = { count, shards: ordered.map((s) => ({ index: s.shard.index, file: s.file, date: s.date, node: s.node })) };
  const parameters = ordered[0]!.parameters;
  return { refs: ran, outcomes, unavailable, notes, run: { ...parameters, seed: Number(parameters.seed), runs: Number(parameters.runs), merged } };
}

export function mergeCommand(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'string' },
      junit: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) { console.log(MERGE_HELP); return 0; }
  if (positionals.length === 0) throw new UsageError('give the shards\' results to merge: poolspec merge SHARD.json...');
  let merged: MergedRun;
  try {
    const shards = positionals.map((file) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new MergeError(`cannot read ${file}: ${(e as Error).message}`);
      }
      return readShardResults(file, text);
    });
    merged = mergeShards(shards);
  } catch (e) {
    if (!(e instanceof MergeError)) throw e;
    console.error(`poolspec merge: ${e.message}`);
    return 2;
  }
  const { run } = merged;
  console.error(`poolspec merge: ${positionals.length} shards, seed ${run.seed}, ${run.runs} cases per property, backends: ${merged.outcomes.map((o) => o.backend).join(', ')}`);
  for (const note of merged.notes) console.error(`  ${note}`);
  return reportResults(merged.refs.map((ref) => ({ ref })), merged.outcomes, merged.unavailable, run, values);
}
