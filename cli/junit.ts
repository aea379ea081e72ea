/**
 * JUnit XML for CI systems: one testsuite per backend, one testcase per property. Every testcase carries its
 * coverage as properties (cases checked, declined, runs, the minimum); a thin one (SPEC.md PROP.THIN) is a failure
 * with `--min-checked`, else a pass that says so in its system-out.
 */
import { coverageStatus } from '../spec/verdicts.js';
import type { BackendOutcome, PropertyOutcome } from '../spec/verifier.js';
import type { CoverageRule } from './coverage.js';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** The testcase's coverage as JUnit properties. */
function coverageProperties(p: PropertyOutcome, rule: CoverageRule | undefined): string {
  const entries: [string, number][] = [['cases', p.cases], ['declined', p.unsupported], ['runs', p.runs], ...(rule ? [['minChecked', rule.minChecked] as [string, number]] : [])];
  return `      <properties>${entries.map(([k, v]) => `<property name="${k}" value="${v}"/>`).join('')}</properties>`;
}

export function toJUnit(outcomes: readonly BackendOutcome[], replay: (backend: string, property: string) => string, rule?: CoverageRule): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const verdict = (p: PropertyOutcome): string => coverageStatus(p, rule?.minChecked);
  const failed = (p: PropertyOutcome): boolean => verdict(p) === 'fail' || (verdict(p) === 'thin' && rule?.thinFails === true);
  const total = outcomes.reduce((n, o) => n + o.properties.length, 0);
  const failures = outcomes.reduce((n, o) => n + o.properties.filter(failed).length, 0);
  lines.push(`<testsuites name="poolspec verify" tests="${total}" failures="${failures}">`);
  for (const o of outcomes) {
    const f = o.properties.filter(failed).length;
    const s = o.properties.filter((p) => p.status === 'unsupported' || p.status === 'n/a').length;
    lines.push(`  <testsuite name="${esc(o.backend)}" tests="${o.properties.length}" failures="${f}" skipped="${s}" time="${(o.ms / 1000).toFixed(3)}">`);
    for (const p of o.properties) {
      const head = `    <testcase classname="poolspec.${esc(o.backend)}" name="${esc(p.id)}: ${esc(p.title)}" time="${(p.ms / 1000).toFixed(3)}"`;
      const props = coverageProperties(p, rule);
      const thin = `thin: ${p.cases} of ${p.runs} cases checked, fewer than the minimum ${rule?.minChecked} (PROP.THIN)`;
      if (verdict(p) === 'pass') {
        lines.push(`${head}>`, props, '    </testcase>');
      } else if (verdict(p) === 'thin') {
        lines.push(`${head}>`, props, rule?.thinFails ? `      <failure message="${esc(thin)}">${esc(thin)}</failure>` : `      <system-out>${esc(thin)}</system-out>`, '    </testcase>');
      } else if (p.status === 'unsupported' || p.status === 'n/a') {
        const why = p.status === 'n/a' ? `n/a: ${p.note ?? p.reasons.join('; ')}` : `unsupported: ${p.reasons.join('; ')}`;
        lines.push(`${head}>`, props, `      <skipped message="${esc(why)}"/>`, '    </testcase>');
      } else {
        const body = [
          p.failure?.message ?? '',
          `clauses: ${p.clauses.join(', ')}`,
          `counterexample: ${JSON.stringify(p.failure?.counterexample)}`,
          `replay: ${replay(o.backend, p.id)}`,
        ].join('\n');
        lines.push(`${head}>`, props, `      <failure message="${esc(p.failure?.message ?? 'failed')}">${esc(body)}</failure>`, '    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
