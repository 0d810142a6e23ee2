// The GPU runtime's failure paths: errors name the kernel or buffer and its shapes, and a lost
// device is reported instead of hanging.
import { describe, expect, it } from 'vitest';
import { ArenaLayout } from '../../../src/gpu/arena';
import { createStorage } from '../../../src/gpu/buffers';
import { GpuDeviceLostError, GpuOperationError } from '../../../src/gpu/errors';
import { REQUIRED_LIMITS } from '../../../src/gpu/device';
import { checkKernelLimits, defineKernel, getPipeline } from '../../../src/gpu/kernel';
import { grid, Program } from '../../../src/gpu/program';
import { Buf, linearForward, matmulDispatch } from '../../../src/kernels/matmul';
import { openNodeGpu } from '../../../src/node/gpu';
import { useGpu } from '../helpers/gpu';

const kernelSpec = {
  name: 'test.kernel',
  source: { file: 'test/k.wgsl', code: '@compute @workgroup_size(WG) fn main() {}' },
  constants: { WG: 64 },
  entryPoint: 'main',
  bindings: [{ name: 'params', kind: 'uniform' }] as const,
  paramBytes: 16,
};

/** Iterations of the one-invocation loop: about 0.8 s on SwiftShader here. */
const spinIterations = 100_000_000;

