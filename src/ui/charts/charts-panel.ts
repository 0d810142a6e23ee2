// <charts-panel>: live and recorded curves of the shown runs on the same axes: train loss (EMA
// smoothed, raw faint behind) with validation points, learning rate, gradient norm and tokens/s;
// x in steps, tokens or wall time; TensorBoard's smoothing slider and log scales; beside the loss, what
// the curves show (<diagnoses-panel>).
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import { emit } from '../events';
import { DEFAULT_VIEW, type ViewPrefs, type XAxis } from '../state/view';
import type { ChartSeries } from './metric-chart';
import { colorOf, ema, metricSeries, type Metric } from './series';
import './metric-chart';
import '../components/diagnoses-panel';

const X_LABEL: Record<XAxis, string> = { step: 'step', tokens: 'tokens seen', time: 'wall time (s)' };

/**
 * @fires view-change - the x axis, smoothing or a log scale was changed (detail: the changed prefs)
 */
@customElement('charts-panel')
export class ChartsPanel extends LitElement {
  static override styles = css`
    :host { display: block; }
    .bar { display: flex; flex-wrap: wrap; gap: 0.9rem; align-items: center; font-size: 0.8rem; margin-bottom: 0.5rem; color: #333; }
    .bar label { display: inline-flex; gap: 0.3rem; align-items: center; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0.8rem 1rem; }
    .wide { grid-column: 1 / -1; }
    .legend { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; font-size: 0.78rem; margin: 0.2rem 0 0.6rem; }
    .swatch { display: inline-block; width: 0.8rem; height: 0.25rem; border-radius: 2px; margin-right: 0.3rem; vertical-align: middle; }
  `;

  /** The runs to draw, the live one first; each gets the color of its place. */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** How to draw them: x axis, smoothing, log scales. */
  @property({ attribute: false }) view: ViewPrefs = DEFAULT_VIEW;

  private series(runs: readonly RunRecord[], metric: Metric, smooth: boolean): ChartSeries[] {
    const { x: axis, smoothing } = this.view;
    const out: ChartSeries[] = [];
    runs.forEach((run, i) => {
      const color = colorOf(i);
      const s = metricSeries(run, metric, axis);
      if (smooth && smoothing > 0) {
        out.push({ ...s, label: `${run.name} raw`, color, faint: true });
        out.push({ x: s.x, y: ema(s.y, smoothing), label: run.name, color });
      } else {
        out.push({ ...s, label: run.name, color });
      }
    });
    return out;
  }

  private lossSeries(runs: readonly RunRecord[]): ChartSeries[] {
    const train = this.series(runs, 'loss', true);
    const val = runs.map((run, i) => ({ ...metricSeries(run, 'val_loss', this.view.x), label: `${run.name} val`, color: colorOf(i), points: true }));
    return [...train, ...val.filter((v) => v.x.length)];
  }

  override render() {
    const v = this.view;
    const runs = this.runs;
    const set = (patch: Partial<ViewPrefs>) => emit(this, 'view-change', patch);
    const xl = X_LABEL[v.x];
    return html`
      <div class="bar">
        <label>x axis
          <select data-testid="x-axis" @change=${(e: Event) => set({ x: (e.target as HTMLSelectElement).value as XAxis })}>
            ${(['step', 'tokens', 'time'] as const).map((x) => html`<option value=${x} ?selected=${v.x === x}>${X_LABEL[x]}</option>`)}
          </select>
        </label>
        <label title="Exponential moving average of the train loss, as in TensorBoard (0: raw).">smoothing
          <input data-testid="smoothing" type="range" min="0" max="0.99" step="0.01" .value=${String(v.smoothing)} @input=${(e: Event) => set({ smoothing: Number((e.target as HTMLInputElement).value) })} />
          ${v.smoothing.toFixed(2)}
        </label>
        <label><input data-testid="log-y" type="checkbox" .checked=${v.logY} @change=${(e: Event) => set({ logY: (e.target as HTMLInputElement).checked })} /> log y</label>
        <label title="Log scale on the x axis (useful for learning-rate plots)."><input data-testid="log-x" type="checkbox" .checked=${v.logX} @change=${(e: Event) => set({ logX: (e.target as HTMLInputElement).checked })} /> log x</label>
      </div>
      <div class="legend" data-testid="legend">
        ${runs.map((r, i) => html`<span><span class="swatch" style="background:${colorOf(i)}"></span>${r.name}</span>`)}
      </div>
      <div class="grid">
        <metric-chart class="wide" heading="loss" .xLabel=${xl} .series=${this.lossSeries(runs)} ?logY=${v.logY} ?logX=${v.logX} .height=${260}></metric-chart>
        <diagnoses-panel class="wide" .runs=${runs}></diagnoses-panel>
        <metric-chart heading="learning rate" .xLabel=${xl} .series=${this.series(runs, 'lr', false)} ?logY=${v.logY} ?logX=${v.logX}></metric-chart>
        <metric-chart heading="gradient norm" .xLabel=${xl} .series=${this.series(runs, 'grad_norm', true)} ?logY=${v.logY} ?logX=${v.logX}></metric-chart>
        <metric-chart heading="tokens per second" .xLabel=${xl} .series=${this.series(runs, 'tokens_per_s', true)} ?logX=${v.logX}></metric-chart>
        <metric-chart heading="update / weight" .xLabel=${xl} .series=${this.series(runs, 'update_ratio', true)} ?logY=${v.logY} ?logX=${v.logX}></metric-chart>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'charts-panel': ChartsPanel;
  }
}
