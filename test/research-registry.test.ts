/**
 * Every built-in backend faces the research kinds (SPEC.md §11) without crashing: a backend that does not list a
 * kind in `reducers.kinds` is reported unsupported by the reducer properties (never passed), and its plain
 * supports(), handed a research spec anyway (a JavaScript caller can), declines it with a reason instead of
 * throwing. A backend that cannot be created here (no WebGPU adapter, a peer not installed) is skipped with
 * its reason.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { BUILTIN_BACKENDS } from '../kernels/registry.js';
import { RESEARCH_KINDS, type PoolSpec, type PoolingBackend } from '../spec/contract.js';
import { isReducing } from '../spec/extensions.js';
import { DEFAULT_POLICY } from '../spec/policy.js';
import { RESEARCH_PROPERTIES } from '../spec/properties/index.js';
import { runProperty } from '../spec/verifier.js';

const created = new Map<string, PoolingBackend | string>();
for (const entry of BUILTIN_BACKENDS) {
  try {
    created.set(entry.name, await entry.create());
  } catch (e) {
    created.set(entry.name, (e as Error).message);
  }
}

afterAll(async () => {
  for (const b of created.values()) if (typeof b !== 'string') await b.dispose?.();
});

const SPECS = {
  gem: { p: 2 }, softpool: undefined, lse: { r: 1 }, median: undefined, mixed: { lambda: 0.5 },
} as const;

describe.each(BUILTIN_BACKENDS.map((e) => e.name))('backend %s', (name) => {
  const b = created.get(name);
  const skip = typeof b === 'string';
  test.skipIf(skip)(`declines what it does not implement${skip ? ` (skipped: ${String(b)})` : ''}`, async () => {
    const backend = b as PoolingBackend;
    const implemented = isReducing(backend) ? backend.reducers.kinds : [];
    for (const kind of RESEARCH_KINDS) {
      const params = SPECS[kind];
      const spec = { kind, kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false, ...(params ? { params } : {}) };
      // The plain surface: a research spec is not a PoolSpec; supports() must say no, with a reason, not throw.
      const answer = backend.supports(spec as unknown as PoolSpec, [1, 1, 3, 3]);
      expect(answer.ok, `${name} supports(${kind})`).toBe(false);
      if (!answer.ok) expect(answer.reason).toMatch(/\S/);
      if (implemented.includes(kind)) continue;
      const forward = RESEARCH_PROPERTIES.find((p) => p.id === `reducer.${kind}.forward`)!;
      const o = await runProperty(forward, backend, DEFAULT_POLICY, 5, 1);
      expect(o.status, `${name} reducer.${kind}.forward`).toBe('unsupported');
      expect(o.reasons.join(' ')).toMatch(/does not implement reducer|implements no reducers/);
    }
  }, 120_000);
});
