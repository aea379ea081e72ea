/**
 * `poolspec report` end to end, looked at in a real browser: a bench file with known numbers (synthetic, seeded:
 * bench/synthetic.ts) and a real `poolspec verify --json` run (a correct backend and one with a planted bug) go
 * in; the HTML page comes out, is served from a localhost static server started here, and is opened in headless
 * Chromium (Debian's /usr/bin/chromium through playwright-core). The test checks that every chart rendered (an
 * SVG with its marks: one bar per result, one line per series, one point per sweep point), that the tables hold
 * the numbers of the JSON, and that the conformance matrix shows the planted failure with its counterexample.
 *
 * Without /usr/bin/chromium the browser part fails in CI (CI set) and is skipped locally with a message.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serializeBenchResults, type BenchResults, type CompletedResult } from '../bench/schema.js';
import { syntheticResults } from '../bench/synthetic.js';
import { esc } from '../reports/build.js';
import { parseConformance } from '../reports/conformance-input.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'poolspec.js');
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const PLANTED = 'test/fixtures/planted/backwardOverwrite.mjs';
/** The charts of the bench file below: per scope (the whole call, the op alone) time, relative and bandwidth; then scaling. */
const CHARTS = ['time-call', 'relative-call', 'bandwidth-call', 'time-op', 'relative-op', 'bandwidth-op', 'scaling-size', 'scaling-kernel'];

interface Run { code: number; stdout: string; stderr: string }

/**
 * Medians planted in the synthetic bench, with the cell text the report must show for them. The texts are
 * written by hand from the format the report documents (bench/summary.ts fmtMs: milliseconds to 3 significant
 * digits, never in exponent notation) and from "× naive = median(naive) / median" to 2 decimals; they are not
 * computed by the report's own formatter.
 */
const PLANTED_MEDIANS: readonly { workload: string; backend: string; medianMs: number; text: string; speedup?: string }[] = [
  { workload: 'vgg16-pool2-max', backend: 'naive', medianMs: 2.5, text: '2.50', speedup: '1.00×' },
  { workload: 'vgg16-pool2-max', backend: 'im2col', medianMs: 1.2549, text: '1.25', speedup: '1.99×' }, // 2.5 / 1.2549 = 1.992…
  { workload: 'vgg16-pool2-max', backend: 'wasm', medianMs: 0.031249, text: '0.0312', speedup: '80.00×' }, // 2.5 / 0.031249 = 80.003…
  { workload: 'vgg16-pool2-avg', backend: 'naive', medianMs: 312.4, text: '312' },
  { workload: 'vgg16-pool2-avg', backend: 'im2col', medianMs: 0.00012345, text: '0.000123' },
];

/**
 * A backward and its forward with planted times (whole call, im2col), and the cell the backward ÷ forward table
 * must show: 0.7 / 0.4 = 1.75 by min and 1.1 / 0.5 = 2.2 by median, written by hand.
 */
const PLANTED_BACKWARD = {
  backward: 'resnet50-stem-max-bwd', forward: 'resnet50-stem-max', backend: 'im2col',
  times: { 'resnet50-stem-max': [0.4, 0.5], 'resnet50-stem-max-bwd': [0.7, 1.1] } as Record<string, [number, number]>,
  cell: '1.75× / 2.20×',
};

function cli(args: readonly string[]): Promise<Run> {
  return new Promise<Run>((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.md': 'text/markdown; charset=utf-8', '.json': 'application/json' };

/** A static file server for one directory, on 127.0.0.1 and an ephemeral port; nothing outside the directory. */
function serve(root: string): Promise<Server> {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok(server));
  });
}

