/**
 * A complete pooling case: spec and shape first (arbitraries/spec.ts), then the input data and, for gradient
 * properties, the upstream gradient dy. Exported for reuse.
 */
import fc from 'fast-check';
import type { Layout, PoolSpec, Tensor } from '../contract.js';
import { poolGeometry, product } from '../geometry.js';
import { valueArbitrary, type ValueProfile } from './values.js';
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
 * Data is drawn at the largest size the constraints allow and cut to the shape, beside (not chained on) the
 * spec: fast-check then shrinks the geometry and the values independently, towards small shapes and zeros.
 */
function dataFor(c: CaseConstraints, length: number): fc.Arbitrary<{ profile: ValueProfile; data: number[] }> {
  const profiles = c.profiles ?? ['ties', 'finite', 'special'];
  return fc.oneof(...profiles.map((profile) => fc.array(valueArbitrary(profile), { minLength: length, maxLength: length }).map((data) => ({ profile, data }))));
}

const DEFAULT_MAX_ELEMENTS = 96;

export function poolCaseArbitrary(c: CaseConstraints = {}): fc.Arbitrary<PoolCase> {
  return fc.tuple(specCaseArbitrary(c), dataFor(c, c.maxElements ?? DEFAULT_MAX_ELEMENTS)).map(([sc, { profile, data }]) => ({
    spec: sc.spec,
    x: tensor(sc.shape, Float32Array.from(data.slice(0, product(sc.shape))), sc.layout),
    profile,
  }));
}

export function gradCaseArbitrary(c: CaseConstraints = {}): fc.Arbitrary<GradCase> {
  const dyProfile = c.dyProfile ?? 'finite';
  // Padding can make the output larger than the input; dy is drawn at 8× the input bound, cut to the output,
  // and cycled in the rare case the output is larger still (values repeat; nothing else changes).
  const maxOut = (c.maxElements ?? DEFAULT_MAX_ELEMENTS) * 8;
  return fc.tuple(poolCaseArbitrary(c), fc.array(valueArbitrary(dyProfile), { minLength: maxOut, maxLength: maxOut })).map(([pc, dyData]) => {
    const layout = pc.x.layout ?? 'channels_first';
    const outShape = [...poolGeometry(pc.spec, pc.x.shape, layout).outShape];
    const n = product(outShape);
    const data = Float32Array.from({ length: n }, (_, i) => dyData[i % dyData.length]!);
    return { ...pc, dy: tensor(outShape, data, layout) };
  });
}
