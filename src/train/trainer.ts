// The trainer: schedule, micro-batches × accumulation, AdamW, clipping, evaluation, sampling, early
// stopping and the divergence guard, driving a GpuModel. The same code runs in the browser worker and
// the CLI. The step loop never waits on the GPU: per-step metrics land in a ring on the GPU and come
// back every metrics_interval steps; the GPU itself halts the optimizer on NaN/Inf or divergence, so
// nothing trains on garbage while the host catches up.
// Checkpoints: every checkpoint_interval steps (or automatically), on pause and on stop, the state
// after a whole step (its evaluation and sample included) goes to the `checkpoint` event; a Trainer
// created from one continues the run to the very same end as a run never interrupted.
// A Trainer is built from a RunPlan (plan.ts), which has checked the run already: create allocates.

import { evalWindowStarts, WindowSampler, type Dataset } from '../data/dataset';
import { decode, encode } from '../data/tokenizer';
import { assertAlive, type GpuContext } from '../gpu/device';
import { AsyncReader, yieldToEventLoop } from '../gpu/readback';
import { Generator } from '../model/generate';
import { GpuModel, HALT_REASONS } from '../model/gpu-model';
import { initParams } from '../model/init';
import { countParams } from '../model/params';
import type { ModelShape } from '../config/architecture';
import { loadTensors } from '../model/weights';
import type { Checkpoint } from '../runs/checkpoint';
import type { RunRecord } from '../runs/schema';
import { checkpointState, checkpointTensors, CheckpointClock, restoreTensors, resumedRecord } from './checkpoint';
import type { TrainConfig } from '../config/config';
import { newRunRecord, recordEval, recordLastTensors, recordSample, recordSteps, type StepRow } from './record';
import { EarlyStopping } from './early-stopping';
import type { RunPlan } from './plan';
import { lrAt } from './schedule';

export interface TrainerInput {
  /** The checked run (planRun): what to build, from which data, base and checkpoint. */
  plan: RunPlan;
  runtime: 'node' | 'browser';
  userAgent?: string | null;
  id?: string;
  version?: string;
}

export interface TrainerStatus {
  state: 'running' | 'paused' | 'done';
  step: number;
  maxSteps: number;
  tokens: number;
  elapsedMs: number;
  tokensPerSec: number;
  loss: number | null;
}

export interface TrainerEvents {
  /** Per-step metrics, in batches of about metrics_interval steps. */
  metrics?(rows: StepRow[]): void;
  eval?(e: { step: number; tokens: number; valLoss: number }): void;
  sample?(s: { step: number; prompt: string; text: string }): void;
  status?(s: TrainerStatus): void;
  /**
   * A checkpoint to keep (replacing the previous one). Training waits for the returned promise, so
   * a checkpoint is on disk before the run goes on; a rejection ends the run as failed.
   */
  checkpoint?(c: Checkpoint): Promise<void> | void;
}

export class Trainer {
  readonly config: TrainConfig;
  readonly shape: ModelShape;
  readonly data: Dataset;
  readonly record: RunRecord;
  readonly maxSteps: number;
  private readonly ringReader: AsyncReader<Float32Array>;
  private generator: Generator | null = null;
  private step = 0;
  private lastRecorded = 0;
  /** Host time and step of the last metrics read-back (for per-step wall times). */
  private lastArrival = { t: 0, step: 0 };
  private t0 = 0;
  private paused = false;
  private stepBudget: number | null = null;
  private wake: (() => void) | null = null;
  private stopRequested = false;
  private halted = false;
  private lastLoss: number | null = null;
  /** The newest recorded step, whose per-tensor figures end the record if the run stops between kept steps. */
  private lastRow: StepRow | null = null;
  private readonly early: EarlyStopping;
  private clock: CheckpointClock;
  private lastCheckpointStep = 0;

  private constructor(
    readonly ctx: GpuContext,
    readonly plan: RunPlan,
    readonly model: GpuModel,
    private readonly sampler: WindowSampler,
    private readonly events: TrainerEvents,
    record: RunRecord,
  ) {
    this.config = plan.config;
    this.shape = plan.shape;
    this.data = plan.data;
    this.record = record;
    this.maxSteps = plan.schedule.totalSteps;
    this.early = new EarlyStopping(plan.config.early_stopping_patience);
    this.clock = new CheckpointClock(plan.config.checkpoint_interval, 0);
    this.ringReader = new AsyncReader(ctx, model.buffers.ring, plan.model.bytes.ring, 3, (b) => new Float32Array(b));
  }

