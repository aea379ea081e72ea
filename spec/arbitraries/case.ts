/**
 * A complete pooling case: spec and shape first (arbitraries/spec.ts), then the input data and, for gradient
 * properties, the upstream gradient dy. Exported for reuse.
 */
import fc from 'fast-check';
import type { Layout, PoolSpec, Tensor } from '../../kernels/contract.js';
import { poolGeometry, product } from '../../kernels/geometry.js';
import { float32Data, profileArbitrary, type ValueProfile } from './values.js';
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

export function poolCaseArbitrary(c: CaseConstraints = {}): fc.Arbitrary<PoolCase> {
  const profiles = c.profiles ? fc.constantFrom(...c.profiles) : profileArbitrary();
  return fc.tuple(specCaseArbitrary(c), profiles).chain(([sc, profile]) =>
    float32Data(product(sc.shape), profile).map((data) => ({ spec: sc.spec, x: tensor(sc.shape, data, sc.layout), profile })));
}

export function gradCaseArbitrary(c: CaseConstraints = {}): fc.Arbitrary<GradCase> {
  return poolCaseArbitrary(c).chain((pc) => {
    const outShape = [...poolGeometry(pc.spec, pc.x.shape, pc.x.layout ?? 'channels_first').outShape];
    return float32Data(product(outShape), c.dyProfile ?? 'finite')
      .map((data) => ({ ...pc, dy: tensor(outShape, data, pc.x.layout ?? 'channels_first') }));
  });
}
