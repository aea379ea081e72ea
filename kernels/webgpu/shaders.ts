/**
 * WGSL kernels, generated from two walks. The window walk: one invocation per run of up to OUTPUTS_PER_INVOCATION
 * outputs along the innermost axis, scanning each output's window; it is the forward, and, when no two windows
 * share a tap (plan.disjoint: stride ≥ extent, global pooling), also the backward as a broadcast: each output
 * writes its window's taps, each element written once. The gather: one invocation per input element, gathering
 * the outputs whose windows cover it, for overlapping windows. No atomics, no write races either way. Each pooling
 * kind supplies only its per-tap snippets and the buffers it binds; the bind-group entries are derived from the
 * same list as the WGSL declarations, so the two cannot drift apart.
 *
 * Numerics (SPEC.md §3, §5): values travel as u32 bit patterns. Max compares an integer order key, so it is exact
 * to the bit whatever the device does with NaN, −0 or subnormals (WGSL lets an implementation assume that no NaN
 * or ∞ occurs and lets it flush subnormals: WGSL, "Floating Point Evaluation"). NaN and ±∞ are classified on the
 * bits for every kind and combined by SPECIAL.IEEE; only finite values reach float arithmetic. Sums accumulate in
 * f32 (ACC.SUM); averages multiply by a correctly rounded reciprocal taken from a table (ACC.AVG allows a
 * reciprocal and a multiplication; WGSL's `/` is only 2.5 ulp accurate); powers use ps_pow/ps_root/ps_pow_ff
 * (kernels/webgpu/wgsl/pow.ts), accurate to ACC.LP's κ, because WGSL's pow is exp2(y·log2 x) with no useful bound.
 * The research kinds (SPEC.md §11.3) and stats (§11.5) add per-kind pieces to the same walks; their exp, ln,
 * division and square root are corrected in float-float (wgsl/exp.ts, ps_sqrt below) for the same reason. Kinds
 * that need a per-window value before their scan (lse and softpool: the max; stats: the mean) run a second
 * forward kernel after the one that computes it (forwardKernels).
 */
import type { Direction, PoolKind, ResearchKind } from '../../spec/contract.js';
import { WORKGROUP_SIZE } from './plan.js';
import { EXP_WGSL } from './wgsl/exp.js';
import { POW_WGSL } from './wgsl/pow.js';

/**
 * What a kernel computes: a §3 kind, a research kind of §11 (the reducers member, kernels/webgpu/research.ts), or
 * statistics pooling (STATS.*, kernels/webgpu/stats.ts: global windows, one output per (n, c)), or max without its
 * indices (max_values: the forward of a backend created with `indices: false`).
 */
export type KernelKind = PoolKind | ResearchKind | 'stats' | 'stochastic' | 'stochastic_train' | 'max_values';


/** A buffer a kernel reads or writes; `binding` is its fixed slot in group 0. */
export type BufferName = 'params' | 'x' | 'tables' | 'y' | 'indices' | 'reciprocals' | 'dy' | 'dx' | 'aux';

interface BindingDecl {
  readonly name: BufferName;
  readonly binding: number;
  readonly wgsl: string;
}

const DECLS: Record<BufferName, (direction: Direction) => BindingDecl> = {
  params: () => ({ name: 'params', binding: 0, wgsl: 'var<uniform> P: Params' }),
  x: () => ({ name: 'x', binding: 1, wgsl: 'var<storage, read> X: array<u32>' }),
  tables: () => ({ name: 'tables', binding: 2, wgsl: 'var<storage, read> T: array<i32>' }),
  y: (d) => ({ name: 'y', binding: 3, wgsl: `var<storage, ${d === 'forward' ? 'read_write' : 'read'}> Y: array<u32>` }),
  indices: (d) => ({ name: 'indices', binding: 4, wgsl: `var<storage, ${d === 'forward' ? 'read_write' : 'read'}> I: array<i32>` }),
  reciprocals: () => ({ name: 'reciprocals', binding: 5, wgsl: 'var<storage, read> R: array<f32>' }),
  dy: () => ({ name: 'dy', binding: 6, wgsl: 'var<storage, read> DY: array<u32>' }),
  dx: () => ({ name: 'dx', binding: 7, wgsl: 'var<storage, read_write> DX: array<u32>' }),
  // lse and softpool: per output (m, S or W, y) as bits, three words, written by the forward for the gradient;
  // stats: σ in the first word.
  aux: (d) => ({ name: 'aux', binding: 8, wgsl: `var<storage, ${d === 'forward' ? 'read_write' : 'read'}> AUX: array<u32>` }),
};

/**
 * A kernel: the forward window walk, the backward gather (any windows), or the backward broadcast (disjoint
 * windows only; not for lp, whose gradient needs each tap's x and the output together).
 */
export type Stage = 'forward' | 'gather' | 'broadcast';

export function stageDirection(stage: Stage): Direction {
  return stage === 'forward' ? 'forward' : 'backward';
}

/** What a pooling kind contributes to the templates. */
interface KindSnippets {
  readonly forwardBuffers: readonly BufferName[];
  /** Declarations before the window scan; the scan binds `b` (the tap's bits) and `p` (its plane index). */
  readonly init: string;
  /** Per in-bounds tap, in scan order; may set `done = true` to stop the scan. */
  readonly step: string;
  /** Writes Y[o] (and I[o]). */
  readonly finish: string;
  readonly backwardBuffers: readonly BufferName[];
  /** Declarations before the gather; the gather binds `oa` (the covering output's address) and jz, jy, jx. */
  readonly gatherInit: string;
  readonly contribution: string;
  /**
   * Broadcast backward: declarations once per output `o` (window rows wz, wy, wx in scope), then the bits `v`
   * written to DX[a] for the tap at plane index `p`: what the gather would produce for that element from its one
   * covering output (acc_bits of one term: NaN made canonical, −0 kept). Absent: the kind has no broadcast.
   */
  readonly scatterInit?: string;
  readonly scatterValue?: string;
  /** Extra WGSL functions. */
  readonly functions?: string;
}

