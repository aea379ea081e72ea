/**
 * The ecosystem conformance matrix (`poolspec report --ecosystem`): poolspec's verifier run on the libraries a
 * user would pick instead (kernels/peers/: TensorFlow.js cpu and wasm, ONNX Runtime), each under its documented
 * conventions (the registry policies, SPEC.md §6), with the naive backend as the reference row and the peers'
 * index-returning variants checking max indices. The result (schema poolspec.ecosystem/1) is what
 * reports/conformance-input.ts reads back and reports/ecosystem-markdown.ts renders.
 *
 * A peer that is not installed or fails to load gets a row that says so; the others still run. A property that
 * calls backward() on a forward-only library is n/a, not a failure (SPEC.md PROP.VERDICT).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installedVersion, packageRoot } from '../bench/env.js';
import { createNaiveBackend } from '../kernels/naive/index.js';
import { FORWARD_ONLY, PEER_BACKENDS, PEER_INDEX_VARIANTS } from '../kernels/peers/index.js';
import { STRUCTURED_KINDS, type PoolingBackend } from '../spec/contract.js';
import { resolvePolicy, type Policy } from '../spec/policy.js';
import { PROPERTIES } from '../spec/properties/index.js';
import { replayCommand } from '../spec/replay.js';
import { defaultMinChecked, type PropertyStatus } from '../spec/verdicts.js';
import { verifyBackend, type PropertyOutcome } from '../spec/verifier.js';
import { defaultCorpusDir, loadCorpus, replayCorpus, type CorpusCase, type CorpusReplay } from './ecosystem-corpus.js';
import { CAUSES, classify, type CauseId } from './ecosystem-readings.js';

export const ECOSYSTEM_SCHEMA = 'poolspec.ecosystem/1';
export const ECOSYSTEM_DEFAULT_RUNS = 200;
export const ECOSYSTEM_DEFAULT_SEED = 20261123;

export type EcosystemRole = 'reference' | 'peer' | 'index variant';

/** One row of the matrix: what to create and how to check it. */
export interface EcosystemRow {
  readonly name: string;
  readonly role: EcosystemRole;
  /** For an index variant: the peer it is a variant of. */
  readonly of?: string;
  /** What `poolspec verify --backend` takes to replay it: a registry name or a module path. */
  readonly ref: string;
  readonly library: string;
  /** The npm packages it needs (their installed versions go in the results). */
  readonly packages: readonly string[];
  readonly policy?: Partial<Policy>;
  /** Property IDs to run (default all). */
  readonly properties?: readonly string[];
  create(): Promise<PoolingBackend>;
}

/** A property outcome as the ecosystem file records it: n/a is possible, and a failure carries its reading. */
export type EcosystemProperty = Omit<PropertyOutcome, 'status'> & {
  readonly status: PropertyStatus;
  /** Why a property is n/a. */
  readonly note?: string;
  readonly reading?: { readonly cause: CauseId; readonly verdict: string };
  readonly replay?: string;
};

export interface EcosystemBackend {
  readonly name: string;
  readonly role: EcosystemRole;
  readonly of?: string;
  readonly ref: string;
  readonly library: string;
  readonly available: boolean;
  /** Why an unavailable row did not load. */
  readonly error?: string;
  readonly policy: Policy;
  readonly ms?: number;
  readonly properties: readonly EcosystemProperty[];
  /** The regression corpus (test/corpus) replayed on this row: which cases fail (reports/ecosystem-corpus.ts). */
  readonly corpus?: CorpusReplay;
}

export interface EcosystemResults {
  readonly schema: typeof ECOSYSTEM_SCHEMA;
  readonly date: string;
  readonly seed: number;
  readonly runs: number;
  /** PROP.THIN's minimum of checked cases (half of runs); absent in files written before it. */
  readonly minChecked?: number;
  readonly node: string;
  readonly platform: string;
  /** Installed version of each package a row needs; null when not installed. */
  readonly packages: Readonly<Record<string, string | null>>;
  readonly backends: readonly EcosystemBackend[];
}

export interface EcosystemOptions {
  readonly runs?: number;
  readonly seed?: number;
  /** Row names to run (default all); see ecosystemRows(). */
  readonly rows?: readonly string[];
  /** Replay paths of the variant modules are written relative to this directory (default the process's). */
  readonly cwd?: string;
  /** Progress lines (one per row and per property). */
  readonly log?: (line: string) => void;
  /** The case files replayed on every row (default: the checkout's test/corpus, if any). */
  readonly corpusDir?: string;
}

/** The properties that check MAX.INDEX on ordinary pooling: all an index variant adds over its peer's row. */
function indexProperties(): string[] {
  return PROPERTIES.filter((p) => p.clauses.includes('MAX.INDEX') && !STRUCTURED_KINDS.some((k) => p.id.includes(k))).map((p) => p.id);
}

