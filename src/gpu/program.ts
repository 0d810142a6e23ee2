// A Program is a fixed list of dispatches decided once: pipelines compiled, every dispatch's
// uniform parameter block written into one shared buffer, bind groups created, all at build().
// Running it only encodes the list into a compute pass; nothing is allocated per run.

import { assertAlive, untilLost, type GpuContext } from './device';
import { scoped } from './errors';
import { bindGroupLayout, getPipeline, type KernelDef } from './kernel';

export type BufferRef = GPUBuffer | GPUBufferBinding;

export interface DispatchSpec {
  readonly kernel: KernelDef;
  /** Names the kernel and the shapes, e.g. "matmul qkv L0 M=2048 N=384 K=128"; used in errors. */
  readonly label: string;
  /** The Params block, exactly kernel.paramBytes long. */
  readonly params: ArrayBuffer;
  /** Every binding after `params`, by name. */
  readonly buffers: Readonly<Record<string, BufferRef>>;
  /** Linear workgroup count; split into (x, y) when it exceeds the per-dimension limit. */
  readonly workgroups: number;
  /** Packed runs the dispatch covers, as workgroup_id.z (src/kernels/runs.ts); 1 when absent. */
  readonly runs?: number;
}

interface Built {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  x: number;
  y: number;
  z: number;
}

/** Splits a linear workgroup count into a 2D grid; kernels rebuild the index as y·num_workgroups.x + x. */
export function grid(n: number, maxPerDim: number): [number, number] {
  if (n <= maxPerDim) return [n, 1];
  const y = Math.ceil(n / maxPerDim);
  return [Math.ceil(n / y), y];
}

export class Program {
  private readonly specs: DispatchSpec[] = [];
  private built: Built[] | null = null;
  private paramBuffer: GPUBuffer | null = null;

  constructor(
    private readonly ctx: GpuContext,
    readonly label: string,
  ) {}

  add(spec: DispatchSpec): this {
    if (this.built) throw new Error(`program ${this.label}: add() after build()`);
    if (spec.params.byteLength !== spec.kernel.paramBytes) {
      throw new Error(`${spec.label}: params are ${spec.params.byteLength} bytes, kernel ${spec.kernel.name} wants ${spec.kernel.paramBytes}`);
    }
    if (!(spec.workgroups > 0)) throw new Error(`${spec.label}: workgroup count ${spec.workgroups} must be positive`);
    const runs = spec.runs ?? 1;
    const maxRuns = this.ctx.limits.maxComputeWorkgroupsPerDimension;
    if (!Number.isInteger(runs) || runs < 1 || runs > maxRuns) throw new Error(`${spec.label}: runs = ${runs} must be an integer from 1 to ${maxRuns}`);
    this.specs.push(spec);
    return this;
  }

  /** Number of dispatches the program encodes per run. */
  get dispatchCount(): number {
    return this.specs.length;
  }

  get dispatchLabels(): string[] {
    return this.specs.map((s) => s.label);
  }

  get dispatchKernels(): string[] {
    return this.specs.map((s) => s.kernel.name);
  }

  async build(): Promise<this> {
    const { ctx } = this;
    const { device } = ctx;
    assertAlive(ctx);
    const align = ctx.limits.minUniformBufferOffsetAlignment;
    const offsets: number[] = [];
    let total = 0;
    for (const s of this.specs) {
      offsets.push(total);
      total += Math.ceil(s.params.byteLength / align) * align;
    }
    const pipelines = await Promise.all(this.specs.map((s) => getPipeline(ctx, s.kernel)));
    const paramBuffer = await scoped(device, `${this.label} params buffer (${total} bytes)`, () =>
      device.createBuffer({ label: `${this.label} params`, size: Math.max(total, 16), usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
    );
    this.paramBuffer = paramBuffer;
    const built: Built[] = [];
    for (let i = 0; i < this.specs.length; i++) {
      const s = this.specs[i];
      device.queue.writeBuffer(paramBuffer, offsets[i], s.params);
      const entries: GPUBindGroupEntry[] = s.kernel.bindings.map((b, binding) => {
        if (binding === 0) return { binding, resource: { buffer: paramBuffer, offset: offsets[i], size: s.params.byteLength } };
        const ref = s.buffers[b.name];
        if (!ref) throw new Error(`${s.label}: no buffer given for binding '${b.name}' of kernel ${s.kernel.name}`);
        return { binding, resource: 'buffer' in ref ? ref : { buffer: ref } };
      });
      const bindGroup = await scoped(device, `bind group for ${s.label}`, () => device.createBindGroup({ label: s.label, layout: bindGroupLayout(ctx, s.kernel), entries }));
      const [x, y] = grid(s.workgroups, ctx.limits.maxComputeWorkgroupsPerDimension);
      built.push({ pipeline: pipelines[i], bindGroup, x, y, z: s.runs ?? 1 });
    }
    this.built = built;
    return this;
  }

  /** Encodes every dispatch into `pass`, in order. */
  encode(pass: GPUComputePassEncoder): void {
    if (!this.built) throw new Error(`program ${this.label}: encode() before build()`);
    let last: GPUComputePipeline | null = null;
    for (const d of this.built) {
      if (d.pipeline !== last) pass.setPipeline(d.pipeline);
      last = d.pipeline;
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.x, d.y, d.z);
    }
  }

  /** Encodes dispatch `i` alone (profiling). */
  encodeOne(pass: GPUComputePassEncoder, i: number): void {
    if (!this.built) throw new Error(`program ${this.label}: encodeOne() before build()`);
    const d = this.built[i];
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.x, d.y, d.z);
  }

  /** Encodes and submits the program in its own pass (tests and one-off work). */
  submit(encoder?: GPUCommandEncoder): void {
    assertAlive(this.ctx);
    const enc = encoder ?? this.ctx.device.createCommandEncoder({ label: this.label });
    const pass = enc.beginComputePass({ label: this.label });
    this.encode(pass);
    pass.end();
    if (!encoder) this.ctx.device.queue.submit([enc.finish()]);
  }

  /** Submits inside error scopes and waits, so a failing dispatch is reported with this program's label. */
  async run(): Promise<void> {
    const { device } = this.ctx;
    await scoped(device, `program ${this.label} [${this.dispatchLabels.join('; ')}]`, () => this.submit());
    await untilLost(this.ctx, device.queue.onSubmittedWorkDone());
    assertAlive(this.ctx);
  }

  destroy(): void {
    this.paramBuffer?.destroy();
    this.paramBuffer = null;
    this.built = null;
  }
}
