// Packed runs (src/kernels/runs.ts): every family's dispatches over K runs side by side (one
// dispatch, workgroup_id.z = run) give each run, bit for bit, what the same dispatches give it
// alone, in both styles. Each run has its own parameters, activations, gradients and windows; the
// corpus is shared. Kernels are checked against the float64 references in their own test files.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { createStorageFrom, readBytes, readF32 } from '../../../src/gpu/buffers';
import type { GpuContext } from '../../../src/gpu/device';
import { Program, type BufferRef, type DispatchSpec } from '../../../src/gpu/program';
import { attentionBackward, attentionForward } from '../../../src/kernels/attention';
import { crossEntropy } from '../../../src/kernels/crossentropy';
import { embeddingBackward, embeddingForward, packTokens } from '../../../src/kernels/embedding';
import { layerNormBackward, layerNormForward } from '../../../src/kernels/layernorm';
import { biasGrad, Buf, linearBackwardInput, linearBackwardWeight, linearForward, matmulDispatch } from '../../../src/kernels/matmul';
import { buildOptimTable, CHUNK, decodeState, HALT_CODES, optimizerStep, packStep, STATE_BYTES, STEP_BYTES, workSize, type OptimHyper } from '../../../src/kernels/optim';
import { ONE_RUN, type Runs } from '../../../src/kernels/runs';
import { STYLES, type KernelStyle } from '../../../src/kernels/style';
import { useGpu } from '../helpers/gpu';

const CORPUS_BYTES = 300;

/** Elements of one run's data in each buffer. */
interface Sizes {
  P: number;
  X: number;
  G: number;
  windows: number;
}

type Buffers = { P: BufferRef; X: BufferRef; G: BufferRef; corpus: BufferRef; windows: BufferRef };
type Build = (bufs: Buffers, runs: Runs) => DispatchSpec[];

/** Hands out consecutive element offsets in one run's arena. */
class Alloc {
  size = 0;
  take(n: number): number {
    const at = this.size;
    this.size += n;
    return at;
  }
}

interface RunData {
  P: Float32Array;
  X: Float32Array;
  G: Float32Array;
  windows: Uint32Array;
}

async function execute(ctx: GpuContext, corpus: Uint8Array, data: RunData[], sizes: Sizes, build: Build, runs: Runs): Promise<{ X: Float32Array; G: Float32Array }> {
  const cat = <T extends Float32Array | Uint32Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const f32 = (n: number) => new Float32Array(Math.max(n, 4));
  const bufs = {
    P: await createStorageFrom(ctx, 'P', cat(data.map((d) => d.P), f32)),
    X: await createStorageFrom(ctx, 'X', cat(data.map((d) => d.X), f32)),
    G: await createStorageFrom(ctx, 'G', cat(data.map((d) => d.G), f32)),
    windows: await createStorageFrom(ctx, 'windows', cat(data.map((d) => d.windows), (n) => new Uint32Array(Math.max(n, 4)))),
    corpus: await createStorageFrom(ctx, 'corpus', packTokens(corpus)),
  };
  const prog = new Program(ctx, 'runs test');
  for (const d of build(bufs, runs)) prog.add(d);
  await prog.build();
  await prog.run();
  const out = { X: await readF32(ctx, bufs.X, 0, sizes.X * data.length), G: await readF32(ctx, bufs.G, 0, sizes.G * data.length) };
  prog.destroy();
  for (const b of Object.values(bufs)) b.destroy();
  return out;
}

/** K runs of random data: packed in one program, then each alone; every run's X and G must match bit for bit. */
async function expectPackedEqualsAlone(ctx: GpuContext, seed: number, sizes: Sizes, build: Build, K = 3): Promise<void> {
  const rng = new Rng(seed);
  const corpus = Uint8Array.from({ length: CORPUS_BYTES }, () => rng.int(256));
  const data: RunData[] = Array.from({ length: K }, () => ({
    P: Float32Array.from(rng.uniformArray(sizes.P)),
    X: Float32Array.from(rng.uniformArray(sizes.X)),
    G: Float32Array.from(rng.uniformArray(sizes.G)),
    windows: Uint32Array.from({ length: sizes.windows }, () => rng.int(CORPUS_BYTES - 64)),
  }));
  const packed = await execute(ctx, corpus, data, sizes, build, { count: K, ...sizes });
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  for (let r = 0; r < K; r++) {
    const alone = await execute(ctx, corpus, [data[r]], sizes, build, ONE_RUN);
    expect(bits(packed.X.subarray(r * sizes.X, (r + 1) * sizes.X)), `run ${r} of ${K}: X`).toEqual(bits(alone.X));
    expect(bits(packed.G.subarray(r * sizes.G, (r + 1) * sizes.G)), `run ${r} of ${K}: G`).toEqual(bits(alone.G));
    // The run's data changed (the dispatches did something), so equality is not trivial.
    expect(bits(alone.X)).not.toEqual(bits(data[r].X));
  }
}