/** The rows, in the matrix's column order: the reference, the registry's peers, the index variants. */
export function ecosystemRows(cwd: string = process.cwd()): EcosystemRow[] {
  const indexProps = indexProperties();
  return [
    { name: 'naive', role: 'reference', ref: 'naive', library: 'poolspec naive (f64 loops)', packages: [], create: () => Promise.resolve(createNaiveBackend()) },
    ...PEER_BACKENDS.map((e): EcosystemRow => ({
      name: e.name, role: 'peer', ref: e.name, library: e.description, packages: e.packages, ...(e.policy ? { policy: e.policy } : {}), create: () => e.create(),
    })),
    ...PEER_INDEX_VARIANTS.map((v): EcosystemRow => ({
      name: v.name, role: 'index variant', of: v.of,
      // A path relative to where the command runs, so the printed replay can be pasted there.
      ref: relative(cwd, fileURLToPath(v.module)),
      library: `${v.of}, max through the library's index output`,
      packages: PEER_BACKENDS.find((e) => e.name === v.of)?.packages ?? [],
      ...(v.policy ? { policy: v.policy } : {}), properties: indexProps, create: () => v.create(),
    })),
  ];
}

/** A property that failed only because it called backward() on a forward-only library. */
function isForwardOnlyRefusal(p: PropertyOutcome): boolean {
  return p.status === 'fail' && (p.failure?.message.includes(FORWARD_ONLY) ?? false);
}

function readingOf(row: EcosystemRow, p: PropertyOutcome, policy: Policy): EcosystemProperty {
  if (isForwardOnlyRefusal(p)) return { ...p, status: 'n/a', note: 'forward only: the property needs backward()' };
  if (p.status !== 'fail' || !p.failure) return p;
  const cause = classify(row, p.failure);
  return { ...p, reading: { cause, verdict: CAUSES[cause].verdict }, replay: replayCommand(row.ref, p, policy) };
}

async function runRow(row: EcosystemRow, runs: number, seed: number, log: (line: string) => void, corpus: readonly CorpusCase[]): Promise<EcosystemBackend> {
  const policy = resolvePolicy(row.policy);
  const base = { name: row.name, role: row.role, ...(row.of !== undefined ? { of: row.of } : {}), ref: row.ref, library: row.library };
  let backend: PoolingBackend;
  try {
    backend = await row.create();
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`[${row.name}] unavailable: ${error}`);
    return { ...base, available: false, error, policy, properties: [] };
  }
  log(`[${row.name}] ${row.properties?.length ?? PROPERTIES.length} properties × ${runs} cases, seed ${seed}`);
  try {
    const outcome = await verifyBackend(backend, {
      runs, seed, policy, ...(row.properties ? { properties: row.properties } : {}),
      onProgress: (ev) => {
        if (ev.type !== 'done') return;
        const o = ev.outcome;
        log(`  ${o.id.padEnd(28)} ${o.status.padEnd(11)} ${String(o.cases).padStart(4)} checked ${String(o.unsupported).padStart(4)} declined ${(o.ms / 1000).toFixed(1)} s`);
      },
    });
    const replayed = corpus.length ? await replayCorpus(backend, policy, corpus, row.properties) : undefined;
    if (replayed) log(`  corpus: ${replayed.checked} cases checked, ${replayed.failed.length} failed${replayed.failed.length ? ` (${replayed.failed.join(', ')})` : ''}`);
    return {
      ...base, available: true, policy, ms: outcome.ms, properties: outcome.properties.map((p) => readingOf(row, p, policy)),
      ...(replayed ? { corpus: replayed } : {}),
    };
  } finally {
    await backend.dispose?.();
  }
}

/** Verifies the given rows in order; a row that fails to load is recorded as unavailable and the rest still run. */
export async function verifyRows(rows: readonly EcosystemRow[], options: Omit<EcosystemOptions, 'rows' | 'cwd'> = {}): Promise<EcosystemResults> {
  const runs = options.runs ?? ECOSYSTEM_DEFAULT_RUNS;
  const seed = options.seed ?? ECOSYSTEM_DEFAULT_SEED;
  const log = options.log ?? ((): void => {});
  const corpusDir = options.corpusDir ?? defaultCorpusDir();
  const corpus = corpusDir !== undefined ? loadCorpus(corpusDir) : [];
  const backends: EcosystemBackend[] = [];
  for (const row of rows) backends.push(await runRow(row, runs, seed, log, corpus));
  const root = packageRoot();
  return {
    schema: ECOSYSTEM_SCHEMA, date: new Date().toISOString(), seed, runs, minChecked: defaultMinChecked(runs), node: process.version, platform: `${process.platform} ${process.arch}`,
    packages: Object.fromEntries([...new Set(rows.flatMap((r) => r.packages))].map((pkg) => [pkg, installedVersion(pkg, root)])),
    backends,
  };
}

/** The ecosystem matrix: every row of ecosystemRows(), or the named ones. */
export async function runEcosystem(options: EcosystemOptions = {}): Promise<EcosystemResults> {
  const all = ecosystemRows(options.cwd);
  const unknown = (options.rows ?? []).filter((n) => !all.some((r) => r.name === n));
  if (unknown.length) throw new RangeError(`unknown ecosystem row ${unknown.map((n) => `"${n}"`).join(', ')}; known: ${all.map((r) => r.name).join(', ')}`);
  const rows = options.rows?.length ? all.filter((r) => options.rows!.includes(r.name)) : all;
  return verifyRows(rows, options);
}
