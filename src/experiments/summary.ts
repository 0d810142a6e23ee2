// What a set of runs showed, in numbers: one row per run (its swept values, start, final and best
// validation loss, step of best, tokens to reach a chosen loss, diverged), the best run, groups for
// "final loss against learning rate" plots (seeds averaged into a band), and the CLI's summary.csv.

import { toCsv } from '../runs/csv';
import type { RunRecord } from '../runs/schema';
import { SWEEP_KEYS, type SweepKey } from './sweep';

export interface SummaryRow {
  id: string;
  name: string;
  values: Record<SweepKey, number>;
  status: RunRecord['outcome']['status'];
  diverged: boolean;
  /** Validation loss before the first step (null when not evaluated). */
  startVal: number | null;
  finalVal: number | null;
  bestVal: number | null;
  bestStep: number | null;
  finalTrain: number | null;
  /** Tokens seen when validation loss first reached the target (null: never, or no target). */
  tokensToTarget: number | null;
  steps: number;
  tokens: number;
}

export function runValues(r: RunRecord): Record<SweepKey, number> {
  return { learning_rate: r.config.learning_rate, batch_size: r.config.batch_size * r.config.grad_accum_steps, lora_rank: r.config.lora_rank, seed: r.config.seed };
}

export function summarize(runs: readonly RunRecord[], target: number | null = null): SummaryRow[] {
  return runs.map((r) => {
    const evals = r.evals.filter((e) => e.val_loss !== null);
    const reach = target === null ? undefined : evals.find((e) => e.val_loss! <= target);
    return {
      id: r.id,
      name: r.name,
      values: runValues(r),
      status: r.outcome.status,
      diverged: r.outcome.status === 'diverged',
      startVal: evals.find((e) => e.step === 0)?.val_loss ?? null,
      finalVal: r.outcome.final_val_loss,
      bestVal: r.outcome.best_val_loss,
      bestStep: r.outcome.best_step,
      finalTrain: r.outcome.final_train_loss,
      tokensToTarget: reach ? reach.tokens : null,
      steps: r.outcome.step,
      tokens: r.metrics.tokens.at(-1) ?? 0,
    };
  });
}

/** Index of the row with the lowest best validation loss among runs that did not diverge (-1: none). */
export function bestRow(rows: readonly SummaryRow[]): number {
  let best = -1;
  rows.forEach((r, i) => {
    if (r.diverged || r.bestVal === null) return;
    if (best < 0 || r.bestVal < rows[best].bestVal!) best = i;
  });
  return best;
}

/** The swept keys whose values differ between the rows. */
export function differingKeys(rows: readonly SummaryRow[]): SweepKey[] {
  return SWEEP_KEYS.filter((k) => new Set(rows.map((r) => r.values[k])).size > 1);
}

export interface RateGroup {
  /** "bs 16", "r 8", or "" when only the rate varies. */
  label: string;
  /** Per learning rate, ascending: mean, min and max final validation loss over seeds (diverged runs count as null). */
  points: { lr: number; mean: number | null; min: number | null; max: number | null; n: number }[];
}

/** Final loss against learning rate, one group per batch size × rank, seeds folded into a band. */
export function lossByRate(rows: readonly SummaryRow[]): RateGroup[] {
  const keys = differingKeys(rows).filter((k) => k === 'batch_size' || k === 'lora_rank');
  const groups = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const label = keys.map((k) => `${k === 'batch_size' ? 'bs' : 'r'} ${r.values[k]}`).join(' ');
    groups.set(label, [...(groups.get(label) ?? []), r]);
  }
  return [...groups].map(([label, rs]) => {
    const rates = [...new Set(rs.map((r) => r.values.learning_rate))].sort((a, b) => a - b);
    return {
      label,
      points: rates.map((lr) => {
        const vals = rs.filter((r) => r.values.learning_rate === lr).map((r) => (r.diverged ? null : r.finalVal)).filter((v): v is number => v !== null && Number.isFinite(v));
        return { lr, mean: vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null, min: vals.length ? Math.min(...vals) : null, max: vals.length ? Math.max(...vals) : null, n: vals.length };
      }),
    };
  });
}

/** summary.csv: one row per run, its varied values, final and best validation loss, diverged. */
export function summaryCsv(rows: readonly SummaryRow[], keys: readonly SweepKey[] = differingKeys(rows)): string {
  const head = ['run', ...keys, 'final_val_loss', 'best_val_loss', 'best_step', 'final_train_loss', 'diverged', 'status', 'steps', 'tokens'];
  return toCsv(head, rows.map((r) => [r.name, ...keys.map((k) => r.values[k]), r.finalVal, r.bestVal, r.bestStep, r.finalTrain, r.diverged, r.status, r.steps, r.tokens]));
}
