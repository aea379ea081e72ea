/**
 * The roll-up of property outcomes into clause and backend verdicts (spec/verdicts.ts, SPEC.md PROP.VERDICT).
 * Every expected verdict below is read off the clause's text in SPEC.md, not computed: fail if a citing
 * property failed; else pass if one passed; else n/a if every citing property is n/a; else unsupported.
 */
import { describe, expect, test } from 'vitest';
import { parseConformance, conformanceMatrix, propertyMatrix } from '../reports/conformance-input.js';
import { allClauses, backendStatus, clauseStatus, coverageStatus, defaultMinChecked, type PropertyStatus } from '../spec/verdicts.js';

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

describe('PROP.THIN: a pass on fewer checked cases than the minimum is thin', () => {
  const p = (status: PropertyStatus, cases: number, ...clauses: string[]) => ({ status, cases, clauses });

  test('coverageStatus: only a pass can be thin; no minimum, or no count, is never thin', () => {
    expect(coverageStatus(p('pass', 49, 'A'), 50)).toBe('thin');
    expect(coverageStatus(p('pass', 50, 'A'), 50)).toBe('pass');
    expect(coverageStatus(p('fail', 3, 'A'), 50)).toBe('fail');
    expect(coverageStatus(p('unsupported', 0, 'A'), 50)).toBe('unsupported');
    expect(coverageStatus(p('n/a', 0, 'A'), 50)).toBe('n/a');
    expect(coverageStatus(p('pass', 1, 'A'), undefined)).toBe('pass');
    expect(coverageStatus({ status: 'pass', clauses: ['A'] }, 50)).toBe('pass');
    expect(defaultMinChecked(200)).toBe(100);
    expect(defaultMinChecked(15)).toBe(8);
  });

  test('clauseStatus: fail > pass (one citing property with enough cases) > thin > n/a/unsupported', () => {
    const b = { properties: [p('pass', 5, 'A', 'B'), p('pass', 150, 'B'), p('fail', 2, 'C', 'A'), p('unsupported', 0, 'D', 'E'), p('pass', 7, 'E')] };
    expect(clauseStatus(b, 'A', 100)).toBe('fail');
    expect(clauseStatus(b, 'B', 100)).toBe('pass');
    expect(clauseStatus(b, 'E', 100)).toBe('thin');
    expect(clauseStatus(b, 'D', 100)).toBe('unsupported');
    // Without a minimum the old rule: a pass on any number of cases.
    expect(clauseStatus(b, 'E')).toBe('pass');
  });

  test('backendStatus: thin between fail and pass, only with a minimum', () => {
    const props = [p('pass', 200, 'A'), p('pass', 10, 'B'), p('unsupported', 0, 'C')];
    expect(backendStatus(props, 100)).toBe('thin');
    expect(backendStatus(props)).toBe('pass');
    expect(backendStatus([...props, p('fail', 1, 'D')], 100)).toBe('fail');
    expect(backendStatus([p('pass', 200, 'A'), p('n/a', 0, 'B')], 100)).toBe('pass');
  });

  test('the report matrix reads cases and runs from a verify file and shows thin cells and counts', () => {
    const m = conformanceMatrix(parseConformance({
      schema: 'poolspec.verify/1', runs: 40, backends: [
        { backend: 'b', status: 'pass', properties: [{ id: 'p1', clauses: ['X'], status: 'pass', cases: 12 }, { id: 'p2', clauses: ['Y'], status: 'pass', cases: 40 }] },
      ],
    }, 'v.json'));
    expect(m.cells.map((row) => row[0]!.status)).toEqual(['thin', 'pass']);
    expect(propertyMatrix(m).cells.map((row) => row[0]!.text)).toEqual(['thin 12', 'pass 40']);
    // A file's own minimum (poolspec verify --min-checked) wins over half its runs.
    const strict = conformanceMatrix(parseConformance({
      schema: 'poolspec.verify/1', runs: 40, minChecked: 40, backends: [{ backend: 'b', properties: [{ id: 'p2', clauses: ['Y'], status: 'pass', cases: 39 }] }],
    }, 'v.json'));
    expect(strict.cells[0]![0]!.status).toBe('thin');
  });
});
