// <metric-chart>: one uPlot chart of several series (runs) on a shared x axis, with a legend that
// shows exact values under the cursor, optional log axes, and points for sparse series
// (evaluations). Data updates reuse the chart; a change of series rebuilds it (charts take turns, one
// per task). Below it, the readout
// of every drawn curve at the cursor (kept when the cursor leaves, copyable as text), and exports of
// what it shows: SVG and PNG for slides, CSV for notebooks.
import { LitElement, css, html, nothing, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { emit } from '../events';
import { safeName } from '../../runs/names';
import { chartCsv, chartSvg, readoutAt, readoutText } from './export';
import type { Series } from './series';

export interface ChartSeries extends Series {
  label: string;
  color: string;
  /** Draw points only (sparse series such as validation loss). */
  points?: boolean;
  /** Fainter line (the unsmoothed curve behind a smoothed one). */
  faint?: boolean;
  /** Shade from this series down to the series with this label (a min/max band over seeds). */
  bandTo?: string;
}

/** Compact numbers: integers as integers, small or large values in exponent form, else 4 digits. */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e7) return String(v);
  if (a !== 0 && (a < 1e-2 || a >= 1e5)) return v.toExponential(digits - 2).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(digits)));
}

/** An axis label: on a log axis only at powers of ten (uPlot also places ticks at 2..9 × 10^k). */
function tick(t: number | null, log: boolean): string {
  if (t === null || !Number.isFinite(t)) return '';
  if (log && Math.abs(Math.log10(t) - Math.round(Math.log10(t))) > 1e-9) return '';
  return fmt(t, 3);
}

/** x axes that count whole things (steps, tokens): their ticks are integers. */
export function countsWholeThings(xLabel: string): boolean {
  return /^(step|steps|tokens|tokens seen)$/.test(xLabel);
}

/** Tick spacings uPlot may choose on a counting axis: 1, 2, 5 × 10^k (never 0.5 of a step). */
export const INTEGER_INCRS: number[] = Array.from({ length: 10 }, (_, k) => [1, 2, 5].map((m) => m * 10 ** k)).flat();

/**
 * Charts whose series changed, rebuilt one per main-thread task: a run that starts or ends changes
 * every chart's series at once, and building six or more uPlots in one task made a 100–300 ms task on
 * a busy two-core machine (the page must stay responsive while training). Until its turn a chart keeps
 * its previous plot, without new data.
 */
const pendingRebuilds = new Set<MetricChart>();

function scheduleRebuild(chart: MetricChart): void {
  if (!pendingRebuilds.size) setTimeout(rebuildNext, 0);
  pendingRebuilds.add(chart);
}

function rebuildNext(): void {
  const chart = pendingRebuilds.values().next().value;
  if (!chart) return;
  pendingRebuilds.delete(chart);
  chart.rebuild();
  if (pendingRebuilds.size) setTimeout(rebuildNext, 0);
}

/**
 * @fires file-save - SVG, PNG or CSV pressed: the chart as that file (detail: name, data, type)
 */
