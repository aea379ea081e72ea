/**
 * Replays one recorded case: the property's own check on exactly that value, no fast-check draw and no
 * shrinking. The verdict is the property's (pass, fail with its message and mismatch, or unsupported when the
 * backend declines); a check that throws is a failure that says so, as in the verifier.
 */
import type { PoolingBackend } from './contract.js';
import type { Policy } from './policy.js';
import type { AnyProperty, Mismatch } from './properties/index.js';

export type ReplayVerdict =
  | { readonly status: 'pass'; readonly ms: number }
  | { readonly status: 'fail'; readonly message: string; readonly mismatch?: Mismatch; readonly ms: number }
  | { readonly status: 'unsupported'; readonly reason: string; readonly ms: number };

export async function replayCase(property: AnyProperty, backend: PoolingBackend, policy: Policy, value: unknown): Promise<ReplayVerdict> {
  const started = performance.now();
  const ms = (): number => performance.now() - started;
  try {
    const v = await property.check(backend, value, policy);
    if (v.status === 'pass') return { status: 'pass', ms: ms() };
    if (v.status === 'unsupported') return { status: 'unsupported', reason: v.reason, ms: ms() };
    return { status: 'fail', message: v.message, ...(v.mismatch ? { mismatch: v.mismatch } : {}), ms: ms() };
  } catch (e) {
    return { status: 'fail', message: `the property itself threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}`, ms: ms() };
  }
}
