// <experiments-panel>: sweeps (builder and results), the learning-rate range test and the classroom
// scenarios, as tabs; shows which run of a running plan is training and stops the plan.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Watch } from '../state/controller';
import type { Workbench } from '../state/workbench';
import './range-test';
import './scenario-list';
import './sweep-builder';
import './sweep-results';
import { controlStyles } from './styles';

type Tab = 'sweep' | 'range' | 'scenarios';
const TABS: { id: Tab; label: string }[] = [
  { id: 'sweep', label: 'Sweep' },
  { id: 'range', label: 'LR range test' },
  { id: 'scenarios', label: 'Classroom scenarios' },
];

@customElement('experiments-panel')
export class ExperimentsPanel extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    .tabs { display: flex; gap: 0.3rem; border-bottom: 1px solid #ddd; margin-bottom: 0.6rem; }
    .tabs button { border-radius: 6px 6px 0 0; border-bottom: none; background: #f4f4f1; }
    .tabs button.on { background: white; font-weight: 600; position: relative; top: 1px; }
    .plan { display: flex; gap: 0.7rem; align-items: center; font-size: 0.85rem; background: #eef5ff; border: 1px solid #c6dcff; border-radius: 6px; padding: 0.3rem 0.6rem; margin-bottom: 0.6rem; }
    hr { border: none; border-top: 1px solid #eee; margin: 0.8rem 0; }
  `];

  @property({ attribute: false }) bench!: Workbench;
  @state() private tab: Tab = 'sweep';

  constructor() {
    super();
    new Watch(this, () => [this.bench]);
  }

  override render() {
    const b = this.bench;
    const p = b.experiments.plan;
    return html`
      ${p ? html`<div class="plan" data-testid="plan-progress"><span>${p.name}: run <b>${b.experiments.index + 1}</b> of ${p.runs.length} (${p.runs[b.experiments.index]?.label})</span>
        <button data-testid="stop-plan" @click=${() => b.experiments.stop()}>Stop ${p.kind === 'range' ? 'the test' : 'all'}</button></div>` : nothing}
      <div class="tabs">${TABS.map((t) => html`<button data-testid="tab-${t.id}" class=${this.tab === t.id ? 'on' : ''} @click=${() => (this.tab = t.id)}>${t.label}</button>`)}</div>
      ${this.tab === 'sweep' ? html`<sweep-builder .bench=${b}></sweep-builder><hr /><sweep-results .bench=${b}></sweep-results>`
        : this.tab === 'range' ? html`<range-test .bench=${b}></range-test>`
        : html`<scenario-list .bench=${b}></scenario-list>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'experiments-panel': ExperimentsPanel;
  }
}
