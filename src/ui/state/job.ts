// The current training job, owned outside the components: the worker (Comlink), the live run records
// built from the worker's event batches (one run, or several trained side by side: a packed job),
// and their persistence in IndexedDB as they go (each record, and each checkpoint with it in one
// transaction). It notices a dead worker (an error event, or no
// answer to the heartbeat) and a lost GPU device, says so in plain words, ends the run as
// interrupted at its last checkpoint (to be resumed), and carries on with a fresh worker.
// The page reads it through getters and changes it through its methods.

import { proxy, transfer, wrap, type Remote } from 'comlink';
import { isCorpusId } from '../../data/corpora';
import type { CheckpointFiles } from '../../runs/checkpoint';
import type { RunRecord } from '../../runs/schema';
import type { TrainConfig } from '../../config/config';
import { newRunId, recordEval, recordSample, recordSteps } from '../../train/record';
import type { TrainerStatus } from '../../train/trainer';
import type { SelfTestResult } from '../../kernels/selftest';
import type { GpuInfo, JobSpec, JobText, PackedEvent, TrainingApi, WeightFile } from '../../worker/api';
import type { Gpt2Files } from '../../runs/hf-gpt2';
import type { ModelShape } from '../../config/architecture';
import { formatBytes } from '../format';
import { isQuotaError, quotaMessage } from './quota';
import type { RunStore, StoredCheckpoint } from './store';

export type JobState = 'idle' | 'starting' | 'running' | 'paused' | 'done' | 'error';

export interface StartRequest {
  config: TrainConfig;
  data: JobText;
  base: Uint8Array | null;
  /** Called with the final record and weights (e.g. to cache a pretrained base). */
  onDone?: (record: RunRecord, weights: WeightFile[]) => Promise<void> | void;
  /** Continue this recorded run from its stored checkpoint (the run keeps its id). */
  resume?: StoredCheckpoint;
}

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

/** How often the page asks a busy worker whether it is alive, and how long it waits for an answer. */
export const HEARTBEAT_EVERY_MS = 2000;
export const HEARTBEAT_TIMEOUT_MS = 30_000;

/** The name of the Web Lock a tab holds while it trains a run (other tabs leave that run alone). */
export const runLockName = (id: string) => `stepsize-run:${id}`;

/** A run is under way: starting, running or paused. */
export function isBusy(state: JobState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused';
}

/** A run ended by something outside it (worker, device): it stops at its last checkpoint, to be resumed. */
class Interruption extends Error {}

/**
 * The job with fresh copies of its large byte arrays, moved (transferred) to the worker rather than
 * cloned by postMessage on the main thread; the page keeps its own (the cached base, the dropped file).
 */
function movedCopies(jobs: JobSpec[]): JobSpec[] {
  const buffers: ArrayBuffer[] = [];
  const copies = jobs.map((job) => {
    const data = 'bytes' in job.data ? { ...job.data, bytes: job.data.bytes.slice() } : job.data;
    const base = job.base?.slice() ?? null;
    buffers.push(...('bytes' in data ? [data.bytes.buffer] : []), ...(base ? [base.buffer] : []));
    return { ...job, data, base };
  });
  return transfer(copies, buffers);
}

