// The recipe that pretrains a base model on Moby Dick (DESIGN.md's classroom recipe, scaled down for
// the tiny model): the page's "Pretrain base" and the CLI's scenarios use it.

import { parseConfig, type TrainConfig } from '../config/config';

/** The pretraining recipe for a preset: DESIGN's classroom recipe, scaled to the model. */
export function pretrainConfig(model: TrainConfig['model']): TrainConfig {
  const tiny = model === 'tiny';
  return parseConfig({
    name: `base ${typeof model === 'string' ? model : 'custom'} (Moby Dick)`,
    tags: ['base'],
    model,
    train_data: 'moby-dick',
    lora_rank: 0,
    base_model: null,
    batch_size: tiny ? 8 : 16,
    max_steps: tiny ? 300 : 3000,
    learning_rate: tiny ? 3e-3 : 1e-3,
    warmup_steps: tiny ? 20 : 100,
    min_lr: tiny ? 3e-4 : 1e-4,
    weight_decay: 0.1,
    grad_clip: 1,
    eval_interval: tiny ? 100 : 250,
    eval_batches: tiny ? 4 : 30,
    sample_interval: tiny ? 0 : 500,
  });
}

