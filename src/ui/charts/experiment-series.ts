// Chart series for experiments: final validation loss against learning rate (one line per batch
// size or rank, seeds as a min/max band), validation curves with seeds folded into a band, and the
// range test's smoothed loss against rate.

import type { RateGroup } from '../../experiments/summary';
import type { RunRecord } from '../../runs/schema';
import type { ChartSeries } from './metric-chart';
import { colorOf } from './series';

export function rateSeries(groups: readonly RateGroup[]): ChartSeries[] {
  const out: ChartSeries[] = [];
  groups.forEach((g, i) => {
    const color = colorOf(i);
    const label = g.label || 'final val loss';
    const x = g.points.map((p) => p.lr);
    out.push({ x, y: g.points.map((p) => p.mean), label, color });
    if (g.points.some((p) => p.n > 1)) {
      out.push({ x, y: g.points.map((p) => p.max), label: `${label} max`, color, faint: true, bandTo: `${label} min` });
      out.push({ x, y: g.points.map((p) => p.min), label: `${label} min`, color, faint: true });
    }
  });
  return out;
}

/** Validation curves; runs that differ only in seed become one mean line with a min/max band. */
export function foldedValCurves(runs: readonly RunRecord[], axis: 'step' | 'tokens', label: (r: RunRecord) => string): ChartSeries[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    const { seed: _seed, name: _name, tags: _tags, ...rest } = r.config;
    const key = JSON.stringify(rest);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out: ChartSeries[] = [];
  [...groups.values()].forEach((rs, i) => {
    const color = colorOf(i);
    const name = rs.length > 1 ? `${label(rs[0]).replace(/\s*seed \d+/, '')} (${rs.length} seeds)` : label(rs[0]);
    const at = new Map<number, number[]>();
    for (const r of rs) for (const e of r.evals) if (e.val_loss !== null) at.set(axis === 'step' ? e.step : e.tokens, [...(at.get(axis === 'step' ? e.step : e.tokens) ?? []), e.val_loss]);
    const x = [...at.keys()].sort((a, b) => a - b);
    const vals = x.map((k) => at.get(k)!);
    out.push({ x, y: vals.map((v) => v.reduce((a, b) => a + b, 0) / v.length), label: name, color });
    if (rs.length > 1) {
      out.push({ x, y: vals.map((v) => Math.max(...v)), label: `${name} max`, color, faint: true, bandTo: `${name} min` });
      out.push({ x, y: vals.map((v) => Math.min(...v)), label: `${name} min`, color, faint: true });
    }
  });
  return out;
}
