/**
 * kernels/naive/stats.ts beside test/stats.test.ts (reports/mutation/summary.md): what the stats properties do not
 * look at, the kernel's supports() (STATS.SPEC: a spec with another member is refused with the clause) and the
 * output tensor's layout (y is [N, 2C] whatever x's layout: a valid Layout for that shape, channels_first or the
 * default).
 */
import { describe, expect, test } from 'vitest';
import type { StatsPoolSpec } from '../../spec/contract.js';
import { naiveStatistics } from '../../kernels/naive/stats.js';

describe('naive statistics pooling: supports() and the output tensor', () => {
  test('supports() accepts { kind: "stats" } in both layouts and refuses another member, naming STATS.SPEC', () => {
    expect(naiveStatistics.supports({ kind: 'stats' }, [1, 2, 3], 'channels_first')).toEqual({ ok: true });
    expect(naiveStatistics.supports({ kind: 'stats' }, [1, 3, 2], 'channels_last')).toEqual({ ok: true });
    const refused = naiveStatistics.supports({ kind: 'stats', unbiased: true } as unknown as StatsPoolSpec, [1, 2, 3], 'channels_first');
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.reason).toMatch(/STATS\.SPEC/);
  });

  test('y is [N, 2C] and says so: channels_first or no layout (the default), also for a channels_last x', async () => {
    const x = { shape: [1, 2, 2], data: Float32Array.from([1, 10, 3, 10]), layout: 'channels_last' as const };
    const { y } = await naiveStatistics.forward({ kind: 'stats' }, x);
    expect(y.shape).toEqual([1, 4]);
    expect(['channels_first', undefined]).toContain(y.layout);
  });
});
