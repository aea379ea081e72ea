/**
 * The WebGPU backend's statistics pooling (SPEC.md STATS.*), the `statistics` member: global windows (kernel =
 * the spatial extents, one output per (n, c)) through the shared window walk (kernels/webgpu/shaders.ts: the avg
 * kernel for μ, then the stats kernel for σ; the broadcast backward for STATS.GRAD). Validation is the shared
 * TypeScript one (spec/validate-stats.ts); y is assembled here as [N, 2C]: the C means, then the C deviations.
 */
import type { Layout, PoolSpec, StatsPoolingBackend, Support, Tensor } from '../../spec/contract.js';
import { BackendError } from '../../spec/errors.js';
import { poolGeometry, splitShape, type PoolGeometry } from '../../spec/geometry.js';
import { statsValidationProblem, validateStatsBackward, validateStatsForward } from '../../spec/validate-stats.js';
import type { DeviceLimits } from './device.js';
import { buildPlan, type GpuPlan } from './plan.js';
import type { BufferName } from './shaders.js';

export interface WebGpuStatsOptions {
  readonly name: string;
  readonly limits: () => DeviceLimits;
  /** Runs the stats kernels of one call and reads back the named buffers. */
  readonly run: (plan: GpuPlan, g: PoolGeometry, x: Tensor, direction: 'forward' | 'backward', reads: Array<[BufferName, number]>, dy?: Tensor) => Promise<ArrayBuffer[]>;
  readonly limitProblem: (g: PoolGeometry, limits: DeviceLimits, reciprocals: number) => string | undefined;
}

/** Global pooling over x's spatial axes, as the window geometry of the kernels. */
export function globalSpec(spatial: readonly number[]): PoolSpec {
  const d = spatial.length;
  return {
    kind: 'avg', kernel: [...spatial], strides: [...spatial], dilations: new Array<number>(d).fill(1),
    pads: new Array<number>(2 * d).fill(0), ceilMode: false, countIncludePad: false,
  };
}

function geometryOf(shape: readonly number[], layout: Layout): { spec: PoolSpec; g: PoolGeometry; T: number } {
  const { spatial } = splitShape(shape, layout);
  const spec = globalSpec(spatial);
  return { spec, g: poolGeometry(spec, shape, layout), T: spatial.reduce((a, b) => a * b, 1) };
}

export function createWebGpuStats(o: WebGpuStatsOptions): StatsPoolingBackend {
  /** The case's geometry, or why the device cannot run it. */
  const geometryFor = (shape: readonly number[], layout: Layout): ReturnType<typeof geometryOf> | string => {
    if (splitShape(shape, layout).spatial.includes(0)) return 'a plane with no position (T = 0) has no statistics';
    const geo = geometryOf(shape, layout);
    return o.limitProblem(geo.g, o.limits(), geo.T + 1) ?? geo;
  };
  const problemOf = (shape: readonly number[], layout: Layout): string | undefined => {
    const geo = geometryFor(shape, layout);
    return typeof geo === 'string' ? geo : undefined;
  };
  /** The geometry of a validated call, once per call; a case over the device's limits is declined. */
  const checked = (shape: readonly number[], layout: Layout): ReturnType<typeof geometryOf> => {
    const geo = geometryFor(shape, layout);
    if (typeof geo === 'string') throw new BackendError(o.name, `unsupported: ${geo}`);
    return geo;
  };
  return {
    kinds: ['stats'],
    supports(spec, inputShape, layout: Layout = 'channels_first'): Support {
      const invalid = statsValidationProblem(spec, inputShape, layout);
      if (invalid !== undefined) return { ok: false, reason: invalid };
      const problem = problemOf(inputShape, layout);
      return problem === undefined ? { ok: true } : { ok: false, reason: problem };
    },
    async forward(spec, x) {
      const sg = validateStatsForward(spec, x);
      const { spec: ws, g } = checked(x.shape, sg.layout);
      const plan = buildPlan(ws, g);
      const planes = sg.batch * sg.channels;
      const [mu, aux] = await o.run(plan, g, x, 'forward', [['y', planes * 4], ['aux', planes * 12]]);
      const means = new Float32Array(mu!);
      const sig = new Float32Array(aux!);
      const C = sg.channels;
      const y = new Float32Array(sg.batch * 2 * C);
      // One output per plane: its address is n·C + c in either layout.
      for (let n = 0; n < sg.batch; n++) {
        for (let c = 0; c < C; c++) {
          y[n * 2 * C + c] = means[n * C + c]!;
          y[n * 2 * C + C + c] = sig[3 * (n * C + c)]!;
        }
      }
      return { y: { shape: [...sg.outShape], data: y, layout: 'channels_first' } };
    },
    async backward(spec, x, dy) {
      const sg = validateStatsBackward(spec, x, dy);
      const { spec: ws, g } = checked(x.shape, sg.layout);
      const [dx] = await o.run(buildPlan(ws, g), g, x, 'backward', [['dx', x.data.length * 4]], dy);
      return { shape: [...x.shape], data: new Float32Array(dx!), layout: sg.layout };
    },
  };
}
