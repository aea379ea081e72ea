/**
 * The wasm backend's plan surface (PlanningBackend.plan, CONTRACT.PLAN) and resident cases (ResidentBackend):
 * each must give, bit for bit, what plain forward()/backward() give on the same data, write every output element
 * on every call (a reused output shows nothing of an earlier call), and a values-only plan writes y alone. Plain
 * forward()/backward() are themselves checked against the reference in wasm.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Layout, PoolSpec, Tensor } from '../../spec/contract.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { joinShape, poolGeometry, product } from '../../spec/geometry.js';
import { values, type ValueSet } from '../../test/helpers/edge-values.js';
import createWasmBackend, { type WasmBackend, type WasmPath } from './index.js';

const LAYOUTS: Layout[] = ['channels_first', 'channels_last'];

interface Case { name: string; spatial: number[]; geometry: Pick<PoolSpec, 'kernel' | 'strides' | 'dilations' | 'pads' | 'ceilMode'> }
const CASES: Case[] = [
  { name: 'k3 s2 p1', spatial: [9, 19], geometry: { kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false } },
  { name: 'k2 s2', spatial: [8, 18], geometry: { kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false } },
  { name: 'k3 s1 p1', spatial: [6, 21], geometry: { kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false } },
  { name: 'dilated ceil', spatial: [7, 20], geometry: { kernel: [2, 3], strides: [2, 3], dilations: [2, 2], pads: [1, 0, 1, 1], ceilMode: true } },
  { name: 'global', spatial: [5, 7], geometry: { kernel: [5, 7], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false } },
  { name: 'rank 1', spatial: [37], geometry: { kernel: [4], strides: [4], dilations: [1], pads: [0, 0], ceilMode: false } },
  { name: 'rank 3', spatial: [4, 5, 13], geometry: { kernel: [2, 2, 3], strides: [2, 1, 2], dilations: [1, 1, 1], pads: [0, 1, 1, 1, 0, 1], ceilMode: false } },
];

const KINDS: Pick<PoolSpec, 'kind' | 'countIncludePad' | 'p'>[] = [
  { kind: 'max', countIncludePad: false },
  { kind: 'sum', countIncludePad: false },
  { kind: 'avg', countIncludePad: true },
  { kind: 'lp', countIncludePad: false, p: 2 },
  { kind: 'lp', countIncludePad: false, p: 3 },
];

const PATHS: (WasmPath | 'auto')[] = ['auto', 'scalar', 'rows', 'channels'];
const backends = new Map<WasmPath | 'auto', WasmBackend>();
/** Many chunks per call: the plan's chunk loop, not only one chunk. */
let oneUnitChunks: WasmBackend;

