// <presenter-view>: a classroom scenario on the whole screen: large type, what we try and what to
// look for, the runs started from the slide, their curves filling the screen, and — once every run
// has finished — the check: what these runs showed. Previous/next scenario; Esc closes. Where the
// class link locks a key the scenario's runs set, Run is disabled and the reason shown.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { checkScenario, scenarioById, scenarioRuns, scenarioRunsAt, scenarioTries, seedLabel, SCENARIOS, type ScenarioSize } from '../../experiments/scenarios';
import type { RunRecord } from '../../runs/schema';
import type { TrainerStatus } from '../../train/trainer';
import type { ChartSeries } from '../charts/metric-chart';
import '../charts/metric-chart';
import { colorOf, ema, metricSeries } from '../charts/series';
import { emit } from '../events';
import { controlStyles } from './styles';

/**
 * @fires scenario-present - previous / next (detail: that scenario's id), or ✕ and Esc (detail: null)
 * @fires scenario-run - Run the scenario (detail: its id)
 * @fires plan-stop - Stop, while the scenario's runs train
 */
@customElement('presenter-view')
export class PresenterView extends LitElement {
  static override styles = [controlStyles, css`
    :host { position: fixed; inset: 0; z-index: 10; background: #fbfbf8; overflow: auto; padding: 1.2rem 2rem; box-sizing: border-box; display: flex; flex-direction: column; gap: 0.6rem; }
    header { display: flex; align-items: center; gap: 0.8rem; }
    h1 { font-size: 2.1rem; margin: 0; flex: 1; }
    button { font-size: 1.05rem; padding: 0.45rem 1rem; }
    .text { font-size: 1.35rem; line-height: 1.4; max-width: 75rem; }
    .text p { margin: 0.2rem 0; }
    .note { font-size: 1rem; color: #7a4b00; background: #fff6e0; border: 1px solid #f0d9a0; border-radius: 6px; padding: 0.3rem 0.7rem; }
    .locked { font-size: 1rem; color: #8a0016; background: #fff1f1; border: 1px solid #f0b8b8; border-radius: 6px; padding: 0.3rem 0.7rem; }
    .runs { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; font-size: 1.05rem; }
    .swatch { display: inline-block; width: 1rem; height: 0.35rem; border-radius: 2px; margin-right: 0.35rem; vertical-align: middle; }
    .now { font-weight: 700; }
    metric-chart { flex: 1; min-height: 45vh; }
    .check { font-size: 1.55rem; line-height: 1.4; background: #eefbe9; border: 1px solid #bfe3b0; border-radius: 8px; padding: 0.6rem 1rem; }
    .check ul { font-size: 1.05rem; margin: 0.4rem 0 0; }
  `];

