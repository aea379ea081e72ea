/**
 * Cases for structured pooling (SPEC.md §10): the geometry first, then exactly the data it needs (chained on
 * the geometry, so no unused values are drawn or shrunk). Exported for reuse.
 *
 * Constraints and biases:
 * - adaptive: rank 1–3, input extents 1–8, output extents 1 to input + 2 (OUT > IN makes windows overlap).
 * - roi: rank 2, maps up to 7×7, 1–3 boxes with corners from −3 to 10 (outside the map, reversed, degenerate),
 *   scales 1, 1/2, 1/4, 1/16 (so rounding at .5 happens), pooled sizes 1–3.
 * - spp: 1–3 levels of 1–4 bins per axis.
 * - unpool: random in-range indices, often repeated (UNPOOL.DUPLICATE).
 */
import fc from 'fast-check';
import type { Layout, StructuredKind, StructuredSpec, Tensor } from '../contract.js';
import { joinShape, product } from '../geometry.js';
import { structuredGather } from '../structured-geometry.js';
import { structuredProblem } from '../validate-structured.js';
import { float32Data, type ValueProfile } from './values.js';

export interface StructuredCase {
  spec: StructuredSpec;
  x: Tensor;
  dy: Tensor;
  profile: ValueProfile;
}

const MAX_ELEMENTS = 96;
const layouts = fc.constantFrom<Layout>('channels_first', 'channels_last');
const extents = (rank: number, max: number) => fc.array(fc.integer({ min: 1, max }), { minLength: rank, maxLength: rank });

function specArbitrary(kind: StructuredKind): fc.Arbitrary<{ spec: StructuredSpec; spatial: number[]; n: number; c: number; layout: Layout }> {
  const nc = fc.record({ n: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 3 }), layout: layouts });
  switch (kind) {
    case 'adaptive_max':
    case 'adaptive_avg':
      return fc.tuple(nc, fc.integer({ min: 1, max: 3 }), extents(3, 8), fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 3, maxLength: 3 }))
        .map(([r, rank, ins, outs]) => ({ ...r, spatial: ins.slice(0, rank), spec: { kind, outputSize: outs.slice(0, rank).map((o, i) => 1 + (o % (ins[i]! + 2))) } }));
    case 'roi_max': {
      const coord = fc.integer({ min: -6, max: 20 }).map((v) => v / 2);
      const box = fc.tuple(fc.nat({ max: 1 }), coord, coord, coord, coord).map((b) => [...b]);
      return fc.tuple(nc, extents(2, 7), extents(2, 3), fc.constantFrom(1, 0.5, 0.25, 0.0625), fc.array(box, { minLength: 1, maxLength: 3 }))
        .map(([r, spatial, pooled, scale, boxes]) => ({
          ...r, spatial,
          // Box coordinates are in image space: divide by the scale so boxes land near the map whatever the scale.
          spec: { kind, pooledSize: pooled, spatialScale: scale, boxes: boxes.map(([b, ...xy]) => [b! % r.n, ...xy.map((v) => v / scale)]) },
        }));
    }
    case 'spp':
      return fc.tuple(nc, fc.integer({ min: 1, max: 3 }), extents(3, 7), fc.array(extents(3, 4), { minLength: 1, maxLength: 3 }), fc.constantFrom<'max' | 'avg'>('max', 'avg'))
        .map(([r, rank, ins, levels, mode]) => ({ ...r, spatial: ins.slice(0, rank), spec: { kind, mode, levels: levels.map((l) => l.slice(0, rank)) } }));
    case 'max_unpool':
      return fc.tuple(nc, fc.integer({ min: 1, max: 2 }), extents(2, 3), extents(2, 3), extents(2, 4), fc.array(fc.nat(), { minLength: MAX_ELEMENTS, maxLength: MAX_ELEMENTS }))
        .map(([r, rank, k, s, ins, raw]) => {
          const kernel = k.slice(0, rank);
          const strides = s.slice(0, rank);
          const spatial = ins.slice(0, rank);
          const out = spatial.map((v, i) => (v - 1) * strides[i]! + kernel[i]!);
          const count = r.n * r.c * product(spatial);
          // Modulo a small range makes repeated indices common (UNPOOL.DUPLICATE).
          const indices = Int32Array.from({ length: count }, (_, i) => raw[i % raw.length]! % Math.min(product(out), 1 + (raw[0]! % 6)));
          return { ...r, spatial, spec: { kind, kernel, strides, pads: new Array<number>(2 * rank).fill(0), indices } };
        });
  }
}

export function structuredCaseArbitrary(kind: StructuredKind, profiles: readonly ValueProfile[] = ['ties', 'finite', 'special']): fc.Arbitrary<StructuredCase> {
  // The geometry first, then exactly the x and dy elements it needs (fc.chain): no values that nothing reads.
  return specArbitrary(kind)
    .filter((s) => product(s.spatial) * s.n * s.c <= MAX_ELEMENTS && structuredProblem(s.spec, joinShape(s.n, s.c, s.spatial, s.layout), s.layout) === undefined)
    .chain((s) => {
      const shape = joinShape(s.n, s.c, s.spatial, s.layout);
      const g = structuredGather(s.spec, shape, s.layout);
      const data = fc.oneof(...profiles.map((profile) => float32Data(product(shape), profile).map((d) => ({ profile, d }))));
      return fc.tuple(data, float32Data(product(g.outShape), 'finite')).map(([{ profile, d }, dyData]): StructuredCase => ({
        spec: s.spec,
        x: { shape, data: d, layout: s.layout },
        dy: { shape: g.outShape, data: dyData, layout: g.outLayout },
        profile,
      }));
    });
}
