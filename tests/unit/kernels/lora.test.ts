// LoRA through the very job builders the model uses (src/kernels/lora.ts, composed as
// src/model/graph.ts composes them) against the float64 reference, in both kernel styles:
//   - one adapted layer: merge, forward with the down-projection saved, backward for x, A and B,
//     with B ≠ 0 so A's gradient is real, and the PEFT invariant that a fresh adapter (B = 0)
//     leaves the outputs unchanged;
//   - the fused q/k/v layer: adapters on q and v merge into their row blocks of W' and read their
//     column blocks of dy (stride 3d), while k's rows are copied frozen.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { loraCopyJob, loraDownJob, loraGradAJob, loraGradJobs, loraMergeJob } from '../../../src/kernels/lora';
import { Buf, linearBackwardInput, linearForward as linearJob, matmulDispatch } from '../../../src/kernels/matmul';
import { STYLES } from '../../../src/kernels/style';
import { gradCheck } from '../../../src/ref/gradcheck';
import { loraBackward, loraForward, loraMerge, loraScale } from '../../../src/ref/lora';
import { linearBackward, linearForward } from '../../../src/ref/matmul';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { expectGradOk } from '../helpers/gradcheck';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const FWD = { atol: 1e-5, rtol: 1e-4 };
const plus = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v + b[i]);

