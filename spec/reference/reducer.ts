/**
 * The reference of a declared reducer (SPEC.md REDUCER.*): per output, the declaration's special result (exact)
 * or its 40-digit reference with the acceptance set of its error model (REDUCER.ACCURACY); and the gradient
 * by central differences of that 40-digit reference (REDUCER.FD), with the tolerance of its gradient model.
 */
import type { ReducerPoolSpec, Tensor } from '../contract.js';
import { forEachPlane, type PoolGeometry } from '../geometry.js';
import { ETA32, U32, around, exact, gamma, unconstrained, type Acceptance } from '../interval.js';
import type { HP, ReducerDeclaration } from '../reducer.js';
import { reducerGeometrySpec, validateReducerBackward, validateReducerForward } from '../validate-reducer.js';
import { HP_FD_DIGITS, HP_MATH as hp, HP_MATH_FD as fd } from './hpmath.js';
import { planeWindows, type PlaneWindow } from './windows.js';

/**
 * Absolute error allowed for one 80-digit evaluation of a reference (REDUCER.FD): 10^-(80−4) relative to the
 * largest of 1, |y| and the taps' magnitudes (a margin of 10^4 over the digits for the reference's operations).
 */
const FD_EPS = 10 ** -(HP_FD_DIGITS - 4);

export interface ReducerReference {
  readonly geometry: PoolGeometry;
  readonly windows: readonly PlaneWindow[];
  /** Exact results rounded to f64, in the output's layout. */
  readonly values: Float64Array;
  readonly acceptance: readonly Acceptance[];
}

/** The exact value of one window rounded to f64, or undefined with `special` when the declaration answers it. */
export function reducerValue(decl: ReducerDeclaration, values: readonly number[], params: Readonly<Record<string, number>>): number {
  const s = decl.special(values, params);
  if (s !== undefined) return s;
  return hp.toNumber(decl.reference(values.map((v) => hp.of(v)), params, hp));
}

/** REDUCER.ACCURACY: one window's acceptance set. */
export function reducerAcceptance(decl: ReducerDeclaration, values: readonly number[], params: Readonly<Record<string, number>>): Acceptance {
  const s = decl.special(values, params);
  if (s !== undefined) return exact(s);
  const y = hp.toNumber(decl.reference(values.map((v) => hp.of(v)), params, hp));
  const { halfWidth, mayOverflow } = decl.accuracy.forward({ values, params, y });
  if (!(halfWidth >= 0) || !Number.isFinite(halfWidth)) return unconstrained(y, `${decl.name}: the error model gives no finite bound here (ACC.RANGE)`);
  // `around` accepts ±∞ and NaN when its magnitude argument reaches Ω (ACC.OVERFLOW).
  return around(y, halfWidth, mayOverflow ? Infinity : Math.abs(y), 4);
}

function readerOf(x: Tensor, base: number, step: number): (q: number) => number {
  return (q) => x.data[base + q * step]!;
}

export function referenceReducerForward(decl: ReducerDeclaration, spec: ReducerPoolSpec, x: Tensor): ReducerReference {
  const g = validateReducerForward(spec, x, decl);
  const windows = planeWindows(reducerGeometrySpec(spec), g);
  const params = spec.params ?? {};
  const total = g.batch * g.channels * g.outPlane;
  const values = new Float64Array(total);
  const acceptance = new Array<Acceptance>(total);
  forEachPlane(g, (src, dst) => {
    const read = readerOf(x, src.base, src.step);
    for (let o = 0; o < g.outPlane; o++) {
      const taps = windows[o]!.taps.map(read);
      const a = reducerAcceptance(decl, taps, params);
      const at = dst.base + o * dst.step;
      acceptance[at] = a;
      values[at] = a.value;
    }
  });
  return { geometry: g, windows, values, acceptance };
}

/**
 * REDUCER.FD: the partials of one finite window by central differences of the reference evaluated in 80 digits,
 * D(h/2) with h = 2^-24·2^⌊log2 |x_r|⌋ (x_r ± h exact), and its error: the truncation estimate 2·|D(h) − D(h/2)|
 * (PROP.FD's) plus the rounding of the two evaluations, FD_EPS·max(1, |y|, max|x|) each, divided by the step.
 */
