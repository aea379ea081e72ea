/**
 * The one list of built-in backends (the XNNPACK pattern): the CLI, the conformance tests and the benchmarks
 * iterate it; a new backend is added here and nowhere else. Backends are created lazily, so a backend whose
 * platform is missing (e.g. no WebGPU adapter) fails alone, with its own message.
 */
import type { PoolingBackend } from './contract.js';
import type { Policy } from '../spec/policy.js';

export interface BackendEntry {
  readonly name: string;
  readonly description: string;
  create(): Promise<PoolingBackend>;
  /** The backend's documented conventions where SPEC.md §6 allows alternatives (default: the spec's). */
  readonly policy?: Partial<Policy>;
}

export const BUILTIN_BACKENDS: readonly BackendEntry[] = [
  {
    name: 'naive',
    description: 'direct loops over every window, f64 accumulation (the baseline)',
    create: async () => (await import('./naive/index.js')).createNaiveBackend(),
  },
  {
    name: 'im2col',
    description: 'unfolds windows into a column matrix, then reduces rows; col2im backward',
    create: async () => (await import('./im2col/index.js')).createIm2colBackend(),
  },
  {
    name: 'wasm',
    description: 'AssemblyScript kernels with 128-bit SIMD, one reused WebAssembly.Memory',
    create: async () => (await import('./wasm/index.js')).createWasmBackend(),
  },
];

export function findBuiltin(name: string): BackendEntry | undefined {
  return BUILTIN_BACKENDS.find((b) => b.name === name);
}
