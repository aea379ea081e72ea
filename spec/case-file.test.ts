/**
 * Case files (spec/CASE-FILE.md): the JSON-safe form survives a JSON round trip exactly (NaN, ±Infinity, −0,
 * typed arrays), generated cases of every property come back as they were drawn, and a file that is not
 * poolspec.case/1 is refused with a CaseFileError naming the field, the rule and the value.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CASE_SCHEMA, CaseFileError, checkCaseFile, decodeCase, encodeCaseFile, parseCaseFile, type CaseFile } from './case-file.js';
import { fromJsonSafe, toJsonSafe } from './json-safe.js';
import { DEFAULT_POLICY } from './policy.js';
import { PROPERTIES } from './properties/index.js';

const roundTrip = (v: unknown): unknown => fromJsonSafe(JSON.parse(JSON.stringify(toJsonSafe(v))));

/** Equality that tells −0 from +0 and NaN from everything but NaN, through arrays, typed arrays and objects. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    return x.length === y.length && Array.from(x).every((v, i) => Object.is(v, y[i]));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => same(v, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined).sort();
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined).sort();
    return ka.join() === kb.join() && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

describe('the JSON-safe form round-trips', () => {
  test('special numbers and typed arrays, where they stand', () => {
    const v = {
      spec: { kind: 'max', kernel: [2], pads: [0, 0], divisorOverride: -0 },
      x: { shape: [1, 1, 6], data: Float32Array.from([NaN, Infinity, -Infinity, -0, 0, 2 ** -149]), layout: 'channels_last' },
      indices: Int32Array.from([-1, 0, 2 ** 31 - 1]),
      tuple: [[NaN, -0], 3],
    };
    const back = roundTrip(v) as typeof v;
    expect(same(back, v)).toBe(true);
    expect(back.x.data).toBeInstanceOf(Float32Array);
    expect(back.indices).toBeInstanceOf(Int32Array);
    expect(Object.is(back.x.data[3], -0)).toBe(true);
    expect(Object.is(back.x.data[4], 0)).toBe(true);
    expect(Number.isNaN((back.tuple[0] as number[])[0])).toBe(true);
    expect(Object.is(back.spec.divisorOverride, -0)).toBe(true);
    // The encoded form is what the files hold.
    expect(toJsonSafe(v.x.data)).toEqual({ Float32Array: ['NaN', 'Infinity', '-Infinity', '-0', 0, 2 ** -149] });
  });

  test('any float32 data', () => {
    fc.assert(fc.property(fc.float32Array(), (data) => same(roundTrip({ data }), { data })), { numRuns: 300 });
  });

  test('a typed array element that does not decode to a number is refused', () => {
    expect(() => fromJsonSafe({ Float32Array: [1, 'x'] })).toThrow(/case\.Float32Array\[1\].*"x"/);
  });

  test('every property\'s generated cases come back as drawn', () => {
    for (const p of PROPERTIES) {
      const values = fc.sample(p.arbitrary, { numRuns: 5, seed: 7 });
      for (const v of values) expect(same(roundTrip(v), v), p.id).toBe(true);
    }
  });
});

const valid: CaseFile = {
  schema: CASE_SCHEMA, property: 'diff.forward.max', clauses: ['MAX.SELECT'], backend: 'naive', ref: 'naive', policy: { ...DEFAULT_POLICY },
  seed: 1, path: '3:0:1', message: 'y[0] = 1, expected 2',
  case: toJsonSafe({ spec: { kind: 'max', kernel: [1], strides: [1], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false }, x: { shape: [1, 1, 1], data: Float32Array.of(-0), layout: 'channels_first' }, profile: 'ties' }),
};

describe('case files (poolspec.case/1)', () => {
  test('encode then parse gives the file back, and the case decodes to typed values', () => {
    const text = encodeCaseFile(valid);
    expect(text.endsWith('\n')).toBe(true);
    const parsed = parseCaseFile(text, 'a.json');
    expect(parsed).toEqual(valid);
    const { property, value } = decodeCase(parsed);
    expect(property.id).toBe('diff.forward.max');
    const data = (value as { x: { data: Float32Array } }).x.data;
    expect(data).toBeInstanceOf(Float32Array);
    expect(Object.is(data[0], -0)).toBe(true);
  });

  test('optional fields may be absent (a hand-written corpus case)', () => {
    const rest: Record<string, unknown> = { ...valid };
    for (const k of ['seed', 'path', 'ref']) delete rest[k];
    expect(checkCaseFile({ ...rest, source: 'a citation' })).toEqual({ ...rest, source: 'a citation' });
  });

  const broken: Array<[string, unknown, string, string, unknown]> = [
    ['not JSON', '{', '(root)', 'CASE.JSON', undefined],
    ['not an object', '[1]', '(root)', 'CASE.OBJECT', [1]],
    ['no schema', JSON.stringify({ ...valid, schema: undefined }), 'schema', 'CASE.SCHEMA', undefined],
    ['another schema', JSON.stringify({ ...valid, schema: 'poolspec.verify/1' }), 'schema', 'CASE.SCHEMA', 'poolspec.verify/1'],
    ['an unknown version', JSON.stringify({ ...valid, schema: 'poolspec.case/2' }), 'schema', 'CASE.VERSION', 'poolspec.case/2'],
    ['an unknown property', JSON.stringify({ ...valid, property: 'diff.forward.median' }), 'property', 'CASE.PROPERTY', 'diff.forward.median'],
    ['a bad policy value', JSON.stringify({ ...valid, policy: { ...DEFAULT_POLICY, maxNan: 'sometimes' } }), 'policy.maxNan', 'CASE.POLICY', 'sometimes'],
    ['a policy key missing', JSON.stringify({ ...valid, policy: { maxNan: 'propagate' } }), 'policy.maxTies', 'CASE.POLICY', undefined],
    ['an unknown policy key', JSON.stringify({ ...valid, policy: { ...DEFAULT_POLICY, rounding: 'up' } }), 'policy.rounding', 'CASE.POLICY', 'up'],
    ['a seed that is not an integer', JSON.stringify({ ...valid, seed: 1.5 }), 'seed', 'CASE.FIELDS', 1.5],
    ['a path that is not a path', JSON.stringify({ ...valid, path: 'a:b' }), 'path', 'CASE.FIELDS', 'a:b'],
    ['no message', JSON.stringify({ ...valid, message: '' }), 'message', 'CASE.FIELDS', ''],
    ['no case', JSON.stringify({ ...valid, case: undefined }), 'case', 'CASE.CASE', undefined],
    ['a case that is a number', JSON.stringify({ ...valid, case: 3 }), 'case', 'CASE.CASE', 3],
    ['an unknown field', JSON.stringify({ ...valid, shrinks: 3 }), 'shrinks', 'CASE.FIELDS', 3],
  ];
  test.each(broken)('%s: a CaseFileError names the field, the rule and the value', (_what, text, field, rule, value) => {
    let err: unknown;
    try { parseCaseFile(text as string, 'bad.json'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(CaseFileError);
    const e = err as CaseFileError;
    expect({ field: e.field, rule: e.rule, file: e.file }).toEqual({ field, rule, file: 'bad.json' });
    if (rule !== 'CASE.JSON') expect(e.value).toEqual(value);
    expect(e.message).toContain(`bad.json: ${field}:`);
    expect(e.message).toContain(`(${rule})`);
  });
});
