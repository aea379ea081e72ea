/**
 * The WebGPU backend's research kinds (SPEC.md §11.3: gem, softpool, lse, median, mixed), the `reducers` member of
 * the backend, forward and backward. Validation and geometry are the shared TypeScript ones
 * (spec/validate-reducer.ts); the kernels are the window walk and the gather of kernels/webgpu/shaders.ts with
 * per-kind pieces, run by the backend (index.ts) through `run`.
 *
 * Not implemented here, and so not listed in `kinds` (never given them, reported unsupported): stochastic pooling
 * (§11.4) and statistics pooling (§11.5, its own `statistics` member).
 *
 * Declined by supports(): a median window with more than MEDIAN_MAX_TAPS in-bounds taps (the kernel sorts each
 * window in fixed-size private arrays), and cases beyond the device's limits.
 */
import {
  RESEARCH_KINDS, type Direction, type Layout, type ReducerPoolSpec, type ReducerPoolingBackend, type ResearchKind,
  type Support, type Tensor,
} from '../../spec/contract.js';
import { BackendError, ValidationError } from '../../spec/errors.js';
import { axisWindow, poolGeometry, product, type PoolGeometry } from '../../spec/geometry.js';
import { BUILTIN_REDUCERS, builtinReducer } from '../../spec/reducers/index.js';
import {
  reducerGeometrySpec, reducerValidationProblem, validateReducerBackward, validateReducerForward,
} from '../../spec/validate-reducer.js';
import type { DeviceLimits } from './device.js';
import { buildReducerPlan, type GpuPlan } from './plan.js';
import { MEDIAN_MAX_TAPS } from './shaders.js';

export interface WebGpuResearchOptions {
  readonly name: string;
  /** The limits supports() judges by (the device's once acquired). */
  readonly limits: () => DeviceLimits;
  /** Runs the kernels of one call and reads back y (forward) or dx (backward); rejects beyond the device's limits. */
  readonly run: (kind: ResearchKind, g: PoolGeometry, plan: GpuPlan, x: Tensor, direction: Direction, dy?: Tensor) => Promise<Float32Array>;
  /** The limit check of index.ts (kernelLimitProblem), for supports(). */
  readonly limitProblem: (kind: ResearchKind, g: PoolGeometry, limits: DeviceLimits, reciprocals: number) => string | undefined;
}

function kindOf(spec: ReducerPoolSpec): ResearchKind {
  if (!builtinReducer(spec?.kind) || !(RESEARCH_KINDS as readonly string[]).includes(spec.kind)) {
    throw new ValidationError('spec.kind', 'PARAM.KIND', `must be one of ${RESEARCH_KINDS.join(', ')}`, spec?.kind);
  }
  return spec.kind as ResearchKind;
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
function declineReason(kind: ResearchKind, g: PoolGeometry, limits: DeviceLimits, limitProblem: WebGpuResearchOptions['limitProblem'], kernel: readonly number[]): string | undefined {
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
    kinds: RESEARCH_KINDS,
    supports(spec: ReducerPoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const kind = (spec as { kind?: unknown } | null)?.kind;
      const decl = typeof kind === 'string' && (RESEARCH_KINDS as readonly string[]).includes(kind) ? builtinReducer(kind) : undefined;
      if (!decl) return { ok: false, reason: `${o.name} implements the research kinds ${RESEARCH_KINDS.join(', ')}; not ${JSON.stringify(kind)}` };
      const problem = reducerValidationProblem(spec, decl, inputShape, layout);
      if (problem !== undefined) return { ok: false, reason: problem };
      const g = poolGeometry(reducerGeometrySpec(spec), inputShape, layout);
      const reason = declineReason(spec.kind as ResearchKind, g, o.limits(), o.limitProblem, spec.kernel);
      return reason === undefined ? { ok: true } : { ok: false, reason };
    },
    async forward(spec, x) {
      const kind = kindOf(spec);
      const g = validateReducerForward(spec, x, BUILTIN_REDUCERS[kind]);
      const reason = declineReason(kind, g, o.limits(), o.limitProblem, spec.kernel);
      if (reason !== undefined) refuse(reason);
      const y = await o.run(kind, g, buildReducerPlan(spec, g), x, 'forward');
      return { y: { shape: [...g.outShape], data: y, layout: g.layout } };
    },
    async backward(spec, x, dy) {
      const kind = kindOf(spec);
      const g = validateReducerBackward(spec, x, dy, BUILTIN_REDUCERS[kind]);
      const reason = declineReason(kind, g, o.limits(), o.limitProblem, spec.kernel);
      if (reason !== undefined) refuse(reason);
      const dx = await o.run(kind, g, buildReducerPlan(spec, g), x, 'backward', dy);
      return { shape: [...g.inShape], data: dx, layout: g.layout };
    },
  };
}
