/**
 * The per-file table of reports/mutation/summary.md, from Stryker's JSON report(s) (mutation-testing-report-schema):
 *
 *   node scripts/mutation-summary.mjs [REPORT.json ...]            prints the table (default: reports/mutation/mutation.json)
 *   node scripts/mutation-summary.mjs --survivors [REPORT.json ...] prints every mutant that was not killed
 *   node scripts/mutation-summary.mjs --merge OUT.json REPORT.json ...
 *                                                                   joins reports of runs over disjoint files into one,
 *                                                                   usable as Stryker's incremental file
 *
 * Score as Stryker computes it: (killed + timeout) / (killed + timeout + survived + no coverage); mutants Stryker
 * ignored or that did not compile are outside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const DEFAULT_REPORT = 'reports/mutation/mutation.json';

function load(paths) {
  const reports = (paths.length ? paths : [DEFAULT_REPORT]).map((p) => JSON.parse(readFileSync(p, 'utf8')));
  const files = {};
  const testFiles = {};
  for (const r of reports) {
    Object.assign(files, r.files);
    Object.assign(testFiles, r.testFiles ?? {});
  }
  return { base: reports[0], files, testFiles };
}

function count(mutants) {
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed') c.killed++;
    else if (m.status === 'Timeout') c.timeout++;
    else if (m.status === 'Survived') c.survived++;
    else if (m.status === 'NoCoverage') c.noCoverage++;
    else c.other++;
  }
  const scored = c.killed + c.timeout + c.survived + c.noCoverage;
  return { ...c, total: mutants.length, score: scored ? (100 * (c.killed + c.timeout)) / scored : NaN };
}

function row(name, c) {
  return `| ${name} | ${c.total} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.other} | ${c.score.toFixed(2)} % |`;
}

const args = process.argv.slice(2);
if (args[0] === '--merge') {
  const [out, ...inputs] = args.slice(1);
  const { base, files, testFiles } = load(inputs);
  writeFileSync(out, JSON.stringify({ ...base, files, testFiles }));
} else if (args[0] === '--survivors') {
  const { files } = load(args.slice(1));
  for (const [file, f] of Object.entries(files).sort()) {
    const lines = f.source.split('\n');
    for (const m of f.mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') continue;
      const { line, column } = m.location.start;
      console.log(`${file}:${line}:${column} ${m.status} ${m.mutatorName} → ${JSON.stringify(m.replacement)}\n    ${lines[line - 1].trim()}`);
    }
  }
} else {
  const { files } = load(args);
  console.log('| file | mutants | killed | timeout | survived | no coverage | not scored | score |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const all = [];
  for (const [file, f] of Object.entries(files).sort()) {
    all.push(...f.mutants);
    console.log(row(file, count(f.mutants)));
  }
  console.log(row('**all**', count(all)));
}
