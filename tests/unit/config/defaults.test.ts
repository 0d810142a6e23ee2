// Defaults never make a valid choice invalid: over the defaults, a config that changes one key either
// plans (every check a run makes before it allocates anything: src/train/plan.ts) or is refused for
// that key alone. Every key has changed values here, so a new key cannot skip the walk.
import { describe, expect, it } from 'vitest';
import { buildParamTable } from '../../../src/model/params';
import { baseTensors } from '../../../src/model/weights';
import { loadCorpus } from '../../../src/node/corpora';
import type { ModelFile } from '../../../src/runs/model-files';
import { MODEL_PRESETS, type ModelShape } from '../../../src/config/architecture';
import { CONFIG_KEYS, ConfigErrors, FIELDS, parseConfig, withModelOfBase, type ConfigKey } from '../../../src/config/config';
import { planRun } from '../../../src/train/plan';

const TEXT = loadCorpus('sotu');
const LIMITS = { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 };

function baseOf(shape: ModelShape): ModelFile {
  const table = buildParamTable(shape, { mode: 'full', lora: null, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false });
  return { shape, tensors: baseTensors(table, new Float32Array(table.size)), metadata: {} };
}
const TINY_BASE = baseOf(MODEL_PRESETS.tiny);

/** Valid values other than the default, for every key; `refused` ones must name that key alone. */
const CHANGED: Record<ConfigKey, { plans: unknown[]; refused?: unknown[] }> = {
  name: { plans: ['a run'] },
  tags: { plans: [['x', 'y']] },
  notes: { plans: ['why this run'] },
  seed: { plans: [0, 7, 2 ** 32 - 1] },
  output_dir: { plans: ['runs/other'] },
  checkpoint_interval: { plans: [0, 25] },
  train_data: { plans: ['moby-dick'] },
  val_split: { plans: [0.05, 0.5] },
  train_bytes: { plans: [16384], refused: [10] },
  train_windows: { plans: [8] },
  model: { plans: ['tiny', 'nanogpt', { d_model: 96, n_layer: 3, n_head: 3, context: 96 }] },
  base_model: { plans: ['tiny.safetensors'] },
  block_size: { plans: [2, 64, 128], refused: [129, 4096] },
  lora_rank: { plans: [0], refused: [4, 16] },
  lora_alpha: { plans: [1, 32] },
  lora_targets: { plans: [['q', 'v'], ['qkv', 'o'], ['c_attn', 'c_proj', 'c_fc']], refused: [['c_attn', 'q'], ['c_proj', 'o']] },
  use_rslora: { plans: [true] },
  lora_b_lr_mult: { plans: [16] },
  learning_rate: { plans: [1e-5, 3e-3, 1e-1, 10] },
  weight_decay: { plans: [0, 0.1] },
  beta1: { plans: [0, 0.95] },
  beta2: { plans: [0.9, 0.999] },
  adam_eps: { plans: [1e-6] },
  grad_clip: { plans: [0, 0.5] },
  layer_lr_decay: { plans: [0.7] },
  embedding_lr_mult: { plans: [0.1] },
  head_lr_mult: { plans: [2] },
  decay_norm_and_bias: { plans: [true] },
  max_steps: { plans: [1, 2, 15, 30, 5000] },
  epochs: { plans: [0.01, 1] },
  warmup_steps: { plans: [0, 5, 299], refused: [300, 1000] },
  warmup_init_lr: { plans: [0, 1e-5] },
  warmup_shape: { plans: ['cosine'] },
  lr_schedule: { plans: ['constant', 'linear', 'exponential'] },
  min_lr: { plans: [0, 1e-5], refused: [1e-3] },
  batch_size: { plans: [1, 4, 64] },
  grad_accum_steps: { plans: [2, 8] },
  eval_interval: { plans: [0, 10] },
  eval_batches: { plans: [1, 2] },
  early_stopping_patience: { plans: [3] },
  sample_interval: { plans: [0, 10] },
  sample_prompt: { plans: ['', 'Fellow citizens'] },
  sample_length: { plans: [1, 500] },
  sample_temperature: { plans: [0.1, 2] },
  sample_top_k: { plans: [0, 1] },
  divergence_margin: { plans: [0, 10] },
  metrics_interval: { plans: [1, 50] },
};

/** The front door's path: a base named without a model takes its shape (src/node/files.ts), then parse and plan. */
function plan(raw: Record<string, unknown>) {
  const base = raw.base_model ? TINY_BASE : null;
  const config = parseConfig(withModelOfBase(raw, base?.shape ?? null));
  return planRun({ config, text: TEXT, dataSource: String(config.train_data), base, limits: LIMITS });
}

function refusedKeys(raw: Record<string, unknown>): string[] | null {
  try {
    plan(raw);
    return null;
  } catch (e) {
    if (!(e instanceof ConfigErrors)) throw e;
    return [...new Set(e.errors.map((x) => x.key))];
  }
}

const cases = CONFIG_KEYS.flatMap((key) => [
  ...CHANGED[key].plans.map((value) => ({ key, value, refused: false })),
  ...(CHANGED[key].refused ?? []).map((value) => ({ key, value, refused: true })),
]);

describe('defaults never make a valid choice invalid', () => {
  it('walks every key', () => {
    expect(Object.keys(CHANGED).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const key of CONFIG_KEYS) expect(CHANGED[key].plans.every((v) => JSON.stringify(v) !== JSON.stringify(FIELDS[key].default)), key).toBe(true);
  });

  it('the defaults alone plan', () => {
    expect(refusedKeys({})).toBeNull();
  });

  it.each(cases)('$key: $value', ({ key, value, refused }) => {
    const keys = refusedKeys({ [key]: value });
    if (refused) expect(keys).toEqual([key]);
    else expect(keys).toBeNull();
  });

  it("the issue's cases: from scratch with 30 or 15 steps, and a base named without a model", () => {
    for (const max_steps of [30, 15]) {
      const p = plan({ model: 'tiny', train_data: 'moby-dick', max_steps });
      expect([p.scope.mode, p.schedule.totalSteps, p.schedule.warmupSteps]).toEqual(['full', max_steps, Math.floor(max_steps / 10)]);
    }
    const p = plan({ base_model: 'tiny.safetensors' });
    expect([p.config.model, p.scope.mode, p.scope.lora?.rank, p.schedule.warmupSteps]).toEqual(['tiny', 'lora', 8, 20]);
  });

  it('an explicit warmup longer than an epochs run is refused by its key', () => {
    expect(refusedKeys({ epochs: 0.01, warmup_steps: 100 })).toEqual(['warmup_steps']);
  });
});
