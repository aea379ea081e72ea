/**
 * The im2col backend against the exact reference (forward) and the naive backend (backward), over the
 * project's edge-case grid (spec/cases/edge-cases.ts) × kinds × layouts × value sets; plus the memory refusal and
 * input immutability. The property-based verifier covers random cases; this grid pins the corners.
 */
import { describe, expect, it } from 'vitest';
import type { Layout, PoolSpec, Tensor } from '../../spec/contract.js';
import { joinShape, product } from '../../spec/geometry.js';
import { expectBackwardClose } from '../../test/helpers/backward-close.js';
import { VALUE_SETS, values } from '../../test/helpers/edge-values.js';
import createNaiveBackend from '../naive/index.js';
import { EDGE_CASES, windowGeometry, type EdgeCase } from '../../spec/cases/edge-cases.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { referenceForward } from '../../spec/reference/forward.js';
import { validateForward } from '../../spec/validate.js';
import createIm2colBackend, { IM2COL_MAX_COLUMN_BYTES } from './index.js';

const im2col = createIm2colBackend();
const naive = createNaiveBackend();
const LAYOUTS: Layout[] = ['channels_first', 'channels_last'];

interface KindVariant { label: string; spec: Pick<PoolSpec, 'kind' | 'countIncludePad' | 'divisorOverride' | 'p'> }

const VARIANTS: KindVariant[] = [
  { label: 'max', spec: { kind: 'max', countIncludePad: false } },
  { label: 'sum', spec: { kind: 'sum', countIncludePad: false } },
  { label: 'avg', spec: { kind: 'avg', countIncludePad: false } },
  { label: 'avg countIncludePad', spec: { kind: 'avg', countIncludePad: true } },
  { label: 'avg divisorOverride -3', spec: { kind: 'avg', countIncludePad: false, divisorOverride: -3 } },
  { label: 'lp p=1', spec: { kind: 'lp', countIncludePad: false, p: 1 } },
  { label: 'lp p=2', spec: { kind: 'lp', countIncludePad: false, p: 2 } },
  { label: 'lp p=0.5', spec: { kind: 'lp', countIncludePad: false, p: 0.5 } },
  { label: 'lp p=3', spec: { kind: 'lp', countIncludePad: false, p: 3 } },
];

function makeSpec(ec: EdgeCase, v: KindVariant): PoolSpec {
  const spec: PoolSpec = { ...windowGeometry(ec), ...v.spec };
  if (spec.divisorOverride === undefined) delete spec.divisorOverride;
  if (spec.p === undefined) delete spec.p;
  return spec;
}

function tensor(shape: number[], data: Float32Array, layout: Layout): Tensor {
  return { shape, data, layout };
}

describe('im2col: edge-case grid against the reference and the naive backend', () => {
  const batch = 2;
  const channels = 2;
  EDGE_CASES.forEach((gc, gi) => {
    describe(gc.name, () => {
      VARIANTS.forEach((v, vi) => {
        it.each(LAYOUTS)(`${v.label}, %s`, async (layout) => {
          const spec = makeSpec(gc, v);
          const shape = joinShape(batch, channels, gc.spatial, layout);
          expect(naive.supports(spec, shape, layout), 'the grid case is valid').toEqual({ ok: true });
          expect(im2col.supports(spec, shape, layout)).toEqual({ ok: true });
          for (const [si, set] of VALUE_SETS.entries()) {
            const where = `${gc.name} / ${v.label} / ${layout} / ${set}`;
            const seed = ((gi * 31 + vi) * 7 + si) * 2 + (layout === 'channels_last' ? 1 : 0);
            const x = tensor(shape, values(set, product(shape), seed), layout);

            const ref = referenceForward(spec, x);
            const fwd = await im2col.forward(spec, x);
            expect(fwd.y.shape, where).toEqual(ref.geometry.outShape);
            expect(fwd.y.layout, where).toBe(layout);
            expect(fwd.y.data.length, where).toBe(ref.acceptance.length);
            ref.acceptance.forEach((a, i) => {
              const got = fwd.y.data[i]!;
              if (!accepts(a, got)) expect.fail(`${where}: y[${i}] = ${got}, want ${describeAcceptance(a)}`);
            });
            if (spec.kind === 'max') expect(Array.from(fwd.indices!), `${where}: indices`).toEqual(Array.from(ref.indices!));
            else expect(fwd.indices, where).toBeUndefined();

            const dy = tensor([...ref.geometry.outShape], values('mixed', ref.acceptance.length, seed + 1e6), layout);
            const got = await im2col.backward(spec, x, dy);
            const want = await naive.backward(spec, x, dy);
            expectBackwardClose(spec, x, dy, got, want, `${where}: backward`);
          }
        });
      });
    });
  });
});

