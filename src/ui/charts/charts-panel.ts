// <charts-panel>: live and recorded curves of the shown runs on the same axes: train loss (EMA
// smoothed, raw faint behind) with validation points, learning rate, gradient norm, tokens/s and
// update ratio; x in steps, tokens or wall time (automatic: tokens when the runs differ in effective
// batch); TensorBoard's smoothing slider and log scales; runs coloured by a config key, or folded by
// one into a mean line with a band and the runs faint behind; beside the loss, what the curves show
// (<diagnoses-panel>). Every chart exports its SVG, PNG and CSV and reads out its values at the cursor.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ConfigKey } from '../../config/config';
import type { RunRecord } from '../../runs/schema';
import { emit } from '../events';
import { DEFAULT_VIEW, type ViewPrefs, type XAxis } from '../state/view';
import { autoAxis, colorsByKey, groupCurves, groupsByKey, shortValue, varyingKeys, type Band } from './compare';
import type { ChartSeries } from './metric-chart';
import { colorOf, ema, metricSeries, type Metric } from './series';
import './metric-chart';
import '../components/diagnoses-panel';

const X_LABEL: Record<XAxis, string> = { step: 'step', tokens: 'tokens seen', time: 'wall time (s)' };

/**
 * @fires view-change - the x axis, smoothing, a log scale, grouping, band or colouring was changed (detail: the changed prefs)
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

  /** The runs to draw, the live one first; each gets the color of its place (or of its value of colorBy). */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** How to draw them: x axis, smoothing, log scales, grouping, colouring. */
  @property({ attribute: false }) view: ViewPrefs = DEFAULT_VIEW;

  /** The x axis in use: the chosen one, or for 'auto' tokens when effective batches differ. */
  axis(): XAxis {
    return this.view.x === 'auto' ? autoAxis(this.runs) : this.view.x;
  }

  private series(runs: readonly RunRecord[], metric: Metric, smooth: boolean, colors: Map<string, string>): ChartSeries[] {
    const { smoothing } = this.view;
    const axis = this.axis();
    const out: ChartSeries[] = [];
    for (const run of runs) {
      const color = colors.get(run.id)!;
      const s = metricSeries(run, metric, axis);
      if (smooth && smoothing > 0) {
        out.push({ ...s, label: `${run.name} raw`, color, faint: true });
        out.push({ x: s.x, y: ema(s.y, smoothing), label: run.name, color });
      } else {
        out.push({ ...s, label: run.name, color });
      }
    }
    return out;
  }

  private lossSeries(runs: readonly RunRecord[], colors: Map<string, string>): ChartSeries[] {
    const train = this.series(runs, 'loss', true, colors);
    const val = runs.map((run) => ({ ...metricSeries(run, 'val_loss', this.axis()), label: `${run.name} val`, color: colors.get(run.id)!, points: true }));
    return [...train, ...val.filter((v) => v.x.length)];
  }

  /** Grouped: per value of the key, the validation curves' mean and band, the runs faint behind. */
  private groupedLoss(key: ConfigKey): ChartSeries[] {
    return groupsByKey(this.runs, key).flatMap((g, i) => groupCurves(`${key} ${shortValue(g.value)}`, g.runs, 'val_loss', this.axis(), this.view.band, 0, colorOf(i)));
  }

  override render() {
    const v = this.view;
    const runs = this.runs;
    const set = (patch: Partial<ViewPrefs>) => emit(this, 'view-change', patch);
    const axis = this.axis();
    const xl = X_LABEL[axis];
    const keys = varyingKeys(runs);
    const groupBy = v.groupBy && keys.includes(v.groupBy) ? v.groupBy : null;
    const colorBy = v.colorBy && keys.includes(v.colorBy) ? v.colorBy : null;
    const colors = groupBy
      ? new Map(groupsByKey(runs, groupBy).flatMap((g, i) => g.runs.map((r) => [r.id, colorOf(i)] as const)))
      : colorsByKey(runs, colorBy);
    const keySelect = (id: string, value: ConfigKey | null, pick: (k: ConfigKey | null) => void, none: string) => html`
      <select data-testid=${id} @change=${(e: Event) => pick(((e.target as HTMLSelectElement).value || null) as ConfigKey | null)}>
        <option value="" ?selected=${value === null}>${none}</option>
        ${keys.map((k) => html`<option value=${k} ?selected=${value === k}>${k}</option>`)}
      </select>`;
    const chart = (heading: string, series: ChartSeries[], logY = v.logY) => html`<metric-chart heading=${heading} .xLabel=${xl} .series=${series} ?logY=${logY} ?logX=${v.logX}></metric-chart>`;
    return html`
      <div class="bar">
        <label>x axis
          <select data-testid="x-axis" @change=${(e: Event) => set({ x: (e.target as HTMLSelectElement).value as ViewPrefs['x'] })}>
            <option value="auto" ?selected=${v.x === 'auto'}>automatic (${X_LABEL[autoAxis(runs)]})</option>
            ${(['step', 'tokens', 'time'] as const).map((x) => html`<option value=${x} ?selected=${v.x === x}>${X_LABEL[x]}</option>`)}
          </select>
        </label>
        <label title="Exponential moving average of the train loss, as in TensorBoard (0: raw). Exports carry the smoothed curves as drawn.">smoothing
          <input data-testid="smoothing" type="range" min="0" max="0.99" step="0.01" .value=${String(v.smoothing)} @input=${(e: Event) => set({ smoothing: Number((e.target as HTMLInputElement).value) })} />
          ${v.smoothing.toFixed(2)}
        </label>
        <label><input data-testid="log-y" type="checkbox" .checked=${v.logY} @change=${(e: Event) => set({ logY: (e.target as HTMLInputElement).checked })} /> log y</label>
        <label title="Log scale on the x axis (useful for learning-rate plots)."><input data-testid="log-x" type="checkbox" .checked=${v.logX} @change=${(e: Event) => set({ logX: (e.target as HTMLInputElement).checked })} /> log x</label>
        <label title="Fold the runs by a config key that varies between them: the mean validation curve per value, a band, and the runs faint behind.">group by ${keySelect('group-by', groupBy, (k) => set({ groupBy: k }), 'none')}</label>
        ${groupBy ? html`<label>band <select data-testid="band" @change=${(e: Event) => set({ band: (e.target as HTMLSelectElement).value as Band })}>
          <option value="minmax" ?selected=${v.band === 'minmax'}>min–max</option><option value="std" ?selected=${v.band === 'std'}>±1 std</option></select></label>` : html`
        <label title="Colour the runs by a config key that varies between them (a log scale for the learning rate).">colour by ${keySelect('color-by', colorBy, (k) => set({ colorBy: k }), 'run')}</label>`}
      </div>
      <div class="legend" data-testid="legend">
        ${groupBy ? groupsByKey(runs, groupBy).map((g, i) => html`<span><span class="swatch" style="background:${colorOf(i)}"></span>${groupBy} ${shortValue(g.value)} (${g.runs.length} runs)</span>`)
          : runs.map((r) => html`<span><span class="swatch" style="background:${colors.get(r.id)}"></span>${r.name}${colorBy ? ` (${shortValue(r.config[colorBy])})` : ''}</span>`)}
      </div>
      <div class="grid">
        <metric-chart class="wide" heading=${groupBy ? `validation loss by ${groupBy}` : 'loss'} .xLabel=${xl} .series=${groupBy ? this.groupedLoss(groupBy) : this.lossSeries(runs, colors)} ?logY=${v.logY} ?logX=${v.logX} .height=${260}></metric-chart>
        <diagnoses-panel class="wide" .runs=${runs}></diagnoses-panel>
        ${chart('learning rate', this.series(runs, 'lr', false, colors))}
        ${chart('gradient norm', this.series(runs, 'grad_norm', true, colors))}
        ${chart('tokens per second', this.series(runs, 'tokens_per_s', true, colors), false)}
        ${chart('update / weight', this.series(runs, 'update_ratio', true, colors))}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'charts-panel': ChartsPanel;
  }
}
