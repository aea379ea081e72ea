/**
 * The naive backend's structured pooling (SPEC.md §10): direct loops over each output's gather list
 * (spec/structured-geometry.ts), f64 accumulation, one rounding to float32.
 */
import type { ForwardResult, StructuredPoolingBackend, StructuredSpec, Support, Tensor } from '../../spec/contract.js';
import { STRUCTURED_KINDS } from '../../spec/contract.js';
import { structuredProblem, validateStructuredBackward, validateStructuredForward } from '../../spec/validate-structured.js';

function forward(spec: StructuredSpec, x: Tensor): ForwardResult {
  const g = validateStructuredForward(spec, x);
  const count = g.start.length - 1;
  const y = new Float32Array(count);
  const indices = g.reducer === 'max' ? new Int32Array(count) : undefined;
  for (let o = 0; o < count; o++) {
    const from = g.start[o]!;
    const to = g.start[o + 1]!;
    if (from === to) { if (indices) indices[o] = -1; continue; } // empty: 0, index −1
    if (g.reducer === 'max') {
      let best = g.taps[from]!;
      for (let k = from + 1; k < to && x.data[best] === x.data[best]; k++) {
        const i = g.taps[k]!;
        const v = x.data[i]!;
        if (v > x.data[best]! || v !== v) best = i;
      }
      y[o] = x.data[best]!;
      indices![o] = (best - g.planeBase[o]!) / g.planeStep;
    } else if (g.reducer === 'avg') {
      let acc = 0;
      for (let k = from; k < to; k++) acc += x.data[g.taps[k]!]!;
      y[o] = acc / (to - from);
    } else {
      y[o] = x.data[g.taps[from]!]!;
    }
  }
  return { y: { shape: [...g.outShape], data: y, layout: g.outLayout }, ...(indices ? { indices } : {}) };
}

async function backward(spec: StructuredSpec, x: Tensor, dy: Tensor): Promise<Tensor> {
  const g = validateStructuredBackward(spec, x, dy);
  const fwd = g.reducer === 'max' ? forward(spec, x) : undefined;
  const dx = new Float64Array(x.data.length);
  for (let o = 0; o < g.start.length - 1; o++) {
    const from = g.start[o]!;
    const to = g.start[o + 1]!;
    if (from === to) continue;
    const grad = dy.data[o]!;
    if (g.reducer === 'max') dx[g.planeBase[o]! + fwd!.indices![o]! * g.planeStep]! += grad;
    else if (g.reducer === 'copy') dx[g.taps[from]!]! += grad;
    else for (let k = from; k < to; k++) dx[g.taps[k]!]! += grad / (to - from);
  }
  return { shape: [...x.shape], data: Float32Array.from(dx), layout: x.layout ?? 'channels_first' };
}

export const naiveStructured: StructuredPoolingBackend = {
  kinds: STRUCTURED_KINDS,
  supports(spec, inputShape, layout): Support {
    const problem = structuredProblem(spec, inputShape, layout);
    return problem === undefined ? { ok: true } : { ok: false, reason: problem };
  },
  async forward(spec, x) { return forward(spec, x); },
  backward,
};
