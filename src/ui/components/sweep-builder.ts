// <sweep-builder>: learning rates (a list or a log range), batch sizes with a scaling rule anchored
// at a reference batch, LoRA ranks (alpha optionally scaled with rank), seeds; shows how many runs
// the product makes and runs them one after another on top of the current config.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Plan } from '../../experiments/plan';
import { ConfigErrors, type TrainConfig } from '../../config/config';
import { MAX_TOGETHER } from '../../train/pack';
import { emit } from '../events';
import { DEFAULT_SWEEP_FORM, sweepPlan, type SweepForm } from '../state/sweep-form';
import { controlStyles } from './styles';

const FIELDS: { key: keyof SweepForm; label: string; hint: string }[] = [
  { key: 'learning_rate', label: 'learning rates', hint: '1e-4, 3e-4, 1e-3 — or a log range 1e-5..1e-1 x5' },
  { key: 'batch_size', label: 'batch sizes', hint: 'e.g. 4, 16 (empty: the config’s)' },
  { key: 'lora_rank', label: 'LoRA ranks', hint: 'e.g. 4, 8, 16 (empty: the config’s)' },
  { key: 'seed', label: 'seeds', hint: 'e.g. 1, 2, 3: repeats give a band' },
];

/** The side-by-side choices: auto (as many as fit the GPU), or a fixed number (1: one after another). */
const TOGETHER_CHOICES: readonly [string, string][] = [
  ['auto', 'as many as fit the GPU'], ['1', 'one after another'],
  ...[2, 4, 8, MAX_TOGETHER].filter((n, i, a) => n <= MAX_TOGETHER && a.indexOf(n) === i).map((n): [string, string] => [String(n), `${n} at a time`]),
];

/**
 * @fires sweep-edit - a field was typed or picked (detail: the changed fields)
 * @fires sweep-run - Run sweep
 */
@customElement('sweep-builder')
export class SweepBuilder extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    .grid { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 0.6rem; align-items: center; font-size: 0.85rem; }
    .grid input[type='text'] { width: 100%; box-sizing: border-box; }
    .row { display: flex; gap: 0.6rem; align-items: center; margin-top: 0.5rem; flex-wrap: wrap; font-size: 0.85rem; }
  `];

  /** The builder's fields, as typed. */
  @property({ attribute: false }) form: SweepForm = DEFAULT_SWEEP_FORM;
  /** The setup the sweep varies, or null while a field of it is invalid. */
  @property({ attribute: false }) config: TrainConfig | null = null;
  /** A plan or a run is training: Run sweep is disabled. */
  @property({ type: Boolean }) busy = false;

  private plan(): { plan: Plan | null; errors: Map<string, string> } {
    const errors = new Map<string, string>();
    const config = this.config;
    if (!config) {
      errors.set('(config)', 'fix the marked config fields first');
      return { plan: null, errors };
    }
    try {
      return { plan: sweepPlan(this.form, config), errors };
    } catch (e) {
      if (!(e instanceof ConfigErrors)) throw e;
      for (const x of e.errors) errors.set(x.key, x.message);
      return { plan: null, errors };
    }
  }

  override render() {
    const f = this.form;
    const set = (patch: Partial<SweepForm>) => emit(this, 'sweep-edit', patch);
    const { plan, errors } = this.plan();
    const steps = this.config?.max_steps;
    const fieldErrors = [...errors].filter(([k]) => !['learning_rate', 'batch_size', 'lora_rank', 'seed', 'reference_batch_size'].includes(k));
    const busy = this.busy;
    return html`
      <p class="muted">Runs the product of these lists on top of the setup on the left, side by side where they can share one step program (same model, batch and text); each run is recorded with the tag <code>sweep:NAME</code>.</p>
      <div class="grid">
        <label for="sweep-name">name</label><input id="sweep-name" type="text" data-testid="sweep-name" placeholder="e.g. lr sweep" .value=${f.name} @input=${(e: Event) => set({ name: (e.target as HTMLInputElement).value })} />
        ${FIELDS.map((d) => html`
          <label for="sweep-${d.key}">${d.label}</label>
          <div><input id="sweep-${d.key}" type="text" data-testid="sweep-${d.key}" placeholder=${d.hint} title=${d.hint} .value=${String(f[d.key])} @input=${(e: Event) => set({ [d.key]: (e.target as HTMLInputElement).value })} />
          ${errors.has(d.key) ? html`<div class="err">${errors.get(d.key)}</div>` : nothing}</div>`)}
        <label for="sweep-scaling" title="The listed rates belong to the reference batch; other batches get them scaled.">rate scaling</label>
        <div>
          <select id="sweep-scaling" data-testid="sweep-scaling" @change=${(e: Event) => set({ lr_scaling: (e.target as HTMLSelectElement).value as SweepForm['lr_scaling'] })}>
            <option value="none" ?selected=${f.lr_scaling === 'none'}>none (same rate for every batch)</option>
            <option value="linear" ?selected=${f.lr_scaling === 'linear'}>linear (rate × k for batch × k)</option>
            <option value="sqrt" ?selected=${f.lr_scaling === 'sqrt'}>square root (rate × √k)</option>
          </select>
          reference batch <input type="number" min="1" style="width:4.5rem" data-testid="sweep-reference" placeholder=${String(this.config?.batch_size ?? '')} .value=${f.reference_batch_size} @input=${(e: Event) => set({ reference_batch_size: (e.target as HTMLInputElement).value })} />
          ${errors.has('reference_batch_size') ? html`<div class="err">${errors.get('reference_batch_size')}</div>` : nothing}
        </div>
        <span></span><label><input type="checkbox" .checked=${f.alpha_with_rank} @change=${(e: Event) => set({ alpha_with_rank: (e.target as HTMLInputElement).checked })} /> scale alpha with rank (keep alpha/r)</label>
        <label for="sweep-together" title="Runs that share model, batch and text train side by side in one step program; each gives the numbers it gives alone.">side by side</label>
        <select id="sweep-together" data-testid="sweep-together" @change=${(e: Event) => { const v = (e.target as HTMLSelectElement).value; set({ together: v === 'auto' ? 'auto' : Number(v) }); }}>
          ${TOGETHER_CHOICES.map(([v, label]) => html`<option value=${v} ?selected=${String(f.together) === v}>${label}</option>`)}
        </select>
      </div>
      ${fieldErrors.map(([, m]) => html`<div class="err">${m}</div>`)}
      <div class="row">
        <button class="primary" data-testid="run-sweep" ?disabled=${!plan || busy} @click=${() => emit(this, 'sweep-run')}>Run sweep</button>
        <span data-testid="sweep-count">${plan ? `${plan.runs.length} run${plan.runs.length === 1 ? '' : 's'} × ${steps ?? '?'} steps` : 'no runs'}</span>
        ${plan ? html`<span class="muted">${plan.runs.slice(0, 6).map((r) => r.label).join(' · ')}${plan.runs.length > 6 ? ' …' : ''}</span>` : nothing}
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sweep-builder': SweepBuilder;
  }
}
