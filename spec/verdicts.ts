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

/** What the roll-up reads from a property outcome: the clauses it cites and its status. */
export interface ClauseEvidence<S extends PropertyStatus = PropertyStatus> {
  readonly clauses: readonly string[];
  readonly status: S;
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
 * The verdict is always the status of one of the citing properties, so the result type is the input's status
 * type: outcomes without 'n/a' (the verifier's) never get an 'n/a' clause.
 */
export function clauseStatus<S extends PropertyStatus>(backend: EvidenceSet<S>, clause: string): S | undefined {
  const citing = backend.properties.filter((p) => p.clauses.includes(clause));
  const first = (s: PropertyStatus): S | undefined => citing.find((p) => p.status === s)?.status;
  if (citing.length === 0) return undefined;
  const checked = first('fail') ?? first('pass');
  if (checked !== undefined) return checked;
  return citing.every((p) => p.status === 'n/a') ? first('n/a') : first('unsupported');
}

/**
 * A backend's verdict (PROP.VERDICT): fail if any property failed; pass if one passed; otherwise unsupported
 * (it declined everything, or nothing applied). Declining everything is never passing.
 */
export function backendStatus(properties: readonly ClauseEvidence[]): 'pass' | 'fail' | 'unsupported' {
  if (properties.some((p) => p.status === 'fail')) return 'fail';
  if (properties.some((p) => p.status === 'pass')) return 'pass';
  return 'unsupported';
}

/** Every clause cited by a property of these backends, sorted: the rows of a clause × backend table. */
export function allClauses(backends: readonly EvidenceSet[]): string[] {
  const seen = new Set<string>();
  for (const b of backends) for (const p of b.properties) for (const c of p.clauses) seen.add(c);
  return [...seen].sort();
}