beforeAll(async () => {
  for (const p of PATHS) backends.set(p, await createWasmBackend({ path: p }));
  oneUnitChunks = await createWasmBackend({ chunkBytes: 1 });
});

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * Equal bits; a NaN that arithmetic produced (sums, lp, gradients) may differ in sign between two runs of the same
 * code (V8's tiers differ in the default NaN they produce), so with `anyNaN` two NaNs are equal. Max copies its
 * NaN from x, so its y is compared on every bit.
 */
function expectSameBits(got: Float32Array, want: Float32Array, where: string, anyNaN = false): void {
  expect(got.length, where).toBe(want.length);
  const g = bits(got);
  const w = bits(want);
  for (let i = 0; i < w.length; i++) {
    if (g[i] !== w[i] && !(anyNaN && Number.isNaN(got[i]) && Number.isNaN(want[i]))) expect.fail(`${where}: [${i}] bits 0x${g[i]!.toString(16)}, want 0x${w[i]!.toString(16)}`);
  }
}

/** A stale-looking fill: a NaN payload no kernel produces, and an index no window has. */
const STALE_BITS = 0x7fa5a5a5;
const STALE_INDEX = -12345;

function staleY(count: number): Float32Array {
  const y = new Float32Array(count);
  new Uint32Array(y.buffer).fill(STALE_BITS);
  return y;
}

/** The spec, input shape (N 2, C 5) and output shape of one case × kind × layout. */
function caseOf(c: (typeof CASES)[number], k: (typeof KINDS)[number], layout: Layout): { spec: PoolSpec; shape: number[]; outShape: readonly number[] } {
  const spec: PoolSpec = { ...c.geometry, ...k };
  if (spec.p === undefined) delete spec.p;
  const shape = joinShape(2, 5, c.spatial, layout);
  return { spec, shape, outShape: poolGeometry(spec, shape, layout).outShape };
}

describe('wasm plans: equal to plain calls, bit for bit, into reused outputs', () => {
  for (const c of CASES) {
    for (const k of KINDS) {
      it.each(LAYOUTS)(`${c.name}, ${k.kind}${k.p === undefined ? '' : ` p=${k.p}`}, %s`, async (layout) => {
        const { spec, shape, outShape } = caseOf(c, k, layout);
        const sets: ValueSet[] = ['mixed', 'special', 'ties'];
        for (const [name, b] of [...backends.entries(), ['one unit per chunk', oneUnitChunks] as const]) {
          const plan = await b.plan(spec, shape, layout);
          expect(plan.outShape).toEqual(outShape);
          // One set of outputs, reused across calls with different inputs: each call must overwrite all of it.
          const y = staleY(product(outShape));
          const indices = new Int32Array(product(outShape)).fill(STALE_INDEX);
          const dx = staleY(product(shape));
          for (const [si, set] of sets.entries()) {
            const where = `${name} / ${set}`;
            const x: Tensor = { shape, data: values(set, product(shape), 10 * si + 1), layout };
            const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), 10 * si + 2), layout };
            const want = await b.forward(spec, x);
            await plan.forward(x, { y, indices });
            expectSameBits(y, want.y.data, `${where}: y`, spec.kind !== 'max');
            if (spec.kind === 'max') expect(Array.from(indices), `${where}: indices`).toEqual(Array.from(want.indices!));
            else expect(indices.every((v) => v === STALE_INDEX), `${where}: no indices for ${spec.kind}`).toBe(true);
            await plan.backward(x, dy, dx);
            expectSameBits(dx, (await b.backward(spec, x, dy)).data, `${where}: dx`, true);
          }
          await plan.dispose();
        }
      });
    }
  }

  it('a values-only max plan writes y alone and leaves the indices array untouched', async () => {
    const spec: PoolSpec = { ...CASES[0]!.geometry, kind: 'max', countIncludePad: false };
    for (const layout of LAYOUTS) {
      const shape = joinShape(2, 5, CASES[0]!.spatial, layout);
      for (const b of backends.values()) {
        const plan = await b.plan(spec, shape, layout, { indices: false });
        const count = product(plan.outShape);
        const y = staleY(count);
        const indices = new Int32Array(count).fill(STALE_INDEX);
        for (const seed of [1, 2]) {
          const x: Tensor = { shape, data: values('neginf', product(shape), seed), layout };
          await plan.forward(x, { y, indices });
          expectSameBits(y, (await b.forward(spec, x)).y.data, `values-only ${layout} seed ${seed}`);
          expect(indices.every((v) => v === STALE_INDEX)).toBe(true);
        }
        // Without an indices array at all.
        await plan.forward({ shape, data: values('mixed', product(shape), 3), layout }, { y });
      }
    }
  });

  it('refuses a tensor or an output that is not the plan\'s, with a typed error', async () => {
    const b = backends.get('auto')!;
    const spec: PoolSpec = { ...CASES[0]!.geometry, kind: 'max', countIncludePad: false };
    const shape = joinShape(1, 2, CASES[0]!.spatial, 'channels_first');
    const plan = await b.plan(spec, shape);
    const count = product(plan.outShape);
    const x: Tensor = { shape, data: new Float32Array(product(shape)) };
    const other: Tensor = { shape: [1, 3, ...CASES[0]!.spatial], data: new Float32Array(3 * product(CASES[0]!.spatial)) };
    await expect(plan.forward(other, { y: new Float32Array(count), indices: new Int32Array(count) })).rejects.toThrow(ValidationError);
    await expect(plan.forward(x, { y: new Float32Array(count - 1), indices: new Int32Array(count) })).rejects.toThrow(/out\.y/);
    await expect(plan.forward(x, { y: new Float32Array(count) })).rejects.toThrow(/out\.indices/);
    await expect(plan.forward({ ...x, layout: 'channels_last' }, { y: new Float32Array(count), indices: new Int32Array(count) })).rejects.toThrow(ValidationError);
    await expect(b.plan({ ...spec, kernel: [0, 3] }, shape)).rejects.toThrow(ValidationError);
    const tight = await createWasmBackend({ maxMemoryBytes: 65536 });
    await expect(tight.plan(spec, [1, 1, 300, 300])).rejects.toThrow(BackendError);
    await plan.dispose();
    await expect(plan.forward(x, { y: new Float32Array(count), indices: new Int32Array(count) })).rejects.toThrow(BackendError);
  });
});

describe('wasm resident cases: the kernels alone on data kept in wasm memory', () => {
  for (const c of CASES) {
    for (const k of KINDS) {
      it.each(LAYOUTS)(`${c.name}, ${k.kind}${k.p === undefined ? '' : ` p=${k.p}`}, %s`, async (layout) => {
        const { spec, shape, outShape } = caseOf(c, k, layout);
        const b = backends.get('auto')!;
        const x: Tensor = { shape, data: values('special', product(shape), 5), layout };
        const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), 6), layout };
        const want = await b.forward(spec, x);
        const fwd = await b.resident(spec, x, 'forward');
        // Run twice: a run must not consume its input (lp's powers go to a buffer of their own, leaving x).
        for (let run = 0; run < 2; run++) {
          await fwd.run();
          // Another call on the backend in between must not disturb the resident data.
          await b.forward(spec, { shape, data: values('mixed', product(shape), 99), layout });
          expectSameBits(fwd.read(), want.y.data, `forward run ${run}`, spec.kind !== 'max');
          if (spec.kind === 'max') expect(Array.from(fwd.readIndices()!)).toEqual(Array.from(want.indices!));
        }
        fwd.release();
        await expect(fwd.run()).rejects.toThrow(BackendError);
        const bwd = await b.resident(spec, x, 'backward', dy);
        const wantDx = await b.backward(spec, x, dy);
        for (let run = 0; run < 2; run++) {
          await bwd.run();
          expectSameBits(bwd.read(), wantDx.data, `backward run ${run}`, true);
        }
        bwd.release();
      });
    }
  }
});
