/**
 * The command line that re-runs one recorded property outcome: `poolspec verify` with the backend and the case
 * file of the failure, or (where no file was written) the property, the seed, fast-check's replay path of the
 * shrunk case, and the policy keys that differ from the spec's defaults.
 * Beside the verifier because every room that prints outcomes (`poolspec verify`, the ecosystem report) must
 * print the same command.
 */
import { DEFAULT_POLICY, type Policy } from './policy.js';
import type { PropertyOutcome } from './verifier.js';

/** Quotes a word for a POSIX shell when it holds anything beyond a safe set. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `ref` is what `--backend` accepts: a built-in name or a module path (relative to the directory it runs in).
 * With the failure's case file (spec/CASE-FILE.md) the command replays that file (`--case`): one short line, and
 * the file carries the policy; without one, the seed and fast-check's path of the shrunk case.
 */
export function replayCommand(ref: string, p: PropertyOutcome, policy: Policy, caseFile?: string): string {
  if (caseFile !== undefined) return `npx poolspec verify --backend ${shellQuote(ref)} --case ${shellQuote(caseFile)}`;
  const pol = (Object.keys(policy) as (keyof Policy)[]).filter((k) => policy[k] !== DEFAULT_POLICY[k]).map((k) => ` --policy ${k}=${policy[k]}`).join('');
  const path = p.failure ? ` --path ${shellQuote(p.failure.path)}` : '';
  return `npx poolspec verify --backend ${shellQuote(ref)} --property ${p.id} --seed ${p.seed}${path} --runs ${p.runs}${pol}`;
}
