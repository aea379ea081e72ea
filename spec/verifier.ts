/**
 * The verifier: runs every property (spec/properties) on a backend with fast-check, shrinks failures to a
 * minimal counterexample, and records what a replay needs (seed and path). Used by the CLI and the tests.
 */
import fc from 'fast-check';
import type { PoolingBackend } from './contract.js';
import { resolvePolicy, type Policy } from './policy.js';
import { toJsonSafe } from './json-safe.js';
import { seedFor } from './seeds.js';
import { PROPERTIES, RESEARCH_PROPERTIES, type AnyProperty, type Mismatch, type Verdict } from './properties/index.js';
import { reducerProperties } from './properties/reducer.js';
import type { ReducerDeclaration } from './reducer.js';
import { backendStatus } from './verdicts.js';

/**
 * A property's status on one backend. 'n/a': the property calls backward() and the backend has none (its
 * capabilities say `backward: false`, or supportsBackward() declined every case drawn).
 */
export type Status = 'pass' | 'fail' | 'unsupported' | 'n/a';

export interface Failure {
  readonly message: string;
  readonly mismatch?: Mismatch;
  /** The shrunk case, JSON-safe (NaN and ±Infinity as strings, typed arrays as arrays). */
  readonly counterexample: unknown;
  /** fast-check's replay path of the shrunk case. */
  readonly path: string;
  readonly shrinks: number;
}

export interface PropertyOutcome {
  readonly id: string;
  readonly title: string;
  readonly clauses: readonly string[];
  readonly status: Status;
  /** Cases the backend accepted and that were checked (before any shrinking; never a shrink candidate). */
  readonly cases: number;
  /** Cases the backend declined through supports(); never counted as passed, and drawn again (skip budget). */
  readonly unsupported: number;
  /**
   * The skip budget: declined draws allowed before the property stops short of `runs` checked cases
   * (maxSkipsPerRun × runs, fast-check's precondition budget).
   */
  readonly skipBudget: number;
  /** Whether the budget ran out: fewer than `runs` cases were checked because the backend declined the rest. */
  readonly budgetSpent: boolean;
  /** Why the property was not drawn at all (n/a or unsupported at once), where it was not. */
  readonly note?: string;
  /** Distinct decline reasons (at most 5). */
  readonly reasons: readonly string[];
  /** Output elements that had no float32 constraint (ACC.RANGE), summed over the cases. */
  readonly unconstrained: number;
  readonly seed: number;
  readonly runs: number;
  readonly ms: number;
  readonly failure?: Failure;
}

export interface BackendOutcome {
  readonly backend: string;
  /** PROP.VERDICT without a minimum of checked cases (the CLI applies PROP.THIN with its own). */
  readonly status: 'pass' | 'fail' | 'unsupported';
  readonly policy: Policy;
  readonly properties: readonly PropertyOutcome[];
  readonly ms: number;
}

export interface VerifyOptions {
  /** Cases per property (fast-check numRuns); default 100. */
  runs?: number;
  /** Seed; default random (always reported). */
  seed?: number;
  /** Replay path (with a single property): re-runs exactly one recorded case. */
  path?: string;
  /** Property IDs to run (default all). */
  properties?: readonly string[];
  /** Declined draws allowed per run (default DEFAULT_MAX_SKIPS_PER_RUN); the budget is this × runs. */
  maxSkipsPerRun?: number;
  /** The backend's documented conventions where the spec allows alternatives (SPEC.md §6). */
  policy?: Partial<Policy>;
  onProgress?: (event: ProgressEvent) => void;
  /** A user's reducer declarations (SPEC.md REDUCER.MODULE): their properties run after the built-in ones. */
  reducers?: readonly ReducerDeclaration[];
}

/** The properties of a user's reducer declarations (SPEC.md §11), the same set the built-in research kinds get. */
export function userReducerProperties(reducers: readonly ReducerDeclaration[] = []): AnyProperty[] {
  return reducers.flatMap((d) => reducerProperties(d) as AnyProperty[]);
}

export type ProgressEvent =
  | { readonly type: 'start'; readonly backend: string; readonly property: string; readonly index: number; readonly total: number }
  | { readonly type: 'done'; readonly backend: string; readonly outcome: PropertyOutcome; readonly index: number; readonly total: number };

export const DEFAULT_RUNS = 100;

