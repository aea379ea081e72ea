/**
 * The properties of statistics pooling (SPEC.md STATS.PROPS): the forward features within STATS.ACC, the
 * gradient within STATS.GRAD's bound, agreement of the two layouts, invariance under reversing the positions,
 * the shift x + c, and contract hygiene. A backend without the `statistics` member is unsupported (one reason).
 */
import type { PoolingBackend, StatsPoolSpec, StatsPoolingBackend, Tensor } from '../contract.js';
import { isStatistical } from '../extensions.js';
import { planeAddress, splitShape } from '../geometry.js';
import type { Acceptance } from '../interval.js';
import { statsCaseArbitrary, type StatsCase } from '../arbitraries/stats.js';
import { referenceStatsForward, referenceStatsGradient } from '../reference/stats.js';
import {
  PASS, VerdictSignal, bounded, cloneTensor, compareAll, describeError, dxShapeFailure, fail, positionOf, verdictOf, type Property,
  type Verdict,
} from './property.js';

function statsHalf(backend: PoolingBackend, spec: StatsPoolSpec, x: Tensor): StatsPoolingBackend {
  if (!isStatistical(backend)) {
    throw new VerdictSignal({ status: 'unsupported', reason: `${backend.name} implements no statistics pooling (PoolingBackend.statistics, SPEC.md STATS.SPEC)` });
  }
  const s = backend.statistics;
  if (!s.kinds.includes('stats')) throw new VerdictSignal({ status: 'unsupported', reason: `${backend.name} does not list stats in statistics.kinds` });
  let answer;
  try {
    answer = s.supports(spec, x.shape, x.layout);
  } catch (e) {
    throw new VerdictSignal(fail(`statistics.supports() threw ${describeError(e)} (CONTRACT.SUPPORTS)`));
  }
  if (!answer || typeof answer.ok !== 'boolean') throw new VerdictSignal(fail(`statistics.supports() returned ${JSON.stringify(answer)} (CONTRACT.SUPPORTS)`));
  if (!answer.ok) throw new VerdictSignal({ status: 'unsupported', reason: answer.reason });
  return s;
}

async function forwardOf(backend: PoolingBackend, spec: StatsPoolSpec, x: Tensor): Promise<Float32Array> {
  const s = statsHalf(backend, spec, x);
  let y: Tensor;
  try {
    y = (await bounded('statistics.forward()', () => s.forward(spec, cloneTensor(x)))).y;
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`statistics.forward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`));
  }
  const layout = x.layout ?? 'channels_first';
  const { batch, channels } = splitShape(x.shape, layout);
  if (!(y?.data instanceof Float32Array) || !Array.isArray(y.shape) || y.shape.join(',') !== `${batch},${2 * channels}` || y.data.length !== batch * 2 * channels) {
    throw new VerdictSignal(fail(`statistics.forward() output [${String(y?.shape)}] ≠ expected [${batch},${2 * channels}] (STATS.SPEC)`));
  }
  return y.data;
}

function width(a: Acceptance): number | undefined {
  if (a.kind === 'exact') return 0;
  if (a.kind === 'unconstrained' || a.posInf || a.negInf || a.nan) return undefined;
  return a.hi - a.lo;
}

/** got ≈ want + offset elementwise within the two acceptance widths (an exact set compares numerically). */
function related(shape: readonly number[], got: Float32Array, gotRef: readonly Acceptance[], want: Float32Array, wantRef: readonly Acceptance[], offset: (i: number) => number, clause: string): Verdict {
  for (let i = 0; i < got.length; i++) {
    const wa = width(gotRef[i]!);
    const wb = width(wantRef[i]!);
    if (wa === undefined || wb === undefined) continue;
    const a = got[i]!;
    const b = want[i]! + offset(i);
    if (Number.isNaN(a) && Number.isNaN(want[i]!)) continue;
    if (!(a === b || Math.abs(a - b) <= wa + wb)) {
      return fail(`y${JSON.stringify(positionOf(shape, i))}: ${a} vs ${b} (${clause})`, { tensor: 'y', flat: i, position: positionOf(shape, i), expected: String(b), got: String(a) });
    }
  }
  return PASS;
}

/** x with each (n, c) plane rewritten by f(values) → values (position order), same shape and layout. */
function mapPlanes(x: Tensor, f: (values: number[]) => number[]): Tensor {
  const layout = x.layout ?? 'channels_first';
  const { batch, channels, spatial } = splitShape(x.shape, layout);
  const T = spatial.reduce((a, b) => a * b, 1);
  const data = new Float32Array(x.data.length);
  for (let n = 0; n < batch; n++) for (let c = 0; c < channels; c++) {
    const { base, step } = planeAddress(layout, batch, channels, T, n, c);
    const out = f(Array.from({ length: T }, (_, t) => x.data[base + t * step]!));
    out.forEach((v, t) => { data[base + t * step] = v; });
  }
  return { shape: [...x.shape], data, layout };
}

function toLayout(x: Tensor, layout: 'channels_first' | 'channels_last'): Tensor {
  const from = x.layout ?? 'channels_first';
  const { batch, channels, spatial } = splitShape(x.shape, from);
  const T = spatial.reduce((a, b) => a * b, 1);
  const shape = layout === 'channels_last' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
  const data = new Float32Array(x.data.length);
  for (let n = 0; n < batch; n++) for (let c = 0; c < channels; c++) {
    const a = planeAddress(from, batch, channels, T, n, c);
    const b = planeAddress(layout, batch, channels, T, n, c);
    for (let t = 0; t < T; t++) data[b.base + t * b.step] = x.data[a.base + t * a.step]!;
  }
  return { shape, data, layout };
}

