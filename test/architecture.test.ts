/**
 * The dependency direction (README "Layout"): spec at the bottom, then kernels, bench, reports, and the CLI and
 * the package's root entry on top. A module may import its own room or a room below it, never one above, and
 * no chain of imports between source modules may come back to where it started. Tests and test helpers may
 * import anything; no source module may import them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));

/** Rooms from the bottom up; a module's rank is its room's index. */
const ROOMS = ['spec', 'kernels', 'bench', 'reports', 'cli', 'index.ts'] as const;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'poolspec-results', 'poolspec-report']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(relative(ROOT, path));
  }
  return out;
}

function isTest(file: string): boolean {
  return file.startsWith('test/') || /\.test\.ts$/.test(file);
}

function roomOf(file: string): number | undefined {
  const top = file.split('/')[0]!;
  const i = ROOMS.indexOf(top as (typeof ROOMS)[number]);
  return i < 0 ? undefined : i;
}

/** Relative specifiers of static imports, re-exports and dynamic imports with a literal argument. */
export function importSpecifiers(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const m of source.matchAll(re)) specs.push(m[2]!);
  return specs;
}

/** The repository file a relative specifier names (`./x.js` is compiled from `./x.ts`). */
function resolveImport(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const target = normalize(join(dirname(from), spec));
  const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.mjs$/, '.mts'), `${target}.ts`, join(target, 'index.ts')];
  return candidates.find((c) => files.has(c));
}

function graph(): Map<string, string[]> {
  const files = walk(ROOT);
  const set = new Set(files);
  const edges = new Map<string, string[]>();
  for (const f of files) {
    const targets = importSpecifiers(readFileSync(join(ROOT, f), 'utf8'))
      .map((s) => resolveImport(f, s, set))
      .filter((t): t is string => t !== undefined);
    edges.set(f, targets);
  }
  return edges;
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function cycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++;
    stack.push(v); onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do { w = stack.pop()!; onStack.delete(w); comp.push(w); } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(comp.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('dependency direction', () => {
  const edges = graph();
  const sources = [...edges.keys()].filter((f) => !isTest(f));

  test('the walk sees every room', () => {
    for (const room of ROOMS) expect(sources.some((f) => f === room || f.startsWith(`${room}/`)), room).toBe(true);
  });

  test('no source module imports a room above its own', () => {
    const wrong: string[] = [];
    for (const f of sources) {
      const rank = roomOf(f);
      if (rank === undefined) continue; // scripts/ and build files sit outside the rooms
      for (const t of edges.get(f)!) {
        const tr = roomOf(t);
        if (tr !== undefined && tr > rank) wrong.push(`${f} → ${t} (${ROOMS[rank]} imports ${ROOMS[tr]})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no source module imports a test or a test helper', () => {
    const wrong = sources.flatMap((f) => edges.get(f)!.filter(isTest).map((t) => `${f} → ${t}`));
    expect(wrong).toEqual([]);
  });

  test('no import cycles between source modules', () => {
    const sourceEdges = new Map(sources.map((f) => [f, edges.get(f)!.filter((t) => !isTest(t))] as const));
    expect(cycles(sourceEdges)).toEqual([]);
  });
});

describe('the checks can fail', () => {
  test('importSpecifiers sees static, type-only, re-export and dynamic imports', () => {
    const src = `import a from './a.js';\nimport type { B } from "../b.js";\nexport { c } from './c.js';\nconst d = await import('./d.js');\nimport './e.js';\nimport x from 'vitest';`;
    expect(importSpecifiers(src)).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });

  test('cycles finds a loop through three modules and a self-import, and nothing in a chain', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['d']], ['e', ['a']]]))).toEqual([['a', 'b', 'c'], ['d']]);
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});
