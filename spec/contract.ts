/**
 * The backend contract: the public, stable surface that every kernel (built-in or a user's) implements.
 *
 * Semantics live in spec/SPEC.md; the clause IDs quoted below (e.g. SHAPE.CEIL) point there.
 * Keep this file free of logic so that a backend written outside the project needs nothing but these shapes.
 */

/** The sliding-window reductions (SPEC.md §3). The spec's `kind` is a discriminant: see AnyPoolSpec. */
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

/**
 * Structured pooling (SPEC.md §10): output-size-driven and box-driven kinds beyond the sliding window.
 * Their specs carry their extra inputs (boxes, indices), so forward(spec, x) and backward(spec, x, dy) keep
 * their shapes.
 */
export type StructuredKind = 'adaptive_max' | 'adaptive_avg' | 'roi_max' | 'spp' | 'max_unpool';

export const STRUCTURED_KINDS: readonly StructuredKind[] = ['adaptive_max', 'adaptive_avg', 'roi_max', 'spp', 'max_unpool'];

/** ADAPTIVE.WINDOW: output i of an axis pools [⌊i·IN/OUT⌋, ⌈(i+1)·IN/OUT⌉). Output [N, C, ...outputSize]. */
export interface AdaptivePoolSpec {
  kind: 'adaptive_max' | 'adaptive_avg';
  /** Output extent per spatial axis; the spatial rank is its length, 1..3. */
  outputSize: number[];
}

/**
 * ROI.*: Fast R-CNN RoI max pooling over a rank-2 map. Output [K, C, PH, PW] (channels_last: [K, PH, PW, C]);
 * indices are per (box, c) into the input plane of the box's batch element, −1 for an empty bin.
 */
export interface RoiPoolSpec {
  kind: 'roi_max';
  /** [PH, PW]. */
  pooledSize: number[];
  /** Box corners are multiplied by this before rounding (feature-map stride⁻¹). */
  spatialScale: number;
  /** One [batchIndex, x1, y1, x2, y2] per box, in input-image coordinates. */
  boxes: number[][];
}

/**
 * SPP.*: spatial pyramid pooling (He et al., SPP-net): one adaptive pool per level, each flattened and all
 * concatenated. Output [N, F], F = C · Σ_levels Π(level), features ordered by level, channel, bin (row-major)
 * whatever the input layout.
 */
export interface SppSpec {
  kind: 'spp';
  mode: 'max' | 'avg';
  /** Per level, the output size per spatial axis (e.g. [[1, 1], [2, 2], [4, 4]]). */
  levels: number[][];
}

/**
 * UNPOOL.*: max unpooling. x holds pooled values [N, C, ...in]; `indices` (same length, layout and order as x)
 * are per-plane indices into the output plane (MAX.INDEX's convention). Output [N, C, ...out], zeros elsewhere.
 */
export interface MaxUnpoolSpec {
  kind: 'max_unpool';
  kernel: number[];
  strides: number[];
  /** Length 2d, [begin..., end...]. */
  pads: number[];
  indices: Int32Array;
  /** Output extents; default (in − 1)·stride − padBegin − padEnd + kernel per axis. */
  outputSize?: number[];
}

export type StructuredSpec = AdaptivePoolSpec | RoiPoolSpec | SppSpec | MaxUnpoolSpec;

/** Every spec a backend may be given; `kind` discriminates. */
export type AnyPoolSpec = PoolSpec | StructuredSpec;

/**
 * The structured half of a backend (SPEC.md §10), an optional member of PoolingBackend: a backend without it
 * is only ever given the sliding-window kinds, so backends written before §10 keep working unchanged.
 */
export interface StructuredPoolingBackend {
  /** The structured kinds implemented; the verifier sends only these. */
  readonly kinds: readonly StructuredKind[];
  supports(spec: StructuredSpec, inputShape: readonly number[], layout?: Layout): Support;
  forward(spec: StructuredSpec, x: Tensor): Promise<ForwardResult>;
  backward(spec: StructuredSpec, x: Tensor, dy: Tensor): Promise<Tensor>;
}

