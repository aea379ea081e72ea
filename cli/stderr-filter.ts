/**
 * Keeps what native code prints while a platform backend looks for its device out of the CLI's output. Dawn (npm
 * `webgpu`) and the Vulkan loader and drivers it opens write to file descriptor 2 during the first adapter search:
 * limits Dawn clamps (`maxDynamic…BuffersPerPipelineLayout artificially reduced …`), drivers it refuses, a
 * Vulkan loader that is missing. Dawn's flags and toggles have no switch for it, and Node cannot redirect
 * descriptor 2 of its own process. So `verify` and `bench`, when they may create such a backend, run in a child
 * whose descriptor 2 is a pipe read here; around a platform backend's creation the child writes a begin and an end
 * marker to it, and what comes between them is dropped. Everything else on descriptor 2 (a device lost later, Node's fatal errors) is passed on; if the
 * child dies inside the window, what it held is passed on too. The child's console writes to the parent's stderr
 * directly (descriptor 3), in order with stdout. POOLSPEC_DAWN_NOTICES=1 runs the command in this process instead,
 * showing everything.
 */
import { spawn } from 'node:child_process';
import { Console } from 'node:console';
import { writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { BUILTIN_BACKENDS } from '../kernels/registry.js';

/** Set in the child's environment: the command runs there, its descriptor 2 read by its parent. */
const CHILD_MARK = 'POOLSPEC_STDERR_FILTERED';
/** The child's descriptor for the parent's stderr. */
const PARENT_STDERR_FD = 3;
/** Marker lines on the child's descriptor 2 (NUL-delimited: no program prints them). */
export const HOLD_BEGIN = '\0poolspec:hold-native-stderr\0';
export const HOLD_END = '\0poolspec:end-hold-native-stderr\0';

function inChild(env: NodeJS.ProcessEnv): boolean {
  return env[CHILD_MARK] === '1';
}

/**
 * Whether `poolspec COMMAND ARGS` may create a platform backend (webgpu): `verify` and `bench` with their default
 * set, or with one named. A run on user modules only (`--backend ./mine.mjs`) has no device search to hide and
 * stays in one process. Unsure (an argument this lenient reading cannot place) counts as yes.
 */
export function mayCreatePlatformBackend(command: string | undefined, args: readonly string[]): boolean {
  if (command !== 'verify' && command !== 'bench') return false;
  const platform = new Set(BUILTIN_BACKENDS.filter((b) => b.platform).map((b) => b.name));
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args: [...args], options: { backend: { type: 'string', multiple: true }, backends: { type: 'string', multiple: true } }, strict: false, allowPositionals: true }));
  } catch {
    return true;
  }
  const given = command === 'verify' ? values.backend : values.backends;
  if (given === undefined) return true;
  const refs = (Array.isArray(given) ? given : [given]).flatMap((v) => (typeof v === 'string' ? v.split(',').map((r) => r.trim()) : ['']));
  return refs.some((r) => r === '' || platform.has(r));
}

/** Whether this process should hand the command to a child: not in the child, not when asked to show all. */
export function shouldFilterStderr(env: NodeJS.ProcessEnv = process.env): boolean {
  return !inChild(env) && env.POOLSPEC_DAWN_NOTICES !== '1';
}

/** Writes all of `data` to `fd` now. */
function writeFully(fd: number, data: Uint8Array): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let rest = data;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (e) {
      // The parent's stderr may be a pipe that libuv opened non-blocking: wait for its reader, then go on.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

/**
 * In the child: the console's stderr becomes the parent's stderr, written synchronously like stdout, so that
 * poolspec's progress and messages keep their order with its stdout. Elsewhere it does nothing.
 */
export function useParentStderr(env: NodeJS.ProcessEnv = process.env): void {
  if (!inChild(env)) return;
  const stderr = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      try {
        writeFully(PARENT_STDERR_FD, chunk);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  globalThis.console = new Console({ stdout: process.stdout, stderr });
}

/** Runs `work` (a platform backend's creation) with what native code prints meanwhile held back, in the child. */
export async function holdNativeStderr<T>(work: () => Promise<T>, env: NodeJS.ProcessEnv = process.env): Promise<T> {
  if (!inChild(env)) return work();
  writeFully(2, Buffer.from(`${HOLD_BEGIN}\n`));
  try {
    return await work();
  } finally {
    writeFully(2, Buffer.from(`${HOLD_END}\n`));
  }
}

/**
 * Where the held-back output matters (a platform backend found no device), how to see it; undefined when nothing
 * is held back (this process is not a child).
 */
export function heldOutputHint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return inChild(env) ? 'POOLSPEC_DAWN_NOTICES=1 shows what Dawn and the Vulkan loader printed while looking for an adapter' : undefined;
}

/** The parent's reading of the child's descriptor 2: lines out, except those between the markers. */
export class HeldLines {
  private holding = false;
  private held: string[] = [];

  /** Takes one line (without its newline); returns the lines to pass on now. */
  line(text: string): string[] {
    if (text === HOLD_BEGIN) {
      this.holding = true;
      return [];
    }
    if (text === HOLD_END) {
      this.holding = false;
      this.held = [];
      return [];
    }
    if (!this.holding) return [text];
    this.held.push(text);
    return [];
  }

  /** The stream ended: a window that never closed (the child died in it) gives up what it held. */
  end(): string[] {
    const rest = this.held;
    this.held = [];
    this.holding = false;
    return rest;
  }
}

/** Runs this same command line (node, its flags, the script, the arguments) in a child; resolves to its exit code. */
export function runWithFilteredStderr(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'pipe', 2],
    env: { ...process.env, [CHILD_MARK]: '1' },
  });
  const lines = new HeldLines();
  let partial = '';
  const write = (out: readonly string[]): void => {
    if (out.length > 0) process.stderr.write(`${out.join('\n')}\n`);
  };
  // stdio[2] is 'pipe', so the stream exists; the type of a mixed stdio array cannot say so.
  const fd2 = child.stderr!;
  fd2.setEncoding('utf8');
  fd2.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    write(parts.flatMap((l) => lines.line(l)));
  });

  // A terminal's Ctrl-C reaches the whole process group, the child included: the parent waits for the child's
  // exit. A signal sent to the parent alone is passed on.
  const forward = (signal: NodeJS.Signals): void => {
    if (signal !== 'SIGINT') child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);

  return new Promise<number>((resolve) => {
    child.on('error', (e) => {
      for (const s of signals) process.off(s, forward);
      console.error(`poolspec: could not start ${process.execPath}: ${e.message}`);
      resolve(2);
    });
    child.on('close', (code, signal) => {
      write([...(partial === '' ? [] : lines.line(partial)), ...lines.end()]);
      for (const s of signals) process.off(s, forward);
      // A child killed by a signal: end the same way, so the caller's shell sees what happened.
      if (signal) process.kill(process.pid, signal);
      resolve(code ?? 1);
    });
  });
}
