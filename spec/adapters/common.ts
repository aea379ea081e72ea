/**
 * Shared checks for the framework adapters. Every rejection is a ValidationError naming the framework's own
 * field (e.g. `kernel_size[1]`, `pads`, `pool_size`), so the message points at what the user wrote, not at the
 * canonical spec the adapter was about to build.
 */
import type { Layout, PoolSpec } from '../contract.js';
import { ValidationError } from '../errors.js';
import { MAX_ELEMENTS, MAX_PARAM } from '../validate.js';

/** What every adapter returns: the canonical spec and the layout in which the framework's input is read. */
export interface AdapterResult {
  spec: PoolSpec;
  layout: Layout;
}

/** A per-framework rule ID for conventions the canonical clauses do not cover (SPEC.md §ADAPT). */
export type AdapterRule = 'ADAPT.TORCH' | 'ADAPT.ONNX' | 'ADAPT.KERAS' | 'ADAPT.TFJS' | 'ADAPT.AUTOPAD';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One integer in [min, MAX_PARAM]; a non-finite value breaks PARAM.FINITE, anything else `rule`. */
export function checkInt(value: unknown, field: string, rule: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    if (typeof value === 'number') throw new ValidationError(field, 'PARAM.FINITE', 'must be a finite number', value);
    throw new ValidationError(field, rule, `must be an integer in [${min}, ${MAX_PARAM}]`, value);
  }
  if (!Number.isInteger(value) || value < min || value > MAX_PARAM) {
    throw new ValidationError(field, rule, `must be an integer in [${min}, ${MAX_PARAM}]`, value);
  }
  return value;
}

/** An array of exactly `length` integers in [min, MAX_PARAM]. */
export function checkIntArray(
  value: unknown, field: string, rule: string, length: number, min: number,
): number[] {
  if (!Array.isArray(value)) throw new ValidationError(field, rule, `must be an array of ${length} integers`, value);
  if (value.length !== length) throw new ValidationError(field, rule, `must have length ${length}`, value);
  return value.map((v: unknown, i) => checkInt(v, `${field}[${i}]`, rule, min));
}

/**
 * An int, or a tuple of `rank` ints, expanded to length `rank`. With `broadcastSingle`, a one-element tuple is
 * repeated too (PyTorch's `_pair`/`_triple` accept `(k,)`).
 */
export function expandIntOrTuple(
  value: unknown, field: string, rule: string, rank: number, min: number, broadcastSingle: boolean,
): number[] {
  if (typeof value === 'number') {
    const v = checkInt(value, field, rule, min);
    return new Array<number>(rank).fill(v);
  }
  if (!Array.isArray(value)) {
    throw new ValidationError(field, rule, `must be an integer or a tuple of ${rank} integers`, value);
  }
  if (broadcastSingle && value.length === 1) {
    const v = checkInt(value[0], `${field}[0]`, rule, min);
    return new Array<number>(rank).fill(v);
  }
  if (value.length !== rank) {
    const also = broadcastSingle && rank !== 1 ? ` (or 1, repeated)` : '';
    throw new ValidationError(field, rule, `must have length ${rank}${also}, the spatial rank`, value);
  }
  return checkIntArray(value, field, rule, rank, min);
}

/** Rejects keys (with a value other than undefined or null) that the framework operation does not take. */
export function checkKeys(
  params: Record<string, unknown>, allowed: readonly string[], rule: AdapterRule, what: string,
): void {
  for (const [key, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    if (!allowed.includes(key)) {
      throw new ValidationError(key, rule, `is not a parameter of ${what} (it takes ${allowed.join(', ')})`, v);
    }
  }
}

export function checkBool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new ValidationError(field, 'PARAM.FLAGS', 'must be a boolean', value);
  return value;
}

/**
 * A batched input shape [N, C, ...spatial] or [N, ...spatial, C] of positive integers. `dims`, when given, is the
 * required length (spatial rank + 2). Unbatched shapes, which some frameworks also accept, must be given with N = 1.
 */
export function checkInputShape(value: unknown, field: string, dims?: number): number[] {
  if (!Array.isArray(value)) {
    throw new ValidationError(field, 'TENSOR.RANK', 'must be an array of extents [N, C, ...spatial] or [N, ...spatial, C]', value);
  }
  if (dims !== undefined && value.length !== dims) {
    throw new ValidationError(field, 'TENSOR.RANK',
      `must have ${dims} dimensions (batch, channels and ${dims - 2} spatial)`, value);
  }
  if (dims === undefined && (value.length < 3 || value.length > 5)) {
    throw new ValidationError(field, 'TENSOR.RANK', 'must have 3, 4 or 5 dimensions (batch, channels and 1-3 spatial)', value);
  }
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_ELEMENTS) {
      throw new ValidationError(`${field}[${i}]`, 'TENSOR.SHAPE', `must be an integer in [1, ${MAX_ELEMENTS}]`, v);
    }
  });
  return value as number[];
}

export function checkRank(rank: unknown, field: string): 1 | 2 | 3 {
  if (rank !== 1 && rank !== 2 && rank !== 3) {
    throw new ValidationError(field, 'PARAM.RANK', 'must be 1, 2 or 3 (the spatial rank)', rank);
  }
  return rank;
}

/** LP.DEF's exponent: finite and > 0. */
export function checkP(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValidationError(field, 'PARAM.FINITE', 'must be a finite number for an Lp pool', value);
  }
  if (value <= 0) throw new ValidationError(field, 'LP.P', 'must be > 0', value);
  return value;
}

export function ones(rank: number): number[] {
  return new Array<number>(rank).fill(1);
}

export function zeros(n: number): number[] {
  return new Array<number>(n).fill(0);
}
