/**
 * Validation of structured pooling specs and inputs (SPEC.md §10): the same error shape as spec/validate.ts
 * (field, rule, requirement, value), checked before any kernel runs.
 */
import { STRUCTURED_KINDS, type Layout, type StructuredSpec } from './contract.js';
import { product, splitShape } from './geometry.js';
import { structuredGather, unpoolOutputSpatial, type Gather } from './structured-geometry.js';
import { ValidationError } from './errors.js';
import { MAX_ELEMENTS, validateShapeArray, validateTensor } from './validate.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function positiveInts(value: unknown, field: string, rule: string, length?: number): number[] {
  if (!Array.isArray(value) || value.length === 0 || (length !== undefined && value.length !== length)) {
    throw new ValidationError(field, rule, `must be an array of ${length ?? '1 to 3'} positive integers`, value);
  }
  value.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ELEMENTS) {
      throw new ValidationError(`${field}[${i}]`, rule, `must be an integer in [1, ${MAX_ELEMENTS}]`, v);
    }
  });
  return value as number[];
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ValidationError(field, 'PARAM.FINITE', 'must be a finite number', value);
  return value;
}

/** The spatial rank a structured spec implies (roi: 2). */
export function structuredRank(spec: StructuredSpec): number {
  switch (spec.kind) {
    case 'adaptive_max': case 'adaptive_avg': return spec.outputSize.length;
    case 'roi_max': return 2;
    case 'spp': return spec.levels[0]?.length ?? 0;
    case 'max_unpool': return spec.kernel.length;
  }
}

export function validateStructuredSpec(spec: unknown): asserts spec is StructuredSpec {
  if (!isRecord(spec) || !STRUCTURED_KINDS.includes(spec.kind as never)) {
    throw new ValidationError('spec.kind', 'PARAM.KIND', `must be one of ${STRUCTURED_KINDS.join(', ')}`, isRecord(spec) ? spec.kind : spec);
  }
  switch (spec.kind) {
    case 'adaptive_max':
    case 'adaptive_avg': {
      const o = positiveInts(spec.outputSize, 'spec.outputSize', 'ADAPTIVE.SIZE');
      if (o.length > 3) throw new ValidationError('spec.outputSize', 'PARAM.RANK', 'must have length 1, 2 or 3 (the spatial rank)', o);
      return;
    }
    case 'roi_max': {
      positiveInts(spec.pooledSize, 'spec.pooledSize', 'ROI.POOLED', 2);
      const s = finite(spec.spatialScale, 'spec.spatialScale');
      if (s <= 0) throw new ValidationError('spec.spatialScale', 'ROI.SCALE', 'must be > 0', s);
      if (!Array.isArray(spec.boxes) || spec.boxes.length === 0) throw new ValidationError('spec.boxes', 'ROI.BOXES', 'must be a non-empty array of [batch, x1, y1, x2, y2]', spec.boxes);
      spec.boxes.forEach((box, k) => {
        if (!Array.isArray(box) || box.length !== 5) throw new ValidationError(`spec.boxes[${k}]`, 'ROI.BOXES', 'must be [batch, x1, y1, x2, y2]', box);
        box.forEach((v, j) => finite(v, `spec.boxes[${k}][${j}]`));
      });
      return;
    }
    case 'spp': {
      if (spec.mode !== 'max' && spec.mode !== 'avg') throw new ValidationError('spec.mode', 'SPP.MODE', 'must be "max" or "avg"', spec.mode);
      if (!Array.isArray(spec.levels) || spec.levels.length === 0) throw new ValidationError('spec.levels', 'SPP.LEVELS', 'must be a non-empty array of output sizes', spec.levels);
      const d = Array.isArray(spec.levels[0]) ? spec.levels[0].length : 0;
      if (d < 1 || d > 3) throw new ValidationError('spec.levels[0]', 'PARAM.RANK', 'must have length 1, 2 or 3 (the spatial rank)', spec.levels[0]);
      spec.levels.forEach((l, i) => positiveInts(l, `spec.levels[${i}]`, 'SPP.LEVELS', d));
      return;
    }
    case 'max_unpool': {
      const d = Array.isArray(spec.kernel) ? spec.kernel.length : 0;
      if (d < 1 || d > 3) throw new ValidationError('spec.kernel', 'PARAM.RANK', 'must have length 1, 2 or 3 (the spatial rank)', spec.kernel);
      positiveInts(spec.kernel, 'spec.kernel', 'PARAM.KERNEL', d);
      positiveInts(spec.strides, 'spec.strides', 'PARAM.STRIDE', d);
      if (!Array.isArray(spec.pads) || spec.pads.length !== 2 * d || spec.pads.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
        throw new ValidationError('spec.pads', 'PARAM.PADS', `must be ${2 * d} non-negative integers`, spec.pads);
      }
      if (!(spec.indices instanceof Int32Array)) throw new ValidationError('spec.indices', 'UNPOOL.INDEX', 'must be an Int32Array of per-plane indices', spec.indices);
      if (spec.outputSize !== undefined) positiveInts(spec.outputSize, 'spec.outputSize', 'UNPOOL.SIZE', d);
      return;
    }
  }
}

