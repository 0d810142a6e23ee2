// <train-controls>: Train, pause, resume, single step, stop and reset (as in the TensorFlow
// Playground), and progress: step of total, elapsed, ETA, tokens/s, the GPU adapter.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import type { TrainerStatus } from '../../train/trainer';
import { emit } from '../events';
import { isBusy, type JobState } from '../state/job';
import { formatDuration, formatLoss, formatRate } from '../format';

/**
 * @fires train-start - Train
 * @fires train-pause - Pause
 * @fires train-resume - Resume
 * @fires train-step - Step (one step, then paused again)
 * @fires train-stop - Stop
 * @fires train-reset - Reset (clear the live run from the page)
 */
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

  /** The job's state: idle, starting, running, paused, done or error. */
  @property() jobState: JobState = 'idle';
  /** The trainer's latest progress report, or null before the first. */
  @property({ attribute: false }) status: TrainerStatus | null = null;
  /** The live run (its outcome is shown once it ended), or null. */
  @property({ attribute: false }) run: RunRecord | null = null;
  /** The job's last error, or null. */
  @property() error: string | null = null;
  /** The GPU adapter's name. */
  @property() adapter = '';
  /** Why Train is disabled (the first invalid field's message), or null when the config is valid. */
  @property() invalid: string | null = null;

  override render() {
    const s = this.status;
    const state = this.jobState;
    const busy = isBusy(state);
    const running = state === 'running' || state === 'starting';
    const paused = state === 'paused';
    const invalid = this.invalid !== null;
    const step = s?.step ?? 0;
    const total = s?.maxSteps ?? 0;
    const eta = s && step > 0 && s.state !== 'done' ? (s.elapsedMs / step) * (total - step) : 0;
    const outcome = this.run?.outcome;
    return html`
      <div class="buttons">
        <button class="primary" data-testid="train" ?disabled=${invalid || busy} title=${invalid ? 'Fix the marked fields first.' : 'Start a run with this config.'} @click=${() => emit(this, 'train-start')}>Train</button>
        <button data-testid="pause" ?disabled=${!running} @click=${() => emit(this, 'train-pause')}>Pause</button>
        <button data-testid="resume" ?disabled=${!paused} @click=${() => emit(this, 'train-resume')}>Resume</button>
        <button data-testid="step" ?disabled=${!paused} title="Train one more step, then pause." @click=${() => emit(this, 'train-step')}>Step</button>
        <button data-testid="stop" ?disabled=${!busy} @click=${() => emit(this, 'train-stop')}>Stop</button>
        <button data-testid="reset" ?disabled=${busy || state === 'idle'} title="Clear the live run (it stays in the run list)." @click=${() => emit(this, 'train-reset')}>Reset</button>
      </div>
      ${invalid ? html`<div class="why" data-testid="train-disabled">Train is disabled: ${this.invalid}</div>` : nothing}
      ${s || busy ? html`
        <div class="bar"><div style="width:${total ? (100 * step) / total : 0}%"></div></div>
        <div class="progress" data-testid="progress">
          <span>step <b data-testid="progress-step">${step}</b> / ${total}</span>
          <span>loss <b>${formatLoss(s?.loss)}</b></span>
          <span>elapsed <b>${formatDuration(s?.elapsedMs ?? 0)}</b></span>
          <span>ETA <b>${eta ? formatDuration(eta) : '–'}</b></span>
          <span><b>${formatRate(s?.tokensPerSec ?? 0)}</b> tokens/s</span>
          <span>${this.adapter}</span>
          <span data-testid="job-state">${state}</span>
        </div>` : nothing}
      ${outcome && !busy && state !== 'idle' ? html`<div class="outcome" data-testid="outcome">${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}; final val loss ${formatLoss(outcome.final_val_loss)}</div>` : nothing}
      ${this.error && this.error !== outcome?.reason ? html`<div class="why">${this.error}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'train-controls': TrainControls;
  }
}