const RECIPROCAL_FNS = /* wgsl */ `
// AVG.DIVISOR: divisorOverride's reciprocal is R[0]; otherwise the divisor d, the product of the per-axis counts
// (padded or in-bounds), indexes the table of correctly rounded reciprocals. Callers then multiply by P.fp.z, the
// exact power of two that keeps R normal for |divisorOverride| > 2^126 (plan.ts).
fn reciprocal_of(d: i32) -> f32 {
  if (P.misc.z == 1u) { return R[0]; }
  return R[d];
}
// The divisor from the three window rows the walk holds.
fn reciprocal(a: vec4<i32>, b: vec4<i32>, c: vec4<i32>) -> f32 {
  if (P.misc.y == 1u) { return reciprocal_of(a.w * b.w * c.w); }
  return reciprocal_of((a.z - a.y) * (b.z - b.y) * (c.z - c.y));
}`;

/**
 * The Lp gradient's per-element part (GRAD.LP), shared with gem (GEM.GRAD): sign(x)·|x|^(p−1), 0 where x is 0. A
 * subnormal x counts as 0: the device may flush it (POLICY.SUBNORMALS), so it is treated the same way on every
 * device.
 */
const LP_GATHER_INIT = `ps_zero = bitcast<u32>(P.fp.x); // the runtime zero of ps_opaque (wgsl/pow.ts)
  var acc = acc_new();
  let xb = X[i];
  let xm = bitcast<f32>(xb & 0x7fffffffu);
  let xLive = (xb & 0x7f800000u) != 0u;
  // p − 1 exactly, as a float-float (a float32 p − 1 is rounded when p < 1/2); 1 − p is its negation.
  let pm1 = ps_two_sum(P.fp.y, -1.0);
  var xFactor = 0.0;
  if (xLive) { xFactor = bitcast<f32>(bitcast<u32>(ps_pow_ff(xm, pm1)) | (xb & 0x80000000u)); }`;

/**
 * Most in-bounds taps per window the median kernel takes: it insertion-sorts the window in private arrays of this
 * size (WGSL has no dynamic private arrays). supports() declines a case with a larger window (research.ts).
 */
export const MEDIAN_MAX_TAPS = 64;

/**
 * The max's pieces (MAX.SELECT), shared by mixed, whose max part is MAX.SELECT's (MIXED.DEF). Each tap gets one
 * integer key: its order key (order_key: −0 and +0 share one, MAX.TIES), or for a NaN the largest i32, above +∞'s.
 * A tap replaces the running winner only on a strictly larger key, so the first maximum stays and the first NaN
 * beats every later tap (MAX.NAN) without the scan having to stop there: an exit that depends on the data costs
 * every tap a test and a lane mask on a SIMD software adapter. bestKey starts below every key (the least is
 * −0x7f800000, −∞), so the first tap is always taken. Branch-free (selects) for the same reason.
 *
 * Only the key and the winner's plane index travel through the scan; MAX_BEST reads the winner's bits back from X
 * once per output, which are exactly the bits the first maximum had (a key does not tell −0 from +0, nor one NaN
 * payload from another). Measured on SwiftShader against the scan that carried the bits and stopped at a NaN, in
 * one bench run (reports/results/webgpu-latest.md, webgpu ÷ webgpu-before, op alone): min 0.76–0.83×, median
 * 0.62–1.04× on the eight max forward workloads.
 */
const MAX_INIT = 'var bestKey = i32(0x80000000u); var bestIndex = -1;';
const MAX_STEP = `let k = select(order_key(b), 0x7fffffff, is_nan(b));
          let take = k > bestKey;
          bestKey = select(bestKey, k, take); bestIndex = select(bestIndex, p, take);`;
/** The winner's bits (a window without an in-bounds tap, which validation never lets through, would give +0). */
const MAX_BEST = 'select(0u, X[src.x + u32(max(bestIndex, 0)) * src.y], bestIndex >= 0)';

/**
 * lse and softpool run after the max kernel (EXP.WEIGHT's max-shifted weights need m before the first exp): the
 * max forward leaves Y[o] = the window's max, which is their largest finite tap whenever it is finite; when it is
 * not, the window is special (NaN, +∞, or only −∞ taps) and Y[o] is already the answer (SOFT.SPECIAL,
 * LSE.SPECIAL), made canonical. −∞ taps weigh 0 and are skipped on the bits.
 */
const SHIFTED_INIT = `ps_zero = bitcast<u32>(P.fp.x); // the runtime zero of ps_opaque (wgsl/pow.ts)
  let mb = Y[o];
  let m = bitcast<f32>(mb);
  let special = (mb & 0x7f800000u) == 0x7f800000u;
  var W = 0.0; var N = 0.0;`;
const shiftedFinish = (y: string): string => `var yb = canonical(mb);
    if (!special) { yb = bitcast<u32>(${y}); }
    Y[o] = yb; AUX[3u * o] = mb; AUX[3u * o + 1u] = bitcast<u32>(W); AUX[3u * o + 2u] = yb;`;
/** The gradient's gather reads the covering window's m, S or W, and y from AUX; x from X. */
const SHIFTED_GATHER_INIT = `ps_zero = bitcast<u32>(P.fp.x);
  var acc = acc_new();
  let xb = X[i];
  let xv = bitcast<f32>(xb);`;

