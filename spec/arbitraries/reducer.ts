/**
 * Cases for a declared reducer (SPEC.md §11): the geometry of arbitraries/spec.ts, a parameter drawn from the
 * declaration's samples, and data biased to the reducer's hard regions: its own hardValues (large and tiny
 * exponents, near overflow), all-equal windows, zeros, one tap dominating the rest, and the special values.
 * The 'smooth' profile (gradient checks) stays finite, inside the domain and away from 0.
 */
import fc from 'fast-check';
import type { Layout, ReducerPoolSpec, Tensor } from '../contract.js';
import { poolGeometry, product } from '../geometry.js';
import type { ReducerDeclaration } from '../reducer.js';
import { reducerGeometrySpec } from '../validate-reducer.js';
import { specCaseArbitrary } from './spec.js';
import { finiteFloat, specialValues } from './values.js';

export type ReducerProfile = 'hard' | 'equal' | 'dominant' | 'special' | 'smooth';

export interface ReducerCase {
  spec: ReducerPoolSpec;
  x: Tensor;
  dy: Tensor;
  profile: ReducerProfile;
}

export interface ReducerCaseConstraints {
  profiles?: readonly ReducerProfile[];
  maxElements?: number;
  ranks?: readonly number[];
  noPadding?: boolean;
  layouts?: readonly Layout[];
}

/** A value moved into the declared domain (REDUCER.DOMAIN): a lower bound of 0 folds negatives onto |x|. */
function inDomain(decl: ReducerDeclaration, v: number): number {
  const min = decl.domain?.min;
  const max = decl.domain?.max;
  let r = min !== undefined && v < min ? (min === 0 ? Math.abs(v) : min) : v;
  if (max !== undefined && r > max) r = max;
  return r;
}

function valuesFor(decl: ReducerDeclaration, profile: ReducerProfile, length: number): fc.Arbitrary<number[]> {
  const hard = decl.hardValues && decl.hardValues.length > 0 ? decl.hardValues : [0, 1, -1];
  const domain = (a: fc.Arbitrary<number>): fc.Arbitrary<number> => a.map((v) => inDomain(decl, v));
  const arr = (a: fc.Arbitrary<number>): fc.Arbitrary<number[]> => fc.array(a, { minLength: length, maxLength: length });
  switch (profile) {
    case 'hard':
      return arr(domain(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hard) }, { weight: 2, arbitrary: finiteFloat() }, { weight: 1, arbitrary: fc.integer({ min: -3, max: 3 }) })));
    case 'equal':
      // Every tap the same value: an all-equal window (and all-zero ones when it draws 0).
      return domain(fc.oneof(fc.constantFrom(0, ...hard), finiteFloat())).map((v) => new Array<number>(length).fill(v));
    case 'dominant':
      // Small taps with one huge one at a drawn position: one tap dominates every window that holds it.
      return fc.tuple(arr(domain(fc.integer({ min: -2, max: 2 }))), fc.nat({ max: length - 1 }), domain(fc.constantFrom(...hard, 1e4, 2 ** 60)))
        .map(([xs, at, big]) => xs.map((v, i) => (i === at ? big : v)));
    case 'special':
      return arr(fc.oneof({ weight: 2, arbitrary: domain(finiteFloat()) }, { weight: 1, arbitrary: fc.constantFrom(...specialValues) }));
    case 'smooth': {
      const mag = fc.float({ min: Math.fround(2 ** -6), max: Math.fround(2 ** 6), noNaN: true });
      const signed = decl.domain?.min !== undefined && decl.domain.min >= 0 ? mag : fc.tuple(mag, fc.boolean()).map(([m, neg]) => (neg ? -m : m));
      return arr(signed);
    }
  }
}

const DEFAULT_MAX_ELEMENTS = 48;

export function reducerCaseArbitrary(decl: ReducerDeclaration, c: ReducerCaseConstraints = {}): fc.Arbitrary<ReducerCase> {
  const maxElements = c.maxElements ?? DEFAULT_MAX_ELEMENTS;
  const profiles = c.profiles ?? ['hard', 'equal', 'dominant', 'special'];
  const params = fc.tuple(...decl.params.map((p) => fc.constantFrom(...p.samples)));
  const data = fc.constantFrom(...profiles).chain((profile) => valuesFor(decl, profile, maxElements).map((xs) => ({ profile, xs })));
  const dy = fc.array(fc.oneof(fc.float({ min: -4, max: 4, noNaN: true }), fc.constant(1)), { minLength: maxElements * 8, maxLength: maxElements * 8 });
  return fc.tuple(specCaseArbitrary({ kinds: ['sum'], maxElements, ranks: c.ranks, noPadding: c.noPadding, layouts: c.layouts }), params, data, dy)
    .map(([sc, ps, { profile, xs }, dys]) => {
      const spec: ReducerPoolSpec = {
        kind: decl.name, kernel: sc.spec.kernel, strides: sc.spec.strides, dilations: sc.spec.dilations, pads: sc.spec.pads, ceilMode: sc.spec.ceilMode,
        ...(decl.params.length > 0 ? { params: Object.fromEntries(decl.params.map((p, i) => [p.name, ps[i]!])) } : {}),
      };
      const x: Tensor = { shape: sc.shape, data: Float32Array.from(xs.slice(0, product(sc.shape))), layout: sc.layout };
      const outShape = [...poolGeometry(reducerGeometrySpec(spec), sc.shape, sc.layout).outShape];
      const dyData = Float32Array.from({ length: product(outShape) }, (_, i) => dys[i % dys.length]!);
      return { spec, x, dy: { shape: outShape, data: dyData, layout: sc.layout }, profile };
    });
}
