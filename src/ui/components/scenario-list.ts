// <scenario-list>: the ten classroom scenarios, each with what it tries and a button that opens it in
// the presenter view (where its runs start from the slide).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { scenarioNote, SCENARIOS } from '../../experiments/scenarios';
import { Watch } from '../state/controller';
import type { Workbench } from '../state/workbench';
import { controlStyles } from './styles';

@customElement('scenario-list')
export class ScenarioList extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    ol { margin: 0; padding-left: 1.4rem; font-size: 0.85rem; }
    li { margin: 0.35rem 0; }
    li button { margin-left: 0.4rem; font-size: 0.8rem; padding: 0.1rem 0.5rem; }
  `];

  @property({ attribute: false }) bench!: Workbench;

  constructor() {
    super();
    new Watch(this, () => [this.bench]);
  }

  override render() {
    const x = this.bench.experiments;
    const note = scenarioNote(x.scenarioOptions());
    return html`
      ${note ? html`<p class="muted">${note}</p>` : nothing}
      <ol>${SCENARIOS.map((s) => html`<li><b>${s.title}.</b> ${s.tries}
        <button data-testid="present-${s.id}" @click=${() => x.present(s.id)}>present</button>
        <button data-testid="select-scenario-${s.id}" title="Overlay this scenario's recorded runs on the charts" @click=${() => this.bench.selectTag(`scenario:${s.id}`)}>overlay</button></li>`)}</ol>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'scenario-list': ScenarioList;
  }
}
