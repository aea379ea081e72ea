/**
 * `poolspec bench`: times every backend × workload (bench/runner.ts), prints the results, and writes them as JSON
 * (schema poolspec.bench/2, bench/SCHEMA.md) for `poolspec compare` and `poolspec report`.
 * Exit 0: every supported task completed; 1: a backend errored on a workload; 2: bad usage or a backend that
 * cannot load.
 */
import { parseArgs } from 'node:util';
import { BUILTIN_BACKENDS, OWN_BACKENDS } from '../kernels/registry.js';
import { defaultSettings, runBench, selectWorkloads, type BenchProgress, type RunnerBackend } from '../bench/runner.js';
import { SCOPES, serializeBenchResults, type BenchResults, type BenchSettings, type Scope } from '../bench/schema.js';
import type { MachineBandwidth } from '../bench/probes.js';
import {
  SCOPE_NAMES, SCOPE_TITLES, backwardOverForwardTable, completed, copyReference, flagMark, fmtBytes, fmtMs, fmtNum, fmtPct, inScope, relativeToFastest, scalingSeries, scopesIn,
  speedupOverNaive,
} from '../bench/summary.js';
import { ALL_WORKLOADS, workloadBytes } from '../bench/workloads.js';
import { writeFileAtomic } from './atomic.js';
import { BackendLoadError, loadBackend } from './load-backend.js';
import { renderTable } from './table.js';
import { RESEARCH_HEADER, researchRows, runResearchBench, selectResearchWorkloads } from '../bench/research.js';
import { UsageError } from './usage.js';

export const BENCH_HELP = `Usage: poolspec bench [options]

Times pooling backends on workloads named after real network layers (bench/workloads.ts) and on two scaling
sweeps, with tinybench; measures the machine's copy and read bandwidth in the same run.

Options:
  --backends LIST   comma-separated built-in names (${BUILTIN_BACKENDS.map((b) => b.name).join(', ')}) or module
                    paths (default: poolspec's own backends, ${OWN_BACKENDS.map((b) => b.name).join(', ')})
  --peers           add the peer libraries (${BUILTIN_BACKENDS.filter((b) => b.peer).map((b) => b.name).join(', ')}); one whose
                    optional package is missing is skipped with a note
  --filter LIST     comma-separated workload patterns: a substring, a glob with *, or !pattern to exclude
                    (e.g. --filter 'vgg16-*,!*-bwd*'); see --list
  --quick           the CI smoke run: a small subset, short time budgets (a few minutes at most)
  --scopes LIST     what to time, comma-separated (default all): call (the whole forward()/backward(), fresh
                    outputs), call-reused (the whole call through plan() into reused outputs, for backends
                    with plan()), op (the op alone on resident data: resident() or a peer's prepare())
  --out FILE        write the results as JSON (schema poolspec.bench/2), atomically
  --time MS         time budget per task (default 1000, quick 150)
  --min-samples N   minimum samples per task (default 10, quick 8)
  --rounds N        interleave: per workload and scope, sample every backend in N rounds in turn, each with
                    1/N of the time budget (default 5, quick 1), so that a disturbance from the rest of the
                    machine falls on every backend's samples alike; 1 times each backend in one piece
  --unpaired        sample each workload on its own; by default a backward workload and the forward of the same
                    case (spec, shape, layout) share their rounds, so that backward ÷ forward compares samples
                    taken at the same time
  --list            list the workloads (with --quick / --filter: the selected ones), then exit
  --research        the research kinds' workloads instead (gem, softpool, lse, median, mixed, stochastic,
                    stats; SPEC.md §11) through the backends' reducers/statistics members, whole calls only;
                    a backend without a kind gets an unsupported row with the reason. --out writes
                    poolspec.bench-research/1 JSON
  -h, --help        this text

Progress goes to stderr, the tables to stdout, one table per scope: rows are compared only within a scope.
A row flagged bimodal or wide has a median that is not one typical call (bench/README.md, "Flags"). Timings
vary from run to run; compare two results files with poolspec compare BASE.json NEW.json.

Exit status: 0 every supported task completed, 1 a backend errored on a workload, 2 bad usage or a backend
that could not load.`;

