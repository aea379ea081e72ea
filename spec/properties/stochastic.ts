/**
 * Stochastic pooling's training mode (SPEC.md STOCH.*): the selections checked to the bit against the reference
 * (reducer.stochastic.select), the gradient routed to them (reducer.stochastic.route), and the selection
 * frequencies against the probabilities over a fixed set of seeds (reducer.stochastic.frequency, STOCH.FREQ).
 * The inference mode gets the ordinary reducer properties from its declaration (spec/reducers/stochastic.ts).
 */
import fc from 'fast-check';
import type { PoolingBackend, ReducerPoolSpec, Tensor } from '../contract.js';
import { poolGeometry } from '../geometry.js';
import { reducerCaseArbitrary, type ReducerCase } from '../arbitraries/reducer.js';
import { MAX_SEED, STOCHASTIC } from '../reducers/stochastic.js';
import { referenceStochasticGradient, referenceStochasticSelection } from '../reference/stochastic.js';
import { reducerGeometrySpec } from '../validate-reducer.js';
import {
  PASS, VerdictSignal, bounded, cloneTensor, compareAll, compareExact, describeError, dxShapeFailure, fail, verdictOf, type Property,
  type Verdict,
} from './property.js';
import { reducerHalf } from './reducer.js';

/**
 * Windows that make selection hard: runs of zeros and taps a float32 running sum absorbs (ĉ_i = ĉ_{i−1}: ties in
 * the cumulative sums), one dominant tap, powers of two (u·S can meet ĉ_i exactly), near-overflow taps.
 */
const TIE_VALUES: readonly number[] = [0, 0, 0, -0, 1, 1, 2, 2 ** -30, 2 ** 24, 2 ** 25, 0.5, 2 ** 127, 3e38];

/** Training-mode cases: the reducer cases (all-zero, dominant, special, hard) or a ties pattern, any seed. */
export function stochasticTrainingArbitrary(maxElements?: number): fc.Arbitrary<ReducerCase> {
  const base = reducerCaseArbitrary(STOCHASTIC, maxElements !== undefined ? { maxElements } : {});
  const ties = fc.array(fc.constantFrom(...TIE_VALUES), { minLength: 64, maxLength: 64 });
  return fc.tuple(base, fc.oneof(fc.constantFrom(0, 1, MAX_SEED), fc.integer({ min: 0, max: MAX_SEED })), fc.option(ties, { freq: 3 }))
    .map(([c, seed, pattern]) => {
      const spec: ReducerPoolSpec = { ...c.spec, params: { training: 1, seed } };
      const x: Tensor = pattern === null ? c.x : { ...c.x, data: Float32Array.from(c.x.data, (_, i) => pattern[i % pattern.length]!) };
      return { ...c, spec, x };
    });
}

/** forward() in training mode: y and indices, with the contract's structure checked. */
export async function trainingForward(backend: PoolingBackend, spec: ReducerPoolSpec, x: Tensor): Promise<{ y: Float32Array; indices: Int32Array }> {
  const r = reducerHalf(backend, spec, x);
  let out;
  try {
    out = await bounded('reducers.forward()', () => r.forward(spec, cloneTensor(x)));
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`reducers.forward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`));
  }
  const layout = x.layout ?? 'channels_first';
  const want = poolGeometry(reducerGeometrySpec(spec), x.shape, layout).outShape;
  const y = out?.y;
  if (!(y?.data instanceof Float32Array) || !Array.isArray(y.shape) || y.shape.join(',') !== want.join(',') || (y.layout ?? 'channels_first') !== layout) {
    throw new VerdictSignal(fail(`reducers.forward() output [${String(y?.shape)}] ≠ expected [${want.join(',')}] ${layout} (SHAPE.OUT, TENSOR.LAYOUT)`));
  }
  if (!(out.indices instanceof Int32Array) || out.indices.length !== y.data.length) {
    throw new VerdictSignal(fail('stochastic training forward must return indices, an Int32Array with one entry per output (STOCH.INDEX)'));
  }
  return { y: y.data, indices: out.indices };
}

