/**
 * The host half of every WebGPU dispatch: the shared geometry (spec/geometry.ts) turned into the small tables and
 * the uniform block that the WGSL kernels read. The shaders never recompute window bounds or divisors themselves,
 * so there is one geometry for the reference and every backend (the tfjs pattern), and the WGSL stays free of
 * the ceil/floor corner cases of SHAPE.* and WINDOW.*.
 *
 * Every case is lifted to three spatial axes: a rank-1 or rank-2 case gets leading axes of extent 1 with one
 * window of one tap, which changes neither the scan order (WINDOW.TAPS) nor any index (MAX.INDEX).
 */
import type { PoolSpec, ReducerPoolSpec } from '../../spec/contract.js';
import { axisWindow, product, type AxisGeometry, type PoolGeometry } from '../../spec/geometry.js';
import { reducerGeometrySpec } from '../../spec/validate-reducer.js';

/**
 * Invocations per workgroup of every kernel. On SwiftShader, 64, 128 and 256 cost the same CPU time per op within
 * the noise (measured side by side on five forward workloads); 128 is two warps or wavefronts of a real GPU.
 */
export const WORKGROUP_SIZE = 128;

/**
 * Most outputs one forward (or broadcast backward) invocation computes along the innermost axis: the outputs of
 * a run share the division-heavy decomposition of the invocation index, the outer axes' window rows and the
 * plane bases, and consecutive windows of a run read neighbouring input (shared cache lines). On SwiftShader,
 * runs of 4 took 20–30% less CPU time per op than one output per invocation; runs of 8 saved a little more, but
 * halve the invocations a real GPU has to spread (measured side by side, CPU time per op, five forward workloads).
 */
export const OUTPUTS_PER_INVOCATION = 4;

/** i32 entries per window-table row: start, tFirst, tEnd, paddedCount (AxisWindow of spec/geometry.ts). */
const WINDOW_ROW = 4;

/** Byte size of the uniform block `Params` of kernels/webgpu/shaders.ts: eight vec4s. */
export const PARAMS_BYTES = 8 * 16;

export interface GpuPlan {
  readonly geometry: PoolGeometry;
  /** The three lifted axes, outermost first. */
  readonly axes: readonly AxisGeometry[];
  /** Uniform block, PARAMS_BYTES long. Its `total` field is set per dispatch (forward or backward). */
  readonly params: ArrayBuffer;
  /**
   * Window rows (per axis, per output coordinate: start, tFirst, tEnd, paddedCount), then per axis the inverse
   * map used by the gather backward: CSR offsets (size + 1 entries, absolute positions in this array), then for
   * each input coordinate the pairs (j, count) of the output coordinates j whose window has a tap there, with
   * that window's per-axis divisor factor (paddedCount with countIncludePad, else tEnd − tFirst), so that the
   * gather finds an average's divisor without reading the window rows again.
   */
  readonly tables: Int32Array;
  /** avg: fround(1/D) for D = 0..Kvol (entry 0 unused), or [fround(1/divisorOverride)]. */
  readonly reciprocals?: Float32Array;
  readonly inTotal: number;
  readonly outTotal: number;
  /** Invocations of the forward kernel (and of the broadcast backward): output runs along the innermost axis. */
  readonly runInvocations: number;
  /**
   * No two windows share a tap on any axis (each inverse list has at most one entry), so the backward can be a
   * broadcast: one invocation per output writes its window's taps, and no element is written twice.
   */
  readonly disjoint: boolean;
  /** Every input element is a tap of some window (each inverse list has exactly one entry, or more). */
  readonly covered: boolean;
}

function liftAxes(g: PoolGeometry): AxisGeometry[] {
  const unit: AxisGeometry = { size: 1, kernel: 1, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, out: 1 };
  return [...Array.from({ length: 3 - g.rank }, () => unit), ...g.axes];
}

/** Quiet NaN and ±∞ bit patterns, passed as data: a WGSL constant expression may not evaluate to NaN or ∞. */
export const NAN_BITS = 0x7fc00000;