const RESEARCH_KINDS_SNIPPETS: Record<ResearchKind, KindSnippets> = {
  gem: {
    forwardBuffers: ['reciprocals'],
    // GEM.SPECIAL: NaN, then a negative tap (−∞ included; −0 counts as 0), then +∞, then an all-zero window.
    init: 'ps_zero = bitcast<u32>(P.fp.x); // the runtime zero of ps_opaque (wgsl/pow.ts)\n  var s = 0.0; var nans = 0u; var negs = 0u; var infs = 0u;',
    step: `if (is_nan(b)) { nans += 1u; } else if (b > 0x80000000u) { negs += 1u; } else if (b == 0x7f800000u) { infs += 1u; }
          else if (b != 0u && b != 0x80000000u) { s = s + ps_pow(bitcast<f32>(b), P.fp.y); }`,
    // GEM.ACC: m = s·fl(1/n) (the count's reciprocal and one product: γ_2), then the root with the exact 1/p.
    finish: `if (nans > 0u || negs > 0u) { Y[o] = P.misc.w; } else if (infs > 0u) { Y[o] = 0x7f800000u; }
  else if (s == 0.0) { Y[o] = 0u; } else { Y[o] = bitcast<u32>(ps_root(s * reciprocal(wz, wy, wx), P.fp.y)); }`,
    backwardBuffers: ['x', 'y', 'reciprocals'],
    // GEM.GRAD: dy·(1/n)·x^(p−1)·y^(1−p), 0 where x = 0 or y = 0: Lp's gradient (above) times fl(1/n).
    gatherInit: LP_GATHER_INIT,
    contribution: `let yb = Y[oa];
        if (xLive && (yb & 0x7fffffffu) != 0u) {
          acc_add(&acc, scale_bits(DY[oa], (xFactor * ps_pow_ff(bitcast<f32>(yb), -pm1)) * reciprocal_of(cz * cy * cx)));
        }`,
  },
  softpool: {
    forwardBuffers: ['aux'],
    init: SHIFTED_INIT,
    // SOFT.DEF: W = Σ w, N = Σ w·v with w = e^(v − m) (EXP.WEIGHT, ρ = 1).
    step: `if (!special && !is_inf(b)) {
            let v = bitcast<f32>(b);
            let w = ps_exp(v - m);
            W = W + w; N = N + w * v;
          }`,
    finish: shiftedFinish('ps_div(N, W)'),
    backwardBuffers: ['x', 'aux'],
    // SOFT.GRAD: p·(1 + v − y), p = w/W, as one product with dy.
    gatherInit: SHIFTED_GATHER_INIT,
    contribution: `if (!is_inf(xb)) {
          let pr = ps_div(ps_exp(xv - bitcast<f32>(AUX[3u * oa])), bitcast<f32>(AUX[3u * oa + 1u]));
          let q = (1.0 + xv) - bitcast<f32>(AUX[3u * oa + 2u]);
          acc_add(&acc, scale_bits(DY[oa], pr * q));
        }`,
    functions: EXP_WGSL,
  },
  lse: {
    forwardBuffers: ['aux', 'reciprocals'],
    init: SHIFTED_INIT,
    // LSE.DEF: S = Σ e^(r·(v − m)) (held in W); −∞ taps add 0 but count in n.
    step: `if (!special && !is_inf(b)) { W = W + ps_exp(P.fp.y * (bitcast<f32>(b) - m)); }`,
    // y = m + ℓ·(1/r), ℓ = ln(S·fl(1/n)) in float-float; 1/r is a float-float (fp.w, run.z) scaled by the exact
    // power of two fp.z so that it is normal for every r (plan.ts).
    finish: shiftedFinish('m + ps_ff_mul(ps_ln(W * reciprocal(wz, wy, wx)), vec2f(P.fp.w, bitcast<f32>(P.run.z))).x * P.fp.z'),
    backwardBuffers: ['x', 'aux'],
    // LSE.GRAD: w/S.
    gatherInit: SHIFTED_GATHER_INIT,
    contribution: `if (!is_inf(xb)) {
          let w = ps_exp(P.fp.y * (xv - bitcast<f32>(AUX[3u * oa])));
          acc_add(&acc, scale_bits(DY[oa], ps_div(w, bitcast<f32>(AUX[3u * oa + 1u]))));
        }`,
    functions: EXP_WGSL,
  },
  median: {
    forwardBuffers: ['indices'],
    // MEDIAN.SELECT: the taps insertion-sorted by order key, equal keys kept in scan order (a tap moves only past
    // strictly larger keys); the first NaN ends the scan and is the answer.
    init: `var keys: array<i32, ${MEDIAN_MAX_TAPS}>; var tapBits: array<u32, ${MEDIAN_MAX_TAPS}>; var tapAt: array<i32, ${MEDIAN_MAX_TAPS}>;
    var count = 0; var nanBits = 0u; var nanAt = -1;`,
    step: `if (is_nan(b)) { nanBits = b; nanAt = p; done = true; } else {
            let k = order_key(b);
            var j = count;
            while (j > 0 && keys[j - 1] > k) { keys[j] = keys[j - 1]; tapBits[j] = tapBits[j - 1]; tapAt[j] = tapAt[j - 1]; j -= 1; }
            keys[j] = k; tapBits[j] = b; tapAt[j] = p; count += 1;
          }`,
    finish: `if (nanAt >= 0) { Y[o] = nanBits; I[o] = nanAt; }
    else { let rank = (count - 1) / 2; Y[o] = tapBits[rank]; I[o] = tapAt[rank]; }`,
    // MEDIAN.GRAD: max's routing, to the selected tap.
    backwardBuffers: ['indices'],
    gatherInit: 'var acc = acc_new();',
    contribution: 'if (I[oa] == i32(loc.q)) { acc_add(&acc, DY[oa]); }',
    scatterInit: 'let winner = I[o]; let g = canonical(DY[o]);',
    scatterValue: 'select(0u, g, p == winner)',
  },
  mixed: {
    forwardBuffers: ['indices', 'reciprocals'],
    init: `${MAX_INIT} var acc = acc_new();`,
    // The sum runs on past a NaN: MIXED.SPECIAL makes the output NaN whatever it holds.
    step: `${MAX_STEP}
          acc_add(&acc, b);`,
    // MIXED.SPECIAL, then y = λ·max + fl(1 − λ)·avg, avg = Σv·fl(1/n) (ACC.AVG's reciprocal and product).
    finish: `let best = ${MAX_BEST};
    let lam = P.fp.y;
    let avgBits = scale_bits(acc_bits(acc), reciprocal(wz, wy, wx));
    if (is_nan(best)) { Y[o] = P.misc.w; }
    else if (lam == 1.0) { Y[o] = best; }
    else if (lam == 0.0 || (avgBits & 0x7f800000u) == 0x7f800000u) { Y[o] = avgBits; }
    else { Y[o] = bitcast<u32>(lam * bitcast<f32>(best) + (1.0 - lam) * bitcast<f32>(avgBits)); }
    I[o] = bestIndex;`,
    backwardBuffers: ['indices', 'reciprocals'],
    // MIXED.GRAD: dy·(λ·[the max's tap] + fl(1 − λ)·fl(1/n)); a zero factor contributes nothing.
    gatherInit: 'var acc = acc_new();',
    contribution: `let part = mixed_part(I[oa] == i32(loc.q), reciprocal_of(cz * cy * cx));
        if (part != 0.0) { acc_add(&acc, scale_bits(DY[oa], part)); }`,
    scatterInit: 'let winner = I[o]; let share = reciprocal(wz, wy, wx); let d = DY[o];',
    scatterValue: 'mixed_one(d, mixed_part(p == winner, share))',
    functions: `
fn mixed_part(winner: bool, recip: f32) -> f32 {
  let part = (1.0 - P.fp.y) * recip;
  return select(part, P.fp.y + part, winner);
}
// What acc_bits gives for the one term dy·part (nothing when part = 0).
fn mixed_one(d: u32, part: f32) -> u32 {
  if (part == 0.0) { return 0u; }
  return canonical(scale_bits(d, part));
}`,
  },
};

