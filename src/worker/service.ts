// The training service behind the worker API: opens the GPU (again after a device loss), runs one
// Trainer at a time (one run, or several packed side by side; new, or resumed from checkpoints the
// page kept), and batches its events. No DOM: it runs in a dedicated worker (navigator.gpu).

import { openGpu, type GpuContext } from '../gpu/device';
import { matmulSelfTest, type SelfTestResult } from '../kernels/selftest';
import { decodeCheckpoint, encodeCheckpoint } from '../runs/checkpoint';
import { decodeGpt2Checkpoint, encodeGpt2Checkpoint, type Gpt2Files } from '../runs/hf-gpt2';
import type { ModelShape } from '../config/architecture';
import { decodeModelFile, encodeAdapter, encodeModelFile, modelFileOf } from '../runs/model-files';
import type { RunRecord } from '../runs/schema';
import { planRun } from '../train/plan';
import { Trainer } from '../train/trainer';
import type { GpuInfo, JobSpec, JobText, PackedEvent, TrainEvent, TrainingApi, WeightFile, WorkerFault } from './api';

const FLUSH_MS = 150;
/** How long a failed run waits for the device's loss to be reported before calling it a plain failure. */
const LOSS_GRACE_MS = 2000;

export class TrainingService implements TrainingApi {
  private ctx: GpuContext | null = null;
  private trainer: Trainer | null = null;
  private last: { trainer: Trainer; params: Float32Array[] } | null = null;
  /** Bundled corpora fetched by this worker, by URL (each is fetched once). */
  private readonly corpora = new Map<string, Promise<Uint8Array>>();

  /**
   * `gpu`: the worker's navigator.gpu. `load`: fetches a URL's bytes, or throws with the HTTP status
   * (the worker's fetch; this layer has no DOM types).
   */
  constructor(
    private readonly gpu: () => GPU | undefined,
    private readonly version: string,
    private readonly load: (url: string) => Promise<Uint8Array>,
  ) {}

  /** The open device; a lost one is dropped and a new one requested, so every later run works. */
  private async context(): Promise<GpuContext> {
    if (this.ctx?.lost) this.ctx = null;
    this.ctx ??= await openGpu(this.gpu());
    return this.ctx;
  }

  async gpuInfo(): Promise<GpuInfo> {
    const ctx = await this.context();
    return { adapter: ctx.adapter, maxStorageBufferBindingSize: ctx.limits.maxStorageBufferBindingSize, maxBufferSize: ctx.limits.maxBufferSize };
  }

  async selfTest(): Promise<SelfTestResult> {
    return matmulSelfTest(await this.context());
  }

  async start(job: JobSpec, onEvents: (events: TrainEvent[]) => void): Promise<RunRecord> {
    const [record] = await this.startPacked([job], (events) => onEvents(events.map(({ run: _run, ...e }) => e as TrainEvent)));
    return record;
  }