describe.each(STYLES)('lora jobs (%s style)', (style) => {
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
        const lin = { rows: M, in: K, out: N };
        const merged = { buf: Buf.X, off: o.merged };
        await runDispatches(ctx, a, (bufs) => [
          matmulDispatch('merge', [loraMergeJob(shape, o)], bufs, style),
          matmulDispatch('fwd', [linearJob(lin, X.x, merged, X.y, { bias: bOff }), loraDownJob(shape, X.x, o.a, X.t)], bufs, style),
          matmulDispatch('bwd', [linearBackwardInput(lin, X.dy, merged, X.dx), ...loraGradJobs(shape, { off: X.dy, stride: N }, { b: o.b, t: X.t, u: X.u, dB: g.dB })], bufs, style),
          matmulDispatch('dA', [loraGradAJob(shape, X.u, X.x, g.dA)], bufs, style),
        ]);
        const tag = `${style} M${M} K${K} N${N} r${r}${zeroB ? ' B=0' : ''}`;
        const yRef = loraForward(x, w, bias, A, B, M, K, N, r, s);
        const gr = loraBackward(dy, x, w, A, B, M, K, N, r, s);
        expectClose(`lora merge ${tag}`, await a.X.read(ctx, 'merged'), loraMerge(w, A, B, K, N, r, s), FWD);
        expectClose(`lora fwd ${tag}`, await a.X.read(ctx, 'y'), yRef, FWD);
        expectClose(`lora dx ${tag}`, await a.X.read(ctx, 'dx'), gr.dx, FWD);
        expectClose(`lora dA ${tag}`, await a.G.read(ctx, 'dA'), plus(gr.dA, dA0), FWD);
        expectClose(`lora dB ${tag}`, await a.G.read(ctx, 'dB'), plus(gr.dB, dB0), FWD);
        if (zeroB) {
          expectClose(`fresh adapter is the identity ${tag}`, await a.X.read(ctx, 'y'), linearForward(x, w, bias, M, K, N), FWD);
          expect(Math.max(...gr.dA.map(Math.abs))).toBe(0);
        } else {
          expect(Math.max(...gr.dA.map(Math.abs))).toBeGreaterThan(1e-3);
        }
      });
    }
  }

  it('fused q/k/v: adapters on q and v at their row and column blocks, k copied frozen', async () => {
    const ctx = gpu();
    const [M, d, r] = [7, 12, 3];
    const rng = new Rng(41);
    const s = loraScale(8, r);
    const x = rng.uniformArray(M * d), w = rng.uniformArray(3 * d * d), bias = rng.uniformArray(3 * d), dy = rng.uniformArray(M * 3 * d);
    const block = (arr: Float64Array, j: number, n: number) => arr.subarray(j * n, (j + 1) * n);
    const adapted = { q: 0, v: 2 } as const;
    const a = arenas();
    const wOff = a.P.add('w', w), bOff = a.P.add('bias', bias);
    const X = { x: a.X.add('x', x), merged: a.X.add('merged', 3 * d * d), y: a.X.add('y', M * 3 * d), dy: a.X.add('dy', dy), dx: a.X.add('dx', M * d) };
    const shape = { rows: M, in: d, out: d, rank: r, scale: s };
    const host = Object.fromEntries(Object.keys(adapted).map((t) => [t, { A: rng.uniformArray(r * d), B: rng.uniformArray(d * r, -0.3, 0.3) }]));
    const off = Object.fromEntries(Object.keys(adapted).map((t) => [t, {
      a: a.P.add(`${t}.A`, host[t].A), b: a.P.add(`${t}.B`, host[t].B),
      t: a.X.add(`${t}.t`, M * r), u: a.X.add(`${t}.u`, M * r), dA: a.G.add(`${t}.dA`, r * d), dB: a.G.add(`${t}.dB`, d * r),
    }]));
    const targets = Object.entries(adapted);
    const merged = { buf: Buf.X, off: X.merged };
    const lin = { rows: M, in: d, out: 3 * d };
    await runDispatches(ctx, a, (bufs) => [
      matmulDispatch('copy k', [loraCopyJob(d, d, wOff + d * d, X.merged + d * d)], bufs, style),
      matmulDispatch('merge', targets.map(([t, j]) => loraMergeJob(shape, { w: wOff + j * d * d, a: off[t].a, b: off[t].b, merged: X.merged + j * d * d })), bufs, style),
      matmulDispatch('qkv', [linearJob(lin, X.x, merged, X.y, { bias: bOff }), ...targets.map(([t]) => loraDownJob(shape, X.x, off[t].a, off[t].t))], bufs, style),
      matmulDispatch('qkv backward', [
        linearBackwardInput(lin, X.dy, merged, X.dx),
        ...targets.flatMap(([t, j]) => loraGradJobs(shape, { off: X.dy + j * d, stride: 3 * d }, { b: off[t].b, t: off[t].t, u: off[t].u, dB: off[t].dB })),
      ], bufs, style),
      matmulDispatch('dA', targets.map(([t]) => loraGradAJob(shape, off[t].u, X.x, off[t].dA)), bufs, style),
    ]);
    // Reference, block by block: y's columns [j·d, (j+1)·d) come from W's rows [j·d, (j+1)·d).
    const dyBlock = (j: number) => Float64Array.from({ length: M * d }, (_, i) => dy[Math.floor(i / d) * 3 * d + j * d + (i % d)]);
    const yRef = new Float64Array(M * 3 * d);
    const dxRef = new Float64Array(M * d);
    for (let j = 0; j < 3; j++) {
      const t = Object.keys(adapted).find((k) => adapted[k as keyof typeof adapted] === j);
      const wj = block(w, j, d * d), bj = block(bias, j, d);
      const yj = t ? loraForward(x, wj, bj, host[t].A, host[t].B, M, d, d, r, s) : linearForward(x, wj, bj, M, d, d);
      for (let i = 0; i < M * d; i++) yRef[Math.floor(i / d) * 3 * d + j * d + (i % d)] = yj[i];
      const gj = t ? loraBackward(dyBlock(j), x, wj, host[t].A, host[t].B, M, d, d, r, s) : linearBackward(dyBlock(j), x, wj, M, d, d);
      for (let i = 0; i < dxRef.length; i++) dxRef[i] += gj.dx[i];
      if (t) {
        const g = gj as ReturnType<typeof loraBackward>;
        expectClose(`lora qkv ${style} ${t} dA`, await a.G.read(ctx, `${t}.dA`), g.dA, FWD);
        expectClose(`lora qkv ${style} ${t} dB`, await a.G.read(ctx, `${t}.dB`), g.dB, FWD);
        expectClose(`lora qkv ${style} ${t} merged rows`, (await a.X.read(ctx, 'merged')).subarray(j * d * d, (j + 1) * d * d), loraMerge(wj, host[t].A, host[t].B, d, d, r, s), FWD);
      }
    }
    expectClose(`lora qkv ${style} frozen k rows`, (await a.X.read(ctx, 'merged')).subarray(d * d, 2 * d * d), Float32Array.from(block(w, 1, d * d)), { atol: 0, rtol: 0 });
    expectClose(`lora qkv ${style} fwd`, await a.X.read(ctx, 'y'), yRef, FWD);
    expectClose(`lora qkv ${style} dx`, await a.X.read(ctx, 'dx'), dxRef, FWD);
  });

  itRanEveryKernel(gpu, 'lora', style);
});

describe('lora reference backward vs finite differences', () => {
  it('lora (B non-zero)', () => {
    const rng = new Rng(7);
    const [M, K, N, r, s] = [4, 6, 5, 2, 8];
    const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N);
    const A = rng.uniformArray(r * K), B = rng.uniformArray(N * r), dy = rng.uniformArray(M * N);
    const g = loraBackward(dy, x, w, A, B, M, K, N, r, s);
    expect(Math.max(...g.dA.map(Math.abs))).toBeGreaterThan(1e-3);
    expectGradOk('lora', gradCheck(([x, A, B]) => loraForward(x, w, b, A, B, M, K, N, r, s), [x, A, B], dy, [g.dx, g.dA, g.dB]));
  });
});
