/**
 * Index conventions (SPEC.md INDEX.*): poolspec's per-plane max indices (PyTorch's convention, MAX.INDEX)
 * converted to and from ONNX's flat N·C·spatial indices (with storage_order) and TensorFlow's channels-last
 * flat indices (with or without the batch). Each function is the inverse of its partner.
 */
import { ValidationError } from './errors.js';
import { product, rowMajorStrides } from './geometry.js';

/** Where a per-plane index lives: batch element n, channel c, and the plane index q (row-major spatial). */
export interface PlaneIndex {
  readonly n: number;
  readonly c: number;
  readonly q: number;
}

function check(value: number, limit: number, field: string, rule: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= limit) {
    throw new ValidationError(field, rule, `must be an integer in [0, ${limit})`, value);
  }
}

/** Row-major plane index → column-major (storage_order = 1: the first spatial axis varies fastest). */
function toColumnMajor(q: number, spatial: readonly number[]): number {
  const rs = rowMajorStrides(spatial);
  const rev = [...spatial].reverse();
  const cs = rowMajorStrides(rev).reverse(); // strides with axis 0 fastest
  let out = 0;
  spatial.forEach((_, i) => { out += (Math.floor(q / rs[i]!) % spatial[i]!) * cs[i]!; });
  return out;
}

function fromColumnMajor(k: number, spatial: readonly number[]): number {
  const rs = rowMajorStrides(spatial);
  const cs = rowMajorStrides([...spatial].reverse()).reverse();
  let q = 0;
  spatial.forEach((_, i) => { q += (Math.floor(k / cs[i]!) % spatial[i]!) * rs[i]!; });
  return q;
}

/**
 * INDEX.ONNX: ONNX MaxPool's `Indices`: (n·C + c)·P + q, where q is row-major (storage_order 0) or
 * column-major (storage_order 1) over the spatial extents; P = their product.
 */
export function planeToOnnx(p: PlaneIndex, channels: number, spatial: readonly number[], storageOrder: 0 | 1 = 0): number {
  const plane = product(spatial);
  check(p.c, channels, 'c', 'INDEX.ONNX');
  check(p.q, plane, 'q', 'INDEX.ONNX');
  return (p.n * channels + p.c) * plane + (storageOrder === 1 ? toColumnMajor(p.q, spatial) : p.q);
}

export function onnxToPlane(flat: number, batch: number, channels: number, spatial: readonly number[], storageOrder: 0 | 1 = 0): PlaneIndex {
  const plane = product(spatial);
  check(flat, batch * channels * plane, 'index', 'INDEX.ONNX');
  const within = flat % plane;
  const nc = Math.floor(flat / plane);
  return { n: Math.floor(nc / channels), c: nc % channels, q: storageOrder === 1 ? fromColumnMajor(within, spatial) : within };
}

/**
 * INDEX.TF: TensorFlow's max_pool_with_argmax (and tfjs maxPoolWithArgmax): channels-last flat offsets,
 * q·C + c, plus n·P·C when the batch is included (include_batch_in_index).
 */
export function planeToTf(p: PlaneIndex, channels: number, spatial: readonly number[], includeBatch: boolean): number {
  const plane = product(spatial);
  check(p.c, channels, 'c', 'INDEX.TF');
  check(p.q, plane, 'q', 'INDEX.TF');
  return (includeBatch ? p.n * plane * channels : 0) + p.q * channels + p.c;
}

/** The inverse of planeToTf; without the batch in the index, `n` must be supplied by the caller. */
export function tfToPlane(flat: number, channels: number, spatial: readonly number[], includeBatch: boolean, batch: number, n = 0): PlaneIndex {
  const plane = product(spatial);
  check(flat, (includeBatch ? batch : 1) * plane * channels, 'index', 'INDEX.TF');
  const within = flat % (plane * channels);
  return { n: includeBatch ? Math.floor(flat / (plane * channels)) : n, c: within % channels, q: Math.floor(within / channels) };
}