describe.each(STYLES)('packed runs: each run as if alone (%s style)', (style: KernelStyle) => {
  const gpu = useGpu();

  it('matmul: forward with bias and GELU, dX, dW, bias gradient, and narrow (tall, wide) products in one dispatch', async () => {
    const P = new Alloc(), X = new Alloc(), G = new Alloc();
    const [M, K, N] = [5, 7, 6];
    const s = { rows: M, in: K, out: N };
    const w = P.take(N * K), b = P.take(N), wt = P.take(3 * 4);
    const x = X.take(M * K), y = X.take(M * N), pre = X.take(M * N), dy = X.take(M * N), dx = X.take(M * K);
    const xt = X.take(130 * 4), yt = X.take(130 * 3), xw = X.take(9 * 130), dyw = X.take(9 * 3);
    const dw = G.take(N * K), db = G.take(N), dww = G.take(3 * 130);
    const build: Build = (bufs, runs) => [
      matmulDispatch('all', [
        linearForward(s, x, { buf: Buf.P, off: w }, y, { bias: b, gelu: { off: pre, sm: N } }),
        linearBackwardInput(s, dy, { buf: Buf.P, off: w }, dx),
        linearBackwardWeight(s, dy, x, { buf: Buf.G, off: dw }),
        biasGrad(M, N, dy, db),
        linearForward({ rows: 130, in: 4, out: 3 }, xt, { buf: Buf.P, off: wt }, yt),
        linearBackwardWeight({ rows: 9, in: 130, out: 3 }, dyw, xw, { buf: Buf.G, off: dww }),
      ], bufs, style, runs),
    ];
    await expectPackedEqualsAlone(gpu(), 1, { P: P.size, X: X.size, G: G.size, windows: 0 }, build);
  });

  it('layernorm: forward, and backward into dx (accumulated) with dw, db', async () => {
    const P = new Alloc(), X = new Alloc(), G = new Alloc();
    const [R, C] = [6, 8];
    const w = P.take(C), b = P.take(C);
    const x = X.take(R * C), y = X.take(R * C), mean = X.take(R), rstd = X.take(R), dy = X.take(R * C), dx = X.take(R * C);
    const dw = G.take(C), db = G.take(C);
    const build: Build = (bufs, runs) => [
      layerNormForward('f', { R, C, x, y, w, b, mean, rstd }, bufs, style, runs),
      layerNormBackward('b', { R, C, x, w, mean, rstd, dy, dx, accumulateDx: true, paramGrads: { dw, db } }, bufs, style, runs),
    ];
    await expectPackedEqualsAlone(gpu(), 2, { P: P.size, X: X.size, G: G.size, windows: 0 }, build);
  });

  it('attention: forward, then backward', async () => {
    const X = new Alloc();
    const [B, T, C, H] = [2, 5, 8, 2];
    const qkv = X.take(B * T * 3 * C), out = X.take(B * T * C), lse = X.take(B * H * T), dout = X.take(B * T * C), dqkv = X.take(B * T * 3 * C);
    const build: Build = (bufs, runs) => [
      attentionForward('f', { B, T, C, H, qkv, out, lse }, bufs, style, runs),
      attentionBackward('b', { B, T, C, H, qkv, out, lse, dout, dqkv }, bufs, style, runs),
    ];
    await expectPackedEqualsAlone(gpu(), 3, { P: 0, X: X.size, G: 0, windows: 0 }, build);
  });

  it("cross-entropy with its gradient, targets from each run's own windows", async () => {
    const X = new Alloc();
    const [B, T, V] = [2, 4, 256];
    const logits = X.take(B * T * V), losses = X.take(B * T);
    const build: Build = (bufs, runs) => [crossEntropy('ce', { B, T, V, winOff: 1, logits, losses, gradScale: 0.5 }, bufs, style, runs)];
    await expectPackedEqualsAlone(gpu(), 4, { P: 0, X: X.size, G: 0, windows: B + 1 }, build);
  });

  it("token and position embedding: forward, then backward into both tables, tokens from each run's windows", async () => {
    const P = new Alloc(), X = new Alloc(), G = new Alloc();
    const [B, T, C, V] = [2, 4, 8, 256];
    const wte = P.take(V * C), wpe = P.take(T * C);
    const x = X.take(B * T * C), dx = X.take(B * T * C);
    const dwte = G.take(V * C), dwpe = G.take(T * C);
    const build: Build = (bufs, runs) => [
      embeddingForward('f', { B, T, C, V, winOff: 0, x, wte, wpe }, bufs, runs),
      embeddingBackward('b', { B, T, C, V, winOff: 0, dx, dwte, dwpe }, bufs, style, runs),
    ];
    await expectPackedEqualsAlone(gpu(), 5, { P: P.size, X: X.size, G: G.size, windows: B }, build);
  });
});

