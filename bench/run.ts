/**
 * A side-by-side timing of every built-in backend on the named workloads (bench/workloads.ts), with tinybench,
 * in one run: median, p99, relative margin of error, samples, effective GB/s and the speed-up over naive.
 * Timings are for reading, never asserted by tests.
 *
 *   node dist/bench/run.js [--quick] [--filter SUBSTR] [--backends a,b] [--json FILE]
 */
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import type { PoolingBackend, Tensor } from '../kernels/contract.js';
import { poolGeometry, product } from '../kernels/geometry.js';
import { OWN_BACKENDS } from '../kernels/registry.js';
import { WORKLOADS, workloadBytes, type Workload } from './workloads.js';

export interface BenchRow {
  readonly workload: string;
  readonly backend: string;
  readonly state: 'completed' | 'unsupported' | 'errored';
  readonly note?: string;
  readonly medianMs?: number;
  readonly p99Ms?: number;
  readonly rmePercent?: number;
  readonly samples?: number;
  readonly gbPerS?: number;
}

/** Deterministic inputs (a small LCG): the same bytes for every backend. */
function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 8 - 4;
  }
  return out;
}

function inputs(w: Workload): { x: Tensor; dy: Tensor } {
  const outShape = [...poolGeometry(w.spec, w.shape, w.layout).outShape];
  return {
    x: { shape: [...w.shape], data: data(product(w.shape), 1), layout: w.layout },
    dy: { shape: outShape, data: data(product(outShape), 2), layout: w.layout },
  };
}

export async function runBench(opts: { quick: boolean; filter?: string; backends?: string[] }): Promise<BenchRow[]> {
  const entries = OWN_BACKENDS.filter((b) => !opts.backends || opts.backends.includes(b.name));
  const backends: PoolingBackend[] = [];
  for (const e of entries) backends.push(await e.create());
  const rows: BenchRow[] = [];
  const workloads = WORKLOADS.filter((w) => !opts.filter || w.id.includes(opts.filter));
  for (const w of workloads) {
    const { x, dy } = inputs(w);
    const bytes = workloadBytes(w);
    for (const b of backends) {
      const support = b.supports(w.spec, w.shape, w.layout);
      if (!support.ok) {
        rows.push({ workload: w.id, backend: b.name, state: 'unsupported', note: support.reason });
        continue;
      }
      // Slow backends get few samples; the median of ≥ 3 is still reported with its margin of error.
      const bench = new Bench({ time: opts.quick ? 100 : 1000, iterations: opts.quick ? 2 : 5, warmupTime: opts.quick ? 20 : 200, warmupIterations: 1 });
      const run = w.direction === 'forward' ? () => b.forward(w.spec, x) : () => b.backward(w.spec, x, dy);
      bench.add(`${w.id}/${b.name}`, async () => { await run(); });
      process.stderr.write(`  ${w.id} · ${b.name} …`);
      await bench.run();
      const r = bench.tasks[0]!.result;
      if (r.state !== 'completed') {
        const err = 'error' in r ? String((r as { error?: unknown }).error) : r.state;
        rows.push({ workload: w.id, backend: b.name, state: 'errored', note: err });
        process.stderr.write(` ${err}\n`);
        continue;
      }
      const l = r.latency;
      rows.push({
        workload: w.id, backend: b.name, state: 'completed', medianMs: l.p50, p99Ms: l.p99, rmePercent: l.rme,
        samples: l.samplesCount, gbPerS: bytes / (l.p50 / 1000) / 1e9,
      });
      process.stderr.write(` ${l.p50.toFixed(3)} ms\n`);
    }
  }
  for (const b of backends) await b.dispose?.();
  return rows;
}

export function renderRows(rows: readonly BenchRow[]): string {
  const out: string[] = [];
  for (const id of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === id);
    const naive = group.find((r) => r.backend === 'naive')?.medianMs;
    out.push(`\n${id}`);
    out.push('  backend   median ms    p99 ms   ±rme%  samples    GB/s  × naive');
    for (const r of group) {
      if (r.state !== 'completed') { out.push(`  ${r.backend.padEnd(8)}  ${r.state}: ${r.note}`); continue; }
      const speedup = naive !== undefined ? (naive / r.medianMs!).toFixed(1) : '-';
      out.push(`  ${r.backend.padEnd(8)} ${r.medianMs!.toFixed(3).padStart(10)} ${r.p99Ms!.toFixed(3).padStart(9)} ${r.rmePercent!.toFixed(1).padStart(7)} ${String(r.samples).padStart(8)} ${r.gbPerS!.toFixed(2).padStart(7)} ${speedup.padStart(8)}`);
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, filter: { type: 'string' }, backends: { type: 'string' }, json: { type: 'string' } } });
  const rows = await runBench({ quick: values.quick ?? false, ...(values.filter ? { filter: values.filter } : {}), ...(values.backends ? { backends: values.backends.split(',') } : {}) });
  console.log(renderRows(rows));
  if (values.json) {
    const { writeFileAtomic } = await import('../cli/atomic.js');
    writeFileAtomic(values.json, `${JSON.stringify({ schema: 'poolspec.bench-draft/0', date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
