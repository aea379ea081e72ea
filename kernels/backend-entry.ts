/**
 * One entry of the list of built-in backends (kernels/registry.ts), peers included (kernels/peers/index.ts).
 * Its own module so that the registry and the peer list both build on it without importing each other.
 */
import type { PoolingBackend } from '../spec/contract.js';
import type { Policy } from '../spec/policy.js';

export interface BackendEntry {
  readonly name: string;
  readonly description: string;
  create(): Promise<PoolingBackend>;
  /** The backend's documented conventions where SPEC.md §6 allows alternatives (default: the spec's). */
  readonly policy?: Partial<Policy>;
  /**
   * A library that is not poolspec's (kernels/peers/): verified and benchmarked on request, reported in
   * reports/results/ecosystem.md, not required to pass, and not in `poolspec verify`'s default set.
   */
  readonly peer?: boolean;
  /**
   * Needs something this machine may lack (a WebGPU adapter). When it cannot be created, `poolspec verify`
   * without --backend reports it as unavailable, with its how-to, and verifies the others; asked for by name it
   * is an error (exit 2). The conformance suite fails on it under CI and skips it elsewhere.
   */
  readonly platform?: boolean;
  /**
   * In `poolspec verify`'s default set and the conformance suite (default true for an own backend). false for a
   * variant that shares all but one kernel with a backend verified there (webgpu-values): it is verified when
   * named, and its own kernel is held against its parent's in that backend's tests.
   */
  readonly verifyByDefault?: boolean;
}
