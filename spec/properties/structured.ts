/**
 * Properties of structured pooling (SPEC.md §10): differential checks per kind and direction, and the
 * identities that tie §10 to the sliding window: adaptive = ordinary pooling when IN is a multiple of OUT,
 * SPP length independent of the input size, RoI over the whole map = adaptive max, unpool/pool round trip,
 * and gradients by finite differences. A backend without `structured` (or without the kind) is unsupported.
 */
import fc from 'fast-check';
import { STRUCTURED_KINDS, type ForwardResult, type PoolSpec, type PoolingBackend, type StructuredKind, type StructuredSpec, type Tensor } from '../contract.js';
import { joinShape, product } from '../geometry.js';
import { structuredCaseArbitrary, type StructuredCase } from '../arbitraries/structured.js';
import { poolCaseArbitrary, type PoolCase } from '../arbitraries/case.js';
import type { Acceptance } from '../interval.js';
import { referenceForward } from '../reference/forward.js';
import { hpAdd, hpDiv, hpFromNumber, hpMul, hpSub, hpZero, windowValueHP } from '../reference/highprec.js';
import { referenceStructuredBackward, referenceStructuredForward } from '../reference/structured.js';
import {
  PASS, VerdictSignal, bounded, cloneTensor, compareAll, compareExact, describeError, dxShapeFailure, fail, positionOf, verdictOf,
  type Property,
} from './property.js';

/** Property.applies for §10: the backend must implement one of these structured kinds. */
function needsStructured(kinds: readonly StructuredKind[]): (backend: PoolingBackend) => string | undefined {
  return (backend) => (backend.structured?.kinds.some((k) => kinds.includes(k))
    ? undefined
    : `${backend.name} does not implement structured kind ${kinds.join(' or ')} (PoolingBackend.structured.kinds)`);
}

function structuredOf(backend: PoolingBackend, spec: StructuredSpec, shape: readonly number[], layout: Tensor['layout']) {
  const s = backend.structured;
  if (!s || !s.kinds.includes(spec.kind)) {
    throw new VerdictSignal({ status: 'unsupported', reason: `${backend.name} does not implement structured kind ${spec.kind} (PoolingBackend.structured.kinds)` });
  }
  let answer;
  try {
    answer = s.supports(spec, shape, layout);
  } catch (e) {
    throw new VerdictSignal(fail(`structured.supports() threw ${describeError(e)} (CONTRACT.SUPPORTS)`));
  }
  if (!answer.ok) throw new VerdictSignal({ status: 'unsupported', reason: answer.reason });
  return s;
}

export async function runStructuredForward(backend: PoolingBackend, spec: StructuredSpec, x: Tensor, outShape: readonly number[], withIndices: boolean): Promise<ForwardResult> {
  const s = structuredOf(backend, spec, x.shape, x.layout);
  let r: ForwardResult;
  try {
    r = await bounded('structured.forward()', () => s.forward(spec, cloneTensor(x)));
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`structured.forward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`));
  }
  // String(), not join(): a shape that is not an array must end in this verdict, not a TypeError.
  if (!(r?.y?.data instanceof Float32Array) || !Array.isArray(r.y.shape) || r.y.shape.join(',') !== outShape.join(',') || r.y.data.length !== product(outShape)) {
    throw new VerdictSignal(fail(`structured.forward() output shape [${String(r?.y?.shape)}] ≠ expected [${outShape.join(',')}] (ADAPTIVE.WINDOW, ROI.SHAPE, SPP.SHAPE, UNPOOL.SIZE)`));
  }
  // PROP.DIFF: the output's layout is x's (ADAPTIVE.WINDOW, ROI.SHAPE, UNPOOL.SIZE). SPP's [N, F] has no spatial
  // axis, so its label says nothing (SPP.SHAPE orders the features whatever the input layout).
  const layout = x.layout ?? 'channels_first';
  if (spec.kind !== 'spp' && (r.y.layout ?? 'channels_first') !== layout) {
    throw new VerdictSignal(fail(`structured.forward() output layout ${r.y.layout ?? 'channels_first (absent)'} ≠ input layout ${layout} (TENSOR.LAYOUT)`));
  }
  if (withIndices && !(r.indices instanceof Int32Array && r.indices.length === r.y.data.length)) {
    throw new VerdictSignal(fail('structured.forward() of a max kind must return Int32Array indices, one per output (MAX.INDEX)'));
  }
  return r;
}

