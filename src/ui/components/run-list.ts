// <run-list>: every recorded run: name, tags, notes, date, outcome, final and best validation loss.
// Rename, tag, annotate, delete (with undo), select several to overlay; export JSON (the CLI's
// run.json schema) or one CSV; import run.json files; download a run's weights; resume a stopped or
// interrupted run from its checkpoint; open a run's samples and its per-tensor gradient norms and
// update ratios below its row; the browser storage the runs take; and a table of the config keys
// that differ between the selected runs. A button that cannot act says why.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import { CONFIG_KEYS, type ConfigKey } from '../../config/config';
import { colorOf } from '../charts/series';
import { emit, type UiEvents } from '../events';
import type { StorageUse } from '../state/quota';
import type { CheckpointInfo } from '../state/store';
import { formatBytes, formatLoss } from '../format';
import { runFilesOf } from '../state/run-files';
import './samples-panel';
import './tensor-norms';

function differingKeys(runs: RunRecord[]): ConfigKey[] {
  if (runs.length < 2) return [];
  return CONFIG_KEYS.filter((k) => new Set(runs.map((r) => JSON.stringify(r.config[k]))).size > 1);
}

function show(v: unknown): string {
  return v === null ? '–' : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * @fires run-select - a run's checkbox (detail: its id and whether it is now drawn)
 * @fires runs-select-all - Select all
 * @fires runs-select-none - Select none
 * @fires tag-select - "Select runs tagged…" (detail: the tag)
 * @fires run-edit - a name, tags or notes field was changed (detail: the id and the new values)
 * @fires run-delete - delete (detail: the id)
 * @fires run-resume - resume from the checkpoint (detail: the id)
 * @fires runs-import - run files were chosen, one by one or a folder's (detail: the run.json and metrics CSV files)
 * @fires runs-export - Export JSON or CSV of the selected runs that ended (detail: ids and format)
 * @fires weights-download - weights (detail: the run's id and name)
 */
@customElement('run-list')
export class RunList extends LitElement {
  static override styles = css`
    :host { display: block; font-size: 0.8rem; }
    .tools { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; margin-bottom: 0.4rem; }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: 0.2rem 0.35rem; border-bottom: 1px solid #eee; vertical-align: top; }
    th { font-weight: 600; color: #444; white-space: nowrap; }
    td input[type='text'] { font: inherit; border: 1px solid transparent; background: transparent; width: 100%; min-width: 5rem; padding: 0.05rem 0.2rem; }
    td input[type='text']:hover, td input[type='text']:focus { border-color: #ccc; background: white; }
    .swatch { display: inline-block; width: 0.7rem; height: 0.7rem; border-radius: 2px; }
    .status-diverged, .status-failed { color: #b00020; }
    .status-interrupted, .status-stopped { color: #9a6700; }
    .status-finished, .status-early_stopped { color: #11772d; }
    .num { font-variant-numeric: tabular-nums; white-space: nowrap; }
    button { font: inherit; font-size: 0.78rem; }
    .diff { margin-top: 0.7rem; }
    .empty { color: #888; }
    .storage { color: #555; margin-left: auto; }
    tr.details > td { background: #fafaf7; padding: 0.4rem 0.6rem 0.7rem; }
    .details-grid { display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 0.4rem 1.2rem; align-items: start; }
    @media (max-width: 900px) { .details-grid { grid-template-columns: 1fr; } }
    .details-grid h4 { margin: 0 0 0.2rem; font-size: 0.8rem; }
    .details-grid samples-panel { max-height: 24rem; overflow: auto; }
  `;

  /** Every recorded run, the live one in place or on top. */
  @property({ attribute: false }) runs: readonly RunRecord[] = [];
  /** Ids of the runs overlaid on the charts. */
  @property({ attribute: false }) selected: ReadonlySet<string> = new Set();
  /** The runs drawn, in the charts' order (a run's swatch has the color of its place). */
  @property({ attribute: false }) shown: readonly RunRecord[] = [];
  /** The latest checkpoint of each run that has one. */
  @property({ attribute: false }) checkpoints: ReadonlyMap<string, CheckpointInfo> = new Map();
  /** Ids of the runs whose weights are kept in this browser. */
  @property({ attribute: false }) weightIds: ReadonlySet<string> = new Set();
  /** The browser storage the runs take, or null where the browser does not say. */
  @property({ attribute: false }) storage: StorageUse | null = null;
  /** A run is training (no other can be resumed). */
  @property({ type: Boolean }) busy = false;
  /** Id of the job's live run, or null. */
  @property() liveId: string | null = null;
  /** The run whose samples and per-tensor figures are open below its row (what the page shows, not state it keeps). */
  @state() private opened: string | null = null;

  /** The run is the one training now. */
  private training(r: RunRecord): boolean {
    return this.busy && this.liveId === r.id;
  }

  /** Why the weights button cannot act on a run, or null when it can. */
  private noWeights(r: RunRecord): string | null {
    if (this.weightIds.has(r.id)) return null;
    if (this.training(r)) return 'The run is still training: its weights are saved when it ends.';
    if (r.outcome.status === 'interrupted' || r.outcome.status === 'failed') return `${r.outcome.status === 'failed' ? 'Failed' : 'Interrupted'} at step ${r.outcome.step}: no weights were saved.${this.checkpoints.has(r.id) ? ' Resume it to finish and save them.' : ''}`;
    if (r.environment.runtime === 'node') return "Trained by the command line: its weights are in that run's output_dir.";
    return 'No weights in this browser for this run (an imported run keeps them where it was trained).';
  }

  /** Why a run cannot be resumed, or null when it can. */
  private noResume(r: RunRecord): string | null {
    if (!this.checkpoints.has(r.id)) return 'No checkpoint of this run is kept in this browser.';
    if (this.busy) return 'Another run is training; resume this one when it ends.';
    return null;
  }

  private outcomeText(r: RunRecord): string {
    const o = r.outcome;
    const s = o.status.replace('_', ' ');
    if (o.status === 'interrupted' || o.status === 'stopped' || o.status === 'failed') return `${s} at step ${o.step}`;
    return o.status === 'diverged' ? `${s} @${o.step}` : s;
  }

  private importFiles(e: Event, folder = false): void {
    const input = e.target as HTMLInputElement;
    const all = [...(input.files ?? [])];
    const files = folder ? runFilesOf(all) : all;
    input.value = '';
    if (files.length) emit(this, 'runs-import', { files });
  }

  /** The opened run's samples and per-tensor figures, in a row below its own. */
  private details(r: RunRecord) {
    return html`<tr class="details" data-testid="run-details" data-run=${r.id}><td colspan="10"><div class="details-grid">
      <div><h4>Samples (${r.samples.length})</h4><samples-panel data-testid="run-samples" .run=${r}></samples-panel></div>
      <div><h4>Per-tensor gradient norms and update ratios</h4><tensor-norms data-testid="tensor-norms" .run=${r}></tensor-norms></div>
    </div></td></tr>`;
  }

  override render() {
    const runs = this.runs;
    const selected = runs.filter((r) => this.selected.has(r.id));
    const shown = this.shown.map((r) => r.id);
    const ids = selected.filter((r) => r.outcome.status !== 'running').map((r) => r.id);
    const exportJson = () => emit(this, 'runs-export', { ids, format: 'json' });
    const exportCsv = () => emit(this, 'runs-export', { ids, format: 'csv' });
    const storage = this.storage;
    const diff = differingKeys(selected);
    const tags = [...new Set(runs.flatMap((r) => r.tags))].sort();
    const edit = (r: RunRecord, patch: UiEvents['run-edit']['patch']) => emit(this, 'run-edit', { id: r.id, patch });
    return html`
      <div class="tools">
        <button data-testid="export-json" ?disabled=${!ids.length} @click=${exportJson}>Export JSON (${ids.length})</button>
        <button data-testid="export-csv" ?disabled=${!ids.length} @click=${exportCsv}>Export metrics CSV (${ids.length})</button>
        <label><button title="run.json files, or metrics CSVs (the CLI's metrics.csv, this page's CSV export)" @click=${(e: Event) => ((e.currentTarget as HTMLElement).nextElementSibling as HTMLInputElement).click()}>Import runs…</button><input data-testid="import" type="file" accept=".json,application/json,.csv,text/csv" multiple hidden @change=${(e: Event) => this.importFiles(e)} /></label>
        <label><button title="Every run in a folder and its subfolders: a sweep's or a cluster's run directories" @click=${(e: Event) => ((e.currentTarget as HTMLElement).nextElementSibling as HTMLInputElement).click()}>Import a folder…</button><input data-testid="import-folder" type="file" webkitdirectory multiple hidden @change=${(e: Event) => this.importFiles(e, true)} /></label>
        <button ?disabled=${!runs.length} @click=${() => emit(this, 'runs-select-all')}>Select all</button>
        <button ?disabled=${!ids.length} @click=${() => emit(this, 'runs-select-none')}>Select none</button>
        ${storage ? html`<span class="storage" data-testid="storage" title=${storage.persistent ? 'The browser keeps this storage (persistent).' : 'The browser may clear this storage when the disk runs low; export runs you want to keep.'}>storage: ${formatBytes(storage.used)} of ${formatBytes(storage.quota)}${storage.persistent ? ' (persistent)' : ''}</span>` : nothing}
        ${tags.length ? html`<select data-testid="select-tag" title="Overlay the runs of a sweep or scenario" @change=${(e: Event) => { const t = (e.target as HTMLSelectElement).value; if (t) emit(this, 'tag-select', { tag: t }); (e.target as HTMLSelectElement).value = ''; }}>
          <option value="">Select runs tagged…</option>${tags.map((t) => html`<option value=${t}>${t}</option>`)}</select>` : nothing}
      </div>
      ${runs.length ? html`
      <table data-testid="runs">
        <thead><tr><th></th><th></th><th>name</th><th>tags</th><th>notes</th><th>date</th><th>outcome</th><th>final val</th><th>best val</th><th></th></tr></thead>
        <tbody>
          ${runs.map((r) => {
            const at = shown.indexOf(r.id);
            const o = r.outcome;
            return html`<tr data-testid="run-row" data-run=${r.id}>
              <td><input type="checkbox" data-testid="select-run" title="Overlay on the charts" .checked=${this.selected.has(r.id)} @change=${(e: Event) => emit(this, 'run-select', { id: r.id, on: (e.target as HTMLInputElement).checked })} /></td>
              <td>${at >= 0 ? html`<span class="swatch" style="background:${colorOf(at)}"></span>` : nothing}</td>
              <td><input type="text" data-testid="run-name" .value=${r.name} @change=${(e: Event) => edit(r, { name: (e.target as HTMLInputElement).value })} /></td>
              <td><input type="text" .value=${r.tags.join(', ')} placeholder="tags" @change=${(e: Event) => edit(r, { tags: (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean) })} /></td>
              <td><input type="text" .value=${r.notes} placeholder="notes" @change=${(e: Event) => edit(r, { notes: (e.target as HTMLInputElement).value })} /></td>
              <td class="num">${new Date(r.created).toLocaleString()}</td>
              <td class="status-${o.status}" data-testid="run-outcome" title=${o.reason ?? ''}>${this.outcomeText(r)}</td>
              <td class="num">${formatLoss(o.final_val_loss)}</td>
              <td class="num">${formatLoss(o.best_val_loss)}${o.best_step !== null ? ` @${o.best_step}` : ''}</td>
              <td>
                ${this.checkpoints.has(r.id) && !this.training(r) ? html`<button data-testid="resume-run" ?disabled=${this.noResume(r) !== null}
                  title=${this.noResume(r) ?? `Resume from the checkpoint at step ${this.checkpoints.get(r.id)!.step}: it ends as if never interrupted.`}
                  @click=${() => emit(this, 'run-resume', { id: r.id })}>resume</button>` : nothing}
                <button data-testid="weights" ?disabled=${this.noWeights(r) !== null} title=${this.noWeights(r) ?? 'Download the trained weights'} @click=${() => emit(this, 'weights-download', { id: r.id, name: r.name })}>weights</button>
                <button data-testid="open-run" aria-expanded=${this.opened === r.id ? 'true' : 'false'} title="The run's samples and its per-tensor gradient norms and update ratios"
                  @click=${() => (this.opened = this.opened === r.id ? null : r.id)}>${this.opened === r.id ? 'close' : 'samples · tensors'}</button>
                <button data-testid="delete-run" title="Delete (you can undo)" ?disabled=${this.training(r)} @click=${() => emit(this, 'run-delete', { id: r.id })}>delete</button>
              </td>
            </tr>${this.opened === r.id ? this.details(r) : nothing}`;
          })}
        </tbody>
      </table>` : html`<div class="empty">No runs yet: press Train, or import a run.json.</div>`}
      ${diff.length ? html`<div class="diff"><b>Config keys that differ</b>
        <table data-testid="diff-table"><thead><tr><th>key</th>${selected.map((r) => html`<th>${r.name}</th>`)}</tr></thead>
        <tbody>${diff.map((k) => html`<tr><td>${k}</td>${selected.map((r) => html`<td>${show(r.config[k])}</td>`)}</tr>`)}</tbody></table></div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'run-list': RunList;
  }
}
