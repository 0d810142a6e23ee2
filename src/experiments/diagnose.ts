// Curves that explain themselves: what a run's recorded metrics show, named with the rule of thumb
// behind it (../shared/RULES.md) and the step it refers to. Pure: it reads a record, finished or
// still training (called again as metrics arrive), and says nothing it has no numbers for; each
// diagnosis carries the numbers that triggered it. The thresholds are named below with their reason.

import type { RunRecord } from '../runs/schema';
import { OVERFIT_RISE, runFacts } from './facts';

export type DiagnosisId = 'rate-too-high' | 'not-learning' | 'overfitting' | 'rate-too-low' | 'grad-spikes';

export interface Diagnosis {
  id: DiagnosisId;
  /** The step the diagnosis refers to (where the rise began, the best evaluation, the largest spike…). */
  step: number;
  title: string;
  /** One sentence with the numbers that triggered it. */
  evidence: string;
  /** The rule of thumb behind it, with its number in RULES.md. */
  rule: string;
  advice: string;
  /** The tensors concerned (not-learning only). */
  tensors?: string[];
}

/** Fewer recorded training losses than this say nothing about a trend: a run's first steps are noise and warmup. */
export const MIN_STEPS = 20;
/** A training loss whose windowed mean climbs this much (relative) above its lowest earlier mean is rising: a
 *  mean over ≥ 10 steps varies by a few percent from batch to batch, a sustained 10% climb does not. */
export const TRAIN_RISE = 0.1;
/** Window of the training-loss means: a tenth of the run, at least 10 steps, at most 50. */
export const TRAIN_WINDOW = { frac: 0.1, min: 10, max: 50 } as const;
/** At least this many evaluations after the best, every one above best × (1 + OVERFIT_RISE), before a rise in
 *  validation loss counts: one evaluation above its best can be evaluation noise. */
export const OVERFIT_EVALS_AFTER = 2;
/** Update/weight ratios (‖Δp‖/‖p‖ per step) about 1e-3 are the usual mark of a sensible rate; a median a tenth of
 *  that is "far below": the weights move by less than 0.01% a step. */
export const LOW_UPDATE_RATIO = 1e-4;
/** The rate-too-low window: the last this-many steps after warmup while the rate is near its peak. */
export const LOW_WINDOW = 50;
/** The rate counts as near its peak from this fraction of the highest recorded rate: a decayed rate at the end of a
 *  cosine is meant to be small, and so is the first part of a warmup. */
export const NEAR_PEAK = 0.5;
/** A training loss that fell less than this (relative) over the low-rate window is "not falling much". */
export const LOW_FALL = 0.02;
/** The last this-many kept per-tensor rows (every metrics_interval steps, after step 1, where a LoRA A's gradient
 *  and a LoRA B's update ratio are rightly zero) must all be exactly zero before a tensor counts as not learning. */
export const ZERO_ROWS = 3;
/** A gradient norm above this multiple of the median of the steps before it is a spike; ordinary batch-to-batch
 *  variation of the gradient norm stays well within 2×. */
export const SPIKE_FACTOR = 5;
/** Steps in the running median a spike is measured against; and how many it needs before it judges. */
export const SPIKE_WINDOW = 20;
export const SPIKE_HISTORY = 10;

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sci = (x: number) => x.toExponential(1);
const isNum = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/** Steps of the record that trained (not the halted step of a diverged run, whose figures are zeros). */
function trainedUntil(r: RunRecord): number {
  return r.outcome.status === 'diverged' ? r.outcome.step - 1 : Infinity;
}

function rateTooHigh(r: RunRecord): Diagnosis | null {
  const rule = 'Rules 14 and 5: loss exploding or NaN means the rate is too high; too large a step oscillates or diverges.';
  const advice = 'Lower the learning rate (a third or a tenth), or lengthen the warmup; then run again.';
  const base = { id: 'rate-too-high' as const, title: 'The rate is too high', rule, advice };
  if (r.outcome.status === 'diverged') {
    return { ...base, step: r.outcome.step, evidence: r.outcome.reason ? `The run halted: ${r.outcome.reason}.` : `The run diverged at step ${r.outcome.step}.` };
  }
  const bad = r.metrics.loss.findIndex((l) => !isNum(l));
  if (bad >= 0) return { ...base, step: r.metrics.step[bad], evidence: `The training loss at step ${r.metrics.step[bad]} is not a finite number (NaN or infinite).` };
  const n = r.metrics.loss.length;
  if (n < MIN_STEPS) return null;
  const w = Math.max(TRAIN_WINDOW.min, Math.min(TRAIN_WINDOW.max, Math.round(n * TRAIN_WINDOW.frac)));
  const sums = [0];
  for (const l of r.metrics.loss as number[]) sums.push(sums.at(-1)! + l);
  const means: number[] = [];
  for (let i = w; i <= n; i++) means.push((sums[i] - sums[i - w]) / w);
  const last = means.length - 1;
  let lo = 0;
  for (let i = 1; i <= last - w; i++) if (means[i] < means[lo]) lo = i;
  if (last - lo < w) return null;
  const limit = means[lo] * (1 + TRAIN_RISE);
  if (means[last] <= limit) return null;
  let from = lo + 1;
  while (means[from] <= limit) from++;
  const at = (i: number) => r.metrics.step[i + w - 1];
  return {
    ...base,
    step: at(from),
    evidence: `The training loss (mean of ${w} steps) rose from ${f3(means[lo])} at step ${at(lo)} to ${f3(means[last])} at step ${at(last)} (+${pct(means[last] / means[lo] - 1)}); it has been more than ${pct(TRAIN_RISE)} above that low since step ${at(from)}.`,
  };
}

