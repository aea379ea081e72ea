/**
 * ONNX Runtime Web run inside a headless Chromium page, seen from Node as the `OrtRuntime` slice that
 * kernels/peers/onnx-session.ts drives. It exists for the WebGPU execution provider: in Node on Dawn that EP is not
 * usable (onnxruntime-web-webgpu.ts says why), while in Chromium it runs on the browser's own WebGPU (SwiftShader
 * when there is no GPU) in seconds.
 *
 * How: Chromium (the system's `/usr/bin/chromium`, or `POOLSPEC_CHROMIUM`) is driven with playwright-core (an
 * optional dependency). A server on 127.0.0.1 (a secure context, which WebGPU requires) serves one page and
 * onnxruntime-web's own `dist/` files (its ES module build and the .wasm/.mjs it loads), nothing else. The page
 * keeps sessions and tensors by id. Models, inputs and outputs travel as raw bytes over that server (the page
 * fetches `/blob/ID` and posts its outputs back to it), so NaN payloads and −0 arrive bit for bit, and a 37 MB
 * input costs a loopback copy, not a base64 string through the DevTools protocol (measured: 30 s per call that way
 * on the ResNet-50 stem at batch 8). Only ids and shapes cross the protocol.
 *
 * Scopes: a forward call pays the transfer both ways plus one protocol round trip (its input travels with the run,
 * runOnce; a separate upload, run and drop took three). A prepared run (the bench's
 * op-alone scope) keeps its input tensor in the page and drops the outputs there (`runDiscard`), so it pays only
 * the round trip (the report's side-by-side section says so).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackendError, importPeer } from './common.js';
import type { OrtRuntime, OrtSession, OrtValue } from './onnx-session.js';

export const PLAYWRIGHT_VERSION = '1.65.1';
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** The slice of playwright-core used here. */
interface Page {
  goto(url: string, options: { waitUntil: 'load'; timeout: number }): Promise<unknown>;
  waitForFunction(fn: () => unknown, arg: null, options: { timeout: number; polling: number }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; headless: boolean; args: string[]; env: Record<string, string>; timeout: number }): Promise<Browser> };
}

/** What the page exposes as `window.__poolspecOrt` (PAGE_SCRIPT). Bytes travel as blobs of the server (serve()). */
interface PageApi {
  adapter(): Promise<string>;
  create(model: string, options: Record<string, unknown>): Promise<number>;
  upload(blob: string, dims: readonly number[]): Promise<number>;
  /** Posts each output's bytes to blob `${prefix}${name}` and returns the outputs' shapes and types. */
  run(session: number, tensor: number, prefix: string): Promise<Record<string, { dims: number[]; type: string }>>;
  /** run() on an input that is fetched from blob `blob` for this run only. */
  runOnce(session: number, blob: string, dims: readonly number[], prefix: string): Promise<Record<string, { dims: number[]; type: string }>>;
  runDiscard(session: number, tensor: number): Promise<void>;
  drop(tensor: number): void;
  release(session: number): Promise<void>;
}
type PageWindow = typeof globalThis & { __poolspecOrt?: PageApi; __poolspecOrtReady?: string };

export interface ChromiumOrtRuntime extends OrtRuntime {
  /** The WebGPU adapter the page got (vendor, architecture, description), or why it got none. */
  readonly adapter: string;
  close(): Promise<void>;
}

/**
 * The page: loads ORT's WebGPU build from the same origin, one wasm thread (a page that is not cross-origin
 * isolated gets one anyway, and the Node peers use one), and keeps sessions and tensors in maps keyed by small ids.
 */