export function windowPartials(decl: ReducerDeclaration, values: readonly number[], params: Readonly<Record<string, number>>): { partials: number[]; truncation: number[] } {
  const base = values.map((v) => fd.of(v));
  const f = (vs: HP[]): HP => decl.reference(vs, params, fd);
  const scale = Math.max(1, Math.abs(fd.toNumber(f(base))), ...values.map(Math.abs));
  const partials: number[] = [];
  const truncation: number[] = [];
  values.forEach((v, r) => {
    const h = v === 0 ? 2 ** -40 : 2 ** (Math.floor(Math.log2(Math.abs(v))) - 24);
    const D = (step: number): HP => {
      const plus = [...base]; const minus = [...base];
      plus[r] = fd.add(base[r]!, fd.of(step));
      minus[r] = fd.sub(base[r]!, fd.of(step));
      return fd.div(fd.sub(f(plus), f(minus)), fd.of(2 * step));
    };
    const d1 = D(h);
    const d2 = D(h / 2);
    partials.push(fd.toNumber(d2));
    truncation.push(2 * Math.abs(fd.toNumber(fd.sub(d1, d2))) + (2 * FD_EPS * scale) / h);
  });
  return { partials, truncation };
}

/**
 * The gradient's acceptance set per input element (REDUCER.FD): Σ_o dy_o·∂y_o/∂x_i, each term's error from the
 * declaration's gradient model plus the product with dy (u, η), m terms added (γ_{m−1}), plus the truncation
 * estimate. Elements in a window where the reducer is not differentiable are unconstrained (with the reason).
 */
export function referenceReducerGradient(decl: ReducerDeclaration, spec: ReducerPoolSpec, x: Tensor, dy: Tensor): Acceptance[] {
  const g = validateReducerBackward(spec, x, dy, decl);
  const windows = planeWindows(reducerGeometrySpec(spec), g);
  const params = spec.params ?? {};
  const n = x.data.length;
  const sum = new Float64Array(n);
  const absT = new Float64Array(n);
  const err = new Float64Array(n);
  const trunc = new Float64Array(n);
  const count = new Int32Array(n);
  const why = new Array<string | undefined>(n);
  forEachPlane(g, (src, dst) => {
    const read = readerOf(x, src.base, src.step);
    for (let o = 0; o < g.outPlane; o++) {
      const taps = windows[o]!.taps;
      const values = taps.map(read);
      const d = dy.data[dst.base + o * dst.step]!;
      const smooth = decl.traits.differentiable?.(values, params) ?? false;
      if (!smooth || !values.every(Number.isFinite)) {
        for (const q of taps) why[src.base + q * src.step] ??= `${decl.name} is not differentiable at this window (REDUCER.FD)`;
        continue;
      }
      const y = reducerValue(decl, values, params);
      const { partials, truncation } = windowPartials(decl, values, params);
      taps.forEach((q, r) => {
        const i = src.base + q * src.step;
        const gr = partials[r]!;
        const e = decl.accuracy.gradient?.({ values, params, y, partials }, r) ?? Infinity;
        if (!Number.isFinite(e)) { why[i] ??= `${decl.name}: no finite gradient bound here (ACC.RANGE)`; return; }
        sum[i]! += d * gr;
        absT[i]! += Math.abs(d * gr);
        err[i]! += Math.abs(d) * (e + U32 * (Math.abs(gr) + e)) + ETA32;
        trunc[i]! += Math.abs(d) * truncation[r]!;
        count[i]!++;
      });
    }
  });
  const out = new Array<Acceptance>(n);
  for (let i = 0; i < n; i++) {
    if (why[i] !== undefined) { out[i] = unconstrained(sum[i]!, why[i]!); continue; }
    const gm = gamma(count[i]! - 1);
    out[i] = around(sum[i]!, err[i]! * (1 + gm) + gm * absT[i]! + trunc[i]!, 0, 4 * Math.max(1, count[i]!));
  }
  return out;
}
