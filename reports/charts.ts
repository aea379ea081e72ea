/**
 * The report's charts: Vega-Lite specifications built from a bench results file, compiled to Vega and rendered
 * to SVG in Node (no browser, no canvas): `vegaLite.compile(spec).spec` → `new vega.View(vega.parse(…),
 * { renderer: 'none' }).toSVG()`. Nothing here writes SVG by hand.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResults } from '../bench/schema.js';
import { SCOPE_NAMES, completed, relativeToFastest, scalingSeries, scopesIn } from '../bench/summary.js';
import { sideBySide } from './side-by-side.js';

export interface Chart {
  /** File-safe name, also the figure's data-chart attribute. */
  readonly name: string;
  readonly title: string;
  /** What the chart shows and how to read it. */
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

export interface RenderedChart extends Omit<Chart, 'spec'> {
  readonly svg: string;
}

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#ff9da6', '#bab0ac'];
const FONT = { font: 'Helvetica, Arial, sans-serif', labelFont: 'Helvetica, Arial, sans-serif', titleFont: 'Helvetica, Arial, sans-serif' };

/** One colour per backend across every chart (the domain is all backends); the legend lists those shown. */
function colour(all: readonly string[], shown: readonly string[] = all): Record<string, unknown> {
  return {
    field: 'backend', type: 'nominal',
    scale: { domain: [...all], range: PALETTE.slice(0, Math.max(1, all.length)) },
    legend: { title: 'backend', orient: 'top', values: [...shown] },
  };
}

function base(): Pick<TopLevelSpec, '$schema' | 'config' | 'background'> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: { ...FONT, axis: { labelFontSize: 10, titleFontSize: 11 }, legend: { labelFontSize: 10, titleFontSize: 11 }, view: { stroke: null } },
  };
}

/** Grouped horizontal bars: one band per workload, one bar per backend. */
function barChart(rows: Record<string, unknown>[], order: readonly string[], backends: readonly string[], x: Record<string, unknown>, rule?: number, colours: readonly string[] = backends): TopLevelSpec {
  // With a yOffset channel, Vega-Lite's height step is the step of one bar (the offset band), not of a workload.
  const step = backends.length > 3 ? 7 : 9;
  const bars = {
    mark: { type: 'bar' as const, height: { band: 1 } },
    encoding: {
      y: { field: 'workload', type: 'nominal' as const, sort: [...order], title: null, axis: { labelLimit: 260 } },
      yOffset: { field: 'backend', type: 'nominal' as const, sort: [...backends] },
      // Bars side by side, not stacked (stacking would also put 0 into a log scale's domain).
      x: { ...x, stack: null },
      color: colour(colours, backends),
      tooltip: [{ field: 'workload' }, { field: 'backend' }, { field: x['field'] as string, type: 'quantitative' as const, format: '.4~g' }],
    },
  };
  return {
    ...base(),
    width: 560,
    height: { step },
    data: { values: rows },
    ...(rule === undefined
      ? bars
      : { layer: [bars, { mark: { type: 'rule' as const, color: '#333', strokeDash: [4, 3] }, encoding: { x: { datum: rule, type: 'quantitative' as const } } }] }),
  };
}

function lineChart(rows: Record<string, unknown>[], backends: readonly string[], x: Record<string, unknown>, facet?: string): TopLevelSpec {
  const inner = {
    width: 300,
    height: 220,
    layer: [
      { mark: { type: 'line' as const, point: true } },
    ],
    encoding: {
      x,
      y: { field: 'medianMs', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'median time (ms, log)' },
      color: colour(backends),
      tooltip: [{ field: 'backend' }, { field: 'value', title: 'swept value' }, { field: 'medianMs', type: 'quantitative' as const, format: '.4~g' }],
    },
  };
  if (!facet) return { ...base(), data: { values: rows }, ...inner };
  return { ...base(), data: { values: rows }, facet: { column: { field: facet, type: 'nominal', title: null } }, spec: inner };
}

/**
 * The charts a results file supports (a chart without data is left out): per scope (the whole call, the whole
 * call into reused outputs, the op alone), the median time, the ratio to the fastest backend of that scope, and
 * the fraction of copy bandwidth; then the scaling curves. Rows of different scopes never share a chart.
 */
