/**
 * ps_exp, ps_ln and ps_div (exp.ts) on a real WebGPU device against 40-digit references (mathjs BigNumber), by
 * SPEC.md's REDUCER.MODEL: exp and log within κ = 2^−22 relative (plus η where e^d is subnormal: any value within
 * 2^−126 there, POLICY.SUBNORMALS), the division within one rounding, u·(1 + 2^−20) relative (exp.ts). WGSL's
 * own exp and log must fail the same checks on some of the same inputs: the checks have teeth.
 *
 * Without a WebGPU adapter the tests are skipped with a warning, or fail when CI is set.
 */
import { all, create, type BigNumber } from 'mathjs';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../../../spec/seeds.js';
import { parseHexF32 } from '../../../test/helpers/hex-float.js';
import { compileWgsl, deviceRunOnce, runF32Kernel } from '../../../test/helpers/webgpu-compute.js';
import { EXP_CONSTANTS, EXP_WGSL } from './exp.js';
import { POW_WGSL } from './pow.js';

const M = create(all!, { number: 'BigNumber', precision: 40 });
const KAPPA = 2 ** -22;
const U = 2 ** -24;
const f32 = Math.fround;

function exactBig(x: number): BigNumber {
  // Its value to 40 significant digits (relative error < 10^−39, far below the κ and u checked here).
  return M.bignumber(x.toPrecision(40));
}

// ---------------------------------------------------------------------------------------------------- the cases
function expCases(): number[] {
  const d: number[] = [0, -0, -1e-30, -(2 ** -126), -(2 ** -20), -0.5, -1, -2, -10, -20, -50, -87.3, -100, -103, -104.9, -105, -106, -1e4, -3e38];
  for (let k = -40; k <= 7; k++) d.push(-(2 ** k), -(3 * 2 ** k));
  const rnd = mulberry32(20261204);
  for (let i = 0; i < 3000; i++) d.push(-rnd() * 105);
  for (let i = 0; i < 500; i++) d.push(-(2 ** (-30 * rnd())));
  return d.map(f32);
}
function lnCases(): number[] {
  // LSE's argument z = S/n ∈ [1/n, 1] (and a little beyond 1 by rounding): near 1 matters most.
  const z: number[] = [1, f32(1 - 2 ** -24), f32(1 + 2 ** -23), 0.5, 0.25, 1 / 3, 2 ** -10, 2 ** -126, 2, 1e6];
  for (let k = 1; k <= 24; k++) z.push(1 - 2 ** -k, 1 + 2 ** -k);
  const rnd = mulberry32(20261205);
  for (let i = 0; i < 2000; i++) z.push(2 ** (-10 * rnd()));
  for (let i = 0; i < 500; i++) z.push(1 - rnd() * 2 ** -12);
  return z.map(f32);
}
function divCases(): Array<[number, number]> {
  const rnd = mulberry32(20261206);
  const c: Array<[number, number]> = [[1, 3], [2, 3], [0, 5], [-7, 3], [1e-30, 1.5], [3e38, 1.9]];
  for (let i = 0; i < 3000; i++) c.push([f32((rnd() - 0.5) * 2 ** (60 * rnd() - 30)), f32(1 + rnd() * 47)]);
  return c;
}

const KERNELS = /* wgsl */ `
@group(0) @binding(0) var<storage, read> ps_in: array<f32>;
@group(0) @binding(1) var<storage, read_write> ps_out: array<f32>;
${POW_WGSL}
${EXP_WGSL}
// Each input ends with one 0.0: the runtime zero that ps_opaque needs (pow.ts).
fn set_zero() { ps_zero = bitcast<u32>(ps_in[arrayLength(&ps_in) - 1u]); }
@compute @workgroup_size(64) fn run_exp(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_exp(ps_in[g.x]); }
}
@compute @workgroup_size(64) fn run_exp_builtin(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = exp(ps_in[g.x]); }
}
// ln z rounded once from its float-float value.
@compute @workgroup_size(64) fn run_ln(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { let l = ps_ln(ps_in[g.x]); ps_out[g.x] = l.x + l.y; }
}
@compute @workgroup_size(64) fn run_ln_builtin(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = log(ps_in[g.x]); }
}
@compute @workgroup_size(64) fn run_div(@builtin(global_invocation_id) g: vec3u) {
  set_zero();
  if (g.x < arrayLength(&ps_out)) { ps_out[g.x] = ps_div(ps_in[2u * g.x], ps_in[2u * g.x + 1u]); }
}
`;

interface Run { exp: Float32Array; expBuiltin: Float32Array; ln: Float32Array; lnBuiltin: Float32Array; div: Float32Array }
const D = expCases();
const Z = lnCases();
const Q = divCases();

