/**
 * The readings of the ecosystem report: each failure's explanation, assigned after the fact from features of its
 * shrunk counterexample (ceil-mode overhang, NaN, rank, kind, padding, which tensor mismatched). The properties
 * find the deviations; this table only explains them, and a counterexample that matches no known cause is
 * 'unclassified' (read as a likely bug).
 */
import type { Layout } from '../spec/contract.js';
import { outputSize, splitShape } from '../spec/geometry.js';
import type { Mismatch } from '../spec/properties/index.js';

export interface Cause {
  /** The short verdict: bug, known bug, convention edge, accuracy defect … with the upstream reference if any. */
  readonly verdict: string;
  /** Why, with the library source files and issues it comes from. */
  readonly text: string;
}

export const CAUSES = {
  'tfjs-avg-grad-divisor': {
    verdict: 'bug (known: pooling-semantics #39; no upstream issue found)',
    text: "tfjs's average-pool gradient kernels give every tap dy/(kh·kw) (tfjs-backend-cpu `AvgPoolGrad.ts`; the wasm `AvgPoolGrad.cc` does the same), while the forward divides by the in-bounds count. With padding the backward is not the derivative of the forward (GRAD.AVG, GRAD.FD). SPEC.md GRAD.AVG and CONVENTIONS.md §3.8 record it as a defect; no convention allows it.",
  },
  'tfjs-grad-drops-rounding': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-core's 2-D gradient registrations (`tfjs-core/src/gradients/MaxPool_grad.ts`, `AvgPool_grad.ts`) call maxPoolGrad / avgPoolGrad with filterSize, strides and pad but not `dimRoundingMode` (the 3-D ones pass it). The backward recomputes the output size by truncation, so the extra window that `'ceil'` added in the forward gets no gradient. No convention explains a backward that disagrees with its own forward.",
  },
  'tfjs-wasm-ceil-uninitialised': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-backend-wasm's MaxPool / AvgPool kernels allocate the output with tfjs's ceil-rounded shape but hand only the pads to XNNPACK, which sizes its output itself with floor rounding (`src/kernels/MaxPool.ts`, `AvgPool.ts` → XNNPACK `max_pooling2d_nhwc` / `average_pooling2d_nhwc`). The last (ceil) window is never written: it holds whatever the wasm heap held (subnormal garbage, values that change between calls → CONTRACT.ISOLATION). tfjs-cpu computes the same case correctly.",
  },
  'xnnpack-nan-clamp': {
    verdict: 'no documented convention (undocumented NaN handling; NaN turned into −∞)',
    text: "XNNPACK's f32 max-pool microkernels reduce a window in a fixed tree of `max` and then clamp to [output_min, output_max] (google/XNNPACK `src/f32-maxpool/maxpool.c.in`); with wasm's pmax, a NaN that reaches the accumulator becomes −∞ at the clamp, and whether it reaches it depends on the tap's position in the tree. tfjs's own wasm test setup skips max_pool_test's \"ignores NaNs\" (\"Actual != expected\", tensorflow/tfjs `tfjs-backend-wasm/src/setup_test.ts`). No §6 policy matches: neither propagate, ignore nor first-only. The average-pool path (`AvgPool.ts` → XNNPACK `average_pooling2d_nhwc`, and tf.pool's dilated cases through it) does the same to a NaN in a window (observed: a 2×1 average of [NaN, 1] → −∞; tfjs-cpu gives NaN, SPECIAL.IEEE).",
  },
  'tfjs-cpu-identity-nan': {
    verdict: 'likely bug (disagrees with its own NaN convention; no upstream issue found)',
    text: "tfjs-backend-cpu's MaxPool kernel (`src/kernels/MaxPool.ts`) returns its input unchanged (an identity) when the filter is 1×1 and the output shape equals the input's; every other case goes through `pool()` (`src/utils/pool_utils.ts`), which ignores NaN (`pixel > minMaxValue` from −∞). A 1×1 window holding NaN then gives NaN where tfjs CPU's own convention (POLICY.NAN 'ignore', the registry policy) gives −∞ (observed: kernel 1, stride 1 over [NaN, 0] → [NaN, 0]). A 1-D kernel-1 case, which the adapter runs as 2-D with a unit axis, is such a 1×1 filter.",
  },
  'tfjs-wasm-fltmin-init': {
    verdict: 'likely bug (no upstream issue found)',
    text: 'The tfjs-backend-wasm max kernels that do not go through XNNPACK — `MaxPool3D.cc`, `MaxPoolWithArgmax.cc`, `MaxPoolGrad.cc`, `MaxPool3DGrad.cc` (tensorflow/tfjs `tfjs-backend-wasm/src/cc/kernels/`) — start each window from `std::numeric_limits<float>::min()`, the smallest *positive* normal float (1.1754943508222875e-38), not −∞, and the argmax ones update on `x >= best`. A window whose values are all ≤ 1.18e-38 (zeros, negatives) returns 1.18e-38 with index 0 (a sentinel where MAX.PAD requires a value of the window), its gradient goes to offset 0 or is lost, and tied maxima route the gradient to the last one (MAX.TIES, GRAD.MAX). The 2-D forward (XNNPACK) is right, so the 2-D forward and backward disagree. Same bug class as microsoft/onnxruntime#319 and uxlfoundation/oneDNN PR #1677.',
  },
  'tfjs-cpu-maxpool3d-grad-position': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-backend-cpu's `maxPool3dPositions` (`src/utils/pool_utils.ts`, used by MaxPool3DGrad) encodes the in-window position as wDepth·fH·fW + wRow·**fH** + wCol, while MaxPool3DGrad decodes it with wRow·**fW**: whenever the filter's height and width differ, the 3-D max gradient goes to the wrong tap or to none (INV.ROUTE: a unit dy reaches no input). It also updates on `>=`, so tied maxima get the gradient at the last tap, where the 2-D `maxPoolPositions` uses `>` (first, tfjs CPU's convention). The forward is right; no convention explains the backward.",
  },
  'tfjs-argmax-neg-inf': {
    verdict: 'edge of its convention (no position for a window of −∞; no upstream issue found)',
    text: "tfjs-backend-cpu's maxPoolWithArgmax takes its indices from `maxPoolPositions` (`src/utils/pool_utils.ts`, via `MaxPoolWithArgmax_impl.ts`), which starts each window at `maxValue = −∞`, `maxPosition = −1` and updates on `pixel > maxValue`: a window whose in-bounds values are all −∞ keeps position −1 and returns it as the index (the value, −∞, is right). MAX.INDEX wants the position of one of the window's taps; padding is never a candidate (MAX.PAD). The same start as tfjs-nan-grad's all-NaN window.",
  },
  'tfjs-webgpu-max-init': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-backend-webgpu's pooling shaders (`src/pool_webgpu.ts`, Pool2DProgram and Pool3DProgram) start each max window from `-1.0 / pow(10.0, -20.0)`, about −1e20, not −∞. A window whose values are all below −1e20 (−1e30, −FLT_MAX, −∞) returns −1e20, a value of no tap (MAX.SELECT, MAX.PAD, MAX.INF). Global windows on batch 1 take a reduction instead (`src/kernels/Pool_impl.ts`) and are right.",
  },
  'tfjs-webgpu-max-flushes-subnormals': {
    verdict: 'edge of WGSL (subnormals flushed in a comparison-only op)',
    text: "The same shaders reduce with WGSL `max(value, resultValue)`; a device that flushes subnormals (WGSL allows it, SwiftShader and lavapipe do) makes max(0, 2^−149) return 0. POLICY.SUBNORMALS 'flush' widens the arithmetic clauses, but ACC.MAX stays exact (max needs only comparisons, which a kernel can make on the bits), so this is a deviation of the shader's choice of `max()`, not of the device.",
  },
  'tfjs-webgpu-maxpool3d-grad-position': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-backend-webgpu's 3-D max positions (`src/pool_webgpu.ts`, Pool3DProgram with computePositions) encode the in-window position as wD·**fH·fH** + wR·fW + wC, while MaxPool3DBackpropProgram (`src/max_pool_backprop_webgpu.ts`) decodes wD·**fH·fW** + wR·fW + wC: whenever the filter's height and width differ, a gradient from a later depth slice goes to the wrong tap or to none (INV.ROUTE: a unit dy reaches no input). The same class of slip as tfjs-cpu's `maxPool3dPositions`, in another factor.",
  },
  'tfjs-webgpu-grad-last-tie': {
    verdict: 'no documented convention (the gradient keeps the last tie)',
    text: "tfjs-backend-webgpu's max gradient takes positions from the pooling shader with `computePositions` (`src/pool_webgpu.ts`), which updates on `value >= currMaxValue`: tied maxima send dy to the last tap, where MAX.TIES (and tfjs-cpu's 2-D `maxPoolPositions`, `>`) pick the first. The forward returns the tie's value through WGSL max(), which says nothing about which tap, so forward and backward have no common convention.",
  },
  'tfjs-nan-grad': {
    verdict: 'edge of the convention (POLICY.NAN ignore)',
    text: "tfjs CPU ignores NaN (its convention), and its backward finds no position for an all-NaN window (maxPoolPositions starts at −∞ with `>`, leaving −1), so that window's dy is dropped; POLICY.NAN 'ignore' routes it to the window's first tap, like the forward's −∞ result does.",
  },
  'ort-max-nan': {
    verdict: 'no documented convention (NaN replaced by a finite sentinel)',
    text: "The registry policy 'first-only' documents ORT's index-producing loop (`pool_functors.h`: `x > y` from the first in-bounds tap), and the `onnxruntime+indices` row, which asks for the Indices output, passes under it. Without the Indices output and with unit dilations — the inference graph — ORT's MaxPool runs its MLAS pooling kernel instead (`core/providers/cpu/nn/pool.cc` → MlasPool), and that path drops or keeps a NaN by its position in the window (observed: window [NaN, 2, 4, 5] → 5, window [1, NaN, 4, 5] → NaN), and a window of only NaN returns −3.4028234663852886e38, `lowest()` (the same −FLT_MAX as TF's tensorflow/tensorflow#2501); so does a window of only −∞ (observed: [−∞] → −3.4028234663852886e38), since the scan starts from `lowest()`. No §6 policy describes it, MAX.PAD forbids the sentinel, and the two ORT paths disagree with each other.",
  },
  'ort-lp-root-exponent': {
    verdict: 'accuracy defect (no convention; small)',
    text: "ORT's LpPool takes the root as `std::pow(y, 1.0f / p)` (`pool_base.h`, `LpPool::Finalize`): 1/p rounded to float32 multiplies the result by s^(fl(1/p) − 1/p), a relative error of about |ln s|·|fl(1/p) − 1/p| (≈ 9e-7 for p = 3 at s ≈ 1e-40), beyond ACC.LP's 2^−22 for the root. SPEC.md LP.P says 1/p's rounding is part of the root's accuracy, so this is ORT's error, not a convention.",
  },
  'ort-cip-ceil-divisor': {
    verdict: 'known bug (microsoft/onnxruntime#16203)',
    text: 'With count_include_pad and ceil_mode, ORT divides the overhang window by the full kernel instead of the taps inside input + padding (AVG.DIVISOR; microsoft/onnxruntime#16203, onnx/onnx#5276).',
  },
  'ort-max-last-tie': {
    verdict: 'no documented convention (ties kept at the last tap; seen on ±0)',
    text: "Without the Indices output ORT's MaxPool runs its MLAS kernel (`core/providers/cpu/nn/pool.cc` → MlasPool), and that path keeps the last of equal taps in a window's scan order, which the values show only on ±0 (observed with onnxruntime-node 1.30: 2×2 windows [0, 0, 0, −0] → −0 and [−0, 0, 0, 0] → 0; 1×2 windows [0, −0] → −0 and [−0, 0] → 0). MAX.TIES wants the first tap's value, and ORT's Indices path (`pool_functors.h`, `x > y`) keeps the first, so the two ORT paths disagree. POLICY.TIES 'last' would describe the MLAS path's values, but ORT documents neither.",
  },
  'ort-ceil-start-inside': {
    verdict: 'known divergence (no start-inside rule; microsoft/onnxruntime PR #18377)',
    text: 'ORT computes the ceil-mode output size without the start-inside rule (SHAPE.CEIL; `pool_attributes.h`, port of onnx/onnx PR #5741 open as microsoft/onnxruntime PR #18377).',
  },
  'ort-webgpu-max-lowest': {
    verdict: 'no documented convention (NaN dropped; a window of only −∞ gives −FLT_MAX)',
    text: "ONNX Runtime Web's WebGPU pooling shader (`onnxruntime/core/providers/webgpu/nn/pool.cc`, PoolProgram) starts a max window from −FLT_MAX and reduces with WGSL `max()`. Observed with 1.30 in headless Chromium on SwiftShader: a NaN tap is dropped wherever it sits ([NaN, 1] → 1; a one-tap window [NaN] → −FLT_MAX), and a window of only −∞ returns −FLT_MAX, a value of no tap (MAX.NAN, MAX.SELECT, MAX.INF). No §6 policy describes it: 'ignore' would give −∞ for both.",
  },
  'ort-webgpu-max-flushes-subnormals': {
    verdict: 'edge of WGSL (subnormals flushed in a comparison-only op)',
    text: "The same shader's `max()` on a device that flushes subnormals (WGSL allows it; SwiftShader does) returns 0 for a window holding 2^−149 and zeros: observed, a one-tap window [2^−149] → 0. POLICY.SUBNORMALS 'flush' widens the arithmetic clauses, but ACC.MAX stays exact (max needs only comparisons), so this is the shader's choice of `max()`, not the device's.",
  },
  'ort-webgpu-max-last-tie': {
    verdict: 'no documented convention (the last of equal taps: ±0)',
    text: "The WebGPU pooling shader keeps the last of equal taps, which the values show only on ±0 (observed with 1.30 in Chromium: 1×2 windows [−0, 0] → 0 and [0, −0] → −0). MAX.TIES wants the first tap's bits; WGSL's `max()` leaves the choice between equal operands open.",
  },
  unclassified: {
    verdict: 'no documented convention explains this → likely bug',
    text: 'No documented convention or known issue matches this counterexample; read it and the replay.',
  },
} as const satisfies Record<string, Cause>;

