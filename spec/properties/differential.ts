/**
 * PROP.DIFF: a backend's forward (values, shape, indices) and backward against the reference's acceptance sets,
 * one property per kind and direction so that the conformance table says which clause family broke.
 */
import type { PoolKind } from '../contract.js';
import { gradCaseArbitrary, poolCaseArbitrary, type GradCase, type PoolCase } from '../arbitraries/case.js';
import { referenceBackward } from '../reference/backward.js';
import { referenceForward } from '../reference/forward.js';
import { compareAll, compareExact, narrowable, runBackward, runForward, verdictOf, type Property } from './property.js';

const FORWARD_CLAUSES: Record<PoolKind, readonly string[]> = {
  max: ['MAX.SELECT', 'MAX.PAD', 'MAX.NAN', 'MAX.TIES', 'MAX.INF', 'MAX.INDEX', 'ACC.MAX'],
  sum: ['SUM.DEF', 'SPECIAL.IEEE', 'ACC.SUM', 'ACC.OVERFLOW'],
  avg: ['AVG.DEF', 'AVG.DIVISOR', 'AVG.OVERRIDE', 'SPECIAL.IEEE', 'ACC.AVG', 'ACC.OVERFLOW'],
  lp: ['LP.DEF', 'SPECIAL.IEEE', 'ACC.LP', 'ACC.OVERFLOW'],
};

const GEOMETRY_CLAUSES = ['PROP.DIFF', 'SHAPE.OUT', 'SHAPE.CEIL', 'WINDOW.TAPS', 'TENSOR.LAYOUT'];

export function forwardDifferential(kind: PoolKind): Property<PoolCase> {
  return {
    id: `diff.forward.${kind}`,
    title: `${kind} forward matches the reference (values${kind === 'max' ? ', indices' : ''} and shape)`,
    clauses: [...GEOMETRY_CLAUSES, ...FORWARD_CLAUSES[kind]],
    ...narrowable((capabilities) => poolCaseArbitrary({ kinds: [kind], capabilities })),
    check: (backend, c, policy) => verdictOf(async () => {
      const r = await runForward(backend, c.spec, c.x, policy);
      const ref = referenceForward(c.spec, c.x, policy);
      const values = compareAll('y', r.y.shape, r.y.data, ref.acceptance, FORWARD_CLAUSES[kind].join(', '));
      if (values.status !== 'pass' || kind !== 'max' || policy.indices === 'unchecked') return values;
      return compareExact('indices', r.y.shape, r.indices!, ref.indices!, 'MAX.INDEX');
    }),
  };
}

const BACKWARD_CLAUSES: Record<PoolKind, readonly string[]> = {
  max: ['GRAD.MAX', 'MAX.TIES', 'MAX.NAN'],
  sum: ['GRAD.SUM'],
  avg: ['GRAD.AVG', 'AVG.DIVISOR'],
  lp: ['GRAD.LP', 'ACC.RANGE'],
};

export function backwardDifferential(kind: PoolKind): Property<GradCase> {
  return {
    id: `diff.backward.${kind}`,
    title: `${kind} backward matches the reference gradient`,
    clauses: ['PROP.DIFF', 'GRAD.SHAPE', 'ACC.GRAD', ...BACKWARD_CLAUSES[kind]],
    // GRAD.LP is unspecified for non-finite x: the Lp case draws finite inputs.
    ...narrowable((capabilities) => gradCaseArbitrary({ kinds: [kind], profiles: kind === 'lp' ? ['finite', 'ties'] : undefined, capabilities })),
    usesBackward: true,
    check: (backend, c, policy) => verdictOf(async () => {
      const dx = await runBackward(backend, c.spec, c.x, c.dy);
      const ref = referenceBackward(c.spec, c.x, c.dy, policy);
      return compareAll('dx', c.x.shape, dx.data, ref.acceptance, ['ACC.GRAD', ...BACKWARD_CLAUSES[kind]].join(', '));
    }),
  };
}