export function buildPlan(spec: PoolSpec, g: PoolGeometry): GpuPlan {
  const axes = liftAxes(g);
  const windows = axes.map((a) => Array.from({ length: a.out }, (_, j) => axisWindow(a, j)));
  const rows: number[] = [];
  const windowOffsets: number[] = [];
  for (const ws of windows) {
    windowOffsets.push(rows.length / WINDOW_ROW);
    for (const w of ws) rows.push(w.start, w.tFirst, w.tEnd, w.paddedCount);
  }
  // Inverse maps: for input coordinate i of an axis, every output coordinate j with a tap t in [tFirst, tEnd)
  // at i = start_j + t·dilation. Built from the same window rows, so forward and backward agree by construction.
  const inverseOffsets: number[] = [];
  let disjoint = true;
  let covered = true;
  for (let ax = 0; ax < 3; ax++) {
    const a = axes[ax]!;
    const lists: number[][] = Array.from({ length: a.size }, () => []);
    windows[ax]!.forEach((w, j) => {
      for (let t = w.tFirst; t < w.tEnd; t++) lists[w.start + t * a.dilation]!.push(j);
    });
    if (lists.some((l) => l.length > 1)) disjoint = false;
    if (lists.some((l) => l.length === 0)) covered = false;
    inverseOffsets.push(rows.length);
    const entriesStart = rows.length + a.size + 1;
    let at = entriesStart;
    for (const l of lists) { rows.push(at); at += 2 * l.length; }
    rows.push(at);
    for (const l of lists) {
      for (const j of l) {
        const w = windows[ax]![j]!;
        rows.push(j, spec.countIncludePad ? w.paddedCount : w.tEnd - w.tFirst);
      }
    }
  }
  const tables = Int32Array.from(rows);

  let reciprocals: Float32Array | undefined;
  // The reciprocal is applied as (v · R) · scale. scale is 1, except for |divisorOverride| > 2^126, whose reciprocal
  // would be subnormal (a device may flush it to 0, and even unflushed it has lost relative precision): then
  // R = 2^64/D, a normal number, and scale = 2^-64, an exact power of two.
  let scale = 1;
  if (spec.kind === 'avg' && spec.divisorOverride !== undefined) {
    // 1/divisorOverride rounded once from double is the correctly rounded float32 reciprocal: a float32 divisor
    // has a 24-bit significand, so (as for the counts below) 1/D cannot lie within 2^-53 of a float32 midpoint.
    // Scaling by 2^64 changes no significand bit.
    if (Math.abs(spec.divisorOverride) > 2 ** 126) scale = 2 ** -64;
    reciprocals = Float32Array.of(1 / scale / spec.divisorOverride);
  } else if (spec.kind === 'avg') {
    // AVG.DIVISOR: D is a count of taps, at most the kernel volume. fround(1/D) computed in double is the
    // correctly rounded float32 reciprocal: double rounding could only err if 1/D lay within 2^-53 relative of a
    // float32 midpoint, which forces D to be a power of two, whose reciprocal is exact.
    const kvol = product(spec.kernel);
    reciprocals = new Float32Array(kvol + 1);
    for (let d = 1; d <= kvol; d++) reciprocals[d] = 1 / d;
  }

  const params = new ArrayBuffer(PARAMS_BYTES);
  const i32 = new Int32Array(params);
  const u32 = new Uint32Array(params);
  const f32 = new Float32Array(params);
  const channelsLast = g.layout === 'channels_last' ? 1 : 0;
  // vec4 0: input extents + plane; 1: output extents + plane; 2: dilations + layout; 3: window-row offsets + C;
  // 4: inverse-map offsets + N; 5: total, countIncludePad, useOverride, NaN bits; 6: runtime zero, p, scale.
  i32.set([axes[0]!.size, axes[1]!.size, axes[2]!.size, g.inPlane], 0);
  i32.set([axes[0]!.out, axes[1]!.out, axes[2]!.out, g.outPlane], 4);
  i32.set([axes[0]!.dilation, axes[1]!.dilation, axes[2]!.dilation, channelsLast], 8);
  i32.set([windowOffsets[0]!, windowOffsets[1]!, windowOffsets[2]!, g.channels], 12);
  i32.set([inverseOffsets[0]!, inverseOffsets[1]!, inverseOffsets[2]!, g.batch], 16);
  u32.set([0, spec.countIncludePad ? 1 : 0, spec.divisorOverride !== undefined ? 1 : 0, NAN_BITS], 20);
  // fp.x = 0: a zero the lp kernels read at run time (ps_opaque, kernels/webgpu/wgsl/pow.ts). The gradient's
  // exponents p − 1 and 1 − p are formed exactly in the shader (a float-float), not rounded here. fp.z: the
  // reciprocal's scale (above).
  f32.set([0, spec.p ?? 1, scale, 0], 24);
  // 7: outputs per run (the innermost axis in runs of at most OUTPUTS_PER_INVOCATION), runs per output row.
  const run = Math.max(1, Math.min(OUTPUTS_PER_INVOCATION, axes[2]!.out)); // an empty axis: no invocations at all
  const runsPerRow = Math.ceil(axes[2]!.out / run);
  u32.set([run, runsPerRow, 0, 0], 28);

  return {
    geometry: g, axes, params, tables, ...(reciprocals ? { reciprocals } : {}),
    inTotal: g.batch * g.channels * g.inPlane,
    outTotal: g.batch * g.channels * g.outPlane,
    runInvocations: g.batch * g.channels * axes[0]!.out * axes[1]!.out * runsPerRow,
    disjoint,
    covered,
  };
}

