/**
 * How a call streams its data through wasm memory: independent units (channels_first planes, or channels_last
 * batch items) a chunk at a time, so the data stays in cache between copy-in, kernels and copy-out, and a call
 * needs one chunk's buffers, not the whole tensor's.
 */
import type { PoolGeometry } from '../../spec/geometry.js';
import { planesContiguous } from './geometry.js';

/** Input bytes staged in wasm memory per chunk (by default). */
export const WASM_CHUNK_BYTES = 512 * 1024;

/**
 * How a call is streamed: `units` independent units (channels_first planes, or channels_last batch items), `size`
 * of them per chunk; a unit holds `unitIn` input and `unitOut` output elements.
 */
export interface Chunking {
  readonly units: number;
  readonly size: number;
  readonly unitIn: number;
  readonly unitOut: number;
}

export function chunking(g: PoolGeometry, chunkBytes: number): Chunking {
  const cf = planesContiguous(g);
  const units = cf ? g.batch * g.channels : g.batch;
  const unitIn = cf ? g.inPlane : g.inPlane * g.channels;
  const unitOut = cf ? g.outPlane : g.outPlane * g.channels;
  const size = Math.max(1, Math.floor(chunkBytes / (4 * unitIn)));
  return { units, size: Math.min(size, units), unitIn, unitOut };
}
