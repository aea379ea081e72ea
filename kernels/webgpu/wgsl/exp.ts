/**
 * Accurate e^d, ln z and a/b in WGSL for the research kinds (SPEC.md §11), built on the float-float helpers of
 * pow.ts (include POW_WGSL first). WGSL's own builtins do not meet REDUCER.MODEL's κ = 2^−22 (relative):
 * - `exp(x)` is only bounded by 3 + 2·|x| ulp (WGSL, "Floating Point Accuracy"): at d = −20 that is 43 ulp
 *   ≈ 2^−18.4 relative, and EXP.WEIGHT's arguments reach −103;
 * - `log(x)` has an absolute error of 2^−21 on [0.5, 2], i.e. no relative bound near x = 1, where LSE.ACC needs
 *   one (ℓ = ln z → 0 as z → 1);
 * - `/` is 2.5 ulp, where SOFT.ACC and LSE.GRAD allow one rounding (u) for the division.
 *
 * ps_exp(d) = 2^(d·log2 e) with the product in float-float (relative error ≲ 2^−44 of L) and ps_exp2_ff's budget
 * (pow.ts: < 1.05·2^−24 for a normal result), so within κ. Below d = −105 the result is 0: e^−105 < 2^−151 < η.
 * ps_ln(z) = log2 z · ln 2 from ps_log2_ff (relative error < 2^−38) and a float-float product: a float-float
 * result, relative error < 2^−37, exactly 0 at z = 1.
 * ps_div(a, b) = q + (a − q·b)/b with q = a/b: the residual is exact (TwoProd; a − q·b by Sterbenz, since q·b is
 * within 2.5 ulp of a), so the corrected quotient is the exact one rounded once, up to a relative 2^−21 of the
 * correction (≤ 2.5 ulp): within u·(1 + 2^−20)·|a/b|, below the spec's one rounding (u|y|) plus the slack of
 * the terms beside it.
 */
/** log2 e and ln 2 as float-float [hi, lo] hexadecimal floats (50-digit values; exp.test.ts re-derives them). */
export const EXP_CONSTANTS = {
  log2e: ['0x1.715476p+0', '0x1.4ae0c0p-26'],
  ln2: ['0x1.62e430p-1', '-0x1.05c610p-29'],
} as const;

const ff = (pair: readonly [string, string]): string => `vec2f(${pair[0]}f, ${pair[1]}f)`;

/** WGSL defining ps_exp, ps_ln and ps_div (prefix ps_/PS_EXP_). Needs POW_WGSL before it. */
export const EXP_WGSL: string = /* wgsl */ `
// ---- ps_exp / ps_ln / ps_div (kernels/webgpu/wgsl/exp.ts explains the bounds) ----
const PS_EXP_LOG2E = ${ff(EXP_CONSTANTS.log2e)};
const PS_EXP_LN2 = ${ff(EXP_CONSTANTS.ln2)};
// e^d for d ≤ 0 (EXP.WEIGHT's max-shifted arguments). −∞ and d < −105 give 0, decided on the bits and before any
// float-float arithmetic (an ∞ would turn the error terms into NaN).
fn ps_exp(d: f32) -> f32 {
  let db = bitcast<u32>(d);
  if ((db & 0x7f800000u) == 0x7f800000u || d < -105.0) { return 0.0; }
  return ps_exp2_ff(ps_ff_mul(vec2f(d, 0.0), PS_EXP_LOG2E));
}
// ln z as a float-float, for a finite positive normal z.
fn ps_ln(z: f32) -> vec2f {
  return ps_ff_mul(ps_log2_ff(bitcast<u32>(z)), PS_EXP_LN2);
}
// a / b for finite a and a finite normal b, within one rounding (see exp.ts).
fn ps_div(a: f32, b: f32) -> f32 {
  let q = a / b;
  let pr = ps_two_prod(q, b);
  return q + (((a - pr.x) - pr.y) / b);
}
`;

