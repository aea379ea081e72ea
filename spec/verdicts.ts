/**
 * How property outcomes roll up into a clause's verdict and a backend's verdict (SPEC.md PROP.VERDICT). The one
 * rule behind every clause × backend table: `poolspec verify`'s, the report's conformance matrix
 * (reports/conformance-input.ts) and the ecosystem matrix (reports/ecosystem.ts). It lives in spec/, below all of
 * them, so none keeps a copy that could drift from the others.
 */

/**
 * A property's outcome on one backend. The verifier produces the first three; 'n/a' is a property that does not
 * apply to the backend (it needs backward() and the backend is forward only: ForwardOnlyBackend).
 */
export type PropertyStatus = 'pass' | 'fail' | 'unsupported' | 'n/a';

/** What the roll-up reads from a property outcome: the clauses it cites, its status and how many cases it checked. */
export interface ClauseEvidence<S extends PropertyStatus = PropertyStatus> {
  readonly clauses: readonly string[];
  readonly status: S;
  /** Cases checked (PropertyOutcome.cases); absent in evidence that predates the count (never thin then). */
  readonly cases?: number;
}

/**
 * PROP.THIN: a property that passed on fewer than `minChecked` checked cases is 'thin' — passed, but on too
 * little evidence to be read as a pass. Thin is a qualifier of pass only: a failure is a failure on any number
 * of cases, and unsupported and n/a checked none by definition.
 */
export type CoverageStatus<S extends PropertyStatus = PropertyStatus> = S | 'thin';

/** The default minimum of checked cases (PROP.THIN): half of the requested runs, rounded up. */
export function defaultMinChecked(runs: number): number {
  return Math.ceil(runs / 2);
}

/**
 * A property × backend cell in words, with the cases checked: 'pass 200', 'thin 37', 'fail 12' (the cases checked
 * before the failing one), 'unsupported', 'n/a'. Shared by the reports' tables.
 */
export function coverageText(p: ClauseEvidence, minChecked: number | undefined): string {
  const s = coverageStatus(p, minChecked);
  return (s === 'pass' || s === 'thin' || s === 'fail') && p.cases !== undefined ? `${s} ${p.cases}` : s;
}

/** A property's status with PROP.THIN applied; without a minimum (undefined) nothing is thin. */
export function coverageStatus<S extends PropertyStatus>(p: ClauseEvidence<S>, minChecked: number | undefined): CoverageStatus<S> {
  if (minChecked !== undefined && p.status === 'pass' && p.cases !== undefined && p.cases < minChecked) return 'thin';
  return p.status;
}

/** A backend's property outcomes (a verifier BackendOutcome, a report column, an ecosystem row). */
export interface EvidenceSet<S extends PropertyStatus = PropertyStatus> {
  readonly properties: readonly ClauseEvidence<S>[];
}

/**
 * Clause × backend (PROP.VERDICT): fail if a property citing the clause failed; else pass if one passed; else n/a
 * if every citing property is n/a; else unsupported (some citing property applied and all its cases were
 * declined). undefined when no property cites the clause.
 *
 * With a minimum of checked cases (PROP.THIN), a pass needs a citing property that passed on at least that many;
 * a clause whose passing properties are all thin is thin.
 *
 * The verdict is always the (coverage) status of one of the citing properties, so the result type is the input's
 * status type: outcomes without 'n/a' (the verifier's) never get an 'n/a' clause.
 */
export function clauseStatus<S extends PropertyStatus>(backend: EvidenceSet<S>, clause: string): S | undefined;
export function clauseStatus<S extends PropertyStatus>(backend: EvidenceSet<S>, clause: string, minChecked: number | undefined): CoverageStatus<S> | undefined;
export function clauseStatus<S extends PropertyStatus>(backend: EvidenceSet<S>, clause: string, minChecked?: number): CoverageStatus<S> | undefined {
  const citing = backend.properties.filter((p) => p.clauses.includes(clause)).map((p) => coverageStatus(p, minChecked));
  const first = (s: CoverageStatus): CoverageStatus<S> | undefined => citing.find((c) => c === s);
  if (citing.length === 0) return undefined;
  const checked = first('fail') ?? first('pass') ?? first('thin');
  if (checked !== undefined) return checked;
  return citing.every((c) => c === 'n/a') ? first('n/a') : first('unsupported');
}

/** A backend's verdict: PROP.VERDICT's three, and 'thin' with a minimum of checked cases (PROP.THIN). */
export type BackendStatus = 'pass' | 'fail' | 'unsupported' | 'thin';

/**
 * A backend's verdict (PROP.VERDICT): fail if any property failed; pass if one passed; otherwise unsupported
 * (it declined everything, or nothing applied). Declining everything is never passing. With a minimum of
 * checked cases (PROP.THIN): thin, not pass, if any property that passed is thin.
 */
export function backendStatus(properties: readonly ClauseEvidence[]): 'pass' | 'fail' | 'unsupported';
export function backendStatus(properties: readonly ClauseEvidence[], minChecked: number | undefined): BackendStatus;
export function backendStatus(properties: readonly ClauseEvidence[], minChecked?: number): BackendStatus {
  const statuses = properties.map((p) => coverageStatus(p, minChecked));
  if (statuses.includes('fail')) return 'fail';
  if (statuses.includes('thin')) return 'thin';
  if (statuses.includes('pass')) return 'pass';
  return 'unsupported';
}

/** Every clause cited by a property of these backends, sorted: the rows of a clause × backend table. */
export function allClauses(backends: readonly EvidenceSet[]): string[] {
  const seen = new Set<string>();
  for (const b of backends) for (const p of b.properties) for (const c of p.clauses) seen.add(c);
  return [...seen].sort();
}
