/**
 * ps_pow / ps_root (pow.ts) on a real WebGPU device against 40-digit references (mathjs BigNumber), by SPEC.md's
 * ACC.LP: relative error ≤ κ = 2^−22 wherever the exact result is in [2^−126, 2^128); +∞ also accepted from
 * 2^128·(1 − 2^−25) on; below 2^−126, any value within 2^−126 of the exact one. Special cases must be exact.
 * WGSL's builtin pow must fail the same check on some of the same inputs: the check has teeth.
 *
 * Without a WebGPU adapter the GPU tests are skipped with a warning, or fail when CI is set.
 */
import { all, create, type BigNumber } from 'mathjs';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../../../spec/seeds.js';
import { parseHexF32 } from '../../../test/helpers/hex-float.js';
import { compileWgsl, deviceRunOnce, runF32Kernel } from '../../../test/helpers/webgpu-compute.js';
import { POW_CONSTANTS, POW_EXP2_TABLE, POW_REL_ERROR_BOUND, POW_WGSL } from './pow.js';

const M = create(all!, { number: 'BigNumber', precision: 40 });
const KAPPA = 2 ** -22;
const UNIT = 2 ** -24; // errors are reported in units of 2^−24

// ---------------------------------------------------------------------------------------------------- f32 helpers
const f32 = Math.fround;
const scratch = new DataView(new ArrayBuffer(4));
function bitsOf(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}
function fromBits(b: number): number {
  scratch.setUint32(0, b >>> 0);
  return scratch.getFloat32(0);
}

const pow2Cache = new Map<number, BigNumber>();
function pow2(e: number): BigNumber {
  let v = pow2Cache.get(e);
  if (v === undefined) pow2Cache.set(e, (v = M.bignumber(2).pow(e)));
  return v;
}
/** The value of a finite f32, from its bits: integer significand × 2^exponent (40 digits, relative error < 1e−39). */
function exactBig(x: number): BigNumber {
  const b = bitsOf(x);
  const e = (b >>> 23) & 0xff;
  const frac = b & 0x7fffff;
  const v = M.bignumber(e === 0 ? frac : frac | 0x800000).times(pow2((e === 0 ? -126 : e - 127) - 23));
  return b >>> 31 ? v.neg() : v;
}

// --------------------------------------------------------------------------------------------------- the cases
type Kind = 'pow' | 'root';
interface Cases {
  readonly x: number[];
  readonly p: number[];
}
function pushCase(c: Cases, x: number, p: number): void {
  c.x.push(f32(x));
  c.p.push(f32(p));
}

/** Grid (a): x over every binade 2^−149 … 2^127 (three significands each) and near 1, √2 and √½. */
function gridXs(): number[] {
  const xs: number[] = [];
  for (let e = -149; e <= 127; e++) {
    xs.push(2 ** e, f32(2 ** e * 1.7182818));
    if (e >= -126) xs.push(f32(2 ** e * (2 - 2 ** -23)));
  }
  for (let k = 1; k <= 8; k++) xs.push(1 + k * 2 ** -23, 1 - k * 2 ** -24, 1 - k * 2 ** -23);
  for (let k = 1; k <= 22; k += 3) xs.push(1 + 2 ** -k, 1 - 2 ** -k);
  // Around the reduction boundary m = √2 (0x3FB504F3 < √2 < 0x3FB504F4), also in other binades.
  for (const centre of [0x3fb504f3, 0x3f3504f3, 0x3fb504f3 + (40 << 23), 0x3f3504f3 - (40 << 23)]) {
    for (let d = -3; d <= 4; d++) xs.push(fromBits(centre + d));
  }
  return xs.map(f32);
}

/** The brief's exponents, with p − 1 and 1 − p (the gradient's), rounded to f32, without duplicates. */
function gridPs(): number[] {
  const base = [1, 2, 3, 0.5, 1 / 3, 2.5, 7, 0.1, -1, -0.5, -2.7, 1e-3, 15.3, 100, -100].map(f32);
  const all = base.flatMap((p) => [p, f32(p - 1), f32(1 - p)]);
  return [...new Map(all.map((p) => [bitsOf(p), p])).values()];
}

/** x and p with x^p (kind 'pow') or x^(1/p) ('root') near 2^target: an exponent chosen from x. */
function aimed(kind: Kind, x: number, target: number): number {
  const l = Math.log2(x);
  return kind === 'pow' ? target / l : l / target;
}

