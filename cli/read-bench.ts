/** Reading a bench results file named on the command line: what is wrong with it is the user's to fix (exit 2). */
import { readFileSync } from 'node:fs';
import { BenchSchemaError, parseBenchResults, type BenchResults } from '../bench/schema.js';
import { UsageError } from './usage.js';

/** The results in `file`, or a UsageError that starts with `which` (the flag or argument that named it) and the path. */
export function readBenchFile(file: string, which: string): BenchResults {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${which} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return parseBenchResults(text);
  } catch (e) {
    if (e instanceof BenchSchemaError) throw new UsageError(`${which} ${file}: ${e.message}`);
    throw e;
  }
}
