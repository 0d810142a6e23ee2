// Model and adapter files. A model is a safetensors file with PyTorch's tensor names and the
// architecture in __metadata__ (vocab, d_model, n_layer, n_head, context as strings). An adapter is
// PEFT's pair: adapter_model.safetensors (base_model.model.<module>.lora_A.weight [r, in],
// lora_B.weight [out, r]) and adapter_config.json. Both come from outside, so decoding checks the
// architecture and every tensor's name and shape on the CPU, before a GPU buffer is sized from them.

import { buildParamTable, type ParamTable, type TrainScope } from '../model/params';
import { BYTE_VOCAB, describeShape, FUSED_QKV, LORA_TARGETS, MAX_BPE_VOCAB, MODEL_LIMITS, type LoraSpec, type LoraTarget, type ModelShape } from '../config/architecture';
import { adapterTensors, baseTensors, loadTensors, PEFT_PREFIX, type NamedTensor } from '../model/weights';
import { GPT2_PEFT_PREFIX, GPT2_PEFT_TARGETS, gpt2AdapterName, gpt2TargetModules, gpt2TargetsOf, stepsizeAdapterName } from './hf-gpt2';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors';
import type { Tokenizer } from '../data/tokenizer';
import { bpeTokenizer } from '../data/bpe';

/** __metadata__ key of each ModelShape field. */
const ARCH_KEYS = { vocab: 'vocab', dModel: 'd_model', nLayer: 'n_layer', nHead: 'n_head', context: 'context' } as const satisfies Record<Exclude<keyof ModelShape, 'family'>, string>;

/** target_modules a Stepsize adapter may name: the byte model's modules and the fused qkv. */
const BYTE_TARGET_NAMES: readonly string[] = [...LORA_TARGETS, FUSED_QKV];

/** The largest LoRA rank a file may ask for (the config's lora_rank limit). */
export const MAX_LORA_RANK = 256;

/**
 * A model file. A GPT-2-family model carries what Hugging Face keeps beside its weights in
 * __metadata__ (`hf`: tokenizer.json and config.json, as JSON text), so one file is the whole base
 * (the page keeps GPT-2 bases so).
 */
export function encodeModelFile(table: ParamTable, arena: Float32Array, shape: ModelShape, extra: Record<string, string> = {}, hf?: ModelFile['hf']): Uint8Array {
  return encodeSafetensors(baseTensors(table, arena), {
    ...(hf ? { tokenizer: JSON.stringify(hf.tokenizer), hf_config: JSON.stringify(hf.config) } : {}),
    format: 'pt',
    vocab: String(shape.vocab),
    d_model: String(shape.dModel),
    n_layer: String(shape.nLayer),
    n_head: String(shape.nHead),
    context: String(shape.context),
    ...(shape.family ? { family: shape.family } : {}),
    ...extra,
  });
}

export interface ModelFile {
  shape: ModelShape;
  /** Stepsize's tensor names (a GPT-2 checkpoint's mapped by src/runs/hf-gpt2.ts). */
  tensors: NamedTensor[];
  metadata: Record<string, string>;
  /** The tokenizer the model was trained with; absent: byte tokens. */
  tokenizer?: Tokenizer;
  /** A Hugging Face checkpoint's own files, kept to write its layout again (config.json, tokenizer.json). */
  hf?: { config: Record<string, unknown>; tokenizer: unknown };
}

/** The architecture in __metadata__, each number checked against what the kernels and tokenizer handle. */
function readShape(meta: Record<string, string>, what: string): ModelShape {
  const bad = (key: string, allowed: string) =>
    new SafetensorsError(what, `__metadata__.${key} is ${meta[key] === undefined ? 'missing' : JSON.stringify(meta[key])}; ${allowed}`);
  const n = {} as ModelShape;
  for (const [field, key] of Object.entries(ARCH_KEYS) as [Exclude<keyof ModelShape, 'family'>, string][]) {
    const v = meta[key];
    if (v === undefined || !/^\d+$/.test(v)) throw bad(key, `a Stepsize model file stores ${Object.values(ARCH_KEYS).join(', ')} as whole numbers`);
    n[field] = Number(v);
  }
  if (meta.family !== undefined) {
    if (meta.family !== 'gpt2') throw bad('family', 'missing (a byte-level Stepsize model) or "gpt2"');
    n.family = 'gpt2';
    if (n.vocab < 2 || n.vocab > MAX_BPE_VOCAB) throw bad('vocab', `from 2 to ${MAX_BPE_VOCAB} for a GPT-2-family model`);
  } else if (n.vocab !== BYTE_VOCAB) {
    // The byte tokenizer emits all 256 byte values: with fewer rows, the embedding lookup and the
    // cross-entropy would read past the end of their tensors for the higher bytes.
    throw bad('vocab', `only ${BYTE_VOCAB} is allowed (one token per byte; a smaller vocabulary would let byte tokens read past the embedding's and cross-entropy's rows)`);
  }
  for (const field of ['dModel', 'nLayer', 'nHead', 'context'] as const) {
    const [lo, hi] = MODEL_LIMITS[field];
    if (n[field] < lo || n[field] > hi) throw bad(ARCH_KEYS[field], `allowed: ${lo} to ${hi}`);
  }
  if (n.dModel % n.nHead !== 0) throw bad('n_head', `it must divide d_model ${n.dModel}`);
  if (n.dModel / n.nHead > MODEL_LIMITS.headDim[1]) {
    throw bad('n_head', `d_model ${n.dModel} / n_head ${n.nHead} is a head size of ${n.dModel / n.nHead}; the attention kernel allows at most ${MODEL_LIMITS.headDim[1]}`);
  }
  return n;
}

