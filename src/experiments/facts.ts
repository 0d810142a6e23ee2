// What one recorded run showed, reduced to the facts a scenario's check talks about: where its
// validation loss started, ended and was lowest, whether it diverged, and whether it over-fitted
// (validation loss rising from its best while the training loss kept falling).

import type { RunRecord } from '../runs/schema';
import { compareGroups, formatSpread, MIN_SEEDS, SIGNIFICANCE, std } from './noise';

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
export function endedAbove<F extends RunFacts>(fs: readonly F[]): F[] {
  return fs.filter((f) => f.diverged || (f.start !== null && f.final !== null && f.final - f.start >= BARELY));
}

/** Runs whose validation loss moved less than `tol` nats. */
export function barelyMoved<F extends RunFacts>(fs: readonly F[], tol = BARELY): F[] {
  return fs.filter((f) => !f.diverged && f.start !== null && f.final !== null && Math.abs(f.final - f.start) < tol);
}

export function lowest<F extends RunFacts>(fs: readonly F[]): F | null {
  let b: F | null = null;
  for (const f of fs) if (!f.diverged && f.best !== null && (b === null || f.best < b.best!)) b = f;
  return b;
}

export function names(fs: readonly RunFacts[]): string {
  const l = fs.map((f) => f.label);
  return l.length <= 1 ? (l[0] ?? '') : `${l.slice(0, -1).join(', ')} and ${l.at(-1)}`;
}

/**
 * A group: the runs of one setting over seeds, as one RunFacts of means (start, final and best
 * validation loss, training losses; the median step of the best; diverged when every seed diverged),
 * with its members and the values the noise test compares. One seed gives that run's facts.
 */
export interface GroupFacts extends RunFacts {
  members: RunFacts[];
  /** Final and best validation losses of the seeds that did not diverge. */
  finals: number[];
  bests: number[];
}

const finite = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null && Number.isFinite(x));

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** Facts of the runs folded into groups by `groupOf(label)`, in order of first appearance. */
export function groupFacts(fs: readonly RunFacts[], groupOf: (label: string) => string): GroupFacts[] {
  const by = new Map<string, RunFacts[]>();
  for (const f of fs) by.set(groupOf(f.label), [...(by.get(groupOf(f.label)) ?? []), f]);
  return [...by].map(([label, members]) => {
    const ok = members.filter((f) => !f.diverged);
    const finals = finite(ok.map((f) => f.final));
    const bests = finite(ok.map((f) => f.best));
    const dead = members.filter((f) => f.diverged);
    return {
      label,
      members,
      finals,
      bests,
      start: mean(finite(members.map((f) => f.start))),
      final: mean(finals),
      best: mean(bests),
      bestStep: median(finite(ok.map((f) => f.bestStep))),
      lastEvalStep: Math.max(...members.map((f) => f.lastEvalStep ?? -1)) >= 0 ? Math.max(...members.map((f) => f.lastEvalStep ?? -1)) : null,
      diverged: ok.length === 0,
      divergedAt: dead.length ? Math.min(...dead.map((f) => f.divergedAt ?? Infinity)) : null,
      reason: members.length === 1 ? members[0].reason : null,
      trainStart: mean(finite(members.map((f) => f.trainStart))),
      trainEnd: mean(finite(members.map((f) => f.trainEnd))),
      earlyPeak: mean(finite(members.map((f) => f.earlyPeak))),
      overfit: members.length === 1 ? members[0].overfit : null,
      tokens: Math.max(...members.map((f) => f.tokens)),
    };
  });
}

const seedsText = (values: number[]) => (values.length > 1 ? ` ± ${formatSpread(std(values))} over ${values.length} seeds` : '');

/**
 * The sentence every scenario starts from: what ended worse than it started, what barely moved, what
 * reached the lowest validation loss, and whether that lead is larger than the seed noise (Welch's
 * test over the groups' seeds, noise.ts); one seed says it has no noise estimate.
 */
export function outcomeSentence(gs: readonly GroupFacts[]): string {
  const parts: string[] = [];
  const above = endedAbove(gs);
  for (const g of above) {
    parts.push(g.diverged
      ? `${g.label} diverged at step ${g.divergedAt}${g.members.length > 1 ? ` (every seed)` : ''}`
      : `${g.label} ended above its starting loss (${f3(g.start)} → ${f3(g.final)})`);
  }
  for (const g of gs) {
    const dead = g.members.filter((f) => f.diverged).length;
    if (dead && !g.diverged) parts.push(`${dead} of ${g.members.length} seeds of ${g.label} diverged`);
  }
  const still = barelyMoved(gs).filter((g) => !above.includes(g));
  if (still.length) parts.push(`${names(still)} barely moved (less than 0.02 nats)`);
  const low = lowest(gs);
  if (low) {
    const what = `${low.label} reached the lowest ${low.bests.length > 1 ? 'mean ' : ''}validation loss (${f3(low.best)}${seedsText(low.bests)} at step ${low.bestStep}`;
    const others = gs.filter((g) => g !== low && !g.diverged && g.bests.length);
    const verdicts = others.map((g) => ({ g, v: compareGroups(low.bests, g.bests) }));
    const within = verdicts.filter((x) => x.v.kind === 'within-noise');
    // One seed: no noise estimate; runs level with the lowest at the three decimals shown tie with it.
    const level = others.filter((g) => f3(g.best) === f3(low.best));
    const oneSeed = low.bests.length < MIN_SEEDS || verdicts.some((x) => x.v.kind === 'one-seed');
    if (oneSeed && level.length) parts.push(`${names([low, ...level])} tied for the lowest validation loss (${f3(low.best)}; one seed, no noise estimate)`);
    else if (oneSeed) parts.push(`${what}; one seed, no noise estimate)`);
    else if (within.length) parts.push(`${what}), but ${names(within.map((x) => x.g))} ${within.length > 1 ? 'are' : 'is'} within seed noise of it (${within.map((x) => x.v.text.replace(/^within seed noise \((.*)\)$/, '$1')).join('; ')})`);
    else if (others.length) parts.push(`${what}), lower than every other beyond the seed noise (Welch's test, p < ${SIGNIFICANCE})`);
    else parts.push(`${what})`);
  }
  return parts.length ? `${parts.join('; ')}.` : 'No run recorded a validation loss.';
}