describe('im2col: max semantics spelled out', () => {
  const spec1 = (kernel: number, pads: [number, number], strides = 1): PoolSpec => ({
    kind: 'max', kernel: [kernel], strides: [strides], dilations: [1], pads, ceilMode: false, countIncludePad: false,
  });
  const x1 = (...v: number[]): Tensor => ({ shape: [1, 1, v.length], data: Float32Array.from(v) });

  it('a padded tap never wins, even against a window of only −∞', async () => {
    const r = await im2col.forward(spec1(3, [2, 0]), x1(-Infinity, -Infinity, 1));
    expect(Array.from(r.y.data)).toEqual([-Infinity, -Infinity, 1]);
    expect(Array.from(r.indices!)).toEqual([0, 0, 2]);
  });

  it('the first NaN in scan order wins, and ties keep the first maximum', async () => {
    const r = await im2col.forward(spec1(3, [0, 0]), x1(3, NaN, 5, NaN, 3, 7));
    expect(Array.from(r.indices!)).toEqual([1, 1, 3, 3]);
    expect(Array.from(r.y.data).every(Number.isNaN)).toBe(true);
    const t = await im2col.forward(spec1(2, [0, 0], 2), x1(0, -0, -0, 0, 5, 5));
    expect(Array.from(t.indices!)).toEqual([0, 2, 4]);
    expect(Object.is(t.y.data[1], -0)).toBe(true);
  });

  it('indices are plane indices, also for channels_last', async () => {
    const spec: PoolSpec = {
      kind: 'max', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false,
    };
    // [N=1, H=2, W=2, C=2]: channel 0 peaks at plane index 3, channel 1 at plane index 1.
    const x: Tensor = { shape: [1, 2, 2, 2], data: Float32Array.from([0, 0, 1, 9, 2, 0, 5, 1]), layout: 'channels_last' };
    const r = await im2col.forward(spec, x);
    expect(Array.from(r.indices!)).toEqual([3, 1]);
    expect(Array.from(r.y.data)).toEqual([5, 9]);
  });
});

