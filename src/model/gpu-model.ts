// The GPT on the GPU: arenas (P parameters, G gradients, M and V AdamW moments, X activations), the
// corpus, all sized by a ModelPlan (plan.ts), and three fixed programs built once per configuration:
//   train: [LoRA merge] + accum × (forward + backward [+ LoRA dA]) + optimizer (4 dispatches)
//   eval:  [LoRA merge] + evalBatches × forward (losses only)
//   copy:  once after weights are loaded: frozen qkv rows into LoRA's merged blocks
// A training step writes only each run's window offsets and its 48-byte Step record (STEP_BYTES),
// then encodes the train program in one compute pass.

import { createStorage, createStorageFrom, readBytes, readF32, readRegions, upload } from '../gpu/buffers';
import type { GpuContext } from '../gpu/device';
import { GpuOperationError } from '../gpu/errors';
import { Program } from '../gpu/program';
import { packTokens } from '../kernels/embedding';
import type { Runs } from '../kernels/runs';
import { styleFor, type KernelStyle } from '../kernels/style';
import {
  decodeSlot, decodeState, HALT_REASONS, optimizerStep, packHold, packStep, STATE_BYTES, STEP_BYTES,
  type HaltState, type OptimHyper, type OptimTable, type StepMetrics,
} from '../kernels/optim';

export { HALT_REASONS, type StepMetrics };
import type { ActivationPlan } from './activations';
import { backwardDispatches, copyFrozenDispatches, forwardDispatches, mergeDispatches, type Graph } from './graph';
import type { ParamTable, TrainScope } from './params';
import type { ModelPlan } from './plan';
import { describeShape, type ModelShape } from '../config/architecture';
import type { Tokens } from '../data/tokenizer';

/** What a model is built for; planModel (plan.ts) sizes it. */
export interface ModelSetup {
  shape: ModelShape;
  scope: TrainScope;
  /** Sequences per micro-batch. */
  microBatch: number;
  /** Positions per sequence (≤ shape.context). */
  seqLen: number;
  /** Micro-batches accumulated per optimizer step. */
  accum: number;
  /** Batches in the evaluation program (0: no evaluation). */
  evalBatches: number;
  optim: OptimHyper;
  /** Metric ring slots (≥ 2 × the read-back interval). */
  ringSlots: number;
  /** Build the training program (false: evaluation and sampling only, e.g. the eval CLI). */
  training?: boolean;
  /** Kernel style; by default the adapter's (styleFor). Tests pin it to cover both. */
  style?: KernelStyle;
  /**
   * Runs of this setup trained side by side (default 1): each its own parameters, moments,
   * activations, windows, Step (rate and hyperparameters), State and ring, in every buffer one after
   * another; every dispatch covers all of them, so the step's dispatch count does not grow.
   */
  runs?: number;
}

export interface ModelBuffers {
  P: GPUBuffer;
  G: GPUBuffer;
  M: GPUBuffer;
  V: GPUBuffer;
  X: GPUBuffer;
  corpus: GPUBuffer;
  windows: GPUBuffer;
  step: GPUBuffer;
  table: GPUBuffer;
  work: GPUBuffer;
  state: GPUBuffer;
  ring: GPUBuffer;
}

/**
 * What a checkpoint takes from the GPU: the trainable prefix of P [trainableSize], AdamW's moments
 * M and V [trainableSize], and the optimizer state block (first loss, halt flag, …; STATE_BYTES).
 */
export interface OptimizerSnapshot {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  state: Uint32Array;
}

export class GpuModel {
  readonly params: ParamTable;
  readonly acts: ActivationPlan;
  readonly table: OptimTable;
  readonly graph: Graph;
  private readonly trainProgram: Program | null;
  readonly evaluate: Program | null;
  private readonly copy: Program | null;
  readonly setup: ModelSetup;

  private constructor(
    readonly ctx: GpuContext,
    readonly plan: ModelPlan,
    readonly buffers: ModelBuffers,
    parts: { graph: Graph; train: Program | null; evaluate: Program | null; copy: Program | null },
  ) {
    this.setup = plan.setup;
    this.params = plan.params;
    this.acts = plan.acts;
    this.table = plan.table;
    this.graph = parts.graph;
    this.trainProgram = parts.train;
    this.evaluate = parts.evaluate;
    this.copy = parts.copy;
  }

