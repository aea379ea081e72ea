/**
 * The report's side-by-side comparison of poolspec's web backends with the web runtimes users pick instead: the
 * `webgpu` backend against TensorFlow.js's WebGPU backend and ONNX Runtime Web's WebGPU execution provider, and
 * the `wasm` backend against ONNX Runtime Web's wasm build and TensorFlow.js's wasm backend. Per workload and
 * scope (the op alone, the whole call): each side's min and median and the ratios ours ÷ peer of both (below 1:
 * ours is faster). Only rows of one run and one scope are compared, as everywhere in the report.
 */
import type { BenchResults, CompletedResult, Scope } from '../bench/schema.js';
import { completed } from '../bench/summary.js';

export interface PeerGroup {
  /** File-safe id, used in chart names and table ids. */
  readonly id: string;
  readonly title: string;
  /** poolspec's backend. */
  readonly ours: string;
  /** The peers it is compared with, in column order. */
  readonly peers: readonly string[];
  /**
   * Only the forwards of max workloads: for a values-only variant, whose other rows are its parent's kernels
   * again, and whose max rows are the like-for-like ones (the peers' max pools compute no indices).
   */
  readonly maxForwardOnly?: boolean;
}

export const PEER_GROUPS: readonly PeerGroup[] = [
  { id: 'webgpu', title: 'WebGPU: webgpu against tfjs-webgpu and onnxruntime-web-webgpu', ours: 'webgpu', peers: ['tfjs-webgpu', 'onnxruntime-web-webgpu'] },
  { id: 'webgpu-values', title: 'WebGPU, max without indices: webgpu-values against tfjs-webgpu and onnxruntime-web-webgpu', ours: 'webgpu-values', peers: ['tfjs-webgpu', 'onnxruntime-web-webgpu'], maxForwardOnly: true },
  // Thread-matched: wasm splits large kernel calls over two threads where they run, as onnxruntime (Node) runs its
  // CPU kernels on two intra-op threads (ORT_SESSION_OPTIONS); wasm-1t runs one, as onnxruntime-1t (a module path,
  // kernels/peers/variants/onnxruntime-1t.ts), onnxruntime-web and tfjs-wasm (threads off in Node) do.
  { id: 'wasm', title: 'wasm (two kernel threads on large calls): wasm against onnxruntime (Node, two threads), onnxruntime-web and tfjs-wasm', ours: 'wasm', peers: ['onnxruntime', 'onnxruntime-web', 'tfjs-wasm'] },
  { id: 'wasm-values', title: 'wasm, max without indices: wasm-values against onnxruntime, onnxruntime-web and tfjs-wasm', ours: 'wasm-values', peers: ['onnxruntime', 'onnxruntime-web', 'tfjs-wasm'], maxForwardOnly: true },
  { id: 'wasm-1t', title: 'wasm on one thread: wasm-1t against onnxruntime-1t (Node, one thread), onnxruntime-web and tfjs-wasm', ours: 'wasm-1t', peers: ['onnxruntime-1t', 'onnxruntime-web', 'tfjs-wasm'] },
  { id: 'wasm-values-1t', title: 'wasm on one thread, max without indices: wasm-values-1t against onnxruntime-1t, onnxruntime-web and tfjs-wasm', ours: 'wasm-values-1t', peers: ['onnxruntime-1t', 'onnxruntime-web', 'tfjs-wasm'], maxForwardOnly: true },
];

/** The scopes compared: the op alone first (shader or kernel work), then the whole call. */
export const SIDE_BY_SIDE_SCOPES: readonly Scope[] = ['op', 'call'];

/** Why a comparison on a software adapter is not one of GPUs. */
export const SOFTWARE_ADAPTER_NOTE = 'A comparison on a software adapter (SwiftShader, lavapipe: the shaders run on the CPU) compares shader work — '
  + 'how many instructions and memory accesses each library\'s WGSL spends per output — not GPUs: a real GPU\'s parallelism, memory '
  + 'coalescing and launch costs can order the libraries differently. onnxruntime-web-webgpu runs in headless Chromium on the '
  + 'browser\'s own WebGPU (kernels/peers/chromium-ort.ts), in another process from the Node adapter of webgpu and tfjs-webgpu, '
  + 'and each of its calls, the op alone included, adds one DevTools round trip to that page.';