/**
 * Statistics pooling (STATS.*) on global windows (one output per (n, c), the window its whole plane): the avg
 * kernel runs first and leaves μ̂ = fl(Σx·fl(1/T)) in Y (STATS.ACC's means: ACC.AVG with D = T; NaN and ±∞ by
 * SPECIAL.IEEE, as STATS.SPECIAL wants for μ); this kernel then takes the second pass around μ̂,
 * v̂ = fl(Σ fl(x − μ̂)²) / T (ps_div: one rounding), σ̂ = √v̂ (ps_sqrt: one rounding), into AUX[3o]. A plane
 * whose μ̂ is not finite has σ = NaN (STATS.SPECIAL).
 */
const STATS_SNIPPETS: KindSnippets = {
  forwardBuffers: ['aux'],
  init: `ps_zero = bitcast<u32>(P.fp.x); // the runtime zero of ps_opaque (wgsl/pow.ts)
  let mb = Y[o];
  let mu = bitcast<f32>(mb);
  let special = (mb & 0x7f800000u) == 0x7f800000u;
  var q = 0.0;`,
  step: `if (!special) { let d = bitcast<f32>(b) - mu; q = q + d * d; }`,
  finish: `var sb = P.misc.w;
    if (!special) {
      let T = f32((wz.z - wz.y) * (wy.z - wy.y) * (wx.z - wx.y));
      sb = bitcast<u32>(ps_sqrt(ps_div(q, T)));
    }
    AUX[3u * o] = sb;`,
  backwardBuffers: ['x', 'y', 'aux', 'reciprocals'],
  // STATS.GRAD: dx = dμ·fl(1/T) + (dσ·fl(x − μ̂)) / fl(T·σ̂), the second term 0 where σ̂ = 0; dy is [N, 2C].
  gatherInit: `ps_zero = bitcast<u32>(P.fp.x);
  var acc = acc_new();
  let C = u32(P.winOff.w);`,
  contribution: `acc_add(&acc, stats_dx(X[i], oa, DY[loc.n * 2u * C + loc.c], DY[loc.n * 2u * C + C + loc.c], reciprocal_of(cz * cy * cx), f32(cz * cy * cx)));`,
  scatterInit: `ps_zero = bitcast<u32>(P.fp.x);
    let C = u32(P.winOff.w);
    let dmu = DY[r.l.n * 2u * C + r.l.c]; let dsig = DY[r.l.n * 2u * C + C + r.l.c];
    let recip = reciprocal(wz, wy, wx);
    let T = f32((wz.z - wz.y) * (wy.z - wy.y) * (wx.z - wx.y));`,
  scatterValue: 'canonical(stats_dx(X[a], o, dmu, dsig, recip, T))',
  functions: `${EXP_WGSL}
// √v for a finite v ≥ 0, within one rounding: WGSL's sqrt is only bounded as 1/inverseSqrt (several ulp), so it
// is corrected from the exact residual v − s² (TwoProd; exact subtraction by Sterbenz): s + (v − s²)/(2s).
fn ps_sqrt(v: f32) -> f32 {
  if (v == 0.0) { return 0.0; }
  let s = sqrt(v);
  let pr = ps_two_prod(s, s);
  return s + ((v - pr.x) - pr.y) / (2.0 * s);
}
// One element's gradient from output o (μ̂ in Y, σ̂ in AUX), dμ and dσ as bits.
fn stats_dx(xb: u32, o: u32, dmu: u32, dsig: u32, recip: f32, T: f32) -> u32 {
  let t1 = scale_bits(dmu, recip);
  let sigma = bitcast<f32>(AUX[3u * o]);
  if (!(sigma > 0.0) || is_nan(dsig) || is_inf(dsig) || is_nan(xb) || is_inf(xb)) { return t1; }
  let n = bitcast<f32>(xb) - bitcast<f32>(Y[o]);
  let t2 = ps_div(bitcast<f32>(dsig) * n, T * sigma);
  if (is_nan(t1) || is_inf(t1)) { return t1; }
  return bitcast<u32>(bitcast<f32>(t1) + t2);
}`,
};

