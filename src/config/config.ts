// The training config: one validated value for the browser and the CLI (YAML or JSON). Every field
// has its default, its group and a one-line explanation here, in one place; the UI builds its form
// from FIELDS. Bad input is refused with the key, the value and what is allowed, before anything runs.

import { z } from 'zod';
import { BYTE_VOCAB, FUSED_QKV, GPT2_TARGETS, LORA_TARGETS, MODEL_LIMITS, MODEL_PRESETS, type ModelShape, type PresetName } from './architecture';

export type FieldGroup = 'run' | 'data' | 'model' | 'lora' | 'optimizer' | 'schedule' | 'batching' | 'evaluation';

interface Field {
  schema: z.ZodType;
  default: unknown;
  group: FieldGroup;
  /** One line shown on hover. */
  help: string;
  /** What values are allowed, for error messages. */
  allowed: string;
  /** What null means, where a field may be null (an empty input shows it; default 'none'). */
  nullMeans?: string;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const num = (min: number, max = Number.MAX_VALUE, minExclusive = false) => (minExclusive ? z.number().gt(min).max(max) : z.number().min(min).max(max));

const modelSchema = z.union([
  z.enum(Object.keys(MODEL_PRESETS) as [PresetName, ...PresetName[]]),
  z.object({ d_model: int(...MODEL_LIMITS.dModel), n_layer: int(...MODEL_LIMITS.nLayer), n_head: int(...MODEL_LIMITS.nHead), context: int(...MODEL_LIMITS.context) }).strict(),
]);

/** What lora_targets may name: the byte model's modules, the fused qkv, and GPT-2's names as PEFT writes them. */
export const TARGET_NAMES = [...LORA_TARGETS, FUSED_QKV, ...(Object.keys(GPT2_TARGETS) as (keyof typeof GPT2_TARGETS)[])] as const;

/** block_size when the config leaves it out and the base is GPT-2 (whose n_positions is 1024): the classroom context. */
export const GPT2_BLOCK_SIZE = 128;

/** lora_rank when the config leaves it out and names a base_model (without one, every weight trains). */
export const DEFAULT_LORA_RANK = 8;
/** max_steps when the config sets neither it nor epochs. */
export const DEFAULT_MAX_STEPS = 300;
/** warmup_steps when the config leaves it out: a tenth of the run, at most 20 (short runs keep most of their steps at the peak). */
export const AUTO_WARMUP = { fraction: 0.1, max: 20 } as const;

export const FIELDS = {
  name: { schema: z.string().max(200), default: '', group: 'run', help: 'A name for the run list (default: taken from output_dir).', allowed: 'a string' },
  tags: { schema: z.array(z.string().max(60)).max(32), default: [], group: 'run', help: 'Labels to filter and group runs.', allowed: 'a list of strings' },
  notes: { schema: z.string().max(10000), default: '', group: 'run', help: 'Free text kept with the run.', allowed: 'a string' },
  seed: { schema: int(0, 2 ** 32 - 1), default: 1, group: 'run', help: 'Seeds initialisation and batch sampling: the same seed gives the same curve.', allowed: 'an integer from 0 to 4294967295' },
  output_dir: { schema: z.string().min(1), default: 'runs/run', group: 'run', help: 'Where the CLI writes run.json, metrics.csv and the weights.', allowed: 'a non-empty path' },
  checkpoint_interval: {
    schema: int(0).nullable(), default: null, group: 'run',
    help: 'Steps between checkpoints, from which an interrupted run resumes exactly; also on pause and stop. 0: none; null (default): automatic, at least 10 s apart and at most 1% of training time. Measured on SwiftShader: 22 ms a checkpoint for tiny (3% of a step), 161 ms for classroom (0.8%).',
    allowed: 'an integer ≥ 0, or null (automatic)',
    nullMeans: 'auto',
  },

  train_data: { schema: z.string().min(1), default: 'sotu', group: 'data', help: 'moby-dick, sotu, or a path to a UTF-8 text file.', allowed: "'moby-dick', 'sotu' or a path to a UTF-8 text file" },
  val_split: { schema: num(0, 0.5, true), default: 0.1, group: 'data', help: 'Fraction of the text held out at its end for validation.', allowed: 'a number above 0 and at most 0.5' },
  train_bytes: { schema: int(1).nullable(), default: null, group: 'data', help: 'Train only on the first N bytes of the training split (shows over-fitting on small data).', allowed: 'a positive integer or null' },
  train_windows: { schema: int(1).nullable(), default: null, group: 'data', help: 'Train only on N fixed windows of the training split.', allowed: 'a positive integer or null' },

  model: { schema: modelSchema, default: 'classroom', group: 'model', help: 'tiny, classroom, nanogpt, or {d_model, n_layer, n_head, context}.', allowed: "'tiny', 'classroom', 'nanogpt' or {d_model, n_layer, n_head, context}" },
  base_model: {
    schema: z.string().min(1).nullable(), default: null, group: 'model',
    help: "A model to fine-tune: a Stepsize model.safetensors, or a GPT-2 directory in Hugging Face's layout (config.json, model.safetensors, tokenizer.json); null trains from scratch.",
    allowed: 'a path to a .safetensors file or a GPT-2 directory, or null',
  },
  block_size: {
    schema: int(...MODEL_LIMITS.context).nullable(), default: null, group: 'model',
    help: `Tokens per training sequence, at most the model's context. null (default): the model's context; ${GPT2_BLOCK_SIZE} on a GPT-2 base.`,
    allowed: `an integer from ${MODEL_LIMITS.context[0]} to the model's context, or null (automatic)`,
    nullMeans: 'auto',
  },

  lora_rank: {
    schema: int(0, 256).nullable(), default: null, group: 'lora',
    help: `Rank r of the LoRA adapters; 0 fine-tunes every weight instead. null (default): ${DEFAULT_LORA_RANK} with a base_model, 0 (train every weight) without.`,
    allowed: 'an integer from 0 (full fine-tuning) to 256, or null (automatic)',
    nullMeans: 'auto',
  },
  lora_alpha: { schema: num(0, 1e6, true), default: 16, group: 'lora', help: 'Adapter output scale alpha/r (alpha/√r with rsLoRA).', allowed: 'a positive number' },
  lora_targets: {
    schema: z.array(z.enum(TARGET_NAMES)).min(1), default: [...LORA_TARGETS], group: 'lora',
    help: "Which linear layers get adapters: q, k, v, o, fc, proj; qkv (one adapter on the fused q, k, v); or GPT-2's names c_attn (= qkv), c_proj (= o and proj), c_fc (= fc). On a GPT-2 base q, k, v go together (as c_attn).",
    allowed: `a non-empty list of ${TARGET_NAMES.join(', ')}`,
  },
  use_rslora: { schema: z.boolean(), default: false, group: 'lora', help: 'Rank-stabilised LoRA: scale by alpha/√r.', allowed: 'true or false' },
  lora_b_lr_mult: { schema: num(0, 1e6, true), default: 1, group: 'lora', help: "LoRA B's learning rate relative to A's (LoRA+ suggests 16).", allowed: 'a positive number' },

  learning_rate: { schema: num(0, 10, true), default: 2e-4, group: 'optimizer', help: 'Peak learning rate of AdamW.', allowed: 'a number above 0 and at most 10' },
  weight_decay: { schema: num(0, 10), default: 0.01, group: 'optimizer', help: 'Decoupled weight decay (AdamW); not on LayerNorm or biases by default.', allowed: 'a number from 0 to 10' },
  beta1: { schema: num(0, 1).refine((v) => v < 1), default: 0.9, group: 'optimizer', help: 'AdamW first-moment decay.', allowed: 'a number from 0 to below 1' },
  beta2: { schema: num(0, 1).refine((v) => v < 1), default: 0.99, group: 'optimizer', help: 'AdamW second-moment decay.', allowed: 'a number from 0 to below 1' },
  adam_eps: { schema: num(0, 1, true), default: 1e-8, group: 'optimizer', help: "AdamW's epsilon.", allowed: 'a number above 0 and at most 1' },
  grad_clip: { schema: num(0, 1e6), default: 1.0, group: 'optimizer', help: 'Clip the global gradient norm to this; 0 turns clipping off.', allowed: 'a number ≥ 0' },
  layer_lr_decay: { schema: num(0, 1, true), default: 1, group: 'optimizer', help: 'Discriminative rates: each block below the top trains at this factor of the one above.', allowed: 'a number above 0 and at most 1' },
  embedding_lr_mult: { schema: num(0, 1e6, true), default: 1, group: 'optimizer', help: 'Learning-rate multiplier of the token and position embeddings.', allowed: 'a positive number' },
  head_lr_mult: { schema: num(0, 1e6, true), default: 1, group: 'optimizer', help: 'Learning-rate multiplier of the output head.', allowed: 'a positive number' },
  decay_norm_and_bias: { schema: z.boolean(), default: false, group: 'optimizer', help: 'Apply weight decay to LayerNorm weights and biases too.', allowed: 'true or false' },

  max_steps: {
    schema: int(1, 10_000_000).nullable(), default: null, group: 'schedule',
    help: `Optimizer steps to train (or set epochs instead). null (default): from epochs when it is set, else ${DEFAULT_MAX_STEPS}.`,
    allowed: 'a positive integer, or null (automatic)',
    nullMeans: 'auto',
  },
  epochs: { schema: num(0, 1e6, true).nullable(), default: null, group: 'schedule', help: 'Passes over the training bytes; sets max_steps.', allowed: 'a positive number, or null' },
  warmup_steps: {
    schema: int(0).nullable(), default: null, group: 'schedule',
    help: `Steps to ramp the rate from warmup_init_lr to the peak. null (default): ${AUTO_WARMUP.fraction * 100}% of the steps, at most ${AUTO_WARMUP.max} (none with lr_schedule exponential).`,
    allowed: 'an integer ≥ 0 below max_steps, or null (automatic)',
    nullMeans: 'auto',
  },
  warmup_init_lr: { schema: num(0, 10), default: 1e-7, group: 'schedule', help: 'Rate at the first warmup step.', allowed: 'a number ≥ 0' },
  warmup_shape: { schema: z.enum(['linear', 'cosine']), default: 'linear', group: 'schedule', help: 'Shape of the warmup ramp.', allowed: "'linear' or 'cosine'" },
  lr_schedule: { schema: z.enum(['constant', 'linear', 'cosine', 'exponential']), default: 'cosine', group: 'schedule', help: 'After warmup: keep the peak, or decay linearly or along a cosine to min_lr; exponential ramps from warmup_init_lr to the peak (LR range test).', allowed: "'constant', 'linear', 'cosine' or 'exponential'" },
  min_lr: { schema: num(0, 10).nullable(), default: null, group: 'schedule', help: 'Floor of the decay (default: a tenth of the peak).', allowed: 'a number ≥ 0 and ≤ learning_rate, or null' },

  batch_size: { schema: int(1, 4096), default: 16, group: 'batching', help: 'Sequences per micro-batch (one forward/backward).', allowed: 'an integer from 1 to 4096 that fits in GPU memory' },
  grad_accum_steps: { schema: int(1, 1024), default: 1, group: 'batching', help: 'Micro-batches summed per update: effective batch = batch_size × this.', allowed: 'an integer from 1 to 1024' },

  eval_interval: { schema: int(0), default: 50, group: 'evaluation', help: 'Evaluate on the validation split every N steps (0: only at the end).', allowed: 'an integer ≥ 0' },
  eval_batches: { schema: int(1, 1000), default: 8, group: 'evaluation', help: 'Validation batches per evaluation (fixed windows, the same every time).', allowed: 'an integer from 1 to 1000' },
  early_stopping_patience: { schema: int(0), default: 0, group: 'evaluation', help: 'Stop after this many evaluations without a better validation loss (0: never).', allowed: 'an integer ≥ 0' },
  sample_interval: { schema: int(0), default: 100, group: 'evaluation', help: 'Generate a text sample every N steps (0: only at the end).', allowed: 'an integer ≥ 0' },
  sample_prompt: { schema: z.string().max(1000), default: 'The ', group: 'evaluation', help: 'Text the samples start from.', allowed: 'a string of at most 1000 characters' },
  sample_length: { schema: int(1, 4096), default: 200, group: 'evaluation', help: 'Tokens (bytes, for a byte-level model) to generate per sample.', allowed: 'an integer from 1 to 4096' },
  sample_temperature: { schema: num(0, 10, true), default: 0.8, group: 'evaluation', help: 'Sampling temperature: lower is more conservative.', allowed: 'a number above 0 and at most 10' },
  sample_top_k: { schema: int(0, 256), default: 40, group: 'evaluation', help: 'Sample among the k likeliest tokens (0: all).', allowed: 'an integer from 0 to 256' },
  divergence_margin: { schema: num(0, 1e6), default: 3, group: 'evaluation', help: "Stop when the loss rises this many nats above the first step's (0: only on NaN/Inf).", allowed: 'a number ≥ 0' },
  metrics_interval: { schema: int(1, 1000), default: 10, group: 'evaluation', help: 'Read metrics back from the GPU every N steps (they are recorded for every step).', allowed: 'an integer from 1 to 1000' },
} satisfies Record<string, Field>;

export type ConfigKey = keyof typeof FIELDS;
type Out<K extends ConfigKey> = z.infer<(typeof FIELDS)[K]['schema']>;
/** Keys whose null (automatic) default parseConfig resolves, so a parsed config holds a number. */
type ResolvedAtParse = 'lora_rank';
/**
 * A validated config. lora_rank is resolved here (it depends only on base_model); max_steps and
 * warmup_steps may stay null (automatic) because they depend on the text's length (epochs):
 * totalSteps and scheduleOf in src/train/resolve.ts resolve them.
 */
export type TrainConfig = { [K in Exclude<ConfigKey, ResolvedAtParse>]: Out<K> } & { lora_rank: number };
export type ModelChoice = TrainConfig['model'];

export const CONFIG_KEYS = Object.keys(FIELDS) as ConfigKey[];

/** Every key at its default as written in a form or file: automatic keys are null. */
export function defaultValues(): Record<ConfigKey, unknown> {
  return Object.fromEntries(CONFIG_KEYS.map((k) => [k, structuredClone(FIELDS[k].default)])) as Record<ConfigKey, unknown>;
}

/** The config of an empty file: every default, resolved. */
export function defaultConfig(): TrainConfig {
  return parseConfig({});
}

/** warmup_steps of a run of `steps` steps: the config's, or the automatic default. */
export function warmupStepsOf(c: Pick<TrainConfig, 'warmup_steps' | 'lr_schedule'>, steps: number): number {
  if (c.warmup_steps !== null) return c.warmup_steps;
  if (c.lr_schedule === 'exponential') return 0;
  return Math.min(AUTO_WARMUP.max, Math.floor(steps * AUTO_WARMUP.fraction));
}

/** A bad config value: names the key, the value and what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly key: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${key}: ${show(value)} is not allowed; ${allowed}`);
    this.name = 'ConfigError';
  }
}

/** Several bad values at once (the UI marks each field; the CLI prints the first). */
export class ConfigErrors extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

function show(v: unknown): string {
  if (v === undefined) return '(missing)';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Names other tools use for our keys (Hugging Face TrainingArguments, PEFT, nanoGPT). */
const ALIASES: Record<string, ConfigKey> = {
  lr: 'learning_rate', wd: 'weight_decay', r: 'lora_rank', rank: 'lora_rank', alpha: 'lora_alpha',
  target_modules: 'lora_targets', batch: 'batch_size', per_device_train_batch_size: 'batch_size',
  gradient_accumulation_steps: 'grad_accum_steps', steps: 'max_steps', max_iters: 'max_steps',
  num_train_epochs: 'epochs', warmup: 'warmup_steps', warmup_iters: 'warmup_steps',
  lr_scheduler_type: 'lr_schedule', max_grad_norm: 'grad_clip', clip: 'grad_clip',
  adam_beta1: 'beta1', adam_beta2: 'beta2', adam_epsilon: 'adam_eps', use_rslora_scaling: 'use_rslora',
  max_seq_length: 'block_size', max_length: 'block_size', seq_len: 'block_size',
};

function closest(key: string): string | null {
  if (key in ALIASES) return ALIASES[key];
  let best: string | null = null;
  let bestD = 4;
  for (const k of CONFIG_KEYS) {
    const d = editDistance(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return dp[a.length][b.length];
}

/** Tokens per training sequence: block_size, or the automatic default for this model. */
export function seqLenOf(c: Pick<TrainConfig, 'block_size'>, s: ModelShape): number {
  return c.block_size ?? (s.family === 'gpt2' ? Math.min(GPT2_BLOCK_SIZE, s.context) : s.context);
}

export function shapeOf(model: ModelChoice): ModelShape {
  if (typeof model === 'string') return MODEL_PRESETS[model];
  return { vocab: BYTE_VOCAB, dModel: model.d_model, nLayer: model.n_layer, nHead: model.n_head, context: model.context };
}

/** The model value of a shape: its preset's name when it is one, else {d_model, n_layer, n_head, context}. */
export function modelChoiceOf(s: ModelShape): ModelChoice {
  for (const [name, p] of Object.entries(MODEL_PRESETS)) {
    if (p.dModel === s.dModel && p.nLayer === s.nLayer && p.nHead === s.nHead && p.context === s.context && p.vocab === s.vocab) return name as PresetName;
  }
  return { d_model: s.dModel, n_layer: s.nLayer, n_head: s.nHead, context: s.context };
}

/**
 * A config that names a base_model but not a model fine-tunes the base as it is: `model` is taken
 * from the base's shape (`baseShape`, read by the caller), so the default model never refuses a base.
 */
export function withModelOfBase(raw: unknown, baseShape: ModelShape | null): unknown {
  if (baseShape === null || raw === null || typeof raw !== 'object' || Array.isArray(raw) || 'model' in raw) return raw;
  return { ...raw, model: modelChoiceOf(baseShape) };
}

/** Checks that involve several keys. */
function crossChecks(c: TrainConfig): ConfigError[] {
  const errs: ConfigError[] = [];
  const s = shapeOf(c.model);
  if (s.dModel % s.nHead !== 0) errs.push(new ConfigError('model', c.model, `d_model must be divisible by n_head (${s.dModel} / ${s.nHead})`));
  else if (s.dModel / s.nHead > MODEL_LIMITS.headDim[1]) errs.push(new ConfigError('model', c.model, `d_model / n_head must be at most ${MODEL_LIMITS.headDim[1]} (it is ${s.dModel / s.nHead})`));
  if (c.max_steps !== null && c.epochs !== null) errs.push(new ConfigError('epochs', c.epochs, `set either epochs or max_steps, not both (max_steps is ${c.max_steps})`));
  // warmup_steps null is automatic and always fits; only a value the config wrote can be too long.
  if (c.warmup_steps !== null && c.warmup_steps > 0) {
    const steps = c.max_steps ?? (c.epochs === null ? DEFAULT_MAX_STEPS : null);
    if (steps !== null && c.warmup_steps >= steps) errs.push(new ConfigError('warmup_steps', c.warmup_steps, `fewer than max_steps (${steps}), or null (automatic: ${warmupStepsOf({ ...c, warmup_steps: null }, steps)} here)`));
    if (c.lr_schedule === 'exponential') errs.push(new ConfigError('warmup_steps', c.warmup_steps, '0 or null with lr_schedule exponential (the ramp from warmup_init_lr is the whole schedule)'));
  }
  if (c.lr_schedule === 'exponential' && !(c.warmup_init_lr > 0)) errs.push(new ConfigError('warmup_init_lr', c.warmup_init_lr, 'above 0 with lr_schedule exponential (the ramp starts there)'));
  if (c.min_lr !== null && c.min_lr > c.learning_rate) errs.push(new ConfigError('min_lr', c.min_lr, `at most learning_rate (${c.learning_rate})`));
  if (c.lora_rank > Math.min(s.dModel, 256)) errs.push(new ConfigError('lora_rank', c.lora_rank, `at most d_model (${s.dModel})`));
  if (new Set(c.lora_targets).size !== c.lora_targets.length) errs.push(new ConfigError('lora_targets', c.lora_targets, 'each module at most once'));
  else {
    const fused = c.lora_targets.find((t) => t === FUSED_QKV || t === 'c_attn');
    const part = c.lora_targets.find((t) => t === 'q' || t === 'k' || t === 'v');
    if (fused && part) errs.push(new ConfigError('lora_targets', c.lora_targets, `${fused} is one adapter on q, k and v together; name it or ${part}, not both`));
    else if (c.lora_targets.includes('c_proj') && (c.lora_targets.includes('o') || c.lora_targets.includes('proj'))) errs.push(new ConfigError('lora_targets', c.lora_targets, 'c_proj already adapts o and proj; name it or them, not both'));
    else if (c.lora_targets.includes('c_fc') && c.lora_targets.includes('fc')) errs.push(new ConfigError('lora_targets', c.lora_targets, 'c_fc is fc; name one of them'));
  }
  if (c.block_size !== null && c.block_size > s.context) errs.push(new ConfigError('block_size', c.block_size, `at most the model's context (${s.context}), or null (automatic)`));
  if (c.train_bytes !== null && c.train_windows !== null) errs.push(new ConfigError('train_windows', c.train_windows, 'set train_bytes or train_windows, not both'));
  return errs;
}

/**
 * Validates a parsed YAML/JSON object against the schema. Missing keys take their defaults; unknown
 * keys, wrong types and out-of-range values are all reported (ConfigErrors), and nothing is returned.
 */
export function parseConfig(input: unknown): TrainConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigErrors([new ConfigError('(config)', input, 'a mapping of keys to values')]);
  }
  const errs: ConfigError[] = [];
  const out = defaultValues() as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (!(key in FIELDS)) {
      const near = closest(key);
      errs.push(new ConfigError(key, value, `unknown key${near ? ` (did you mean ${near}?)` : ''}; known keys: ${CONFIG_KEYS.join(', ')}`));
      continue;
    }
    const f = FIELDS[key as ConfigKey];
    const r = f.schema.safeParse(value);
    if (r.success) out[key] = r.data;
    else errs.push(new ConfigError(key, value, f.allowed));
  }
  if (errs.length) throw new ConfigErrors(errs);
  // Automatic defaults: LoRA adapts a base; without one, every weight trains (never an error).
  if (out.lora_rank === null) out.lora_rank = out.base_model === null ? 0 : DEFAULT_LORA_RANK;
  const c = out as TrainConfig;
  const cross = crossChecks(c);
  if (cross.length) throw new ConfigErrors(cross);
  return c;
}

export function effectiveBatch(c: Pick<TrainConfig, 'batch_size' | 'grad_accum_steps'>): number {
  return c.batch_size * c.grad_accum_steps;
}

export function minLrOf(c: TrainConfig): number {
  return c.min_lr ?? c.learning_rate / 10;
}
