// The optimizer step (gradient norm, clipping, AdamW with per-tensor learning-rate multipliers and
// decay flags, gradient zeroing, update statistics) against the float64 reference over several
// steps, on tensors of awkward sizes (one spans several chunks); then the halt flag on NaN and on
// divergence, which must leave the parameters untouched.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import type { GpuContext } from '../../../src/gpu/device';
import { createStorage, createStorageFrom, readBytes, readF32, upload } from '../../../src/gpu/buffers';
import { Program } from '../../../src/gpu/program';
import {
  buildOptimTable, CHUNK, decodeSlot, decodeState, finalizeKernel, HALT_CODES, optimizerStep, packStep, SLOT_FIELDS, SLOT_HEAD, STATE_BYTES, statsKernel, STEP_BYTES, workSize,
  type OptimHyper, type OptimTensor,
} from '../../../src/kernels/optim';
import { adamwStep, clipScale, globalNorm, type Segment } from '../../../src/ref/optim';
import { STYLES, type KernelStyle } from '../../../src/kernels/style';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { useGpu } from '../helpers/gpu';

const tensors: OptimTensor[] = [
  { name: 'a', offset: 0, size: 5, lrMult: 1, decay: true },
  { name: 'b', offset: 64, size: CHUNK + 37, lrMult: 0.5, decay: false },
  { name: 'c', offset: 64 + 4160, size: 130, lrMult: 2, decay: true },
];
const N = 64 + 4160 + 130;
const H: OptimHyper = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0, divergeMargin: 3 };

async function setup(ctx: GpuContext, p0: Float64Array, lossCount: number, style: KernelStyle) {
  const table = buildOptimTable(tensors);
  const ringSlots = 4;
  const b = {
    step: await createStorage(ctx, 'step', STEP_BYTES),
    P: await createStorageFrom(ctx, 'P', Float32Array.from(p0)),
    G: await createStorage(ctx, 'G', N * 4),
    M: await createStorage(ctx, 'M', N * 4),
    V: await createStorage(ctx, 'V', N * 4),
    table: await createStorageFrom(ctx, 'table', table.data),
    work: await createStorage(ctx, 'work', workSize(table) * 4),
    losses: await createStorage(ctx, 'losses', (lossCount + 3) * 4),
    state: await createStorage(ctx, 'state', STATE_BYTES),
    ring: await createStorage(ctx, 'ring', ringSlots * table.slotSize * 4),
  };
  const prog = new Program(ctx, 'optim');
  for (const d of optimizerStep('t', { table, lossOff: 3, lossCount, ringSlots, zeroGrads: true }, b, style)) prog.add(d);
  await prog.build();
  return { b, prog, table, ringSlots };
}

const segments: Segment[] = tensors.map((t) => ({ start: t.offset, count: t.size, lrMult: t.lrMult, decay: t.decay }));
const mask = (x: ArrayLike<number>) => {
  const out = new Float64Array(N);
  for (const t of tensors) for (let i = t.offset; i < t.offset + t.size; i++) out[i] = x[i];
  return out;
};