  /** Allocates what the plan sizes and builds the programs. `corpus` holds the train and validation tokens. */
  static async create(ctx: GpuContext, plan: ModelPlan, corpus: Tokens): Promise<GpuModel> {
    const { setup, params, acts, table, bytes } = plan;
    const { shape, microBatch: B, seqLen: T, accum } = setup;
    const rows = B * T;
    const training = setup.training !== false;
    const maxBinding = ctx.limits.maxStorageBufferBindingSize;
    const K = plan.runs.count;
    // Each arena is one binding: parameters (and, training, their gradients and moments) too.
    const arena = (['P', 'G', 'M', 'V'] as const).find((k) => bytes[k] > maxBinding);
    if (arena) {
      throw new GpuOperationError(
        `the ${arena === 'P' ? 'parameter' : arena === 'G' ? 'gradient' : 'AdamW moment'} arena of ${describeShape(shape)}${K > 1 ? `, ${K} runs side by side` : ''}`,
        'out-of-memory',
        `${bytes[arena]} bytes exceed the adapter's maxStorageBufferBindingSize ${maxBinding}; this model needs a GPU that binds that much in one buffer`,
      );
    }
    if (bytes.X > maxBinding) {
      throw new GpuOperationError(
        `activations for micro-batch ${B} × ${T}${K > 1 ? `, ${K} runs side by side` : ''}`,
        'out-of-memory',
        `${bytes.X} bytes exceed the adapter's maxStorageBufferBindingSize ${maxBinding}; ${K > 1 ? 'train fewer runs together, or ' : ''}use a smaller batch_size with more grad_accum_steps`,
      );
    }
    const buffers: ModelBuffers = {
      P: await createStorage(ctx, 'params', bytes.P),
      G: await createStorage(ctx, 'grads', bytes.G),
      M: await createStorage(ctx, 'adam m', bytes.M),
      V: await createStorage(ctx, 'adam v', bytes.V),
      X: await createStorage(ctx, 'activations', bytes.X),
      corpus: await createStorageFrom(ctx, 'corpus', packTokens(corpus)),
      windows: await createStorage(ctx, 'windows', bytes.windows),
      step: await createStorage(ctx, 'step', bytes.step),
      table: await createStorageFrom(ctx, 'optim table', table.data),
      work: await createStorage(ctx, 'optim work', bytes.work),
      state: await createStorage(ctx, 'optim state', bytes.state),
      ring: await createStorage(ctx, 'metrics ring', bytes.ring),
    };
    const graph: Graph = { shape, params, acts, bufs: buffers, style: setup.style ?? styleFor(ctx.adapter), runs: plan.runs };
    const train = training ? await buildTrainProgram(ctx, setup, graph, table, buffers) : null;

    let evaluate: Program | null = null;
    if (setup.evalBatches > 0) {
      evaluate = new Program(ctx, 'evaluate');
      for (const d of mergeDispatches(graph)) evaluate.add(d);
      for (let e = 0; e < setup.evalBatches; e++) {
        for (const d of forwardDispatches(graph, { winOff: (accum + e) * B, lossOff: e * rows })) evaluate.add(d);
      }
      await evaluate.build();
    }
    const copyDispatches = copyFrozenDispatches(graph);
    const copy = copyDispatches.length ? await copyDispatches.reduce((p, d) => p.add(d), new Program(ctx, 'copy frozen')).build() : null;
    return new GpuModel(ctx, plan, buffers, { graph, train, evaluate, copy });
  }

  /** The training program (one optimizer step); absent for evaluation-only models. */
  get train(): Program {
    if (!this.trainProgram) throw new Error('this model was built without a training program');
    return this.trainProgram;
  }

  /** The packed runs (1 unless the setup asked for several) and their strides. */
  get runs(): Runs {
    return this.plan.runs;
  }

  private checkRun(run: number, what: string): void {
    if (!Number.isInteger(run) || run < 0 || run >= this.runs.count) throw new Error(`${what}: run ${run} is not one of this model's ${this.runs.count}`);
  }