function positive(flag: string, v: string | undefined, int: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) throw new UsageError(`${flag} must be a positive ${int ? 'integer' : 'number'}, got "${v}"`);
  return n;
}

function splitList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function progressLine(e: BenchProgress): string | undefined {
  switch (e.type) {
    case 'probe-start':
      return `poolspec bench: probing memory bandwidth (${fmtBytes(e.bufferBytes)} buffers) …`;
    case 'probe-done':
      return `  copy ${e.machine.copy.medianGBps.toFixed(1)} GB/s (${e.machine.copy.method}), read ${e.machine.read.medianGBps.toFixed(1)} GB/s (${e.machine.read.method})${firstTouchText(e.machine, '; ')}`;
    case 'device-probe-done':
      return 'error' in e.copy
        ? `  ${e.backend} device copy: not measured (${e.copy.error})`
        : `  ${e.backend} device copy ${e.copy.medianGBps.toFixed(1)} GB/s (${e.copy.method}, ${fmtBytes(e.copy.bufferBytes)} buffers): its rows' % copy are against it`;
    case 'task-start':
      return undefined;
    case 'task-done': {
      const r = e.result;
      const n = String(e.total).length;
      const head = `  [${String(e.index + 1).padStart(n)}/${e.total}] ${r.workload} · ${r.backend} · ${r.scope}`;
      if (r.state === 'unsupported') return `${head}  unsupported: ${r.reason}`;
      if (r.state === 'errored') return `${head}  ERRORED: ${r.error}`;
      const flag = r.flag ? `  [${r.flag}]` : '';
      return `${head}  min ${fmtMs(r.minMs)} ms, median ${fmtMs(r.medianMs)} ms ±${r.rmePercent.toFixed(1)}%  ${r.samplesCount} samples  ${fmtNum(r.gbPerS, 1)} GB/s${flag}  (${(e.elapsedMs / 1000).toFixed(1)} s)`;
    }
  }
}

/** The first-touch probe in one line: fresh pages against reused ones, MB/ms (= GB/s) and ms per MiB. */
export function firstTouchText(m: MachineBandwidth, lead = ''): string {
  const f = m.firstTouch;
  if (!f) return '';
  const perMiB = (gbps: number): string => fmtMs(2 ** 20 / (gbps * 1e6));
  return `${lead}first touch ${f.fresh.medianGBps.toFixed(2)} MB/ms fresh pages (${perMiB(f.fresh.medianGBps)} ms/MiB) against ${f.reused.medianGBps.toFixed(1)} MB/ms reused (${perMiB(f.reused.medianGBps)} ms/MiB)`;
}

const fmtRatio = (x: number | undefined): string => (x === undefined ? '' : `${x.toFixed(2)}×`);

