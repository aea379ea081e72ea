#!/usr/bin/env node
/**
 * The ecosystem conformance matrix: poolspec's verifier run on the libraries a user would pick instead
 * (kernels/peers/: TensorFlow.js cpu and wasm, ONNX Runtime), each under its documented conventions (the
 * registry policies, SPEC.md §6), with the naive backend as the reference row. Writes
 *   reports/results/ecosystem.json  raw outcomes (schema poolspec.ecosystem/1)
 *   reports/results/ecosystem.md    clause × backend and property × backend matrices, then every deviation
 *                                       with its minimal counterexample, replay command and reading.
 *
 * Usage (plain Node, on the compiled package):
 *   npm run build && node scripts/ecosystem-conformance.mjs [--runs 200] [--seed 20261123] [--out reports/results]
 *
 * A peer that is not installed or fails to load gets a row that says so; the others still run. The readings are
 * assigned after the fact from features of each shrunk counterexample (ceil-mode overhang, NaN, rank, kind,
 * padding, which tensor mismatched): the properties find the deviations, the table below only explains them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distUrl = (p) => pathToFileURL(join(root, 'dist', p)).href;
if (!existsSync(join(root, 'dist/kernels/peers/index.js'))) {
  console.error('ecosystem-conformance: dist/ has no peers; run `npm run build` first');
  process.exit(2);
}

const { values: args } = parseArgs({
  options: { runs: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } },
  strict: true,
});
const RUNS = Number(args.runs ?? 200);
const SEED = Number(args.seed ?? 20261123);
const OUT = resolve(root, args.out ?? 'reports/results');

const { verifyBackend } = await import(distUrl('spec/verifier.js'));
const { PROPERTIES } = await import(distUrl('spec/properties/index.js'));
const { DEFAULT_POLICY, resolvePolicy } = await import(distUrl('spec/policy.js'));
const { replayCommand } = await import(distUrl('spec/replay.js'));
const { createNaiveBackend } = await import(distUrl('kernels/naive/index.js'));
const { STRUCTURED_KINDS } = await import(distUrl('spec/contract.js'));
const { PEER_BACKENDS, PEER_INDEX_VARIANTS, FORWARD_ONLY } = await import(distUrl('kernels/peers/index.js'));

const require = createRequire(join(root, 'package.json'));
function installedVersion(pkg) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')).version;
  } catch {
    try { // packages whose exports map hides package.json
      let dir = dirname(require.resolve(pkg));
      while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rows: the reference, the registry's peers, and the index variants (max indices checked, MAX.INDEX only).

const indexProperties = PROPERTIES.filter((p) => p.clauses.includes('MAX.INDEX') && !STRUCTURED_KINDS.some((k) => p.id.includes(k))).map((p) => p.id);
const rows = [
  { name: 'naive', role: 'reference', ref: 'naive', library: 'poolspec naive (f64 loops)', packages: [], create: async () => createNaiveBackend() },
  ...PEER_BACKENDS.map((e) => ({ name: e.name, role: 'peer', ref: e.name, library: e.description, packages: [...e.packages], policy: e.policy, create: e.create })),
  ...PEER_INDEX_VARIANTS.map((v) => ({
    name: v.name, role: 'index variant', of: v.of, ref: v.module, library: `${v.of}, max through the library's index output`,
    packages: [...(PEER_BACKENDS.find((e) => e.name === v.of)?.packages ?? [])], policy: v.policy, properties: indexProperties,
    create: async () => (await import(pathToFileURL(join(root, v.module)).href)).default(),
  })),
];

const isForwardOnlyRefusal = (p) => p.status === 'fail' && p.failure?.message.includes(FORWARD_ONLY);

const results = [];
for (const row of rows) {
  const policy = resolvePolicy(row.policy);
  let backend;
  try {
    backend = await row.create();
  } catch (e) {
    console.error(`[${row.name}] unavailable: ${e.message}`);
    results.push({ ...row, available: false, error: e.message, policy, properties: [] });
    continue;
  }
  console.error(`[${row.name}] ${row.properties ? row.properties.length : PROPERTIES.length} properties × ${RUNS} cases, seed ${SEED}`);
  const outcome = await verifyBackend(backend, {
    runs: RUNS, seed: SEED, policy, ...(row.properties ? { properties: row.properties } : {}),
    onProgress: (ev) => {
      if (ev.type !== 'done') return;
      const o = ev.outcome;
      console.error(`  ${o.id.padEnd(28)} ${o.status.padEnd(11)} ${String(o.cases).padStart(4)} checked ${String(o.unsupported).padStart(4)} declined ${(o.ms / 1000).toFixed(1)} s`);
    },
  });
  await backend.dispose?.();
  const properties = outcome.properties.map((p) => (isForwardOnlyRefusal(p) ? { ...p, status: 'n/a', note: 'forward only: the property needs backward()' } : p));
  results.push({ ...row, available: true, policy, ms: outcome.ms, properties });
}

// ---------------------------------------------------------------------------------------------------------
// Readings: each failure's explanation, from features of its shrunk counterexample.

const FLT_MIN = 1.1754943508222875e-38;
const num = (v) => (typeof v === 'string' ? (v === '-0' ? -0 : Number(v)) : v);
function caseOf(ce) {
  const c = Array.isArray(ce) ? ce[0] : ce;
  return c && typeof c === 'object' && c.spec ? c : undefined;
}
function tensorValues(t) {
  const d = t?.data;
  const arr = d && typeof d === 'object' ? Object.values(d)[0] : [];
  return Array.isArray(arr) ? arr.map(num) : [];
}
function spatialOf(c) {
  const shape = c.x.shape;
  return c.x.layout === 'channels_last' ? shape.slice(1, -1) : shape.slice(2);
}
/** Whether SHAPE.CEIL gives more windows than floor rounding on some axis (a ceil-mode overhang window exists). */
function ceilOverhang(c) {
  const s = c.spec;
  if (!s.ceilMode) return false;
  const d = s.kernel.length;
  return spatialOf(c).some((size, i) => {
    const E = s.dilations[i] * (s.kernel[i] - 1) + 1;
    const span = size + s.pads[i] + s.pads[i + d] - E;
    let out = Math.ceil(span / s.strides[i]) + 1;
    if ((out - 1) * s.strides[i] >= size + s.pads[i]) out -= 1;
    return out > Math.floor(span / s.strides[i]) + 1;
  });
}

