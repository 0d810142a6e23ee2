// The training service behind the worker API: opens the GPU (again after a device loss), runs one
// Trainer at a time (new, or resumed from a checkpoint the page kept), and batches its events. No
// DOM: it runs in a dedicated worker (navigator.gpu).

import { openGpu, type GpuContext } from '../gpu/device';
import { matmulSelfTest, type SelfTestResult } from '../kernels/selftest';
import { decodeCheckpoint, encodeCheckpoint } from '../runs/checkpoint';
import { decodeModelFile, encodeAdapter, encodeModelFile } from '../runs/model-files';
import type { RunRecord } from '../runs/schema';
import { planRun } from '../train/plan';
import { Trainer } from '../train/trainer';
import type { GpuInfo, JobSpec, JobText, TrainEvent, TrainingApi, WeightFile, WorkerFault } from './api';

const FLUSH_MS = 150;
/** How long a failed run waits for the device's loss to be reported before calling it a plain failure. */
const LOSS_GRACE_MS = 2000;

export class TrainingService implements TrainingApi {
  private ctx: GpuContext | null = null;
  private trainer: Trainer | null = null;
  private last: { trainer: Trainer; params: Float32Array } | null = null;
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
    if (this.trainer) throw new Error('a run is already training; stop it first');
    const ctx = await this.context();
    let queue: TrainEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (!queue.length) return;
      const batch = queue;
      queue = [];
      onEvents(batch);
    };
    const push = (e: TrainEvent) => {
      queue.push(e);
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    const base = job.base ? decodeModelFile(job.base, job.config.base_model ?? 'base model') : null;
    const resume = job.resume ? decodeCheckpoint(job.resume, `the checkpoint of run ${job.id}`) : undefined;
    const text = await this.text(job.data);
    const plan = planRun({ config: job.config, text, dataSource: job.data.source, base, limits: ctx.limits, resume });
    const trainer = await Trainer.create(ctx, { plan, runtime: 'browser', userAgent: job.userAgent ?? null, id: job.id, version: this.version }, {
      metrics: (rows) => push({ kind: 'steps', rows }),
      eval: (e) => push({ kind: 'eval', ...e }),
      sample: (s) => push({ kind: 'sample', ...s }),
      status: (status) => push({ kind: 'status', status }),
      checkpoint: (c) => {
        push({ kind: 'checkpoint', step: c.state.step, files: encodeCheckpoint(c) });
        flush();
      },
    });
    this.last?.trainer.destroy();
    this.last = null;
    this.trainer = trainer;
    push({ kind: 'started', record: structuredClone(trainer.record) });
    flush();
    try {
      const record = await trainer.run();
      this.last = { trainer, params: await trainer.readParams() };
      push({ kind: 'finished', record });
      return record;
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

  async pause(): Promise<void> {
    this.trainer?.pause();
  }

  async resume(): Promise<void> {
    this.trainer?.resume();
  }

  async step(n = 1): Promise<void> {
    this.trainer?.stepOnce(n);
  }

  async stop(): Promise<void> {
    this.trainer?.stop();
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

  async weights(): Promise<WeightFile[]> {
    if (!this.last) throw new Error('no finished run in this worker to take weights from');
    const { trainer, params } = this.last;
    const table = trainer.model.params;
    if (table.lora) {
      const a = encodeAdapter(table, params, trainer.config.base_model);
      return [
        { name: 'adapter_model.safetensors', bytes: a.safetensors },
        { name: 'adapter_config.json', bytes: new TextEncoder().encode(JSON.stringify(a.config, null, 2) + '\n') },
      ];
    }
    return [{ name: 'model.safetensors', bytes: encodeModelFile(table, params, trainer.shape, { run_id: trainer.record.id }) }];
  }
}
