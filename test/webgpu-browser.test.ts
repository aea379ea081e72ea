/**
 * The WebGPU backend in a real browser: kernels/webgpu/index.ts, bundled for the browser by esbuild
 * (test/browser/bundle.ts, which also proves the backend imports nothing Node-only), served from 127.0.0.1
 * (test/browser/server.ts; a secure context, which WebGPU requires) and run in headless Chromium on Chromium's own
 * WebGPU (SwiftShader when there is no GPU). The page (test/browser/entry.ts) runs the verifier's core properties
 * and reports a verdict; every one must pass. The naive backend runs first through the same page as a control:
 * if it fails, the harness is broken, not the WebGPU backend.
 *
 * Without /usr/bin/chromium, or without a WebGPU adapter in the page, this fails in CI (CI set) and is skipped
 * locally with a message, like test/report.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type ConsoleMessage } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundleBrowserHarness, type BrowserBackendName } from './browser/bundle.js';
import { serveDirectory, type StaticServer } from './browser/server.js';
import { CORE_PROPERTIES, type BrowserVerdict } from './browser/verdict.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const CI = Boolean(process.env['CI']);
// The verifier's default. The verifier's cases are small, so even on SwiftShader the webgpu run takes seconds.
const RUNS = 100;
const SEED = 20261123;
/** Waiting for the page's verdict; the tests' own timeouts are a little longer so that this fires first. */
const WEBGPU_WAIT_MS = 230_000;
const NAIVE_WAIT_MS = 110_000;

if (!HAVE_CHROMIUM && !CI) console.warn(`webgpu-browser.test.ts: skipped, ${CHROMIUM} is missing (apt-get install -y chromium)`);

/**
 * Chromium's environment: this process's, less the Vulkan loader's driver lists. kernels/webgpu/node.ts sets
 * VK_ADD_DRIVER_FILES for Node's Dawn (and a user may set VK_ICD_FILENAMES / VK_DRIVER_FILES for it); handed to
 * Chromium they replace or extend the drivers its GPU process picks from, and it loses its own adapter.
 */
function chromiumEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !['VK_ICD_FILENAMES', 'VK_ADD_DRIVER_FILES', 'VK_DRIVER_FILES'].includes(key)) env[key] = value;
  }
  return env;
}

/** One line per property, with the failure's message, counterexample and replay data where there is one. */
function describeVerdict(v: BrowserVerdict): string {
  const lines = v.properties.map((p) => {
    const head = `${p.id}: ${p.status} (${p.cases} cases, ${p.unsupported} declined${p.reasons.length ? `: ${p.reasons.join('; ')}` : ''}, ${Math.round(p.ms)} ms)`;
    if (!p.failure) return head;
    return `${head}\n    ${p.failure.message}\n    counterexample: ${JSON.stringify(p.failure.counterexample)}` +
      `${p.failure.mismatch ? `\n    mismatch: ${JSON.stringify(p.failure.mismatch)}` : ''}` +
      `\n    replay: --property ${p.id} --seed ${v.seed} --path ${p.failure.path} (${p.failure.shrinks} shrinks)`;
  });
  return [`backend ${v.backend}: ${v.state}${v.status ? `, ${v.status}` : ''}${v.error ? `\n  error: ${v.error}` : ''}`, ...lines].join('\n  ');
}

