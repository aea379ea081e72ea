/**
 * Coverage in `poolspec verify`'s output (SPEC.md PROP.THIN): the cell each property × backend table shows (status
 * and checked cases), the thin-property listing, the JSON verdict fields and the exit status with `--min-checked`.
 * The rule itself is spec/verdicts.ts's; this module only renders it.
 */
import { backendStatus, clauseStatus, coverageStatus, type BackendStatus } from '../spec/verdicts.js';
import type { BackendOutcome, PropertyOutcome } from '../spec/verifier.js';

/** How many cases a property needs to count as a pass, and whether thin fails the run (`--min-checked`). */
export interface CoverageRule {
  readonly minChecked: number;
  readonly thinFails: boolean;
}

/**
 * A property × backend cell: the verdict and the cases checked — `pass 200`, `THIN 37` (passed on fewer than the
 * minimum), `FAIL 12` (the cases checked before the failing one), `UNSUPPORTED`, `n/a`.
 */
export function propertyCell(p: PropertyOutcome | undefined, rule: CoverageRule): string {
  if (!p) return '';
  switch (coverageStatus(p, rule.minChecked)) {
    case 'pass': return `pass ${p.cases}`;
    case 'thin': return `THIN ${p.cases}`;
    case 'fail': return `FAIL ${p.cases}`;
    case 'unsupported': return 'UNSUPPORTED';
    case 'n/a': return 'n/a';
  }
}

/** A clause × backend cell (PROP.VERDICT with PROP.THIN). */
export function clauseCell(o: BackendOutcome, clause: string, rule: CoverageRule): string {
  const s = clauseStatus(o, clause, rule.minChecked);
  return s === undefined ? '' : s === 'pass' || s === 'n/a' ? s : s.toUpperCase();
}

/** A backend's verdict with PROP.THIN applied. */
export function backendVerdict(o: BackendOutcome, rule: CoverageRule): BackendStatus {
  return backendStatus(o.properties, rule.minChecked);
}

/** One line per thin property: what it checked, of how many, and why it stopped short. */
export function thinLines(outcomes: readonly BackendOutcome[], rule: CoverageRule): string[] {
  return outcomes.flatMap((o) => o.properties.filter((p) => coverageStatus(p, rule.minChecked) === 'thin').map((p) =>
    `  ${o.backend} · ${p.id}: ${p.cases} of ${p.runs} cases checked (minimum ${rule.minChecked}), ${p.unsupported} declined${p.budgetSpent ? `; skip budget of ${p.skipBudget} declines spent` : ''}`));
}

/** The JSON form of a backend outcome: each property with its verdict under the rule, the backend's too. */
export function withVerdicts(o: BackendOutcome, rule: CoverageRule): Omit<BackendOutcome, 'properties'> & { verdict: BackendStatus; properties: readonly (PropertyOutcome & { verdict: string })[] } {
  return { ...o, verdict: backendVerdict(o, rule), properties: o.properties.map((p) => ({ ...p, verdict: coverageStatus(p, rule.minChecked) })) };
}

/**
 * The exit status: 1 when a backend failed or declined everything, or (with `--min-checked`) is thin; else 0.
 */
export function exitStatus(outcomes: readonly BackendOutcome[], rule: CoverageRule): 0 | 1 {
  return outcomes.every((o) => {
    const v = backendVerdict(o, rule);
    return v === 'pass' || (v === 'thin' && !rule.thinFails);
  }) ? 0 : 1;
}
