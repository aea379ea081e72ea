// Lint for the whole repository: the package, its tests and the Node scripts. TypeScript files get the type-aware
// rules (typescript-eslint's recommended-type-checked set), which need the type information from tsconfig.json.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'poolspec-results/',
    'poolspec-report/',
    // AssemblyScript: TypeScript syntax, but its own types (i32, f64, load<T>) and compiler; not a TS program.
    'kernels/wasm/assembly/',
    // Written by kernels/wasm/build.mjs (the wasm bytes as base64); not in git.
    'kernels/wasm/module.generated.ts',
    // Stryker's sandbox copies of the tree, present while `npm run mutation` runs.
    '.stryker-tmp/',
    '.stryker-tmp-*/',
  ]),
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      // Node scripts and test fixtures.
      globals: globals.node,
    },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // In recommended-type-checked already; named here because the house rules depend on them.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': 'error',
      // Off: backends implement the contract's async methods, some with synchronous bodies; `async` is what turns
      // a validation throw into the rejected promise the contract promises, so an await-less async is deliberate.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
