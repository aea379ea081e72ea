/**
 * What the ONNX Runtime peers share (onnxruntime-node in onnxruntime.ts, onnxruntime-web in onnxruntime-web.ts):
 * the one-node ONNX model a spec becomes, built in memory with onnx-proto (no model file is read or fetched), and
 * a backend over any ONNX Runtime build's `InferenceSession` that caches one session per (spec, input shape).
 *
 * The model: MaxPool (opset 22), AveragePool (opset 18, ORT's fast kernel, when every dilation is 1; opset 22
 * otherwise, since opset 18 rejects `dilations`) or LpPool (opset 22). What it maps: max, avg and lp (integer p:
 * ONNX's `p` is an INT), rank 1–3, every stride, dilation and asymmetric pad with pad < kernel (ORT's own limit),
 * ceil_mode, count_include_pad. No divisorOverride, no sum. NCHW only: channels_last input is transposed here.
 *
 * Max indices: by default the model has no `Indices` output, the way inference graphs run, and the registry's
 * policy is `indices: 'unchecked'`. With `indices: true` the model asks for `Indices` and the backend converts them
 * from flat N·C·spatial to plane indices (MAX.INDEX).
 *
 * ORT is inference only: backward() rejects with a BackendError (FORWARD_ONLY) and `supportsBackward()` says so.
 */
import type { ForwardResult, Layout, PoolSpec, PoolingCapabilities, Support, Tensor } from '../../spec/contract.js';
import {
  BackendError, OK, dataIn, poolGeometry, decline, f32, formatList, fromLibrary, i32, shapeIn,
  validateBackward, validateForward, validationSupport, type ForwardOnlyBackend, type PoolGeometry, type PreparableBackend,
  type PreparedForward,
  planeIndexOrMinusOne,
} from './common.js';
import { onnxToPlane } from '../../spec/indices.js';

export const ONNX_PROTO_VERSION = '8.0.1';

/* The slice of an ONNX Runtime build (onnxruntime-node, onnxruntime-web) and of onnx-proto used here, typed loosely. */
export interface OrtValue { readonly dims: readonly number[]; readonly data: Float32Array | BigInt64Array; dispose?(): void }
export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtValue>>;
  /**
   * Runs and leaves the outputs where the runtime keeps them (a runtime in another process: chromium-ort.ts), so
   * that a prepared run times the op, not the transfer back. Optional: without it a prepared run calls run().
   */
  runDiscard?(feeds: Record<string, unknown>): Promise<void>;
  release(): Promise<void>;
}
export interface OrtRuntime {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}
export interface OnnxProto {
  onnx: {
    AttributeProto: { AttributeType: { INT: number; INTS: number } };
    TensorProto: { DataType: { FLOAT: number; INT64: number } };
    ModelProto: { create(m: unknown): unknown; encode(m: unknown): { finish(): Uint8Array } };
  };
}

export interface OnnxNode {
  readonly opType: 'MaxPool' | 'AveragePool' | 'LpPool' | 'GlobalMaxPool' | 'GlobalAveragePool' | 'GlobalLpPool';
  readonly opset: number;
  readonly attributes: Readonly<Record<string, number | readonly number[]>>;
  readonly indices: boolean;
}

/**
 * Whether a spec on an NCHW-family input shape is global pooling: one window covering the whole unpadded input
 * (what exporters emit for global and 1×1 adaptive pooling). Its output is 1 per plane whatever the strides and
 * rounding mode; dilation is 1 (a dilated window that long would not fit: WINDOW.FITS).
 */
export function isGlobalPool(spec: PoolSpec, inSpatial: readonly number[]): boolean {
  return spec.kernel.every((k, i) => k === inSpatial[i]) && spec.pads.every((p) => p === 0) && spec.dilations.every((v) => v === 1);
}

/**
 * The ONNX node a spec becomes (attributes in ONNX's names; pads already in ONNX order). With `inSpatial` given,
 * a global case (isGlobalPool) becomes GlobalMaxPool / GlobalAveragePool / GlobalLpPool, which have no attributes
 * but p (and no Indices output: the indices variant keeps MaxPool).
 */
