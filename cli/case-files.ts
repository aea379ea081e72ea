/**
 * Case files on disk for `poolspec verify` (schema in spec/CASE-FILE.md): where a run writes the shrunk
 * counterexample of each failure, and `--case FILE|DIR`, which replays recorded cases on the backends given,
 * prints a case × backend table, and writes JSON (schema poolspec.replay/1). Exit 0: every case passed; 1: a case
 * failed, or a backend declined every case; 2: a file that is not a case file (a usage error).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { CaseFileError, decodeCase, encodeCaseFile, caseFileOf, parseCaseFile, type CaseFile } from '../spec/case-file.js';
import { resolvePolicy, type Policy } from '../spec/policy.js';
import type { AnyProperty } from '../spec/properties/index.js';
import { replayCase, type ReplayVerdict } from '../spec/replay-case.js';
import type { BackendOutcome } from '../spec/verifier.js';
import { writeFileAtomic } from './atomic.js';
import type { LoadedBackend } from './load-backend.js';
import { renderTable } from './table.js';
import { UsageError } from './usage.js';

export const REPLAY_SCHEMA = 'poolspec.replay/1';

/** Where a run's case files go: --cases-dir; else beside --json FILE (FILE-cases/); else poolspec-results/cases. */
export function casesDirFor(json: string | undefined, casesDir: string | undefined): string {
  if (casesDir !== undefined) return casesDir;
  if (json !== undefined) return join(dirname(json), `${basename(json, extname(json))}-cases`);
  return join('poolspec-results', 'cases');
}

/** One file per backend, property and seed: a rerun at the same seed replaces its own files only. */
export function caseFileName(backend: string, property: string, seed: number): string {
  return `${`${backend}.${property}`.replace(/[^\w.+-]/g, '_')}.${seed}.json`;
}

/** Writes the case file of every failed property of a backend; returns property ID → path written. */
export function writeFailureCases(dir: string, o: BackendOutcome, ref: string): Map<string, string> {
  const written = new Map<string, string>();
  for (const p of o.properties) {
    const file = caseFileOf(o.backend, ref, p, o.policy);
    if (!file) continue;
    const path = join(dir, caseFileName(o.backend, p.id, p.seed));
    writeFileAtomic(path, encodeCaseFile(file));
    written.set(p.id, path);
  }
  return written;
}

export interface LoadedCase {
  readonly path: string;
  readonly file: CaseFile;
  readonly property: AnyProperty;
}

/** Reads every --case argument: a file, or a directory's *.json in name order. A bad file is a usage error. */
export function loadCases(args: readonly string[], extra: readonly AnyProperty[] = []): LoadedCase[] {
  const paths = args.flatMap((a) => {
    if (!existsSync(a)) throw new UsageError(`--case ${a}: no such file or directory`);
    if (!statSync(a).isDirectory()) return [a];
    const inside = readdirSync(a).filter((f) => f.endsWith('.json')).sort().map((f) => join(a, f));
    if (inside.length === 0) throw new UsageError(`--case ${a}: the directory holds no .json case files`);
    return inside;
  });
  return paths.map((path) => {
    try {
      const file = parseCaseFile(readFileSync(path, 'utf8'), path);
      return { path, file, property: decodeCase(file, path, extra).property };
    } catch (e) {
      if (e instanceof CaseFileError) throw new UsageError(e.message);
      throw e;
    }
  });
}

/**
 * The policy a case is replayed under: on the backend it was recorded on, the recorded one (the same check
 * again); on another backend, that backend's own conventions. `--policy` overrides either.
 */
export function replayPolicy(c: CaseFile, l: LoadedBackend, cli: Partial<Policy>): Policy {
  return l.backend.name === c.backend ? { ...c.policy, ...cli } : resolvePolicy({ ...l.policy, ...cli });
}

type Status = 'pass' | 'fail' | 'unsupported';

interface BackendReplay {
  readonly backend: string;
  readonly ref: string;
  readonly status: Status;
  readonly results: ReadonlyArray<ReplayVerdict & { readonly file: string; readonly property: string; readonly policy: Policy }>;
}

function cell(v: ReplayVerdict): string {
  return v.status === 'pass' ? 'pass' : v.status === 'fail' ? 'FAIL' : 'declined';
}

/** Replays every case on every backend (in that order: one backend at a time), prints, writes JSON; the exit code. */
export async function replayCases(
  cases: readonly LoadedCase[], loaded: readonly LoadedBackend[], cliPolicy: Partial<Policy>, json: string | undefined,
): Promise<number> {
  console.error(`poolspec verify: replaying ${cases.length} case file${cases.length === 1 ? '' : 's'} on ${loaded.map((l) => l.backend.name).join(', ')}`);
  const replays: BackendReplay[] = [];
  for (const l of loaded) {
    const results: Array<BackendReplay['results'][number]> = [];
    for (const c of cases) {
      const policy = replayPolicy(c.file, l, cliPolicy);
      // Decoded afresh for each backend: a backend that writes into its input cannot change the next one's case.
      const { value } = decodeCase(c.file, c.path, [c.property]);
      results.push({ file: c.path, property: c.property.id, policy, ...await replayCase(c.property, l.backend, policy, value) });
    }
    const status: Status = results.some((r) => r.status === 'fail') ? 'fail' : results.every((r) => r.status === 'unsupported') ? 'unsupported' : 'pass';
    replays.push({ backend: l.backend.name, ref: l.ref, status, results });
    await l.backend.dispose?.();
  }
  console.log(`\nCase files × backends`);
  console.log(renderTable(['case', 'property', ...replays.map((r) => r.backend)],
    cases.map((c, i) => [c.path, c.property.id, ...replays.map((r) => cell(r.results[i]!))])));
  const failures = replays.flatMap((r) => r.results.filter((v) => v.status === 'fail').map((v) => {
    if (v.status !== 'fail') return '';
    return [
      `✗ ${r.backend} · ${v.file} (${v.property})`,
      `  ${v.message}`,
      ...(v.mismatch ? [`  at ${v.mismatch.tensor}${JSON.stringify(v.mismatch.position)}: expected ${v.mismatch.expected}, got ${v.mismatch.got}`] : []),
    ].join('\n');
  }));
  if (failures.length) console.log(`\nFailures\n${failures.join('\n\n')}`);
  const declined = replays.flatMap((r) => r.results.filter((v) => v.status === 'unsupported').map((v) => `  ${r.backend} · ${v.file}: ${v.status === 'unsupported' ? v.reason : ''}`));
  if (declined.length) console.log(`\nDeclined (through supports(); not counted as passed)\n${declined.join('\n')}`);
  console.log(`\n${replays.map((r) => `${r.backend}: ${r.status.toUpperCase()}`).join('  ')}  (${cases.length} case file${cases.length === 1 ? '' : 's'})`);
  if (json !== undefined) {
    writeFileAtomic(json, `${JSON.stringify({ schema: REPLAY_SCHEMA, date: new Date().toISOString(), node: process.version, cases: cases.map((c) => c.path), backends: replays }, null, 2)}\n`);
  }
  return replays.every((r) => r.status === 'pass') ? 0 : 1;
}