/** Random cases (b), seeded. */
function randomCases(kind: Kind, count: number, seed: number): Cases {
  const r = mulberry32(seed);
  const c: Cases = { x: [], p: [] };
  const anyFinite = (): number => fromBits(1 + Math.floor(r() * 0x7f7fffff)); // every positive finite f32
  const anyNormalNotOne = (): number => {
    for (;;) {
      const x = fromBits(0x00800000 + Math.floor(r() * (0x7f7fffff - 0x00800000)));
      if (x !== 1) return x;
    }
  };
  const signed = (lo: number, hi: number): number => (r() < 0.5 ? -1 : 1) * 2 ** (lo + r() * (hi - lo)) * (1 + r());
  // Exponents aimed at the ends of the normal range and at the over/underflow thresholds.
  const edges = [128, 127.99, 128.01, -126, -125.99, -126.01, -127, -149, -150, 127];
  while (c.x.length < count) {
    const u = r();
    if (u < 0.2) {
      pushCase(c, anyFinite(), signed(-10, 7));
    } else if (u < 0.45) {
      const x = anyNormalNotOne();
      pushCase(c, x, aimed(kind, x, -150 + r() * 280));
    } else if (u < 0.65) {
      const x = anyNormalNotOne();
      pushCase(c, x, aimed(kind, x, edges[Math.floor(r() * edges.length)]! + (r() - 0.5) * 2 ** -(4 + r() * 16)));
    } else if (u < 0.8) {
      // x within 2^−23 … 2^−1 of 1: log2 x is tiny, so p is large; the float-float log must stay accurate.
      const x = f32(1 + (r() < 0.5 ? -1 : 1) * 2 ** -(1 + r() * 22));
      if (x !== 1) pushCase(c, x, aimed(kind, x, (r() - 0.5) * 280));
    } else if (u < 0.9) {
      const x = fromBits(1 + Math.floor(r() * 0x7fffff)); // subnormal
      pushCase(c, x, r() < 0.5 ? aimed(kind, x, -150 + r() * 280) : signed(-12, 1));
    } else {
      // Tiny exponents (subnormal ones included) and huge ones.
      pushCase(c, anyFinite(), r() < 0.5 ? signed(-149, -20) : signed(20, 127));
    }
    const last = c.p.length - 1;
    if (!Number.isFinite(c.p[last]!) || !Number.isFinite(c.x[last]!)) {
      c.x.pop();
      c.p.pop();
    }
  }
  return c;
}

/** Special cases (c), for both kinds; a few are beyond the brief (NaN, ±∞ exponents, negative x). */
function specialCases(): Cases {
  const xs = [0, -0, Infinity, -Infinity, 1, -1, NaN, 2 ** -149, 0.5, 2, 3e38, -2, -0.25];
  const ps = [0, -0, 1, -1, 2, 0.5, -0.5, 2 ** -149, -(2 ** -149), 3e38, -3e38, 2 ** 40, Infinity, -Infinity, NaN];
  const c: Cases = { x: [], p: [] };
  for (const x of xs) for (const p of ps) pushCase(c, x, p);
  return c;
}

function concat(...cs: Cases[]): Cases {
  return { x: cs.flatMap((c) => c.x), p: cs.flatMap((c) => c.p) };
}

// --------------------------------------------------------------------------------------------------- judging
const TWO_M126 = pow2(-126);
const OVERFLOW_OK = pow2(128).times(M.bignumber(1).minus(pow2(-25))); // +∞ accepted from here on
const LN2 = M.bignumber(2).ln();
const BIG_L = LN2.times(129.8); // exact result > 2^129.8: only +∞ can be right
const SMALL_L = LN2.times(-151.5); // exact result < 2^−151.5: only values in [0, 2^−126]

/** The exact result where it is fixed by a special case (pow.ts lists them), else undefined. */
function specialExpectation(kind: Kind, x: number, p: number): number | undefined {
  const ax = Math.abs(x);
  const pNeg = p < 0 || Object.is(p, -0);
  // The exponent is p, or 1/p: for 'root', p = ±0 means an infinite exponent and p = ±∞ a zero one.
  const expZero = kind === 'pow' ? p === 0 : Math.abs(p) === Infinity;
  const expInf = kind === 'pow' ? Math.abs(p) === Infinity : p === 0;
  if (expZero || ax === 1) return 1;
  if (Number.isNaN(x) || Number.isNaN(p)) return NaN;
  if (ax === 0) return pNeg ? Infinity : 0;
  if (ax === Infinity) return pNeg ? 0 : Infinity;
  if (p === 1) return ax;
  if (expInf) return ax > 1 === !pNeg ? Infinity : 0;
  return undefined;
}

