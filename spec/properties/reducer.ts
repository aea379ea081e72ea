/**
 * The properties of a declared reducer (SPEC.md §11), built from its declaration alone, for the built-in
 * research kinds and a user's reducer alike: the differential forward check (REDUCER.DIFF), the gradient by
 * finite differences of the 40-digit reference (REDUCER.FD), the invariances of every sliding-window reducer
 * (INV.LAYOUT, INV.PERMUTE, INV.TRANSLATE), those its traits imply (INV.REFLECT, INV.MONOTONE, INV.HOMOGENEOUS,
 * INV.SHIFT, REDUCER.BOUNDED), and contract hygiene (CONTRACT.PURE, CONTRACT.DETERMINISTIC, CONTRACT.SUPPORTS).
 * Metamorphic comparisons allow the width of the reference's acceptance sets (two correct results can differ by
 * that much), as INV.* do; exact sets (a selection) compare to the bit, numerically for ±0.
 */
import type { Layout, PoolingBackend, ReducerPoolSpec, ReducerPoolingBackend, Tensor } from '../contract.js';
import { ValidationError } from '../errors.js';
import { isReducing } from '../extensions.js';
import { planeAddress, splitShape } from '../geometry.js';
import { MAX32, MIN_NORMAL32, type Acceptance } from '../interval.js';
import type { ReducerDeclaration } from '../reducer.js';
import { reducerCaseArbitrary, type ReducerCase } from '../arbitraries/reducer.js';
import { referenceReducerForward, referenceReducerGradient } from '../reference/reducer.js';
import { reducerGeometrySpec } from '../validate-reducer.js';
import { poolGeometry } from '../geometry.js';
import {
  PASS, VerdictSignal, bounded, cloneTensor, compareAll, describeError, dxShapeFailure, fail, positionOf, verdictOf, type Property,
  type Verdict,
} from './property.js';

/** The backend's reducer half for this kind, or the case ends unsupported (never passed). Shared with stochastic.ts. */
export function reducerHalf(backend: PoolingBackend, spec: ReducerPoolSpec, x: Tensor): ReducerPoolingBackend {
  // One reason for a backend without the member (one line in verify's summary), one per kind for a partial one.
  if (!isReducing(backend)) {
    throw new VerdictSignal({ status: 'unsupported', reason: `${backend.name} implements no reducers (PoolingBackend.reducers, SPEC.md §11)` });
  }
  if (!backend.reducers.kinds.includes(spec.kind)) {
    throw new VerdictSignal({ status: 'unsupported', reason: `${backend.name} does not implement reducer ${spec.kind} (PoolingBackend.reducers.kinds)` });
  }
  const r = backend.reducers;
  let answer;
  try {
    answer = r.supports(spec, x.shape, x.layout);
  } catch (e) {
    throw new VerdictSignal(fail(`reducers.supports() threw ${describeError(e)} (CONTRACT.SUPPORTS)`));
  }
  if (!answer || typeof answer.ok !== 'boolean') throw new VerdictSignal(fail(`reducers.supports() returned ${JSON.stringify(answer)} (CONTRACT.SUPPORTS)`));
  if (!answer.ok) throw new VerdictSignal({ status: 'unsupported', reason: answer.reason });
  return r;
}

async function forwardOf(backend: PoolingBackend, spec: ReducerPoolSpec, x: Tensor): Promise<Float32Array> {
  const r = reducerHalf(backend, spec, x);
  let y: Tensor;
  try {
    y = (await bounded('reducers.forward()', () => r.forward(spec, cloneTensor(x)))).y;
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`reducers.forward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`));
  }
  const layout = x.layout ?? 'channels_first';
  const want = poolGeometry(reducerGeometrySpec(spec), x.shape, layout).outShape;
  // String(), not join(): a shape that is not an array must end in this verdict, not a TypeError.
  if (!(y?.data instanceof Float32Array) || !Array.isArray(y.shape) || y.shape.join(',') !== want.join(',') || (y.layout ?? 'channels_first') !== layout) {
    throw new VerdictSignal(fail(`reducers.forward() output [${String(y?.shape)}] ${y?.layout ?? ''} ≠ expected [${want.join(',')}] ${layout} (SHAPE.OUT, SHAPE.CEIL, TENSOR.LAYOUT)`));
  }
  return y.data;
}

