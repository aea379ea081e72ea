/**
 * The environment a benchmark ran in: CPU, memory, runtime, package versions (this package's and the installed
 * versions of its dependencies) and the git commit. Every lookup tolerates absence: a missing package is null, a
 * tree without git has a null commit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Environment {
  readonly cpu: { readonly model: string; readonly cores: number; readonly speedMHz: number | null };
  readonly memoryBytes: number;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  /** process.version, e.g. "v20.20.2". */
  readonly node: string;
  readonly v8: string;
  /** "poolspec" → its version; each dependency and optional dependency → the installed version, or null. */
  readonly packages: Readonly<Record<string, string | null>>;
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
}

/** The directory holding poolspec's package.json (from source or from dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'poolspec') return dir;
      } catch { /* keep looking */ }
    }
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The installed version of a package, looked up in node_modules from `root` upwards (Node's own search order). */
export function installedVersion(name: string, root: string): string | null {
  let dir = root;
  for (;;) {
    const v = readJson(join(dir, 'node_modules', name, 'package.json'))?.['version'];
    if (typeof v === 'string') return v;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

function git(args: readonly string[], cwd: string): string | null {
  try {
    return execFileSync('git', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

export function collectEnvironment(): Environment {
  const root = packageRoot();
  const pkg = readJson(join(root, 'package.json')) ?? {};
  const names = new Set<string>();
  for (const field of ['dependencies', 'optionalDependencies']) {
    const deps = pkg[field];
    if (deps && typeof deps === 'object') for (const n of Object.keys(deps)) names.add(n);
  }
  const packages: Record<string, string | null> = { poolspec: typeof pkg['version'] === 'string' ? pkg['version'] : null };
  for (const n of [...names].sort()) packages[n] = installedVersion(n, root);
  const commit = git(['rev-parse', 'HEAD'], root);
  const status = commit === null ? null : git(['status', '--porcelain', '--untracked-files=no'], root);
  const cpuList = cpus();
  return {
    cpu: { model: cpuList[0]?.model.trim() ?? 'unknown', cores: availableParallelism(), speedMHz: cpuList[0]?.speed || null },
    memoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    node: process.version,
    v8: process.versions.v8,
    packages,
    git: { commit, dirty: status === null ? null : status.length > 0 },
  };
}
