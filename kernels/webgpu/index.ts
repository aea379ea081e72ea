/**
 * The WebGPU backend: WGSL compute kernels (kernels/webgpu/shaders.ts) for max (with indices), avg, sum and lp,
 * forward and backward, rank 1–3, both layouts; the research kinds and stochastic pooling (research.ts) and statistics pooling
 * (stats.ts) on devices that keep subnormals (WebGpuBackendOptions.research). Validation and geometry are the shared TypeScript ones
 * (spec/validate.ts, spec/geometry.ts via kernels/webgpu/plan.ts); the GPU runs the reductions.
 *
 * No Node-only API is used here, so the same module runs in a browser (pass `navigator.gpu`) and in Node (pass
 * `nodeGpu` from kernels/webgpu/node.ts). A call validates, uploads its inputs with queue.writeBuffer, records
 * every dispatch and every readback copy in one command buffer, submits once and maps the readback buffers
 * together. Buffers come from a pool (kernels/webgpu/buffers.ts); the device is created on the first call.
 */
import type {
  DeviceBackend, DeviceCopyPasses, Direction, ForwardResult, Layout, PoolSpec, ReducerPoolingBackend, ResidentBackend,
  ResidentCase, StatsPoolingBackend, Support, Tensor,
} from '../../spec/contract.js';
import { poolGeometry, product, type PoolGeometry } from '../../spec/geometry.js';
import { BackendError } from '../../spec/errors.js';
import { validateBackward, validateForward, validationProblem } from '../../spec/validate.js';
import { declineStructured } from '../structured/decline.js';
import { BufferPool } from './buffers.js';
import { measureDeviceCopy } from './copy-probe.js';
import { DEFAULT_LIMITS, GpuContext, type AdapterSummary, type DeviceLimits } from './device.js';
import { buildPlan, dispatchSize, paramsFor, type GpuPlan } from './plan.js';
import { createWebGpuResearch } from './research.js';
import { createWebGpuStats } from './stats.js';
import { flushesSubnormals } from './subnormals.js';
import {
  backwardNeedsForward, forwardKernels, hasBroadcast, kernelBuffers, type BufferName, type KernelKind, type Stage,
} from './shaders.js';

export { WebGpuDeviceError, WebGpuUnavailableError, WEBGPU_HOW_TO } from './errors.js';
export { WEBGPU_POLICY } from './policy.js';
export type { AdapterSummary } from './device.js';

export interface WebGpuBackendOptions {
  /** navigator.gpu in a browser; in Node, nodeGpu from kernels/webgpu/node.ts (or any GPU object). */
  gpu: GPU | (() => GPU | Promise<GPU>);
  /** Default 'webgpu'. */
  name?: string;
  powerPreference?: GPUPowerPreference;
  /**
   * Tests: use at most this many workgroups per grid dimension (default: the device's limit), so that the 2-D
   * dispatch used for large tensors can be exercised on small ones.
   */
  maxWorkgroupsPerDimension?: number;
  /**
   * The research kinds and statistics pooling (SPEC.md §11.3, §11.5: the `reducers` and `statistics` members).
   * 'auto' (default): attached when the device is acquired, unless it flushes subnormals (kernels/webgpu/subnormals.ts):
   * §11's acceptance sets assume gradual underflow (POLICY.SUBNORMALS widens only §5's), and a flushing device
   * misses them on subnormal data (0 for a subnormal sum, product or tap: measured on SwiftShader, see the
   * README). 'always': attached regardless (tests; a user who accepts flushing). 'never': not attached.
   */
  research?: 'auto' | 'always' | 'never';
  /**
   * max: whether forward() returns indices (default true). With false it returns y alone, from a kernel that
   * writes no index (the `webgpu-values` registry entry; its indices are unchecked, SPEC.md POLICY.INDICES), as
   * the wasm backend's `indices` option. backward() is unchanged: it computes the indices it routes by itself.
   */
  indices?: boolean;
}

