/**
 * Reads the WGSL hex float literals the float-float kernels declare (e.g. `0x1.62e43p-1`, `-0x1p-24`), for tests
 * that check those constants against their real values. Throws on anything else, and on a literal that is not an
 * f32 value (a WGSL f32 constant must be one).
 */
export function parseHexF32(s: string): number {
  const m = /^(-?)0x([0-9a-f])\.?([0-9a-f]*)p([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`not a hex float: ${s}`);
  const v = parseInt(m[2]! + m[3]!, 16) * 2 ** (Number(m[4]) - 4 * m[3]!.length);
  if (Math.fround(v) !== v) throw new Error(`${s} is not an f32`);
  return m[1] ? -v : v;
}