const CAUSES = {
  'tfjs-avg-grad-divisor': {
    verdict: 'bug (known: pooling-semantics #39; no upstream issue found)',
    text: "tfjs's average-pool gradient kernels give every tap dy/(kh·kw) (tfjs-backend-cpu `AvgPoolGrad.ts`; the wasm `AvgPoolGrad.cc` does the same), while the forward divides by the in-bounds count. With padding the backward is not the derivative of the forward (GRAD.AVG, GRAD.FD). SPEC.md GRAD.AVG and CONVENTIONS.md §3.8 record it as a defect; no convention allows it.",
  },
  'tfjs-grad-drops-rounding': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-core's 2-D gradient registrations (`tfjs-core/src/gradients/MaxPool_grad.ts`, `AvgPool_grad.ts`) call maxPoolGrad / avgPoolGrad with filterSize, strides and pad but not `dimRoundingMode` (the 3-D ones pass it). The backward recomputes the output size by truncation, so the extra window that `'ceil'` added in the forward gets no gradient. No convention explains a backward that disagrees with its own forward.",
  },
  'tfjs-wasm-ceil-uninitialised': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-backend-wasm's MaxPool / AvgPool kernels allocate the output with tfjs's ceil-rounded shape but hand only the pads to XNNPACK, which sizes its output itself with floor rounding (`src/kernels/MaxPool.ts`, `AvgPool.ts` → XNNPACK `max_pooling2d_nhwc` / `average_pooling2d_nhwc`). The last (ceil) window is never written: it holds whatever the wasm heap held (subnormal garbage, values that change between calls → CONTRACT.ISOLATION). tfjs-cpu computes the same case correctly.",
  },
  'xnnpack-nan-clamp': {
    verdict: 'no documented convention (undocumented NaN handling; NaN turned into −∞)',
    text: "XNNPACK's f32 max-pool microkernels reduce a window in a fixed tree of `max` and then clamp to [output_min, output_max] (google/XNNPACK `src/f32-maxpool/maxpool.c.in`); with wasm's pmax, a NaN that reaches the accumulator becomes −∞ at the clamp, and whether it reaches it depends on the tap's position in the tree. tfjs's own wasm test setup skips max_pool_test's \"ignores NaNs\" (\"Actual != expected\", tensorflow/tfjs `tfjs-backend-wasm/src/setup_test.ts`). No §6 policy matches: neither propagate, ignore nor first-only.",
  },
  'tfjs-wasm-fltmin-init': {
    verdict: 'likely bug (no upstream issue found)',
    text: "The tfjs-backend-wasm max kernels that do not go through XNNPACK — `MaxPool3D.cc`, `MaxPoolWithArgmax.cc`, `MaxPoolGrad.cc`, `MaxPool3DGrad.cc` (tensorflow/tfjs `tfjs-backend-wasm/src/cc/kernels/`) — start each window from `std::numeric_limits<float>::min()`, the smallest *positive* normal float (1.1754943508222875e-38), not −∞, and the argmax ones update on `x >= best`. A window whose values are all ≤ 1.18e-38 (zeros, negatives) returns 1.18e-38 with index 0 (a sentinel where MAX.PAD requires a value of the window), its gradient goes to offset 0 or is lost, and tied maxima route the gradient to the last one (MAX.TIES, GRAD.MAX). The 2-D forward (XNNPACK) is right, so the 2-D forward and backward disagree. Same bug class as microsoft/onnxruntime#319 and uxlfoundation/oneDNN PR #1677.",
  },
  'tfjs-cpu-maxpool3d-grad-position': {
    verdict: 'likely bug (no upstream issue found)',
    text: "tfjs-backend-cpu's `maxPool3dPositions` (`src/utils/pool_utils.ts`, used by MaxPool3DGrad) encodes the in-window position as wDepth·fH·fW + wRow·**fH** + wCol, while MaxPool3DGrad decodes it with wRow·**fW**: whenever the filter's height and width differ, the 3-D max gradient goes to the wrong tap or to none (INV.ROUTE: a unit dy reaches no input). It also updates on `>=`, so tied maxima get the gradient at the last tap, where the 2-D `maxPoolPositions` uses `>` (first, tfjs CPU's convention). The forward is right; no convention explains the backward.",
  },
  'tfjs-nan-grad': {
    verdict: 'edge of the convention (POLICY.NAN ignore)',
    text: "tfjs CPU ignores NaN (its convention), and its backward finds no position for an all-NaN window (maxPoolPositions starts at −∞ with `>`, leaving −1), so that window's dy is dropped; POLICY.NAN 'ignore' routes it to the window's first tap, like the forward's −∞ result does.",
  },
  'ort-max-nan': {
    verdict: 'no documented convention (NaN replaced by a finite sentinel)',
    text: "The registry policy 'first-only' documents ORT's index-producing loop (`pool_functors.h`: `x > y` from the first in-bounds tap), and the `onnxruntime+indices` row, which asks for the Indices output, passes under it. Without the Indices output and with unit dilations — the inference graph — ORT's MaxPool runs its MLAS pooling kernel instead (`core/providers/cpu/nn/pool.cc` → MlasPool), and that path drops or keeps a NaN by its position in the window (observed: window [NaN, 2, 4, 5] → 5, window [1, NaN, 4, 5] → NaN), and a window of only NaN returns −3.4028234663852886e38, `lowest()` (the same −FLT_MAX as TF's tensorflow/tensorflow#2501). No §6 policy describes it, MAX.PAD forbids the sentinel, and the two ORT paths disagree with each other.",
  },
  'ort-lp-root-exponent': {
    verdict: 'accuracy defect (no convention; small)',
    text: "ORT's LpPool takes the root as `std::pow(y, 1.0f / p)` (`pool_base.h`, `LpPool::Finalize`): 1/p rounded to float32 multiplies the result by s^(fl(1/p) − 1/p), a relative error of about |ln s|·|fl(1/p) − 1/p| (≈ 9e-7 for p = 3 at s ≈ 1e-40), beyond ACC.LP's 2^−22 for the root. SPEC.md LP.P says 1/p's rounding is part of the root's accuracy, so this is ORT's error, not a convention.",
  },
  'ort-cip-ceil-divisor': {
    verdict: 'known bug (microsoft/onnxruntime#16203)',
    text: 'With count_include_pad and ceil_mode, ORT divides the overhang window by the full kernel instead of the taps inside input + padding (AVG.DIVISOR; microsoft/onnxruntime#16203, onnx/onnx#5276).',
  },
  'ort-ceil-start-inside': {
    verdict: 'known divergence (no start-inside rule; microsoft/onnxruntime PR #18377)',
    text: 'ORT computes the ceil-mode output size without the start-inside rule (SHAPE.CEIL; `pool_attributes.h`, port of onnx/onnx PR #5741 open as microsoft/onnxruntime PR #18377).',
  },
  unclassified: {
    verdict: 'no documented convention explains this → likely bug',
    text: 'No documented convention or known issue matches this counterexample; read it and the replay.',
  },
};

