/**
 * Window-relative index codes (kernels/wasm/assembly/rows.ts putCodes): a resident max forward leaves its indices
 * as a byte per output where its kernel writes them (the pair kernels; kernel 4 stride 4 on rows without padding),
 * and the host decodes them (geometry.ts). Checked against the executable reference (spec/reference/forward.ts),
 * value sets with NaN, ±∞, ties and ±0 included: a plane holding a NaN is recomputed by the scalar rule and its
 * indices turned into codes afterwards.
 */
import { describe, expect, it } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { poolGeometry, product } from '../../spec/geometry.js';
import { EDGE_CASES, windowGeometry } from '../../spec/cases/edge-cases.js';
import { referenceForward } from '../../spec/reference/forward.js';
import { VALUE_SETS, values } from '../../test/helpers/edge-values.js';
import { expectMaxExact } from '../../test/helpers/max-exact.js';
import { WASM_CHUNK_BYTES } from './chunking.js';
import { Engine } from './engine.js';
import { decodeIndexCodes, indexCodesFit } from './geometry.js';
import createWasmBackend from './index.js';
import { WASM_MAX_MEMORY_BYTES } from './module.js';

function maxSpec(kernel: number[], strides: number[], pads: number[], dilations = kernel.map(() => 1)): PoolSpec {
  return { kind: 'max', kernel, strides, dilations, pads, ceilMode: false, countIncludePad: false };
}

const pair2 = maxSpec([2, 2], [2, 2], [0, 0, 0, 0]);
const pair3 = maxSpec([2, 2, 2], [2, 2, 2], [0, 0, 0, 0, 0, 0]);

describe('wasm index codes: which cases a byte holds', () => {
  // The largest code is ((kD−1)·dD·H + (kH−1)·dH)·W + (kW−1)·dW, worked by hand for each case.
  it.each([
    ['VGG-16 pool1, 2×2 on rows of 224: 224 + 1', pair2, [1, 64, 224, 224], true],
    ['2×2 on rows of 254: 255', pair2, [1, 1, 4, 254], true],
    ['2×2 on rows of 255: 256', pair2, [1, 1, 4, 255], false],
    ['the ResNet stem, 3×3 on rows of 112: 2·112 + 2', maxSpec([3, 3], [2, 2], [1, 1, 1, 1]), [1, 64, 112, 112], true],
    ['3×3 dilation 2 on rows of 60: 4·60 + 4', maxSpec([3, 3], [1, 1], [0, 0, 0, 0], [2, 2]), [1, 1, 60, 60], true],
    ['C3D pool2, 2×2×2 on 56×56 slices: 56·56 + 56 + 1', pair3, [1, 128, 16, 56, 56], false],
    ['rank 1, kernel 4 stride 4: 3', maxSpec([4], [4], [0, 0]), [1, 128, 7981], true],
  ] as const)('%s', (_name, spec, shape, fits) => {
    expect(indexCodesFit(poolGeometry(spec, [...shape]))).toBe(fits);
  });
});

describe('wasm index codes: decoding', () => {
  it('adds each window origin back (2×2 stride 2 on 4×4: origins 0, 2, 8, 10)', () => {
    const g = poolGeometry(pair2, [1, 1, 4, 4]);
    expect(Array.from(decodeIndexCodes(g, Uint8Array.from([0, 1, 4, 5]), 1))).toEqual([0, 3, 12, 15]);
  });

  it('counts padding in the origin (kernel 3 stride 2 pad 1 on 5: origins −1, 1, 3), plane after plane', () => {
    const g = poolGeometry(maxSpec([3], [2], [1, 1]), [1, 2, 5]);
    expect(Array.from(decodeIndexCodes(g, Uint8Array.from([1, 2, 1, 2, 0, 1]), 2))).toEqual([0, 3, 4, 1, 1, 4]);
  });
});

/**
 * Runs a resident-style forward with codes on a bare engine (with `threadMinBytes`, one of two kernel threads):
 * whether it wrote codes, and y and the indices.
 */