export interface PoolingBackend {
  readonly name: string;
  /** Structured pooling (SPEC.md §10), where implemented. */
  readonly structured?: StructuredPoolingBackend;
  /** What the backend computes, where declared (PoolingCapabilities): the verifier draws mostly such cases. */
  readonly capabilities?: PoolingCapabilities;
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

/*
 * Optional members beyond the contract. The verifier never needs them; the benchmark and the reports use them
 * when present (duck-typed through spec/extensions.ts), and a backend without them keeps working unchanged.
 */

export type Direction = 'forward' | 'backward';

/** A forward call split into setup and the op alone (PreparableBackend.prepare). */
export interface PreparedForward {
  /** The output shape in the backend's own layout (NHWC for tfjs, NCHW for ONNX Runtime). */
  readonly outShape: readonly number[];
  /** Runs the op once on the prepared input and leaves the output where the backend keeps it. */
  run(): void | Promise<void>;
  /** Frees what prepare() allocated. */
  dispose(): void | Promise<void>;
}

/** A backend (the peers) that can split a forward into setup (layout conversion, tensors, sessions) and the op. */
export interface PreparableBackend extends PoolingBackend {
  prepare(spec: PoolSpec, x: Tensor): Promise<PreparedForward>;
}

/**
 * A forward-only backend (an inference runtime) says so through supportsBackward; its backward() then rejects
 * with a BackendError whose message contains FORWARD_ONLY (spec/extensions.ts).
 */
export interface ForwardOnlyBackend extends PoolingBackend {
  supportsBackward(spec: PoolSpec, inputShape: readonly number[], layout?: Layout): Support;
}

/** Inputs uploaded once (ResidentBackend.resident); run() is the dispatches and the wait for them alone. */
export interface ResidentCase {
  run(): Promise<void>;
  release(): void;
}

/** A backend with its own device memory (webgpu): its kernels can be timed without upload or readback. */
export interface ResidentBackend extends PoolingBackend {
  resident(spec: PoolSpec, x: Tensor, direction: Direction, dy?: Tensor): Promise<ResidentCase>;
}

/** Timings of a device-side copy: `passesMs[i]` is one pass that moved `bytesPerPass` bytes. */
export interface DeviceCopyPasses {
  readonly method: string;
  readonly bufferBytes: number;
  readonly bytesPerPass: number;
  readonly passesMs: readonly number[];
}

/** A backend on a device of its own (a GPU): named in the bench results, its copy bandwidth the reference. */
export interface DeviceBackend extends PoolingBackend {
  /** The device in one line, e.g. "google swiftshader (SwiftShader driver 5.0.0), software adapter". */
  describeDevice(): Promise<string>;
  /** The device's own copy bandwidth, `trials` passes over buffers of `bufferBytes`. */
  measureCopy(bufferBytes: number, trials: number): Promise<DeviceCopyPasses>;
}

/** Outputs a caller provides to a plan: written in place, so a call allocates nothing (SPEC.md CONTRACT.PLAN). */
export interface ForwardOut {
  /** The forward output, exactly as many elements as the plan's outShape. */
  y: Float32Array;
  /** max only, and only when the plan wants indices: one per output element (MAX.INDEX). */
  indices?: Int32Array;
}

export interface PoolPlanOptions {
  /**
   * max only: whether the caller wants indices (default true). With false the backend may skip computing them
   * (a values-only kernel); forward() then leaves `out.indices` untouched.
   */
  indices?: boolean;
}

/**
 * One case fixed once (spec, input shape, layout): validated and laid out at plan time, then run as often as
 * needed into caller-provided arrays. Every element of the given outputs is written on every call; nothing of an
 * earlier call may show through (CONTRACT.PLAN).
 */
export interface PoolPlan {
  /** The output shape, in the plan's layout. */
  readonly outShape: readonly number[];
  forward(x: Tensor, out: ForwardOut): Promise<void>;
  /** dL/dx into `dx` (x's element count). */
  backward(x: Tensor, dy: Tensor, dx: Float32Array): Promise<void>;
  dispose(): void | Promise<void>;
}

/** A backend whose calls can run without allocating their outputs (the wasm backend, the naive reference). */
export interface PlanningBackend extends PoolingBackend {
  /** Rejects with a typed error for an invalid or unsupported case, as forward() would. */
  plan(spec: PoolSpec, inputShape: readonly number[], layout?: Layout, options?: PoolPlanOptions): Promise<PoolPlan>;
}

/*
 * Capabilities: an optional, declarative description of the cases a backend computes. The verifier's generators
 * draw most cases from it (spec/arbitraries/spec.ts), so a backend that declines most of the case space still
 * gets its `--runs` cases checked; a fixed share of draws ignores it, so supports() itself stays tested. It is a
 * hint, never a verdict: supports() has the last word on every case, and a case the description admits but
 * supports() declines is simply drawn again (within the skip budget, spec/verifier.ts).
 */

/**
 * One region of the case space: every field narrows, an absent field does not (the whole range is drawn). A
 * region should hold mostly supported cases; it need not hold only those.
 */
export interface CapabilityRegion {
  /** Kinds computed (default all of POOL_KINDS). */
  readonly kinds?: readonly PoolKind[];
  /** Spatial ranks computed, among 1..3 (default all). */
  readonly ranks?: readonly number[];
  /** Input layouts accepted (default both). */
  readonly layouts?: readonly Layout[];
  /** false: floor mode only (SHAPE.OUT); absent or true: both roundings. */
  readonly ceilMode?: boolean;
  /** false: every dilation 1; absent or true: dilated windows too. */
  readonly dilation?: boolean;
  /** false: avg with countIncludePad = false only; absent or true: both divisor rules (AVG.DIVISOR). */
  readonly countIncludePad?: boolean;
  /** false: no divisorOverride (AVG.OVERRIDE); absent or true: overrides too. */
  readonly divisorOverride?: boolean;
  /** The Lp exponents computed (LP.DEF), e.g. [1, 2, 3] for an integer attribute; default the generator's set. */
  readonly p?: readonly number[];
  /**
   * Implicit padding: 'none' (all zero), 'below-kernel' (every pad < its kernel extent), 'uniform' (one value for
   * all 2d pads), 'any' (default: anything WINDOW.FITS and WINDOW.NONEMPTY allow).
   */
  readonly pads?: 'none' | 'below-kernel' | 'uniform' | 'any';
  /** true: every stride is 1. */
  readonly unitStrides?: boolean;
  /** true: kernel and stride are the same on every axis (a cubic window). */
  readonly uniformWindow?: boolean;
}

/** What a backend computes (PoolingBackend.capabilities). */
export interface PoolingCapabilities {
  /**
   * The regions, one picked per narrowed draw (uniformly among those that fit the property); several regions
   * describe a backend whose limits depend on each other (e.g. dilation only at rank 2 with unit strides).
   * Absent or empty: the sliding-window case space is not narrowed.
   */
  readonly regions?: readonly CapabilityRegion[];
  /**
   * false: backward() is not implemented for any case (an inference runtime). Every property that calls
   * backward() is then n/a at once, without drawing a case (SPEC.md PROP.VERDICT). Default true.
   */
  readonly backward?: boolean;
}

/*
 * Research kinds and user-defined reducers (SPEC.md §11). A sliding-window reducer beyond max/avg/sum/lp is
 * declared once as a ReducerDeclaration (spec/reducer.ts): the built-in research kinds are declared with that
 * same type, so one machinery (reference, acceptance sets, properties) serves both. Backends implement them
 * through the optional `reducers` member of PoolingBackend, as with `structured`: a backend without it is never
 * given these kinds, keeps working unchanged, and is reported unsupported for them.
 */

/** The built-in research kinds: generalized mean, SoftPool, log-sum-exp, lower median, mixed max/avg. */
export type ResearchKind = 'gem' | 'softpool' | 'lse' | 'median' | 'mixed';

export const RESEARCH_KINDS: readonly ResearchKind[] = ['gem', 'softpool', 'lse', 'median', 'mixed'];

/**
 * Stochastic pooling (STOCH.*), a reducer kind beside ResearchKind (its training mode depends on the output's
 * position, so it is not a plain window reducer): params `training` (0 or 1) and `seed` (an integer in
 * [0, 2^24 − 1]). In training mode forward() also returns `indices`, the selected taps (MAX.INDEX's convention).
 */
export const STOCHASTIC_KIND = 'stochastic';

/**
 * A sliding-window spec for a declared reducer (REDUCER.SPEC): the window geometry of PoolSpec (§1, §2; padding
 * never contributes a tap), the reducer's name as `kind`, and its parameters by name in `params` (gem: p;
 * lse: r; mixed: lambda; stochastic: training, seed; softpool and median: none). `countIncludePad` and
 * `divisorOverride` do not exist here.
 */
export interface ReducerPoolSpec {
  /** A ResearchKind or the name of a user's declaration. */
  kind: string;
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Length 2d, ONNX order [begin..., end...]. */
  pads: number[];
  ceilMode: boolean;
  /** The declaration's parameters, each a finite float32 in its declared domain; absent = none. */
  params?: Readonly<Record<string, number>>;
}

/**
 * The reducer half of a backend, an optional member of PoolingBackend (`reducers`). `kinds` lists the research
 * kinds and declared reducer names it implements; the verifier sends only these. A user module exports the
 * declarations of its own reducers beside its backend (`export const reducers = [...]`, SPEC.md REDUCER.MODULE).
 */
export interface ReducerPoolingBackend {
  readonly kinds: readonly string[];
  supports(spec: ReducerPoolSpec, inputShape: readonly number[], layout?: Layout): Support;
  /** y has the shape of §2 for the spec's geometry; `indices` only for stochastic training (STOCH.INDEX). */
  forward(spec: ReducerPoolSpec, x: Tensor): Promise<ForwardResult>;
  backward(spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Promise<Tensor>;
}

/** A backend that implements reducers (duck-typed by spec/extensions.ts: isReducing). */
export interface ReducingBackend extends PoolingBackend {
  readonly reducers: ReducerPoolingBackend;
}

/*
 * Global statistics pooling (SPEC.md STATS.*): per (n, c) the mean and the standard deviation over every spatial
 * position, output [N, 2C]. Its output shape is not §2's, so it has its own optional member (`statistics`), as
 * `structured` and `reducers`: a backend without it is never given the kind and is reported unsupported.
 */

/** STATS.SPEC: no parameters. Output [N, 2C], features the C means then the C standard deviations, any layout. */
export interface StatsPoolSpec {
  kind: 'stats';
}

/** The statistics half of a backend, an optional member of PoolingBackend (`statistics`). */
export interface StatsPoolingBackend {
  readonly kinds: readonly 'stats'[];
  supports(spec: StatsPoolSpec, inputShape: readonly number[], layout?: Layout): Support;
  /** y: [N, 2C] (no layout of its own: channels_first is the only one a rank-2 tensor has). */
  forward(spec: StatsPoolSpec, x: Tensor): Promise<ForwardResult>;
  /** dy: [N, 2C]; dx has x's shape and layout (STATS.GRAD). */
  backward(spec: StatsPoolSpec, x: Tensor, dy: Tensor): Promise<Tensor>;
}

/** A backend that implements statistics pooling (duck-typed by spec/extensions.ts: isStatistical). */
export interface StatisticalBackend extends PoolingBackend {
  readonly statistics: StatsPoolingBackend;
}
