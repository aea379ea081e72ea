/**
 * Declines grouped by reason (PROP.VERDICT's "unsupported" cases), shared by `poolspec verify`'s terminal
 * section and the HTML report. A backend that declines a whole family (e.g. the structured kinds of SPEC.md §10)
 * gives one reason for each of its properties; listing them one by one repeated that reason fifteen times per
 * backend. Per-property counts stay in the tables and the JSON.
 */

/** What grouping needs of one property's outcome (a verifier outcome or a report's parsed JSON alike). */
export interface DeclineSource {
  readonly id: string;
  readonly status: string;
  readonly cases: number;
  readonly unsupported: number;
  readonly reasons: readonly string[];
}

export interface DeclineGroup {
  readonly backend: string;
  readonly reason: string;
  /** The properties that declined at least one case for this reason, in the verifier's order. */
  readonly properties: readonly string[];
  /** Whether every one of them declined all its cases (none was checked). */
  readonly whole: boolean;
}

/** Groups each backend's declines by reason, in the order the reasons first appear. */
export function groupDeclines(outcomes: readonly { readonly backend: string; readonly properties: readonly DeclineSource[] }[]): DeclineGroup[] {
  const groups: DeclineGroup[] = [];
  for (const o of outcomes) {
    const byReason = new Map<string, { properties: string[]; whole: boolean }>();
    for (const p of o.properties) {
      // A property declined without a draw (a member it needs is absent) has no declined cases but its reason.
      if (p.unsupported === 0 && p.status !== 'unsupported') continue;
      for (const reason of p.reasons) {
        const g = byReason.get(reason) ?? { properties: [], whole: true };
        g.properties.push(p.id);
        g.whole &&= p.cases === 0;
        byReason.set(reason, g);
      }
    }
    for (const [reason, g] of byReason) groups.push({ backend: o.backend, reason, ...g });
  }
  return groups;
}
