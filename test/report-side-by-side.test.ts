/**
 * The report's side-by-side section (reports/side-by-side.ts, rendered by reports/build.ts): from a small results
 * file with planted mins and medians, the tables carry each side's numbers and the ratios ours ÷ peer. Every
 * expected ratio below is worked out by hand from the planted numbers, not by the code under test.
 */
import { describe, expect, test } from 'vitest';
import type { BenchResult, BenchResults, CompletedResult, Scope } from '../bench/schema.js';
import { syntheticResults } from '../bench/synthetic.js';
import { ALL_WORKLOADS } from '../bench/workloads.js';
import { buildReport } from '../reports/build.js';
import { sideBySide } from '../reports/side-by-side.js';

const WORKLOADS = ALL_WORKLOADS.filter((w) => ['resnet50-stem-max', 'resnet-global-avg', 'resnet50-stem-max-bwd'].includes(w.id));

/** [workload, backend, scope, min, median] planted; a missing row is left out of the file. */
const PLANTED: ReadonlyArray<readonly [string, string, Scope, number, number]> = [
  ['resnet50-stem-max', 'webgpu', 'op', 2, 3],
  ['resnet50-stem-max', 'tfjs-webgpu', 'op', 4, 4], // 2/4 = 0.50×, 3/4 = 0.75×
  ['resnet50-stem-max', 'webgpu', 'call', 10, 12],
  ['resnet50-stem-max', 'tfjs-webgpu', 'call', 8, 9.6], // 10/8 = 1.25×, 12/9.6 = 1.25×
  ['resnet-global-avg', 'webgpu', 'op', 1.5, 1.8],
  ['resnet-global-avg', 'tfjs-webgpu', 'op', 0.5, 0.6], // 3.00×, 3.00×
  ['resnet50-stem-max-bwd', 'webgpu', 'op', 7, 9],
  ['resnet50-stem-max-bwd', 'tfjs-webgpu', 'op', 21, 20], // 7/21 = 0.333… → 0.33×, 9/20 = 0.45×
  ['resnet50-stem-max', 'wasm', 'call', 1, 1.1],
  ['resnet50-stem-max', 'onnxruntime-web', 'call', 0.8, 1.0], // 1/0.8 = 1.25×, 1.1/1.0 = 1.10×
  ['resnet50-stem-max', 'tfjs-wasm', 'call', 3, 4.4], // 1/3 = 0.333… → 0.33×, 1.1/4.4 = 0.25×
];

function results(): BenchResults {
  const base = syntheticResults({ seed: 3, backends: ['webgpu', 'tfjs-webgpu', 'wasm', 'onnxruntime-web', 'tfjs-wasm'], workloads: WORKLOADS, samples: 5 });
  const template = base.results.find((r): r is CompletedResult => r.state === 'completed')!;
  const planted: BenchResult[] = PLANTED.map(([workload, backend, scope, min, median]) => ({
    ...template, workload, backend, scope, minMs: min, medianMs: median, via: scope === 'op' ? 'resident' : 'forward',
  }));
  planted.push({ workload: 'resnet-global-avg', backend: 'tfjs-webgpu', scope: 'call', state: 'unsupported', reason: 'planted reason' });
  planted.push({ ...template, workload: 'resnet-global-avg', backend: 'webgpu', scope: 'call', minMs: 5, medianMs: 6 });
  return {
    ...base,
    results: planted,
    backends: base.backends.map((b) => (b.name === 'webgpu' ? { ...b, device: 'google swiftshader (SwiftShader driver), software adapter' } : b)),
  };
}

