/**
 * The reference for structured pooling (SPEC.md §10): every op is evaluated through its gather view
 * (spec/structured-geometry.ts) with the same exact arithmetic and acceptance sets as the sliding window:
 * max exact to the bit (MAX.* rules, empty window → 0 with index −1), averages within ACC.AVG, copies exact.
 */
import type { StructuredSpec, Tensor } from '../contract.js';
import type { Gather } from '../structured-geometry.js';
import { ETA32, exact, gamma, type Acceptance } from '../interval.js';
import { DEFAULT_POLICY, type Policy } from '../policy.js';
import { validateStructuredBackward, validateStructuredForward } from '../validate-structured.js';
import { ExactSum } from './exact.js';
import { maxIndex, sumAcceptance } from './forward.js';

export interface StructuredReference {
  readonly gather: Gather;
  readonly values: Float64Array;
  readonly acceptance: readonly Acceptance[];
  /** max reducers: per-plane index of the winning element, −1 for an empty window. */
  readonly indices?: Int32Array;
}

function tapsOf(g: Gather, o: number): Int32Array {
  return g.taps.subarray(g.start[o], g.start[o + 1]);
}

export function referenceStructuredForward(spec: StructuredSpec, x: Tensor, policy: Policy = DEFAULT_POLICY): StructuredReference {
  const g = validateStructuredForward(spec, x);
  const count = g.start.length - 1;
  const values = new Float64Array(count);
  const acceptance = new Array<Acceptance>(count);
  const indices = g.reducer === 'max' ? new Int32Array(count) : undefined;
  const read = (i: number): number => x.data[i]!;
  for (let o = 0; o < count; o++) {
    const taps = tapsOf(g, o);
    if (taps.length === 0) {
      // ROI.EMPTY / UNPOOL.ZERO: nothing to reduce gives +0 (and index −1 for max).
      values[o] = 0;
      acceptance[o] = exact(0);
      if (indices) indices[o] = -1;
      continue;
    }
    switch (g.reducer) {
      case 'max': {
        const i = maxIndex(Array.from(taps), read, policy);
        const v = policy.maxNan === 'ignore' && Number.isNaN(read(i)) ? -Infinity : read(i);
        values[o] = v;
        acceptance[o] = exact(v);
        indices![o] = (i - g.planeBase[o]!) / g.planeStep;
        break;
      }
      case 'avg': {
        const acc = new ExactSum();
        for (const i of taps) acc.add(read(i));
        const n = acc.terms;
        const a = sumAcceptance(acc, gamma(n + 2), (n + 1) * ETA32, n);
        values[o] = a.value;
        acceptance[o] = a;
        break;
      }
      case 'copy':
        values[o] = read(taps[0]!);
        acceptance[o] = exact(read(taps[0]!));
        break;
    }
  }
  return { gather: g, values, acceptance, ...(indices ? { indices } : {}) };
}

/** GRAD.STRUCTURED: max routes dy to its index, avg spreads dy/n, copy hands dy back to its source. */
export function referenceStructuredBackward(spec: StructuredSpec, x: Tensor, dy: Tensor, policy: Policy = DEFAULT_POLICY): { values: Float64Array; acceptance: readonly Acceptance[] } {
  validateStructuredBackward(spec, x, dy);
  const fwd = referenceStructuredForward(spec, x, policy);
  const g = fwd.gather;
  const sums = Array.from({ length: x.data.length }, () => new ExactSum());
  for (let o = 0; o < g.start.length - 1; o++) {
    const taps = tapsOf(g, o);
    if (taps.length === 0) continue;
    const grad = dy.data[o]!;
    if (g.reducer === 'max') sums[g.planeBase[o]! + fwd.indices![o]! * g.planeStep]!.add(grad);
    else if (g.reducer === 'copy') sums[taps[0]!]!.add(grad);
    else for (const i of taps) sums[i]!.add(grad, taps.length);
  }
  const values = new Float64Array(x.data.length);
  const acceptance = sums.map((s, i) => {
    const m = s.terms;
    const a = g.reducer === 'avg' ? sumAcceptance(s, gamma(m + 2), 2 * m * ETA32, 1) : sumAcceptance(s, gamma(m - 1), 0, 1);
    values[i] = a.value;
    return a;
  });
  return { values, acceptance };
}
