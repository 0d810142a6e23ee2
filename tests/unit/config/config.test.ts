// The config schema: the example file parses as written; every bad value is refused with
// the key, the value and what is allowed; unknown keys get a suggestion; nothing is half-applied.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigErrors, defaultConfig, effectiveBatch, parseConfig, shapeOf, warmupStepsOf } from '../../../src/config/config';

function errorOf(input: unknown): string {
  try {
    parseConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigErrors);
    return (e as Error).message;
  }
  throw new Error('config was accepted');
}

describe('config', () => {
  it('parses the example config exactly as written', () => {
    const c = parseConfig(parse(readFileSync('configs/sotu-lora.yaml', 'utf8')));
    expect(c).toMatchObject({
      model: 'tiny', base_model: 'runs/base/model.safetensors', train_data: 'sotu', val_split: 0.1,
      lora_rank: 8, lora_alpha: 16, lora_targets: ['q', 'v', 'fc'], batch_size: 4, grad_accum_steps: 2,
      max_steps: 200, learning_rate: 2e-4, warmup_steps: 20, warmup_init_lr: 1e-7, lr_schedule: 'cosine',
      min_lr: 2e-5, weight_decay: 0.01, grad_clip: 1, eval_interval: 50, sample_interval: 100, seed: 1, output_dir: 'runs/sotu-lora',
    });
    expect(effectiveBatch(c)).toBe(8);
    expect(shapeOf(c.model)).toEqual({ vocab: 256, dModel: 64, nLayer: 2, nHead: 2, context: 64 });
  });

  it('fills defaults (alpha 16, 2e-4, cosine; rank, steps and warmup automatic)', () => {
    const c = parseConfig({});
    expect(c).toEqual(defaultConfig());
    expect([c.lora_alpha, c.learning_rate, c.lr_schedule, c.max_steps, c.warmup_steps]).toEqual([16, 2e-4, 'cosine', null, null]);
  });

  it('LoRA rank 8 with a base_model and 0 without, unless the config sets it', () => {
    expect(parseConfig({}).lora_rank).toBe(0);
    expect(parseConfig({ base_model: 'base.safetensors' }).lora_rank).toBe(8);
    expect(parseConfig({ base_model: 'base.safetensors', lora_rank: 0 }).lora_rank).toBe(0);
    expect(parseConfig({ lora_rank: null, base_model: 'b' }).lora_rank).toBe(8);
    // Parsing a parsed config changes nothing (records and plan files are parsed again).
    const once = parseConfig({ base_model: 'b' });
    expect(parseConfig(once)).toEqual(once);
  });

  it('warmup: 10% of the steps, at most 20, none on an exponential ramp; an explicit one too long is refused', () => {
    expect([300, 100, 30, 15, 5, 1].map((n) => warmupStepsOf(parseConfig({ max_steps: n }), n))).toEqual([20, 10, 3, 1, 0, 0]);
    expect(warmupStepsOf(parseConfig({ lr_schedule: 'exponential' }), 200)).toBe(0);
    expect(warmupStepsOf(parseConfig({ warmup_steps: 7, max_steps: 30 }), 30)).toBe(7);
    expect(errorOf({ warmup_steps: 20, max_steps: 15 })).toMatch(/^warmup_steps: 20 is not allowed; fewer than max_steps \(15\), or null \(automatic: 1 here\)/);
    expect(errorOf({ warmup_steps: 5, lr_schedule: 'exponential' })).toMatch(/^warmup_steps: 5 is not allowed; 0 or null with lr_schedule exponential/);
  });

  it.each([
    [{ lora_rank: -1 }, /^lora_rank: -1 is not allowed; an integer from 0 \(full fine-tuning\) to 256/],
    [{ lora_rank: 2.5 }, /^lora_rank: 2\.5 is not allowed/],
    [{ learning_rate: -0.001 }, /^learning_rate: -0\.001 is not allowed; a number above 0 and at most 10/],
    [{ lora_targets: ['q', 'mlp'] }, /^lora_targets: \["q","mlp"\] is not allowed; a non-empty list of q, k, v, o, fc, proj/],
    [{ lr: 0.1 }, /^lr: 0\.1 is not allowed; unknown key \(did you mean /],
    [{ learning_rat: 0.1 }, /unknown key \(did you mean learning_rate\?\)/],
    [{ batch_size: 0 }, /^batch_size: 0 is not allowed; an integer from 1 to 4096/],
    [{ lr_schedule: 'exp' }, /^lr_schedule: "exp" is not allowed; 'constant', 'linear', 'cosine' or 'exponential'/],
    [{ model: 'huge' }, /^model: "huge" is not allowed; 'tiny', 'classroom', 'nanogpt' or \{d_model, n_layer, n_head, context\}/],
    [{ model: { d_model: 100, n_layer: 2, n_head: 3, context: 32 } }, /^model: .* d_model must be divisible by n_head/],
    [{ model: { d_model: 256, n_layer: 2, n_head: 2, context: 32 } }, /head.*at most 64|d_model \/ n_head must be at most 64/],
    [{ min_lr: 1, learning_rate: 0.1 }, /^min_lr: 1 is not allowed; at most learning_rate \(0\.1\)/],
    [{ epochs: 2, max_steps: 100 }, /^epochs: 2 is not allowed; set either epochs or max_steps, not both \(max_steps is 100\)/],
    [{ warmup_steps: 300, max_steps: 300 }, /^warmup_steps: 300 is not allowed; fewer than max_steps/],
    [{ val_split: 0 }, /^val_split: 0 is not allowed/],
  ])('refuses %j', (input, message) => {
    expect(errorOf(input)).toMatch(message);
  });

  it('reports every bad key at once', () => {
    const msg = errorOf({ batch_size: -1, learning_rate: 'fast', lora_alpha: 0 });
    expect(msg.split('\n')).toHaveLength(3);
  });

  it('refuses a non-mapping document', () => {
    expect(errorOf([1, 2])).toMatch(/a mapping of keys to values/);
  });
});