/** Sets the number of invocations of the next dispatch in a plan's uniform block. */
export function paramsFor(plan: GpuPlan, total: number): ArrayBuffer {
  const copy = plan.params.slice(0);
  new Uint32Array(copy)[20] = total;
  return copy;
}

/** Workgroup counts for `total` invocations: a 2-D grid, since one dimension holds at most `maxPerDim` groups. */
export function dispatchSize(total: number, maxPerDim: number): [number, number] {
  const groups = Math.max(1, Math.ceil(total / WORKGROUP_SIZE));
  const x = Math.min(groups, maxPerDim);
  return [x, Math.ceil(groups / x)];
}


/** The power of two that brings |v| into [2^−100, 2^100] when it is beyond (1 otherwise): v = (v/scale)·scale. */
function normalScale(v: number): number {
  if (v > 2 ** 100) return 2 ** 64;
  if (v < 2 ** -100) return 2 ** -64;
  return 1;
}

/**
 * A research kind's plan (SPEC.md §11; kernels/webgpu/research.ts): the window geometry of REDUCER.SPEC (padding
 * never a tap, so the counts are the in-bounds ones), the table of fl(1/n) for n = 1..Kvol (gem, lse, mixed:
 * correctly rounded, as for avg above), and the parameter in fp.y (gem: p, lse: r, mixed: λ). lse also gets 1/r
 * as a float-float (fp.w, run.z as bits), divided by the exact power of two fp.z that keeps it normal for every r
 * in (0, Ω] (1/r reaches 2^149): L = ℓ·(1/r) is then a float-float product rounded once, then scaled exactly.
 */
export function buildReducerPlan(spec: ReducerPoolSpec, g: PoolGeometry): GpuPlan {
  const base = buildPlan(reducerGeometrySpec(spec), g);
  const kvol = product(spec.kernel);
  const reciprocals = new Float32Array(kvol + 1);
  for (let d = 1; d <= kvol; d++) reciprocals[d] = 1 / d;
  const params = base.params.slice(0);
  const f32 = new Float32Array(params);
  const u32 = new Uint32Array(params);
  const p = spec.params ?? {};
  f32[25] = spec.kind === 'gem' ? p.p! : spec.kind === 'lse' ? p.r! : spec.kind === 'mixed' ? p.lambda! : 0;
  // STOCH.SEED: an integer in [0, 2^24 − 1], as a u32 in run.z (stochastic_train's fmix32 draw).
  if (spec.kind === 'stochastic') u32[30] = p.seed!;
  if (spec.kind === 'lse') {
    const inv = 1 / p.r!;
    const scale = normalScale(inv);
    const hi = Math.fround(inv / scale);
    const lo = new Float32Array([inv / scale - hi]);
    f32[26] = scale;
    f32[27] = hi;
    u32[30] = new Uint32Array(lo.buffer)[0]!;
  }
  return { ...base, params, reciprocals };
}
