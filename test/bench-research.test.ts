/**
 * The research kinds' benchmark (bench/research.ts, `poolspec bench --research`): the workloads are valid specs
 * that naive supports, with IDs apart from the PoolSpec workloads; a backend without the members gets
 * unsupported rows with the reason, never a time. No timing is asserted.
 */
import { describe, expect, test } from 'vitest';
import { researchOutShape, researchRows, runResearchBench } from '../bench/research.js';
import { ALL_WORKLOADS, RESEARCH_WORKLOADS } from '../bench/workloads.js';
import type { PoolingBackend, ReducerPoolSpec, StatsPoolSpec } from '../spec/contract.js';
import { createNaiveBackend } from '../kernels/naive/index.js';

const naive = createNaiveBackend();

describe('research workloads', () => {
  test('IDs are unique and apart from the PoolSpec workloads; each names its layer', () => {
    const ids = RESEARCH_WORKLOADS.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(ALL_WORKLOADS.some((w) => w.id === id)).toBe(false);
    for (const w of RESEARCH_WORKLOADS) expect(w.layer.length).toBeGreaterThan(10);
  });
  test('the issue\'s three shapes are there: GeM 32×2048×7×7 global, SoftPool at the ResNet stem, stats 16×512×300', () => {
    const gem = RESEARCH_WORKLOADS.find((w) => w.spec.kind === 'gem')!;
    expect(gem.shape).toEqual([32, 2048, 7, 7]);
    expect(researchOutShape(gem)).toEqual([32, 2048, 1, 1]);
    expect(RESEARCH_WORKLOADS.find((w) => w.spec.kind === 'softpool')!.shape).toEqual([1, 64, 112, 112]);
    const stats = RESEARCH_WORKLOADS.find((w) => w.spec.kind === 'stats')!;
    expect(researchOutShape(stats)).toEqual([16, 1024]);
  });
  test.each(RESEARCH_WORKLOADS.map((w) => [w.id, w] as const))('naive supports %s', (_id, w) => {
    const s = w.spec.kind === 'stats'
      ? naive.statistics.supports(w.spec as StatsPoolSpec, w.shape, w.layout)
      : naive.reducers.supports(w.spec as ReducerPoolSpec, w.shape, w.layout);
    expect(s).toEqual({ ok: true });
  });
});

describe('runResearchBench', () => {
  test('a backend without the members is unsupported with the reason; naive completes', async () => {
    const plain: PoolingBackend = { name: 'plain', supports: (s, sh, l) => naive.supports(s, sh, l), forward: (s, x) => naive.forward(s, x), backward: (s, x, dy) => naive.backward(s, x, dy) };
    const r = await runResearchBench({
      backends: [{ name: 'naive', ref: 'naive', backend: naive }, { name: 'plain', ref: 'plain', backend: plain }],
      filter: ['stats-xvector-b16', 'lse-global-14-b8'], settings: { timeMs: 1, minSamples: 1, warmupMs: 0, warmupIterations: 0 },
    });
    expect(r.results.map((x) => [x.workload, x.backend, x.state])).toEqual([
      ['stats-xvector-b16', 'naive', 'completed'], ['stats-xvector-b16', 'plain', 'unsupported'],
      ['lse-global-14-b8', 'naive', 'completed'], ['lse-global-14-b8', 'plain', 'unsupported'],
    ]);
    const plainRows = researchRows(r).filter((row) => row[1] === 'plain');
    expect(plainRows[0]![7]).toMatch(/statistics/);
    expect(plainRows[1]![7]).toMatch(/reducers/);
  }, 60_000);
});
