/**
 * GRAD.FD and GRAD.ADJOINT: a backend's backward against the derivative of the spec's forward (central
 * differences in 40 digits), and the adjoint identity of the linear kinds, with tolerances from ACC.GRAD.
 */
import { fraction, type Fraction } from 'mathjs';
import { avgDivisor, planeAddress } from '../geometry.js';
import { gradCaseArbitrary, type GradCase } from '../arbitraries/case.js';
import type { Acceptance } from '../interval.js';
import { exactFraction } from '../reference/exact.js';
import { referenceBackward } from '../reference/backward.js';
import { referenceForward } from '../reference/forward.js';
import { hpAdd, hpDiv, hpFromNumber, hpMul, hpSub, hpZero, windowValueHP, type Decimal } from '../reference/highprec.js';
import { PASS, fail, narrowable, positionOf, runBackward, runForward, verdictOf, type Property } from './property.js';

/** Half the width of an acceptance set around its value: the error a correct backend may make there. */
function halfWidth(a: Acceptance): number | undefined {
  if (a.kind === 'exact') return Number.isFinite(a.value) ? 0 : undefined;
  if (a.kind === 'unconstrained' || a.posInf || a.negInf || a.nan) return undefined;
  return Math.max(a.hi - a.value, a.value - a.lo);
}

/** Elements whose derivative is checked per case: up to this many, spread over the input. */
const FD_SAMPLES = 6;

export const finiteDifferences: Property<GradCase> = {
  id: 'grad.fd',
  title: 'backward equals central finite differences of the spec\'s forward (away from ties and kinks)',
  clauses: ['GRAD.FD', 'GRAD.MAX', 'GRAD.SUM', 'GRAD.AVG', 'GRAD.LP'],
  ...narrowable((capabilities) => gradCaseArbitrary({ profiles: ['smooth'], dyProfile: 'smooth', maxElements: 64, capabilities })),
  usesBackward: true,
  check: (backend, c, policy) => verdictOf(async () => {
    const dx = await runBackward(backend, c.spec, c.x, c.dy);
    const fwd = referenceForward(c.spec, c.x, policy);
    const ref = referenceBackward(c.spec, c.x, c.dy, policy);
    const g = fwd.geometry;
    const p = c.spec.p ?? 1;
    const count = c.x.data.length;
    const picks = new Set<number>();
    for (let k = 0; k < Math.min(FD_SAMPLES, count); k++) picks.add(Math.floor((k * count) / Math.min(FD_SAMPLES, count)));
    for (const i of picks) {
      const hw = halfWidth(ref.acceptance[i]!);
      if (hw === undefined) continue;
      // Locate element i: its (n, c) plane and plane index q.
      const pos = positionOf(c.x.shape, i);
      const n = pos[0]!;
      const ch = g.layout === 'channels_last' ? pos[pos.length - 1]! : pos[1]!;
      const src = planeAddress(g.layout, g.batch, g.channels, g.inPlane, n, ch);
      const dst = planeAddress(g.layout, g.batch, g.channels, g.outPlane, n, ch);
      const q = (i - src.base) / src.step;
      const xi = c.x.data[i]!;
      const derivative = (h: Decimal): Decimal | undefined => {
        let total = hpZero;
        for (let o = 0; o < g.outPlane; o++) {
          const w = fwd.windows[o]!;
          if (!w.taps.includes(q)) continue;
          const vals = w.taps.map((t) => c.x.data[src.base + t * src.step]!);
          // A kink: i ties for the window's maximum (MAX.TIES decides, the function is not differentiable).
          if (c.spec.kind === 'max') {
            const m = Math.max(...vals);
            if (xi === m && vals.filter((v) => v === m).length > 1) return undefined;
          }
          const at = (sign: 1 | -1): Decimal => windowValueHP(c.spec.kind, w.taps.map((t, k) =>
            t === q ? hpAdd(hpFromNumber(xi), sign > 0 ? h : hpSub(hpZero, h)) : hpFromNumber(vals[k]!)), avgDivisor(c.spec, w.axes), p);
          const slope = hpDiv(hpSub(at(1), at(-1)), hpMul(hpFromNumber(2), h));
          total = hpAdd(total, hpMul(hpFromNumber(c.dy.data[dst.base + o * dst.step]!), slope));
        }
        return total;
      };
      // h = 2^-30·|x_i|: far above the 40-digit noise (~1e-40/h), far below float32 resolution.
      const h = hpFromNumber(Math.abs(xi) * 2 ** -30);
      const d1 = derivative(h);
      const d2 = derivative(hpDiv(h, hpFromNumber(2)));
      if (d1 === undefined || d2 === undefined) continue;
      // Truncation error of a central difference is O(h²); halving h estimates it: |D(h) − D(h/2)|·4/3 < 2·|…|.
      const trunc = 2 * Math.abs(hpSub(d1, d2).toNumber());
      const want = d2.toNumber();
      const got = dx.data[i]!;
      if (!(Math.abs(got - want) <= hw + trunc)) {
        return fail(`dx${JSON.stringify(pos)} = ${got}, central difference gives ${want} (allowed error ${hw + trunc}: ACC.GRAD + truncation) (GRAD.FD)`, {
          tensor: 'dx', flat: i, position: pos, expected: `${want} ± ${hw + trunc}`, got: String(got),
        });
      }
    }
    return PASS;
  }),
};

