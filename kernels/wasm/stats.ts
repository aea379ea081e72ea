/**
 * The wasm backend's statistics pooling (SPEC.md STATS.*): the `statistics` member of the wasm backend.
 * Validation stays in TypeScript (spec/validate-stats.ts); the kernels (kernels/wasm/assembly/stats.ts) compute
 * each plane's mean and standard deviation in f64, two-pass. Data streams through the engine's memory a chunk of
 * units at a time: contiguous planes (channels_first, or C = 1) or channels_last batch items, which never share a
 * plane, so chunks are independent.
 */
import type { Layout, StatsPoolSpec, StatsPoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { BackendError } from '../../spec/errors.js';
import { statsValidationProblem, validateStatsBackward, validateStatsForward, type StatsGeometry } from '../../spec/validate-stats.js';
import { splitShape } from '../../spec/geometry.js';
import type { Engine } from './engine.js';
import { NAME, type Kernels } from './module.js';
import { boundProblem } from './research.js';

/** The statistics kernels' exports (kernels/wasm/assembly/stats.ts). */
interface StatsKernels {
  statsPlanes(P: number, T: number, x: number, out: number): void;
  statsPlanesBackward(P: number, T: number, x: number, dmu: number, dsigma: number, dx: number): void;
  statsInterleaved(N: number, T: number, C: number, x: number, out: number, scratch: number): void;
  statsInterleavedBackward(N: number, T: number, C: number, x: number, dy: number, dx: number, scratch: number): void;
}

/** How a call streams: `units` units of `unitIn` elements, `size` per chunk; `planes`: units are single planes. */
interface StatsChunking {
  readonly planes: boolean;
  readonly units: number;
  readonly size: number;
  readonly unitIn: number;
}

/** Byte offsets of one chunk's buffers (0 where unused) and the end of the last. */
interface StatsPlan {
  x: number; out: number; dy: number; dx: number; scratch: number; end: number;
}

const SLACK = 64;

function statsChunking(g: StatsGeometry, chunkBytes: number): StatsChunking {
  const planes = g.layout === 'channels_first' || g.channels === 1;
  const units = planes ? g.batch * g.channels : g.batch;
  const unitIn = planes ? g.plane : g.plane * g.channels;
  const size = Math.max(1, Math.floor(chunkBytes / (4 * unitIn)));
  return { planes, units, size: Math.min(size, units), unitIn };
}

/**
 * Forward: x, and 2 float32 per plane (planes) or a [2C] row per item (channels_last). Backward: x, dy's entries
 * for the chunk's planes (dμ then dσ) or rows, and dx. channels_last takes 4C f64 of scratch.
 */
function planStats(base: number, g: StatsGeometry, chunk: StatsChunking, backward: boolean): StatsPlan {
  let top = base;
  const take = (bytes: number): number => {
    const at = Math.ceil(top / 16) * 16;
    top = at + bytes + SLACK;
    return at;
  };
  const perUnitOut = chunk.planes ? 2 : 2 * g.channels;
  const plan: StatsPlan = { x: take(4 * chunk.size * chunk.unitIn), out: 0, dy: 0, dx: 0, scratch: 0, end: 0 };
  if (backward) {
    plan.dy = take(4 * chunk.size * perUnitOut);
    plan.dx = take(4 * chunk.size * chunk.unitIn);
  } else {
    plan.out = take(4 * chunk.size * perUnitOut);
  }
  if (!chunk.planes) plan.scratch = take(32 * g.channels);
  plan.end = top;
  return plan;
}

export function createWasmStatistics(engine: Engine, chunkBytes: number): StatsPoolingBackend {
  const { mem } = engine;
  const kernels = (): Kernels & StatsKernels => engine.kernels as Kernels & StatsKernels;

  const prepare = (g: StatsGeometry, backward: boolean): { chunk: StatsChunking; plan: StatsPlan } => {
    const chunk = statsChunking(g, chunkBytes);
    const plan = planStats(engine.base, g, chunk, backward);
    const problem = boundProblem(plan, mem.limit, backward ? 'backward' : 'forward');
    if (problem) throw new BackendError(NAME, problem);
    mem.ensure(plan.end);
    return { chunk, plan };
  };

  const forward = (spec: StatsPoolSpec, x: Tensor): Tensor => {
    const g = validateStatsForward(spec, x);
    engine.assertLive();
    const { chunk, plan } = prepare(g, false);
    const k = kernels();
    const C = g.channels;
    const y = new Float32Array(g.batch * 2 * C);
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      mem.f32.set(x.data.subarray(u * chunk.unitIn, (u + n) * chunk.unitIn), plan.x >> 2);
      const out = plan.out >> 2;
      if (chunk.planes) {
        k.statsPlanes(n, g.plane, plan.x, plan.out);
        // Plane p = b·C + c: its mean is feature c of row b, its deviation feature C + c (STATS.SPEC).
        for (let i = 0; i < n; i++) {
          const p = u + i;
          const row = (p - (p % C)) * 2;
          y[row + (p % C)] = mem.f32[out + 2 * i]!;
          y[row + C + (p % C)] = mem.f32[out + 2 * i + 1]!;
        }
      } else {
        k.statsInterleaved(n, g.plane, C, plan.x, plan.out, plan.scratch);
        y.set(mem.f32.subarray(out, out + n * 2 * C), u * 2 * C);
      }
    }
    return { shape: [...g.outShape], data: y, layout: 'channels_first' };
  };

  const backward = (spec: StatsPoolSpec, x: Tensor, dy: Tensor): Tensor => {
    const g = validateStatsBackward(spec, x, dy);
    engine.assertLive();
    const { chunk, plan } = prepare(g, true);
    const k = kernels();
    const C = g.channels;
    const dx = new Float32Array(x.data.length);
    for (let u = 0; u < chunk.units; u += chunk.size) {
      const n = Math.min(chunk.size, chunk.units - u);
      const count = n * chunk.unitIn;
      mem.f32.set(x.data.subarray(u * chunk.unitIn, u * chunk.unitIn + count), plan.x >> 2);
      if (chunk.planes) {
        // dμ of the chunk's planes, then their dσ.
        const d = plan.dy >> 2;
        for (let i = 0; i < n; i++) {
          const p = u + i;
          const row = (p - (p % C)) * 2;
          mem.f32[d + i] = dy.data[row + (p % C)]!;
          mem.f32[d + n + i] = dy.data[row + C + (p % C)]!;
        }
        k.statsPlanesBackward(n, g.plane, plan.x, plan.dy, plan.dy + 4 * n, plan.dx);
      } else {
        mem.f32.set(dy.data.subarray(u * 2 * C, (u + n) * 2 * C), plan.dy >> 2);
        k.statsInterleavedBackward(n, g.plane, C, plan.x, plan.dy, plan.dx, plan.scratch);
      }
      dx.set(mem.f32.subarray(plan.dx >> 2, (plan.dx >> 2) + count), u * chunk.unitIn);
    }
    return { shape: [...x.shape], data: dx, layout: g.layout };
  };

  return {
    kinds: ['stats'],
    supports(spec: StatsPoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const problem = statsValidationProblem(spec, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      if (!engine.live) return { ok: false, reason: 'the backend was disposed' };
      const { batch, channels, spatial } = splitShape(inputShape, layout);
      const g: StatsGeometry = { batch, channels, plane: spatial.reduce((a, b) => a * b, 1), layout, outShape: [batch, 2 * channels] };
      const chunk = statsChunking(g, chunkBytes);
      const bound = boundProblem(planStats(engine.base, g, chunk, false), mem.limit, 'forward')
        ?? boundProblem(planStats(engine.base, g, chunk, true), mem.limit, 'backward');
      return bound === undefined ? { ok: true } : { ok: false, reason: bound };
    },
    async forward(spec, x) {
      return { y: forward(spec, x) };
    },
    async backward(spec, x, dy) {
      return backward(spec, x, dy);
    },
  };
}