/**
 * Stochastic pooling (STOCH.*). Inference ('stochastic', STOCH.INFER): y = Q/S with S = Σv, Q = Σv² in f32 and
 * the corrected division; S kept in AUX for the gradient (2v − y)/S (STOCH.INFER_GRAD). STOCH.INFER_ACC assumes
 * a division with one rounding and squares that lose at most η each; on a window of tiny taps Q and the
 * division's residual fall into the subnormals and both fail (seen on lavapipe: one tap 7.2e−21, off by half an
 * ulp). y is homogeneous of degree 1, so the max kernel runs first and a window whose max is below 2^−30 is
 * scaled by 2^64 (below 2^−94: 2^128, as two exact steps), which brings its max to ≥ 2^−30 and keeps every sum
 * below 2^34·k; y is scaled back, the first step exact, the second one rounding (the clause's final η). Training
 * ('stochastic_train', STOCH.SELECT): the sum kernel runs first and leaves S = ĉ_k in Y (f32 adds in scan order,
 * the same running sums as here); this kernel draws U from (seed, n, c, o) with fmix32 in u32 arithmetic
 * (STOCH.RNG, bit-exact: products mod 2^32 are WGSL's u32 multiplication) and selects the first tap with
 * u·S < ĉ_i, compared exactly: u·S = p + e by TwoProd (u = U·2^−24 and S are f32), so u·S < c ⇔ p < c, or p = c
 * and e < 0. TwoProd is exact only while its partial products stay normal, so S < 2^−60 (and the running sums with
 * it, c ≤ S) is scaled by 2^100 first: exact, and the comparison is unchanged (seen on lavapipe: S = 2^−149 selected
 * no tap, its error term lost). The selected tap's bits are y and its plane index is I (STOCH.INDEX); the gradient routes dy there
 * (max's snippets).
 */
const STOCH_CLASSIFY = `if (is_nan(b)) { nans += 1u; } else if (b > 0x80000000u) { negs += 1u; } else if (b == 0x7f800000u) { infs += 1u; }`;
const STOCHASTIC_SNIPPETS: KindSnippets = {
  forwardBuffers: ['aux'],
  init: `ps_zero = bitcast<u32>(P.fp.x); // the runtime zero of ps_opaque (wgsl/pow.ts)
  let M = bitcast<f32>(Y[o]); // the window's max (the max kernel ran first)
  let sc1 = select(1.0, 0x1p64f, M < 0x1p-30f); let sc2 = select(1.0, 0x1p64f, M < 0x1p-94f);
  var S = 0.0; var Ss = 0.0; var Q = 0.0; var nans = 0u; var negs = 0u; var infs = 0u;`,
  // S unscaled for the gradient (AUX); Ss and Q (= Σ(v·2^σ)²) scaled.
  step: `${STOCH_CLASSIFY} else { let v = bitcast<f32>(b); let w = (v * sc1) * sc2; S = S + v; Ss = Ss + w; Q = Q + w * w; }`,
  // STOCH.INFER_SPECIAL: NaN, then a negative tap → NaN; +∞ → +∞; an all-zero window → +0.
  finish: `var yb = 0u;
    if (nans > 0u || negs > 0u) { yb = P.misc.w; } else if (infs > 0u) { yb = 0x7f800000u; }
    else if (S != 0.0) { yb = bitcast<u32>((ps_div(Q, Ss) * (1.0 / sc2)) * (1.0 / sc1)); }
    Y[o] = yb; AUX[3u * o] = bitcast<u32>(S);`,
  backwardBuffers: ['x', 'y', 'aux'],
  gatherInit: `ps_zero = bitcast<u32>(P.fp.x);
  var acc = acc_new();
  let xv = bitcast<f32>(X[i]);`,
  contribution: `let S = bitcast<f32>(AUX[3u * oa]);
        if (S > 0.0 && !is_inf(AUX[3u * oa])) { acc_add(&acc, scale_bits(DY[oa], ps_div(2.0 * xv - bitcast<f32>(Y[oa]), S))); }`,
  functions: EXP_WGSL,
};
const STOCHASTIC_TRAIN_SNIPPETS: KindSnippets = {
  forwardBuffers: ['indices'],
  init: `ps_zero = bitcast<u32>(P.fp.x);
    let Sb = Y[o]; let S = bitcast<f32>(Sb);
    let k = u32((wz.z - wz.y) * (wy.z - wy.y) * (wx.z - wx.y));
    var h = fmix32(P.run.z ^ 0x9E3779B9u);
    h = fmix32(h ^ r.l.n); h = fmix32(h ^ r.l.c); h = fmix32(h ^ u32(rowAt + ox));
    let U = h >> 8u;
    // ⌊U·k/2^24⌋ without a 64-bit product: U = Uh·2^12 + Ul.
    let zeroIdx = i32(((U >> 12u) * k + (((U & 0xfffu) * k) >> 12u)) >> 12u);
    let ts = select(1.0, 0x1p100f, S < 0x1p-60f);
    let uS = ps_two_prod(f32(U) * 0x1p-24f, S * ts);
    var c = 0.0; var pos = 0; var nans = 0u; var negs = 0u; var infs = 0u;
    var nanAt = -1; var nanBits = 0u; var negAt = -1; var infAt = -1;
    var zeroAt = -1; var zeroBits = 0u; var overAt = -1; var overBits = 0u; var pick = -1; var pickBits = 0u;`,
  step: `if (is_nan(b)) { if (nanAt < 0) { nanAt = p; nanBits = b; } }
          else if (b > 0x80000000u) { if (negAt < 0) { negAt = p; } }
          else if (b == 0x7f800000u) { if (infAt < 0) { infAt = p; } }
          else {
            c = c + bitcast<f32>(b);
            if (pos == zeroIdx) { zeroAt = p; zeroBits = b; }
            if (overAt < 0 && is_inf(bitcast<u32>(c))) { overAt = p; overBits = b; }
            let cs = c * ts;
            if (pick < 0 && (cs > uS.x || (cs == uS.x && uS.y < 0.0))) { pick = p; pickBits = b; }
          }
          pos += 1;`,
  // STOCH.SELECT's order: the first NaN; a negative tap (y = NaN); the first +∞; S = 0: tap ⌊U·k/2^24⌋; S = +∞:
  // the first running sum that overflowed; otherwise the first u·S < ĉ_i.
  finish: `var sel = pick; var yb = pickBits;
    if (nanAt >= 0) { sel = nanAt; yb = nanBits; }
    else if (negAt >= 0) { sel = negAt; yb = P.misc.w; }
    else if (infAt >= 0) { sel = infAt; yb = 0x7f800000u; }
    else if (S == 0.0) { sel = zeroAt; yb = zeroBits; }
    else if (is_inf(Sb)) { sel = overAt; yb = overBits; }
    Y[o] = yb; I[o] = sel;`,
  backwardBuffers: ['indices'],
  gatherInit: 'var acc = acc_new();',
  contribution: 'if (I[oa] == i32(loc.q)) { acc_add(&acc, DY[oa]); }',
  scatterInit: 'let winner = I[o]; let g = canonical(DY[o]);',
  scatterValue: 'select(0u, g, p == winner)',
  functions: `
// MurmurHash3's fmix32 (STOCH.RNG), in u32 arithmetic (products mod 2^32).
fn fmix32(x: u32) -> u32 {
  var h = x;
  h = h ^ (h >> 16u); h = h * 0x85EBCA6Bu; h = h ^ (h >> 13u); h = h * 0xC2B2AE35u; h = h ^ (h >> 16u);
  return h;
}`,
};

