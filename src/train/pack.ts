// Which runs can train packed side by side in one GpuModel (src/kernels/runs.ts), and how many fit.
// Packed runs share the step program, so they must agree in everything the program is built from:
// the model's shape and trainable scope (LoRA rank, alpha and targets, the per-tensor rate
// multipliers of the optimizer's table), micro-batch, context, accumulation, evaluation batches, the
// metric ring (metrics_interval) and the training text with its split (the corpus buffer is shared).
// Each run keeps its own learning rate and schedule, seed and sampler, weight decay, betas, eps,
// clipping, divergence margin, early stopping, length, evaluation, sample and checkpoint cadence.

import { canonicalJson } from '../runs/checksum';
import { planModel, type ModelPlan } from '../model/plan';
import type { RunPlan } from './plan';
import type { FitLimits } from './fit';

/** What the packed runs' shared step program is built from, as one comparable value. */
function sharedOf(p: RunPlan): Record<string, unknown> {
  const { optim: _optim, runs: _runs, ...setup } = p.model.setup;
  const { bytes: _bytes, ...split } = p.data;
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

/** GPU bytes of K packed runs: every arena and per-run buffer, and the shared corpus once. */
export function packedBytes(p: RunPlan, K: number): number {
  const b = packedModel(p, K).bytes;
  return Object.values(b).reduce((s, x) => s + x, 0) + p.data.bytes.length;
}

/**
 * The most runs `together: auto` packs: no buffer beyond the adapter's binding and buffer limits,
 * everything within AUTO_PACK_BYTES, and at most MAX_TOGETHER runs.
 */
export const MAX_TOGETHER = 8;
export const AUTO_PACK_BYTES = 2 ** 30;

export function largestPack(p: RunPlan, limits: FitLimits, cap = MAX_TOGETHER): number {
  const per = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  let best = 1;
  for (let K = 2; K <= cap; K++) {
    const b = packedModel(p, K).bytes;
    if (Object.values(b).some((x) => x > per) || packedBytes(p, K) > AUTO_PACK_BYTES) break;
    best = K;
  }
  return best;
}