async function runStructuredBackward(backend: PoolingBackend, spec: StructuredSpec, x: Tensor, dy: Tensor): Promise<Tensor> {
  const s = structuredOf(backend, spec, x.shape, x.layout);
  let dx: Tensor;
  try {
    dx = await bounded('structured.backward()', () => s.backward(spec, cloneTensor(x), cloneTensor(dy)));
  } catch (e) {
    if (e instanceof VerdictSignal) throw e;
    throw new VerdictSignal(fail(`structured.backward() threw ${describeError(e)} on a supported case (CONTRACT.SUPPORTS)`));
  }
  const bad = dxShapeFailure(dx, x, 'structured.backward()');
  if (bad) throw new VerdictSignal(bad);
  return dx;
}

const CLAUSES: Record<StructuredKind, readonly string[]> = {
  adaptive_max: ['ADAPTIVE.WINDOW', 'ADAPTIVE.SIZE', 'MAX.SELECT', 'MAX.NAN', 'MAX.TIES', 'MAX.INDEX'],
  adaptive_avg: ['ADAPTIVE.WINDOW', 'ADAPTIVE.SIZE', 'ACC.AVG'],
  roi_max: ['ROI.ROUND', 'ROI.EXTENT', 'ROI.BIN', 'ROI.EMPTY', 'ROI.SHAPE', 'MAX.SELECT', 'MAX.NAN', 'MAX.INDEX'],
  spp: ['SPP.LEVELS', 'SPP.SHAPE', 'ADAPTIVE.WINDOW'],
  max_unpool: ['UNPOOL.SIZE', 'UNPOOL.INDEX', 'UNPOOL.DUPLICATE', 'UNPOOL.ZERO'],
};

export function structuredForward(kind: StructuredKind): Property<StructuredCase> {
  return {
    id: `diff.forward.${kind}`,
    title: `${kind} forward matches the reference`,
    clauses: ['PROP.DIFF', ...CLAUSES[kind]],
    applies: needsStructured([kind]),
    arbitrary: structuredCaseArbitrary(kind),
    check: (backend, c, policy) => verdictOf(async () => {
      const ref = referenceStructuredForward(c.spec, c.x, policy);
      const r = await runStructuredForward(backend, c.spec, c.x, ref.gather.outShape, ref.indices !== undefined && policy.indices === 'plane');
      const v = compareAll('y', r.y.shape, r.y.data, ref.acceptance, CLAUSES[kind].join(', '));
      if (v.status !== 'pass' || !ref.indices || policy.indices !== 'plane') return v;
      return compareExact('indices', r.y.shape, r.indices!, ref.indices, 'MAX.INDEX');
    }),
  };
}

export function structuredBackward(kind: StructuredKind): Property<StructuredCase> {
  return {
    id: `diff.backward.${kind}`,
    title: `${kind} backward matches the reference gradient`,
    clauses: ['PROP.DIFF', 'GRAD.STRUCTURED', 'ACC.GRAD', ...CLAUSES[kind]],
    applies: needsStructured([kind]),
    arbitrary: structuredCaseArbitrary(kind),
    check: (backend, c, policy) => verdictOf(async () => {
      const dx = await runStructuredBackward(backend, c.spec, c.x, c.dy);
      const ref = referenceStructuredBackward(c.spec, c.x, c.dy, policy);
      return compareAll('dx', c.x.shape, dx.data, ref.acceptance, 'GRAD.STRUCTURED, ACC.GRAD');
    }),
  };
}

/** ADAPTIVE.ORDINARY: with IN = m·OUT on every axis, adaptive pooling is pooling with kernel = stride = m. */
export const adaptiveIsOrdinary: Property<[PoolCase, number[]]> = {
  id: 'inv.adaptive_ordinary',
  title: 'adaptive pooling equals ordinary pooling (kernel = stride = IN/OUT) when IN is a multiple of OUT',
  clauses: ['ADAPTIVE.ORDINARY', 'ADAPTIVE.WINDOW'],
  applies: needsStructured(['adaptive_max', 'adaptive_avg']),
  arbitrary: fc.tuple(
    poolCaseArbitrary({ kinds: ['max', 'avg'], noPadding: true, divisorOverride: false }),
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
  ),
  check: (backend, [c, factors], policy) => verdictOf(async () => {
    const layout = c.x.layout ?? 'channels_first';
    const d = c.spec.kernel.length;
    // Reshape the case's data to spatial extents OUT·m with OUT = its own first extents, m = factors.
    const outSize = (layout === 'channels_first' ? c.x.shape.slice(2) : c.x.shape.slice(1, -1)).map((v) => Math.min(v, 3));
    const m = factors.slice(0, d);
    const spatial = outSize.map((o, i) => o * m[i]!);
    const shape = joinShape(c.x.shape[0]!, layout === 'channels_first' ? c.x.shape[1]! : c.x.shape[c.x.shape.length - 1]!, spatial, layout);
    const x: Tensor = { shape, data: Float32Array.from({ length: product(shape) }, (_, i) => c.x.data[i % c.x.data.length]!), layout };
    const kind = c.spec.kind === 'max' ? 'adaptive_max' : 'adaptive_avg';
    const classic: PoolSpec = { kind: c.spec.kind, kernel: m, strides: m, dilations: m.map(() => 1), pads: new Array<number>(2 * d).fill(0), ceilMode: false, countIncludePad: false };
    const ref = referenceForward(classic, x, policy);
    const r = await runStructuredForward(backend, { kind, outputSize: outSize }, x, ref.geometry.outShape, false);
    return compareAll('y', r.y.shape, r.y.data, ref.acceptance, 'ADAPTIVE.ORDINARY');
  }),
};

