/**
 * Deterministic input values for backend edge-case grids (im2col, wasm tests): each set aims at one family of
 * special cases. Seeded, so every run sees the same inputs.
 */
export { mulberry32 as rng } from '../../spec/seeds.js';
import { mulberry32 as rng } from '../../spec/seeds.js';

export type ValueSet = 'mixed' | 'ties' | 'special' | 'neginf';
export const VALUE_SETS: ValueSet[] = ['mixed', 'ties', 'special', 'neginf'];

export function values(set: ValueSet, count: number, seed: number): Float32Array {
  const r = rng(seed);
  const tie = (): number => { const v = Math.floor(r() * 5) - 2; return v === 0 && r() < 0.5 ? -0 : v; };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = r();
    switch (set) {
      case 'mixed': out[i] = (r() - 0.5) * 16; break;
      case 'ties': out[i] = tie(); break;
      // Sparse specials among ordinary values: NaN propagation, ±∞ sums, ∞ − ∞ = NaN.
      case 'special': out[i] = u < 0.06 ? NaN : u < 0.12 ? Infinity : u < 0.18 ? -Infinity : (r() - 0.5) * 16; break;
      // Mostly −∞: windows of only −∞ (index of the first in-bounds tap), NaN after −∞, ties at −∞.
      case 'neginf': out[i] = u < 0.7 ? -Infinity : u < 0.78 ? NaN : tie(); break;
    }
  }
  return out;
}


/** A 2-D sliding-window geometry of a backend's edge-case grid (N and C are the test's). */
export interface GeometryCase {
  name: string;
  spatial: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  ceilMode: boolean;
}