function overfitting(r: RunRecord): Diagnosis | null {
  // runFacts reads best and final from the outcome, which a live run fills in only when it ends.
  const evals = r.evals.filter((e) => isNum(e.val_loss));
  const best = evals.reduce<(typeof evals)[number] | null>((b, e) => (b === null || e.val_loss! < b.val_loss! ? e : b), null);
  if (!best) return null;
  const outcome = { ...r.outcome, best_val_loss: best.val_loss, best_step: best.step, final_val_loss: evals.at(-1)!.val_loss };
  const o = runFacts({ ...r, outcome }).overfit;
  if (!o) return null;
  const after = evals.filter((e) => e.step > o.bestStep);
  if (after.length < OVERFIT_EVALS_AFTER || after.some((e) => e.val_loss! <= o.best * (1 + OVERFIT_RISE))) return null;
  return {
    id: 'overfitting',
    step: o.bestStep,
    title: 'Over-fitting: validation rises while training falls',
    evidence: `Validation loss rose from ${f3(o.best)} at step ${o.bestStep} (its best) to ${f3(o.final)} at step ${evals.at(-1)!.step} (+${pct(o.final / o.best - 1)}, ${after.length} evaluations above it) while the training loss fell from ${f3(o.trainAtBest)} to ${f3(o.trainEnd)}.`,
    rule: 'Rules 14 and 15: validation that stops improving or rises means over-fitting; validation is the final judge, stop early on it.',
    advice: `Stop early (the best was step ${o.bestStep}; early stopping does this), or lower the rate and add weight decay (rules 11 and 14).`,
  };
}

function rateTooLow(r: RunRecord): Diagnosis | null {
  if (r.config.lr_schedule === 'exponential') return null; // a range test ramps the rate on purpose
  const m = r.metrics;
  const peak = m.lr.reduce<number>((a, x) => (isNum(x) && x > a ? x : a), 0);
  if (peak <= 0) return null;
  // warmup_steps null is automatic (a short ramp): the rate's distance from its peak then excludes the ramp.
  const warmup = r.config.warmup_steps ?? 0;
  const idx = m.step.map((_, i) => i).filter((i) => m.step[i] > warmup && (m.lr[i] ?? 0) >= NEAR_PEAK * peak);
  const win = idx.slice(-LOW_WINDOW);
  if (win.length < MIN_STEPS) return null;
  const ratios = win.map((i) => m.update_ratio[i]).filter(isNum);
  const losses = win.map((i) => m.loss[i]).filter(isNum);
  if (ratios.length < MIN_STEPS || losses.length < MIN_STEPS) return null;
  const ratio = median(ratios);
  if (ratio >= LOW_UPDATE_RATIO) return null;
  const q = Math.max(1, Math.floor(losses.length / 4));
  const first = mean(losses.slice(0, q));
  const last = mean(losses.slice(-q));
  const fall = (first - last) / first;
  if (fall >= LOW_FALL) return null;
  const a = m.step[win[0]];
  const b = m.step[win.at(-1)!];
  return {
    id: 'rate-too-low',
    step: b,
    title: 'The rate is too low to matter',
    evidence: `From step ${a} to ${b} the median update/weight ratio was ${sci(ratio)} (the usual mark is about 1e-3) and the training loss moved from ${f3(first)} to ${f3(last)} (${fall >= 0 ? '−' : '+'}${pct(Math.abs(fall))}).`,
    rule: 'Rules 5 and 14: too small a step is slow and may stall; gradient and update norms tell whether the rate is sensible.',
    advice: 'Raise the learning rate (try 3× or 10×); LoRA takes a larger rate than full fine-tuning (rule 6).',
  };
}

