/**
 * For backends that do not (yet) implement SPEC.md §10: a `structured` member that lists every structured kind
 * and declines each through supports() with the backend's reason, so the conformance matrix shows the gap and
 * why, rather than a silent absence.
 */
import { BackendError } from '../../spec/errors.js';
import { STRUCTURED_KINDS, type StructuredPoolingBackend } from '../../spec/contract.js';

export function declineStructured(backend: string, reason: string): StructuredPoolingBackend {
  const refuse = (): never => { throw new BackendError(backend, `unsupported: ${reason}`); };
  return {
    kinds: STRUCTURED_KINDS,
    supports: () => ({ ok: false, reason }),
    forward: async () => refuse(),
    backward: async () => refuse(),
  };
}
