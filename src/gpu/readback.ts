// Asynchronous read-back without stalling the step loop: a copy into a staging buffer is encoded in
// the same command buffer as the step, and the staging buffer is mapped later. A small pool of
// staging buffers bounds how far the host runs ahead of the GPU (when all are in flight, take()
// waits for the oldest: the only wait in the loop, and it is steps behind).

import { untilLost, type GpuContext } from './device';

interface Pending<T> {
  staging: GPUBuffer;
  done: Promise<T>;
}

export class AsyncReader<T> {
  private readonly free: GPUBuffer[] = [];
  private readonly pending: Pending<T>[] = [];

  constructor(
    private readonly ctx: GpuContext,
    private readonly source: GPUBuffer,
    private readonly bytes: number,
    depth: number,
    private readonly decode: (data: ArrayBuffer) => T,
  ) {
    for (let i = 0; i < depth; i++) {
      this.free.push(ctx.device.createBuffer({ label: `${source.label} staging ${i}`, size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }));
    }
  }

  /** Number of copies encoded but not yet collected. */
  get inFlight(): number {
    return this.pending.length;
  }

  /**
   * Encodes a copy of the source into a free staging buffer; after the encoder is submitted, call
   * `arm()` to start mapping. Returns the results of any read that had to be awaited to free a buffer.
   */
  async encodeCopy(encoder: GPUCommandEncoder): Promise<T[]> {
    const ready: T[] = [];
    while (!this.free.length) ready.push(await this.collectOldest());
    const staging = this.free.pop()!;
    encoder.copyBufferToBuffer(this.source, 0, staging, 0, this.bytes);
    this.pending.push({ staging, done: null as unknown as Promise<T> });
    return ready;
  }

  /** Starts mapping the copy encoded last (call after its submit). */
  arm(): void {
    const p = this.pending[this.pending.length - 1];
    p.done = p.staging.mapAsync(GPUMapMode.READ).then(() => {
      const out = this.decode(p.staging.getMappedRange().slice(0));
      p.staging.unmap();
      return out;
    });
    // A read nobody collects (the run ended on an error first) must not fail unhandled.
    p.done.catch(() => {});
  }

  async collectOldest(): Promise<T> {
    const p = this.pending.shift();
    if (!p) throw new Error('AsyncReader: nothing in flight');
    try {
      return await untilLost(this.ctx, p.done);
    } finally {
      this.free.push(p.staging);
    }
  }

  async drain(): Promise<T[]> {
    const out: T[] = [];
    while (this.pending.length) out.push(await this.collectOldest());
    return out;
  }

  destroy(): void {
    for (const b of this.free) b.destroy();
    for (const p of this.pending) p.staging.destroy();
  }
}

/** Lets queued messages (pause, stop) and GPU callbacks run between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