let dir = '';
let out = '';
let bench: BenchResults;
let verifyJson: { backends: { backend: string; status: string; properties: { id: string; status: string; unsupported: number; reasons: string[]; failure?: { counterexample: unknown } }[] }[] };
let reportRun: Run;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs "npm run build")`);
  dir = mkdtempSync(join(tmpdir(), 'poolspec-report-'));
  out = join(dir, 'out');
  bench = syntheticResults({ seed: 7, backends: ['naive', 'im2col', 'wasm'] });
  // One workload the third backend declines, to show an unsupported row.
  // And two rows of another scope (the op alone), which get their own table and charts.
  const results = bench.results.map((r) => (r.workload === 'c3d-pool2-max-b1' && r.backend === 'wasm'
    ? { workload: r.workload, backend: r.backend, scope: r.scope, state: 'unsupported' as const, reason: 'no 3-D kernels' }
    : r))
    .map((r) => {
      const planted = PLANTED_MEDIANS.find((p) => p.workload === r.workload && p.backend === r.backend);
      return planted && r.state === 'completed' ? { ...r, minMs: Math.min(r.minMs, planted.medianMs), medianMs: planted.medianMs } : r;
    })
    .map((r) => {
      const t = r.backend === PLANTED_BACKWARD.backend ? PLANTED_BACKWARD.times[r.workload] : undefined;
      return t && r.state === 'completed' ? { ...r, minMs: t[0], medianMs: t[1], p99Ms: Math.max(r.p99Ms, t[1]), maxMs: Math.max(r.maxMs, t[1]) } : r;
    });
  const ops = results.filter((r): r is CompletedResult => r.workload === 'resnet50-stem-max' && r.backend !== 'naive' && r.state === 'completed')
    .map((r) => ({ ...r, scope: 'op' as const, via: 'resident' as const }));
  bench = { ...bench, results: [...results, ...ops] };
  writeFileSync(join(dir, 'bench.json'), serializeBenchResults(bench));
  const verify = await cli(['verify', '--backend', 'naive', '--backend', PLANTED, '--runs', '10', '--seed', '3', '--json', join(dir, 'verify.json')]);
  expect(verify.code, verify.stderr).toBe(1); // the planted backend fails
  verifyJson = JSON.parse(readFileSync(join(dir, 'verify.json'), 'utf8')) as typeof verifyJson;
  // An ecosystem file in the shape `poolspec report --ecosystem` writes (poolspec.ecosystem/1): rows by
  // "name", a library that did not load, a forward-only property marked n/a, replay commands per property.
  const naiveRow = verifyJson.backends[0]!;
  writeFileSync(join(dir, 'eco.json'), JSON.stringify({
    schema: 'poolspec.ecosystem/1', date: '2026-01-01T00:00:00.000Z', seed: 3, runs: 10, backends: [
      { name: 'peer-lib', role: 'peer', ref: 'peer-lib', library: 'a peer library', available: true, properties: naiveRow.properties.map((p) => (p.id.startsWith('diff.backward.') ? { ...p, status: 'n/a', note: 'forward only' } : p)) },
      { name: 'missing-lib', role: 'peer', ref: 'missing-lib', library: 'not installed', available: false, error: 'Cannot find package', properties: [] },
    ],
  }));
  // A chart an earlier report made and this one does not (the single-scope report's speedup chart).
  mkdirSync(join(out, 'latest-charts'), { recursive: true });
  writeFileSync(join(out, 'latest-charts', 'speedup.svg'), '<svg></svg>\n');
  reportRun = await cli(['report', '--bench', join(dir, 'bench.json'), '--verify', join(dir, 'verify.json'), '--ecosystem-file', join(dir, 'eco.json'), '--out', out, '--name', 'latest']);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('poolspec report files', () => {
  test('writes Markdown, HTML and one SVG per chart', () => {
    expect(reportRun.code, reportRun.stderr).toBe(0);
    const md = readFileSync(join(out, 'latest.md'), 'utf8');
    for (const chart of CHARTS) {
      expect(md).toContain(`](latest-charts/${chart}.svg)`);
      const svg = readFileSync(join(out, 'latest-charts', `${chart}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg).toMatch(/class="mark-(rect|line) role-mark/);
    }
    // Exactly this report's charts: the stale one planted before the run is gone.
    expect(readdirSync(join(out, 'latest-charts')).sort()).toEqual(CHARTS.map((c) => `${c}.svg`).sort());
    // The planted rows (PLANTED_MEDIANS), all in the whole-call scope: the first backend of a workload carries
    // the workload's name; cells are | workload | backend | via | min | median | … | × naive | flag |.
    const lines = md.split('\n');
    for (const p of PLANTED_MEDIANS) {
      const head = p.backend === 'naive' ? `| \`${p.workload}\` | naive | ` : `|  | ${p.backend} | `;
      const start = lines.findIndex((l) => l.startsWith(`| \`${p.workload}\` |`));
      const line = start < 0 ? undefined : lines.slice(start).find((l) => l.startsWith(head));
      expect(line, `${p.workload}/${p.backend}`).toBeDefined();
      const cells = line!.split(' | ');
      expect(cells[4], line).toBe(p.text);
      if (p.speedup) expect(cells[12], line).toBe(p.speedup);
    }
    expect(md).toMatch(/\*\*FAIL\*\* \(diff\.backward\./);
    expect(md).toContain('no 3-D kernels');
    // One table per scope, each under its own heading.
    expect(md).toContain('### whole call\n');
    expect(md).toContain('### op alone\n');
    expect(md).toMatch(/\| `resnet50-stem-max` \| im2col \| resident \|/);
    // Backward ÷ forward: the planted pair's cell, in the whole call (the only scope with backward rows here); the
    // synthetic file predates pairDirections, which the lead says.
    expect(md).toContain('## Backward ÷ forward\n');
    expect(md).toContain('sampled one after the other');
    const { backward, forward, backend, cell } = PLANTED_BACKWARD;
    expect(lines).toContain(`| \`${backward}\` | \`${forward}\` | ${backend} | ${cell} |`);
  });

  test('the unsupported cases are grouped by backend and reason, as verify prints them', () => {
    const html = readFileSync(join(out, 'latest.html'), 'utf8');
    const section = html.slice(html.indexOf('<h3>Unsupported cases</h3>'));
    const items = [...section.slice(0, section.indexOf('</ul>')).matchAll(/<li>(.*?)<\/li>/g)].map((m) => m[1]!);
    // The planted backend declines 15 properties for 7 distinct reasons (the structured kinds share theirs).
    const planted = verifyJson.backends[1]!;
    const declining = planted.properties.filter((p) => p.unsupported > 0 || p.status === 'unsupported');
    const reasons = new Set(declining.flatMap((p) => p.reasons));
    expect(declining.length).toBeGreaterThan(reasons.size);
    const mine = items.filter((li) => li.startsWith(`<b>${planted.backend}</b>`));
    expect(mine).toHaveLength(reasons.size);
    for (const reason of reasons) expect(mine.filter((li) => li.endsWith(esc(reason)))).toHaveLength(1);
  });

  test('bad inputs exit 2 with the reason', async () => {
    const [swapped, nothing, missingEco] = await Promise.all([
      cli(['report', '--verify', join(dir, 'bench.json'), '--ecosystem-file', 'none', '--out', join(dir, 'x')]),
      cli(['report', '--ecosystem-file', 'none', '--out', join(dir, 'y')]),
      cli(['report', '--bench', join(dir, 'bench.json'), '--ecosystem-file', join(dir, 'nope.json'), '--out', join(dir, 'z')]),
    ]);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/bench results file .*give it with --bench/);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to report/);
    expect(missingEco.code).toBe(2);
  });

  test('conformance input: verify files, arrays of them, ecosystem-style objects; foreign files refused', () => {
    const one = parseConformance(verifyJson, 'v.json');
    expect(one[0]!.backends.map((b) => b.label)).toEqual(verifyJson.backends.map((b) => b.backend));
    expect(parseConformance([verifyJson, verifyJson], 'arr.json')).toHaveLength(2);
    const eco = parseConformance(JSON.parse(readFileSync(join(dir, 'eco.json'), 'utf8')), 'eco.json')[0]!;
    expect(eco.backends.map((b) => [b.name, b.status])).toEqual([['peer-lib', 'pass'], ['missing-lib', 'unavailable']]);
    expect(() => parseConformance({ schema: 'poolspec.bench/1' }, 'b.json')).toThrow(/bench results file/);
    expect(() => parseConformance({ hello: 1 }, 'h.json')).toThrow(/not conformance results/);
    expect(() => parseConformance({ backends: [{ backend: 'x', status: 'great', properties: [] }] }, 's.json')).toThrow(/s\.json\.backends\[0\]\.status/);
  });
});