export function onnxNodeFor(spec: PoolSpec, indices: boolean, inSpatial?: readonly number[]): OnnxNode {
  if (inSpatial !== undefined && !indices && spec.kind !== 'sum' && isGlobalPool(spec, inSpatial)) {
    switch (spec.kind) {
      case 'max': return { opType: 'GlobalMaxPool', opset: 22, attributes: {}, indices: false };
      case 'avg': return { opType: 'GlobalAveragePool', opset: 22, attributes: {}, indices: false };
      // Opset 18 (GlobalLpPool-2): ORT 1.30 registers no kernel for GlobalLpPool-22 ("Could not find an implementation").
      case 'lp': return { opType: 'GlobalLpPool', opset: 18, attributes: { p: spec.p ?? 2 }, indices: false };
    }
  }
  const dilated = spec.dilations.some((v) => v !== 1);
  const common: Record<string, number | readonly number[]> = {
    kernel_shape: [...spec.kernel], strides: [...spec.strides], pads: [...spec.pads], ceil_mode: spec.ceilMode ? 1 : 0,
  };
  switch (spec.kind) {
    case 'max':
      return { opType: 'MaxPool', opset: 22, attributes: { ...common, dilations: [...spec.dilations] }, indices };
    case 'avg':
      return {
        opType: 'AveragePool',
        opset: dilated ? 22 : 18,
        attributes: { ...common, ...(dilated ? { dilations: [...spec.dilations] } : {}), count_include_pad: spec.countIncludePad ? 1 : 0 },
        indices: false,
      };
    case 'lp':
      return { opType: 'LpPool', opset: 22, attributes: { ...common, dilations: [...spec.dilations], p: spec.p ?? 2 }, indices: false };
    case 'sum':
      throw new RangeError('ONNX has no sum pooling');
  }
}

