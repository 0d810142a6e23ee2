// What a config means for a run, without a GPU: which tensors train (scope), how many steps, and
// the learning-rate schedule. Shared by the run plan (plan.ts), the page's estimates and previews.

import type { TrainScope } from '../model/params';
import { ADAPTER_TARGETS, FUSED_QKV, GPT2_TARGETS, type LoraSpec, type LoraTarget } from '../config/architecture';
import { ConfigError, ConfigErrors, DEFAULT_MAX_STEPS, minLrOf, warmupStepsOf, type TrainConfig } from '../config/config';
import type { Schedule } from './schedule';

/**
 * The engine's targets of lora_targets: GPT-2's names become the modules they stand for (c_attn the
 * fused qkv, c_proj both o and proj, c_fc fc). On a GPT-2 base q, k and v together are c_attn (its
 * adapters are PEFT's, one on the fused projection); one or two of them alone are refused.
 */
export function loraTargetsOf(c: Pick<TrainConfig, 'lora_targets'>, family?: 'gpt2'): LoraTarget[] {
  const out = new Set<LoraTarget>();
  for (const t of c.lora_targets) for (const x of t in GPT2_TARGETS ? GPT2_TARGETS[t as keyof typeof GPT2_TARGETS] : [t as LoraTarget]) out.add(x);
  if (family === 'gpt2') {
    const parts = (['q', 'k', 'v'] as const).filter((t) => out.has(t));
    if (parts.length === 3) {
      for (const t of parts) out.delete(t);
      out.add(FUSED_QKV);
    } else if (parts.length) {
      throw new ConfigErrors([new ConfigError('lora_targets', c.lora_targets, `q, k and v all together (GPT-2 fuses them into c_attn, and PEFT adapts c_attn as one module), or c_attn; not ${parts.join(', ')} alone`)]);
    }
  }
  return ADAPTER_TARGETS.filter((t) => out.has(t));
}

export function resolveScope(c: TrainConfig, hasBase: boolean, family?: 'gpt2'): TrainScope {
  if (c.lora_rank > 0 && !hasBase) {
    throw new ConfigErrors([new ConfigError('lora_rank', c.lora_rank, '0 when there is no base_model (LoRA adapts a trained base; set base_model, or lora_rank: 0 to train from scratch)')]);
  }
  const lora: LoraSpec | null = c.lora_rank > 0 ? { rank: c.lora_rank, alpha: c.lora_alpha, rsLora: c.use_rslora, targets: loraTargetsOf(c, family) } : null;
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