  /** The scenario shown (nothing is drawn while null). */
  @property({ type: Number }) scenario: number | null = null;
  /** Every listed run, the live one included; the scenario's are found by its tag. */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** The tag of the plan being trained, or null. */
  @property() planTag: string | null = null;
  /** Index of the plan's run that is training. */
  @property({ type: Number }) planIndex = 0;
  /** A plan or a run is training: the scenario cannot start. */
  @property({ type: Boolean }) busy = false;
  /** The trainer's latest progress report (the step of the run training now). */
  @property({ attribute: false }) status: TrainerStatus | null = null;
  /** The tier scenarios run at here: the classroom model, or the CPU tier on the tiny one. */
  @property() size: ScenarioSize = 'classroom';
  /** What scenarios on this machine are scaled to, or null at full scale. */
  @property() note: string | null = null;
  /** Seeds every run is repeated with (its seeds share a colour). */
  @property({ type: Number }) seeds = 1;
  /** Why the scenario cannot run here (the class link locks a key its runs set), or null. */
  @property() refusal: string | null = null;
  private readonly onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') emit(this, 'scenario-present', { id: null });
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.onKey);
  }

  private series(runs: (RunRecord | null)[], labels: string[], axis: 'step' | 'tokens', color: (i: number) => string): ChartSeries[] {
    const out: ChartSeries[] = [];
    runs.forEach((r, i) => {
      if (!r) return;
      const train = metricSeries(r, 'loss', axis);
      out.push({ x: train.x, y: ema(train.y, 0.8), label: `${labels[i]} train`, color: color(i), faint: true });
    });
    runs.forEach((r, i) => {
      if (!r) return;
      const val = metricSeries(r, 'val_loss', axis);
      if (val.x.length) out.push({ ...val, label: `${labels[i]} val`, color: color(i) });
    });
    return out;
  }

  override render() {
    const id = this.scenario;
    if (id === null) return nothing;
    const s = scenarioById(id);
    const size = this.size;
    const seeds = this.seeds;
    const runs = scenarioRuns(s, this.runs, size, seeds);
    const labels = scenarioRunsAt(s, size).flatMap((r) => Array.from({ length: seeds }, (_, k) => seedLabel(r.label, k + 1, seeds)));
    // One colour per setting: its seeds are drawn alike.
    const color = (i: number) => colorOf(Math.floor(i / seeds));
    const mine = this.planTag === `scenario:${id}`;
    const finished = !mine && runs.every((r) => r && r.outcome.status !== 'running');
    const check = finished ? checkScenario(s, runs as RunRecord[], size) : null;
    const note = this.note;
    const refusal = this.refusal;
    const present = (to: number | null) => emit(this, 'scenario-present', { id: to });
    const go = (d: number) => present(SCENARIOS[(SCENARIOS.findIndex((q) => q.id === id) + d + SCENARIOS.length) % SCENARIOS.length].id);
    const busy = this.busy;
    const st = this.status;
    const index = this.planIndex;
    return html`
      <header>
        <h1 data-testid="presenter-title">Scenario ${id}: ${s.title}</h1>
        <button data-testid="presenter-prev" @click=${() => go(-1)}>◀ previous</button>
        <button data-testid="presenter-next" @click=${() => go(1)}>next ▶</button>
        ${mine ? html`<button data-testid="presenter-stop" @click=${() => emit(this, 'plan-stop')}>Stop</button>`
          : html`<button class="primary" data-testid="presenter-run" ?disabled=${busy || refusal !== null} title=${refusal ?? ''} @click=${() => emit(this, 'scenario-run', { id })}>Run the scenario (${labels.length} runs)</button>`}
        <button data-testid="presenter-exit" title="Esc" @click=${() => present(null)}>✕</button>
      </header>
      <div class="text">
        <p><b>What we try.</b> ${scenarioTries(s, size)}</p>
        <p><b>What to look for.</b> ${s.lookFor}</p>
      </div>
      ${note ? html`<div class="note" data-testid="presenter-note">${note}</div>` : nothing}
      ${refusal ? html`<div class="locked" data-testid="presenter-locked">${refusal}</div>` : nothing}
      <div class="runs" data-testid="presenter-runs">
        ${labels.map((l, i) => {
          const r = runs[i];
          const now = mine && index === i;
          const state = now ? `step ${st?.step ?? 0}/${st?.maxSteps ?? r?.config.max_steps ?? '?'}` : r ? r.outcome.status.replace('_', ' ') : mine && i > index ? 'queued' : 'not run';
          return html`<span class=${now ? 'now' : ''}><span class="swatch" style="background:${color(i)}"></span>${l}: ${state}</span>`;
        })}
      </div>
      <metric-chart heading=${`loss (train faint, validation bold) against ${s.x === 'tokens' ? 'tokens seen' : 'step'}`} .xLabel=${s.x === 'tokens' ? 'tokens seen' : 'step'} .series=${this.series(runs, labels, s.x, color)} .height=${Math.max(260, Math.round(window.innerHeight * 0.45))}></metric-chart>
      ${check ? html`<div class="check" data-testid="presenter-check"><b>What these runs showed:</b> ${check.sentence}<ul>${check.lines.map((l) => html`<li>${l}</li>`)}</ul></div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'presenter-view': PresenterView;
  }
}
