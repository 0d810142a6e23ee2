// Metrics as CSV: one run's metrics.csv (a header row, then one row per step), or several runs in
// one table with a leading run column (the browser's export).

import type { RunRecord } from './schema';

export const METRIC_COLUMNS = ['step', 'tokens', 'loss', 'lr', 'grad_norm', 'clip', 'update_ratio', 'elapsed_ms'] as const;

function cell(v: number | null | string): string {
  if (v === null) return 'NaN';
  if (typeof v === 'string') return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  return String(v);
}

function rows(run: RunRecord, prefix: string[]): string[] {
  const m = run.metrics;
  return m.step.map((_, i) => [...prefix, ...METRIC_COLUMNS.map((c) => cell(m[c][i]))].join(','));
}

export function metricsCsv(run: RunRecord): string {
  return [METRIC_COLUMNS.join(','), ...rows(run, [])].join('\n') + '\n';
}

export function runsCsv(runs: readonly RunRecord[]): string {
  return [['run', ...METRIC_COLUMNS].join(','), ...runs.flatMap((r) => rows(r, [cell(r.name || r.id)]))].join('\n') + '\n';
}
