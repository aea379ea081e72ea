/**
 * A second kernel thread for the wasm backend (the `threads: 2` option): a worker holding its own instance of the
 * shared-memory build of the kernels over the backend's shared memory. The engine (engine.ts) splits a call's
 * independent units (channels_first planes or channels_last batch items) in two, records the worker's half as a
 * list of kernel calls on a `KernelThread.recorder`, starts it, runs its own half, and joins.
 *
 * Why a call list and not messages: a postMessage round trip costs tens of microseconds and needs the event loop,
 * which a synchronous kernel call does not give back; the call list sits in a small SharedArrayBuffer and the two
 * threads hand it over with Atomics (a counter each way), so a task costs one wake-up.
 *
 * Node only (worker_threads, loaded when a backend runs a large kernel call on two threads). A backend uses two by
 * default where `kernelThreadsAvailable()` says they can run; where workers or shared memory are missing,
 * `KernelThread.create` throws, and the backend stays on one thread (or, asked for two, throws).
 */
import { BackendError } from '../../spec/errors.js';
import { NAME, type Kernels } from './module.js';

/**
 * The kernels a worker may run: those whose units are independent and whose results the host does not read
 * (bwdSum is among them for engine.ts sumUnits' type; a call of it is not split).
 */
const CALLS = [
  'setGeometry', 'fwdRows', 'fwdGlobal', 'fwdChannelsLast', 'fwdScalar', 'avgDivide', 'lpMap', 'lpRoot',
  'bwdMaxChannels', 'bwdMaxPlanes', 'bwdMaxPairs', 'bwdMaxK4S4', 'bwdMaxK3S2', 'bwdMaxK3S1', 'bwdSumK3S2', 'bwdSumRows',
  'bwdSum',
] as const;
type Call = (typeof CALLS)[number];
/** The part of the kernels a recorder stands in for. Return values of recorded calls are not available. */
export type ThreadKernels = Pick<Kernels, Call>;

/**
 * Float64 slots for one task's calls: per call its index in CALLS, its argument count, its arguments. The largest
 * task is a split sum or avg backward's (engine.ts SUM_TASK_BLOCKS blocks of at most 53 slots).
 */
const ARG_SLOTS = 4096;
// Control words (Int32): 0 the last task started, 1 the last task finished, 2 set when a task threw.
const STARTED = 0;
const FINISHED = 1;
const FAILED = 2;
const CONTROL_BYTES = 16;

/**
 * The worker's program (CommonJS, evaluated: no file to resolve next to the compiled host, in dist or in vitest).
 * After instantiating it reports ready, then waits for the STARTED counter to move, runs the call list, and
 * publishes the counter as FINISHED. A negative STARTED ends it.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, control, names } = workerData;
const exported = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = names.map((n) => exported[n]);
const ctl = new Int32Array(control, 0, ${CONTROL_BYTES / 4});
const args = new Float64Array(control, ${CONTROL_BYTES});
parentPort.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${STARTED}, seen);
  const now = Atomics.load(ctl, ${STARTED});
  if (now < 0) break;
  if (now === seen) continue;
  seen = now;
  try {
    let at = 1;
    for (let call = 0, calls = args[0]; call < calls; call++) {
      const f = fns[args[at]], n = args[at + 1];
      const a = Array.from(args.subarray(at + 2, at + 2 + n));
      at += 2 + n;
      f(...a);
    }
  } catch {
    Atomics.store(ctl, ${FAILED}, 1);
  }
  Atomics.store(ctl, ${FINISHED}, seen);
  Atomics.notify(ctl, ${FINISHED});
}
`;

interface NodeWorker {
  once(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): unknown;
  unref(): void;
  terminate(): Promise<number>;
}
interface WorkerThreadsModule {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
}

/** A module specifier in a variable: bundlers for the browser leave it alone (these paths are Node's). */
async function nodeModule<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

