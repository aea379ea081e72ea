/**
 * Seeded randomness shared by the verifier, the benchmark statistics and the tests: one generator and one
 * way to derive a per-item seed, so every replay sees the same numbers.
 */

/** mulberry32: a small, fast, seedable 32-bit generator; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a key mixed into a seed (unsigned 32-bit): a per-item seed independent of visiting order. */
export function seedFor(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ (seed | 0)) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
