/**
 * Validation (SPEC.md §VALID): every invalid spec or tensor is rejected with a ValidationError that names the
 * field, the rule and the value, before any kernel runs. Built-in backends call these at their entry points.
 */
import { POOL_KINDS, RESEARCH_KINDS, type Layout, type PoolSpec, type Tensor } from './contract.js';
import { axisWindow, effectiveKernel, poolGeometry, product, type PoolGeometry } from './geometry.js';
import { ValidationError } from './errors.js';
import { MAX32, MIN_NORMAL32 } from './interval.js';

/** Largest element count and index a tensor may have: indices are Int32 (MAX.INDEX). */
export const MAX_ELEMENTS = 2 ** 31 - 1;
/** Largest integer parameter accepted; keeps every derived extent a safe integer. */
export const MAX_PARAM = 2 ** 31 - 1;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function intArray(
  value: unknown, field: string, rule: string, length: number, min: number, what: string,
): number[] {
  if (!Array.isArray(value)) throw new ValidationError(field, rule, `must be an array of ${length} ${what}`, value);
  if (value.length !== length) {
    const why = rule === 'PARAM.PADS' ? '2 × the spatial rank' : 'the spatial rank';
    throw new ValidationError(field, rule, `must have length ${length} (${why})`, value);
  }
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValidationError(`${field}[${i}]`, 'PARAM.FINITE', 'must be a finite number', v);
    }
    if (!Number.isInteger(v) || v < min || v > MAX_PARAM) {
      throw new ValidationError(`${field}[${i}]`, rule, `must be an integer in [${min}, ${MAX_PARAM}]`, v);
    }
  });
  return value as number[];
}

/** PARAM.*: the spec on its own, independent of any input. */
export function validateSpec(spec: unknown): asserts spec is PoolSpec {
  if (!isRecord(spec)) throw new ValidationError('spec', 'PARAM.KIND', 'must be an object', spec);
  if (!POOL_KINDS.includes(spec.kind as never)) {
    // A research kind is valid elsewhere (SPEC.md §11): say where, so a backend's decline reason is not a riddle.
    const research = RESEARCH_KINDS.includes(spec.kind as never) ? ' (research kinds such as this one are ReducerPoolSpecs for a backend\'s reducers member, SPEC.md §11)' : '';
    throw new ValidationError('spec.kind', 'PARAM.KIND', `must be one of ${POOL_KINDS.join(', ')}${research}`, spec.kind);
  }
  if (!Array.isArray(spec.kernel)) throw new ValidationError('spec.kernel', 'PARAM.RANK', 'must be an array', spec.kernel);
  const d = spec.kernel.length;
  if (d < 1 || d > 3) throw new ValidationError('spec.kernel', 'PARAM.RANK', 'must have length 1, 2 or 3 (the spatial rank)', spec.kernel);
  intArray(spec.kernel, 'spec.kernel', 'PARAM.KERNEL', d, 1, 'positive integers');
  intArray(spec.strides, 'spec.strides', 'PARAM.STRIDE', d, 1, 'positive integers');
  intArray(spec.dilations, 'spec.dilations', 'PARAM.DILATION', d, 1, 'positive integers');
  intArray(spec.pads, 'spec.pads', 'PARAM.PADS', 2 * d, 0, 'non-negative integers');
  if (typeof spec.ceilMode !== 'boolean') throw new ValidationError('spec.ceilMode', 'PARAM.FLAGS', 'must be a boolean', spec.ceilMode);
  if (typeof spec.countIncludePad !== 'boolean') {
    throw new ValidationError('spec.countIncludePad', 'PARAM.FLAGS', 'must be a boolean', spec.countIncludePad);
  }
  if (spec.divisorOverride !== undefined) {
    const v = spec.divisorOverride;
    if (spec.kind !== 'avg') throw new ValidationError('spec.divisorOverride', 'AVG.OVERRIDE', 'is only allowed with kind "avg"', v);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError('spec.divisorOverride', 'PARAM.FINITE', 'must be a finite number', v);
    if (!(Math.abs(v) >= MIN_NORMAL32 && Math.abs(v) <= MAX32)) {
      throw new ValidationError('spec.divisorOverride', 'AVG.OVERRIDE', 'must be non-zero with a magnitude in the normal float32 range [2^-126, 3.4028234663852886e38]', v);
    }
  }
  if (spec.kind === 'lp') {
    const p = spec.p;
    if (typeof p !== 'number' || !Number.isFinite(p)) throw new ValidationError('spec.p', 'PARAM.FINITE', 'must be a finite number for kind "lp"', p);
    if (p <= 0) throw new ValidationError('spec.p', 'LP.P', 'must be > 0', p);
    // A float32 kernel computes with fround(p); the spec's p must be that very value (use Math.fround(p)).
    if (Math.fround(p) !== p) throw new ValidationError('spec.p', 'LP.P', 'must be exactly representable in float32 (pass Math.fround(p))', p);
  }
}

