// The trainer: schedule, micro-batches × accumulation, AdamW, clipping, evaluation, sampling, early
// stopping and the divergence guard, driving a GpuModel. The same code runs in the browser worker and
// the CLI. The step loop never waits on the GPU: per-step metrics land in a ring on the GPU and come
// back every metrics_interval steps; the GPU itself halts the optimizer on NaN/Inf or divergence, so
// nothing trains on garbage while the host catches up.
// Packed runs: a Trainer drives one run or several side by side in one GpuModel (createPacked), run
// k of the model being lane k (lane.ts). Every step covers all of them; a lane that is paused or has
// ended sits the step out (Step.hold), so each run's numbers are those of training it alone, and one
// run diverging, stopping early or being stopped leaves the others training.
// Checkpoints: every checkpoint_interval steps (or automatically), on pause and on stop, the state
// after a whole step (its evaluation and sample included) goes to the lane's `checkpoint` event; a
// Trainer created from one continues the run to the very same end as a run never interrupted.
// A Trainer is built from RunPlans (plan.ts), which have checked the runs already: create allocates.

import { evalWindowStarts } from '../data/dataset';
import { bitsPerByte } from '../data/tokenizer';
import { assertAlive, type GpuContext } from '../gpu/device';
import { AsyncReader, yieldToEventLoop } from '../gpu/readback';
import { Generator } from '../model/generate';
import { GpuModel } from '../model/gpu-model';
import { initParams } from '../model/init';
import { countParams } from '../model/params';
import type { ModelShape } from '../config/architecture';
import { loadTensors } from '../model/weights';
import type { RunRecord } from '../runs/schema';
import { checkpointState, checkpointTensors, CheckpointClock, restoreTensors, resumedRecord } from './checkpoint';
import type { TrainConfig } from '../config/config';
import type { Dataset } from '../data/dataset';
import { RunLane, type TrainerEvents } from './lane';
import { newRunRecord, recordEval, recordSample } from './record';
import { packedModel, packProblem } from './pack';
import type { RunPlan } from './plan';

export type { TrainerEvents, TrainerStatus } from './lane';

export interface TrainerInput {
  /** The checked run (planRun): what to build, from which data, base and checkpoint. */
  plan: RunPlan;
  runtime: 'node' | 'browser';
  userAgent?: string | null;
  id?: string;
  version?: string;
}

export class Trainer {
  readonly lanes: readonly RunLane[];
  private readonly ringReader: AsyncReader<Float32Array>;
  private wake: (() => void) | null = null;

  private constructor(
    readonly ctx: GpuContext,
    readonly model: GpuModel,
    lanes: RunLane[],
  ) {
    this.lanes = lanes;
    this.ringReader = new AsyncReader(ctx, model.buffers.ring, model.plan.bytes.ring, 3, (b) => new Float32Array(b));
  }

  /** One run: builds the planned model on the GPU and loads its weights (from the base, the seed and the checkpoint). */
  static async create(ctx: GpuContext, input: TrainerInput, events: TrainerEvents = {}): Promise<Trainer> {
    return Trainer.createPacked(ctx, [input], [events]);
  }

  /**
   * Runs trained side by side in one model (each plan checked on its own by planRun; together they
   * must share what packing shares: pack.ts). Refused, before anything is allocated, when they do not.
   */
  static async createPacked(ctx: GpuContext, inputs: readonly TrainerInput[], events: readonly TrainerEvents[] = []): Promise<Trainer> {
    if (!inputs.length) throw new Error('createPacked: no runs to train');
    const plans = inputs.map((i) => i.plan);
    const problem = packProblem(plans);
    if (problem) throw new Error(`these runs cannot train together: ${problem}`);
    const first = plans[0];
    const model = await GpuModel.create(ctx, plans.length === 1 ? first.model : packedModel(first, plans.length), first.data.tokens);
    try {
      const lanes: RunLane[] = [];
      for (const [k, input] of inputs.entries()) lanes.push(await Trainer.loadLane(ctx, model, k, input, events[k] ?? {}));
      return new Trainer(ctx, model, lanes);
    } catch (e) {
      model.destroy();
      throw e;
    }
  }

