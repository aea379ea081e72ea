/**
 * The virtual module that test/browser/bundle.ts generates per build: the backends that build contains, each as
 * a lazy loader of its factory (a dynamic import, so each backend is its own chunk).
 * Types come in as import types: an ambient module declaration may not import from a relative path.
 */
declare module 'poolspec:backends' {
  type PoolingBackend = import('../../spec/contract.js').PoolingBackend;
  type Policy = import('../../spec/policy.js').Policy;
  export type BackendFactory = (options: { gpu: GPU }) => PoolingBackend | Promise<PoolingBackend>;
  /** The backend's factory and its documented policy (SPEC.md §6), if it has one. */
  export const loaders: Readonly<Record<string, () => Promise<{ factory: BackendFactory; policy?: Partial<Policy> }>>>;
}