describe('im2col: memory budget', () => {
  const spec = (kernel: number[], extra: Partial<PoolSpec> = {}): PoolSpec => ({
    kind: 'max', kernel, strides: kernel.map(() => 1), dilations: kernel.map(() => 1),
    pads: [...kernel.map(() => 0), ...kernel.map(() => 0)], ceilMode: false, countIncludePad: false, ...extra,
  });
  // A rank-1 window of K taps over a one-element input: K − 1 begin pads make one valid window, so one row of
  // K taps (8·K bytes) is needed while the tensors stay one element long.
  const wide = (taps: number): PoolSpec => spec([taps], { pads: [taps - 1, 0] });

  it('supports() declines a plane whose matrix exceeds the limit, naming the limit and the size needed', () => {
    // 8190² = 67 076 100 output positions × 9 taps × 8 bytes = 4 829 479 200 bytes.
    const s = im2col.supports(spec([3, 3]), [1, 1, 8192, 8192]);
    expect(s.ok).toBe(false);
    const reason = s.ok ? '' : s.reason;
    expect(reason).toContain('IM2COL_MAX_COLUMN_BYTES');
    expect(reason).toContain(String(IM2COL_MAX_COLUMN_BYTES));
    expect(reason).toContain('4829479200');
    expect(reason).toContain('one (n, c) plane');
    expect(naive.supports(spec([3, 3]), [1, 1, 8192, 8192])).toEqual({ ok: true });
  });

  it('the limit is per plane: batch and channels do not count', () => {
    expect(im2col.supports(spec([3, 3]), [512, 512, 32, 32])).toEqual({ ok: true });
    expect(im2col.supports(spec([3, 3]), [512, 32, 32, 512], 'channels_last')).toEqual({ ok: true });
  });

  it('the default budget is the documented 512 MiB: exactly that is accepted, one tap (8 bytes) more declined', () => {
    const documented = 512 * 2 ** 20; // README: "refuses one over 512 MiB per plane"
    const taps = documented / 8;
    expect(im2col.supports(wide(taps), [1, 1, 1])).toEqual({ ok: true });
    const over = im2col.supports(wide(taps + 1), [1, 1, 1]);
    expect(over.ok).toBe(false);
    expect(over.ok ? '' : over.reason).toContain(String(documented));
  });

  it('forward and backward refuse with a BackendError before allocating the matrix', async () => {
    const s = wide(2 ** 27); // 1 GiB of matrix and map
    const x: Tensor = { shape: [1, 1, 1], data: Float32Array.of(1) };
    const dy: Tensor = { shape: [1, 1, 1], data: Float32Array.of(1) };
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    await expect(im2col.forward(s, x)).rejects.toThrow(BackendError);
    await expect(im2col.forward(s, x)).rejects.toThrow(/column matrix too large.*1073741824 bytes/);
    await expect(im2col.backward(s, x, dy)).rejects.toThrow(BackendError);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
  });

  it('a configured limit applies the same way, at its boundary', async () => {
    // [1, 1, 4, 4], 2×2 window, stride 1: 9 rows × 4 taps × 8 bytes = 288 bytes.
    const x: Tensor = { shape: [1, 1, 4, 4], data: Float32Array.from({ length: 16 }, (_, i) => i) };
    const tight = createIm2colBackend({ maxColumnBytes: 287 });
    const s = tight.supports(spec([2, 2]), x.shape);
    expect(s.ok).toBe(false);
    expect(s.ok ? '' : s.reason).toContain('the configured maxColumnBytes');
    await expect(tight.forward(spec([2, 2]), x)).rejects.toThrow(BackendError);
    const exact = createIm2colBackend({ maxColumnBytes: 288 });
    expect(exact.supports(spec([2, 2]), x.shape)).toEqual({ ok: true });
    expect(Array.from((await exact.forward(spec([2, 2]), x)).y.data)).toEqual([5, 6, 7, 9, 10, 11, 13, 14, 15]);
    expect(() => createIm2colBackend({ maxColumnBytes: 0 })).toThrow(RangeError);
  });

  it('validation comes first: an invalid spec is a ValidationError, as in naive', async () => {
    const bad = spec([0]);
    const x: Tensor = { shape: [1, 1, 3], data: new Float32Array(3) };
    expect(im2col.supports(bad, x.shape)).toEqual(naive.supports(bad, x.shape));
    await expect(im2col.forward(bad, x)).rejects.toThrow(ValidationError);
  });
});

describe('im2col: inputs are not mutated', () => {
  it.each(VARIANTS.flatMap((v) => LAYOUTS.map((layout) => [v.label, layout, v] as const)))(
    '%s, %s', async (_label, layout, v) => {
      const gc = EDGE_CASES.find((g) => g.name === 'dilation 2 with padding')!;
      const spec = makeSpec(gc, v);
      const shape = joinShape(2, 3, gc.spatial, layout);
      const x = tensor(shape, values('special', product(shape), 99), layout);
      const g = validateForward(spec, x);
      const dy = tensor([...g.outShape], values('special', product(g.outShape), 100), layout);
      const snapshot = (t: Tensor): { shape: number[]; bytes: number[]; layout: Layout | undefined } => (
        { shape: [...t.shape], bytes: Array.from(new Uint8Array(t.data.buffer.slice(0))), layout: t.layout });
      const specBefore = JSON.stringify(spec);
      const xBefore = snapshot(x);
      const dyBefore = snapshot(dy);
      const fwd = await im2col.forward(spec, x);
      const dx = await im2col.backward(spec, x, dy);
      expect(JSON.stringify(spec)).toBe(specBefore);
      expect(snapshot(x)).toEqual(xBefore);
      expect(snapshot(dy)).toEqual(dyBefore);
      expect(fwd.y.data).not.toBe(x.data);
      expect(dx.data).not.toBe(x.data);
      expect(dx.data).not.toBe(dy.data);
    },
  );
});
