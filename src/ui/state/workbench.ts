// The page's state in one plain object: the config being edited, the training job, the recorded
// runs and which of them are overlaid, the chart view, and base models. Components render it and
// call its methods; nothing here touches the DOM except downloads.

import { isCorpusId, type CorpusId } from '../../data/corpora';
import { runsCsv } from '../../runs/csv';
import { parseRun, RunImportError, serializeRun, type RunRecord } from '../../runs/schema';
import { shapeOf, type TrainConfig } from '../../config/config';
import { pretrainConfig } from '../../train/pretrain';
import { safeName } from '../../runs/names';
import { newRunId } from '../../train/record';
import { formatBytes } from '../format';

export { pretrainConfig, safeName };
import type { WeightFile } from '../../worker/api';
import { ConfigState } from './config-state';
import { Experiments } from './experiments';
import { fetchCorpus, readUpload, uploadSource, type Uploaded } from './data';
import { Faults } from './faults';
import { JobController, runLockName, type StartRequest } from './job';
import { askPersistence, storageUse, type StorageUse } from './quota';
import type { CheckpointInfo, RunStore } from './store';

export type XAxis = 'step' | 'tokens' | 'time';

export interface ViewPrefs {
  x: XAxis;
  /** TensorBoard-style EMA weight in [0, 0.99]. */
  smoothing: number;
  logY: boolean;
  logX: boolean;
}

export interface BaseOption {
  /** The value base_model takes. */
  value: string;
  label: string;
  model: string;
}

/** Base models shipped with the app (public/base): fine-tuning starts from these at once. */
export interface ShippedBase {
  file: string;
  model: string;
  steps: number;
  val_loss: number;
}

export const BROWSER_BASE = 'browser:';

/** The largest run file the page imports (a run.json of a million steps is about 100 MB). */
export const MAX_IMPORT_BYTES = 64 * 1024 ** 2;

function baseKey(model: TrainConfig['model']): string {
  return typeof model === 'string' ? model : JSON.stringify(model);
}

export class Workbench extends EventTarget {
  readonly config: ConfigState;
  readonly job: JobController;
  readonly experiments: Experiments;
  runs: RunRecord[] = [];
  selected = new Set<string>();
  view: ViewPrefs = { x: 'step', smoothing: 0.6, logY: false, logX: false };
  upload: Uploaded | null = null;
  shipped: ShippedBase[] = [];
  /** Bytes of each bundled corpus (corpora/index.json, written by the build). */
  corpusSizes: Record<string, number> = {};
  browserBases = new Set<string>();
  message: { kind: 'info' | 'error'; text: string; undo?: () => Promise<void> } | null = null;
  /** The latest checkpoint of each run that has one (Resume), and which runs have weights. */
  checkpoints = new Map<string, CheckpointInfo>();
  weightIds = new Set<string>();
  storage: StorageUse | null = null;
  readonly faults: Faults;

  constructor(readonly store: RunStore, initial: Partial<TrainConfig> = {}) {
    super();
    this.config = new ConfigState(initial);
    this.job = new JobController(store);
    this.job.onNotice = (n) => {
      this.message = n;
      void this.refreshRuns();
    };
    this.faults = new Faults(this);
    this.experiments = new Experiments(this);
    this.experiments.addEventListener('change', () => this.changed());
    let model = JSON.stringify(this.config.values.model);
    this.config.addEventListener('change', () => {
      const now = JSON.stringify(this.config.values.model);
      if (now !== model) {
        model = now;
        this.chooseBase();
      }
    });
    this.job.addEventListener('change', () => {
      if (this.job.run && this.job.state !== 'idle') this.selected.add(this.job.run.id);
      this.changed();
    });
  }

  changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  async init(): Promise<void> {
    // Runs another tab is training hold its lock: only the others were cut off.
    const held = new Set(((await navigator.locks?.query())?.held ?? []).map((l) => l.name));
    const interrupted = await this.store.markInterrupted((id) => held.has(runLockName(id)));
    await askPersistence();
    await this.refreshRuns();
    try {
      const r = await fetch(`${import.meta.env.BASE_URL}base/index.json`);
      if (r.ok) this.shipped = (await r.json()) as ShippedBase[];
    } catch {
      this.shipped = [];
    }
    try {
      const r = await fetch(`${import.meta.env.BASE_URL}corpora/index.json`);
      if (r.ok) this.corpusSizes = (await r.json()) as Record<string, number>;
    } catch {
      this.corpusSizes = {};
    }
    for (const key of ['tiny', 'classroom', 'nanogpt']) if (await this.store.base(key)) this.browserBases.add(key);
    if (interrupted) this.message = { kind: 'info', text: `${interrupted} run(s) were interrupted by a closed tab or reload; their curves are kept, and a run with a checkpoint can be resumed from the run list.` };
    this.changed();
  }