  /** Uploads run `run`'s whole parameter arena (table.size floats) and refreshes derived buffers. */
  async setParams(arena: Float32Array, run = 0): Promise<void> {
    this.checkRun(run, 'setParams');
    if (arena.length !== this.params.size) throw new Error(`setParams: arena has ${arena.length} floats, model needs ${this.params.size}`);
    upload(this.ctx, this.buffers.P, arena, run * this.runs.P * 4);
    if (this.copy) await this.copy.run();
  }

  async readParams(run = 0): Promise<Float32Array> {
    this.checkRun(run, 'readParams');
    return readF32(this.ctx, this.buffers.P, run * this.runs.P, this.params.size);
  }

  async readGrads(run = 0): Promise<Float32Array> {
    this.checkRun(run, 'readGrads');
    return readF32(this.ctx, this.buffers.G, run * this.runs.G, this.params.trainableSize);
  }

  /** Reads run `run`'s trainable parameters, both moments and optimizer state in one submit. */
  async readOptimizer(run = 0): Promise<OptimizerSnapshot> {
    this.checkRun(run, 'readOptimizer');
    const n = this.params.trainableSize * 4;
    const b = this.buffers;
    const [params, m, v, state] = await readRegions(this.ctx, [
      { buffer: b.P, byteOffset: run * this.runs.P * 4, bytes: n },
      { buffer: b.M, byteOffset: run * this.runs.G * 4, bytes: n },
      { buffer: b.V, byteOffset: run * this.runs.G * 4, bytes: n },
      { buffer: b.state, byteOffset: run * STATE_BYTES, bytes: STATE_BYTES },
    ]);
    return { params: new Float32Array(params), m: new Float32Array(m), v: new Float32Array(v), state: new Uint32Array(state) };
  }

  /** Restores run `run`'s AdamW moments and optimizer state (parameters go through setParams). */
  setOptimizer(m: Float32Array, v: Float32Array, state: Uint32Array, run = 0): void {
    this.checkRun(run, 'setOptimizer');
    const n = this.params.trainableSize;
    if (m.length !== n || v.length !== n) throw new Error(`setOptimizer: moments of ${m.length} and ${v.length} floats, model trains ${n}`);
    if (state.byteLength !== STATE_BYTES) throw new Error(`setOptimizer: state of ${state.byteLength} bytes, the optimizer keeps ${STATE_BYTES}`);
    upload(this.ctx, this.buffers.M, m, run * this.runs.G * 4);
    upload(this.ctx, this.buffers.V, v, run * this.runs.G * 4);
    upload(this.ctx, this.buffers.state, state, run * STATE_BYTES);
  }

  /** Run `run`'s steps in a read-back of the whole metrics ring [runs × ringSlots × slotSize], oldest first. */
  decodeRing(ring: Float32Array, run = 0): StepMetrics[] {
    this.checkRun(run, 'decodeRing');
    const slots: StepMetrics[] = [];
    for (let s = 0; s < this.setup.ringSlots; s++) slots.push(decodeSlot(ring, run * this.setup.ringSlots + s, this.table.nTensors));
    return slots.sort((a, b) => a.step - b.step);
  }

  async readState(run = 0): Promise<HaltState> {
    this.checkRun(run, 'readState');
    return decodeState(await readBytes(this.ctx, this.buffers.state, run * STATE_BYTES, STATE_BYTES));
  }

  /**
   * Queues run `run`'s inputs for the next step: window starts (accum × B) and its Step record
   * (step number, rate, ring slot; the hyperparameters are the setup's unless `optim` is given).
   */
  writeStep(windows: Uint32Array, stepNumber: number, lr: number, slot: number, run = 0, optim: OptimHyper = this.setup.optim): void {
    this.checkRun(run, 'writeStep');
    const need = this.setup.accum * this.setup.microBatch;
    if (windows.length !== need) throw new Error(`writeStep: ${windows.length} window offsets, step needs ${need}`);
    upload(this.ctx, this.buffers.windows, windows, run * this.runs.windows * 4);
    this.ctx.device.queue.writeBuffer(this.buffers.step, run * STEP_BYTES, packStep(stepNumber, lr, optim, slot));
  }