const PAGE_SCRIPT = `
const status = (s) => { window.__poolspecOrtReady = s; };
try {
  const ort = await import('./ort.webgpu.min.mjs');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = location.origin + '/';
  ort.env.logLevel = 'error';
  const sessions = new Map(), tensors = new Map();
  let next = 1;
  const fetchBlob = async (blob) => {
    const r = await fetch('/blob/' + blob);
    if (!r.ok) throw new Error('blob ' + blob + ': HTTP ' + r.status);
    return r.arrayBuffer();
  };
  const postBlob = async (blob, v) => {
    const r = await fetch('/blob/' + blob, { method: 'POST', body: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) });
    if (!r.ok) throw new Error('blob ' + blob + ': HTTP ' + r.status);
  };
  // Posts each output for Node to take and returns their shapes and types.
  const outputs = async (out, prefix) => {
    const r = {};
    for (const [k, v] of Object.entries(out)) { await postBlob(prefix + k, v.data); r[k] = { dims: [...v.dims], type: v.type }; v.dispose?.(); }
    return r;
  };
  window.__poolspecOrt = {
    async adapter() {
      const a = await navigator.gpu?.requestAdapter();
      if (!a) return 'none (navigator.gpu.requestAdapter() gave null)';
      const i = a.info;
      return [i.vendor, i.architecture, i.description].filter(Boolean).join(' / ') || 'unnamed adapter';
    },
    async create(model, options) {
      const id = next++;
      sessions.set(id, await ort.InferenceSession.create(new Uint8Array(await fetchBlob(model)), options));
      return id;
    },
    async upload(blob, dims) {
      const data = new Float32Array(await fetchBlob(blob));
      const id = next++;
      tensors.set(id, new ort.Tensor('float32', data, dims));
      return id;
    },
    async run(session, tensor, prefix) {
      return outputs(await sessions.get(session).run({ x: tensors.get(tensor) }), prefix);
    },
    // A forward call's input, used once: fetched, run and forgotten in one round trip.
    async runOnce(session, blob, dims, prefix) {
      const x = new ort.Tensor('float32', new Float32Array(await fetchBlob(blob)), dims);
      return outputs(await sessions.get(session).run({ x }), prefix);
    },
    async runDiscard(session, tensor) {
      const out = await sessions.get(session).run({ x: tensors.get(tensor) });
      for (const v of Object.values(out)) v.dispose?.();
    },
    drop(tensor) { tensors.delete(tensor); },
    async release(session) { const s = sessions.get(session); sessions.delete(session); await s?.release(); },
  };
  status('ready');
} catch (e) {
  status('error: ' + (e && e.message ? e.message : String(e)));
}
`;
const PAGE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>poolspec ORT bridge</title><link rel="icon" href="data:,"></head><body><script type="module">${PAGE_SCRIPT}</script></body></html>`;

const TYPES: Record<string, string> = { mjs: 'text/javascript; charset=utf-8', wasm: 'application/wasm', html: 'text/html; charset=utf-8' };

/**
 * The loopback server: PAGE_HTML at "/", onnxruntime-web's dist files by bare name (ort*.mjs / ort*.wasm only),
 * and `/blob/ID`: GET hands the page a blob Node put (once), POST stores one the page sends for Node to take.
 */
interface Blobs {
  /** Makes bytes available to the page under a fresh id, returned. */
  put(bytes: ArrayBufferView): string;
  /** Takes (and forgets) what the page posted under `id`. */
  take(id: string): Buffer;
}
async function serve(dist: string): Promise<{ server: Server; origin: string; blobs: Blobs }> {
  const outgoing = new Map<string, Buffer>();
  const incoming = new Map<string, Buffer>();
  let next = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/') { res.writeHead(200, { 'content-type': TYPES.html! }).end(PAGE_HTML); return; }
    const blob = /^\/blob\/([\w.-]+)$/.exec(path)?.[1];
    if (blob !== undefined && req.method === 'POST') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => { incoming.set(blob, Buffer.concat(parts)); res.writeHead(204).end(); });
      return;
    }
    if (blob !== undefined) {
      const bytes = outgoing.get(blob);
      outgoing.delete(blob);
      if (bytes) res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' }).end(bytes);
      else res.writeHead(404).end();
      return;
    }
    const name = path.slice(1);
    const ext = /^ort[\w.-]*\.(mjs|wasm)$/.exec(name)?.[1];
    if (!ext) { res.writeHead(404).end(); return; }
    readFile(join(dist, name)).then(
      (bytes) => res.writeHead(200, { 'content-type': TYPES[ext]!, 'cache-control': 'no-store' }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok, fail) => { server.once('error', fail); server.listen(0, '127.0.0.1', ok); });
  server.unref(); // the browser's pipe, not this server, decides whether the process stays alive
  const blobs: Blobs = {
    put(bytes) {
      const id = `in${next++}`;
      outgoing.set(id, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return id;
    },
    take(id) {
      const bytes = incoming.get(id);
      incoming.delete(id);
      if (!bytes) throw new Error(`the page posted no blob ${id}`);
      return bytes;
    },
  };
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, blobs };
}

/**
 * Chromium's environment: this process's, less the Vulkan loader's driver lists (kernels/webgpu/node.ts sets
 * VK_ADD_DRIVER_FILES for Node's Dawn); handed to Chromium they change the drivers its GPU process picks from.
 */
function chromiumEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['VK_ICD_FILENAMES', 'VK_ADD_DRIVER_FILES', 'VK_DRIVER_FILES'].includes(k)) env[k] = v;
  }
  return env;
}

/** An output's bytes as its typed array (a copy: a Buffer's offset in its pool need not be aligned). */
function typed(bytes: Buffer, type: string): Float32Array | BigInt64Array {
  if (type !== 'int64' && type !== 'float32') throw new RangeError(`unexpected ORT output type ${type}`);
  const out = type === 'int64' ? new BigInt64Array(bytes.length / 8) : new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/**
 * Starts Chromium and the page. `name` is the peer's, for error messages. Throws a BackendError saying what is
 * missing (Chromium, playwright-core, onnxruntime-web, a WebGPU adapter) when the page cannot run ORT's WebGPU EP.
 */
export async function launchChromiumOrt(name: string, ortVersion: string): Promise<ChromiumOrtRuntime> {
  const executablePath = process.env.POOLSPEC_CHROMIUM ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new BackendError(name, `unavailable: no Chromium at ${executablePath} (apt-get install chromium, or set POOLSPEC_CHROMIUM to a Chromium binary)`);
  }
  const { chromium } = (await importPeer('playwright-core', PLAYWRIGHT_VERSION)) as Playwright;
  let dist: string;
  try {
    dist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  } catch {
    throw new BackendError(name, `unavailable: onnxruntime-web is not installed: npm install onnxruntime-web@${ortVersion} (an optional dependency of poolspec)`);
  }
  const { server, origin, blobs } = await serve(dist);
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await new Promise<void>((ok) => server.close(() => ok()));
  };
  try {
    browser = await chromium.launch({
      executablePath,
      headless: true,
      // --enable-unsafe-webgpu: WebGPU on Linux (SwiftShader without a GPU). The rest keeps a closed machine's
      // Chromium from reaching out.
      args: ['--enable-unsafe-webgpu', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps'],
      env: chromiumEnv(),
      timeout: 60_000,
    });
    const page = await browser.newPage();
    await page.goto(`${origin}/`, { waitUntil: 'load', timeout: 60_000 });
    await page.waitForFunction(() => (globalThis as PageWindow).__poolspecOrtReady, null, { timeout: 120_000, polling: 100 });
    const ready = await page.evaluate(() => (globalThis as PageWindow).__poolspecOrtReady!, null);
    if (ready !== 'ready') throw new BackendError(name, `unavailable: onnxruntime-web did not load in Chromium: ${ready}`);
    // Each call below is serialised into the page by playwright, so it names the page's API itself.
    const adapter = await page.evaluate(() => (globalThis as PageWindow).__poolspecOrt!.adapter(), null);
    if (adapter.startsWith('none')) throw new BackendError(name, `unavailable: Chromium offers no WebGPU adapter: ${adapter}`);

    const drop = (tensor: number): Promise<void> => page.evaluate((t) => (globalThis as PageWindow).__poolspecOrt!.drop(t), tensor);
    /** The Node-side tensor: its page copy is made on first use and kept until dispose() (a prepared input). */
    class BridgeTensor {
      pageId: number | undefined;
      constructor(readonly type: 'float32', readonly data: Float32Array, readonly dims: readonly number[]) {}
      async upload(): Promise<number> {
        this.pageId ??= await page.evaluate((a) => (globalThis as PageWindow).__poolspecOrt!.upload(a.blob, a.dims), { blob: blobs.put(this.data), dims: [...this.dims] });
        return this.pageId;
      }
      dispose(): void {
        if (this.pageId !== undefined) void drop(this.pageId).catch(() => undefined);
        this.pageId = undefined;
      }
    }
    const tensorOf = (feeds: Record<string, unknown>): BridgeTensor => {
      const x = feeds.x;
      if (!(x instanceof BridgeTensor)) throw new TypeError('the Chromium ORT bridge takes its own Tensor as feed x');
      return x;
    };

    const runtime: ChromiumOrtRuntime = {
      adapter,
      Tensor: BridgeTensor,
      InferenceSession: {
        async create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession & { runDiscard(feeds: Record<string, unknown>): Promise<void> }> {
          const id = await page.evaluate((a) => (globalThis as PageWindow).__poolspecOrt!.create(a.model, a.options), { model: blobs.put(model), options });
          let runs = 0;
          return {
            async run(feeds) {
              const x = tensorOf(feeds);
              const prefix = `out${id}.${runs++}.`;
              // A prepared input (uploaded before) is run where it is; a forward call's input travels with its run,
              // one round trip in all.
              const out = x.pageId !== undefined
                ? await page.evaluate((a) => (globalThis as PageWindow).__poolspecOrt!.run(a.id, a.tensor, a.prefix), { id, tensor: x.pageId, prefix })
                : await page.evaluate((a) => (globalThis as PageWindow).__poolspecOrt!.runOnce(a.id, a.blob, a.dims, a.prefix), { id, blob: blobs.put(x.data), dims: [...x.dims], prefix });
              const values: Record<string, OrtValue> = {};
              for (const [k, v] of Object.entries(out)) values[k] = { dims: v.dims, data: typed(blobs.take(prefix + k), v.type) };
              return values;
            },
            async runDiscard(feeds) {
              const tensor = await tensorOf(feeds).upload();
              await page.evaluate((a) => (globalThis as PageWindow).__poolspecOrt!.runDiscard(a.id, a.tensor), { id, tensor });
            },
            async release() { await page.evaluate((s) => (globalThis as PageWindow).__poolspecOrt!.release(s), id); },
          };
        },
      },
      close,
    };
    return runtime;
  } catch (e) {
    await close();
    if (e instanceof BackendError) throw e;
    throw new BackendError(name, `unavailable: headless Chromium (${executablePath}) could not run onnxruntime-web: ${(e as Error).message.split('\n')[0]}`);
  }
}