const FULL_SCOPE: TrainScope = { mode: 'full', lora: null, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false };

const isLoraName = (name: string) => /\.lora_[AB]\./.test(name);

/**
 * Refuses any tensor not in `expected`, any of the wrong shape, and any missing, naming the file, the
 * tensor and the shape expected. `why` says what implies the expected set.
 */
function matchTensors(tensors: readonly NamedTensor[], expected: ReadonlyMap<string, number[]>, what: string, why: string, unknown: (name: string) => string): void {
  const dims = (s: readonly number[]) => `[${s.join(', ')}]`;
  for (const t of tensors) {
    const want = expected.get(t.name);
    if (!want) throw new SafetensorsError(what, `tensor ${t.name} ${unknown(t.name)}`);
    if (want.join(',') !== t.shape.join(',')) throw new SafetensorsError(what, `tensor ${t.name} has shape ${dims(t.shape)}; ${why} needs ${dims(want)}`);
  }
  const have = new Set(tensors.map((t) => t.name));
  for (const [name, shape] of expected) {
    if (!have.has(name)) throw new SafetensorsError(what, `tensor ${name} ${dims(shape)} is missing; ${why} needs it`);
  }
}

/** Decodes and validates a model file: the architecture in __metadata__, then every tensor against it. */
export function decodeModelFile(bytes: Uint8Array, what: string): ModelFile {
  const f = decodeSafetensors(bytes, what);
  const shape = readShape(f.metadata, what);
  const hf = shape.family === 'gpt2' ? readHf(f.metadata, what) : undefined;
  const expected = new Map([...buildParamTable(shape, FULL_SCOPE).files].map(([name, { part }]) => [name, part.shape]));
  matchTensors(f.tensors, expected, what, `a ${describeShape(shape)} model`, (name) =>
    isLoraName(name)
      ? 'is a LoRA adapter tensor; a model file holds base weights only (an adapter is a directory with adapter_model.safetensors)'
      : `is not part of a ${describeShape(shape)} model (its tensors are tok_emb.weight, pos_emb.weight, blocks.N.…, ln_f.*, head.weight)`,
  );
  return { shape, tensors: f.tensors, metadata: f.metadata, ...(hf ? { hf, tokenizer: bpeTokenizer(hf.tokenizer, shape.vocab, `${what} __metadata__.tokenizer`) } : {}) };
}

/** A base read from anywhere (a GPT-2 checkpoint directory, say) as one model file: its weights, tokenizer and config. */
export function modelFileOf(base: ModelFile, extra: Record<string, string> = {}): Uint8Array {
  const table = buildParamTable(base.shape, FULL_SCOPE);
  const arena = new Float32Array(table.size);
  loadTensors(table, arena, base.tensors, 'base', true);
  return encodeModelFile(table, arena, base.shape, extra, base.hf);
}

/** A GPT-2-family model file's tokenizer.json and config.json, from __metadata__. */
function readHf(meta: Record<string, string>, what: string): NonNullable<ModelFile['hf']> {
  const json = (key: string): unknown => {
    try {
      return JSON.parse(meta[key]);
    } catch {
      throw new SafetensorsError(what, `__metadata__.${key} is ${meta[key] === undefined ? 'missing' : 'not JSON'}; a GPT-2-family model file keeps its ${key === 'tokenizer' ? 'tokenizer.json' : 'config.json'} there`);
    }
  };
  const config = json('hf_config');
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new SafetensorsError(what, '__metadata__.hf_config is not a JSON object (config.json)');
  return { config: config as Record<string, unknown>, tokenizer: json('tokenizer') };
}

export interface AdapterConfig {
  peft_type: 'LORA';
  r: number;
  lora_alpha: number;
  target_modules: string[];
  use_rslora: boolean;
  base_model_name_or_path: string | null;
  lora_dropout: number;
  bias: 'none';
  fan_in_fan_out: boolean;
  task_type: 'CAUSAL_LM';
  inference_mode: boolean;
  init_lora_weights: boolean;
}

/**
 * The adapter in PEFT's files. On a GPT-2 base (`family` 'gpt2') it is named as PEFT names a GPT-2
 * adapter (base_model.model.transformer.h.{l}.attn.c_attn.lora_A.weight …, target_modules c_attn,
 * c_proj, c_fc, fan_in_fan_out true for its Conv1D modules), so it loads on that base in PEFT.
 */
