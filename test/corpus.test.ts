/**
 * The regression corpus (test/corpus/*.json, poolspec.case/1; see test/corpus/README.md): every counterexample
 * found so far, the planted bugs' shrunk cases, the peers' minimal failures from the ecosystem matrix, and the
 * published pooling bugs written as cases. Each is replayed (spec/replay-case.ts: the property's check on exactly
 * that case) against every own backend under the backend's own policy, and must not fail there. So that the
 * corpus cannot pass vacuously, each planted-bug case fails on its planted backend, and the published cases fail
 * on the planted bug that makes the same mistake.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OWN_BACKENDS } from '../kernels/registry.js';
import { decodeCase, parseCaseFile, type CaseFile } from '../spec/case-file.js';
import type { PoolingBackend } from '../spec/contract.js';
import { resolvePolicy } from '../spec/policy.js';
import { replayCase, type ReplayVerdict } from '../spec/replay-case.js';
import { webgpuSkipReason } from './helpers/webgpu-availability.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'test', 'corpus');
const corpus: Array<{ name: string; file: CaseFile }> = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
  .map((f) => ({ name: f.slice(0, -'.json'.length), file: parseCaseFile(readFileSync(join(DIR, f), 'utf8'), f) }));

async function replay(name: string, backend: PoolingBackend, policy = resolvePolicy(undefined)): Promise<ReplayVerdict> {
  const c = corpus.find((k) => k.name === name)!;
  const { property, value } = decodeCase(c.file, name);
  return replayCase(property, backend, policy, value);
}

async function loadFixture(ref: string): Promise<PoolingBackend> {
  const mod = (await import(pathToFileURL(join(ROOT, ref)).href)) as { default: () => PoolingBackend };
  return mod.default();
}

describe('the corpus files', () => {
  test('every file is poolspec.case/1 with a source, and the corpus has each kind of origin', () => {
    for (const { name, file } of corpus) expect(file.source, name).toMatch(/\S/);
    const origins = new Set(corpus.map((c) => c.name.split('-')[0]));
    expect([...origins].sort()).toEqual(['own', 'peer', 'planted', 'published']);
  });
});

/** A platform backend (webgpu) is replayed where this machine can create it, as in the conformance suite. */
const unavailable = new Map<string, string>();
for (const entry of OWN_BACKENDS.filter((e) => e.platform)) {
  const reason = await webgpuSkipReason(`corpus, backend ${entry.name}`, async () => (await entry.create()).dispose?.());
  if (reason !== undefined) unavailable.set(entry.name, reason);
}

for (const entry of OWN_BACKENDS) {
  describe.skipIf(unavailable.has(entry.name))(`backend ${entry.name} replays the corpus`, () => {
    let backend: PoolingBackend;
    beforeAll(async () => { backend = await entry.create(); });
    afterAll(async () => { await backend?.dispose?.(); });

    test('no corpus case fails; only the structured kinds (SPEC.md §10) and plan() (optional) may be declined', async () => {
      const policy = resolvePolicy(entry.policy);
      const failed: string[] = [];
      const declined: string[] = [];
      for (const { name } of corpus) {
        const v = await replay(name, backend, policy);
        if (v.status === 'fail') failed.push(`${name}: ${v.message}`);
        if (v.status === 'unsupported') declined.push(`${name}: ${v.reason}`);
      }
      expect(failed).toEqual([]);
      for (const d of declined) expect(d).toMatch(/SPEC\.md §10|has no plan\(\)/);
      // The naive backend is the one that runs everything: it declines nothing.
      if (entry.name === 'naive') expect(declined).toEqual([]);
    });
  });
}

describe('the corpus is not vacuous', () => {
  const planted = corpus.filter((c) => c.name.startsWith('planted-'));

  test.each(planted.map((c) => [c.name, c.file.ref!]))('%s fails on its planted backend (%s)', async (name, ref) => {
    expect(ref).toMatch(/^test\/fixtures\/planted\/\w+\.mjs$/);
    const v = await replay(name, await loadFixture(ref));
    expect(v.status).toBe('fail');
  });

  /** Published bugs, by the planted bug that makes the same mistake: each of these cases must catch it. */
  const SAME_MISTAKE: Record<string, string[]> = {
    ceilOverhang: ['published-burn-ceil-1d', 'published-ceil-start-inside-avg-pad', 'published-ceil-start-inside-k1s2', 'published-onnx-ceil-last-window-on-pad',
      'published-ort-maxpool3d-ceil-pad', 'published-tfjs-ceil-rounding', 'published-webnn-window-in-padding'],
    divisorAtBorders: ['published-avg-ceil-divisor-1d', 'published-avg-ceil-divisor-7x7', 'published-ort-cip-ceil-overhang-1d', 'published-torch-onnx-cip-ceil-2d',
      'published-tfjs-avg-grad-divisor'],
    nanDropped: ['published-maxpool3d-all-nan', 'published-tf-nan-valid-2x1', 'published-tfjs-ignores-nan', 'published-torch-all-nan-window'],
    tieLast: ['published-argmax-tie-first', 'published-grad-first-tied-max'],
    backwardOverwrite: ['published-tfjs-avg-grad-divisor'],
  };
  test.each(Object.entries(SAME_MISTAKE))('planted %s is caught by the published cases of the same mistake', async (bug, names) => {
    const backend = await loadFixture(`test/fixtures/planted/${bug}.mjs`);
    const statuses = await Promise.all(names.map(async (n) => [n, (await replay(n, backend)).status]));
    expect(statuses).toEqual(names.map((n) => [n, 'fail']));
  });

  test('the correct external backend passes every case it does not decline', async () => {
    const backend = await loadFixture('test/fixtures/external-backend.mjs');
    const failed: string[] = [];
    for (const { name } of corpus) {
      const v = await replay(name, backend);
      if (v.status === 'fail') failed.push(`${name}: ${v.message}`);
    }
    expect(failed).toEqual([]);
  });
});
