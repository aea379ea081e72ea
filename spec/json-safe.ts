/**
 * The JSON-safe form of a generated case, both ways: what the verifier records of a counterexample
 * (`toJsonSafe`) and what a case file's reader turns back into the value a property checks (`fromJsonSafe`).
 * JSON has no NaN, ±Infinity, −0 or typed arrays, and every pooling bug worth keeping involves one of them.
 *
 * Encoding: NaN, Infinity, -Infinity and −0 become the strings "NaN", "Infinity", "-Infinity", "-0"; a typed
 * array becomes a one-key object `{ "Float32Array": [...] }` (its constructor's name) holding its encoded
 * elements; arrays and plain objects are encoded element by element. The decoding reads those strings as numbers
 * wherever they stand: no field of a pooling case is a string that could read "NaN" (kinds, layouts and modes
 * are words), so the two directions are inverse on every case the arbitraries produce.
 */

/** Typed arrays a case may hold: Float32Array data, Int32Array indices; the rest for cases written by hand. */
const TYPED_ARRAYS = {
  Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array,
} as const;

type TypedArrayName = keyof typeof TYPED_ARRAYS;

const SPECIAL_NUMBERS: Readonly<Record<string, number>> = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0 };

/** JSON-safe copy of a case: typed arrays to one-key objects, non-finite numbers and −0 to strings. */
export function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    if (Object.is(value, -0)) return '-0';
    return value;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return { [value.constructor.name]: Array.from(value as unknown as ArrayLike<number>, toJsonSafe) };
  }
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSafe(v)]));
  }
  return value;
}

function typedArrayName(value: object): TypedArrayName | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1 || !Object.hasOwn(TYPED_ARRAYS, keys[0]!)) return undefined;
  return Array.isArray((value as Record<string, unknown>)[keys[0]!]) ? keys[0] as TypedArrayName : undefined;
}

/** A typed array's element that is not a number (after decoding): the case cannot be rebuilt. */
export class JsonSafeError extends Error {
  override readonly name = 'JsonSafeError';
  constructor(readonly at: string, readonly value: unknown) {
    super(`${at}: a typed array element must be a number (or "NaN", "Infinity", "-Infinity", "-0"), got ${JSON.stringify(value)}`);
  }
}

/** The inverse of toJsonSafe (after a JSON round trip): the value the property's check takes. */
export function fromJsonSafe(value: unknown, at = 'case'): unknown {
  if (typeof value === 'string') return Object.hasOwn(SPECIAL_NUMBERS, value) ? SPECIAL_NUMBERS[value] : value;
  if (Array.isArray(value)) return value.map((v, i) => fromJsonSafe(v, `${at}[${i}]`));
  if (value && typeof value === 'object') {
    const name = typedArrayName(value);
    if (name) {
      const items = (value as Record<string, unknown[]>)[name]!.map((v, i) => {
        const n = fromJsonSafe(v, `${at}.${name}[${i}]`);
        if (typeof n !== 'number') throw new JsonSafeError(`${at}.${name}[${i}]`, v);
        return n;
      });
      return TYPED_ARRAYS[name].from(items);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromJsonSafe(v, `${at}.${k}`)]));
  }
  return value;
}