const MAX_SNIPPETS: KindSnippets = {
  forwardBuffers: ['indices'],
  init: MAX_INIT,
  step: MAX_STEP,
  finish: `Y[o] = ${MAX_BEST}; I[o] = bestIndex;`,
  backwardBuffers: ['indices'],
  gatherInit: 'var acc = acc_new();',
  // GRAD.MAX: only the outputs whose forward index is this element contribute.
  contribution: 'if (I[oa] == i32(loc.q)) { acc_add(&acc, DY[oa]); }',
  // GRAD.MAX as a broadcast: the window's argmax tap gets dy, every other tap +0.
  scatterInit: 'let winner = I[o]; let g = canonical(DY[o]);',
  scatterValue: 'select(0u, g, p == winner)',
};

const KINDS: Record<KernelKind, KindSnippets> = {
  ...RESEARCH_KINDS_SNIPPETS,
  stats: STATS_SNIPPETS,
  stochastic: STOCHASTIC_SNIPPETS,
  stochastic_train: STOCHASTIC_TRAIN_SNIPPETS,
  max: MAX_SNIPPETS,
  // Values only (the backend's `indices: false`): the same scan, no index written. Forward only: a backward
  // needs the indices, so it runs the max kernel (index.ts).
  max_values: { ...MAX_SNIPPETS, forwardBuffers: [], finish: `Y[o] = ${MAX_BEST};` },
  sum: {
    forwardBuffers: [],
    init: 'var acc = acc_new();',
    step: 'acc_add(&acc, b);',
    finish: 'Y[o] = acc_bits(acc);',
    backwardBuffers: [],
    gatherInit: 'var acc = acc_new();',
    contribution: 'acc_add(&acc, DY[oa]);', // GRAD.SUM
    scatterInit: 'let g = canonical(DY[o]);',
    scatterValue: 'g',
  },
  avg: {
    forwardBuffers: ['reciprocals'],
    init: 'var acc = acc_new();',
    step: 'acc_add(&acc, b);',
    finish: 'Y[o] = scale_bits(scale_bits(acc_bits(acc), reciprocal(wz, wy, wx)), P.fp.z);',
    backwardBuffers: ['reciprocals'],
    gatherInit: 'var acc = acc_new();',
    // GRAD.AVG; cz, cy, cx: the covering window's per-axis divisor factors, from the inverse lists.
    contribution: 'acc_add(&acc, scale_bits(scale_bits(DY[oa], reciprocal_of(cz * cy * cx)), P.fp.z));',
    scatterInit: 'let g = canonical(scale_bits(scale_bits(DY[o], reciprocal(wz, wy, wx)), P.fp.z));',
    scatterValue: 'g',
  },
  lp: {
    forwardBuffers: [],
    // LP.DEF with SPECIAL.IEEE: NaN wins, then ±∞ gives +∞, a window of zeros gives +0.
    init: 'ps_zero = bitcast<u32>(P.fp.x); // the runtime zero of ps_opaque (wgsl/pow.ts)\n  var s = 0.0; var nans = 0u; var infs = 0u;',
    step: `if (is_nan(b)) { nans += 1u; } else if (is_inf(b)) { infs += 1u; } else {
          let m = bitcast<f32>(b & 0x7fffffffu);
          if (m != 0.0) { s = s + ps_pow(m, P.fp.y); }
        }`,
    finish: `if (nans > 0u) { Y[o] = P.misc.w; } else if (infs > 0u) { Y[o] = 0x7f800000u; }
  else if (s == 0.0) { Y[o] = 0u; } else { Y[o] = bitcast<u32>(ps_root(s, P.fp.y)); }`,
    backwardBuffers: ['x', 'y'],
    // GRAD.LP: dy·sign(x)·|x|^(p−1)·y^(1−p), 0 where x = 0 or y = 0. A subnormal x counts as 0: the device may
    // flush it (POLICY.SUBNORMALS), so it is treated the same way on every device.
    gatherInit: LP_GATHER_INIT,
    contribution: `let yb = Y[oa];
        if (xLive && (yb & 0x7fffffffu) != 0u) {
          acc_add(&acc, scale_bits(DY[oa], xFactor * ps_pow_ff(bitcast<f32>(yb), -pm1)));
        }`,
  },
};

