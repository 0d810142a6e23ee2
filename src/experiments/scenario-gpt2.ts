// The scenarios on a real pretrained model: with a GPT-2 base (`stepsize scenario N --size gpt2 --base
// DIR`, a GPU's work) the learning-rate and rank scenarios run with the rules' own numbers
// (../shared/RULES.md, rules 6, 9 and 12): LoRA r8 on all of GPT-2's linear modules (c_attn, c_proj,
// c_fc), batch 4, block_size automatic (128 on GPT-2), 2e-4 against 1e-4, 1.5e-4, 2.5e-4 and 3e-4; rank 8 against 16 (at
// 2e-4, and at 2.5e-4 as rule 12 says). The other scenarios have no GPT-2 tier.

import type { TrainConfig } from '../config/config';
import type { ScenarioRun } from './scenario-tiny';

export interface Gpt2Tier {
  /** What we try, on GPT-2. */
  tries: string;
  runs: ScenarioRun[];
}

const e = (lr: number): string => lr.toExponential();

/** The settings every GPT-2 run shares (a run's `set` overrides them); `model` comes from the base. */
export const GPT2_TIER_BASE: Partial<TrainConfig> = {
  batch_size: 4, lora_rank: 8, lora_alpha: 16, lora_targets: ['c_attn', 'c_proj', 'c_fc'], warmup_steps: 20,
};

export const GPT2_TIERS: Partial<Record<number, Gpt2Tier>> = {
  1: {
    tries: 'GPT-2 with LoRA r8 on c_attn, c_proj and c_fc, batch 4, 300 steps: 2e-4 (the usual default) against 1e-4, 1.5e-4, 2.5e-4 and 3e-4.',
    runs: [1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4].map((lr) => ({ label: `LoRA ${e(lr)}`, set: { learning_rate: lr, max_steps: 300 } })),
  },
  8: {
    tries: 'GPT-2, batch 4, 400 steps: rank 8 at 2e-4 against rank 16 at 2e-4 and at 2.5e-4 (alpha 16).',
    runs: [
      { label: 'r 8 at 2e-4', set: { lora_rank: 8, learning_rate: 2e-4, max_steps: 400 } },
      { label: 'r 16 at 2e-4', set: { lora_rank: 16, learning_rate: 2e-4, max_steps: 400 } },
      { label: 'r 16 at 2.5e-4', set: { lora_rank: 16, learning_rate: 2.5e-4, max_steps: 400 } },
    ],
  },
};
