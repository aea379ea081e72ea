/**
 * The wasm backend against the exact reference (forward: acceptance sets, indices, and the bits of every max) and
 * the naive backend (backward), over a deterministic grid of edge cases run on every forward algorithm (path);
 * NaN, ±0 and −∞ placed in every SIMD lane and tail position; the memory bound; 10 000 calls without growth; and
 * the generated module rebuilt from source. No timing assertions: speed is measured outside the tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Layout, PoolSpec, Tensor } from '../../spec/contract.js';
import { axisWindow, joinShape, poolGeometry, product } from '../../spec/geometry.js';
import { expectBackwardClose } from '../../test/helpers/backward-close.js';
import { bitsOf, expectMaxExact } from '../../test/helpers/max-exact.js';
import { VALUE_SETS, rng, values, type ValueSet, type GeometryCase } from '../../test/helpers/edge-values.js';
import createNaiveBackend from '../naive/index.js';
import { EDGE_CASES, windowGeometry } from '../../spec/cases/edge-cases.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { accepts, describeAcceptance } from '../../spec/interval.js';
import { referenceForward } from '../../spec/reference/forward.js';
import createWasmBackend, {
  WASM_MAX_MEMORY_BYTES, WASM_PAGE_BYTES, chunking, forwardPath, geometry3, type WasmBackend, type WasmPath,
} from './index.js';
import { wholeCaseSplits } from './engine.js';
import { gatherGeometry } from './geometry.js';
import { kernelThreadsAvailable } from './threads.js';

const here = dirname(fileURLToPath(import.meta.url));
const naive = createNaiveBackend();
const LAYOUTS: Layout[] = ['channels_first', 'channels_last'];
const PATHS: (WasmPath | 'auto')[] = ['auto', 'scalar', 'rows', 'channels', 'global'];
const backends = new Map<WasmPath | 'auto', WasmBackend>();
/** Streams one plane (channels_first) or batch item (channels_last) per chunk: many chunks per call. */
let oneUnitChunks: WasmBackend;

beforeAll(async () => {
  for (const p of PATHS) backends.set(p, await createWasmBackend({ path: p }));
  oneUnitChunks = await createWasmBackend({ chunkBytes: 1 });
});

/** The project's edge-case grid (spec/cases/edge-cases.ts); its first two, k3 s1 p1 and k3 s2 p1, are used below. */
const GEOMETRIES: GeometryCase[] = EDGE_CASES.map((ec) => ({ name: ec.name, spatial: [...ec.spatial], ...windowGeometry(ec) }));

interface KindVariant {
  label: string;
  spec: Pick<PoolSpec, 'kind' | 'countIncludePad' | 'divisorOverride' | 'p'>;
  sets: ValueSet[];
}

const VARIANTS: KindVariant[] = [
  { label: 'max', spec: { kind: 'max', countIncludePad: false }, sets: ['mixed', 'ties', 'special', 'neginf'] },
  { label: 'sum', spec: { kind: 'sum', countIncludePad: false }, sets: ['mixed', 'ties', 'special'] },
  { label: 'avg', spec: { kind: 'avg', countIncludePad: false }, sets: ['mixed', 'special'] },
  { label: 'avg countIncludePad', spec: { kind: 'avg', countIncludePad: true }, sets: ['mixed'] },
  { label: 'avg divisorOverride -3', spec: { kind: 'avg', countIncludePad: false, divisorOverride: -3 }, sets: ['mixed'] },
  { label: 'lp p=1', spec: { kind: 'lp', countIncludePad: false, p: 1 }, sets: ['mixed', 'special'] },
  { label: 'lp p=2', spec: { kind: 'lp', countIncludePad: false, p: 2 }, sets: ['mixed', 'special'] },
  { label: 'lp p=0.5', spec: { kind: 'lp', countIncludePad: false, p: 0.5 }, sets: ['mixed', 'ties'] },
  { label: 'lp p=3', spec: { kind: 'lp', countIncludePad: false, p: 3 }, sets: ['mixed', 'special', 'ties'] },
];

function makeSpec(gc: Omit<GeometryCase, 'name' | 'spatial'> & Partial<GeometryCase>, v: Pick<KindVariant, 'spec'>): PoolSpec {
  const spec: PoolSpec = {
    kernel: gc.kernel, strides: gc.strides, dilations: gc.dilations, pads: gc.pads, ceilMode: gc.ceilMode, ...v.spec,
  };
  if (spec.divisorOverride === undefined) delete spec.divisorOverride;
  if (spec.p === undefined) delete spec.p;
  return spec;
}

const MAX = { spec: { kind: 'max', countIncludePad: false } } as const;

/** The forward paths the grid runs for a case: every requested path, deduplicated by the path actually taken. */
function distinctPaths(spec: PoolSpec, shape: number[], layout: Layout): (WasmPath | 'auto')[] {
  const g = poolGeometry(spec, shape, layout);
  const g3 = geometry3(spec, g);
  const seen = new Set<WasmPath>();
  return PATHS.filter((p) => {
    const eff = forwardPath(g, g3, p);
    if (p !== 'auto' && seen.has(eff)) return false;
    seen.add(eff);
    return true;
  });
}

/**
 * Forward checked against the reference: every y in its acceptance set; for max, indices equal to the
 * reference's and every y bit-equal to x at its index (the NaN payload, −0 versus +0).
 */
async function checkForward(
  backend: WasmBackend, spec: PoolSpec, x: Tensor, where: string, ref = referenceForward(spec, x),
): Promise<void> {
  const fwd = await backend.forward(spec, x);
  expect(fwd.y.shape, where).toEqual(ref.geometry.outShape);
  expect(fwd.y.layout, where).toBe(ref.geometry.layout);
  expect(fwd.y.data.length, where).toBe(ref.acceptance.length);
  ref.acceptance.forEach((a, i) => {
    const got = fwd.y.data[i]!;
    if (!accepts(a, got)) expect.fail(`${where}: y[${i}] = ${got}, want ${describeAcceptance(a)}`);
  });
  if (spec.kind !== 'max') {
    expect(fwd.indices, where).toBeUndefined();
    return;
  }
  expectMaxExact(spec, x, fwd.y.data, fwd.indices!, where, ref);
}

describe('wasm: edge-case grid on every forward path, against the reference and the naive backend', () => {
  // C = 5: one SIMD block and a scalar channel (channels_last, N = 2: two chunks when streaming one batch item at
  // a time); channels_first, N·C = 5 planes: one packed block of 4 and a scalar plane.
  const batchOf = (layout: Layout): number => (layout === 'channels_last' ? 2 : 1);
  const channels = 5;
  GEOMETRIES.forEach((gc, gi) => {
    describe(gc.name, () => {
      VARIANTS.forEach((v, vi) => {
        it.each(LAYOUTS)(`${v.label}, %s`, async (layout) => {
          const spec = makeSpec(gc, v);
          const shape = joinShape(batchOf(layout), channels, gc.spatial, layout);
          expect(naive.supports(spec, shape, layout), 'the grid case is valid').toEqual({ ok: true });
          const paths = distinctPaths(spec, shape, layout);
          for (const p of paths) expect(backends.get(p)!.supports(spec, shape, layout)).toEqual({ ok: true });
          for (const [si, set] of v.sets.entries()) {
            const seed = ((gi * 31 + vi) * 7 + si) * 2 + (layout === 'channels_last' ? 1 : 0);
            const x: Tensor = { shape, data: values(set, product(shape), seed), layout };
            // One reference for every path: lp's (high precision) is most of the grid's time.
            const ref = referenceForward(spec, x);
            for (const p of paths) await checkForward(backends.get(p)!, spec, x, `${gc.name} / ${v.label} / ${layout} / ${set} / path ${p}`, ref);
            await checkForward(oneUnitChunks, spec, x, `${gc.name} / ${v.label} / ${layout} / ${set} / one unit per chunk`, ref);

            const outShape = poolGeometry(spec, shape, layout).outShape;
            const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), seed + 1e6), layout };
            const want = await naive.backward(spec, x, dy);
            // Only max's backward depends on the forward path (its indices).
            for (const p of spec.kind === 'max' ? paths : ['auto' as const]) {
              const got = await backends.get(p)!.backward(spec, x, dy);
              expectBackwardClose(spec, x, dy, got, want, `${gc.name} / ${v.label} / ${layout} / ${set} / path ${p}: backward`, 'float32');
            }
            const chunked = await oneUnitChunks.backward(spec, x, dy);
            expectBackwardClose(spec, x, dy, chunked, want, `${gc.name} / ${v.label} / ${layout} / ${set} / one unit per chunk: backward`, 'float32');
          }
        });
      });
    });
  });

  it('covers every forward path, each in both kernels families (max and the sums)', () => {
    const taken = new Set<string>();
    for (const gc of GEOMETRIES) {
      for (const layout of LAYOUTS) {
        const spec = makeSpec(gc, MAX);
        const shape = joinShape(batchOf(layout), channels, gc.spatial, layout);
        const g = poolGeometry(spec, shape, layout);
        for (const p of PATHS) taken.add(`${layout}:${forwardPath(g, geometry3(spec, g), p)}`);
      }
    }
    expect([...taken].sort()).toEqual([
      'channels_first:global', 'channels_first:rows', 'channels_first:scalar',
      'channels_last:channels', 'channels_last:scalar',
    ]);
  });
});

describe('wasm: channel and plane counts around the SIMD block size', () => {
  const gc = GEOMETRIES[1]!; // k3 s2 p1 over [3, 19]
  const valuesOnly = createWasmBackend({ indices: false });
  it.each([4, 13, 16, 29])('channels_last values-only max, C = %i: the bits of the max with indices', async (c) => {
    const v = await valuesOnly;
    const spec = makeSpec(gc, VARIANTS[0]!);
    for (const set of VALUE_SETS) {
      const x: Tensor = { shape: joinShape(2, c, gc.spatial, 'channels_last'), data: values(set, 2 * c * product(gc.spatial), c * 13), layout: 'channels_last' };
      const want = await backends.get('auto')!.forward(spec, x);
      const got = await v.forward(spec, x);
      expect(got.indices).toBeUndefined();
      expect(Array.from(bitsOf(got.y.data)), `C = ${c} ${set}`).toEqual(Array.from(bitsOf(want.y.data)));
    }
  });
  const cases = [[1, 1], [2, 1], [1, 2], [1, 3], [1, 4], [1, 7], [2, 4], [1, 8], [1, 9], [3, 4], [1, 13], [1, 16], [2, 20], [1, 29]];
  for (const layout of LAYOUTS) {
    it.each(cases)(`${layout}, N = %i, C = %i`, async (n, c) => {
      const shape = joinShape(n, c, gc.spatial, layout);
      for (const v of [VARIANTS[0]!, VARIANTS[2]!, VARIANTS[8]!]) {
        const spec = makeSpec(gc, v);
        const x: Tensor = { shape, data: values('special', product(shape), n * 100 + c), layout };
        for (const p of distinctPaths(spec, shape, layout)) {
          await checkForward(backends.get(p)!, spec, x, `${v.label} / ${layout} / [${shape.join(', ')}] / path ${p}`);
        }
      }
    });
  }
});

