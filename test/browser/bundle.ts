/**
 * Bundles the browser harness (test/browser/entry.ts) with esbuild for a browser page: one ES module plus the
 * chunks of the backends it can load, and an index.html that loads it.
 *
 * The build is also the check that the backends are browser code: platform 'browser' and no externals, so a
 * backend that (transitively) imports a Node builtin (node:fs, node:path, …) or a Node-only package fails the
 * build with esbuild's "Could not resolve" error instead of failing later at run time in the page.
 *
 * Which backends go in is chosen per build (virtual module `poolspec:backends`, declared in backends.d.ts):
 * a backend's source that is missing or broken then fails only the builds that ask for it, so the naive control
 * run still works while the WebGPU backend is being written.
 */
import { build, type Message, type Plugin } from 'esbuild';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Backend name → its module (relative to test/browser/) and the factory it exports. The page calls the factory
 * with `{ gpu: navigator.gpu }`; the naive one takes no options and ignores it.
 */
export const BROWSER_BACKENDS = {
  naive: { module: '../../kernels/naive/index.ts', factory: 'createNaiveBackend', policy: undefined },
  // The backend's documented conventions (SPEC.md §6), the same object the Node registry passes to the verifier.
  webgpu: { module: '../../kernels/webgpu/index.ts', factory: 'createWebGpuBackend', policy: 'WEBGPU_POLICY' },
} as const;

export type BrowserBackendName = keyof typeof BROWSER_BACKENDS;

export interface BundleOptions {
  /** Output directory (fresh, outside the repository); index.html and entry.js land at its top. */
  outdir: string;
  /** Backends the page can load with ?backend=NAME (default: all). */
  backends?: readonly BrowserBackendName[];
  /** Entry point (default test/browser/entry.ts); tests of the build check itself pass another. */
  entry?: string;
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>poolspec in the browser</title><link rel="icon" href="data:,"></head>
<body>
<pre id="status">loading…</pre>
<script type="module" src="./entry.js"></script>
</body>
</html>
`;

/** The module `poolspec:backends`: name → a lazy loader, one dynamic import (one chunk) per bundled backend. */
function backendsPlugin(names: readonly BrowserBackendName[]): Plugin {
  return {
    name: 'poolspec-backends',
    setup(b) {
      b.onResolve({ filter: /^poolspec:backends$/ }, (args) => ({ path: args.path, namespace: 'poolspec-backends' }));
      b.onLoad({ filter: /.*/, namespace: 'poolspec-backends' }, () => ({
        resolveDir: HERE,
        loader: 'js',
        contents: `export const loaders = {\n${names.map((n) => {
          const { module, factory, policy } = BROWSER_BACKENDS[n];
          const pick = policy === undefined ? 'undefined' : `m[${JSON.stringify(policy)}]`;
          return `  ${JSON.stringify(n)}: () => import(${JSON.stringify(module)}).then((m) => ({ factory: m[${JSON.stringify(factory)}], policy: ${pick} })),`;
        }).join('\n')}\n};\n`,
      }));
    },
  };
}

function formatMessages(messages: readonly Message[]): string {
  return messages.map((m) => `${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.text}${m.notes.map((n) => `\n    ${n.text}`).join('')}`).join('\n');
}

/** Builds into `outdir`; rejects with esbuild's messages (file:line: text) when the build fails. */
export async function bundleBrowserHarness(options: BundleOptions): Promise<{ outdir: string; bytes: number }> {
  const names = options.backends ?? (Object.keys(BROWSER_BACKENDS) as BrowserBackendName[]);
  for (const name of names) {
    const file = join(HERE, BROWSER_BACKENDS[name].module);
    if (!existsSync(file)) throw new Error(`the ${name} backend's module ${file} does not exist (yet); it should export ${BROWSER_BACKENDS[name].factory}`);
  }
  let result;
  try {
    result = await build({
      entryPoints: { entry: options.entry ?? join(HERE, 'entry.ts') },
      outdir: options.outdir,
      platform: 'browser',
      format: 'esm',
      bundle: true,
      // Code splitting: each backend is its own chunk, fetched only when the page asks for it.
      splitting: true,
      target: 'es2022',
      sourcemap: 'inline',
      // Production-like: no `process.env.NODE_ENV` left for the page to trip over.
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'silent',
      metafile: true,
      plugins: [backendsPlugin(names)],
    });
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (errors?.length) throw new Error(`esbuild could not bundle the browser harness (backends: ${names.join(', ')}):\n${formatMessages(errors)}`, { cause: e });
    throw e;
  }
  writeFileSync(join(options.outdir, 'index.html'), INDEX_HTML);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outdir: options.outdir, bytes };
}