interface Verdict {
  readonly ok: boolean;
  /** Where the exact result lies: fixed by a special case, ≥ 2^128·(1 − 2^−25), in [2^−126, …), or below 2^−126. */
  readonly cls: 'special' | 'overflow' | 'normal' | 'underflow';
  /** Relative error in units of 2^−24, where the result is finite and the exact one is ≥ 2^−126. */
  readonly units?: number;
  readonly exact: string;
}

const lnCache = new Map<number, BigNumber>();
const expCache = new Map<string, BigNumber>(); // the builtin check reuses the exact results
function lnAbs(x: number): BigNumber {
  const b = bitsOf(x) & 0x7fffffff;
  let v = lnCache.get(b);
  if (v === undefined) lnCache.set(b, (v = exactBig(fromBits(b)).ln()));
  return v;
}

function judge(kind: Kind, x: number, p: number, got: number): Verdict {
  const special = specialExpectation(kind, x, p);
  if (special !== undefined) {
    const ok = Object.is(got, special) || (Number.isNaN(special) && Number.isNaN(got));
    return { ok, cls: 'special', exact: String(special) };
  }
  const L = kind === 'pow' ? lnAbs(x).times(exactBig(p)) : lnAbs(x).div(exactBig(p)); // natural log of the result
  const eL = `e^${L.toSignificantDigits(8).toString()}`;
  if (L.gt(BIG_L)) return { ok: got === Infinity, cls: 'overflow', exact: eL };
  // Below 2^-151.5 only 0 (or the smallest subnormal) is within half a subnormal step.
  if (L.lt(SMALL_L)) return { ok: got === 0 || got === 2 ** -149, cls: 'underflow', exact: eL };
  const key = `${kind}:${bitsOf(x)}:${bitsOf(p)}`;
  let y = expCache.get(key);
  if (y === undefined) expCache.set(key, (y = L.exp()));
  const exact = y.toSignificantDigits(12).toString();
  const cls = y.gte(OVERFLOW_OK) ? 'overflow' : y.gte(TWO_M126) ? 'normal' : 'underflow';
  if (got === Infinity && cls === 'overflow') return { ok: true, cls, exact };
  if (!Number.isFinite(got)) return { ok: false, cls, exact };
  const diff = exactBig(got).minus(y).abs();
  // A result below 2^-126: 0 on a flushing device, else within κ relative plus half a subnormal step; never
  // rounded up to 2^-126 from further away than κ (ACC.LP's upper end, POLICY.SUBNORMALS).
  if (cls === 'underflow') return { ok: got === 0 || diff.lte(y.times(KAPPA).plus(pow2(-150))), cls, exact };
  const units = diff.div(y).toNumber() / UNIT;
  return { ok: units * UNIT <= KAPPA, cls, units, exact };
}

// --------------------------------------------------------------------------------------------------- the GPU run
const KERNELS = /* wgsl */ `
@group(0) @binding(0) var<storage, read> ps_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> ps_out: array<f32>;
${POW_WGSL}
// Each input ends with one 0.0: the runtime zero that ps_opaque needs (pow.ts).
fn set_zero() { ps_zero = bitcast<u32>(ps_in[arrayLength(&ps_in) - 1u]); }
@compute @workgroup_size(64) fn run_pow(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_pow(ps_in[2u * g.x], ps_in[2u * g.x + 1u]); }
}
@compute @workgroup_size(64) fn run_root(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_root(ps_in[2u * g.x], ps_in[2u * g.x + 1u]); }
}
// The teeth: WGSL's own pow, on the same inputs.
@compute @workgroup_size(64) fn run_builtin(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = pow(ps_in[2u * g.x], ps_in[2u * g.x + 1u]); }
}
// |x|^(p − 1) with the exact p − 1 (the Lp gradient's exponent), against the same with p − 1 rounded to f32.
@compute @workgroup_size(64) fn run_pm1(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_pow_ff(ps_in[2u * g.x], ps_two_sum(ps_in[2u * g.x + 1u], -1.0)); }
}
@compute @workgroup_size(64) fn run_pm1_rounded(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_pow(ps_in[2u * g.x], ps_in[2u * g.x + 1u] - 1.0); }
}
// Does the device flush subnormal products? (reported, not asserted)
@compute @workgroup_size(64) fn run_mul(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_in[2u * g.x] * ps_in[2u * g.x + 1u]; }
}
`;

