// Packed runs through the trainer: K runs (K = 1, 2, 3, 5) with different rates, seeds, schedules,
// lengths and cadences train side by side in one model, and each run's record (every metric, every
// evaluation, every sample, the outcome) and weights are those of training it alone, in both kernel
// styles. One run diverging, stopping early, being paused or being stopped leaves the others
// training; runs that cannot share a step program are refused, naming what differs.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../src/gpu/device';
import type { KernelStyle } from '../../../src/kernels/style';
import { STYLES } from '../../../src/kernels/style';
import { planModel } from '../../../src/model/plan';
import { loadCorpus } from '../../../src/node/files';
import type { RunRecord } from '../../../src/runs/schema';
import { parseConfig, type TrainConfig } from '../../../src/config/config';
import { packProblem } from '../../../src/train/pack';
import { planRun, type RunPlan } from '../../../src/train/plan';
import { Trainer, type TrainerEvents } from '../../../src/train/trainer';
import { useGpu } from '../helpers/gpu';

const TEXT = loadCorpus('moby-dick').subarray(0, 30_000);
const MODEL = { d_model: 16, n_layer: 1, n_head: 2, context: 8 };

const config = (over: Partial<TrainConfig>): TrainConfig => parseConfig({
  model: MODEL, train_data: 'moby-dick', lora_rank: 0, batch_size: 2, grad_accum_steps: 2, max_steps: 12, learning_rate: 3e-3,
  warmup_steps: 2, eval_interval: 4, eval_batches: 1, sample_interval: 6, sample_length: 4, metrics_interval: 3, ...over,
});

/** Five runs that differ in everything packing leaves to each run. */
const RUNS: Partial<TrainConfig>[] = [
  { learning_rate: 3e-3, seed: 1 },
  { learning_rate: 1e-2, seed: 2, lr_schedule: 'constant', weight_decay: 0, beta2: 0.99, max_steps: 9, eval_interval: 3 },
  { learning_rate: 1e-3, seed: 3, lr_schedule: 'linear', warmup_steps: 0, grad_clip: 0.1, sample_interval: 0, train_windows: 40 },
  // Diverges: the rate is absurd and the margin small, so the GPU halts it after a few steps.
  { learning_rate: 8, seed: 4, divergence_margin: 0.3, lr_schedule: 'constant' },
  // Stops early: patience 1 with a rate that makes the validation loss rise.
  { learning_rate: 0.3, seed: 5, early_stopping_patience: 1, eval_interval: 2, adam_eps: 1e-6 },
];

function plan(ctx: GpuContext, over: Partial<TrainConfig>, style: KernelStyle): RunPlan {
  const p = planRun({ config: config(over), text: TEXT, dataSource: 'moby-dick', base: null, limits: ctx.limits });
  return { ...p, model: planModel({ ...p.model.setup, style }) };
}

/** What must agree bit for bit: the record without its times and ids, and the weights. */
function numbers(record: RunRecord, params: Float32Array) {
  const { elapsed_ms: _e, ...metrics } = record.metrics;
  const { elapsed_ms: _o, ...outcome } = record.outcome;
  return {
    metrics: JSON.stringify(metrics), evals: record.evals.map((e) => [e.step, e.val_loss]), samples: record.samples.map((s) => [s.step, s.text]),
    outcome, tensors: JSON.stringify(record.tensors), params: Array.from(new Uint32Array(params.buffer, params.byteOffset, params.length)),
  };
}

async function trainTogether(ctx: GpuContext, which: number[], style: KernelStyle, control?: (t: Trainer) => void) {
  const t = await Trainer.createPacked(ctx, which.map((r) => ({ plan: plan(ctx, RUNS[r], style), runtime: 'node' as const })));
  control?.(t);
  const records = await t.runAll();
  const out = [];
  for (const [k, r] of records.entries()) out.push(numbers(r, await t.readParams(k)));
  const dispatches = t.model.train.dispatchCount;
  t.destroy();
  return { runs: out, dispatches };
}

const PACKS: Record<KernelStyle, number[][]> = { thread: [[0, 1], [2, 0, 1], [0, 1, 2, 3, 4]], workgroup: [[0, 1], [3, 4, 2]] };