export interface WebGpuStats {
  /** GPU buffers that exist now (in use or idle in the pool): what a leak would grow. */
  readonly liveBuffers: number;
  readonly idleBuffers: number;
  readonly pipelines: number;
}

export interface WebGpuBackend extends ResidentBackend, DeviceBackend {
  /** Present once the device is acquired, per WebGpuBackendOptions.research. */
  reducers?: ReducerPoolingBackend;
  statistics?: StatsPoolingBackend;
  /** Whether the device flushes subnormals (measured at acquisition); undefined before. */
  flushesSubnormals(): boolean | undefined;
  /**
   * Acquires the adapter and the device now; rejects with WebGpuUnavailableError (and how to get one). Until a
   * device exists, supports() judges sizes by WebGPU's guaranteed minimum limits (DEFAULT_LIMITS), so call this
   * first to be judged by the device's own.
   */
  ready(): Promise<AdapterSummary>;
  stats(): WebGpuStats;
  /**
   * The device's own copy bandwidth: copyBufferToBuffer between two buffers of `bufferBytes` (capped at the
   * device's maxBufferSize as poolspec judges it), measureDeviceCopy (kernels/webgpu/copy-probe.ts).
   */
  measureCopy(bufferBytes: number, trials: number): Promise<DeviceCopyPasses>;
  /** The adapter in one line, e.g. "google swiftshader (SwiftShader driver 5.0.0), software adapter" (bench results). */
  describeDevice(): Promise<string>;
  /** Diagnostics and tests: the device in use (e.g. to destroy it and check the lost-device path). */
  gpuDevice(): Promise<GPUDevice>;
  /** Uploads x (and dy for 'backward') once; `run()` then times the dispatches without upload or readback. */
  resident(spec: PoolSpec, x: Tensor, direction: Direction, dy?: Tensor): Promise<ResidentCase>;
  dispose(): Promise<void>;
}

const STORAGE_IN = GPUBufferUsageFlagsOf('STORAGE', 'COPY_DST');
// COPY_DST: a broadcast backward clears dx (encoder.clearBuffer) when some element is in no window.
const STORAGE_OUT = GPUBufferUsageFlagsOf('STORAGE', 'COPY_SRC', 'COPY_DST');
const UNIFORM = GPUBufferUsageFlagsOf('UNIFORM', 'COPY_DST');
const READBACK = GPUBufferUsageFlagsOf('MAP_READ', 'COPY_DST');

/** GPUBufferUsage is a global in browsers and (after nodeGpu()) in Node; read it lazily, when a call needs it. */
function GPUBufferUsageFlagsOf(...names: (keyof GPUBufferUsage)[]): () => GPUBufferUsageFlags {
  return () => names.reduce((flags, n) => flags | globalThis.GPUBufferUsage[n], 0);
}

/**
 * Bytes of each buffer a case needs, to check against the device's limits before anything is allocated.
 * `reciprocals`: entries of the reciprocal table (0: none).
 */
function bufferBytes(kind: KernelKind, g: PoolGeometry, reciprocals: number): Array<[string, number]> {
  const inBytes = g.batch * g.channels * g.inPlane * 4;
  const outBytes = g.batch * g.channels * g.outPlane * 4;
  // Window rows (4 per output coordinate) and inverse lists (offsets + at most kernel pairs per coordinate).
  const tableInts = g.axes.reduce((s, a) => s + 4 * a.out + (a.size + 1) + 2 * a.out * a.kernel, 0) + 16;
  const list: Array<[string, number]> = [['x (and dx)', inBytes], ['y, dy and indices', outBytes], ['window tables', tableInts * 4]];
  if (reciprocals > 0) list.push(['reciprocal table', reciprocals * 4]);
  if (kernelBuffers(kind, 'forward').some((d) => d.name === 'aux')) list.push(['per-output values (m, S, y)', 3 * outBytes]);
  return list;
}

