// <metric-chart>: one uPlot chart of several series (runs) on a shared x axis, with a legend that
// shows exact values under the cursor, optional log axes, and points for sparse series
// (evaluations). Data updates reuse the chart; a change of series rebuilds it.
import { LitElement, css, html, unsafeCSS, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
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

  @query('.plot') private plotEl!: HTMLDivElement;
  private plot: uPlot | null = null;
  private signature = '';
  private resizer: ResizeObserver | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
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
      this.plot?.destroy();
      this.plot = null;
      return;
    }
    const sig = JSON.stringify([this.series.map((s) => [s.label, s.color, !!s.points, !!s.faint, s.bandTo ?? null]), this.logX, this.logY, this.xLabel, this.height]);
    const width = Math.max(240, this.plotEl.clientWidth || this.clientWidth || 480);
    if (this.plot && sig === this.signature) {
      this.plot.setData(this.data());
      return;
    }
    this.plot?.destroy();
    this.signature = sig;
    this.plot = new uPlot(this.options(width), this.data(), this.plotEl);
    this.resizer ??= new ResizeObserver(() => this.plot?.setSize({ width: Math.max(240, this.plotEl.clientWidth), height: this.height }));
    this.resizer.observe(this.plotEl);
  }

  override render() {
    return html`<h3>${this.heading}</h3>${this.series.length ? html`<div class="plot" data-testid="chart-${this.heading}"></div>` : html`<div class="empty">no data yet</div>`}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'metric-chart': MetricChart;
  }
}
