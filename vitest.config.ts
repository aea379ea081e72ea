import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // .stryker-tmp: Stryker's sandbox copies of the tree, present while `npm run mutation` runs.
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**', '.stryker-tmp-*/**'],
    // Property runs on the exact reference are CPU-bound; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'poolspec-results/vitest-junit.xml' },
  },
});
