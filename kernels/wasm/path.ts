/**
 * Which forward algorithm (path) a case takes: a requested one where it applies, else the automatic choice.
 */
import type { PoolGeometry } from '../../spec/geometry.js';
import { planesContiguous, type Geometry3 } from './geometry.js';

/**
 * Forward algorithms (kernels/wasm/assembly/rows.ts, forward.ts):
 * - 'rows': contiguous planes, any geometry: row-first separable (an H pass per input row into a ring, a V pass
 *   per output row);
 * - 'width': channels_first, width stride 1 or 2, vectorised along the output row (border steps masked);
 * - 'channels': vectorised along channels (channels_last directly; channels_first by packing 8 planes);
 * - 'global': channels_first, one window covering each whole plane;
 * - 'scalar': one output at a time (any case).
 */
export type WasmPath = 'scalar' | 'rows' | 'width' | 'channels' | 'global';

/**
 * The forward algorithm for a case: `requested` where it applies, else the automatic choice: a whole-plane window
 * takes the global reduction; other contiguous planes the rows kernel; channels_last with C ≥ 4 vectorises along
 * channels; else scalar. ('width' and packed 'channels' for contiguous planes remain as forced paths: the tests run
 * every path against the reference.)
 */
export function forwardPath(g: PoolGeometry, g3: Geometry3, requested: WasmPath | 'auto' = 'auto'): WasmPath {
  const cf = planesContiguous(g);
  const applies: Record<WasmPath, boolean> = {
    scalar: true,
    rows: cf,
    global: cf && g3.global,
    width: cf && g3.strideW <= 2,
    channels: cf ? g.batch * g.channels >= 4 : g.channels >= 4,
  };
  if (requested !== 'auto' && applies[requested]) return requested;
  if (applies.global) return 'global';
  if (applies.rows) return 'rows';
  if (applies.channels) return 'channels';
  return 'scalar';
}