export const sppLength: Property<StructuredCase> = {
  id: 'inv.spp_length',
  title: 'the SPP output length does not depend on the input size',
  clauses: ['SPP.SHAPE'],
  applies: needsStructured(['spp']),
  arbitrary: structuredCaseArbitrary('spp', ['finite']),
  check: (backend, c, policy) => verdictOf(async () => {
    const spec = c.spec as Extract<StructuredSpec, { kind: 'spp' }>;
    const layout = c.x.layout ?? 'channels_first';
    const a = referenceStructuredForward(spec, c.x, policy);
    const bigger = c.x.shape.map((v, i) => (i === 0 || (layout === 'channels_first' ? i === 1 : i === c.x.shape.length - 1) ? v : v + 2));
    const x2: Tensor = { shape: bigger, data: Float32Array.from({ length: product(bigger) }, (_, i) => c.x.data[i % c.x.data.length]!), layout };
    const r1 = await runStructuredForward(backend, spec, c.x, a.gather.outShape, false);
    const r2 = await runStructuredForward(backend, spec, x2, a.gather.outShape, false);
    return r1.y.data.length === r2.y.data.length ? PASS : fail(`SPP lengths ${r1.y.data.length} and ${r2.y.data.length} differ (SPP.SHAPE)`);
  }),
};

export const roiWholeMap: Property<StructuredCase> = {
  id: 'inv.roi_whole',
  title: 'RoI pooling of a box covering the whole map equals adaptive max pooling',
  clauses: ['ROI.WHOLE', 'ROI.BIN', 'ADAPTIVE.WINDOW'],
  applies: needsStructured(['roi_max']),
  arbitrary: structuredCaseArbitrary('roi_max', ['finite', 'ties']),
  check: (backend, c, policy) => verdictOf(async () => {
    const spec = c.spec as Extract<StructuredSpec, { kind: 'roi_max' }>;
    const layout = c.x.layout ?? 'channels_first';
    const [H, W] = (layout === 'channels_first' ? c.x.shape.slice(2) : c.x.shape.slice(1, 3)) as [number, number];
    const whole: StructuredSpec = { kind: 'roi_max', pooledSize: spec.pooledSize, spatialScale: 1, boxes: [[0, 0, 0, W - 1, H - 1]] };
    const first = { ...c.x, shape: [1, ...c.x.shape.slice(1)], data: c.x.data.slice(0, c.x.data.length / c.x.shape[0]!) };
    const ref = referenceStructuredForward({ kind: 'adaptive_max', outputSize: spec.pooledSize }, first, policy);
    const r = await runStructuredForward(backend, whole, first, ref.gather.outShape, false);
    return compareAll('y', r.y.shape, r.y.data, ref.acceptance, 'ROI.WHOLE');
  }),
};

