/**
 * The backend contract: the public, stable surface that every kernel (built-in or a user's) implements.
 *
 * Semantics live in spec/SPEC.md; the clause IDs quoted below (e.g. SHAPE.CEIL) point there.
 * Keep this file free of logic so that a backend written outside the project needs nothing but these shapes.
 */

/** The pooling reductions. A discriminant: later kinds (adaptive, RoI, ...) extend this union. */
export type PoolKind = 'max' | 'avg' | 'sum' | 'lp';

export const POOL_KINDS: readonly PoolKind[] = ['max', 'avg', 'sum', 'lp'];

/** The canonical pooling spec (SPEC.md §PARAM). Framework conventions are converted into it by spec/adapters. */
export interface PoolSpec {
  kind: PoolKind;
  /** Window extent per spatial axis; the spatial rank d = kernel.length, 1..3. */
  kernel: number[];
  /** Step per spatial axis, length d. */
  strides: number[];
  /** Tap spacing per spatial axis, length d (1 = dense window). */
  dilations: number[];
  /** Implicit padding, length 2d, ONNX order [begin_1..begin_d, end_1..end_d]. */
  pads: number[];
  /** SHAPE.CEIL: round the output size up, dropping a last window that would start in the end padding. */
  ceilMode: boolean;
  /** AVG.DIVISOR: whether padded taps (inside the explicit padding) count in the divisor. avg only. */
  countIncludePad: boolean;
  /** AVG.OVERRIDE: a fixed divisor replacing the count. avg only. */
  divisorOverride?: number;
  /** LP.DEF: the exponent, finite and > 0. lp only. */
  p?: number;
}

export type Layout = 'channels_first' | 'channels_last';

/** A dense float32 tensor: [N, C, ...spatial] (channels_first, the default) or [N, ...spatial, C]. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
  layout?: Layout;
}

export interface ForwardResult {
  y: Tensor;
  /** max only (MAX.INDEX): per output element, the flat row-major index into the input's spatial plane of (n, c). */
  indices?: Int32Array;
}

export type Support = { ok: true } | { ok: false; reason: string };

export interface PoolingBackend {
  readonly name: string;
  /**
   * Whether the backend computes this case; a declined case is reported as unsupported, never as passed.
   * `layout` (optional, default channels_first) says how to read inputShape; backends may ignore it.
   */
  supports(spec: PoolSpec, inputShape: readonly number[], layout?: Layout): Support;
  forward(spec: PoolSpec, x: Tensor): Promise<ForwardResult>;
  /** dL/dx given dL/dy (GRAD.*); dy has the forward output's shape and layout. */
  backward(spec: PoolSpec, x: Tensor, dy: Tensor): Promise<Tensor>;
  dispose?(): Promise<void>;
}

/** What a backend module may default-export (CLI `--backend PATH`). */
export type BackendModuleExport =
  | PoolingBackend
  | (() => PoolingBackend | Promise<PoolingBackend>);
