// Checkpoints in the engine, through SwiftShader: a Trainer resumed from any checkpoint ends with the
// very same record and weights as the run never interrupted (from scratch and LoRA, early stopping
// and the divergence guard's state included); pause and stop write one; a checkpoint of another run
// is refused by key; the file format finds damage; the automatic interval keeps to its budget.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../src/gpu/device';
import { loadCorpus } from '../../../src/node/corpora';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../../src/runs/checkpoint';
import { canonicalJson, checksum } from '../../../src/runs/checksum';
import { decodeModelFile } from '../../../src/runs/model-files';
import type { RunRecord } from '../../../src/runs/schema';
import { AUTO_CHECKPOINT_MS, CheckpointClock } from '../../../src/train/checkpoint';
import { ConfigErrors, parseConfig, type TrainConfig } from '../../../src/config/config';
import { planRun, type RunPlanInput } from '../../../src/train/plan';
import { Trainer, type TrainerEvents } from '../../../src/train/trainer';
import { Rng } from '../../../src/data/rng';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useGpu } from '../helpers/gpu';

const TEXT = loadCorpus('moby-dick').subarray(0, 30_000);
const BASE = decodeModelFile(new Uint8Array(readFileSync(join(__dirname, '../../../public/base/tiny.safetensors'))), 'tiny.safetensors');

function config(over: Partial<TrainConfig>): TrainConfig {
  return parseConfig({
    model: { d_model: 32, n_layer: 1, n_head: 2, context: 16 }, train_data: 'moby-dick', lora_rank: 0, batch_size: 4, max_steps: 20,
    learning_rate: 3e-3, warmup_steps: 2, eval_interval: 5, eval_batches: 2, sample_interval: 10, sample_length: 8, metrics_interval: 3,
    checkpoint_interval: 4, ...over,
  });
}

const LORA: Partial<TrainConfig> = { model: 'tiny', lora_rank: 4, lora_targets: ['q', 'v'], batch_size: 2, max_steps: 12, eval_interval: 4, sample_interval: 6 };

/** Plans the run on this adapter and builds its trainer (a refused plan rejects). */
async function create(ctx: GpuContext, run: Omit<RunPlanInput, 'limits'>, events?: TrainerEvents, id?: string): Promise<Trainer> {
  return Trainer.create(ctx, { plan: planRun({ ...run, limits: ctx.limits }), runtime: 'node', id }, events);
}

async function train(ctx: GpuContext, c: TrainConfig, resume?: Checkpoint, text = TEXT) {
  const checkpoints: Checkpoint[] = [];
  const t = await create(ctx, { config: c, text, dataSource: 'moby-dick', base: c.lora_rank ? BASE : null, resume }, {
    checkpoint: (k) => void checkpoints.push(decodeCheckpoint(encodeCheckpoint(k), 'memory')),
  }, 'run');
  const record = await t.run();
  const params = await t.readParams();
  t.destroy();
  return { record, params, checkpoints };
}

/** All but wall times and the list of resumes. */
function series(r: RunRecord) {
  const { elapsed_ms: _m, ...metrics } = r.metrics;
  const { elapsed_ms: _o, ...outcome } = r.outcome;
  return { metrics, tensors: r.tensors, evals: r.evals.map(({ elapsed_ms: _e, ...e }) => e), samples: r.samples, outcome, id: r.id };
}

