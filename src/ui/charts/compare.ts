// Comparing the shown runs: the config keys that vary between them, the value a table shows per run
// (last, best or smoothed-final validation loss) and its difference from a baseline run, the x axis
// that makes runs of different effective batch comparable (tokens), runs grouped by a key into a
// mean line with a band, and colours by a key (a log scale for learning rates).

import { CONFIG_KEYS, type ConfigKey } from '../../config/config';
import type { RunRecord } from '../../runs/schema';
import { mean, std } from '../../experiments/noise';
import type { XAxis } from '../state/view';
import type { ChartSeries } from './metric-chart';
import { colorOf, ema, metricSeries, type Metric } from './series';

/** Keys that name or file a run rather than say how it trains. */
const LABEL_KEYS: readonly ConfigKey[] = ['name', 'tags', 'notes', 'output_dir'];

const keyText = (v: unknown): string => JSON.stringify(v ?? null);

/** The config keys whose values differ between the runs, in the schema's order. */
export function varyingKeys(runs: readonly RunRecord[]): ConfigKey[] {
  if (runs.length < 2) return [];
  return CONFIG_KEYS.filter((k) => !LABEL_KEYS.includes(k) && new Set(runs.map((r) => keyText(r.config[k]))).size > 1);
}

export const effectiveBatch = (r: RunRecord): number => r.config.batch_size * r.config.grad_accum_steps;

/** Tokens when the runs differ in effective batch (a step is then not the same amount of data), else steps. */
export function autoAxis(runs: readonly RunRecord[]): Exclude<XAxis, 'time'> {
  return new Set(runs.map(effectiveBatch)).size > 1 ? 'tokens' : 'step';
}

export type ValueKind = 'last' | 'best' | 'smoothed';

/** A run's validation loss: the last evaluation, the best, or the last of the curve smoothed with weight `w`. */
export function valueOf(r: RunRecord, kind: ValueKind, w: number): number | null {
  const vals = r.evals.map((e) => e.val_loss).filter((v): v is number => v !== null && Number.isFinite(v));
  if (!vals.length) return null;
  if (kind === 'last') return vals[vals.length - 1];
  if (kind === 'best') return Math.min(...vals);
  return ema(vals, w).at(-1) ?? null;
}

export interface TableRow {
  run: RunRecord;
  /** The varying keys' values, as the config holds them. */
  keys: Record<string, unknown>;
  value: number | null;
  /** value − the baseline's value (null for the baseline, or where either is missing). */
  diff: number | null;
}

export function tableRows(runs: readonly RunRecord[], keys: readonly ConfigKey[], kind: ValueKind, w: number, baselineId: string | null): TableRow[] {
  const base = runs.find((r) => r.id === baselineId) ?? null;
  const baseValue = base ? valueOf(base, kind, w) : null;
  return runs.map((run) => {
    const value = valueOf(run, kind, w);
    return {
      run,
      keys: Object.fromEntries(keys.map((k) => [k, run.config[k]])),
      value,
      diff: run === base || value === null || baseValue === null ? null : value - baseValue,
    };
  });
}

/** Sorts by a varying key (numbers numerically, others as text), 'value' or 'diff'; missing values last. */
export function sortRows(rows: readonly TableRow[], column: string, asc: boolean): TableRow[] {
  const get = (r: TableRow): unknown => (column === 'value' ? r.value : column === 'diff' ? r.diff : column === 'name' ? r.run.name : r.keys[column]);
  return [...rows].sort((a, b) => {
    const [x, y] = [get(a), get(b)];
    if (x === null || x === undefined) return y === null || y === undefined ? 0 : 1;
    if (y === null || y === undefined) return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : keyText(x).localeCompare(keyText(y));
    return asc ? c : -c;
  });
}

/** A value as a short text for labels: numbers compactly, strings as they are. */
export function shortValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number(v.toPrecision(3)).toString();
  if (typeof v === 'string') return v;
  return keyText(v);
}

// ---- colour by a key ---------------------------------------------------------------------------

/** Viridis at 0, 1/4, …, 1, interpolated: dark for the lowest value, yellow for the highest. */
const RAMP = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

