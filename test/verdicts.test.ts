/**
 * The roll-up of property outcomes into clause and backend verdicts (spec/verdicts.ts, SPEC.md PROP.VERDICT).
 * Every expected verdict below is read off the clause's text in SPEC.md, not computed: fail if a citing
 * property failed; else pass if one passed; else n/a if every citing property is n/a; else unsupported.
 */
import { describe, expect, test } from 'vitest';
import { parseConformance, conformanceMatrix } from '../reports/conformance-input.js';
import { allClauses, backendStatus, clauseStatus, type PropertyStatus } from '../spec/verdicts.js';

function backend(...properties: [PropertyStatus, ...string[]][]): { properties: { status: PropertyStatus; clauses: string[] }[] } {
  return { properties: properties.map(([status, ...clauses]) => ({ status, clauses })) };
}

describe('clauseStatus (PROP.VERDICT)', () => {
  test('each verdict, from the properties that cite the clause', () => {
    const b = backend(
      ['pass', 'A', 'B'],
      ['fail', 'B', 'C'],
      ['unsupported', 'D', 'E'],
      ['n/a', 'E', 'F'],
      ['unsupported', 'G'],
      ['pass', 'G'],
    );
    expect(clauseStatus(b, 'A')).toBe('pass');
    expect(clauseStatus(b, 'B')).toBe('fail'); // a failure outweighs a pass
    expect(clauseStatus(b, 'C')).toBe('fail');
    expect(clauseStatus(b, 'D')).toBe('unsupported');
    expect(clauseStatus(b, 'F')).toBe('n/a');
    expect(clauseStatus(b, 'G')).toBe('pass'); // one property checked it; the other's declines do not undo that
    expect(clauseStatus(b, 'Z')).toBeUndefined(); // no property cites it
  });

  test('n/a only when every citing property is n/a', () => {
    // One property does not apply, another checked cases and passed: the clause was checked.
    expect(clauseStatus(backend(['n/a', 'GRAD.MAX'], ['pass', 'GRAD.MAX']), 'GRAD.MAX')).toBe('pass');
    expect(clauseStatus(backend(['n/a', 'GRAD.MAX'], ['fail', 'GRAD.MAX']), 'GRAD.MAX')).toBe('fail');
    // One does not apply, another applies and was declined: the clause applies and went unchecked.
    expect(clauseStatus(backend(['n/a', 'ACC.RANGE'], ['unsupported', 'ACC.RANGE']), 'ACC.RANGE')).toBe('unsupported');
    expect(clauseStatus(backend(['unsupported', 'ACC.RANGE'], ['n/a', 'ACC.RANGE']), 'ACC.RANGE')).toBe('unsupported');
    // None applies.
    expect(clauseStatus(backend(['n/a', 'GRAD.FD'], ['n/a', 'GRAD.FD', 'GRAD.ADJOINT']), 'GRAD.FD')).toBe('n/a');
  });

  test('backendStatus: fail > pass > unsupported; declining everything is not passing', () => {
    expect(backendStatus(backend(['pass', 'A'], ['fail', 'B']).properties)).toBe('fail');
    expect(backendStatus(backend(['pass', 'A'], ['unsupported', 'B'], ['n/a', 'C']).properties)).toBe('pass');
    expect(backendStatus(backend(['unsupported', 'A'], ['n/a', 'B']).properties)).toBe('unsupported');
    expect(backendStatus(backend(['n/a', 'A']).properties)).toBe('unsupported');
    expect(backendStatus([])).toBe('unsupported');
  });

  test('allClauses: every cited clause once, sorted', () => {
    expect(allClauses([backend(['pass', 'MAX.PAD', 'SHAPE.OUT']), backend(['fail', 'AVG.DEF', 'MAX.PAD'])])).toEqual(['AVG.DEF', 'MAX.PAD', 'SHAPE.OUT']);
  });

  test('the report matrix applies the same rule to an ecosystem file, and marks unloaded backends unavailable', () => {
    const props = [
      { id: 'p1', clauses: ['X'], status: 'n/a' },
      { id: 'p2', clauses: ['X', 'Y'], status: 'unsupported' },
      { id: 'p3', clauses: ['Z'], status: 'n/a' },
    ];
    const m = conformanceMatrix(parseConformance({
      schema: 'poolspec.ecosystem/1', backends: [
        { name: 'lib', available: true, properties: props },
        { name: 'gone', available: false, error: 'not installed', properties: [] },
      ],
    }, 'eco.json'));
    expect(m.clauses).toEqual(['X', 'Y', 'Z']);
    expect(m.cells.map((row) => row.map((c) => c.status))).toEqual([
      ['unsupported', 'unavailable'], // X: n/a and declined
      ['unsupported', 'unavailable'],
      ['n/a', 'unavailable'],
    ]);
    expect(m.backends.map((b) => b.status)).toEqual(['unsupported', 'unavailable']);
  });
});
