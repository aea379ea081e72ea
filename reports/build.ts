/**
 * The report (`poolspec report`): a Markdown file and a self-contained static HTML page built from a bench
 * results file (bench/SCHEMA.md) and conformance results (poolspec.verify/1 files or the ecosystem file).
 * Charts are Vega-Lite rendered to SVG in Node (reports/charts.ts): inlined in the HTML, written beside the
 * Markdown as files. Table cells carry data-* attributes (workload, backend, field) so tests and scripts can
 * read them back.
 */
import type { BenchResults, CompletedResult, Scope } from '../bench/schema.js';
import {
  SCOPE_NAMES, SCOPE_TITLES, backwardOverForwardTable, copyReference, flagMark, fmtBytes, fmtMs, fmtNum, fmtPct, relativeToFastest, scalingSeries, scopesIn, speedupOverNaive,
  type ScalingSeries,
} from '../bench/summary.js';
import { groupDeclines } from '../spec/declines.js';
import { benchCharts, renderCharts, sideBySideCharts, type RenderedChart } from './charts.js';
import { conformanceMatrix, propertyMatrix, type ConformanceMatrix, type ConformanceSource } from './conformance-input.js';
import { SOFTWARE_ADAPTER_NOTE, fmtRatio, sideBySide, softwareAdapter, type SideBySideTable } from './side-by-side.js';

export interface ReportInput {
  readonly bench?: BenchResults;
  /** The bench file's path as given (shown in the report). */
  readonly benchFile?: string;
  readonly conformance?: readonly ConformanceSource[];
  /** Relative directory (from the Markdown file) where the chart SVGs are written. */
  readonly chartsDir: string;
  /** Report title (default "poolspec report"). */
  readonly title?: string;
}

export interface Report {
  readonly markdown: string;
  readonly html: string;
  readonly charts: readonly RenderedChart[];
}

/** One row of the results table, formatted once for both outputs. */
interface Row {
  readonly workload: string;
  readonly backend: string;
  readonly scope: Scope;
  readonly direction: string;
  readonly cells: Readonly<Record<Field, string>>;
  readonly state: 'completed' | 'unsupported' | 'errored';
  readonly note?: string;
}

export const FIELDS = ['via', 'min', 'median', 'p99', 'rme', 'samples', 'gbps', 'copy', 'read', 'fastest', 'speedup', 'flag'] as const;
export type Field = (typeof FIELDS)[number];
const FIELD_TITLES: Record<Field, string> = {
  via: 'via', min: 'min ms', median: 'median ms', p99: 'p99 ms', rme: '± rme', samples: 'samples', gbps: 'GB/s', copy: '% of copy',
  read: '% of read', fastest: 'median / fastest', speedup: '× naive', flag: 'flag',
};

const SCOPE_NOTE = 'Rows are compared only within a scope: median / fastest is against the lowest median of the same workload in this scope, × naive against naive in this scope. '
  + 'A row flagged bimodal (two clusters of samples) or wide (median ≥ 2 × min) has a median that is not one typical call: read its min beside it.';

/** The text of each numeric cell for a completed result: what the report shows. */
export function formatCells(results: BenchResults, r: CompletedResult): Record<Field, string> {
  const s = speedupOverNaive(results, r);
  const f = relativeToFastest(results, r);
  return {
    via: r.via, min: fmtMs(r.minMs), median: fmtMs(r.medianMs), p99: fmtMs(r.p99Ms), rme: `${r.rmePercent.toFixed(1)}%`, samples: String(r.samplesCount),
    gbps: fmtNum(r.gbPerS, 2), copy: fmtPct(r.fractionOfCopy), read: fmtPct(r.fractionOfRead),
    fastest: f === undefined ? '–' : `${f.toFixed(2)}×`, speedup: s === undefined ? '–' : `${s.toFixed(2)}×`, flag: flagMark(r),
  };
}