function makeWorker(): Worker {
  return new Worker(new URL('../../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'stepsize-train' });
}

/**
 * The live record grows in place (src/train/record.ts); after every change the job holds it in a
 * fresh outer object, so a view handed the run (Lit compares properties by identity) redraws.
 */
export class JobController extends EventTarget {
  #state: JobState = 'idle';
  /** The live runs (one, or those of a packed job, in the order given) and each one's status and latest stored checkpoint. */
  #runs: RunRecord[] = [];
  #statuses: (TrainerStatus | null)[] = [];
  #statusMap: ReadonlyMap<string, TrainerStatus> = new Map();
  #checkpointSteps: (number | null)[] = [];
  #error: string | null = null;
  #gpu: GpuInfo | null = null;
  #check: SelfTestResult | null = null;
  private heartbeatTimeoutMs = HEARTBEAT_TIMEOUT_MS;
  private worker!: Worker;
  private api!: Remote<TrainingApi>;
  private saving: Promise<void> = Promise.resolve();
  private lastAnswer = Date.now();
  /** Rejects the run in progress when its worker dies. */
  private interrupt: ((e: Interruption) => void) | null = null;
  private storageFullSaid = false;

  /** `onNotice`: said to the person (the Workbench shows it as the page's message). */
  constructor(private readonly store: RunStore, private readonly onNotice: (n: Notice) => void) {
    super();
    this.connect();
    setInterval(() => this.heartbeat(), HEARTBEAT_EVERY_MS);
  }

  get state(): JobState {
    return this.#state;
  }

  /** The live run's record, the first of a packed job's (null before a run starts and after a reset). */
  get run(): RunRecord | null {
    return this.#runs[0] ?? null;
  }

  /** Every live run's record: one, or each run of a packed job. */
  get runs(): readonly RunRecord[] {
    return this.#runs;
  }

  get status(): TrainerStatus | null {
    return this.#statuses[0] ?? null;
  }

  /** The status of live run `id`, or null. */
  statusOf(id: string): TrainerStatus | null {
    return this.#statuses[this.laneOf(id)] ?? null;
  }

  /** Every live run's latest status, by run id (a fresh map after every change, for views). */
  get statuses(): ReadonlyMap<string, TrainerStatus> {
    return this.#statusMap;
  }

  private laneOf(id: string): number {
    return this.#runs.findIndex((r) => r.id === id);
  }

  get error(): string | null {
    return this.#error;
  }

  /** The worker's adapter and limits, once init() has answered. */
  get gpu(): GpuInfo | null {
    return this.#gpu;
  }

  /** The kernel check against its float64 reference, once init() has answered. */
  get check(): SelfTestResult | null {
    return this.#check;
  }

  /** Step of the live run's latest stored checkpoint. */
  get checkpointStep(): number | null {
    return this.#checkpointSteps[0] ?? null;
  }

  /** How long a busy worker may stay silent before it is given up for hung (fault injection shortens it). */
  setHeartbeatTimeout(ms: number): void {
    this.heartbeatTimeoutMs = ms;
  }

  private connect(): void {
    const w = makeWorker();
    this.worker = w;
    this.api = wrap<TrainingApi>(w);
    this.lastAnswer = Date.now();
    w.addEventListener('error', (ev) => {
      ev.preventDefault();
      this.workerDied(w, `The training worker crashed (${ev.message || 'it gave no reason'}).`);
    });
    w.addEventListener('messageerror', () => this.workerDied(w, 'The training worker sent a message the page could not read.'));
  }

  private heartbeat(): void {
    if (!this.busy) {
      this.lastAnswer = Date.now();
      return;
    }
    const w = this.worker;
    void this.api.ping().then(() => (this.lastAnswer = Date.now()), () => {});
    const silent = Date.now() - this.lastAnswer;
    if (silent > this.heartbeatTimeoutMs) this.workerDied(w, `The training worker stopped answering (nothing for ${Math.round(silent / 1000)} s).`);
  }

  /** Ends a dead worker: a fresh one takes its place, and the run in progress is interrupted. */
  private workerDied(w: Worker, reason: string): void {
    if (w !== this.worker) return;
    w.terminate();
    this.connect();
    const stop = this.interrupt;
    this.interrupt = null;
    if (stop) stop(new Interruption(reason));
    else this.onNotice({ kind: 'error', text: `${reason} A new one has started.` });
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Opens the GPU in the worker and checks a kernel against its reference. */
  async init(): Promise<GpuInfo> {
    const gpu = await this.api.gpuInfo();
    this.#gpu = gpu;
    this.#check = await this.api.selfTest();
    this.changed();
    return gpu;
  }

  /** Storage full: said once per run, with what is needed and what could go. */
  private async storageFull(needBytes: number): Promise<void> {
    if (this.storageFullSaid) return;
    this.storageFullSaid = true;
    this.onNotice({ kind: 'error', text: await quotaMessage(this.store, needBytes) });
  }

  /** Saves live run k's record (serialised, so saves never overlap). */
  private persist(k: number): void {
    const run = this.#runs[k];
    if (!run) return;
    this.saving = this.saving
      .then(() => this.store.put(run))
      .then(
        () => {},
        (e) => (isQuotaError(e) ? this.storageFull(JSON.stringify(run).length) : console.error('saving the run failed', e)),
      );
  }

  /** Stores live run k's checkpoint with its record; on a full disk, older checkpoints of other runs go first. */
  private keepCheckpoint(k: number, step: number, files: CheckpointFiles): void {
    const run = this.#runs[k];
    if (!run) return;
    const snapshot = structuredClone(run);
    const bytes = files.tensors.byteLength + files.state.length;
    this.saving = this.saving.then(async () => {
      for (;;) {
        try {
          await this.store.putCheckpoint(snapshot, step, files);
          this.#checkpointSteps[k] = step;
          this.changed();
          return;
        } catch (e) {
          if (!isQuotaError(e)) return console.error('saving the checkpoint failed', e);
          const pruned = await this.store.pruneOldestCheckpoint(run.id);
          if (!pruned) return this.storageFull(bytes);
          const name = (await this.store.get(pruned))?.name ?? pruned;
          this.onNotice({ kind: 'info', text: `Browser storage was full: the checkpoint of "${name}" was removed to make room for this run's (${formatBytes(bytes)}); "${name}" can no longer be resumed.` });
        }
      }
    });
  }

  private apply(events: PackedEvent[]): void {
    const touched = new Set<number>();
    for (const e of events) {
      const k = e.run;
      const run = this.#runs[k];
      touched.add(k);
      if (e.kind === 'started') this.#runs[k] = e.record;
      else if (!run) continue;
      else if (e.kind === 'steps') recordSteps(run, e.rows, run.tensors.names.length, run.config.metrics_interval);
      else if (e.kind === 'eval') recordEval(run, { step: e.step, tokens: e.tokens, val_loss: e.valLoss, val_bpb: e.valBpb, elapsed_ms: this.#statuses[k]?.elapsedMs ?? 0 });
      else if (e.kind === 'sample') recordSample(run, { step: e.step, prompt: e.prompt, text: e.text, temperature: run.config.sample_temperature, top_k: run.config.sample_top_k });
      else if (e.kind === 'checkpoint') this.keepCheckpoint(k, e.step, e.files);
      else if (e.kind === 'status') this.#statuses[k] = e.status;
      else if (e.kind === 'finished') this.#runs[k] = e.record;
    }
    // Paused when every run still training is; a run that ended leaves the others' state alone.
    if (this.#state === 'running' || this.#state === 'paused') {
      const states = this.#statuses.map((s) => s?.state);
      this.#state = states.includes('running') || !states.includes('paused') ? 'running' : 'paused';
    }
    this.#runs = this.#runs.map((r, k) => (touched.has(k) ? { ...r } : r));
    this.#statusMap = new Map(this.#runs.flatMap((r, k) => (this.#statuses[k] ? [[r.id, this.#statuses[k]!] as const] : [])));
    if (this.#state === 'starting' && this.#runs.length) this.#state = 'running';
    for (const k of touched) this.persist(k);
    this.changed();
  }

  get busy(): boolean {
    return isBusy(this.#state);
  }

  /** Renames, tags or annotates a live run; returns its record, or null when `id` is not a live run. */
  annotate(id: string, patch: Partial<Pick<RunRecord, 'name' | 'tags' | 'notes'>>): RunRecord | null {
    const k = this.laneOf(id);
    if (k < 0) return null;
    this.#runs = this.#runs.map((r, i) => (i === k ? { ...r, ...patch } : r));
    this.changed();
    return this.#runs[k];
  }

  async start(req: StartRequest): Promise<RunRecord | null> {
    return (await this.startPacked([req]))[0];
  }

  /**
   * Trains the requests side by side in one step program (one request: a run alone); each is a run
   * of its own, recorded, checkpointed and kept as if trained alone. Resolves with each run's final
   * record, or null for a run that failed or was interrupted (the page says why).
   */
  async startPacked(reqs: readonly StartRequest[]): Promise<(RunRecord | null)[]> {
    if (this.busy) throw new Error('a run is already in progress');
    this.#state = 'starting';
    this.#error = null;
    this.#runs = [];
    this.#statusMap = new Map();
    this.#statuses = reqs.map(() => null);
    this.#checkpointSteps = reqs.map((r) => r.resume?.step ?? null);
    this.storageFullSaid = false;
    this.changed();
    const ids = reqs.map((r) => r.resume?.id ?? newRunId());
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    for (const id of ids) void navigator.locks?.request(runLockName(id), () => held);
    const interrupted = new Promise<never>((_, reject) => (this.interrupt = reject));
    const onEvents = proxy((events: PackedEvent[]) => this.apply(events));
    try {
      const jobs: JobSpec[] = [];
      for (const [k, req] of reqs.entries()) {
        const id = ids[k];
        if (!req.resume && 'bytes' in req.data && !isCorpusId(req.config.train_data)) await this.store.putText(id, req.data.source, req.data.bytes);
        const resume = req.resume ? { state: req.resume.state, tensors: req.resume.tensors } : undefined;
        jobs.push({ id, config: req.config, data: req.data, base: req.base, userAgent: navigator.userAgent, resume });
      }
      const records = await Promise.race([this.api.startPacked(movedCopies(jobs), onEvents), interrupted]);
      this.#runs = [...records];
      for (const k of records.keys()) this.persist(k);
      for (const [k, record] of records.entries()) {
        const weights = await this.api.weights(k);
        await this.saving;
        await this.store.putWeights(record.id, weights);
        // A run that ended needs no checkpoint; a stopped one keeps it, to be resumed.
        if (record.outcome.status !== 'stopped') await this.store.deleteCheckpoint(record.id);
        await reqs[k].onDone?.(record, weights);
      }
      this.#state = 'done';
      return records;
    } catch (e) {
      const message = (e as Error).message;
      const outside = e instanceof Interruption || /GPU device lost/.test(message);
      this.#state = 'error';
      this.#error = message;
      for (const [k, run] of this.#runs.entries()) {
        const checkpoint = this.#checkpointSteps[k];
        const at = checkpoint !== null && checkpoint !== undefined ? ` It can be resumed from step ${checkpoint}.` : '';
        this.#runs[k] = { ...run, outcome: { ...run.outcome, status: outside ? 'interrupted' : 'failed', reason: message } };
        this.persist(k);
        if (outside) this.onNotice({ kind: 'error', text: `${message} The run "${run.name}" was interrupted at step ${run.outcome.step}.${at}` });
      }
      if (!this.#runs.length && outside) this.onNotice({ kind: 'error', text: message });
      await this.saving;
      return reqs.map(() => null);
    } finally {
      this.interrupt = null;
      release();
      this.changed();
    }
  }

  /** The live run's index for a control (undefined: every run). */
  private target(id?: string): number | undefined {
    if (id === undefined) return undefined;
    const k = this.laneOf(id);
    if (k < 0) throw new Error(`run ${id} is not training here`);
    return k;
  }

  /** Pauses run `id` of the job (every run when left out); the others train on. */
  pause(id?: string): Promise<void> {
    return this.api.pause(this.target(id));
  }

  resume(id?: string): Promise<void> {
    return this.api.resume(this.target(id));
  }

  step(n = 1, id?: string): Promise<void> {
    return this.api.step(n, this.target(id));
  }

  stop(id?: string): Promise<void> {
    return this.api.stop(this.target(id));
  }

  /** A GPT-2 checkpoint's files, checked and made one model file in the worker (refusals name the file). */
  importGpt2(files: Gpt2Files, source: string): Promise<{ bytes: Uint8Array; shape: ModelShape }> {
    return this.api.importGpt2(transfer(files, [files.model.buffer]), source);
  }

  /** Fault injection (src/ui/state/faults.ts). */
  fault(kind: Parameters<TrainingApi['fault']>[0]): Promise<void> {
    return this.api.fault(kind);
  }

  /** Forgets the finished (or failed) run so the page shows a fresh setup. */
  reset(): void {
    if (this.busy) return;
    this.#state = 'idle';
    this.#runs = [];
    this.#statuses = [];
    this.#statusMap = new Map();
    this.#error = null;
    this.#checkpointSteps = [];
    this.changed();
  }
}