/** Serialises a one-node model: input x (float, fixed NCHW shape) → y (and Indices, int64). */
export function buildModel(proto: OnnxProto, node: OnnxNode, inputShape: readonly number[]): Uint8Array {
  const { onnx } = proto;
  const A = onnx.AttributeProto.AttributeType;
  const T = onnx.TensorProto.DataType;
  const attribute = Object.entries(node.attributes).map(([name, v]) =>
    typeof v === 'number' ? { name, type: A.INT, i: v } : { name, type: A.INTS, ints: [...v] });
  const valueInfo = (name: string, elemType: number, dims?: readonly number[]): unknown => ({
    name,
    type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => ({ dimValue: d })) } } : {}) } },
  });
  const outputs = node.indices ? ['y', 'indices'] : ['y'];
  const model = {
    irVersion: 8,
    producerName: 'poolspec',
    opsetImport: [{ domain: '', version: node.opset }],
    graph: {
      name: `poolspec_${node.opType}`,
      node: [{ name: 'pool', opType: node.opType, input: ['x'], output: outputs, attribute }],
      input: [valueInfo('x', T.FLOAT, inputShape)],
      output: [valueInfo('y', T.FLOAT), ...(node.indices ? [valueInfo('indices', T.INT64)] : [])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Why ORT's CPU kernels (native, or compiled to wasm) cannot compute a (valid) spec as SPEC.md says, or undefined. */
export function onnxUnsupportedReason(spec: PoolSpec, indicesVariant: boolean): string | undefined {
  const d = spec.kernel.length;
  if (spec.kind === 'sum') return 'ONNX has no sum pooling operator (SUM.DEF) — AveragePool × kernel size would be another computation';
  if (indicesVariant && spec.kind !== 'max') return 'the indices variant checks max pooling only';
  if (spec.kind === 'avg' && spec.divisorOverride !== undefined) return 'ONNX AveragePool has no divisor override (AVG.OVERRIDE)';
  if (spec.kind === 'lp' && !Number.isInteger(spec.p)) return `ONNX LpPool's p is an INT attribute (LP.P) — p = ${spec.p} is not an integer`;
  for (let i = 0; i < d; i++) {
    if (spec.pads[i]! >= spec.kernel[i]! || spec.pads[i + d]! >= spec.kernel[i]!) {
      return `ORT CPU requires every pad < kernel_shape ("Pad should be smaller than kernel", onnxruntime core/providers/cpu/nn/pool_attributes.h) — pads ${formatList(spec.pads)}, kernel ${formatList(spec.kernel)}`;
    }
  }
  return undefined;
}

export interface OnnxSessionBackend extends PreparableBackend, ForwardOnlyBackend {
  /** Sessions created so far (cache misses) and currently cached. */
  sessionStats(): { created: number; cached: number };
  /** The ONNX node used for a case (for reports), or the reason it is declined. */
  describe(spec: PoolSpec, inputShape: readonly number[], layout?: Layout): string;
}

export interface OnnxSessionConfig {
  readonly name: string;
  readonly runtime: OrtRuntime;
  readonly proto: OnnxProto;
  /** InferenceSession.create's options (execution providers, optimisation level, threads). */
  readonly sessionOptions: Readonly<Record<string, unknown>>;
  /** Ask the model for MaxPool's `Indices` output and return plane indices. */
  readonly indices: boolean;
  /** Sessions kept (least recently used evicted). */
  readonly cacheSize: number;
  /** Why backward is refused (contains FORWARD_ONLY). */
  readonly backwardReason: string;
  /** Global cases (isGlobalPool) run GlobalMaxPool / GlobalAveragePool / GlobalLpPool instead of the windowed op. */
  readonly globalOps?: boolean;
  /**
   * The highest opset the models may use (default: none). An execution provider registers its kernels for opset
   * ranges; a node above its range is silently assigned to the CPU EP (onnxruntime-web-webgpu.ts).
   */
  readonly maxOpset?: number;
  /** A decline on top of onnxUnsupportedReason (an execution provider's own limits), or undefined. */
  readonly extraReason?: (spec: PoolSpec, inputShape: readonly number[], layout: Layout) => string | undefined;
}

/** What ORT's CPU pooling accepts: max, avg without override, lp with an integer p; every pad below its kernel. No backward. */
export const ORT_CAPABILITIES: PoolingCapabilities = {
  regions: [{ kinds: ['max', 'avg', 'lp'], p: [1, 2, 3], divisorOverride: false, pads: 'below-kernel' }],
  backward: false,
};

/** The indices variant checks max only. */
export const ORT_INDICES_CAPABILITIES: PoolingCapabilities = {
  regions: [{ kinds: ['max'], pads: 'below-kernel' }],
  backward: false,
};

/** A peer backend over one ONNX Runtime build: one cached session per (ONNX node, NCHW input shape). */
export function createOnnxSessionBackend(config: OnnxSessionConfig): OnnxSessionBackend {
  const { name, runtime: ort, proto, indices: withIndices, cacheSize, backwardReason } = config;
  const sessions = new Map<string, Promise<OrtSession>>();
  let created = 0;

  const nodeOf = (spec: PoolSpec, nchw: readonly number[]): OnnxNode => {
    const node = onnxNodeFor(spec, withIndices && spec.kind === 'max', config.globalOps === true ? nchw.slice(2) : undefined);
    return config.maxOpset !== undefined && node.opset > config.maxOpset ? { ...node, opset: config.maxOpset } : node;
  };

  const sessionFor = (spec: PoolSpec, nchw: readonly number[]): Promise<OrtSession> => {
    const node = nodeOf(spec, nchw);
    const key = JSON.stringify([node, nchw]);
    let s = sessions.get(key);
    if (s) {
      sessions.delete(key); // re-insert: most recently used last
      sessions.set(key, s);
      return s;
    }
    created++;
    s = ort.InferenceSession.create(buildModel(proto, node, nchw), { ...config.sessionOptions });
    s.catch(() => sessions.delete(key));
    sessions.set(key, s);
    while (sessions.size > cacheSize) {
      const [oldest, old] = sessions.entries().next().value as [string, Promise<OrtSession>];
      sessions.delete(oldest);
      void old.then((o) => o.release()).catch(() => undefined);
    }
    return s;
  };

  const reasonOf = (spec: PoolSpec, inputShape: readonly number[], layout: Layout): string | undefined =>
    onnxUnsupportedReason(spec, withIndices) ?? config.extraReason?.(spec, inputShape, layout);

  const supports = (spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support => {
    const invalid = validationSupport(spec, inputShape, layout);
    if (invalid) return invalid;
    const reason = reasonOf(spec, inputShape, layout);
    return reason === undefined ? OK : decline(reason);
  };

  const requireSupported = (spec: PoolSpec, g: PoolGeometry): void => {
    const reason = reasonOf(spec, g.inShape, g.layout);
    if (reason !== undefined) throw new BackendError(name, `unsupported: ${reason}`);
  };

  const run = async (spec: PoolSpec, g: PoolGeometry, xc: Float32Array): Promise<Record<string, OrtValue>> => {
    const nchw = shapeIn(g, 'channels_first', 'in');
    let session: OrtSession;
    try {
      session = await sessionFor(spec, nchw);
    } catch (e) {
      throw new BackendError(name, `session creation failed: ${(e as Error).message.split('\n')[0]}`);
    }
    return session.run({ x: new ort.Tensor('float32', xc, nchw) });
  };

  const forward = async (spec: PoolSpec, x: Tensor): Promise<ForwardResult> => {
    const g = validateForward(spec, x);
    requireSupported(spec, g);
    const out = await run(spec, g, dataIn(x, g, 'channels_first'));
    const yv = out.y!;
    const y = fromLibrary(yv.data as Float32Array, yv.dims, 'channels_first', g.layout, f32);
    const result: ForwardResult = { y: { shape: y.shape, data: y.data, layout: g.layout } };
    const iv = out.indices;
    if (iv) {
      // INDEX.ONNX: flat over N·C·spatial (storage_order 0), converted by spec/indices.ts. An index that does not
      // name this output's own (n, c) plane becomes −1, which the verifier reports.
      const raw = iv.data as BigInt64Array;
      const outPlane = iv.dims.slice(2).reduce((a, b) => a * b, 1);
      const q = new Int32Array(raw.length);
      for (let o = 0; o < raw.length; o++) {
        const nc = Math.floor(o / outPlane);
        q[o] = planeIndexOrMinusOne(() => onnxToPlane(Number(raw[o]!), g.batch, g.channels, g.inSpatial), Math.floor(nc / g.channels), nc % g.channels);
      }
      result.indices = fromLibrary(q, iv.dims, 'channels_first', g.layout, i32).data;
    }
    return result;
  };

  const prepare = async (spec: PoolSpec, x: Tensor): Promise<PreparedForward> => {
    const g = validateForward(spec, x);
    requireSupported(spec, g);
    const nchw = shapeIn(g, 'channels_first', 'in');
    const session = await sessionFor(spec, nchw);
    const input = new ort.Tensor('float32', dataIn(x, g, 'channels_first'), nchw);
    const feeds = { x: input };
    return {
      outShape: shapeIn(g, 'channels_first', 'out'),
      async run() {
        if (session.runDiscard) return session.runDiscard(feeds);
        const out = await session.run(feeds);
        for (const v of Object.values(out)) v.dispose?.();
      },
      // The session stays cached; a tensor that lives outside this process (chromium-ort.ts) is let go.
      dispose() { (input as { dispose?: () => void }).dispose?.(); },
    };
  };

  return {
    name,
    capabilities: withIndices ? ORT_INDICES_CAPABILITIES : ORT_CAPABILITIES,
    supports,
    supportsBackward(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): Support {
      const s = supports(spec, inputShape, layout);
      return s.ok ? decline(backwardReason) : s;
    },
    forward,
    async backward(spec: PoolSpec, x: Tensor, dy: Tensor): Promise<Tensor> {
      validateBackward(spec, x, dy);
      throw new BackendError(name, `unsupported: ${backwardReason}`);
    },
    prepare,
    sessionStats: () => ({ created, cached: sessions.size }),
    describe(spec: PoolSpec, inputShape: readonly number[], layout: Layout = 'channels_first'): string {
      const s = supports(spec, inputShape, layout);
      if (!s.ok) return s.reason;
      const g = poolGeometry(spec, inputShape, layout);
      const n = nodeOf(spec, shapeIn(g, 'channels_first', 'in'));
      return `${n.opType}-${n.opset}(${Object.entries(n.attributes).map(([k, v]) => `${k}=${typeof v === 'object' ? formatList(v) : v}`).join(', ')})${n.indices ? ' → Y, Indices' : ''}`;
    },
    async dispose() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.then((o) => o.release()).catch(() => undefined)));
    },
  };
}
