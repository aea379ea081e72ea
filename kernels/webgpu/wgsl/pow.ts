/**
 * Accurate powers in WGSL: `ps_pow(x, p)` = |x|^p and `ps_root(x, p)` = |x|^(1/p), with relative error at most
 * POW_REL_ERROR_BOUND ≈ 1.05·2^−24, inside ACC.LP's κ = 2^−22 (spec/SPEC.md). WGSL's builtin `pow` is
 * exp2(p·log2 x) in f32 with no useful accuracy bound: log2 x is rounded to 24 bits, so p·log2 x = L carries an
 * absolute error of about |L|·2^−24 and 2^L a relative one of about 0.69·|L|·2^−24, up to ~88·2^−24 at |L| = 127.
 *
 * Algorithm: 2^L with L = p·log2|x| (or log2|x| / p) in float-float ("double-single": an unevaluated sum hi + lo
 * of two f32, about 44 significant bits).
 *
 * 1. Decompose |x| = m·2^e from its bits, integer operations only, so a subnormal x is normalised exactly even on
 *    a device that flushes subnormal arithmetic. If m ≥ √2, halve m and add 1 to e, so m ∈ [√½, √2).
 * 2. log2 m = (2/ln 2)·atanh(t) = (2/ln 2)·t·S, t = (m − 1)/(m + 1), S = 1 + t²/3 + t⁴/5 + …, |t| ≤ 3 − 2√2 < 0.1716,
 *    t² < 0.02944 = 2^−5.08. m − 1 is exact (Sterbenz), m + 1 is exact as a float-float (TwoSum); t is the f32
 *    quotient plus a correction from the exact residual (TwoProd), so t has relative error ≲ 2^−43 although
 *    WGSL's `/` is only 2.5 ulp accurate. S: 1, t²/3 and t⁴/5 in float-float; t⁶/7 … t¹⁴/15 in f32 (their sum is
 *    < 2^−17.8·S, its f32 error < 4·2^−24 of that, i.e. < 2^−39.8). The first omitted term is t¹⁶/17 < 2^−44.7.
 *    log2 |x| = e + log2 m, a float-float addition without cancellation (e ≠ 0 ⇒ |e + log2 m| ≥ 0.5 ≥ |log2 m|).
 *    Relative error of log2 |x|, and then of L after one float-float product or quotient: ε_L < 2^−38 (the f32
 *    tail's 2^−39.8, t's ≲ 2^−43, and about ten float-float operations of ≲ 2^−45 each).
 * 3. 2^L = 2^i · 2^(j/64) · 2^r with k = round(64·L_hi), i = ⌊k/64⌋, j = k mod 64, r = (L_hi − k/64) + L_lo. The
 *    subtraction is exact (both are multiples of ulp(L_hi) and |L_hi − k/64| ≤ 2^−7 ≤ |L_hi| unless k = 0), so the
 *    only error of r is the final addition: < 2^−24·2^−7. 2^(j/64) = T_hi + T_lo comes from POW_EXP2_TABLE
 *    (error < 2^−48). q = 2^r − 1 = r·(ln2 + r·(ln2²/2 + r·(ln2³/6 + r·ln2⁴/24))), |r| < 2^−7 + 2^−17, so
 *    |q| < 0.00543; the first omitted Taylor term is < 2^−44.5. The mantissa M = T_hi + (T_hi·q + T_lo) is
 *    rounded once, at the end. 2^i is applied as two exact power-of-two factors built from bits (each in
 *    [2^−76, 2^64]), so nothing overflows or underflows before the last multiplication.
 *
 * Error budget, relative, in units of 2^−24 (every f32 +, −, × is correctly rounded in WGSL, error ≤ 2^−24 of
 * its result; a contracted fma only removes a rounding):
 *   q:  coefficient ln2 rounded (0.72) + inner addition (1) + outer product (1) + rest (< 0.01): 2.73 of |q|,
 *       times |q| < 0.00543 ..................................................................... 0.015
 *   T_hi·q rounded (0.0055), T_hi·q + T_lo rounded (0.0055) ........................................ 0.011
 *   r rounded: 0.69·2^−7 (0.0054); L: 0.69·128.5·ε_L·2^24 (< 0.0055); T: 2^−24 of T_lo (< 0.0001) . 0.011
 *   before the last rounding, in all ...................................................... < 0.037
 *   the last rounding of M (M ∈ [0.9945, 1.9893]): half an ulp, ≤ 2^−24·M ................... ≤ 1
 *   scaling by 2^i: exact while the result is normal ............................................ 0
 * Total < 1.037 units ≈ 2^−23.95; POW_REL_ERROR_BOUND = 1.05·2^−24 keeps a margin. This holds whenever the exact
 * result is in [2^−126, 2^128). Beyond:
 * - overflow: if L_hi > 128.5, or i = 128 with M > 1 (so M ≥ 1 + 2^−23), the result is +∞: the exact value is then
 *   above 2^128, beyond ACC.LP's threshold 2^128·(1 − 2^−25). If i = 128 and M = 1 exactly, the result is the
 *   largest finite f32, within 2.1·2^−24 of the exact value whichever side of 2^128 that lies. As M < 1.9893,
 *   i ≤ 127 never overflows. +∞ is built from bits: WGSL lets a device assume that arithmetic never produces ∞.
 * - underflow: an exact result below 2^−126 comes back as M·2^i rounded by the device (a subnormal within
 *   relative POW_REL_ERROR_BOUND plus 2^−150), or as 0 on a device that flushes subnormals (SPEC.md
 *   POLICY.SUBNORMALS); never as anything larger, which ACC.LP's upper end would not admit. L_hi < −152 gives 0.
 *   The one exception keeps normal results normal: i = −126 with M in [1 − 2^−23, 1) gives 2^−126. M's own error
 *   (< 1.05·2^−24) puts every exact result ≥ 2^−126 there or above, so a flushing device cannot turn one into 0,
 *   and an exact result that is in fact below 2^−126 is then off by less than 2.1·2^−24 relative, inside κ.
 *   (Found by poolspec verify --backend webgpu --seed 303: returning 2^−126 for every M < 1 put a power of
 *   0.995·2^−126 at 2^−126, outside ACC.LP.)
 *
 * Special cases, decided on the bits (exact): ps_pow(x, ±0) = 1 for every x (NaN included), ps_pow(±1, p) = 1
 * for every p; ps_pow(0, p > 0) = 0, ps_pow(0, p < 0) = +∞; ps_pow(∞, p > 0) = +∞, ps_pow(∞, p < 0) = 0;
 * ps_pow(x, 1) = |x| (exactly, subnormals kept); NaN otherwise gives NaN. |p| > 2^33 is clamped to 2^33, which keeps
 * the result: |log2 x| ≥ 1.44·2^−24 for x ≠ 1, so |L| ≥ 2^9.5 saturates to +∞ or 0 all the same. p = ±∞ therefore
 * follows IEEE pow. ps_root(x, p) = ps_pow(x, 1/p) with 1/p exact: L = log2|x| / p in float-float (|p| > 2^126,
 * where WGSL's `/` has no accuracy bound, gives 1: the exact result is then within 2^−118 of 1), and p = ±0 is
 * 1/p = ±∞.
 *
 * Error-free transformations are written to survive what WGSL lets a compiler do:
 * - contract a·b + c into an fma: splits use a bit mask (hi keeps 12 significant bits, lo = a − hi has at most 12
 *   and the same sign), never Veltkamp's 4097·a; each partial product of Dekker's TwoProd is then exact (12×12
 *   bits), and so is each of its partial sums (|a_lo·b| + |err| < 2^(ea+eb−10), a 24-bit multiple of
 *   2^(ea+eb−34)), so fusing changes nothing. TwoSum and FastTwoSum use additions only.
 * - reassociate additions that have constant operands: spirv-opt (SwiftShader runs it; other drivers' compilers
 *   have similar rules) folds (x + C1) − C2 into x + (C1 − C2) unless the instruction is decorated NoContraction,
 *   which WGSL cannot request. In TwoSum(a, b) with a constant a, s − a = (a + b) − a is that pattern: it folds to
 *   b and the error term to 0 (pow.test.ts caught it on SwiftShader: log2 x fell to ~2^−26 relative accuracy). So
 *   a constant only ever enters ps_two_sum / ps_ff_add as the second operand b, where no constant-merging rule
 *   matches (b − (s − a): s − a has no constant operand). A compiler that reassociates freely ("fast math") would
 *   defeat any float-float code; the test runs on the device to find out.
 * - flush subnormals: x is decoded with integer operations; partial products that can underflow only occur when
 *   |L| < 2^−100, where they cannot change the result.
 * Tested against 40-digit references in kernels/webgpu/wgsl/pow.test.ts.
 */

