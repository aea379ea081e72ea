/**
 * The verifier's properties, in process, for mutation testing (stryker.config.mjs): a property that has been
 * weakened by a mutant still passes on a correct backend, so only a wrong backend can tell. Each property here
 * must pass on the naive backend (a mutant that makes a property reject correct results dies there), and the
 * property about each planted bug of the external fixture (test/fixtures/external-backend.mjs, the same switches
 * `poolspec verify` is tested with in test/cli.test.ts) must fail on it, citing its clause (a mutant that makes
 * a property accept a wrong result, or drop its clause from the message, dies there).
 *
 * The naive run is the conformance suite's check (test/conformance.test.ts) at fewer runs: Stryker runs this file
 * once per mutant it covers, so it is kept to seconds. The planted table is test/cli.test.ts's, without the CLI.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { PoolingBackend } from '../../spec/contract.js';
import { resolvePolicy } from '../../spec/policy.js';
import { PROPERTIES, findProperty } from '../../spec/properties/index.js';
import { runProperty } from '../../spec/verifier.js';
import { createNaiveBackend } from '../../kernels/naive/index.js';

const SEED = 20261123;
/** Enough for every property to meet the case kinds it is about at this seed (the planted bugs below are all caught). */
const RUNS = 40;

interface Fixture { readonly makeBackend: (bugs?: Readonly<Record<string, boolean>>) => PoolingBackend }
// A computed specifier: the fixture is plain JavaScript with no declarations, typed here by the contract it follows.
const fixturePath = new URL('../fixtures/external-backend.mjs', import.meta.url).href;
const { makeBackend } = (await import(fixturePath)) as Fixture;

const policy = resolvePolicy(undefined);

// A failure here needs to be seen, not minimised: without shrinking, a mutant that breaks a property costs one
// failing case instead of hundreds of shrink steps (this file's worker only; the verifier's own runs shrink).
fc.configureGlobal({ ...fc.readConfigureGlobal(), endOnFailure: true });

describe('every property passes on the naive backend', () => {
  const naive = createNaiveBackend();
  for (const prop of PROPERTIES) {
    test(prop.id, async () => {
      const outcome = await runProperty(prop, naive, policy, RUNS, SEED);
      expect(outcome.failure?.message).toBeUndefined();
      // Structured (§10) and plan properties apply to the naive backend too: nothing may be declined.
      expect(outcome.status).toBe('pass');
    });
  }
});

/** Planted bug → the property about it and the clause its failure must cite (test/cli.test.ts's table). */
const PLANTED: readonly { bug: string; property: string; message: RegExp }[] = [
  { bug: 'divisorAtBorders', property: 'diff.forward.avg', message: /AVG\.DIVISOR/ },
  { bug: 'nanDropped', property: 'diff.forward.max', message: /MAX\.NAN/ },
  { bug: 'ceilOverhang', property: 'diff.forward.max', message: /SHAPE\.CEIL/ },
  { bug: 'tieLast', property: 'diff.forward.max', message: /MAX\.(INDEX|TIES)/ },
  { bug: 'backwardOverwrite', property: 'diff.backward.sum', message: /GRAD\.SUM/ },
  { bug: 'padsSwapped', property: 'diff.forward.sum', message: /SUM\.DEF/ },
  { bug: 'dilationIgnored', property: 'diff.forward.sum', message: /SUM\.DEF/ },
  { bug: 'sloppyFloat', property: 'diff.forward.sum', message: /ACC\.SUM/ },
  { bug: 'layoutMixedUp', property: 'inv.layout', message: /INV\.LAYOUT/ },
  { bug: 'inputMutated', property: 'contract.pure', message: /modified its input x \(CONTRACT\.PURE\)/ },
  { bug: 'nondeterministic', property: 'contract.deterministic', message: /CONTRACT\.DETERMINISTIC/ },
  { bug: 'staleBuffer', property: 'contract.isolation', message: /CONTRACT\.ISOLATION: an earlier result changed/ },
  { bug: 'planStale', property: 'contract.plan', message: /CONTRACT\.PLAN/ },
];

describe('the property about each planted bug fails on it, citing its clause', () => {
  for (const { bug, property, message } of PLANTED) {
    test(`${bug} → ${property}`, async () => {
      const prop = findProperty(property);
      expect(prop, property).toBeDefined();
      const outcome = await runProperty(prop!, makeBackend({ [bug]: true }), policy, RUNS, SEED);
      expect(outcome.status).toBe('fail');
      expect(outcome.failure?.message).toMatch(message);
    });
  }
});
