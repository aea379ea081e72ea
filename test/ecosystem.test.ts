/**
 * The ecosystem matrix (reports/ecosystem*.ts, `poolspec report --ecosystem`): the readings' geometry, the
 * roll-up of a forward-only library's outcomes (n/a, SPEC.md PROP.VERDICT), a row that does not load, and the
 * command end to end on a few cases. The peers are optional dependencies: the CLI test asks for one and accepts
 * either outcome the report documents (a checked row, or an unavailable row naming why), as test/peers.test.ts
 * skips a peer that is not installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { createNaiveBackend } from '../kernels/naive/index.js';
import { FORWARD_ONLY } from '../kernels/peers/index.js';
import { parseConformance } from '../reports/conformance-input.js';
import { renderEcosystemMarkdown } from '../reports/ecosystem-markdown.js';
import { caseView, ceilOverhang, classify } from '../reports/ecosystem-readings.js';
import { verifyRows, type EcosystemRow } from '../reports/ecosystem.js';
import type { PoolingBackend } from '../spec/contract.js';
import { BackendError } from '../spec/errors.js';
import { clauseStatus } from '../spec/verdicts.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'poolspec.js');

interface Run { code: number; stdout: string; stderr: string }
function cli(args: readonly string[]): Promise<Run> {
  return new Promise<Run>((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 180_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'poolspec-ecosystem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 2-D max case in the JSON-safe form the verifier records counterexamples in (spec/verifier.ts toJsonSafe). */
function maxCase(size: [number, number], kernel: [number, number], strides: [number, number], ceilMode: boolean, data: (number | string)[]): unknown {
  return {
    spec: { kind: 'max', kernel, strides, dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode, countIncludePad: false },
    x: { shape: [1, 1, ...size], data: { Float32Array: data }, layout: 'channels_first' },
  };
}