function property(id: string, title: string, clauses: readonly string[], arbitrary: fc.Arbitrary<ReducerCase>, check: (b: PoolingBackend, c: ReducerCase) => Promise<Verdict>, usesBackward = false): Property<ReducerCase> {
  return { id, title, clauses, arbitrary, ...(usesBackward ? { usesBackward } : {}), check: (b, c) => verdictOf(() => { reducerHalf(b, c.spec, c.x); return check(b, c); }) };
}

export const stochasticSelect = property('reducer.stochastic.select',
  'stochastic training: every selected value and index equals the reference to the bit',
  ['STOCH.RNG', 'STOCH.SELECT', 'STOCH.INDEX', 'STOCH.TRAINING', 'STOCH.SEED', 'SHAPE.OUT', 'TENSOR.LAYOUT'], stochasticTrainingArbitrary(),
  async (backend, c) => {
    const got = await trainingForward(backend, c.spec, c.x);
    const ref = referenceStochasticSelection(c.spec, c.x);
    const shape = ref.geometry.outShape;
    const idx = compareExact('indices', shape, got.indices, ref.indices, 'STOCH.SELECT, STOCH.INDEX');
    if (idx.status !== 'pass') return idx;
    return compareExact('y', shape, got.y, ref.y, 'STOCH.SELECT');
  });

export const stochasticRoute = property('reducer.stochastic.route',
  'stochastic training backward: dy goes whole to the selected taps',
  ['STOCH.GRAD', 'ACC.GRAD', 'GRAD.SHAPE'], stochasticTrainingArbitrary(),
  async (backend, c) => {
    const r = reducerHalf(backend, c.spec, c.x);
    let dx: Tensor;
    try {
      dx = await bounded('reducers.backward()', () => r.backward(c.spec, cloneTensor(c.x), cloneTensor(c.dy)));
    } catch (e) {
      if (e instanceof VerdictSignal) throw e;
      return fail(`reducers.backward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`);
    }
    const bad = dxShapeFailure(dx, c.x, 'reducers.backward()');
    if (bad) return bad;
    return compareAll('dx', c.x.shape, dx.data, referenceStochasticGradient(c.spec, c.x, c.dy), 'STOCH.GRAD, ACC.GRAD');
  }, true);

/**
 * STOCH.FREQ's fixed design: windows of small integers and dyadic values (their float32 running sums are exact,
 * so each tap's probability under STOCH.SELECT is v_r/S to within the uniform's grid, 2^-24), the seeds
 * 0 … FREQ_SEEDS − 1, and an input [2, 2, k·FREQ_POSITIONS] with kernel = stride = k, so one call draws
 * 4·FREQ_POSITIONS selections of the same window at distinct (n, c, o).
 */
export const FREQ_WINDOWS: readonly (readonly number[])[] = [
  [1, 2, 3, 4],
  [0, 5, 0, 1, 2],
  [1, 1, 1, 1, 1, 1, 1, 1],
  [0.5, 0.25, 0.125, 0.125],
  [3, 0, 0, 7],
  [100, 1, 1],
];
export const FREQ_SEEDS = 8;
export const FREQ_POSITIONS = 256;
/** The family-wise significance of one window's test (STOCH.FREQ). */
export const FREQ_ALPHA = 1e-6;

/**
 * STOCH.FREQ's critical value: with M draws, Hoeffding's inequality P(|f̂ − p| ≥ t) ≤ 2·e^{−2Mt²} for each of
 * the k taps, and a union bound over them (Bonferroni): t = sqrt(ln(2k/α) / (2M)).
 */
export function frequencyThreshold(k: number, draws: number, alpha = FREQ_ALPHA): number {
  return Math.sqrt(Math.log((2 * k) / alpha) / (2 * draws));
}

