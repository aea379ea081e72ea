/**
 * `poolspec verify` end to end, as a user runs it: the built CLI (dist/, built by `npm test` first) against a
 * backend written outside the project (test/fixtures/external-backend.mjs) and against copies of it with one
 * planted bug each (test/fixtures/planted/*.mjs). The correct backend must pass (exit 0); every planted bug must
 * be rejected (exit 1) by a property that is about that bug, with a counterexample and a replay that fails again
 * the same way. Usage mistakes exit 2. Seeds are fixed, so every run here is deterministic except the planted
 * nondeterminism itself.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { STRUCTURED_PROPERTIES } from '../spec/properties/structured.js';
import type { BackendOutcome, PropertyOutcome } from '../spec/verifier.js';
import { DEFAULT_POLICY } from '../spec/policy.js';
import { formatDeclines, groupDeclines } from '../cli/declines.js';
import { compactList, foldRows } from '../cli/fold.js';
import { HOLD_BEGIN, HOLD_END, HeldLines, mayCreatePlatformBackend } from '../cli/stderr-filter.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'poolspec.js');
const EXTERNAL = 'test/fixtures/external-backend.mjs';
const SEED = 20261123;
const RUNS = 60;

interface Run { code: number; stdout: string; stderr: string }

// At most two CLI processes at a time (two cores; vitest may run another file beside this one).
let slots = 2;
const waiting: (() => void)[] = [];
async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (slots === 0) await new Promise<void>((r) => waiting.push(r));
  else slots--;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

function cli(args: readonly string[], env?: Record<string, string>): Promise<Run> {
  return withSlot(() => new Promise<Run>((resolve) => {
    const options = { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 90_000, ...(env ? { env: { ...process.env, ...env } } : {}) };
    execFile(process.execPath, [CLI, ...args], options, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  }));
}

/** Splits a replay command as a POSIX shell would (the CLI quotes with single quotes only). */
function shellWords(cmd: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(cmd)) !== null) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return words;
}

interface PropertyJson {
  id: string; status: string; cases: number; unsupported: number; reasons: string[]; seed: number; runs: number;
  failure?: { message: string; counterexample: unknown; path: string; shrinks: number };
}
interface BackendJson { backend: string; ref: string; status: string; properties: PropertyJson[]; replay: Record<string, string>; cases: Record<string, string> }
interface ReplayJson {
  schema: string; cases: string[];
  backends: Array<{ backend: string; status: string; results: Array<{ file: string; property: string; status: string; message?: string }> }>;
}
interface VerifyJson { schema: string; seed: number; runs: number; backends: BackendJson[] }

