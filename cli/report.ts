/**
 * `poolspec report`: a Markdown report and a static HTML page from bench results (poolspec.bench/2, or /1) and
 * conformance results (poolspec.verify/1 files, arrays of them, the ecosystem file). Charts are Vega-Lite
 * rendered to SVG in Node. `poolspec report --ecosystem` instead runs the verifier on the peer libraries and
 * writes the ecosystem matrix (reports/ecosystem.ts). Exit 0: written; 2: bad usage or an input file that is not
 * what it should be.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConformanceInputError, readConformanceFile, type ConformanceSource } from '../reports/conformance-input.js';
import { ECOSYSTEM_DEFAULT_RUNS, ECOSYSTEM_DEFAULT_SEED, ecosystemRows, runEcosystem } from '../reports/ecosystem.js';
import { renderEcosystemMarkdown } from '../reports/ecosystem-markdown.js';
import { writeFileAtomic } from './atomic.js';
import { readBenchFile } from './read-bench.js';
import { UsageError } from './usage.js';

/** The ecosystem file a report includes by default: where `npm run report:ecosystem` writes it in a checkout. */
export const DEFAULT_ECOSYSTEM = 'reports/results/ecosystem.json';

export const REPORT_HELP = `Usage: poolspec report [--bench FILE] [--verify FILE]… [options]
       poolspec report --ecosystem [--runs N] [--seed S] [--backend NAME]… [--out DIR]

Writes a Markdown report and a static HTML page: machine and bandwidth, charts (time per backend × workload,
speed-up over naive, fraction of bandwidth, scaling curves), the results tables, and the conformance matrix
(clause × backend, with each failure's counterexample).

Options:
  --bench FILE       bench results (poolspec bench --out FILE)
  --verify FILE      conformance results: poolspec verify --json output, a JSON array of such objects, or the
                     ecosystem file; repeatable
  --ecosystem-file FILE
                     the ecosystem conformance file (default ${DEFAULT_ECOSYSTEM}, included when it
                     exists); "none" leaves it out
  --out DIR          output directory (default poolspec-report)
  --name NAME        file names: NAME.md, NAME.html, NAME-charts/*.svg (default report)
  --title TEXT       the report's title (default "poolspec report")
  -h, --help         this text

With --ecosystem: runs the verifier on the peer libraries (tfjs-cpu, tfjs-wasm, onnxruntime and their
index-returning variants, under their documented policies) with naive as the reference, and writes
DIR/ecosystem.json (schema poolspec.ecosystem/1) and DIR/ecosystem.md (clause × backend and property × backend
matrices, every deviation with its minimal counterexample, replay command and reading). A peer that is not
installed gets a row that says so.
  --runs N           cases per property (default ${ECOSYSTEM_DEFAULT_RUNS})
  --seed S           fast-check seed (default ${ECOSYSTEM_DEFAULT_SEED}, so that reruns find the same cases)
  --backend NAME     run only this row (naive, a peer, or a variant such as tfjs-cpu+argmax); repeatable

Exit status: 0 written, 2 bad usage or an input file that is not bench or conformance results.`;

function readConformance(file: string): ConformanceSource[] {
  try {
    return readConformanceFile(file);
  } catch (e) {
    if (e instanceof ConformanceInputError) throw new UsageError(e.message);
    throw e;
  }
}

function positiveInt(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

function seedOf(v: string | undefined): number {
  if (v === undefined) return ECOSYSTEM_DEFAULT_SEED;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`--seed must be an integer, got "${v}"`);
  return n;
}

