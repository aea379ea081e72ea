/**
 * The one list of built-in backends (the XNNPACK pattern): the CLI, the conformance tests and the benchmarks
 * iterate it; a new backend is added here and nowhere else. Backends are created lazily, so a backend whose
 * platform is missing (e.g. no WebGPU adapter) fails alone, with its own message.
 */
import type { BackendEntry } from './backend-entry.js';
import { PEER_BACKENDS } from './peers/index.js';
import { WEBGPU_POLICY } from './webgpu/policy.js';

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
    description: 'AssemblyScript kernels with 128-bit SIMD, one reused WebAssembly.Memory; large kernel calls split over two threads where a second one can run (shared memory, a Node worker)',
    create: async () => (await import('./wasm/index.js')).createWasmBackend(),
  },
  {
    name: 'wasm-values',
    description: 'the wasm backend returning max values only (no indices): its values-only kernels, verified with indices unchecked',
    create: async () => (await import('./wasm/index.js')).createWasmBackend({ indices: false }),
    // forward() returns no indices for max (SPEC.md POLICY.INDICES); everything else is the spec's default.
    policy: { indices: 'unchecked' },
  },
  {
    name: 'wasm-1t',
    description: 'the wasm backend on one kernel thread: the like-for-like row beside single-threaded peers (onnxruntime-1t, tfjs-wasm)',
    create: async () => (await import('./wasm/index.js')).createWasmBackend({ threads: 1 }),
    // Its kernels are wasm's; the verifier's cases stay under the split threshold, where wasm runs one thread too,
    // and a split call's bits are held against one thread's in kernels/wasm/wasm.test.ts.
    verifyByDefault: false,
  },
  {
    name: 'wasm-values-1t',
    description: 'wasm-values on one kernel thread',
    create: async () => (await import('./wasm/index.js')).createWasmBackend({ threads: 1, indices: false }),
    policy: { indices: 'unchecked' },
    verifyByDefault: false,
  },
  {
    name: 'webgpu',
    description: 'WGSL compute shaders through WebGPU (Dawn in Node); gather backward; any adapter, GPU or software',
    create: async () => {
      const [{ createWebGpuBackend }, { nodeGpu }] = await Promise.all([import('./webgpu/index.js'), import('./webgpu/node.js')]);
      const backend = createWebGpuBackend({ gpu: nodeGpu });
      await backend.ready(); // fail here, with the how-to, rather than on the first case
      return backend;
    },
    policy: WEBGPU_POLICY, // subnormals may be flushed (SPEC.md POLICY.SUBNORMALS)
    platform: true,
  },
  {
    name: 'webgpu-values',
    description: 'the webgpu backend returning max values only (no indices): its values-only max kernel, verified with indices unchecked',
    create: async () => {
      const [{ createWebGpuBackend }, { nodeGpu }] = await Promise.all([import('./webgpu/index.js'), import('./webgpu/node.js')]);
      const backend = createWebGpuBackend({ gpu: nodeGpu, indices: false });
      await backend.ready();
      return backend;
    },
    policy: { ...WEBGPU_POLICY, indices: 'unchecked' },
    platform: true,
    // Every kernel but the max forward is webgpu's, verified in the default set; that one is held against
    // webgpu's bits in kernels/webgpu/webgpu.test.ts, and .ci/run verifies this entry by name.
    verifyByDefault: false,
  },
  ...PEER_BACKENDS,
];

/** poolspec's own backends: the default of `poolspec bench`. */
export const OWN_BACKENDS: readonly BackendEntry[] = BUILTIN_BACKENDS.filter((b) => !b.peer);

/** The default of `poolspec verify` and what the conformance suite requires to pass (BackendEntry.verifyByDefault). */
export const VERIFIED_BACKENDS: readonly BackendEntry[] = OWN_BACKENDS.filter((b) => b.verifyByDefault !== false);

export function findBuiltin(name: string): BackendEntry | undefined {
  return BUILTIN_BACKENDS.find((b) => b.name === name);
}

export type { BackendEntry } from './backend-entry.js';
