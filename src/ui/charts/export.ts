// A chart as files (for slides and notebooks) and as text under the cursor: the CSV of exactly what
// it shows (one x column, one column per curve, smoothed curves as drawn), a standalone SVG drawn
// from the same series (axes, ticks, curves, bands, points, legend), and the readout of every shown
// curve at one x, as tab-separated text to paste.

import { toCsv } from '../../runs/csv';
import type { ChartSeries } from './metric-chart';
import { fmt } from './metric-chart';

/** x, then one column per series; a row per x any series has; an empty cell where a series has none. */
export function chartCsv(xLabel: string, series: readonly ChartSeries[]): string {
  const xs = [...new Set(series.flatMap((s) => s.x))].sort((a, b) => a - b);
  const maps = series.map((s) => new Map(s.x.map((x, i) => [x, s.y[i]])));
  return toCsv([xLabel, ...series.map((s) => s.label)], xs.map((x) => [x, ...maps.map((m) => {
    const v = m.get(x);
    return v === null || v === undefined || !Number.isFinite(v) ? null : v;
  })]));
}

export interface ReadoutRow {
  label: string;
  color: string;
  value: number | null;
}

/** Each drawn (not faint) series' value at x: its last point at or before x (null before its first). */
export function readoutAt(series: readonly ChartSeries[], x: number): ReadoutRow[] {
  return series.filter((s) => !s.faint).map((s) => {
    let v: number | null = null;
    for (let i = 0; i < s.x.length && s.x[i] <= x; i++) if (s.y[i] !== null && Number.isFinite(s.y[i])) v = s.y[i];
    return { label: s.label, color: s.color, value: v };
  });
}

/** The readout as text to paste: a header line, then "label<TAB>value" per curve. */
export function readoutText(xLabel: string, x: number, rows: readonly ReadoutRow[]): string {
  return [`${xLabel}\t${fmt(x, 6)}`, ...rows.map((r) => `${r.label}\t${r.value === null ? '' : fmt(r.value, 6)}`)].join('\n') + '\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Ticks on a linear axis: about `n` round values in [lo, hi]. */
function linearTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

const logTicks = (lo: number, hi: number) => {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) if (10 ** k >= lo * (1 - 1e-9) && 10 ** k <= hi * (1 + 1e-9)) out.push(10 ** k);
  return out.length ? out : [lo, hi];
};

export interface SvgOptions {
  title: string;
  xLabel: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** A standalone SVG of the series: the same curves, faint ones lighter, bands shaded, points as dots. */
export function chartSvg(series: readonly ChartSeries[], o: SvgOptions): string {
  const W = o.width ?? 720;
  const H = o.height ?? 400;
  const m = { l: 64, r: 16, t: 32, b: 48 };
  const legendRows = series.filter((s) => !s.faint);
  const plotH = H - m.t - m.b - 16 * Math.ceil(legendRows.length / 3);
  const ok = (v: number | null, log: boolean | undefined): v is number => v !== null && Number.isFinite(v) && (!log || v > 0);
  const xsAll = series.flatMap((s) => s.x.filter((x) => ok(x, o.logX)));
  const ysAll = series.flatMap((s) => s.y.filter((y): y is number => ok(y, o.logY)));
  const [x0, x1] = xsAll.length ? [Math.min(...xsAll), Math.max(...xsAll)] : [0, 1];
  const [y0, y1] = ysAll.length ? [Math.min(...ysAll), Math.max(...ysAll)] : [0, 1];
  const tx = (v: number) => (o.logX ? Math.log(v / x0) / Math.log(x1 / x0 || 2) : (v - x0) / (x1 - x0 || 1));
  const ty = (v: number) => (o.logY ? Math.log(v / y0) / Math.log(y1 / y0 || 2) : (v - y0) / (y1 - y0 || 1));
  const px = (v: number) => (m.l + tx(v) * (W - m.l - m.r)).toFixed(1);
  const py = (v: number) => (m.t + (1 - ty(v)) * plotH).toFixed(1);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`, `<text x="${m.l}" y="18" font-size="13" font-weight="600">${esc(o.title)}</text>`);
  for (const t of o.logX ? logTicks(x0, x1) : linearTicks(x0, x1)) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${m.t}" y2="${m.t + plotH}" stroke="#eee"/><text x="${px(t)}" y="${m.t + plotH + 14}" text-anchor="middle">${esc(fmt(t, 3))}</text>`);
  }
  for (const t of o.logY ? logTicks(y0, y1) : linearTicks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/><text x="${m.l - 6}" y="${py(t)}" text-anchor="end" dominant-baseline="middle">${esc(fmt(t, 3))}</text>`);
  }
  parts.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${plotH}" fill="none" stroke="#999"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${m.t + plotH + 32}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  const points = (s: ChartSeries) => s.x.map((x, i) => [x, s.y[i]] as const).filter(([x, y]) => ok(x, o.logX) && ok(y, o.logY)) as [number, number][];
  for (const s of series) {
    const other = s.bandTo === undefined ? null : series.find((q) => q.label === s.bandTo);
    if (!other) continue;
    const top = points(s);
    const bottom = points(other).reverse();
    if (top.length && bottom.length) parts.push(`<polygon points="${[...top, ...bottom].map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}" fill="${s.color}" fill-opacity="0.13" stroke="none"/>`);
  }
  for (const s of series) {
    const pts = points(s);
    if (s.points) for (const [x, y] of pts) parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="2.5" fill="${s.color}"/>`);
    else if (pts.length) parts.push(`<polyline points="${pts.map(([x, y]) => `${px(x)},${py(y)}`).join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.faint ? 1 : 1.5}"${s.faint ? ' stroke-opacity="0.35"' : ''}><title>${esc(s.label)}</title></polyline>`);
  }
  legendRows.forEach((s, i) => {
    const x = m.l + (i % 3) * ((W - m.l - m.r) / 3);
    const y = m.t + plotH + 44 + 16 * Math.floor(i / 3);
    parts.push(`<rect x="${x}" y="${y - 7}" width="12" height="4" fill="${s.color}"/><text x="${x + 16}" y="${y - 3}" dominant-baseline="middle">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