  /** Run k's weights (seed, base, checkpoint), evaluation windows, record and optimizer state. */
  private static async loadLane(ctx: GpuContext, model: GpuModel, k: number, input: TrainerInput, events: TrainerEvents): Promise<RunLane> {
    const { plan } = input;
    const { config: c, data, resume: from } = plan;
    const arena = initParams(model.params, c.seed);
    if (plan.base) loadTensors(model.params, arena, plan.base.tensors, `base_model ${c.base_model}`, true);
    const moments = from ? restoreTensors(model.params, from, arena) : null;
    await model.setParams(arena, k);
    model.setEvalWindows(evalWindowStarts(data, plan.model.setup.seqLen + 1, c.eval_batches * c.batch_size), k);
    const record = from ? resumedRecord(from, c, ctx.adapter.name) : newRunRecord({
      id: input.id, config: c, dataSource: plan.dataSource, data, runtime: input.runtime, userAgent: input.userAgent ?? null,
      adapter: ctx.adapter, version: input.version ?? 'dev', counts: countParams(model.params), dispatches: model.train.dispatchCount,
      tensorNames: model.params.views.filter((v) => v.trainable).map((v) => v.name),
    });
    const lane = new RunLane(k, plan, record, events);
    if (from && moments) {
      model.setOptimizer(moments.m, moments.v, Uint32Array.from(from.state.optimizer_state), k);
      lane.continueFrom(from);
    }
    return lane;
  }

  // ---- One run's view (the first lane): what a Trainer of one run is asked. ----

  private get one(): RunLane {
    return this.lanes[0];
  }

  get plan(): RunPlan {
    return this.one.plan;
  }

  get config(): TrainConfig {
    return this.one.config;
  }

  get shape(): ModelShape {
    return this.one.shape;
  }

  get data(): Dataset {
    return this.one.data;
  }

  get record(): RunRecord {
    return this.one.record;
  }

  get maxSteps(): number {
    return this.one.maxSteps;
  }

  get currentStep(): number {
    return this.one.step;
  }

  get isPaused(): boolean {
    return this.one.paused;
  }

  get tokensPerStep(): number {
    return this.one.tokensPerStep;
  }

  /** Checkpoints written for run `run` and their total cost in milliseconds. */
  checkpointCost(run = 0): { count: number; totalMs: number } {
    const { clock } = this.lane(run);
    return { count: clock.count, totalMs: clock.totalMs };
  }

  // ---- Controls: of one run (by index), or of every run when none is named. ----

  private lane(run: number): RunLane {
    const lane = this.lanes[run];
    if (!lane) throw new Error(`run ${run} is not one of this trainer's ${this.lanes.length}`);
    return lane;
  }

  private control(run: number | undefined, act: (l: RunLane) => void): void {
    for (const l of run === undefined ? this.lanes : [this.lane(run)]) act(l);
    this.wake?.();
  }

  pause(run?: number): void {
    this.control(run, (l) => l.pause());
  }

  resume(run?: number): void {
    this.control(run, (l) => l.resume());
  }

  /** While paused: run `n` more steps, then pause again (the playground's single-step button). */
  stepOnce(n = 1, run?: number): void {
    this.control(run, (l) => l.stepOnce(n));
  }

  stop(run?: number): void {
    this.control(run, (l) => l.stop());
  }

  // ---- The GPU side. ----

  private elapsed(l: RunLane): number {
    return l.t0 ? performance.now() - l.t0 : 0;
  }

  /** Hands every lane its slots of ring read-backs. */
  private absorb(rings: Float32Array[]): void {
    if (!rings.length) return;
    for (const l of this.lanes) if (!l.ended) l.absorb(rings.flatMap((r) => this.model.decodeRing(r, l.index)), this.elapsed(l));
  }

  /**
   * Submits one optimizer step (one command buffer, one submit) for the lanes in `training`; every
   * other lane holds. With `readBack`, the metric ring is copied out in the same command buffer.
   */
  private async submitStep(training: readonly RunLane[], readBack: boolean): Promise<void> {
    const { device } = this.ctx;
    assertAlive(this.ctx);
    const slots = this.model.setup.ringSlots;
    for (const l of this.lanes) {
      if (!training.includes(l)) {
        this.model.holdStep(l.index);
        continue;
      }
      const { step, windows, lr } = l.nextStep();
      this.model.writeStep(windows, step, lr, (step - 1) % slots, l.index, l.plan.model.setup.optim);
    }
    const encoder = device.createCommandEncoder({ label: `step ${training.map((l) => l.step).join(',')}` });
    this.model.train.submit(encoder);
    if (readBack) this.absorb(await this.ringReader.encodeCopy(encoder));
    device.queue.submit([encoder.finish()]);
    if (readBack) this.ringReader.arm();
  }

