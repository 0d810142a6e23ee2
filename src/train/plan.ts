// A run, planned and checked before anything is allocated: config + base model + training text (+ the
// checkpoint it resumes) resolved into one value that the Trainer and its GpuModel both take. Every
// check that involves more than the config alone happens here, in this order, each refusal a
// ConfigErrors naming the key, the value and what is allowed; a refused plan has touched nothing.
//   1. the base model's shape against the config's model (a GPT-2 base's vocabulary and tied head its own)
//   2. the trainable scope (LoRA needs a base)
//   3. the train/validation split of the text, tokenized (each must hold a window of block_size + 1 tokens)
//   4. the memory fit of one micro-batch on this adapter
//   5. with a checkpoint: that it belongs to this config, text, base and parameter table

import { DataError, splitDataset, type Dataset } from '../data/dataset';
import { BYTE_TOKENIZER, type Tokenizer } from '../data/tokenizer';
import type { TrainScope } from '../model/params';
import type { ModelSetup } from '../model/gpu-model';
import { planModel, type ModelPlan } from '../model/plan';
import type { Checkpoint } from '../runs/checkpoint';
import type { ModelFile } from '../runs/model-files';
import { describeShape, sameShape, type ModelShape } from '../config/architecture';
import { ConfigError, ConfigErrors, seqLenOf, shapeOf, type TrainConfig } from '../config/config';
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
  /** The split text as it goes to the GPU: train tokens, validation tokens, a window of padding. */
  data: Dataset;
  /** Text ↔ tokens: the base's (a GPT-2 base's BPE), else bytes. */
  tokenizer: Tokenizer;
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

/**
 * The shape the run trains: the config's model, which must be the base's. A GPT-2 base brings what
 * a config's model cannot say (its vocabulary, its tied head): its shape is the base's own, and the
 * config's model must match its sizes.
 */
function shapeWithBase(c: TrainConfig, base: ModelFile | null): ModelShape {
  const asked = shapeOf(c.model);
  if (!base) return asked;
  const b = base.shape;
  const mine = b.family === 'gpt2' ? { ...asked, vocab: b.vocab, family: b.family } : asked;
  if (!sameShape(b, mine)) refuse([new ConfigError('model', c.model, `the shape of base_model ${c.base_model} (${describeShape(b)}); this config asks for ${describeShape(asked)}`)]);
  return b;
}

/**
 * Splits already made with a BPE tokenizer, by tokenizer and text (the very objects) and split: the
 * runs of a sweep share both, and tokenizing the 10 MB of SOTU takes seconds. Read-only once made.
 */
const bpeSplits = new WeakMap<Tokenizer, WeakMap<Uint8Array, Map<string, Dataset>>>();

/** The split, with a DataError (key: message) turned into a ConfigError on that key. */
function splitText(c: TrainConfig, text: Uint8Array, dataSource: string, window: number, tokenizer: Tokenizer): Dataset {
  try {
    if (tokenizer.kind === 'byte') return splitDataset(text, { valSplit: c.val_split, trainBytes: c.train_bytes, window });
    const byText = bpeSplits.get(tokenizer) ?? new WeakMap<Uint8Array, Map<string, Dataset>>();
    bpeSplits.set(tokenizer, byText);
    const splits = byText.get(text) ?? new Map<string, Dataset>();
    byText.set(text, splits);
    const key = `${c.val_split} ${c.train_bytes} ${window}`;
    const made = splits.get(key) ?? splitDataset(text, { valSplit: c.val_split, trainBytes: c.train_bytes, window }, 'train_data', tokenizer);
    splits.set(key, made);
    return made;
  } catch (e) {
    if (e instanceof DataError) refuse([new ConfigError(e.key, c[e.key as keyof TrainConfig] ?? dataSource, e.message.slice(e.key.length + 2))]);
    throw e;
  }
}

/** The model a config trains: micro-batches of batch_size × block_size, its AdamW, a ring of two read-back intervals. */
export function modelSetupOf(c: TrainConfig, shape: ModelShape, scope: TrainScope): ModelSetup {
  return {
    shape, scope, microBatch: c.batch_size, seqLen: seqLenOf(c, shape), accum: c.grad_accum_steps, evalBatches: c.eval_batches,
    optim: { beta1: c.beta1, beta2: c.beta2, eps: c.adam_eps, weightDecay: c.weight_decay, gradClip: c.grad_clip, divergeMargin: c.divergence_margin },
    ringSlots: 2 * c.metrics_interval,
  };
}

/** Resolves and checks a run (see the head of this file); throws ConfigErrors, and needs no GPU. */
export function planRun(input: RunPlanInput): RunPlan {
  const { config: c, text, dataSource, base } = input;
  const shape = shapeWithBase(c, base);
  const scope = resolveScope(c, base !== null, shape.family);
  // Within the context: parseConfig held block_size to the config's model, whose sizes are the base's.
  const T = seqLenOf(c, shape);
  const tokenizer = base?.tokenizer ?? BYTE_TOKENIZER;
  const data = splitText(c, text, dataSource, T + 1, tokenizer);
  const steps = totalSteps(c, data.trainLen, T);
  // Parsing refused a warmup_steps at or past max_steps; with epochs the steps are known only now.
  if (c.warmup_steps !== null && c.warmup_steps > 0 && c.warmup_steps >= steps) refuse([new ConfigError('warmup_steps', c.warmup_steps, `fewer than the run's ${steps} steps (epochs ${c.epochs}), or null (automatic)`)]);
  const schedule = scheduleOf(c, steps);
  const model = planModel(modelSetupOf(c, shape, scope));
  checkFits(model, input.limits, base ? 'base_model' : 'model', base ? c.base_model : c.model);
  const identity = { data: dataHash(text), base: base ? baseHash(base) : null };
  const resume = input.resume ?? null;
  if (resume) {
    const problems = resumeProblems(resume, { config: c, dataHash: identity.data, baseHash: identity.base, table: model.params });
    if (problems.length) refuse(problems);
  }
  return { config: c, shape, scope, data, tokenizer, dataSource, base, resume, schedule, model, memory: memoryOf(model, data.tokens.byteLength), identity };
}
