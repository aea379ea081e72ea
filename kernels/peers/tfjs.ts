/**
 * TensorFlow.js as a peer backend: `tfjs-cpu` (@tensorflow/tfjs-backend-cpu, plain JS), `tfjs-wasm`
 * (@tensorflow/tfjs-backend-wasm: XNNPACK, SIMD on, threads off in Node) and `tfjs-webgpu`
 * (@tensorflow/tfjs-backend-webgpu: WGSL shaders; in Node on Dawn through kernels/peers/webgpu-navigator.ts).
 *
 * What it maps (everything else is declined with the reason):
 * - kinds max and avg; 1-D as 2-D with a unit axis (kernels/peers/rank-lift.ts: the spec and shapes are lifted
 *   on the way in, outputs, gradients and indices brought back); 2-D through tf.maxPool / tf.avgPool (NHWC, explicit pads [[0,0],[t,b],[l,r],[0,0]]),
 *   2-D dilated through tf.pool ('valid' or 'same' padding, strides 1), 3-D through tf.maxPool3d /
 *   tf.avgPool3d (NDHWC; 'valid', 'same' or one number for all pads). Every mapping is checked with tfjs's own
 *   geometry (backend_util.computePool2DInfo / computePool3DInfo): a case is accepted only when tfjs's pads
 *   and output extents are the spec's, so the windows are the same.
 * - ceilMode through dimRoundingMode 'ceil' where tfjs's extents equal SHAPE.CEIL's (tfjs has no start-inside
 *   rule; where that rule would drop a window the case is declined).
 * - avg always excludes padding (countIncludePad = true is accepted only where it changes no divisor); no
 *   divisorOverride.
 * - indices: tf.maxPool returns none, so the registry's policy is `indices: 'unchecked'`. The `argmax` option
 *   makes a variant that computes max through tf.maxPoolWithArgmax (2-D, dilation 1, 'valid' / 'same' / one
 *   number) and converts its NHWC offsets (y·W + x)·C + c to plane indices (MAX.INDEX).
 * - backward through tf.grad (the gradient registrations of the umbrella package @tensorflow/tfjs).
 *
 * Layout: tfjs is channels-last only. channels_first input is transposed here, in JS, before the tfjs call and
 * back after it. `prepare()` (a poolspec extension, see common.ts) does the transposition once, so a benchmark
 * times the tfjs op alone. Every call disposes its tensors (tf.tidy).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type {
  CapabilityRegion, DeviceCopyPasses, ForwardResult, Layout, PoolSpec, PoolingCapabilities, Support, Tensor,
} from '../../spec/contract.js';
import {
  BackendError, OK, decline, dataIn, f32, formatList, fromLibrary, i32, importPeer, inputTo, padTapsCount, poolGeometry,
  shapeIn, validateBackward, validateForward, validationSupport, type PoolGeometry, type PreparableBackend,
  type PreparedForward,
  planeIndexOrMinusOne,
} from './common.js';
import { tfToPlane } from '../../spec/indices.js';
import { measureDeviceCopy } from '../webgpu/copy-probe.js';
import { dropUnitAxis, isRank1, liftShape, liftSpec, liftTensor } from './rank-lift.js';

export type TfjsFlavor = 'cpu' | 'wasm' | 'webgpu';

export interface TfjsOptions {
  /**
   * Compute max through tf.maxPoolWithArgmax and return its indices (converted to plane indices). Non-max kinds
   * and cases the argmax op cannot express are declined. Used by the ecosystem report's index rows.
   */
  argmax?: boolean;
}

export const TFJS_VERSION = '4.22.0';

