import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The longest test files, longest first (seconds on two shared cores, CI rehearsal of 2026-12-04). Vitest orders
 * files by their last duration, but a fresh clone (CI) has none and falls back to file size, which started
 * test/conformance.test.ts (7 kB, about 200 s) last of 75 and left one worker running it alone at the end.
 */
const LONGEST_FIRST = [
  'test/conformance.test.ts', // ~200 s
  'kernels/wasm/wasm.test.ts', // ~150 s
  'test/cli.test.ts', // ~80 s
  'test/shard.test.ts', // ~60 s
  'kernels/webgpu/webgpu.test.ts', // ~45 s
  'test/research-kinds.test.ts', // ~30 s
  'kernels/im2col/im2col.test.ts', // ~25 s
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // .stryker-tmp: Stryker's sandbox copies of the tree, present while `npm run mutation` runs.
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**', '.stryker-tmp-*/**'],
    // Property runs on the exact reference are CPU-bound; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    sequence: { sequencer: LongestFirst },
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'poolspec-results/vitest-junit.xml' },
  },
});