describe('side-by-side section', () => {
  test('sideBySide: one table per group and scope, ratios ours ÷ peer of min and median', () => {
    const tables = sideBySide(results());
    expect(tables.map((t) => `${t.group.id}:${t.scope}`)).toEqual(['webgpu:op', 'webgpu:call', 'wasm:call']);
    const op = tables[0]!;
    expect(op.peers).toEqual(['tfjs-webgpu']);
    expect(op.absent).toEqual(['onnxruntime-web-webgpu']);
    const stem = op.rows.find((r) => r.workload === 'resnet50-stem-max')!;
    expect(stem.ours).toEqual({ minMs: 2, medianMs: 3 });
    expect(stem.peers[0]!.ratioMin).toBeCloseTo(0.5, 12);
    expect(stem.peers[0]!.ratioMedian).toBeCloseTo(0.75, 12);
    const bwd = op.rows.find((r) => r.workload === 'resnet50-stem-max-bwd')!;
    expect(bwd.direction).toBe('backward');
    expect(bwd.peers[0]!.ratioMin).toBeCloseTo(1 / 3, 12);
    expect(bwd.peers[0]!.ratioMedian).toBeCloseTo(0.45, 12);
    const call = tables[1]!;
    expect(call.rows.find((r) => r.workload === 'resnet-global-avg')!.peers[0]!.missing).toBe('unsupported: planted reason');
  });

  test('a values-only variant is compared on the max forwards only', () => {
    const r = results();
    const template = r.results.find((x): x is CompletedResult => x.state === 'completed')!;
    const values: BenchResult[] = [
      { ...template, workload: 'resnet50-stem-max', backend: 'webgpu-values', scope: 'op', minMs: 1, medianMs: 2 }, // 1/4, 2/4
      { ...template, workload: 'resnet-global-avg', backend: 'webgpu-values', scope: 'op', minMs: 1.5, medianMs: 1.8 }, // avg: left out
      { ...template, workload: 'resnet50-stem-max-bwd', backend: 'webgpu-values', scope: 'op', minMs: 7, medianMs: 9 }, // backward: left out
    ];
    const tables = sideBySide({ ...r, results: [...r.results, ...values] });
    expect(tables.map((t) => `${t.group.id}:${t.scope}`)).toEqual(['webgpu:op', 'webgpu:call', 'webgpu-values:op', 'wasm:call']);
    const v = tables[2]!;
    expect(v.rows.map((row) => row.workload)).toEqual(['resnet50-stem-max']);
    expect(v.rows[0]!.peers[0]!.ratioMin).toBeCloseTo(0.25, 12);
    expect(v.rows[0]!.peers[0]!.ratioMedian).toBeCloseTo(0.5, 12);
  });

  test('the Markdown and the HTML carry the numbers, the ratios, the charts and the software-adapter sentence', async () => {
    const report = await buildReport({ bench: results(), benchFile: 'planted.json', chartsDir: 'charts' });
    const md = report.markdown;
    expect(md).toContain('## Side by side with the web runtimes');
    expect(md).toMatch(/software adapter[^.]*compares shader work[^.]*not GPUs/);
    expect(md).toContain("This run's adapter is a software one: google swiftshader");
    // Columns: workload, direction, ours min, ours median, then per peer min, median, ratio of mins, ratio of medians.
    expect(md).toContain('| `resnet50-stem-max` | forward | 2.00 | 3.00 | 4.00 | 4.00 | 0.50× | 0.75× |');
    expect(md).toContain('| `resnet-global-avg` | forward | 1.50 | 1.80 | 0.500 | 0.600 | 3.00× | 3.00× |');
    expect(md).toContain('| `resnet50-stem-max-bwd` | backward | 7.00 | 9.00 | 21.0 | 20.0 | 0.33× | 0.45× |');
    expect(md).toContain('| `resnet50-stem-max` | forward | 10.0 | 12.0 | 8.00 | 9.60 | 1.25× | 1.25× |');
    expect(md).toContain('| `resnet-global-avg` | forward | 5.00 | 6.00 | unsupported: planted reason | – | – | – |');
    expect(md).toContain('| `resnet50-stem-max` | forward | 1.00 | 1.10 | 0.800 | 1.00 | 1.25× | 1.10× | 3.00 | 4.40 | 0.33× | 0.25× |');
    expect(md).toContain('Not in this run: onnxruntime-web-webgpu');
    for (const name of ['peers-webgpu-op', 'peers-webgpu-call', 'peers-wasm-call']) expect(md).toContain(`](charts/${name}.svg)`);

    const html = report.html;
    const cell = (table: string, workload: string, field: string): string | undefined => {
      const t = html.slice(html.indexOf(`id="side-by-side-${table}"`));
      const row = t.slice(t.indexOf(`data-workload="${workload}"`));
      return new RegExp(`data-field="${field}">([^<]*)<`).exec(row.slice(0, row.indexOf('</tr>')))?.[1];
    };
    expect(cell('webgpu-op', 'resnet50-stem-max', 'tfjs-webgpu-ratio-median')).toBe('0.75×');
    expect(cell('webgpu-op', 'resnet50-stem-max-bwd', 'tfjs-webgpu-ratio-min')).toBe('0.33×');
    expect(cell('wasm-call', 'resnet50-stem-max', 'tfjs-wasm-ratio-median')).toBe('0.25×');
    // The ratio charts render: one bar per (workload, peer) with a ratio.
    const svg = report.charts.find((c) => c.name === 'peers-webgpu-op')!.svg;
    expect((svg.match(/aria-roledescription="bar"/g) ?? []).length).toBe(3);
  });
});