/**
 * Whether a second kernel thread can run here and has a core of its own: shared memory (SharedArrayBuffer), Node's
 * worker threads and at least two cores available to the process (os.availableParallelism). The wasm backend's
 * default thread count follows it.
 */
export async function kernelThreadsAvailable(): Promise<boolean> {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    const os = await nodeModule<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
    const cores = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
    if (cores < 2) return false;
    await nodeModule<WorkerThreadsModule>('node:worker_threads');
    return true;
  } catch {
    return false;
  }
}

/** The worker side of a split call: record its calls, start, join. */
export class KernelThread {
  private readonly worker: NodeWorker;
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private task = 0;
  private at = 1;
  private calls = 0;
  private running = false;
  /** Records calls for the next task (start() sends them). */
  readonly recorder: ThreadKernels;

  private constructor(worker: NodeWorker, control: SharedArrayBuffer) {
    this.worker = worker;
    this.ctl = new Int32Array(control, 0, CONTROL_BYTES / 4);
    this.args = new Float64Array(control, CONTROL_BYTES);
    const recorder: Partial<Record<Call, (...a: number[]) => number>> = {};
    CALLS.forEach((name, index) => {
      recorder[name] = (...a: number[]): number => {
        this.record(index, a);
        return 0;
      };
    });
    this.recorder = recorder as ThreadKernels;
  }

  private record(index: number, a: readonly number[]): void {
    if (this.running) throw new BackendError(NAME, 'kernel thread: a call was recorded while a task ran');
    if (this.at + 2 + a.length > ARG_SLOTS) throw new BackendError(NAME, `kernel thread: a task needs more than ${ARG_SLOTS} argument slots`);
    this.args[this.at] = index;
    this.args[this.at + 1] = a.length;
    this.args.set(a, this.at + 2);
    this.at += 2 + a.length;
    this.calls++;
  }

  /** Starts the recorded calls on the worker (and clears the recorder for the next task). */
  start(): void {
    this.args[0] = this.calls;
    this.at = 1;
    this.calls = 0;
    this.running = true;
    this.task++;
    Atomics.store(this.ctl, STARTED, this.task);
    Atomics.notify(this.ctl, STARTED);
  }

  /** Waits for the started task; throws a BackendError when one of its kernels trapped. */
  join(): void {
    if (!this.running) return;
    for (;;) {
      const done = Atomics.load(this.ctl, FINISHED);
      if (done === this.task) break;
      Atomics.wait(this.ctl, FINISHED, done);
    }
    this.running = false;
    if (Atomics.exchange(this.ctl, FAILED, 0) !== 0) throw new BackendError(NAME, 'kernel thread: a kernel trapped on the worker');
  }

  dispose(): void {
    Atomics.store(this.ctl, STARTED, -1);
    Atomics.notify(this.ctl, STARTED);
    void this.worker.terminate();
  }

  /** Starts a worker on `module` (the shared-memory build) over `memory` and waits until it has instantiated. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<KernelThread> {
    if (typeof SharedArrayBuffer === 'undefined' || !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new BackendError(NAME, 'threads: this environment has no shared WebAssembly memory');
    }
    let threads: WorkerThreadsModule;
    try {
      threads = await nodeModule<WorkerThreadsModule>('node:worker_threads');
    } catch (e) {
      throw new BackendError(NAME, `threads: worker threads are not available here (${e instanceof Error ? e.message : String(e)})`);
    }
    const control = new SharedArrayBuffer(CONTROL_BYTES + 8 * ARG_SLOTS);
    const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control, names: [...CALLS] } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', (e) => reject(new BackendError(NAME, `threads: the kernel worker failed to start: ${e instanceof Error ? e.message : String(e)}`)));
      worker.once('exit', (code) => reject(new BackendError(NAME, `threads: the kernel worker exited (code ${String(code)}) before it was ready`)));
    });
    // The worker must not keep a process alive that no longer needs the backend.
    worker.unref();
    return new KernelThread(worker, control);
  }
}