function rows(results: BenchResults, sweeps: boolean, scope: Scope): Row[] {
  const wById = new Map(results.workloads.map((w) => [w.id, w]));
  const order = new Map(results.workloads.map((w, i) => [w.id, i]));
  return results.results
    .filter((r) => r.scope === scope && Boolean(wById.get(r.workload)?.sweep) === sweeps)
    .sort((a, b) => order.get(a.workload)! - order.get(b.workload)!)
    .map((r) => {
      const direction = wById.get(r.workload)!.direction;
      if (r.state === 'completed') return { workload: r.workload, backend: r.backend, scope, direction, state: r.state, cells: formatCells(results, r) };
      const empty = Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<Field, string>;
      return { workload: r.workload, backend: r.backend, scope, direction, state: r.state, cells: empty, note: r.state === 'unsupported' ? r.reason : r.error };
    });
}

// --- HTML -------------------------------------------------------------------------------------------------------

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#222;margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.6rem 0;font-size:12.5px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.group td{border-top:2px solid #bbb}.meta{color:#555}
figure{margin:1.2rem 0}figcaption{color:#444;margin-bottom:.4rem}figure svg{max-width:100%;height:auto}
.pass{background:#e3f4e1}.thin{background:#fff3cd;font-style:italic}.fail{background:#fbe0de;font-weight:bold}.unsupported{background:#eee;color:#666}.na{color:#aaa}
details{margin:.3rem 0}pre{background:#f7f7f7;padding:.5rem;overflow-x:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}
code{font-size:12px}.failure code{word-break:break-all}
`;

function htmlTable(header: readonly string[], body: string, attrs = ''): string {
  return `<table${attrs}><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${body}</tbody></table>`;
}

function htmlResults(results: BenchResults, sweeps: boolean, id: string, scope: Scope): string {
  const rs = rows(results, sweeps, scope);
  if (rs.length === 0) return '';
  const layer = new Map(results.workloads.map((w) => [w.id, w.layer]));
  let prev = '';
  const body = rs.map((r) => {
    const first = r.workload !== prev;
    prev = r.workload;
    const head = `<td data-field="workload" title="${esc(layer.get(r.workload) ?? '')}">${first ? `<code>${esc(r.workload)}</code>` : ''}</td><td>${first ? esc(r.direction) : ''}</td><td data-field="backend">${esc(r.backend)}</td>`;
    const cells = r.state === 'completed'
      ? FIELDS.map((f) => `<td class="num" data-field="${f}">${esc(r.cells[f])}</td>`).join('')
      : `<td colspan="${FIELDS.length}" class="${r.state === 'unsupported' ? 'unsupported' : 'fail'}" data-field="state">${esc(r.state)}: ${esc(r.note ?? '')}</td>`;
    return `<tr${first ? ' class="group"' : ''} data-workload="${esc(r.workload)}" data-backend="${esc(r.backend)}" data-scope="${scope}" data-state="${r.state}">${head}${cells}</tr>\n`;
  }).join('');
  return `<h3>${esc(SCOPE_NAMES[scope])}</h3><p class="meta">${esc(SCOPE_TITLES[scope])}.</p>`
    + htmlTable(['workload', 'direction', 'backend', ...FIELDS.map((f) => FIELD_TITLES[f])], body, ` id="${id}-${scope}" data-scope="${scope}"`);
}

/** One table per scope that has rows. */
function htmlScopes(results: BenchResults, sweeps: boolean, id: string): string {
  return scopesIn(results).map((scope) => htmlResults(results, sweeps, id, scope)).join('\n');
}

function htmlScaling(series: readonly ScalingSeries[]): string {
  const body = series.map((s) => `<tr data-axis="${s.axis}" data-series="${esc(s.series)}" data-backend="${esc(s.backend)}" data-scope="${s.scope}"><td>${s.axis}</td><td>${esc(s.series)}</td><td>${esc(s.label)}</td>`
    + `<td>${s.points.map((p) => `${s.axis === 'size' ? `${p.value}²` : `k=${p.value}`}: ${fmtMs(p.medianMs)} ms`).join(', ')}</td>`
    + `<td class="num" data-field="slope">${fmtNum(s.slope, 2)}</td><td class="num" data-field="growth">${s.growth === undefined ? '–' : `${s.growth.toFixed(1)}×`}</td></tr>\n`).join('');
  return htmlTable(['axis', 'series', 'backend', 'median time per point', 'log-log slope', 'last / first'], body, ' id="scaling-table"');
}

function statusText(s: string | undefined): string {
  return s === undefined ? '' : s === 'fail' ? 'FAIL' : s === 'thin' ? 'THIN' : s;
}

/** Property × backend cell text: FAIL and THIN in capitals, as in the clause table. */
function propertyText(text: string): string {
  return text.replace(/^(fail|thin)\b/, (w) => w.toUpperCase());
}

const THIN_NOTE = 'THIN: passed on fewer checked cases than the minimum (half the cases per property unless the file says otherwise; SPEC.md PROP.THIN), which is not read as a pass.';

/** CSS class of a clause cell. */
function cellClass(s: string | undefined): string {
  return s === undefined || s === 'n/a' ? 'na' : s === 'unavailable' ? 'unsupported' : s;
}

function failureId(j: number, id: string): string {
  return `fail-${j}-${id.replace(/[^\w.-]/g, '_')}`;
}

function htmlConformance(m: ConformanceMatrix, sources: readonly ConformanceSource[]): string {
  const parts: string[] = [];
  parts.push(`<p>${sources.map((s) => `<code>${esc(s.file)}</code> (${esc(s.schema)}${s.seed !== undefined ? `, seed ${s.seed}` : ''}${s.runs !== undefined ? `, ${s.runs} cases per property` : ''}${s.date ? `, ${esc(s.date)}` : ''})`).join('; ')}.
A clause fails when a property that cites it failed (with a shrunk counterexample below), passes when a property citing it passed, is n/a when every such property does not apply to the backend, and is unsupported when the backend declined every case of those properties.</p>`);
  const head = m.backends.map((b, j) => `<th data-backend="${esc(b.label)}" data-col="${j}"${b.description ? ` title="${esc(b.description)}"` : ''}>${esc(b.label)}<br><small>${esc(b.status.toUpperCase())}</small></th>`).join('');
  const body = m.clauses.map((c, i) => `<tr data-clause="${esc(c)}"><td><code>${esc(c)}</code></td>${m.cells[i]!.map((cell, j) => {
    const title = cell.failing.length ? ` title="${esc(cell.failing.map((p) => p.id).join(', '))}"` : '';
    const text = cell.status === 'fail' ? `<a href="#${failureId(j, cell.failing[0]!.id)}">FAIL</a>` : statusText(cell.status) || '–';
    return `<td class="${cellClass(cell.status)}" data-backend="${esc(m.backends[j]!.label)}" data-status="${cell.status ?? 'none'}"${title}>${text}</td>`;
  }).join('')}</tr>\n`).join('');
  parts.push(`<table id="conformance-matrix"><thead><tr><th>clause</th>${head}</tr></thead><tbody>\n${body}</tbody></table>`);
  const pm = propertyMatrix(m);
  const pbody = pm.ids.map((id, i) => `<tr data-property="${esc(id)}"><td><code>${esc(id)}</code></td>${pm.cells[i]!.map((cell, j) =>
    `<td class="${cellClass(cell.status)}" data-backend="${esc(m.backends[j]!.label)}" data-status="${cell.status ?? 'none'}">${esc(propertyText(cell.text)) || '–'}</td>`).join('')}</tr>\n`).join('');
  parts.push(`<h3>Properties × backends</h3><p>Each cell: the verdict and the cases checked (a failure: those checked before the failing case). ${esc(THIN_NOTE)}</p>
<table id="property-matrix"><thead><tr><th>property</th>${head}</tr></thead><tbody>\n${pbody}</tbody></table>`);
  const unavailable = m.backends.filter((b) => b.status === 'unavailable');
  if (unavailable.length) parts.push(`<p>Unavailable: ${unavailable.map((b) => `<b>${esc(b.label)}</b> (${esc(b.error ?? 'did not load')})`).join('; ')}.</p>`);
  const failures = m.backends.flatMap((b, j) => b.properties.filter((p) => p.status === 'fail').map((p) => {
    const f = p.failure;
    return `<details open id="${failureId(j, p.id)}" class="failure"><summary><b>${esc(b.label)}</b> · <code>${esc(p.id)}</code> — ${esc(p.title)}</summary>
<p>clauses: ${p.clauses.map((c) => `<code>${esc(c)}</code>`).join(', ')}</p>
${f ? `<p>${esc(f.message)}</p>
<p>minimal counterexample (after ${f.shrinks} shrinks):</p><pre class="counterexample">${esc(JSON.stringify(f.counterexample))}</pre>` : ''}
${p.reading ? `<p>reading: ${esc([p.reading.cause, p.reading.verdict].filter(Boolean).join(' — '))}</p>` : ''}
${p.replay ? `<p>replay: <code>${esc(p.replay)}</code></p>` : ''}</details>`;
  }));
  parts.push(failures.length ? `<h3>Failures</h3>\n${failures.join('\n')}` : '<p>No property failed.</p>');
  // One line per backend and reason, as verify prints them (spec/declines.ts); per-property counts are in the matrix.
  const groups = groupDeclines(m.backends.map((b) => ({
    backend: b.label,
    // An older file without case counts: a property is known to have declined every case only when unsupported.
    properties: b.properties.map((p) => ({ ...p, cases: p.cases ?? (p.status === 'unsupported' ? 0 : 1) })),
  })));
  const declined = groups.map((g) => `<li><b>${esc(g.backend)}</b> · ${g.properties.length > 4 ? `${g.properties.length} properties` : g.properties.map((id) => `<code>${esc(id)}</code>`).join(', ')} (${g.whole ? 'all cases' : 'some cases'}): ${esc(g.reason)}</li>`);
  if (declined.length) parts.push(`<h3>Unsupported cases</h3><p>Declined through <code>supports()</code>, grouped by reason; never counted as passed.</p><ul>${declined.join('\n')}</ul>`);
  return parts.join('\n');
}

function environmentRows(r: BenchResults): [string, string][] {
  const e = r.environment;
  return [
    ['CPU', `${e.cpu.model}, ${e.cpu.cores} cores${e.cpu.speedMHz ? `, ${e.cpu.speedMHz} MHz` : ''}`],
    ['memory', fmtBytes(e.memoryBytes)],
    ['OS', `${e.platform} ${e.arch} ${e.osRelease}`],
    ['Node', `${e.node} (V8 ${e.v8})`],
    ['packages', Object.entries(e.packages).map(([k, v]) => `${k} ${v ?? '(not installed)'}`).join(', ')],
    ['git', e.git.commit ? `${e.git.commit}${e.git.dirty ? ' (uncommitted changes)' : ''}` : '(no git)'],
    ['run', `${r.date}, ${(r.durationMs / 1000).toFixed(0)} s, ${r.settings.quick ? 'quick' : 'full'}${r.settings.filter.length ? `, filter ${r.settings.filter.join(',')}` : ''}; ${r.settings.timeMs} ms and ≥ ${r.settings.minSamples} samples per task (${r.settings.slowMinSamples} calls when one takes > ${r.settings.slowCallMs} ms, fewer when they would take > ${(r.settings.maxTaskMs / 1000).toFixed(0)} s)${(r.settings.rounds ?? 1) > 1 ? `; each workload's backends interleaved in ${r.settings.rounds} rounds` : ''}`],
    ...r.backends.filter((b) => b.device !== undefined).map((b): [string, string] => [`${b.name} device`, b.device!]),
    ...r.backends.filter((b) => b.deviceCopy !== undefined).map((b): [string, string] => [
      `${b.name} device copy`, `${b.deviceCopy!.medianGBps.toFixed(1)} GB/s median (${b.deviceCopy!.method}, ${fmtBytes(b.deviceCopy!.bufferBytes)} buffers): the reference for ${b.name}'s % of copy`]),
    ['copy bandwidth', `${r.machine.copy.medianGBps.toFixed(1)} GB/s median, ${r.machine.copy.maxGBps.toFixed(1)} best (${r.machine.copy.method}, ${fmtBytes(r.machine.copy.bufferBytes)} buffers, read + written counted)`],
    ['read bandwidth', `${r.machine.read.medianGBps.toFixed(1)} GB/s median, ${r.machine.read.maxGBps.toFixed(1)} best (${r.machine.read.method}, ${fmtBytes(r.machine.read.bufferBytes)})`],
    ...(r.machine.firstTouch ? [['first touch', firstTouchRow(r.machine.firstTouch)] as [string, string]] : []),
  ];
}

/** Fresh pages against reused ones: MB/ms (= GB/s) and ms per MiB, the per-byte price of allocating outputs afresh. */
function firstTouchRow(f: NonNullable<BenchResults['machine']['firstTouch']>): string {
  const perMiB = (gbps: number): string => fmtMs(2 ** 20 / (gbps * 1e6));
  return `${f.fresh.medianGBps.toFixed(2)} MB/ms writing a newly allocated array (${perMiB(f.fresh.medianGBps)} ms per MiB, page faults included) against `
    + `${f.reused.medianGBps.toFixed(1)} MB/ms writing it again (${perMiB(f.reused.medianGBps)} ms per MiB); ${fmtBytes(f.fresh.bufferBytes)} arrays, ${f.fresh.passesMs.length} passes`;
}

// --- Side by side with the web runtimes -----------------------------------------------------------------------

const SIDE_BY_SIDE_INTRO = 'poolspec\'s web backends beside the runtimes a browser user picks instead, in the same run and scope: each side\'s min and median (ms), '
  + 'and ours ÷ peer of each (below 1.00×: ours is faster). The op alone is the kernel on resident data; the whole call adds validation and the copies in and out.';

function sideBySideHeader(t: SideBySideTable): string[] {
  return ['workload', 'direction', `${t.group.ours} min`, `${t.group.ours} median`,
    ...t.peers.flatMap((p) => [`${p} min`, `${p} median`, `${t.group.ours} ÷ ${p} min`, `${t.group.ours} ÷ ${p} median`])];
}

/** The cells of one row after workload and direction, keyed for data-field attributes. */
function sideBySideCells(t: SideBySideTable, i: number): Array<[string, string]> {
  const r = t.rows[i]!;
  return [
    ['ours-min', fmtMs(r.ours.minMs)], ['ours-median', fmtMs(r.ours.medianMs)],
    ...r.peers.flatMap((c): Array<[string, string]> => c.timing
      ? [[`${c.backend}-min`, fmtMs(c.timing.minMs)], [`${c.backend}-median`, fmtMs(c.timing.medianMs)], [`${c.backend}-ratio-min`, fmtRatio(c.ratioMin)], [`${c.backend}-ratio-median`, fmtRatio(c.ratioMedian)]]
      : [[`${c.backend}-min`, c.missing === 'no row' ? '–' : c.missing ?? '–'], [`${c.backend}-median`, '–'], [`${c.backend}-ratio-min`, '–'], [`${c.backend}-ratio-median`, '–']]),
  ];
}

function sideBySideCaption(t: SideBySideTable): string {
  return `${t.group.title} — ${SCOPE_NAMES[t.scope]}.${t.absent.length ? ` Not in this run: ${t.absent.join(', ')} (not selected, or unavailable: see the bench's stderr).` : ''}`;
}

function adapterSentence(r: BenchResults): string {
  const sw = softwareAdapter(r);
  return `${SOFTWARE_ADAPTER_NOTE}${sw ? ` This run's adapter is a software one: ${sw}.` : ''}`;
}

function htmlSideBySide(r: BenchResults, charts: readonly RenderedChart[]): string {
  const tables = sideBySide(r);
  if (!tables.length) return '';
  const parts = [`<section id="side-by-side"><h2>Side by side with the web runtimes</h2><p>${esc(SIDE_BY_SIDE_INTRO)}</p><p data-field="adapter-note">${esc(adapterSentence(r))}</p>`];
  for (const t of tables) {
    const body = t.rows.map((row, i) => `<tr data-workload="${esc(row.workload)}" data-scope="${t.scope}"><td><code>${esc(row.workload)}</code></td><td>${esc(row.direction)}</td>`
      + sideBySideCells(t, i).map(([k, v]) => `<td class="num" data-field="${esc(k)}">${esc(v)}</td>`).join('') + '</tr>\n').join('');
    parts.push(`<h3>${esc(sideBySideCaption(t))}</h3>`, htmlTable(sideBySideHeader(t), body, ` id="side-by-side-${t.group.id}-${t.scope}" data-group="${t.group.id}" data-scope="${t.scope}"`));
    const chart = charts.find((c) => c.name === `peers-${t.group.id}-${t.scope}`);
    if (chart) parts.push(`<figure data-chart="${esc(chart.name)}"><figcaption><b>${esc(chart.title)}.</b> ${esc(chart.caption)}</figcaption>\n${chart.svg}\n</figure>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

function mdSideBySide(r: BenchResults, charts: readonly RenderedChart[], chartsDir: string): string[] {
  const tables = sideBySide(r);
  if (!tables.length) return [];
  const out = ['## Side by side with the web runtimes', '', SIDE_BY_SIDE_INTRO, '', adapterSentence(r), ''];
  for (const t of tables) {
    out.push(`### ${sideBySideCaption(t)}`, '', mdTable(sideBySideHeader(t), t.rows.map((row, i) => [`\`${row.workload}\``, row.direction, ...sideBySideCells(t, i).map(([, v]) => v)])), '');
    const chart = charts.find((c) => c.name === `peers-${t.group.id}-${t.scope}`);
    if (chart) out.push(`**${chart.title}.** ${chart.caption}`, '', `![${chart.title}](${chartsDir}/${chart.name}.svg)`, '');
  }
  return out;
}

/** The backward ÷ forward section's lead: what each cell is, and how the two were sampled. */
function backwardIntro(r: BenchResults): string {
  return 'Each backward workload against the forward workload of the same case (spec, shape, layout), the same backend and scope: '
    + 'the backward\'s min ÷ the forward\'s min, and the same of the medians. '
    + (r.settings.pairDirections === true
      ? 'The two were sampled in the same rounds, their tasks open together, so that a disturbance of the machine falls on both.'
      : 'The two were sampled one after the other (bench --unpaired, or a file written before pairDirections): a disturbance of the machine may have fallen on one of them only.');
}

function renderHtml(input: ReportInput, charts: readonly RenderedChart[], matrix: ConformanceMatrix | undefined): string {
  const title = input.title ?? 'poolspec report';
  const r = input.bench;
  const parts: string[] = [];
  parts.push(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>${esc(title)}</h1>`);
  if (r) {
    parts.push(`<p class="meta">Benchmark: <code>${esc(input.benchFile ?? '')}</code> (${esc(r.schema)}), ${esc(r.date)}, ${esc(r.environment.cpu.model)}.</p>`);
    parts.push(`<section id="machine"><h2>Machine</h2><table id="environment"><tbody>\n${environmentRows(r).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>\n`).join('')}</tbody></table></section>`);
    parts.push('<section id="charts"><h2>Charts</h2>');
    for (const c of charts.filter((c) => !c.name.startsWith('peers-'))) parts.push(`<figure data-chart="${esc(c.name)}"><figcaption><b>${esc(c.title)}.</b> ${esc(c.caption)}</figcaption>\n${c.svg}\n</figure>`);
    parts.push('</section>');
    parts.push(`<section id="results"><h2>Results</h2><p>Min, median, p99 and relative margin of error of the latency per call; effective GB/s = minimum bytes read + written / median; its fraction of the copy and read (${r.machine.read.medianGBps.toFixed(1)} GB/s) bandwidth: ${esc(copyReference(r))}. ${esc(SCOPE_NOTE)}</p>${htmlScopes(r, false, 'bench-table')}</section>`);
    parts.push(htmlSideBySide(r, charts));
    const bwd = backwardOverForwardTable(r);
    if (bwd.rows.length) {
      const body = bwd.rows.map((row) => `<tr>${row.map((v, i) => (i < 2 ? `<td><code>${esc(v)}</code></td>` : `<td>${esc(v)}</td>`)).join('')}</tr>\n`).join('');
      parts.push(`<section id="backward"><h2>Backward ÷ forward</h2><p>${esc(backwardIntro(r))}</p>${htmlTable(bwd.header, body, ' id="backward-table"')}</section>`);
    }
    const series = scalingSeries(r);
    if (series.length) {
      parts.push(`<section id="scaling"><h2>Scaling</h2><p>Log-log slope of time: for the size sweep against input elements (1 = linear), for the kernel sweep against k (a direct k×k window tends to 2, a separable pass to 1).</p>${htmlScaling(series)}${htmlScopes(r, true, 'sweep-table')}</section>`);
    }
  }
  if (matrix && input.conformance) parts.push(`<section id="conformance"><h2>Conformance (clause × backend)</h2>${htmlConformance(matrix, input.conformance)}</section>`);
  parts.push(`<p class="meta">Generated by <code>poolspec report</code>. Charts: Vega-Lite, rendered to SVG in Node.</p></body></html>\n`);
  return parts.join('\n');
}

// --- Markdown ---------------------------------------------------------------------------------------------------

function mdEsc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  return [`| ${header.map(mdEsc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.map(mdEsc).join(' | ')} |`)].join('\n');
}

function mdResults(results: BenchResults, sweeps: boolean): string {
  return scopesIn(results).map((scope) => {
    const rs = rows(results, sweeps, scope);
    if (rs.length === 0) return '';
    let prev = '';
    return `### ${SCOPE_NAMES[scope]}\n\n${SCOPE_TITLES[scope]}.\n\n` + mdTable(['workload', 'backend', ...FIELDS.map((f) => FIELD_TITLES[f])], rs.map((r) => {
      const first = r.workload !== prev;
      prev = r.workload;
      const w = first ? `\`${r.workload}\`${r.direction === 'backward' ? ' (bwd)' : ''}` : '';
      return r.state === 'completed' ? [w, r.backend, ...FIELDS.map((f) => r.cells[f])] : [w, r.backend, `${r.state}: ${r.note ?? ''}`, ...FIELDS.slice(1).map(() => '')];
    }));
  }).filter(Boolean).join('\n\n');
}

function renderMarkdown(input: ReportInput, charts: readonly RenderedChart[], matrix: ConformanceMatrix | undefined): string {
  const title = input.title ?? 'poolspec report';
  const r = input.bench;
  const out: string[] = [`# ${title}`, ''];
  if (r) {
    out.push(`Benchmark \`${input.benchFile ?? ''}\` (${r.schema}), ${r.date}. The HTML version of this report has the same tables and the charts inline.`, '');
    out.push('## Machine', '', mdTable(['what', 'value'], environmentRows(r)), '');
    if (charts.length) {
      out.push('## Charts', '');
      for (const c of charts.filter((c) => !c.name.startsWith('peers-'))) out.push(`**${c.title}.** ${c.caption}`, '', `![${c.title}](${input.chartsDir}/${c.name}.svg)`, '');
    }
    out.push('## Results', '', 'Min, median, p99 and relative margin of error of the latency per call; GB/s = minimum bytes read + written / median, '
      + `and its fraction of the copy and read (${r.machine.read.medianGBps.toFixed(1)} GB/s) bandwidth: ${copyReference(r)}. ${SCOPE_NOTE}`, '', mdResults(r, false), '');
    out.push(...mdSideBySide(r, charts, input.chartsDir));
    const bwd = backwardOverForwardTable(r);
    if (bwd.rows.length) {
      out.push('## Backward ÷ forward', '', backwardIntro(r), '',
        mdTable(bwd.header, bwd.rows.map(([b, f, ...rest]) => [`\`${b}\``, `\`${f}\``, ...rest])), '');
    }
    const series = scalingSeries(r);
    if (series.length) {
      out.push('## Scaling', '', 'Log-log slope of time: size sweep against input elements (1 = linear); kernel sweep against k (a direct k×k window tends to 2, a separable pass to 1).', '');
      out.push(mdTable(['axis', 'series', 'backend', 'median time per point', 'slope', 'last / first'], series.map((s) => [
        s.axis, s.series, s.label, s.points.map((p) => `${s.axis === 'size' ? `${p.value}²` : `k=${p.value}`}: ${fmtMs(p.medianMs)} ms`).join(', '), fmtNum(s.slope, 2), s.growth === undefined ? '–' : `${s.growth.toFixed(1)}×`,
      ])), '', mdResults(r, true), '');
    }
  }
  if (matrix && input.conformance) {
    out.push('## Conformance (clause × backend)', '');
    out.push(`Sources: ${input.conformance.map((s) => `\`${s.file}\` (${s.schema}${s.seed !== undefined ? `, seed ${s.seed}` : ''}${s.runs !== undefined ? `, ${s.runs} cases per property` : ''})`).join('; ')}.`, '');
    out.push(mdTable(['clause', ...matrix.backends.map((b) => `${b.label} (${b.status.toUpperCase()})`)],
      matrix.clauses.map((c, i) => [`\`${c}\``, ...matrix.cells[i]!.map((cell) => (cell.status === 'fail' ? `**FAIL** (${cell.failing.map((p) => p.id).join(', ')})` : statusText(cell.status) || '–'))])), '');
    const pm = propertyMatrix(matrix);
    out.push('### Properties × backends', '', `Each cell: the verdict and the cases checked (a failure: those checked before the failing case). ${THIN_NOTE}`, '');
    out.push(mdTable(['property', ...matrix.backends.map((b) => b.label)], pm.ids.map((id, i) => [`\`${id}\``, ...pm.cells[i]!.map((c) => propertyText(c.text) || '–')])), '');
    const unavailable = matrix.backends.filter((b) => b.status === 'unavailable');
    if (unavailable.length) out.push(`Unavailable: ${unavailable.map((b) => `${b.label} (${b.error ?? 'did not load'})`).join('; ')}.`, '');
    const failures = matrix.backends.flatMap((b) => b.properties.filter((p) => p.status === 'fail').map((p) => [
      `### ${b.label} · \`${p.id}\``, '', `${p.title} — clauses: ${p.clauses.join(', ')}`, '',
      ...(p.failure ? [p.failure.message, '', `Minimal counterexample (after ${p.failure.shrinks} shrinks):`, '', '```json', JSON.stringify(p.failure.counterexample), '```', ''] : []),
      ...(p.reading ? [`Reading: ${[p.reading.cause, p.reading.verdict].filter(Boolean).join(' — ')}`, ''] : []),
      ...(p.replay ? [`Replay: \`${p.replay}\``, ''] : []),
    ].join('\n')));
    out.push(failures.length ? `### Failures\n\n${failures.join('\n')}` : 'No property failed.', '');
  }
  out.push('_Generated by `poolspec report`._', '');
  return out.join('\n');
}

export async function buildReport(input: ReportInput): Promise<Report> {
  const charts = input.bench ? await renderCharts([...benchCharts(input.bench), ...sideBySideCharts(input.bench)]) : [];
  const matrix = input.conformance?.length ? conformanceMatrix(input.conformance) : undefined;
  return { markdown: renderMarkdown(input, charts, matrix), html: renderHtml(input, charts, matrix), charts };
}
