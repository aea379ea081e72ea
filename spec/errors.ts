/**
 * Typed errors. Every rejection names the field, the rule (a SPEC.md clause ID) and the offending value,
 * so a user can fix the call without reading the code.
 */
export class PoolspecError extends Error {
  override readonly name: string = 'PoolspecError';
}

/** An invalid spec or tensor: thrown by validation before any kernel runs (SPEC.md §VALID). */
export class ValidationError extends PoolspecError {
  override readonly name = 'ValidationError';
  constructor(
    /** The path of the offending field, e.g. `spec.kernel[1]` or `x.data`. */
    readonly field: string,
    /** The SPEC.md clause ID of the rule that was broken, e.g. `PARAM.KERNEL`. */
    readonly rule: string,
    /** A short statement of what the rule requires. */
    readonly requirement: string,
    /** The value that broke it. */
    readonly value: unknown,
  ) {
    super(`${field}: ${requirement} (${rule}), got ${describeValue(value)}`);
  }
}

/** A backend refused a case or broke its contract (e.g. `supports` said yes, then it threw). */
export class BackendError extends PoolspecError {
  override readonly name: string = 'BackendError';
  constructor(readonly backend: string, message: string) {
    super(`backend ${backend}: ${message}`);
  }
}

export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(length ${(value as unknown as { length: number }).length})`;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  // Left: booleans and objects. JSON names an object's fields; one it cannot encode (a cycle) keeps its tag.
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
