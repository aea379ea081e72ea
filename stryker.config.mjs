// @ts-check
/**
 * Mutation testing (issue 12 item 6): `npm run mutation`. Stryker mutates the files below one change at a time
 * and runs the tests that cover each change (vitest.mutation.config.ts, coverage per test); a mutant no test
 * fails on "survived". The score and the survivors, each killed by a test or explained as equivalent, are in
 * reports/mutation/summary.md.
 *
 * Incremental: reports/mutation/stryker-incremental.json (committed) records each mutant's result with the
 * tests that ran it, so a later run re-tests only mutants in changed code or covered by changed tests.
 * `npm run mutation -- --force` re-tests everything.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  mutate: [
    'spec/geometry.ts',
    'spec/interval.ts',
    'spec/validate.ts',
    'spec/reference/*.ts',
    // The research reducers' definitions (spec/reducers/) are the reference for those kinds (spec/reference/reducer.ts
    // evaluates them), so they are part of the oracle in scope.
    'spec/reducers/*.ts',
    'spec/properties/*.ts',
    'kernels/naive/*.ts',
    '!**/*.test.ts',
  ],
  // Two test runners for two cores (run it niced: `nice -n 19 npm run mutation` on a shared machine).
  concurrency: 2,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // A static mutant (a module-level constant such as U32 or MAX_ELEMENTS) is run only while modules load, so
  // per-test coverage cannot narrow it: each would run the whole test set above (minutes here). They are left
  // out of the run and the score (Stryker reports them as ignored); test/mutation/interval.test.ts pins the
  // float32 constants from their bit patterns instead.
  ignoreStatic: true,
  // A mutant whose tests run past their dry-run time by this margin counts as a timeout (a kill). Generous on
  // purpose: on a loaded machine a tight margin turns slow survivors into false timeouts. Mutants that loop
  // forever are caught by Stryker's hit counter ("Hit limit reached") long before it.
  timeoutMS: 60_000,
  thresholds: { high: 90, low: 80, break: null },
};
