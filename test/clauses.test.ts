/**
 * Every clause ID cited anywhere in the repository (code, tests, docs, reports) is one that spec/SPEC.md defines.
 *
 * A definition is a bold code span opening a clause, **`FAMILY.NAME`** (SPEC.md §0).
 * A citation is either
 * - FAMILY.NAME as a whole word in a text file, where FAMILY is a family SPEC.md declares (the families its
 *   section headings list, "## 2 Geometry — `SHAPE`, `WINDOW`, `GLOBAL`", and the prefixes of its defined IDs)
 *   and NAME is upper case: `SHAPE.CEIL` is one, `Math.max`, `SPEC.md` and `README.md` are not; or
 * - any entry of a verifier property's `clauses` list, whatever its family.
 * A family wildcard (`PARAM.*`) names no clause and is not checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { PROPERTIES, RESEARCH_PROPERTIES } from '../spec/properties/index.js';
import { STRUCTURED_PROPERTIES } from '../spec/properties/structured.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SPEC_TEXT = readFileSync(join(ROOT, 'spec', 'SPEC.md'), 'utf8');

/** Build outputs, installed packages and run artifacts: not the project's text. */
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'poolspec-results', 'poolspec-report']);
const TEXT_EXTENSIONS = new Set(['.ts', '.mjs', '.js', '.md', '.json', '.html', '.wgsl', '.yml', '.yaml']);
/**
 * kernels/wasm/module.generated.ts: written by kernels/wasm/build.mjs (base64 of the module), not in git.
 * reports/mutation/stryker-incremental.json: Stryker's record of every mutant, whose replacement texts are mutated
 * (and shortened) source, clause IDs cut short among them; so are the per-file runs' part files
 * (reports/mutation/part-*-incremental.json, ignored by git) and Stryker's JSON report, where a run left them.
 */
const SKIP_FILES = new Set(['kernels/wasm/module.generated.ts', 'reports/mutation/stryker-incremental.json', 'reports/mutation/mutation.json']);
const SKIP_PATTERN = /^reports\/mutation\/part-.*\.json$/;

function definedClauses(spec: string): Set<string> {
  return new Set([...spec.matchAll(/\*\*`([A-Z][A-Z0-9_]*\.[A-Z][A-Z0-9_]*)`\*\*/g)].map((m) => m[1]!));
}

function declaredFamilies(spec: string, defined: ReadonlySet<string>): Set<string> {
  const families = new Set([...defined].map((id) => id.slice(0, id.indexOf('.'))));
  for (const heading of spec.matchAll(/^#{2,3} .* — (.+)$/gm)) {
    for (const f of heading[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) families.add(f[1]!);
  }
  return families;
}

const DEFINED = definedClauses(SPEC_TEXT);
const FAMILIES = declaredFamilies(SPEC_TEXT, DEFINED);

interface Citation {
  readonly id: string;
  /** 1-based line of the citation in its text. */
  readonly line: number;
}

/** The citations in one text, by the rule above. */
function citationsIn(text: string, families: ReadonlySet<string> = FAMILIES): Citation[] {
  const pattern = new RegExp(`\\b(?:${[...families].join('|')})\\.[A-Z][A-Z0-9_]*\\b`, 'g');
  return [...text.matchAll(pattern)].map((m) => ({ id: m[0], line: text.slice(0, m.index).split('\n').length }));
}

function textFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...textFiles(path));
    } else if (entry.isFile() && TEXT_EXTENSIONS.has(extname(entry.name))) {
      const rel = relative(ROOT, path).split('\\').join('/');
      if (!SKIP_FILES.has(rel) && !SKIP_PATTERN.test(rel)) out.push(path);
    }
  }
  return out;
}

/** `file:line ID` for every citation in the files that SPEC.md does not define. */
function undefinedCitations(files: readonly string[]): string[] {
  return files.flatMap((file) => citationsIn(readFileSync(file, 'utf8'))
    .filter((c) => !DEFINED.has(c.id))
    .map((c) => `${relative(ROOT, file)}:${c.line} ${c.id}`));
}

describe('clause IDs', () => {
  test('SPEC.md defines clauses in the families its headings declare', () => {
    // Sanity of the parse, so that an empty set cannot make the checks below pass vacuously.
    expect(DEFINED.size).toBeGreaterThan(90);
    for (const id of ['SHAPE.CEIL', 'ACC.AVG', 'PROP.DIFF', 'MAX.INDEX', 'POLICY.SUBNORMALS']) expect(DEFINED).toContain(id);
    for (const family of ['PARAM', 'TENSOR', 'SHAPE', 'WINDOW', 'MAX', 'ACC', 'GRAD', 'POLICY', 'INV', 'CONTRACT', 'ADAPT', 'ROI']) {
      expect(FAMILIES).toContain(family);
    }
    const undefinedInHeadings = [...FAMILIES].filter((f) => ![...DEFINED].some((id) => id.startsWith(`${f}.`)));
    expect(undefinedInHeadings).toEqual(['VALID']); // §8 names the family; its errors cite the other clauses
  });

  test('what counts as a citation: a known family, a dot, an upper-case name', () => {
    // Built from parts so that this file's own text holds no made-up ID for the scan below.
    const madeUp = ['SHAPE', 'CEILING'].join('.');
    const text = `Math.max(a, b) per SPEC.md and README.md (SHAPE.CEIL); PARAM.* applies.\nsee ${madeUp}, also ${['FOO', 'BAR'].join('.')}`;
    expect(citationsIn(text)).toEqual([{ id: 'SHAPE.CEIL', line: 1 }, { id: madeUp, line: 2 }]);
    expect(citationsIn(text).filter((c) => !DEFINED.has(c.id)).map((c) => c.id)).toEqual([madeUp]);
  });

  test('every clause cited in the code, the tests and the docs is defined in SPEC.md', () => {
    const files = textFiles(ROOT);
    // The scan reaches every layer and the docs (a wrong root or filter would find nothing and pass).
    for (const expected of ['spec/SPEC.md', 'README.md', 'spec/properties/contract.ts', 'kernels/naive/index.ts', 'test/conformance.test.ts']) {
      expect(files.map((f) => relative(ROOT, f).split('\\').join('/'))).toContain(expected);
    }
    expect(files.reduce((n, f) => n + citationsIn(readFileSync(f, 'utf8')).length, 0)).toBeGreaterThan(500);
    expect(undefinedCitations(files)).toEqual([]);
  });

  test('every clause a property lists is defined in SPEC.md', () => {
    const listed = [...PROPERTIES, ...STRUCTURED_PROPERTIES, ...RESEARCH_PROPERTIES].flatMap((p) => p.clauses.map((id) => `${p.id}: ${id}`));
    expect(listed.length).toBeGreaterThan(50);
    expect(listed.filter((entry) => !DEFINED.has(entry.slice(entry.indexOf(': ') + 2)))).toEqual([]);
  });
});

