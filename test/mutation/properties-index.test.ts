/**
 * spec/properties/index.ts, for mutation testing: the one list of properties and findProperty. The ids come from
 * SPEC.md §7's mapping of property ids onto tags (`diff.forward.KIND`, `diff.backward.KIND` → PROP.DIFF, `grad.fd`
 * → PROP.FD, `grad.adjoint` → PROP.ADJOINT, `inv.*` → INV.*, `contract.*` → CONTRACT.*) and §11's reducer
 * properties (`reducer.KIND.*`, STOCH.*, STATS.*). No property is run.
 */
import { describe, expect, test } from 'vitest';
import { PROPERTIES, RESEARCH_PROPERTIES, findProperty } from '../../spec/properties/index.js';

describe('findProperty (PROP.DIFF, REDUCER.DIFF)', () => {
  test('an id of the core list gives that property, the very object of PROPERTIES', () => {
    for (const id of ['diff.forward.max', 'diff.backward.lp', 'grad.fd', 'grad.adjoint', 'inv.layout', 'inv.route', 'contract.pure', 'contract.plan']) {
      const p = findProperty(id);
      expect(p?.id).toBe(id);
      expect(PROPERTIES.includes(p!)).toBe(true);
    }
  });

  test('an id of a research kind (only in RESEARCH_PROPERTIES) gives that property', () => {
    for (const id of ['reducer.gem.forward', 'reducer.median.gradient', 'reducer.stochastic.frequency']) {
      const p = findProperty(id);
      expect(p?.id).toBe(id);
      expect(RESEARCH_PROPERTIES.includes(p!)).toBe(true);
      expect(PROPERTIES.some((q) => q.id === id)).toBe(false);
    }
  });

  test('an id of no property gives undefined', () => {
    expect(findProperty('inv.nothing')).toBeUndefined();
    expect(findProperty('')).toBeUndefined();
    expect(findProperty('reducer.nothing.forward')).toBeUndefined();
  });
});

describe('the lists (PROP.DIFF, PROP.FD, PROP.ADJOINT, PROP.VERDICT)', () => {
  test('the core list holds a forward and a backward differential per §3 kind, then grad.fd and grad.adjoint, each id once', () => {
    const ids = PROPERTIES.map((p) => p.id);
    expect(ids.slice(0, 10)).toEqual([
      'diff.forward.max', 'diff.forward.avg', 'diff.forward.sum', 'diff.forward.lp',
      'diff.backward.max', 'diff.backward.avg', 'diff.backward.sum', 'diff.backward.lp',
      'grad.fd', 'grad.adjoint',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['inv.translate', 'inv.permute', 'inv.reflect', 'inv.monotone', 'inv.homogeneous', 'inv.shift', 'inv.order', 'inv.lp1',
      'contract.deterministic', 'contract.isolation', 'contract.supports']) expect(ids).toContain(id);
  });

  test('the research list holds each kind\'s declaration properties, stochastic\'s and statistics\', none of them in the core list', () => {
    const ids = RESEARCH_PROPERTIES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const kind of ['gem', 'softpool', 'lse', 'median', 'mixed', 'stochastic']) expect(ids).toContain(`reducer.${kind}.forward`);
    expect(ids.some((id) => id.startsWith('reducer.stats.'))).toBe(true);
    expect(ids.every((id) => id.startsWith('reducer.'))).toBe(true);
  });
});