describe('gpu runtime', () => {
  const gpu = useGpu();

  it('reports a WGSL error with the kernel name', async () => {
    const bad = defineKernel({ ...kernelSpec, name: 'broken.kernel', source: { file: 'test/broken.wgsl', code: '@compute @workgroup_size(WG) fn main() { let x: u32 = 1.5; }' } });
    await expect(getPipeline(gpu(), bad)).rejects.toThrow(/kernel broken\.kernel \(WGSL\): validation error/);
  });

  it('builds WGSL from TypeScript constants and declared libraries, refusing what is implied', () => {
    const lib = { file: 'test/lib.wgsl', code: 'var<workgroup> red: array<f32, WG>;\nfn use_red() -> f32 { return red[0]; }', needs: ['WG'] };
    const k = defineKernel({ ...kernelSpec, constants: { WG: 64, WG_Y: 2 }, source: { file: 'test/k.wgsl', code: '@compute @workgroup_size(WG, WG_Y) fn main() { _ = use_red(); }', requires: [lib, lib] } });
    expect(k.code).toMatch(/^\/\/ Constants from TypeScript \(kernel test\.kernel\)\.\nconst WG: u32 = 64u;/);
    expect(k.code.match(/---- test\/lib\.wgsl/g)).toHaveLength(1);
    expect([k.workgroupSize, k.threads, k.workgroupBytes, k.files]).toEqual([[64, 2, 1], 128, 256, ['test/lib.wgsl', 'test/k.wgsl']]);
    expect(() => defineKernel({ ...kernelSpec, source: { file: 'test/k.wgsl', code: '@compute @workgroup_size(64) fn main() {}' } })).toThrow(/@workgroup_size\(64\) must name constants from TypeScript, not "64"/);
    expect(() => defineKernel({ ...kernelSpec, constants: {}, source: { file: 'test/k.wgsl', code: 'fn main() {}', requires: [lib] } })).toThrow(/test\/lib\.wgsl needs the constant WG, which the kernel does not define/);
    expect(() => defineKernel({ ...kernelSpec, source: { file: 'test/k.wgsl', code: 'const WG = 4u;\n@compute @workgroup_size(WG) fn main() {}' } })).toThrow(/test\/k\.wgsl declares const WG, which comes from TypeScript/);
  });

  it('refuses a kernel the device cannot run, naming the limit', () => {
    const big = defineKernel({ ...kernelSpec, constants: { WG: 64, N: 8192 }, source: { file: 'test/big.wgsl', code: 'var<workgroup> t: array<f32, N>;\n@compute @workgroup_size(WG) fn main() { t[0] = 1.0; }' } });
    expect(big.workgroupBytes).toBe(32768);
    const limits = { ...REQUIRED_LIMITS, maxComputeWorkgroupSizeY: 256 } as unknown as GPUSupportedLimits;
    expect(() => checkKernelLimits(limits, big)).toThrow(/kernel test\.kernel needs maxComputeWorkgroupStorageSize ≥ 32768; this device has 16384/);
  });

  it('reports a dispatch whose buffer is too small with its label and shapes', async () => {
    const ctx = gpu();
    const tiny = await createStorage(ctx, 'tiny', 4096);
    // A buffer too small for the job is refused on the host (matmul checks every operand's extent),
    // so use a buffer without STORAGE usage to provoke a bind-group validation error instead.
    const notStorage = ctx.device.createBuffer({ label: 'uniform-only', size: 256, usage: GPUBufferUsage.UNIFORM });
    const spec = matmulDispatch('qkv L0', [linearForward({ rows: 8, in: 4, out: 12 }, 0, { buf: Buf.P, off: 0 }, 0)], { P: notStorage, X: tiny, G: tiny }, 'thread');
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
    const prog = new Program(ctx, 'after-loss').add(matmulDispatch('f', [linearForward({ rows: 2, in: 2, out: 2 }, 0, { buf: Buf.P, off: 0 }, 64)], { P, X: await createStorage(ctx, 'X', 4096), G: await createStorage(ctx, 'G', 4096) }, 'thread'));
    await prog.build();
    ctx.device.destroy();
    await ctx.device.lost;
    await new Promise((r) => setTimeout(r, 0));
    expect(ctx.lost).toBeInstanceOf(GpuDeviceLostError);
    await expect(prog.run()).rejects.toThrow(/GPU device lost \(destroyed\)/);
  });

  it('waiting on the GPU leaves the main thread idle (Dawn polls about once a millisecond, not in a spin)', async () => {
    // One invocation that loops for about a second keeps one SwiftShader worker busy. The process's
    // CPU time over the wait is then that worker's core; a main thread spinning in Dawn's event
    // polling (setImmediate after setImmediate) would add a second whole core.
    const { device } = gpu();
    const module = device.createShaderModule({ code: `
      @group(0) @binding(0) var<storage, read_write> out: array<f32>;
      @compute @workgroup_size(1) fn main() {
        var x = 0.0;
        for (var i = 0u; i < out.arrayLength_ITER; i += 1u) { x = fma(x, 0.999999, 1.0); }
        out[0] = x;
      }`.replace('out.arrayLength_ITER', `${spinIterations}u`) });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const buffer = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer } }] });
    const run = async () => {
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(1);
      pass.end();
      device.queue.submit([enc.finish()]);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await device.queue.onSubmittedWorkDone();
      const cpu = process.cpuUsage(cpu0);
      return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
    };
    await run();
    const { wallMs, cpuMs } = await run();
    buffer.destroy();
    expect(wallMs, 'the loop should keep the GPU busy long enough to measure').toBeGreaterThan(200);
    expect(cpuMs / wallMs, `${cpuMs.toFixed(0)} ms of CPU over a ${wallMs.toFixed(0)} ms wait`).toBeLessThan(1.5);
  });

  it('lays out arena views aligned and rejects bad shapes', () => {
    const a = new ArenaLayout('params', 64);
    const x = a.alloc('x', [3, 5]);
    const y = a.alloc('y', [7]);
    expect([x.offset, x.size, y.offset, a.size]).toEqual([0, 15, 64, 128]);
    expect(() => a.alloc('z', [0, 4])).toThrow(/view z has bad shape \[0, 4\]/);
    expect(() => a.alloc('x', [1])).toThrow(/allocated twice/);
    // Kernels index with u32: an arena may not reach 2³² elements.
    expect(() => a.alloc('huge', [2 ** 16, 2 ** 16])).toThrow(/kernels index arenas with u32, so at most 4294967295 elements/);
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