/** Why a case exceeds the device's limits, naming the limit; undefined when it fits. */
export function limitProblem(spec: PoolSpec, g: PoolGeometry, limits: DeviceLimits): string | undefined {
  const reciprocals = spec.kind === 'avg' && spec.divisorOverride === undefined ? product(spec.kernel) + 1 : 0;
  return kernelLimitProblem(spec.kind, g, limits, reciprocals);
}

/** limitProblem for any kernel kind, given the reciprocal table's entries (0: none). */
export function kernelLimitProblem(kind: KernelKind, g: PoolGeometry, limits: DeviceLimits, reciprocals: number): string | undefined {
  for (const [what, bytes] of bufferBytes(kind, g, reciprocals)) {
    if (bytes > limits.maxStorageBufferBindingSize) {
      return `${what} needs ${bytes} bytes, over the device's maxStorageBufferBindingSize (${limits.maxStorageBufferBindingSize}); split the batch`;
    }
    if (BufferPool.sizeClass(bytes) > limits.maxBufferSize) {
      return `${what} needs a ${BufferPool.sizeClass(bytes)}-byte buffer, over the device's maxBufferSize (${limits.maxBufferSize}); split the batch`;
    }
  }
  return undefined;
}

interface Allocation {
  readonly buffers: Partial<Record<BufferName, GPUBuffer>>;
  /** Bytes in use of each buffer: bindings cover exactly these (a pooled buffer may be larger). */
  readonly bytes: Partial<Record<BufferName, number>>;
  readonly owned: GPUBuffer[];
}

