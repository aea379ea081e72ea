/**
 * The regression corpus (test/corpus, case files of spec/CASE-FILE.md) replayed on one ecosystem row: which
 * recorded cases the library fails. A peer's own minimal cases are expected among them; a case that fails on a
 * peer without being its own is a bug the corpus knew before the matrix's draw did. Kept apart from the matrix's
 * drawn cases: replays are a fixed list, not a sample.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../bench/env.js';
import { decodeCase, parseCaseFile, type CaseFile } from '../spec/case-file.js';
import type { PoolingBackend } from '../spec/contract.js';
import { FORWARD_ONLY } from '../spec/extensions.js';
import type { Policy } from '../spec/policy.js';
import { replayCase } from '../spec/replay-case.js';

export interface CorpusCase {
  /** The file name without `.json`. */
  readonly name: string;
  readonly file: CaseFile;
}

/** What a row did with the corpus. */
export interface CorpusReplay {
  /** Cases replayed and checked (not declined, not n/a). */
  readonly checked: number;
  readonly declined: number;
  /** Backward cases on a forward-only library (as in the matrix: not a failure). */
  readonly notApplicable: number;
  /** The cases that failed, by name. */
  readonly failed: readonly string[];
}

/** The corpus of a checkout (test/corpus); undefined where there is none (an installed package has no tests). */
export function defaultCorpusDir(): string | undefined {
  const dir = join(packageRoot(), 'test', 'corpus');
  return existsSync(dir) ? dir : undefined;
}

export function loadCorpus(dir: string): CorpusCase[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ name: f.slice(0, -'.json'.length), file: parseCaseFile(readFileSync(join(dir, f), 'utf8'), join(dir, f)) }));
}

/** Replays the cases (those of the given properties, when a row runs only some) under the row's policy. */
export async function replayCorpus(
  backend: PoolingBackend, policy: Policy, cases: readonly CorpusCase[], properties?: readonly string[],
): Promise<CorpusReplay> {
  let checked = 0;
  let declined = 0;
  let notApplicable = 0;
  const failed: string[] = [];
  for (const c of cases) {
    if (properties && !properties.includes(c.file.property)) continue;
    const { property, value } = decodeCase(c.file, c.name);
    const v = await replayCase(property, backend, policy, value);
    if (v.status === 'unsupported') declined++;
    else if (v.status === 'fail' && v.message.includes(FORWARD_ONLY)) notApplicable++;
    else {
      checked++;
      if (v.status === 'fail') failed.push(c.name);
    }
  }
  return { checked, declined, notApplicable, failed };
}
