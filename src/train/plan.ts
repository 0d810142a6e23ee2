// A run, planned and checked before anything is allocated: config + base model + training text (+ the
// checkpoint it resumes) resolved into one value that the Trainer and its GpuModel both take. Every
// check that involves more than the config alone happens here, in this order, each refusal a
// ConfigErrors naming the key, the value and what is allowed; a refused plan has touched nothing.
//   1. the base model's shape against the config's model
//   2. the trainable scope (LoRA needs a base)
//   3. the train/validation split of the text (each must hold a window of context + 1 bytes)
//   4. the memory fit of one micro-batch on this adapter
//   5. with a checkpoint: that it belongs to this config, text, base and parameter table

import { DataError, splitDataset, type Dataset } from '../data/dataset';
import type { TrainScope } from '../model/params';
import type { ModelSetup } from '../model/gpu-model';
import { planModel, type ModelPlan } from '../model/plan';
import type { Checkpoint } from '../runs/checkpoint';
import type { ModelFile } from '../runs/model-files';
import { describeShape, type ModelShape } from '../config/architecture';
import { ConfigError, ConfigErrors, shapeOf, type TrainConfig } from '../config/config';
import { baseHash, dataHash, resumeProblems } from './checkpoint';
import { checkFits, memoryOf, type FitLimits, type MemoryEstimate } from './fit';
import { resolveScope, scheduleOf, totalSteps } from './resolve';
import type { Schedule } from './schedule';

export interface RunPlanInput {
  config: TrainConfig;
  /** The training text (train_data), whole; split here. */
  text: Uint8Array;
  /** Where the text came from, for the record ("sotu", a path, an uploaded file's name). */
  dataSource: string;
  base: ModelFile | null;
  /** The adapter's buffer limits (GpuContext.limits). */
  limits: FitLimits;
  /** Continue the run this checkpoint was taken from (it must match config, text and base). */
  resume?: Checkpoint;
}

export interface RunPlan {
  config: TrainConfig;
  shape: ModelShape;
  scope: TrainScope;
  /** The split text as it goes to the GPU: train bytes, validation bytes, a window of padding. */
  data: Dataset;
  dataSource: string;
  base: ModelFile | null;
  resume: Checkpoint | null;
  /** The learning rate at every step; its totalSteps is the run's length (max_steps, or epochs). */
  schedule: Schedule;
  /** Parameter table, activations, optimizer table and buffer sizes of the model this run builds. */
  model: ModelPlan;
  /** GPU memory by kind, the corpus included; the activations fit this adapter. */
  memory: MemoryEstimate;
  /** Checksums of the training text and the base model (null: from scratch), kept in checkpoints. */
  identity: { data: string; base: string | null };
}

function refuse(errors: ConfigError[]): never {
  throw new ConfigErrors(errors);
}

function checkBase(c: TrainConfig, shape: ModelShape, base: ModelFile | null): void {
  if (!base) return;
  const b = base.shape;
  if (b.dModel !== shape.dModel || b.nLayer !== shape.nLayer || b.nHead !== shape.nHead || b.context !== shape.context || b.vocab !== shape.vocab) {
    refuse([new ConfigError('model', c.model, `the shape of base_model ${c.base_model} (${describeShape(b)}); this config asks for ${describeShape(shape)}`)]);
  }
}

/** The split, with a DataError (key: message) turned into a ConfigError on that key. */
function splitText(c: TrainConfig, text: Uint8Array, dataSource: string, window: number): Dataset {
  try {
    return splitDataset(text, { valSplit: c.val_split, trainBytes: c.train_bytes, window });
  } catch (e) {
    if (e instanceof DataError) refuse([new ConfigError(e.key, c[e.key as keyof TrainConfig] ?? dataSource, e.message.slice(e.key.length + 2))]);
    throw e;
  }
}

/** The model a config trains: micro-batches of batch_size × context, its AdamW, a ring of two read-back intervals. */
export function modelSetupOf(c: TrainConfig, shape: ModelShape, scope: TrainScope): ModelSetup {
  return {
    shape, scope, microBatch: c.batch_size, seqLen: shape.context, accum: c.grad_accum_steps, evalBatches: c.eval_batches,
    optim: { beta1: c.beta1, beta2: c.beta2, eps: c.adam_eps, weightDecay: c.weight_decay, gradClip: c.grad_clip, divergeMargin: c.divergence_margin },
    ringSlots: 2 * c.metrics_interval,
  };
}

/** Resolves and checks a run (see the head of this file); throws ConfigErrors, and needs no GPU. */
export function planRun(input: RunPlanInput): RunPlan {
  const { config: c, text, dataSource, base } = input;
  const shape = shapeOf(c.model);
  checkBase(c, shape, base);
  const scope = resolveScope(c, base !== null);
  const data = splitText(c, text, dataSource, shape.context + 1);
  const steps = totalSteps(c, data.trainLen, shape.context);
  // Parsing refused a warmup_steps at or past max_steps; with epochs the steps are known only now.
  if (c.warmup_steps !== null && c.warmup_steps > 0 && c.warmup_steps >= steps) refuse([new ConfigError('warmup_steps', c.warmup_steps, `fewer than the run's ${steps} steps (epochs ${c.epochs}), or null (automatic)`)]);
  const schedule = scheduleOf(c, steps);
  const model = planModel(modelSetupOf(c, shape, scope));
  checkFits(model, input.limits);
  const identity = { data: dataHash(text), base: base ? baseHash(base) : null };
  const resume = input.resume ?? null;
  if (resume) {
    const problems = resumeProblems(resume, { config: c, dataHash: identity.data, baseHash: identity.base, table: model.params });
    if (problems.length) refuse(problems);
  }
  return { config: c, shape, scope, data, dataSource, base, resume, schedule, model, memory: memoryOf(model, data.bytes.length), identity };
}
