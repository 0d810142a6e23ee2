// <samples-panel>: the text a run's model wrote at each sample step, newest first: the live run's as
// it trains, or a recorded run's opened from the run list.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';

@customElement('samples-panel')
export class SamplesPanel extends LitElement {
  static override styles = css`
    :host { display: block; }
    .sample { border-left: 3px solid #d0d7de; padding: 0.2rem 0.6rem; margin: 0.4rem 0; }
    .step { font-size: 0.75rem; color: #666; }
    pre { white-space: pre-wrap; word-break: break-word; margin: 0.15rem 0; font-size: 0.8rem; }
    .prompt { color: #1f6feb; }
    .none { color: #888; font-size: 0.8rem; }
  `;

  /** The run whose samples are shown: the live one, or a recorded one (a new object whenever it grew). */
  @property({ attribute: false }) run: RunRecord | null = null;

  override render() {
    const samples = this.run ? [...this.run.samples].reverse() : [];
    if (!samples.length) {
      const ended = this.run && this.run.outcome.status !== 'running';
      return html`<div class="none">${ended ? 'No samples were recorded for this run.' : 'Samples appear every sample_interval steps and at the end.'}</div>`;
    }
    return samples.map((s) => html`<div class="sample" data-testid="sample">
      <div class="step">step ${s.step} · temperature ${s.temperature} · top-k ${s.top_k}</div>
      <pre><span class="prompt">${s.prompt}</span>${s.text}</pre>
    </div>`);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'samples-panel': SamplesPanel;
  }
}
