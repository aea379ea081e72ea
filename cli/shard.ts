/**
 * `poolspec verify --shard i/n`: which units this shard runs (the split is spec/shard.ts) and the record of it
 * that the shard's JSON carries, from which `poolspec merge` checks that the shards it is given are the n
 * complementary parts of one run.
 */
import { ShardError, formatShard, parseShard, shardUnits, type Shard, type Unit } from '../spec/shard.js';
import { UsageError } from './usage.js';

/** The `shard` member of a shard's results JSON. Seed and runs are the file's own top-level `seed` and `runs`. */
export interface ShardRecord {
  readonly index: number;
  readonly count: number;
  /** Every backend of the whole run (`--backend` references, in order), not only those this shard loaded. */
  readonly backends: readonly string[];
  /** Every property of the whole run, in the verifier's order. */
  readonly properties: readonly string[];
  /**
   * The property list of each backend that runs another list than `properties`: a user module whose reducers
   * add their properties (SPEC.md REDUCER.MODULE). Absent when every backend runs `properties`.
   */
  readonly own?: Readonly<Record<string, readonly string[]>>;
  /** The units this shard ran, backend by backend. */
  readonly units: readonly Unit[];
}

/** A malformed `--shard` is a usage mistake: its typed error's message, with the help text and exit status 2. */
function parseFlag(value: string): Shard {
  try {
    return parseShard(value);
  } catch (e) {
    if (e instanceof ShardError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * This shard's record, or a usage error: every shard must draw the cases an unsharded run draws, so the seed is
 * given (a random one would differ per runner), a replay (`--path`) is one case and is not split, and each
 * backend is named once (units are told apart by backend reference).
 */
export function planShard(
  value: string, given: { seed: boolean; path: boolean }, backends: readonly string[], properties: readonly string[],
  own: Readonly<Record<string, readonly string[]>> = {},
): ShardRecord {
  const shard = parseFlag(value);
  if (!given.seed) throw new UsageError(`--shard ${value} needs --seed: every shard of a run must draw from the same seed`);
  if (given.path) throw new UsageError('--shard splits a run; --path replays one case: give one or the other');
  const twice = backends.find((b, i) => backends.indexOf(b) !== i);
  if (twice !== undefined) throw new UsageError(`--shard: --backend ${twice} is given twice; a sharded run names each backend once`);
  const record = { index: shard.index, count: shard.count, backends, properties, units: shardUnits(backends, properties, shard, own) };
  return Object.keys(own).length ? { ...record, own } : record;
}

/** The progress line: `shard 2/4: 50 of 200 units (naive 10, im2col 10, …)`. */
export function describeShard(record: ShardRecord): string {
  const total = record.backends.reduce((t, b) => t + (record.own?.[b] ?? record.properties).length, 0);
  const per = record.backends.map((b) => `${b} ${record.units.filter((u) => u.backend === b).length}`).join(', ');
  return `shard ${formatShard(record)}: ${record.units.length} of ${total} backend × property units (${per})`;
}
