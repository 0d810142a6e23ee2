// The scenarios' CPU tier: without a GPU (SwiftShader) each scenario runs on the tiny model (d 64,
// 2 layers, context 64) fine-tuned from the shipped tiny base (public/base: 300 steps on Moby Dick)
// on SOTU, batch 4, about 200 steps a run, at rates that show the scenario's point at this size.
// The rates and step counts were chosen with PyTorch on the CPU (scripts/calibrate/torch_tiny_tier.py
// runs these very configs, from `stepsize scenario N --print-plan`, starting from the same base);
// PYTORCH below is what it measured, and each check compares our runs' ordering with it.

import type { TrainConfig } from '../config/config';

/** One run of a scenario, at either size: its label and the config keys it sets. */
export interface ScenarioRun {
  label: string;
  set: Partial<TrainConfig>;
}

export interface TinyTier {
  /** What we try, at this size. */
  tries: string;
  runs: ScenarioRun[];
  /** Final validation loss of each run (by label) in PyTorch, or 'diverged'. */
  pytorch: Record<string, number | 'diverged'>;
}

const e = (lr: number): string => lr.toExponential();
const lora = (lr: number, more: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ lora_rank: 8, learning_rate: lr, max_steps: 200, ...more });
const full = (lr: number, more: Partial<TrainConfig> = {}): Partial<TrainConfig> => ({ lora_rank: 0, learning_rate: lr, weight_decay: 0.01, max_steps: 200, ...more });

/** The settings every tiny-tier run shares (a run's `set` overrides them). */
export const TINY_TIER_BASE: Partial<TrainConfig> = { model: 'tiny', batch_size: 4, warmup_steps: 10 };

/** Bytes of the SOTU training split scenario 3 keeps at this size. */
const SMALL = 4096;

