// One run inside a Trainer: its config and plan, record, window sampler, early stopping, checkpoint
// clock and events, its own step count, and its controls (pause, single steps, stop). A Trainer
// drives one lane, or several packed side by side in one GpuModel (run k of the model is lane k);
// every lane keeps exactly the numbers it would keep training alone. Nothing here touches the GPU.

import { WindowSampler, type Dataset } from '../data/dataset';
import type { Tokenizer } from '../data/tokenizer';
import type { ModelShape } from '../config/architecture';
import type { TrainConfig } from '../config/config';
import type { Generator } from '../model/generate';
import { HALT_REASONS, type StepMetrics } from '../model/gpu-model';
import type { Checkpoint } from '../runs/checkpoint';
import type { RunRecord } from '../runs/schema';
import { CheckpointClock } from './checkpoint';
import { EarlyStopping } from './early-stopping';
import type { RunPlan } from './plan';
import { recordLastTensors, recordSteps, type StepRow } from './record';
import { lrAt } from './schedule';

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
  /** valLoss in nats per token; valBpb the same in bits per byte of text. */
  eval?(e: { step: number; tokens: number; valLoss: number; valBpb: number }): void;
  sample?(s: { step: number; prompt: string; text: string }): void;
  status?(s: TrainerStatus): void;
  /**
   * A checkpoint to keep (replacing the previous one). Training waits for the returned promise, so
   * a checkpoint is on disk before the run goes on; a rejection ends the run as failed.
   */
  checkpoint?(c: Checkpoint): Promise<void> | void;
  /**
   * The run has ended (not failed) and its record is final; its weights stay as they are while runs
   * packed with it train on (Trainer.readParams). Training waits for the returned promise.
   */
  ended?(record: RunRecord): Promise<void> | void;
}

export class RunLane {
  readonly config: TrainConfig;
  readonly shape: ModelShape;
  readonly data: Dataset;
  /** Tokens per training sequence (block_size). */
  readonly seqLen: number;
  readonly tokenizer: Tokenizer;
  readonly maxSteps: number;
  readonly sampler: WindowSampler;
  readonly early: EarlyStopping;
  clock: CheckpointClock;
  /** Steps submitted for this run (its own count: it does not advance while the run holds). */
  step = 0;
  /** The newest step whose metrics came back. */
  lastRecorded = 0;
  /** Host time and step of the last metrics read-back (for per-step wall times). */
  lastArrival = { t: 0, step: 0 };
  halted = false;
  lastLoss: number | null = null;
  /** The newest recorded step, whose per-tensor figures end the record if the run stops between kept steps. */
  lastRow: StepRow | null = null;
  paused = false;
  /** The pause was seen to (checkpoint and status): until the run goes on again. */
  pauseSettled = false;
  stepBudget: number | null = null;
  stopRequested = false;
  lastCheckpointStep = 0;
  /** The run is over (finished, stopped, early stopped, diverged or failed) and its record final. */
  ended = false;
  generator: Generator | null = null;
  /** performance.now() at which the run's elapsed time is 0 (a resumed run's starts in the past). */
  t0 = 0;

  constructor(
    /** The run's index among the packed runs of the Trainer's model. */
    readonly index: number,
    readonly plan: RunPlan,
    readonly record: RunRecord,
    readonly events: TrainerEvents,
  ) {
    this.config = plan.config;
    this.shape = plan.shape;
    this.data = plan.data;
    this.maxSteps = plan.schedule.totalSteps;
    this.seqLen = plan.model.setup.seqLen;
    this.tokenizer = plan.tokenizer;
    this.sampler = new WindowSampler(plan.data.trainStart, plan.data.trainLen, this.seqLen + 1, plan.config.seed, plan.config.train_windows);
    this.early = new EarlyStopping(plan.config.early_stopping_patience);
    this.clock = new CheckpointClock(plan.config.checkpoint_interval, 0);
  }

