/**
 * `poolspec verify` with reducers end to end (SPEC.md REDUCER.MODULE), as a user runs it: the built CLI (dist/,
 * built by `npm test` first) loads a module's `reducers` export beside its backend, lists and runs their
 * properties, and a planted bug fails with a counterexample whose replay command fails the same way.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'poolspec.js');

interface Run { code: number; stdout: string; stderr: string }

function cli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

interface VerifyJson { backends: { properties: { id: string; status: string; failure?: { message: string } }[]; replay: Record<string, string> }[] }

describe('poolspec verify with reducers', () => {
  test('--list shows the research kinds with their clauses', async () => {
    const r = await cli(['verify', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/reducer\.gem\.forward .*GEM\.DEF/);
    expect(r.stdout).toMatch(/reducer\.lse\.gradient .*LSE\.GRAD/);
  }, 60_000);

  test("a module's reducers are verified, and a planted bug fails with a replayable counterexample", async () => {
    const good = await cli(['verify', '--backend', 'test/fixtures/entropy-reducer.mjs', '--property', 'reducer.entropy.forward', '--seed', '1', '--runs', '40']);
    expect(good.code, good.stderr).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'poolspec-reducers-'));
    const json = join(dir, 'out.json');
    const bad = await cli(['verify', '--backend', 'test/fixtures/planted-reducer/overflow.mjs', '--property', 'reducer.entropy.forward', '--seed', '20261203', '--runs', '100', '--json', json]);
    expect(bad.code).toBe(1);
    const out = JSON.parse(readFileSync(json, 'utf8')) as VerifyJson;
    const p = out.backends[0]!.properties[0]!;
    expect(p.status).toBe('fail');
    expect(p.failure!.message).toMatch(/REDUCER\.ACCURACY/);
    const replay = out.backends[0]!.replay['reducer.entropy.forward']!;
    const args = replay.split(' ').slice(replay.split(' ').indexOf('verify'));
    const again = await cli(args.map((a) => a.replace(/^'|'$/g, '')));
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).toContain(p.failure!.message.slice(0, 40));
  }, 240_000);
});
