// <train-controls>: Train, pause, resume, single step, stop and reset (as in the TensorFlow
// Playground), and progress: step of total, elapsed, ETA, tokens/s, the GPU adapter.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { Watch } from '../state/controller';
import type { Workbench } from '../state/workbench';
import { formatDuration, formatLoss, formatRate } from '../format';

@customElement('train-controls')
export class TrainControls extends LitElement {
  static override styles = css`
    :host { display: block; }
    .buttons { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
    button { font: inherit; padding: 0.35rem 0.8rem; border-radius: 6px; border: 1px solid #bbb; background: white; cursor: pointer; }
    button.primary { background: #1f6feb; border-color: #1f6feb; color: white; font-weight: 600; }
    button:disabled { opacity: 0.45; cursor: default; }
    .progress { display: flex; flex-wrap: wrap; gap: 0.3rem 1.1rem; margin-top: 0.5rem; font-size: 0.82rem; color: #333; }
    .progress b { font-variant-numeric: tabular-nums; }
    .bar { height: 5px; background: #e6e6e2; border-radius: 3px; margin-top: 0.45rem; overflow: hidden; }
    .bar > div { height: 100%; background: #1f6feb; }
    .why { color: #b00020; font-size: 0.8rem; margin-top: 0.3rem; }
    .outcome { font-size: 0.82rem; margin-top: 0.35rem; }
  `;

  @property({ attribute: false }) bench!: Workbench;

  constructor() {
    super();
    new Watch(this, () => [this.bench, this.bench?.job, this.bench?.config]);
  }

  override render() {
    const b = this.bench;
    const job = b.job;
    const s = job.status;
    const state = job.state;
    const running = state === 'running' || state === 'starting';
    const paused = state === 'paused';
    const invalid = !b.config.config;
    const step = s?.step ?? 0;
    const total = s?.maxSteps ?? 0;
    const eta = s && step > 0 && s.state !== 'done' ? (s.elapsedMs / step) * (total - step) : 0;
    const outcome = job.run?.outcome;
    return html`
      <div class="buttons">
        <button class="primary" data-testid="train" ?disabled=${invalid || job.busy} title=${invalid ? 'Fix the marked fields first.' : 'Start a run with this config.'} @click=${() => void b.train()}>Train</button>
        <button data-testid="pause" ?disabled=${!running} @click=${() => void job.pause()}>Pause</button>
        <button data-testid="resume" ?disabled=${!paused} @click=${() => void job.resume()}>Resume</button>
        <button data-testid="step" ?disabled=${!paused} title="Train one more step, then pause." @click=${() => void job.step(1)}>Step</button>
        <button data-testid="stop" ?disabled=${!job.busy} @click=${() => void job.stop()}>Stop</button>
        <button data-testid="reset" ?disabled=${job.busy || state === 'idle'} title="Clear the live run (it stays in the run list)." @click=${() => job.reset()}>Reset</button>
      </div>
      ${invalid ? html`<div class="why" data-testid="train-disabled">Train is disabled: ${[...b.config.errors.values()][0]}</div>` : nothing}
      ${s || job.busy ? html`
        <div class="bar"><div style="width:${total ? (100 * step) / total : 0}%"></div></div>
        <div class="progress" data-testid="progress">
          <span>step <b data-testid="progress-step">${step}</b> / ${total}</span>
          <span>loss <b>${formatLoss(s?.loss)}</b></span>
          <span>elapsed <b>${formatDuration(s?.elapsedMs ?? 0)}</b></span>
          <span>ETA <b>${eta ? formatDuration(eta) : '–'}</b></span>
          <span><b>${formatRate(s?.tokensPerSec ?? 0)}</b> tokens/s</span>
          <span>${job.gpu?.adapter.name ?? ''}</span>
          <span data-testid="job-state">${state}</span>
        </div>` : nothing}
      ${outcome && !job.busy && state !== 'idle' ? html`<div class="outcome" data-testid="outcome">${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}; final val loss ${formatLoss(outcome.final_val_loss)}</div>` : nothing}
      ${job.error && job.error !== outcome?.reason ? html`<div class="why">${job.error}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'train-controls': TrainControls;
  }
}
