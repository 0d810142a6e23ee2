// Buffer creation, upload and read-back. Creation happens only at setup (never in the hot loop)
// and reports out-of-memory with the buffer's label and size.

import { assertAlive, untilLost, type GpuContext } from './device';
import { GpuOperationError } from './errors';

export const STORAGE = 0x0080 | 0x0008 | 0x0004; // STORAGE | COPY_DST | COPY_SRC (numeric: usable before globals load)

/** Creates a storage buffer of `bytes` (rounded up to 16), zero-filled by WebGPU. */
export async function createStorage(ctx: GpuContext, label: string, bytes: number): Promise<GPUBuffer> {
  assertAlive(ctx);
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  const max = ctx.limits.maxBufferSize;
  if (size > max) {
    throw new GpuOperationError(`buffer ${label}`, 'out-of-memory', `${size} bytes needed, adapter maxBufferSize is ${max}`);
  }
  const { device } = ctx;
  device.pushErrorScope('out-of-memory');
  const buffer = device.createBuffer({ label, size, usage: STORAGE });
  const err = await device.popErrorScope();
  if (err) throw new GpuOperationError(`buffer ${label} (${size} bytes)`, 'out-of-memory', err.message);
  return buffer;
}

/** Creates a storage buffer holding `data`. */
export async function createStorageFrom(ctx: GpuContext, label: string, data: ArrayBufferView): Promise<GPUBuffer> {
  const buffer = await createStorage(ctx, label, data.byteLength);
  upload(ctx, buffer, data);
  return buffer;
}

/** Queues a write of `data` at `byteOffset` (ordered before the next submit). */
export function upload(ctx: GpuContext, buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // writeBuffer needs a multiple of 4 bytes.
  const padded = bytes.byteLength % 4 === 0 ? bytes : (() => {
    const p = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    p.set(bytes);
    return p;
  })();
  ctx.device.queue.writeBuffer(buffer, byteOffset, padded.buffer, padded.byteOffset, padded.byteLength);
}

/** Copies `bytes` from `buffer` at `byteOffset` into a fresh staging buffer and maps it (awaits the GPU). */
export async function readBytes(ctx: GpuContext, buffer: GPUBuffer, byteOffset = 0, bytes = buffer.size - byteOffset): Promise<ArrayBuffer> {
  assertAlive(ctx);
  const { device } = ctx;
  const size = Math.ceil(bytes / 4) * 4;
  const staging = device.createBuffer({ label: `read ${buffer.label}`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: `read ${buffer.label}` });
  enc.copyBufferToBuffer(buffer, byteOffset, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await untilLost(ctx, staging.mapAsync(GPUMapMode.READ));
  const out = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return out;
}

/** A byte range of a buffer to read back. */
export interface Region {
  buffer: GPUBuffer;
  byteOffset: number;
  bytes: number;
}

/**
 * Reads several regions in one submit through one staging buffer (one map instead of one per
 * region: a checkpoint reads parameters, both AdamW moments and the optimizer state at once).
 */
export async function readRegions(ctx: GpuContext, regions: readonly Region[]): Promise<ArrayBuffer[]> {
  assertAlive(ctx);
  const { device } = ctx;
  const sizes = regions.map((r) => Math.ceil(r.bytes / 4) * 4);
  const total = Math.max(4, sizes.reduce((a, b) => a + b, 0));
  const staging = device.createBuffer({ label: `read ${regions.length} regions`, size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: 'read regions' });
  let at = 0;
  regions.forEach((r, i) => {
    if (sizes[i]) enc.copyBufferToBuffer(r.buffer, r.byteOffset, staging, at, sizes[i]);
    at += sizes[i];
  });
  device.queue.submit([enc.finish()]);
  try {
    await untilLost(ctx, staging.mapAsync(GPUMapMode.READ));
    const all = staging.getMappedRange();
    let off = 0;
    return regions.map((r, i) => {
      const out = all.slice(off, off + r.bytes);
      off += sizes[i];
      return out;
    });
  } finally {
    staging.destroy();
  }
}

export async function readF32(ctx: GpuContext, buffer: GPUBuffer, offsetElems = 0, count?: number): Promise<Float32Array> {
  const n = count ?? buffer.size / 4 - offsetElems;
  return new Float32Array(await readBytes(ctx, buffer, offsetElems * 4, n * 4));
}

export async function readU32(ctx: GpuContext, buffer: GPUBuffer, offsetElems = 0, count?: number): Promise<Uint32Array> {
  const n = count ?? buffer.size / 4 - offsetElems;
  return new Uint32Array(await readBytes(ctx, buffer, offsetElems * 4, n * 4));
}

/** A small uniform buffer the host rewrites (e.g. once per step) with queue.writeBuffer. */
export async function createUniform(ctx: GpuContext, label: string, bytes: number): Promise<GPUBuffer> {
  assertAlive(ctx);
  const { device } = ctx;
  device.pushErrorScope('out-of-memory');
  const buffer = device.createBuffer({ label, size: Math.ceil(bytes / 16) * 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const err = await device.popErrorScope();
  if (err) throw new GpuOperationError(`uniform ${label}`, 'out-of-memory', err.message);
  return buffer;
}