describe('wasm: channels_last fused output rows (kernel 3, stride 2) at each constant tap distance', () => {
  // channels.ts fusedOutRow takes C = 16, 32, 64, 128 and 256 with the taps' distance as a constant load offset
  // (one instantiation each) and other multiples of 4 (here 12 and 20) with it at run time. k3 s2 p1 over 7 × 9
  // (out 4 × 5: columns 1 .. 3 fused, 0 and 4 the border combine) and p0 over 7 × 11 (out 3 × 5, all fused); N = 2,
  // so the ring's tags are reset between batch items. Max with indices (the bits of the chosen tap), values only
  // (the bits of max with indices) and avg (the fused sum).
  const valuesOnly = createWasmBackend({ indices: false });
  const geometries = [
    { name: 'p1', kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false, spatial: [7, 9] },
    { name: 'p0', kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, spatial: [7, 11] },
  ];
  it.each([16, 32, 64, 128, 256, 12, 20])('C = %i', async (c) => {
    const b = backends.get('auto')!;
    const v = await valuesOnly;
    for (const gc of geometries) {
      const shape = joinShape(2, c, gc.spatial, 'channels_last');
      const count = product(shape);
      const max = makeSpec(gc, VARIANTS[0]!);
      expect(forwardPath(poolGeometry(max, shape, 'channels_last'), geometry3(max, poolGeometry(max, shape, 'channels_last')))).toBe('channels');
      const check = async (x: Tensor, where: string): Promise<void> => {
        await checkForward(b, max, x, where);
        const want = (await b.forward(max, x)).y.data;
        expect(Array.from(bitsOf((await v.forward(max, x)).y.data)), `${where} values-only`).toEqual(Array.from(bitsOf(want)));
      };
      for (const set of VALUE_SETS) await check({ shape, data: values(set, count, c * 7 + 1), layout: 'channels_last' }, `C = ${c} ${gc.name} ${set}`);
      // A NaN at each position of the first item, in a channel that moves with the position (every lane and block).
      const [h, w] = gc.spatial as [number, number];
      for (let pos = 0; pos < h * w; pos++) {
        const data = values('mixed', count, 3000 + pos);
        data[pos * c + ((pos * 5) % c)] = Number.NaN;
        await check({ shape, data, layout: 'channels_last' }, `C = ${c} ${gc.name}: NaN at position ${pos}`);
      }
      const avg = makeSpec(gc, VARIANTS[2]!);
      await checkForward(b, avg, { shape, data: values('mixed', count, c * 7 + 2), layout: 'channels_last' }, `C = ${c} ${gc.name} avg`);
    }
  });
});

