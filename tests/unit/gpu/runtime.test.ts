// The GPU runtime's failure paths: errors name the kernel or buffer and its shapes, and a lost
// device is reported instead of hanging.
import { describe, expect, it } from 'vitest';
import { ArenaLayout } from '../../../src/gpu/arena';
import { createStorage } from '../../../src/gpu/buffers';
import { GpuDeviceLostError, GpuOperationError } from '../../../src/gpu/errors';
import { defineKernel, getPipeline } from '../../../src/gpu/kernel';
import { grid, Program } from '../../../src/gpu/program';
import { Buf, linearForward, matmulDispatch } from '../../../src/kernels/matmul';
import { openNodeGpu } from '../../../src/node/gpu';
import { useGpu } from '../helpers/gpu';

describe('gpu runtime', () => {
  const gpu = useGpu();

  it('reports a WGSL error with the kernel name', async () => {
    const bad = defineKernel({ name: 'broken.kernel', code: '@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }', entryPoint: 'main', bindings: [{ name: 'params', kind: 'uniform' }], paramBytes: 16, threads: 1 });
    await expect(getPipeline(gpu(), bad)).rejects.toThrow(/kernel broken\.kernel \(WGSL\): validation error/);
  });

  it('reports a dispatch whose buffer is too small with its label and shapes', async () => {
    const ctx = gpu();
    const tiny = await createStorage(ctx, 'tiny', 16);
    // Binding a 16-byte buffer where the shader needs more passes validation (runtime-sized arrays),
    // so use a buffer without STORAGE usage to provoke a bind-group validation error instead.
    const notStorage = ctx.device.createBuffer({ label: 'uniform-only', size: 256, usage: GPUBufferUsage.UNIFORM });
    const spec = matmulDispatch('qkv L0', [linearForward({ rows: 8, in: 4, out: 12 }, 0, { buf: Buf.P, off: 0 }, 0)], { P: notStorage, X: tiny, G: tiny });
    const prog = new Program(ctx, 'bad').add(spec);
    await expect(prog.build()).rejects.toThrow(/bind group for matmul qkv L0 \[8x12x4\]: validation error/);
  });

  it('refuses a buffer larger than the adapter allows, naming it and the sizes', async () => {
    const ctx = gpu();
    await expect(createStorage(ctx, 'activations', ctx.limits.maxBufferSize + 16)).rejects.toThrow(/buffer activations: out-of-memory error: \d+ bytes needed, adapter maxBufferSize is \d+/);
  });

  it('reports device loss instead of hanging', async () => {
    const ctx = await openNodeGpu('swiftshader');
    const P = await createStorage(ctx, 'P', 4096);
    const prog = new Program(ctx, 'after-loss').add(matmulDispatch('f', [linearForward({ rows: 2, in: 2, out: 2 }, 0, { buf: Buf.P, off: 0 }, 64)], { P, X: await createStorage(ctx, 'X', 4096), G: await createStorage(ctx, 'G', 4096) }));
    await prog.build();
    ctx.device.destroy();
    await ctx.device.lost;
    await new Promise((r) => setTimeout(r, 0));
    expect(ctx.lost).toBeInstanceOf(GpuDeviceLostError);
    await expect(prog.run()).rejects.toThrow(/GPU device lost \(destroyed\)/);
  });

  it('lays out arena views aligned and rejects bad shapes', () => {
    const a = new ArenaLayout('params', 64);
    const x = a.alloc('x', [3, 5]);
    const y = a.alloc('y', [7]);
    expect([x.offset, x.size, y.offset, a.size]).toEqual([0, 15, 64, 128]);
    expect(() => a.alloc('z', [0, 4])).toThrow(/view z has bad shape \[0, 4\]/);
    expect(() => a.alloc('x', [1])).toThrow(/allocated twice/);
  });

  it('splits large workgroup counts into a 2D grid that covers them', () => {
    expect(grid(10, 65535)).toEqual([10, 1]);
    const [x, y] = grid(200000, 65535);
    expect(x * y).toBeGreaterThanOrEqual(200000);
    expect(x).toBeLessThanOrEqual(65535);
  });

  it('is a GpuOperationError with kind and subject', () => {
    const e = new GpuOperationError('buffer x', 'out-of-memory', 'detail');
    expect([e.what, e.kind, e.message]).toEqual(['buffer x', 'out-of-memory', 'buffer x: out-of-memory error: detail']);
  });
});
