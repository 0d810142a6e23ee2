// Builds P (parameters), X (activations) and G (gradients) test arenas, runs dispatches made from
// their offsets, and reads regions back: the shared harness of the kernel tests.
import type { GpuContext } from '../../../src/gpu/device';
import { Program, type DispatchSpec } from '../../../src/gpu/program';
import { TestArena } from './arena';

export interface Arenas {
  P: TestArena;
  X: TestArena;
  G: TestArena;
}

export interface Bound {
  P: GPUBuffer;
  X: GPUBuffer;
  G: GPUBuffer;
}

export function arenas(): Arenas {
  const a = { P: new TestArena('P'), X: new TestArena('X'), G: new TestArena('G') };
  for (const t of Object.values(a)) t.add('_pad', 4); // every arena non-empty
  return a;
}

/** Uploads the arenas, builds one program from `make(buffers)` and runs it once. */
export async function runDispatches(ctx: GpuContext, a: Arenas, make: (b: Bound) => DispatchSpec[]): Promise<Program> {
  const b = { P: await a.P.upload(ctx), X: await a.X.upload(ctx), G: await a.G.upload(ctx) };
  const prog = new Program(ctx, 'test');
  for (const d of make(b)) prog.add(d);
  await prog.build();
  await prog.run();
  return prog;
}
