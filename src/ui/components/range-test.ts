// <range-test>: the learning-rate range test on the current setup (a copy of the model: the run
// starts from the same base and changes nothing else), its loss against rate on a log axis, and
// each rule's rate (or why the curve gives none), each rate one click from the config.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { RANGE_END, RANGE_START, suggestRate, type RuleAnswer } from '../../experiments/lr-range';
import type { RunRecord } from '../../runs/schema';
import { fmt } from '../charts/metric-chart';
import '../charts/metric-chart';
import { emit } from '../events';
import { controlStyles } from './styles';

/**
 * @fires range-steps - the steps field was typed (detail: its text)
 * @fires range-run - Run range test
 * @fires config-set - "use" on a suggested rate (detail: learning_rate and the rate)
 */
@customElement('range-test')
export class RangeTest extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    .row { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; font-size: 0.85rem; margin: 0.4rem 0; }
    .suggest b { font-variant-numeric: tabular-nums; }
  `];

  /** The latest range test's run (live while it trains), or null. */
  @property({ attribute: false }) run: RunRecord | null = null;
  /** The steps field, as typed. */
  @property() steps = '';
  /** A plan or a run is training: the test cannot start. */
  @property({ type: Boolean }) busy = false;
  /** The setup is valid (the test trains a copy of it). */
  @property({ type: Boolean }) configValid = false;

  override render() {
    const run = this.run;
    const s = run ? suggestRate(run) : null;
    const use = (lr: number) => emit(this, 'config-set', { key: 'learning_rate', value: lr });
    const rules: [string, string, RuleAnswer][] = s ? [['edge', 'blow-up edge / 10 (suggested)', s.edge], ['steepest', 'steepest descent', s.steepest], ['min', `minimum ${fmt(s.minimum)} / 10`, s.minOverTen]] : [];
    const busy = this.busy;
    const raw = run ? { x: run.metrics.lr.map((v) => v ?? 0), y: run.metrics.loss, label: 'loss', color: '#4e79a7', faint: true } : null;
    const smooth = s ? { x: s.curve.map((p) => p.lr), y: s.curve.map((p) => p.loss), label: 'smoothed loss', color: '#4e79a7' } : null;
    return html`
      <p class="muted">Trains a copy of the current setup while the learning rate ramps exponentially from ${fmt(RANGE_START)} to ${fmt(RANGE_END)}; it stops when the loss blows up. A rule gives a rate only when the curve meets its premise (a blow-up, a clear descent, a clear minimum), and says why when it does not.</p>
      <div class="row">
        <label>steps <input type="number" min="20" max="2000" style="width:5rem" data-testid="range-steps" .value=${this.steps} @input=${(e: Event) => emit(this, 'range-steps', { text: (e.target as HTMLInputElement).value })} /></label>
        <button class="primary" data-testid="run-range" ?disabled=${busy || !this.configValid} @click=${() => emit(this, 'range-run')}>Run range test</button>
      </div>
      ${s && run ? html`
        <div class="row suggest" data-testid="range-suggestions">
          ${rules.map(([id, name, a]) => a.lr !== null
            ? html`<span data-testid="range-${id}">${name} <b>${fmt(a.lr)}</b> <button data-testid="use-${id}" @click=${() => use(a.lr!)}>use</button></span>`
            : html`<span class="muted" data-testid="range-${id}">${name}: no rate (${a.why})</span>`)}
          ${s.fewSteps ? html`<span class="muted" data-testid="range-few-steps">${s.fewSteps}</span>` : nothing}
          ${s.blewUpAt !== null ? html`<span class="muted">the loss blew up at ${fmt(s.blewUpAt)}</span>` : nothing}
        </div>
        <metric-chart heading="loss vs learning rate" xLabel="learning rate" logX .series=${[raw!, smooth!]} .height=${240}></metric-chart>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'range-test': RangeTest;
  }
}
