/**
 * Validation of reducer specs (SPEC.md REDUCER.SPEC, REDUCER.PARAMS): the window geometry by §1's rules, the
 * kind against the declaration, and each parameter against its declared domain, with a typed error naming the
 * field, the rule and the value.
 */
import type { Layout, PoolSpec, ReducerPoolSpec } from './contract.js';
import { ValidationError } from './errors.js';
import type { PoolGeometry } from './geometry.js';
import type { ReducerDeclaration } from './reducer.js';
import { validateShape, validateShapeArray, validateSpec, validateTensor } from './validate.js';

/** The geometry of a reducer spec as a PoolSpec (§2 is shared; kind and counting flags do not enter it). */
export function reducerGeometrySpec(spec: ReducerPoolSpec): PoolSpec {
  return {
    kind: 'sum', kernel: spec.kernel, strides: spec.strides, dilations: spec.dilations, pads: spec.pads,
    ceilMode: spec.ceilMode, countIncludePad: false,
  };
}

/** REDUCER.SPEC, REDUCER.PARAMS and the declared parameters' own rules. */
export function validateReducerSpec(spec: unknown, decl: ReducerDeclaration): asserts spec is ReducerPoolSpec {
  if (typeof spec !== 'object' || spec === null) throw new ValidationError('spec', 'PARAM.KIND', 'must be an object', spec);
  const s = spec as Record<string, unknown>;
  if (s.kind !== decl.name) throw new ValidationError('spec.kind', 'PARAM.KIND', `must be "${decl.name}" for this reducer`, s.kind);
  if (typeof s.ceilMode !== 'boolean') throw new ValidationError('spec.ceilMode', 'PARAM.FLAGS', 'must be a boolean', s.ceilMode);
  // The geometry rules of §1 (PARAM.RANK … PARAM.PADS), on the same fields and with the same messages.
  validateSpec({ kind: 'sum', kernel: s.kernel, strides: s.strides, dilations: s.dilations, pads: s.pads, ceilMode: s.ceilMode, countIncludePad: false });
  const params = s.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new ValidationError('spec.params', 'REDUCER.PARAMS', 'must be an object of named numbers', s.params);
  }
  const given = params as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!decl.params.some((p) => p.name === key)) {
      throw new ValidationError(`spec.params.${key}`, 'REDUCER.PARAMS', `is not a parameter of "${decl.name}" (${decl.params.map((p) => p.name).join(', ') || 'none'})`, given[key]);
    }
  }
  for (const p of decl.params) {
    const v = given[p.name];
    const field = `spec.params.${p.name}`;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(field, 'PARAM.FINITE', `must be a finite number for kind "${decl.name}"`, v);
    const lowOk = p.minOpen ? v > p.min : v >= p.min;
    const highOk = p.maxOpen ? v < p.max : v <= p.max;
    if (!lowOk || !highOk) {
      throw new ValidationError(field, p.clause, `must be in ${p.minOpen ? '(' : '['}${p.min}, ${p.max}${p.maxOpen ? ')' : ']'}`, v);
    }
    if (p.integer === true && !Number.isInteger(v)) throw new ValidationError(field, p.clause, 'must be an integer', v);
    // A float32 kernel computes with fround(v): the spec's value must be that value (as LP.P).
    if (Math.fround(v) !== v) throw new ValidationError(field, p.clause, 'must be exactly representable in float32 (pass Math.fround(v))', v);
  }
}

export function validateReducerForward(spec: unknown, x: unknown, decl: ReducerDeclaration): PoolGeometry {
  validateReducerSpec(spec, decl);
  validateTensor(x, 'x', spec.kernel.length + 2);
  return validateShape(reducerGeometrySpec(spec), x.shape, x.layout ?? 'channels_first');
}

export function validateReducerBackward(spec: unknown, x: unknown, dy: unknown, decl: ReducerDeclaration): PoolGeometry {
  const g = validateReducerForward(spec, x, decl);
  validateTensor(dy, 'dy', g.outShape.length);
  const layout = (dy).layout ?? 'channels_first';
  if (layout !== g.layout) throw new ValidationError('dy.layout', 'GRAD.SHAPE', `must equal x.layout (${g.layout})`, layout);
  if ((dy).shape.some((v, i) => v !== g.outShape[i])) {
    throw new ValidationError('dy.shape', 'GRAD.SHAPE', `must equal the forward output shape [${g.outShape.join(', ')}]`, (dy).shape);
  }
  return g;
}

/** Validation as a supports()-style answer. */
export function reducerValidationProblem(spec: unknown, decl: ReducerDeclaration, inputShape: readonly number[], layout: Layout = 'channels_first'): string | undefined {
  try {
    validateReducerSpec(spec, decl);
    validateShapeArray(inputShape, 'x.shape', spec.kernel.length + 2);
    validateShape(reducerGeometrySpec(spec), inputShape, layout);
    return undefined;
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
}
