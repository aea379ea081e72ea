/**
 * The "Unsupported cases" section of `poolspec verify`: one line per backend and decline reason (the grouping is
 * spec/declines.ts, shared with the HTML report), naming the properties compactly or counting them.
 */
import type { DeclineGroup } from '../spec/declines.js';
import { compactList } from './fold.js';

export { groupDeclines, type DeclineGroup } from '../spec/declines.js';

/** `  wasm · 15 properties (all cases): reason` or `  wasm · diff.forward.lp (some cases): reason`. */
export function formatDeclines(groups: readonly DeclineGroup[]): string[] {
  return groups.map((g) => `  ${g.backend} · ${compactList(g.properties, 'properties')} (${g.whole ? 'all cases' : 'some cases'}): ${g.reason}`);
}
