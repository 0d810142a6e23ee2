// What one recorded run showed, reduced to the facts a scenario's check talks about: where its
// validation loss started, ended and was lowest, whether it diverged, and whether it over-fitted
// (validation loss rising from its best while the training loss kept falling).

import type { RunRecord } from '../runs/schema';

export interface RunFacts {
  label: string;
  start: number | null;
  final: number | null;
  best: number | null;
  bestStep: number | null;
  lastEvalStep: number | null;
  diverged: boolean;
  divergedAt: number | null;
  reason: string | null;
  /** Mean training loss over the first and last 10% of steps. */
  trainStart: number | null;
  trainEnd: number | null;
  /** Highest training loss in the first quarter of the run (warmup spikes). */
  earlyPeak: number | null;
  overfit: { bestStep: number; best: number; final: number; trainAtBest: number; trainEnd: number } | null;
  tokens: number;
}

const mean = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function trainLossNear(r: RunRecord, step: number, width: number): number | null {
  const xs: number[] = [];
  r.metrics.step.forEach((s, i) => {
    const l = r.metrics.loss[i];
    if (Math.abs(s - step) <= width && l !== null) xs.push(l);
  });
  return mean(xs);
}

/** Validation loss rising by this much (relative) from its best counts as over-fitting. */
export const OVERFIT_RISE = 0.01;

export function runFacts(r: RunRecord, label = r.name): RunFacts {
  const evals = r.evals.filter((e) => e.val_loss !== null);
  const losses = r.metrics.loss.filter((l): l is number => l !== null);
  const n = Math.max(1, Math.round(losses.length / 10));
  const start = evals.find((e) => e.step === 0)?.val_loss ?? null;
  const final = r.outcome.final_val_loss;
  const best = r.outcome.best_val_loss;
  const bestStep = r.outcome.best_step;
  const lastEvalStep = evals.at(-1)?.step ?? null;
  const trainEnd = mean(losses.slice(-n));
  let overfit: RunFacts['overfit'] = null;
  if (best !== null && final !== null && bestStep !== null && lastEvalStep !== null && bestStep < lastEvalStep && final > best * (1 + OVERFIT_RISE)) {
    const width = Math.max(2, Math.round(r.metrics.step.length / 40));
    const trainAtBest = trainLossNear(r, bestStep, width);
    if (trainAtBest !== null && trainEnd !== null && trainEnd < trainAtBest) overfit = { bestStep, best, final, trainAtBest, trainEnd };
  }
  const quarter = Math.max(1, Math.round(r.metrics.loss.length / 4));
  const early = r.metrics.loss.slice(0, quarter).filter((l): l is number => l !== null);
  return {
    label,
    start,
    final,
    best,
    bestStep,
    lastEvalStep,
    diverged: r.outcome.status === 'diverged',
    divergedAt: r.outcome.status === 'diverged' ? r.outcome.step : null,
    reason: r.outcome.reason,
    trainStart: mean(losses.slice(0, n)),
    trainEnd,
    earlyPeak: early.length ? Math.max(...early) : null,
    overfit,
    tokens: r.metrics.tokens.at(-1) ?? 0,
  };
}

export const f3 = (x: number | null): string => (x === null ? '–' : x.toFixed(3));

/** "lr 1e-5: 2.104 → 2.096 (best 2.096 at step 300)" or "lr 1e-1: diverged at step 37 (…)". */
export function factLine(f: RunFacts): string {
  if (f.diverged) return `${f.label}: diverged at step ${f.divergedAt}${f.reason ? ` (${f.reason.replace(/^diverged at step \d+: /, '')})` : ''}`;
  return `${f.label}: validation ${f3(f.start)} → ${f3(f.final)} (best ${f3(f.best)} at step ${f.bestStep ?? '–'})`;
}

/** A validation loss that moved less than this (nats) either way barely moved: evaluation noise at the tiny tier is a few thousandths. */
export const BARELY = 0.02;

/** Runs that ended worse than they started (diverged, or final validation loss BARELY or more above the start). */
export function endedAbove(fs: readonly RunFacts[]): RunFacts[] {
  return fs.filter((f) => f.diverged || (f.start !== null && f.final !== null && f.final - f.start >= BARELY));
}

/** Runs whose validation loss moved less than `tol` nats. */
export function barelyMoved(fs: readonly RunFacts[], tol = BARELY): RunFacts[] {
  return fs.filter((f) => !f.diverged && f.start !== null && f.final !== null && Math.abs(f.final - f.start) < tol);
}

export function lowest(fs: readonly RunFacts[]): RunFacts | null {
  let b: RunFacts | null = null;
  for (const f of fs) if (!f.diverged && f.best !== null && (b === null || f.best < b.best!)) b = f;
  return b;
}

export function names(fs: readonly RunFacts[]): string {
  const l = fs.map((f) => f.label);
  return l.length <= 1 ? (l[0] ?? '') : `${l.slice(0, -1).join(', ')} and ${l.at(-1)}`;
}

/** Best validation losses closer than this are a tie (differences below what evaluation noise allows). */
export const TIE = 5e-4;

/** The sentence every scenario starts from: what ended worse than it started, what barely moved, what won. */
export function outcomeSentence(fs: readonly RunFacts[]): string {
  const parts: string[] = [];
  const above = endedAbove(fs);
  for (const f of above) {
    parts.push(f.diverged ? `${f.label} diverged at step ${f.divergedAt}` : `${f.label} ended above its starting loss (${f3(f.start)} → ${f3(f.final)})`);
  }
  const still = barelyMoved(fs).filter((f) => !above.includes(f));
  if (still.length) parts.push(`${names(still)} barely moved (less than 0.02 nats)`);
  const low = lowest(fs);
  const tied = low ? fs.filter((f) => f !== low && !f.diverged && f.best !== null && f.best - low.best! < TIE) : [];
  if (low && tied.length) parts.push(`${names([low, ...tied])} tied for the lowest validation loss (${f3(low.best)}, within ${TIE} of each other)`);
  else if (low) parts.push(`${low.label} reached the lowest validation loss (${f3(low.best)} at step ${low.bestStep})`);
  return parts.length ? `${parts.join('; ')}.` : 'No run recorded a validation loss.';
}
