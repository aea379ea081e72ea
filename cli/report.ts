/**
 * `poolspec report`: a Markdown report and a static HTML page from bench results (poolspec.bench/1) and
 * conformance results (poolspec.verify/1 files, arrays of them, the ecosystem file). Charts are Vega-Lite
 * rendered to SVG in Node. Exit 0: written; 2: bad usage or an input file that is not what it should be.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConformanceInputError, readConformanceFile, type ConformanceSource } from '../reports/conformance-input.js';
import { writeFileAtomic } from './atomic.js';
import { readBenchFile } from './read-bench.js';
import { UsageError } from './usage.js';

export const DEFAULT_ECOSYSTEM = 'reports/results/ecosystem.json';

export const REPORT_HELP = `Usage: poolspec report [--bench FILE] [--verify FILE]… [options]

Writes a Markdown report and a static HTML page: machine and bandwidth, charts (time per backend × workload,
speed-up over naive, fraction of bandwidth, scaling curves), the results tables, and the conformance matrix
(clause × backend, with each failure's counterexample).

Options:
  --bench FILE       bench results (poolspec bench --out FILE)
  --verify FILE      conformance results: poolspec verify --json output, a JSON array of such objects, or the
                     ecosystem file; repeatable
  --ecosystem FILE   the ecosystem conformance file (default ${DEFAULT_ECOSYSTEM}, included when it
                     exists); "none" leaves it out
  --out DIR          output directory (default poolspec-report)
  --name NAME        file names: NAME.md, NAME.html, NAME-charts/*.svg (default report)
  --title TEXT       the report's title (default "poolspec report")
  -h, --help         this text

Exit status: 0 written, 2 bad usage or an input file that is not bench or conformance results.`;

function readConformance(file: string): ConformanceSource[] {
  try {
    return readConformanceFile(file);
  } catch (e) {
    if (e instanceof ConformanceInputError) throw new UsageError(e.message);
    throw e;
  }
}

export async function reportCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      bench: { type: 'string' },
      verify: { type: 'string', multiple: true },
      ecosystem: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) { console.log(REPORT_HELP); return 0; }
  const name = values.name ?? 'report';
  if (!/^[\w.-]+$/.test(name)) throw new UsageError(`--name must be a plain file name (letters, digits, . _ -), got "${name}"`);
  const outDir = values.out ?? 'poolspec-report';

  const bench = values.bench !== undefined ? readBenchFile(values.bench, '--bench') : undefined;
  const conformance = (values.verify ?? []).flatMap(readConformance);
  const eco = values.ecosystem ?? DEFAULT_ECOSYSTEM;
  if (eco !== 'none') {
    if (existsSync(eco)) {
      conformance.push(...readConformance(eco));
      console.error(`poolspec report: including the ecosystem conformance file ${eco}`);
    } else if (values.ecosystem !== undefined) {
      throw new UsageError(`--ecosystem ${eco}: no such file`);
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
  writeFileAtomic(join(outDir, `${name}.md`), report.markdown);
  writeFileAtomic(join(outDir, `${name}.html`), report.html);
  console.error(`poolspec report: wrote ${join(outDir, `${name}.md`)}, ${join(outDir, `${name}.html`)} and ${report.charts.length} chart(s) in ${join(outDir, chartsDir)}/`);
  return 0;
}