  /** Builds the planned model on the GPU and loads its weights (from the base, the seed and the checkpoint). */
  static async create(ctx: GpuContext, input: TrainerInput, events: TrainerEvents = {}): Promise<Trainer> {
    const { plan } = input;
    const { config: c, data, resume: from } = plan;
    const T = plan.shape.context;
    const model = await GpuModel.create(ctx, plan.model, data.bytes);
    const arena = initParams(model.params, c.seed);
    if (plan.base) loadTensors(model.params, arena, plan.base.tensors, `base_model ${c.base_model}`, true);
    const moments = from ? restoreTensors(model.params, from, arena) : null;
    await model.setParams(arena);
    model.setEvalWindows(evalWindowStarts(data, T + 1, c.eval_batches * c.batch_size));
    const sampler = new WindowSampler(data.trainStart, data.trainLen, T + 1, c.seed, c.train_windows);
    const record = from ? resumedRecord(from, c, ctx.adapter.name) : newRunRecord({
      id: input.id, config: c, dataSource: plan.dataSource, data, runtime: input.runtime, userAgent: input.userAgent ?? null,
      adapter: ctx.adapter, version: input.version ?? 'dev', counts: countParams(model.params), dispatches: model.train.dispatchCount,
      tensorNames: model.params.views.filter((v) => v.trainable).map((v) => v.name),
    });
    const trainer = new Trainer(ctx, plan, model, sampler, events, record);
    if (from && moments) {
      model.setOptimizer(moments.m, moments.v, Uint32Array.from(from.state.optimizer_state));
      trainer.continueFrom(from);
    }
    return trainer;
  }

  /** Host state of a checkpoint: step, sampler, early stopping. (The GPU state is set in create.) */
  private continueFrom(from: Checkpoint): void {
    const s = from.state;
    this.step = this.lastRecorded = this.lastCheckpointStep = s.step;
    this.sampler.state = s.sampler_state;
    this.early.best = s.early_stopping.best ?? Infinity;
    this.early.sinceBest = s.early_stopping.since_best;
    this.lastLoss = this.record.metrics.loss.at(-1) ?? null;
    this.lastArrival = { t: this.record.outcome.elapsed_ms, step: s.step };
  }

  get currentStep(): number {
    return this.step;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
    this.stepBudget = null;
  }

  resume(): void {
    this.paused = false;
    this.stepBudget = null;
    this.wake?.();
  }

  /** While paused: run `n` more steps, then pause again (the playground's single-step button). */
  stepOnce(n = 1): void {
    this.paused = false;
    this.stepBudget = n;
    this.wake?.();
  }

  stop(): void {
    this.stopRequested = true;
    this.wake?.();
  }

  private status(state: TrainerStatus['state']): void {
    const elapsedMs = this.t0 ? performance.now() - this.t0 : 0;
    const tokens = this.lastRecorded * this.tokensPerStep;
    this.events.status?.({ state, step: this.lastRecorded, maxSteps: this.maxSteps, tokens, elapsedMs, tokensPerSec: elapsedMs > 0 ? tokens / (elapsedMs / 1000) : 0, loss: this.lastLoss });
  }

  get tokensPerStep(): number {
    return this.config.batch_size * this.config.grad_accum_steps * this.shape.context;
  }

  /**
   * Turns ring read-backs into recorded steps; notices a halt. A step's wall time is interpolated
   * between the arrivals of consecutive read-backs (the GPU runs several steps behind the host, so
   * submit times would understate it).
   */
  private absorb(rings: Float32Array[]): void {
    const rows: StepRow[] = [];
    const now = performance.now() - this.t0;
    const from = this.lastArrival;
    const names = this.record.tensors.names;
    for (const ring of rings) {
      for (const m of this.model.decodeRing(ring)) {
        if (this.halted || m.step <= this.lastRecorded || m.step > this.step) continue;
        this.lastRecorded = m.step;
        const row: StepRow = {
          step: m.step, tokens: m.step * this.tokensPerStep, loss: m.loss, lr: m.lr, gradNorm: m.gradNorm, clip: m.clip,
          updateRatio: m.updateRatio, elapsedMs: 0, tensorGradNorms: m.tensorGradNorms, tensorUpdateRatios: m.tensorUpdateRatios,
        };
        rows.push(row);
        this.lastRow = row;
        this.lastLoss = m.loss;
        if (m.halt) {
          this.halted = true;
          const what = m.halt === 'diverged'
            ? `loss ${m.loss.toFixed(3)} is more than ${this.config.divergence_margin} nats above the first step's`
            : m.halt === 'lossNotFinite' ? `loss ${m.loss}` : `gradient norm ${m.gradNorm}`;
          this.record.outcome = { ...this.record.outcome, status: 'diverged', step: m.step, reason: `diverged at step ${m.step}: ${what} (${HALT_REASONS[m.halt]})` };
        }
      }
    }
    if (rows.length) {
      const to = rows[rows.length - 1].step;
      for (const r of rows) r.elapsedMs = from.t + ((now - from.t) * (r.step - from.step)) / Math.max(1, to - from.step);
      this.lastArrival = { t: now, step: to };
      recordSteps(this.record, rows, names.length, this.config.metrics_interval);
      this.events.metrics?.(rows);
    }
  }