function ramp(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i], RAMP[i + 1]].map((h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16)));
  return `#${a.map((c, k) => Math.round(c + (b[k] - c) * f).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * A colour per run by the value of `key`: a continuous ramp for numbers (on a log scale for the
 * learning rate and for positive values spanning more than a factor of 10), the palette for others.
 */
export function colorsByKey(runs: readonly RunRecord[], key: ConfigKey | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!key) {
    runs.forEach((r, i) => out.set(r.id, colorOf(i)));
    return out;
  }
  const vals = runs.map((r) => r.config[key]);
  if (vals.every((v) => typeof v === 'number')) {
    const nums = vals as number[];
    const [lo, hi] = [Math.min(...nums), Math.max(...nums)];
    const log = lo > 0 && (key === 'learning_rate' || hi / lo > 10);
    const t = (v: number) => (hi === lo ? 0.5 : log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo));
    runs.forEach((r, i) => out.set(r.id, ramp(t(nums[i]))));
    return out;
  }
  const kinds = [...new Set(vals.map(keyText))];
  runs.forEach((r, i) => out.set(r.id, colorOf(kinds.indexOf(keyText(vals[i])))));
  return out;
}

// ---- groups: mean line, band, runs faint behind ------------------------------------------------

export type Band = 'minmax' | 'std';

/** The runs of each value of `key`, in order of first appearance. */
export function groupsByKey(runs: readonly RunRecord[], key: ConfigKey): { value: unknown; runs: RunRecord[] }[] {
  const by = new Map<string, { value: unknown; runs: RunRecord[] }>();
  for (const r of runs) {
    const k = keyText(r.config[key]);
    if (!by.has(k)) by.set(k, { value: r.config[key], runs: [] });
    by.get(k)!.runs.push(r);
  }
  return [...by.values()];
}

/**
 * A curve's value at x: linear between its points on either side, null outside its own range (a run
 * of fewer tokens says nothing past its end) or next to a missing point.
 */
export function interpolate(xs: readonly number[], ys: readonly (number | null)[], x: number): number | null {
  const hi = xs.findIndex((v) => v >= x);
  if (hi < 0) return null;
  if (xs[hi] === x) return ys[hi] !== null && Number.isFinite(ys[hi]) ? ys[hi] : null;
  if (hi === 0) return null;
  const [a, b] = [ys[hi - 1], ys[hi]];
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a + ((b - a) * (x - xs[hi - 1])) / (xs[hi] - xs[hi - 1]);
}

/**
 * One group's curves of `metric`: every run faint, the mean over the runs at each x any of them has
 * (each run interpolated within its own range, so runs of different batch sizes average on one token
 * axis), and the band (min–max, or mean ± one standard deviation) as two lines shaded between.
 * `smooth` is the EMA weight applied to each run first (0: raw).
 */
export function groupCurves(label: string, runs: readonly RunRecord[], metric: Metric, axis: XAxis, band: Band, smooth: number, color: string): ChartSeries[] {
  const each = runs.map((r) => {
    const s = metricSeries(r, metric, axis);
    return { run: r, x: s.x, y: smooth > 0 ? ema(s.y, smooth) : s.y };
  });
  const xs = [...new Set(each.flatMap((e) => e.x))].sort((a, b) => a - b);
  const stats = xs.map((x) => {
    const v = each.map((e) => interpolate(e.x, e.y, x)).filter((y): y is number => y !== null);
    if (!v.length) return null;
    const m = mean(v);
    return band === 'minmax' ? { m, lo: Math.min(...v), hi: Math.max(...v) } : { m, lo: m - std(v), hi: m + std(v) };
  });
  return [
    ...each.map((e) => ({ x: e.x, y: e.y, label: `${e.run.name}`, color, faint: true })),
    { x: xs, y: stats.map((s) => s?.hi ?? null), label: `${label} ${band === 'minmax' ? 'max' : '+1 std'}`, color, faint: true, bandTo: `${label} ${band === 'minmax' ? 'min' : '−1 std'}` },
    { x: xs, y: stats.map((s) => s?.lo ?? null), label: `${label} ${band === 'minmax' ? 'min' : '−1 std'}`, color, faint: true },
    { x: xs, y: stats.map((s) => s?.m ?? null), label: `${label} mean (${runs.length} runs)`, color },
  ];
}