describe.each(STYLES)('optimizer kernels (%s style)', (style) => {
  const gpu = useGpu();

  it('four AdamW steps with clipping, per-tensor rates and decay match the reference', async () => {
    const ctx = gpu();
    const rng = new Rng(3);
    const p = mask(rng.uniformArray(N));
    const m = new Float64Array(N), v = new Float64Array(N);
    const { b, prog, table, ringSlots } = await setup(ctx, p, 10, style);
    for (let t = 1; t <= 4; t++) {
      // Step 2's gradients are large enough to be clipped.
      const g = mask(rng.uniformArray(N, -1, 1).map((x) => x * (t === 2 ? 0.5 : 0.01)));
      const losses = rng.uniformArray(10, 1, 3);
      const lr = 1e-2 * t;
      upload(ctx, b.G, Float32Array.from(g));
      upload(ctx, b.losses, Float32Array.from(losses), 12);
      ctx.device.queue.writeBuffer(b.step, 0, packStep(t, lr, H, (t - 1) % ringSlots));
      await prog.run();
      const gf = Float64Array.from(Float32Array.from(g));
      const norm = globalNorm(gf);
      const clip = clipScale(norm, H.gradClip);
      if (t === 2) expect(clip).toBeLessThan(1);
      const before = Float64Array.from(p);
      adamwStep(p, gf, m, v, { ...H, lr }, t, segments, clip);
      expectClose(`adamw params ${style} step ${t}`, await readF32(ctx, b.P, 0, N), p, { atol: 2e-6, rtol: 1e-5 });
      expectClose(`adamw grads zeroed step ${t}`, await readF32(ctx, b.G, 0, N), new Float64Array(N), { atol: 0, rtol: 0 });
      const slot = decodeSlot(await readF32(ctx, b.ring), (t - 1) % ringSlots, table.nTensors);
      expect(slot.step).toBe(t);
      expect(slot.halt).toBeNull();
      expectClose(`gradnorm step ${t}`, [slot.gradNorm, slot.clip, slot.lr, slot.loss], [norm, clip, lr, losses.reduce((a, c) => a + c) / 10], { atol: 1e-6, rtol: 1e-5 });
      const tn = tensors.map((x) => globalNorm(gf.subarray(x.offset, x.offset + x.size)));
      expectClose(`per-tensor grad norms step ${t}`, slot.tensorGradNorms, tn, { atol: 1e-6, rtol: 1e-5 });
      const ratio = tensors.map((x) => {
        let du = 0, pw = 0;
        for (let i = x.offset; i < x.offset + x.size; i++) { du += (p[i] - before[i]) ** 2; pw += before[i] ** 2; }
        return Math.sqrt(du / pw);
      });
      expectClose(`per-tensor update ratios step ${t}`, slot.tensorUpdateRatios, ratio, { atol: 1e-6, rtol: 1e-3 });
      // The slot's totals: ‖Δp‖ / ‖p‖ over every tensor, and ‖p‖ before the update.
      let du = 0, pw = 0;
      for (let i = 0; i < N; i++) { du += (p[i] - before[i]) ** 2; pw += before[i] ** 2; }
      expectClose(`ring totals step ${t}`, [slot.updateRatio, slot.paramNorm], [Math.sqrt(du / pw), Math.sqrt(pw)], { atol: 1e-6, rtol: 1e-3 });
    }
  });

  it('halts on a NaN gradient and on divergence, leaving parameters unchanged', async () => {
    const ctx = gpu();
    const rng = new Rng(4);
    const p = mask(rng.uniformArray(N));
    const { b, prog, table } = await setup(ctx, p, 2, style);
    const step = async (t: number, g: Float64Array, losses: number[]) => {
      upload(ctx, b.G, Float32Array.from(g));
      upload(ctx, b.losses, Float32Array.from(losses), 12);
      ctx.device.queue.writeBuffer(b.step, 0, packStep(t, 1e-2, H, t - 1));
      await prog.run();
    };
    await step(1, mask(rng.uniformArray(N, -0.01, 0.01)), [2, 2]);
    const after1 = await readF32(ctx, b.P, 0, N);
    const bad = mask(rng.uniformArray(N, -0.01, 0.01));
    bad[tensors[1].offset + 4100] = NaN;
    await step(2, bad, [2, 2]);
    await step(3, mask(rng.uniformArray(N, -0.01, 0.01)), [2, 2]);
    expectClose('params frozen after NaN', await readF32(ctx, b.P, 0, N), after1, { atol: 0, rtol: 0 });
    const st = decodeState(await readBytes(ctx, b.state));
    expect(st.halt).toBe(2);
    expect(st.haltStep).toBe(2);
    const ring = await readF32(ctx, b.ring);
    expect(decodeSlot(ring, 1, table.nTensors).halt).toBe('gradNotFinite');
    expect(decodeSlot(ring, 1, table.nTensors).updateRatio).toBe(0);

    // A fresh run whose loss climbs 3+ nats above its first step halts as diverged.
    const fresh = await setup(ctx, p, 2, style);
    const run = async (t: number, loss: number) => {
      upload(ctx, fresh.b.G, Float32Array.from(mask(rng.uniformArray(N, -0.01, 0.01))));
      upload(ctx, fresh.b.losses, Float32Array.from([loss, loss]), 12);
      ctx.device.queue.writeBuffer(fresh.b.step, 0, packStep(t, 1e-2, H, t - 1));
      await fresh.prog.run();
    };
    await run(1, 1.5);
    await run(2, 4.0);
    expect(decodeState(await readBytes(ctx, fresh.b.state)).halt).toBe(0);
    await run(3, 5.0);
    const s2 = decodeState(await readBytes(ctx, fresh.b.state));
    expect([s2.halt, s2.haltStep, s2.firstLoss, s2.haltLoss]).toEqual([3, 3, 1.5, 5]);
  });

  itRanEveryKernel(gpu, 'optim', style);
});

describe('the metrics ring layout', () => {
  it('is written only through the SLOT_* constants that SLOT_FIELDS defines, and decoded field by field', () => {
    const wgsl = [finalizeKernel, statsKernel].map((k) => k.code).join('\n');
    // Every ring write names its field: no literal slot offsets.
    const writes = [...wgsl.matchAll(/ring\[base \+ ([^\]]+)\]/g)].map((m) => m[1]);
    expect(writes.filter((w) => !/^SLOT_[A-Z_]+( \+ .*)?$/.test(w))).toEqual([]);
    const names = new Set(writes.map((w) => w.split(' ')[0]));
    const fields = Object.keys(SLOT_FIELDS).map((f) => `SLOT_${f.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
    expect([...names].sort()).toEqual([...fields, 'SLOT_HEAD'].sort());
    // The header the WGSL sees holds the same numbers as the decoder's table.
    for (const [f, i] of Object.entries(SLOT_FIELDS)) {
      expect(wgsl).toContain(`const SLOT_${f.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}: u32 = ${i}u;`);
    }
    const ring = new Float32Array(2 * (SLOT_HEAD + 2));
    Object.values(SLOT_FIELDS).forEach((i) => { ring[SLOT_HEAD + 2 + i] = 10 + i; });
    ring[SLOT_HEAD + 2 + SLOT_FIELDS.halt] = HALT_CODES.diverged;
    const m = decodeSlot(ring, 1, 1);
    expect([m.step, m.loss, m.gradNorm, m.lr, m.clip, m.halt, m.updateRatio, m.paramNorm]).toEqual([10, 11, 12, 13, 14, 'diverged', 16, 17]);
    ring[SLOT_HEAD + 2 + SLOT_FIELDS.halt] = 9;
    expect(() => decodeSlot(ring, 1, 1)).toThrow(/halt code 9 is not one of 1, 2, 3/);
  });
});
