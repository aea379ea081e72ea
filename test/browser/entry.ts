/**
 * The page's module: runs the verifier's core properties (verdict.ts CORE_PROPERTIES) on a backend inside the
 * browser, on the browser's own WebGPU (navigator.gpu), and leaves a JSON-safe verdict in
 * window.__poolspecResult for the test (test/webgpu-browser.test.ts) to read.
 *
 * Query parameters (all optional except backend): backend=naive|webgpu (only the ones bundled; bundle.ts),
 * runs=N (cases per property, default 30), seed=S (default 1), properties=ID,ID (default the core list).
 * window.runPoolspec(options) runs again with other options and returns the verdict.
 */
import { loaders } from 'poolspec:backends';
import type { PoolingBackend } from '../../spec/contract.js';
import { toJsonSafe, verifyBackend } from '../../spec/verifier.js';
import { CORE_PROPERTIES, type AdapterSummary, type BrowserVerdict, type RunOptions } from './verdict.js';

const DEFAULT_RUNS = 30;
const DEFAULT_SEED = 1;

/** The error with its stack (V8's stack starts with "Name: message"; use it whole when it does). */
function message(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const head = `${e.name}: ${e.message}`;
  return e.stack?.startsWith(head) ? e.stack : `${head}${e.stack ? `\n${e.stack}` : ''}`;
}

/** Asks for an adapter of its own, only to report what the browser offers (the backend asks for its own). */
async function describeGpu(): Promise<BrowserVerdict['gpu']> {
  if (!('gpu' in navigator) || !navigator.gpu) {
    return { available: false, adapter: null, problem: 'navigator.gpu is missing (WebGPU disabled, or not a secure context)' };
  }
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return { available: true, adapter: null, problem: 'navigator.gpu.requestAdapter() gave null (no adapter)' };
    const info = adapter.info;
    const limits: Record<string, number> = {};
    for (const key of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBuffersPerShaderStage'] as const) {
      limits[key] = adapter.limits[key];
    }
    const summary: AdapterSummary = {
      vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
      limits, features: [...adapter.features].map(String).sort(),
    };
    const fallback = (info as { isFallbackAdapter?: unknown }).isFallbackAdapter;
    if (typeof fallback === 'boolean') summary.isFallbackAdapter = fallback;
    return { available: true, adapter: summary };
  } catch (e) {
    return { available: true, adapter: null, problem: `requestAdapter() threw ${message(e)}` };
  }
}

async function run(options: Partial<RunOptions> & { backend: string }): Promise<BrowserVerdict> {
  const started = performance.now();
  const runs = options.runs ?? DEFAULT_RUNS;
  const seed = options.seed ?? DEFAULT_SEED;
  const properties = options.properties ?? CORE_PROPERTIES;
  const gpu = await describeGpu();
  const verdict: BrowserVerdict = {
    state: 'error', backend: options.backend, userAgent: navigator.userAgent, gpu, seed, runs, properties: [],
    timing: { createMs: 0, verifyMs: 0, totalMs: 0 },
  };
  const finish = (): BrowserVerdict => {
    verdict.timing.totalMs = performance.now() - started;
    return verdict;
  };
  const load = loaders[options.backend];
  if (!load) {
    verdict.error = `backend "${options.backend}" is not in this bundle; bundled: ${Object.keys(loaders).join(', ')}`;
    return finish();
  }
  let backend: PoolingBackend | undefined;
  try {
    const { factory, policy } = await load();
    if (typeof factory !== 'function') throw new TypeError(`the ${options.backend} module does not export its factory function`);
    const t0 = performance.now();
    // navigator.gpu may be missing; the naive backend ignores it, the WebGPU one must then refuse clearly.
    const created = await factory({ gpu: navigator.gpu });
    backend = created;
    verdict.timing.createMs = performance.now() - t0;
    const t1 = performance.now();
    const outcome = await verifyBackend(created, {
      runs, seed, properties, ...(policy ? { policy } : {}),
      onProgress: (e) => {
        if (e.type === 'done') {
          const o = e.outcome;
          console.log(`[poolspec] ${e.index + 1}/${e.total} ${o.id}: ${o.status} (${o.cases} cases, ${o.unsupported} declined, ${Math.round(o.ms)} ms)`);
        }
      },
    });
    verdict.timing.verifyMs = performance.now() - t1;
    verdict.status = outcome.status;
    verdict.properties = outcome.properties.map((p) => ({
      id: p.id, title: p.title, status: p.status, cases: p.cases, unsupported: p.unsupported, reasons: p.reasons, ms: p.ms,
      ...(p.failure ? {
        failure: {
          message: p.failure.message,
          counterexample: p.failure.counterexample,
          ...(p.failure.mismatch ? { mismatch: toJsonSafe(p.failure.mismatch) } : {}),
          path: p.failure.path,
          shrinks: p.failure.shrinks,
        },
      } : {}),
    }));
    verdict.state = 'done';
  } catch (e) {
    verdict.error = message(e);
  } finally {
    try {
      await backend?.dispose?.();
    } catch (e) {
      // A dispose failure is worth a line, not a lost verdict.
      console.error(`[poolspec] dispose() threw ${message(e)}`);
    }
  }
  return finish();
}

window.runPoolspec = run;

function fromQuery(): Partial<RunOptions> & { backend: string } {
  const q = new URLSearchParams(location.search);
  const num = (name: string): number | undefined => {
    const v = q.get(name);
    return v === null || v === '' ? undefined : Number(v);
  };
  const props = q.get('properties');
  return {
    backend: q.get('backend') ?? 'naive',
    ...(num('runs') !== undefined ? { runs: num('runs') } : {}),
    ...(num('seed') !== undefined ? { seed: num('seed') } : {}),
    ...(props ? { properties: props.split(',').filter(Boolean) } : {}),
  };
}

const status = document.getElementById('status');
void run(fromQuery()).catch((e: unknown): BrowserVerdict => ({
  // run() catches what the backend and verifier throw; this is for a bug in the harness itself.
  state: 'error', backend: fromQuery().backend, userAgent: navigator.userAgent, gpu: { available: false, adapter: null },
  seed: 0, runs: 0, properties: [], timing: { createMs: 0, verifyMs: 0, totalMs: 0 }, error: message(e),
})).then((verdict) => {
  window.__poolspecResult = verdict;
  if (status) status.textContent = JSON.stringify(verdict, null, 2);
});