/* The slice of the tfjs API used here, typed loosely: tfjs is an optional dependency, so its types are not needed to build. */
interface TfTensor { readonly shape: number[]; data(): Promise<Float32Array | Int32Array>; dispose(): void }
type TfPad = 'valid' | 'same' | number | number[][];
type Rounding = 'ceil' | undefined;
interface PadInfo { top: number; bottom: number; left: number; right: number; front?: number; back?: number }
interface ConvInfo { outShape: number[]; padInfo: PadInfo }
interface Tf {
  version_core?: string;
  tensor(values: Float32Array, shape: number[], dtype: 'float32'): TfTensor;
  tidy<T>(fn: () => T): T;
  keep<T extends TfTensor>(t: T): T;
  getBackend(): string;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  findBackend(name: string): unknown;
  backend(): unknown;
  engine(): unknown;
  memory(): { numTensors: number };
  maxPool(x: TfTensor, f: number[], s: number[], pad: TfPad, r?: Rounding): TfTensor;
  avgPool(x: TfTensor, f: number[], s: number[], pad: TfPad, r?: Rounding): TfTensor;
  maxPool3d(x: TfTensor, f: number[], s: number[], pad: TfPad, r?: Rounding, fmt?: 'NDHWC'): TfTensor;
  avgPool3d(x: TfTensor, f: number[], s: number[], pad: TfPad, r?: Rounding, fmt?: 'NDHWC'): TfTensor;
  pool(x: TfTensor, window: number[], type: 'max' | 'avg', pad: TfPad, dilations: number[], strides: number[]): TfTensor;
  maxPoolWithArgmax(x: TfTensor, f: number[], s: number[], pad: TfPad, includeBatchInIndex: boolean): { result: TfTensor; indexes: TfTensor };
  grad(f: (x: TfTensor) => TfTensor): (x: TfTensor, dy: TfTensor) => TfTensor;
  backend_util: {
    computePool2DInfo(inShape: number[], f: number[], s: number[], d: number[], pad: TfPad, r?: Rounding): ConvInfo;
    computePool3DInfo(inShape: number[], f: number[], s: number[], d: number[], pad: TfPad, r?: Rounding, fmt?: 'NDHWC'): ConvInfo;
  };
}

/** How one spec is computed with tfjs, decided once per (spec, shape) and used by supports, forward and backward. */
interface TfPlan {
  readonly kind: 'max' | 'avg';
  readonly op: 'maxPool' | 'avgPool' | 'pool' | 'maxPool3d' | 'avgPool3d' | 'maxPoolWithArgmax';
  readonly filter: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly pad: TfPad;
  readonly rounding: Rounding;
}

function describePad(pad: TfPad): string {
  return typeof pad === 'string' ? `'${pad}'` : Array.isArray(pad) ? JSON.stringify(pad) : String(pad);
}

/** The tfjs call a plan makes, for messages and the report. */
export function describeTfjsCall(p: TfPlan): string {
  const args = p.op === 'pool'
    ? `x, ${formatList(p.filter)}, '${p.kind}', ${describePad(p.pad)}, ${formatList(p.dilations)}, ${formatList(p.strides)}`
    : `x, ${formatList(p.filter)}, ${formatList(p.strides)}, ${describePad(p.pad)}${p.rounding ? `, '${p.rounding}'` : ''}`;
  return `tf.${p.op}(${args})`;
}

function samePads(info: PadInfo, spec: PoolSpec): boolean {
  const d = spec.kernel.length;
  const [b, e] = [spec.pads.slice(0, d), spec.pads.slice(d)];
  if (d === 2) return info.top === b[0] && info.left === b[1] && info.bottom === e[0] && info.right === e[1];
  return info.front === b[0] && info.top === b[1] && info.left === b[2] && info.back === e[0] && info.bottom === e[1] && info.right === e[2];
}

function padsOf(info: PadInfo, d: number): number[] {
  return d === 2 ? [info.top, info.left, info.bottom, info.right] : [info.front ?? 0, info.top, info.left, info.back ?? 0, info.bottom, info.right];
}

interface Candidate { readonly pad: TfPad; readonly rounding: Rounding }
type Tried = { readonly candidate: Candidate; readonly outSpatial?: number[]; readonly pads?: number[]; readonly error?: string };

