/**
 * Which forward algorithm (path) a case takes: a requested one where it applies, else the automatic choice.
 */
import type { PoolGeometry } from '../../spec/geometry.js';
import { planesContiguous, type Geometry3 } from './geometry.js';

/**
 * Forward algorithms (kernels/wasm/assembly/forward.ts):
 * - 'width': channels_first, width stride 1 or 2, vectorised along the output row (border steps masked);
 * - 'channels': vectorised along channels (channels_last directly; channels_first by packing 8 planes);
 * - 'global': channels_first, one window covering each whole plane;
 * - 'scalar': one output at a time (any case).
 */
export type WasmPath = 'scalar' | 'width' | 'channels' | 'global';

/**
 * The forward algorithm for a case: `requested` where it applies, else the automatic choice. channels_last with
 * C ≥ 4 vectorises along channels. channels_first: a whole-plane window takes the global reduction; the width
 * kernel (no transposition) when the width stride is 1 or 2, rows give at least 16 outputs and at most a quarter of
 * its 8-output steps touch the row border (masked, slower); otherwise 4-plane packing (borders cost nothing there)
 * when there are 4 planes; else width, else scalar. (Measured on the bench shapes; both paths give the same results.)
 */
export function forwardPath(g: PoolGeometry, g3: Geometry3, requested: WasmPath | 'auto' = 'auto'): WasmPath {
  const cf = planesContiguous(g);
  const applies: Record<WasmPath, boolean> = {
    scalar: true,
    global: cf && g3.global,
    width: cf && g3.strideW <= 2,
    channels: cf ? g.batch * g.channels >= 4 : g.channels >= 4,
  };
  if (requested !== 'auto' && applies[requested]) return requested;
  if (applies.global) return 'global';
  const outW = g3.outSize[2];
  const steps = Math.ceil(outW / 8);
  let borderSteps = 0;
  for (let ow = 0; ow < outW; ow += 8) if (!(ow >= g3.owLo && ow + 8 <= g3.owHi)) borderSteps++;
  const preferWidth = outW >= 16 && borderSteps <= steps / 4;
  if (applies.width && (preferWidth || !applies.channels)) return 'width';
  if (applies.channels) return 'channels';
  return 'scalar';
}