let dir = '';
beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs "npm run build")`);
  dir = mkdtempSync(join(tmpdir(), 'poolspec-cli-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function readJson(file: string): VerifyJson {
  return JSON.parse(readFileSync(file, 'utf8')) as VerifyJson;
}

/** Minimal XML well-formedness check: balanced, properly nested tags, quoted attributes, escaped text. */
function checkXml(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>/y;
  let i = xml.indexOf('?>') + 2;
  let roots = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt === -1 ? xml.length : lt);
    expect(text.replace(/&(lt|gt|amp|quot|apos);/g, ''), 'unescaped & in text').not.toMatch(/&/);
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    expect(m, `malformed tag at ${xml.slice(lt, lt + 60)}`).not.toBeNull();
    const [whole, close, name, , selfClose] = m!;
    if (close) {
      expect(stack.pop(), `</${name}> closes the wrong element`).toBe(name);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(name!);
    }
    i = lt + whole.length;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}

describe.concurrent('poolspec verify (CLI)', () => {
  test('a correct backend written outside the project passes; JSON and JUnit are written', async () => {
    const json = join(dir, 'pass.json');
    const junit = join(dir, 'pass.xml');
    const r = await cli(['verify', '--backend', EXTERNAL, '--runs', String(RUNS), '--seed', String(SEED), '--json', json, '--junit', junit]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`seed ${SEED}`);
    const out = readJson(json);
    expect(out.schema).toBe('poolspec.verify/1');
    expect(out.seed).toBe(SEED);
    expect(out.runs).toBe(RUNS);
    expect(out.backends).toHaveLength(1);
    const b = out.backends[0]!;
    expect(b.backend).toBe('external-js');
    expect(b.status).toBe('pass');
    expect(b.replay).toEqual({});
    expect(b.properties.length).toBeGreaterThan(20);
    // The fixture predates SPEC.md §10 and has no `structured` member: it keeps working unchanged, and the
    // structured properties are reported as unsupported, never as passed.
    const structured = new Set(STRUCTURED_PROPERTIES.map((p) => p.id));
    for (const p of b.properties.filter((q) => structured.has(q.id))) {
      expect({ id: p.id, status: p.status, cases: p.cases }).toEqual({ id: p.id, status: 'unsupported', cases: 0 });
    }
    for (const p of b.properties.filter((q) => !structured.has(q.id))) {
      expect({ id: p.id, status: p.status }).toEqual({ id: p.id, status: 'pass' });
      // The backend supports every valid case: nothing declined, nothing passed vacuously.
      expect({ id: p.id, cases: p.cases > 0, unsupported: p.unsupported }).toEqual({ id: p.id, cases: true, unsupported: 0 });
    }
    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(xml).toContain('<testsuites');
    expect(xml.match(/<testcase\b/g)).toHaveLength(b.properties.length);
    expect(xml).not.toContain('<failure');

    // The fifteen structured properties decline for five reasons (one per structured kind it lacks): one line
    // per reason, not one per property with the reasons repeated.
    const section = r.stdout.split('\nUnsupported cases')[1]?.split('\n\n')[0] ?? '';
    const declineLines = section.split('\n').filter((l) => l.startsWith('  '));
    const reasons = [...new Set(b.properties.flatMap((p) => p.reasons))];
    expect(reasons.length).toBeLessThan(structured.size);
    expect(declineLines).toHaveLength(reasons.length);
    for (const [i, reason] of reasons.entries()) {
      // The properties named or counted (cli/fold.ts compactList), then the reason once.
      expect(declineLines[i]!.startsWith('  external-js · ')).toBe(true);
      expect(declineLines[i]!.endsWith(` (all cases): ${reason}`)).toBe(true);
    }
    // What a user sees of a run, progress and summary, fits on one screen, verdict included.
    const lines = `${r.stderr}${r.stdout}`.trimEnd().split('\n');
    expect(lines.length, `${r.stderr}${r.stdout}`).toBeLessThanOrEqual(50);
    expect(lines[lines.length - 1]).toBe(`external-js: PASS  (seed ${SEED})`);
  });

  const diffForward = ['diff.forward.max', 'diff.forward.avg', 'diff.forward.sum', 'diff.forward.lp'];
  const diffBackward = ['diff.backward.max', 'diff.backward.avg', 'diff.backward.sum', 'diff.backward.lp'];

  /**
   * Per planted bug: `caughtBy` — at least one of these properties must fail (the property that is about the bug);
   * `message` — that failure cites this clause or text; `mustPass` — properties the bug cannot touch (a
   * forward-only bug cannot fail a backward-only check, etc.), so a failure there would be a verifier bug.
   */
  const planted: Record<string, { caughtBy: string[]; message?: RegExp; mustPass?: string[]; replay?: false }> = {
    divisorAtBorders: { caughtBy: ['diff.forward.avg'], message: /AVG\.DIVISOR/, mustPass: ['diff.forward.max', 'diff.forward.sum', 'diff.forward.lp', 'diff.backward.sum', 'diff.backward.max'] },
    nanDropped: { caughtBy: ['diff.forward.max'], message: /MAX\.NAN/, mustPass: ['diff.forward.avg', 'diff.forward.sum', 'diff.forward.lp'] },
    ceilOverhang: { caughtBy: diffForward, message: /SHAPE\.CEIL/ },
    tieLast: { caughtBy: ['diff.forward.max'], message: /MAX\.(INDEX|TIES)/, mustPass: ['diff.forward.avg', 'diff.forward.sum', 'diff.forward.lp'] },
    backwardOverwrite: { caughtBy: diffBackward, message: /GRAD\./, mustPass: [...diffForward, 'contract.pure', 'contract.isolation'] },
    padsSwapped: { caughtBy: diffForward },
    dilationIgnored: { caughtBy: diffForward },
    sloppyFloat: { caughtBy: ['diff.forward.sum', 'diff.forward.avg', 'diff.forward.lp'], message: /ACC\.(SUM|AVG|LP)/, mustPass: ['diff.forward.max', 'diff.backward.max', 'diff.backward.sum', 'diff.backward.avg'] },
    layoutMixedUp: { caughtBy: [...diffForward, 'inv.layout'] },
    inputMutated: { caughtBy: ['contract.pure'], message: /modified its input x/, mustPass: [...diffForward, ...diffBackward] },
    // Replaying a random bug need not fail again: no replay check for it.
    nondeterministic: { caughtBy: ['contract.deterministic'], message: /CONTRACT\.DETERMINISTIC/, replay: false },
    staleBuffer: { caughtBy: ['contract.isolation'], message: /an earlier result changed/, mustPass: [...diffForward, ...diffBackward] },
    planStale: { caughtBy: ['contract.plan'], message: /CONTRACT\.PLAN/, mustPass: [...diffForward, ...diffBackward, 'contract.isolation', 'contract.deterministic'] },
  };

  for (const [bug, expectation] of Object.entries(planted)) {
    test(`planted bug ${bug} is rejected with a counterexample and a replayable failure`, async () => {
      const ref = `test/fixtures/planted/${bug}.mjs`;
      const json = join(dir, `${bug}.json`);
      // Only the properties the expectation names: the others would shrink their own failures of the same bug,
      // minutes on two cores, and prove nothing this table states.
      const properties = [...new Set([...expectation.caughtBy, ...(expectation.mustPass ?? [])])].flatMap((id) => ['--property', id]);
      const r = await cli(['verify', '--backend', ref, ...properties, '--runs', String(RUNS), '--seed', String(SEED), '--json', json]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toContain('minimal counterexample');
      const out = readJson(json);
      expect(out.schema).toBe('poolspec.verify/1');
      const b = out.backends[0]!;
      expect(b.status).toBe('fail');
      const failed = b.properties.filter((p) => p.status === 'fail');
      const failedIds = failed.map((p) => p.id);
      expect(failed.length).toBeGreaterThan(0);
      const catching = failed.filter((p) => expectation.caughtBy.includes(p.id));
      expect(catching.map((p) => p.id), `${bug}: failed ${failedIds.join(', ')}; expected one of ${expectation.caughtBy.join(', ')}`).not.toEqual([]);
      if (expectation.message) {
        expect(catching.map((p) => p.failure!.message).join('\n')).toMatch(expectation.message);
      }
      for (const id of expectation.mustPass ?? []) {
        expect(failedIds, `${bug} cannot break ${id}`).not.toContain(id);
      }
      for (const p of failed) {
        expect(p.failure, p.id).toBeDefined();
        expect(p.failure!.counterexample, p.id).toBeTypeOf('object');
        expect(p.failure!.counterexample, p.id).not.toBeNull();
        expect(p.failure!.path, p.id).toMatch(/^\d+(:\d+)*$/);
        // The replay names the failure's case file (one line), which holds the shrunk case as recorded.
        const caseFile = b.cases[p.id]!;
        expect(caseFile, p.id).toBe(join(dir, `${bug}-cases`, `${b.backend}.${p.id}.${SEED}.json`));
        expect(b.replay[p.id], p.id).toBe(`npx poolspec verify --backend ${ref} --case ${caseFile}`);
        const recorded = JSON.parse(readFileSync(caseFile, 'utf8')) as { schema: string; property: string; seed: number; path: string; message: string; case: unknown };
        expect(recorded, p.id).toMatchObject({ schema: 'poolspec.case/1', property: p.id, seed: SEED, path: p.failure!.path, message: p.failure!.message });
        expect(recorded.case, p.id).toEqual(p.failure!.counterexample);
      }
      expect(Object.keys(b.cases).sort()).toEqual([...failedIds].sort());
      expect(Object.keys(b.replay).sort()).toEqual([...failedIds].sort());
      if (expectation.replay === false) return;

      // Replay the failure of the catching property from its case file: the same case fails again, identically.
      const first = catching[0]!;
      const words = shellWords(b.replay[first.id]!);
      expect(words.slice(0, 3)).toEqual(['npx', 'poolspec', 'verify']);
      const replayJson = join(dir, `${bug}.replay.json`);
      const again = await cli(['verify', ...words.slice(3), '--json', replayJson]);
      expect(again.code, again.stderr).toBe(1);
      const replayed = JSON.parse(readFileSync(replayJson, 'utf8')) as ReplayJson;
      expect(replayed.schema).toBe('poolspec.replay/1');
      expect(replayed.backends[0]!.results.map((r) => [r.property, r.status, r.message])).toEqual([[first.id, 'fail', first.failure!.message]]);
      // Two child processes of at most 90 s each, plus the wait for a slot on a loaded machine.
    }, 300_000);
  }

  test('JUnit of a failing run lists one failure per failed property', async () => {
    const json = join(dir, 'junit-fail.json');
    const junit = join(dir, 'junit-fail.xml');
    const r = await cli(['verify', '--backend', 'test/fixtures/planted/tieLast.mjs', '--runs', '40', '--seed', String(SEED), '--json', json, '--junit', junit]);
    expect(r.code).toBe(1);
    const b = readJson(json).backends[0]!;
    const xml = readFileSync(junit, 'utf8');
    checkXml(xml);
    expect(xml.match(/<testcase\b/g)).toHaveLength(b.properties.length);
    expect(xml.match(/<failure\b/g)).toHaveLength(b.properties.filter((p) => p.status === 'fail').length);
  });

  test.each([
    ['an unknown flag', ['verify', '--frobnicate']],
    ['--runs 0', ['verify', '--backend', EXTERNAL, '--runs', '0']],
    ['an unknown backend name', ['verify', '--backend', 'no-such-backend']],
    ['a backend path that does not exist', ['verify', '--backend', 'test/fixtures/does-not-exist.mjs']],
    ['a module whose default export is not a backend', ['verify', '--backend', 'test/fixtures/not-a-backend.mjs']],
    ['--path without one --property', ['verify', '--backend', EXTERNAL, '--seed', '1', '--path', '0:0']],
    ['--case of a file that does not exist', ['verify', '--backend', EXTERNAL, '--case', 'test/corpus/no-such-case.json']],
    ['--case with --seed (a replay draws nothing)', ['verify', '--backend', EXTERNAL, '--case', 'test/corpus', '--seed', '1']],
  ])('usage error: %s exits 2', async (_what, args) => {
    const r = await cli(args);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/poolspec/);
  });

  test('--case: exit 1 while the recorded case still fails, 0 on a backend that passes it; --seed/--path still replay', async () => {
    const file = 'test/corpus/planted-tieLast.json';
    const recorded = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { property: string; seed: number; path: string; message: string };
    const [bad, good, byPath] = await Promise.all([
      cli(['verify', '--backend', 'test/fixtures/planted/tieLast.mjs', '--case', file]),
      cli(['verify', '--backend', EXTERNAL, '--case', file]),
      // The seed and path it records still replay it the old way.
      cli(['verify', '--backend', 'test/fixtures/planted/tieLast.mjs', '--property', recorded.property, '--seed', String(recorded.seed), '--path', recorded.path]),
    ]);
    expect(byPath.code, byPath.stdout + byPath.stderr).toBe(1);
    expect(byPath.stdout).toContain(recorded.message);
    expect(bad.code, bad.stdout + bad.stderr).toBe(1);
    expect(bad.stdout).toMatch(/external-js\+tieLast: FAIL {2}\(1 case file\)/);
    expect(bad.stdout).toContain('(MAX.INDEX)');
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toMatch(/external-js: PASS {2}\(1 case file\)/);
  });

  test('--case of a file that is not poolspec.case/1 exits 2 naming the field, the rule and the value', async () => {
    const bad = join(dir, 'version-2.json');
    writeFileSync(bad, `${JSON.stringify({ schema: 'poolspec.case/2', property: 'diff.forward.max' })}\n`);
    const r = await cli(['verify', '--backend', EXTERNAL, '--case', bad]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(`${bad}: schema: this poolspec reads version 1 only ("poolspec.case/1") (CASE.VERSION), got "poolspec.case/2"`);
  });

  test('without a WebGPU adapter: asked for by name, exit 2 with the how-to; in the default set, reported and skipped', async () => {
    // A Vulkan driver list that names no driver: Dawn finds no adapter (and poolspec adds none: the list is set).
    const noGpu = { VK_ICD_FILENAMES: join(ROOT, 'no-such-driver.json') };
    // Dawn reports the failed search itself (the Vulkan loader found no driver, or there is no loader): a warning
    // with a trace into Dawn's sources. The CLI holds that back and says how to see it.
    const dawnWarning = /^Warning: [^\n]*\n {4}at [^\n]*dawn/m;
    const hint = 'POOLSPEC_DAWN_NOTICES=1 shows what Dawn and the Vulkan loader printed while looking for an adapter';
    // The fixture writes two lines in Dawn's shape to descriptor 2 before webgpu is created: outside the search,
    // so they must reach the user, in order.
    const named = await cli(['verify', '--backend', 'test/fixtures/stderr-backend.mjs', '--backend', 'webgpu', '--runs', '3'], noGpu);
    expect(named.code, named.stderr).toBe(2);
    expect(named.stderr).toMatch(/^Warning: stderr-backend: a warning of its own\nError: stderr-backend: an error of its own$/m);
    expect(named.stderr).toMatch(/^poolspec verify: backend webgpu: WebGPU is unavailable: requestAdapter\(\) found no adapter\. .*apt-get install chromium libvulkan1/m);
    expect(named.stderr).toContain(hint);
    expect(named.stderr).not.toMatch(dawnWarning);
    const all = await cli(['verify', '--runs', '3', '--property', 'diff.forward.max'], noGpu);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stderr).toMatch(/^poolspec verify: backend webgpu: WebGPU is unavailable[^\n]*\n {2}\(skipped; the other backends are verified\)/);
    expect(all.stderr).not.toMatch(dawnWarning);
    expect(all.stdout).toMatch(/naive: PASS {2}im2col: PASS {2}wasm: PASS {2}wasm-values: PASS {2}webgpu: UNAVAILABLE/);
    const shown = await cli(['verify', '--backend', 'webgpu', '--runs', '3'], { ...noGpu, POOLSPEC_DAWN_NOTICES: '1' });
    // Shown as printed, where it was printed: before poolspec's message.
    expect(shown.code, shown.stderr).toBe(2);
    expect(shown.stderr).toMatch(dawnWarning);
    expect(shown.stderr.indexOf('Warning: ')).toBeLessThan(shown.stderr.indexOf('poolspec verify: backend webgpu'));
    expect(shown.stderr).not.toContain(hint);
  });

  test('the built bin runs as an executable through its shebang, as `npx poolspec` runs it', async () => {
    // CI once failed with "sh: 1: poolspec: Permission denied": tsc writes the bin without execute bits and npx, with
    // a warm cache, did not add them. The build sets them (scripts/mark-bin-executable.mjs); here the file runs
    // without `node` in front.
    expect(statSync(CLI).mode & 0o111).toBe(0o111);
    const r = await withSlot(() => new Promise<Run>((resolve) => {
      execFile(CLI, ['--help'], { cwd: ROOT, timeout: 90_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('poolspec');
  });

  test('--help exits 0 and prints the usage', async () => {
    const r = await cli(['verify', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: poolspec verify');
    expect(r.stdout).toContain('--backend');
  });
});

describe('the CLI\'s reading of its child\'s descriptor 2', () => {
  test('drops what comes between the markers, passes on the rest in order', () => {
    const h = new HeldLines();
    const out = ['a', HOLD_BEGIN, 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 …', '', HOLD_END, 'b']
      .flatMap((l) => h.line(l));
    expect([...out, ...h.end()]).toEqual(['a', 'b']);
  });

  test('only a run that may create webgpu goes through a child; one on user modules stays in one process', () => {
    expect(mayCreatePlatformBackend('verify', ['--runs', '3'])).toBe(true);
    expect(mayCreatePlatformBackend('verify', ['--backend', './mine.mjs', '--backend=webgpu'])).toBe(true);
    expect(mayCreatePlatformBackend('verify', ['--backend', './mine.mjs', '--backend', 'naive'])).toBe(false);
    expect(mayCreatePlatformBackend('bench', ['--quick'])).toBe(true);
    expect(mayCreatePlatformBackend('bench', ['--backends', 'naive,webgpu'])).toBe(true);
    expect(mayCreatePlatformBackend('bench', ['--backends', 'naive,wasm'])).toBe(false);
    expect(mayCreatePlatformBackend('compare', ['a.json', 'b.json'])).toBe(false);
  });

  test('a window the child never closed (it died searching) gives up what it held', () => {
    const h = new HeldLines();
    const out = [HOLD_BEGIN, 'Warning: something Dawn said', 'FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal'].flatMap((l) => h.line(l));
    expect([...out, ...h.end()]).toEqual(['Warning: something Dawn said', 'FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal']);
  });
});

describe('poolspec verify: the summary folds what repeats', () => {
  function outcome(backend: string, props: ReadonlyArray<Partial<PropertyOutcome> & { id: string }>): BackendOutcome {
    return {
      backend, status: 'pass', policy: DEFAULT_POLICY, ms: 1,
      properties: props.map((p) => ({ title: p.id, clauses: [], status: 'pass', cases: 10, unsupported: 0, reasons: [], unconstrained: 0, seed: 1, runs: 10, skipBudget: 100, budgetSpent: false, ms: 1, ...p })),
    };
  }

  test('declines: one line per backend and reason, the properties listed when short and counted when long', () => {
    const structured = STRUCTURED_PROPERTIES.map((p) => p.id);
    const whole = 'sliding windows only';
    const o = [
      outcome('a', [
        { id: 'diff.forward.lp', cases: 7, unsupported: 3, reasons: ['p > 8'] },
        { id: 'inv.lp1', cases: 9, unsupported: 1, reasons: ['p > 8'] },
        ...structured.map((id) => ({ id, status: 'unsupported' as const, cases: 0, unsupported: 10, reasons: [whole] })),
      ]),
      outcome('b', structured.map((id) => ({ id, status: 'unsupported' as const, cases: 0, unsupported: 10, reasons: [whole] }))),
    ];
    expect(formatDeclines(groupDeclines(o))).toEqual([
      '  a · diff.forward.lp, inv.lp1 (some cases): p > 8',
      `  a · ${structured.length} properties (all cases): ${whole}`,
      `  b · ${structured.length} properties (all cases): ${whole}`,
    ]);
  });

  test('table rows fold by prefix and identical cells, and a row that differs stays alone', () => {
    const row = (id: string, ...cells: string[]): { id: string; cells: string[] } => ({ id, cells });
    const folded = foldRows([
      row('diff.forward.max', 'pass', 'pass'), row('diff.forward.avg', 'pass', 'pass'), row('diff.forward.sum', 'pass', 'FAIL'),
      row('diff.forward.lp', 'pass', 'pass'),
      ...['layout', 'permute', 'translate', 'reflect', 'monotone', 'homogeneous', 'shift', 'order', 'lp1', 'route'].map((l) => row(`inv.${l}`, 'pass', 'pass')),
      row('grad.fd', 'pass', 'pass'), row('grad.fd.structured', 'pass', 'pass'),
    ]);
    expect(folded.map((r) => [r.label, ...r.cells])).toEqual([
      ['diff.forward.{max,avg}', 'pass', 'pass'],
      ['diff.forward.sum', 'pass', 'FAIL'],
      ['diff.forward.lp', 'pass', 'pass'],
      ['inv.* (10)', 'pass', 'pass'],
      ['grad.fd', 'pass', 'pass'],
      ['grad.fd.structured', 'pass', 'pass'],
    ]);
    expect(folded.flatMap((r) => r.ids)).toHaveLength(16);
    // A selection never claims a whole family.
    expect(compactList(['inv.layout', 'inv.permute', 'inv.translate', 'inv.reflect', 'inv.monotone'], 'properties', 80)).toBe('inv.{layout,…} (5)');
  });
});