/** Asks tfjs's own geometry what a candidate argument gives; accepted only if pads and output extents are the spec's. */
function tryCandidates(tf: Tf, spec: PoolSpec, g: PoolGeometry, rank: 2 | 3, dilations: number[], candidates: readonly Candidate[]): { found?: Candidate; tried: Tried[] } {
  const inShape = shapeIn(g, 'channels_last', 'in');
  const tried: Tried[] = [];
  for (const c of candidates) {
    try {
      const info = rank === 2
        ? tf.backend_util.computePool2DInfo(inShape, spec.kernel, spec.strides, dilations, c.pad, c.rounding)
        : tf.backend_util.computePool3DInfo(inShape, spec.kernel, spec.strides, dilations, c.pad, c.rounding, 'NDHWC');
      const outSpatial = info.outShape.slice(1, -1);
      if (samePads(info.padInfo, spec) && outSpatial.join() === g.outSpatial.join()) return { found: c, tried };
      tried.push({ candidate: c, outSpatial, pads: padsOf(info.padInfo, rank) });
    } catch (e) {
      tried.push({ candidate: c, error: (e as Error).message });
    }
  }
  return { tried };
}

function describeTried(t: Tried): string {
  const arg = `${describePad(t.candidate.pad)}${t.candidate.rounding ? ` + '${t.candidate.rounding}'` : ''}`;
  return t.error ? `${arg} throws "${t.error}"` : `${arg} gives pads ${formatList(t.pads!)}, output ${formatList(t.outSpatial!)}`;
}

