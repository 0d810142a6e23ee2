// The page's state in one plain object: the config being edited, the training job, the recorded
// runs and which of them are overlaid, the chart view, and base models. The page reads it through
// getters and changes it only through its methods; every change replaces the value it touches
// (a new Set, a new array), so components handed those values see that they changed.

import { isCorpusId, type CorpusId } from '../../data/corpora';
import type { RunRecord } from '../../runs/schema';
import { largestPackOf } from '../../train/pack';
import { modelChoiceOf, type TrainConfig } from '../../config/config';
import { describeShape, GPT2_TARGETS, LORA_TARGETS, type ModelShape } from '../../config/architecture';
import { GPT2_FILES } from '../../runs/hf-gpt2';
import { pretrainConfig } from '../../train/pretrain';
import { newRunId } from '../../train/record';
import type { JobText, WeightFile } from '../../worker/api';
import { BaseModels, baseKey, type BaseOption } from './bases';
import { ConfigState } from './config-state';
import { Experiments } from './experiments';
import { corpusText, readUpload, uploadSource, type Uploaded } from './data';
import { Faults } from './faults';
import { JobController, runLockName, type StartRequest } from './job';
import { lastResult } from './memo';
import { askPersistence, storageUse, type StorageUse } from './quota';
import { csvDownload, jsonDownload, readRunFiles, weightDownloads, type Download } from './run-files';
import type { CheckpointInfo, RunStore } from './store';
import { DEFAULT_VIEW, type ViewPrefs } from './view';

/** The line above the layout: what just happened, or what went wrong; some can be undone. */
/** What a GPT-2 checkpoint calls itself (config.json's _name_or_path, as transformers writes it), else where it came from. */
function nameOfCheckpoint(configText: string, source: string): string {
  try {
    const n = (JSON.parse(configText) as { _name_or_path?: unknown })._name_or_path;
    return typeof n === 'string' && n.trim() ? n.trim() : source;
  } catch {
    return source;
  }
}

export interface Message {
  kind: 'info' | 'error';
  text: string;
  undo?: () => Promise<void>;
}

type RunPatch = Partial<Pick<RunRecord, 'name' | 'tags' | 'notes'>>;

export class Workbench extends EventTarget {
  readonly config: ConfigState;
  readonly job: JobController;
  readonly experiments: Experiments;
  readonly faults: Faults;
  private readonly bases: BaseModels;
  #runs: readonly RunRecord[] = [];
  #selected: ReadonlySet<string> = new Set();
  #view: ViewPrefs = DEFAULT_VIEW;
  #upload: Uploaded | null = null;
  #corpusSizes: Readonly<Record<string, number>> = {};
  #message: Message | null = null;
  #checkpoints: ReadonlyMap<string, CheckpointInfo> = new Map();
  #weightIds: ReadonlySet<string> = new Set();
  #storage: StorageUse | null = null;