describe.skipIf(!HAVE_CHROMIUM && !process.env['CI'])('the HTML report in headless Chromium', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
    expect(reportRun.code, reportRun.stderr).toBe(0);
    server = await serve(out);
    const port = (server.address() as AddressInfo).port;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
    page = await browser.newPage();
    const response = await page.goto(`http://127.0.0.1:${port}/latest.html`, { waitUntil: 'load', timeout: 30_000 });
    expect(response?.status()).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((done) => server!.close(() => done()));
    }
  });

  test('every chart rendered: an SVG with its marks', async () => {
    const charts = await page.$$eval('figure[data-chart]', (figs) => figs.map((f) => {
      const svg = f.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const count = (sel: string): number => f.querySelectorAll(sel).length;
      return {
        name: f.getAttribute('data-chart'),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        bars: count('svg g.mark-rect.role-mark > path'),
        lines: count('svg g.mark-line.role-mark > path'),
        points: count('svg g.mark-symbol.role-mark > path'),
        axes: count('svg g.role-axis'),
      };
    }));
    expect(charts.map((c) => c.name)).toEqual(CHARTS);
    for (const c of charts) {
      expect(c.width, c.name!).toBeGreaterThan(200);
      expect(c.height, c.name!).toBeGreaterThan(100);
      expect(c.axes, c.name!).toBeGreaterThan(0);
    }
    const layer = new Set(bench.workloads.filter((w) => !w.sweep).map((w) => w.id));
    const byName = new Map(charts.map((c) => [c.name, c]));
    for (const scope of ['call', 'op'] as const) {
      // A chart holds the rows of its scope only; relative bars need a second backend on the workload.
      const rows = bench.results.filter((r): r is CompletedResult => r.state === 'completed' && r.scope === scope && layer.has(r.workload));
      expect(byName.get(`time-${scope}`)!.bars).toBe(rows.length);
      expect(byName.get(`bandwidth-${scope}`)!.bars).toBe(rows.length);
      expect(byName.get(`relative-${scope}`)!.bars).toBe(rows.filter((r) => rows.filter((x) => x.workload === r.workload).length > 1).length);
    }
    const done = bench.results.filter((r): r is CompletedResult => r.state === 'completed' && r.scope === 'call' && layer.has(r.workload));
    // The bars are drawn, not just present: every bar has a width, and on the time chart's log axis a longer
    // bar means a longer median (a broken scale would leave zero-width or unordered bars).
    const bars = await page.$$eval('figure[data-chart="time-call"] svg g.mark-rect.role-mark > path', (ps) => ps.map((p) => ({
      label: p.getAttribute('aria-label') ?? '', width: (p as SVGGraphicsElement).getBBox().width, height: (p as SVGGraphicsElement).getBBox().height,
    })));
    const valued = bars.map((b) => {
      const m = /workload: ([^;]+); backend: ([^;]+);/.exec(b.label);
      const r = done.find((x) => x.workload === m?.[1] && x.backend === m?.[2]);
      expect(r, b.label).toBeDefined();
      return { ...b, value: r!.medianMs };
    }).sort((a, b) => a.value - b.value);
    for (const b of valued) expect(b.width * b.height, b.label).toBeGreaterThan(0);
    for (let i = 1; i < valued.length; i++) expect(valued[i]!.width).toBeGreaterThanOrEqual(valued[i - 1]!.width - 1e-6);
    const lineBoxes = await page.$$eval('figure[data-chart^="scaling"] svg g.mark-line.role-mark > path', (ps) => ps.map((p) => (p as SVGGraphicsElement).getBBox().width));
    for (const w of lineBoxes) expect(w).toBeGreaterThan(10);
    // One line per (series, backend) of a sweep axis and one point per completed sweep result, counted from the
    // bench data here (not by bench/summary.ts scalingSeries, which the charts are built from).
    const sweepOf = new Map(bench.workloads.map((w) => [w.id, w.sweep]));
    for (const [name, axis] of [['scaling-size', 'size'], ['scaling-kernel', 'kernel']] as const) {
      const points = bench.results.filter((r) => r.state === 'completed' && sweepOf.get(r.workload)?.axis === axis);
      expect(points.length, name).toBeGreaterThan(0);
      expect(byName.get(name)!.lines).toBe(new Set(points.map((r) => `${sweepOf.get(r.workload)!.series}/${r.backend}`)).size);
      expect(byName.get(name)!.points).toBe(points.length);
    }
  });

  test('the results table holds the numbers of the JSON', async () => {
    const cells = await page.$$eval('table[id^="bench-table-"] tr[data-workload], table[id^="sweep-table-"] tr[data-workload]', (rows) => rows.map((r) => ({
      workload: r.getAttribute('data-workload'),
      backend: r.getAttribute('data-backend'),
      scope: r.getAttribute('data-scope'),
      min: r.querySelector('td[data-field="min"]')?.textContent ?? null,
      state: r.getAttribute('data-state'),
      median: r.querySelector('td[data-field="median"]')?.textContent ?? null,
      p99: r.querySelector('td[data-field="p99"]')?.textContent ?? null,
      samples: r.querySelector('td[data-field="samples"]')?.textContent ?? null,
      text: r.textContent ?? '',
    })));
    expect(cells).toHaveLength(bench.results.length);
    for (const r of bench.results) {
      const row = cells.find((c) => c.workload === r.workload && c.backend === r.backend && c.scope === r.scope);
      expect(row, `${r.workload}/${r.backend}/${r.scope}`).toBeDefined();
      expect(row!.state).toBe(r.state);
      if (r.state !== 'completed') {
        expect(row!.text).toContain(r.state === 'unsupported' ? r.reason : r.error);
        continue;
      }
      // 3 significant digits, plain decimal: a rounding error of at most half a unit in the third digit, so
      // within 0.5% of the median (the leading digit is at least 1); the planted rows to the character.
      expect(row!.median).toMatch(/^\d+(\.\d+)?$/);
      if (r.medianMs < 999.5) expect(row!.median!.replace('.', '').replace(/^0+/, '')).toHaveLength(3);
      expect(Math.abs(Number(row!.median) / r.medianMs - 1)).toBeLessThanOrEqual(0.005);
      const planted = r.scope === 'call' ? PLANTED_MEDIANS.find((p) => p.workload === r.workload && p.backend === r.backend) : undefined;
      if (planted) expect(row!.median).toBe(planted.text);
      expect(row!.min).toMatch(/^\d+(\.\d+)?$/);
      expect(Math.abs(Number(row!.min) / r.minMs - 1)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(Number(row!.p99) / r.p99Ms - 1)).toBeLessThan(0.01);
      expect(Number(row!.samples)).toBe(r.samplesCount);
    }
    const copy = await page.textContent('#environment');
    expect(copy).toContain(`${bench.machine.copy.medianGBps.toFixed(1)} GB/s`);
    expect(copy).toContain(`${bench.machine.firstTouch!.fresh.medianGBps.toFixed(2)} MB/ms writing a newly allocated array`);
  });

  test('the conformance matrix shows pass for the correct backend and the planted failure with its counterexample', async () => {
    const matrix = await page.$$eval('#conformance-matrix tbody tr', (rows) => rows.map((r) => ({
      clause: r.getAttribute('data-clause'),
      cells: [...r.querySelectorAll('td[data-backend]')].map((td) => ({ backend: td.getAttribute('data-backend'), status: td.getAttribute('data-status'), text: td.textContent })),
    })));
    expect(matrix.length).toBeGreaterThan(20);
    const [good, bad] = verifyJson.backends;
    const col = (name: string): { clause: string | null; status: string | null; text: string | null }[] =>
      matrix.map((r) => ({ clause: r.clause, ...r.cells.find((c) => c.backend === name)! }));
    expect(col(good!.backend).every((c) => c.status === 'pass' || c.status === 'none')).toBe(true);
    expect(col('missing-lib').every((c) => c.status === 'unavailable')).toBe(true);
    // Properties marked n/a (forward-only library) never make a clause fail.
    const peer = col('peer-lib');
    expect(peer.some((c) => c.status === 'pass')).toBe(true);
    expect(peer.every((c) => c.status !== 'fail')).toBe(true);
    expect(await page.textContent('#conformance')).toContain('Cannot find package');
    const failing = col(bad!.backend).filter((c) => c.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((c) => c.text === 'FAIL')).toBe(true);
    const failed = bad!.properties.filter((p) => p.status === 'fail');
    const details = await page.$$eval('details.failure', (ds) => ds.map((d) => ({ id: d.id, pre: d.querySelector('pre.counterexample')?.textContent ?? '', text: d.textContent ?? '' })));
    expect(details).toHaveLength(failed.length);
    for (const p of failed) {
      const d = details.find((x) => x.text.includes(p.id));
      expect(d, p.id).toBeDefined();
      expect(d!.pre).toBe(JSON.stringify(p.failure!.counterexample));
      expect(d!.text).toContain('replay: npx poolspec verify');
    }
  });
});

if (!HAVE_CHROMIUM && !process.env['CI']) {
  console.warn(`report.test.ts: ${CHROMIUM} is missing, the browser checks are skipped locally (apt-get install -y chromium); in CI they fail.`);
}