@customElement('metric-chart')
export class MetricChart extends LitElement {
  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-width: 0; }
      h3 { margin: 0 0 0.25rem; font-size: 0.85rem; font-weight: 600; color: #333; }
      .empty { height: 180px; display: flex; align-items: center; justify-content: center; color: #888; font-size: 0.85rem; border: 1px dashed #ddd; border-radius: 6px; }
      .u-legend { font-size: 0.75rem; }
      .u-legend .faint { display: none; }
      .tools { display: flex; gap: 0.3rem; align-items: center; justify-content: flex-end; font-size: 0.7rem; margin-top: 0.15rem; }
      .tools button { font-size: 0.7rem; padding: 0.05rem 0.4rem; }
      .readout { font-size: 0.72rem; color: #333; display: flex; flex-wrap: wrap; gap: 0.15rem 0.8rem; margin-right: auto; }
      .readout .sw { display: inline-block; width: 0.6rem; height: 0.2rem; margin-right: 0.2rem; vertical-align: middle; }
    `,
  ];

  /** Chart title. */
  @property() heading = '';
  /** Label of the x axis (step, tokens, seconds, learning rate). */
  @property() xLabel = 'step';
  /** The curves; a new array redraws them, a change of labels, colors or kinds rebuilds the chart. */
  @property({ attribute: false }) series: ChartSeries[] = [];
  /** Log scale on the y axis (non-positive values are left out). */
  @property({ type: Boolean }) logY = false;
  /** Log scale on the x axis. */
  @property({ type: Boolean }) logX = false;
  /** Plot height in pixels. */
  @property({ type: Number }) height = 200;

  /** The x the readout is at: the cursor's, kept after it leaves the plot (null until it first moves). */
  @state() private cursorX: number | null = null;
  @query('.plot') private plotEl!: HTMLDivElement;
  private plot: uPlot | null = null;
  private signature = '';
  private resizer: ResizeObserver | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    pendingRebuilds.delete(this);
    this.signature = '';
    this.plot?.destroy();
    this.plot = null;
    this.resizer?.disconnect();
  }

  private data(): uPlot.AlignedData {
    const tables = this.series.map((s) => [s.x, s.y.map((v) => (v === null || !Number.isFinite(v) || (this.logY && v <= 0) ? null : v))] as uPlot.AlignedData);
    return tables.length ? uPlot.join(tables) : [[]];
  }

  private options(width: number): uPlot.Options {
    return {
      width,
      height: this.height,
      legend: { live: true },
      hooks: {
        setCursor: [(u) => {
          const i = u.cursor.idx;
          if (i !== null && i !== undefined && u.data[0][i] !== undefined) this.cursorX = u.data[0][i] as number;
        }],
      },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false, distr: this.logX ? 3 : 1 }, y: { distr: this.logY ? 3 : 1 } },
      axes: [
        { label: this.xLabel, size: 36, values: (_u, ticks) => ticks.map((t) => tick(t, this.logX)), ...(countsWholeThings(this.xLabel) && !this.logX ? { incrs: INTEGER_INCRS } : {}) },
        { size: 60, values: (_u, ticks) => ticks.map((t) => tick(t, this.logY)) },
      ],
      bands: this.series.flatMap((s, i) => {
        const j = s.bandTo === undefined ? -1 : this.series.findIndex((o) => o.label === s.bandTo);
        return j < 0 ? [] : [{ series: [i + 1, j + 1] as [number, number], fill: `${s.color}22` }];
      }),
      series: [
        { label: this.xLabel, value: (_u, v) => fmt(v) },
        ...this.series.map((s) => ({
          label: s.label,
          class: s.faint ? 'faint' : undefined,
          stroke: s.faint ? `${s.color}55` : s.color,
          width: s.faint ? 1 : 1.5,
          spanGaps: true,
          points: { show: s.points === true, size: 6, fill: s.color },
          paths: s.points ? () => null : undefined,
          value: (_u: uPlot, v: number | null) => fmt(v),
        })),
      ],
    };
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (!this.series.length || !this.plotEl) {
      pendingRebuilds.delete(this);
      this.plot?.destroy();
      this.plot = null;
      this.signature = '';
      return;
    }
    const sig = JSON.stringify([this.series.map((s) => [s.label, s.color, !!s.points, !!s.faint, s.bandTo ?? null]), this.logX, this.logY, this.xLabel, this.height]);
    if (sig !== this.signature) {
      this.signature = sig;
      scheduleRebuild(this);
    } else if (this.plot && !pendingRebuilds.has(this)) this.plot.setData(this.data());
  }

  /** Replaces the uPlot with one for the current series (called from the rebuild queue). */
  rebuild(): void {
    this.plot?.destroy();
    this.plot = null;
    if (!this.isConnected || !this.series.length || !this.plotEl) return;
    const width = Math.max(240, this.plotEl.clientWidth || this.clientWidth || 480);
    this.plot = new uPlot(this.options(width), this.data(), this.plotEl);
    this.resizer ??= new ResizeObserver(() => this.plot?.setSize({ width: Math.max(240, this.plotEl.clientWidth), height: this.height }));
    this.resizer.observe(this.plotEl);
  }

  private export(kind: 'svg' | 'png' | 'csv'): void {
    const name = safeName(this.heading || 'chart');
    if (kind === 'csv') emit(this, 'file-save', { name: `${name}.csv`, data: chartCsv(this.xLabel, this.series), type: 'text/csv' });
    else if (kind === 'svg') emit(this, 'file-save', { name: `${name}.svg`, data: chartSvg(this.series, { title: this.heading, xLabel: this.xLabel, logX: this.logX, logY: this.logY }), type: 'image/svg+xml' });
    else {
      const canvas = this.plot?.ctx.canvas;
      if (!canvas) return;
      const b64 = canvas.toDataURL('image/png').split(',')[1];
      emit(this, 'file-save', { name: `${name}.png`, data: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), type: 'image/png' });
    }
  }

  private readout() {
    const x = this.cursorX;
    if (x === null) return html`<span class="readout muted">move over the chart for every curve's value</span>`;
    const rows = readoutAt(this.series, x);
    return html`<span class="readout" data-testid="readout"><b>${this.xLabel} ${fmt(x)}</b>${rows.map((r) => html`<span><span class="sw" style="background:${r.color}"></span>${r.label} ${fmt(r.value)}</span>`)}</span>
      <button data-testid="readout-copy" title="Copy these values as text (tab-separated)" @click=${() => void navigator.clipboard?.writeText(readoutText(this.xLabel, x, rows))}>copy</button>`;
  }

  override render() {
    if (!this.series.length) return html`<h3>${this.heading}</h3><div class="empty">no data yet</div>`;
    return html`<h3>${this.heading}</h3><div class="plot" data-testid="chart-${this.heading}"></div>
      <div class="tools" data-testid="chart-tools">${this.readout()}
        ${(['svg', 'png', 'csv'] as const).map((k) => html`<button data-testid="chart-export-${k}" title="Save this chart as ${k.toUpperCase()}" @click=${() => this.export(k)}>${k.toUpperCase()}</button>`)}
      </div>${nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'metric-chart': MetricChart;
  }
}