  async refreshRuns(): Promise<void> {
    this.runs = await this.store.list();
    this.checkpoints = await this.store.checkpointInfos();
    this.weightIds = await this.store.weightIds();
    this.storage = await storageUse();
    this.changed();
  }

  // ---- base models ------------------------------------------------------------------------------

  baseOptions(model: TrainConfig['model']): BaseOption[] {
    const key = baseKey(model);
    const out: BaseOption[] = [];
    for (const s of this.shipped) if (s.model === key) out.push({ value: `base/${s.file}`, label: `shipped ${s.model} base (${s.steps} steps, val ${s.val_loss.toFixed(2)})`, model: s.model });
    if (this.browserBases.has(key)) out.push({ value: `${BROWSER_BASE}${key}`, label: `${key} base pretrained in this browser`, model: key });
    return out;
  }

  /**
   * Keeps base_model consistent with the model: the available base for it when LoRA or full
   * fine-tuning needs one, none when the chosen base belongs to another model.
   */
  chooseBase(): void {
    const c = this.config;
    if (c.isLocked('base_model')) return;
    const options = this.baseOptions(c.values.model as TrainConfig['model']);
    const current = c.values.base_model as string | null;
    if (current !== null && options.some((o) => o.value === current)) return;
    const wantsBase = Number(c.values.lora_rank) > 0 || current !== null;
    const next = wantsBase && options.length ? options[0].value : current !== null && !options.length ? null : current;
    if (next !== current) c.set('base_model', next);
  }

  async loadBase(value: string): Promise<Uint8Array> {
    if (value.startsWith(BROWSER_BASE)) {
      const bytes = await this.store.base(value.slice(BROWSER_BASE.length));
      if (!bytes) throw new Error(`base_model: ${value} is not in this browser; pretrain it first`);
      return bytes;
    }
    const r = await fetch(`${import.meta.env.BASE_URL}${value}`);
    if (!r.ok) throw new Error(`base_model: ${value} could not be loaded (${r.status})`);
    return new Uint8Array(await r.arrayBuffer());
  }

  // ---- data -------------------------------------------------------------------------------------

  async useUpload(file: File): Promise<void> {
    try {
      this.upload = await readUpload(file);
      this.config.set('train_data', uploadSource(this.upload));
      this.message = null;
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
    }
    this.changed();
  }

  /** The config's text: a bundled corpus, the dropped file, or (for a run being resumed) the text kept with it. */
  async trainingText(config: TrainConfig, runId?: string): Promise<{ source: string; bytes: Uint8Array }> {
    if (isCorpusId(config.train_data)) return { source: config.train_data, bytes: await fetchCorpus(config.train_data as CorpusId) };
    const kept = runId ? await this.store.text(runId) : undefined;
    if (kept) return { source: kept.source, bytes: kept.bytes };
    if (this.upload && config.train_data === uploadSource(this.upload)) return { source: config.train_data, bytes: this.upload.bytes };
    throw new Error(`train_data: ${config.train_data} is not loaded here; pick a bundled corpus or drop a .txt file`);
  }

  // ---- training ---------------------------------------------------------------------------------

  /**
   * Loads the config's text and base, trains it through the job and refreshes the run list. Returns
   * the finished record, or null (an error is shown as the page's message).
   */
  async runConfig(config: TrainConfig, onDone?: StartRequest['onDone']): Promise<RunRecord | null> {
    this.message = null;
    let record: RunRecord | null = null;
    try {
      const data = await this.trainingText(config);
      const base = config.base_model ? await this.loadBase(config.base_model) : null;
      this.changed();
      record = await this.job.start({ config, data, base, onDone });
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
    }
    await this.refreshRuns();
    return record;
  }

  /**
   * Continues a stopped or interrupted run from its checkpoint, with the text and base it started
   * from; it ends where it would have ended had it never stopped.
   */
  async resumeRun(id: string): Promise<void> {
    if (this.job.busy) return;
    this.message = null;
    try {
      const run = await this.store.get(id);
      const checkpoint = await this.store.checkpoint(id);
      if (!run || !checkpoint) throw new Error(`run ${run?.name ?? id} has no checkpoint to resume from`);
      const data = await this.trainingText(run.config, id);
      const base = run.config.base_model ? await this.loadBase(run.config.base_model) : null;
      this.selected.add(id);
      this.changed();
      await this.job.start({ config: run.config, data, base, resume: checkpoint });
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
    }
    await this.refreshRuns();
  }

  async train(): Promise<void> {
    const config = this.config.config;
    if (!config || this.job.busy) return;
    await this.runConfig(config);
  }