describe.each(STYLES)('packed runs in the trainer (%s style)', (style) => {
  const gpu = useGpu();

  it(`${PACKS[style].map((p) => p.length).join(', ')} runs trained together: each record and its weights as trained alone; a diverging and an early-stopped run end alone`, { timeout: 600_000 }, async () => {
    const ctx = gpu();
    const used = [...new Set(PACKS[style].flat())].sort();
    const alone = new Map<number, Awaited<ReturnType<typeof trainTogether>>>();
    for (const r of used) alone.set(r, await trainTogether(ctx, [r], style));
    for (const which of PACKS[style]) {
      const packed = await trainTogether(ctx, which, style);
      expect(packed.dispatches).toBe(alone.get(which[0])!.dispatches);
      for (const [k, r] of which.entries()) {
        const want = alone.get(r)!.runs[0];
        for (const key of Object.keys(want) as (keyof typeof want)[]) expect(packed.runs[k][key], `run ${r} as ${k + 1} of ${which.length}: ${key}`).toEqual(want[key]);
      }
    }
    if (used.includes(3)) expect(alone.get(3)!.runs[0].outcome.status).toBe('diverged');
    if (used.includes(4)) expect(alone.get(4)!.runs[0].outcome.status).toBe('early_stopped');
    expect(alone.get(0)!.runs[0].outcome.status).toBe('finished');
    expect(alone.get(1)!.runs[0].outcome.step).toBe(9);
  });
});

describe('packed runs: controls of one run', () => {
  const gpu = useGpu();

  it('pausing one run holds it while the other trains; resumed, it ends as alone; stopping one ends it alone with a checkpoint', { timeout: 300_000 }, async () => {
    const ctx = gpu();
    const alone = await trainTogether(ctx, [0], 'thread');
    const events: string[][] = [[], []];
    const ev = (k: number): TrainerEvents => ({
      status: (s) => { if (s.state !== 'running') events[k].push(`${s.state} ${s.step}`); },
      checkpoint: (c) => { events[k].push(`checkpoint ${c.state.step}`); },
    });
    const t = await Trainer.createPacked(ctx, [0, 1].map((r) => ({ plan: plan(ctx, RUNS[r], 'thread'), runtime: 'node' as const })), [ev(0), ev(1)]);
    // Run 0 pauses before its first step and goes on once run 1 has 5 steps; run 1 stops at step 5.
    t.pause(0);
    const watch = setInterval(() => {
      if (t.lanes[1].step >= 5 && !t.lanes[1].stopRequested) {
        t.stop(1);
        t.resume(0);
      }
    }, 1);
    const records = await t.runAll();
    clearInterval(watch);
    const got = numbers(records[0], await t.readParams(0));
    t.destroy();
    for (const key of Object.keys(got) as (keyof typeof got)[]) expect(got[key], key).toEqual(alone.runs[0][key]);
    expect(events[0][0]).toBe('paused 0');
    expect(events[0].at(-1)).toBe('done 12');
    expect(records[1].outcome.status).toBe('stopped');
    const stoppedAt = records[1].outcome.step;
    expect(stoppedAt).toBeGreaterThanOrEqual(5);
    expect(stoppedAt).toBeLessThan(9);
    expect(events[1]).toContain(`checkpoint ${stoppedAt}`);
  });

  it('refuses runs that cannot share a step program, naming what differs', () => {
    const ctx = gpu();
    expect(packProblem([plan(ctx, {}, 'thread'), plan(ctx, { batch_size: 4 }, 'thread')])).toMatch(/^run 2 differs from run 1 in the model setup: microBatch 4 against 2$/);
    expect(packProblem([plan(ctx, {}, 'thread'), plan(ctx, { val_split: 0.2 }, 'thread')])).toMatch(/^run 2 differs from run 1 in the text split: /);
    expect(packProblem([plan(ctx, {}, 'thread'), plan(ctx, { learning_rate: 1, seed: 9, max_steps: 30 }, 'thread')])).toBeNull();
  });
});
