/**
 * Max is exact (MAX.SELECT): a backend's indices equal the reference's, and each y is its winner's x to the bit
 * (NaN payloads and the sign of zero included). For backend tests that hold a max forward's y and indices.
 */
import { expect } from 'vitest';
import type { PoolSpec, Tensor } from '../../spec/contract.js';
import { planeAddress, type PoolGeometry } from '../../spec/geometry.js';
import { referenceForward, type ReferenceForward } from '../../spec/reference/forward.js';

/** A float32 array's bits (a view, not a copy). */
export function bitsOf(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/**
 * Fails with the first output whose index differs from the reference's, or whose y is not the bits of the x its
 * index names (indices are plane indices, in either layout: spec/geometry.ts planeAddress).
 */
export function expectMaxExact(
  spec: PoolSpec, x: Tensor, y: Float32Array, indices: Int32Array, where: string, ref: ReferenceForward = referenceForward(spec, x),
): void {
  const want = ref.indices!;
  expect(indices.length, `${where}: indices`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (indices[i] !== want[i]) expect.fail(`${where}: indices[${i}] = ${indices[i]}, want ${want[i]}`);
  }
  const xBits = bitsOf(x.data);
  const yBits = bitsOf(y);
  forEachWinner(ref.geometry, indices, (at, from) => {
    if (yBits[at] !== xBits[from]) {
      expect.fail(`${where}: y[${at}] bits 0x${yBits[at]!.toString(16)} differ from x[${from}] bits 0x${xBits[from]!.toString(16)}`);
    }
  });
}

/**
 * Visits every output with the input element its plane index names: visit(output offset, input offset), in either
 * layout (spec/geometry.ts planeAddress).
 */
export function forEachWinner(g: PoolGeometry, indices: ArrayLike<number>, visit: (out: number, input: number) => void): void {
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, c);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, c);
      for (let o = 0; o < g.outPlane; o++) {
        const out = dst.base + o * dst.step;
        visit(out, src.base + indices[out]! * src.step);
      }
    }
  }
}