export const TINY_TIERS: Record<number, TinyTier> = {
  1: {
    tries: 'LoRA r8 at four learning rates, 200 steps each: 1e-5, 2e-4 (the usual default), 3e-3 and 1e-1.',
    runs: [1e-5, 2e-4, 3e-3, 1e-1].map((lr) => ({ label: `LoRA ${e(lr)}`, set: lora(lr) })),
    pytorch: { 'LoRA 1e-5': 2.5915, 'LoRA 2e-4': 2.5765, 'LoRA 3e-3': 2.5566, 'LoRA 1e-1': 3.0642 },
  },
  2: {
    tries: 'LoRA r8 at 3e-3 against full fine-tuning of every weight at 1e-3 and at 1e-1, 200 steps.',
    runs: [
      { label: 'LoRA 3e-3', set: lora(3e-3) },
      { label: 'full 1e-3', set: full(1e-3) },
      { label: 'full 1e-1', set: full(1e-1) },
    ],
    pytorch: { 'LoRA 3e-3': 2.5566, 'full 1e-3': 2.5261, 'full 1e-1': 2.9161 },
  },
  3: {
    tries: `Only the first ${SMALL / 1024} KB of the SOTU training split, 400 steps: full fine-tuning at 1e-2 against LoRA at 3e-3.`,
    runs: [
      { label: 'full 1e-2', set: full(1e-2, { max_steps: 400, train_bytes: SMALL }) },
      { label: 'LoRA 3e-3', set: lora(3e-3, { max_steps: 400, train_bytes: SMALL }) },
    ],
    pytorch: { 'full 1e-2': 2.6745, 'LoRA 3e-3': 2.5717 },
  },
  4: {
    tries: 'The folklore table scaled to this model: batch 1, 2, 4 at 1.5e-3, 2.1e-3, 3e-3, against batch 1 and 2 at 3e-3, 200 steps.',
    runs: [
      { label: 'bs 1 at 1.5e-3', set: lora(1.5e-3, { batch_size: 1 }) },
      { label: 'bs 2 at 2.1e-3', set: lora(2.1e-3, { batch_size: 2 }) },
      { label: 'bs 4 at 3e-3', set: lora(3e-3, { batch_size: 4 }) },
      { label: 'bs 1 at 3e-3', set: lora(3e-3, { batch_size: 1 }) },
      { label: 'bs 2 at 3e-3', set: lora(3e-3, { batch_size: 2 }) },
    ],
    pytorch: { 'bs 1 at 1.5e-3': 2.5674, 'bs 2 at 2.1e-3': 2.5596, 'bs 4 at 3e-3': 2.5566, 'bs 1 at 3e-3': 2.5658, 'bs 2 at 3e-3': 2.5577 },
  },
  5: {
    tries: 'Batch 4 at 5e-4 for 200 steps against batch 16 for 50 steps (the same tokens) at 2e-3 (linear rule), 1e-3 (square-root rule) and 5e-4 (unscaled).',
    runs: [
      { label: 'bs 4 at 5e-4', set: lora(5e-4) },
      { label: 'bs 16 at 2e-3 (linear)', set: lora(2e-3, { batch_size: 16, max_steps: 50 }) },
      { label: 'bs 16 at 1e-3 (sqrt)', set: lora(1e-3, { batch_size: 16, max_steps: 50 }) },
      { label: 'bs 16 at 5e-4 (unscaled)', set: lora(5e-4, { batch_size: 16, max_steps: 50 }) },
    ],
    pytorch: { 'bs 4 at 5e-4': 2.5688, 'bs 16 at 2e-3 (linear)': 2.5692, 'bs 16 at 1e-3 (sqrt)': 2.5722, 'bs 16 at 5e-4 (unscaled)': 2.5771 },
  },
  6: {
    tries: 'Batch 16 against batch 4 with 4 accumulation steps (the same effective batch), same seed and rate (3e-3), 50 steps.',
    runs: [
      { label: 'bs 16', set: lora(3e-3, { batch_size: 16, max_steps: 50 }) },
      { label: 'bs 4 × 4 accumulation', set: lora(3e-3, { batch_size: 4, grad_accum_steps: 4, max_steps: 50 }) },
    ],
    pytorch: { 'bs 16': 2.5667, 'bs 4 × 4 accumulation': 2.5667 },
  },
  7: {
    tries: 'From scratch on Moby Dick at 1e-2, batch 8, 200 steps: no warmup against 50 warmup steps.',
    runs: [
      { label: 'no warmup', set: { lora_rank: 0, base_model: null, train_data: 'moby-dick', learning_rate: 1e-2, batch_size: 8, warmup_steps: 0, weight_decay: 0.1, max_steps: 200 } },
      { label: '50 warmup steps', set: { lora_rank: 0, base_model: null, train_data: 'moby-dick', learning_rate: 1e-2, batch_size: 8, warmup_steps: 50, weight_decay: 0.1, max_steps: 200 } },
    ],
    pytorch: { 'no warmup': 2.4483, '50 warmup steps': 2.451 },
  },
  8: {
    tries: 'Rank 1, 4 and 16 at 3e-3 (alpha 16), and rank 16 at 2e-4, 200 steps.',
    runs: [
      ...[1, 4, 16].map((r) => ({ label: `r ${r} at 3e-3`, set: lora(3e-3, { lora_rank: r }) })),
      { label: 'r 16 at 2e-4', set: lora(2e-4, { lora_rank: 16 }) },
    ],
    pytorch: { 'r 1 at 3e-3': 2.5693, 'r 4 at 3e-3': 2.5615, 'r 16 at 3e-3': 2.5541, 'r 16 at 2e-4': 2.5767 },
  },
  9: {
    tries: 'Cosine from 3e-3 down to 1e-3, against constant 3e-3 and constant 1e-3, 200 steps.',
    runs: [
      { label: 'cosine 3e-3 → 1e-3', set: lora(3e-3, { min_lr: 1e-3 }) },
      { label: 'constant 3e-3', set: lora(3e-3, { lr_schedule: 'constant' }) },
      { label: 'constant 1e-3', set: lora(1e-3, { lr_schedule: 'constant' }) },
    ],
    pytorch: { 'cosine 3e-3 → 1e-3': 2.554, 'constant 3e-3': 2.553, 'constant 1e-3': 2.5613 },
  },
  10: {
    tries: 'Full fine-tuning at 1e-2: both layers at one rate, against a rate that shrinks by 0.7 per layer from the top down, 200 steps.',
    runs: [
      { label: 'one rate', set: full(1e-2) },
      { label: 'decay 0.7 per layer', set: full(1e-2, { layer_lr_decay: 0.7 }) },
    ],
    pytorch: { 'one rate': 2.4457, 'decay 0.7 per layer': 2.4593 },
  },
};