describe.skipIf(!HAVE_CHROMIUM && !CI)('the backends in headless Chromium', () => {
  let root = '';
  let profile = '';
  let server: StaticServer | undefined;
  let context: BrowserContext | undefined;
  /** Per backend: undefined when its bundle was built, else esbuild's error. */
  const buildErrors = new Map<BrowserBackendName, Error>();

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
    root = mkdtempSync(join(tmpdir(), 'poolspec-browser-'));
    profile = mkdtempSync(join(tmpdir(), 'poolspec-chromium-profile-'));
    // One bundle per backend: a backend that does not build yet (or imports Node-only code) fails its own test
    // only, and the naive control still shows whether the harness works.
    for (const name of ['naive', 'webgpu'] as const) {
      try {
        await bundleBrowserHarness({ outdir: join(root, name), backends: [name] });
      } catch (e) {
        buildErrors.set(name, e as Error);
      }
    }
    server = await serveDirectory(root);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // --enable-unsafe-webgpu: WebGPU on Linux (SwiftShader without a GPU); without it requestAdapter() gives
      // null. Not --disable-gpu: not needed, and whether it also takes WebGPU away differs between Chromium
      // builds. The network flags keep Chromium on a closed machine from trying to phone home.
      args: [
        '--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-default-apps', '--no-default-browser-check',
      ],
      env: chromiumEnv(),
      timeout: 60_000,
    });
  }, 120_000);

  afterAll(async () => {
    // Each step on its own: a failure in one must not leave the others (a browser process, a port) behind.
    await context?.close().catch((e: unknown) => console.warn(`closing Chromium: ${String(e)}`));
    await server?.close().catch((e: unknown) => console.warn(`closing the server: ${String(e)}`));
    for (const dir of [root, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Opens the page for one backend and waits for its verdict; console lines and page errors go to stderr. */
  async function verdictFor(backend: BrowserBackendName, waitMs: number): Promise<{ verdict: BrowserVerdict; errors: string[] }> {
    const built = buildErrors.get(backend);
    if (built) throw built;
    const page = await context!.newPage();
    const errors: string[] = [];
    const tag = `[chromium ${backend}]`;
    page.on('console', (m: ConsoleMessage) => {
      // Chromium logs uncaptured WebGPU validation errors as warnings: worth keeping for the failure message.
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
      process.stderr.write(`${tag} ${m.type()}: ${m.text()}\n`);
    });
    page.on('pageerror', (e) => {
      errors.push(`${e.name}: ${e.message}`);
      process.stderr.write(`${tag} page error: ${e.stack ?? e.message}\n`);
    });
    try {
      const url = `${server!.origin}/${backend}/?backend=${backend}&runs=${RUNS}&seed=${SEED}`;
      const response = await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
      expect(response?.status(), url).toBe(200);
      const crashed = new Promise<never>((_, reject) => page.once('crash', () => reject(new Error(`the page crashed (${url}); errors: ${errors.join(' | ')}`))));
      await Promise.race([
        page.waitForFunction(() => window.__poolspecResult !== undefined, null, { timeout: waitMs, polling: 250 }),
        crashed,
      ]).catch((e: unknown) => {
        throw new Error(`no verdict from ${url} within ${waitMs / 1000} s: ${(e as Error).message}\npage errors: ${errors.join(' | ') || 'none'}`);
      });
      const verdict = await page.evaluate(() => window.__poolspecResult!);
      return { verdict, errors };
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  function expectAllPass(verdict: BrowserVerdict, errors: readonly string[]): void {
    const report = `${describeVerdict(verdict)}${errors.length ? `\n  console errors and warnings: ${errors.join(' | ')}` : ''}`;
    expect(verdict.state, report).toBe('done');
    expect(verdict.properties.map((p) => p.id), report).toEqual([...CORE_PROPERTIES]);
    for (const p of verdict.properties) {
      expect(p.status, `${p.id}\n  ${report}`).toBe('pass');
      expect(p.cases, `${p.id}: no case was accepted\n  ${report}`).toBeGreaterThan(0);
    }
  }

  test('control: the naive backend passes the core properties in the page', async () => {
    const { verdict, errors } = await verdictFor('naive', NAIVE_WAIT_MS);
    // The page reports the browser's adapter whatever the backend: useful when the WebGPU test fails.
    console.log(`naive in Chromium: ${Math.round(verdict.timing.totalMs)} ms; WebGPU adapter: ${JSON.stringify(verdict.gpu)}\n  ${describeVerdict(verdict)}`);
    expectAllPass(verdict, errors);
  }, 120_000);

  test('the WebGPU backend passes the core properties on the browser\'s WebGPU', async (ctx) => {
    const { verdict, errors } = await verdictFor('webgpu', WEBGPU_WAIT_MS);
    const adapter = verdict.gpu.adapter;
    if (!adapter) {
      const why = `no WebGPU adapter in headless Chromium: ${verdict.gpu.problem ?? 'unknown'} (${verdict.userAgent})`;
      if (CI) throw new Error(why);
      console.warn(`webgpu-browser.test.ts: skipped, ${why}`);
      ctx.skip(why);
      return;
    }
    console.log(`WebGPU adapter in Chromium: ${JSON.stringify(adapter)}`);
    console.log(`webgpu in Chromium: create ${Math.round(verdict.timing.createMs)} ms, verify ${Math.round(verdict.timing.verifyMs)} ms\n  ${describeVerdict(verdict)}`);
    expect(typeof adapter.vendor).toBe('string');
    expect(typeof adapter.architecture).toBe('string');
    expect([adapter.vendor, adapter.architecture, adapter.device, adapter.description].some((s) => s.length > 0), JSON.stringify(adapter)).toBe(true);
    expectAllPass(verdict, errors);
  }, 240_000);
});

describe('the browser bundle', () => {
  test('fails to build when the code imports a Node builtin (the check that the backends are browser code)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poolspec-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(entry, "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n");
      await expect(bundleBrowserHarness({ outdir: join(dir, 'out'), entry, backends: [] })).rejects.toThrow(/Could not resolve "node:fs"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  test("the package's browser entry points (poolspec/webgpu, poolspec/verifier) bundle for the browser", async () => {
    // The built package, resolved through package.json "exports" as a user's bundler would (npm test builds first);
    // the entry sits inside the package (under the ignored poolspec-results/) so that 'poolspec/…' self-resolves.
    const results = fileURLToPath(new URL('../poolspec-results/', import.meta.url));
    mkdirSync(results, { recursive: true });
    const dir = mkdtempSync(join(results, 'bundle-check-'));
    try {
      const entry = join(dir, 'entry.ts');
      writeFileSync(entry, "export { createWebGpuBackend, WEBGPU_POLICY } from 'poolspec/webgpu';\nexport { verifyBackend } from 'poolspec/verifier';\n");
      const r = await bundleBrowserHarness({ outdir: join(dir, 'out'), entry, backends: [] });
      expect(r.bytes).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