export function renderResults(results: BenchResults): string {
  const out: string[] = [];
  const m = results.machine;
  out.push(`Machine: ${results.environment.cpu.model}, ${results.environment.cpu.cores} cores, Node ${results.environment.node}`);
  const devices = results.backends.filter((b) => b.deviceCopy).map((b) => `; ${b.name} device copy ${b.deviceCopy!.medianGBps.toFixed(1)} GB/s (its rows' % copy)`).join('');
  out.push(`Bandwidth (this run): copy ${m.copy.medianGBps.toFixed(1)} GB/s, read ${m.read.medianGBps.toFixed(1)} GB/s (${fmtBytes(m.copy.bufferBytes)} buffers)${devices}`);
  if (m.firstTouch) out.push(`Memory: ${firstTouchText(m)}`);
  out.push(`${copyReference(results)}.`);
  for (const scope of scopesIn(results)) {
    out.push(`\n${SCOPE_NAMES[scope]} — ${SCOPE_TITLES[scope]}. Ratios are within this scope.`);
    const rows = inScope(results, scope).map((r) => {
      if (r.state !== 'completed') return [r.workload, r.backend, r.state === 'unsupported' ? 'unsupported' : 'ERRORED', '', '', '', '', '', '', '', '', '', '', ''];
      return [
        r.workload, r.backend, r.via, fmtMs(r.minMs), fmtMs(r.medianMs), fmtMs(r.p99Ms), `±${r.rmePercent.toFixed(1)}%`, String(r.samplesCount),
        fmtNum(r.gbPerS, 2), fmtPct(r.fractionOfCopy), fmtRatio(relativeToFastest(results, r, 'min')), fmtRatio(relativeToFastest(results, r)),
        fmtRatio(speedupOverNaive(results, r)), flagMark(r),
      ];
    });
    out.push(renderTable(['workload', 'backend', 'via', 'min ms', 'median ms', 'p99 ms', 'rme', 'samples', 'GB/s', '% copy', 'min / fastest', 'median / fastest', '× naive', 'flag'], rows));
  }
  const scaling = scalingSeries(results);
  if (scaling.length) {
    out.push('\nScaling (log-log slope of the median: size axis against input elements, kernel axis against k)');
    out.push(renderTable(['axis', 'series', 'backend', 'scope', 'points', 'slope', 'last / first'],
      scaling.map((s) => [s.axis, s.series, s.backend, s.scope, s.points.map((p) => `${p.value}:${fmtMs(p.medianMs)}`).join(' '), fmtNum(s.slope, 2), s.growth === undefined ? '–' : `${s.growth.toFixed(1)}×`])));
  }
  const bwd = backwardOverForwardTable(results);
  if (bwd.rows.length) {
    out.push(`\nBackward ÷ forward: each backward's min and median over the same backend's forward of the same case, in the same scope (${results.settings.pairDirections === true ? 'sampled in the same rounds' : 'sampled one after the other'})`);
    out.push(renderTable(bwd.header, bwd.rows));
  }
  const flagged = completed(results).filter((r) => r.flag);
  if (flagged.length) out.push(`\n${flagged.length} row(s) flagged: bimodal (two clusters of samples) or wide (median ≥ 2 × min); read their min beside the median.`);
  const problems = results.results.filter((r) => r.state === 'errored');
  if (problems.length) out.push(`\n${problems.length} task(s) errored.`);
  return out.join('\n');
}