  /** Copies the ring for steps submitted since the last read-back and waits for everything. */
  private async flushRing(): Promise<void> {
    if (this.lanes.some((l) => !l.ended && !l.halted && l.lastRecorded < l.step)) {
      const encoder = this.ctx.device.createCommandEncoder({ label: 'ring flush' });
      this.absorb(await this.ringReader.encodeCopy(encoder));
      this.ctx.device.queue.submit([encoder.finish()]);
      this.ringReader.arm();
    }
    this.absorb(await this.ringReader.drain());
  }

  /** Mean validation losses over the fixed evaluation windows (all runs at once), recorded for `lanes` at their current steps. */
  private async evaluateLanes(lanes: readonly RunLane[]): Promise<void> {
    await this.flushRing();
    const losses = await this.model.evaluateLosses();
    for (const l of lanes) {
      const valLoss = losses[l.index];
      const step = l.lastRecorded;
      const valBpb = bitsPerByte(valLoss, l.data.valBytesPerToken);
      recordEval(l.record, { step, tokens: step * l.tokensPerStep, val_loss: valLoss, val_bpb: valBpb, elapsed_ms: this.elapsed(l) });
      l.events.eval?.({ step, tokens: step * l.tokensPerStep, valLoss, valBpb });
      l.early.observe(valLoss);
    }
  }

  /** Run `run`'s validation loss now, recorded at its current step. */
  async evaluate(run = 0): Promise<number> {
    await this.evaluateLanes([this.lane(run)]);
    return this.lane(run).record.evals.at(-1)!.val_loss!;
  }

  /** Generates a sample from run `run`'s current weights, recorded at its current step. */
  async sample(run = 0, prompt?: string): Promise<string> {
    return this.sampleLane(this.lane(run), prompt);
  }

  private async sampleLane(l: RunLane, prompt = l.config.sample_prompt): Promise<string> {
    await this.flushRing();
    const c = l.config;
    const P = { buffer: this.model.buffers.P, offset: l.index * this.model.runs.P * 4, size: this.model.params.size * 4 };
    l.generator ??= await Generator.create(this.ctx, l.shape, this.model.params, P, l.seqLen);
    const ids = await l.generator.generate(l.tokenizer.encode(prompt), { length: c.sample_length, temperature: c.sample_temperature, topK: c.sample_top_k, seed: c.seed + l.lastRecorded });
    const text = l.tokenizer.decode(ids);
    recordSample(l.record, { step: l.lastRecorded, prompt, text, temperature: c.sample_temperature, top_k: c.sample_top_k });
    l.events.sample?.({ step: l.lastRecorded, prompt, text });
    return text;
  }

  /**
   * Hands run `run`'s state after its last whole step to its `checkpoint` event (unless one was
   * taken at this step, or the run halted). Its cost (read-back, encoding, the handler's write) is timed.
   */
  async checkpoint(run = 0): Promise<void> {
    return this.checkpointLane(this.lane(run));
  }

  private async checkpointLane(l: RunLane): Promise<void> {
    await this.flushRing();
    if (!l.events.checkpoint || l.halted || l.lastRecorded === 0 || l.lastCheckpointStep === l.lastRecorded) return;
    const t = performance.now();
    const snap = await this.model.readOptimizer(l.index);
    const step = l.lastRecorded;
    const record = structuredClone(l.record);
    record.outcome.elapsed_ms = t - l.t0;
    await l.events.checkpoint({
      state: checkpointState({
        step, record, config: l.config, identity: l.plan.identity, kernelStyle: this.model.graph.style, adapter: this.ctx.adapter.name,
        sampler: l.sampler.state, optimizer: snap.state, early: l.early,
      }),
      tensors: checkpointTensors(this.model.params, snap),
    });
    l.lastCheckpointStep = step;
    const now = performance.now();
    l.clock.wrote(now - t, now);
  }

