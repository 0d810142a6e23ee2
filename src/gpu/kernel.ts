// A kernel is one WGSL entry point plus the facts the runtime needs about it: its name (the
// pipeline's label), its bindings in @binding order, and the size of its uniform parameter block.
// Pipelines and bind-group layouts are created once per device and cached by kernel name.

import type { GpuContext } from './device';
import { GpuOperationError } from './errors';

/** How a binding is declared in WGSL: var<uniform>, var<storage, read> or var<storage, read_write>. */
export type BindingKind = 'uniform' | 'read' | 'rw';

export interface BindingDef {
  readonly name: string;
  readonly kind: BindingKind;
}

export interface KernelDef {
  /** Unique name, used as the pipeline label and the cache key, e.g. "layernorm.forward". */
  readonly name: string;
  /** Full WGSL source (shared snippets already prepended). */
  readonly code: string;
  readonly entryPoint: string;
  /** @group(0) bindings in @binding order. Binding 0 is always the per-dispatch `params` uniform. */
  readonly bindings: readonly BindingDef[];
  /** Byte size of the WGSL `Params` struct bound at binding 0. */
  readonly paramBytes: number;
  /** Threads per workgroup (for documentation and occupancy estimates). */
  readonly threads: number;
}

export function defineKernel(def: KernelDef): KernelDef {
  if (def.bindings[0]?.name !== 'params' || def.bindings[0].kind !== 'uniform') {
    throw new Error(`kernel ${def.name}: binding 0 must be the 'params' uniform`);
  }
  if (def.paramBytes % 16 !== 0) throw new Error(`kernel ${def.name}: paramBytes must be a multiple of 16`);
  return def;
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
  const { device } = ctx;
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label: kernel.name, code: kernel.code });
  const moduleError = await device.popErrorScope();
  if (moduleError) throw new GpuOperationError(`kernel ${kernel.name} (WGSL)`, 'validation', moduleError.message);
  // Synchronous creation inside an error scope: Dawn's Node binding aborts the process on
  // createComputePipelineAsync with SwiftShader, and creation happens once per kernel anyway.
  device.pushErrorScope('validation');
  const pipeline = device.createComputePipeline({
    label: kernel.name,
    layout: device.createPipelineLayout({ label: kernel.name, bindGroupLayouts: [layoutFor(ctx, kernel)] }),
    compute: { module, entryPoint: kernel.entryPoint },
  });
  const pipelineError = await device.popErrorScope();
  if (pipelineError) throw new GpuOperationError(`kernel ${kernel.name} (pipeline)`, 'validation', pipelineError.message);
  ctx.pipelines.set(kernel.name, pipeline);
  return pipeline;
}
