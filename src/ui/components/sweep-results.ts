// <sweep-results>: the runs of one sweep (chosen by tag) as a sortable table — swept values, final
// and best validation loss, step of best, tokens to reach a chosen loss, diverged — with the best
// marked; final loss against learning rate (log axis) per batch size or rank; validation curves
// with seeds folded into a band; the verdict over groups of seeds (a difference is real only beyond
// the seed noise); over learning rate and batch size, the heatmap and which scaling rule the best rates
// follow. "Overlay" selects the sweep's runs on the main charts.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { runsOfTag } from '../../experiments/plan';
import { groupRows, groupVerdict } from '../../experiments/groups';
import { lrBatchMap } from '../../experiments/lr-batch-map';
import { bestRow, differingKeys, lossByRate, summarize, type SummaryRow } from '../../experiments/summary';
import type { SweepKey } from '../../experiments/sweep';
import { foldedValCurves, rateSeries } from '../charts/experiment-series';
import { fmt } from '../charts/metric-chart';
import '../charts/metric-chart';
import type { RunRecord } from '../../runs/schema';
import { emit } from '../events';
import { formatLoss } from '../format';
import { controlStyles } from './styles';
import './lr-batch-map';

type SortKey = SweepKey | 'finalVal' | 'bestVal' | 'bestStep' | 'tokensToTarget';

const KEY_LABEL: Record<SweepKey, string> = { learning_rate: 'learning rate', batch_size: 'batch', lora_rank: 'rank', seed: 'seed' };

/**
 * @fires tag-select - Overlay on the charts: exactly this sweep's runs are drawn (detail: its tag)
 */
@customElement('sweep-results')
export class SweepResults extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    .bar { display: flex; gap: 0.7rem; align-items: center; flex-wrap: wrap; font-size: 0.85rem; margin-bottom: 0.5rem; }
    th.sort { cursor: pointer; user-select: none; }
    tr.best td { background: #eefbe9; font-weight: 600; }
    tr.diverged td { color: #b00020; }
    .plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0.8rem; margin-top: 0.7rem; }
  `];

  /** Every listed run, the live one included; sweeps are found by their sweep: tags. */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** The tag of the sweep being trained, shown until another is picked; null when none runs. */
  @property() planTag: string | null = null;
  @state() private tag: string | null = null;
  @state() private sort: { key: SortKey; asc: boolean } = { key: 'bestVal', asc: true };
  @state() private target = '';

  private tags(): string[] {
    const latest = new Map<string, string>();
    for (const r of this.runs) for (const t of r.tags) if (t.startsWith('sweep:') && (latest.get(t) ?? '') < r.created) latest.set(t, r.created);
    return [...latest].sort((a, b) => b[1].localeCompare(a[1])).map(([t]) => t);
  }

  private value(r: SummaryRow, k: SortKey): number {
    const v = k in r.values ? r.values[k as SweepKey] : (r[k as keyof SummaryRow] as number | null);
    return v === null || v === undefined || Number.isNaN(v) ? Infinity : v;
  }

  override render() {
    const tags = this.tags();
    const tag = this.tag && tags.includes(this.tag) ? this.tag : (this.planTag ?? tags[0] ?? null);
    if (!tag) return html`<p class="muted">No sweep recorded yet.</p>`;
    const runs = runsOfTag(this.runs, tag);
    const target = this.target.trim() === '' ? null : Number(this.target);
    const rows = summarize(runs, target !== null && Number.isFinite(target) ? target : null);
    const best = bestRow(rows);
    const bestId = best >= 0 ? rows[best].id : null;
    const keys = differingKeys(rows);
    const shownKeys = keys.length ? keys : (['learning_rate'] as SweepKey[]);
    const { key, asc } = this.sort;
    const sorted = [...rows].sort((p, q) => (this.value(p, key) - this.value(q, key)) * (asc ? 1 : -1));
    const th = (k: SortKey, label: string) => html`<th class="sort" data-testid="sort-${k}" @click=${() => (this.sort = { key: k, asc: key === k ? !asc : true })}>${label}${key === k ? (asc ? ' ▲' : ' ▼') : ''}</th>`;
    const verdict = groupVerdict(groupRows(rows));
    const map = lrBatchMap(rows);
    const x = runs.some((r) => r.config.batch_size * r.config.grad_accum_steps !== runs[0].config.batch_size * runs[0].config.grad_accum_steps) ? 'tokens' : 'step';
    return html`
      <div class="bar">
        <label>sweep <select data-testid="sweep-tag" @change=${(e: Event) => (this.tag = (e.target as HTMLSelectElement).value)}>
          ${tags.map((t) => html`<option value=${t} ?selected=${t === tag}>${t.slice(6)}</option>`)}
        </select></label>
        <label title="Tokens each run needed to reach this validation loss.">tokens to reach val loss <input type="number" step="0.01" style="width:5rem" data-testid="target-loss" .value=${this.target} @input=${(e: Event) => (this.target = (e.target as HTMLInputElement).value)} /></label>
        <button data-testid="overlay-sweep" @click=${() => emit(this, 'tag-select', { tag })}>Overlay on the charts</button>
      </div>
      <p data-testid="sweep-verdict">${verdict}</p>
      <table data-testid="sweep-table">
        <thead><tr><th></th>${shownKeys.map((k) => th(k, KEY_LABEL[k]))}${th('finalVal', 'final val')}${th('bestVal', 'best val')}${th('bestStep', 'step of best')}${th('tokensToTarget', 'tokens to target')}<th>outcome</th></tr></thead>
        <tbody>${sorted.map((r) => html`<tr data-testid="sweep-row" class=${r.id === bestId ? 'best' : r.diverged ? 'diverged' : ''}>
          <td>${r.id === bestId ? html`<span title="lowest best validation loss" data-testid="sweep-best">★</span>` : nothing}</td>
          ${shownKeys.map((k) => html`<td class="num">${fmt(r.values[k])}</td>`)}
          <td class="num">${formatLoss(r.finalVal)}</td><td class="num">${formatLoss(r.bestVal)}</td><td class="num">${r.bestStep ?? '–'}</td>
          <td class="num">${target === null ? '' : r.tokensToTarget === null ? 'never' : r.tokensToTarget.toLocaleString('en')}</td>
          <td>${r.diverged ? 'diverged' : r.status.replace('_', ' ')}</td></tr>`)}
        </tbody>
      </table>
      ${map ? html`<h4>Learning rate × batch size</h4><lr-batch-map .map=${map}></lr-batch-map>` : nothing}
      <div class="plots">
        <metric-chart heading="final val loss vs learning rate" xLabel="learning rate" logX .series=${rateSeries(lossByRate(rows))} .height=${220}></metric-chart>
        <metric-chart heading="validation loss" .xLabel=${x === 'tokens' ? 'tokens seen' : 'step'} .series=${foldedValCurves(runs, x, (r) => r.name.replace(/^.*?: /, ''))} .height=${220}></metric-chart>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sweep-results': SweepResults;
  }
}