function property(id: string, title: string, clauses: readonly string[], profiles: Parameters<typeof statsCaseArbitrary>[0], check: (b: PoolingBackend, c: StatsCase) => Promise<Verdict>, usesBackward = false): Property<StatsCase> {
  return {
    id, title, clauses, arbitrary: statsCaseArbitrary(profiles), ...(usesBackward ? { usesBackward } : {}),
    check: (b, c) => verdictOf(() => { statsHalf(b, c.spec, c.x); return check(b, c); }),
  };
}

const outShape = (c: StatsCase): number[] => { const { batch, channels } = splitShape(c.x.shape, c.x.layout ?? 'channels_first'); return [batch, 2 * channels]; };

export const statsForward = property('reducer.stats.forward', 'stats forward: means and standard deviations within STATS.ACC',
  ['STATS.SPEC', 'STATS.DEF', 'STATS.SPECIAL', 'STATS.ACC', 'PROP.DIFF'], undefined, async (backend, c) => {
    const y = await forwardOf(backend, c.spec, c.x);
    return compareAll('y', outShape(c), y, referenceStatsForward(c.spec, c.x).acceptance, 'STATS.ACC');
  });

export const statsGradient = property('reducer.stats.gradient', 'stats backward: dx within STATS.GRAD\'s bound',
  ['STATS.GRAD', 'GRAD.SHAPE'], ['smooth', 'offset', 'finite'], async (backend, c) => {
    const s = statsHalf(backend, c.spec, c.x);
    let dx: Tensor;
    try {
      dx = await bounded('statistics.backward()', () => s.backward(c.spec, cloneTensor(c.x), cloneTensor(c.dy)));
    } catch (e) {
      if (e instanceof VerdictSignal) throw e;
      return fail(`statistics.backward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`);
    }
    const bad = dxShapeFailure(dx, c.x, 'statistics.backward()');
    if (bad) return bad;
    return compareAll('dx', c.x.shape, dx.data, referenceStatsGradient(c.spec, c.x, c.dy), 'STATS.GRAD');
  }, true);

export const statsLayout = property('reducer.stats.layout', 'stats: channels_first and channels_last give the same y', ['INV.LAYOUT', 'STATS.SPEC'], undefined, async (backend, c) => {
  const other = (c.x.layout ?? 'channels_first') === 'channels_first' ? 'channels_last' : 'channels_first';
  const x2 = toLayout(c.x, other);
  const r = referenceStatsForward(c.spec, c.x).acceptance;
  return related(outShape(c), await forwardOf(backend, c.spec, x2), r, await forwardOf(backend, c.spec, c.x), r, () => 0, 'INV.LAYOUT');
});

export const statsReverse = property('reducer.stats.reverse', 'stats: reversing the positions of each plane leaves y unchanged', ['STATS.DEF', 'INV.REFLECT'], undefined, async (backend, c) => {
  const x2 = mapPlanes(c.x, (v) => v.reverse());
  return related(outShape(c), await forwardOf(backend, c.spec, x2), referenceStatsForward(c.spec, x2).acceptance,
    await forwardOf(backend, c.spec, c.x), referenceStatsForward(c.spec, c.x).acceptance, () => 0, 'INV.REFLECT');
});

export const statsShift = property('reducer.stats.shift', 'stats: x + c shifts the means by c and leaves the deviations', ['STATS.DEF', 'INV.SHIFT'], ['offset', 'constant', 'finite'], async (backend, c) => {
  const shift = 1 + (c.x.data.length % 4);
  if (!c.x.data.every((v) => Number.isFinite(v) && Math.fround(v + shift) === v + shift)) return PASS; // x + c not exact
  const x2 = mapPlanes(c.x, (v) => v.map((a) => a + shift));
  const C = outShape(c)[1]! / 2;
  return related(outShape(c), await forwardOf(backend, c.spec, x2), referenceStatsForward(c.spec, x2).acceptance,
    await forwardOf(backend, c.spec, c.x), referenceStatsForward(c.spec, c.x).acceptance, (i) => (i % (2 * C) < C ? shift : 0), 'INV.SHIFT');
});

export const statsPure = property('reducer.stats.pure', 'stats: forward and backward leave x, dy and the spec untouched, and repeat to the bit',
  ['CONTRACT.PURE', 'CONTRACT.DETERMINISTIC'], undefined, async (backend, c) => {
    const s = statsHalf(backend, c.spec, c.x);
    const x = cloneTensor(c.x);
    const dy: Tensor = { shape: [...c.dy.shape], data: new Float32Array(c.dy.data), layout: 'channels_first' };
    const y1 = (await s.forward(c.spec, x)).y.data.slice();
    const y2 = (await s.forward(c.spec, x)).y.data;
    const dx1 = (await s.backward(c.spec, x, dy)).data.slice();
    const dx2 = (await s.backward(c.spec, x, dy)).data;
    const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]!)));
    if (!same(x.data, c.x.data) || !same(dy.data, c.dy.data)) return fail('a call modified x or dy (CONTRACT.PURE)');
    if (JSON.stringify(c.spec) !== '{"kind":"stats"}') return fail('a call modified the spec (CONTRACT.PURE)');
    if (!same(y1, y2) || !same(dx1, dx2)) return fail('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
    return PASS;
  });

export const STATS_PROPERTIES: readonly Property<unknown>[] = [statsForward, statsGradient, statsLayout, statsReverse, statsShift, statsPure];
