// LoRA on a frozen linear layer through the matmul jobs (merge, forward with the down-projection
// saved, backward for x, A and B) against the float64 reference, with B ≠ 0 so A's gradient is real;
// plus the PEFT invariant that a fresh adapter (B = 0) leaves the outputs unchanged.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { loraBackwardJobs, loraForwardJobs, loraGradAJob, loraMergeJob } from '../../../src/kernels/lora';
import { matmulDispatch } from '../../../src/kernels/matmul';
import { linearForward } from '../../../src/ref/linear';
import { loraBackward, loraForward, loraMerge, loraScale } from '../../../src/ref/lora';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const FWD = { atol: 1e-5, rtol: 1e-4 };

describe('lora kernel (matmul jobs)', () => {
  const gpu = useGpu();
  const shapes: [number, number, number, number][] = [
    [1, 3, 2, 1],
    [5, 17, 9, 4],
    [70, 33, 65, 8],
  ];
  for (const [M, K, N, r] of shapes) {
    for (const zeroB of [false, true]) {
      it(`merge, forward and backward M=${M} K=${K} N=${N} r=${r}${zeroB ? ' (fresh adapter, B = 0)' : ''}`, async () => {
        const ctx = gpu();
        const rng = new Rng(M + K + N + r + (zeroB ? 1 : 0));
        const s = loraScale(16, r);
        const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), bias = rng.uniformArray(N);
        const A = rng.uniformArray(r * K), B = zeroB ? new Float64Array(N * r) : rng.uniformArray(N * r, -0.3, 0.3);
        const dy = rng.uniformArray(M * N), dA0 = rng.uniformArray(r * K), dB0 = rng.uniformArray(N * r);
        const a = arenas();
        const o = { w: a.P.add('w', w), a: a.P.add('A', A), b: a.P.add('B', B), merged: a.X.add('merged', N * K) };
        const bOff = a.P.add('bias', bias);
        const X = { x: a.X.add('x', x), y: a.X.add('y', M * N), t: a.X.add('t', M * r), dy: a.X.add('dy', dy), u: a.X.add('u', M * r), dx: a.X.add('dx', M * K) };
        const g = { dA: a.G.add('dA', dA0), dB: a.G.add('dB', dB0) };
        const shape = { rows: M, in: K, out: N, rank: r, scale: s };
        await runDispatches(ctx, a, (bufs) => [
          matmulDispatch('merge', [loraMergeJob(shape, o)], bufs),
          matmulDispatch('fwd', loraForwardJobs(shape, X.x, o, X.y, X.t, { bias: bOff }), bufs),
          matmulDispatch('bwd', loraBackwardJobs(shape, X.dy, o, X.t, X.u, g, X.dx), bufs),
          matmulDispatch('dA', [loraGradAJob(shape, X.u, X.x, g.dA)], bufs),
        ]);
        const tag = `M${M} K${K} N${N} r${r}${zeroB ? ' B=0' : ''}`;
        const yRef = loraForward(x, w, bias, A, B, M, K, N, r, s);
        const gr = loraBackward(dy, x, w, A, B, M, K, N, r, s);
        expectClose(`lora merge ${tag}`, await a.X.read(ctx, 'merged'), loraMerge(w, A, B, K, N, r, s), FWD);
        expectClose(`lora fwd ${tag}`, await a.X.read(ctx, 'y'), yRef, FWD);
        expectClose(`lora dx ${tag}`, await a.X.read(ctx, 'dx'), gr.dx, FWD);
        expectClose(`lora dA ${tag}`, await a.G.read(ctx, 'dA'), gr.dA.map((v, i) => v + dA0[i]), FWD);
        expectClose(`lora dB ${tag}`, await a.G.read(ctx, 'dB'), gr.dB.map((v, i) => v + dB0[i]), FWD);
        if (zeroB) {
          expectClose(`fresh adapter is the identity ${tag}`, await a.X.read(ctx, 'y'), linearForward(x, w, bias, M, K, N), FWD);
          expect(Math.max(...gr.dA.map(Math.abs))).toBe(0);
        } else {
          expect(Math.max(...gr.dA.map(Math.abs))).toBeGreaterThan(1e-3);
        }
      });
    }
  }
});
