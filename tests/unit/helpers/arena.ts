// Test arenas: named float32 regions packed into one GPU buffer, as the model's arenas are.
import type { GpuContext } from '../../../src/gpu/device';
import { ArenaLayout } from '../../../src/gpu/arena';
import { createStorageFrom, readF32 } from '../../../src/gpu/buffers';

export class TestArena {
  readonly layout: ArenaLayout;
  private readonly data = new Map<string, ArrayLike<number>>();
  buffer: GPUBuffer | null = null;

  constructor(readonly name: string) {
    this.layout = new ArenaLayout(name, 64);
  }

  /** Adds a region holding `init` (or `init` zeros) and returns its element offset. */
  add(name: string, init: ArrayLike<number> | number): number {
    const n = typeof init === 'number' ? init : init.length;
    const v = this.layout.alloc(name, [n]);
    if (typeof init !== 'number') this.data.set(name, init);
    return v.offset;
  }

  off(name: string): number {
    return this.layout.get(name).offset;
  }

  async upload(ctx: GpuContext): Promise<GPUBuffer> {
    const host = new Float32Array(Math.max(this.layout.size, 4));
    for (const [name, d] of this.data) host.set(Array.from(d), this.layout.get(name).offset);
    this.buffer = await createStorageFrom(ctx, this.name, host);
    return this.buffer;
  }

  async read(ctx: GpuContext, name: string): Promise<Float32Array> {
    const v = this.layout.get(name);
    return readF32(ctx, this.buffer!, v.offset, v.size);
  }
}