  private async drain(): Promise<void> {
    this.absorb(await this.ringReader.drain());
  }

  /** Mean validation loss over the fixed evaluation windows, recorded at the current step. */
  async evaluate(): Promise<number> {
    await this.flushRing();
    const valLoss = await this.model.evaluateLoss();
    const step = this.lastRecorded;
    recordEval(this.record, { step, tokens: step * this.tokensPerStep, val_loss: valLoss, elapsed_ms: performance.now() - this.t0 });
    this.events.eval?.({ step, tokens: step * this.tokensPerStep, valLoss });
    this.early.observe(valLoss);
    return valLoss;
  }

  /** Generates a sample from the current weights, recorded at the current step. */
  async sample(prompt = this.config.sample_prompt): Promise<string> {
    await this.flushRing();
    this.generator ??= await Generator.create(this.ctx, this.shape, this.model.params, this.model.buffers.P);
    const bytes = await this.generator.generate(encode(prompt), {
      length: this.config.sample_length, temperature: this.config.sample_temperature, topK: this.config.sample_top_k, seed: this.config.seed + this.lastRecorded,
    });
    const text = decode(bytes);
    recordSample(this.record, { step: this.lastRecorded, prompt, text, temperature: this.config.sample_temperature, top_k: this.config.sample_top_k });
    this.events.sample?.({ step: this.lastRecorded, prompt, text });
    return text;
  }

  /**
   * Hands the state after the last whole step to the `checkpoint` event (unless one was taken at this
   * step, or the run halted). Its cost (read-back, encoding, the handler's write) is timed.
   */
  async checkpoint(): Promise<void> {
    await this.flushRing();
    if (!this.events.checkpoint || this.halted || this.lastRecorded === 0 || this.lastCheckpointStep === this.lastRecorded) return;
    const t = performance.now();
    const snap = await this.model.readOptimizer();
    const step = this.lastRecorded;
    const record = structuredClone(this.record);
    record.outcome.elapsed_ms = t - this.t0;
    await this.events.checkpoint({
      state: checkpointState({
        step, record, config: this.config, identity: this.plan.identity, kernelStyle: this.model.graph.style, adapter: this.ctx.adapter.name,
        sampler: this.sampler.state, optimizer: snap.state, early: this.early,
      }),
      tensors: checkpointTensors(this.model.params, snap),
    });
    this.lastCheckpointStep = step;
    const now = performance.now();
    this.clock.wrote(now - t, now);
  }

  /** Checkpoints written by this trainer and their total cost in milliseconds. */
  get checkpointCost(): { count: number; totalMs: number } {
    return { count: this.clock.count, totalMs: this.clock.totalMs };
  }