async function forwardWithCodes(
  spec: PoolSpec, x: Tensor, pairSequentialBytes?: number, threadMinBytes?: number,
): Promise<{ wroteCodes: boolean; codes: boolean; y: Float32Array; indices: Int32Array }> {
  const engine = await Engine.create(WASM_MAX_MEMORY_BYTES, threadMinBytes === undefined ? 1 : 2);
  try {
    const g = poolGeometry(spec, x.shape);
    const c = engine.layout(spec, g, false, {
      path: 'auto', chunkBytes: WASM_CHUNK_BYTES, whole: true, indices: true, packIndices: true,
      ...(pairSequentialBytes === undefined ? {} : { pairSequentialBytes }),
      ...(threadMinBytes === undefined ? {} : { threadMinBytes }),
    });
    engine.bind(c);
    engine.mem.f32.set(x.data, c.plan.x >> 2);
    const units = c.chunk.units;
    const count = units * c.chunk.unitOut;
    const wroteCodes = engine.forward(c, units);
    const y = engine.mem.f32.slice(c.plan.y >> 2, (c.plan.y >> 2) + count);
    const indices = wroteCodes
      ? decodeIndexCodes(g, new Uint8Array(engine.mem.memory.buffer, c.plan.codes, count), units)
      : engine.mem.i32.slice(c.plan.ix >> 2, (c.plan.ix >> 2) + count);
    return { wroteCodes, codes: c.codes, y, indices };
  } finally {
    engine.dispose();
  }
}

describe('wasm index codes: the pair kernels write them, exact against the reference', () => {
  // Output widths 4 (one group), 5 (the last group moved back) and more; odd extents (a row and column after the
  // last window); widths below and from 192 on with the memory-order kernel forced (pairSequentialBytes 0); up
  // to 254 columns (code 255, the largest a byte holds).
  const cases: { shape: number[]; sequential?: boolean }[] = [
    { shape: [2, 3, 6, 8] },
    { shape: [1, 3, 7, 11] },
    { shape: [2, 2, 6, 190], sequential: true },
    { shape: [2, 2, 5, 194], sequential: true },
    { shape: [1, 2, 4, 254], sequential: true },
    { shape: [1, 2, 4, 254] },
  ];
  for (const { shape, sequential } of cases) {
    it(`2×2 stride 2, [${shape.join(', ')}]${sequential ? ', memory order' : ''}: every value set`, async () => {
      for (const set of VALUE_SETS) {
        const x: Tensor = { shape, data: values(set, product(shape), shape[3]! * 13 + set.length) };
        const r = await forwardWithCodes(pair2, x, sequential ? 0 : undefined);
        expect(r.wroteCodes, set).toBe(true);
        expectMaxExact(pair2, x, r.y, r.indices, `${shape.join('x')} ${set}`);
      }
    });
  }

  it('2×2×2 stride 2 (the 4-row pair kernel), [2, 2, 5, 4, 10]: every value set', async () => {
    const shape = [2, 2, 5, 4, 10];
    for (const set of VALUE_SETS) {
      const x: Tensor = { shape, data: values(set, product(shape), 77 + set.length) };
      const r = await forwardWithCodes(pair3, x);
      expect(r.wroteCodes, set).toBe(true);
      expectMaxExact(pair3, x, r.y, r.indices, `2x2x5x4x10 ${set}`);
    }
  });
});

describe('wasm index codes: kernel 4 stride 4 on rows without padding writes them (the audio pool)', () => {
  // Output widths 4 (one group), 9 (the last group moved back) and 1995 (the M5 pool's); a remainder after the
  // last window; rank 2 with one row per window (kernel 1 across rows, stride 2).
  it.each([
    ['rank 1, [2, 3, 16]', maxSpec([4], [4], [0, 0]), [2, 3, 16]],
    ['rank 1, [1, 3, 39]', maxSpec([4], [4], [0, 0]), [1, 3, 39]],
    ['rank 1, [1, 2, 7981]', maxSpec([4], [4], [0, 0]), [1, 2, 7981]],
    ['rank 2, kernel 1×4 stride 2×4, [1, 2, 5, 21]', maxSpec([1, 4], [2, 4], [0, 0, 0, 0]), [1, 2, 5, 21]],
  ] as const)('%s: every value set', async (_name, spec, shape) => {
    for (const set of VALUE_SETS) {
      const x: Tensor = { shape: [...shape], data: values(set, product(shape), shape[shape.length - 1]! + set.length) };
      const r = await forwardWithCodes(spec, x);
      expect(r.wroteCodes, set).toBe(true);
      expectMaxExact(spec, x, r.y, r.indices, `${shape.join('x')} ${set}`);
    }
  });

  it('with padding before the row (kernel 4 stride 4 pad 1), int32 indices', async () => {
    const spec = maxSpec([4], [4], [1, 1]);
    const x: Tensor = { shape: [1, 2, 30], data: values('ties', 60, 3) };
    const r = await forwardWithCodes(spec, x);
    expect(r.codes).toBe(true);
    expect(r.wroteCodes).toBe(false);
    expectMaxExact(spec, x, r.y, r.indices, 'padded');
  });
});

