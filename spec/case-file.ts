/**
 * Case files (schema poolspec.case/1, documented in spec/CASE-FILE.md): one shrunk counterexample of one
 * property, with what a replay needs and nothing fast-check needs. A case file is written for each failure the
 * verifier finds, read back by `poolspec verify --case FILE`, and is the unit of the regression corpus
 * (test/corpus). This module builds, encodes and checks them; reading and writing files is the CLI's job.
 */
import { PoolspecError, describeValue } from './errors.js';
import { fromJsonSafe } from './json-safe.js';
import type { Policy } from './policy.js';
import { findProperty, type AnyProperty } from './properties/index.js';
import type { PropertyOutcome } from './verifier.js';

export const CASE_SCHEMA = 'poolspec.case/1';

/** A case file as it stands on disk: the case in JSON-safe form (spec/json-safe.ts). */
export interface CaseFile {
  readonly schema: typeof CASE_SCHEMA;
  /** The property whose check the case is for (a PROPERTIES ID). */
  readonly property: string;
  /** SPEC.md clause IDs the property checks (informative: the property's own list decides). */
  readonly clauses: readonly string[];
  /** The backend the failure was seen on: a backend's name, or the library of a published bug. */
  readonly backend: string;
  /** What `--backend` took to load it (a built-in name or a module path), when it was a run of poolspec. */
  readonly ref?: string;
  /** The conventions the failure was checked under (SPEC.md §6); a replay on that backend uses them again. */
  readonly policy: Policy;
  /** The run's seed and fast-check's path of the shrunk case, when a run found it (for the record only). */
  readonly seed?: number;
  readonly path?: string;
  /** What went wrong: the failure message, or for a written case what the cited bug does. */
  readonly message: string;
  /** Where the case comes from (a corpus case's citation); absent on files a run writes. */
  readonly source?: string;
  readonly case: unknown;
}

/**
 * A case file that cannot be read: names the field, the rule of poolspec.case/1 it breaks (CASE-FILE.md) and
 * the value found, like the ValidationErrors of the spec.
 */
export class CaseFileError extends PoolspecError {
  override readonly name = 'CaseFileError';
  constructor(
    /** Where: the file, or '(text)'. */
    readonly file: string,
    /** The offending field, e.g. `schema` or `policy.maxNan`. */
    readonly field: string,
    /** The rule's ID in spec/CASE-FILE.md, e.g. `CASE.SCHEMA`. */
    readonly rule: string,
    readonly requirement: string,
    readonly value: unknown,
  ) {
    super(`${file}: ${field}: ${requirement} (${rule}), got ${describeValue(value)}`);
  }
}

/** The values each policy key may take (SPEC.md §6). */
export const POLICY_VALUES: { readonly [K in keyof Policy]: readonly Policy[K][] } = {
  maxNan: ['propagate', 'ignore', 'first-only'],
  maxTies: ['first', 'last'],
  indices: ['plane', 'unchecked'],
  subnormals: ['preserve', 'flush'],
};