/** Selection counts per tap of FREQ_WINDOWS[w] from a backend (or from the reference when `backend` selects). */
export async function frequencyCounts(select: (spec: ReducerPoolSpec, x: Tensor) => Promise<Int32Array>, window: readonly number[]): Promise<{ counts: number[]; draws: number }> {
  const k = window.length;
  const x: Tensor = { shape: [2, 2, k * FREQ_POSITIONS], data: Float32Array.from({ length: 4 * k * FREQ_POSITIONS }, (_, i) => window[i % k]!), layout: 'channels_first' };
  const counts = new Array<number>(k).fill(0);
  let draws = 0;
  for (let seed = 0; seed < FREQ_SEEDS; seed++) {
    const spec: ReducerPoolSpec = { kind: 'stochastic', kernel: [k], strides: [k], dilations: [1], pads: [0, 0], ceilMode: false, params: { training: 1, seed } };
    const indices = await select(spec, x);
    indices.forEach((q, at) => {
      const o = at % FREQ_POSITIONS; // channels_first [2, 2, P]: the output's position in its plane
      const r = q - o * k;
      if (r >= 0 && r < k) counts[r]!++;
      else counts[0] = NaN; // an index outside the window: no valid count
      draws++;
    });
  }
  return { counts, draws };
}

/** The verdict of STOCH.FREQ on one window's counts. */
export function frequencyVerdict(window: readonly number[], counts: readonly number[], draws: number): Verdict {
  const S = window.reduce((a, b) => a + b, 0);
  const t = frequencyThreshold(window.length, draws) + 2 ** -24;
  for (let r = 0; r < window.length; r++) {
    const p = window[r]! / S;
    const f = counts[r]! / draws;
    if (!Number.isFinite(f)) return fail(`window [${window.join(', ')}]: an index outside the window (STOCH.INDEX)`);
    if (p === 0 ? counts[r] !== 0 : Math.abs(f - p) > t) {
      return fail(`window [${window.join(', ')}]: tap ${r} selected ${counts[r]} of ${draws} times (${f.toFixed(5)}), probability ${p.toFixed(5)}; allowed ±${t.toFixed(5)} (STOCH.FREQ)`, {
        tensor: 'frequency', flat: r, position: [r], expected: `${p} ± ${t}`, got: String(f),
      });
    }
  }
  return PASS;
}

/**
 * Each window's verdict per backend object. STOCH.FREQ's design is fixed (windows, seeds, input), so a case is
 * only a window's number and a deterministic backend (CONTRACT.DETERMINISTIC, checked by `.pure`) gives the same
 * counts every time: each window is evaluated once per backend rather than once per drawn case (a run of 100
 * cases draws the six windows about 17 times each).
 */
const frequencyVerdicts = new WeakMap<PoolingBackend, Map<number, Promise<Verdict>>>();

export const stochasticFrequency: Property<number> = {
  id: 'reducer.stochastic.frequency',
  title: 'stochastic training: selection frequencies over fixed seeds match v/Σv (Hoeffding, α = 1e-6)',
  clauses: ['STOCH.FREQ', 'STOCH.SELECT', 'STOCH.RNG'],
  arbitrary: fc.integer({ min: 0, max: FREQ_WINDOWS.length - 1 }),
  check: (backend, w) => {
    let byWindow = frequencyVerdicts.get(backend);
    if (!byWindow) frequencyVerdicts.set(backend, byWindow = new Map<number, Promise<Verdict>>());
    let verdict = byWindow.get(w);
    if (!verdict) {
      verdict = verdictOf(async () => {
        const window = FREQ_WINDOWS[w]!;
        const { counts, draws } = await frequencyCounts(async (spec, x) => (await trainingForward(backend, spec, x)).indices, window);
        return frequencyVerdict(window, counts, draws);
      });
      byWindow.set(w, verdict);
    }
    return verdict;
  },
};

export const STOCHASTIC_PROPERTIES: readonly Property<unknown>[] = [
  stochasticSelect, stochasticRoute, stochasticFrequency,
];