async function backwardOf(backend: PoolingBackend, spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Promise<Float32Array> {
  const r = reducerHalf(backend, spec, x);
  let dx: Tensor;
  try {
    dx = await bounded('reducers.backward()', () => r.backward(spec, cloneTensor(x), cloneTensor(dy)));
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`reducers.backward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`));
  }
  const bad = dxShapeFailure(dx, x, 'reducers.backward()');
  if (bad) throw new VerdictSignal(bad);
  return dx.data;
}

function width(a: Acceptance): number | undefined {
  if (a.kind === 'exact') return 0;
  if (a.kind === 'unconstrained' || a.posInf || a.negInf || a.nan) return undefined;
  return a.hi - a.lo;
}

function show(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * got[i] ≈ want[map(i)] + offset within the two sets' widths; `scale` multiplies the want side (homogeneity).
 * Exact sets compare numerically (a transformation can reorder −0 and +0).
 */
function related(
  shape: readonly number[], got: Float32Array, gotRef: readonly Acceptance[], want: Float32Array, wantRef: readonly Acceptance[],
  map: (i: number) => number, clause: string, rel: (a: number, b: number, slack: number) => boolean, scaleB = 1,
): Verdict {
  for (let i = 0; i < got.length; i++) {
    const j = map(i);
    const wa = width(gotRef[i]!);
    const wb = width(wantRef[j]!);
    if (wa === undefined || wb === undefined) continue; // overflow allowed or unconstrained: no relation to check
    const a = got[i]!;
    const b = want[j]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!rel(a, b, wa + wb * scaleB)) {
      return fail(`y${JSON.stringify(positionOf(shape, i))}: ${show(a)} vs ${show(b)} (${clause})`, {
        tensor: 'y', flat: i, position: positionOf(shape, i), expected: show(b), got: show(a),
      });
    }
  }
  return PASS;
}

const near = (a: number, b: number, slack: number): boolean => a === b || Math.abs(a - b) <= slack;

/** Element e of a tensor → its (n, c, plane position). */
function coordinates(t: Tensor): { n: number; c: number; q: number }[] {
  const layout: Layout = t.layout ?? 'channels_first';
  const { batch, channels, spatial } = splitShape(t.shape, layout);
  const plane = spatial.reduce((a, b) => a * b, 1);
  const out = new Array<{ n: number; c: number; q: number }>(t.data.length);
  for (let n = 0; n < batch; n++) for (let c = 0; c < channels; c++) {
    const { base, step } = planeAddress(layout, batch, channels, plane, n, c);
    for (let q = 0; q < plane; q++) out[base + q * step] = { n, c, q };
  }
  return out;
}

function offsetOf(shape: readonly number[], layout: Layout, n: number, c: number, q: number): number {
  const { batch, channels, spatial } = splitShape(shape, layout);
  const { base, step } = planeAddress(layout, batch, channels, spatial.reduce((a, b) => a * b, 1), n, c);
  return base + q * step;
}

function relayout(t: Tensor, layout: Layout): Tensor {
  const from: Layout = t.layout ?? 'channels_first';
  const { batch, channels, spatial } = splitShape(t.shape, from);
  const shape = layout === 'channels_last' ? [batch, ...spatial, channels] : [batch, channels, ...spatial];
  const data = new Float32Array(t.data.length);
  coordinates(t).forEach(({ n, c, q }, i) => { data[offsetOf(shape, layout, n, c, q)] = t.data[i]!; });
  return { shape, data, layout };
}

function mapData(t: Tensor, f: (v: number, i: number) => number): Tensor {
  return { shape: [...t.shape], data: Float32Array.from(t.data, f), layout: t.layout ?? 'channels_first' };
}

type Check = (backend: PoolingBackend, c: ReducerCase) => Promise<Verdict>;

function property(id: string, title: string, clauses: readonly string[], arbitrary: Property<ReducerCase>['arbitrary'], check: Check): Property<ReducerCase> {
  // Support first: a case whose precondition does not hold (and ends early) must still be unsupported, never
  // passed, on a backend that does not implement the reducer.
  return { id, title, clauses, arbitrary, check: (backend, c) => verdictOf(() => { reducerHalf(backend, c.spec, c.x); return check(backend, c); }) };
}