/** `poolspec report --ecosystem`: the ecosystem matrix, written as DIR/ecosystem.json and DIR/ecosystem.md. */
async function ecosystemReport(values: { runs?: string; seed?: string; backend?: string[]; out?: string }): Promise<number> {
  const known = ecosystemRows().map((r) => r.name);
  const unknown = (values.backend ?? []).filter((b) => !known.includes(b));
  if (unknown.length) throw new UsageError(`--backend ${unknown.join(', ')}: not an ecosystem row; known: ${known.join(', ')}`);
  const results = await runEcosystem({
    runs: positiveInt('--runs', values.runs, ECOSYSTEM_DEFAULT_RUNS),
    seed: seedOf(values.seed),
    ...(values.backend ? { rows: values.backend } : {}),
    log: (line) => console.error(line),
  });
  const outDir = values.out ?? 'poolspec-report';
  writeFileAtomic(join(outDir, 'ecosystem.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(join(outDir, 'ecosystem.md'), renderEcosystemMarkdown(results));
  const failing = results.backends.reduce((n, b) => n + b.properties.filter((p) => p.status === 'fail').length, 0);
  console.error(`poolspec report: wrote ${join(outDir, 'ecosystem.json')} and ${join(outDir, 'ecosystem.md')}: ${failing} failing property runs`);
  return 0;
}

export async function reportCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      bench: { type: 'string' },
      verify: { type: 'string', multiple: true },
      'ecosystem-file': { type: 'string' },
      ecosystem: { type: 'boolean' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string', multiple: true },
      out: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) { console.log(REPORT_HELP); return 0; }
  const reportOnly = (['bench', 'verify', 'ecosystem-file', 'name', 'title'] as const).filter((k) => values[k] !== undefined);
  const ecosystemOnly = (['runs', 'seed', 'backend'] as const).filter((k) => values[k] !== undefined);
  if (values.ecosystem) {
    if (reportOnly.length) throw new UsageError(`--ecosystem runs the ecosystem matrix; ${reportOnly.map((k) => `--${k}`).join(', ')} belong to the report`);
    return ecosystemReport(values);
  }
  if (ecosystemOnly.length) throw new UsageError(`${ecosystemOnly.map((k) => `--${k}`).join(', ')} need --ecosystem`);
  const name = values.name ?? 'report';
  if (!/^[\w.-]+$/.test(name)) throw new UsageError(`--name must be a plain file name (letters, digits, . _ -), got "${name}"`);
  const outDir = values.out ?? 'poolspec-report';

  const bench = values.bench !== undefined ? readBenchFile(values.bench, '--bench') : undefined;
  const conformance = (values.verify ?? []).flatMap(readConformance);
  const eco = values['ecosystem-file'] ?? DEFAULT_ECOSYSTEM;
  if (eco !== 'none') {
    if (existsSync(eco)) {
      conformance.push(...readConformance(eco));
      console.error(`poolspec report: including the ecosystem conformance file ${eco}`);
    } else if (values['ecosystem-file'] !== undefined) {
      throw new UsageError(`--ecosystem-file ${eco}: no such file`);
    }
  }
  if (!bench && conformance.length === 0) throw new UsageError('nothing to report: give --bench FILE and/or --verify FILE');

  const chartsDir = `${name}-charts`;
  // Loaded here, not at the top: vega and vega-lite are only needed by this command.
  const { buildReport } = await import('../reports/build.js');
  const report = await buildReport({
    ...(bench ? { bench, benchFile: values.bench! } : {}),
    ...(conformance.length ? { conformance } : {}),
    chartsDir,
    ...(values.title ? { title: values.title } : {}),
  });
  for (const c of report.charts) writeFileAtomic(join(outDir, chartsDir, `${c.name}.svg`), `${c.svg}\n`);
  // NAME-charts/ belongs to this report: a chart an earlier run made and this one did not (another scope set, no
  // sweeps) would otherwise sit there as if current.
  const current = new Set(report.charts.map((c) => `${c.name}.svg`));
  const stale = existsSync(join(outDir, chartsDir)) ? readdirSync(join(outDir, chartsDir)).filter((f) => f.endsWith('.svg') && !current.has(f)) : [];
  for (const f of stale) rmSync(join(outDir, chartsDir, f));
  writeFileAtomic(join(outDir, `${name}.md`), report.markdown);
  writeFileAtomic(join(outDir, `${name}.html`), report.html);
  console.error(`poolspec report: wrote ${join(outDir, `${name}.md`)}, ${join(outDir, `${name}.html`)} and ${report.charts.length} chart(s) in ${join(outDir, chartsDir)}/`);
  return 0;
}