const PRELUDE = /* wgsl */ `
struct Params {
  inExt: vec4<i32>,   // input extents (3 lifted axes), input plane size
  outExt: vec4<i32>,  // output extents, output plane size
  dil: vec4<i32>,     // dilations, channels_last flag
  winOff: vec4<i32>,  // first window row per axis, C
  invOff: vec4<i32>,  // inverse-map offsets per axis, N
  misc: vec4<u32>,    // invocations, countIncludePad, divisorOverride set, NaN bits
  fp: vec4<f32>,      // 0 (ps_opaque's runtime zero), p, reciprocal scale (1 or 2^-64), unused
  run: vec4<u32>,     // outputs per run along the innermost axis, runs per output row, unused, unused
}

const WG: u32 = ${WORKGROUP_SIZE}u;

fn is_nan(b: u32) -> bool { return (b & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(b: u32) -> bool { return (b & 0x7fffffffu) == 0x7f800000u; }

// A total order on non-NaN float32 bit patterns in which −0 and +0 are equal (MAX.TIES).
fn order_key(b: u32) -> i32 {
  let m = i32(b & 0x7fffffffu);
  return select(m, -m, (b >> 31u) != 0u);
}

// Window row of output coordinate j on axis a: start, tFirst, tEnd, paddedCount.
fn win(a: u32, j: i32) -> vec4<i32> {
  let r = (P.winOff[a] + j) * 4;
  return vec4<i32>(T[r], T[r + 1], T[r + 2], T[r + 3]);
}

// (n, c, position in the plane) of element e of a tensor with the given plane size, in either layout.
struct Loc { n: u32, c: u32, q: u32 }
fn locate(e: u32, plane: u32) -> Loc {
  let C = u32(P.winOff.w);
  if (P.dil.w == 1) { let r = e / C; return Loc(r / plane, e % C, r % plane); }
  let r = e / plane;
  return Loc(r / C, r % C, e % plane);
}
// The run of outputs invocation e computes: (n, c), the outer output coordinates and the first innermost one.
// Runs are numbered in memory order: along a row, then rows, then planes (channels_first), or with the channel
// innermost (channels_last), so neighbouring invocations read neighbouring input.
struct Run { l: Loc, oz: i32, oy: i32, ox: i32 }
// Four divisions; each remainder is taken as a − q·d (integer division is the costly part on a software adapter).
fn run_of(e: u32) -> Run {
  let C = u32(P.winOff.w);
  let runs = P.run.y;
  let rows = u32(P.outExt.x * P.outExt.y);
  let Oy = u32(P.outExt.y);
  var n: u32; var c: u32; var xr: u32; var zy: u32;
  if (P.dil.w == 1) {
    let r = e / C; c = e - r * C;
    let t = r / runs; xr = r - t * runs;
    n = t / rows; zy = t - n * rows;
  } else {
    let r = e / runs; xr = e - r * runs;
    let nc = r / rows; zy = r - nc * rows;
    n = nc / C; c = nc - n * C;
  }
  let oz = zy / Oy;
  return Run(Loc(n, c, 0u), i32(oz), i32(zy - oz * Oy), i32(xr * P.run.x));
}
// Coordinates (z, y, x) of position q of a plane with extents ext.xyz (row-major).
fn coords(q: u32, ext: vec4<i32>) -> vec3<i32> {
  let yx = ext.y * ext.z;
  return vec3<i32>(i32(q) / yx, (i32(q) % yx) / ext.z, i32(q) % ext.z);
}
// Address of position 0 of (n, c)'s plane, and the step between plane positions.
fn plane_base(l: Loc, plane: u32) -> vec2<u32> {
  let C = u32(P.winOff.w);
  if (P.dil.w == 1) { return vec2<u32>(l.n * plane * C + l.c, C); }
  return vec2<u32>((l.n * C + l.c) * plane, 1u);
}

// SPECIAL.IEEE sums: finite values are added in f32 in scan order (ACC.SUM); NaN and ±∞ are recorded on the
// bits, so the result does not depend on how the device treats them. The sum starts at −0, the identity of
// IEEE addition (−0 + x = x for every x, +0 and −0 included), so the first term needs no branch of its own.
// seen: bit 0 a NaN, bit 1 +∞, bit 2 −∞, bit 3 a finite term: one OR per tap, no branch (a SIMD software
// adapter runs both sides of a data-dependent branch under a mask anyway). A one-term sum is −0 + b = b exactly
// wherever subnormals are kept; the research kinds, which need that, run only there (subnormals.ts). Keeping the
// first term's bits as well cost the global-average forwards 1.28–1.43× and Inception-v3's avg 1.11–1.16× on
// SwiftShader (op min and median against the build without it, one run).
struct Acc { sum: f32, seen: u32 }
fn acc_new() -> Acc { return Acc(bitcast<f32>(0x80000000u), 0u); }
fn acc_add(a: ptr<function, Acc>, b: u32) {
  let special = (b & 0x7f800000u) == 0x7f800000u;
  let nan = (b & 0x7fffffffu) > 0x7f800000u;
  (*a).seen |= select(8u, select(select(2u, 4u, (b >> 31u) != 0u), 1u, nan), special);
  // A special value adds −0, the identity: only finite values reach float arithmetic.
  (*a).sum = (*a).sum + select(bitcast<f32>(b), bitcast<f32>(0x80000000u), special);
}
fn acc_bits(a: Acc) -> u32 {
  if ((a.seen & 1u) != 0u || (a.seen & 6u) == 6u) { return P.misc.w; }
  if ((a.seen & 2u) != 0u) { return 0x7f800000u; }
  if ((a.seen & 4u) != 0u) { return 0xff800000u; }
  if (a.seen == 0u) { return 0u; }
  return bitcast<u32>(a.sum);
}
// What acc_bits gives for one term b: b itself, a NaN made canonical.
fn canonical(b: u32) -> u32 {
  if (is_nan(b)) { return P.misc.w; }
  return b;
}
// b · r for a finite non-zero r, with NaN and ±∞ in b handled on the bits (a negative r flips ∞'s sign).
fn scale_bits(b: u32, r: f32) -> u32 {
  if (is_nan(b)) { return P.misc.w; }
  if (is_inf(b)) { return b ^ (bitcast<u32>(r) & 0x80000000u); }
  if (r == 1.0) { return b; } // b · 1 = b, kept to the bit where a device flushes a subnormal b
  return bitcast<u32>(bitcast<f32>(b) * r);
}
`;

function declarations(names: readonly BufferName[], direction: Direction): string {
  return names.map((n) => DECLS[n](direction)).map((d) => `@group(0) @binding(${d.binding}) ${d.wgsl};`).join('\n');
}

/** Whether a kind has a broadcast backward (for disjoint windows). */
export function hasBroadcast(kind: KernelKind): boolean {
  return KINDS[kind].scatterValue !== undefined;
}