describe('checkpoints and resume', () => {
  const gpu = useGpu();

  it.each([
    ['from scratch, with early stopping watching', { early_stopping_patience: 50 }],
    ['LoRA on the tiny base', LORA],
  ] as const)('every checkpoint resumes to the same record and weights bit for bit (%s)', async (_what, over) => {
    const c = config(over);
    const whole = await train(gpu(), c);
    const steps = whole.checkpoints.map((k) => k.state.step);
    expect(steps).toEqual(Array.from({ length: Math.floor((c.max_steps! - 1) / 4) }, (_, i) => 4 * (i + 1)));
    for (const k of whole.checkpoints) {
      const resumed = await train(gpu(), c, k);
      expect(series(resumed.record)).toEqual(series(whole.record));
      expect(resumed.record.resumes.map((r) => r.step)).toEqual([k.state.step]);
      expect(resumed.params).toEqual(whole.params);
      // Its own checkpoints are the same as the uninterrupted run's after that step.
      expect(resumed.checkpoints.map((x) => x.tensors)).toEqual(whole.checkpoints.filter((x) => x.state.step > k.state.step).map((x) => x.tensors));
    }
  });

  it('keeps the divergence guard and early stopping where they were', async () => {
    const c = config({ early_stopping_patience: 2, eval_interval: 2, max_steps: 40, learning_rate: 3e-2 });
    const whole = await train(gpu(), c);
    const k = whole.checkpoints.at(-1)!;
    expect(k.state.early_stopping.best).not.toBeNull();
    expect(k.state.optimizer_state[4]).toBe(1); // have_first: the first step's loss is kept for the guard
    const resumed = await train(gpu(), c, k);
    expect(series(resumed.record)).toEqual(series(whole.record));
  });

  it('writes a checkpoint on pause and on stop, before the end-of-run evaluation', async () => {
    const c = config({ checkpoint_interval: 0, max_steps: 30 });
    const got: number[] = [];
    const t = await create(gpu(), { config: c, text: TEXT, dataSource: 'moby-dick', base: null }, {
      checkpoint: (k) => void got.push(k.state.step),
      metrics: (rows) => {
        if (rows.at(-1)!.step >= 6 && !got.length) {
          t.pause();
          setTimeout(() => t.stop(), 50);
        }
      },
    });
    const record = await t.run();
    t.destroy();
    expect(got).toHaveLength(1);
    expect(record.outcome.status).toBe('stopped');
    expect(got[0]).toBe(record.outcome.step);
  });

  it('refuses a checkpoint of another config, text or model, naming the key', async () => {
    const c = config({ max_steps: 8 });
    const { checkpoints } = await train(gpu(), c);
    const k = checkpoints[0];
    const refuse = async (cfg: TrainConfig, text: Uint8Array, key: RegExp) => {
      const e = await create(gpu(), { config: cfg, text, dataSource: 'x', base: null, resume: k }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigErrors);
      expect((e as Error).message).toMatch(key);
    };
    await refuse(config({ max_steps: 8, learning_rate: 1e-3 }), TEXT, /^learning_rate: 0\.001 is not allowed; 0\.003, as when the run started/);
    await refuse(config({ max_steps: 8, batch_size: 2 }), TEXT, /^batch_size: 2 is not allowed; 4/);
    const other = TEXT.slice();
    other[100] ^= 1;
    await refuse(c, other, /^train_data: "moby-dick" is not allowed; the same text the run started with/);
    // Keys that only name or file a run may differ.
    const t = await create(gpu(), { config: config({ max_steps: 8, name: 'renamed', output_dir: 'elsewhere', checkpoint_interval: 2 }), text: TEXT, dataSource: 'x', base: null, resume: k });
    expect(t.currentStep).toBe(4);
    t.destroy();
  });
});

describe('checkpoint files', () => {
  const gpu = useGpu();

  it('finds any damaged byte, a cut-short file and an edited state, naming the file', async () => {
    const { checkpoints } = await train(gpu(), config({ max_steps: 6 }));
    const files = encodeCheckpoint(checkpoints[0]);
    expect(decodeCheckpoint(files, 'dir').state.step).toBe(4);
    const rng = new Rng(7);
    for (let i = 0; i < 40; i++) {
      const t = files.tensors.slice();
      t[rng.int(t.length)] ^= 1 << rng.int(8);
      expect(() => decodeCheckpoint({ ...files, tensors: t }, 'dir')).toThrow(/^dir\/tensors\.safetensors: checksum \w+ does not match/);
    }
    expect(() => decodeCheckpoint({ ...files, tensors: files.tensors.subarray(0, 1000) }, 'dir')).toThrow(CheckpointError);
    expect(() => decodeCheckpoint({ ...files, state: files.state.slice(0, 300) }, 'dir')).toThrow(/^dir\/state\.json: is not JSON/);
    expect(() => decodeCheckpoint({ ...files, state: files.state.replace('"step": 4', '"step": 5') }, 'dir')).toThrow(/^dir\/state\.json: checksum .* does not match its contents/);
  });

  it('checksums: the same bytes give the same sum at any alignment; any one-bit change gives another', () => {
    const rng = new Rng(3);
    const bytes = Uint8Array.from({ length: 1001 }, () => rng.int(256));
    const sum = checksum(bytes);
    const shifted = new Uint8Array(1002);
    shifted.set(bytes, 1);
    expect(checksum(shifted.subarray(1))).toBe(sum);
    for (let i = 0; i < 200; i++) {
      const b = bytes.slice();
      b[rng.int(b.length)] ^= 1 << rng.int(8);
      expect(checksum(b)).not.toBe(sum);
    }
    expect(checksum(bytes.subarray(0, 1000))).not.toBe(sum);
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('the automatic interval: at least AUTO_CHECKPOINT_MS apart, and never more than 1% of the time', () => {
    const clock = new CheckpointClock(null, 0);
    expect(clock.due(1, AUTO_CHECKPOINT_MS - 1)).toBe(false);
    expect(clock.due(1, AUTO_CHECKPOINT_MS)).toBe(true);
    clock.wrote(500, AUTO_CHECKPOINT_MS); // a slow checkpoint: the next waits 100 × as long
    expect(clock.due(2, AUTO_CHECKPOINT_MS + 49_999)).toBe(false);
    expect(clock.due(2, AUTO_CHECKPOINT_MS + 50_000)).toBe(true);
    expect(new CheckpointClock(0, 0).due(100, 1e9)).toBe(false);
    expect(new CheckpointClock(7, 0).due(14, 0)).toBe(true);
    expect(new CheckpointClock(7, 0).due(15, 1e9)).toBe(false);
  });
});
