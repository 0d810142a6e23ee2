// Which runs can train packed side by side in one GpuModel (src/kernels/runs.ts), and how many fit.
// Packed runs share the step program, so they must agree in everything the program is built from:
// the model's shape and trainable scope (LoRA rank, alpha and targets, the per-tensor rate
// multipliers of the optimizer's table), micro-batch, context, accumulation, evaluation batches, the
// metric ring (metrics_interval) and the training text with its split (the corpus buffer is shared).
// Each run keeps its own learning rate and schedule, seed and sampler, weight decay, betas, eps,
// clipping, divergence margin, early stopping, length, evaluation, sample and checkpoint cadence.

import { canonicalJson } from '../runs/checksum';
import type { ModelSetup } from '../model/gpu-model';
import { planModel, type ModelPlan } from '../model/plan';
import { shapeOf, type ConfigKey, type TrainConfig } from '../config/config';
import { modelSetupOf } from './plan';
import { resolveScope } from './resolve';
import type { RunPlan } from './plan';
import type { FitLimits } from './fit';

/** What the packed runs' shared step program is built from, as one comparable value. */
function sharedOf(p: RunPlan): Record<string, unknown> {
  const { optim: _optim, runs: _runs, ...setup } = p.model.setup;
  const { tokens: _tokens, ...split } = p.data;
  return { setup, data: p.identity.data, split };
}

/** Runs with the same key can train together. */
export function packKey(p: RunPlan): string {
  return canonicalJson(sharedOf(p));
}

/** Why these runs cannot train together (the first thing that differs), or null when they can. */
export function packProblem(plans: readonly RunPlan[]): string | null {
  const first = sharedOf(plans[0]);
  for (let i = 1; i < plans.length; i++) {
    const other = sharedOf(plans[i]);
    for (const part of ['setup', 'data', 'split'] as const) {
      const [a, b] = [first[part] as Record<string, unknown> | string, other[part] as Record<string, unknown> | string];
      if (typeof a === 'string' || typeof b === 'string') {
        if (a !== b) return `run ${i + 1} trains on other text than run 1`;
        continue;
      }
      for (const k of Object.keys({ ...a, ...b })) {
        if (canonicalJson(a[k]) !== canonicalJson(b[k])) return `run ${i + 1} differs from run 1 in ${part === 'split' ? 'the text split' : 'the model setup'}: ${k} ${canonicalJson(b[k])} against ${canonicalJson(a[k])}`;
      }
    }
  }
  return null;
}

/** The model K packed runs of `p` build. */
export function packedModel(p: RunPlan, K: number): ModelPlan {
  return planModel({ ...p.model.setup, runs: K });
}

/** The most runs packed together (`together` in a sweep), and the GPU memory `auto` stays within. */
export const MAX_TOGETHER = 8;
export const AUTO_PACK_BYTES = 2 ** 30;

/**
 * The most runs of a setup `together: auto` packs: no buffer beyond the adapter's binding and buffer
 * limits, all buffers and the corpus (`corpusBytes`, shared) within AUTO_PACK_BYTES, at most MAX_TOGETHER.
 */
export function largestPack(setup: ModelSetup, corpusBytes: number, limits: FitLimits): number {
  const per = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let best = 1;
  for (let K = 2; K <= MAX_TOGETHER; K++) {
    const b = Object.values(planModel({ ...setup, runs: K }).bytes);
    if (b.some((x) => x > per) || b.reduce((s, x) => s + x, corpusBytes) > AUTO_PACK_BYTES) break;
    best = K;
  }
  return best;
}

/**
 * Config keys that packed runs may each set their own way (the Step record, the host's schedule,
 * sampler and cadences); runs whose configs agree in every other key can share a step program. The
 * page groups a plan's runs by this before the worker plans them (which checks again: packProblem).
 */
export const PER_RUN_KEYS: readonly ConfigKey[] = [
  'name', 'tags', 'notes', 'output_dir', 'seed', 'learning_rate', 'min_lr', 'lr_schedule', 'warmup_steps', 'warmup_init_lr', 'warmup_shape',
  'max_steps', 'epochs', 'weight_decay', 'beta1', 'beta2', 'adam_eps', 'grad_clip', 'divergence_margin', 'early_stopping_patience',
  'eval_interval', 'sample_interval', 'checkpoint_interval', 'sample_prompt', 'sample_length', 'sample_temperature', 'sample_top_k', 'train_windows',
];

/** Configs with the same key may train together (the rest of the config, canonically). */
export function packConfigKey(c: TrainConfig): string {
  const shared: Record<string, unknown> = { ...c };
  for (const k of PER_RUN_KEYS) delete shared[k];
  return canonicalJson(shared);
}

/**
 * Splits items into groups that train together: items with the same key, in the given order, at most
 * cap(item) to a group (the first item of a group decides its cap). Groups come in the order of their
 * first items; each keeps the items' order.
 */
export function packGroups<T>(items: readonly T[], key: (item: T) => string, cap: (item: T) => number): T[][] {
  const open = new Map<string, { group: T[]; cap: number }>();
  const groups: T[][] = [];
  for (const item of items) {
    const k = key(item);
    const o = open.get(k);
    if (o && o.group.length < o.cap) {
      o.group.push(item);
      continue;
    }
    const group = [item];
    groups.push(group);
    open.set(k, { group, cap: Math.max(1, cap(item)) });
  }
  return groups;
}

/** largestPack for a config not yet planned (the page, before its worker has the text): `hasBase` as planRun would see it. */
export function largestPackOf(c: TrainConfig, hasBase: boolean, corpusBytes: number, limits: FitLimits): number {
  const shape = shapeOf(c.model);
  return largestPack(modelSetupOf(c, shape, resolveScope(c, hasBase)), corpusBytes, limits);
}