export function encodeAdapter(table: ParamTable, arena: Float32Array, basePath: string | null, family?: 'gpt2'): { safetensors: Uint8Array; config: AdapterConfig } {
  const lora = table.lora;
  if (!lora) throw new Error('encodeAdapter: the model has no LoRA adapters');
  const gpt2 = family === 'gpt2';
  const tensors = adapterTensors(table, arena);
  return {
    safetensors: encodeSafetensors(gpt2 ? tensors.map((t) => ({ ...t, name: GPT2_PEFT_PREFIX + gpt2AdapterName(t.name.slice(PEFT_PREFIX.length))! })) : tensors, { format: 'pt' }),
    config: {
      peft_type: 'LORA',
      r: lora.rank,
      lora_alpha: lora.alpha,
      target_modules: gpt2 ? gpt2TargetModules(lora.targets) : [...lora.targets],
      use_rslora: lora.rsLora,
      base_model_name_or_path: basePath,
      lora_dropout: 0,
      bias: 'none',
      fan_in_fan_out: gpt2,
      task_type: 'CAUSAL_LM',
      inference_mode: true,
      init_lora_weights: true,
    },
  };
}

/**
 * Decodes and validates an adapter (`what` is its directory). With `base`, the shape of the model it
 * adapts, r is also held to d_model and every tensor's name and shape to what r and target_modules
 * imply for that model; without it, the tensors are only checked as safetensors (finite, well placed).
 */
export function decodeAdapter(bytes: Uint8Array, configJson: unknown, what: string, base?: ModelShape): { lora: LoraSpec; tensors: NamedTensor[] } {
  const cfgFile = `${what}/adapter_config.json`;
  const stFile = `${what}/adapter_model.safetensors`;
  const c = configJson as Partial<AdapterConfig> | null;
  if (!c || typeof c !== 'object' || Array.isArray(c)) throw new SafetensorsError(cfgFile, 'is not a JSON object');
  const show = (v: unknown) => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? '(missing)'));
  const bad = (key: string, allowed: string) => new SafetensorsError(cfgFile, `${key} is ${show(c[key as keyof AdapterConfig])}; expected ${allowed}`);
  if (c.peft_type !== 'LORA') throw bad('peft_type', '"LORA"');
  const maxRank = Math.min(MAX_LORA_RANK, base?.dModel ?? MAX_LORA_RANK);
  if (!Number.isInteger(c.r) || c.r! < 1 || c.r! > maxRank) throw bad('r', `a whole number from 1 to ${maxRank}${base ? ` (at most the base's d_model ${base.dModel})` : ''}`);
  if (typeof c.lora_alpha !== 'number' || !Number.isFinite(c.lora_alpha) || !(c.lora_alpha > 0)) throw bad('lora_alpha', 'a positive finite number');
  // A GPT-2 adapter names GPT-2's modules (c_attn, c_proj, c_fc); its tensors are renamed to Stepsize's here.
  const gpt2Targets = Array.isArray(c.target_modules) ? gpt2TargetsOf(c.target_modules) : null;
  const gpt2 = base ? base.family === 'gpt2' : gpt2Targets !== null && c.target_modules!.length > 0;
  if (gpt2) {
    if (!Array.isArray(c.target_modules) || !c.target_modules.length || !gpt2Targets) throw bad('target_modules', `a non-empty list of GPT-2's modules: ${Object.keys(GPT2_PEFT_TARGETS).join(', ')}`);
  } else if (!Array.isArray(c.target_modules) || !c.target_modules.length || !c.target_modules.every((t) => (BYTE_TARGET_NAMES as readonly string[]).includes(t))) {
    throw bad('target_modules', `a non-empty list of ${BYTE_TARGET_NAMES.join(', ')}`);
  }
  const lora: LoraSpec = { rank: c.r!, alpha: c.lora_alpha, rsLora: c.use_rslora === true, targets: gpt2 ? gpt2Targets! : (c.target_modules as LoraTarget[]) };
  const read = decodeSafetensors(bytes, stFile).tensors;
  const tensors = gpt2
    ? read.map((t) => {
        const name = stepsizeAdapterName(t.name);
        if (!name) throw new SafetensorsError(stFile, `tensor ${t.name} is not a GPT-2 adapter tensor (${GPT2_PEFT_PREFIX}h.N.attn.c_attn.lora_A.weight and the like)`);
        return { ...t, name: PEFT_PREFIX + name };
      })
    : read;
  if (base) {
    const table = buildParamTable(base, { ...FULL_SCOPE, mode: 'lora', lora });
    const expected = new Map([...table.files].filter(([name]) => isLoraName(name)).map(([name, { part }]) => [PEFT_PREFIX + name, part.shape]));
    const why = `r ${lora.rank} and target_modules ${lora.targets.join(', ')} on a ${describeShape(base)} base`;
    matchTensors(tensors, expected, stFile, why, (name) =>
      isLoraName(name) ? `is not an adapter of ${why}` : `is not a LoRA tensor (an adapter holds ${PEFT_PREFIX}<module>.lora_A.weight and .lora_B.weight only)`,
    );
  }
  return { lora, tensors };
}