/**
 * The skip budget. A property keeps drawing until `runs` cases were checked or DEFAULT_MAX_SKIPS_PER_RUN × runs
 * cases were declined; then it reports how many it checked (budgetSpent). 10 lets a backend that accepts one
 * draw in ten still get its `runs` cases on average. Before that loop a probe draws up to the whole budget and
 * stops at the first case the backend accepts: a backend that declines all of them declines the property
 * (unsupported, budgetSpent). A declined draw costs its generation and one supports() call, no kernel call, so
 * the probe is cheap where the full loop (fast-check's runner with shrinking set up) is not; and a backend that
 * accepts only a rare corner (one draw in fifty) is still found to accept it, rather than reported unsupported
 * after `runs` unlucky draws.
 */
export const DEFAULT_MAX_SKIPS_PER_RUN = 10;

/** Cases the probe draws at a time (fc.sample generates a chunk at once). */
const PROBE_CHUNK = 32;

interface Declines { readonly declined: number; readonly backward: number; readonly reasons: ReadonlySet<string> }

/**
 * Asks the property about up to `budget` drawn cases, stopping at the first one that is not declined. Returns the
 * declines when all `budget` were declined, undefined otherwise (also when a case fails or throws: the full run
 * finds, shrinks and reports it).
 */
async function probeDeclines(
  prop: AnyProperty, arbitrary: AnyProperty['arbitrary'], backend: PoolingBackend, policy: Policy, budget: number, seed: number,
): Promise<Declines | undefined> {
  let declined = 0;
  let backward = 0;
  const reasons = new Set<string>();
  for (let chunk = 0; declined < budget; chunk++) {
    const drawn = fc.sample(arbitrary, { numRuns: Math.min(PROBE_CHUNK, budget - declined), seed: seedFor(seed, `probe ${chunk}`) | 0 });
    for (const c of drawn) {
      let v: Verdict;
      try {
        v = await prop.check(backend, c, policy);
      } catch {
        return undefined;
      }
      if (v.status !== 'unsupported') return undefined;
      declined++;
      if (v.backward) backward++;
      if (reasons.size < 5) reasons.add(v.reason);
    }
  }
  return { declined, backward, reasons };
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

// The JSON-safe form of a counterexample lives beside its inverse (spec/json-safe.ts); re-exported for users.
export { toJsonSafe } from './json-safe.js';

/**
 * The properties to run: the named ones (an ID ending in `*` names every property with that prefix, e.g.
 * `reducer.*`), or by default PROPERTIES and `extra` (a user's reducers). The research kinds' properties
 * (SPEC.md §11) run only when named: the default is the same for every backend, so a sharded run
 * (spec/shard.ts) splits exactly the units an unsharded run has.
 */
export function selectProperties(ids?: readonly string[], extra: readonly AnyProperty[] = []): AnyProperty[] {
  const all = [...PROPERTIES, ...RESEARCH_PROPERTIES, ...extra];
  if (!ids || ids.length === 0) return [...PROPERTIES, ...extra];
  const picked = ids.flatMap((id) => {
    const matched = id.endsWith('*') ? all.filter((q) => q.id.startsWith(id.slice(0, -1))) : all.filter((q) => q.id === id);
    if (matched.length === 0) throw new RangeError(`unknown property "${id}"; known: ${all.map((q) => q.id).join(', ')}`);
    return matched;
  });
  // An ID given twice (or named by two patterns) runs once, where it was first named.
  return picked.filter((q, i) => picked.findIndex((r) => r.id === q.id) === i);
}

/**
 * The seed fast-check gets for one property: the run's seed mixed with the property's ID (FNV-1a), so properties
 * that share a generator still see different cases, and `--property ID --seed S` replays the same ones.
 */
export function propertySeed(seed: number, id: string): number {
  return seedFor(seed, id) | 0;
}

export async function runProperty(
  prop: AnyProperty, backend: PoolingBackend, policy: Policy, runs: number, seed: number, path?: string,
  maxSkipsPerRun: number = DEFAULT_MAX_SKIPS_PER_RUN,
): Promise<PropertyOutcome> {
  const started = performance.now();
  const skipBudget = maxSkipsPerRun * runs;
  const base = { id: prop.id, title: prop.title, clauses: prop.clauses, seed, runs, skipBudget };
  // Declared limits settle a property before any draw: a member it needs is absent, or backward() is.
  const inapplicable = prop.applies?.(backend);
  if (inapplicable !== undefined) {
    return { ...base, status: 'unsupported', cases: 0, unsupported: 0, reasons: [inapplicable], unconstrained: 0, budgetSpent: false, note: inapplicable, ms: performance.now() - started };
  }
  if (prop.usesBackward && backend.capabilities?.backward === false) {
    const note = `${backend.name} declares no backward() (capabilities.backward: false); the property calls it`;
    return { ...base, status: 'n/a', cases: 0, unsupported: 0, reasons: [], unconstrained: 0, budgetSpent: false, note, ms: performance.now() - started };
  }
  const arbitrary = backend.capabilities && prop.arbitraryFor ? prop.arbitraryFor(backend.capabilities) : prop.arbitrary;
  const propSeed = propertySeed(seed, prop.id);
  const none = path === undefined ? await probeDeclines(prop, arbitrary, backend, policy, skipBudget, propSeed) : undefined;
  if (none) {
    // Declined by supportsBackward() alone, the property does not apply.
    const status = none.backward === none.declined ? 'n/a' : 'unsupported';
    const note = `declined all of the first ${none.declined} draws (the skip budget); the property was not run`;
    return { ...base, status, cases: 0, unsupported: none.declined, reasons: [...none.reasons], unconstrained: 0, budgetSpent: true, note, ms: performance.now() - started };
  }
  let cases = 0;
  let unsupported = 0;
  let backwardDeclines = 0;
  let unconstrained = 0;
  const reasons = new Set<string>();
  // Set by the first failing case, whether it failed by verdict or by throwing: what runs after it are shrink
  // candidates, never counted as cases.
  let shrinking = false;
  let lastFailure: Extract<Verdict, { status: 'fail' }> | undefined;
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (c) => {
      let v: Verdict;
      try {
        v = await prop.check(backend, c, policy);
      } catch (e) {
        shrinking = true;
        throw e;
      }
      if (v.status === 'fail') {
        lastFailure = v;
        shrinking = true;
        return false;
      }
      if (v.status === 'unsupported') {
        if (!shrinking) {
          unsupported++;
          if (v.backward) backwardDeclines++;
          if (reasons.size < 5) reasons.add(v.reason);
        }
        // A declined case does not use up a run: fast-check draws another (up to the skip budget) and, while
        // shrinking, moves on to the next candidate.
        fc.pre(false);
      }
      if (!shrinking) {
        cases++;
        unconstrained += v.status === 'pass' ? v.unconstrained ?? 0 : 0;
      }
      return true;
    }),
    { numRuns: runs, maxSkipsPerRun, seed: propSeed, ...(path !== undefined ? { path, endOnFailure: true } : {}) },
  );
  const ms = performance.now() - started;
  const counts = { cases, unsupported, reasons: [...reasons], unconstrained, ms };
  // fast-check reports a spent skip budget as a failure without a counterexample.
  const budgetSpent = details.failed && details.counterexamplePath === null;
  if (details.failed && !budgetSpent) {
    const error = details.errorInstance;
    const message = lastFailure?.message
      ?? `the property itself threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
    return {
      ...base,
      ...counts,
      budgetSpent: false,
      status: 'fail',
      failure: {
        message,
        ...(lastFailure?.mismatch ? { mismatch: lastFailure.mismatch } : {}),
        counterexample: toJsonSafe(details.counterexample?.[0]),
        path: details.counterexamplePath ?? '',
        shrinks: details.numShrinks,
      },
    };
  }
  if (cases > 0) return { ...base, ...counts, budgetSpent, status: 'pass' };
  // Nothing checked: every draw declined. Declined by supportsBackward() alone, the property does not apply.
  const status = unsupported > 0 && backwardDeclines === unsupported ? 'n/a' : 'unsupported';
  return { ...base, ...counts, budgetSpent, status };
}

export async function verifyBackend(backend: PoolingBackend, options: VerifyOptions = {}): Promise<BackendOutcome> {
  const started = performance.now();
  const policy = resolvePolicy(options.policy);
  const props = selectProperties(options.properties, userReducerProperties(options.reducers));
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? randomSeed();
  const outcomes: PropertyOutcome[] = [];
  for (const [index, prop] of props.entries()) {
    options.onProgress?.({ type: 'start', backend: backend.name, property: prop.id, index, total: props.length });
    const outcome = await runProperty(prop, backend, policy, runs, seed, options.path, options.maxSkipsPerRun);
    outcomes.push(outcome);
    options.onProgress?.({ type: 'done', backend: backend.name, outcome, index, total: props.length });
  }
  return { backend: backend.name, status: backendStatus(outcomes), policy, properties: outcomes, ms: performance.now() - started };
}

// The roll-up of property outcomes into backend and clause verdicts (PROP.VERDICT), shared with the reports.
export { allClauses, backendStatus, clauseStatus, coverageStatus, defaultMinChecked } from './verdicts.js';