/** The device's results for every case, computed once; skips (or fails on CI) without an adapter. */
const gpuRun = deviceRunOnce<Run>('kernels/webgpu/wgsl/exp.test.ts', async (device) => {
  const module = await compileWgsl(device, KERNELS, 'exp.test.wgsl');
  const withZero = (v: number[]): Float32Array<ArrayBuffer> => Float32Array.from([...v, 0]);
  const inD = withZero(D);
  const inZ = withZero(Z);
  const inQ = withZero(Q.flat());
  const [exp, expBuiltin, ln, lnBuiltin, div] = await Promise.all([
    runF32Kernel(device, module, 'run_exp', inD, D.length),
    runF32Kernel(device, module, 'run_exp_builtin', inD, D.length),
    runF32Kernel(device, module, 'run_ln', inZ, Z.length),
    runF32Kernel(device, module, 'run_ln_builtin', inZ, Z.length),
    runF32Kernel(device, module, 'run_div', inQ, Q.length),
  ]);
  return { exp, expBuiltin, ln, lnBuiltin, div };
});

/** Whether got is within κ of e^d (relative), or, where e^d < 2^−126, within 2^−126 (a flushing device). */
function expOk(d: number, got: number): boolean {
  const y = M.exp(exactBig(d));
  const diff = y.minus(exactBig(got)).abs();
  if (y.lt(2 ** -126)) return diff.lte(2 ** -126);
  return diff.lte(y.times(KAPPA));
}
function lnOk(z: number, got: number): boolean {
  const y = M.log(exactBig(z));
  // Rounding the float-float to f32 adds u; κ is the bound on ln's error itself.
  return y.minus(exactBig(got)).abs().lte(y.abs().times(KAPPA));
}

describe('ps_exp, ps_ln, ps_div (WGSL, float-float)', () => {
  test('the constants are the f32 pairs nearest log2 e and ln 2', () => {
    const ln2 = M.log(M.bignumber(2));
    for (const [real, [hi, lo], what] of [[M.bignumber(1).div(ln2), EXP_CONSTANTS.log2e, 'log2 e'], [ln2, EXP_CONSTANTS.ln2, 'ln 2']] as const) {
      const h = parseHexF32(hi);
      const l = parseHexF32(lo);
      // hi is within half an ulp of the real number, lo within half an ulp of the remainder.
      const halfUlp = (v: number): number => 2 ** (Math.floor(Math.log2(Math.abs(v))) - 24);
      expect(real.minus(exactBig(h)).abs().lte(halfUlp(h)), `${what} hi`).toBe(true);
      expect(real.minus(exactBig(h)).minus(exactBig(l)).abs().lte(halfUlp(l)), `${what} lo`).toBe(true);
    }
  });

  test('ps_exp(d) is within κ of e^d for d ≤ 0 (REDUCER.MODEL); WGSL exp is not', async (ctx) => {
    const run = await gpuRun(ctx);
    const bad = D.flatMap((d, i) => (expOk(d, run.exp[i]!) ? [] : [`exp(${d}) = ${run.exp[i]}`]));
    expect(bad).toEqual([]);
    expect(run.exp[D.indexOf(0)]).toBe(1);
    expect(D.some((d, i) => !expOk(d, run.expBuiltin[i]!)), 'WGSL exp meets κ everywhere here: the check has no teeth').toBe(true);
  });

  test('ps_ln(z) is within κ of ln z, also near z = 1 (LSE.ACC); WGSL log is not', async (ctx) => {
    const run = await gpuRun(ctx);
    const bad = Z.flatMap((z, i) => (lnOk(z, run.ln[i]!) ? [] : [`ln(${z}) = ${run.ln[i]}`]));
    expect(bad).toEqual([]);
    expect(run.ln[Z.indexOf(1)]).toBe(0);
    expect(Z.some((z, i) => !lnOk(z, run.lnBuiltin[i]!)), 'WGSL log meets κ everywhere here: the check has no teeth').toBe(true);
  });

  test('ps_div(a, b) is within u·(1 + 2^−20) of a/b (one rounding, exp.ts)', async (ctx) => {
    const run = await gpuRun(ctx);
    const bad = Q.flatMap(([a, b], i) => {
      const q = exactBig(a).div(exactBig(b));
      const got = run.div[i]!;
      // Results in the subnormal range may be flushed (POLICY.SUBNORMALS): within 2^−126 there.
      const tol = q.abs().lt(2 ** -126) ? M.bignumber(2 ** -126) : q.abs().times(U * (1 + 2 ** -20));
      return q.minus(exactBig(got)).abs().lte(tol) ? [] : [`${a}/${b} = ${got}`];
    });
    expect(bad).toEqual([]);
  });
});
