// A kernel is one WGSL entry point plus the facts the runtime needs about it: its name (the
// pipeline's label), its bindings in @binding order, the size of its uniform parameter block, and
// what it asks of the device (workgroup size and workgroup storage, read from the assembled WGSL).
// Its source is a WgslSource with declared libraries and a constants object from TypeScript, which
// becomes the WGSL header (src/gpu/wgsl.ts). Pipelines and bind-group layouts are created once per
// device and cached by kernel name.

import type { GpuContext } from './device';
import { GpuUnavailableError, scoped } from './errors';
import { assemble, filesOf, type WgslConstants, type WgslSource } from './wgsl';
import { workgroupBytesOf, workgroupSizeOf } from './wgsl-usage';

/** How a binding is declared in WGSL: var<uniform>, var<storage, read> or var<storage, read_write>. */
export type BindingKind = 'uniform' | 'read' | 'rw';

export interface BindingDef {
  readonly name: string;
  readonly kind: BindingKind;
}

export interface KernelSpec {
  /** Unique name, used as the pipeline label and the cache key, e.g. "layernorm.forward". */
  readonly name: string;
  readonly source: WgslSource;
  /** Values the WGSL reads by name (workgroup sizes, tiles, flags, layouts): its generated header. */
  readonly constants: WgslConstants;
  readonly entryPoint: string;
  /** @group(0) bindings in @binding order. Binding 0 is always the per-dispatch `params` uniform. */
  readonly bindings: readonly BindingDef[];
  /** Byte size of the WGSL `Params` struct bound at binding 0. */
  readonly paramBytes: number;
}

export interface KernelDef extends KernelSpec {
  /** Full WGSL: constants header, required libraries, the source. */
  readonly code: string;
  /** The shaders/ files the code is assembled from, libraries first. */
  readonly files: readonly string[];
  readonly workgroupSize: readonly [number, number, number];
  /** Invocations per workgroup (x·y·z). */
  readonly threads: number;
  /** Workgroup storage the entry point uses, in bytes. */
  readonly workgroupBytes: number;
}

export function defineKernel(spec: KernelSpec): KernelDef {
  if (spec.bindings[0]?.name !== 'params' || spec.bindings[0].kind !== 'uniform') {
    throw new Error(`kernel ${spec.name}: binding 0 must be the 'params' uniform`);
  }
  if (spec.paramBytes % 16 !== 0) throw new Error(`kernel ${spec.name}: paramBytes must be a multiple of 16`);
  const code = assemble(spec.source, spec.constants, spec.name);
  const workgroupSize = workgroupSizeOf(code, spec.entryPoint, spec.constants, spec.name);
  return {
    ...spec,
    code,
    files: filesOf(spec.source),
    workgroupSize,
    threads: workgroupSize[0] * workgroupSize[1] * workgroupSize[2],
    workgroupBytes: workgroupBytesOf(code, spec.entryPoint, spec.constants, spec.name),
  };
}

/** Workgroups that cover `n` items at `perWorkgroup` items each (a linear count; see grid in program.ts). */
export function workgroupsFor(n: number, perWorkgroup: number): number {
  return Math.ceil(n / perWorkgroup);
}

/** Refuses a kernel the device cannot run, naming the limit, what the kernel needs and what the device has. */
export function checkKernelLimits(limits: GPUSupportedLimits, kernel: KernelDef): void {
  const needs: [keyof GPUSupportedLimits, number][] = [
    ['maxComputeInvocationsPerWorkgroup', kernel.threads],
    ['maxComputeWorkgroupSizeX', kernel.workgroupSize[0]],
    ['maxComputeWorkgroupSizeY', kernel.workgroupSize[1]],
    ['maxComputeWorkgroupStorageSize', kernel.workgroupBytes],
  ];
  for (const [limit, need] of needs) {
    const has = limits[limit] as number;
    if (need > has) throw new GpuUnavailableError(`kernel ${kernel.name} needs ${limit} ≥ ${need}; this device has ${has}`);
  }
}

function layoutFor(ctx: GpuContext, kernel: KernelDef): GPUBindGroupLayout {
  const key = kernel.bindings.map((b) => b.kind).join(',');
  let layout = ctx.layouts.get(key);
  if (!layout) {
    layout = ctx.device.createBindGroupLayout({
      label: `layout(${key})`,
      entries: kernel.bindings.map((b, i) => ({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.kind === 'uniform' ? 'uniform' : b.kind === 'read' ? 'read-only-storage' : 'storage' },
      })),
    });
    ctx.layouts.set(key, layout);
  }
  return layout;
}

export function bindGroupLayout(ctx: GpuContext, kernel: KernelDef): GPUBindGroupLayout {
  return layoutFor(ctx, kernel);
}

/** The kernel's pipeline, compiled on first use. Compilation errors name the kernel. */
export async function getPipeline(ctx: GpuContext, kernel: KernelDef): Promise<GPUComputePipeline> {
  const cached = ctx.pipelines.get(kernel.name);
  if (cached) return cached;
  checkKernelLimits(ctx.limits, kernel);
  const { device } = ctx;
  const module = await scoped(device, `kernel ${kernel.name} (WGSL)`, () => device.createShaderModule({ label: kernel.name, code: kernel.code }));
  // Synchronous creation inside an error scope: Dawn's Node binding aborts the process on
  // createComputePipelineAsync with SwiftShader, and creation happens once per kernel anyway.
  const pipeline = await scoped(device, `kernel ${kernel.name} (pipeline)`, () =>
    device.createComputePipeline({
      label: kernel.name,
      layout: device.createPipelineLayout({ label: kernel.name, bindGroupLayouts: [layoutFor(ctx, kernel)] }),
      compute: { module, entryPoint: kernel.entryPoint },
    }),
  );
  ctx.pipelines.set(kernel.name, pipeline);
  return pipeline;
}
