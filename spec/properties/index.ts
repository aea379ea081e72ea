/**
 * The one list of properties: the verifier, the CLI, the tests and the reports iterate it, nothing else
 * enumerates properties by hand. Order is the report's order.
 */
import { POOL_KINDS } from '../contract.js';
import { determinism, isolation, planContract, purity, refusal } from './contract.js';
import { backwardDifferential, forwardDifferential } from './differential.js';
import { adjointIdentity, finiteDifferences } from './gradient.js';
import {
  homogeneity, layoutAgreement, lpOne, maxRouting, maxShift, monotonicity, ordering, permutation, reflection, translation,
} from './invariance.js';
import type { Property } from './property.js';
import { STRUCTURED_PROPERTIES } from './structured.js';
import { RESEARCH_KINDS } from '../contract.js';
import { BUILTIN_REDUCERS } from '../reducers/index.js';
import { reducerProperties } from './reducer.js';
import { STOCHASTIC } from '../reducers/stochastic.js';
import { STATS_PROPERTIES } from './stats.js';
import { STOCHASTIC_PROPERTIES } from './stochastic.js';

/** A property of some case type; the runner only ever passes a property its own generated cases back. */
export type AnyProperty = Property<unknown>;

export const PROPERTIES: readonly AnyProperty[] = [
  ...POOL_KINDS.map(forwardDifferential),
  ...POOL_KINDS.map(backwardDifferential),
  finiteDifferences,
  adjointIdentity,
  layoutAgreement,
  permutation,
  translation,
  reflection,
  monotonicity,
  homogeneity,
  maxShift,
  ordering,
  lpOne,
  maxRouting,
  purity,
  determinism,
  isolation,
  refusal,
  planContract,
  ...STRUCTURED_PROPERTIES,
];

/**
 * SPEC.md §11: the research kinds' properties, each kind through its ReducerDeclaration (a user's reducer gets
 * the same set). Kept apart from PROPERTIES: the verifier runs them by default only on a backend with a
 * `reducers` member (the kinds are optional, and a backend written before §11 keeps its report unchanged);
 * named with --property, they run on any backend and a backend without the kind is unsupported.
 */
export const RESEARCH_PROPERTIES: readonly AnyProperty[] = [
  ...RESEARCH_KINDS.flatMap((k) => reducerProperties(BUILTIN_REDUCERS[k]) as AnyProperty[]),
  // Stochastic pooling (STOCH.*): the inference mode through its declaration, the training mode's own three.
  ...(reducerProperties(STOCHASTIC) as AnyProperty[]),
  ...STOCHASTIC_PROPERTIES,
  // Statistics pooling (STATS.*), through the optional `statistics` member.
  ...STATS_PROPERTIES,
];

export function findProperty(id: string): AnyProperty | undefined {
  return PROPERTIES.find((p) => p.id === id) ?? RESEARCH_PROPERTIES.find((p) => p.id === id);
}

export * from './property.js';
