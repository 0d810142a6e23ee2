// The trainer on a small GPT through SwiftShader: loss falls; the same seed gives the same losses
// bit for bit; k micro-batches of b equal one batch of k·b; a fresh LoRA adapter changes nothing and
// merging it gives the same logits; a diverging run halts with its reason; pause, single step, stop.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../src/gpu/device';
import { readF32 } from '../../../src/gpu/buffers';
import { Program } from '../../../src/gpu/program';
import { backwardDispatches, forwardDispatches } from '../../../src/model/graph';
import { GpuModel } from '../../../src/model/gpu-model';
import { initParams } from '../../../src/model/init';
import { planModel } from '../../../src/model/plan';
import { baseTensors, loadTensors, mergeAdapters } from '../../../src/model/weights';
import { loadCorpus } from '../../../src/node/files';
import type { ModelFile } from '../../../src/runs/model-files';
import { ConfigErrors, parseConfig, shapeOf, type TrainConfig } from '../../../src/config/config';
import { planRun, type RunPlanInput } from '../../../src/train/plan';
import { resolveScope } from '../../../src/train/resolve';
import { Trainer } from '../../../src/train/trainer';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';

const TEXT = loadCorpus('moby-dick').subarray(0, 30_000);
const MODEL = { d_model: 32, n_layer: 1, n_head: 2, context: 16 };

function config(over: Partial<TrainConfig>): TrainConfig {
  return parseConfig({
    model: MODEL, train_data: 'moby-dick', lora_rank: 0, batch_size: 4, max_steps: 20, learning_rate: 3e-3,
    warmup_steps: 2, eval_interval: 10, eval_batches: 2, sample_interval: 0, sample_length: 8, metrics_interval: 4, ...over,
  });
}

/** Plans the run on this adapter and builds its trainer (a refused plan rejects). */
async function create(ctx: GpuContext, run: Omit<RunPlanInput, 'limits'>): Promise<Trainer> {
  return Trainer.create(ctx, { plan: planRun({ ...run, limits: ctx.limits }), runtime: 'node' });
}

async function train(ctx: GpuContext, over: Partial<TrainConfig>, base: ModelFile | null = null) {
  const t = await create(ctx, { config: config(over), text: TEXT, dataSource: 'moby-dick', base });
  const record = await t.run();
  const params = await t.readParams();
  return { t, record, params };
}

