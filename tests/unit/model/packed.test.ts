// Packed runs at the model level: K runs of one setup in one GpuModel (every buffer K runs long,
// every dispatch covering all K) train, step for step, exactly as each run trains alone: parameters,
// AdamW's moments, the optimizer state, every metric in the ring and the evaluation losses agree bit
// for bit, in both kernel styles, for full training and LoRA. Each run has its own seed, windows,
// learning rate and optimizer hyperparameters. The step's dispatch count does not depend on K.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { readF32 } from '../../../src/gpu/buffers';
import type { GpuContext } from '../../../src/gpu/device';
import type { OptimHyper } from '../../../src/kernels/optim';
import { STYLES, type KernelStyle } from '../../../src/kernels/style';
import { GpuModel, type ModelSetup } from '../../../src/model/gpu-model';
import { initParams } from '../../../src/model/init';
import { planModel } from '../../../src/model/plan';
import type { TrainScope } from '../../../src/model/params';
import type { LoraSpec, ModelShape } from '../../../src/config/architecture';
import { useGpu } from '../helpers/gpu';

const SHAPE: ModelShape = { vocab: 256, dModel: 16, nLayer: 2, nHead: 2, context: 8 };
const [B, T, ACCUM, STEPS] = [2, 8, 2, 3];
const HYPER: OptimHyper[] = [
  { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradClip: 1, divergeMargin: 0 },
  { beta1: 0.8, beta2: 0.999, eps: 1e-6, weightDecay: 0, gradClip: 0.05, divergeMargin: 0 },
  { beta1: 0.95, beta2: 0.95, eps: 1e-7, weightDecay: 0.01, gradClip: 0, divergeMargin: 0 },
  { beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay: 0.05, gradClip: 0.5, divergeMargin: 0 },
  { beta1: 0.85, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0, divergeMargin: 0 },
];
const LR = [3e-3, 1e-2, 3e-4, 5e-3, 2e-2];
const LORA: LoraSpec = { rank: 4, alpha: 8, rsLora: false, targets: ['q', 'v', 'fc', 'proj'] };

function scope(lora: LoraSpec | null): TrainScope {
  return { mode: lora ? 'lora' : 'full', lora, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false };
}

const corpus = (() => {
  const rng = new Rng(17);
  return Uint8Array.from({ length: 400 }, () => rng.int(256));
})();

/**
 * Trains runs `which` (indices into HYPER and LR) together in one model for `steps` steps; returns
 * each run's bits. A run that `holds` at a step sits it out (Step.hold): its own step count, windows
 * and rate go on from where they were when it trains again.
 */
async function train(ctx: GpuContext, style: KernelStyle, lora: LoraSpec | null, which: number[], steps = STEPS, holds: (k: number, t: number) => boolean = () => false) {
  const setup: ModelSetup = {
    shape: SHAPE, scope: scope(lora), microBatch: B, seqLen: T, accum: ACCUM, evalBatches: 1,
    optim: HYPER[0], ringSlots: 4, style, runs: which.length,
  };
  const model = await GpuModel.create(ctx, planModel(setup), corpus);
  const samplers = which.map((r) => new Rng(100 + r));
  const own = which.map(() => 0);
  for (const [k, r] of which.entries()) {
    await model.setParams(initParams(model.params, 1 + r), k);
    model.setEvalWindows(Uint32Array.from({ length: B }, (_, i) => 7 * i + 3 * r), k);
  }
  for (let t = 1; t <= steps; t++) {
    for (const [k, r] of which.entries()) {
      if (holds(k, t)) {
        model.holdStep(k);
        continue;
      }
      const s = ++own[k];
      const w = Uint32Array.from({ length: ACCUM * B }, () => samplers[k].int(corpus.length - T - 1));
      model.writeStep(w, s, LR[r] * (1 - 0.2 * s), (s - 1) % 4, k, HYPER[r]);
    }
    const enc = ctx.device.createCommandEncoder();
    model.train.submit(enc);
    ctx.device.queue.submit([enc.finish()]);
  }
  const ring = await readF32(ctx, model.buffers.ring);
  const evals = await model.evaluateLosses();
  const bits = (a: Float32Array | Uint32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
  const out = [];
  for (let k = 0; k < which.length; k++) {
    const o = await model.readOptimizer(k);
    const metrics = model.decodeRing(ring, k).map((m) => [m.step, m.loss, m.gradNorm, m.lr, m.clip, m.updateRatio, m.paramNorm, ...m.tensorGradNorms, ...m.tensorUpdateRatios]);
    out.push({ params: bits(o.params), m: bits(o.m), v: bits(o.v), state: bits(o.state), frozen: bits(await model.readParams(k)), metrics: bits(Float32Array.from(metrics.flat())), eval: evals[k] });
  }
  const dispatches = model.train.dispatchCount;
  model.destroy();
  return { runs: out, dispatches };
}

// The workgroup style (barriers) is slow on SwiftShader: it packs 2 and 3 runs; the thread style 2, 3 and 5.
const PACKS: Record<KernelStyle, number[][]> = { thread: [[0, 1], [2, 0, 1], [0, 1, 2, 3, 4]], workgroup: [[0, 1], [2, 0, 1]] };

describe.each(STYLES)('packed runs in one model (%s style)', (style) => {
  const gpu = useGpu();

  for (const lora of [null, LORA]) {
    it(`${lora ? 'LoRA' : 'full training'}: ${PACKS[style].map((p) => p.length).join(', ')} runs trained together end bit for bit as each trained alone, with the same dispatches per step`, { timeout: 300_000 }, async () => {
      const ctx = gpu();
      const packs = PACKS[style];
      const alone = [];
      for (let r = 0; r < Math.max(...packs.flat()) + 1; r++) alone.push(await train(ctx, style, lora, [r]));
      for (const which of packs) {
        const packed = await train(ctx, style, lora, which);
        expect(packed.dispatches, `dispatches per step, ${which.length} runs`).toBe(alone[0].dispatches);
        for (const [k, r] of which.entries()) {
          const want = alone[r].runs[0];
          const got = packed.runs[k];
          for (const key of Object.keys(want) as (keyof typeof want)[]) expect(got[key], `run ${r} as run ${k} of ${which.length}: ${key}`).toEqual(want[key]);
        }
      }
      // The runs differ from one another (the comparison is not between copies).
      expect(alone[0].runs[0].params).not.toEqual(alone[1].runs[0].params);
      expect(alone[0].runs[0].metrics).not.toEqual(alone[2].runs[0].metrics);
    });
  }

  it('a run that holds (paused, or ended while the others train on) changes in nothing but time: each of 2 runs, holding at a different step of 4, ends as alone after 3', { timeout: 300_000 }, async () => {
    const ctx = gpu();
    // Run 0 holds before its first step (its first loss must come from its own first step); run 1 mid-run.
    const packed = await train(ctx, style, LORA, [0, 1], STEPS + 1, (k, t) => (k === 0 ? t === 1 : t === 3));
    for (const [k, r] of [0, 1].entries()) {
      const want = (await train(ctx, style, LORA, [r], STEPS)).runs[0];
      const got = packed.runs[k];
      for (const key of Object.keys(want) as (keyof typeof want)[]) expect(got[key], `run ${r}, held one step: ${key}`).toEqual(want[key]);
    }
  });
});
