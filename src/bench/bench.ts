// Training-step benchmark on whatever GPU the caller opened: the same model, batch and optimizer as
// ../shared/bench/torch_ref.py's workloads, on random tokens. Prints-free: returns one result per
// workload and mode; the CLI turns them into JSON lines.

import { Rng } from '../data/rng';
import type { GpuContext } from '../gpu/device';
import { byKernel, median, profileProgram } from '../gpu/profile';
import { GpuModel } from '../model/gpu-model';
import { initParams } from '../model/init';
import { countParams, type TrainScope } from '../model/params';
import { planModel, type ModelPlan } from '../model/plan';
import { LORA_TARGETS, MODEL_PRESETS, type ModelShape } from '../config/architecture';
import { loraTargetsOf } from '../train/resolve';
import { tokenArray } from '../data/tokenizer';

/** GPT-2 small (the hub's gpt2): 124M parameters, vocabulary 50,257, context 1,024, head tied to wte. */
const GPT2_SMALL: ModelShape = { family: 'gpt2', vocab: 50_257, dModel: 768, nLayer: 12, nHead: 12, context: 1024 };

/** Each workload's model, micro-batch and sequence length (ctx; the model's context unless it says). */
export const WORKLOADS = {
  tiny: { shape: MODEL_PRESETS.tiny, batch: 8, ctx: MODEL_PRESETS.tiny.context },
  classroom: { shape: MODEL_PRESETS.classroom, batch: 16, ctx: MODEL_PRESETS.classroom.context },
  nanogpt: { shape: MODEL_PRESETS.nanogpt, batch: 64, ctx: MODEL_PRESETS.nanogpt.context },
  /** The rules' setting: GPT-2 with LoRA r8 on all its linear modules (c_attn, c_proj, c_fc), batch 4, context 128. */
  gpt2: { shape: GPT2_SMALL, batch: 4, ctx: 128 },
} as const satisfies Record<string, { shape: ModelShape; batch: number; ctx: number }>;

export type Workload = keyof typeof WORKLOADS;

/** How many of a profiled step's slowest dispatches the result lists. */
const SLOWEST_SHOWN = 80;
/** Rounds of the per-dispatch profile (each dispatch's median is kept). */
const PROFILE_ROUNDS = 3;
export type BenchMode = 'full' | 'lora';

export interface BenchResult {
  workload: Workload;
  mode: BenchMode;
  /** Runs trained side by side in the one step program (packed runs). */
  runs: number;
  lora_rank: number;
  params: number;
  trainable: number;
  batch: number;
  ctx: number;
  steps: number;
  step_ms: number;
  /** All runs together: runs × batch × ctx tokens per step. */
  tokens_per_s: number;
  dispatches_per_step: number;
  /** Bytes of every GPU buffer the model holds (all runs). */
  gpu_bytes: number;
  submits_per_step: number;
  adapter: string;
  /** With profile: GPU time per kernel over one step (each dispatch's median of PROFILE_ROUNDS). */
  kernels?: { kernel: string; ms: number; count: number; share: number }[];
  /** With profile: the slowest dispatches of one step, by label (which layer and product). */
  slowest?: { label: string; ms: number }[];
  profile_method?: string;
}

/** Every buffer GpuModel.create allocates for a plan (the corpus: its width word, then its tokens packed in u32s). */
function gpuBytes(plan: ModelPlan, corpusBytes: number): number {
  return Object.values(plan.bytes).reduce((a, b) => a + b, 0) + plan.table.data.byteLength + 4 + Math.ceil(corpusBytes / 4) * 4;
}

export function benchScope(mode: BenchMode, shape?: ModelShape): TrainScope {
  return {
    mode,
    // Every linear module, as a run's default lora_targets resolves them (on GPT-2: c_attn, c_proj, c_fc).
    lora: mode === 'lora' ? { rank: 8, alpha: 16, rsLora: false, targets: loraTargetsOf({ lora_targets: [...LORA_TARGETS] }, shape?.family) } : null,
    layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false,
  };
}