describe('readings', () => {
  test('ceilOverhang: ceil mode adds a window only where SHAPE.CEIL gives more than floor', () => {
    // Width 4, kernel 2, stride 3: floor((4 − 2)/3) + 1 = 1 window, ceil(2/3) + 1 = 2, and the second starts at
    // 3 < 4, inside the input: an overhang window.
    expect(ceilOverhang(caseView(maxCase([2, 4], [1, 2], [1, 3], true, new Array<number>(8).fill(0)))!)).toBe(true);
    // Width 5: (5 − 2)/3 = 1 exactly, so floor and ceil both give 2 windows.
    expect(ceilOverhang(caseView(maxCase([2, 5], [1, 2], [1, 3], true, new Array<number>(10).fill(0)))!)).toBe(false);
    // Floor mode never has one.
    expect(ceilOverhang(caseView(maxCase([2, 4], [1, 2], [1, 3], false, new Array<number>(8).fill(0)))!)).toBe(false);
  });

  test('caseView restores NaN and −0 from their JSON-safe strings; a tuple counterexample is read from its case', () => {
    const c = caseView([maxCase([1, 3], [1, 1], [1, 1], false, ['NaN', '-0', 2]), -3])!;
    expect(c.values[0]).toBeNaN();
    expect(Object.is(c.values[1], -0)).toBe(true);
    expect(c.values[2]).toBe(2);
    expect(caseView({ not: 'a case' })).toBeUndefined();
  });

  test('classify: the cause the readings table describes for the case', () => {
    // A dx mismatch on tfjs-cpu at a tap only the ceil-mode overhang window covers: CAUSES
    // 'tfjs-grad-drops-rounding' (the 2-D gradient recomputes the output size by truncation).
    const dx = { message: 'dx[0,0,1,3] = 0, expected …', mismatch: { tensor: 'dx', flat: 7, position: [0, 0, 1, 3], expected: '1e-45', got: '0' } };
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { ...dx, counterexample: maxCase([2, 4], [1, 2], [1, 3], true, new Array<number>(8).fill(0)) })).toBe('tfjs-grad-drops-rounding');
    // A NaN in an ONNX Runtime max window: 'ort-max-nan'.
    const y = { message: 'y[0,0,0,0]: 5 vs NaN', mismatch: { tensor: 'y', flat: 0, position: [0, 0, 0, 0], expected: 'NaN', got: '5' } };
    expect(classify({ name: 'onnxruntime', role: 'peer' }, { ...y, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 5]) })).toBe('ort-max-nan');
    // ±0 in one window and a zero that differs only in sign: 'ort-max-last-tie'; the same case on tfjs is not it.
    const zero = { message: 'y[0,0,1,1]: 0 vs 0 (INV.TRANSLATE)', mismatch: { tensor: 'y', flat: 3, position: [0, 0, 1, 1], expected: '0', got: '0' } };
    expect(classify({ name: 'onnxruntime', role: 'peer' }, { ...zero, counterexample: maxCase([2, 2], [2, 2], [1, 1], false, [0, 0, 0, '-0']) })).toBe('ort-max-last-tie');
    expect(classify({ name: 'onnxruntime', role: 'peer' }, { ...zero, counterexample: maxCase([2, 2], [2, 2], [1, 1], false, [0, 0, 0, 0]) })).toBe('unclassified');
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { ...zero, counterexample: maxCase([2, 2], [2, 2], [1, 1], false, [0, 0, 0, '-0']) })).toBe('unclassified');
    // A 1×1 max window with NaN on tfjs-cpu (the identity shortcut keeps it): 'tfjs-cpu-identity-nan'; with a
    // 1×2 window (the pooling loop, which ignores NaN) it is not that.
    const nan = { message: 'y[0,0,0,0] = NaN, expected exactly -Infinity', mismatch: { tensor: 'y', flat: 0, position: [0, 0, 0, 0], expected: '-Infinity', got: 'NaN' } };
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { ...nan, counterexample: maxCase([1, 2], [1, 1], [1, 1], false, ['NaN', 0]) })).toBe('tfjs-cpu-identity-nan');
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { ...nan, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 0]) })).not.toBe('tfjs-cpu-identity-nan');
    // An avg window with NaN on tfjs-wasm giving −∞: 'xnnpack-nan-clamp', as for max.
    const avgNan = { spec: { kind: 'avg', kernel: [2, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false }, x: { shape: [1, 1, 2, 1], data: { Float32Array: ['NaN', 1] }, layout: 'channels_first' } };
    expect(classify({ name: 'tfjs-wasm', role: 'peer' }, { ...nan, counterexample: avgNan })).toBe('xnnpack-nan-clamp');
    // The ±0 tie as the differential property words it ("exactly -0").
    const exactly = { message: 'y[1,0,1,0] = 0, expected exactly -0', mismatch: { tensor: 'y', flat: 3, position: [1, 0, 1, 0], expected: 'exactly -0', got: '0' } };
    expect(classify({ name: 'onnxruntime', role: 'peer' }, { ...exactly, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['-0', 0]) })).toBe('ort-max-last-tie');
    // A tfjs-cpu argmax window holding only −∞ gets index −1: 'tfjs-argmax-neg-inf'; not on the plain peer row.
    const minus1 = { message: 'indices[0,0,0,0] = -1, expected exactly 0 (MAX.INDEX)', mismatch: { tensor: 'indices', flat: 0, position: [0, 0, 0, 0], expected: 'exactly 0', got: '-1' } };
    const negInf = maxCase([1, 2], [2, 2], [2, 2], false, ['-Infinity', 0]);
    expect(classify({ name: 'tfjs-cpu+argmax', of: 'tfjs-cpu', role: 'index variant' }, { ...minus1, counterexample: negInf })).toBe('tfjs-argmax-neg-inf');
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { ...minus1, counterexample: negInf })).toBe('unclassified');
    // A 1-D ceil case's dropped gradient on tfjs (1-D runs as 2-D): 'tfjs-grad-drops-rounding'.
    const route = { message: 'a unit gradient at output 1 reached 0 inputs () (INV.ROUTE)' };
    const oneD = { spec: { kind: 'max', kernel: [2], strides: [2], dilations: [1], pads: [0, 0], ceilMode: true, countIncludePad: false }, x: { shape: [1, 1, 3], data: { Float32Array: [0, 0, 0] }, layout: 'channels_first' } };
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { ...route, counterexample: oneD })).toBe('tfjs-grad-drops-rounding');
    // An index variant is read as its library.
    expect(classify({ name: 'onnxruntime+indices', of: 'onnxruntime', role: 'index variant' }, { ...y, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 5]) })).toBe('ort-max-nan');
    // Nothing known matches: poolspec's own reference row, or no pooling case at all.
    expect(classify({ name: 'naive', role: 'reference' }, { ...y, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 5]) })).toBe('unclassified');
    expect(classify({ name: 'tfjs-cpu', role: 'peer' }, { message: 'threw', counterexample: 7 })).toBe('unclassified');
    // onnxruntime-web runs ORT's CPU kernels: the same reading.
    expect(classify({ name: 'onnxruntime-web', role: 'peer' }, { ...y, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 5]) })).toBe('ort-max-nan');
    // tfjs-webgpu: a window below −1e20 returns its shader's initial value; a subnormal max flushed to 0.
    const init = { message: 'y[0,0,0,0] = -1e20', mismatch: { tensor: 'y', flat: 0, position: [0, 0, 0, 0], expected: '-1e30', got: String(Math.fround(-1e20)) } };
    expect(classify({ name: 'tfjs-webgpu', role: 'peer' }, { ...init, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, [-1e30, -2e30]) })).toBe('tfjs-webgpu-max-init');
    const flushed = { message: 'y[0,0,0,0] = 0', mismatch: { tensor: 'y', flat: 0, position: [0, 0, 0, 0], expected: '1.401298464324817e-45', got: '0' } };
    expect(classify({ name: 'tfjs-webgpu', role: 'peer' }, { ...flushed, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, [0, 1.401298464324817e-45]) })).toBe('tfjs-webgpu-max-flushes-subnormals');
    // Its max gradient on a tie (2-D), and on a 3-D filter whose height and width differ.
    expect(classify({ name: 'tfjs-webgpu', role: 'peer' }, { ...dx, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, [0, 0]) })).toBe('tfjs-webgpu-grad-last-tie');
    const case3d = { spec: { kind: 'max', kernel: [2, 2, 1], strides: [1, 1, 1], dilations: [1, 1, 1], pads: [0, 0, 0, 0, 0, 0], ceilMode: false, countIncludePad: false }, x: { shape: [1, 1, 2, 2, 1], data: { Float32Array: [0, 0, 0, 0] }, layout: 'channels_first' } };
    expect(classify({ name: 'tfjs-webgpu', role: 'peer' }, { message: 'a unit gradient at output 0 reached 0 inputs () (INV.ROUTE)', counterexample: case3d })).toBe('tfjs-webgpu-maxpool3d-grad-position');
    // onnxruntime-web-webgpu (observed in Chromium): NaN dropped, an all −∞ window → −FLT_MAX, a flushed
    // subnormal, the last of ±0; the CPU EP's readings are not its, and a dx case is none of them.
    const wg = { name: 'onnxruntime-web-webgpu', role: 'peer' };
    const lowest = { message: 'y[0,0,0,0]', mismatch: { tensor: 'y', flat: 0, position: [0, 0, 0, 0], expected: 'exactly -Infinity', got: String(-((2 - 2 ** -23) * 2 ** 127)) } };
    expect(classify(wg, { ...y, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 5]) })).toBe('ort-webgpu-max-lowest');
    expect(classify(wg, { ...lowest, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['-Infinity', '-Infinity']) })).toBe('ort-webgpu-max-lowest');
    expect(classify(wg, { ...flushed, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, [0, 1.401298464324817e-45]) })).toBe('ort-webgpu-max-flushes-subnormals');
    expect(classify(wg, { ...exactly, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['-0', 0]) })).toBe('ort-webgpu-max-last-tie');
    expect(classify(wg, { ...exactly, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, [0, 0]) })).toBe('unclassified');
    expect(classify({ name: 'onnxruntime-web', role: 'peer' }, { ...flushed, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, [0, 1.401298464324817e-45]) })).not.toBe('ort-webgpu-max-flushes-subnormals');
    expect(classify(wg, { ...dx, counterexample: maxCase([1, 2], [1, 2], [1, 1], false, ['NaN', 5]) })).toBe('unclassified');
    // tfjs-cpu's 3-D reading is tfjs-cpu's alone.
    expect(classify({ name: 'tfjs-webgpu', role: 'peer' }, { message: 'threw', counterexample: { ...case3d, spec: { ...case3d.spec, kernel: [2, 1, 1] } } })).not.toBe('tfjs-cpu-maxpool3d-grad-position');
  });
});

