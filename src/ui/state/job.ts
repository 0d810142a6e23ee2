// The current training job, owned outside the components: the worker (Comlink), the live run record
// built from the worker's event batches, and its persistence in IndexedDB as it goes. Components
// read it through a ReactiveController (see controller.ts) and call its methods.

import { proxy, wrap, type Remote } from 'comlink';
import type { RunRecord } from '../../runs/schema';
import type { TrainConfig } from '../../train/config';
import { recordEval, recordSample, recordSteps } from '../../train/record';
import type { TrainerStatus } from '../../train/trainer';
import type { SelfTestResult } from '../../kernels/selftest';
import type { GpuInfo, TrainEvent, TrainingApi, WeightFile } from '../../worker/api';
import { newRunId } from '../../train/record';
import type { RunStore } from './store';

export type JobState = 'idle' | 'starting' | 'running' | 'paused' | 'done' | 'error';

export interface StartRequest {
  config: TrainConfig;
  data: { source: string; bytes: Uint8Array };
  base: Uint8Array | null;
  /** Called with the final record and weights (e.g. to cache a pretrained base). */
  onDone?: (record: RunRecord, weights: WeightFile[]) => Promise<void> | void;
}

function makeWorker(): Worker {
  return new Worker(new URL('../../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'stepsize-train' });
}

export class JobController extends EventTarget {
  state: JobState = 'idle';
  run: RunRecord | null = null;
  status: TrainerStatus | null = null;
  error: string | null = null;
  gpu: GpuInfo | null = null;
  check: SelfTestResult | null = null;
  private worker: Worker;
  private api: Remote<TrainingApi>;
  private saving: Promise<void> = Promise.resolve();

  constructor(private readonly store: RunStore) {
    super();
    this.worker = makeWorker();
    this.api = wrap<TrainingApi>(this.worker);
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** Opens the GPU in the worker and checks a kernel against its reference. */
  async init(): Promise<GpuInfo> {
    this.gpu = await this.api.gpuInfo();
    this.check = await this.api.selfTest();
    this.changed();
    return this.gpu;
  }

  /** Saves the live record (serialised, so saves never overlap). */
  private persist(): void {
    const run = this.run;
    if (!run) return;
    this.saving = this.saving.then(() => this.store.put(run)).catch((e) => console.error('saving the run failed', e));
  }

  private apply(events: TrainEvent[]): void {
    for (const e of events) {
      if (e.kind === 'started') this.run = e.record;
      else if (!this.run) continue;
      else if (e.kind === 'steps') recordSteps(this.run, e.rows, this.run.tensors.names.length, this.run.config.metrics_interval);
      else if (e.kind === 'eval') recordEval(this.run, { step: e.step, tokens: e.tokens, val_loss: e.valLoss, elapsed_ms: this.status?.elapsedMs ?? 0 });
      else if (e.kind === 'sample') recordSample(this.run, { step: e.step, prompt: e.prompt, text: e.text, temperature: this.run.config.sample_temperature, top_k: this.run.config.sample_top_k });
      else if (e.kind === 'status') {
        this.status = e.status;
        if (this.state === 'running' || this.state === 'paused') this.state = e.status.state === 'paused' ? 'paused' : 'running';
      } else if (e.kind === 'finished') this.run = e.record;
    }
    if (this.state === 'starting' && this.run) this.state = 'running';
    this.persist();
    this.changed();
  }

  get busy(): boolean {
    return this.state === 'starting' || this.state === 'running' || this.state === 'paused';
  }

  async start(req: StartRequest): Promise<RunRecord | null> {
    if (this.busy) throw new Error('a run is already in progress');
    this.state = 'starting';
    this.error = null;
    this.run = null;
    this.status = null;
    this.changed();
    const onEvents = proxy((events: TrainEvent[]) => this.apply(events));
    try {
      const record = await this.api.start({ id: newRunId(), config: req.config, data: req.data, base: req.base, userAgent: navigator.userAgent }, onEvents);
      this.run = record;
      this.persist();
      const weights = await this.api.weights();
      await this.saving;
      await this.store.putWeights(record.id, weights);
      await req.onDone?.(record, weights);
      this.state = 'done';
      return record;
    } catch (e) {
      this.state = 'error';
      this.error = (e as Error).message;
      if (this.run) {
        this.run.outcome = { ...this.run.outcome, status: 'failed', reason: this.error };
        this.persist();
      }
      return null;
    } finally {
      this.changed();
    }
  }

  pause(): Promise<void> {
    return this.api.pause();
  }

  resume(): Promise<void> {
    return this.api.resume();
  }

  step(n = 1): Promise<void> {
    return this.api.step(n);
  }

  stop(): Promise<void> {
    return this.api.stop();
  }

  /** Forgets the finished (or failed) run so the page shows a fresh setup. */
  reset(): void {
    if (this.busy) return;
    this.state = 'idle';
    this.run = null;
    this.status = null;
    this.error = null;
    this.changed();
  }

  /** Ends a stuck job at once: terminates the worker (nothing can hang) and starts a fresh one. */
  abort(): void {
    this.worker.terminate();
    this.worker = makeWorker();
    this.api = wrap<TrainingApi>(this.worker);
    if (this.run && this.busy) {
      this.run.outcome = { ...this.run.outcome, status: 'stopped', reason: 'aborted' };
      this.persist();
    }
    this.state = 'idle';
    this.changed();
  }
}
