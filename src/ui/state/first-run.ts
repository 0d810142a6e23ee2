// The page's first run, as it opens: a run that visibly learns within its first seconds on any
// adapter. No classroom base ships, so it trains from scratch (a random byte-level GPT falls from
// ln 256 ≈ 5.5 nats towards 3 within its first 20 steps at 3e-3, measured on SwiftShader); on a CPU
// adapter on the tiny model with small batches, so a step takes a fraction of a second.
import type { TrainConfig } from '../../config/config';

/** The "From scratch" preset's rate: 3e-3 with automatic warmup (10% of the steps). */
const FIRST_RUN: Partial<TrainConfig> = { base_model: null, learning_rate: 3e-3, weight_decay: 0.1, eval_interval: 25 };

/** On SwiftShader: 60 steps of batch 4 on the tiny model, evaluated every 10 (about half a minute). */
const FIRST_RUN_CPU: Partial<TrainConfig> = { model: 'tiny', batch_size: 4, max_steps: 60, eval_interval: 10, eval_batches: 2, sample_interval: 30, sample_length: 80 };

export function firstRunValues(software: boolean): Partial<TrainConfig> {
  return software ? { ...FIRST_RUN, ...FIRST_RUN_CPU } : { ...FIRST_RUN };
}

export function firstRunNote(software: boolean, adapter: string): string {
  const where = software ? `WebGPU runs on the CPU here (${adapter}): the tiny model is selected so runs finish in a minute. ` : '';
  return `${where}The first run trains from scratch at 3e-3 and learns within seconds; for LoRA or full fine-tuning, pick a preset or a base model.`;
}