/** Exponents p < 1/2, where the float32 p − 1 is rounded, and one beyond 2^24 where it is exact again. */
const PM1_CASES: Cases = (() => {
  const c: Cases = { x: [], p: [] };
  for (const x of gridXs()) for (const p of [0.1, 0.3, 1e-3, 0.45, 1 / 3, 2 ** 24 + 2]) pushCase(c, x, p);
  return c;
})();

/** |x|^(p − 1) with p − 1 exact, judged like ps_pow: relative units of 2^−24 where the result is normal. */
function judgePm1(x: number, p: number, got: number): { ok: boolean; units?: number } {
  const e = exactBig(p).minus(1);
  if (x === 0 || !Number.isFinite(x) || Math.abs(x) === 1) return { ok: true }; // special cases: ps_pow's test
  const L = lnAbs(x).times(e);
  if (L.gt(BIG_L)) return { ok: got === Infinity };
  if (L.lt(SMALL_L)) return { ok: got >= 0 && got <= 2 ** -126 };
  const y = L.exp();
  if (y.gte(OVERFLOW_OK)) return { ok: got === Infinity || exactBig(got).minus(y).abs().div(y).lte(KAPPA) };
  if (!Number.isFinite(got)) return { ok: false };
  const diff = exactBig(got).minus(y).abs();
  if (y.lt(TWO_M126)) return { ok: diff.lte(TWO_M126) };
  const units = diff.div(y).toNumber() / UNIT;
  return { ok: units * UNIT <= POW_REL_ERROR_BOUND, units };
}

interface Run {
  readonly device: string;
  readonly cases: Record<Kind, Cases>;
  readonly got: Record<Kind, Float32Array>;
  readonly builtin: Float32Array;
  /** ps_pow_ff(x, p − 1 exact) and ps_pow(x, fround(p − 1)) on PM1_CASES. */
  readonly pm1: Float32Array;
  readonly pm1Rounded: Float32Array;
  readonly flushesProducts: boolean;
  readonly gpuMs: number;
}

/** (x, p) pairs, then one trailing 0.0: the kernels' runtime zero (set_zero). */
function interleave(c: Cases): Float32Array<ArrayBuffer> {
  const a = new Float32Array(2 * c.x.length + 1);
  c.x.forEach((x, i) => {
    a[2 * i] = x;
    a[2 * i + 1] = c.p[i]!;
  });
  return a;
}

function gridCases(kind: Kind): Cases {
  const c: Cases = { x: [], p: [] };
  const ps = kind === 'pow' ? gridPs() : [2, 3, 1 / 3, 7, 100, -2.7, 15.3, 0.1, -100, 1e-3].map(f32);
  for (const x of gridXs()) for (const p of ps) pushCase(c, x, p);
  return c;
}

/** The device's results for every case, computed once; skips (or fails on CI) without an adapter. */
const gpuRun = deviceRunOnce<Run>('kernels/webgpu/wgsl/pow.test.ts', async (device, description) => {
  const t0 = performance.now();
  const module = await compileWgsl(device, KERNELS, 'pow.test.wgsl');
  const cases: Record<Kind, Cases> = {
    pow: concat(specialCases(), gridCases('pow'), randomCases('pow', 6000, 20261123)),
    root: concat(specialCases(), gridCases('root'), randomCases('root', 2000, 20261124)),
  };
  const inPow = interleave(cases.pow);
  const inPm1 = interleave(PM1_CASES);
  const [pm1, pm1Rounded] = await Promise.all([
    runF32Kernel(device, module, 'run_pm1', inPm1, PM1_CASES.x.length),
    runF32Kernel(device, module, 'run_pm1_rounded', inPm1, PM1_CASES.x.length),
  ]);
  const [pow, root, builtin, mul] = await Promise.all([
    runF32Kernel(device, module, 'run_pow', inPow, cases.pow.x.length),
    runF32Kernel(device, module, 'run_root', interleave(cases.root), cases.root.x.length),
    runF32Kernel(device, module, 'run_builtin', inPow, cases.pow.x.length),
    runF32Kernel(device, module, 'run_mul', new Float32Array([2 ** -126, 0.5, 2 ** -120, 2 ** -10]), 2),
  ]);
  return {
    device: description,
    cases,
    got: { pow, root },
    builtin,
    pm1,
    pm1Rounded,
    flushesProducts: mul[0] === 0 || mul[1] === 0,
    gpuMs: performance.now() - t0,
  };
});