describe('verifyRows', () => {
  /** The naive backend made inference only: backward() rejects as a forward-only library's does (FORWARD_ONLY). */
  function forwardOnly(): PoolingBackend {
    const b = createNaiveBackend();
    return { ...b, name: 'fwd-only', backward: () => Promise.reject(new BackendError('fwd-only', `unsupported: ${FORWARD_ONLY}`)) };
  }
  const props = ['diff.forward.max', 'diff.backward.max'];
  const rows: EcosystemRow[] = [
    { name: 'naive', role: 'reference', ref: 'naive', library: 'reference', packages: [], properties: props, create: () => Promise.resolve(createNaiveBackend()) },
    { name: 'fwd-only', role: 'peer', ref: 'fwd-only', library: 'inference only', packages: [], properties: props, create: () => Promise.resolve(forwardOnly()) },
    { name: 'missing', role: 'peer', ref: 'missing', library: 'not installed', packages: ['poolspec-no-such-package'], create: () => Promise.reject(new Error('Cannot find package poolspec-no-such-package')) },
  ];

  test('forward-only properties are n/a, a row that does not load is unavailable, the others run', async () => {
    const r = await verifyRows(rows, { runs: 5, seed: 1 });
    expect(r.schema).toBe('poolspec.ecosystem/1');
    expect(r.packages).toEqual({ 'poolspec-no-such-package': null });
    const [naive, fwd, missing] = r.backends;
    expect(naive!.properties.map((p) => p.status)).toEqual(['pass', 'pass']);
    expect(fwd!.properties.map((p) => [p.id, p.status])).toEqual([['diff.forward.max', 'pass'], ['diff.backward.max', 'n/a']]);
    expect(fwd!.properties[1]!.replay).toBeUndefined(); // n/a is not a deviation: nothing to replay
    // GRAD.MAX is cited only by the backward property (n/a); MAX.TIES also by the forward one, which passed.
    expect(clauseStatus(fwd!, 'GRAD.MAX')).toBe('n/a');
    expect(clauseStatus(fwd!, 'MAX.TIES')).toBe('pass');
    expect(missing).toMatchObject({ available: false, error: 'Cannot find package poolspec-no-such-package', properties: [] });

    const md = renderEcosystemMarkdown(r);
    const line = (clause: string): string | undefined => md.split('\n').find((l) => l.startsWith(`| \`${clause}\` |`));
    expect(line('GRAD.MAX')).toBe('| `GRAD.MAX` | pass | n/a | unavailable |');
    expect(line('MAX.TIES')).toBe('| `MAX.TIES` | pass | pass | unavailable |');
    expect(md).toContain('| `missing` | not installed | spec defaults | unavailable: Cannot find package poolspec-no-such-package |');
    expect(md).toContain('`fwd-only` · `diff.backward.max`'); // listed under "Not applicable"
    expect(md).toContain('No property failed.');
  }, 60_000);
});