export function benchCharts(results: BenchResults): Chart[] {
  const layerIds = results.workloads.filter((w) => !w.sweep).map((w) => w.id);
  const layerSet = new Set(layerIds);
  const backends = results.backends.map((b) => b.name);
  const charts: Chart[] = [];
  for (const scope of scopesIn(results)) {
    const rows = completed(results).filter((r) => r.scope === scope && layerSet.has(r.workload));
    if (!rows.length) continue;
    const shown = backends.filter((b) => rows.some((r) => r.backend === b));
    const ids = layerIds.filter((id) => rows.some((r) => r.workload === id));
    const name = SCOPE_NAMES[scope];
    charts.push({
      name: `time-${scope}`, title: `Median time per call — ${name}`,
      caption: `Median latency of one call per backend and workload, ${name} only (log scale; shorter is faster).`,
      spec: barChart(rows.map((r) => ({ workload: r.workload, backend: r.backend, medianMs: r.medianMs })), ids, shown,
        { field: 'medianMs', type: 'quantitative', scale: { type: 'log' }, title: 'median time per call (ms, log scale)' }, undefined, backends),
    });
    const rel = rows.map((r) => ({ workload: r.workload, backend: r.backend, ratio: relativeToFastest(results, r) })).filter((r) => r.ratio !== undefined);
    if (rel.length) {
      charts.push({
        name: `relative-${scope}`, title: `Relative to the fastest — ${name}`,
        caption: `median(backend) / the lowest median on the workload among the ${name} rows (log scale; the dashed line, 1, is the fastest).`,
        spec: barChart(rel, ids, shown, { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: 'median / fastest median in this scope (×, log scale)' }, 1, backends),
      });
    }
    const bw = rows.filter((r) => r.fractionOfCopy !== null).map((r) => ({ workload: r.workload, backend: r.backend, fraction: r.fractionOfCopy }));
    if (bw.length) {
      charts.push({
        name: `bandwidth-${scope}`, title: `Fraction of the machine's copy bandwidth — ${name}`,
        caption: `Effective GB/s (minimum bytes read + written / median) over this run's copy probe, ${results.machine.copy.medianGBps.toFixed(1)} GB/s${results.backends.some((b) => b.deviceCopy) ? ' (a GPU backend: over its device\'s copy, Machine table)' : ''} (dashed line: 100%). Above 100%: the data fits in cache.`,
        spec: barChart(bw, ids, shown, { field: 'fraction', type: 'quantitative', title: 'fraction of copy bandwidth', axis: { format: '.0%' } }, 1, backends),
      });
    }
  }
  const series = scalingSeries(results);
  // A line per backend and scope: its legend label names the scope unless it is the whole call.
  const labels = [...new Set(series.map((s) => s.label))];
  const size = series.filter((s) => s.axis === 'size').flatMap((s) => s.points.map((p) => ({ backend: s.label, series: s.series, value: p.value, elements: p.elements, medianMs: p.medianMs })));
  if (size.length) {
    charts.push({
      name: 'scaling-size', title: 'Time against input size',
      caption: 'Median time against the number of input elements (S×S planes, 3×3 window, log-log): a slope of 1 is linear in the input.',
      spec: lineChart(size, labels, { field: 'elements', type: 'quantitative', scale: { type: 'log' }, title: 'input elements (log)' }),
    });
  }
  const kernel = series.filter((s) => s.axis === 'kernel').flatMap((s) => s.points.map((p) => ({ backend: s.label, series: s.series, value: p.value, medianMs: p.medianMs })));
  if (kernel.length) {
    charts.push({
      name: 'scaling-kernel', title: 'Time against kernel size',
      caption: 'Median time against the window extent k (k×k windows, same output size; log-log): a direct loop grows as k² (O(k^d), slope 2), a separable one as k (O(d·k), slope 1).',
      spec: lineChart(kernel, labels, {
        field: 'value', type: 'quantitative', title: 'kernel extent k (log)', scale: { type: 'log' },
        axis: { values: [...new Set(kernel.map((p) => p.value))].sort((a, b) => a - b), format: 'd' },
      }, 'series'),
    });
  }
  return charts;
}

/**
 * The side-by-side section's charts (reports/side-by-side.ts): per peer group and scope, ours ÷ peer of the
 * medians per workload, one bar per peer (log scale; the dashed line, 1, is parity; left of it ours is faster).
 */
export function sideBySideCharts(results: BenchResults): Chart[] {
  return sideBySide(results).flatMap((t) => {
    const rows = t.rows.flatMap((r) => r.peers.filter((c) => c.ratioMedian !== undefined).map((c) => ({ workload: r.workload, backend: c.backend, ratio: c.ratioMedian })));
    if (!rows.length) return [];
    const ids = t.rows.map((r) => r.workload);
    const shown = t.peers.filter((p) => rows.some((r) => r.backend === p));
    return [{
      name: `peers-${t.group.id}-${t.scope}`, title: `${t.group.ours} ÷ peer, median — ${SCOPE_NAMES[t.scope]}`,
      caption: `median(${t.group.ours}) / median(peer) per workload, ${SCOPE_NAMES[t.scope]} (log scale; left of the dashed line, 1, ${t.group.ours} is faster).`,
      spec: barChart(rows, ids, shown, { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: `${t.group.ours} median / peer median (×, log scale)` }, 1, t.peers),
    }];
  });
}

/** Renders a Vega-Lite spec to an SVG string, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Makes the ids inside one SVG unique to it (clip paths, gradients), so that several SVGs can be inlined in one
 * HTML page without one chart's url(#id) resolving into another's.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  let out = svg;
  for (const id of ids) {
    const esc = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out
      .replace(new RegExp(`(\\sid=")${esc}"`, 'g'), `$1${prefix}-${id}"`)
      .replace(new RegExp(`url\\(#${esc}\\)`, 'g'), `url(#${prefix}-${id})`)
      .replace(new RegExp(`(href=")#${esc}"`, 'g'), `$1#${prefix}-${id}"`);
  }
  return out;
}

export async function renderCharts(charts: readonly Chart[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const c of charts) out.push({ name: c.name, title: c.title, caption: c.caption, svg: scopeSvgIds(await renderSvg(c.spec), `chart-${c.name}`) });
  return out;
}
