import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    // Property runs on the exact reference are CPU-bound; two cores, so two workers.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'poolspec-results/vitest-junit.xml' },
  },
});