  /**
   * A lane that wants no more steps ends: a stopped run's checkpoint (the state before the end-of-run
   * evaluation, so it can be resumed), then the last step's evaluation and sample, then its record.
   */
  private async endLane(l: RunLane): Promise<void> {
    if (l.stopRequested && l.step < l.maxSteps) await this.checkpointLane(l);
    await this.flushRing();
    const trained = !l.halted && l.lastRecorded > 0;
    if (trained && l.record.evals.at(-1)?.step !== l.lastRecorded) await this.evaluateLanes([l]);
    if (trained && l.record.samples.at(-1)?.step !== l.lastRecorded) await this.sampleLane(l);
    l.finish(this.elapsed(l));
    await l.events.ended?.(l.record);
  }

  /** Ends the lanes that are over; sees to a new pause (checkpoint, status) of the others. */
  private async settleLanes(): Promise<void> {
    for (const l of this.lanes) {
      if (l.ended) continue;
      if (!l.wantsSteps) await this.endLane(l);
      else if (l.paused && !l.pauseSettled) {
        await this.checkpointLane(l);
        l.status('paused', this.elapsed(l));
        l.pauseSettled = true;
      }
    }
  }

  /** Trains every run until its max_steps, a stop, early stopping or divergence. Returns the finished records, in run order. */
  async runAll(): Promise<RunRecord[]> {
    const now = performance.now();
    for (const l of this.lanes) {
      l.t0 = now - (l.record.outcome.elapsed_ms || 0);
      l.clock = new CheckpointClock(l.config.checkpoint_interval, now);
      l.record.outcome.status = 'running';
      l.status('running', this.elapsed(l));
    }
    try {
      // The starting point of each validation curve (what a fine-tune improves on, or does not).
      const fresh = this.lanes.filter((l) => l.config.eval_interval > 0 && l.step === 0 && !l.record.evals.length);
      if (fresh.length) await this.evaluateLanes(fresh);
      for (;;) {
        await this.settleLanes();
        if (this.lanes.every((l) => l.ended)) break;
        const training = this.lanes.filter((l) => l.trainsNext);
        if (!training.length) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = null;
          continue;
        }
        const due = training.map((l) => {
          const s = l.step + 1;
          const c = l.config;
          return {
            lane: l, s, report: s % c.metrics_interval === 0,
            eval: c.eval_interval > 0 && s % c.eval_interval === 0,
            sample: c.sample_interval > 0 && s % c.sample_interval === 0,
            last: s === l.maxSteps || (l.stepBudget !== null && l.stepBudget <= 1),
          };
        });
        await this.submitStep(training, due.some((d) => d.report || d.eval || d.sample || d.last));
        for (const l of training) if (l.stepBudget !== null && --l.stepBudget <= 0) l.pause();
        if (due.some((d) => d.report)) {
          await yieldToEventLoop();
          for (const d of due) if (d.report) d.lane.status('running', this.elapsed(d.lane));
        }
        const stopping = this.lanes.some((l) => !l.ended && ((l.paused && !l.pauseSettled) || l.stopRequested));
        if (stopping || due.some((d) => d.eval || d.sample)) await this.flushRing();
        const evalNow = due.filter((d) => d.eval && !d.lane.halted).map((d) => d.lane);
        if (evalNow.length) await this.evaluateLanes(evalNow);
        for (const d of due) if (d.sample && !d.lane.halted) await this.sampleLane(d.lane);
        for (const { lane: l, s } of due) {
          if (!l.halted && s < l.maxSteps && !l.early.stop && l.clock.due(s, performance.now())) await this.checkpointLane(l);
        }
      }
    } catch (e) {
      for (const l of this.lanes) {
        if (l.ended) continue;
        l.record.outcome = { ...l.record.outcome, status: 'failed', step: l.lastRecorded, reason: (e as Error).message };
        l.finish(this.elapsed(l));
      }
      throw e;
    }
    return this.lanes.map((l) => l.record);
  }

  /** Trains the one run (or every packed run) to its end; returns the first run's record. */
  async run(): Promise<RunRecord> {
    return (await this.runAll())[0];
  }

  /** Run `run`'s current parameter arena (for saving weights; an ended run's stay as they ended). */
  async readParams(run = 0): Promise<Float32Array> {
    await this.flushRing();
    return this.model.readParams(run);
  }

  destroy(): void {
    this.ringReader.destroy();
    for (const l of this.lanes) l.generator?.destroy();
    this.model.destroy();
  }
}
