/**
 * Which forward algorithm (path) a case takes: a requested one where it applies, else the automatic choice.
 */
import type { PoolGeometry } from '../../spec/geometry.js';
import { planesContiguous, type Geometry3 } from './geometry.js';

/**
 * Forward algorithms (kernels/wasm/assembly/rows.ts, forward.ts):
 * - 'rows': contiguous planes, any geometry: row-first separable (an H pass per input row into a ring, a V pass
 *   per output row);
 * - 'channels': channels_last with 4 or more channels, vectorised along channels: row-first separable, as 'rows';
 * - 'global': channels_first, one window covering each whole plane;
 * - 'scalar': one output at a time (any case).
 */
export type WasmPath = 'scalar' | 'rows' | 'channels' | 'global';

/**
 * The forward algorithm for a case: `requested` where it applies, else the automatic choice: a whole-plane window
 * takes the global reduction; other contiguous planes the rows kernel; channels_last with C ≥ 4 vectorises along
 * channels; else scalar. (The rows kernel replaced the earlier 'width' kernel and 4-plane packing: it was as fast or
 * faster on every benchmark shape, so they were removed rather than kept as a second copy of the window walk.)
 */
export function forwardPath(g: PoolGeometry, g3: Geometry3, requested: WasmPath | 'auto' = 'auto'): WasmPath {
  const cf = planesContiguous(g);
  const applies: Record<WasmPath, boolean> = {
    scalar: true,
    rows: cf,
    global: cf && g3.global,
    channels: !cf && g.channels >= 4,
  };
  if (requested !== 'auto' && applies[requested]) return requested;
  if (applies.global) return 'global';
  if (applies.rows) return 'rows';
  if (applies.channels) return 'channels';
  return 'scalar';
}
