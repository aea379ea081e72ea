#!/usr/bin/env node
/**
 * Last build step: give every file named in package.json "bin" its execute bits.
 *
 * tsc writes dist/cli/poolspec.js with mode 0644. `npx poolspec` (and any npm bin link) runs that file through
 * the shell, so without the x bit it fails with "poolspec: Permission denied". npm sometimes sets the bit itself
 * when it links bins, but not reliably for the root package of a fresh clone whose dist/ is built after install:
 * CI on a fresh clone hit exactly that. The build therefore sets it.
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
