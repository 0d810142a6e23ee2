// <tensor-norms>: a run's per-tensor figures (RunRecord.tensors, kept every metrics_interval steps and
// at the last step): for each trainable tensor its gradient norm ‖g‖ and its update ratio ‖Δw‖/‖w‖
// at the latest kept step, each with a sparkline of the whole run on a log scale. The largest value
// of each column is in bold: the tensor that moves most.
import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import { fmt } from '../charts/metric-chart';

export interface TensorRow {
  name: string;
  /** At the latest kept step (null: not finite there). */
  gradNorm: number | null;
  updateRatio: number | null;
  /** One value per kept step, oldest first. */
  gradNorms: (number | null)[];
  updateRatios: (number | null)[];
}

/** One row per tensor, in the model's order, from the kept steps' columns. */
export function tensorRows(t: RunRecord['tensors']): TensorRow[] {
  return t.names.map((name, i) => {
    const gradNorms = t.grad_norm.map((row) => row[i] ?? null);
    const updateRatios = t.update_ratio.map((row) => row[i] ?? null);
    return { name, gradNorm: gradNorms.at(-1) ?? null, updateRatio: updateRatios.at(-1) ?? null, gradNorms, updateRatios };
  });
}

/**
 * An SVG path through the values on a log y axis, `width` × `height`, x evenly spaced; a value that
 * is null, not finite or not positive leaves a gap. Empty when no value can be drawn.
 */
export function sparkPath(values: readonly (number | null)[], width: number, height: number): string {
  const logs = values.map((v) => (v !== null && Number.isFinite(v) && v > 0 ? Math.log10(v) : null));
  const drawn = logs.filter((v): v is number => v !== null);
  if (!drawn.length) return '';
  const lo = Math.min(...drawn);
  const hi = Math.max(...drawn);
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (l: number) => (hi === lo ? height / 2 : height - ((l - lo) / (hi - lo)) * height);
  let d = '';
  let pen = false;
  logs.forEach((l, i) => {
    if (l === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${(i * dx).toFixed(1)} ${y(l).toFixed(1)}`;
    pen = true;
  });
  return d;
}

const W = 80;
const H = 16;

@customElement('tensor-norms')
export class TensorNorms extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.78rem; }
    table { border-collapse: collapse; }
    th, td { text-align: left; padding: 0.1rem 0.4rem; border-bottom: 1px solid #f0f0ee; }
    th { font-weight: 600; color: #444; }
    td.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
    td.name { font-family: ui-monospace, monospace; }
    .max { font-weight: 700; }
    svg { display: block; }
    path { fill: none; stroke-width: 1.2; }
    .grad path { stroke: #4e79a7; }
    .ratio path { stroke: #e15759; }
    .muted, .none { color: #777; margin: 0.2rem 0 0.4rem; }
  `;

  /** The run whose per-tensor figures are shown (a new record object whenever it grew). */
  @property({ attribute: false }) run: RunRecord | null = null;

  private spark(values: readonly (number | null)[], kind: 'grad' | 'ratio') {
    return html`<svg class=${kind} width=${W} height=${H} viewBox="0 -1 ${W} ${H + 2}" aria-hidden="true">${svg`<path d=${sparkPath(values, W, H)}></path>`}</svg>`;
  }

  override render() {
    const run = this.run;
    const t = run?.tensors;
    if (!run || !t || !t.names.length || !t.step.length) return html`<div class="none">No per-tensor figures were recorded for this run yet.</div>`;
    const rows = tensorRows(t);
    const top = (pick: (r: TensorRow) => number | null) => Math.max(...rows.map((r) => pick(r) ?? -Infinity));
    const maxGrad = top((r) => r.gradNorm);
    const maxRatio = top((r) => r.updateRatio);
    return html`
      <p class="muted">At step <b>${t.step.at(-1)}</b> (kept every ${run.config.metrics_interval} steps, ${t.step.length} kept): each trainable tensor's gradient norm ‖g‖ and update ratio ‖Δw‖/‖w‖; the lines run from step ${t.step[0]} on a log scale.</p>
      <table>
        <thead><tr><th>tensor</th><th>grad norm</th><th></th><th>update ratio</th><th></th></tr></thead>
        <tbody>${rows.map((r) => html`<tr data-testid="tensor-row">
          <td class="name">${r.name}</td>
          <td class="num ${r.gradNorm !== null && r.gradNorm === maxGrad ? 'max' : ''}">${fmt(r.gradNorm, 3)}</td>
          <td>${this.spark(r.gradNorms, 'grad')}</td>
          <td class="num ${r.updateRatio !== null && r.updateRatio === maxRatio ? 'max' : ''}">${fmt(r.updateRatio, 3)}</td>
          <td>${this.spark(r.updateRatios, 'ratio')}</td>
        </tr>`)}</tbody>
      </table>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tensor-norms': TensorNorms;
  }
}