function classify(row, p) {
  const f = p.failure;
  const c = caseOf(f?.counterexample);
  if (!c) return 'unclassified';
  const s = c.spec;
  const xs = tensorValues(c.x);
  const grad = f.mismatch?.tensor === 'dx' || /\bdx\b|gradient|backward\(/.test(f.message);
  const rank = s.kernel?.length ?? 0;
  const hasNaN = xs.some((v) => Number.isNaN(v));
  const padded = (s.pads ?? []).some((v) => v > 0);
  const lib = row.of ?? row.name;
  if (lib.startsWith('tfjs-')) {
    const wasm = lib === 'tfjs-wasm';
    if (wasm && ceilOverhang(c) && !grad) return 'tfjs-wasm-ceil-uninitialised';
    if (ceilOverhang(c) && grad && rank === 2) return 'tfjs-grad-drops-rounding';
    if (s.kind === 'avg' && grad && padded) return 'tfjs-avg-grad-divisor';
    const xnnpack = rank === 2 && row.role !== 'index variant'; // the wasm kernels that call XNNPACK
    if (wasm && s.kind === 'max' && hasNaN && !grad && xnnpack) return 'xnnpack-nan-clamp';
    if (wasm && s.kind === 'max' && (grad || (!xnnpack && xs.some((v) => v <= FLT_MIN || Number.isNaN(v))))) return 'tfjs-wasm-fltmin-init';
    if (!wasm && s.kind === 'max' && rank === 3 && grad) return 'tfjs-cpu-maxpool3d-grad-position';
    if (!wasm && s.kind === 'max' && hasNaN && grad) return 'tfjs-nan-grad';
  }
  if (lib === 'onnxruntime') {
    if (s.kind === 'max' && hasNaN) return 'ort-max-nan';
    if (s.kind === 'lp' && f.mismatch) {
      const exact = Number(/exact ([-+\d.e]+)/.exec(f.message)?.[1]);
      const got = Number(f.mismatch.got);
      if (Number.isFinite(exact) && exact !== 0 && Math.abs(got - exact) / Math.abs(exact) < 1e-4) return 'ort-lp-root-exponent';
    }
    if (s.kind === 'avg' && s.countIncludePad && ceilOverhang(c)) return 'ort-cip-ceil-divisor';
    if (s.ceilMode && /output shape/.test(f.message)) return 'ort-ceil-start-inside';
  }
  return 'unclassified';
}

// ---------------------------------------------------------------------------------------------------------
// Output.

const mark = (p) => {
  if (!p) return '—';
  if (p.status === 'pass') return p.unsupported ? `pass (${p.cases})` : 'pass';
  if (p.status === 'fail') return '**FAIL**';
  if (p.status === 'n/a') return 'n/a';
  return 'unsupported';
};
function clauseCell(r, clause) {
  if (!r.available) return 'unavailable';
  const rel = r.properties.filter((p) => p.clauses.includes(clause));
  if (rel.length === 0) return '—';
  if (rel.some((p) => p.status === 'fail')) return '**FAIL**';
  if (rel.some((p) => p.status === 'pass')) return 'pass';
  if (rel.some((p) => p.status === 'n/a')) return 'n/a';
  return 'unsupported';
}
const policyText = (pol) => {
  const keys = Object.keys(pol).filter((k) => pol[k] !== DEFAULT_POLICY[k]);
  return keys.length ? keys.map((k) => `${k}=${pol[k]}`).join(', ') : 'spec defaults';
};
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const esc = (s) => String(s).replace(/\|/g, '\\|');
const table = (head, body) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
const xElements = (ce) => {
  const c = caseOf(ce);
  return c ? c.x.shape.reduce((a, b) => a * b, 1) : undefined;
};

const failures = [];
for (const r of results) {
  for (const p of r.properties) {
    if (p.status !== 'fail') continue;
    const cause = classify(r, p);
    failures.push({ row: r, p, cause, replay: replayCommand(r.ref, p, r.policy) });
  }
}

const packages = Object.fromEntries([...new Set(rows.flatMap((r) => r.packages))].map((pkg) => [pkg, installedVersion(pkg)]));
const json = {
  schema: 'poolspec.ecosystem/1',
  date: new Date().toISOString(),
  seed: SEED,
  runs: RUNS,
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  packages,
  backends: results.map((r) => ({
    name: r.name, role: r.role, ...(r.of ? { of: r.of } : {}), ref: r.ref, library: r.library, available: r.available,
    ...(r.error ? { error: r.error } : {}), policy: r.policy, ms: r.ms,
    properties: r.properties.map((p) => {
      const fl = failures.find((x) => x.row === r && x.p === p);
      return fl ? { ...p, reading: { cause: fl.cause, verdict: CAUSES[fl.cause].verdict }, replay: fl.replay } : p;
    }),
  })),
};

const avail = results.filter((r) => r.available);
const allClauses = [...new Set(avail.flatMap((r) => r.properties.flatMap((p) => p.clauses)))].sort();
const allProps = PROPERTIES.map((p) => p.id).filter((id) => avail.some((r) => r.properties.some((q) => q.id === id)));

const md = [];
md.push('# Ecosystem conformance: TensorFlow.js and ONNX Runtime against SPEC.md');
md.push('');
md.push(`Generated by \`scripts/ecosystem-conformance.mjs\` (do not edit by hand): ${json.date.slice(0, 10)}, Node ${process.version}, ${json.platform}, seed ${SEED}, ${RUNS} generated cases per property. Regenerate with \`npm run build && node scripts/ecosystem-conformance.mjs\`.`);
md.push('');
md.push('Each library runs behind the backend contract (`kernels/peers/`) and is checked by the same properties as poolspec\'s own kernels, under its documented conventions where SPEC.md §6 allows alternatives (the policies below). A case the library cannot express is declined by `supports()` with the reason and counted as unsupported, never as passed. Every failure below was found by a property and shrunk by fast-check; the readings were assigned afterwards from features of the counterexample.');
md.push('');
md.push('## Backends');
md.push('');
md.push(table(['backend', 'what', 'policy (SPEC.md §6)', 'status'], results.map((r) => [
  `\`${r.name}\``,
  r.library,
  policyText(r.policy),
  !r.available ? `unavailable: ${r.error}` : r.properties.some((p) => p.status === 'fail') ? `FAIL (${plural(r.properties.filter((p) => p.status === 'fail').length, 'property', 'properties')})` : 'pass',
])));
md.push('');
md.push(`Installed versions: ${Object.entries(packages).map(([k, v]) => `${k} ${v ?? '(not installed)'}`).join(', ')}.`);
md.push('');
md.push('Index variants (`+argmax`, `+indices`) compute max through the library\'s index-returning op (tf.maxPoolWithArgmax; MaxPool with its `Indices` output) and run only the properties that check MAX.INDEX. The registry rows use the ops a user calls for inference, which return no indices (`indices=unchecked`).');
md.push('');
md.push('## Clause × backend');
md.push('');
md.push('**FAIL**: a property citing the clause failed. pass: at least one citing property checked cases and none failed. unsupported: every case was declined. n/a: the property needs `backward()` and the library is inference only. —: not checked for that backend.');
md.push('');
md.push(table(['clause', ...results.map((r) => `\`${r.name}\``)], allClauses.map((c) => [`\`${c}\``, ...results.map((r) => clauseCell(r, c))])));
md.push('');
md.push('## Property × backend');
md.push('');
md.push('pass (k): passed with k cases checked, the others declined.');
md.push('');
md.push(table(['property', ...results.map((r) => `\`${r.name}\``)], allProps.map((id) => [`\`${id}\``, ...results.map((r) => (r.available ? mark(r.properties.find((p) => p.id === id)) : 'unavailable'))])));
md.push('');

// Findings grouped by cause.
md.push('## Findings by cause');
md.push('');
const byCause = new Map();
for (const fl of failures) {
  if (!byCause.has(fl.cause)) byCause.set(fl.cause, []);
  byCause.get(fl.cause).push(fl);
}
if (byCause.size === 0) md.push('No property failed.');
for (const [cause, list] of byCause) {
  md.push(`### ${CAUSES[cause].verdict}: ${cause}`);
  md.push('');
  md.push(CAUSES[cause].text);
  md.push('');
  md.push(`Found by: ${list.map((fl) => `\`${fl.row.name}\` · \`${fl.p.id}\` (x: ${xElements(fl.p.failure.counterexample) ?? '?'} elements)`).join('; ')}.`);
  md.push('');
}

md.push('## Every deviation: minimal counterexample and replay');
md.push('');
md.push('Replays need the peers in `kernels/registry.ts` (names) or the compiled variant modules (paths); `--path` re-runs exactly the shrunk case.');
md.push('');
for (const fl of failures) {
  const f = fl.p.failure;
  md.push(`### \`${fl.row.name}\` · \`${fl.p.id}\``);
  md.push('');
  md.push(`- clauses: ${fl.p.clauses.map((c) => `\`${c}\``).join(', ')}`);
  md.push(`- ${f.message}`);
  if (f.mismatch) md.push(`- at \`${f.mismatch.tensor}${JSON.stringify(f.mismatch.position)}\`: expected ${f.mismatch.expected}, got ${f.mismatch.got}`);
  md.push(`- minimal counterexample (${f.shrinks} shrinks; x has ${xElements(f.counterexample) ?? '?'} elements):`);
  md.push('');
  md.push('  ```json');
  md.push(`  ${JSON.stringify(f.counterexample)}`);
  md.push('  ```');
  md.push(`- replay: \`${fl.replay}\``);
  md.push(`- reading — ${CAUSES[fl.cause].verdict}: ${CAUSES[fl.cause].text}`);
  md.push('');
}

