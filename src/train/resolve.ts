// What a config means for a run, without a GPU: which tensors train (scope), how many steps, and
// the learning-rate schedule. Shared by the run plan (plan.ts), the page's estimates and previews.

import type { TrainScope } from '../model/params';
import type { LoraSpec } from '../config/architecture';
import { ConfigError, ConfigErrors, DEFAULT_MAX_STEPS, minLrOf, warmupStepsOf, type TrainConfig } from '../config/config';
import type { Schedule } from './schedule';

export function resolveScope(c: TrainConfig, hasBase: boolean): TrainScope {
  if (c.lora_rank > 0 && !hasBase) {
    throw new ConfigErrors([new ConfigError('lora_rank', c.lora_rank, '0 when there is no base_model (LoRA adapts a trained base; set base_model, or lora_rank: 0 to train from scratch)')]);
  }
  const lora: LoraSpec | null = c.lora_rank > 0 ? { rank: c.lora_rank, alpha: c.lora_alpha, rsLora: c.use_rslora, targets: [...c.lora_targets] } : null;
  return {
    mode: lora ? 'lora' : 'full',
    lora,
    layerLrDecay: c.layer_lr_decay,
    embeddingLrMult: c.embedding_lr_mult,
    headLrMult: c.head_lr_mult,
    loraBLrMult: c.lora_b_lr_mult,
    decayNormAndBias: c.decay_norm_and_bias,
  };
}

/** Steps the run will take: max_steps, or epochs over the training bytes, or DEFAULT_MAX_STEPS. */
export function totalSteps(c: TrainConfig, trainBytes: number, T: number): number {
  if (c.max_steps !== null) return c.max_steps;
  if (c.epochs === null) return DEFAULT_MAX_STEPS;
  return Math.max(1, Math.ceil((c.epochs * trainBytes) / (c.batch_size * c.grad_accum_steps * T)));
}

export function scheduleOf(c: TrainConfig, steps: number): Schedule {
  return {
    peak: c.learning_rate,
    warmupSteps: warmupStepsOf(c, steps),
    warmupInit: c.warmup_init_lr,
    warmupShape: c.warmup_shape,
    kind: c.lr_schedule,
    floor: minLrOf(c),
    totalSteps: steps,
  };
}

