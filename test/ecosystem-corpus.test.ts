/**
 * The corpus replayed on ecosystem rows (reports/ecosystem-corpus.ts): a correct backend fails nothing, a planted
 * bug fails its own case and the published cases of the same mistake, a forward-only library's backward cases are
 * n/a, and (where tfjs is installed) tfjs-cpu fails again every minimal case the matrix recorded for it.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createNaiveBackend } from '../kernels/naive/index.js';
import { PEER_BACKENDS } from '../kernels/peers/index.js';
import { loadCorpus, replayCorpus } from '../reports/ecosystem-corpus.js';
import type { PoolingBackend } from '../spec/contract.js';
import { BackendError } from '../spec/errors.js';
import { FORWARD_ONLY } from '../spec/extensions.js';
import { DEFAULT_POLICY, resolvePolicy } from '../spec/policy.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const corpus = loadCorpus(join(ROOT, 'test', 'corpus'));

describe('replayCorpus', () => {
  test('the naive backend fails no case and checks every case it does not decline', async () => {
    const r = await replayCorpus(createNaiveBackend(), DEFAULT_POLICY, corpus);
    expect(r).toEqual({ checked: corpus.length, declined: 0, notApplicable: 0, failed: [] });
  });

  test('a planted tie bug fails its own case and the published tie cases; a row\'s properties narrow the replay', async () => {
    const mod = (await import(pathToFileURL(join(ROOT, 'test/fixtures/planted/tieLast.mjs')).href)) as { default: () => PoolingBackend };
    const r = await replayCorpus(mod.default(), DEFAULT_POLICY, corpus, ['diff.forward.max']);
    expect(r.failed).toEqual(expect.arrayContaining(['planted-tieLast', 'published-argmax-tie-first']));
    expect(r.checked + r.declined + r.notApplicable).toBe(corpus.filter((c) => c.file.property === 'diff.forward.max').length);
  });

  test('backward cases on a forward-only library are n/a, not failures', async () => {
    const naive = createNaiveBackend();
    const fwd: PoolingBackend = { ...naive, name: 'fwd-only', backward: () => Promise.reject(new BackendError('fwd-only', `unsupported: ${FORWARD_ONLY}`)) };
    const backward = ['diff.backward.max', 'diff.backward.avg'];
    const r = await replayCorpus(fwd, DEFAULT_POLICY, corpus, backward);
    expect(r.failed).toEqual([]);
    expect(r.notApplicable).toBe(corpus.filter((c) => backward.includes(c.file.property)).length);
    expect(r.notApplicable).toBeGreaterThan(0);
  });
});

const tfjsCpu = PEER_BACKENDS.find((e) => e.name === 'tfjs-cpu')!;
const created = await tfjsCpu.create().then((b) => b, (e: unknown) => (e instanceof Error ? e.message : String(e)));
describe.skipIf(typeof created === 'string')(`tfjs-cpu${typeof created === 'string' ? ` (skipped: ${created})` : ''}`, () => {
  test('fails again every minimal case the ecosystem matrix recorded for it', async () => {
    const backend = created as PoolingBackend;
    const r = await replayCorpus(backend, resolvePolicy(tfjsCpu.policy), corpus);
    const own = corpus.filter((c) => c.name.startsWith('peer-tfjs-cpu-')).map((c) => c.name);
    expect(own.length).toBeGreaterThan(0);
    expect(r.failed).toEqual(expect.arrayContaining(own));
    await backend.dispose?.();
  });
});
