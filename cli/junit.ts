/** JUnit XML for CI systems: one testsuite per backend, one testcase per property. */
import type { BackendOutcome } from '../spec/verifier.js';

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters.
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function toJUnit(outcomes: readonly BackendOutcome[], replay: (backend: string, property: string) => string): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = outcomes.reduce((n, o) => n + o.properties.length, 0);
  const failures = outcomes.reduce((n, o) => n + o.properties.filter((p) => p.status === 'fail').length, 0);
  lines.push(`<testsuites name="poolspec verify" tests="${total}" failures="${failures}">`);
  for (const o of outcomes) {
    const f = o.properties.filter((p) => p.status === 'fail').length;
    const s = o.properties.filter((p) => p.status === 'unsupported').length;
    lines.push(`  <testsuite name="${esc(o.backend)}" tests="${o.properties.length}" failures="${f}" skipped="${s}" time="${(o.ms / 1000).toFixed(3)}">`);
    for (const p of o.properties) {
      const head = `    <testcase classname="poolspec.${esc(o.backend)}" name="${esc(p.id)}: ${esc(p.title)}" time="${(p.ms / 1000).toFixed(3)}"`;
      if (p.status === 'pass') {
        lines.push(`${head}/>`);
      } else if (p.status === 'unsupported') {
        lines.push(`${head}>`, `      <skipped message="${esc(`unsupported: ${p.reasons.join('; ')}`)}"/>`, '    </testcase>');
      } else {
        const body = [
          p.failure?.message ?? '',
          `clauses: ${p.clauses.join(', ')}`,
          `counterexample: ${JSON.stringify(p.failure?.counterexample)}`,
          `replay: ${replay(o.backend, p.id)}`,
        ].join('\n');
        lines.push(`${head}>`, `      <failure message="${esc(p.failure?.message ?? 'failed')}">${esc(body)}</failure>`, '    </testcase>');
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}