export async function benchCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      backends: { type: 'string' },
      peers: { type: 'boolean' },
      filter: { type: 'string', multiple: true },
      quick: { type: 'boolean' },
      scopes: { type: 'string' },
      out: { type: 'string' },
      time: { type: 'string' },
      'min-samples': { type: 'string' },
      rounds: { type: 'string' },
      unpaired: { type: 'boolean' },
      list: { type: 'boolean' },
      research: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) { console.log(BENCH_HELP); return 0; }
  const quick = values.quick ?? false;
  const filter = (values.filter ?? []).flatMap(splitList);
  if (values.research === true && values.list) {
    console.log(renderTable(['workload', 'direction', 'layer'], selectResearchWorkloads(filter).map((w) => [w.id, w.direction, w.layer])));
    return 0;
  }
  const workloads = values.research === true ? [] : selectWorkloads(quick, filter);
  if (values.list) {
    console.log(renderTable(['workload', 'direction', 'bytes', 'quick', 'layer'],
      workloads.map((w) => [w.id, w.direction, fmtBytes(workloadBytes(w)), w.quick ? 'yes' : '', w.layer])));
    return 0;
  }
  if (values.research === true && selectResearchWorkloads(filter).length === 0) throw new UsageError(`--filter ${filter.join(',')} matches no research workload; see poolspec bench --research --list`);
  if (values.research !== true && workloads.length === 0) {
    throw new UsageError(`--filter ${filter.join(',')} matches no workload${quick ? ' of --quick' : ''}; see poolspec bench --list${quick ? ' --quick' : ''} (${ALL_WORKLOADS.length} in all)`);
  }
  const time = positive('--time', values.time, false);
  const minSamples = positive('--min-samples', values['min-samples'], true);
  const rounds = positive('--rounds', values.rounds, true);
  const scopes = values.scopes === undefined ? undefined : splitList(values.scopes);
  const unknownScope = scopes?.find((sc) => !(SCOPES as readonly string[]).includes(sc));
  if (scopes !== undefined && (scopes.length === 0 || unknownScope !== undefined)) throw new UsageError(`--scopes takes ${SCOPES.join(', ')}; got "${values.scopes}"`);
  const overrides: Partial<BenchSettings> = {
    ...(time !== undefined ? { timeMs: time } : {}), ...(minSamples !== undefined ? { minSamples } : {}),
    ...(rounds !== undefined ? { rounds } : {}), ...(scopes ? { scopes: scopes as Scope[] } : {}),
    ...(values.unpaired === true ? { pairDirections: false } : {}),
  };

  // Backends named in --backends must load (else exit 2). Of the defaults and of --peers, one whose platform or
  // optional package is missing is skipped with a note, and the others run.
  const named = values.backends !== undefined ? splitList(values.backends) : [];
  if (values.backends !== undefined && named.length === 0) throw new UsageError('--backends needs at least one name or path');
  const defaults = values.backends !== undefined ? [] : OWN_BACKENDS.map((b) => b.name);
  const peers = values.peers ? BUILTIN_BACKENDS.filter((b) => b.peer).map((b) => b.name) : [];
  const refs = [...new Set([...named, ...defaults, ...peers])];
  const backends: RunnerBackend[] = [];
  for (const ref of refs) {
    try {
      const l = await loadBackend(ref);
      if (backends.some((b) => b.name === l.backend.name)) throw new UsageError(`backend "${l.backend.name}" is given twice`);
      backends.push({ name: l.backend.name, ref, backend: l.backend });
    } catch (e) {
      if (!(e instanceof BackendLoadError)) throw e;
      if (named.includes(ref)) { console.error(`poolspec bench: ${e.message}`); return 2; }
      console.error(`poolspec bench: skipping ${ref}: ${e.message}`);
    }
  }
  if (backends.length === 0) { console.error('poolspec bench: no backend could be loaded'); return 2; }

  if (values.research === true && rounds !== undefined) throw new UsageError('--rounds applies to the layer workloads; --research times one backend at a time');
  if (values.research === true && values.unpaired === true) throw new UsageError('--unpaired applies to the layer workloads; --research times one backend at a time');
  if (values.research === true) return researchBench(backends, quick, filter, overrides, values.out);
  const settings = { ...defaultSettings(quick, filter), ...overrides };
  console.error(`poolspec bench: ${workloads.length} workload(s) × ${backends.length} backend(s): ${backends.map((b) => b.name).join(', ')}${quick ? ' (quick)' : ''}; scopes ${(settings.scopes ?? SCOPES).join(', ')}; ${settings.timeMs} ms and ≥ ${settings.minSamples} samples per task${(settings.rounds ?? 1) > 1 ? `, in ${settings.rounds} interleaved rounds` : ''}`);
  let results: BenchResults;
  try {
    results = await runBench({
      backends, quick, filter, settings: overrides,
      onProgress: (e) => { const line = progressLine(e); if (line !== undefined) console.error(line); },
    });
  } finally {
    for (const b of backends) await b.backend.dispose?.();
  }
  console.log(renderResults(results));
  console.error(`poolspec bench: ${completed(results).length} of ${results.results.length} tasks completed in ${(results.durationMs / 1000).toFixed(0)} s`);
  if (values.out) {
    writeFileAtomic(values.out, serializeBenchResults(results));
    console.error(`poolspec bench: wrote ${values.out}`);
  }
  return results.results.some((r) => r.state === 'errored') ? 1 : 0;
}

/** --research: the research kinds' workloads (bench/research.ts); exit 1 when a supported task errored. */
async function researchBench(backends: readonly RunnerBackend[], quick: boolean, filter: readonly string[], overrides: Partial<BenchSettings>, out: string | undefined): Promise<number> {
  console.error(`poolspec bench --research: ${selectResearchWorkloads(filter).length} workload(s) × ${backends.length} backend(s): ${backends.map((b) => b.name).join(', ')}`);
  let results;
  try {
    results = await runResearchBench({ backends, quick, filter, settings: overrides, onProgress: (line) => console.error(line) });
  } finally {
    for (const b of backends) await b.backend.dispose?.();
  }
  console.log(renderTable(RESEARCH_HEADER, researchRows(results)));
  if (out !== undefined) writeFileAtomic(out, `${JSON.stringify(results, null, 2)}\n`);
  return results.results.some((r) => r.state === 'errored') ? 1 : 0;
}