/** The plan for a spec, or the reason tfjs cannot compute it as the spec says. */
function planFor(tf: Tf, spec: PoolSpec, shape: readonly number[], layout: Layout, argmax: boolean): TfPlan | string {
  const d = spec.kernel.length;
  if (spec.kind === 'sum') return "tfjs has no sum pooling (tf.pool's poolingType is 'max' or 'avg'; SUM.DEF)";
  if (spec.kind === 'lp') return 'tfjs has no Lp pooling (LP.DEF)';
  if (argmax && spec.kind !== 'max') return 'the argmax variant checks max pooling only';
  if (spec.kind === 'avg' && spec.divisorOverride !== undefined) return 'tfjs avgPool has no divisor override (AVG.OVERRIDE)';
  if (spec.kind === 'avg' && spec.countIncludePad && padTapsCount(spec, shape, layout)) {
    return 'tfjs avgPool always excludes padding from the divisor (TF convention); countIncludePad = true would change a divisor here (AVG.DIVISOR)';
  }
  const g = poolGeometry(spec, shape, layout);
  const dilated = spec.dilations.some((v) => v !== 1);
  const rounding: Rounding = spec.ceilMode ? 'ceil' : undefined;
  /** Whether the case failed only on output extents with the spec's pads under 'ceil' (no start-inside rule). */
  const ceilOnly = (tried: readonly Tried[]): boolean =>
    spec.ceilMode && tried.some((t) => t.candidate.rounding === 'ceil' && t.pads !== undefined && samePads(padInfoFrom(t.pads, d), spec));
  const NO_START_INSIDE = "tfjs's dimRoundingMode 'ceil' has no start-inside rule (SHAPE.CEIL drops a last window that would start in the end padding)";
  // Declines read "GENERAL REASON — details": the report groups them by the part before the dash.
  const details = (tried: readonly Tried[]): string =>
    ` — none gives pads ${formatList(spec.pads)} and output ${formatList(g.outSpatial)}: ${tried.map(describeTried).join('; ')}`;
  const plan = (op: TfPlan['op'], c: Candidate): TfPlan => ({ kind: spec.kind as 'max' | 'avg', op, filter: [...spec.kernel], strides: [...spec.strides], dilations: [...spec.dilations], pad: c.pad, rounding: c.rounding });

  if (argmax) {
    if (d !== 2) return 'tf.maxPoolWithArgmax is 2-D only';
    if (dilated) return 'tf.maxPoolWithArgmax has no dilations';
    const p = spec.pads[0]!;
    const candidates: Candidate[] = [{ pad: 'valid', rounding: undefined }, { pad: 'same', rounding: undefined }];
    if (spec.pads.every((v) => v === p)) candidates.push({ pad: p, rounding: undefined });
    const { found, tried } = tryCandidates(tf, spec, g, 2, [1, 1], candidates);
    if (found) return plan('maxPoolWithArgmax', found);
    return `tf.maxPoolWithArgmax takes 'valid', 'same' or one number for all pads, and no rounding mode${details(tried)}`;
  }

  if (d === 2 && !dilated) {
    const [t, l, b, r] = spec.pads as [number, number, number, number];
    const c: Candidate = { pad: [[0, 0], [t, b], [l, r], [0, 0]], rounding };
    const { found, tried } = tryCandidates(tf, spec, g, 2, [1, 1], [c]);
    if (found) return plan(spec.kind === 'max' ? 'maxPool' : 'avgPool', found);
    return `${ceilOnly(tried) ? NO_START_INSIDE : `tf.${spec.kind}Pool cannot express this case`}${details(tried)}`;
  }
  if (d === 2) {
    if (spec.strides.some((s) => s !== 1)) return "tf.pool needs strides 1 when dilations > 1 ('Either strides or dilations must be 1', tfjs-core ops/pool.ts)";
    const { found, tried } = tryCandidates(tf, spec, g, 2, spec.dilations, [{ pad: 'valid', rounding: undefined }, { pad: 'same', rounding: undefined }]);
    if (found) return plan('pool', found);
    return `tf.pool with dilations > 1 takes 'valid' or 'same' padding only (no explicit pads)${details(tried)}`;
  }
  if (dilated) return 'tfjs maxPool3d/avgPool3d take no dilations';
  const candidates: Candidate[] = [{ pad: 'valid', rounding: undefined }, { pad: 'same', rounding: undefined }];
  const p = spec.pads[0]!;
  if (spec.pads.every((v) => v === p)) candidates.push({ pad: p, rounding });
  const { found, tried } = tryCandidates(tf, spec, g, 3, [1, 1, 1], candidates);
  if (found) return plan(spec.kind === 'max' ? 'maxPool3d' : 'avgPool3d', found);
  const numeric = tried.find((x) => typeof x.candidate.pad === 'number' && x.pads !== undefined && samePads(padInfoFrom(x.pads, 3), spec));
  if (numeric) {
    const uniform = spec.kernel.every((k) => k === spec.kernel[0]) && spec.strides.every((v) => v === spec.strides[0]);
    const general = uniform
      ? NO_START_INSIDE
      : 'a numeric pad makes tfjs compute every 3-D output extent from the depth filter and stride (tfjs-core conv_util.ts computeOutputShape4D, the 3-D form of tensorflow/tfjs#649)';
    return `${general}${details(tried)}`;
  }
  return `tfjs 3-D pooling takes 'valid', 'same' or one number for all six pads (no explicit pads)${details(tried)}`;
}

function padInfoFrom(pads: readonly number[], d: number): PadInfo {
  return d === 2
    ? { top: pads[0]!, left: pads[1]!, bottom: pads[2]!, right: pads[3]! }
    : { front: pads[0]!, top: pads[1]!, left: pads[2]!, back: pads[3]!, bottom: pads[4]!, right: pads[5]! };
}