  /**
   * Run `run` sits the next step out (paused, or ended while the others train on): its parameters,
   * moments, State and ring stay as they are, the gradient the step accumulates for it is dropped.
   */
  holdStep(run: number): void {
    this.checkRun(run, 'holdStep');
    this.ctx.device.queue.writeBuffer(this.buffers.step, run * STEP_BYTES, packHold());
  }

  /** Uploads run `run`'s evaluation windows (evalBatches × B offsets). */
  setEvalWindows(windows: Uint32Array, run = 0): void {
    this.checkRun(run, 'setEvalWindows');
    const need = this.setup.evalBatches * this.setup.microBatch;
    if (windows.length !== need) throw new Error(`setEvalWindows: ${windows.length} offsets, evaluation needs ${need}`);
    upload(this.ctx, this.buffers.windows, windows, (run * this.runs.windows + this.setup.accum * this.setup.microBatch) * 4);
  }

  /** Runs the evaluation program (every run) and returns run 0's mean loss over all evaluation rows. */
  async evaluateLoss(): Promise<number> {
    return (await this.evaluateLosses())[0];
  }

  /** Runs the evaluation program once for every run; each run's mean loss over its evaluation rows. */
  async evaluateLosses(): Promise<number[]> {
    const all = await this.runEvaluation();
    const n = this.setup.evalBatches * this.acts.rows;
    return Array.from({ length: this.runs.count }, (_, r) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += all[r * this.runs.X + i];
      return s / n;
    });
  }

  /** Every run's per-row evaluation losses, run r's n rows at r × the X stride (run 0's first). */
  private async runEvaluation(): Promise<Float32Array> {
    if (!this.evaluate) throw new Error('the model was built without evaluation batches');
    this.evaluate.submit();
    const n = this.setup.evalBatches * this.acts.rows;
    return readF32(this.ctx, this.buffers.X, this.acts.layout.get('losses').offset, (this.runs.count - 1) * this.runs.X + n);
  }

  /**
   * Per-row losses [starts.length × T] of arbitrary windows (each T + 1 tokens of the corpus), run
   * through the evaluation program in rounds of evalBatches × B windows.
   */
  async windowLosses(starts: Uint32Array): Promise<Float32Array> {
    const per = this.setup.evalBatches * this.setup.microBatch;
    const T = this.setup.seqLen;
    const out = new Float32Array(starts.length * T);
    for (let i = 0; i < starts.length; i += per) {
      const round = new Uint32Array(per);
      round.set(starts.subarray(i, i + per));
      this.setEvalWindows(round);
      const losses = await this.runEvaluation();
      out.set(losses.subarray(0, Math.min(per, starts.length - i) * T), i * T);
    }
    return out;
  }

  destroy(): void {
    this.trainProgram?.destroy();
    this.evaluate?.destroy();
    this.copy?.destroy();
    for (const b of Object.values(this.buffers)) b.destroy();
  }
}

/** [LoRA merge] + accum × (forward + backward) + the optimizer's four dispatches. */
async function buildTrainProgram(ctx: GpuContext, setup: ModelSetup, graph: Graph, table: OptimTable, buffers: ModelBuffers): Promise<Program> {
  const { microBatch: B, accum } = setup;
  const rows = graph.acts.rows;
  const gradScale = 1 / (rows * accum);
  const train = new Program(ctx, 'train step');
  for (const d of mergeDispatches(graph)) train.add(d);
  for (let i = 0; i < accum; i++) {
    for (const d of forwardDispatches(graph, { winOff: i * B, lossOff: i * rows, gradScale })) train.add(d);
    for (const d of backwardDispatches(graph, i * B)) train.add(d);
  }
  const lossOff = graph.acts.layout.get('losses').offset;
  for (const d of optimizerStep('step', { table, lossOff, lossCount: accum * rows, ringSlots: setup.ringSlots, zeroGrads: true }, {
    step: buffers.step, P: buffers.P, G: buffers.G, M: buffers.M, V: buffers.V, table: buffers.table,
    work: buffers.work, losses: buffers.X, state: buffers.state, ring: buffers.ring,
  }, graph.style, graph.runs)) train.add(d);
  return train.build();
}
