/**
 * Conformance results for the report, from two producers of the same per-property outcomes:
 * - `poolspec verify --json` (schema poolspec.verify/1): `backends: [{ backend, status, policy, properties, … }]`
 *   with failing properties' replay commands in a per-backend `replay` map; also a JSON array of such files;
 * - the ecosystem file (reports/results/ecosystem.json, schema poolspec.ecosystem/1, written by
 *   `poolspec report --ecosystem`, reports/ecosystem.ts): `backends: [{ name, role, library, available, error?, properties }]`,
 *   where a property may also be 'n/a' (e.g. forward-only libraries on gradient properties) and carries its own
 *   `replay` and `reading`.
 * Both are normalised into one model; anything else is refused with a message naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { allClauses, backendStatus, clauseStatus, coverageStatus, coverageText, defaultMinChecked, type CoverageStatus, type PropertyStatus } from '../spec/verdicts.js';

export type { PropertyStatus } from '../spec/verdicts.js';
export type BackendStatus = 'pass' | 'fail' | 'unsupported' | 'unavailable';
/**
 * A clause cell: the PROP.VERDICT roll-up with PROP.THIN (spec/verdicts.ts), or 'unavailable' for a backend that
 * did not load.
 */
export type ClauseStatus = CoverageStatus | 'unavailable';

export interface ConformanceProperty {
  readonly id: string;
  readonly title: string;
  readonly clauses: readonly string[];
  readonly status: PropertyStatus;
  /** Cases checked, where the file records them (older files do not: never thin then). */
  readonly cases?: number;
  readonly unsupported: number;
  readonly reasons: readonly string[];
  readonly note?: string;
  readonly failure?: { readonly message: string; readonly counterexample: unknown; readonly shrinks: number };
  readonly replay?: string;
  /** The ecosystem report's explanation of a failure. */
  readonly reading?: { readonly cause?: string; readonly verdict?: string };
}

/** One backend (one column); `label` is unique across every source in a report. */
export interface ConformanceBackend {
  readonly label: string;
  readonly name: string;
  readonly source: string;
  readonly status: BackendStatus;
  /** Library description or role, when the file has them. */
  readonly description?: string;
  /** Why an unavailable backend did not run. */
  readonly error?: string;
  /** PROP.THIN's minimum for this backend's run (the file's, else half its runs); undefined: no run count known. */
  readonly minChecked?: number;
  readonly properties: readonly ConformanceProperty[];
}

export interface ConformanceSource {
  readonly file: string;
  readonly schema: string;
  readonly date?: string;
  readonly seed?: number;
  readonly runs?: number;
  readonly backends: readonly ConformanceBackend[];
}

export class ConformanceInputError extends Error {
  override readonly name = 'ConformanceInputError';
}

type Obj = Record<string, unknown>;
const PROPERTY_STATUSES: readonly string[] = ['pass', 'fail', 'unsupported', 'n/a'];
const BACKEND_STATUSES: readonly string[] = ['pass', 'fail', 'unsupported'];

