/**
 * The verifier: runs every property (spec/properties) on a backend with fast-check, shrinks failures to a
 * minimal counterexample, and records what a replay needs (seed and path). Used by the CLI and the tests.
 */
import fc from 'fast-check';
import type { PoolingBackend } from './contract.js';
import { resolvePolicy, type Policy } from './policy.js';
import { seedFor } from './seeds.js';
import { PROPERTIES, RESEARCH_PROPERTIES, type AnyProperty, type Mismatch, type Verdict } from './properties/index.js';
import { isReducing } from './extensions.js';
import { reducerProperties } from './properties/reducer.js';
import type { ReducerDeclaration } from './reducer.js';
import { backendStatus } from './verdicts.js';

export type Status = 'pass' | 'fail' | 'unsupported';

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
  /** Cases the backend accepted and that were checked (before any shrinking). */
  readonly cases: number;
  /** Cases the backend declined through supports(); never counted as passed. */
  readonly unsupported: number;
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
  readonly status: Status;
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

export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** JSON-safe copy of a case: typed arrays to arrays, non-finite numbers to strings, −0 kept as "-0". */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    if (Object.is(value, -0)) return '-0';
    return value;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return { [value.constructor.name]: Array.from(value as unknown as ArrayLike<number>, toJsonSafe) };
  }
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)]));
  }
  return value;
}

/**
 * The properties to run: the named ones, or by default PROPERTIES, the research kinds' (SPEC.md §11) when
 * `research` (a backend with a `reducers` member), and `extra` (a user's reducers).
 */
export function selectProperties(ids?: readonly string[], extra: readonly AnyProperty[] = [], research = true): AnyProperty[] {
  const all = [...PROPERTIES, ...RESEARCH_PROPERTIES, ...extra];
  if (!ids || ids.length === 0) return [...PROPERTIES, ...(research ? RESEARCH_PROPERTIES : []), ...extra];
  return ids.map((id) => {
    const p = all.find((q) => q.id === id);
    if (!p) throw new RangeError(`unknown property "${id}"; known: ${all.map((q) => q.id).join(', ')}`);
    return p;
  });
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
): Promise<PropertyOutcome> {
  const started = performance.now();
  let cases = 0;
  let unsupported = 0;
  let unconstrained = 0;
  const reasons = new Set<string>();
  let shrinking = false;
  let lastFailure: Extract<Verdict, { status: 'fail' }> | undefined;
  const details = await fc.check(
    fc.asyncProperty(prop.arbitrary, async (c) => {
      const v = await prop.check(backend, c, policy);
      if (v.status === 'fail') {
        lastFailure = v;
        shrinking = true;
        return false;
      }
      if (!shrinking) {
        if (v.status === 'unsupported') {
          unsupported++;
          if (reasons.size < 5) reasons.add(v.reason);
        } else {
          cases++;
          unconstrained += v.unconstrained ?? 0;
        }
      }
      return true;
    }),
    { numRuns: runs, seed: propertySeed(seed, prop.id), ...(path !== undefined ? { path, endOnFailure: true } : {}) },
  );
  const ms = performance.now() - started;
  const base = { id: prop.id, title: prop.title, clauses: prop.clauses, cases, unsupported, reasons: [...reasons], unconstrained, seed, runs, ms };
  if (details.failed) {
    const error = details.errorInstance;
    const message = lastFailure?.message
      ?? `the property itself threw: ${error instanceof Error ? error.stack ?? error.message : String(error)}`;
    return {
      ...base,
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
  return { ...base, status: cases === 0 && unsupported > 0 ? 'unsupported' : 'pass' };
}

export async function verifyBackend(backend: PoolingBackend, options: VerifyOptions = {}): Promise<BackendOutcome> {
  const started = performance.now();
  const policy = resolvePolicy(options.policy);
  const props = selectProperties(options.properties, userReducerProperties(options.reducers), isReducing(backend));
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? randomSeed();
  const outcomes: PropertyOutcome[] = [];
  for (const [index, prop] of props.entries()) {
    options.onProgress?.({ type: 'start', backend: backend.name, property: prop.id, index, total: props.length });
    const outcome = await runProperty(prop, backend, policy, runs, seed, options.path);
    outcomes.push(outcome);
    options.onProgress?.({ type: 'done', backend: backend.name, outcome, index, total: props.length });
  }
  return { backend: backend.name, status: backendStatus(outcomes), policy, properties: outcomes, ms: performance.now() - started };
}

// The roll-up of property outcomes into backend and clause verdicts (PROP.VERDICT), shared with the reports.
export { allClauses, backendStatus, clauseStatus } from './verdicts.js';