function innerExact(a: ArrayLike<number>, b: ArrayLike<number>): Fraction {
  let s: Fraction = fraction(0n, 1n);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== 0 && b[i] !== 0) s = s.add(exactFraction(a[i]!).mul(exactFraction(b[i]!)));
  }
  return s;
}

function firstNonFinite(what: string, data: Float32Array): string | undefined {
  const i = data.findIndex((v) => !Number.isFinite(v));
  return i < 0 ? undefined : `${what}[${i}] = ${data[i]}`;
}

export const adjointIdentity: Property<GradCase> = {
  id: 'grad.adjoint',
  title: 'sum and avg backward is the adjoint of forward: ⟨A x, g⟩ = ⟨x, Aᵀ g⟩',
  clauses: ['GRAD.ADJOINT', 'GRAD.SUM', 'GRAD.AVG'],
  ...narrowable((capabilities) => gradCaseArbitrary({ kinds: ['sum', 'avg'], profiles: ['finite', 'ties'], capabilities })),
  usesBackward: true,
  check: (backend, c, policy) => verdictOf(async () => {
    const r = await runForward(backend, c.spec, c.x, policy);
    const dx = await runBackward(backend, c.spec, c.x, c.dy);
    const fwd = referenceForward(c.spec, c.x, policy);
    const bwd = referenceBackward(c.spec, c.x, c.dy, policy);
    // Each side may deviate from the exact ⟨y, g⟩ = ⟨x, dx⟩ by Σ|g|·(forward error) and Σ|x|·(backward error).
    let bound = 0;
    for (let o = 0; o < fwd.acceptance.length; o++) {
      const hw = halfWidth(fwd.acceptance[o]!);
      if (hw === undefined) return PASS; // overflow possible: the identity says nothing
      bound += Math.abs(c.dy.data[o]!) * hw;
    }
    for (let i = 0; i < bwd.acceptance.length; i++) {
      const hw = halfWidth(bwd.acceptance[i]!);
      if (hw === undefined) return PASS;
      bound += Math.abs(c.x.data[i]!) * hw;
    }
    bound *= 1 + 2 ** -40; // the bound's own f64 evaluation (ACC.ENDPOINTS)
    // Every acceptance set above is finite (no overflow is possible here), so a ±∞ or NaN in y or dx is wrong, and
    // the exact inner products below could not take it.
    const bad = firstNonFinite('forward(x)', r.y.data) ?? firstNonFinite('backward(g)', dx.data);
    if (bad !== undefined) return fail(`${bad}, where every acceptance set is finite (GRAD.ADJOINT)`);
    const lhs = innerExact(r.y.data, c.dy.data);
    const rhs = innerExact(c.x.data, dx.data);
    const gap = Math.abs(lhs.sub(rhs).valueOf());
    if (!(gap <= bound)) {
      return fail(`⟨forward(x), g⟩ − ⟨x, backward(g)⟩ = ${gap}, more than the ACC bound ${bound} (GRAD.ADJOINT)`);
    }
    return PASS;
  }),
};
