/**
 * GPU buffers pooled by size class and usage, so that a stream of calls reuses a handful of buffers instead of
 * creating and destroying several per call. Size classes are powers of two from 256 bytes to 16 MiB, then
 * multiples of 16 MiB (so a 600 MiB tensor takes 608 MiB, not 1 GiB); equal-shaped calls hit the same buffers. The pool keeps at most `maxIdlePerClass` idle
 * buffers per class and `maxIdleBytes` in all; beyond that a released buffer is destroyed. `live` counts the
 * buffers that exist (created − destroyed), which is what a leak would grow.
 */

export const MIN_BUFFER_BYTES = 256;
/** Above this, size classes step by this much instead of doubling. */
export const LARGE_STEP = 16 * 1024 * 1024;

export interface BufferPoolOptions {
  maxIdlePerClass?: number;
  maxIdleBytes?: number;
}

export class BufferPool {
  private readonly idle = new Map<string, GPUBuffer[]>();
  private idleBytes = 0;
  private created = 0;
  private destroyed = 0;
  private readonly maxIdlePerClass: number;
  private readonly maxIdleBytes: number;

  constructor(private readonly device: GPUDevice, options: BufferPoolOptions = {}) {
    this.maxIdlePerClass = options.maxIdlePerClass ?? 4;
    this.maxIdleBytes = options.maxIdleBytes ?? 256 * 1024 * 1024;
  }

  /** The size class of a request: the next power of two (at least MIN_BUFFER_BYTES) up to LARGE_STEP, then the next multiple of LARGE_STEP. */
  static sizeClass(bytes: number): number {
    if (bytes > LARGE_STEP) return Math.ceil(bytes / LARGE_STEP) * LARGE_STEP;
    return Math.max(MIN_BUFFER_BYTES, 2 ** Math.ceil(Math.log2(Math.max(1, bytes))));
  }

  acquire(bytes: number, usage: GPUBufferUsageFlags, label: string): GPUBuffer {
    const size = BufferPool.sizeClass(bytes);
    const list = this.idle.get(`${usage}:${size}`);
    const reused = list?.pop();
    if (reused) {
      this.idleBytes -= size;
      return reused;
    }
    this.created++;
    return this.device.createBuffer({ size, usage, label });
  }

  release(buffer: GPUBuffer): void {
    const key = `${buffer.usage}:${buffer.size}`;
    const list = this.idle.get(key) ?? [];
    if (list.length >= this.maxIdlePerClass || this.idleBytes + buffer.size > this.maxIdleBytes) {
      this.destroy(buffer);
      return;
    }
    list.push(buffer);
    this.idle.set(key, list);
    this.idleBytes += buffer.size;
  }

  /** Destroys a buffer outright (e.g. one whose contents can no longer be trusted). */
  destroy(buffer: GPUBuffer): void {
    buffer.destroy();
    this.destroyed++;
  }

  /** Buffers that exist now: in use plus idle. */
  get live(): number {
    return this.created - this.destroyed;
  }

  get idleCount(): number {
    let n = 0;
    for (const l of this.idle.values()) n += l.length;
    return n;
  }

  /** Destroys every idle buffer. Buffers still in use are destroyed with the device. */
  clear(): void {
    for (const list of this.idle.values()) for (const b of list) this.destroy(b);
    this.idle.clear();
    this.idleBytes = 0;
  }
}