/**
 * Relative error bound of ps_pow and ps_root where the exact result is in [2^−126, 2^128): the budget above
 * (< 1.037·2^−24) with a margin. ACC.LP requires κ = 2^−22.
 */
export const POW_REL_ERROR_BOUND = 1.05 * 2 ** -24;

/**
 * The constants, as exact WGSL hexadecimal floats (no decimal-to-binary rounding in the shader compiler).
 * Pairs are float-float values: hi = the f32 nearest the real number, lo = the f32 nearest to (real − hi). Derived
 * from 50-digit values (mathjs BigNumber); pow.test.ts re-derives every one.
 */
export const POW_CONSTANTS = {
  /** 2/ln 2, the factor of atanh in log2 m = (2/ln 2)·atanh(t). */
  twoOverLn2: ['0x1.715476p+1', '0x1.4ae0c0p-25'],
  /** 1/3 and 1/5: the float-float coefficients of S. */
  c3: ['0x1.555556p-2', '-0x1.555556p-27'],
  c5: ['0x1.99999ap-3', '-0x1.99999ap-29'],
  /** 1/7 … 1/15, rounded to f32: the f32 tail of S. */
  c7: '0x1.24924ap-3',
  c9: '0x1.c71c72p-4',
  c11: '0x1.745d18p-4',
  c13: '0x1.3b13b2p-4',
  c15: '0x1.111112p-4',
  /** ln2^k / k!, k = 1…4, rounded to f32: Taylor coefficients of 2^r − 1. */
  e1: '0x1.62e430p-1',
  e2: '0x1.ebfbe0p-3',
  e3: '0x1.c6b08ep-5',
  e4: '0x1.3b2ab6p-7',
} as const;

