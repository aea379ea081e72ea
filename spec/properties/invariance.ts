/**
 * INV.*: metamorphic properties. Each compares a backend with itself on transformed inputs. Max is compared
 * exactly; the other kinds within the width of the reference's acceptance interval (two correct results can
 * differ by at most that), so no tolerance here is chosen by hand.
 */
import fc from 'fast-check';
import type { Layout, PoolSpec, Tensor } from '../contract.js';
import { effectiveKernel, joinShape, poolGeometry, rowMajorStrides, splitShape } from '../geometry.js';
import { poolCaseArbitrary, type CaseConstraints, type PoolCase } from '../arbitraries/case.js';
import { MIN_NORMAL32, unconstrained, type Acceptance } from '../interval.js';
import { referenceForward } from '../reference/forward.js';
import { PASS, fail, narrowable, positionOf, runBackward, runForward, verdictOf, type Property, type Verdict } from './property.js';

/** Width of an acceptance set: how far apart two correct results may be; undefined = unbounded. */
function width(a: Acceptance): number | undefined {
  if (a.kind === 'exact') return 0;
  if (a.kind === 'unconstrained' || a.posInf || a.negInf || a.nan) return undefined;
  return a.hi - a.lo;
}

function same(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** A number as text that keeps −0 apart from 0 (String(-0) is "0"; bit-exact checks fail on exactly that). */
function signed(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

/**
 * got[i] vs want[i] for a transformed case: exact for max (numerically when `zerosEqual`, since reordering
 * can change which of −0/+0 is first), else within the acceptance width of the reference at `ref[i]`.
 */
function compareWithin(
  what: string, shape: readonly number[], got: ArrayLike<number>, want: ArrayLike<number>, ref: readonly Acceptance[],
  exact: boolean, clause: string, zerosEqual = false,
): Verdict {
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (exact) {
      if (same(a, b) || (zerosEqual && a === b)) continue;
    } else {
      const w = width(ref[i]!);
      if (w === undefined || same(a, b) || Math.abs(a - b) <= w) continue;
    }
    return fail(`${what}${JSON.stringify(positionOf(shape, i))}: ${signed(a)} vs ${signed(b)} (${clause})`, {
      tensor: what, flat: i, position: positionOf(shape, i), expected: signed(b), got: signed(a),
    });
  }
  return PASS;
}

/** Re-indexes a tensor: out[map(i)] = in[i] for every element i. */
function remap(t: Tensor, shape: number[], layout: Layout, map: (pos: number[]) => number[]): Tensor {
  const out = new Float32Array(t.data.length);
  const strides = rowMajorStrides(shape);
  for (let i = 0; i < t.data.length; i++) {
    const p = map(positionOf(t.shape, i));
    let j = 0;
    p.forEach((v, k) => { j += v * strides[k]!; });
    out[j] = t.data[i]!;
  }
  return { shape, data: out, layout };
}

function layoutOf(t: Tensor): Layout {
  return t.layout ?? 'channels_first';
}

/** Channels-first position ↔ channels-last position of the same element. */
function toOtherLayout(t: Tensor): Tensor {
  const from = layoutOf(t);
  const to: Layout = from === 'channels_first' ? 'channels_last' : 'channels_first';
  const { batch, channels, spatial } = splitShape(t.shape, from);
  return remap(t, joinShape(batch, channels, spatial, to), to, (p) =>
    from === 'channels_first' ? [p[0]!, ...p.slice(2), p[1]!] : [p[0]!, p[p.length - 1]!, ...p.slice(1, -1)]);
}

const exactKind = (spec: PoolSpec): boolean => spec.kind === 'max';

export const layoutAgreement: Property<PoolCase> = {
  id: 'inv.layout',
  title: 'channels-first and channels-last give the same result',
  clauses: ['INV.LAYOUT', 'TENSOR.LAYOUT', 'MAX.INDEX'],
  ...narrowable((capabilities) => poolCaseArbitrary({ capabilities })),
  check: (backend, c, policy) => verdictOf(async () => {
    const a = await runForward(backend, c.spec, c.x, policy);
    const xo = toOtherLayout(c.x);
    const b = await runForward(backend, c.spec, xo, policy);
    const back = toOtherLayout(b.y);
    const ref = referenceForward(c.spec, c.x, policy);
    const v = compareWithin('y', a.y.shape, back.data, a.y.data, ref.acceptance, exactKind(c.spec), 'INV.LAYOUT');
    if (v.status !== 'pass' || c.spec.kind !== 'max' || policy.indices === 'unchecked') return v;
    const idx = toOtherLayout({ shape: b.y.shape, data: Float32Array.from(b.indices!), layout: b.y.layout ?? layoutOf(xo) });
    return compareWithin('indices', a.y.shape, idx.data, a.indices!, ref.acceptance, true, 'INV.LAYOUT, MAX.INDEX');
  }),
};

export const permutation: Property<PoolCase> = {
  id: 'inv.permute',
  title: 'permuting batch and channels permutes the output the same way',
  clauses: ['INV.PERMUTE'],
  ...narrowable((capabilities) => poolCaseArbitrary({ capabilities })),
  check: (backend, c, policy) => verdictOf(async () => {
    const layout = layoutOf(c.x);
    const { batch, channels } = splitShape(c.x.shape, layout);
    const cAxis = layout === 'channels_first' ? 1 : c.x.shape.length - 1;
    // Reverse the batch, rotate the channels by one.
    const perm = (p: number[]): number[] => { const q = [...p]; q[0] = batch - 1 - p[0]!; q[cAxis] = (p[cAxis]! + 1) % channels; return q; };
    const a = await runForward(backend, c.spec, c.x, policy);
    const b = await runForward(backend, c.spec, remap(c.x, c.x.shape, layout, perm), policy);
    const want = remap(a.y, a.y.shape, layout, perm);
    const ref = referenceForward(c.spec, c.x, policy);
    const refPermuted = new Array<Acceptance>(ref.acceptance.length);
    const strides = rowMajorStrides(a.y.shape);
    ref.acceptance.forEach((acc, i) => { let j = 0; perm(positionOf(a.y.shape, i)).forEach((v, k) => { j += v * strides[k]!; }); refPermuted[j] = acc; });
    const v = compareWithin('y', a.y.shape, b.y.data, want.data, refPermuted, exactKind(c.spec), 'INV.PERMUTE');
    if (v.status !== 'pass' || c.spec.kind !== 'max' || policy.indices === 'unchecked') return v;
    const wantIdx = remap({ shape: a.y.shape, data: Float32Array.from(a.indices!), layout }, a.y.shape, layout, perm);
    return compareWithin('indices', a.y.shape, b.indices!, wantIdx.data, refPermuted, true, 'INV.PERMUTE, MAX.INDEX');
  }),
};

/** Axis (0-based spatial) usable for translation: no padding and room for one more stride. */
function translatableAxis(spec: PoolSpec, shape: readonly number[], layout: Layout): number {
  const { spatial } = splitShape(shape, layout);
  return spatial.findIndex((size, i) => size >= effectiveKernel(spec.kernel[i]!, spec.dilations[i]!) + 2 * spec.strides[i]!);
}

export const translation: Property<PoolCase> = {
  id: 'inv.translate',
  title: 'dropping one stride of input at the start shifts the output by one position',
  clauses: ['INV.TRANSLATE', 'WINDOW.TAPS', 'SHAPE.OUT'],
  ...narrowable((capabilities) => poolCaseArbitrary({ noPadding: true, maxElements: 128, capabilities })
    .filter((c) => !c.spec.ceilMode && translatableAxis(c.spec, c.x.shape, layoutOf(c.x)) >= 0)),
  check: (backend, c, policy) => verdictOf(async () => {
    const layout = layoutOf(c.x);
    const axis = translatableAxis(c.spec, c.x.shape, layout);
    const dim = layout === 'channels_first' ? axis + 2 : axis + 1;
    const s = c.spec.strides[axis]!;
    const shape = [...c.x.shape];
    shape[dim] = shape[dim]! - s;
    const cropped = new Float32Array(c.x.data.length / c.x.shape[dim]! * shape[dim]);
    const strides = rowMajorStrides(shape);
    for (let i = 0; i < c.x.data.length; i++) {
      const p = positionOf(c.x.shape, i);
      if (p[dim]! < s) continue;
      p[dim] = p[dim]! - s;
      let j = 0; p.forEach((v, k) => { j += v * strides[k]!; });
      cropped[j] = c.x.data[i]!;
    }
    const a = await runForward(backend, c.spec, c.x, policy);
    const b = await runForward(backend, c.spec, { shape, data: cropped, layout }, policy);
    const ref = referenceForward(c.spec, c.x, policy);
    // b[.., j, ..] must equal a[.., j + 1, ..] along the axis.
    const aStrides = rowMajorStrides(a.y.shape);
    const want = new Float32Array(b.y.data.length);
    const refShifted: Acceptance[] = [];
    for (let i = 0; i < b.y.data.length; i++) {
      const p = positionOf(b.y.shape, i);
      p[dim] = p[dim]! + 1;
      let j = 0; p.forEach((v, k) => { j += v * aStrides[k]!; });
      want[i] = a.y.data[j]!;
      refShifted.push(ref.acceptance[j]!);
    }
    return compareWithin('y', b.y.shape, b.y.data, want, refShifted, exactKind(c.spec), 'INV.TRANSLATE');
  }),
};

/** Axis along which the spec is mirror-symmetric for this input (equal pads, windows tile exactly). */
function symmetricAxis(spec: PoolSpec, shape: readonly number[], layout: Layout): number {
  const d = spec.kernel.length;
  const { spatial } = splitShape(shape, layout);
  return spatial.findIndex((size, i) => spec.pads[i] === spec.pads[i + d]
    && (size + 2 * spec.pads[i]! - effectiveKernel(spec.kernel[i]!, spec.dilations[i]!)) % spec.strides[i]! === 0);
}

export const reflection: Property<PoolCase> = {
  id: 'inv.reflect',
  title: 'reversing a symmetric spatial axis reverses the output',
  clauses: ['INV.REFLECT', 'AVG.DIVISOR', 'WINDOW.TAPS'],
  ...narrowable((capabilities) => poolCaseArbitrary({ capabilities }).filter((c) => symmetricAxis(c.spec, c.x.shape, layoutOf(c.x)) >= 0)),
  check: (backend, c, policy) => verdictOf(async () => {
    const layout = layoutOf(c.x);
    const dim = symmetricAxis(c.spec, c.x.shape, layout) + (layout === 'channels_first' ? 2 : 1);
    const flip = (shape: readonly number[]) => (p: number[]): number[] => { const q = [...p]; q[dim] = shape[dim]! - 1 - p[dim]!; return q; };
    const a = await runForward(backend, c.spec, c.x, policy);
    const b = await runForward(backend, c.spec, remap(c.x, c.x.shape, layout, flip(c.x.shape)), policy);
    const want = remap(a.y, a.y.shape, layout, flip(a.y.shape));
    const ref = referenceForward(c.spec, c.x, policy);
    const refFlipped = remapAcceptance(ref.acceptance, a.y.shape, flip(a.y.shape));
    // Reflection changes which tied element is first, so −0/+0 ties may swap: compare max numerically.
    return compareWithin('y', a.y.shape, b.y.data, want.data, refFlipped, exactKind(c.spec), 'INV.REFLECT', true);
  }),
};

function remapAcceptance(acc: readonly Acceptance[], shape: readonly number[], map: (p: number[]) => number[]): Acceptance[] {
  const out = new Array<Acceptance>(acc.length);
  const strides = rowMajorStrides(shape);
  acc.forEach((a, i) => { let j = 0; map(positionOf(shape, i)).forEach((v, k) => { j += v * strides[k]!; }); out[j] = a; });
  return out;
}

const finiteCases = (c: CaseConstraints = {}) => poolCaseArbitrary({ profiles: ['finite', 'ties'], ...c });

export const monotonicity: Property<[PoolCase, number]> = {
  id: 'inv.monotone',
  title: 'raising inputs (magnitudes, for Lp) never lowers the output',
  clauses: ['INV.MONOTONE'],
  ...narrowable((capabilities) => fc.tuple(finiteCases({ divisorOverride: false, capabilities }), fc.integer({ min: 1, max: 2 ** 20 }))),
  check: (backend, [c, seed], policy) => verdictOf(async () => {
    const up = Float32Array.from(c.x.data, (v, i) => {
      const delta = ((seed * (i + 1)) % 7) / 4; // 0, 0.25, …, 1.5: some elements stay, some rise
      return c.spec.kind === 'lp' ? v + Math.sign(v) * delta : v + delta;
    });
    const a = await runForward(backend, c.spec, c.x, policy);
    const b = await runForward(backend, c.spec, { ...c.x, data: up }, policy);
    const ra = referenceForward(c.spec, c.x, policy);
    const rb = referenceForward(c.spec, { ...c.x, data: up }, policy);
    for (let i = 0; i < a.y.data.length; i++) {
      const slack = (width(ra.acceptance[i]!) ?? Infinity) + (width(rb.acceptance[i]!) ?? Infinity);
      if (!(b.y.data[i]! >= a.y.data[i]! - slack)) {
        return fail(`y${JSON.stringify(positionOf(a.y.shape, i))} fell from ${a.y.data[i]} to ${b.y.data[i]} when inputs rose (INV.MONOTONE)`);
      }
    }
    return PASS;
  }),
};

export const homogeneity: Property<[PoolCase, number]> = {
  id: 'inv.homogeneous',
  title: 'scaling the input by a power of two scales the output by it',
  clauses: ['INV.HOMOGENEOUS'],
  ...narrowable((capabilities) => fc.tuple(finiteCases({ capabilities }), fc.constantFrom(-3, -1, 1, 2, 3))
    // INV.HOMOGENEOUS holds without underflow: every non-zero |x| (and for Lp, |x|^p), scaled, stays normal.
    .filter(([c, k]) => c.x.data.every((v) => {
      const scaled = Math.abs(v) * Math.min(1, 2 ** k);
      return v === 0 || (scaled >= MIN_NORMAL32 && (c.spec.kind !== 'lp' || scaled ** c.spec.p! >= MIN_NORMAL32));
    }))),
  check: (backend, [c, k], policy) => verdictOf(async () => {
    const f = 2 ** k;
    const a = await runForward(backend, c.spec, c.x, policy);
    const b = await runForward(backend, c.spec, { ...c.x, data: Float32Array.from(c.x.data, (v) => v * f) }, policy);
    const ref = referenceForward(c.spec, c.x, policy);
    // Two correct results for 2^k·x may differ by 2^k times the width allowed for x. An output that underflows,
    // before or after scaling (an avg by a divisor near 2^128, say), is outside the clause: rounding in the
    // subnormal range does not scale.
    const scaled = ref.acceptance.map((acc): Acceptance => {
      if (acc.value !== 0 && Math.abs(acc.value) * Math.min(1, f) < MIN_NORMAL32) {
        return unconstrained(acc.value, 'INV.HOMOGENEOUS holds without underflow: this output is subnormal');
      }
      const w = width(acc);
      return w === undefined ? acc : { kind: 'interval', value: 0, lo: 0, hi: w * f, posInf: false, negInf: false, nan: false };
    });
    const want = Float32Array.from(a.y.data, (v) => v * f);
    return compareWithin('y', a.y.shape, b.y.data, want, scaled, exactKind(c.spec), 'INV.HOMOGENEOUS');
  }),
};

export const maxShift: Property<[PoolCase, number]> = {
  id: 'inv.shift',
  title: 'max(x + c) = max(x) + c when the shift is exact',
  clauses: ['INV.SHIFT', 'MAX.SELECT'],
  ...narrowable((capabilities) => fc.tuple(poolCaseArbitrary({ kinds: ['max'], profiles: ['ties'], capabilities }), fc.integer({ min: -5, max: 5 }))),
  check: (backend, [c, shift], policy) => verdictOf(async () => {
    const a = await runForward(backend, c.spec, c.x, policy);
    const b = await runForward(backend, c.spec, { ...c.x, data: Float32Array.from(c.x.data, (v) => v + shift) }, policy);
    // Small integers plus a small integer are exact; −0 + c and 0 + c coincide, so compare numerically.
    const want = Float32Array.from(a.y.data, (v) => v + shift);
    return compareWithin('y', a.y.shape, b.y.data, want, [], true, 'INV.SHIFT', true);
  }),
};

export const ordering: Property<PoolCase> = {
  id: 'inv.order',
  title: 'max ≥ avg ≥ min on the same windows (no padding, no divisor override)',
  clauses: ['INV.ORDER', 'AVG.DIVISOR'],
  ...narrowable((capabilities) => finiteCases({ kinds: ['avg'], noPadding: true, divisorOverride: false, capabilities })),
  check: (backend, c, policy) => verdictOf(async () => {
    const maxSpec: PoolSpec = { ...c.spec, kind: 'max' };
    const avg = await runForward(backend, c.spec, c.x, policy);
    const hi = await runForward(backend, maxSpec, c.x, policy);
    const lo = await runForward(backend, maxSpec, { ...c.x, data: Float32Array.from(c.x.data, (v) => -v) }, policy);
    const ref = referenceForward(c.spec, c.x, policy);
    for (let i = 0; i < avg.y.data.length; i++) {
      const w = width(ref.acceptance[i]!) ?? Infinity;
      const v = avg.y.data[i]!;
      if (!(v <= hi.y.data[i]! + w && v >= -lo.y.data[i]! - w)) {
        return fail(`avg ${v} outside [min ${-lo.y.data[i]!}, max ${hi.y.data[i]}] at y${JSON.stringify(positionOf(avg.y.shape, i))} (INV.ORDER)`);
      }
    }
    return PASS;
  }),
};

export const lpOne: Property<PoolCase> = {
  id: 'inv.lp1',
  title: 'Lp pooling with p = 1 is the sum of |x|',
  clauses: ['INV.LP1', 'LP.DEF'],
  ...narrowable((capabilities) => finiteCases({ kinds: ['sum'], capabilities })),
  check: (backend, c, policy) => verdictOf(async () => {
    const lpSpec: PoolSpec = { ...c.spec, kind: 'lp', p: 1 };
    const abs = { ...c.x, data: Float32Array.from(c.x.data, Math.abs) };
    const a = await runForward(backend, lpSpec, c.x, policy);
    const b = await runForward(backend, c.spec, abs, policy);
    const ra = referenceForward(lpSpec, c.x, policy);
    const rb = referenceForward(c.spec, abs, policy);
    for (let i = 0; i < a.y.data.length; i++) {
      const slack = (width(ra.acceptance[i]!) ?? Infinity) + (width(rb.acceptance[i]!) ?? Infinity);
      if (!(Math.abs(a.y.data[i]! - b.y.data[i]!) <= slack)) {
        return fail(`lp(p=1) ${a.y.data[i]} ≠ sum(|x|) ${b.y.data[i]} at y${JSON.stringify(positionOf(a.y.shape, i))} beyond ${slack} (INV.LP1)`);
      }
    }
    return PASS;
  }),
};

export const maxRouting: Property<PoolCase> = {
  id: 'inv.route',
  title: 'the max gradient of each output goes to exactly one input, its index',
  clauses: ['INV.ROUTE', 'GRAD.MAX', 'MAX.INDEX'],
  ...narrowable((capabilities) => poolCaseArbitrary({ kinds: ['max'], profiles: ['ties', 'finite'], capabilities })),
  usesBackward: true,
  check: (backend, c, policy) => verdictOf(async () => {
    const r = await runForward(backend, c.spec, c.x, policy);
    const g = poolGeometry(c.spec, c.x.shape, layoutOf(c.x));
    const outs = [0, Math.floor(r.y.data.length / 2), r.y.data.length - 1];
    for (const o of new Set(outs)) {
      const dy = new Float32Array(r.y.data.length);
      dy[o] = 1;
      const dx = await runBackward(backend, c.spec, c.x, { shape: [...g.outShape], data: dy, layout: layoutOf(c.x) });
      const hit = [...dx.data.keys()].filter((i) => dx.data[i] !== 0);
      if (hit.length !== 1 || dx.data[hit[0]!] !== 1) {
        return fail(`a unit gradient at output ${o} reached ${hit.length} inputs (${hit.slice(0, 4).map((i) => `${i}: ${dx.data[i]}`).join(', ')}) (INV.ROUTE)`);
      }
      if (policy.indices === 'plane') {
        const pos = positionOf(c.x.shape, hit[0]!);
        const { spatial } = splitShape(pos, layoutOf(c.x));
        const strides = rowMajorStrides(g.inSpatial);
        const q = spatial.reduce((acc, v, k) => acc + v * strides[k]!, 0);
        if (q !== r.indices![o]) return fail(`output ${o}'s gradient went to plane index ${q}, but forward's index is ${r.indices![o]} (INV.ROUTE, MAX.INDEX)`);
      }
    }
    return PASS;
  }),
};
