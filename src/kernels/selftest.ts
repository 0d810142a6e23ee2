// A quick check that WebGPU works here: runs the matmul kernel on a small awkward shape and compares
// it with the float64 reference. The page runs it on load; so can any front door.

import { Rng } from '../data/rng';
import { createStorage, createStorageFrom, readF32 } from '../gpu/buffers';
import type { GpuContext } from '../gpu/device';
import { Program } from '../gpu/program';
import { linearForward as refLinear } from '../ref/matmul';
import { Buf, linearForward, matmulDispatch } from './matmul';
import { styleFor } from './style';

export interface SelfTestResult {
  kernel: string;
  shape: string;
  maxAbsError: number;
  ok: boolean;
  ms: number;
}

/** y = x·Wᵀ + b for x [M, K], W [N, K] on the GPU, against the reference. */
export async function matmulSelfTest(ctx: GpuContext, M = 37, K = 29, N = 45, tolerance = 1e-4): Promise<SelfTestResult> {
  const t0 = performance.now();
  const rng = new Rng(2024);
  const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N);
  const pHost = new Float32Array(N * K + 64 + N);
  pHost.set(w, 0);
  pHost.set(b, Math.ceil((N * K) / 64) * 64);
  const bOff = Math.ceil((N * K) / 64) * 64;
  const P = await createStorageFrom(ctx, 'selftest P', pHost);
  const X = await createStorageFrom(ctx, 'selftest X', new Float32Array([...Float32Array.from(x), ...new Float32Array(M * N)]));
  const G = await createStorage(ctx, 'selftest G', 16);
  const prog = new Program(ctx, 'selftest').add(matmulDispatch('selftest', [linearForward({ rows: M, in: K, out: N }, 0, { buf: Buf.P, off: 0 }, M * K, { bias: bOff })], { P, X, G }, styleFor(ctx.adapter)));
  await prog.build();
  await prog.run();
  const y = await readF32(ctx, X, M * K, M * N);
  const ref = refLinear(x, w, b, M, K, N);
  let maxAbsError = 0;
  for (let i = 0; i < ref.length; i++) maxAbsError = Math.max(maxAbsError, Math.abs(y[i] - ref[i]) || (Number.isNaN(y[i]) ? Infinity : 0));
  prog.destroy();
  for (const buf of [P, X, G]) buf.destroy();
  return { kernel: 'matmul', shape: `${M}x${K} · (${N}x${K})ᵀ`, maxAbsError, ok: maxAbsError <= tolerance, ms: performance.now() - t0 };
}
