// <run-list>: every recorded run: name, tags, notes, date, outcome, final and best validation loss.
// Rename, tag, annotate, delete (with undo), select several to overlay; export JSON (the CLI's
// run.json schema) or one CSV; import run.json files; download a run's weights; resume a stopped or
// interrupted run from its checkpoint; the browser storage the runs take; and a table of the
// config keys that differ between the selected runs. A button that cannot act says why.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { RunRecord } from '../../runs/schema';
import { CONFIG_KEYS, type ConfigKey } from '../../config/config';
import { colorOf } from '../charts/series';
import { Watch } from '../state/controller';
import { safeName, type Workbench } from '../state/workbench';
import { download } from './download';
import { formatBytes, formatLoss } from '../format';

function differingKeys(runs: RunRecord[]): ConfigKey[] {
  if (runs.length < 2) return [];
  return CONFIG_KEYS.filter((k) => new Set(runs.map((r) => JSON.stringify(r.config[k]))).size > 1);
}

function show(v: unknown): string {
  return v === null ? '–' : typeof v === 'string' ? v : JSON.stringify(v);
}

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
  `;

  @property({ attribute: false }) bench!: Workbench;

  constructor() {
    super();
    new Watch(this, () => [this.bench]);
  }

  private async weights(run: RunRecord): Promise<void> {
    const files = await this.bench.weightFiles(run.id);
    for (const f of files) download(`${safeName(run.name)}-${f.name}`, f.bytes);
  }

  /** Why the weights button cannot act on a run, or null when it can. */
  private noWeights(r: RunRecord): string | null {
    const b = this.bench;
    if (b.weightIds.has(r.id)) return null;
    if (b.job.run?.id === r.id && b.job.busy) return 'The run is still training: its weights are saved when it ends.';
    if (r.outcome.status === 'interrupted' || r.outcome.status === 'failed') return `${r.outcome.status === 'failed' ? 'Failed' : 'Interrupted'} at step ${r.outcome.step}: no weights were saved.${b.checkpoints.has(r.id) ? ' Resume it to finish and save them.' : ''}`;
    if (r.environment.runtime === 'node') return "Trained by the command line: its weights are in that run's output_dir.";
    return 'No weights in this browser for this run (an imported run keeps them where it was trained).';
  }

  /** Why a run cannot be resumed, or null when it can. */
  private noResume(r: RunRecord): string | null {
    const b = this.bench;
    if (!b.checkpoints.has(r.id)) return 'No checkpoint of this run is kept in this browser.';
    if (b.job.busy) return 'Another run is training; resume this one when it ends.';
    return null;
  }

  private outcomeText(r: RunRecord): string {
    const o = r.outcome;
    const s = o.status.replace('_', ' ');
    if (o.status === 'interrupted' || o.status === 'stopped' || o.status === 'failed') return `${s} at step ${o.step}`;
    return o.status === 'diverged' ? `${s} @${o.step}` : s;
  }

  private importFiles(e: Event): void {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    if (files.length) void this.bench.importFiles(files);
  }

  override render() {
    const b = this.bench;
    const runs = b.listedRuns();
    const selected = runs.filter((r) => b.selected.has(r.id));
    const shown = b.shownRuns().map((r) => r.id);
    const ids = selected.filter((r) => r.outcome.status !== 'running').map((r) => r.id);
    const exportJson = () => {
      const f = b.exportJson(ids);
      download(f.name, f.text, 'application/json');
    };
    const exportCsv = () => {
      const f = b.exportCsv(ids);
      download(f.name, f.text, 'text/csv');
    };
    const diff = differingKeys(selected);
    const tags = [...new Set(runs.flatMap((r) => r.tags))].sort();
    return html`
      <div class="tools">
        <button data-testid="export-json" ?disabled=${!ids.length} @click=${exportJson}>Export JSON (${ids.length})</button>
        <button data-testid="export-csv" ?disabled=${!ids.length} @click=${exportCsv}>Export metrics CSV (${ids.length})</button>
        <label><button @click=${(e: Event) => ((e.currentTarget as HTMLElement).nextElementSibling as HTMLInputElement).click()}>Import run.json…</button><input data-testid="import" type="file" accept=".json,application/json" multiple hidden @change=${(e: Event) => this.importFiles(e)} /></label>
        <button ?disabled=${!runs.length} @click=${() => { for (const r of runs) b.selected.add(r.id); b.changed(); }}>Select all</button>
        <button ?disabled=${!ids.length} @click=${() => { b.selected.clear(); b.changed(); }}>Select none</button>
        ${b.storage ? html`<span class="storage" data-testid="storage" title=${b.storage.persistent ? 'The browser keeps this storage (persistent).' : 'The browser may clear this storage when the disk runs low; export runs you want to keep.'}>storage: ${formatBytes(b.storage.used)} of ${formatBytes(b.storage.quota)}${b.storage.persistent ? ' (persistent)' : ''}</span>` : nothing}
        ${tags.length ? html`<select data-testid="select-tag" title="Overlay the runs of a sweep or scenario" @change=${(e: Event) => { const t = (e.target as HTMLSelectElement).value; if (t) b.selectTag(t); (e.target as HTMLSelectElement).value = ''; }}>
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
              <td><input type="checkbox" data-testid="select-run" title="Overlay on the charts" .checked=${b.selected.has(r.id)} @change=${(e: Event) => b.toggleSelected(r.id, (e.target as HTMLInputElement).checked)} /></td>
              <td>${at >= 0 ? html`<span class="swatch" style="background:${colorOf(at)}"></span>` : nothing}</td>
              <td><input type="text" data-testid="run-name" .value=${r.name} @change=${(e: Event) => void b.updateRun(r.id, { name: (e.target as HTMLInputElement).value })} /></td>
              <td><input type="text" .value=${r.tags.join(', ')} placeholder="tags" @change=${(e: Event) => void b.updateRun(r.id, { tags: (e.target as HTMLInputElement).value.split(',').map((s) => s.trim()).filter(Boolean) })} /></td>
              <td><input type="text" .value=${r.notes} placeholder="notes" @change=${(e: Event) => void b.updateRun(r.id, { notes: (e.target as HTMLInputElement).value })} /></td>
              <td class="num">${new Date(r.created).toLocaleString()}</td>
              <td class="status-${o.status}" data-testid="run-outcome" title=${o.reason ?? ''}>${this.outcomeText(r)}</td>
              <td class="num">${formatLoss(o.final_val_loss)}</td>
              <td class="num">${formatLoss(o.best_val_loss)}${o.best_step !== null ? ` @${o.best_step}` : ''}</td>
              <td>
                ${b.checkpoints.has(r.id) && !(b.job.busy && b.job.run?.id === r.id) ? html`<button data-testid="resume-run" ?disabled=${this.noResume(r) !== null}
                  title=${this.noResume(r) ?? `Resume from the checkpoint at step ${b.checkpoints.get(r.id)!.step}: it ends as if never interrupted.`}
                  @click=${() => void b.resumeRun(r.id)}>resume</button>` : nothing}
                <button data-testid="weights" ?disabled=${this.noWeights(r) !== null} title=${this.noWeights(r) ?? 'Download the trained weights'} @click=${() => void this.weights(r)}>weights</button>
                <button data-testid="delete-run" title="Delete (you can undo)" ?disabled=${b.job.busy && b.job.run?.id === r.id} @click=${() => void b.deleteRun(r.id)}>delete</button>
              </td>
            </tr>`;
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