function resolveWasmDir(): string {
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

/** Loads tfjs and the backend package; one engine is shared by both flavors (tfjs is a process-wide singleton). */
async function loadTf(flavor: TfjsFlavor): Promise<{ tf: Tf; gradError?: string }> {
  const tf = (await importPeer('@tensorflow/tfjs-core', TFJS_VERSION)) as Tf;
  if (flavor === 'cpu') {
    await importPeer('@tensorflow/tfjs-backend-cpu', TFJS_VERSION);
  } else if (flavor === 'webgpu') {
    // tfjs-backend-webgpu asks navigator.gpu for its adapter: in Node, Dawn's, as poolspec's webgpu backend has it.
    await (await import('./webgpu-navigator.js')).ensureNavigatorGpu();
    await importPeer('@tensorflow/tfjs-backend-webgpu', TFJS_VERSION);
  } else {
    const wasm = (await importPeer('@tensorflow/tfjs-backend-wasm', TFJS_VERSION)) as { setWasmPaths(dir: string): void };
    wasm.setWasmPaths(resolveWasmDir());
  }
  // Gradients are registered by the umbrella package only (tfjs-core alone: "gradient function not found").
  let gradError: string | undefined;
  try {
    const umbrella = (await importPeer('@tensorflow/tfjs', TFJS_VERSION)) as Pick<Tf, 'engine'>;
    if (umbrella.engine() !== tf.engine()) gradError = '@tensorflow/tfjs resolves to a different tfjs-core than @tensorflow/tfjs-core; its gradients are registered elsewhere';
  } catch (e) {
    gradError = (e as Error).message;
  }
  return gradError === undefined ? { tf } : { tf, gradError };
}

/** What tfjs computes without dilation, avg divisor options or padding in the divisor (the TF conventions). */
const TF_COMMON: CapabilityRegion = { kinds: ['max', 'avg'], countIncludePad: false, divisorOverride: false };

/**
 * The regions planFor accepts most of: 1-D and 2-D with explicit pads (tf.maxPool/avgPool; a ceil case whose
 * last window SHAPE.CEIL drops is still declined), 2-D dilated through tf.pool (strides 1, 'valid'), 3-D with
 * one pad for all six sides and a cubic window (a numeric pad; 'valid' is its zero).
 */
export const TFJS_CAPABILITIES: PoolingCapabilities = {
  regions: [
    { ...TF_COMMON, ranks: [1, 2], dilation: false },
    { ...TF_COMMON, ranks: [2], unitStrides: true, pads: 'none', ceilMode: false },
    { ...TF_COMMON, ranks: [3], dilation: false, pads: 'uniform', uniformWindow: true },
  ],
};

/** tf.maxPoolWithArgmax: 2-D (1-D lifted), no dilation, no rounding mode, 'valid', 'same' or one number. */
export const TFJS_ARGMAX_CAPABILITIES: PoolingCapabilities = {
  regions: [
    { kinds: ['max'], ranks: [2], dilation: false, ceilMode: false, pads: 'uniform' },
    // A lifted 1-D case has zero pads on its unit axis, so one number for all pads means none.
    { kinds: ['max'], ranks: [1], dilation: false, ceilMode: false, pads: 'none' },
  ],
};

export interface TfjsBackend extends PreparableBackend {
  /**
   * tfjs-webgpu only (DeviceBackend): the adapter, and its GPUDevice's own copy bandwidth, measured as poolspec's
   * webgpu backend measures its own (kernels/webgpu/copy-probe.ts), so the bench holds both to one yardstick.
   */
  describeDevice?(): Promise<string>;
  measureCopy?(bufferBytes: number, trials: number): Promise<DeviceCopyPasses>;
  /** The tfjs call used for a case (for reports), or the reason it is declined. */
  describe(spec: PoolSpec, inputShape: readonly number[], layout?: Layout): string;
  /** Live tfjs tensors (tf.memory().numTensors): stays flat across calls when nothing leaks. */
  liveTensors(): number;
}

export async function createTfjsBackend(flavor: TfjsFlavor, options: TfjsOptions = {}): Promise<TfjsBackend> {
  const { tf, gradError } = await loadTf(flavor);
  const name = `tfjs-${flavor}${options.argmax ? '+argmax' : ''}`;
  const activate = async (): Promise<void> => {
    // Loop: between an await and the synchronous tfjs work that follows it, nothing else runs, but another
    // backend instance may have switched the shared engine before this one resumed.
    while (tf.getBackend() !== flavor) {
      if (!(await tf.setBackend(flavor))) throw new BackendError(name, `tf.setBackend('${flavor}') failed`);
      await tf.ready();
    }
  };
  await activate();
  // tfjs-backend-cpu prints a "looks like you are running TensorFlow.js in Node.js" banner on first use.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;

  const plans = new Map<string, TfPlan | string>();
  const planOf = (spec: PoolSpec, shape: readonly number[], layout: Layout): TfPlan | string => {
    const key = JSON.stringify([spec, shape, layout]);
    let p = plans.get(key);
    if (p === undefined) {
      p = planFor(tf, spec, shape, layout, options.argmax ?? false);
      if (plans.size > 256) plans.clear();
      plans.set(key, p);
    }
    return p;
  };

  const supports = (spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support => {
    const invalid = validationSupport(spec, inputShape, layout);
    if (invalid) return invalid;
    const p = isRank1(spec) ? planOf(liftSpec(spec), liftShape(inputShape, layout), layout) : planOf(spec, inputShape, layout);
    return typeof p === 'string' ? decline(p) : OK;
  };

  const requirePlan = (spec: PoolSpec, g: PoolGeometry): TfPlan => {
    const p = planOf(spec, g.inShape, g.layout);
    if (typeof p === 'string') throw new BackendError(name, `unsupported: ${p}`);
    return p;
  };

  /** The tfjs op of a plan on an NHWC/NDHWC tensor. */
  const pool = (p: TfPlan, kind: 'max' | 'avg', x: TfTensor): TfTensor => {
    switch (p.op) {
      case 'maxPool': return tf.maxPool(x, p.filter, p.strides, p.pad, p.rounding);
      case 'avgPool': return tf.avgPool(x, p.filter, p.strides, p.pad, p.rounding);
      case 'pool': return tf.pool(x, p.filter, kind, p.pad, p.dilations, p.strides);
      case 'maxPool3d': return tf.maxPool3d(x, p.filter, p.strides, p.pad, p.rounding, 'NDHWC');
      case 'avgPool3d': return tf.avgPool3d(x, p.filter, p.strides, p.pad, p.rounding, 'NDHWC');
      // tfjs registers no gradient for MaxPoolWithArgmax: its backward is tf.maxPool's on the same geometry.
      case 'maxPoolWithArgmax': return tf.maxPool(x, p.filter, p.strides, p.pad);
    }
  };

  /** A rank-1 case as rank-2 (rank-lift.ts): validated as given, computed lifted, its outputs brought back. */
  const forward = async (spec: PoolSpec, x: Tensor): Promise<ForwardResult> => {
    if (!isRank1(spec)) return forwardPlanned(spec, x);
    validateForward(spec, x);
    const r = await forwardPlanned(liftSpec(spec), liftTensor(x));
    return { ...r, y: { ...r.y, shape: dropUnitAxis(r.y.shape, r.y.layout) } };
  };

  const backward = async (spec: PoolSpec, x: Tensor, dy: Tensor): Promise<Tensor> => {
    if (!isRank1(spec)) return backwardPlanned(spec, x, dy);
    validateBackward(spec, x, dy);
    const dx = await backwardPlanned(liftSpec(spec), liftTensor(x), liftTensor(dy));
    return { ...dx, shape: [...x.shape] };
  };

  const forwardPlanned = async (spec: PoolSpec, x: Tensor): Promise<ForwardResult> => {
    const g = validateForward(spec, x);
    const p = requirePlan(spec, g);
    const xl = dataIn(x, g, 'channels_last');
    await activate();
    // Results leave tf.tidy through the closure (kept), not as its return value: tidy walks a returned value
    // looking for tensors, element by element for a typed array (seconds for a 16M-element output). They are read
    // after it with data(), not dataSync(): tfjs-webgpu's synchronous readback needs an OffscreenCanvas, which
    // Node lacks.
    const kept: { y?: TfTensor; idx?: TfTensor } = {};
    tf.tidy(() => {
      const xt = tf.tensor(xl, shapeIn(g, 'channels_last', 'in'), 'float32');
      if (p.op === 'maxPoolWithArgmax') {
        const r = tf.maxPoolWithArgmax(xt, p.filter, p.strides, p.pad, false);
        kept.y = tf.keep(r.result);
        kept.idx = tf.keep(r.indexes);
        return;
      }
      kept.y = tf.keep(pool(p, p.kind, xt));
    });
    const got = {
      y: (await readAndDispose(kept.y!)) as Float32Array,
      shape: kept.y!.shape,
      ...(kept.idx ? { idx: Int32Array.from(await readAndDispose(kept.idx)) } : {}),
    };
    const { y, shape, idx } = got;
    const yOut = fromLibrary(y, shape, 'channels_last', g.layout, f32);
    // data() may hand out tfjs's own buffer (tfjs-cpu; even x's, for a 1×1 identity pool): copy unless transposed.
    const result: ForwardResult = { y: { shape: yOut.shape, data: yOut.data === y ? new Float32Array(y) : yOut.data, layout: g.layout } };
    if (idx) {
      // INDEX.TF: offsets q·C + c into the channels-last image of batch n (includeBatchInIndex = false),
      // converted by spec/indices.ts. An index that does not name this output's own channel becomes −1.
      const c = g.channels;
      const spatial = g.inSpatial;
      for (let o = 0; o < idx.length; o++) idx[o] = planeIndexOrMinusOne(() => tfToPlane(idx[o]!, c, spatial, false, g.batch), -1, o % c);
      result.indices = fromLibrary(idx, shape, 'channels_last', g.layout, i32).data;
    }
    return result;
  };

  const backwardPlanned = async (spec: PoolSpec, x: Tensor, dy: Tensor): Promise<Tensor> => {
    const g = validateBackward(spec, x, dy);
    const p = requirePlan(spec, g);
    if (gradError !== undefined) throw new BackendError(name, `unsupported: tfjs gradients need @tensorflow/tfjs (${gradError})`);
    const xl = dataIn(x, g, 'channels_last');
    const dyl = dataIn(dy, poolGeometryOfOutput(g), 'channels_last');
    await activate();
    const kept: { dx?: TfTensor } = {};
    tf.tidy(() => {
      const xt = tf.tensor(xl, shapeIn(g, 'channels_last', 'in'), 'float32');
      const dyt = tf.tensor(dyl, shapeIn(g, 'channels_last', 'out'), 'float32');
      kept.dx = tf.keep(tf.grad((v) => pool(p, p.kind, v))(xt, dyt));
    });
    const got = { dx: (await readAndDispose(kept.dx!)) as Float32Array };
    const dx = g.layout === 'channels_last' ? new Float32Array(got.dx) : got.dx;
    return { shape: [...x.shape], data: inputTo(dx, g, 'channels_last'), layout: g.layout };
  };

  const prepare = async (given: PoolSpec, x0: Tensor): Promise<PreparedForward> => {
    validateForward(given, x0);
    // The prepared op is the lifted one for a rank-1 case; outShape is tfjs's own (NHWC) shape, unit axis kept.
    const [spec, x] = isRank1(given) ? [liftSpec(given), liftTensor(x0)] : [given, x0];
    const g = validateForward(spec, x);
    const p = requirePlan(spec, g);
    await activate();
    const xt = tf.tensor(dataIn(x, g, 'channels_last'), shapeIn(g, 'channels_last', 'in'), 'float32');
    return {
      outShape: shapeIn(g, 'channels_last', 'out'),
      run() {
        if (tf.getBackend() !== flavor) throw new BackendError(name, 'another tfjs backend became active after prepare(); prepare again');
        if (p.op === 'maxPoolWithArgmax') {
          const r = tf.maxPoolWithArgmax(xt, p.filter, p.strides, p.pad, false);
          r.result.dispose();
          r.indexes.dispose();
        } else if (flavor === 'webgpu') {
          // Dispatches are queued, not run: the op alone is the pool and the wait for the GPU queue (no readback).
          const out = pool(p, p.kind, xt);
          return gpuIdle(tf).finally(() => out.dispose());
        } else {
          pool(p, p.kind, xt).dispose();
        }
      },
      dispose() { xt.dispose(); },
    };
  };

  const device = flavor !== 'webgpu' ? {} : {
    async describeDevice(): Promise<string> {
      await activate();
      // GPUDevice.adapterInfo where the WebGPU implementation has it; else the adapter navigator.gpu gives, which is
      // the one tfjs-webgpu asked for (it requests 'high-performance' unless WEBGPU_USE_LOW_POWER_GPU is set).
      const info = (webgpuDevice(tf) as { adapterInfo?: GPUAdapterInfo }).adapterInfo
        ?? (await (await (await import('./webgpu-navigator.js')).ensureNavigatorGpu()).requestAdapter({ powerPreference: 'high-performance' }))?.info;
      const what = [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
      return `tfjs-webgpu's device on ${what}${info?.description ? ` (${info.description})` : ''}`;
    },
    async measureCopy(bufferBytes: number, trials: number): Promise<DeviceCopyPasses> {
      await activate();
      return measureDeviceCopy(webgpuDevice(tf), bufferBytes, trials);
    },
  };

  return {
    name,
    capabilities: options.argmax ? TFJS_ARGMAX_CAPABILITIES : TFJS_CAPABILITIES,
    supports,
    forward,
    backward,
    prepare,
    describe(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): string {
      const lifted = isRank1(spec);
      const p = lifted ? planOf(liftSpec(spec), liftShape(inputShape, layout), layout) : planOf(spec, inputShape, layout);
      return typeof p === 'string' ? p : `${describeTfjsCall(p)}${lifted ? ' (1-D lifted to 2-D with a unit axis)' : ''}`;
    },
    liveTensors(): number { return tf.memory().numTensors; },
    async dispose() { plans.clear(); },
    ...device,
  };
}

/** tfjs-webgpu's GPUDevice, the one its kernels run on (WebGPUBackend.device). */
function webgpuDevice(tf: Tf): GPUDevice {
  const device = (tf.backend() as { device?: GPUDevice }).device;
  if (!device) throw new BackendError('tfjs-webgpu', 'the active tfjs backend has no GPUDevice');
  return device;
}

/** A kept tensor's values (tfjs's own buffer on the CPU backends; a readback on WebGPU), then the tensor freed. */
async function readAndDispose(t: TfTensor): Promise<Float32Array | Int32Array> {
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
}

/**
 * Submits tfjs-webgpu's pending commands (ending its open compute pass first, as its own flush does) and resolves
 * when the GPU queue has run them.
 */
async function gpuIdle(tf: Tf): Promise<void> {
  const be = tf.backend() as {
    commandEncoder?: unknown; endComputePassEncoder?(): void; submitQueue?(): void;
    device?: { queue: { onSubmittedWorkDone(): Promise<void> } };
  };
  be.endComputePassEncoder?.();
  if (be.commandEncoder) be.submitQueue?.();
  await be.device?.queue.onSubmittedWorkDone();
}

/** The geometry with the output as the "input" plane, to transpose dy (output-shaped) with dataIn. */
function poolGeometryOfOutput(g: PoolGeometry): PoolGeometry {
  return { ...g, inPlane: g.outPlane, inShape: g.outShape, inSpatial: g.outSpatial };
}