describe('wasm: NaN, ±0 and −∞ in every SIMD lane and tail position', () => {
  // Distinct NaN payloads: the output must carry the bits of the first NaN in scan order.
  const nanBits = [0x7fc00001, 0xffc00002, 0x7f800003, 0xffbfffff];
  const nan = (k: number): number => new Float32Array(new Uint32Array([nanBits[k % nanBits.length]!]).buffer)[0]!;

  /**
   * `path`: the forward algorithm whose lanes and tails the placement targets (it must apply, so that the loop over
   * distinct paths runs it); `auto`: what the automatic choice must take for it.
   */
  interface Placement { name: string; spec: PoolSpec; shape: number[]; layout: Layout; path: WasmPath; auto: WasmPath }
  const rank1 = (k: number, s: number, p: number): Pick<PoolSpec, 'kernel' | 'strides' | 'dilations' | 'pads' | 'ceilMode'> =>
    ({ kernel: [k], strides: [s], dilations: [1], pads: [p, p], ceilMode: false });
  const placements: Placement[] = [
    // rows, stride 1: out 23 = border 1, five groups of 4, the last group moved back to end at 22, border 1.
    { name: 'rows stride 1', spec: makeSpec(rank1(3, 1, 1), MAX), shape: [1, 1, 23], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, stride 2: out 24 = border 1, five groups, one moved back (the deinterleaving loads read past the row).
    { name: 'rows stride 2', spec: makeSpec(rank1(3, 2, 1), MAX), shape: [1, 1, 47], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, stride 3 (four scalar loads per tap vector): out 16 = four vectors, the last one's taps at the row end.
    { name: 'rows stride 3', spec: makeSpec(rank1(3, 3, 0), MAX), shape: [1, 1, 48], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, kernel 4 stride 4 (a 4×4 transpose per group): out 9 = two groups and one moved back to end at 9.
    { name: 'rows kernel 4 stride 4', spec: makeSpec(rank1(4, 4, 0), MAX), shape: [1, 2, 38], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, the pair kernel over 4 rows (pairPlanes3: 2×2×2 s2, C3D): out 1 × 2 × 5, one group and one moved back.
    { name: 'rows pair 3-D', spec: makeSpec({ kernel: [2, 2, 2], strides: [2, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false }, MAX), shape: [1, 2, 2, 4, 10], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, flat (windows tile each row: one H pass over the whole plane): k2 s2 over depth too, on rows too
    // narrow for the pair kernels (out 3 wide), and k3 s3 in 2-D.
    { name: 'rows flat k2 s2 3-D', spec: makeSpec({ kernel: [2, 2, 2], strides: [2, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false }, MAX), shape: [1, 2, 2, 4, 6], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, fused walk (H groups and the V combine per group of 4 outputs), k2 s2 in 2-D: out 3 × 5.
    { name: 'rows fused k2 s2', spec: makeSpec({ kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false }, MAX), shape: [1, 2, 6, 10], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, fused walk, k3 s1 p1 in 2-D: masked border groups both sides, out 6 × 6 (one group moved back).
    { name: 'rows fused k3 s1', spec: makeSpec({ kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 1, 6, 6], layout: 'channels_first', path: 'rows', auto: 'rows' },
    { name: 'rows flat k3 s3', spec: makeSpec({ kernel: [3, 3], strides: [3, 3], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false }, MAX), shape: [1, 1, 7, 12], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, k3 s2 p1 in 2-D (deinterleaved H pass, a ring of one row reused): out 5 × 7.
    { name: 'rows k3 s2 2-D', spec: makeSpec({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 1, 9, 14], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows, the strip kernel's steady rows (one new input row per output row) with the width's stride-2 H group:
    // stride 1 down, 2 across, out 6 × 8 (rows 1 .. 4 steady; masked border groups both sides).
    { name: 'rows strip k3 s1 down, s2 across', spec: makeSpec({ kernel: [3, 3], strides: [1, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 1, 6, 15], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // rows on narrow rows (out 4 wide: one group) with asymmetric padding, 9 planes.
    { name: 'rows narrow planes', spec: makeSpec({ kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [0, 1, 1, 0], ceilMode: false }, MAX), shape: [1, 9, 3, 4], layout: 'channels_first', path: 'rows', auto: 'rows' },
    // channels_last: C = 29 = four blocks, a pair, a single block and a scalar channel; C = 13 = a pair, a single
    // block and a scalar channel.
    { name: 'channels_last four blocks', spec: makeSpec({ kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [1, 0, 0, 1], ceilMode: false }, MAX), shape: [1, 2, 2, 29], layout: 'channels_last', path: 'channels', auto: 'channels' },
    { name: 'channels_last lanes', spec: makeSpec({ kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [1, 0, 0, 1], ceilMode: false }, MAX), shape: [1, 2, 3, 13], layout: 'channels_last', path: 'channels', auto: 'channels' },
    // channels_last rows walk (channels.ts): k3 s2 p1 over 7 × 6, out 4 × 3, so input rows 1, 3 and 5 are each
    // reduced once into the ring and combined into two output rows (a NaN there must redo both); C = 5, one block
    // and a scalar channel.
    { name: 'channels_last ring rows k3 s2', spec: makeSpec({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 7, 6, 5], layout: 'channels_last', path: 'channels', auto: 'channels' },
    // channels_last rows walk, the 3-tap columns (channels.ts hRun3, which sums for the NaN test only the taps the
    // next column does not start with): k3 s2 p1 over width 7, out 4 (columns 1 and 2 unrolled, 0 and 3 by the
    // tables); k3 s2 p0 over width 11, out 5, all unrolled (the last sums its 3 taps); k3 s1 p1 over width 9, out 9
    // (columns 1 .. 7). C = 13 (a pair, a single block, a scalar channel) and 29 (four blocks, a pair, a single).
    { name: 'channels_last 3-tap columns k3 s2 p1', spec: makeSpec({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 5, 7, 13], layout: 'channels_last', path: 'channels', auto: 'channels' },
    { name: 'channels_last 3-tap columns k3 s2 p0', spec: makeSpec({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false }, MAX), shape: [1, 3, 11, 13], layout: 'channels_last', path: 'channels', auto: 'channels' },
    { name: 'channels_last 3-tap columns k3 s1 p1', spec: makeSpec({ kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 3, 9, 29], layout: 'channels_last', path: 'channels', auto: 'channels' },
    // channels_last, the fused output rows (channels.ts fusedOutRow: C a multiple of 4, the window's first row held,
    // its second in no later window): k3 s2 p1 over 7 × 9, out 4 × 5 (columns 1 .. 3 fused, 0 and 4 the border
    // combine), C = 12 (a pair and a single block); k3 s2 p0 over 5 × 11, out 2 × 5 (all columns fused), C = 8.
    { name: 'channels_last fused rows k3 s2 p1', spec: makeSpec({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, MAX), shape: [1, 7, 9, 12], layout: 'channels_last', path: 'channels', auto: 'channels' },
    { name: 'channels_last fused rows k3 s2 p0', spec: makeSpec({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false }, MAX), shape: [1, 5, 11, 8], layout: 'channels_last', path: 'channels', auto: 'channels' },
    // channels_last rows walk in 3-D: windows over 2 depth slices (the ring holds 2 slices of rows), height
    // dilation 2 with padding, C = 4.
    { name: 'channels_last ring rows 3-D', spec: makeSpec({ kernel: [2, 2, 2], strides: [1, 2, 1], dilations: [1, 2, 1], pads: [0, 1, 0, 0, 1, 1], ceilMode: false }, MAX), shape: [1, 3, 5, 4, 4], layout: 'channels_last', path: 'channels', auto: 'channels' },
    // global: a plane of 19 = 4 vectors and a tail of 3.
    { name: 'global plane', spec: makeSpec(rank1(19, 1, 0), MAX), shape: [1, 2, 19], layout: 'channels_first', path: 'global', auto: 'global' },
  ];

  for (const pl of placements) {
    describe(pl.name, () => {
      const count = product(pl.shape);
      const paths = distinctPaths(pl.spec, pl.shape, pl.layout);

      it(`runs its intended path (${pl.path}); the automatic choice is ${pl.auto}`, () => {
        const g = poolGeometry(pl.spec, pl.shape, pl.layout);
        const g3 = geometry3(pl.spec, g);
        expect(forwardPath(g, g3, pl.path)).toBe(pl.path);
        expect(forwardPath(g, g3)).toBe(pl.auto);
        expect(paths.map((p) => forwardPath(g, g3, p))).toContain(pl.path);
      });

      it('one NaN at each position', async () => {
        for (let i = 0; i < count; i++) {
          const data = values('mixed', count, 1000 + i);
          data[i] = nan(i);
          const x: Tensor = { shape: pl.shape, data, layout: pl.layout };
          for (const p of paths) await checkForward(backends.get(p)!, pl.spec, x, `${pl.name}: NaN at ${i}, path ${p}`);
        }
      });

      it('two NaNs with different payloads at each pair of neighbours (the first wins)', async () => {
        const step = pl.layout === 'channels_last' ? pl.shape[pl.shape.length - 1]! : 1;
        for (let i = 0; i + step < count; i++) {
          const data = values('mixed', count, 2000 + i);
          data[i] = nan(i);
          data[i + step] = nan(i + 1);
          const x: Tensor = { shape: pl.shape, data, layout: pl.layout };
          for (const p of paths) await checkForward(backends.get(p)!, pl.spec, x, `${pl.name}: NaNs at ${i}, ${i + step}, path ${p}`);
        }
      });

      it('ties of −0 and +0 keep the first in scan order, with its sign', async () => {
        for (const seed of [1, 2, 3, 4, 5, 6]) {
          const r = rng(seed);
          const data = Float32Array.from({ length: count }, () => (r() < 0.5 ? -0 : 0));
          const x: Tensor = { shape: pl.shape, data, layout: pl.layout };
          for (const p of paths) await checkForward(backends.get(p)!, pl.spec, x, `${pl.name}: ±0 seed ${seed}, path ${p}`);
        }
      });

      it('all −∞, and −∞ with one NaN: the first in-bounds tap, or the NaN', async () => {
        const data = new Float32Array(count).fill(-Infinity);
        for (const p of paths) await checkForward(backends.get(p)!, pl.spec, { shape: pl.shape, data, layout: pl.layout }, `${pl.name}: all −∞, path ${p}`);
        for (let i = 0; i < count; i += 3) {
          const d = new Float32Array(count).fill(-Infinity);
          d[i] = nan(i);
          for (const p of paths) await checkForward(backends.get(p)!, pl.spec, { shape: pl.shape, data: d, layout: pl.layout }, `${pl.name}: −∞ with NaN at ${i}, path ${p}`);
        }
      });
    });
  }

  it('max semantics spelled out (padding never wins, first NaN, ties, channels_last plane indices)', async () => {
    const b = backends.get('auto')!;
    const spec1 = (kernel: number, pads: [number, number], strides = 1): PoolSpec => ({
      kind: 'max', kernel: [kernel], strides: [strides], dilations: [1], pads, ceilMode: false, countIncludePad: false,
    });
    const x1 = (...v: number[]): Tensor => ({ shape: [1, 1, v.length], data: Float32Array.from(v) });
    const r = await b.forward(spec1(3, [2, 0]), x1(-Infinity, -Infinity, 1));
    expect(Array.from(r.y.data)).toEqual([-Infinity, -Infinity, 1]);
    expect(Array.from(r.indices!)).toEqual([0, 0, 2]);
    const n = await b.forward(spec1(3, [0, 0]), x1(3, NaN, 5, NaN, 3, 7));
    expect(Array.from(n.indices!)).toEqual([1, 1, 3, 3]);
    const t = await b.forward(spec1(2, [0, 0], 2), x1(0, -0, -0, 0, 5, 5));
    expect(Array.from(t.indices!)).toEqual([0, 2, 4]);
    expect(Object.is(t.y.data[1], -0)).toBe(true);
    const spec2: PoolSpec = {
      kind: 'max', kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false,
    };
    const xl: Tensor = { shape: [1, 2, 2, 4], data: Float32Array.from([0, 0, 0, 0, 1, 9, 1, 1, 2, 0, 2, 2, 5, 1, 3, 3]), layout: 'channels_last' };
    const cl = await b.forward(spec2, xl);
    expect(Array.from(cl.indices!)).toEqual([3, 1, 3, 3]);
    expect(Array.from(cl.y.data)).toEqual([5, 9, 3, 3]);
  });

  it('lp gradient: 0 where y = 0, also when every |x|^p underflows (GRAD.LP)', async () => {
    const spec: PoolSpec = {
      kind: 'lp', p: 200, kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false,
    };
    const x: Tensor = { shape: [1, 1, 4], data: Float32Array.from([1e-3, -2e-3, 0, 0.5]) };
    const dy: Tensor = { shape: [1, 1, 2], data: Float32Array.from([1, 1]) };
    const got = await backends.get('auto')!.backward(spec, x, dy);
    const want = await naive.backward(spec, x, dy);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    expect(Array.from(got.data.subarray(0, 2))).toEqual([0, 0]);
  });
});

describe('wasm: the fused rows walk at its edges (widths around the group of 4, padding, odd and even sizes)', () => {
  const valuesOnly = createWasmBackend({ indices: false });
  // k3 s2, k2 s2, k3 s1 (the specialised groups); output widths 1 .. 9 (one group ± 1, two groups ± 1), heights
  // odd and even; padding none, symmetric, one side only; ceil mode (a last window past the border).
  const shapes: { k: number; s: number; pads: [number, number, number, number]; ceil: boolean }[] = [
    { k: 3, s: 2, pads: [1, 1, 1, 1], ceil: false }, { k: 3, s: 2, pads: [0, 0, 0, 0], ceil: false },
    { k: 3, s: 2, pads: [1, 0, 0, 1], ceil: true }, { k: 2, s: 2, pads: [0, 0, 0, 0], ceil: false },
    { k: 2, s: 2, pads: [1, 1, 1, 1], ceil: true }, { k: 3, s: 1, pads: [1, 1, 1, 1], ceil: false },
    { k: 3, s: 1, pads: [0, 1, 1, 0], ceil: false }, { k: 3, s: 1, pads: [0, 0, 0, 0], ceil: false },
  ];
  for (const sh of shapes) {
    it(`k${sh.k} s${sh.s} pads ${sh.pads.join(',')}${sh.ceil ? ' ceil' : ''}: indices and values-only equal the reference`, async () => {
      const b = backends.get('auto')!;
      const v = await valuesOnly;
      const spec = makeSpec({ kernel: [sh.k, sh.k], strides: [sh.s, sh.s], dilations: [1, 1], pads: sh.pads, ceilMode: sh.ceil }, MAX);
      for (let w = sh.k; w <= 9 * sh.s + sh.k; w++) {
        for (const h of [sh.k, sh.k + 1, sh.k + 4]) {
          const shape = [1, 2, h, w];
          for (const set of VALUE_SETS) {
            const x: Tensor = { shape, data: values(set, product(shape), w * 31 + h) };
            const where = `${shape.join('x')} ${set}`;
            await checkForward(b, spec, x, where);
            const want = (await b.forward(spec, x)).y.data;
            expect(Array.from(bitsOf((await v.forward(spec, x)).y.data)), `${where} values-only`).toEqual(Array.from(bitsOf(want)));
          }
        }
      }
    });
  }
});

/** A k × k window, stride s, on an h × w plane: the cases on planes over 4096 floats below. */
interface PlaneCase { name: string; k: number; s: number; pads: [number, number, number, number]; ceil: boolean; h: number; w: number }
const squareWindow = (cs: PlaneCase): Omit<GeometryCase, 'name' | 'spatial'> =>
  ({ kernel: [cs.k, cs.k], strides: [cs.s, cs.s], dilations: [1, 1], pads: cs.pads, ceilMode: cs.ceil });

describe('wasm: the fused rows walk on planes past the strip kernel (more than 4096 floats)', () => {
  // The strip kernel takes kernel-3 windows on planes up to 4096 floats; larger planes take the fused walk, and a
  // kernel 3 stride 2 output row whose first window row the ring holds runs its plain groups in one written-out
  // loop (rows.ts k3s2HeldOne) that carries each row's third load into the next group. A NaN is planted in every
  // column of chosen rows, one per plane (plane c has it in column c), so that a column the NaN test misses shows
  // up as a vector result where the reference has the NaN. Sums and avg run the same walk.
  const valuesOnly = createWasmBackend({ indices: false });
  const cases: PlaneCase[] = [
    // out 33 × 34: groups of 4 from column 1, the last group moved back (vHi = 34 with the right pad).
    { name: 'k3 s2 p1 (the stem)', k: 3, s: 2, pads: [1, 1, 1, 1], ceil: false, h: 66, w: 68 },
    // no padding, out 32 × 32: the plain groups run to the row's end with no masked group after them, so the last
    // column is read only as the last group's third load.
    { name: 'k3 s2 p0, plain to the end', k: 3, s: 2, pads: [0, 0, 0, 0], ceil: false, h: 65, w: 65 },
    // out 33 wide: eight plain groups, then a masked one moved back.
    { name: 'k3 s2 p0, odd width', k: 3, s: 2, pads: [0, 0, 0, 0], ceil: false, h: 65, w: 67 },
    // ceil mode: a last window past the bottom and right borders (2 rows, 2 columns).
    { name: 'k3 s2 p0 ceil', k: 3, s: 2, pads: [0, 0, 0, 0], ceil: true, h: 64, w: 66 },
    { name: 'k3 s1 p1', k: 3, s: 1, pads: [1, 1, 1, 1], ceil: false, h: 65, w: 64 },
  ];
  for (const cs of cases) {
    it(`${cs.name}, ${cs.h}×${cs.w}: a NaN in every column of the first, second, middle and last rows; value sets`, async () => {
      const b = backends.get('auto')!;
      const v = await valuesOnly;
      const plane = cs.h * cs.w;
      const shape = [1, cs.w, cs.h, cs.w];
      const count = product(shape);
      const geometry = squareWindow(cs);
      const g = poolGeometry(makeSpec(geometry, MAX), shape);
      expect(forwardPath(g, geometry3(makeSpec(geometry, MAX), g))).toBe('rows');
      const checkAll = async (x: Tensor, where: string): Promise<void> => {
        const spec = makeSpec(geometry, MAX);
        const ref = referenceForward(spec, x);
        await checkForward(b, spec, x, where, ref);
        const want = (await b.forward(spec, x)).y.data;
        expect(Array.from(bitsOf((await v.forward(spec, x)).y.data)), `${where} values-only`).toEqual(Array.from(bitsOf(want)));
      };
      for (const r of [0, 1, 2, 31, 32, cs.h - 2, cs.h - 1]) {
        const data = values('mixed', count, 5000 + r);
        for (let c = 0; c < cs.w; c++) data[c * plane + r * cs.w + c] = Number.NaN;
        await checkAll({ shape, data }, `${cs.name}: NaN in row ${r}, column = plane`);
      }
      // The value sets and the sums on two planes (lp's high-precision reference on this size takes minutes).
      const two = [1, 2, cs.h, cs.w];
      for (const set of VALUE_SETS) await checkAll({ shape: two, data: values(set, product(two), 77) }, `${cs.name}: ${set}`);
      for (const variant of VARIANTS.filter((vr) => vr.spec.kind === 'sum' || vr.spec.kind === 'avg')) {
        const spec = makeSpec(geometry, variant);
        await checkForward(b, spec, { shape: two, data: values('mixed', product(two), 78) }, `${cs.name}: ${variant.label}`);
      }
    });
  }
});

describe('wasm: sum, avg and lp backward on planes over 4096 floats (dx initialised by the kernel)', () => {
  // On such planes bwdSumRows stores each input row's first contribution and zeroes the rows no window holds
  // (kernels/wasm/geometry.ts sumRowsFirstTouch); the host zeroes nothing. Each case runs after a max backward on
  // the same shape, so a row the kernel fails to write still holds that call's values.
  const cases: PlaneCase[] = [
    { name: 'k3 s2 p1 (the stem)', k: 3, s: 2, pads: [1, 1, 1, 1], ceil: false, h: 66, w: 68 },
    // stride over the window: a row and a column out of every three in no window (gaps), and the last rows too.
    { name: 'k2 s3 (gaps)', k: 2, s: 3, pads: [0, 0, 0, 0], ceil: false, h: 71, w: 64 },
    // kernel = stride, odd size: the last row and column in no window.
    { name: 'k2 s2, remainder dropped', k: 2, s: 2, pads: [0, 0, 0, 0], ceil: false, h: 65, w: 65 },
    // padding at the top only: the first window's first row is padding; ceil mode adds a last window past the border.
    { name: 'k3 s2 pads 1,0,0,1 ceil', k: 3, s: 2, pads: [1, 0, 0, 1], ceil: true, h: 64, w: 66 },
    { name: 'k3 s1 p1', k: 3, s: 1, pads: [1, 1, 1, 1], ceil: false, h: 65, w: 64 },
  ];
  for (const cs of cases) {
    it(`${cs.name}, ${cs.h}×${cs.w}`, async () => {
      const b = backends.get('auto')!;
      const shape = [1, 2, cs.h, cs.w];
      const geometry = squareWindow(cs);
      const x: Tensor = { shape, data: values('mixed', product(shape), 90) };
      const outShape = poolGeometry(makeSpec(geometry, MAX), shape).outShape;
      // (Lp p = 2's factored gradient runs the same kernel; its high-precision reference is slow, so on one case.)
      const lp = cs.k === 3 && cs.s === 2 && !cs.ceil;
      for (const variant of VARIANTS.filter((vr) => vr.spec.kind !== 'max' && (vr.spec.kind !== 'lp' || (lp && vr.spec.p === 2)))) {
        const spec = makeSpec(geometry, variant);
        const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), 91) };
        await b.backward(makeSpec(geometry, MAX), { shape, data: values('mixed', product(shape), 92) }, dy);
        const where = `${cs.name} / ${variant.label}`;
        expectBackwardClose(spec, x, dy, await b.backward(spec, x, dy), await naive.backward(spec, x, dy), where, 'float32');
      }
    });
  }
});

describe('wasm: max backward after another call on the same shape: no stale dx (bwdMaxPlanes, bwdMaxChannels)', () => {
  // Each case runs after a sum backward on the same shape, which leaves the elements of dx in its windows nonzero,
  // so an element no argmax reaches must be zeroed before the scatter. Overlapping windows (the stem's k3 s2 p1), disjoint ones with gaps (k2 s3: stored, not added) and a
  // tiling whose last row and column are in no window; whole calls and one unit per chunk.
  const cases: PlaneCase[] = [
    { name: 'k3 s2 p1', k: 3, s: 2, pads: [1, 1, 1, 1], ceil: false, h: 9, w: 11 },
    { name: 'k2 s3 (gaps)', k: 2, s: 3, pads: [0, 0, 0, 0], ceil: false, h: 8, w: 10 },
    { name: 'k2 s2, remainder dropped', k: 2, s: 2, pads: [0, 0, 0, 0], ceil: false, h: 7, w: 9 },
  ];
  for (const cs of cases) {
    it.each(LAYOUTS)(`${cs.name}, %s`, async (layout) => {
      const geometry = squareWindow(cs);
      const shape = joinShape(2, 5, [cs.h, cs.w], layout);
      const spec = makeSpec(geometry, MAX);
      const x: Tensor = { shape, data: values('mixed', product(shape), 61), layout };
      const outShape = poolGeometry(spec, shape, layout).outShape;
      const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), 62), layout };
      const want = await naive.backward(spec, x, dy);
      for (const [label, b] of [['whole', backends.get('auto')!], ['one unit per chunk', oneUnitChunks]] as const) {
        await b.backward(makeSpec(geometry, { spec: { kind: 'sum', countIncludePad: false } }), x, dy);
        expectBackwardClose(spec, x, dy, await b.backward(spec, x, dy), want, `${cs.name} / ${layout} / ${label}`, 'float32');
      }
    });
  }
});

describe('wasm: sum, avg and lp backward as a gather (channels_last, C a multiple of 4; contiguous planes, stride 1)', () => {
  // Where geometry.ts gatherGeometry applies (dilation 1, every input in some window; on contiguous planes also
  // stride 1, padding under the kernel, rows of 4 or more, not global), dx is the forward sum kernel (channels_last,
  // or rows) over the shares with inverse windows, and the host zeroes nothing: each case runs after a max backward on
  // the same shape, so an element the gather fails to write still holds that call's values. Split between two kernel
  // threads (threadMinBytes 0, N = 9 items: 4 + 5 units on channels_last, 12 + 15 planes on 3 channels), the bits
  // are one thread's.
  const two = createWasmBackend({ threads: 2, threadMinBytes: 0 });
  const cases: readonly { layout: Layout; channels: readonly number[] }[] = [
    { layout: 'channels_last', channels: [4, 8] },
    { layout: 'channels_first', channels: [3] },
  ];
  GEOMETRIES.forEach((gc, gi) => {
    it(gc.name, async () => {
      const b = backends.get('auto')!;
      for (const { layout, channels } of cases) {
        for (const c of channels) {
          const shape = joinShape(9, c, gc.spatial, layout);
          const g = poolGeometry(makeSpec(gc, MAX), shape, layout);
          const dilated = g.axes.some((a) => a.dilation !== 1);
          const covered = g.axes.every((a) => Array.from({ length: a.size }, (_, i) => i).every((i) =>
            Array.from({ length: a.out }, (_, j) => axisWindow(a, j)).some((w) => i >= w.start + w.tFirst && i < w.start + w.tEnd)));
          const rowsOk = layout === 'channels_last' || (g.axes.every((a) => a.stride === 1 && a.padBegin < a.kernel)
            && g.axes[g.rank - 1]!.size >= 4 && !g.axes.every((a) => a.out === 1));
          const applies = !dilated && covered && rowsOk;
          expect(gatherGeometry(g) !== undefined, `${gc.name} / ${layout}: the gather applies`).toBe(applies);
          const x: Tensor = { shape, data: values('mixed', product(shape), 300 + gi), layout };
          const dy: Tensor = { shape: [...g.outShape], data: values('mixed', product(g.outShape), 400 + gi), layout };
          for (const variant of VARIANTS.filter((v) => v.spec.kind !== 'max' && (v.spec.kind !== 'lp' || c <= 4))) {
            const spec = makeSpec(gc, variant);
            await b.backward(makeSpec(gc, MAX), { ...x, data: values('mixed', product(shape), 500 + gi) }, dy);
            const where = `${gc.name} / ${layout} / C = ${c} / ${variant.label}`;
            const got = await b.backward(spec, x, dy);
            expectBackwardClose(spec, x, dy, got, await naive.backward(spec, x, dy), where, 'float32');
            const split = await (await two).backward(spec, x, dy);
            expect(Array.from(bitsOf(split.data)), `${where}: two threads`).toEqual(Array.from(bitsOf(got.data)));
          }
        }
      }
    });
  });
});

describe('wasm: the pair kernel over 4 rows (rank 3: 2×2×2 stride 2, C3D)', () => {
  // pairPlanes3 (rows.ts): output widths 4 (one group), 5 and 6 (the last group moved back); odd depth, height and
  // width (a slice, row and column after the last window); several volumes per call; every value set (a volume with
  // a NaN is redone by the scalar rule); max with indices and values only, sum, avg. Also as calls that stream
  // from memory (pairSequentialBytes 0), where the kernel reads ahead (rows.ts touchAhead, clamped to the input's
  // last word: on these small inputs every touch lands there).
  const valuesOnly = createWasmBackend({ indices: false });
  const streaming = createWasmBackend({ pairSequentialBytes: 0 });
  for (const spatial of [[2, 2, 8], [4, 6, 10], [5, 5, 13], [3, 4, 12]]) {
    it(`[${spatial.join(', ')}]: max (indices and values only), sum and avg against the reference`, async () => {
      const b = backends.get('auto')!;
      const v = await valuesOnly;
      const st = await streaming;
      const shape = [2, 3, ...spatial];
      for (const variant of [VARIANTS[0]!, VARIANTS[1]!, VARIANTS[2]!]) {
        const spec = makeSpec({ kernel: [2, 2, 2], strides: [2, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false }, variant);
        const g = poolGeometry(spec, shape);
        expect(forwardPath(g, geometry3(spec, g))).toBe('rows');
        for (const set of VALUE_SETS) {
          const x: Tensor = { shape, data: values(set, product(shape), spatial.reduce((a, n) => a * 31 + n, set.length)) };
          const where = `${variant.label} ${shape.join('x')} ${set}`;
          await checkForward(b, spec, x, where);
          await checkForward(st, spec, x, `${where} streaming`);
          if (spec.kind === 'max') {
            const want = await b.forward(spec, x);
            expect(Array.from(bitsOf((await v.forward(spec, x)).y.data)), `${where} values-only`).toEqual(Array.from(bitsOf(want.y.data)));
          }
        }
      }
    });
  }
});

describe('wasm: the pair kernel on wide rows (read in memory order from 192 columns on)', () => {
  // The memory order is taken for calls over PAIR_SEQUENTIAL_BYTES; these backends take it for every call.
  const sequentialAlways = createWasmBackend({ pairSequentialBytes: 0 });
  const valuesOnly = createWasmBackend({ indices: false, pairSequentialBytes: 0 });
  // 2×2 stride-2 tilings with input widths below, at and above the switch to the sequential order, output widths
  // a multiple of the group of 4 and not (the last group moved back), several planes per call; every value set
  // (NaN and ±∞ included: a plane with a NaN is redone by the scalar rule), max with indices and values only, sum,
  // avg; a resident case beside the plain call.
  for (const w of [190, 192, 194, 226]) {
    it(`input width ${w}: max (indices and values only), sum and avg against the reference`, async () => {
      const b = await sequentialAlways;
      const v = await valuesOnly;
      const shape = [2, 3, 6, w];
      for (const variant of [VARIANTS[0]!, VARIANTS[1]!, VARIANTS[2]!]) {
        const spec = makeSpec({ kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false }, variant);
        for (const set of VALUE_SETS) {
          const x: Tensor = { shape, data: values(set, product(shape), w * 7 + set.length) };
          const where = `${variant.label} ${shape.join('x')} ${set}`;
          await checkForward(b, spec, x, where);
          const want = await b.forward(spec, x);
          const r = await b.resident(spec, x, 'forward');
          await r.run();
          expect(Array.from(bitsOf(r.read())), `${where} resident`).toEqual(Array.from(bitsOf(want.y.data)));
          if (spec.kind === 'max') expect(Array.from(r.readIndices()!), `${where} resident indices`).toEqual(Array.from(want.indices!));
          r.release();
          if (spec.kind === 'max') expect(Array.from(bitsOf((await v.forward(spec, x)).y.data)), `${where} values-only`).toEqual(Array.from(bitsOf(want.y.data)));
        }
      }
    });
  }
});

describe('wasm: the fused kernel-3 walk on streaming calls (reading ahead)', () => {
  // Calls over PAIR_SEQUENTIAL_BYTES stream: fusedRun then loads a word 32 KiB ahead of each input row, clamped
  // to the input's last word. This backend streams on every call. Planes over the strip kernel's 16 KiB take the
  // fused walk; two planes of about 20 KiB put the read-ahead both inside the input and past its end (clamped).
  const streaming = createWasmBackend({ pairSequentialBytes: 0 });
  const shapes = [
    { name: 'k3 s2 p1 (the stem)', k: 3, s: 2, shape: [1, 2, 70, 72] },
    { name: 'k3 s1 p1 (DenseNet-style)', k: 3, s: 1, shape: [1, 2, 70, 72] },
  ];
  for (const { name, k, s, shape } of shapes) {
    it(`${name} ${shape.join('x')}: max (indices), sum and avg against the reference`, async () => {
      const b = await streaming;
      for (const variant of [VARIANTS[0]!, VARIANTS[1]!, VARIANTS[2]!]) {
        const spec = makeSpec({ kernel: [k, k], strides: [s, s], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false }, variant);
        for (const set of variant.sets) {
          const x: Tensor = { shape, data: values(set, product(shape), k * 31 + s + set.length) };
          await checkForward(b, spec, x, `${variant.label} ${name} ${set}`);
        }
      }
    });
  }
});

/**
 * GRAD.MAX in the order of terms of the dense 3×3 stride-1 fused backward (kernels/wasm/assembly/maxgrad.ts
 * bwdMaxK3S1): each element (r, c) of an H × W plane sums, in float32 from +0, the terms of window column c − 1,
 * then c, then c + 1, each column's own terms first summed in output row order. `indices`: the forward's
 * (MAX.INDEX); outputs and inputs share the plane's shape.
 */
function gradByWindowColumn(indices: Int32Array, dy: Float32Array, planes: number, H: number, W: number): Float32Array {
  const dx = new Float32Array(planes * H * W);
  for (let p = 0; p < planes; p++) {
    const o = p * H * W;
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) {
        let total = 0;
        for (let w = Math.max(0, c - 1); w <= Math.min(W - 1, c + 1); w++) {
          let column = 0;
          for (let oh = Math.max(0, r - 1); oh <= Math.min(H - 1, r + 1); oh++) {
            if (indices[o + oh * W + w] === r * W + c) column = Math.fround(column + dy[o + oh * W + w]!);
          }
          total = Math.fround(total + column);
        }
        dx[o + r * W + c] = total;
      }
    }
  }
  return dx;
}

describe('wasm: max backward on the rows path (fused kernels and the general one) and beside it', () => {
  const sequentialAlways = createWasmBackend({ pairSequentialBytes: 0 });
  // The rows path's max backward: the fused kernels (2×2 stride-2 tilings: bwdMaxPairs; kernel 4 stride 4 rows:
  // bwdMaxK4S4; the stem's 3×3 stride 2: bwdMaxK3S2), else the rows forward's indices for every plane, then one
  // scatter, over the whole call (a resident case: the whole tensor, unblocked). Several planes per call (plain,
  // one unit per chunk, resident), output widths one group of 4 ± 1, padding rows at the top and bottom, NaN in
  // some planes (the kernels' scalar redo of one plane). The other side of the choice: the same cases on the scalar
  // path and channels_last (the general path).
  // dx is checked against the naive backend, and bit for bit against the scalar path (same indices, same float32
  // additions in output order). The dense k3 s1 p1 fused kernel (bwdMaxK3S1: channels_first, a multiple of 4
  // columns, 2 rows or more) adds each element's terms by window column first (gradByWindowColumn), except in a
  // plane that read a NaN, which it redoes as the scatter: each of its planes holds the bits of one of the two.
  const cases: { name: string; kernel: number[]; strides: number[]; pads: number[]; ceil: boolean; spatial: number[][] }[] = [
    // The stem's k3 s2 p1: widths 5..19 give output widths 3, 4, 5 and 8, 9, 10.
    { name: 'k3 s2 p1', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil: false, spatial: [[5, 5], [7, 7], [9, 8], [15, 15], [17, 16], [19, 19]] },
    // The stem's fused backward (bwdMaxK3S2): output widths 4, 8, 12 (one, two, three groups of 4), one output row
    // (its window's padding row and the next); with no end padding, a column and a row after the last window.
    { name: 'k3 s2 p1, groups of 4 windows', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil: false, spatial: [[8, 8], [16, 16], [12, 24], [2, 8]] },
    { name: 'k3 s2 p1 before only', kernel: [3, 3], strides: [2, 2], pads: [1, 1, 0, 0], ceil: false, spatial: [[9, 9], [13, 17], [5, 25]] },
    { name: 'k3 s2 p0 ceil', kernel: [3, 3], strides: [2, 2], pads: [0, 0, 0, 0], ceil: true, spatial: [[6, 9], [8, 10], [10, 17]] },
    // The dense k3 s1 p1: output widths 3, 4, 5, 7, 8, 9 (4 and 8 on the fused bwdMaxK3S1); 2 rows (the first output
    // row is also the last but one), 3 rows of 12, 1 row (not fused).
    { name: 'k3 s1 p1', kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], ceil: false, spatial: [[3, 3], [4, 4], [5, 5], [7, 7], [8, 8], [9, 9], [2, 4], [3, 12], [6, 16], [1, 8]] },
    { name: 'k2 s1 p1 (any window)', kernel: [2, 2], strides: [1, 1], pads: [1, 0, 0, 1], ceil: false, spatial: [[3, 2], [5, 4], [6, 8]] },
    // Disjoint windows (stores, not additions): 2×2 s2 on odd sizes (not a tiling: the rows path) and the audio k4 s4.
    { name: 'k2 s2 odd', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil: false, spatial: [[7, 7], [9, 11], [5, 17]] },
    { name: 'k2 s2 tiling (pairs)', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil: false, spatial: [[8, 8], [6, 10]] },
    // C3D's 2×2×2 s2 tiling (bwdMaxPairs3): output widths 4, 5 (the last group moved back) and 6, 1 to 2 slices;
    // 3 slices (not a tiling: the rows path).
    { name: 'k2 s2 tiling 3-D (pairs)', kernel: [2, 2, 2], strides: [2, 2, 2], pads: [0, 0, 0, 0, 0, 0], ceil: false, spatial: [[2, 4, 8], [4, 6, 10], [4, 2, 12], [3, 4, 8]] },
    // Rows of 192 columns and more: the first row of each pair is read in a pass of its own (PAIR_SEQUENTIAL_W).
    { name: 'k2 s2 tiling, wide rows', kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil: false, spatial: [[4, 190], [4, 192], [2, 226]] },
    // The audio k4 s4 (bwdMaxK4S4 from 4 outputs per row on, when the windows end inside the row): output widths
    // 3 (the rows path), 4, 5, 9 (one column after the last window); ceil mode with a last window past the end (the
    // rows path); a 1×4 window along the rows of a 2-D plane.
    { name: 'k4 s4 1-D', kernel: [4], strides: [4], pads: [0, 0], ceil: false, spatial: [[12], [16], [20], [37]] },
    { name: 'k4 s4 1-D ceil', kernel: [4], strides: [4], pads: [0, 0], ceil: true, spatial: [[18], [35]] },
    { name: 'k1×4 s1×4 2-D', kernel: [1, 4], strides: [1, 4], pads: [0, 0, 0, 0], ceil: false, spatial: [[3, 16], [2, 19], [4, 33]] },
  ];
  for (const cs of cases) {
    it(`${cs.name}: several planes, plain, chunked and resident; scalar path and channels_last beside it`, async () => {
      const auto = backends.get('auto')!;
      const scalar = backends.get('scalar')!;
      const spec: PoolSpec = {
        kind: 'max', kernel: cs.kernel, strides: cs.strides, dilations: cs.kernel.map(() => 1), pads: cs.pads, ceilMode: cs.ceil,
        countIncludePad: false,
      };
      for (const spatial of cs.spatial) {
        for (const [si, set] of VALUE_SETS.entries()) {
          for (const layout of LAYOUTS) {
            const shape = joinShape(2, 3, spatial, layout);
            const seed = spatial.reduce((a, v) => a * 37 + v, si * 101 + (layout === 'channels_last' ? 7 : 0));
            const x: Tensor = { shape, data: values(set, product(shape), seed), layout };
            const outShape = poolGeometry(spec, shape, layout).outShape;
            // With the ties, dy of small integers and ±0 too: an input that receives −0 alone holds +0 (dx starts at
            // +0, GRAD.MAX adds into it).
            const dy: Tensor = { shape: [...outShape], data: values(set === 'ties' ? 'ties' : 'mixed', product(outShape), seed + 1e6), layout };
            const where = `${cs.name} [${shape.join(', ')}] ${layout} ${set}`;
            const want = await naive.backward(spec, x, dy);
            const general = await scalar.backward(spec, x, dy);
            const [H, W] = spatial.length === 2 ? spatial as [number, number] : [0, 0];
            const k3s1 = cs.name === 'k3 s1 p1' && layout === 'channels_first' && W % 4 === 0 && H >= 2;
            const byColumn = k3s1 ? gradByWindowColumn((await naive.forward(spec, x)).indices!, dy.data, product(shape) / (H * W), H, W) : undefined;
            expectBackwardClose(spec, x, dy, general, want, `${where} / scalar path`, 'float32');
            const got = [
              ['auto', (await auto.backward(spec, x, dy)).data],
              ['one unit per chunk', (await oneUnitChunks.backward(spec, x, dy)).data],
              // Wide rows read in memory order (bwdMaxPairs), which calls this small take only when told to.
              ['memory order', (await (await sequentialAlways).backward(spec, x, dy)).data],
            ] as [string, Float32Array][];
            const r = await auto.resident(spec, x, 'backward', dy);
            await r.run();
            await r.run(); // a second run starts from the same state (dx rewritten, not accumulated)
            got.push(['resident', r.read()]);
            r.release();
            for (const [label, data] of got) {
              expectBackwardClose(spec, x, dy, { shape: [...shape], data, layout }, want, `${where} / ${label}`, 'float32');
              if (!byColumn) {
                expect(Array.from(bitsOf(data)), `${where} / ${label}: bits of the scalar path's dx`).toEqual(Array.from(bitsOf(general.data)));
                continue;
              }
              for (let p = 0; p < product(shape) / (H * W); p++) {
                const plane = (a: Float32Array): number[] => Array.from(bitsOf(a.subarray(p * H * W, (p + 1) * H * W)));
                const bits = plane(data);
                const ok = [plane(byColumn), plane(general.data)].some((b) => b.every((v, i) => v === bits[i]));
                expect(ok, `${where} / ${label}: plane ${p} holds the bits of the window-column order or the scatter's`).toBe(true);
              }
            }
          }
        }
      }
    });
  }
});

describe('wasm: sum and lp backward on the stem\'s windows (bwdSumK3S2: the sum backward, and lp\'s w(x), in one kernel)', () => {
  // Sum, and lp's factored gradient (p = 1, 2), on windows of 3×3 stride 2 with a padding row and column before: output widths
  // 4, 8, 12 (one to three groups of 4, the last group's next share past the row), one output row; with no end
  // padding, a column and a row past the last window (zero in dx). Plain, one unit per chunk and resident (run twice:
  // dx rewritten, not accumulated), against the naive backend within ACC.GRAD.
  const cases: { pads: number[]; spatial: number[][] }[] = [
    { pads: [1, 1, 1, 1], spatial: [[8, 8], [16, 16], [12, 24], [2, 8]] },
    { pads: [1, 1, 0, 0], spatial: [[9, 9], [13, 17], [5, 25]] },
  ];
  for (const p of [undefined, 1, 2]) {
    for (const cs of cases) {
      it(`${p === undefined ? 'sum' : `lp p = ${p}`}, pads [${cs.pads.join(', ')}]`, async () => {
        const auto = backends.get('auto')!;
        const spec: PoolSpec = {
          kind: p === undefined ? 'sum' : 'lp', ...(p === undefined ? {} : { p }), kernel: [3, 3], strides: [2, 2], dilations: [1, 1],
          pads: cs.pads, ceilMode: false, countIncludePad: false,
        };
        for (const spatial of cs.spatial) {
          const shape = joinShape(2, 3, spatial, 'channels_first');
          const seed = spatial[0]! * 37 + spatial[1]! + (p ?? 0);
          const x: Tensor = { shape, data: values('mixed', product(shape), seed), layout: 'channels_first' };
          const outShape = poolGeometry(spec, shape, 'channels_first').outShape;
          const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), seed + 1e6), layout: 'channels_first' };
          const where = `${spec.kind} ${p ?? ''} [${shape.join(', ')}]`;
          const want = await naive.backward(spec, x, dy);
          const r = await auto.resident(spec, x, 'backward', dy);
          await r.run();
          await r.run();
          const got: [string, Float32Array][] = [
            ['auto', (await auto.backward(spec, x, dy)).data],
            ['one unit per chunk', (await oneUnitChunks.backward(spec, x, dy)).data],
            ['resident', r.read()],
          ];
          r.release();
          for (const [label, data] of got) {
            expectBackwardClose(spec, x, dy, { shape: [...shape], data, layout: 'channels_first' }, want, `${where} / ${label}`, 'float32');
          }
        }
      });
    }
  }
});

describe('wasm: lp on its float32 path and its f64 path', () => {
  const gc = GEOMETRIES[1]!; // k3 s2 p1 over [3, 19]
  const extreme = (count: number, seed: number): Float32Array => {
    // Powers of two far from 1: |x|^p underflows or overflows float32 for most p (the f64 path).
    const r = rng(seed);
    return Float32Array.from({ length: count }, () => (r() < 0.5 ? -1 : 1) * 2 ** Math.floor((r() - 0.5) * 200) * (1 + r()));
  };
  for (const p of [1, 2, 0.5, 3, 7.5]) {
    it.each(LAYOUTS)(`p = ${p}, %s`, async (layout) => {
      const spec = makeSpec(gc, { spec: { kind: 'lp', countIncludePad: false, p } });
      const shape = joinShape(1, 6, gc.spatial, layout);
      for (const [name, data] of [['moderate', values('mixed', product(shape), 3)], ['extreme', extreme(product(shape), 4)]] as const) {
        const x: Tensor = { shape, data, layout };
        for (const path of distinctPaths(spec, shape, layout)) await checkForward(backends.get(path)!, spec, x, `lp ${p} ${name} ${layout} path ${path}`);
      }
    });
  }

  it('backward p = 1, 2: the factored float32 gradient where its ranges hold, the f64 kernels where they do not', async () => {
    // lpGradScale (kernels/wasm/assembly/lp.ts) refuses a = dy/y outside [2^-100, 2^96] (also where the float32
    // quotient underflowed to 0 or overflowed to ∞) and |dy| > 2^96: there the factored form would underflow (a tiny
    // dy over a large y, times a large x) or overflow where dy·(x/y) does not. Each case mixes such windows with ordinary ones; every dx must lie in ACC.GRAD's set.
    const gcb = GEOMETRIES[1]!; // k3 s2 p1 over [3, 19]: overlapping windows
    const b = backends.get('auto')!;
    for (const p of [1, 2]) {
      const spec = makeSpec(gcb, { spec: { kind: 'lp', countIncludePad: false, p } });
      for (const layout of LAYOUTS) {
        const shape = joinShape(1, 5, gcb.spatial, layout);
        const outShape = poolGeometry(spec, shape, layout).outShape;
        const base = values('mixed', product(shape), 11);
        const cases: [string, Float32Array, Float32Array][] = [
          ['ordinary', base, values('mixed', product(outShape), 12)],
          ['large x, subnormal dy', base.map((v) => v * 2 ** 40), values('mixed', product(outShape), 13).map((v, i) => (i % 3 ? v : v * 2 ** -135))],
          ['small x, huge dy', base.map((v) => v * 2 ** -40), values('mixed', product(outShape), 14).map((v, i) => (i % 4 ? v : v * 2 ** 100))],
          // |dy| = 2^96 passes its own test, but dy / y overflows float32 to ∞ (p = 2: every y is below 2^-35 here),
          // and no finite quotient above 2^96 gives the call away (the other dy are below 8).
          ['small x, dy 2^96', base.map((v) => v * 2 ** -40), values('mixed', product(outShape), 15).map((v, i) => (i % 4 ? v : Math.sign(v) * 2 ** 96))],
        ];
        for (const [name, xd, dyd] of cases) {
          const x: Tensor = { shape, data: xd, layout };
          const dy: Tensor = { shape: [...outShape], data: dyd, layout };
          expectBackwardClose(spec, x, dy, await b.backward(spec, x, dy), await naive.backward(spec, x, dy), `lp ${p} ${layout} ${name}`, 'float32');
        }
      }
    }
  });

  it('no intermediate overflow or underflow: (2^70, 2^70) and 2^-50', async () => {
    const b = backends.get('auto')!;
    const spec = (p: number, k: number): PoolSpec => ({
      kind: 'lp', p, kernel: [k], strides: [k], dilations: [1], pads: [0, 0], ceilMode: false, countIncludePad: false,
    });
    // 10 elements: the range check's vector loop and its scalar tail both see an extreme value.
    for (const at of [0, 9]) {
      const big = Float32Array.from({ length: 10 }, (_, i) => (i === at || i === (at ^ 1) ? 2 ** 70 : 1));
      const rb = await b.forward(spec(2, 2), { shape: [1, 1, 10], data: big });
      expect(rb.y.data[at >> 1]).toBe(Math.fround(2 ** 70 * Math.SQRT2));
      const tiny = Float32Array.from({ length: 10 }, (_, i) => (i === at ? 2 ** -50 : 1));
      const rt = await b.forward(spec(3, 1), { shape: [1, 1, 10], data: tiny });
      expect(rt.y.data[at]).toBe(2 ** -50);
    }
  });
});

describe('wasm: memory', () => {
  const spec = (kernel: number[], extra: Partial<PoolSpec> = {}): PoolSpec => ({
    kind: 'max', kernel, strides: kernel.map(() => 1), dilations: kernel.map(() => 1),
    pads: [...kernel.map(() => 0), ...kernel.map(() => 0)], ceilMode: false, countIncludePad: false, ...extra,
  });

  it('the bound is whole pages: a case that needs one byte more than a bound is refused, under it runs', async () => {
    // The bytes a case needs, as the refusal states them; then bounds one page either side of that need.
    const s1 = spec([2], { strides: [2] });
    const shape = [1, 3, 40_000];
    const probe = await createWasmBackend({ maxMemoryBytes: WASM_PAGE_BYTES });
    const refused = probe.supports(s1, shape);
    const need = Number(/forward needs (\d+) bytes/.exec(refused.ok ? '' : refused.reason)?.[1]);
    expect(need).toBeGreaterThan(WASM_PAGE_BYTES);
    const pages = Math.ceil(need / WASM_PAGE_BYTES);
    // A bound that is not a whole number of pages is rounded down: one byte short of the last page refuses.
    const short = await createWasmBackend({ maxMemoryBytes: pages * WASM_PAGE_BYTES - 1 });
    expect(short.maxMemoryBytes).toBe((pages - 1) * WASM_PAGE_BYTES);
    expect(short.supports(s1, shape).ok).toBe(false);
    await expect(short.forward(s1, { shape, data: new Float32Array(120_000) })).rejects.toThrow(BackendError);
    const enough = await createWasmBackend({ maxMemoryBytes: pages * WASM_PAGE_BYTES });
    // Backward may need more than forward; forward alone is what the plan above measured.
    const x: Tensor = { shape, data: values('mixed', 120_000, 5) };
    await checkForward(enough, s1, x, 'a bound of exactly the pages the forward needs');
    expect(enough.memory.buffer.byteLength).toBeLessThanOrEqual(pages * WASM_PAGE_BYTES);
  });

  it('a chunk holds as many whole units as chunkBytes allows: one byte short of two planes streams one', () => {
    const s1 = spec([3], { pads: [1, 1] });
    const g = poolGeometry(s1, [1, 5, 100], 'channels_first');
    const twoPlanes = 2 * 4 * 100;
    expect(chunking(g, twoPlanes)).toMatchObject({ units: 5, size: 2 });
    expect(chunking(g, twoPlanes - 1)).toMatchObject({ units: 5, size: 1 });
    expect(chunking(g, 1)).toMatchObject({ size: 1 });
    expect(chunking(g, 100 * twoPlanes)).toMatchObject({ size: 5 });
  });

  it('supports() refuses a case beyond the bound, naming the bound and the bytes needed', () => {
    const b = backends.get('auto')!;
    // 2^29 elements: a 2 GiB input alone (one global window keeps validation and the tables small).
    const n = 2 ** 29;
    const s = b.supports(spec([n]), [1, 1, n]);
    expect(s.ok).toBe(false);
    const reason = s.ok ? '' : s.reason;
    expect(reason).toContain('WASM_MAX_MEMORY_BYTES');
    expect(reason).toContain(String(WASM_MAX_MEMORY_BYTES));
    expect(reason).toMatch(/forward needs \d+ bytes/);
    expect(naive.supports(spec([n]), [1, 1, n])).toEqual({ ok: true });
    // Backward needs more than forward (f64 accumulation; lp also keeps |x|^p and its derivative in f64), and
    // supports() answers for both directions: 5·2^24 elements fit max (~1 GiB) but not lp's backward (~2.3 GiB).
    const m = 5 * 2 ** 24;
    expect(b.supports(spec([m]), [1, 1, m])).toEqual({ ok: true });
    const lp = b.supports(spec([m], { kind: 'lp', p: 3 }), [1, 1, m]);
    expect(lp.ok).toBe(false);
    expect(lp.ok ? '' : lp.reason).toMatch(/backward needs \d+ bytes/);
  });

  it('a configured bound refuses with a BackendError from forward, backward and supports; smaller cases still run', async () => {
    const tight = await createWasmBackend({ maxMemoryBytes: 4 * WASM_PAGE_BYTES });
    expect(tight.maxMemoryBytes).toBe(4 * WASM_PAGE_BYTES);
    const big: Tensor = { shape: [1, 1, 100_000], data: new Float32Array(100_000) };
    const dy: Tensor = { shape: [1, 1, 100_000], data: new Float32Array(100_000) };
    expect(tight.supports(spec([1]), big.shape).ok).toBe(false);
    await expect(tight.forward(spec([1]), big)).rejects.toThrow(BackendError);
    await expect(tight.forward(spec([1]), big)).rejects.toThrow(/forward needs \d+ bytes of wasm memory, more than the backend's bound of 262144 bytes/);
    await expect(tight.backward(spec([1]), big, dy)).rejects.toThrow(BackendError);
    expect(tight.memory.buffer.byteLength).toBeLessThanOrEqual(4 * WASM_PAGE_BYTES);
    const small: Tensor = { shape: [1, 1, 6], data: Float32Array.from([1, 5, 2, 8, 3, 0]) };
    const r = await tight.forward(spec([2], { strides: [2] }), small);
    expect(Array.from(r.y.data)).toEqual([5, 8, 3]);
    await expect(createWasmBackend({ maxMemoryBytes: 2 * WASM_MAX_MEMORY_BYTES })).rejects.toThrow(BackendError);
    await expect(createWasmBackend({ maxMemoryBytes: 0 })).rejects.toThrow(BackendError);
  });

  it('grows on demand and keeps computing correctly after growth (views re-created)', async () => {
    const b = await createWasmBackend();
    const s = spec([3], { pads: [1, 1] });
    const small: Tensor = { shape: [1, 2, 10], data: values('mixed', 20, 1) };
    await checkForward(b, s, small, 'before growth');
    const before = b.memory.buffer.byteLength;
    const big: Tensor = { shape: [2, 3, 50_000], data: values('special', 300_000, 2) };
    const g = await b.forward(s, big);
    const n = await naive.forward(s, big);
    expect(b.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(Array.from(g.indices!)).toEqual(Array.from(n.indices!));
    await checkForward(b, s, small, 'after growth');
  });

  it('10 000 calls leave the memory at its post-warm-up size', async () => {
    const b = await createWasmBackend();
    const calls: { spec: PoolSpec; x: Tensor; dy: Tensor }[] = [];
    for (const [vi, v] of VARIANTS.entries()) {
      for (const layout of LAYOUTS) {
        const gc = GEOMETRIES[vi % GEOMETRIES.length]!;
        const s = makeSpec(gc, v);
        const shape = joinShape(2, 3, gc.spatial, layout);
        const x: Tensor = { shape, data: values('mixed', product(shape), vi), layout };
        const outShape = poolGeometry(s, shape, layout).outShape;
        calls.push({ spec: s, x, dy: { shape: [...outShape], data: values('mixed', product(outShape), vi + 1), layout } });
      }
    }
    // Warm-up: every call once, both directions.
    for (const c of calls) {
      await b.forward(c.spec, c.x);
      await b.backward(c.spec, c.x, c.dy);
    }
    const buffer = b.memory.buffer;
    const size = buffer.byteLength;
    const first = await b.forward(calls[0]!.spec, calls[0]!.x);
    for (let i = 0; i < 10_000; i++) {
      const c = calls[i % calls.length]!;
      if (i % 2 === 0) await b.forward(c.spec, c.x);
      else await b.backward(c.spec, c.x, c.dy);
    }
    expect(b.memory.buffer.byteLength).toBe(size);
    expect(b.memory.buffer).toBe(buffer); // never grown, so never detached
    const last = await b.forward(calls[0]!.spec, calls[0]!.x);
    expect(Array.from(last.y.data)).toEqual(Array.from(first.y.data));
  });

  it('validation comes first: an invalid spec is a ValidationError, as in naive', async () => {
    const b = backends.get('auto')!;
    const bad = spec([0]);
    const x: Tensor = { shape: [1, 1, 3], data: new Float32Array(3) };
    expect(b.supports(bad, x.shape)).toEqual(naive.supports(bad, x.shape));
    await expect(b.forward(bad, x)).rejects.toThrow(ValidationError);
    await expect(b.backward(bad, x, x)).rejects.toThrow(ValidationError);
  });

  it('inputs are not mutated (lp maps |x|^p in the wasm copy only)', async () => {
    const b = backends.get('auto')!;
    const gc = GEOMETRIES[0]!;
    for (const v of VARIANTS) {
      const s = makeSpec(gc, v);
      const shape = joinShape(1, 5, gc.spatial, 'channels_first');
      const x: Tensor = { shape, data: values('special', product(shape), 7) };
      const outShape = poolGeometry(s, shape, 'channels_first').outShape;
      const dy: Tensor = { shape: [...outShape], data: values('special', product(outShape), 8) };
      const xBefore = Array.from(bitsOf(x.data));
      const dyBefore = Array.from(bitsOf(dy.data));
      await b.forward(s, x);
      await b.backward(s, x, dy);
      expect(Array.from(bitsOf(x.data))).toEqual(xBefore);
      expect(Array.from(bitsOf(dy.data))).toEqual(dyBefore);
    }
  });

  it('dispose: later calls are refused', async () => {
    const b = await createWasmBackend();
    await b.dispose!();
    const x: Tensor = { shape: [1, 1, 3], data: new Float32Array(3) };
    await expect(b.forward(spec([1]), x)).rejects.toThrow(BackendError);
    expect(b.supports(spec([1]), x.shape).ok).toBe(false);
  });
});

describe('wasm: automatic path choice', () => {
  const choose = (kernel: number[], strides: number[], pads: number[], shape: number[], layout: Layout = 'channels_first'): WasmPath => {
    const s: PoolSpec = { kind: 'max', kernel, strides, dilations: kernel.map(() => 1), pads, ceilMode: false, countIncludePad: false };
    const g = poolGeometry(s, shape, layout);
    return forwardPath(g, geometry3(s, g));
  };

  it('picks a vector path for the benchmark shapes', () => {
    // Contiguous planes: the rows kernel, whatever the stride, rows or plane count; a whole-plane window: global.
    expect(choose([3, 3], [2, 2], [1, 1, 1, 1], [1, 64, 112, 112])).toBe('rows');
    expect(choose([2, 2], [2, 2], [0, 0, 0, 0], [8, 128, 56, 56])).toBe('rows');
    expect(choose([7, 7], [1, 1], [0, 0, 0, 0], [8, 512, 7, 7])).toBe('global');
    expect(choose([3, 3], [1, 1], [1, 1, 1, 1], [16, 64, 128, 128])).toBe('rows');
    expect(choose([3, 3], [1, 1], [1, 1, 1, 1], [8, 256, 14, 14])).toBe('rows');
    expect(choose([3, 3], [3, 3], [0, 0, 0, 0], [1, 2, 14, 14])).toBe('rows');
    // channels_last: along channels from 4 channels, else scalar; with one channel it is laid out as channels_first.
    expect(choose([3, 3], [2, 2], [1, 1, 1, 1], [1, 112, 112, 64], 'channels_last')).toBe('channels');
    expect(choose([7, 7], [1, 1], [0, 0, 0, 0], [8, 7, 7, 512], 'channels_last')).toBe('channels');
    expect(choose([3, 3], [1, 1], [1, 1, 1, 1], [8, 14, 14, 3], 'channels_last')).toBe('scalar');
    expect(choose([2, 2], [2, 2], [0, 0, 0, 0], [8, 56, 56, 1], 'channels_last')).toBe('rows');
  });
});

describe('wasm: two kernel threads (threads: 2) give the bits of one', () => {
  // threadMinBytes 0: every call of 8 units or more is split (engine.ts split: at a multiple of 4 units, the
  // lower thread's last units into spare buffers). Every forward path and kind over edge cases (batch 9 ×
  // 2 channels: 18 planes split 8 + 10, or 9 channels_last items split 4 + 5),
  // the plain call and a resident case, with indices and values only; max backward on the fused kernels, the general
  // rows path, the scalar path and channels_last. Each result is compared bit for bit with one thread's, which the
  // tests above hold against the reference.
  const one = createWasmBackend({ threads: 1 });
  const two = createWasmBackend({ threads: 2, threadMinBytes: 0 });
  const twoValues = createWasmBackend({ threads: 2, threadMinBytes: 0, indices: false });
  const oneValues = createWasmBackend({ threads: 1, indices: false });
  const twoScalar = createWasmBackend({ threads: 2, threadMinBytes: 0, path: 'scalar' });
  const oneScalar = createWasmBackend({ threads: 1, path: 'scalar' });

  it('runs two threads by default where they can run, names the one-thread variant, refuses other counts', async () => {
    const byDefault = await createWasmBackend();
    expect(byDefault.threads).toBe((await kernelThreadsAvailable()) ? 2 : 1);
    expect(byDefault.name).toBe('wasm');
    expect((await two).name).toBe('wasm');
    expect((await two).threads).toBe(2);
    expect((await twoValues).name).toBe('wasm-values');
    expect((await one).name).toBe('wasm-1t');
    expect((await one).threads).toBe(1);
    expect((await oneValues).name).toBe('wasm-values-1t');
    await expect(createWasmBackend({ threads: 3 })).rejects.toThrow(/threads must be 1 or 2, got 3/);
    await byDefault.dispose?.();
  });

  it('a resident case gets a second thread only where one of its calls splits', () => {
    // Its own engine is threaded (shared memory, a worker) only then (index.ts resident): the unsplit stem lp forward
    // ran 1.16× slower on a shared memory.
    const six = 6 * 2 ** 20;
    const geo = (kind: PoolSpec['kind'], kernel: number, stride: number, pad: number, shape: number[], layout: Layout = 'channels_first') => {
      const s: PoolSpec = {
        kind, kernel: [kernel, kernel], strides: [stride, stride], dilations: [1, 1], pads: [pad, pad, pad, pad], ceilMode: false,
        countIncludePad: false, ...(kind === 'lp' ? { p: 2 } : {}),
      };
      return [s, poolGeometry(s, shape, layout)] as const;
    };
    // The stem at batch 1 (3.1 MiB in, 0.8 out) and 8 (31 MiB): under and over 6 MiB, for the forward.
    expect(wholeCaseSplits(...geo('max', 3, 2, 1, [1, 64, 112, 112]), false, six)).toBe(false);
    expect(wholeCaseSplits(...geo('max', 3, 2, 1, [8, 64, 112, 112]), false, six)).toBe(true);
    expect(wholeCaseSplits(...geo('lp', 3, 2, 1, [8, 64, 112, 112]), false, six)).toBe(true);
    // Backward: max splits; lp never; sum and avg on contiguous planes or by gather do, channels_last's bwdSum not.
    expect(wholeCaseSplits(...geo('max', 3, 2, 1, [8, 64, 112, 112]), true, six)).toBe(true);
    expect(wholeCaseSplits(...geo('lp', 3, 2, 1, [8, 64, 112, 112]), true, six)).toBe(false);
    expect(wholeCaseSplits(...geo('avg', 3, 1, 1, [8, 64, 112, 112]), true, six)).toBe(true);
    expect(wholeCaseSplits(...geo('sum', 3, 2, 1, [8, 64, 112, 112]), true, six)).toBe(true);
    expect(wholeCaseSplits(...geo('avg', 3, 1, 1, [8, 112, 112, 64], 'channels_last'), true, six)).toBe(true);
    expect(wholeCaseSplits(...geo('sum', 3, 2, 1, [8, 112, 112, 66], 'channels_last'), true, six)).toBe(false);
    // Under 8 units nothing splits (engine.ts splitPoint).
    expect(wholeCaseSplits(...geo('max', 3, 2, 1, [1, 7, 512, 512]), false, 0)).toBe(false);
  });

  it('streamed calls keep a plain memory unless their chunks can reach the split size', async () => {
    // (Copies into a shared memory are slower, and a chunk under threadMinBytes is never split.)
    const plain = await createWasmBackend({ threads: 2 });
    expect(plain.memory.buffer instanceof SharedArrayBuffer).toBe(false);
    expect((await two).memory.buffer instanceof SharedArrayBuffer).toBe(true);
    const big = await createWasmBackend({ threads: 2, chunkBytes: 8 * 2 ** 20, threadMinBytes: 16 * 2 ** 20 });
    expect(big.memory.buffer instanceof SharedArrayBuffer).toBe(true);
    await plain.dispose?.();
    await big.dispose?.();
  });

  // The geometries that reach each forward path and its stores: the rows kernels' strides 1, 2 and 3 (fewer than 4
  // outputs per row: stores past a plane's end), the pair tiling, global windows (fwdGlobal's 4-plane groups),
  // dilation (the scalar path), ranks 1 and 3.
  const SPLIT_CASES = new Set([
    'k3 s1 p1', 'k3 s2 p1 (ResNet stem)', 'stride 3 = window', 'kernel = stride (tiling), odd remainder dropped',
    'window = input (global)', 'dilation 2 with padding', 'rank 1, global', 'rank 3 (C3D 2×2×2)',
  ]);
  it('every named split case is in the edge-case grid', () => {
    expect(GEOMETRIES.filter((g) => SPLIT_CASES.has(g.name)).length).toBe(SPLIT_CASES.size);
  });
  for (const gc of GEOMETRIES.filter((g) => SPLIT_CASES.has(g.name))) {
    it(`${gc.name}: forward (every kind, both layouts, plain and resident) and max backward`, async () => {
      const pairs: [string, WasmBackend, WasmBackend][] = [
        ['auto', await one, await two], ['values only', await oneValues, await twoValues], ['scalar path', await oneScalar, await twoScalar],
      ];
      for (const layout of LAYOUTS) {
        const shape = joinShape(9, 2, gc.spatial, layout);
        // One variant per kernel family the host treats differently when it splits (max and its indices; the sums,
        // fwdGlobal's 4-plane groups among them; avg's divide pass; lp's powers, by its map pass (p = 1) or by the
        // range check's pass (p = 2), and its root pass).
        for (const variant of [VARIANTS[0]!, VARIANTS[1]!, VARIANTS[3]!, VARIANTS[5]!, VARIANTS[6]!]) {
          const spec = makeSpec(gc, variant);
          const x: Tensor = { shape, data: values(variant.sets[0]!, product(shape), gc.spatial.length * 31 + 5), layout };
          for (const [label, a, b] of variant.spec.kind === 'max' ? pairs : pairs.slice(0, 1)) {
            const where = `${gc.name} ${layout} ${variant.label} ${label}`;
            const want = await a.forward(spec, x);
            const got = await b.forward(spec, x);
            expect(Array.from(bitsOf(got.y.data)), where).toEqual(Array.from(bitsOf(want.y.data)));
            expect(got.indices && Array.from(got.indices), `${where} indices`).toEqual(want.indices && Array.from(want.indices));
            const r = await b.resident(spec, x, 'forward');
            // Twice: a run leaves its input as it found it.
            for (let run = 0; run < 2; run++) {
              await r.run();
              expect(Array.from(bitsOf(r.read())), `${where} resident run ${run}`).toEqual(Array.from(bitsOf(want.y.data)));
            }
            r.release();
          }
        }
        const spec = makeSpec(gc, MAX);
        const outShape = poolGeometry(spec, shape, layout).outShape;
        for (const set of ['mixed', 'special'] as const) {
          const x: Tensor = { shape, data: values(set, product(shape), 77), layout };
          const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), 78), layout };
          for (const [label, a, b] of pairs) {
            const where = `${gc.name} ${layout} max backward ${set} ${label}`;
            const want = await a.backward(spec, x, dy);
            expect(Array.from(bitsOf((await b.backward(spec, x, dy)).data)), where).toEqual(Array.from(bitsOf(want.data)));
            const r = await b.resident(spec, x, 'backward', dy);
            await r.run();
            expect(Array.from(bitsOf(r.read())), `${where} resident`).toEqual(Array.from(bitsOf(want.data)));
            r.release();
          }
        }
      }
    });
  }

  it('the fused max backward kernels (2×2 stride-2 tilings, wide rows in memory order, k4 s4, dense k3 s1) split too', async () => {
    const a = await createWasmBackend({ pairSequentialBytes: 0 });
    const b = await createWasmBackend({ threads: 2, threadMinBytes: 0, pairSequentialBytes: 0 });
    // [kernel, stride, padding, shape]: 15 planes of the dense k3 s1 p1 (bwdMaxK3S1), split 4 | 11 (engine.ts split).
    const cases: [number[], number, number, number[]][] = [
      [[2, 2], 2, 0, [3, 5, 8, 10]], [[2, 2], 2, 0, [4, 3, 4, 194]], [[4], 4, 0, [3, 4, 37]], [[3, 3], 1, 1, [3, 5, 6, 16]],
    ];
    for (const [kernel, stride, pad, shape] of cases) {
      const spec: PoolSpec = {
        kind: 'max', kernel, strides: kernel.map(() => stride), dilations: kernel.map(() => 1), pads: [...kernel, ...kernel].map(() => pad),
        ceilMode: false, countIncludePad: false,
      };
      const outShape = poolGeometry(spec, shape, 'channels_first').outShape;
      for (const set of VALUE_SETS) {
        const x: Tensor = { shape, data: values(set, product(shape), shape[3] ?? 9) };
        const dy: Tensor = { shape: [...outShape], data: values('mixed', product(outShape), 5) };
        const where = `k${kernel.join('x')} [${shape.join(', ')}] ${set}`;
        const want = await a.backward(spec, x, dy);
        expect(Array.from(bitsOf((await b.backward(spec, x, dy)).data)), where).toEqual(Array.from(bitsOf(want.data)));
        const fwd = await a.forward(spec, x);
        const got = await b.forward(spec, x);
        expect(Array.from(bitsOf(got.y.data)), `${where} forward`).toEqual(Array.from(bitsOf(fwd.y.data)));
        expect(Array.from(got.indices!), `${where} indices`).toEqual(Array.from(fwd.indices!));
      }
    }
    await a.dispose?.();
    await b.dispose?.();
  });

  it('the sum and avg backward splits too, walking each half in blocks', async () => {
    // Every kernel that splits (engine.ts backward): the gather, stride-1 windows on contiguous planes (the rows kernel
    // over the shares) and channels_last with 4 channels (fwdChannelsLast); the row-wise scatter (bwdSumRows, its
    // scratch row per thread) on stride-2 windows and on a global window; the stem's windows (bwdSumK3S2). Split from
    // 8 units (threadMinBytes 0); chunks of one unit make a resident case walk blocks of one unit, so that 200 planes
    // put 100 on the worker, more than SUM_TASK_BLOCKS (64) blocks: it takes blocks of two (100 blocks of the avg
    // gather would need 5 300 of the task's 4 096 argument slots).
    const blocked = await createWasmBackend({ threads: 2, threadMinBytes: 0, chunkBytes: 1 });
    const a = await one;
    const b = await two;
    type SumCase = [string, PoolSpec['kind'], Partial<PoolSpec>, number[], Layout];
    const k3 = (stride: number, pad: number): Partial<PoolSpec> => ({ kernel: [3, 3], strides: [stride, stride], pads: [pad, pad, pad, pad] });
    const cases: SumCase[] = [
      ['gather', 'sum', k3(1, 1), [3, 5, 6, 9], 'channels_first'],
      ['gather', 'avg', k3(1, 1), [3, 5, 6, 9], 'channels_first'],
      ['gather', 'avg', { ...k3(1, 1), countIncludePad: true }, [2, 9, 5, 7], 'channels_first'],
      ['gather', 'avg', { ...k3(1, 1), divisorOverride: -3 }, [2, 9, 5, 7], 'channels_first'],
      ['gather', 'avg', k3(1, 1), [9, 5, 6, 4], 'channels_last'],
      ['gather', 'sum', k3(1, 1), [11, 4, 3, 8], 'channels_last'],
      ['gather', 'avg', k3(1, 1), [1, 200, 5, 6], 'channels_first'],
      ['rows', 'avg', k3(2, 1), [3, 5, 9, 11], 'channels_first'],
      // Large enough for both threads to be in the scatter at once (each thread needs a scratch row of its own).
      ['rows', 'avg', k3(2, 1), [2, 32, 48, 64], 'channels_first'],
      ['rows', 'sum', { ...k3(2, 0), ceilMode: true }, [2, 9, 8, 9], 'channels_first'],
      ['rows', 'avg', { kernel: [5, 6], strides: [1, 1], pads: [0, 0, 0, 0] }, [4, 5, 5, 6], 'channels_first'],
      ['stem', 'sum', k3(2, 1), [2, 9, 10, 16], 'channels_first'],
    ];
    for (const [kernels, kind, extra, shape, layout] of cases) {
      const spec: PoolSpec = {
        kind, kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], ceilMode: false, countIncludePad: false, ...extra,
      };
      const g = poolGeometry(spec, shape, layout);
      expect(gatherGeometry(g) !== undefined, `${kind} [${shape.join(', ')}] takes the gather`).toBe(kernels === 'gather');
      const x: Tensor = { shape, data: values('mixed', product(shape), 11), layout };
      const dy: Tensor = { shape: [...g.outShape], data: values('special', product(g.outShape), 12), layout };
      const want = await a.backward(spec, x, dy);
      for (const [label, backend] of [['split', b], ['split in blocks', blocked]] as const) {
        const where = `${kernels}: ${kind} ${JSON.stringify(extra)} [${shape.join(', ')}] ${layout} ${label}`;
        expect(Array.from(bitsOf((await backend.backward(spec, x, dy)).data)), where).toEqual(Array.from(bitsOf(want.data)));
        const r = await backend.resident(spec, x, 'backward', dy);
        for (let run = 0; run < 2; run++) {
          await r.run();
          expect(Array.from(bitsOf(r.read())), `${where} resident run ${run}`).toEqual(Array.from(bitsOf(want.data)));
        }
        r.release();
      }
    }
    await blocked.dispose?.();
  });

  afterAll(async () => {
    for (const b of [one, two, twoValues, oneValues, twoScalar, oneScalar]) await (await b).dispose?.();
  });
});

describe('wasm: the generated module', () => {
  // module.generated.ts is a build output (not committed): this is the check that it is not stale, i.e. that the
  // module under test is what the current kernels/wasm/assembly/*.ts compile to (bytes and source hash).
  it('rebuilds from source into a temp dir byte-for-byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'poolspec-wasm-'));
    try {
      execFileSync(process.execPath, [join(here, 'build.mjs'), '--out', out], { stdio: 'pipe' });
      const rebuilt = readFileSync(join(out, 'module.generated.ts'), 'utf8');
      const committed = readFileSync(join(here, 'module.generated.ts'), 'utf8');
      const base64 = (text: string): string => /WASM_BASE64 = '([^']*)'/.exec(text)?.[1] ?? '';
      expect(base64(rebuilt).length).toBeGreaterThan(0);
      expect(base64(rebuilt) === base64(committed), 'wasm bytes differ from a fresh build: run `node kernels/wasm/build.mjs`').toBe(true);
      expect(rebuilt).toBe(committed);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  it('the backend module uses no Node-only API (it must run in browsers)', () => {
    // threads.ts is the `threads: 2` option's worker, Node's worker_threads by design: its worker program (a string)
    // calls require, and it imports worker_threads only when a backend asks for threads.
    for (const file of readdirSync(here).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts') && n !== 'threads.ts')) {
      const text = readFileSync(join(here, file), 'utf8');
      expect(text, file).not.toMatch(/from ['"]node:|\brequire\(|\bprocess\.|\bBuffer\b|__dirname/);
    }
  });
});