/** The buffers a kernel binds, in binding order. */
export function kernelBuffers(kind: KernelKind, stage: Stage): BindingDecl[] {
  const k = KINDS[kind];
  const direction = stageDirection(stage);
  const names: BufferName[] = direction === 'forward'
    ? ['params', 'x', 'tables', 'y', ...k.forwardBuffers]
    : ['params', 'tables', 'dy', 'dx', ...k.backwardBuffers];
  return names.map((n) => DECLS[n](direction)).sort((a, b) => a.binding - b.binding);
}

const ENTRY = '@compute @workgroup_size(WG)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)';

/**
 * The window walk over a run of outputs. `perOutput` runs once per output (o, its address; wz, wy, wx, its window
 * rows), `perTap` once per in-bounds tap (p, its plane index; a, its address in the input plane's layout),
 * `after` once per output after the scan.
 */
function windowWalk(perOutput: string, perTap: string, after: string): string {
  return `${ENTRY} {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= P.misc.x) { return; }
  let r = run_of(e);
  let oz = r.oz; let oy = r.oy;
  let wz = win(0u, oz); let wy = win(1u, oy);
  let src = plane_base(r.l, u32(P.inExt.w));
  let dst = plane_base(r.l, u32(P.outExt.w));
  let rowAt = (oz * P.outExt.y + oy) * P.outExt.z;
  let xEnd = min(r.ox + i32(P.run.x), P.outExt.z);
  for (var ox = r.ox; ox < xEnd; ox += 1) {
    let o = dst.x + u32(rowAt + ox) * dst.y;
    let wx = win(2u, ox);
    ${perOutput}
    var done = false;
    // WINDOW.TAPS: in-bounds taps only, in row-major scan order.
    for (var tz = wz.y; tz < wz.z && !done; tz += 1) {
      let iz = wz.x + tz * P.dil.x;
      for (var ty = wy.y; ty < wy.z && !done; ty += 1) {
        let iy = wy.x + ty * P.dil.y;
        let rowBase = (iz * P.inExt.y + iy) * P.inExt.z + wx.x;
        for (var tx = wx.y; tx < wx.z && !done; tx += 1) {
          let p = rowBase + tx * P.dil.z;
          let a = src.x + u32(p) * src.y;
          ${perTap}
        }
      }
    }
    ${after}
  }
}`;
}

function forwardBody(k: KindSnippets): string {
  return windowWalk(k.init, `let b = X[a];
          ${k.step}`, k.finish);
}

/** The backward for disjoint windows: each output's window taps get that output's one contribution. */
function broadcastBody(k: KindSnippets, kind: KernelKind): string {
  if (k.scatterInit === undefined || k.scatterValue === undefined) throw new Error(`internal: ${kind} has no broadcast backward`);
  return windowWalk(k.scatterInit, `DX[a] = ${k.scatterValue};`, '');
}

function backwardBody(k: KindSnippets): string {
  return `${ENTRY} {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.misc.x) { return; }
  let loc = locate(i, u32(P.inExt.w));
  let ic = coords(loc.q, P.inExt);
  let iz = ic.x; let iy = ic.y; let ix = ic.z;
  let dst = plane_base(loc, u32(P.outExt.w));
  ${k.gatherInit}
  // The outputs whose windows have a tap on this element: the product of the three axes' inverse lists, whose
  // entries are pairs (output coordinate, that window's divisor factor on the axis).
  let xFrom = T[P.invOff.z + ix]; let xTo = T[P.invOff.z + ix + 1];
  for (var kz = T[P.invOff.x + iz]; kz < T[P.invOff.x + iz + 1]; kz += 2) {
    let jz = T[kz]; let cz = T[kz + 1];
    for (var ky = T[P.invOff.y + iy]; ky < T[P.invOff.y + iy + 1]; ky += 2) {
      let jy = T[ky]; let cy = T[ky + 1];
      for (var kx = xFrom; kx < xTo; kx += 2) {
        let jx = T[kx]; let cx = T[kx + 1];
        let oa = dst.x + u32((jz * P.outExt.y + jy) * P.outExt.z + jx) * dst.y;
        ${k.contribution}
      }
    }
  }
  DX[i] = acc_bits(acc);
}`;
}

/** The kinds whose kernels call ps_pow, ps_root or the float-float helpers (wgsl/pow.ts, wgsl/exp.ts). */
const POW_KINDS: ReadonlySet<KernelKind> = new Set<KernelKind>(['lp', 'gem', 'softpool', 'lse', 'stats', 'stochastic', 'stochastic_train']);

/**
 * The forward kernels a kind runs, in order: lse and softpool need each window's max before their exponentials
 * (EXP.WEIGHT), and stochastic inference for its scaling, so the max kernel runs first and leaves it in Y (and its
 * index in I, unused).
 */
export function forwardKernels(kind: KernelKind): KernelKind[] {
  if (kind === 'stats') return ['avg', kind]; // μ first (STATS_SNIPPETS)
  if (kind === 'stochastic_train') return ['sum', kind]; // S first (STOCHASTIC_TRAIN_SNIPPETS)
  return kind === 'lse' || kind === 'softpool' || kind === 'stochastic' ? ['max', kind] : [kind];
}

/** Whether the backward needs the forward first (the indices, y, or the per-output values in AUX). */
export function backwardNeedsForward(kind: KernelKind): boolean {
  return kind !== 'avg' && kind !== 'sum';
}

/** The WGSL source of one kernel. */
export function kernelSource(kind: KernelKind, stage: Stage): string {
  const k = KINDS[kind];
  const names = kernelBuffers(kind, stage).map((d) => d.name);
  const body = stage === 'forward' ? forwardBody(k) : stage === 'gather' ? backwardBody(k) : broadcastBody(k, kind);
  return [
    PRELUDE,
    declarations(names, stageDirection(stage)),
    POW_KINDS.has(kind) ? POW_WGSL : '',
    // Only where R is bound: WGSL drops an unused binding from the pipeline's layout, so a kernel binds exactly
    // what it reads.
    names.includes('reciprocals') ? RECIPROCAL_FNS : '',
    k.functions ?? '',
    body,
  ].join('\n');
}
