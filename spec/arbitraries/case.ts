/**
 * A complete pooling case: spec and shape first (arbitraries/spec.ts), then exactly the input data and, for
 * gradient properties, the upstream gradient dy that shape needs. Exported for reuse.
 */
import fc from 'fast-check';
import type { Layout, PoolSpec, Tensor } from '../contract.js';
import { poolGeometry, product } from '../geometry.js';
import { float32Data, valueArbitrary, type ValueProfile } from './values.js';
import { specCaseArbitrary, type SpecConstraints } from './spec.js';

export interface PoolCase {
  spec: PoolSpec;
  x: Tensor;
  /** The value profile x was drawn from (for reports). */
  profile: ValueProfile;
}

export interface GradCase extends PoolCase {
  dy: Tensor;
}

export interface CaseConstraints extends SpecConstraints {
  /** Value profiles for x (default: ties, finite, special). */
  profiles?: readonly ValueProfile[];
  /** Profile for dy (default 'finite'). */
  dyProfile?: ValueProfile;
}

function tensor(shape: number[], data: Float32Array, layout: Layout): Tensor {
  return { shape, data, layout };
}

/**
 * Exactly `length` values of one of the profiles. Drawn after the shape (fc.chain): only the elements the case
 * uses exist, so shrinking spends no steps on values nothing reads, and a replay path is about the case.
 */
function dataFor(c: CaseConstraints, length: number): fc.Arbitrary<{ profile: ValueProfile; data: number[] }> {
  const profiles = c.profiles ?? ['ties', 'finite', 'special'];
  return fc.oneof(...profiles.map((profile) => fc.array(valueArbitrary(profile), { minLength: length, maxLength: length }).map((data) => ({ profile, data }))));
}

export function poolCaseArbitrary(c: CaseConstraints = {}): fc.Arbitrary<PoolCase> {
  return specCaseArbitrary(c).chain((sc) => dataFor(c, product(sc.shape)).map(({ profile, data }) => ({
    spec: sc.spec,
    x: tensor(sc.shape, Float32Array.from(data), sc.layout),
    profile,
  })));
}

export function gradCaseArbitrary(c: CaseConstraints = {}): fc.Arbitrary<GradCase> {
  const dyProfile = c.dyProfile ?? 'finite';
  // The shape first, then x and dy at exactly the input's and the output's element counts.
  return specCaseArbitrary(c).chain((sc) => {
    const outShape = [...poolGeometry(sc.spec, sc.shape, sc.layout).outShape];
    return fc.tuple(dataFor(c, product(sc.shape)), float32Data(product(outShape), dyProfile)).map(([{ profile, data }, dy]) => ({
      spec: sc.spec,
      x: tensor(sc.shape, Float32Array.from(data), sc.layout),
      profile,
      dy: tensor(outShape, dy, sc.layout),
    }));
  });
}
