import { defineConfig } from 'vitest/config';

/**
 * The test files Stryker runs against each mutant (stryker.config.mjs): the ones that exercise the mutated files
 * (spec/ geometry, interval, validation, reference, properties; kernels/naive) in process. The CLI, bench, report,
 * peer and browser suites are left out: they run dist/ or other processes, which Stryker's instrumented sandbox
 * never reaches, so they could only add time, never a kill. test/conformance.test.ts is left out too: it runs
 * every property on every own backend (minutes on two cores), and a mutant it covers would pay that each time;
 * test/mutation/ runs the properties on the naive backend and on planted bugs, at fewer runs, instead. Stryker's vitest runner sets the pool itself (one
 * thread per runner) and, with coverageAnalysis 'perTest', runs only the tests that cover each mutant.
 */
export default defineConfig({
  test: {
    include: [
      'spec/interval.test.ts',
      'spec/validate.test.ts',
      'spec/indices.test.ts',
      'spec/reference/*.test.ts',
      // Structured pooling's gather views and its reference (spec/reference/structured.ts), hand-worked.
      'spec/structured-geometry.test.ts',
      'spec/properties/*.test.ts',
      'test/geometry-enumeration.test.ts',
      'test/mutation/*.test.ts',
      // The research kinds (spec/reducers/, spec/reference/reducer.ts, kernels/naive/research.ts): hand-worked
      // vectors, validation and the reducer properties on naive and on float32 model kernels, in process.
      'test/research-kinds.test.ts',
      'test/research-float32.test.ts',
      'test/stochastic.test.ts',
      // Statistics pooling (kernels/naive/stats.ts, spec/reference/stats.ts): hand-worked vectors and the stats
      // properties on naive, in process.
      'test/stats.test.ts',
    ],
    exclude: ['node_modules/**', 'dist/**', '.stryker-tmp/**', '.stryker-tmp-*/**'],
    testTimeout: 120_000,
  },
});
