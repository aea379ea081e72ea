/**
 * What the browser page reports back (window.__poolspecResult), shared by the page (entry.ts) and the test that
 * reads it. Plain data only: it crosses from the page to Node as JSON.
 */

/**
 * The properties the page runs by default: the differential ones (forward and backward, per sliding-window kind;
 * the forward ones also check the output shape, SHAPE.OUT/SHAPE.CEIL, and max's indices, and the backward ones
 * the gradient's shape, GRAD.SHAPE) and the call contract (inputs untouched, bit-identical repeats, no leaks
 * between calls). There is no separate shape property in spec/properties: shape is part of PROP.DIFF.
 */
export const CORE_PROPERTIES: readonly string[] = [
  'diff.forward.max', 'diff.forward.avg', 'diff.forward.sum', 'diff.forward.lp',
  'diff.backward.max', 'diff.backward.avg', 'diff.backward.sum', 'diff.backward.lp',
  'contract.pure', 'contract.deterministic', 'contract.isolation',
];

/** GPUAdapterInfo's fields, copied (the object itself does not survive JSON). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Newer browsers only (GPUAdapterInfo.isFallbackAdapter). */
  isFallbackAdapter?: boolean;
  /** A few limits that bound the backend's dispatches. */
  limits: Record<string, number>;
  features: string[];
}

export interface PropertyVerdict {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'unsupported' | 'n/a';
  cases: number;
  unsupported: number;
  reasons: readonly string[];
  ms: number;
  failure?: {
    message: string;
    /** JSON-safe (spec/verifier.ts toJsonSafe): typed arrays as { Float32Array: [...] }, NaN as "NaN". */
    counterexample: unknown;
    mismatch?: unknown;
    path: string;
    shrinks: number;
  };
}

export interface BrowserVerdict {
  /** 'done': the verifier ran (properties may still have failed); 'error': it could not run (message in error). */
  state: 'done' | 'error';
  backend: string;
  userAgent: string;
  /** navigator.gpu present, and what requestAdapter() gave (null: no adapter). */
  gpu: { available: boolean; adapter: AdapterSummary | null; problem?: string };
  seed: number;
  runs: number;
  /** Backend-level status from the verifier (spec/verifier.ts backendStatus). */
  status?: 'pass' | 'fail' | 'unsupported';
  properties: PropertyVerdict[];
  /** Milliseconds: creating the backend, running the properties, whole run. */
  timing: { createMs: number; verifyMs: number; totalMs: number };
  error?: string;
}

export interface RunOptions {
  backend: string;
  runs: number;
  seed: number;
  properties: readonly string[];
}

/** What the page adds to window (entry.ts); declared here so that the test's page functions see it too. */
declare global {
  interface Window {
    runPoolspec(options: Partial<RunOptions> & { backend: string }): Promise<BrowserVerdict>;
    __poolspecResult?: BrowserVerdict;
  }
}
