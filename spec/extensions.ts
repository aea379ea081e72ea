/**
 * Type guards for the optional members declared in spec/contract.ts. They are duck-typed, so a user's backend
 * gets the benchmark's and the reports' extra scopes by having the member, with nothing to import.
 */
import type {
  DeviceBackend, ForwardOnlyBackend, PlanningBackend, PoolingBackend, PreparableBackend, ResidentBackend,
} from './contract.js';

/** The text a forward-only backend's backward() rejection contains (ForwardOnlyBackend). */
export const FORWARD_ONLY = 'inference only (no backward)';

function hasMethod(b: PoolingBackend, name: string): boolean {
  return typeof (b as unknown as Record<string, unknown>)[name] === 'function';
}

export function isPreparable(b: PoolingBackend): b is PreparableBackend {
  return hasMethod(b, 'prepare');
}

export function isForwardOnlyAware(b: PoolingBackend): b is ForwardOnlyBackend {
  return hasMethod(b, 'supportsBackward');
}

export function isResident(b: PoolingBackend): b is ResidentBackend {
  return hasMethod(b, 'resident');
}

export function isDeviceBackend(b: PoolingBackend): b is DeviceBackend {
  return hasMethod(b, 'describeDevice') && hasMethod(b, 'measureCopy');
}

export function isPlanning(b: PoolingBackend): b is PlanningBackend {
  return hasMethod(b, 'plan');
}

/** Whether a backend has the optional `reducers` member (SPEC.md §11, ReducingBackend). */
export function isReducing(b: PoolingBackend): b is import('./contract.js').ReducingBackend {
  const r = (b as unknown as Record<string, unknown>).reducers as Record<string, unknown> | undefined;
  return typeof r === 'object' && r !== null && Array.isArray(r.kinds)
    && typeof r.supports === 'function' && typeof r.forward === 'function' && typeof r.backward === 'function';
}

/** Whether a backend has the optional `statistics` member (SPEC.md STATS.*, StatisticalBackend). */
export function isStatistical(b: PoolingBackend): b is import('./contract.js').StatisticalBackend {
  const r = (b as unknown as Record<string, unknown>).statistics as Record<string, unknown> | undefined;
  return typeof r === 'object' && r !== null && Array.isArray(r.kinds)
    && typeof r.supports === 'function' && typeof r.forward === 'function' && typeof r.backward === 'function';
}
