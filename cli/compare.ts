/**
 * `poolspec compare BASE.json NEW.json`: per backend × workload, is NEW slower than BASE beyond noise?
 * Method in bench/compare.ts (bootstrap CI of the ratio of medians; a regression is a lower bound above
 * 1 + threshold). Exit 0: no significant regression; 1: a regression, or a task that completed in BASE errored
 * in NEW; 2: bad usage or a file that is not poolspec bench results.
 */
import { parseArgs } from 'node:util';
import { COMPARE_DEFAULTS, compareResults, type Comparison, type ComparisonRow } from '../bench/compare.js';
import { fmtMs } from '../bench/summary.js';
import { writeFileAtomic } from './atomic.js';
import { readBenchFile } from './read-bench.js';
import { renderTable } from './table.js';
import { UsageError } from './usage.js';

export const COMPARE_HELP = `Usage: poolspec compare BASE.json NEW.json [options]

Compares two poolspec bench results files (schema poolspec.bench/2; /1 files are read too) backend × workload
× scope (the whole call, the whole call into reused outputs, the op alone; never one scope against another).
For each pair it
computes median(NEW) / median(BASE) and a bootstrap confidence interval from the stored samples; a pair is a
regression when the whole interval lies above 1 + threshold.

Options:
  --threshold PCT    slowdown tolerated beyond noise, percent (default ${COMPARE_DEFAULTS.thresholdPercent})
  --confidence C     confidence level of the interval, 0.5–0.999 (default ${COMPARE_DEFAULTS.confidence})
  --resamples N      bootstrap resamples (default ${COMPARE_DEFAULTS.resamples})
  --seed S           bootstrap seed (default ${COMPARE_DEFAULTS.seed}; the result is reproducible)
  --filter LIST      only workloads matching these patterns (as in poolspec bench)
  --all              print every row (default: rows that changed, plus a count of the unchanged)
  --json FILE        write the comparison as JSON (schema poolspec.compare/1)
  -h, --help         this text

Verdicts: regression (CI above 1 + threshold) · slower (CI above 1, within the threshold) · unchanged ·
faster (CI below 1) · improvement (CI below 1/(1 + threshold)) · errored (completed in BASE, errored in NEW) ·
not-compared (missing, unsupported, too few samples, or the workload changed).

Exit status: 0 no significant regression, 1 a regression or a newly erroring task, 2 bad usage or a file that
is not poolspec bench results.`;

export const COMPARE_SCHEMA = 'poolspec.compare/1';

function number(flag: string, v: string | undefined, fallback: number, ok: (n: number) => boolean, want: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`${flag} must be ${want}, got "${v}"`);
  return n;
}

const MARK: Record<ComparisonRow['verdict'], string> = {
  regression: 'REGRESSION', slower: 'slower (within threshold)', unchanged: 'unchanged', faster: 'faster',
  improvement: 'improvement', errored: 'ERRORED', 'not-compared': 'not compared',
};

export function renderComparison(c: Comparison, all: boolean): string {
  const shown = all ? c.rows : c.rows.filter((r) => r.verdict !== 'unchanged');
  const pct = Math.round(c.confidence * 100);
  const table = renderTable(['workload', 'backend', 'scope', 'BASE ms', 'NEW ms', 'NEW/BASE', `${pct}% CI`, 'verdict'], shown.map((r) => [
    r.workload, r.backend, r.scope,
    r.baseMedianMs === undefined ? '' : fmtMs(r.baseMedianMs),
    r.newMedianMs === undefined ? '' : fmtMs(r.newMedianMs),
    r.ratio === undefined ? '' : r.ratio.toFixed(3),
    r.lo === undefined || r.hi === undefined ? '' : `[${r.lo.toFixed(3)}, ${r.hi.toFixed(3)}]`,
    MARK[r.verdict] + (r.note ? ` — ${r.note}` : ''),
  ]));
  const counts = new Map<string, number>();
  for (const r of c.rows) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const summary = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  const hidden = c.rows.length - shown.length;
  return [
    shown.length ? table : '(no row changed)',
    hidden ? `(${hidden} unchanged row(s) not shown; --all shows them)` : '',
    `\n${c.rows.length} pairs: ${summary}. Threshold ${c.thresholdPercent}%, ${pct}% bootstrap CI of the ratio of medians (${c.resamples} resamples, seed ${c.seed}).`,
    c.failing ? `FAIL: ${c.failing} significant regression(s) or newly erroring task(s).` : 'OK: no significant regression.',
  ].filter(Boolean).join('\n');
}

export async function compareCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      threshold: { type: 'string' },
      confidence: { type: 'string' },
      resamples: { type: 'string' },
      seed: { type: 'string' },
      filter: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) { console.log(COMPARE_HELP); return 0; }
  if (positionals.length !== 2) throw new UsageError(`expected two files, BASE.json and NEW.json; got ${positionals.length}`);
  const thresholdPercent = number('--threshold', values.threshold, COMPARE_DEFAULTS.thresholdPercent, (n) => n >= 0, 'a percentage ≥ 0');
  const confidence = number('--confidence', values.confidence, COMPARE_DEFAULTS.confidence, (n) => n >= 0.5 && n <= 0.999, 'between 0.5 and 0.999');
  const resamples = number('--resamples', values.resamples, COMPARE_DEFAULTS.resamples, (n) => Number.isInteger(n) && n >= 100 && n <= 1e6, 'an integer from 100 to 1000000');
  const seed = number('--seed', values.seed, COMPARE_DEFAULTS.seed, Number.isInteger, 'an integer');
  const filter = (values.filter ?? []).flatMap((f) => f.split(',').map((s) => s.trim()).filter(Boolean));
  const base = readBenchFile(positionals[0]!, 'BASE');
  const next = readBenchFile(positionals[1]!, 'NEW');

  const c = compareResults(base, next, { thresholdPercent, confidence, resamples, seed, filter });
  for (const w of c.warnings) console.error(`poolspec compare: warning: ${w}`);
  console.log(`BASE ${positionals[0]} (${base.date}, ${base.environment.git.commit?.slice(0, 10) ?? 'no commit'})`);
  console.log(`NEW  ${positionals[1]} (${next.date}, ${next.environment.git.commit?.slice(0, 10) ?? 'no commit'})\n`);
  for (const [what, r] of [['BASE', base], ['NEW', next]] as const) {
    if (r.upgradedFrom) console.error(`poolspec compare: ${what} is a ${r.upgradedFrom} file: its rows are read as scope call (whole call) or op (prepared / resident)`);
  }
  console.log(renderComparison(c, values.all ?? false));
  if (values.json) {
    writeFileAtomic(values.json, `${JSON.stringify({ schema: COMPARE_SCHEMA, base: positionals[0], new: positionals[1], ...c }, null, 2)}\n`);
  }
  return c.failing > 0 ? 1 : 0;
}