/** 2^(j/64), j = 0…63, as float-float [hi, lo] hexadecimal floats (same derivation as POW_CONSTANTS). */
export const POW_EXP2_TABLE: readonly (readonly [string, string])[] = [
  ['0x1.000000p+0', '0x0p+0'],
  ['0x1.02c9a4p+0', '-0x1.887fa0p-28'],
  ['0x1.059b0ep+0', '-0x1.9d4f52p-25'],
  ['0x1.087452p+0', '-0x1.e2990ep-26'],
  ['0x1.0b5586p+0', '0x1.9f3122p-25'],
  ['0x1.0e3ec4p+0', '-0x1.a585ccp-25'],
  ['0x1.11301ep+0', '-0x1.fdb496p-25'],
  ['0x1.1429aap+0', '0x1.d525bcp-25'],
  ['0x1.172b84p+0', '-0x1.c15742p-27'],
  ['0x1.1a35bep+0', '0x1.6df96ep-25'],
  ['0x1.1d4874p+0', '-0x1.d2e8cap-25'],
  ['0x1.2063b8p+0', '0x1.0c519ap-25'],
  ['0x1.2387a6p+0', '0x1.ceac48p-25'],
  ['0x1.26b456p+0', '0x1.789f38p-26'],
  ['0x1.29e9e0p+0', '-0x1.5c0424p-25'],
  ['0x1.2d285ap+0', '0x1.b900c2p-26'],
  ['0x1.306fe0p+0', '0x1.4636e2p-25'],
  ['0x1.33c08cp+0', '-0x1.b37d20p-25'],
  ['0x1.371a74p+0', '-0x1.18aac6p-25'],
  ['0x1.3a7db4p+0', '-0x1.634c02p-25'],
  ['0x1.3dea64p+0', '0x1.824684p-25'],
  ['0x1.4160a2p+0', '0x1.f72e2ap-28'],
  ['0x1.44e086p+0', '0x1.8624b4p-30'],
  ['0x1.486a2cp+0', '-0x1.47d866p-25'],
  ['0x1.4bfdaep+0', '-0x1.593abcp-25'],
  ['0x1.4f9b28p+0', '-0x1.2c5a6cp-25'],
  ['0x1.5342b6p+0', '-0x1.2c5610p-25'],
  ['0x1.56f474p+0', '-0x1.295b04p-25'],
  ['0x1.5ab07ep+0', '-0x1.5bd5ecp-27'],
  ['0x1.5e76f2p+0', '-0x1.4a5bd6p-25'],
  ['0x1.6247ecp+0', '-0x1.f8b550p-25'],
  ['0x1.662388p+0', '0x1.2a9112p-27'],
  ['0x1.6a09e6p+0', '0x1.9fcef4p-26'],
  ['0x1.6dfb24p+0', '-0x1.cd72e8p-27'],
  ['0x1.71f75ep+0', '0x1.1d8beep-25'],
  ['0x1.75feb6p+0', '-0x1.37b306p-25'],
  ['0x1.7a1148p+0', '-0x1.829fd0p-25'],
  ['0x1.7e2f34p+0', '-0x1.261634p-25'],
  ['0x1.82589ap+0', '-0x1.accc7cp-26'],
  ['0x1.868d9ap+0', '-0x1.2edb44p-26'],
  ['0x1.8ace54p+0', '0x1.15506ep-27'],
  ['0x1.8f1aeap+0', '-0x1.baa232p-26'],
  ['0x1.93737cp+0', '-0x1.e64744p-25'],
  ['0x1.97d82ap+0', '-0x1.0d8d84p-31'],
  ['0x1.9c4918p+0', '0x1.51f848p-27'],
  ['0x1.a0c668p+0', '-0x1.2886a6p-26'],
  ['0x1.a5503cp+0', '-0x1.b83b54p-25'],
  ['0x1.a9e6b6p+0', '-0x1.50c048p-25'],
  ['0x1.ae89fap+0', '-0x1.a94b14p-26'],
  ['0x1.b33a2cp+0', '-0x1.ec3a82p-26'],
  ['0x1.b7f770p+0', '-0x1.a09438p-25'],
  ['0x1.bcc1eap+0', '-0x1.f687c6p-25'],
  ['0x1.c199bep+0', '-0x1.3d56b2p-27'],
  ['0x1.c67f12p+0', '0x1.cafa2ap-25'],
  ['0x1.cb720ep+0', '-0x1.8837ccp-27'],
  ['0x1.d072d4p+0', '0x1.40f130p-25'],
  ['0x1.d5818ep+0', '-0x1.822dbcp-27'],
  ['0x1.da9e60p+0', '0x1.ed9942p-27'],
  ['0x1.dfc974p+0', '-0x1.908c94p-25'],
  ['0x1.e502eep+0', '0x1.e2cffep-26'],
  ['0x1.ea4afap+0', '0x1.52486cp-27'],
  ['0x1.efa1bep+0', '0x1.cc2b44p-25'],
  ['0x1.f50766p+0', '-0x1.246eb0p-26'],
  ['0x1.fa7c18p+0', '0x1.9e90d8p-28'],
];

