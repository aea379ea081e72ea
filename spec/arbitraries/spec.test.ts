/**
 * The spec generator's divisorOverride frequency. The intent is one avg case in five with an override (so
 * four in five exercise AVG.DIVISOR's counts). It was written as fc.option(…, { freq: 5 }), but fc.option
 * returns nil with probability 1/freq, so 80% of avg cases carried an override: measured 0.8009 over 10 000
 * draws (seed 1) before the fix, 0.1937 after.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { specCaseArbitrary } from './spec.js';

const SEED = Number(process.env.POOLSPEC_SEED ?? 20261123);
const DRAWS = 10_000;
/** The intended share of avg cases with an override. */
const SHARE = 1 / 5;

describe('divisorOverride frequency (AVG.OVERRIDE)', () => {
  test('about one avg case in five has an override: inside mean ± 5σ of Binomial(10 000, 1/5)', () => {
    const cases = fc.sample(specCaseArbitrary({ kinds: ['avg'] }), { numRuns: DRAWS, seed: SEED });
    const withOverride = cases.filter((c) => c.spec.divisorOverride !== undefined).length;
    // σ of the observed share is √(p(1 − p)/n) = 0.004: the band is [0.18, 0.22]. A generator that is right
    // lands outside it with probability below 6e-7 (normal tail beyond 5σ), whatever the seed.
    const sigma = Math.sqrt((SHARE * (1 - SHARE)) / DRAWS);
    const share = withOverride / DRAWS;
    const detail = `share ${share} (${withOverride}/${DRAWS}), band [${SHARE - 5 * sigma}, ${SHARE + 5 * sigma}], seed ${SEED}`;
    expect(cases.length).toBe(DRAWS);
    expect(Math.abs(share - SHARE), detail).toBeLessThanOrEqual(5 * sigma);
  });

  test('no override on other kinds, nor on avg when the constraint turns it off', () => {
    const others = fc.sample(specCaseArbitrary({ kinds: ['max', 'sum', 'lp'] }), { numRuns: 1000, seed: SEED });
    expect(others.filter((c) => c.spec.divisorOverride !== undefined)).toEqual([]);
    const off = fc.sample(specCaseArbitrary({ kinds: ['avg'], divisorOverride: false }), { numRuns: 1000, seed: SEED });
    expect(off.filter((c) => c.spec.divisorOverride !== undefined)).toEqual([]);
  });
});
