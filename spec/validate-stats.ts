/**
 * Validation of statistics pooling (SPEC.md STATS.SPEC): the spec, x (spatial rank 1 to 3, either layout) and
 * dy ([N, 2C]), with a typed error naming the field, the rule and the value.
 */
import type { Layout, StatsPoolSpec } from './contract.js';
import { ValidationError } from './errors.js';
import { splitShape } from './geometry.js';
import { validateShapeArray, validateTensor } from './validate.js';

/** What a stats computation needs about x: its planes' addressing and the output's shape. */
export interface StatsGeometry {
  readonly batch: number;
  readonly channels: number;
  /** T: positions per (n, c) plane. */
  readonly plane: number;
  readonly layout: Layout;
  /** [N, 2C]. */
  readonly outShape: readonly [number, number];
}

export function validateStatsSpec(spec: unknown): asserts spec is StatsPoolSpec {
  if (typeof spec !== 'object' || spec === null) throw new ValidationError('spec', 'PARAM.KIND', 'must be an object', spec);
  const s = spec as Record<string, unknown>;
  if (s.kind !== 'stats') throw new ValidationError('spec.kind', 'PARAM.KIND', 'must be "stats" for statistics pooling', s.kind);
  for (const key of Object.keys(s)) {
    if (key !== 'kind') throw new ValidationError(`spec.${key}`, 'STATS.SPEC', 'is not a member of a stats spec (it has only kind)', s[key]);
  }
}

function rankOf(x: unknown): number {
  const shape = (x as { shape?: unknown } | null)?.shape;
  const d = Array.isArray(shape) ? shape.length : -1;
  if (d < 3 || d > 5) throw new ValidationError('x.shape', 'TENSOR.RANK', 'must have 3 to 5 dimensions (batch, channels and 1 to 3 spatial)', shape);
  return d;
}

function geometryOf(shape: readonly number[], layout: Layout): StatsGeometry {
  const { batch, channels, spatial } = splitShape(shape, layout);
  return { batch, channels, plane: spatial.reduce((a, b) => a * b, 1), layout, outShape: [batch, 2 * channels] };
}

export function validateStatsForward(spec: unknown, x: unknown): StatsGeometry {
  validateStatsSpec(spec);
  validateTensor(x, 'x', rankOf(x));
  return geometryOf(x.shape, x.layout ?? 'channels_first');
}

export function validateStatsBackward(spec: unknown, x: unknown, dy: unknown): StatsGeometry {
  const g = validateStatsForward(spec, x);
  validateTensor(dy, 'dy', 2);
  if ((dy.layout ?? 'channels_first') !== 'channels_first') {
    throw new ValidationError('dy.layout', 'GRAD.SHAPE', 'must be channels_first (a [N, 2C] tensor has no channels_last form)', dy.layout);
  }
  if (dy.shape[0] !== g.outShape[0] || dy.shape[1] !== g.outShape[1]) {
    throw new ValidationError('dy.shape', 'GRAD.SHAPE', `must equal the forward output shape [${g.outShape.join(', ')}]`, dy.shape);
  }
  return g;
}

/** Validation as a supports()-style answer. */
export function statsValidationProblem(spec: unknown, inputShape: readonly number[], layout: Layout = 'channels_first'): string | undefined {
  try {
    validateStatsSpec(spec);
    validateShapeArray(inputShape, 'x.shape', rankOf({ shape: inputShape }));
    if (layout !== 'channels_first' && layout !== 'channels_last') throw new ValidationError('x.layout', 'TENSOR.LAYOUT', 'must be "channels_first" or "channels_last"', layout);
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
}
