// Per-dispatch GPU time of a Program: each dispatch in its own compute pass with timestamp writes at
// the pass's start and end (timestamp-query feature; in Node Dawn is opened with
// disable-dawn-features=timestamp_quantization so the values are not rounded). Without the feature,
// each dispatch is submitted alone and timed on the host (coarse; labelled as such). Over several
// rounds, each dispatch's median.

import type { GpuContext } from './device';
import type { Program } from './program';

export interface DispatchTime {
  label: string;
  kernel: string;
  ms: number;
}

export interface Profile {
  method: 'timestamp-query' | 'host';
  dispatches: DispatchTime[];
}

async function profileOnce(ctx: GpuContext, program: Program): Promise<Profile> {
  const { device } = ctx;
  const n = program.dispatchCount;
  const labels = program.dispatchLabels;
  const kernels = program.dispatchKernels;
  if (ctx.features.has('timestamp-query')) {
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * n });
    const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder({ label: `profile ${program.label}` });
    for (let i = 0; i < n; i++) {
      const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
      program.encodeOne(pass, i);
      pass.end();
    }
    enc.resolveQuerySet(querySet, 0, 2 * n, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const b of [resolve, read]) b.destroy();
    querySet.destroy();
    return { method: 'timestamp-query', dispatches: labels.map((label, i) => ({ label, kernel: kernels[i], ms: Number(t[2 * i + 1] - t[2 * i]) / 1e6 })) };
  }
  const dispatches: DispatchTime[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    program.encodeOne(pass, i);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    dispatches.push({ label: labels[i], kernel: kernels[i], ms: performance.now() - t0 });
  }
  return { method: 'host', dispatches };
}

/** The median of timings (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Profiles the program `rounds` times and keeps each dispatch's median time: one round on a CPU
 * adapter moves by 10–20% with the host's scheduling, too much to compare two programs by.
 */
export async function profileProgram(ctx: GpuContext, program: Program, rounds = 1): Promise<Profile> {
  const runs: Profile[] = [];
  for (let r = 0; r < rounds; r++) runs.push(await profileOnce(ctx, program));
  return { method: runs[0].method, dispatches: runs[0].dispatches.map((d, i) => ({ ...d, ms: median(runs.map((p) => p.dispatches[i].ms)) })) };
}

/** Total time per kernel name, largest first. */
export function byKernel(p: Profile): { kernel: string; ms: number; count: number; share: number }[] {
  const m = new Map<string, { ms: number; count: number }>();
  for (const d of p.dispatches) {
    const e = m.get(d.kernel) ?? { ms: 0, count: 0 };
    e.ms += d.ms;
    e.count++;
    m.set(d.kernel, e);
  }
  const total = p.dispatches.reduce((a, d) => a + d.ms, 0);
  return [...m].map(([kernel, e]) => ({ kernel, ...e, share: e.ms / total })).sort((a, b) => b.ms - a.ms);
}
