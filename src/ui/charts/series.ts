// Chart data from run records: metric series against steps, tokens or wall time, TensorBoard's
// debiased EMA smoothing, tokens per second, and a color per run.

import type { RunRecord } from '../../runs/schema';
import type { XAxis } from '../state/view';

export type Metric = 'loss' | 'val_loss' | 'lr' | 'grad_norm' | 'tokens_per_s' | 'update_ratio';

export interface Series {
  x: number[];
  y: (number | null)[];
}

/** TensorBoard's smoothing: an EMA with weight w, debiased so early points are not pulled to 0. */
export function ema(y: readonly (number | null)[], w: number): (number | null)[] {
  if (w <= 0) return [...y];
  let last = 0;
  let n = 0;
  return y.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    last = last * w + (1 - w) * v;
    n++;
    return last / (1 - w ** n);
  });
}

function xOf(run: RunRecord, axis: XAxis, i: number): number {
  const m = run.metrics;
  return axis === 'step' ? m.step[i] : axis === 'tokens' ? m.tokens[i] : m.elapsed_ms[i] / 1000;
}

export function metricSeries(run: RunRecord, metric: Metric, axis: XAxis): Series {
  const m = run.metrics;
  if (metric === 'val_loss') {
    const x = run.evals.map((e) => (axis === 'step' ? e.step : axis === 'tokens' ? e.tokens : e.elapsed_ms / 1000));
    return { x, y: run.evals.map((e) => e.val_loss) };
  }
  const x = m.step.map((_, i) => xOf(run, axis, i));
  if (metric === 'tokens_per_s') {
    const y = m.step.map((_, i) => {
      if (i === 0) return null;
      const dt = (m.elapsed_ms[i] - m.elapsed_ms[i - 1]) / 1000;
      return dt > 0 ? (m.tokens[i] - m.tokens[i - 1]) / dt : null;
    });
    return { x, y };
  }
  return { x, y: [...m[metric]] };
}

/** Distinct colors (Tableau 10), one per run in display order. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function colorOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}