  private async waitWhilePaused(): Promise<void> {
    while (this.paused && !this.stopRequested) {
      await this.checkpoint();
      this.status('paused');
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }

  /**
   * Submits one optimizer step (one command buffer, one submit). With `readBack`, the metric ring is
   * copied out in the same command buffer, to be mapped later.
   */
  private async submitStep(readBack: boolean): Promise<void> {
    const c = this.config;
    const { device } = this.ctx;
    assertAlive(this.ctx);
    const step = ++this.step;
    const windows = this.sampler.next(c.grad_accum_steps * c.batch_size);
    this.model.writeStep(windows, step, lrAt(this.plan.schedule, step - 1), (step - 1) % this.model.setup.ringSlots);
    const encoder = device.createCommandEncoder({ label: `step ${step}` });
    this.model.train.submit(encoder);
    if (readBack) this.absorb(await this.ringReader.encodeCopy(encoder));
    device.queue.submit([encoder.finish()]);
    if (readBack) this.ringReader.arm();
  }

  /** Copies the ring for steps submitted since the last read-back and waits for everything. */
  private async flushRing(): Promise<void> {
    if (this.lastRecorded < this.step && !this.halted) {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'ring flush' });
      this.absorb(await this.ringReader.encodeCopy(encoder));
      this.ctx.device.queue.submit([encoder.finish()]);
      this.ringReader.arm();
    }
    await this.drain();
  }

  /** Trains until max_steps, a stop, early stopping or divergence. Returns the finished record. */
  async run(): Promise<RunRecord> {
    const c = this.config;
    this.t0 = performance.now() - (this.record.outcome.elapsed_ms || 0);
    this.clock = new CheckpointClock(c.checkpoint_interval, performance.now());
    this.record.outcome.status = 'running';
    this.status('running');
    try {
      // The starting point of the validation curve (what a fine-tune improves on, or does not).
      if (c.eval_interval > 0 && this.step === 0 && !this.record.evals.length) await this.evaluate();
      while (this.step < this.maxSteps && !this.stopRequested && !this.halted && !this.early.stop) {
        await this.waitWhilePaused();
        if (this.stopRequested) break;
        const s = this.step + 1;
        const evalDue = c.eval_interval > 0 && s % c.eval_interval === 0;
        const sampleDue = c.sample_interval > 0 && s % c.sample_interval === 0;
        const budgetEnds = this.stepBudget !== null && this.stepBudget <= 1;
        await this.submitStep(s % c.metrics_interval === 0 || s === this.maxSteps || evalDue || sampleDue || budgetEnds);
        if (this.stepBudget !== null && --this.stepBudget <= 0) this.pause();
        if (s % c.metrics_interval === 0) {
          await yieldToEventLoop();
          this.status('running');
        }
        if (evalDue || sampleDue || this.paused || this.stopRequested) await this.flushRing();
        if (this.halted) break;
        if (evalDue) await this.evaluate();
        if (sampleDue) await this.sample();
        if (s < this.maxSteps && !this.early.stop && this.clock.due(s, performance.now())) await this.checkpoint();
      }
      // A stopped run can be resumed: its checkpoint is the state before the end-of-run evaluation.
      if (this.stopRequested && this.step < this.maxSteps) await this.checkpoint();
      await this.flushRing();
      const last = this.record.evals.at(-1);
      if (!this.halted && this.lastRecorded > 0 && last?.step !== this.lastRecorded) await this.evaluate();
      if (!this.halted && this.lastRecorded > 0 && this.record.samples.at(-1)?.step !== this.lastRecorded) await this.sample();
    } catch (e) {
      this.record.outcome = { ...this.record.outcome, status: 'failed', step: this.lastRecorded, reason: (e as Error).message };
      throw e;
    } finally {
      this.finish();
    }
    return this.record;
  }

  private finish(): void {
    const o = this.record.outcome;
    if (o.status === 'running') {
      if (this.early.stop) {
        o.status = 'early_stopped';
        o.reason = `validation loss did not improve for ${this.config.early_stopping_patience} evaluations`;
      } else {
        o.status = this.stopRequested ? 'stopped' : 'finished';
      }
    }
    o.step = this.lastRecorded;
    o.elapsed_ms = performance.now() - this.t0;
    if (this.lastRow) recordLastTensors(this.record, this.lastRow, this.record.tensors.names.length);
    const evals = this.record.evals.filter((e) => e.val_loss !== null);
    const best = evals.reduce<(typeof evals)[number] | null>((b, e) => (b === null || e.val_loss! < b.val_loss! ? e : b), null);
    o.best_val_loss = best?.val_loss ?? null;
    o.best_step = best?.step ?? null;
    o.final_val_loss = evals.at(-1)?.val_loss ?? null;
    const losses = this.record.metrics.loss.filter((l): l is number => l !== null && Number.isFinite(l));
    o.final_train_loss = losses.at(-1) ?? null;
    this.status('done');
  }

  /** The current parameter arena (for saving weights). */
  async readParams(): Promise<Float32Array> {
    await this.flushRing();
    return this.model.readParams();
  }

  destroy(): void {
    this.ringReader.destroy();
    this.generator?.destroy();
    this.model.destroy();
  }
}
