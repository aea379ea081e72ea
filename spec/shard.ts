/**
 * How `poolspec verify --shard i/n` splits a run among n CI runners (README "Sharded runs").
 *
 * A run's work is its units: one backend × one property, for every backend given (in the order given) and every
 * property selected (in the verifier's order). A shard runs whole units, each exactly as an unsharded run would:
 * the same `--runs`, the same per-property seed (`propertySeed(seed, id)`), so the n shards' outcomes together are
 * the outcomes of one unsharded run, and `poolspec merge` rolls them up into the same verdicts. To check more
 * cases, a CI matrix of n shards raises `--runs` n-fold: each runner then does about the work of one unsharded
 * run at the old `--runs`, and the merged run checked n times as many cases per property.
 *
 * Unit (backend b, property p), both 0-based, goes to shard ((b + p) mod n) + 1. Within one backend the
 * properties are dealt round-robin; each next backend starts one shard further on, so a property that is costly
 * on every backend (the Lp and finite-difference ones) does not land on the same shard for all of them. The
 * split depends on the backend list, the property list and n only (never on the seed), so every shard of a
 * matrix computes the same split, and `poolspec merge` recomputes it to check what each shard says it ran.
 */
import { PoolspecError } from './errors.js';

/** Shard `index` of `count` (1 ≤ index ≤ count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One unit of work: a property on a backend (its `--backend` reference, as given). */
export interface Unit {
  readonly backend: string;
  readonly property: string;
}

/** A `--shard` value that is not `i/n` with integers 1 ≤ i ≤ n. */
export class ShardError extends PoolspecError {
  override readonly name = 'ShardError';
  constructor(
    /** The flag, e.g. `--shard`. */
    readonly field: string,
    /** What the value must be. */
    readonly requirement: string,
    /** The value given. */
    readonly value: string,
  ) {
    super(`${field}: ${requirement}, got ${JSON.stringify(value)}`);
  }
}

const REQUIREMENT = 'must be i/n with integers 1 ≤ i ≤ n (shard i of n)';

/** Parses `i/n`; digits only, so `1.5/4`, `+1/4`, `1e0/4` and ` 1/4` are refused rather than read loosely. */
export function parseShard(value: string, field = '--shard'): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m) throw new ShardError(field, REQUIREMENT, value);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count) {
    throw new ShardError(field, REQUIREMENT, value);
  }
  return { index, count };
}

export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** The shard (1-based) that runs unit (backend b, property p) of a run split n ways. */
export function shardOfUnit(backendIndex: number, propertyIndex: number, count: number): number {
  return ((backendIndex + propertyIndex) % count) + 1;
}

/**
 * The units of shard `shard` of a run over these backends and properties, backend by backend in run order.
 * `own` gives the property list of a backend that runs other properties than `properties` (a user module whose
 * reducers add theirs, SPEC.md REDUCER.MODULE); p then counts in that backend's own list.
 */
export function shardUnits(
  backends: readonly string[], properties: readonly string[], shard: Shard,
  own: Readonly<Record<string, readonly string[]>> = {},
): Unit[] {
  const units: Unit[] = [];
  for (const [b, backend] of backends.entries()) {
    for (const [p, property] of (own[backend] ?? properties).entries()) {
      if (shardOfUnit(b, p, shard.count) === shard.index) units.push({ backend, property });
    }
  }
  return units;
}

/** The properties shard `shard` runs on `backend` (empty: the shard does not load that backend). */
export function shardProperties(units: readonly Unit[], backend: string): string[] {
  return units.filter((u) => u.backend === backend).map((u) => u.property);
}