describe.each(STYLES)('packed runs: the optimizer step (%s style)', (style: KernelStyle) => {
  const gpu = useGpu();
  // Two tensors, three chunks; each run its own rates, betas, decay, clipping and divergence margin.
  const table = buildOptimTable([
    { name: 'a', offset: 0, size: CHUNK + 37, lrMult: 1, decay: true },
    { name: 'b', offset: CHUNK + 64, size: 130, lrMult: 0.5, decay: false },
  ]);
  const n = CHUNK + 64 + 130;
  const [lossOff, lossCount, xSize, ringSlots] = [5, 8, 20, 2];
  const hyper: OptimHyper[] = [
    { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradClip: 1, divergeMargin: 3 },
    { beta1: 0.8, beta2: 0.999, eps: 1e-6, weightDecay: 0, gradClip: 0, divergeMargin: 0 },
    { beta1: 0.95, beta2: 0.9, eps: 1e-7, weightDecay: 0.01, gradClip: 0.05, divergeMargin: 1 },
  ];
  const lrs = [1e-2, 3e-3, 3e-2];

  /** Three steps of runs `which` (packed when several); run 1's second step has a NaN loss. Returns every buffer, per run. */
  async function steps(ctx: GpuContext, which: number[]) {
    const K = which.length;
    const rng = new Rng(9);
    const init = [0, 1, 2].map(() => Float32Array.from(rng.uniformArray(n)));
    const grads = [0, 1, 2].map(() => [1, 2, 3].map(() => Float32Array.from(rng.uniformArray(n, -0.05, 0.05))));
    const losses = [0, 1, 2].map((r) => [1, 2, 3].map((t) => Float32Array.from({ length: xSize }, (_, i) => (r === 1 && t === 2 && i === lossOff ? NaN : 2 + 0.1 * i / t))));
    const cat = (parts: Float32Array[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));
    const b = {
      step: await createStorageFrom(ctx, 'step', new Uint8Array(STEP_BYTES * K)),
      P: await createStorageFrom(ctx, 'P', cat(which.map((r) => init[r]))),
      G: await createStorageFrom(ctx, 'G', new Float32Array(n * K)),
      M: await createStorageFrom(ctx, 'M', new Float32Array(n * K)),
      V: await createStorageFrom(ctx, 'V', new Float32Array(n * K)),
      table: await createStorageFrom(ctx, 'table', table.data),
      work: await createStorageFrom(ctx, 'work', new Float32Array(workSize(table) * K)),
      losses: await createStorageFrom(ctx, 'X', new Float32Array(xSize * K)),
      state: await createStorageFrom(ctx, 'state', new Uint8Array(STATE_BYTES * K)),
      ring: await createStorageFrom(ctx, 'ring', new Float32Array(ringSlots * table.slotSize * K)),
    };
    const runs: Runs = { count: K, P: n, X: xSize, G: n, windows: 0 };
    const prog = new Program(ctx, 'optimizer runs');
    for (const d of optimizerStep('t', { table, lossOff, lossCount, ringSlots, zeroGrads: true }, b, style, runs)) prog.add(d);
    await prog.build();
    for (let t = 1; t <= 3; t++) {
      ctx.device.queue.writeBuffer(b.G, 0, cat(which.map((r) => grads[r][t - 1])));
      ctx.device.queue.writeBuffer(b.losses, 0, cat(which.map((r) => losses[r][t - 1])));
      which.forEach((r, k) => ctx.device.queue.writeBuffer(b.step, k * STEP_BYTES, packStep(t, lrs[r] * t, hyper[r], (t - 1) % ringSlots)));
      await prog.run();
    }
    const read = async (buf: GPUBuffer) => new Uint32Array(await readBytes(ctx, buf));
    const all = { P: await read(b.P), M: await read(b.M), V: await read(b.V), G: await read(b.G), work: await read(b.work), ring: await read(b.ring), state: await read(b.state) };
    prog.destroy();
    for (const x of Object.values(b)) x.destroy();
    // Elements of one run in each buffer (a buffer may be longer: sizes are rounded up).
    const size: Record<keyof typeof all, number> = { P: n, M: n, V: n, G: n, work: workSize(table), ring: ringSlots * table.slotSize, state: STATE_BYTES / 4 };
    const per = (name: keyof typeof all, k: number) => Array.from(all[name].subarray(k * size[name], (k + 1) * size[name]));
    return which.map((_, k) => Object.fromEntries((Object.keys(all) as (keyof typeof all)[]).map((name) => [name, per(name, k)])) as Record<keyof typeof all, number[]>);
  }

  it('three runs in one step program end bit for bit as each alone; the run whose loss turned NaN halts alone', async () => {
    const ctx = gpu();
    const packed = await steps(ctx, [0, 1, 2]);
    for (const r of [0, 1, 2]) {
      const [alone] = await steps(ctx, [r]);
      for (const name of Object.keys(alone) as (keyof typeof alone)[]) expect(packed[r][name], `run ${r}: ${name}`).toEqual(alone[name]);
    }
    const state = (r: number) => decodeState(new Uint32Array(packed[r].state).buffer);
    expect(state(1).halt).toBe(HALT_CODES.lossNotFinite);
    expect(state(1).haltStep).toBe(2);
    expect(state(0).halt).toBe(0);
    expect(state(2).halt).toBe(0);
    expect(state(0).lastStep).toBe(3);
  });
});