function isObj(v: unknown): v is Obj {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function checkProperty(v: unknown, at: string, replayMap: Obj): ConformanceProperty {
  if (!isObj(v)) throw new ConformanceInputError(`${at}: expected an object`);
  if (typeof v['id'] !== 'string') throw new ConformanceInputError(`${at}.id: expected a string`);
  if (!Array.isArray(v['clauses']) || !(v['clauses'] as unknown[]).every((c) => typeof c === 'string')) throw new ConformanceInputError(`${at}.clauses: expected an array of clause IDs`);
  if (!PROPERTY_STATUSES.includes(v['status'] as string)) throw new ConformanceInputError(`${at}.status: expected pass, fail, unsupported or n/a, got ${JSON.stringify(v['status'])}`);
  const id = v['id'];
  const f = v['failure'];
  const replay = typeof v['replay'] === 'string' ? v['replay'] : typeof replayMap[id] === 'string' ? replayMap[id] : undefined;
  const reading = isObj(v['reading']) ? v['reading'] : undefined;
  return {
    id,
    title: typeof v['title'] === 'string' ? v['title'] : '',
    clauses: v['clauses'] as string[],
    status: v['status'] as PropertyStatus,
    ...(typeof v['cases'] === 'number' ? { cases: v['cases'] } : {}),
    unsupported: typeof v['unsupported'] === 'number' ? v['unsupported'] : 0,
    reasons: strings(v['reasons']),
    ...(typeof v['note'] === 'string' ? { note: v['note'] } : {}),
    ...(isObj(f) ? { failure: { message: typeof f['message'] === 'string' ? f['message'] : '', counterexample: f['counterexample'], shrinks: typeof f['shrinks'] === 'number' ? f['shrinks'] : 0 } } : {}),
    ...(replay !== undefined ? { replay } : {}),
    ...(reading ? { reading: { ...(typeof reading['cause'] === 'string' ? { cause: reading['cause'] } : {}), ...(typeof reading['verdict'] === 'string' ? { verdict: reading['verdict'] } : {}) } } : {}),
  };
}

function checkBackend(v: unknown, at: string, file: string, minChecked: number | undefined): ConformanceBackend {
  if (!isObj(v)) throw new ConformanceInputError(`${at}: expected a backend outcome object`);
  const name = typeof v['backend'] === 'string' ? v['backend'] : typeof v['name'] === 'string' ? v['name'] : undefined;
  if (name === undefined) throw new ConformanceInputError(`${at}: expected a "backend" (verify) or "name" (ecosystem) string`);
  if (v['status'] !== undefined && !BACKEND_STATUSES.includes(v['status'] as string)) {
    throw new ConformanceInputError(`${at}.status: expected pass, fail or unsupported, got ${JSON.stringify(v['status'])}`);
  }
  if (!Array.isArray(v['properties'])) throw new ConformanceInputError(`${at}.properties: expected an array`);
  const replayMap = isObj(v['replay']) ? v['replay'] : {};
  const properties = (v['properties'] as unknown[]).map((p, i) => checkProperty(p, `${at}.properties[${i}]`, replayMap));
  const unavailable = v['available'] === false;
  const description = [typeof v['library'] === 'string' ? v['library'] : '', typeof v['role'] === 'string' ? v['role'] : ''].filter(Boolean).join(' — ');
  return {
    label: name, name, source: file, properties,
    ...(minChecked !== undefined ? { minChecked } : {}),
    status: unavailable ? 'unavailable' : (v['status'] as BackendStatus | undefined) ?? backendStatus(properties),
    ...(description ? { description } : {}),
    ...(typeof v['error'] === 'string' ? { error: v['error'] } : {}),
  };
}

function fromObject(v: Obj, file: string, where: string): ConformanceSource {
  const schema = typeof v['schema'] === 'string' ? v['schema'] : '(none)';
  if (schema.startsWith('poolspec.bench/')) throw new ConformanceInputError(`${file}: this is a bench results file (${schema}); give it with --bench`);
  if (!Array.isArray(v['backends'])) {
    throw new ConformanceInputError(`${file}${where}: not conformance results: expected "schema": "poolspec.verify/1" or "poolspec.ecosystem/1" with a "backends" array`);
  }
  const runs = typeof v['runs'] === 'number' ? v['runs'] : undefined;
  const minChecked = typeof v['minChecked'] === 'number' ? v['minChecked'] : runs !== undefined ? defaultMinChecked(runs) : undefined;
  return {
    file, schema,
    backends: (v['backends'] as unknown[]).map((b, i) => checkBackend(b, `${file}${where}.backends[${i}]`, file, minChecked)),
    ...(typeof v['date'] === 'string' ? { date: v['date'] } : {}),
    ...(typeof v['seed'] === 'number' ? { seed: v['seed'] } : {}),
    ...(typeof v['runs'] === 'number' ? { runs: v['runs'] } : {}),
  };
}

/** Parses one file's JSON value: a verify or ecosystem object, or an array of them. */
export function parseConformance(value: unknown, file: string): ConformanceSource[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new ConformanceInputError(`${file}: an empty array`);
    return value.map((v, i) => {
      if (!isObj(v)) throw new ConformanceInputError(`${file}[${i}]: expected a verify results object`);
      return fromObject(v, file, `[${i}]`);
    });
  }
  if (!isObj(value)) throw new ConformanceInputError(`${file}: expected a JSON object or array`);
  return [fromObject(value, file, '')];
}

export function readConformanceFile(file: string): ConformanceSource[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConformanceInputError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConformanceInputError(`${file}: not JSON (${(e as Error).message})`);
  }
  return parseConformance(value, file);
}

/**
 * Unique column labels: the backend name; a name that repeats in a later source gets that file's name in
 * parentheses ("naive (ecosystem)"), then #2, #3 … if it still repeats.
 */
export function labelBackends(sources: readonly ConformanceSource[]): ConformanceBackend[] {
  const used = new Set<string>();
  return sources.flatMap((s) => s.backends).map((b) => {
    let label = b.name;
    if (used.has(label)) label = `${b.name} (${basename(b.source).replace(/\.json$/i, '')})`;
    for (let n = 2; used.has(label); n++) label = `${b.name} #${n}`;
    used.add(label);
    return { ...b, label };
  });
}

export interface MatrixCell {
  readonly status: ClauseStatus | undefined;
  /** The failing properties that cite this clause. */
  readonly failing: readonly ConformanceProperty[];
}

export interface ConformanceMatrix {
  readonly backends: readonly ConformanceBackend[];
  readonly clauses: readonly string[];
  /** cells[clause index][backend index]. */
  readonly cells: readonly (readonly MatrixCell[])[];
}

/** The PROP.VERDICT clause rule (spec/verdicts.ts clauseStatus); a backend that did not load is 'unavailable'. */
export function clauseCell(b: ConformanceBackend, clause: string): ClauseStatus | undefined {
  return b.status === 'unavailable' ? 'unavailable' : clauseStatus(b, clause, b.minChecked);
}

export function conformanceMatrix(sources: readonly ConformanceSource[]): ConformanceMatrix {
  const backends = labelBackends(sources);
  const clauses = allClauses(backends);
  const cells = clauses.map((c) => backends.map((b) => ({
    status: clauseCell(b, c),
    failing: b.properties.filter((p) => p.status === 'fail' && p.clauses.includes(c)),
  })));
  return { backends, clauses, cells };
}

/** A property × backend cell: its coverage status (PROP.THIN) and words with the cases checked ('pass 200'). */
export interface PropertyCell {
  readonly status: CoverageStatus | 'unavailable' | undefined;
  readonly text: string;
}

/** The property × backend table: every property id any backend ran, in first-seen order. */
export function propertyMatrix(m: ConformanceMatrix): { readonly ids: readonly string[]; readonly cells: readonly (readonly PropertyCell[])[] } {
  const ids = [...new Set(m.backends.flatMap((b) => b.properties.map((p) => p.id)))];
  const cells = ids.map((id) => m.backends.map((b): PropertyCell => {
    if (b.status === 'unavailable') return { status: 'unavailable', text: 'unavailable' };
    const p = b.properties.find((q) => q.id === id);
    return p ? { status: coverageStatus(p, b.minChecked), text: coverageText(p, b.minChecked) } : { status: undefined, text: '' };
  }));
  return { ids, cells };
}