export function createWebGpuBackend(options: WebGpuBackendOptions): WebGpuBackend {
  const withIndices = options.indices !== false;
  const name = options.name ?? (withIndices ? 'webgpu' : 'webgpu-values');
  /** The kernel a forward of this kind runs: max_values for max when indices are not wanted. */
  const forwardKind = (kind: PoolSpec['kind']): KernelKind => (kind === 'max' && !withIndices ? 'max_values' : kind);
  let context: Promise<GpuContext> | undefined;
  let pool: BufferPool | undefined;
  let disposed = false;
  let lastLimits: DeviceLimits = DEFAULT_LIMITS;
  let current: GpuContext | undefined;
  let flushes: boolean | undefined;

  async function ctx(): Promise<GpuContext> {
    if (disposed) throw new BackendError(name, 'the backend was disposed');
    context ??= (async () => {
      const gpu = typeof options.gpu === 'function' ? await options.gpu() : options.gpu;
      const c = await GpuContext.create(name, gpu, options.powerPreference);
      pool = new BufferPool(c.device);
      lastLimits = c.limits;
      current = c;
      flushes = await flushesSubnormals(c.device);
      const research = options.research ?? 'auto';
      if (research === 'always' || (research === 'auto' && !flushes)) Object.assign(backend, { reducers, statistics });
      return c;
    })();
    // A failed acquisition is not cached: a later call tries again (e.g. after the user installed a driver).
    context.catch(() => { context = undefined; });
    const c = await context;
    c.check();
    return c;
  }

  function checked(spec: PoolSpec, g: PoolGeometry, limits: DeviceLimits): void {
    const problem = limitProblem(spec, g, limits);
    if (problem) throw new BackendError(name, `unsupported: ${problem}`);
  }

  function upload(c: GpuContext, alloc: Allocation, which: BufferName, data: ArrayBuffer | ArrayBufferView, usage: GPUBufferUsageFlags): void {
    const bytes = data.byteLength;
    const b = pool!.acquire(bytes, usage, which);
    alloc.owned.push(b);
    alloc.buffers[which] = b;
    alloc.bytes[which] = bytes;
    if (bytes > 0) c.device.queue.writeBuffer(b, 0, data as GPUAllowSharedBufferSource);
  }

  function output(alloc: Allocation, which: BufferName, bytes: number): void {
    const b = pool!.acquire(bytes, STORAGE_OUT(), which);
    alloc.owned.push(b);
    alloc.buffers[which] = b;
    alloc.bytes[which] = bytes;
  }

  async function dispatch(c: GpuContext, pass: GPUComputePassEncoder, alloc: Allocation, kind: KernelKind, stage: Stage, params: GPUBuffer, total: number): Promise<void> {
    const pipeline = await c.pipeline(kind, stage);
    const entries: GPUBindGroupEntry[] = kernelBuffers(kind, stage).map((d) => {
      if (d.name === 'params') return { binding: d.binding, resource: { buffer: params } };
      const buffer = alloc.buffers[d.name];
      if (!buffer) throw new BackendError(name, `internal: no buffer for ${d.name}`);
      // Bind the bytes in use, not the pooled buffer's whole size class (which may pass the binding limit).
      return { binding: d.binding, resource: { buffer, size: alloc.bytes[d.name]! } };
    });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, c.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    const perDim = Math.min(c.limits.maxComputeWorkgroupsPerDimension, options.maxWorkgroupsPerDimension ?? Infinity);
    const [gx, gy] = dispatchSize(total, perDim);
    pass.dispatchWorkgroups(gx, gy);
  }

  /**
   * Uploads the case and records its dispatches: the forward kernels (forwardKernels: lse and softpool run the
   * max first), also before a backward that needs the forward's indices, outputs or per-output values
   * (backwardNeedsForward), then the backward: a broadcast when no two windows share a tap (after clearing dx if
   * some element is in no window), otherwise the gather. Exactly the buffers the recorded kernels bind are
   * allocated (an avg or sum backward never uploads x).
   */
  async function stage(c: GpuContext, kind: KernelKind, plan: GpuPlan, x: Tensor, direction: Direction, dy?: Tensor): Promise<{ alloc: Allocation; encode: (encoder: GPUCommandEncoder) => Promise<void> }> {
    const alloc: Allocation = { buffers: {}, bytes: {}, owned: [] };
    try {
      const forwards = direction === 'forward' || backwardNeedsForward(kind) ? forwardKernels(kind) : [];
      const backwardStage: Stage = plan.disjoint && hasBroadcast(kind) ? 'broadcast' : 'gather';
      const bound = new Set<BufferName>(forwards.flatMap((k) => kernelBuffers(k, 'forward').map((d) => d.name)));
      if (direction === 'backward') for (const d of kernelBuffers(kind, backwardStage)) bound.add(d.name);
      if (bound.has('x')) upload(c, alloc, 'x', x.data, STORAGE_IN());
      upload(c, alloc, 'tables', plan.tables, STORAGE_IN());
      if (plan.reciprocals && bound.has('reciprocals')) upload(c, alloc, 'reciprocals', plan.reciprocals, STORAGE_IN());
      if (forwards.length > 0) {
        output(alloc, 'y', plan.outTotal * 4);
        if (bound.has('indices')) output(alloc, 'indices', plan.outTotal * 4);
        if (bound.has('aux')) output(alloc, 'aux', plan.outTotal * 12);
      }
      const params = (invocations: number): GPUBuffer => {
        const b = pool!.acquire(plan.params.byteLength, UNIFORM(), 'params');
        alloc.owned.push(b);
        c.device.queue.writeBuffer(b, 0, paramsFor(plan, invocations));
        return b;
      };
      const forwardParams = forwards.length > 0 ? params(plan.runInvocations) : undefined;
      const backwardInvocations = backwardStage === 'broadcast' ? plan.runInvocations : plan.inTotal;
      let backwardParams: GPUBuffer | undefined;
      if (direction === 'backward') {
        upload(c, alloc, 'dy', dy!.data, STORAGE_IN());
        output(alloc, 'dx', plan.inTotal * 4);
        backwardParams = params(backwardInvocations);
      }
      // A broadcast writes only the elements that are window taps; the rest are +0 (GRAD.*: no contribution),
      // and a pooled buffer holds a previous call's data.
      const clearDx = backwardParams !== undefined && backwardStage === 'broadcast' && !plan.covered && plan.inTotal > 0;
      const encode = async (encoder: GPUCommandEncoder): Promise<void> => {
        if (clearDx) encoder.clearBuffer(alloc.buffers.dx!, 0, plan.inTotal * 4);
        const pass = encoder.beginComputePass();
        if (forwardParams) for (const k of forwards) await dispatch(c, pass, alloc, k, 'forward', forwardParams, plan.runInvocations);
        if (backwardParams) await dispatch(c, pass, alloc, kind, backwardStage, backwardParams, backwardInvocations);
        pass.end();
      };
      return { alloc, encode };
    } catch (e) {
      for (const b of alloc.owned) pool!.release(b);
      throw e;
    }
  }

  /** Runs a staged case and reads back the named outputs, all in one submission. */
  async function execute(c: GpuContext, kind: KernelKind, plan: GpuPlan, x: Tensor, direction: Direction, reads: Array<[BufferName, number]>, dy?: Tensor): Promise<ArrayBuffer[]> {
    const { alloc, encode } = await stage(c, kind, plan, x, direction, dy);
    const staging: GPUBuffer[] = [];
    let healthy = true;
    try {
      c.device.pushErrorScope('out-of-memory');
      c.device.pushErrorScope('validation');
      const encoder = c.device.createCommandEncoder();
      await encode(encoder);
      for (const [which, bytes] of reads) {
        const s = pool!.acquire(bytes, READBACK(), `${which} readback`);
        staging.push(s);
        if (bytes > 0) encoder.copyBufferToBuffer(alloc.buffers[which]!, 0, s, 0, bytes);
      }
      c.device.queue.submit([encoder.finish()]);
      const validation = await c.device.popErrorScope();
      const oom = await c.device.popErrorScope();
      const error = validation ?? oom;
      if (error) {
        healthy = false;
        throw new BackendError(name, `the GPU rejected the work: ${error.message}`);
      }
      const results = await Promise.all(reads.map(async ([, bytes], i) => {
        const s = staging[i]!;
        if (bytes === 0) return new ArrayBuffer(0);
        await s.mapAsync(globalThis.GPUMapMode.READ, 0, bytes);
        const copy = s.getMappedRange(0, bytes).slice(0);
        s.unmap();
        return copy;
      }));
      c.check();
      return results;
    } catch (e) {
      healthy = false;
      c.check(); // a lost device explains the failure better than the symptom
      throw e;
    } finally {
      for (const b of [...alloc.owned, ...staging]) {
        if (healthy) pool!.release(b); else pool!.destroy(b);
      }
    }
  }

  function layoutOf(t: Tensor): Layout {
    return t.layout ?? 'channels_first';
  }

  // The research kinds and statistics pooling, attached when the device is acquired (options.research).
  const reducers = createWebGpuResearch({
      name,
      limits: () => lastLimits,
      limitProblem: kernelLimitProblem,
      run: async (kind, g, plan, x, direction, reads, dy) => {
        const c = await ctx();
        const problem = kernelLimitProblem(kind, g, c.limits, plan.reciprocals?.length ?? 0);
        if (problem) throw new BackendError(name, `unsupported: ${problem}`);
        return execute(c, kind, plan, x, direction, reads, dy);
      },
  });
  const statistics = createWebGpuStats({
      name,
      limits: () => lastLimits,
      limitProblem: (g, limits, reciprocals) => kernelLimitProblem('stats', g, limits, reciprocals),
      run: async (plan, g, x, direction, reads, dy) => {
        const c = await ctx();
        const problem = kernelLimitProblem('stats', g, c.limits, plan.reciprocals?.length ?? 0);
        if (problem) throw new BackendError(name, `unsupported: ${problem}`);
        return execute(c, 'stats', plan, x, direction, reads, dy);
      },
    });

  const backend: WebGpuBackend = {
    name,
    structured: declineStructured(name, 'the WGSL kernels cover sliding-window pooling only; the structured kinds of SPEC.md §10 (adaptive, RoI, SPP, unpooling) run on the naive backend'),

    supports(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const problem = validationProblem(spec, inputShape, layout);
      if (problem) return { ok: false, reason: problem };
      const limit = limitProblem(spec, poolGeometry(spec, inputShape, layout), lastLimits);
      return limit ? { ok: false, reason: limit } : { ok: true };
    },

    async forward(spec: PoolSpec, x: Tensor): Promise<ForwardResult> {
      const g = validateForward(spec, x);
      const c = await ctx();
      checked(spec, g, c.limits);
      const plan = buildPlan(spec, g);
      const layout = layoutOf(x);
      const reads: Array<[BufferName, number]> = [['y', plan.outTotal * 4]];
      const kind = forwardKind(spec.kind);
      if (kind === 'max') reads.push(['indices', plan.outTotal * 4]);
      const [y, indices] = await execute(c, kind, plan, x, 'forward', reads);
      return {
        y: { shape: [...g.outShape], data: new Float32Array(y!), layout },
        ...(indices ? { indices: new Int32Array(indices) } : {}),
      };
    },

    async backward(spec: PoolSpec, x: Tensor, dy: Tensor): Promise<Tensor> {
      const g = validateBackward(spec, x, dy);
      const c = await ctx();
      checked(spec, g, c.limits);
      const plan = buildPlan(spec, g);
      const layout = layoutOf(x);
      const [dx] = await execute(c, spec.kind, plan, x, 'backward', [['dx', plan.inTotal * 4]], dy);
      return { shape: [...g.inShape], data: new Float32Array(dx!), layout };
    },

    flushesSubnormals(): boolean | undefined {
      return flushes;
    },

    async ready(): Promise<AdapterSummary> {
      return (await ctx()).adapter;
    },

    stats(): WebGpuStats {
      return { liveBuffers: pool?.live ?? 0, idleBuffers: pool?.idleCount ?? 0, pipelines: current?.pipelineCount ?? 0 };
    },

    async measureCopy(bufferBytes: number, trials: number): Promise<DeviceCopyPasses> {
      const c = await ctx();
      const passes = await measureDeviceCopy(c.device, Math.min(bufferBytes, c.limits.maxBufferSize), trials);
      c.check();
      return passes;
    },

    async describeDevice(): Promise<string> {
      const a = (await ctx()).adapter;
      const what = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
      return `${what}${a.description ? ` (${a.description})` : ''}, ${a.fallback ? 'software' : 'hardware'} adapter`;
    },

    async gpuDevice(): Promise<GPUDevice> {
      return (await ctx()).device;
    },

    async resident(spec: PoolSpec, x: Tensor, direction: Direction, dy?: Tensor): Promise<ResidentCase> {
      const g = direction === 'forward' ? validateForward(spec, x) : validateBackward(spec, x, dy);
      const c = await ctx();
      checked(spec, g, c.limits);
      const plan = buildPlan(spec, g);
      const kind = direction === 'forward' ? forwardKind(spec.kind) : spec.kind;
      const { alloc, encode } = await stage(c, kind, plan, x, direction, dy);
      let released = false;
      return {
        async run(): Promise<void> {
          if (released) throw new BackendError(name, 'resident case already released');
          const encoder = c.device.createCommandEncoder();
          await encode(encoder);
          c.device.queue.submit([encoder.finish()]);
          await c.device.queue.onSubmittedWorkDone();
          c.check();
        },
        release(): void {
          if (released) return;
          released = true;
          for (const b of alloc.owned) pool!.release(b);
        },
      };
    },

    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      const pending = context;
      context = undefined;
      if (!pending) return;
      try {
        const c = await pending;
        pool?.clear();
        c.destroy();
      } catch {
        // acquisition failed: nothing to release
      }
    },
  };
  return backend;
}
