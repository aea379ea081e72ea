/**
 * Support-directed generation in the verifier (spec/verifier.ts runProperty): a declined case does not use up a
 * run, the skip budget bounds the drawing, declared capabilities settle inapplicable properties without a draw,
 * and shrink candidates are never counted as cases, whether the failure was a verdict or a throw.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Layout, PoolSpec, PoolingBackend, Support } from '../spec/contract.js';
import { createNaiveBackend } from '../kernels/naive/index.js';
import { resolvePolicy } from '../spec/policy.js';
import { findProperty, type AnyProperty } from '../spec/properties/index.js';
import type { PoolCase } from '../spec/arbitraries/case.js';
import { poolCaseArbitrary } from '../spec/arbitraries/case.js';
import { DEFAULT_MAX_SKIPS_PER_RUN, propertySeed, runProperty } from '../spec/verifier.js';

const SEED = Number(process.env.POOLSPEC_SEED ?? 20261123);
const policy = resolvePolicy({});

function property(id: string): AnyProperty {
  const p = findProperty(id);
  if (!p) throw new Error(`no property ${id}`);
  return p;
}

/** The naive backend with supports() replaced: `accept` decides, and every question is counted. */
function choosy(accept: (spec: PoolSpec, shape: readonly number[], layout?: Layout) => boolean, extra: Partial<PoolingBackend> = {}): PoolingBackend & { asked: number } {
  const naive = createNaiveBackend();
  const b = {
    ...naive,
    name: 'choosy',
    asked: 0,
    supports(spec: PoolSpec, shape: readonly number[], layout?: Layout): Support {
      b.asked++;
      return accept(spec, shape, layout) ? { ok: true } : { ok: false, reason: 'not this one' };
    },
    ...extra,
  };
  return b;
}

describe('a declined case does not use up a run', () => {
  test('a backend that declines about five cases in six still gets `runs` checked cases', async () => {
    // Rank 2 and channels_last: one draw in three times one in two.
    const b = choosy((spec, _shape, layout) => spec.kernel.length === 2 && layout === 'channels_last');
    const runs = 30;
    const o = await runProperty(property('diff.forward.max'), b, policy, runs, SEED);
    expect(o.status).toBe('pass');
    expect(o.cases).toBe(runs);
    // Declines happened (so the loop was needed) and stayed inside the budget.
    expect(o.unsupported).toBeGreaterThan(runs);
    expect(o.unsupported).toBeLessThanOrEqual(DEFAULT_MAX_SKIPS_PER_RUN * runs);
    expect(o.budgetSpent).toBe(false);
    expect(o.skipBudget).toBe(DEFAULT_MAX_SKIPS_PER_RUN * runs);
  });

  test('a backend that declines everything ends unsupported after the skip budget\'s draws (the probe), not a hang', async () => {
    const b = choosy(() => false);
    const runs = 20;
    const o = await runProperty(property('diff.forward.avg'), b, policy, runs, SEED);
    expect(o.status).toBe('unsupported');
    expect(o.cases).toBe(0);
    expect(o.budgetSpent).toBe(true);
    // The probe asked about the whole budget (10 × runs draws, supports() only) and gave up; no kernel ran.
    expect(o.unsupported).toBe(DEFAULT_MAX_SKIPS_PER_RUN * runs);
    expect(b.asked).toBe(DEFAULT_MAX_SKIPS_PER_RUN * runs);
    expect(o.note).toMatch(/first 200 draws/);
    expect(o.reasons).toEqual(['not this one']);
  });

  test('a backend that accepts a rare corner is checked there, not reported unsupported after `runs` draws', async () => {
    // Rank 1, channels_first, no padding, floor mode: a few draws in a hundred, so `runs` = 20 draws often miss it.
    const b = choosy((spec, shape, layout) => shape.length === 3 && layout !== 'channels_last' && !spec.ceilMode && spec.pads.every((v) => v === 0));
    const o = await runProperty(property('diff.forward.max'), b, policy, 20, SEED);
    expect(o.status).toBe('pass');
    expect(o.cases).toBeGreaterThan(0);
  });

  test('a backend that accepts rarely: the budget runs out, the cases it did check are reported', async () => {
    // Rank 3 with a kernel extent 3 on the first axis: one draw in nine; 41 declines come before 20 of those.
    const b = choosy((spec) => spec.kernel.length === 3 && spec.kernel[0] === 3);
    const runs = 20;
    const o = await runProperty(property('diff.forward.max'), b, policy, runs, SEED, undefined, 2);
    expect(o.budgetSpent).toBe(true);
    expect(o.cases).toBeGreaterThan(0);
    expect(o.cases).toBeLessThan(runs);
    expect(o.status).toBe('pass');
    // fast-check stops on the first skip beyond the budget: 40 declines allowed, the 41st ends the run.
    expect(o.unsupported).toBe(2 * runs + 1);
  });
});

