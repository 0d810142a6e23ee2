// The learning-rate range test (Smith 2017; fastai's lr_find): train a copy of the model while the
// rate ramps exponentially from 1e-7 to 1, stop when the loss blows up, and read two suggestions off
// the smoothed loss-against-rate curve: where it falls fastest, and the rate at its minimum / 10.

import type { RunRecord } from '../runs/schema';
import { parseConfig, type TrainConfig } from '../config/config';
import type { Plan } from './plan';

export const RANGE_START = 1e-7;
export const RANGE_END = 1;
/** Steps of the ramp when none are asked for (the CLI's --steps, the page's field): above STABLE_STEPS. */
export const RANGE_STEPS = 200;

/** The config of a range test on `c`'s model, data and batch: no warmup, no decay, no evaluations. */
export function rangeTestConfig(c: TrainConfig, steps = RANGE_STEPS): TrainConfig {
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

export function rangePlan(c: TrainConfig, steps = RANGE_STEPS): Plan {
  const config = rangeTestConfig(c, steps);
  return { kind: 'range', name: config.name, tag: 'lr-range', runs: [{ label: 'range test', config }], x: 'step', keys: ['learning_rate'] };
}

/** One rule's answer: a rate, or no rate and why the curve does not support the rule. */
export interface RuleAnswer {
  lr: number | null;
  why: string | null;
}

export interface RangeSuggestion {
  /**
   * The rate to try: where the smoothed loss, past its minimum, has climbed BLOWUP_EDGE of the way to
   * the blow-up, divided by ten (the last rate before the loss leaves its valley for good, with a
   * margin). Needs a blow-up; the headline suggestion.
   */
  edge: RuleAnswer;
  /** Rate where the smoothed loss falls fastest against log(rate), within its descent to the minimum. */
  steepest: RuleAnswer;
  /** Rate at the smoothed loss's minimum, divided by ten; needs a clear minimum after a descent. */
  minOverTen: RuleAnswer;
  /** Rate at the minimum itself (after the first steps). */
  minimum: number | null;
  /** The points used (after the first `skipped`, before the blow-up): rate, smoothed loss. */
  curve: { lr: number; loss: number }[];
  /** Leading points left out: the EMA's start is noise (fastai skips them too). */
  skipped: number;
  /** Rate where the loss blew up (4× the minimum, or a diverged run), if it did. */
  blewUpAt: number | null;
  /** The smoothed curve's noise (nats): the raw loss's step-to-step scatter (before the blow-up) shrunk by the EMA. */
  noise: number;
  /** Set when the ramp had fewer than STABLE_STEPS steps: its answer comes out high. */
  fewSteps: string | null;
}

/** How far up the blow-up (from the minimum to where the run stopped) the edge rule reads the rate. */
export const BLOWUP_EDGE = 0.3;
/** A descent, minimum or rise counts when it exceeds this many times the smoothed curve's noise. */
export const CLEAR = 5;
/**
 * Steps the test needs for a stable answer. Measured on SwiftShader (tiny LoRA r8 from the shipped
 * base, SOTU, batch 4; seeds 1, 2, 3): the edge rule gave 1.5e-2 (all three seeds) at 60 steps,
 * 1.1e-2 (all three) at 80, 7.4e-3, 6.3e-3 and 1.0e-2 at 100, 5.4e-3, 7.5e-3 and 7.5e-3 at 150,
 * 6.4e-3, 3.3e-3 and 4.2e-3 at 200, 5.7e-3 at 300 (seed 1), against a calibrated best near 3e-3
 * (PyTorch, 200 steps). Below ~150 the answer is not noisy but high: the EMA lags ~9 steps, which
 * is more of a decade of rates the shorter the ramp. No other rule gave a rate on any of these runs
 * (the curve is flat within noise until the blow-up).
 */
export const STABLE_STEPS = 150;

const round2 = (x: number) => Number(x.toPrecision(2));
const no = (why: string): RuleAnswer => ({ lr: null, why });
const yes = (lr: number): RuleAnswer => ({ lr: round2(lr), why: null });
const e1 = (x: number) => x.toExponential(1);

/**
 * Reads a range-test record. Losses are smoothed with a bias-corrected EMA (β = 0.9); the curve ends
 * where the smoothed loss passes 4× its minimum or the run diverged, and its first max(10, 10%)
 * points are left out. Each rule gives a rate only when the curve meets its premise, else says why.
 */
export function suggestRate(r: Pick<RunRecord, 'config' | 'metrics' | 'outcome'>, beta = 0.9): RangeSuggestion {
  const lrs = r.metrics.lr;
  const losses = r.metrics.loss;
  const all: { lr: number; loss: number; raw: number }[] = [];
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
    if (all.length > 5 && smooth > 4 * min) {
      blewUpAt = lr;
      break;
    }
    min = Math.min(min, smooth);
    all.push({ lr, loss: smooth, raw: l });
  }
  if (blewUpAt === null && r.outcome.status === 'diverged') blewUpAt = all.at(-1)?.lr ?? null;
  const steps = losses.length;
  // The ramp's length, not the steps run: what makes an answer stable is how many steps each decade
  // of rates gets, and a run that blew up early or is still training had its ramp all the same.
  const ramp = r.config.max_steps ?? steps;
  const fewSteps = ramp < STABLE_STEPS ? `${ramp} steps: the answer is stable from about ${STABLE_STEPS} (a shorter ramp gives each decade fewer steps, the smoothing lags further behind the rate, and the answer comes out high)` : null;
  const skipped = Math.max(Math.ceil(beta / (1 - beta)), Math.floor(all.length / 10));
  const curve = all.slice(skipped).map(({ lr, loss }) => ({ lr, loss }));
  const empty = (why: string): RangeSuggestion => ({ edge: no(why), steepest: no(why), minOverTen: no(why), minimum: null, curve, skipped, blewUpAt, noise: 0, fewSteps });
  if (curve.length < 5) return empty(`too few steps (${steps}) to read a curve after its first ${skipped}`);
  let iMin = 0;
  curve.forEach((p, i) => {
    if (p.loss < curve[iMin].loss) iMin = i;
  });
  const lo = curve[iMin].loss;
  const top = Math.max(...curve.slice(0, iMin + 1).map((p) => p.loss));
  const peak = Math.max(...curve.slice(iMin).map((p) => p.loss));
  // Noise of the smoothed curve: the raw losses' step-to-step scatter (σ from the RMS of
  // differences) times the EMA's noise gain √((1−β)/(1+β)), over the points before the blow-up
  // starts (the jumps of the blow-up are not noise). The RMS, not a median: batch losses are
  // heavy-tailed (a batch of rare text spikes by half a nat), and the EMA carries every spike.
  // Where the loss, past its minimum, has climbed BLOWUP_EDGE of the way to the blow-up.
  const rising = curve.findIndex((p, k) => k > iMin && p.loss > lo + BLOWUP_EDGE * (peak - lo));
  const calm = all.slice(0, skipped + (rising < 0 ? curve.length : rising) + 1);
  const diffs = calm.slice(1).map((p, i) => p.raw - calm[i].raw);
  const noise = Math.sqrt(diffs.reduce((a, d) => a + d * d, 0) / Math.max(1, diffs.length) / 2) * Math.sqrt((1 - beta) / (1 + beta));
  const fell = top - lo > CLEAR * noise;
  const rose = blewUpAt !== null || peak - lo > CLEAR * noise;

  let edge: RuleAnswer;
  if (!rose) edge = no(`the loss never rose clearly past its minimum (by ${(peak - lo).toFixed(3)}, noise ${noise.toFixed(3)}): ramp to a blow-up with more steps`);
  else edge = yes(curve[rising < 0 ? curve.length - 1 : rising].lr / 10);

  // Steepest descent, over a window of a factor 3 either side (a slope between neighbours is noise):
  // the rate whose window loses the most, when that loss is clear of the noise.
  const dLn = Math.log(curve.at(-1)!.lr / curve[0].lr) / Math.max(1, curve.length - 1);
  const w = Math.max(1, Math.round(Math.log(3) / Math.max(dLn, 1e-12)));
  let iSteep = -1;
  let drop = 0;
  for (let k = w; k + w < curve.length && k <= iMin; k++) {
    const d = curve[k - w].loss - curve[k + w].loss;
    if (d > drop) {
      drop = d;
      iSteep = k;
    }
  }
  const steepest = !fell
    ? no(`no clear descent: the loss fell ${(top - lo).toFixed(3)} to its minimum, within ${CLEAR}× its noise (${noise.toFixed(3)})`)
    : iSteep < 0 || drop <= CLEAR * noise
      ? no(`no clear descent within a factor 9 of rates (the most any such span fell is ${drop.toFixed(3)}, noise ${noise.toFixed(3)})`)
      : yes(curve[iSteep].lr);

  // The minimum / 10 needs a clear minimum: a descent into it, a rise after it, and a valley (points
  // within 2× the noise of it) narrower than a decade of rates, or the minimum's place is noise.
  const valley = curve.filter((p) => p.loss <= lo + 2 * noise);
  const width = Math.log10(Math.max(...valley.map((p) => p.lr)) / Math.min(...valley.map((p) => p.lr)));
  let minOverTen: RuleAnswer;
  if (iMin <= curve.length / 10) minOverTen = no(`the smoothed minimum sits at the start of the ramp (lr ${e1(curve[iMin].lr)}): the rule needs a minimum after a descent`);
  else if (!fell) minOverTen = no(`no clear descent into the minimum (it fell ${(top - lo).toFixed(3)}, noise ${noise.toFixed(3)})`);
  else if (!rose) minOverTen = no('the loss never rose after its minimum: the ramp ended before the blow-up');
  else if (width > 1) minOverTen = no(`the minimum is not clear: the loss stays within noise of it from lr ${e1(Math.min(...valley.map((p) => p.lr)))} to ${e1(Math.max(...valley.map((p) => p.lr)))}`);
  else minOverTen = yes(curve[iMin].lr / 10);

  return { edge, steepest, minOverTen, minimum: round2(curve[iMin].lr), curve, skipped, blewUpAt, noise, fewSteps };
}
