// Shared by the CLI commands: opening the GPU, the one-line error exit, version.

import { ConfigErrors } from '../config/config';
import { openNodeGpu, type NodeBackend } from '../node/gpu';
import type { GpuContext } from '../gpu/device';

export { VERSION } from '../version';

/** Prints one line on stderr and exits non-zero. */
export function fail(e: unknown): never {
  const msg = e instanceof ConfigErrors ? e.errors.map((x) => x.message).join('; ') : e instanceof Error ? e.message : String(e);
  process.stderr.write(`stepsize: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
  process.exit(1);
}

export async function withGpu<T>(backend: NodeBackend, fn: (ctx: GpuContext) => Promise<T>): Promise<T> {
  const ctx = await openNodeGpu(backend, { onUncapturedError: (m) => process.stderr.write(`stepsize: GPU error: ${m}\n`) });
  try {
    return await fn(ctx);
  } finally {
    ctx.device.destroy();
  }
}

export function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}: ${v} is not allowed; a positive integer`);
  return v;
}
