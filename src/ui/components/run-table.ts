// <run-table>: the shown runs side by side: a column per config key that varies between them, the
// validation loss (last, best or smoothed-final, as chosen), and each run's difference from a
// baseline run; sortable by any column. The value choice and the baseline are view prefs (shared
// with the charts); the sort is this table's own.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import { shortValue, sortRows, tableRows, varyingKeys, type ValueKind } from '../charts/compare';
import { emit } from '../events';
import { formatLoss } from '../format';
import { DEFAULT_VIEW, type ViewPrefs } from '../state/view';
import { controlStyles } from './styles';

const VALUE_LABEL: Record<ValueKind, string> = { last: 'last', best: 'best', smoothed: 'smoothed final' };

/**
 * @fires view-change - the value shown or the baseline run changed (detail: { value } or { baseline })
 */
@customElement('run-table')
export class RunTable extends LitElement {
  static override styles = [controlStyles, css`
    :host { display: block; }
    .bar { display: flex; gap: 0.8rem; align-items: center; font-size: 0.8rem; margin-bottom: 0.35rem; }
    th.sort { cursor: pointer; user-select: none; }
    tr.baseline td { background: #f3f6fb; }
    td.better { color: #1b7f3b; }
    td.worse { color: #b00020; }
  `];

  /** The runs the charts show. */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** Value kind, smoothing and baseline. */
  @property({ attribute: false }) view: ViewPrefs = DEFAULT_VIEW;
  @state() private sort: { column: string; asc: boolean } = { column: 'value', asc: true };

  override render() {
    const runs = this.runs;
    if (!runs.length) return html`<p class="muted">Select runs in the list below to compare them here.</p>`;
    const v = this.view;
    const keys = varyingKeys(runs);
    const baseline = runs.some((r) => r.id === v.baseline) ? v.baseline : null;
    const rows = sortRows(tableRows(runs, keys, v.value, v.smoothing, baseline), this.sort.column, this.sort.asc);
    const { column, asc } = this.sort;
    const th = (c: string, label: string) => html`<th class="sort" data-testid="table-sort-${c}" @click=${() => (this.sort = { column: c, asc: column === c ? !asc : true })}>${label}${column === c ? (asc ? ' ▲' : ' ▼') : ''}</th>`;
    return html`
      <div class="bar">
        <label>validation loss <select data-testid="table-value" @change=${(e: Event) => emit(this, 'view-change', { value: (e.target as HTMLSelectElement).value as ValueKind })}>
          ${(['last', 'best', 'smoothed'] as const).map((k) => html`<option value=${k} ?selected=${v.value === k}>${VALUE_LABEL[k]}</option>`)}
        </select></label>
        ${baseline ? html`<button data-testid="clear-baseline" @click=${() => emit(this, 'view-change', { baseline: null })}>no baseline</button>` : html`<span class="muted">pick a baseline (◎) to see every run's difference from it</span>`}
      </div>
      <table data-testid="run-table">
        <thead><tr><th title="baseline">◎</th>${th('name', 'run')}${keys.map((k) => th(k, k))}${th('value', `val loss (${VALUE_LABEL[v.value]})`)}${baseline ? th('diff', 'Δ baseline') : nothing}</tr></thead>
        <tbody>${rows.map((r) => html`<tr data-testid="run-table-row" class=${r.run.id === baseline ? 'baseline' : ''}>
          <td><input type="radio" name="baseline" data-testid="baseline-${r.run.id}" title="Use as the baseline" .checked=${r.run.id === baseline} @change=${() => emit(this, 'view-change', { baseline: r.run.id })} /></td>
          <td>${r.run.name}</td>
          ${keys.map((k) => html`<td class="num">${shortValue(r.keys[k])}</td>`)}
          <td class="num" data-testid="table-value-cell">${formatLoss(r.value)}</td>
          ${baseline ? html`<td class="num ${r.diff === null ? '' : r.diff < 0 ? 'better' : r.diff > 0 ? 'worse' : ''}" data-testid="table-diff">${r.run.id === baseline ? 'baseline' : r.diff === null ? '–' : `${r.diff > 0 ? '+' : ''}${r.diff.toFixed(4)}`}</td>` : nothing}
        </tr>`)}</tbody>
      </table>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-table': RunTable;
  }
}