describe('poolspec report --ecosystem', () => {
  test('runs the named rows and writes ecosystem.json and ecosystem.md', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs "npm run build")`);
    const out = join(dir, 'eco');
    const run = await cli(['report', '--ecosystem', '--runs', '3', '--seed', '5', '--backend', 'naive', '--backend', 'tfjs-cpu+argmax', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse(readFileSync(join(out, 'ecosystem.json'), 'utf8')) as {
      schema: string; seed: number; runs: number;
      backends: { name: string; ref: string; available: boolean; error?: string; properties: { id: string; status: string }[] }[];
    };
    expect([json.schema, json.seed, json.runs]).toEqual(['poolspec.ecosystem/1', 5, 3]);
    expect(json.backends.map((b) => b.name)).toEqual(['naive', 'tfjs-cpu+argmax']);
    const [naive, variant] = json.backends;
    expect(naive!.available).toBe(true);
    expect(naive!.properties.length).toBeGreaterThan(20);
    expect(naive!.properties.every((p) => p.status === 'pass' || p.status === 'unsupported')).toBe(true);
    // The variant's replay reference is its compiled module, as a path from the directory the command ran in.
    expect(variant!.ref).toBe('dist/kernels/peers/variants/tfjs-cpu-argmax.js');
    expect(existsSync(join(ROOT, variant!.ref))).toBe(true);
    if (variant!.available) {
      // Only the properties that check MAX.INDEX.
      expect(variant!.properties.map((p) => p.id).sort()).toEqual(['diff.forward.max', 'inv.layout', 'inv.route']);
    } else {
      expect(variant!.error).toMatch(/tensorflow/i);
      console.warn(`[ecosystem] tfjs-cpu+argmax unavailable: ${variant!.error}`);
    }
    // The report reads the file back.
    expect(parseConformance(json, 'ecosystem.json')[0]!.backends.map((b) => b.name)).toEqual(['naive', 'tfjs-cpu+argmax']);
    const md = readFileSync(join(out, 'ecosystem.md'), 'utf8');
    expect(md).toContain('| clause | `naive` | `tfjs-cpu+argmax` |');
    expect(md).toContain('seed 5, 3 generated cases per property');
  }, 180_000);

  test('bad usage exits 2 with the reason', async () => {
    const [mixed, orphan, unknown] = await Promise.all([
      cli(['report', '--ecosystem', '--bench', 'x.json', '--out', join(dir, 'x')]),
      cli(['report', '--runs', '3', '--bench', 'x.json', '--out', join(dir, 'y')]),
      cli(['report', '--ecosystem', '--backend', 'no-such-row', '--out', join(dir, 'z')]),
    ]);
    expect([mixed.code, orphan.code, unknown.code]).toEqual([2, 2, 2]);
    expect(mixed.stderr).toContain('--bench belong to the report');
    expect(orphan.stderr).toContain('--runs need --ecosystem');
    expect(unknown.stderr).toMatch(/--backend no-such-row: not an ecosystem row; known: naive, tfjs-cpu/);
  }, 60_000);
});
