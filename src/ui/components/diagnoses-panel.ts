// <diagnoses-panel>: what the shown runs' curves show, beside the charts: each diagnosis with the
// step it refers to, the numbers behind it and the rule of thumb it rests on (src/experiments/
// diagnose.ts). Recomputed whenever a run's record changes (the live one grows as it trains).
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { diagnose, type Diagnosis } from '../../experiments/diagnose';
import type { RunRecord } from '../../runs/schema';
import { colorOf } from '../charts/series';

/** Diagnoses per record object: a stored run is the same object on every render; the live one is a new object whenever it grew. */
const cache = new WeakMap<RunRecord, { key: string; ds: Diagnosis[] }>();

export function diagnosesOf(run: RunRecord): Diagnosis[] {
  const key = `${run.metrics.step.length}/${run.evals.length}/${run.tensors.step.length}/${run.outcome.status}`;
  const hit = cache.get(run);
  if (hit?.key === key) return hit.ds;
  const ds = diagnose(run);
  cache.set(run, { key, ds });
  return ds;
}

@customElement('diagnoses-panel')
export class DiagnosesPanel extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.8rem; }
    h3 { font-size: 0.85rem; margin: 0 0 0.3rem; }
    .run { font-weight: 600; margin: 0.4rem 0 0.2rem; }
    .swatch { display: inline-block; width: 0.8rem; height: 0.25rem; border-radius: 2px; margin-right: 0.3rem; vertical-align: middle; }
    .item { border-left: 3px solid #e15759; background: #fff8f3; padding: 0.25rem 0.55rem; margin: 0.3rem 0; border-radius: 0 4px 4px 0; }
    .item.spikes, .item.low { border-left-color: #edc948; }
    .title { font-weight: 600; }
    .step { color: #666; font-weight: normal; margin-left: 0.4rem; }
    .rule { color: #555; font-style: italic; }
    p { margin: 0.15rem 0; }
    .none { color: #888; }
  `;

  /** The runs the charts show, the live one first (the same order, so the same colors). */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];

  private item(d: Diagnosis) {
    const tone = d.id === 'grad-spikes' ? 'spikes' : d.id === 'rate-too-low' ? 'low' : '';
    return html`<div class="item ${tone}" data-testid="diagnosis-${d.id}">
      <div class="title">${d.title}<span class="step" data-testid="diagnosis-step">step ${d.step}</span></div>
      <p data-testid="diagnosis-evidence">${d.evidence}</p>
      <p class="rule" data-testid="diagnosis-rule">${d.rule}</p>
      <p>${d.advice}</p>
    </div>`;
  }

  override render() {
    const found = this.runs.map((run, i) => ({ run, color: colorOf(i), ds: diagnosesOf(run) })).filter((f) => f.ds.length);
    const many = this.runs.length > 1;
    return html`<div data-testid="diagnoses">
      <h3>What the curves show</h3>
      ${found.length === 0 ? html`<div class="none" data-testid="diagnoses-none">${this.runs.length ? 'Nothing the rules of thumb flag yet: each diagnosis needs numbers behind it.' : 'Diagnoses appear here as a run trains.'}</div>` : nothing}
      ${found.map((f) => html`<div data-testid="diagnoses-run">
        ${many ? html`<div class="run"><span class="swatch" style="background:${f.color}"></span>${f.run.name}</div>` : nothing}
        ${f.ds.map((d) => this.item(d))}
      </div>`)}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'diagnoses-panel': DiagnosesPanel;
  }
}