export const unpoolRoundTrip: Property<PoolCase> = {
  id: 'inv.unpool_roundtrip',
  title: 'max-pooling the max-unpooled pool of x gives the pool of x again (positive inputs)',
  clauses: ['UNPOOL.ROUNDTRIP', 'UNPOOL.DUPLICATE'],
  applies: needsStructured(['max_unpool']),
  // Positive inputs: the unpooled zeros must not win the re-pool. No padding, no dilation: unpool's own geometry.
  arbitrary: poolCaseArbitrary({ kinds: ['max'], noPadding: true, profiles: ['ties', 'smooth'] })
    .map((c) => ({ ...c, spec: { ...c.spec, dilations: c.spec.dilations.map(() => 1), ceilMode: false }, x: { ...c.x, data: Float32Array.from(c.x.data, (v) => Math.abs(v) + 1) } }))
    .filter((c) => c.spec.kernel.every((k, i) => k >= c.spec.strides[i]!)),
  check: (backend, c, policy) => verdictOf(async () => {
    const pooled = referenceForward(c.spec, c.x, policy);
    const layout = c.x.layout ?? 'channels_first';
    const values: Tensor = { shape: [...pooled.geometry.outShape], data: Float32Array.from(pooled.values), layout };
    const inSpatial = [...pooled.geometry.inSpatial];
    const spec: StructuredSpec = { kind: 'max_unpool', kernel: c.spec.kernel, strides: c.spec.strides, pads: c.spec.pads, indices: pooled.indices!, outputSize: inSpatial };
    const u = await runStructuredForward(backend, spec, values, c.x.shape, false);
    const again = referenceForward(c.spec, { ...u.y, layout }, policy);
    return compareExact('y', values.shape, Float32Array.from(again.values), values.data, 'UNPOOL.ROUNDTRIP');
  }),
};

/** GRAD.FD for §10: central differences of the spec's window functions in 40 digits, away from ties. */
export const structuredFiniteDifferences: Property<[StructuredKind, StructuredCase]> = {
  id: 'grad.fd.structured',
  title: 'structured backward equals central finite differences of the spec\'s forward (away from ties)',
  clauses: ['GRAD.FD', 'GRAD.STRUCTURED'],
  applies: needsStructured(STRUCTURED_KINDS),
  arbitrary: fc.constantFrom(...STRUCTURED_KINDS).chain((k) => structuredCaseArbitrary(k, ['smooth']).map((c) => [k, c] as [StructuredKind, StructuredCase])),
  check: (backend, [, c], policy) => verdictOf(async () => {
    const dx = await runStructuredBackward(backend, c.spec, c.x, c.dy);
    const fwd = referenceStructuredForward(c.spec, c.x, policy);
    const bwd = referenceStructuredBackward(c.spec, c.x, c.dy, policy);
    const g = fwd.gather;
    for (let i = 0; i < c.x.data.length; i += Math.max(1, Math.floor(c.x.data.length / 6))) {
      const a: Acceptance = bwd.acceptance[i]!;
      if (a.kind !== 'interval' && a.kind !== 'exact') continue;
      const hw = a.kind === 'exact' ? 0 : Math.max(a.hi - a.value, a.value - a.lo);
      const xi = c.x.data[i]!;
      const h = hpFromNumber(Math.abs(xi) * 2 ** -30);
      let slope = hpZero;
      let kink = false;
      for (let o = 0; o < g.start.length - 1 && !kink; o++) {
        const taps = Array.from(g.taps.subarray(g.start[o], g.start[o + 1]));
        if (!taps.includes(i)) continue;
        const vals = taps.map((t) => c.x.data[t]!);
        if (g.reducer === 'max' && xi === Math.max(...vals) && vals.filter((v) => v === xi).length > 1) { kink = true; break; }
        const kind = g.reducer === 'max' ? 'max' : g.reducer === 'avg' ? 'avg' : 'sum';
        const at = (sign: 1 | -1) => windowValueHP(kind, taps.map((t, k) => (t === i ? hpAdd(hpFromNumber(xi), sign > 0 ? h : hpSub(hpZero, h)) : hpFromNumber(vals[k]!))), taps.length, 1);
        slope = hpAdd(slope, hpMul(hpFromNumber(c.dy.data[o]!), hpDiv(hpSub(at(1), at(-1)), hpMul(hpFromNumber(2), h))));
      }
      if (kink) continue;
      const want = slope.toNumber();
      // Max and avg windows are piecewise linear: away from ties the central difference is exact (40 digits).
      if (!(Math.abs(dx.data[i]! - want) <= hw * (1 + 2 ** -40) + Math.abs(want) * 2 ** -100)) {
        return fail(`dx${JSON.stringify(positionOf(c.x.shape, i))} = ${dx.data[i]}, central difference gives ${want} ± ${hw} (GRAD.FD)`);
      }
    }
    return PASS;
  }),
};

export const STRUCTURED_PROPERTIES = [
  ...STRUCTURED_KINDS.map(structuredForward),
  ...STRUCTURED_KINDS.map(structuredBackward),
  adaptiveIsOrdinary,
  sppLength,
  roiWholeMap,
  unpoolRoundTrip,
  structuredFiniteDifferences,
];