describe('declared limits settle a property without drawing', () => {
  test('capabilities.backward = false: backward properties are n/a at once, supports() never asked', async () => {
    const b = choosy(() => true, { capabilities: { backward: false } });
    for (const id of ['diff.backward.max', 'grad.fd', 'grad.adjoint', 'inv.route', 'contract.pure']) {
      const o = await runProperty(property(id), b, policy, 50, SEED);
      expect(o.status, id).toBe('n/a');
      expect(o.cases, id).toBe(0);
      expect(o.unsupported, id).toBe(0);
      expect(o.note, id).toMatch(/backward/);
    }
    expect(b.asked).toBe(0);
    // A forward property still runs.
    const fwd = await runProperty(property('diff.forward.max'), b, policy, 10, SEED);
    expect(fwd.status).toBe('pass');
    expect(fwd.cases).toBe(10);
  });

  test('supportsBackward() declining every case (no capabilities declared): n/a after the probe', async () => {
    const b = Object.assign(choosy(() => true), { supportsBackward: (): Support => ({ ok: false, reason: 'inference only' }) });
    const o = await runProperty(property('diff.backward.avg'), b, policy, 10, SEED);
    expect(o.status).toBe('n/a');
    expect(o.unsupported).toBe(DEFAULT_MAX_SKIPS_PER_RUN * 10);
    expect(o.budgetSpent).toBe(true);
    expect(o.cases).toBe(0);
  });

  test('a property that needs an absent member (plan(), structured kinds) is unsupported without a draw', async () => {
    const naive = createNaiveBackend();
    const b = choosy(() => true, { structured: undefined });
    const plain: PoolingBackend = {
      name: 'plain',
      supports: (spec, shape, layout) => naive.supports(spec, shape, layout),
      forward: (spec, x) => naive.forward(spec, x),
      backward: (spec, x, dy) => naive.backward(spec, x, dy),
    };
    const plan = await runProperty(property('contract.plan'), plain, policy, 50, SEED);
    expect([plan.status, plan.cases, plan.unsupported]).toEqual(['unsupported', 0, 0]);
    expect(plan.reasons.join()).toMatch(/has no plan\(\)/);
    const roi = await runProperty(property('diff.forward.roi_max'), b, policy, 50, SEED);
    expect([roi.status, roi.cases, roi.unsupported]).toEqual(['unsupported', 0, 0]);
    expect(roi.note).toMatch(/roi_max/);
  });
});

describe('shrink candidates are not cases', () => {
  /** A property that fails by throwing on kernel extents ≥ 3 and passes otherwise. */
  const prop: AnyProperty = {
    id: 'test.throws', title: 'throws on a wide kernel', clauses: ['TEST'],
    arbitrary: poolCaseArbitrary({ kinds: ['max'] }),
    check: (_b, raw) => ((raw as PoolCase).spec.kernel.some((k) => k >= 3) ? Promise.reject(new Error('boom')) : Promise.resolve({ status: 'pass' })),
  };

  test('a property that throws: cases are the passes before the first throw, none of the shrink runs', async () => {
    const runs = 200;
    const o = await runProperty(prop, createNaiveBackend(), policy, runs, SEED);
    expect(o.status).toBe('fail');
    expect(o.failure?.message).toMatch(/threw: Error: boom/);
    expect(o.failure?.shrinks).toBeGreaterThan(0);
    // fast-check's own count: numRuns on a failure is the failing run's position (1-based), skips excluded.
    const direct = await fc.check(fc.asyncProperty(prop.arbitrary, async (c) => { await prop.check(createNaiveBackend(), c, policy); }), { numRuns: runs, seed: propertySeed(SEED, prop.id) });
    expect(direct.failed).toBe(true);
    expect(o.cases).toBe(direct.numRuns - 1);
  });
});