export type CauseId = keyof typeof CAUSES;

/** The features of a shrunk counterexample the readings look at; the case is JSON-safe (spec/verifier toJsonSafe). */
export interface CaseView {
  readonly kind: string;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly shape: readonly number[];
  readonly layout: Layout;
  /** x's values, NaN and −0 restored. */
  readonly values: readonly number[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const numbers = (v: unknown): number[] | undefined => (Array.isArray(v) && (v as unknown[]).every((x): x is number => typeof x === 'number') ? v : undefined);
/** toJsonSafe writes NaN, ±Infinity and −0 as strings. */
const fromJsonSafe = (v: unknown): number => (v === '-0' ? -0 : typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN);

/** The pooling case inside a counterexample (the case itself, or the first member of a tuple); undefined if none. */
export function caseView(counterexample: unknown): CaseView | undefined {
  const c = Array.isArray(counterexample) ? (counterexample as unknown[])[0] : counterexample;
  if (!isObj(c) || !isObj(c['spec']) || !isObj(c['x'])) return undefined;
  const s = c['spec'];
  const x = c['x'];
  const kernel = numbers(s['kernel']);
  const strides = numbers(s['strides']);
  const dilations = numbers(s['dilations']);
  const pads = numbers(s['pads']);
  const shape = numbers(x['shape']);
  if (!kernel || !strides || !dilations || !pads || !shape || typeof s['kind'] !== 'string') return undefined;
  // The data is { Float32Array: [...] } (toJsonSafe names the typed array's class).
  const data = isObj(x['data']) ? Object.values(x['data'])[0] : undefined;
  return {
    kind: s['kind'], kernel, strides, dilations, pads, shape,
    ceilMode: s['ceilMode'] === true,
    countIncludePad: s['countIncludePad'] === true,
    layout: x['layout'] === 'channels_last' ? 'channels_last' : 'channels_first',
    values: Array.isArray(data) ? data.map(fromJsonSafe) : [],
  };
}

/** Whether ceil mode gives an axis more windows than floor mode would (SHAPE.CEIL: an overhang window exists). */
export function ceilOverhang(c: CaseView): boolean {
  if (!c.ceilMode) return false;
  const d = c.kernel.length;
  return splitShape(c.shape, c.layout).spatial.some((size, i) => {
    const args = [size, c.kernel[i]!, c.strides[i]!, c.dilations[i]!, c.pads[i]!, c.pads[i + d]!] as const;
    return outputSize(...args, true) > outputSize(...args, false);
  });
}

/** The smallest positive normal float32: tfjs-wasm's non-XNNPACK max kernels start each window from it. */
const FLT_MIN = 1.1754943508222875e-38;
/** The largest finite float32: MLAS's lowest() is its negative. */
const FLT_MAX = (2 - 2 ** -23) * 2 ** 127;

/** What classify needs of a failing property outcome. */
export interface FailureView {
  readonly message: string;
  readonly mismatch?: Mismatch;
  readonly counterexample: unknown;
}

/** What classify needs of a row: the library (a variant's `of`) and whether it is an index variant. */
export interface RowView {
  readonly name: string;
  readonly of?: string;
  readonly role: string;
}

export function classify(row: RowView, f: FailureView): CauseId {
  const c = caseView(f.counterexample);
  if (!c) return 'unclassified';
  const grad = f.mismatch?.tensor === 'dx' || /\bdx\b|gradient|backward\(/.test(f.message);
  const rank = c.kernel.length;
  const hasNaN = c.values.some((v) => Number.isNaN(v));
  const padded = c.pads.some((v) => v > 0);
  const lib = row.of ?? row.name;
  if (lib.startsWith('tfjs-')) {
    const wasm = lib === 'tfjs-wasm';
    const cpu = lib === 'tfjs-cpu';
    if (wasm && ceilOverhang(c) && !grad) return 'tfjs-wasm-ceil-uninitialised';
    // 1-D runs as 2-D with a unit axis (kernels/peers/rank-lift.ts), through the same 2-D gradients.
    if (ceilOverhang(c) && grad && rank <= 2) return 'tfjs-grad-drops-rounding';
    if (c.kind === 'avg' && grad && padded) return 'tfjs-avg-grad-divisor';
    // The wasm kernels that call XNNPACK: 2-D, and 1-D run as 2-D with a unit axis (kernels/peers/rank-lift.ts).
    const xnnpack = rank <= 2 && row.role !== 'index variant';
    if (wasm && (c.kind === 'max' || c.kind === 'avg') && hasNaN && !grad && xnnpack) return 'xnnpack-nan-clamp';
    const identity = c.kernel.every((k) => k === 1) && c.strides.every((v) => v === 1) && !padded;
    if (cpu && c.kind === 'max' && hasNaN && !grad && rank <= 2 && identity) return 'tfjs-cpu-identity-nan';
    if (wasm && c.kind === 'max' && (grad || (!xnnpack && c.values.some((v) => v <= FLT_MIN || Number.isNaN(v))))) return 'tfjs-wasm-fltmin-init';
    if (cpu && c.kind === 'max' && rank === 3 && grad) return 'tfjs-cpu-maxpool3d-grad-position';
    if (cpu && c.kind === 'max' && hasNaN && grad) return 'tfjs-nan-grad';
    const noPosition = f.mismatch?.tensor === 'indices' && Number(f.mismatch.got) === -1 && c.values.includes(-Infinity);
    if (cpu && row.role === 'index variant' && c.kind === 'max' && noPosition) return 'tfjs-argmax-neg-inf';
    if (lib === 'tfjs-webgpu' && c.kind === 'max') {
      const got = Number(f.mismatch?.got);
      if (!grad && c.values.some((v) => v < -1e20) && Math.abs(got / -1e20 - 1) < 1e-5) return 'tfjs-webgpu-max-init';
      if (!grad && got === 0 && c.values.some((v) => v !== 0 && Math.abs(v) < FLT_MIN)) return 'tfjs-webgpu-max-flushes-subnormals';
      if (grad && rank === 3 && c.kernel[1] !== c.kernel[2]) return 'tfjs-webgpu-maxpool3d-grad-position';
      if (grad && new Set(c.values).size < c.values.length) return 'tfjs-webgpu-grad-last-tie';
    }
  }
  if (lib === 'onnxruntime-web-webgpu' && c.kind === 'max' && !grad && f.mismatch) {
    const got = Number(f.mismatch.got);
    if (hasNaN || (got === -FLT_MAX && c.values.includes(-Infinity))) return 'ort-webgpu-max-lowest';
    if (got === 0 && c.values.some((v) => v !== 0 && Math.abs(v) < FLT_MIN)) return 'ort-webgpu-max-flushes-subnormals';
    if (got === 0 && c.values.some((v) => Object.is(v, -0)) && c.values.some((v) => Object.is(v, 0))) return 'ort-webgpu-max-last-tie';
  }
  // onnxruntime-web's wasm EP runs the same CPU kernels (MLAS included), compiled to WebAssembly.
  if (lib === 'onnxruntime' || lib === 'onnxruntime-web') {
    // MLAS starts its max scan from lowest() = −FLT_MAX: a NaN or a window of only −∞ comes out as that value.
    const lowest = f.mismatch !== undefined && Number(f.mismatch.got) === -FLT_MAX && c.values.includes(-Infinity);
    if (c.kind === 'max' && (hasNaN || lowest)) return 'ort-max-nan';
    if (c.kind === 'lp' && f.mismatch) {
      // A result within 1e-4 relative of the exact value: the root's exponent, not a wrong window.
      const exact = Number(/exact ([-+\d.e]+)/.exec(f.message)?.[1]);
      const got = Number(f.mismatch.got);
      if (Number.isFinite(exact) && exact !== 0 && Math.abs(got - exact) / Math.abs(exact) < 1e-4) return 'ort-lp-root-exponent';
    }
    // Two zeros that compare equal but differ in sign: only a tie rule picks between them.
    // compareAll writes "exactly -0", compareExact "-0".
    const zeroTie = f.mismatch !== undefined && Number(f.mismatch.got) === 0 && Number(f.mismatch.expected.replace(/^exactly /, '')) === 0;
    if (c.kind === 'max' && zeroTie && c.values.some((v) => Object.is(v, -0)) && c.values.some((v) => Object.is(v, 0))) return 'ort-max-last-tie';
    if (c.kind === 'avg' && c.countIncludePad && ceilOverhang(c)) return 'ort-cip-ceil-divisor';
    if (c.ceilMode && /output shape/.test(f.message)) return 'ort-ceil-start-inside';
  }
  return 'unclassified';
}