/** A case file's fields in the order they are written (the case last: it is the long one). */
export function encodeCaseFile(file: CaseFile): string {
  const ordered: Record<string, unknown> = {
    schema: file.schema, property: file.property, clauses: file.clauses, backend: file.backend, ref: file.ref,
    policy: file.policy, seed: file.seed, path: file.path, message: file.message, source: file.source, case: file.case,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KNOWN_FIELDS = new Set(['schema', 'property', 'clauses', 'backend', 'ref', 'policy', 'seed', 'path', 'message', 'source', 'case']);

/** Checks a parsed JSON value against poolspec.case/1; throws a CaseFileError at the first broken rule. */
export function checkCaseFile(value: unknown, where = '(text)'): CaseFile {
  const bad = (field: string, rule: string, requirement: string, v: unknown): never => {
    throw new CaseFileError(where, field, rule, requirement, v);
  };
  if (!isRecord(value)) return bad('(root)', 'CASE.OBJECT', 'a case file is one JSON object', value);
  const schema = value.schema;
  if (typeof schema !== 'string' || !schema.startsWith('poolspec.case/')) {
    return bad('schema', 'CASE.SCHEMA', `must be "${CASE_SCHEMA}"`, schema);
  }
  if (schema !== CASE_SCHEMA) return bad('schema', 'CASE.VERSION', `this poolspec reads version 1 only ("${CASE_SCHEMA}")`, schema);
  for (const k of Object.keys(value)) if (!KNOWN_FIELDS.has(k)) bad(k, 'CASE.FIELDS', 'not a field of poolspec.case/1', value[k]);
  const str = (field: string, required: boolean): string | undefined => {
    const v = value[field];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.length === 0) return bad(field, 'CASE.FIELDS', 'must be a non-empty string', v);
    return v;
  };
  const property = str('property', true)!;
  // A user reducer's properties (reducer.NAME.*, REDUCER.MODULE) are known once its module is loaded: decodeCase checks them.
  if (!findProperty(property) && !property.startsWith('reducer.')) bad('property', 'CASE.PROPERTY', 'must name a property of this poolspec (poolspec verify --list)', property);
  const clauses = value.clauses;
  if (!Array.isArray(clauses) || !clauses.every((c) => typeof c === 'string')) bad('clauses', 'CASE.FIELDS', 'must be an array of clause IDs', clauses);
  const backend = str('backend', true)!;
  const ref = str('ref', false);
  const policy = value.policy;
  if (!isRecord(policy)) return bad('policy', 'CASE.POLICY', 'must be an object with maxNan, maxTies, indices, subnormals', policy);
  for (const k of Object.keys(policy)) if (!(k in POLICY_VALUES)) bad(`policy.${k}`, 'CASE.POLICY', `not a policy key (${Object.keys(POLICY_VALUES).join(', ')})`, policy[k]);
  for (const [k, allowed] of Object.entries(POLICY_VALUES) as [keyof Policy, readonly string[]][]) {
    if (!allowed.includes(policy[k] as string)) bad(`policy.${k}`, 'CASE.POLICY', `must be one of ${allowed.join(', ')}`, policy[k]);
  }
  const seed = value.seed;
  if (seed !== undefined && !Number.isInteger(seed)) bad('seed', 'CASE.FIELDS', 'must be an integer when present', seed);
  const path = value.path;
  if (path !== undefined && (typeof path !== 'string' || !/^(\d+(:\d+)*)?$/.test(path))) bad('path', 'CASE.FIELDS', 'must be a fast-check path (digits separated by colons) when present', path);
  const message = str('message', true)!;
  const source = str('source', false);
  if (!('case' in value) || value.case === null || typeof value.case !== 'object') bad('case', 'CASE.CASE', 'must hold the case (an object or an array, JSON-safe)', value.case);
  return {
    schema: CASE_SCHEMA, property, clauses: clauses as string[], backend, ...(ref !== undefined ? { ref } : {}),
    policy: policy as unknown as Policy, ...(seed !== undefined ? { seed: seed as number } : {}), ...(path !== undefined ? { path: path as string } : {}),
    message, ...(source !== undefined ? { source } : {}), case: value.case,
  };
}

/** Parses a case file's text: JSON first (CASE.JSON), then the schema. */
export function parseCaseFile(text: string, where = '(text)'): CaseFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CaseFileError(where, '(root)', 'CASE.JSON', 'must be JSON', (e as Error).message);
  }
  return checkCaseFile(value, where);
}

/** The property a case file names and its case decoded (fromJsonSafe), ready for the property's check. */
export function decodeCase(file: CaseFile, where = '(text)', extra: readonly AnyProperty[] = []): { property: AnyProperty; value: unknown } {
  // `extra`: the properties of a user's reducer declarations (REDUCER.MODULE), which only their module knows.
  const property = findProperty(file.property) ?? extra.find((p) => p.id === file.property);
  if (!property) throw new CaseFileError(where, 'property', 'CASE.PROPERTY', 'must name a property of this poolspec', file.property);
  try {
    return { property, value: fromJsonSafe(file.case) };
  } catch (e) {
    throw new CaseFileError(where, 'case', 'CASE.CASE', 'must decode to a case (spec/json-safe.ts)', (e as Error).message);
  }
}

/** The case file of one failed property outcome of a run (the verifier's shrunk counterexample). */
export function caseFileOf(backend: string, ref: string | undefined, p: PropertyOutcome, policy: Policy): CaseFile | undefined {
  if (p.status !== 'fail' || !p.failure || p.failure.counterexample === null || typeof p.failure.counterexample !== 'object') return undefined;
  return {
    schema: CASE_SCHEMA, property: p.id, clauses: p.clauses, backend, ...(ref !== undefined ? { ref } : {}), policy: { ...policy },
    seed: p.seed, ...(p.failure.path ? { path: p.failure.path } : {}), message: p.failure.message, case: p.failure.counterexample,
  };
}