describe('trainer', () => {
  const gpu = useGpu();

  it('trains from scratch: loss falls, evaluations and a final sample are recorded', async () => {
    const { t, record } = await train(gpu(), { max_steps: 30 });
    const loss = record.metrics.loss as number[];
    expect(record.metrics.step).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(loss[0]).toBeGreaterThan(5);
    expect(loss.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(loss[0] - 1.5);
    expect(record.evals.map((e) => e.step)).toEqual([0, 10, 20, 30]);
    expect(record.evals[3].val_loss!).toBeLessThan(record.evals[0].val_loss! - 1);
    expect(record.samples.map((s) => s.step)).toEqual([30]);
    expect(record.outcome).toMatchObject({ status: 'finished', step: 30, reason: null, best_step: 30 });
    expect(record.metrics.elapsed_ms.every((v, i, a) => i === 0 || v >= a[i - 1])).toBe(true);
    expect(record.tensors.names).toContain('blocks.0.attn.qkv.weight');
    expect(record.tensors.grad_norm.at(-1)!.every((v) => v !== null && v > 0)).toBe(true);
    t.destroy();
  });

  it('gives the same losses bit for bit for the same seed, and others for another seed', async () => {
    const a = await train(gpu(), { max_steps: 12 });
    const b = await train(gpu(), { max_steps: 12 });
    const c = await train(gpu(), { max_steps: 12, seed: 2 });
    expect(b.record.metrics.loss).toEqual(a.record.metrics.loss);
    expect(b.record.evals.map((e) => e.val_loss)).toEqual(a.record.evals.map((e) => e.val_loss));
    expect(b.params).toEqual(a.params);
    expect(c.record.metrics.loss).not.toEqual(a.record.metrics.loss);
    for (const r of [a, b, c]) r.t.destroy();
  });

  it('accumulating k micro-batches of b gives the gradient (and first update) of one batch of k·b', async () => {
    const ctx = gpu();
    const c = config({});
    const shape = shapeOf(c.model);
    const windows = Uint32Array.from([5, 900, 77, 4000]);
    const grads: Float32Array[] = [];
    for (const [b, k] of [[4, 1], [2, 2], [1, 4]]) {
      const m = await GpuModel.create(ctx, planModel({
        shape, scope: resolveScope(c, false), microBatch: b, seqLen: shape.context, accum: k, evalBatches: 0,
        optim: { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0, divergeMargin: 0 }, ringSlots: 2,
      }), TEXT);
      await m.setParams(initParams(m.params, 1));
      m.writeStep(windows, 1, 1e-3, 0);
      const prog = new Program(ctx, 'forward+backward');
      for (let i = 0; i < k; i++) {
        for (const d of forwardDispatches(m.graph, { winOff: i * b, lossOff: i * b * shape.context, gradScale: 1 / (4 * shape.context) })) prog.add(d);
        for (const d of backwardDispatches(m.graph, i * b)) prog.add(d);
      }
      await prog.build();
      await prog.run();
      grads.push(await m.readGrads());
      prog.destroy();
      m.destroy();
    }
    for (const g of grads.slice(1)) expectClose('accumulated gradient vs one batch', g, grads[0], { atol: 1e-6, rtol: 1e-4 });
    expect(Math.max(...grads[0].map(Math.abs))).toBeGreaterThan(1e-3);

    // Through the trainer: the same windows each step, so the first step's loss and gradient norm agree.
    const runs = [];
    for (const [b, k] of [[4, 1], [2, 2], [1, 4]]) runs.push(await train(ctx, { batch_size: b, grad_accum_steps: k, max_steps: 3, eval_interval: 0 }));
    for (const r of runs.slice(1)) {
      expect(r.record.metrics.loss[0]).toBeCloseTo(runs[0].record.metrics.loss[0]!, 5);
      expect(r.record.metrics.grad_norm[0]! / runs[0].record.metrics.grad_norm[0]!).toBeCloseTo(1, 5);
    }
    for (const r of runs) r.t.destroy();
  });

  it('LoRA: a fresh adapter leaves the base unchanged; merging it reproduces the adapted logits', async () => {
    const ctx = gpu();
    const pre = await train(ctx, { max_steps: 10, eval_interval: 0 });
    const shape = shapeOf(pre.t.config.model);
    const base: ModelFile = { shape, tensors: baseTensors(pre.t.model.params, pre.params), metadata: {} };
    const baseLoss = await pre.t.evaluate();
    pre.t.destroy();

    const lora = { lora_rank: 4, lora_alpha: 8, lora_targets: ['q', 'v', 'fc', 'proj'] as TrainConfig['lora_targets'], base_model: 'base.safetensors', learning_rate: 1e-2 };
    const fresh = await create(ctx, { config: config(lora), text: TEXT, dataSource: 'moby-dick', base });
    const record = await fresh.run();
    expect(record.evals[0]).toMatchObject({ step: 0, val_loss: baseLoss });
    expect(record.outcome.status).toBe('finished');
    expect(record.environment.params_trainable).toBe(1 * (2 * (4 * 32 + 32 * 4) + (4 * 32 + 128 * 4) + (4 * 128 + 32 * 4)));
    const adapted = await fresh.evaluate();
    expect(adapted).not.toBe(baseLoss);
    const logitsOff = fresh.model.acts.layout.get('logits').offset;
    const n = fresh.model.acts.rows * 256;
    const adaptedLogits = await readF32(ctx, fresh.model.buffers.X, logitsOff, n);

    // Fold B·A into W on the host and evaluate the merged weights as a plain model.
    const merged = mergeAdapters(fresh.model.params, await fresh.readParams(), shape.nLayer);
    const scope = resolveScope(config({}), false);
    const plain = await GpuModel.create(ctx, planModel({ ...fresh.model.setup, scope, training: false }), fresh.data.tokens);
    const arena = initParams(plain.params, 0);
    loadTensors(plain.params, arena, baseTensors(fresh.model.params, merged), 'merged', true);
    await plain.setParams(arena);
    plain.setEvalWindows(new Uint32Array(await readF32(ctx, fresh.model.buffers.windows, fresh.model.setup.accum * 4, 2 * 4).then((w) => new Uint32Array(w.buffer))));
    expect(await plain.evaluateLoss()).toBeCloseTo(adapted, 5);
    const plainLogits = await readF32(ctx, plain.buffers.X, plain.acts.layout.get('logits').offset, n);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(plainLogits[i] - adaptedLogits[i]));
    expect(worst).toBeLessThan(1e-4);
    plain.destroy();
    fresh.destroy();
  });

  it('halts a diverging run with its reason and keeps the last finite weights', async () => {
    const { t, record, params } = await train(gpu(), { learning_rate: 5, grad_clip: 0, warmup_steps: 0, max_steps: 40, divergence_margin: 2 });
    expect(record.outcome.status).toBe('diverged');
    expect(record.outcome.reason).toMatch(/^diverged at step \d+: (loss [\d.]+ is more than 2 nats above the first step's|loss NaN|gradient norm)/);
    expect(record.outcome.step).toBeLessThan(40);
    expect(record.metrics.step.at(-1)).toBe(record.outcome.step);
    expect(params.every(Number.isFinite)).toBe(true);
    t.destroy();
  });

  it('pauses, runs a single step while paused, and stops', async () => {
    const t = await create(gpu(), { config: config({ max_steps: 50 }), text: TEXT, dataSource: 'moby-dick', base: null });
    const seen: string[] = [];
    t.pause();
    const done = t.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(t.currentStep).toBe(0);
    t.stepOnce();
    while (t.currentStep < 1 || !t.isPaused) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    expect(t.currentStep).toBe(1);
    seen.push(`paused after ${t.currentStep}`);
    t.stop();
    const record = await done;
    expect(record.outcome.status).toBe('stopped');
    expect(record.metrics.step).toEqual([1]);
    expect(seen).toEqual(['paused after 1']);
    t.destroy();
  });

  it('refuses a micro-batch that does not fit, suggesting a split with the same effective batch', () => {
    const c = config({ batch_size: 64, grad_accum_steps: 1 });
    expect(() => planRun({ config: c, text: TEXT, dataSource: 'moby-dick', base: null, limits: { maxStorageBufferBindingSize: 2 << 20, maxBufferSize: 1 << 30 } }))
      .toThrow(/^batch_size: 64 is not allowed; at most \d+ on this GPU: a micro-batch of 64 needs \d+ MiB .* keep the effective batch of 64 with batch_size \d+ and grad_accum_steps \d+/);
  });

  it('refuses LoRA without a base model and a base of another shape, before touching the GPU', async () => {
    await expect(create(gpu(), { config: config({ lora_rank: 8 }), text: TEXT, dataSource: 'x', base: null })).rejects.toThrow(ConfigErrors);
    await expect(create(gpu(), { config: config({ lora_rank: 8 }), text: TEXT, dataSource: 'x', base: null })).rejects.toThrow(/^lora_rank: 8 is not allowed; 0 when there is no base_model/);
    const other: ModelFile = { shape: { vocab: 256, dModel: 64, nLayer: 1, nHead: 2, context: 16 }, tensors: [], metadata: {} };
    await expect(create(gpu(), { config: config({ base_model: 'b' }), text: TEXT, dataSource: 'x', base: other })).rejects.toThrow(/^model: .* the shape of base_model b \(d_model 64/);
    await expect(create(gpu(), { config: config({}), text: TEXT.subarray(0, 10), dataSource: 'x', base: null })).rejects.toThrow(/train_data: .*the training split has 9 bytes/);
  });
});