function notLearning(r: RunRecord): Diagnosis | null {
  const t = r.tensors;
  const until = trainedUntil(r);
  const lrAt = new Map(r.metrics.step.map((s, i) => [s, r.metrics.lr[i]] as const));
  const rows = t.step.map((_, j) => j).filter((j) => t.step[j] > 1 && t.step[j] <= until && (lrAt.get(t.step[j]) ?? 1) > 0).slice(-ZERO_ROWS);
  const base = {
    id: 'not-learning' as const,
    title: 'Nothing is learning',
    rule: 'Rule 14: gradient and update norms tell whether the rate is sensible, and a norm of exactly zero says nothing moves. LoRA adds (α/r)·x·Aᵀ·Bᵀ with B starting at zero: until B moves the adapter adds nothing, and A gets no gradient.',
  };
  if (rows.length >= ZERO_ROWS) {
    const zeroGrad = t.names.filter((_, i) => rows.every((j) => t.grad_norm[j][i] === 0));
    const stillB = t.names.filter((n, i) => n.includes('.lora_B.') && !zeroGrad.includes(n) && rows.every((j) => t.update_ratio[j][i] === 0));
    const named = [...zeroGrad, ...stillB];
    if (named.length) {
      const list = (ns: string[]) => (ns.length <= 3 ? ns.join(', ') : `${ns.slice(0, 3).join(', ')} and ${ns.length - 3} more`);
      const what = [
        zeroGrad.length ? `gradient exactly zero: ${list(zeroGrad)}` : null,
        stillB.length ? `LoRA B still at zero (update/weight ratio exactly 0): ${list(stillB)}` : null,
      ].filter(Boolean).join('; ');
      return {
        ...base,
        step: t.step[rows.at(-1)!],
        tensors: named,
        evidence: `At every recorded step from ${t.step[rows[0]]} to ${t.step[rows.at(-1)!]}, ${what}.`,
        advice: stillB.length
          ? 'Check the LoRA B learning rate (lora_b_lr_mult, the per-layer rates): B must move for the adapter to change the model.'
          : 'Check which tensors are trainable and their learning-rate multipliers; a tensor the loss does not reach gets no gradient.',
      };
    }
  }
  const g = r.metrics.grad_norm.map((x, i) => [r.metrics.step[i], x] as const).filter(([s]) => s > 1 && s <= until).slice(-MIN_STEPS);
  if (g.length >= MIN_STEPS && g.every(([, x]) => x === 0)) {
    return { ...base, step: g.at(-1)![0], tensors: [], evidence: `The global gradient norm is exactly 0 at every step from ${g[0][0]} to ${g.at(-1)![0]}.`, advice: 'Check that some parameters are trainable and that the loss reaches them.' };
  }
  return null;
}

function gradSpikes(r: RunRecord): Diagnosis | null {
  const m = r.metrics;
  const until = trainedUntil(r);
  const hist: number[] = [];
  const spikes: { step: number; g: number; med: number }[] = [];
  m.grad_norm.forEach((g, i) => {
    if (!isNum(g) || m.step[i] > until) return;
    if (hist.length >= SPIKE_HISTORY) {
      const med = median(hist);
      if (med > 0 && g > SPIKE_FACTOR * med) spikes.push({ step: m.step[i], g, med });
    }
    hist.push(g);
    if (hist.length > SPIKE_WINDOW) hist.shift();
  });
  if (!spikes.length) return null;
  const top = spikes.reduce((a, b) => (b.g / b.med > a.g / a.med ? b : a));
  const c = r.config;
  const advice = [
    c.warmup_steps === null ? 'Set a longer warmup (warmup_steps is automatic now).' : c.warmup_steps < 100 ? `Lengthen the warmup (now ${c.warmup_steps} steps).` : null,
    c.grad_clip > 0 ? `Clipping is on (grad_clip ${c.grad_clip}), so these steps' updates were capped; if spikes recur, lower the rate.` : 'Turn on gradient clipping (grad_clip 1.0).',
  ].filter(Boolean).join(' ');
  return {
    id: 'grad-spikes',
    step: top.step,
    title: 'Gradient-norm spikes',
    evidence: `The gradient norm reached ${top.g.toPrecision(3)} at step ${top.step}, ${(top.g / top.med).toFixed(1)}× the median ${top.med.toPrecision(3)} of the ${SPIKE_WINDOW} steps before (${spikes.length} step${spikes.length > 1 ? 's' : ''} above ${SPIKE_FACTOR}×).`,
    rule: 'Rule 2: warmup ramps the rate from a tiny value to steady the early gradients; clipping the global gradient norm caps what a spike can do.',
    advice,
  };
}

/** What the record's curves show, most severe first; empty when nothing has the evidence for it. */
export function diagnose(r: RunRecord): Diagnosis[] {
  const high = rateTooHigh(r);
  const dead = notLearning(r);
  const out = [high, dead, overfitting(r), high || dead ? null : rateTooLow(r), gradSpikes(r)];
  return out.filter((d): d is Diagnosis => d !== null);
}