/** Spec, input tensor and their fit; returns the gather view (SPEC.md §10). */
export function validateStructuredForward(spec: unknown, x: unknown): Gather {
  validateStructuredSpec(spec);
  validateTensor(x, 'x', structuredRank(spec) + 2);
  return validateStructuredShape(spec, x.shape, x.layout ?? 'channels_first');
}

/** The shape-dependent rules of §10 for a valid spec and a valid shape. */
export function validateStructuredShape(spec: StructuredSpec, shape: readonly number[], layout: Layout): Gather {
  const d = structuredRank(spec);
  const { batch, channels, spatial } = splitShape(shape, layout);
  switch (spec.kind) {
    case 'adaptive_max':
    case 'adaptive_avg':
    case 'spp':
      // Window bounds ⌊i·IN/OUT⌋ are exact only while i·IN stays a safe integer.
      for (const level of spec.kind === 'spp' ? spec.levels : [spec.outputSize]) {
        level.forEach((out, i) => {
          if (out * spatial[i]! > Number.MAX_SAFE_INTEGER) throw new ValidationError('spec.outputSize', 'ADAPTIVE.SIZE', 'times the input extent must stay below 2^53', out);
        });
      }
      break;
    case 'roi_max':
      spec.boxes.forEach((box, k) => {
        const b = box[0]!;
        if (!Number.isInteger(b) || b < 0 || b >= batch) {
          throw new ValidationError(`spec.boxes[${k}][0]`, 'ROI.BATCH', `must be an integer batch index in [0, ${batch})`, b);
        }
      });
      break;
    case 'max_unpool': {
      if (spec.indices.length !== product(shape)) {
        throw new ValidationError('spec.indices.length', 'UNPOOL.INDEX', `must equal the number of pooled values (${product(shape)})`, spec.indices.length);
      }
      const out = unpoolOutputSpatial(spec, spatial);
      validateShapeArray([batch, channels, ...out], 'output shape', d + 2);
      const outPlane = product(out);
      for (let i = 0; i < spec.indices.length; i++) {
        const v = spec.indices[i]!;
        if (v < 0 || v >= outPlane) {
          throw new ValidationError(`spec.indices[${i}]`, 'UNPOOL.INDEX', `must be a per-plane index in [0, ${outPlane})`, v);
        }
      }
      break;
    }
  }
  const g = structuredGather(spec, shape, layout);
  validateShapeArray(g.outShape, 'output shape', g.outShape.length);
  return g;
}

export function validateStructuredBackward(spec: unknown, x: unknown, dy: unknown): Gather {
  const g = validateStructuredForward(spec, x);
  validateTensor(dy, 'dy', g.outShape.length);
  if ((dy.layout ?? 'channels_first') !== g.outLayout) throw new ValidationError('dy.layout', 'GRAD.SHAPE', `must be ${g.outLayout}`, dy.layout);
  if (dy.shape.join(',') !== g.outShape.join(',')) throw new ValidationError('dy.shape', 'GRAD.SHAPE', `must equal the forward output shape [${g.outShape.join(', ')}]`, dy.shape);
  return g;
}

export function structuredProblem(spec: unknown, inputShape: readonly number[], layout: Layout = 'channels_first'): string | undefined {
  try {
    validateStructuredSpec(spec);
    validateShapeArray(inputShape, 'x.shape', structuredRank(spec) + 2);
    validateStructuredShape(spec, inputShape, layout);
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
}