  constructor(private readonly store: RunStore, initial: Partial<TrainConfig> = {}) {
    super();
    this.config = new ConfigState(initial);
    this.bases = new BaseModels(store);
    this.job = new JobController(store, (n) => {
      this.#message = n;
      void this.refreshRuns();
    });
    this.faults = new Faults(this.job, store);
    this.experiments = new Experiments({
      config: () => this.config.config,
      jobBusy: () => this.job.busy,
      isSoftware: () => this.job.gpu?.adapter.isSoftware ?? true,
      baseFor: (model) => this.baseOptions(model)[0]?.value,
      pretrainBase: (model) => this.pretrainBase(model),
      runConfig: (config) => this.runConfig(config),
      runConfigs: (configs) => this.runConfigs(configs),
      packCap: (config) => this.packCap(config),
      stopJob: () => this.job.stop(),
      sayError: (text) => this.say({ kind: 'error', text }),
      locks: () => ({ locked: this.config.locked, values: this.config.values }),
    });
    // A change the class link's locks refused (a preset, a suggested rate or split) says why.
    this.config.addEventListener('refused', (e) => this.say({ kind: 'error', text: (e as CustomEvent<string>).detail }));
    // A new model, or a LoRA rank asked for, picks the base that exists for that model.
    const baseNeeds = () => JSON.stringify([this.config.values.model, Number(this.config.values.lora_rank) > 0]);
    let needs = baseNeeds();
    this.config.addEventListener('change', () => {
      const now = baseNeeds();
      if (now !== needs) {
        needs = now;
        this.chooseBase();
      }
    });
    // The runs being trained are always drawn.
    this.job.addEventListener('change', () => {
      if (this.job.state === 'idle') return;
      for (const r of this.job.runs) if (!this.#selected.has(r.id)) this.select(r.id, true);
    });
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** The recorded runs, newest first (the live run as last stored: see listedRuns). */
  get runs(): readonly RunRecord[] {
    return this.#runs;
  }

  /** Ids of the runs overlaid on the charts. */
  get selected(): ReadonlySet<string> {
    return this.#selected;
  }

  get view(): Readonly<ViewPrefs> {
    return this.#view;
  }

  /** The dropped text file, if any. */
  get upload(): Uploaded | null {
    return this.#upload;
  }

  /** Bytes of each bundled corpus (corpora/index.json, written by the build). */
  get corpusSizes(): Readonly<Record<string, number>> {
    return this.#corpusSizes;
  }

  get message(): Message | null {
    return this.#message;
  }

  /** The latest checkpoint of each run that has one (Resume). */
  get checkpoints(): ReadonlyMap<string, CheckpointInfo> {
    return this.#checkpoints;
  }

  /** Ids of the runs whose weights are kept in this browser. */
  get weightIds(): ReadonlySet<string> {
    return this.#weightIds;
  }

  get storage(): StorageUse | null {
    return this.#storage;
  }

  /** Shows a message above the layout (null clears it). */
  say(message: Message | null): void {
    this.#message = message;
    this.changed();
  }

  setView(patch: Partial<ViewPrefs>): void {
    this.#view = { ...this.#view, ...patch };
    this.changed();
  }

  async init(): Promise<void> {
    // Runs another tab is training hold its lock: only the others were cut off.
    const held = new Set(((await navigator.locks?.query())?.held ?? []).map((l) => l.name));
    const interrupted = await this.store.markInterrupted((id) => held.has(runLockName(id)));
    await askPersistence();
    await this.refreshRuns();
    await this.bases.init();
    try {
      const r = await fetch(`${import.meta.env.BASE_URL}corpora/index.json`);
      if (r.ok) this.#corpusSizes = (await r.json()) as Record<string, number>;
    } catch {
      this.#corpusSizes = {};
    }
    if (interrupted) this.#message = { kind: 'info', text: `${interrupted} run(s) were interrupted by a closed tab or reload; their curves are kept, and a run with a checkpoint can be resumed from the run list.` };
    this.changed();
  }

  async refreshRuns(): Promise<void> {
    this.#runs = await this.store.list();
    this.#checkpoints = await this.store.checkpointInfos();
    this.#weightIds = await this.store.weightIds();
    this.#storage = await storageUse();
    this.changed();
  }

  // ---- base models ------------------------------------------------------------------------------

  baseOptions(model: TrainConfig['model']): BaseOption[] {
    return this.bases.options(model);
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

  /** The shape of the chosen base when the config cannot say it (an imported GPT-2: its vocabulary, its tied head). */
  baseShape(value: string | null): ModelShape | null {
    return this.bases.importedShape(value);
  }

  /**
   * Imports a GPT-2 checkpoint from its three files (config.json, model.safetensors, tokenizer.json,
   * dropped or chosen together), keeps it in this browser, and makes it the base: model from its
   * config.json. A missing or bad file is the page's message, naming it; nothing changes then.
   */
  async importGpt2Files(files: readonly File[], source = files[0]?.webkitRelativePath.split('/')[0] || 'dropped files'): Promise<void> {
    await this.importGpt2(source, async (name) => {
      const f = files.find((x) => x.name === name);
      if (!f) throw new Error(`base_model: ${name} is missing; drop ${Object.values(GPT2_FILES).join(', ')} together (${files.map((x) => x.name).join(', ') || 'no file'} given)`);
      return f;
    });
  }

  /** The same from an address holding the three files (a Hugging Face repository's …/resolve/main/). */
  async fetchGpt2(address: string): Promise<void> {
    const base = address.trim().replace(/\/+$/, '');
    await this.importGpt2(base, async (name) => {
      const r = await fetch(`${base}/${name}`).catch((e: Error) => {
        throw new Error(`base_model: ${base}/${name} could not be fetched (${e.message})`);
      });
      if (!r.ok) throw new Error(`base_model: ${base}/${name} could not be fetched (HTTP ${r.status})`);
      return r.blob();
    });
  }

  private async importGpt2(source: string, file: (name: string) => Promise<Blob>): Promise<void> {
    this.#message = { kind: 'info', text: `Loading the GPT-2 checkpoint ${source}…` };
    this.changed();
    try {
      const [config, model, tokenizer] = await Promise.all([file(GPT2_FILES.config), file(GPT2_FILES.model), file(GPT2_FILES.tokenizer)]);
      const configText = await config.text();
      const name = nameOfCheckpoint(configText, source);
      const out = await this.job.importGpt2({ config: configText, model: new Uint8Array(await model.arrayBuffer()), tokenizer: await tokenizer.text() }, name);
      const value = await this.bases.keepImported(name, out.shape, out.bytes);
      // Every linear module by the byte model's names is every one by GPT-2's: shown so.
      const all = LORA_TARGETS.every((t) => (this.config.values.lora_targets as string[]).includes(t));
      this.config.apply({ model: modelChoiceOf(out.shape), base_model: value, ...(all ? { lora_targets: Object.keys(GPT2_TARGETS) as TrainConfig['lora_targets'] } : {}) });
      this.#message = { kind: 'info', text: `GPT-2 ${name} is the base: ${describeShape(out.shape)}, kept in this browser.` };
    } catch (e) {
      this.#message = { kind: 'error', text: (e as Error).message };
    }
    this.changed();
  }

  // ---- data -------------------------------------------------------------------------------------

  async useUpload(file: File): Promise<void> {
    try {
      const upload = await readUpload(file);
      this.#upload = upload;
      this.#message = null;
      this.config.set('train_data', uploadSource(upload));
    } catch (e) {
      this.#message = { kind: 'error', text: (e as Error).message };
    }
    this.changed();
  }

  /** The config's text: a bundled corpus (its URL), the dropped file, or (for a run being resumed) the text kept with it. */
  async trainingText(config: TrainConfig, runId?: string): Promise<JobText> {
    if (isCorpusId(config.train_data)) return corpusText(config.train_data as CorpusId);
    const kept = runId ? await this.store.text(runId) : undefined;
    if (kept) return { source: kept.source, bytes: kept.bytes };
    const upload = this.#upload;
    if (upload && config.train_data === uploadSource(upload)) return { source: config.train_data, bytes: upload.bytes };
    throw new Error(`train_data: ${config.train_data} is not loaded here; pick a bundled corpus or drop a .txt file`);
  }

  // ---- training ---------------------------------------------------------------------------------

  /** How many runs of `config` train side by side on this GPU (auto; 1 until the GPU has answered). */
  packCap(config: TrainConfig): number {
    const gpu = this.job.gpu;
    if (!gpu) return 1;
    const text = isCorpusId(config.train_data) ? this.#corpusSizes[config.train_data] : this.#upload?.bytes.length;
    return largestPackOf(config, config.base_model !== null, text ?? 0, gpu);
  }

  /**
   * Loads the config's text and base, trains it through the job and refreshes the run list. Returns
   * the finished record, or null (an error is shown as the page's message).
   */
  async runConfig(config: TrainConfig, onDone?: StartRequest['onDone']): Promise<RunRecord | null> {
    return (await this.runConfigs([config], onDone))[0];
  }

  /**
   * Trains configs side by side in one step program (they must share model, batch, text and split:
   * src/train/pack.ts); each is a run of its own. Returns each finished record, or null.
   */
  async runConfigs(configs: readonly TrainConfig[], onDone?: StartRequest['onDone']): Promise<(RunRecord | null)[]> {
    this.#message = null;
    let records: (RunRecord | null)[] = configs.map(() => null);
    try {
      const reqs: StartRequest[] = [];
      for (const config of configs) {
        const data = await this.trainingText(config);
        const base = config.base_model ? await this.bases.load(config.base_model) : null;
        reqs.push({ config, data, base, onDone });
      }
      this.changed();
      records = await this.job.startPacked(reqs);
    } catch (e) {
      this.#message = { kind: 'error', text: (e as Error).message };
    }
    await this.refreshRuns();
    return records;
  }

  /**
   * Continues a stopped or interrupted run from its checkpoint, with the text and base it started
   * from; it ends where it would have ended had it never stopped.
   */
  async resumeRun(id: string): Promise<void> {
    if (this.job.busy) return;
    this.#message = null;
    try {
      const run = await this.store.get(id);
      const checkpoint = await this.store.checkpoint(id);
      if (!run || !checkpoint) throw new Error(`run ${run?.name ?? id} has no checkpoint to resume from`);
      const data = await this.trainingText(run.config, id);
      const base = run.config.base_model ? await this.bases.load(run.config.base_model) : null;
      this.#selected = new Set([...this.#selected, id]);
      this.changed();
      await this.job.start({ config: run.config, data, base, resume: checkpoint });
    } catch (e) {
      this.#message = { kind: 'error', text: (e as Error).message };
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
      const value = await this.bases.keep(key, record.id, file.bytes);
      if (baseKey(this.config.values.model as TrainConfig['model']) === key) this.config.set('base_model', value);
    });
  }

  // ---- runs -------------------------------------------------------------------------------------

  /** Draws the run on the charts (on) or stops drawing it. */
  select(id: string, on: boolean): void {
    if (on === this.#selected.has(id)) return;
    const next = new Set(this.#selected);
    if (on) next.add(id);
    else next.delete(id);
    this.#selected = next;
    this.changed();
  }

  /** Overlays every listed run. */
  selectAll(): void {
    this.#selected = new Set([...this.#selected, ...this.listedRuns().map((r) => r.id)]);
    this.changed();
  }

  selectNone(): void {
    this.#selected = new Set();
    this.changed();
  }

  /** Overlays exactly the runs with this tag (a sweep, a scenario). */
  selectTag(tag: string): void {
    this.#selected = new Set(this.listedRuns().filter((r) => r.tags.includes(tag)).map((r) => r.id));
    this.changed();
  }

  /** The run list: recorded runs, with the live runs (newest state) in place or on top. */
  listedRuns(): RunRecord[] {
    return this.listed(this.#runs, this.job.runs);
  }

  private readonly listed = lastResult((runs: readonly RunRecord[], live: readonly RunRecord[]): RunRecord[] => {
    const byId = new Map(live.map((r) => [r.id, r]));
    const fresh = live.filter((l) => !runs.some((r) => r.id === l.id));
    return [...fresh, ...runs.map((r) => byId.get(r.id) ?? r)];
  });

  /** Runs to draw: the live runs, and the selected ones. */
  shownRuns(): RunRecord[] {
    return this.shown(this.#runs, this.#selected, this.job.runs);
  }

  private readonly shown = lastResult((runs: readonly RunRecord[], selected: ReadonlySet<string>, live: readonly RunRecord[]): RunRecord[] => {
    const out = runs.filter((r) => selected.has(r.id) && !live.some((l) => l.id === r.id));
    return [...live, ...out];
  });

  async updateRun(id: string, patch: RunPatch): Promise<void> {
    const run = this.job.annotate(id, patch) ?? (await this.store.get(id));
    if (!run) return;
    await this.store.put({ ...run, ...patch });
    await this.refreshRuns();
  }

  async deleteRun(id: string): Promise<void> {
    if (this.job.runs.some((r) => r.id === id) && this.job.busy) return;
    const saved = await this.store.remove(id);
    if (!saved) return;
    this.#selected = new Set([...this.#selected].filter((s) => s !== id));
    if (this.job.run?.id === id) this.job.reset();
    this.#message = {
      kind: 'info',
      text: `Deleted "${saved.run.name}".`,
      undo: async () => {
        await this.store.restore(saved);
        this.#message = null;
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
      const runs = await readRunFiles(files);
      const { stored, copies } = await this.store.importRuns(runs, newRunId);
      this.#selected = new Set([...this.#selected, ...stored.map((r) => r.id)]);
      this.#message = { kind: 'info', text: `Imported ${runs.length} run(s).${copies ? ` ${copies} of them were already in the list and came in as copies (nothing was overwritten).` : ''}` };
      await this.refreshRuns();
      return runs.length;
    } catch (e) {
      this.#message = { kind: 'error', text: `Import refused: ${(e as Error).message}. Nothing was changed.` };
      this.changed();
      return 0;
    }
  }

  private runsById(ids: Iterable<string>): RunRecord[] {
    const want = new Set(ids);
    return this.#runs.filter((r) => want.has(r.id));
  }

  exportJson(ids: Iterable<string>): Download {
    return jsonDownload(this.runsById(ids));
  }

  exportCsv(ids: Iterable<string>): Download {
    return csvDownload(this.runsById(ids));
  }

  async weightFiles(id: string, runName: string): Promise<Download[]> {
    return weightDownloads(runName, (await this.store.weights(id)) ?? []);
  }
}
