// <schedule-preview>: the learning-rate curve the config will produce, drawn before training.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { shapeOf, type TrainConfig } from '../../config/config';
import { lrCurve } from '../../train/schedule';
import { scheduleOf, totalSteps } from '../../train/resolve';
import '../charts/metric-chart';

/** Bytes assumed for a text of unknown size (without max_steps, the number of steps depends on it). */
const UNKNOWN_TEXT_BYTES = 1_000_000;

@customElement('schedule-preview')
export class SchedulePreview extends LitElement {
  static override styles = css`:host { display: block; margin-top: 0.3rem; }`;

  /** The validated config (nothing is drawn while it is invalid). */
  @property({ attribute: false }) config: TrainConfig | null = null;
  /** Bytes of the training text, or null when not known. */
  @property({ attribute: false }) textBytes: number | null = null;

  override render() {
    const c = this.config;
    if (!c) return nothing;
    const T = shapeOf(c.model).context;
    const bytes = this.textBytes ?? UNKNOWN_TEXT_BYTES;
    const steps = Math.min(totalSteps(c, Math.floor(bytes * (1 - c.val_split)), T), 100_000);
    const y = lrCurve(scheduleOf(c, steps));
    const stride = Math.max(1, Math.floor(steps / 400));
    const x: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < steps; i += stride) {
      x.push(i + 1);
      ys.push(y[i]);
    }
    return html`<metric-chart data-testid="schedule-preview" heading="learning-rate schedule" xLabel="step" .height=${120} .series=${[{ label: 'lr', color: '#4e79a7', x, y: ys }]}></metric-chart>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'schedule-preview': SchedulePreview;
  }
}