export interface Timing {
  readonly minMs: number;
  readonly medianMs: number;
}

export interface PeerCell {
  readonly backend: string;
  /** The peer's timing, when it completed this workload in this scope. */
  readonly timing?: Timing;
  /** Why there is no timing: the peer's unsupported reason or error, or that it has no row. */
  readonly missing?: string;
  /** ours.minMs / peer.minMs and ours.medianMs / peer.medianMs, when both completed. */
  readonly ratioMin?: number;
  readonly ratioMedian?: number;
}

export interface SideBySideRow {
  readonly workload: string;
  readonly direction: 'forward' | 'backward';
  readonly scope: Scope;
  readonly ours: Timing;
  readonly peers: readonly PeerCell[];
}

export interface SideBySideTable {
  readonly group: PeerGroup;
  readonly scope: Scope;
  /** The peers of the group that have at least one row in the run (others are named in `absent`). */
  readonly peers: readonly string[];
  readonly absent: readonly string[];
  readonly rows: readonly SideBySideRow[];
}

/**
 * One table per group and scope in which ours completed a workload that some peer of the group has a row for.
 * A peer of the group with no row at all in the run (not selected, or unavailable) is listed in `absent`.
 */
export function sideBySide(results: BenchResults): SideBySideTable[] {
  const done = completed(results);
  const direction = new Map(results.workloads.map((w) => [w.id, w.direction]));
  const sweep = new Set(results.workloads.filter((w) => w.sweep).map((w) => w.id));
  const inRun = new Set(results.results.map((r) => r.backend));
  const tables: SideBySideTable[] = [];
  for (const group of PEER_GROUPS) {
    const peers = group.peers.filter((p) => inRun.has(p));
    if (!inRun.has(group.ours) || peers.length === 0) continue;
    const absent = group.peers.filter((p) => !inRun.has(p));
    for (const scope of SIDE_BY_SIDE_SCOPES) {
      const rows: SideBySideRow[] = [];
      for (const w of results.workloads) {
        if (sweep.has(w.id)) continue;
        if (group.maxForwardOnly && (w.spec.kind !== 'max' || w.direction !== 'forward')) continue;
        const ours = done.find((r) => r.workload === w.id && r.backend === group.ours && r.scope === scope);
        if (!ours) continue;
        const cells = peers.map((p) => peerCell(results, done, ours, p));
        if (cells.every((c) => c.missing === 'no row')) continue;
        rows.push({ workload: w.id, direction: direction.get(w.id)!, scope, ours: timing(ours), peers: cells });
      }
      if (rows.length) tables.push({ group, scope, peers, absent, rows });
    }
  }
  return tables;
}

function timing(r: CompletedResult): Timing {
  return { minMs: r.minMs, medianMs: r.medianMs };
}

function peerCell(results: BenchResults, done: readonly CompletedResult[], ours: CompletedResult, backend: string): PeerCell {
  const row = results.results.find((r) => r.workload === ours.workload && r.backend === backend && r.scope === ours.scope);
  if (!row) return { backend, missing: 'no row' };
  const peer = done.find((r) => r === row);
  if (!peer) return { backend, missing: row.state === 'unsupported' ? `unsupported: ${row.reason}` : `errored: ${row.state === 'errored' ? row.error : ''}` };
  return {
    backend, timing: timing(peer),
    ...(peer.minMs > 0 ? { ratioMin: ours.minMs / peer.minMs } : {}),
    ...(peer.medianMs > 0 ? { ratioMedian: ours.medianMs / peer.medianMs } : {}),
  };
}

/** Whether the run's `webgpu` backend (or any GPU backend of the run) says it ran on a software adapter. */
export function softwareAdapter(results: BenchResults): string | undefined {
  return results.backends.find((b) => b.device !== undefined && /software adapter/i.test(b.device))?.device;
}

/** A ratio as the report prints it: two decimals and ×, e.g. 0.84×. */
export function fmtRatio(r: number | undefined): string {
  return r === undefined ? '–' : `${r.toFixed(2)}×`;
}
