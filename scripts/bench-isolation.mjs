#!/usr/bin/env node
/**
 * Does one benchmark task change the numbers of the next one in the same process? (bench/README.md, "Isolation")
 *
 * Times a few target tasks (backend × workload × scope) under two conditions, each in a fresh Node process:
 *   alone  — the targets only;
 *   after  — the same targets right after a task that allocates and frees large arrays (the dense 16×64×128²
 *            max pool, whole call: 64 MiB in, 64 MiB y and 64 MiB indices out per call), as in a full run.
 * The conditions alternate, `rounds` times, so machine noise spreads over both. Prints one line per run (min and
 * median of each target) and, per target and condition, the spread of the medians over the runs.
 *
 *   node scripts/bench-isolation.mjs [rounds=5]          (needs `npm run build`)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TARGETS = [
  { workload: 'resnet50-stem-max', backend: 'wasm', scope: 'call' },
  { workload: 'vgg16-pool1-max-b1', backend: 'wasm', scope: 'call' },
  { workload: 'resnet50-stem-max', backend: 'naive', scope: 'call-reused' },
  { workload: 'resnet50-stem-max', backend: 'tfjs-wasm', scope: 'op' },
];
const HEAVY = { workload: 'dense-3x3-max', backend: 'wasm', scope: 'call' };

async function child(condition) {
  const root = new URL('..', import.meta.url);
  const { runBench } = await import(new URL('dist/bench/runner.js', root).href);
  const { ALL_WORKLOADS } = await import(new URL('dist/bench/workloads.js', root).href);
  const { loadBackend } = await import(new URL('dist/cli/load-backend.js', root).href);
  const names = [...new Set([...TARGETS, HEAVY].map((t) => t.backend))];
  const loaded = new Map();
  for (const n of names) loaded.set(n, (await loadBackend(n)).backend);
  const byId = new Map(ALL_WORKLOADS.map((w) => [w.id, w]));
  const tasks = condition === 'after' ? [HEAVY, ...TARGETS] : TARGETS;
  const out = {};
  for (const t of tasks) {
    // One runBench per task, in this order, in this process: its probe is tiny so it disturbs nothing.
    const r = await runBench({
      backends: [{ name: t.backend, ref: t.backend, backend: loaded.get(t.backend) }],
      workloads: [byId.get(t.workload)],
      settings: { scopes: [t.scope], timeMs: 600, minSamples: 10 },
      probe: { bufferBytes: 1 << 20, trials: 1 },
    });
    const res = r.results[0];
    if (t !== HEAVY) out[`${t.workload}/${t.backend}/${t.scope}`] = res.state === 'completed' ? { min: res.minMs, median: res.medianMs, flag: res.flag } : { error: res.error ?? res.reason };
  }
  for (const b of loaded.values()) await b.dispose?.();
  process.stdout.write(JSON.stringify(out));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function parent(rounds) {
  const self = fileURLToPath(import.meta.url);
  const runs = { alone: [], after: [] };
  for (let i = 0; i < rounds; i++) {
    for (const condition of i % 2 ? ['after', 'alone'] : ['alone', 'after']) {
      const r = JSON.parse(execFileSync(process.execPath, [self, '--child', condition], { encoding: 'utf8', maxBuffer: 1 << 24 }));
      runs[condition].push(r);
      console.log(`round ${i + 1} ${condition.padEnd(5)} ${Object.entries(r).map(([k, v]) => `${k}: ${v.error ?? `min ${v.min.toFixed(3)} median ${v.median.toFixed(3)}${v.flag ? ` ${v.flag}` : ''}`}`).join(' | ')}`);
    }
  }
  console.log('\nper target: median of the run medians [range over runs], min of the run minima; after / alone');
  for (const k of Object.keys(runs.alone[0])) {
    const s = (c) => {
      const meds = runs[c].map((r) => r[k].median).filter((x) => x !== undefined);
      const mins = runs[c].map((r) => r[k].min).filter((x) => x !== undefined);
      return { med: median(meds), lo: Math.min(...meds), hi: Math.max(...meds), min: Math.min(...mins) };
    };
    const a = s('alone');
    const b = s('after');
    const f = (x) => x.toFixed(3);
    console.log(`${k}\n  alone ${f(a.med)} [${f(a.lo)}, ${f(a.hi)}] min ${f(a.min)}\n  after ${f(b.med)} [${f(b.lo)}, ${f(b.hi)}] min ${f(b.min)}   after/alone ${(b.med / a.med).toFixed(2)}×`);
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else parent(Number(process.argv[2] ?? 5));
