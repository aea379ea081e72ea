/**
 * The built-in research kinds (SPEC.md §11), each a ReducerDeclaration: the same type a user declares a reducer
 * with, so the verifier treats both alike.
 */
import type { ResearchKind } from '../contract.js';
import type { ReducerDeclaration } from '../reducer.js';
import { GEM } from './gem.js';
import { LSE } from './lse.js';
import { MEDIAN } from './median.js';
import { MIXED } from './mixed.js';
import { SOFTPOOL } from './softpool.js';
import { STOCHASTIC } from './stochastic.js';

export const BUILTIN_REDUCERS: Readonly<Record<ResearchKind, ReducerDeclaration>> = {
  gem: GEM, softpool: SOFTPOOL, lse: LSE, median: MEDIAN, mixed: MIXED,
};

export function builtinReducer(kind: string): ReducerDeclaration | undefined {
  // 'stochastic' (STOCH.*) is declared too, but apart from BUILTIN_REDUCERS: its training mode is positional.
  if (kind === STOCHASTIC.name) return STOCHASTIC;
  return Object.prototype.hasOwnProperty.call(BUILTIN_REDUCERS, kind) ? BUILTIN_REDUCERS[kind as ResearchKind] : undefined;
}

export { GEM, LSE, MEDIAN, MIXED, SOFTPOOL, STOCHASTIC };
export { MAX_SEED, stochasticPosition, uniformBits } from './stochastic.js';
export { medianPosition } from './median.js';
