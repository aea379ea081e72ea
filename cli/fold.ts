/**
 * Folding of long per-id listings for the terminal, so that `poolspec verify` fits its verdict on one screen: a
 * run of consecutive rows that share a dotted prefix and show the same cells becomes one row with a compact label
 * (`diff.forward.{max,avg,sum,lp}`, `inv.* (10)`). A row that differs from its neighbours (a failure, a partial
 * decline) stays a row of its own, so folding never hides a status; `--verbose` and the JSON keep one row per id.
 */

export interface TableRow {
  readonly id: string;
  readonly cells: readonly string[];
}

export interface FoldedRow {
  readonly label: string;
  readonly ids: readonly string[];
  readonly cells: readonly string[];
}

/** Longest label a folded row gets: the property table stays within 80 columns with four backends. */
export const MAX_LABEL = 34;

/** `diff.forward.max` → `diff.forward`; an id without a dot has no prefix and never folds. */
function prefixOf(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot < 0 ? '' : id.slice(0, dot);
}

function sameCells(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * The label of a run of ids sharing `prefix`: every leaf when that is short, else `prefix.* (n)` when the run is
 * the whole family (`familySize` ids carry the prefix in the listing), else the first leaf and the count.
 */
export function foldLabel(ids: readonly string[], familySize: number, maxLabel = MAX_LABEL): string {
  if (ids.length === 1) return ids[0]!;
  const prefix = prefixOf(ids[0]!);
  const leaves = ids.map((id) => id.slice(prefix.length + 1));
  const all = `${prefix}.{${leaves.join(',')}}`;
  if (all.length <= maxLabel) return all;
  if (ids.length === familySize) return `${prefix}.* (${ids.length})`;
  const first = `${prefix}.{${leaves[0]},…} (${ids.length})`;
  return first.length <= maxLabel ? first : `${prefix}.… (${ids.length})`;
}

/**
 * Folds consecutive rows with the same prefix and the same cells, keeping the listing's order. With
 * `wholeFamilies` false a label never says `prefix.*`: for a list that is a selection (e.g. the properties that
 * declined for one reason), "all of the family" would be read as all of the verifier's, which it need not be.
 */
export function foldRows(rows: readonly TableRow[], maxLabel = MAX_LABEL, wholeFamilies = true): FoldedRow[] {
  const family = new Map<string, number>();
  if (wholeFamilies) for (const r of rows) family.set(prefixOf(r.id), (family.get(prefixOf(r.id)) ?? 0) + 1);
  const runs: TableRow[][] = [];
  for (const r of rows) {
    const last = runs[runs.length - 1];
    const head = last?.[0];
    if (last && head && prefixOf(r.id) !== '' && prefixOf(r.id) === prefixOf(head.id) && sameCells(r.cells, head.cells)) last.push(r);
    else runs.push([r]);
  }
  return runs.map((run) => {
    const ids = run.map((r) => r.id);
    // familySize 0 (a selection) never equals a run's length, so the `prefix.*` form is not used.
    return { label: foldLabel(ids, family.get(prefixOf(ids[0]!)) ?? 0, maxLabel), ids, cells: run[0]!.cells };
  });
}

/**
 * A short list of ids for a sentence: the folded labels joined by commas when that fits in `maxLength`, else the
 * count (`15 properties`). `noun` is the plural used for the count.
 */
export function compactList(ids: readonly string[], noun: string, maxLength = 60): string {
  const labels = foldRows(ids.map((id) => ({ id, cells: [] })), MAX_LABEL, false).map((r) => r.label);
  const listed = labels.join(', ');
  return listed.length <= maxLength ? listed : `${ids.length} ${noun}`;
}