/** The workload's model of `runs` packed runs on random tokens, and a function submitting its step i. */
export async function benchModel(ctx: GpuContext, workload: Workload, mode: BenchMode, batch: number, runs: number) {
  const { shape, ctx: T } = WORKLOADS[workload];
  const rng = new Rng(0);
  const corpus = tokenArray(shape.vocab, Array.from({ length: 1 << 16 }, () => rng.int(shape.vocab)));
  const plan = planModel({
    shape, scope: benchScope(mode, shape), microBatch: batch, seqLen: T, accum: 1, evalBatches: 0,
    optim: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, gradClip: 0, divergeMargin: 0 },
    ringSlots: 2, runs,
  });
  const model = await GpuModel.create(ctx, plan, corpus);
  for (let r = 0; r < runs; r++) await model.setParams(initParams(model.params, r), r);
  const windows = () => Uint32Array.from({ length: batch }, () => rng.int(corpus.length - T - 1));
  const step = (i: number) => {
    // Each run its own windows and rate (a learning-rate sweep), all in one submit.
    for (let r = 0; r < runs; r++) model.writeStep(windows(), i + 1, 2e-4 * (r + 1), i % 2, r);
    const enc = ctx.device.createCommandEncoder();
    model.train.submit(enc);
    ctx.device.queue.submit([enc.finish()]);
  };
  return { model, plan, corpus, step };
}

export interface MatmulRatio {
  /** LoRA's matmul GPU time over full training's: each a sum of per-dispatch medians over the rounds. */
  ratio: number;
  loraMs: number;
  fullMs: number;
  rounds: number;
}

/**
 * LoRA's matmul GPU time against full training's, one step of each: both models built side by side
 * and profiled in alternating order, round after round, so that the host's drift (10–40% within a
 * minute on a shared CPU box) falls on both alike; each dispatch keeps its median over the rounds.
 */
export async function matmulRatio(ctx: GpuContext, workload: Workload, rounds = 7, batchSize?: number): Promise<MatmulRatio> {
  const batch = batchSize ?? WORKLOADS[workload].batch;
  const full = await benchModel(ctx, workload, 'full', batch, 1);
  const lora = await benchModel(ctx, workload, 'lora', batch, 1);
  try {
    for (const m of [full, lora]) m.step(0);
    await ctx.device.queue.onSubmittedWorkDone();
    // Per model, each matmul dispatch's times over the rounds.
    const times = [full, lora].map(() => [] as number[][]);
    for (let r = 0; r < rounds; r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const matmuls = (await profileProgram(ctx, [full, lora][i].model.train, 1)).dispatches.filter((d) => d.kernel.startsWith('matmul'));
        matmuls.forEach((d, k) => (times[i][k] ??= []).push(d.ms));
      }
    }
    const [fullMs, loraMs] = times.map((perDispatch) => perDispatch.reduce((a, ms) => a + median(ms), 0));
    return { ratio: loraMs / fullMs, loraMs, fullMs, rounds };
  } finally {
    full.model.destroy();
    lora.model.destroy();
  }
}

/** Builds the workload's model and times `steps` training steps after `warmup` untimed ones (batch: the workload's unless given). */
export async function benchTraining(ctx: GpuContext, workload: Workload, mode: BenchMode, steps: number, warmup = 3, profile = false, batchSize?: number, runs = 1): Promise<BenchResult> {
  const batch = batchSize ?? WORKLOADS[workload].batch;
  const T = WORKLOADS[workload].ctx;
  const { model, plan, corpus, step } = await benchModel(ctx, workload, mode, batch, runs);
  try {
    for (let i = 0; i < warmup; i++) step(i);
    await ctx.device.queue.onSubmittedWorkDone();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step(warmup + i);
    await ctx.device.queue.onSubmittedWorkDone();
    const ms = (performance.now() - t0) / steps;
    const counts = countParams(model.params);
    const prof = profile ? await profileProgram(ctx, model.train, PROFILE_ROUNDS) : null;
    return {
      workload, mode, runs, lora_rank: mode === 'lora' ? 8 : 0, params: counts.total, trainable: counts.trainable, batch, ctx: T, steps,
      step_ms: Math.round(ms * 1000) / 1000, tokens_per_s: Math.round((runs * batch * T) / (ms / 1000)),
      dispatches_per_step: model.train.dispatchCount, submits_per_step: 1, gpu_bytes: gpuBytes(plan, corpus.byteLength), adapter: ctx.adapter.name,
      ...(prof ? {
        kernels: byKernel(prof).map((k) => ({ ...k, ms: Math.round(k.ms * 1000) / 1000, share: Math.round(k.share * 1000) / 1000 })),
        slowest: [...prof.dispatches].sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_SHOWN).map((d) => ({ label: d.label, ms: Math.round(d.ms * 1000) / 1000 })),
        profile_method: prof.method,
      } : {}),
    };
  } finally {
    model.destroy();
  }
}
