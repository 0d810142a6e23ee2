// <schedule-preview>: the learning-rate curve the config will produce, drawn before training.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { lrCurve } from '../../train/schedule';
import { scheduleOf, totalSteps } from '../../train/resolve';
import '../charts/metric-chart';
import { Watch } from '../state/controller';
import type { Workbench } from '../state/workbench';

@customElement('schedule-preview')
export class SchedulePreview extends LitElement {
  static override styles = css`:host { display: block; margin-top: 0.3rem; }`;

  @property({ attribute: false }) bench!: Workbench;

  constructor() {
    super();
    new Watch(this, () => [this.bench?.config]);
  }

  override render() {
    const c = this.bench.config.config;
    if (!c) return nothing;
    const T = this.bench.shapeOf(c).context;
    const bytes = this.bench.corpusSizes[c.train_data] ?? this.bench.upload?.bytes.length ?? 1_000_000;
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