const na = results.flatMap((r) => r.properties.filter((p) => p.status === 'n/a').map((p) => `\`${r.name}\` · \`${p.id}\``));
if (na.length) {
  md.push('## Not applicable: forward-only runtimes');
  md.push('');
  md.push(`These properties call \`backward()\`, which an inference runtime refuses (\`${FORWARD_ONLY}\`): ${na.join(', ')}. Their forward parts are not checked for that backend either. The verifier has no forward-only declaration yet; until it has, these are reclassified here from their refusal message.`);
  md.push('');
}

md.push('## What each library declines');
md.push('');
md.push('The reasons `supports()` gave for declined cases, grouped (the verifier keeps up to five distinct reasons per property, so this is a sample; invalid input, which every backend declines, is left out). The full texts, with the pads and extents tfjs\'s own geometry gave, are in ecosystem.json.');
md.push('');
for (const r of avail.filter((x) => x.role !== 'reference')) {
  const groups = new Map();
  for (const p of r.properties) {
    for (const reason of p.reasons ?? []) {
      if (/\((PARAM|TENSOR|WINDOW)\.[A-Z]+\), got /.test(reason) || /^spec(\.\w+)*: /.test(reason)) continue; // validation
      const general = reason.split(' — ')[0].replace(/^\S+ does not implement structured kind \w+ \(PoolingBackend\.structured\.kinds\)$/, 'the structured kinds of SPEC.md §10 (no `structured` member)');
      groups.set(general, (groups.get(general) ?? 0) + 1);
    }
  }
  md.push(`- \`${r.name}\`:`);
  for (const [general] of [...groups].sort((x, y) => y[1] - x[1])) md.push(`  - ${general}`);
}
md.push('');

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'ecosystem.json'), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(OUT, 'ecosystem.md'), `${md.join('\n')}\n`);
console.error(`wrote ${join(OUT, 'ecosystem.json')} and ${join(OUT, 'ecosystem.md')}: ${failures.length} failing property runs, ${byCause.size} causes`);
