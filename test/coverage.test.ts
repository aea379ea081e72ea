/**
 * Coverage in `poolspec verify`'s outputs (cli/coverage.ts, cli/junit.ts; SPEC.md PROP.THIN): every table cell,
 * JSON property and JUnit testcase carries the cases checked; a thin property is reported apart from a pass, and
 * fails the run only with --min-checked.
 */
import { describe, expect, test } from 'vitest';
import { exitStatus, propertyCell, thinLines, withVerdicts, type CoverageRule } from '../cli/coverage.js';
import { toJUnit } from '../cli/junit.js';
import { DEFAULT_POLICY } from '../spec/policy.js';
import type { BackendOutcome, PropertyOutcome } from '../spec/verifier.js';

function prop(id: string, status: PropertyOutcome['status'], cases: number, extra: Partial<PropertyOutcome> = {}): PropertyOutcome {
  return {
    id, title: id, clauses: ['X'], status, cases, unsupported: 0, reasons: [], unconstrained: 0, seed: 1, runs: 100,
    skipBudget: 1000, budgetSpent: false, ms: 1, ...extra,
  };
}

function backend(...properties: PropertyOutcome[]): BackendOutcome {
  return { backend: 'b', status: 'pass', policy: DEFAULT_POLICY, properties, ms: 1 };
}

const report: CoverageRule = { minChecked: 50, thinFails: false };
const strict: CoverageRule = { minChecked: 50, thinFails: true };

describe('table cells and the thin listing', () => {
  test('cells carry the cases checked; thin is not pass', () => {
    expect(propertyCell(prop('a', 'pass', 100), report)).toBe('pass 100');
    expect(propertyCell(prop('a', 'pass', 49), report)).toBe('THIN 49');
    expect(propertyCell(prop('a', 'fail', 12), report)).toBe('FAIL 12');
    expect(propertyCell(prop('a', 'unsupported', 0), report)).toBe('UNSUPPORTED');
    expect(propertyCell(prop('a', 'n/a', 0), report)).toBe('n/a');
  });

  test('the thin listing says how many, of how many, and whether the skip budget ran out', () => {
    const lines = thinLines([backend(prop('a', 'pass', 100), prop('b', 'pass', 7, { unsupported: 1001, budgetSpent: true }))], report);
    expect(lines).toEqual(['  b · b: 7 of 100 cases checked (minimum 50), 1001 declined; skip budget of 1000 declines spent']);
  });
});

describe('exit status', () => {
  const thin = backend(prop('a', 'pass', 100), prop('b', 'pass', 10));
  test('thin is reported but passes by default; with --min-checked it fails the run', () => {
    expect(exitStatus([thin], report)).toBe(0);
    expect(exitStatus([thin], strict)).toBe(1);
    expect(exitStatus([backend(prop('a', 'pass', 100))], strict)).toBe(0);
    expect(exitStatus([backend(prop('a', 'pass', 100), prop('c', 'fail', 3))], report)).toBe(1);
    expect(exitStatus([backend(prop('a', 'unsupported', 0))], report)).toBe(1);
  });
});

describe('JSON and JUnit carry the counts', () => {
  const o = backend(prop('ok', 'pass', 100), prop('few', 'pass', 10, { unsupported: 40 }), prop('bad', 'fail', 3, { failure: { message: 'y wrong', counterexample: {}, path: '3', shrinks: 2 } }), prop('none', 'n/a', 0, { note: 'no backward' }));

  test('JSON: each property with its verdict and cases, the backend with its verdict under the rule', () => {
    const j = withVerdicts(o, report);
    expect(j.verdict).toBe('fail');
    expect(j.properties.map((p) => [p.id, p.verdict, p.cases])).toEqual([['ok', 'pass', 100], ['few', 'thin', 10], ['bad', 'fail', 3], ['none', 'n/a', 0]]);
    expect(withVerdicts(backend(prop('ok', 'pass', 100), prop('few', 'pass', 10)), report).verdict).toBe('thin');
  });

  function testcase(xml: string, id: string): string {
    const m = new RegExp(`<testcase [^>]*name="${id}: [^"]*"[^>]*>([\\s\\S]*?)</testcase>`).exec(xml);
    if (!m) throw new Error(`no testcase ${id} in\n${xml}`);
    return m[1]!;
  }

  test('JUnit: every testcase has its cases, declines, runs and minimum; thin is a system-out note, or a failure with --min-checked', () => {
    const xml = toJUnit([o], () => 'replay', report);
    expect(testcase(xml, 'ok')).toContain('<property name="cases" value="100"/><property name="declined" value="0"/><property name="runs" value="100"/><property name="minChecked" value="50"/>');
    expect(testcase(xml, 'few')).toContain('<property name="cases" value="10"/><property name="declined" value="40"/>');
    expect(testcase(xml, 'few')).toContain('<system-out>thin: 10 of 100 cases checked');
    expect(testcase(xml, 'few')).not.toContain('<failure');
    expect(testcase(xml, 'bad')).toContain('<failure message="y wrong">');
    expect(testcase(xml, 'none')).toContain('<skipped message="n/a: no backward"/>');
    expect(xml).toContain('<testsuites name="poolspec verify" tests="4" failures="1">');

    const strictXml = toJUnit([o], () => 'replay', strict);
    expect(testcase(strictXml, 'few')).toContain('<failure message="thin: 10 of 100 cases checked');
    expect(strictXml).toContain('<testsuites name="poolspec verify" tests="4" failures="2">');
  });
});
