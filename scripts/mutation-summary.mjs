/**
 * The per-file table of reports/mutation/summary.md, from Stryker's JSON report(s) (mutation-testing-report-schema):
 *
 *   node scripts/mutation-summary.mjs [REPORT.json ...]            prints the table (default: reports/mutation/mutation.json)
 *   node scripts/mutation-summary.mjs --survivors [REPORT.json ...] prints every mutant that was not killed
 *   node scripts/mutation-summary.mjs --merge OUT.json REPORT.json ...
 *                                                                   joins reports of runs over disjoint files (or line
 *                                                                   ranges of one file) into one, usable as Stryker's
 *                                                                   incremental file
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
  // Test ids are unique within one report only ("0", "1", … in each run): renumber them across the reports, one id
  // per test file and test name, and rewrite each mutant's killedBy/coveredBy to match.
  const testIds = new Map();
  for (const r of reports) {
    const rename = new Map();
    for (const [name, tf] of Object.entries(r.testFiles ?? {})) {
      const known = testFiles[name]?.tests ?? [];
      const tests = [...known];
      for (const t of tf.tests) {
        const key = `${name}\u0000${t.name}`;
        let id = testIds.get(key);
        if (id === undefined) {
          id = `${testIds.size}`;
          testIds.set(key, id);
          tests.push({ ...t, id });
        }
        rename.set(t.id, id);
      }
      // The later run's source of a test file is the newer one.
      testFiles[name] = { ...tf, tests };
    }
    const ids = (list) => list?.map((id) => rename.get(id) ?? id);
    for (const [name, f] of Object.entries(r.files)) {
      const mutants = f.mutants.map((m) => ({ ...m, killedBy: ids(m.killedBy), coveredBy: ids(m.coveredBy) }));
      const prev = files[name];
      // Runs over line ranges of one file (`--mutate 'file:1-73'`) each report part of its mutants: join them.
      // A report of a different source (the file changed since) replaces the older one.
      files[name] = prev && prev.source === f.source ? { ...prev, mutants: joinMutants(prev.mutants, mutants) } : { ...f, mutants };
    }
  }
  return { base: reports[0], files, testFiles };
}

/** Mutants of two reports of one source: the later report's result wins where both tested the same mutant. */
function joinMutants(a, b) {
  const key = (m) => `${m.mutatorName} ${JSON.stringify(m.replacement)} ${JSON.stringify(m.location)}`;
  const byKey = new Map(a.map((m) => [key(m), m]));
  for (const m of b) byKey.set(key(m), m);
  // Stryker's incremental reader wants unique ids within a file.
  return [...byKey.values()].map((m, i) => ({ ...m, id: `${i}` }));
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
