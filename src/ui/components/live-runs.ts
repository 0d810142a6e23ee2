// <live-runs>: the runs training side by side (a packed job: a sweep's or a scenario's runs that
// share one step program), one row each: name, step of total, loss, state, and its own Pause,
// Resume and Stop (the others train on). Each run's curve is drawn on the charts as usual.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import type { TrainerStatus } from '../../train/trainer';
import { emit } from '../events';
import { formatLoss } from '../format';

/**
 * @fires live-pause - Pause one run ({ id })
 * @fires live-resume - Resume one run ({ id })
 * @fires live-stop - Stop one run ({ id })
 */
@customElement('live-runs')
export class LiveRuns extends LitElement {
  static override styles = css`
    :host { display: block; margin-top: 0.6rem; font-size: 0.82rem; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.2rem 0.4rem; border-bottom: 1px solid #eee; font-variant-numeric: tabular-nums; }
    th { font-weight: 600; color: #555; }
    button { font: inherit; font-size: 0.78rem; padding: 0.1rem 0.5rem; border-radius: 5px; border: 1px solid #bbb; background: white; cursor: pointer; }
    button:disabled { opacity: 0.45; cursor: default; }
  `;

  /** The live runs, in the order they train. */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** Each run's latest status, by run id (absent before its first). */
  @property({ attribute: false }) statuses: ReadonlyMap<string, TrainerStatus> = new Map();

  override render() {
    return html`
      <div>${this.runs.length} runs train side by side in one step program; each gives the numbers it gives alone.</div>
      <table data-testid="live-runs">
        <tr><th>run</th><th>step</th><th>loss</th><th>state</th><th></th></tr>
        ${this.runs.map((r) => {
          const s = this.statuses.get(r.id);
          const ended = r.outcome.status !== 'running' || s?.state === 'done';
          const state = ended ? r.outcome.status : (s?.state ?? 'starting');
          const id = r.id;
          return html`<tr data-testid="live-run">
            <td>${r.name}</td>
            <td>${s?.step ?? 0} / ${s?.maxSteps ?? r.config.max_steps ?? '?'}</td>
            <td>${formatLoss(s?.loss)}</td>
            <td data-testid="live-state">${state}</td>
            <td>
              <button data-testid="live-pause" ?disabled=${ended || s?.state !== 'running'} @click=${() => emit(this, 'live-pause', { id })}>Pause</button>
              <button data-testid="live-resume" ?disabled=${ended || s?.state !== 'paused'} @click=${() => emit(this, 'live-resume', { id })}>Resume</button>
              <button data-testid="live-stop" ?disabled=${ended} @click=${() => emit(this, 'live-stop', { id })}>Stop</button>
            </td>
          </tr>`;
        })}
      </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'live-runs': LiveRuns;
  }
}