/** TENSOR.RANK, TENSOR.SHAPE, TENSOR.SIZE: a shape array on its own. Returns the element count. */
export function validateShapeArray(shape: unknown, field: string, dims: number): number {
  if (!Array.isArray(shape)) throw new ValidationError(field, 'TENSOR.RANK', `must be an array of ${dims} extents`, shape);
  if (shape.length !== dims) {
    throw new ValidationError(field, 'TENSOR.RANK', `must have ${dims} dimensions (batch, channels and ${dims - 2} spatial)`, shape);
  }
  shape.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ELEMENTS) {
      throw new ValidationError(`${field}[${i}]`, 'TENSOR.SHAPE', `must be an integer in [1, ${MAX_ELEMENTS}]`, v);
    }
  });
  const count = product(shape as number[]);
  if (count > MAX_ELEMENTS) throw new ValidationError(field, 'TENSOR.SIZE', `must hold at most ${MAX_ELEMENTS} elements`, shape);
  return count;
}

/** TENSOR.*: a tensor on its own, with the expected number of dimensions. */
export function validateTensor(t: unknown, name: string, dims: number): asserts t is Tensor {
  if (!isRecord(t)) throw new ValidationError(name, 'TENSOR.DTYPE', 'must be a tensor object { shape, data, layout? }', t);
  if (!(t.data instanceof Float32Array)) throw new ValidationError(`${name}.data`, 'TENSOR.DTYPE', 'must be a Float32Array', t.data);
  const layout = t.layout ?? 'channels_first';
  if (layout !== 'channels_first' && layout !== 'channels_last') {
    throw new ValidationError(`${name}.layout`, 'TENSOR.LAYOUT', 'must be "channels_first" or "channels_last"', t.layout);
  }
  const count = validateShapeArray(t.shape, `${name}.shape`, dims);
  if (t.data.length !== count) {
    throw new ValidationError(`${name}.data.length`, 'TENSOR.LENGTH', `must equal the product of the shape (${count})`, t.data.length);
  }
}

/**
 * The shape-dependent rules: WINDOW.FITS (the dilated window fits in the padded input) and WINDOW.NONEMPTY
 * (every window holds at least one input element). Returns the geometry.
 */
export function validateShape(spec: PoolSpec, inputShape: readonly number[], layout: Layout, name = 'x'): PoolGeometry {
  const d = spec.kernel.length;
  const g = poolGeometry(spec, inputShape, layout);
  g.axes.forEach((a, i) => {
    const spatialDim = layout === 'channels_last' ? i + 1 : i + 2;
    const span = effectiveKernel(a.kernel, a.dilation);
    if (a.size + a.padBegin + a.padEnd < span) {
      throw new ValidationError(`${name}.shape[${spatialDim}]`, 'WINDOW.FITS',
        `plus pads ${a.padBegin}+${a.padEnd} must be at least the dilated window ${span} of spatial axis ${i}`, a.size);
    }
    for (let j = 0; j < a.out; j++) {
      const w = axisWindow(a, j);
      if (w.tEnd <= w.tFirst) {
        throw new ValidationError(`spec.pads`, 'WINDOW.NONEMPTY',
          `must leave every window with an input element; window ${j} of spatial axis ${i} (taps at ${w.start}, step ${a.dilation}) holds only padding for input extent ${a.size}`,
          [spec.pads[i], spec.pads[i + d]]);
      }
    }
  });
  const outCount = product(g.outShape);
  if (outCount > MAX_ELEMENTS) throw new ValidationError(`${name}.shape`, 'TENSOR.SIZE', `must give an output of at most ${MAX_ELEMENTS} elements`, g.outShape);
  return g;
}

/** Everything a forward call needs checked: spec, input tensor, and their fit. */
export function validateForward(spec: unknown, x: unknown): PoolGeometry {
  validateSpec(spec);
  validateTensor(x, 'x', spec.kernel.length + 2);
  return validateShape(spec, x.shape, x.layout ?? 'channels_first');
}

/** Everything a backward call needs checked: as forward, plus dy matching the forward output (GRAD.SHAPE). */
export function validateBackward(spec: unknown, x: unknown, dy: unknown): PoolGeometry {
  const g = validateForward(spec, x);
  validateTensor(dy, 'dy', g.outShape.length);
  const layout = dy.layout ?? 'channels_first';
  if (layout !== g.layout) throw new ValidationError('dy.layout', 'GRAD.SHAPE', `must equal x.layout (${g.layout})`, layout);
  dy.shape.forEach((v, i) => {
    if (v !== g.outShape[i]) throw new ValidationError(`dy.shape`, 'GRAD.SHAPE', `must equal the forward output shape [${g.outShape.join(', ')}]`, dy.shape);
  });
  return g;
}

/** Validation as a `supports`-style answer: what a backend can return for input it must refuse. */
export function validationProblem(spec: unknown, inputShape: readonly number[], layout: Layout = 'channels_first'): string | undefined {
  try {
    validateSpec(spec);
    validateShapeArray(inputShape, 'x.shape', spec.kernel.length + 2);
    validateShape(spec, inputShape, layout);
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
}