export function reducerProperties(decl: ReducerDeclaration): Property<ReducerCase>[] {
  const own = decl.clauses ?? [];
  const id = (s: string): string => `reducer.${decl.name}.${s}`;
  const cases = reducerCaseArbitrary(decl);
  const finiteCases = reducerCaseArbitrary(decl, { profiles: ['hard', 'equal', 'dominant'] });
  const ref = (spec: ReducerPoolSpec, x: Tensor): readonly Acceptance[] => referenceReducerForward(decl, spec, x).acceptance;
  const props: Property<ReducerCase>[] = [];

  props.push(property(id('forward'), `${decl.name} forward matches its reference within its error model`,
    ['PROP.DIFF', 'REDUCER.DIFF', 'REDUCER.ACCURACY', 'WINDOW.TAPS', 'SHAPE.OUT', 'SHAPE.CEIL', 'TENSOR.LAYOUT', ...own], cases,
    async (backend, c) => {
      const y = await forwardOf(backend, c.spec, c.x);
      const outShape = poolGeometry(reducerGeometrySpec(c.spec), c.x.shape, c.x.layout).outShape;
      return compareAll('y', outShape, y, ref(c.spec, c.x), ['REDUCER.ACCURACY', ...own].join(', '));
    }));

  if (decl.traits.differentiable) {
    props.push(property(id('gradient'), `${decl.name} backward matches finite differences of its reference`,
      ['REDUCER.FD', 'GRAD.FD', 'GRAD.SHAPE', ...(decl.gradientClauses ?? own)],
      reducerCaseArbitrary(decl, { profiles: ['smooth'], maxElements: 18, ranks: [1, 2] }),
      async (backend, c) => {
        const dx = await backwardOf(backend, c.spec, c.x, c.dy);
        return compareAll('dx', c.x.shape, dx, referenceReducerGradient(decl, c.spec, c.x, c.dy), ['REDUCER.FD', ...(decl.gradientClauses ?? own)].join(', '));
      }));
  }

  props.push(property(id('layout'), `${decl.name}: channels_first and channels_last agree`, ['INV.LAYOUT'], cases, async (backend, c) => {
    const other: Layout = (c.x.layout ?? 'channels_first') === 'channels_first' ? 'channels_last' : 'channels_first';
    const x2 = relayout(c.x, other);
    const y1 = await forwardOf(backend, c.spec, c.x);
    const y2 = await forwardOf(backend, c.spec, x2);
    const g1 = poolGeometry(reducerGeometrySpec(c.spec), c.x.shape, c.x.layout);
    const yT: Tensor = { shape: [...g1.outShape], data: y1, layout: g1.layout };
    const cs = coordinates(yT);
    const g2 = poolGeometry(reducerGeometrySpec(c.spec), x2.shape, other);
    const r1 = ref(c.spec, c.x);
    return related(g1.outShape, y1, r1, y2, ref(c.spec, x2), (i) => offsetOf(g2.outShape, other, cs[i]!.n, cs[i]!.c, cs[i]!.q), 'INV.LAYOUT', near);
  }));

  props.push(property(id('permute'), `${decl.name}: reversing batch and channels reverses y`, ['INV.PERMUTE'], cases, async (backend, c) => {
    const layout: Layout = c.x.layout ?? 'channels_first';
    const { batch, channels } = splitShape(c.x.shape, layout);
    const xs = coordinates(c.x);
    const data = new Float32Array(c.x.data.length);
    xs.forEach(({ n, c: ch, q }, i) => { data[offsetOf(c.x.shape, layout, batch - 1 - n, channels - 1 - ch, q)] = c.x.data[i]!; });
    const x2: Tensor = { shape: [...c.x.shape], data, layout };
    const y1 = await forwardOf(backend, c.spec, c.x);
    const y2 = await forwardOf(backend, c.spec, x2);
    const g = poolGeometry(reducerGeometrySpec(c.spec), c.x.shape, layout);
    const cs = coordinates({ shape: [...g.outShape], data: y1, layout });
    return related(g.outShape, y1, ref(c.spec, c.x), y2, ref(c.spec, x2),
      (i) => offsetOf(g.outShape, layout, batch - 1 - cs[i]!.n, channels - 1 - cs[i]!.c, cs[i]!.q), 'INV.PERMUTE', near);
  }));

  props.push(property(id('translate'), `${decl.name}: dropping one stride of input along the last axis drops one output`, ['INV.TRANSLATE'],
    reducerCaseArbitrary(decl, { noPadding: true }), async (backend, c) => {
      const spec: ReducerPoolSpec = { ...c.spec, ceilMode: false };
      const layout: Layout = c.x.layout ?? 'channels_first';
      const { batch, channels, spatial } = splitShape(c.x.shape, layout);
      const d = spatial.length;
      const s = spec.strides[d - 1]!;
      const E = spec.dilations[d - 1]! * (spec.kernel[d - 1]! - 1) + 1;
      if (spatial[d - 1]! - s < E) return PASS; // no window left after the drop: nothing to compare here
      const sp2 = [...spatial.slice(0, d - 1), spatial[d - 1]! - s];
      const shape2 = layout === 'channels_last' ? [batch, ...sp2, channels] : [batch, channels, ...sp2];
      const x2data = new Float32Array(shape2.reduce((a, b) => a * b, 1));
      const last = spatial[d - 1]!;
      coordinates(c.x).forEach(({ n, c: ch, q }, i) => {
        const col = q % last;
        if (col >= s) x2data[offsetOf(shape2, layout, n, ch, Math.floor(q / last) * (last - s) + col - s)] = c.x.data[i]!;
      });
      const x2: Tensor = { shape: shape2, data: x2data, layout };
      const y1 = await forwardOf(backend, spec, c.x);
      const y2 = await forwardOf(backend, spec, x2);
      const g1 = poolGeometry(reducerGeometrySpec(spec), c.x.shape, layout);
      const g2 = poolGeometry(reducerGeometrySpec(spec), shape2, layout);
      const o1 = g1.outSpatial[d - 1]!;
      const o2 = g2.outSpatial[d - 1]!;
      const cs = coordinates({ shape: [...g2.outShape], data: y2, layout });
      // y2[…, j] = y1[…, j + 1]: map each element of y2 to y1.
      return related(g2.outShape, y2, ref(spec, x2), y1, ref(spec, c.x), (i) => {
        const { n, c: ch, q } = cs[i]!;
        const j = q % o2;
        return offsetOf(g1.outShape, layout, n, ch, Math.floor(q / o2) * o1 + j + 1);
      }, 'INV.TRANSLATE', near);
    }));

  if (decl.traits.symmetric) {
    props.push(property(id('reflect'), `${decl.name}: reversing the last axis reverses y (symmetric)`, ['INV.REFLECT', 'REDUCER.TRAITS'],
      reducerCaseArbitrary(decl, { noPadding: true }), async (backend, c) => {
        const spec: ReducerPoolSpec = { ...c.spec, ceilMode: false };
        const layout: Layout = c.x.layout ?? 'channels_first';
        const { spatial } = splitShape(c.x.shape, layout);
        const d = spatial.length;
        const I = spatial[d - 1]!;
        const E = spec.dilations[d - 1]! * (spec.kernel[d - 1]! - 1) + 1;
        if ((I - E) % spec.strides[d - 1]! !== 0) return PASS; // windows do not tile the axis symmetrically
        const cs = coordinates(c.x);
        const data = new Float32Array(c.x.data.length);
        cs.forEach(({ n, c: ch, q }, i) => { data[offsetOf(c.x.shape, layout, n, ch, q - (q % I) + (I - 1 - (q % I)))] = c.x.data[i]!; });
        const x2: Tensor = { shape: [...c.x.shape], data, layout };
        const y1 = await forwardOf(backend, spec, c.x);
        const y2 = await forwardOf(backend, spec, x2);
        const g = poolGeometry(reducerGeometrySpec(spec), c.x.shape, layout);
        const O = g.outSpatial[d - 1]!;
        const ys = coordinates({ shape: [...g.outShape], data: y1, layout });
        return related(g.outShape, y1, ref(spec, c.x), y2, ref(spec, x2), (i) => {
          const { n, c: ch, q } = ys[i]!;
          return offsetOf(g.outShape, layout, n, ch, q - (q % O) + (O - 1 - (q % O)));
        }, 'INV.REFLECT', near);
      }));
  }

  const finiteOnly = (x: Tensor): boolean => x.data.every(Number.isFinite);

  if (decl.traits.monotone) {
    props.push(property(id('monotone'), `${decl.name}: raising taps never lowers y (monotone)`, ['INV.MONOTONE', 'REDUCER.TRAITS'], finiteCases, async (backend, c) => {
      if (!finiteOnly(c.x)) return PASS;
      // x′ = x + δ with δ ∈ [0, 4) drawn from dy: fround rounds to nearest, so x′ ≥ x elementwise.
      const x2 = mapData(c.x, (v, i) => Math.min(MAX32, Math.fround(v + Math.abs(c.dy.data[i % c.dy.data.length]!))));
      const y1 = await forwardOf(backend, c.spec, c.x);
      const y2 = await forwardOf(backend, c.spec, x2);
      const g = poolGeometry(reducerGeometrySpec(c.spec), c.x.shape, c.x.layout);
      return related(g.outShape, y1, ref(c.spec, c.x), y2, ref(c.spec, x2), (i) => i, 'INV.MONOTONE', (a, b, slack) => a <= b + slack);
    }));
  }

  const degree = decl.traits.homogeneous;
  if (degree !== undefined) {
    props.push(property(id('homogeneous'), `${decl.name}: y(2^k·x) = 2^(k·${degree})·y(x)`, ['INV.HOMOGENEOUS', 'REDUCER.TRAITS'], finiteCases, async (backend, c) => {
      const k = (c.dy.data.length % 2 === 0 ? 1 : -1) * (1 + (c.x.data.length % 3));
      const s = 2 ** k;
      const ok = c.x.data.every((v) => Number.isFinite(v) && (v === 0 || (Math.abs(v * s) >= MIN_NORMAL32 && Math.abs(v * s) <= MAX32 && Math.abs(v) >= MIN_NORMAL32)));
      if (!ok) return PASS; // scaling would overflow or lose bits: the identity is not exact here
      const x2 = mapData(c.x, (v) => v * s);
      const y1 = await forwardOf(backend, c.spec, c.x);
      const y2 = await forwardOf(backend, c.spec, x2);
      const f = s ** degree;
      const g = poolGeometry(reducerGeometrySpec(c.spec), c.x.shape, c.x.layout);
      const r1 = ref(c.spec, c.x);
      const r2 = ref(c.spec, x2);
      // y(s·x) vs f·y(x): the slack is y(s·x)'s width plus f times y(x)'s.
      return related(g.outShape, y2, r2, y1, r1, (i) => i, 'INV.HOMOGENEOUS', (a, b, slack) => a === b * f || Math.abs(a - b * f) <= slack, f);
    }));
  }

  if (decl.traits.shiftEquivariant) {
    props.push(property(id('shift'), `${decl.name}: y(x + c) = y(x) + c`, ['INV.SHIFT', 'REDUCER.TRAITS'], finiteCases, async (backend, c) => {
      const shift = 1 + (c.x.data.length % 4);
      if (!c.x.data.every((v) => Number.isFinite(v) && Math.fround(v + shift) === v + shift)) return PASS; // x + c not exact
      const x2 = mapData(c.x, (v) => v + shift);
      const y1 = await forwardOf(backend, c.spec, c.x);
      const y2 = await forwardOf(backend, c.spec, x2);
      const g = poolGeometry(reducerGeometrySpec(c.spec), c.x.shape, c.x.layout);
      return related(g.outShape, y2, ref(c.spec, x2), y1, ref(c.spec, c.x), (i) => i, 'INV.SHIFT', (a, b, slack) => Math.abs(a - (b + shift)) <= slack);
    }));
  }

  if (decl.traits.bounded) {
    props.push(property(id('bounded'), `${decl.name}: min ≤ y ≤ max over each window`, ['REDUCER.BOUNDED', 'REDUCER.TRAITS'], finiteCases, async (backend, c) => {
      if (!finiteOnly(c.x)) return PASS;
      const y = await forwardOf(backend, c.spec, c.x);
      const r = referenceReducerForward(decl, c.spec, c.x);
      const g = r.geometry;
      const lo = new Float64Array(y.length);
      const hi = new Float64Array(y.length);
      const planeOf = coordinates({ shape: [...g.outShape], data: y, layout: g.layout });
      planeOf.forEach(({ n, c: ch, q }, i) => {
        const taps = r.windows[q]!.taps.map((t) => c.x.data[offsetOf(c.x.shape, g.layout, n, ch, t)]!);
        lo[i] = Math.min(...taps); hi[i] = Math.max(...taps);
      });
      for (let i = 0; i < y.length; i++) {
        const w = width(r.acceptance[i]!);
        if (w === undefined) continue;
        if (!(y[i]! >= lo[i]! - w && y[i]! <= hi[i]! + w)) {
          return fail(`y${JSON.stringify(positionOf(g.outShape, i))} = ${show(y[i]!)} outside the window's [${lo[i]}, ${hi[i]}] (REDUCER.BOUNDED)`, {
            tensor: 'y', flat: i, position: positionOf(g.outShape, i), expected: `[${lo[i]}, ${hi[i]}]`, got: show(y[i]!),
          });
        }
      }
      return PASS;
    }));
  }

  props.push(property(id('pure'), `${decl.name}: forward and backward leave x, dy and the spec untouched, and repeat to the bit`,
    ['CONTRACT.PURE', 'CONTRACT.DETERMINISTIC'], cases, async (backend, c) => {
      const specText = JSON.stringify(c.spec);
      const x = cloneTensor(c.x);
      const dy = cloneTensor(c.dy);
      const r = reducerHalf(backend, c.spec, c.x);
      const y1 = (await r.forward(c.spec, x)).y.data.slice();
      const y2 = (await r.forward(c.spec, x)).y.data;
      const dx1 = (await r.backward(c.spec, x, dy)).data.slice();
      const dx2 = (await r.backward(c.spec, x, dy)).data;
      const same = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]!)));
      if (!same(x.data, c.x.data) || !same(dy.data, c.dy.data)) return fail('a call modified x or dy (CONTRACT.PURE)');
      if (JSON.stringify(c.spec) !== specText) return fail('a call modified the spec (CONTRACT.PURE)');
      if (!same(y1, y2) || !same(dx1, dx2)) return fail('repeated calls gave different results (CONTRACT.DETERMINISTIC)');
      return PASS;
    }));

  if (decl.params.length > 0) {
    props.push(property(id('refuse'), `${decl.name}: a parameter outside its domain is refused with a ValidationError or declined`,
      ['CONTRACT.SUPPORTS', 'REDUCER.PARAMS', ...decl.params.map((p) => p.clause)], cases, async (backend, c) => {
        const p = decl.params[c.x.data.length % decl.params.length]!;
        const above = p.maxOpen ? p.max : p.max >= MAX32 ? Infinity : p.max + 1;
        const bad = [NaN, p.minOpen ? p.min : p.min - 1, above][c.dy.data.length % 3]!;
        const spec: ReducerPoolSpec = { ...c.spec, params: { ...c.spec.params, [p.name]: bad } };
        if (!isReducing(backend) || !backend.reducers.kinds.includes(spec.kind)) return { status: 'unsupported', reason: `${backend.name} does not implement reducer ${spec.kind}` };
        const s = backend.reducers.supports(spec, c.x.shape, c.x.layout);
        if (!s.ok) return PASS;
        try {
          await backend.reducers.forward(spec, cloneTensor(c.x));
        } catch (e) {
          if (e instanceof ValidationError || (e as Error)?.name === 'ValidationError') return PASS;
          return fail(`${p.name} = ${bad}: forward threw ${describeError(e)}, not a ValidationError (CONTRACT.SUPPORTS)`);
        }
        return fail(`${p.name} = ${bad} is outside ${p.clause}'s domain, yet supports() accepted it and forward() answered (CONTRACT.SUPPORTS)`);
      }));
  }
  return props;
}
