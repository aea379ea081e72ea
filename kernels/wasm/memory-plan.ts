/**
 * The memory plan: byte offsets of one chunk's buffers in wasm memory, above the module's static data.
 */
import type { PoolSpec } from '../../spec/contract.js';
import type { PoolGeometry } from '../../spec/geometry.js';
import type { Chunking } from './chunking.js';
import { gatherGeometry, geometry3, planesContiguous } from './geometry.js';
import type { WasmPath } from './path.js';

/** Byte offsets of one chunk's buffers; 0 for a buffer the call does not use. */
export interface MemoryPlan {
  tables: number; x: number; y: number; ix: number; div: number; scratch: number; ring: number;
  /** The sum backward's gather (geometry.ts gatherGeometry): its tables, and the avg shares dy / D. */
  gatherTables: number; shares: number;
  /** The second kernel thread's ring and bwdSumRows scratch row (threads.ts), 0 with one thread. */
  ring2: number; scratch2: number;
  /** Two kernel threads: y and ix for the lower half's last spareUnits() units (engine.ts splitRun). */
  spareY: number; spareIx: number;
  dy: number; acc: number; pw: number; g: number;
  /** A resident max forward's window-relative index codes (engine.ts WasmCase.codes), 0 where the case keeps none. */
  codes: number;
  /** One past the last byte used. */
  end: number;
}

/** Bytes after every buffer: whole-vector stores past a row's end land here. */
export const SLACK = 64;

/**
 * Units the lower thread computes into the spare buffers when a call is split (engine.ts splitRun): enough that
 * stores past the end of the units before them (at most SLACK bytes) stay inside them, rounded up to a multiple
 * of 4 (split points are multiples of 4 units).
 */
export function spareUnits(unitOut: number): number {
  return 4 * Math.ceil(SLACK / 4 / unitOut / 4);
}

/**
 * Lays one chunk's buffers out from `base`. `codes`: a resident max forward that may keep its indices as a byte per
 * output (engine.ts WasmCase.codes) gets that buffer too.
 */
export function planMemory(
  base: number, spec: PoolSpec, g: PoolGeometry, path: WasmPath, chunk: Chunking, backward: boolean, threads = 1, codes = false,
): MemoryPlan {
  let top = base;
  const take = (bytes: number): number => {
    const at = Math.ceil(top / 16) * 16;
    top = at + bytes + SLACK;
    return at;
  };
  const xCount = chunk.size * chunk.unitIn;
  const yCount = chunk.size * chunk.unitOut;
  const plan: MemoryPlan = { tables: 0, x: 0, y: 0, ix: 0, div: 0, scratch: 0, ring: 0, gatherTables: 0, shares: 0, ring2: 0, scratch2: 0, spareY: 0, spareIx: 0, dy: 0, acc: 0, pw: 0, g: 0, codes: 0, end: 0 };
  plan.tables = take(12 * g.outSpatial.reduce((s, v) => s + v, 3 - g.rank));
  // The rows kernel's stride-2 loads may read 3 floats past x's last row (SLACK covers them).
  plan.x = take(4 * xCount);
  // A max backward runs the forward for its indices; an lp backward (p = 2: kernels/wasm/assembly/lp.ts
  // lpGradScale) the float32 sum forward of x², into y, for ŷ.
  const forwardBuffers = !backward || spec.kind === 'max' || spec.kind === 'lp';
  // Ring bytes: the forward kernel's (rows, channels), or the larger of it and the gather's.
  let ringBytes = 0;
  if (forwardBuffers) {
    plan.y = take(4 * yCount);
    if (spec.kind === 'max') plan.ix = take(4 * yCount);
    if (codes) plan.codes = take(yCount);
    if (threads > 1) {
      const spare = 4 * spareUnits(chunk.unitOut) * chunk.unitOut;
      plan.spareY = take(spare);
      if (spec.kind === 'max') plan.spareIx = take(spare);
    }
    if (spec.kind === 'avg') plan.div = take(4 * g.outPlane);
    if (spec.kind === 'lp' && !backward) plan.pw = take(8 * xCount);
    if (path === 'rows') {
      // kernels/wasm/assembly/rows.ts fwdRows: ring rows of values (and indices), a tag per row, a slot offset
      // per window row.
      const g3 = geometry3(spec, g, false);
      const row = Math.ceil(g3.outSize[2] / 4) * 16;
      const values = g3.flatRows ? Math.ceil((g.inPlane / g3.strideW + 4) * 4 / 16) * 16 : g3.ringRows * row;
      ringBytes = values * (spec.kind === 'max' ? 2 : 1) + 4 * g3.ringRows + 4 * g3.windowRows;
      // The dense 3×3 stride-1 max backward (kernels/wasm/assembly/maxgrad.ts bwdMaxK3S1): 3 records of 16 bytes
      // per column and 16 bytes.
      if (backward && spec.kind === 'max') ringBytes = Math.max(ringBytes, 48 * g3.outSize[2] + 16);
    }
    if (path === 'channels') {
      // kernels/wasm/assembly/channels.ts fwdChannelsLast: ring slots of one output row's channels (values, and
      // indices for max), a tag and a NaN flag per slot, a slot offset per window row.
      const g3 = geometry3(spec, g, false);
      const slot = Math.ceil(g3.outSize[2] * g.channels / 4) * 16;
      ringBytes = g3.ringRows * slot * (spec.kind === 'max' ? 2 : 1) + 8 * g3.ringRows + 4 * g3.windowRows;
    }
  }
  if (backward) {
    plan.dy = take(4 * yCount);
    plan.acc = take((spec.kind === 'lp' ? 8 : 4) * xCount); // lp accumulates in f64, the others in float32
    // bwdSumRows' scratch (contiguous planes; lp's factored gradient runs it too): one input row's width, then
    // (stride 1 or 2) the row's shares, stride floats apart, between zero pads of kernel + 4 floats each side.
    if (spec.kind !== 'max' && planesContiguous(g)) {
      const w = g.axes[g.rank - 1]!;
      const scratch = 4 * (w.size + 4 + Math.min(w.stride, 2) * w.out + 2 * w.kernel + 12);
      plan.scratch = take(scratch);
      if (threads > 1) plan.scratch2 = take(scratch);
    }
    if (spec.kind === 'lp') {
      plan.pw = take(8 * xCount);
      plan.g = take(8 * xCount);
    }
    const gather = spec.kind !== 'max' ? gatherGeometry(g) : undefined;
    if (gather) {
      // The forward kernel over the shares, its tables and its ring: channels_last (kernels/wasm/assembly/channels.ts),
      // slots of one dx row; contiguous planes (rows.ts), rows of one dx row, a tag per row and a slot offset per
      // window row. For avg the shares dy / D and their divisors.
      plan.gatherTables = take(4 * gather.tables.length);
      const slot = Math.ceil(gather.outSize[2] * (gather.rows ? 1 : g.channels) / 4) * 16;
      const perRow = gather.rows ? 4 : 8;
      ringBytes = Math.max(ringBytes, gather.ringRows * slot + perRow * gather.ringRows + 4 * gather.windowRows);
      if (spec.kind === 'avg') {
        plan.shares = take(4 * yCount);
        plan.div = take(4 * g.outPlane);
      }
    }
  }
  if (ringBytes) {
    plan.ring = take(ringBytes);
    if (threads > 1) plan.ring2 = take(ringBytes);
  }
  plan.end = top;
  return plan;
}