  async startPacked(jobs: JobSpec[], onEvents: (events: PackedEvent[]) => void): Promise<RunRecord[]> {
    if (this.trainer) throw new Error('a run is already training; stop it first');
    if (!jobs.length) throw new Error('startPacked: no jobs');
    const ctx = await this.context();
    let queue: PackedEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (!queue.length) return;
      const batch = queue;
      queue = [];
      onEvents(batch);
    };
    const push = (e: PackedEvent) => {
      queue.push(e);
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    const inputs = [];
    for (const job of jobs) {
      const base = job.base ? decodeModelFile(job.base, job.config.base_model ?? 'base model') : null;
      const resume = job.resume ? decodeCheckpoint(job.resume, `the checkpoint of run ${job.id}`) : undefined;
      const text = await this.text(job.data);
      const plan = planRun({ config: job.config, text, dataSource: job.data.source, base, limits: ctx.limits, resume });
      inputs.push({ plan, runtime: 'browser' as const, userAgent: job.userAgent ?? null, id: job.id, version: this.version });
    }
    const trainer = await Trainer.createPacked(ctx, inputs, jobs.map((_, run) => ({
      metrics: (rows) => push({ run, kind: 'steps', rows }),
      eval: (e) => push({ run, kind: 'eval', ...e }),
      sample: (s) => push({ run, kind: 'sample', ...s }),
      status: (status) => push({ run, kind: 'status', status }),
      checkpoint: (c) => {
        push({ run, kind: 'checkpoint', step: c.state.step, files: encodeCheckpoint(c) });
        flush();
      },
      // A run packed with others may end while they train on: its final record goes at once.
      ended: (record) => push({ run, kind: 'finished', record: structuredClone(record) }),
    })));
    this.last?.trainer.destroy();
    this.last = null;
    this.trainer = trainer;
    for (const [run, lane] of trainer.lanes.entries()) push({ run, kind: 'started', record: structuredClone(lane.record) });
    flush();
    try {
      const records = await trainer.runAll();
      const params = [];
      for (let k = 0; k < records.length; k++) params.push(await trainer.readParams(k));
      this.last = { trainer, params };
      return records;
    } catch (e) {
      // Said in plain words; the page keeps the last checkpoint, and the next call opens a new device.
      // (A browser may fail a pending read before it reports the loss itself: wait a moment for it.)
      const lost = ctx.lost ?? (await Promise.race([ctx.whenLost, new Promise<null>((r) => setTimeout(() => r(null), LOSS_GRACE_MS))]));
      if (lost) throw new Error(`${lost.message.replace(/\.+$/, '')}. The run stopped at its last checkpoint and can be resumed.`);
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      flush();
      this.trainer = null;
    }
  }

  private text(data: JobText): Promise<Uint8Array> | Uint8Array {
    if ('bytes' in data) return data.bytes;
    const { source, url } = data;
    const cached = this.corpora.get(url);
    if (cached) return cached;
    const fetched = this.load(url).catch((e: Error) => {
      throw new Error(`train_data: ${source} could not be loaded (${e.message})`);
    });
    fetched.catch(() => this.corpora.delete(url));
    this.corpora.set(url, fetched);
    return fetched;
  }

  async pause(run?: number): Promise<void> {
    this.trainer?.pause(run);
  }

  async resume(run?: number): Promise<void> {
    this.trainer?.resume(run);
  }

  async step(n = 1, run?: number): Promise<void> {
    this.trainer?.stepOnce(n, run);
  }

  async stop(run?: number): Promise<void> {
    this.trainer?.stop(run);
  }

  async importGpt2(files: Gpt2Files, dir: string): Promise<{ bytes: Uint8Array; shape: ModelShape }> {
    const base = decodeGpt2Checkpoint(files, dir);
    return { bytes: modelFileOf(base, { source: dir }), shape: base.shape };
  }

  async ping(): Promise<number> {
    return Date.now();
  }

  async fault(kind: WorkerFault): Promise<void> {
    if (kind === 'lose-device') this.ctx?.device.destroy();
    else if (kind === 'crash') setTimeout(() => {
      throw new Error('simulated crash of the training worker (fault injection)');
    }, 0);
    else if (kind === 'hang') setTimeout(() => {
      const until = Date.now() + 60_000;
      while (Date.now() < until);
    }, 0);
  }

  async weights(run = 0): Promise<WeightFile[]> {
    if (!this.last) throw new Error('no finished run in this worker to take weights from');
    const { trainer } = this.last;
    const params = this.last.params[run];
    if (!params) throw new Error(`weights: run ${run} is not one of the last job's ${this.last.params.length}`);
    const table = trainer.model.params;
    const lane = trainer.lanes[run];
    if (table.lora) {
      const a = encodeAdapter(table, params, lane.config.base_model, lane.shape.family);
      return [
        { name: 'adapter_model.safetensors', bytes: a.safetensors },
        { name: 'adapter_config.json', bytes: new TextEncoder().encode(JSON.stringify(a.config, null, 2) + '\n') },
      ];
    }
    if (lane.shape.family === 'gpt2') return encodeGpt2Checkpoint(table, params, lane.shape, lane.plan.base?.hf, { run_id: lane.record.id });
    return [{ name: 'model.safetensors', bytes: encodeModelFile(table, params, lane.shape, { run_id: lane.record.id }) }];
  }
}