  /** Host state of a checkpoint: step, sampler, early stopping. (The GPU state is set by the Trainer.) */
  continueFrom(from: Checkpoint): void {
    const s = from.state;
    this.step = this.lastRecorded = this.lastCheckpointStep = s.step;
    this.sampler.state = s.sampler_state;
    this.early.best = s.early_stopping.best ?? Infinity;
    this.early.sinceBest = s.early_stopping.since_best;
    this.lastLoss = this.record.metrics.loss.at(-1) ?? null;
    this.lastArrival = { t: this.record.outcome.elapsed_ms, step: s.step };
  }

  get tokensPerStep(): number {
    return this.config.batch_size * this.config.grad_accum_steps * this.seqLen;
  }

  /** Whether the run has steps to go and nothing has ended it. */
  get wantsSteps(): boolean {
    return !this.ended && this.step < this.maxSteps && !this.stopRequested && !this.halted && !this.early.stop;
  }

  /** Whether the run trains the next step (it wants steps and is not paused). */
  get trainsNext(): boolean {
    return this.wantsSteps && !this.paused;
  }

  /** The next step's window starts and learning rate; advances the run's step and sampler. */
  nextStep(): { step: number; windows: Uint32Array; lr: number } {
    const step = ++this.step;
    const windows = this.sampler.next(this.config.grad_accum_steps * this.config.batch_size);
    return { step, windows, lr: lrAt(this.plan.schedule, step - 1) };
  }

  pause(): void {
    this.paused = true;
    this.stepBudget = null;
  }

  resume(): void {
    this.paused = false;
    this.pauseSettled = false;
    this.stepBudget = null;
  }

  /** While paused: run `n` more steps, then pause again (the playground's single-step button). */
  stepOnce(n: number): void {
    this.paused = false;
    this.pauseSettled = false;
    this.stepBudget = n;
  }

  stop(): void {
    this.stopRequested = true;
  }

  status(state: TrainerStatus['state'], elapsedMs: number): void {
    const tokens = this.lastRecorded * this.tokensPerStep;
    this.events.status?.({ state, step: this.lastRecorded, maxSteps: this.maxSteps, tokens, elapsedMs, tokensPerSec: elapsedMs > 0 ? tokens / (elapsedMs / 1000) : 0, loss: this.lastLoss });
  }

  /**
   * Turns this run's slots of ring read-backs into recorded steps; notices a halt. A step's wall
   * time is interpolated between the arrivals of consecutive read-backs (the GPU runs several steps
   * behind the host, so submit times would understate it). `now`: ms since the Trainer started.
   */
  absorb(slots: readonly StepMetrics[], now: number): void {
    const rows: StepRow[] = [];
    const from = this.lastArrival;
    for (const m of slots) {
      if (this.halted || this.ended || m.step <= this.lastRecorded || m.step > this.step) continue;
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
    if (!rows.length) return;
    const to = rows[rows.length - 1].step;
    for (const r of rows) r.elapsedMs = from.t + ((now - from.t) * (r.step - from.step)) / Math.max(1, to - from.step);
    this.lastArrival = { t: now, step: to };
    recordSteps(this.record, rows, this.record.tensors.names.length, this.config.metrics_interval);
    this.events.metrics?.(rows);
  }

  /** Ends the record: status and reason (unless set already), the best and final losses, the last step's tensors. */
  finish(elapsedMs: number): void {
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
    o.elapsed_ms = elapsedMs;
    if (this.lastRow) recordLastTensors(this.record, this.lastRow, this.record.tensors.names.length);
    const evals = this.record.evals.filter((e) => e.val_loss !== null);
    const best = evals.reduce<(typeof evals)[number] | null>((b, e) => (b === null || e.val_loss! < b.val_loss! ? e : b), null);
    o.best_val_loss = best?.val_loss ?? null;
    o.best_step = best?.step ?? null;
    o.final_val_loss = evals.at(-1)?.val_loss ?? null;
    const losses = this.record.metrics.loss.filter((l): l is number => l !== null && Number.isFinite(l));
    o.final_train_loss = losses.at(-1) ?? null;
    this.ended = true;
    this.status('done', elapsedMs);
  }
}