const K = POW_CONSTANTS;
const ff = (pair: readonly [string, string]): string => `vec2f(${pair[0]}f, ${pair[1]}f)`;

/**
 * WGSL defining `ps_pow(x: f32, p: f32) -> f32` and `ps_root(x: f32, p: f32) -> f32` (see the module comment),
 * plus private helpers and constants, all prefixed `ps_`/`PS_POW_`. No bindings; include once per module.
 */
export const POW_WGSL: string = /* wgsl */ `
// ---- ps_pow / ps_root: accurate |x|^p and |x|^(1/p) (kernels/webgpu/wgsl/pow.ts explains the error budget) ----
const PS_POW_2_LN2 = ${ff(K.twoOverLn2)};
const PS_POW_C3 = ${ff(K.c3)};
const PS_POW_C5 = ${ff(K.c5)};
const PS_POW_EXP2_TABLE = array<vec2f, 64>(
  ${POW_EXP2_TABLE.map(ff).join(',\n  ')});

// Shader compilers may rewrite float expressions as if they were real numbers: spirv-opt (run by SwiftShader)
// folds (C + b) − C into b for a constant C, and Mesa's NIR (lavapipe) applies such rules to any operands, and may
// fuse a product into a later subtraction. Either zeroes the error term of an error-free transformation. So each
// intermediate those rules could see through is passed through ps_opaque: an XOR of its bits with ps_zero, a zero
// the including kernel reads from a buffer at run time (a compiler cannot know it, so cannot remove the XOR; an
// integer operation, so nothing is rounded or flushed). Without it set, ps_zero is the constant 0 and the
// functions are still correct wherever the compiler keeps float arithmetic as written.
var<private> ps_zero: u32;
fn ps_opaque(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ ps_zero); }

// Float-float values are vec2f(hi, lo) with |lo| ≤ ulp(hi)/2 after normalisation.
// Knuth: s + e = a + b exactly. Constants still go second (belt and braces for a kernel that leaves ps_zero unset).
fn ps_two_sum(a: f32, b: f32) -> vec2f {
  let s = ps_opaque(a + b);
  let bb = ps_opaque(s - a);
  return vec2f(s, (a - (s - bb)) + (b - bb));
}
fn ps_fast_two_sum(a: f32, b: f32) -> vec2f {       // Dekker: exact when |a| ≥ |b| or a = 0; never a constant a
  let s = ps_opaque(a + b);
  return vec2f(s, b - (s - a));
}
fn ps_split(a: f32) -> vec2f {                      // hi: the leading 12 significant bits; lo = a − hi is exact
  let hi = bitcast<f32>(bitcast<u32>(a) & 0xFFFFF000u);
  return vec2f(hi, a - hi);
}
fn ps_two_prod(a: f32, b: f32) -> vec2f {           // Dekker: p + e = a·b exactly, every step exact
  let p = ps_opaque(a * b);                         // opaque: a fused a·b − … downstream would count e twice
  let sa = ps_split(a);
  let sb = ps_split(b);
  return vec2f(p, (((sa.x * sb.x - p) + sa.x * sb.y) + sa.y * sb.x) + sa.y * sb.y);
}
fn ps_ff_mul(a: vec2f, b: vec2f) -> vec2f {
  let p = ps_two_prod(a.x, b.x);
  return ps_fast_two_sum(p.x, p.y + (a.x * b.y + a.y * b.x));
}
// Accurate unless a and b nearly cancel (never here). b may be a constant, a may not (see ps_two_sum).
fn ps_ff_add(a: vec2f, b: vec2f) -> vec2f {
  let s = ps_two_sum(a.x, b.x);
  return ps_fast_two_sum(s.x, s.y + (a.y + b.y));
}
fn ps_pow_inf() -> f32 {                            // built at run time: a constant ∞ is a shader-creation error
  var b = 0x7F800000u;
  return bitcast<f32>(b);
}
fn ps_pow_nan() -> f32 {
  var b = 0x7FC00000u;
  return bitcast<f32>(b);
}
fn ps_pow_exp2i(n: i32) -> f32 {                    // 2^n for n in [−126, 127], exactly
  return bitcast<f32>(u32(n + 127) << 23u);
}

// log2 of the finite, non-zero magnitude with bits xb (normal or subnormal), as a float-float.
fn ps_log2_ff(xb: u32) -> vec2f {
  var e: i32;
  var mb: u32;                                      // the 23 fraction bits of m
  if (xb < 0x00800000u) {                           // subnormal: normalise with integer operations only
    let sh = countLeadingZeros(xb) - 8u;
    e = -126 - i32(sh);
    mb = (xb << sh) & 0x007FFFFFu;
  } else {
    e = i32(xb >> 23u) - 127;
    mb = xb & 0x007FFFFFu;
  }
  var m = bitcast<f32>(mb | 0x3F800000u);           // [1, 2)
  if (mb >= 0x003504F4u) {                          // m ≥ √2 (0x3FB504F4 is the first f32 above √2)
    m = bitcast<f32>(mb | 0x3F000000u);             // m/2 ∈ [√½, 1)
    e += 1;
  }
  let a = m - 1.0;                                  // exact (Sterbenz)
  let d = ps_two_sum(m, 1.0);                       // m + 1, exactly
  let th = a / d.x;                                 // within 2.5 ulp; corrected from the exact residual:
  let pr = ps_two_prod(th, d.x);
  let tl = (((a - pr.x) - pr.y) - th * d.y) / d.x;  // a − pr.x is exact (Sterbenz)
  let t = ps_fast_two_sum(th, tl);
  let t2 = ps_ff_mul(t, t);
  let z = t2.x;
  let tail = z * (${K.c7}f + z * (${K.c9}f + z * (${K.c11}f + z * (${K.c13}f + z * ${K.c15}f))));
  // Constants go second into ps_ff_add (see ps_two_sum).
  let s5 = ps_ff_add(vec2f(tail, 0.0), PS_POW_C5);  // 1/5 + t²/7 + … + t¹⁰/15
  let s3 = ps_ff_add(ps_ff_mul(t2, s5), PS_POW_C3); // 1/3 + t²/5 + …
  let s = ps_ff_add(ps_ff_mul(t2, s3), vec2f(1.0, 0.0));
  let lm = ps_ff_mul(ps_ff_mul(PS_POW_2_LN2, t), s);
  return ps_ff_add(vec2f(f32(e), 0.0), lm);         // e is exact in f32
}

// 2^(L.x + L.y), rounded once; over- and underflow as in pow.ts.
fn ps_exp2_ff(L: vec2f) -> f32 {
  if (L.x > 128.5) { return ps_pow_inf(); }
  if (L.x < -152.0) { return 0.0; }
  let k = round(L.x * 64.0);                        // |k| ≤ 9728: exact in f32 and i32
  let r = (L.x - k * (1.0 / 64.0)) + L.y;           // the subtraction is exact
  let ki = i32(k);
  let i = ki >> 6u;                                 // ⌊k/64⌋ (arithmetic shift)
  let T = PS_POW_EXP2_TABLE[ki & 63];
  let q = r * (${K.e1}f + r * (${K.e2}f + r * (${K.e3}f + r * ${K.e4}f)));
  let M = T.x + (T.x * q + T.y);                    // 2^(j/64 + r), the only rounding that matters
  if (i == 128) {
    if (M > 1.0) { return ps_pow_inf(); }
    if (M == 1.0) { return bitcast<f32>(0x7F7FFFFFu); }
  }
  if (i == -126 && M < 1.0 && M >= 0x1.fffffcp-1) { return ps_pow_exp2i(-126); }   // see 'underflow' above
  let i1 = i >> 1u;                                 // i ∈ [−152, 128]: both factors in [2^−76, 2^64]
  return (M * ps_pow_exp2i(i1)) * ps_pow_exp2i(i - i1);
}

// |x|^p. x: any f32 (its sign is ignored); p: any f32.
fn ps_pow(x: f32, p: f32) -> f32 {
  let xb = bitcast<u32>(x) & 0x7FFFFFFFu;
  let pb = bitcast<u32>(p);
  let pa = pb & 0x7FFFFFFFu;
  if (pa == 0u || xb == 0x3F800000u) { return 1.0; }
  if (xb > 0x7F800000u || pa > 0x7F800000u) { return ps_pow_nan(); }
  let neg = pb >= 0x80000000u;
  if (xb == 0u) { return select(0.0, ps_pow_inf(), neg); }
  if (xb == 0x7F800000u) { return select(ps_pow_inf(), 0.0, neg); }
  if (pb == 0x3F800000u) { return bitcast<f32>(xb); }
  let pc = bitcast<f32>(min(pa, 0x50000000u) | (pb & 0x80000000u));   // |p| clamped to 2^33
  let lx = ps_log2_ff(xb);
  let pr = ps_two_prod(pc, lx.x);
  return ps_exp2_ff(ps_fast_two_sum(pr.x, pr.y + pc * lx.y));
}

// |x|^(e.x + e.y) for an exponent held as a float-float, e.g. p − 1 formed exactly by ps_two_sum(p, -1.0): for
// p < 1/2 the float32 p − 1 is rounded (p = 0.1: by 1.5·2^−30), which would cost |p − 1|·|ln x| times that, up to
// 2.6·2^−24 relative, outside this function's budget. The extra term e.y·lx.x is below 2^−24 of L, so ε_L and the
// budget above are unchanged. With e.y = 0, or a special x (0, ∞, NaN, 1: decided by the exponent's sign alone),
// this is ps_pow(x, e.x); otherwise |e.x| < 2^25 (beyond that p − 1 is exact), so no clamp is needed.
fn ps_pow_ff(x: f32, e: vec2f) -> f32 {
  let xb = bitcast<u32>(x) & 0x7FFFFFFFu;
  if (e.y == 0.0 || xb == 0u || xb >= 0x7F800000u || xb == 0x3F800000u) { return ps_pow(x, e.x); }
  let lx = ps_log2_ff(xb);
  let pr = ps_two_prod(e.x, lx.x);
  return ps_exp2_ff(ps_fast_two_sum(pr.x, pr.y + (e.x * lx.y + e.y * lx.x)));
}

// |x|^(1/p) with the exact 1/p. x: any f32 (its sign is ignored); p: any f32, ±0 meaning 1/p = ±∞.
fn ps_root(x: f32, p: f32) -> f32 {
  let xb = bitcast<u32>(x) & 0x7FFFFFFFu;
  let pb = bitcast<u32>(p);
  let pa = pb & 0x7FFFFFFFu;
  if (pa == 0x7F800000u || xb == 0x3F800000u) { return 1.0; }          // 1/±∞ = 0
  if (xb > 0x7F800000u || pa > 0x7F800000u) { return ps_pow_nan(); }
  let neg = pb >= 0x80000000u;
  if (xb == 0u) { return select(0.0, ps_pow_inf(), neg); }
  if (xb == 0x7F800000u) { return select(ps_pow_inf(), 0.0, neg); }
  if (pb == 0x3F800000u) { return bitcast<f32>(xb); }
  if (pa > 0x7E800000u) { return 1.0; }                                 // |p| > 2^126
  let lx = ps_log2_ff(xb);
  if (pa < 0x2F000000u) {                                               // |p| < 2^−33: saturate as in ps_pow
    return ps_exp2_ff(vec2f(lx.x * bitcast<f32>(0x50000000u | (pb & 0x80000000u)), 0.0));
  }
  let qh = lx.x / p;                                                    // within 2.5 ulp; corrected:
  let pr = ps_two_prod(qh, p);
  let ql = (((lx.x - pr.x) - pr.y) + lx.y) / p;                         // lx.x − pr.x is exact (Sterbenz)
  return ps_exp2_ff(ps_fast_two_sum(qh, ql));
}
`;
