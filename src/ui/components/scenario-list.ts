// <scenario-list>: the ten classroom scenarios, each with what it tries and a button that opens it in
// the presenter view (where its runs start from the slide).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { MAX_SCENARIO_SEEDS, SCENARIOS } from '../../experiments/scenarios';
import { emit } from '../events';
import { controlStyles } from './styles';

/**
 * @fires scenario-seeds - the "repeat with K seeds" field changed (detail: K)
 * @fires scenario-present - present: open the scenario in the presenter view (detail: its id)
 * @fires tag-select - overlay: exactly the scenario's recorded runs are drawn (detail: its tag)
 */
@customElement('scenario-list')
export class ScenarioList extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    ol { margin: 0; padding-left: 1.4rem; font-size: 0.85rem; }
    li { margin: 0.35rem 0; }
    li button { margin-left: 0.4rem; font-size: 0.8rem; padding: 0.1rem 0.5rem; }
    .seeds { font-size: 0.85rem; }
    .seeds input { width: 3.2rem; }
  `];

  /** What scenarios on this machine are scaled to, or null at full scale. */
  @property() note: string | null = null;
  /** Seeds every run is repeated with; with one, a check has no noise estimate and says so. */
  @property({ type: Number }) seeds = 1;

  override render() {
    const note = this.note;
    return html`
      ${note ? html`<p class="muted">${note}</p>` : nothing}
      <label class="seeds" title="Each run trains once per seed; a check then calls a difference real only when it is larger than the seeds' spread (Welch's test, p < 0.05)">repeat with
        <input type="number" data-testid="scenario-seeds" min="1" max=${MAX_SCENARIO_SEEDS} step="1" .value=${String(this.seeds)}
          @change=${(e: Event) => emit(this, 'scenario-seeds', { seeds: Number((e.target as HTMLInputElement).value) })} /> seeds</label>
      <ol>${SCENARIOS.map((s) => html`<li><b>${s.title}.</b> ${s.tries}
        <button data-testid="present-${s.id}" @click=${() => emit(this, 'scenario-present', { id: s.id })}>present</button>
        <button data-testid="select-scenario-${s.id}" title="Overlay this scenario's recorded runs on the charts" @click=${() => emit(this, 'tag-select', { tag: `scenario:${s.id}` })}>overlay</button></li>`)}</ol>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'scenario-list': ScenarioList;
  }
}