describe('wasm index codes: the edge-case grid', () => {
  // spec/cases/edge-cases.ts, with calls streaming (pairSequentialBytes 0, as the memory-order pair kernel takes
  // them): whichever kernel a case takes, its indices (codes where written, else int32) decode to the reference's.
  for (const ec of EDGE_CASES) {
    it(`${ec.name}: codes or int32 indices, exact`, async () => {
      const spec: PoolSpec = { ...windowGeometry(ec), kind: 'max', countIncludePad: false };
      const shape = [1, 2, ...ec.spatial];
      for (const set of VALUE_SETS) {
        const x: Tensor = { shape, data: values(set, product(shape), ec.spatial.reduce((a, v) => a * 31 + v, set.length)) };
        const r = await forwardWithCodes(spec, x, 0);
        expectMaxExact(spec, x, r.y, r.indices, `${ec.name} ${set}`);
      }
    });
  }
});

describe('wasm index codes: where they are not written, the int32 indices are', () => {
  it('the stem (3×3 stride 2: not a pair kernel) asks for codes, fits a byte, gets int32 indices', async () => {
    const spec = maxSpec([3, 3], [2, 2], [1, 1, 1, 1]);
    const x: Tensor = { shape: [1, 3, 14, 14], data: values('ties', 3 * 196, 5) };
    const r = await forwardWithCodes(spec, x);
    expect(r.codes).toBe(true);
    expect(r.wroteCodes).toBe(false);
    expectMaxExact(spec, x, r.y, r.indices, 'stem');
  });

  it('2×2 on rows of 256 (code 257) does not ask for codes', async () => {
    const x: Tensor = { shape: [1, 1, 4, 256], data: values('mixed', 1024, 9) };
    const r = await forwardWithCodes(pair2, x);
    expect(r.codes).toBe(false);
    expect(r.wroteCodes).toBe(false);
    expectMaxExact(pair2, x, r.y, r.indices, 'rows of 256');
  });

  it('two kernel threads: a call that is never split keeps codes, one that may be keeps int32 indices', async () => {
    // 8 planes of 8 × 12 (8 units, the fewest that split): each call touches 4 · 8 · (96 + 24) = 3840 bytes.
    const shape = [1, 8, 8, 12];
    for (const set of VALUE_SETS) {
      const x: Tensor = { shape, data: values(set, product(shape), 17 + set.length) };
      const whole = await forwardWithCodes(pair2, x, undefined, 3841);
      expect([whole.codes, whole.wroteCodes], `${set} below the split`).toEqual([true, true]);
      expectMaxExact(pair2, x, whole.y, whole.indices, `${set} below the split`);
      const split = await forwardWithCodes(pair2, x, undefined, 3840);
      expect([split.codes, split.wroteCodes], `${set} split`).toEqual([false, false]);
      expectMaxExact(pair2, x, split.y, split.indices, `${set} split`);
    }
  });

  // With two kernel threads too: this case's calls stay below threadMinBytes, so they are not split.
  for (const threads of [1, 2]) {
    it(`a resident case's readIndices decodes them, run after run (${threads} kernel thread${threads > 1 ? 's' : ''})`, async () => {
      const b = await createWasmBackend({ threads });
      try {
        const shape = [1, 8, 8, 12];
        for (const set of VALUE_SETS) {
          const x: Tensor = { shape, data: values(set, product(shape), 31 * threads + set.length) };
          const r = await b.resident(pair2, x, 'forward');
          await r.run();
          await r.run();
          expect(Array.from(r.readIndices()!), set).toEqual(Array.from(referenceForward(pair2, x).indices!));
          r.release();
        }
      } finally {
        await b.dispose?.();
      }
    });
  }
});
