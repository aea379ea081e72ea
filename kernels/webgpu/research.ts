/**
 * The WebGPU backend's research kinds (SPEC.md §11.3: gem, softpool, lse, median, mixed), the `reducers` member of
 * the backend, forward and backward. Validation and geometry are the shared TypeScript ones
 * (spec/validate-reducer.ts); the kernels are the window walk and the gather of kernels/webgpu/shaders.ts with
 * per-kind pieces, run by the backend (index.ts) through `run`.
 *
 * Also stochastic pooling (§11.4): inference and training (the fmix32 draw and the selection in the kernel, bit-exact;
 * training returns the indices). Statistics pooling (§11.5) is the `statistics` member (stats.ts).
 *
 * Declined by supports(): a median window with more than MEDIAN_MAX_TAPS in-bounds taps (the kernel sorts each
 * window in fixed-size private arrays), and cases beyond the device's limits.
 */
import {
  RESEARCH_KINDS, STOCHASTIC_KIND, type Direction, type Layout, type ReducerPoolSpec, type ReducerPoolingBackend,
  type ResearchKind, type Support, type Tensor,
} from '../../spec/contract.js';
import type { ReducerDeclaration } from '../../spec/reducer.js';
import { STOCHASTIC } from '../../spec/reducers/stochastic.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { axisWindow, poolGeometry, product, type PoolGeometry } from '../../spec/geometry.js';
import { builtinReducer } from '../../spec/reducers/index.js';
import {
  reducerGeometrySpec, reducerValidationProblem, validateReducerBackward, validateReducerForward,
} from '../../spec/validate-reducer.js';
import type { DeviceLimits } from './device.js';
import { buildReducerPlan, type GpuPlan } from './plan.js';
import { MEDIAN_MAX_TAPS, type BufferName, type KernelKind } from './shaders.js';

/** The research kinds and stochastic pooling. */
const KINDS: readonly string[] = [...RESEARCH_KINDS, STOCHASTIC_KIND];
type Kind = ResearchKind | typeof STOCHASTIC_KIND;

function declarationOf(kind: string): ReducerDeclaration | undefined {
  if (kind === STOCHASTIC_KIND) return STOCHASTIC;
  return (RESEARCH_KINDS as readonly string[]).includes(kind) ? builtinReducer(kind) : undefined;
}

/** The kernel a call runs: stochastic's training mode has its own (a positional selection, STOCH.SELECT). */
function kernelOf(kind: Kind, spec: ReducerPoolSpec): KernelKind {
  if (kind === STOCHASTIC_KIND) return spec.params?.training === 1 ? 'stochastic_train' : 'stochastic';
  return kind;
}

export interface WebGpuResearchOptions {
  readonly name: string;
  /** The limits supports() judges by (the device's once acquired). */
  readonly limits: () => DeviceLimits;
  /** Runs the kernels of one call and reads back the named buffers; rejects beyond the device's limits. */
  readonly run: (kind: KernelKind, g: PoolGeometry, plan: GpuPlan, x: Tensor, direction: Direction, reads: Array<[BufferName, number]>, dy?: Tensor) => Promise<ArrayBuffer[]>;
  /** The limit check of index.ts (kernelLimitProblem), for supports(). */
  readonly limitProblem: (kind: KernelKind, g: PoolGeometry, limits: DeviceLimits, reciprocals: number) => string | undefined;
}

function kindOf(spec: ReducerPoolSpec): Kind {
  if (typeof spec?.kind !== 'string' || !declarationOf(spec.kind)) {
    throw new ValidationError('spec.kind', 'PARAM.KIND', `must be one of ${KINDS.join(', ')}`, spec?.kind);
  }
  return spec.kind as Kind;
}

/** The most in-bounds taps any window of the case has: the product over axes of each axis's largest count. */
export function maxWindowTaps(g: PoolGeometry): number {
  return g.axes.reduce((n, a) => {
    let most = 0;
    for (let j = 0; j < a.out; j++) {
      const w = axisWindow(a, j);
      most = Math.max(most, w.tEnd - w.tFirst);
    }
    return n * most;
  }, 1);
}

/** Why this backend declines a valid case, or undefined. */
function declineReason(kind: KernelKind, g: PoolGeometry, limits: DeviceLimits, limitProblem: WebGpuResearchOptions['limitProblem'], kernel: readonly number[]): string | undefined {
  if (kind === 'median') {
    const taps = maxWindowTaps(g);
    if (taps > MEDIAN_MAX_TAPS) {
      return `median windows of up to ${MEDIAN_MAX_TAPS} in-bounds taps only (the kernel sorts each window in fixed-size private arrays); this case has ${taps}`;
    }
  }
  return limitProblem(kind, g, limits, product(kernel) + 1);
}

export function createWebGpuResearch(o: WebGpuResearchOptions): ReducerPoolingBackend {
  const refuse = (reason: string): never => { throw new BackendError(o.name, `unsupported: ${reason}`); };
  return {
    kinds: KINDS,
    supports(spec: ReducerPoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const kind = (spec as { kind?: unknown } | null)?.kind;
      const decl = typeof kind === 'string' ? declarationOf(kind) : undefined;
      if (!decl) return { ok: false, reason: `${o.name} implements the reducers ${KINDS.join(', ')}; not ${JSON.stringify(kind)}` };
      const problem = reducerValidationProblem(spec, decl, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      const g = poolGeometry(reducerGeometrySpec(spec), inputShape, layout);
      const reason = declineReason(kernelOf(spec.kind as Kind, spec), g, o.limits(), o.limitProblem, spec.kernel);
      return reason === undefined ? { ok: true } : { ok: false, reason };
    },
    async forward(spec, x) {
      const kind = kindOf(spec);
      const g = validateReducerForward(spec, x, declarationOf(kind)!);
      const k = kernelOf(kind, spec);
      const reason = declineReason(k, g, o.limits(), o.limitProblem, spec.kernel);
      if (reason !== undefined) refuse(reason);
      const plan = buildReducerPlan(spec, g);
      const reads: Array<[BufferName, number]> = [['y', plan.outTotal * 4]];
      // STOCH.INDEX: training mode also returns the selected taps.
      if (k === 'stochastic_train') reads.push(['indices', plan.outTotal * 4]);
      const [y, indices] = await o.run(k, g, plan, x, 'forward', reads);
      return {
        y: { shape: [...g.outShape], data: new Float32Array(y!), layout: g.layout },
        ...(indices ? { indices: new Int32Array(indices) } : {}),
      };
    },
    async backward(spec, x, dy) {
      const kind = kindOf(spec);
      const g = validateReducerBackward(spec, x, dy, declarationOf(kind)!);
      const k = kernelOf(kind, spec);
      const reason = declineReason(k, g, o.limits(), o.limitProblem, spec.kernel);
      if (reason !== undefined) refuse(reason);
      const plan = buildReducerPlan(spec, g);
      const [dx] = await o.run(k, g, plan, x, 'backward', [['dx', plan.inTotal * 4]], dy);
      return { shape: [...g.inShape], data: new Float32Array(dx!), layout: g.layout };
    },
  };
}
