// <experiments-panel>: sweeps (builder and results), the learning-rate range test and the classroom
// scenarios, as tabs; shows which run of a running plan is training and stops the plan.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { TrainConfig } from '../../config/config';
import { runsOfTag, type Plan } from '../../experiments/plan';
import type { RunRecord } from '../../runs/schema';
import { emit } from '../events';
import { DEFAULT_SWEEP_FORM, type SweepForm } from '../state/sweep-form';
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

/**
 * @fires plan-stop - Stop all (or Stop the test): the running plan ends after its current run
 */
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

  /** The plan being trained, or null. */
  @property({ attribute: false }) plan: Plan | null = null;
  /** Index of the plan's run that is training. */
  @property({ type: Number }) planIndex = 0;
  /** Indices of the plan's runs training now (several: side by side). */
  @property({ attribute: false }) planTraining: readonly number[] = [];
  /** Every listed run, the live one included (sweep results and range tests are found by tag). */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** The validated config the experiments start from, or null while a field is invalid. */
  @property({ attribute: false }) config: TrainConfig | null = null;
  /** The sweep builder's fields, as typed. */
  @property({ attribute: false }) sweepForm: SweepForm = DEFAULT_SWEEP_FORM;
  /** The range test's steps field, as typed. */
  @property() rangeSteps = '';
  /** A plan or a run is training: nothing else can start. */
  @property({ type: Boolean }) busy = false;
  /** What scenarios on this machine are scaled to, or null at full scale. */
  @property() scenarioNote: string | null = null;
  /** Seeds every scenario run is repeated with. */
  @property({ type: Number }) scenarioSeeds = 1;
  @state() private tab: Tab = 'sweep';

  override render() {
    const p = this.plan;
    const i = this.planIndex;
    return html`
      ${p ? html`<div class="plan" data-testid="plan-progress"><span>${this.planTraining.length > 1
        ? html`${p.name}: runs <b>${this.planTraining.map((k) => k + 1).join(', ')}</b> of ${p.runs.length} side by side`
        : html`${p.name}: run <b>${i + 1}</b> of ${p.runs.length} (${p.runs[i]?.label})`}</span>
        <button data-testid="stop-plan" @click=${() => emit(this, 'plan-stop')}>Stop ${p.kind === 'range' ? 'the test' : 'all'}</button></div>` : nothing}
      <div class="tabs">${TABS.map((t) => html`<button data-testid="tab-${t.id}" class=${this.tab === t.id ? 'on' : ''} @click=${() => (this.tab = t.id)}>${t.label}</button>`)}</div>
      ${this.tab === 'sweep' ? html`<sweep-builder .form=${this.sweepForm} .config=${this.config} .busy=${this.busy}></sweep-builder><hr />
          <sweep-results .runs=${this.runs} .planTag=${p?.kind === 'sweep' ? p.tag : null}></sweep-results>`
        : this.tab === 'range' ? html`<range-test .run=${runsOfTag(this.runs, 'lr-range').at(-1) ?? null} .steps=${this.rangeSteps} .busy=${this.busy} .configValid=${this.config !== null}></range-test>`
        : html`<scenario-list .note=${this.scenarioNote} .seeds=${this.scenarioSeeds}></scenario-list>`}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'experiments-panel': ExperimentsPanel;
  }
}
