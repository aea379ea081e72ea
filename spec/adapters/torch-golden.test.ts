/**
 * PyTorch's own results, held to the spec through the torch adapter. spec/adapters/golden/torch.json was written by
 * scripts/torch-golden.py with PyTorch 2.11.0+cu130 on an NVIDIA H200 (its header records versions and GPU): for
 * each case, torch.nn.functional.{max,avg,lp}_pool{1,2,3}d on a fixed float32 input, on the CPU and on CUDA, each
 * in the contiguous and the channels-last memory format, with the output, max pooling's indices and the input
 * gradient for a fixed dy. Nothing here is computed by PyTorch at test time: the file is data.
 *
 * Each recorded result is checked against `referenceForward`/`referenceBackward` of the spec that `fromTorch` makes
 * of the same arguments: values against the acceptance sets (ACC.*), indices exactly (ACC.MAX). Where PyTorch
 * departs from the spec, the expectation follows the departure documented in SPEC.md §9 (the last NaN's index; the
 * Lp without |·|), so the test fails if PyTorch's behaviour or the documentation changes. Where PyTorch rejects
 * the arguments, fromTorch must reject them too (ADAPT.TORCH).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PoolSpec, Tensor } from '../contract.js';
import { ValidationError } from '../errors.js';
import { accepts, describeAcceptance, gamma, type Acceptance } from '../interval.js';
import { fromJsonSafe } from '../json-safe.js';
import { referenceBackward } from '../reference/backward.js';
import { ExactSum } from '../reference/exact.js';
import { referenceForward, sumAcceptance } from '../reference/forward.js';
import { fromTorch, type TorchPoolParams } from './torch.js';

interface GoldenRun {
  readonly y?: number[];
  readonly indices?: number[];
  readonly dx?: number[];
  readonly error?: string;
}

interface GoldenCase {
  readonly id: string;
  readonly kind: 'max' | 'avg' | 'lp';
  readonly rank: 1 | 2 | 3;
  readonly kwargs: Record<string, unknown>;
  readonly shape: number[];
  readonly pattern: string;
  readonly x: number[];
  readonly dy: number[] | null;
  readonly runs: Record<string, GoldenRun>;
}

interface GoldenFile {
  readonly schema: string;
  readonly torch: string;
  readonly gpu: string | null;
  readonly cases: GoldenCase[];
}

const golden = fromJsonSafe(JSON.parse(readFileSync(new URL('./golden/torch.json', import.meta.url), 'utf8'))) as GoldenFile;

/**
 * A known PyTorch bug seen in the recorded data, not a convention: CUDA's channels-last max_pool2d (2.11.0+cu130)
 * reports index 0 for a window whose every in-bounds tap is −∞, even where position 0 is not in the window. Its
 * backward gives each input the gradients of the windows that hold it and name it, so such an output's gradient
 * goes to x[0] when its window holds position 0 and is lost otherwise. The CPU kernels and CUDA's contiguous kernel
 * report the first in-bounds tap (MAX.TIES: every tap ties at −∞). Kept as data so that the test notices when
 * PyTorch fixes it.
 */
const CUDA_CHANNELS_LAST_ALL_NEG_INF_INDEX = 0;

/**
 * A second PyTorch bug seen in the recorded data: CUDA's channels-last avg_pool2d backward (2.11.0+cu130) with
 * padding writes each input's gradient pad positions further along both axes: dx[h][w] holds what belongs to
 * dx[h − pad_top][w − pad_left], and the first pad rows and columns hold values that belong to no input (the padded
 * positions' sums). The forward, the contiguous kernels and the 3-D channels-last kernel are right. The check below
 * holds every shifted element to the reference's acceptance set of the element it belongs to; the first pad rows
 * and columns are left unchecked (no input's gradient is defined there).
 */
function shiftedByPads(spec: PoolSpec, shape: readonly number[], acceptance: readonly Acceptance[], got: readonly number[]): string[] {
  const [rows, cols] = [shape[2]!, shape[3]!];
  const [top, left] = [spec.pads[0]!, spec.pads[1]!];
  const out: string[] = [];
  for (let plane = 0; plane < shape[0]! * shape[1]!; plane++) {
    for (let h = top; h < rows; h++) {
      for (let w = left; w < cols; w++) {
        const at = (plane * rows + h) * cols + w;
        const owner = (plane * rows + h - top) * cols + w - left;
        if (!accepts(acceptance[owner]!, got[at]!)) out.push(describeMismatch('dx', at, got[at]!, acceptance[owner]!));
      }
    }
  }
  return out;
}

function tensor(shape: readonly number[], values: readonly number[]): Tensor {
  return { shape: [...shape], data: Float32Array.from(values) };
}

function describeMismatch(what: string, i: number, got: number, a: Acceptance): string {
  return `${what}[${i}] = ${got}, not in ${describeAcceptance(a)}`;
}

/** Every index where `got` falls outside its acceptance set, described (empty when all are accepted). */
function rejected(what: string, got: readonly number[], acceptance: readonly Acceptance[]): string[] {
  expect(got.length).toBe(acceptance.length);
  return got.flatMap((g, i) => (accepts(acceptance[i]!, g) ? [] : [describeMismatch(what, i, g, acceptance[i]!)]));
}

/**
 * The indices PyTorch is documented to report: the spec's (MAX.INDEX, MAX.TIES), except that a window holding
 * several NaNs gives the last one (SPEC.md §9: `val > maxval || isnan(val)` keeps replacing), and the CUDA
 * channels-last bug above.
 */
