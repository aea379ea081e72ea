#!/usr/bin/env node
/**
 * Last build step: give every file named in package.json "bin" its execute bits.
 *
 * tsc writes dist/cli/poolspec.js with mode 0644. `npx poolspec` (and any npm bin link) runs that file through
 * the shell, so without the x bit it fails with "poolspec: Permission denied". npx sets the bit only when it
 * installs the project into its cache (~/.npm/_npx/<hash of the path>), i.e. on the first run for a path; a new
 * clone at a path seen before (CI checks out every commit at the same path) gets the 0644 file. CI failed exactly
 * so. The build therefore sets the bit itself.
 */
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const rel of bins) {
  const file = join(root, rel);
  if (!existsSync(file)) {
    console.error(`mark-bin-executable: ${rel} (package.json "bin") was not built`);
    process.exit(1);
  }
  chmodSync(file, statSync(file).mode | 0o111);
}