interface Failure {
  kind: Kind;
  x: number;
  p: number;
  got: number;
  exact: string;
}
const show = (f: Failure): string => `${f.kind}(${f.x}, ${f.p}) = ${f.got}, exact ${f.exact}`;

// --------------------------------------------------------------------------------------------------- tests
describe('ps_pow / ps_root (WGSL)', () => {
  test('the constants and the 2^(j/64) table are float-float roundings of their real values', () => {
    // |real − value| ≤ half an ulp of value (the f32 nearest the real number; ties are not an issue here).
    const nearest = (real: BigNumber, v: number, what: string): void => {
      if (v === 0) {
        expect(real.abs().toNumber(), what).toBe(0);
        return;
      }
      const halfUlp = pow2(Math.floor(Math.log2(Math.abs(v))) - 24);
      const ok = real.minus(exactBig(v)).abs().lte(halfUlp);
      expect(ok, `${what}: ${v} is not the f32 nearest ${real.toString()}`).toBe(true);
    };
    const checkPair = (real: BigNumber, [hi, lo]: readonly [string, string], what: string): void => {
      const h = parseHexF32(hi);
      const l = parseHexF32(lo);
      nearest(real, h, `${what} hi`);
      nearest(real.minus(exactBig(h)), l, `${what} lo`);
    };
    const one = M.bignumber(1);
    checkPair(M.bignumber(2).div(LN2), POW_CONSTANTS.twoOverLn2, '2/ln2');
    checkPair(one.div(3), POW_CONSTANTS.c3, '1/3');
    checkPair(one.div(5), POW_CONSTANTS.c5, '1/5');
    const { c7, c9, c11, c13, c15, e1, e2, e3, e4 } = POW_CONSTANTS;
    for (const [k, c] of [[7, c7], [9, c9], [11, c11], [13, c13], [15, c15]] as const) {
      nearest(one.div(k), parseHexF32(c), `1/${k}`);
    }
    let fact = 1;
    for (const [k, c] of [[1, e1], [2, e2], [3, e3], [4, e4]] as const) {
      fact *= k;
      nearest(LN2.pow(k).div(fact), parseHexF32(c), `ln2^${k}/${k}!`);
    }
    expect(POW_EXP2_TABLE).toHaveLength(64);
    POW_EXP2_TABLE.forEach((pair, j) => checkPair(M.bignumber(2).pow(M.bignumber(j).div(64)), pair, `2^(${j}/64)`));
  });

  test('special cases are exact', async (ctx) => {
    const run = await gpuRun(ctx);
    const failures: Failure[] = [];
    let n = 0;
    for (const kind of ['pow', 'root'] as const) {
      const c = run.cases[kind];
      c.x.forEach((x, i) => {
        const p = c.p[i]!;
        const expected = specialExpectation(kind, x, p);
        if (expected === undefined) return;
        n++;
        const got = run.got[kind][i]!;
        if (!(Object.is(got, expected) || (Number.isNaN(got) && Number.isNaN(expected)))) {
          failures.push({ kind, x, p, got, exact: String(expected) });
        }
      });
    }
    expect(n).toBeGreaterThan(300);
    expect(failures.map(show)).toEqual([]);
  });

  test('error ≤ 2^-22 (≤ POW_REL_ERROR_BOUND) where the exact result is normal; over/underflow by ACC.LP', async (ctx) => {
    const run = await gpuRun(ctx);
    const t0 = performance.now();
    const failures: Failure[] = [];
    let max = { units: 0, what: '' };
    const counts = { all: 0, special: 0, normal: 0, overflow: 0, underflow: 0 };
    for (const kind of ['pow', 'root'] as const) {
      const c = run.cases[kind];
      c.x.forEach((x, i) => {
        const p = c.p[i]!;
        const got = run.got[kind][i]!;
        const v = judge(kind, x, p, got);
        counts.all++;
        counts[v.cls]++;
        if (v.cls === 'normal' && v.units !== undefined && v.units > max.units) {
          max = { units: v.units, what: `${kind}(${x}, ${p}) = ${got}, exact ${v.exact}` };
        }
        if (!v.ok) failures.push({ kind, x, p, got, exact: v.exact });
      });
    }
    console.log(
      `ps_pow/ps_root on ${run.device}: ${counts.all} cases (exact result: ${counts.special} special, ` +
        `${counts.normal} normal, ${counts.overflow} ≥ 2^128(1-2^-25), ${counts.underflow} < 2^-126); ` +
        `max relative error ${max.units.toFixed(4)}·2^-24 ` +
        `at ${max.what}; device flushes subnormal products: ${run.flushesProducts ? 'yes' : 'no'}; ` +
        `GPU part ${run.gpuMs.toFixed(0)} ms, reference ${(performance.now() - t0).toFixed(0)} ms`,
    );
    expect(failures.slice(0, 20).map(show), `${failures.length} failures`).toEqual([]);
    expect(counts.normal).toBeGreaterThan(20000);
    expect(counts.overflow).toBeGreaterThan(100);
    expect(counts.underflow).toBeGreaterThan(100);
    expect(max.units * UNIT).toBeLessThanOrEqual(POW_REL_ERROR_BOUND);
  });

  test("WGSL's builtin pow fails the same check on the same inputs (the check has teeth)", async (ctx) => {
    const run = await gpuRun(ctx);
    const c = run.cases.pow;
    let failed = 0;
    let checked = 0;
    let worst = { units: 0, what: '' };
    let mildest = { l: Infinity, what: '' }; // the failure with the smallest |p·log2 x|, for illustration
    c.x.forEach((x, i) => {
      const p = c.p[i]!;
      // Only where the builtin has a meaning: x normal and positive, not a special case, exact result normal.
      if (!(x >= 2 ** -126 && x < Infinity) || specialExpectation('pow', x, p) !== undefined) return;
      const v = judge('pow', x, p, run.builtin[i]!);
      if (v.cls !== 'normal') return;
      checked++;
      if (!v.ok) {
        failed++;
        const l = Math.abs(p * Math.log2(x));
        const what = `pow(${x}, ${p}) = ${run.builtin[i]}, exact ${v.exact}, ${v.units?.toFixed(1)}·2^-24`;
        if (l < mildest.l) mildest = { l, what };
      }
      if (v.units !== undefined && v.units > worst.units) {
        worst = { units: v.units, what: `pow(${x}, ${p}) = ${run.builtin[i]}, exact ${v.exact}` };
      }
    });
    console.log(
      `builtin pow: ${failed} of ${checked} cases beyond 2^-22; worst ${worst.units.toExponential(2)}·2^-24 at ` +
        `${worst.what}; mildest failure (|p·log2 x| = ${mildest.l.toFixed(2)}): ${mildest.what}`,
    );
    expect(failed).toBeGreaterThan(0);
  });

  test('ps_pow_ff keeps p − 1 exact (the Lp gradient); a float32 p − 1 does not (the test has teeth)', async (ctx) => {
    const run = await gpuRun(ctx);
    let worst = 0;
    let worstRounded = 0;
    const failures: string[] = [];
    PM1_CASES.x.forEach((x, i) => {
      const p = PM1_CASES.p[i]!;
      const v = judgePm1(x, p, run.pm1[i]!);
      if (!v.ok) failures.push(`ps_pow_ff(${x}, ${p} − 1) = ${run.pm1[i]}`);
      worst = Math.max(worst, v.units ?? 0);
      worstRounded = Math.max(worstRounded, judgePm1(x, p, run.pm1Rounded[i]!).units ?? 0);
    });
    console.log(`|x|^(p − 1) over ${PM1_CASES.x.length} cases: max ${worst.toFixed(4)}·2^-24 with the exact p − 1, ${worstRounded.toFixed(4)}·2^-24 with a float32 p − 1`);
    expect(failures.slice(0, 10), `${failures.length} failures`).toEqual([]);
    expect(worstRounded * UNIT).toBeGreaterThan(POW_REL_ERROR_BOUND);
  });
});