function torchIndices(spec: PoolSpec, x: Tensor, variant: string): { indices: Int32Array; lostGradient: boolean[] } {
  const ref = referenceForward(spec, x);
  const expected = Int32Array.from(ref.indices!);
  const lostGradient = new Array<boolean>(expected.length).fill(false);
  const plane = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const outPlane = ref.windows.length;
  for (let at = 0; at < expected.length; at++) {
    const base = Math.floor(at / outPlane) * plane;
    const taps = ref.windows[at % outPlane]!.taps;
    const nans = taps.filter((q) => Number.isNaN(x.data[base + q]!));
    if (nans.length > 1) expected[at] = nans[nans.length - 1]!;
    if (variant === 'cuda-channels_last' && taps.every((q) => x.data[base + q] === -Infinity)) {
      expected[at] = CUDA_CHANNELS_LAST_ALL_NEG_INF_INDEX;
      lostGradient[at] = !taps.includes(CUDA_CHANNELS_LAST_ALL_NEG_INF_INDEX);
    }
  }
  return { indices: expected, lostGradient };
}

/** GRAD.MAX with the given per-plane indices: each input's dy terms summed, held to ACC.GRAD (γ_{m−1}). */
function maxGradAcceptance(x: Tensor, dy: Tensor, indices: Int32Array, lostGradient: readonly boolean[]): Acceptance[] {
  const plane = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const outPlane = dy.shape.slice(2).reduce((a, b) => a * b, 1);
  const sums = Array.from({ length: x.data.length }, () => new ExactSum());
  for (let at = 0; at < indices.length; at++) {
    if (!lostGradient[at]) sums[Math.floor(at / outPlane) * plane + indices[at]!]!.add(dy.data[at]!);
  }
  return sums.map((s) => sumAcceptance(s, gamma(s.terms - 1), 0, 1));
}

/** The spec of a sum pool over the same windows: PyTorch's p = 1 Lp pool on signed inputs is the signed sum. */
function asSum(spec: PoolSpec): PoolSpec {
  const sum: PoolSpec = { ...spec, kind: 'sum' };
  delete sum.p;
  return sum;
}

describe(`PyTorch ${golden.torch} golden vectors (${golden.gpu ?? 'CPU only'}) against the spec through fromTorch`, () => {
  it('the file is the expected schema and covers every kind, rank and variant', () => {
    expect(golden.schema).toBe('poolspec-torch-golden/1');
    expect(new Set(golden.cases.map((c) => `${c.kind}${c.rank}`))).toEqual(
      new Set(['max1', 'max2', 'max3', 'avg1', 'avg2', 'avg3', 'lp1', 'lp2']));
    expect(new Set(golden.cases.flatMap((c) => Object.keys(c.runs)))).toEqual(
      new Set(['cpu', 'cpu-channels_last', 'cuda', 'cuda-channels_last']));
  });

  for (const c of golden.cases) {
    const params = { kind: c.kind, rank: c.rank, ...c.kwargs } as unknown as TorchPoolParams;
    for (const [variant, run] of Object.entries(c.runs)) {
      it(`${c.id} · ${variant}`, () => {
        if (run.error !== undefined) {
          // PyTorch refused the arguments: the adapter must refuse them as well, naming PyTorch's rule.
          let caught: unknown;
          try { fromTorch(params, c.shape); } catch (e) { caught = e; }
          expect(caught, `PyTorch: ${run.error}`).toBeInstanceOf(ValidationError);
          expect((caught as ValidationError).rule).toBe('ADAPT.TORCH');
          return;
        }
        const { spec, layout } = fromTorch(params, c.shape);
        expect(layout).toBe('channels_first');
        const x = tensor(c.shape, c.x);
        const ref = referenceForward(spec, x);
        const dy = tensor(ref.geometry.outShape, c.dy!);

        if (c.kind === 'lp' && c.id.endsWith('-signed')) {
          // SPEC.md §9: PyTorch's Lp has no |·|; for p = 1 and K = 2 (exact ×K and /K) it is the signed window sum.
          expect(spec.p).toBe(1);
          const signed = referenceForward(asSum(spec), x);
          expect(rejected('y', run.y!, signed.acceptance)).toEqual([]);
          // …and it really departs from LP.DEF on this input (else the case proves nothing).
          expect(rejected('y', run.y!, ref.acceptance).length).toBeGreaterThan(0);
          return;
        }
        expect(rejected('y', run.y!, ref.acceptance)).toEqual([]);
        if (c.kind === 'max') {
          const { indices, lostGradient } = torchIndices(spec, x, variant);
          expect(run.indices).toEqual(Array.from(indices));
          expect(rejected('dx', run.dx!, maxGradAcceptance(x, dy, indices, lostGradient))).toEqual([]);
        } else if (variant === 'cuda-channels_last' && c.kind === 'avg' && c.rank === 2 && spec.pads.some((q) => q > 0)) {
          const { acceptance } = referenceBackward(spec, x, dy);
          expect(shiftedByPads(spec, c.shape, acceptance, run.dx!)).toEqual([]);
          // …and the gradient really is displaced (else the bug is gone and this branch should go).
          expect(rejected('dx', run.dx!, acceptance).length).toBeGreaterThan(0);
        } else {
          expect(rejected('dx', run.dx!, referenceBackward(spec, x, dy).acceptance)).toEqual([]);
        }
      });
    }
  }
});
