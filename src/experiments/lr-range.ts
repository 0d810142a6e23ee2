// The learning-rate range test (Smith 2017; fastai's lr_find): train a copy of the model while the
// rate ramps exponentially from 1e-7 to 1, stop when the loss blows up, and read two suggestions off
// the smoothed loss-against-rate curve: where it falls fastest, and the rate at its minimum / 10.

import type { RunRecord } from '../runs/schema';
import { parseConfig, type TrainConfig } from '../config/config';
import type { Plan } from './plan';

export const RANGE_START = 1e-7;
export const RANGE_END = 1;

/** The config of a range test on `c`'s model, data and batch: no warmup, no decay, no evaluations. */
export function rangeTestConfig(c: TrainConfig, steps = 200): TrainConfig {
  return parseConfig({
    ...c,
    name: `LR range test: ${c.name || (c.lora_rank > 0 ? `LoRA r${c.lora_rank}` : 'full')} bs ${c.batch_size}`,
    tags: [...c.tags.filter((t) => t !== 'lr-range'), 'lr-range'],
    learning_rate: RANGE_END,
    warmup_init_lr: RANGE_START,
    warmup_steps: 0,
    lr_schedule: 'exponential',
    min_lr: null,
    max_steps: steps,
    epochs: null,
    eval_interval: 0,
    sample_interval: 0,
    early_stopping_patience: 0,
    // Stop once the loss is well above where it started: the curve past that point says nothing.
    divergence_margin: Math.min(c.divergence_margin || 1.5, 1.5),
    metrics_interval: Math.min(c.metrics_interval, 10),
  });
}

export function rangePlan(c: TrainConfig, steps = 200): Plan {
  const config = rangeTestConfig(c, steps);
  return { kind: 'range', name: config.name, tag: 'lr-range', runs: [{ label: 'range test', config }], x: 'step', keys: ['learning_rate'] };
}

export interface RangeSuggestion {
  /** Rate where the smoothed loss falls fastest against log(rate). */
  steepest: number | null;
  /** Rate at the smoothed loss's minimum, divided by ten. */
  minOverTen: number | null;
  /** Rate at the minimum itself. */
  minimum: number | null;
  /** The points used (before the blow-up): rate, smoothed loss. */
  curve: { lr: number; loss: number }[];
  /** Rate where the loss blew up (4× the minimum, or a diverged run), if it did. */
  blewUpAt: number | null;
}

/**
 * Reads a range-test record. Losses are smoothed with a bias-corrected EMA (β = 0.9); the curve ends
 * where the smoothed loss passes 4× its minimum or the run diverged. The steepest descent is the
 * most negative slope of smoothed loss against ln(rate), skipping the first 10% of points (the EMA's
 * start is noise).
 */
export function suggestRate(r: Pick<RunRecord, 'metrics' | 'outcome'>, beta = 0.9): RangeSuggestion {
  const lrs = r.metrics.lr;
  const losses = r.metrics.loss;
  const curve: { lr: number; loss: number }[] = [];
  let avg = 0;
  let min = Infinity;
  let blewUpAt: number | null = null;
  for (let i = 0; i < losses.length; i++) {
    const l = losses[i];
    const lr = lrs[i];
    if (l === null || lr === null || !Number.isFinite(l)) {
      blewUpAt = lr ?? null;
      break;
    }
    avg = beta * avg + (1 - beta) * l;
    const smooth = avg / (1 - beta ** (i + 1));
    if (curve.length > 5 && smooth > 4 * min) {
      blewUpAt = lr;
      break;
    }
    min = Math.min(min, smooth);
    curve.push({ lr, loss: smooth });
  }
  if (blewUpAt === null && r.outcome.status === 'diverged') blewUpAt = curve.at(-1)?.lr ?? null;
  if (curve.length < 5) return { steepest: null, minOverTen: null, minimum: null, curve, blewUpAt };
  let iMin = 0;
  curve.forEach((p, i) => {
    if (p.loss < curve[iMin].loss) iMin = i;
  });
  let iSteep = -1;
  let slope = 0;
  const from = Math.max(1, Math.floor(curve.length / 10));
  for (let i = from; i < curve.length - 1; i++) {
    const s = (curve[i + 1].loss - curve[i - 1].loss) / Math.log(curve[i + 1].lr / curve[i - 1].lr);
    if (s < slope) {
      slope = s;
      iSteep = i;
    }
  }
  const round = (x: number) => Number(x.toPrecision(2));
  return { steepest: iSteep >= 0 ? round(curve[iSteep].lr) : null, minOverTen: round(curve[iMin].lr / 10), minimum: round(curve[iMin].lr), curve, blewUpAt };
}