  /** Pretrains a base for the model (default: the current one) on Moby Dick and caches it in IndexedDB. */
  async pretrainBase(model = this.config.values.model as TrainConfig['model']): Promise<void> {
    const key = baseKey(model);
    await this.runConfig(pretrainConfig(model), async (record, weights: WeightFile[]) => {
      const file = weights.find((w) => w.name === 'model.safetensors');
      if (!file || record.outcome.status !== 'finished') return;
      await this.store.putBase(key, record.id, file.bytes);
      this.browserBases.add(key);
      if (baseKey(this.config.values.model as TrainConfig['model']) === key) this.config.set('base_model', `${BROWSER_BASE}${key}`);
    });
  }

  // ---- runs -------------------------------------------------------------------------------------

  toggleSelected(id: string, on?: boolean): void {
    if (on ?? !this.selected.has(id)) this.selected.add(id);
    else this.selected.delete(id);
    this.changed();
  }

  /** Overlays exactly the runs with this tag (a sweep, a scenario). */
  selectTag(tag: string): void {
    this.selected = new Set(this.listedRuns().filter((r) => r.tags.includes(tag)).map((r) => r.id));
    this.changed();
  }

  /** The run list: recorded runs, with the live run (newest state) in place or on top. */
  listedRuns(): RunRecord[] {
    const live = this.job.run;
    if (!live) return this.runs;
    const i = this.runs.findIndex((r) => r.id === live.id);
    return i >= 0 ? this.runs.map((r) => (r.id === live.id ? live : r)) : [live, ...this.runs];
  }

  /** Runs to draw: the selected ones, and the live run. */
  shownRuns(): RunRecord[] {
    const live = this.job.run;
    const out = this.runs.filter((r) => this.selected.has(r.id) && r.id !== live?.id);
    return live ? [live, ...out] : out;
  }

  async updateRun(id: string, patch: Partial<Pick<RunRecord, 'name' | 'tags' | 'notes'>>): Promise<void> {
    const run = (this.job.run?.id === id ? this.job.run : null) ?? (await this.store.get(id));
    if (!run) return;
    Object.assign(run, patch);
    await this.store.put(run);
    await this.refreshRuns();
  }

  async deleteRun(id: string): Promise<void> {
    if (this.job.run?.id === id && this.job.busy) return;
    const saved = await this.store.remove(id);
    if (!saved) return;
    this.selected.delete(id);
    if (this.job.run?.id === id) this.job.reset();
    this.message = {
      kind: 'info',
      text: `Deleted "${saved.run.name}".`,
      undo: async () => {
        await this.store.restore(saved);
        this.message = null;
        await this.refreshRuns();
      },
    };
    await this.refreshRuns();
  }

  /**
   * Validates every file first; stores all of them in one transaction, or none. Never overwrites: a
   * run already in the list comes in as a copy under a new id.
   */
  async importFiles(files: readonly File[]): Promise<number> {
    try {
      const runs: RunRecord[] = [];
      for (const f of files) {
        if (f.size > MAX_IMPORT_BYTES) throw new RunImportError(f.name, `is ${formatBytes(f.size)}; the page imports files of at most ${formatBytes(MAX_IMPORT_BYTES)}`);
        let raw: unknown;
        try {
          raw = JSON.parse(await f.text());
        } catch (e) {
          throw new RunImportError(f.name, `is not JSON (${(e as Error).message})`);
        }
        const items = Array.isArray(raw) ? raw : [raw];
        items.forEach((item, i) => runs.push(parseRun(item, items.length > 1 ? `${f.name} [${i}]` : f.name)));
      }
      const { stored, copies } = await this.store.importRuns(runs, newRunId);
      for (const r of stored) this.selected.add(r.id);
      this.message = { kind: 'info', text: `Imported ${runs.length} run(s).${copies ? ` ${copies} of them were already in the list and came in as copies (nothing was overwritten).` : ''}` };
      await this.refreshRuns();
      return runs.length;
    } catch (e) {
      this.message = { kind: 'error', text: `Import refused: ${(e as Error).message}. Nothing was changed.` };
      this.changed();
      return 0;
    }
  }

  runsById(ids: Iterable<string>): RunRecord[] {
    const want = new Set(ids);
    return this.runs.filter((r) => want.has(r.id));
  }

  exportJson(ids: Iterable<string>): { name: string; text: string } {
    const runs = this.runsById(ids);
    const text = runs.length === 1 ? serializeRun(runs[0]) : `[${runs.map(serializeRun).join(',\n')}]`;
    return { name: runs.length === 1 ? `${safeName(runs[0].name)}.run.json` : `stepsize-runs-${runs.length}.json`, text };
  }

  exportCsv(ids: Iterable<string>): { name: string; text: string } {
    const runs = this.runsById(ids);
    return { name: `stepsize-metrics-${runs.length}-runs.csv`, text: runsCsv(runs) };
  }

  async weightFiles(id: string): Promise<WeightFile[]> {
    return (await this.store.weights(id)) ?? [];
  }

  /** The architecture a config trains (for memory estimates and base choices). */
  shapeOf(config: Pick<TrainConfig, 'model'>) {
    return shapeOf(config.model);
  }
}
