// GPT-2 checkpoints in Hugging Face's layout, both ways: config.json's sizes as a ModelShape, and
// model.safetensors' tensors as Stepsize's (and back). The mapping, exactly:
//   wte.weight [V, d]                 → tok_emb.weight, which is also the head (GPT-2 ties them)
//   wpe.weight [T, d]                 → pos_emb.weight
//   h.{l}.ln_1, ln_2 .weight/.bias    → blocks.{l}.ln1, ln2
//   h.{l}.attn.c_attn.weight [d, 3d]  → blocks.{l}.attn.q, k, v .weight [d, d] each (Conv1D stores
//                                       [in, out]: transposed, then rows 0..d, d..2d, 2d..3d)
//   h.{l}.attn.c_attn.bias [3d]       → blocks.{l}.attn.q, k, v .bias
//   h.{l}.attn.c_proj [d, d]          → blocks.{l}.attn.o (transposed)
//   h.{l}.mlp.c_fc [d, 4d]            → blocks.{l}.mlp.fc [4d, d] (transposed)
//   h.{l}.mlp.c_proj [4d, d]          → blocks.{l}.mlp.proj [d, 4d] (transposed)
//   ln_f                              → ln_f
// Names come with or without the "transformer." prefix (the original gpt2 file has none); the
// causal-mask buffers some files carry (h.{l}.attn.bias, h.{l}.attn.masked_bias) are not weights;
// an lm_head.weight must equal wte (tied). Anything else is refused with the field or tensor named.

import { ADAPTER_TARGETS, describeShape, FUSED_QKV, GELU_TANH, GPT2_TARGETS, LN_EPS, MAX_BPE_VOCAB, MODEL_LIMITS, modulePath, type LoraTarget, type ModelShape } from '../config/architecture';
import { bpeTokenizer } from '../data/bpe';
import { DataError } from '../data/dataset';
import type { ParamTable } from '../model/params';
import { baseTensors, type NamedTensor } from '../model/weights';
import type { ModelFile } from './model-files';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors';

/** Activations that are GPT-2's tanh approximation of GELU (what the kernels compute: GELU_TANH). */
const TANH_GELU = ['gelu_new', 'gelu_pytorch_tanh'];

const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v));

/** The ModelShape of a GPT-2 config.json; refusals name the key, its value and what is allowed. */
export function parseGpt2Config(raw: unknown, what = 'config.json'): ModelShape {
  const bad = (key: string, allowed: string): never => {
    const v = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
    throw new SafetensorsError(what, `${key} is ${show(v)}; ${allowed}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SafetensorsError(what, 'not a JSON object; a Hugging Face config.json');
  const c = raw as Record<string, unknown>;
  if (c.model_type !== 'gpt2') bad('model_type', 'only "gpt2" is allowed (a GPT-2-family model)');
  const int = (key: string, [lo, hi]: readonly [number, number]): number => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(key, `an integer from ${lo} to ${hi}`);
    return v as number;
  };
  const contextKey = c.n_positions === undefined && c.n_ctx !== undefined ? 'n_ctx' : 'n_positions';
  const shape: ModelShape = {
    family: 'gpt2',
    vocab: int('vocab_size', [2, MAX_BPE_VOCAB]),
    dModel: int('n_embd', MODEL_LIMITS.dModel),
    nLayer: int('n_layer', MODEL_LIMITS.nLayer),
    nHead: int('n_head', MODEL_LIMITS.nHead),
    context: int(contextKey, MODEL_LIMITS.context),
  };
  if (shape.dModel % shape.nHead !== 0) bad('n_head', `it must divide n_embd ${shape.dModel}`);
  if (shape.dModel / shape.nHead > MODEL_LIMITS.headDim[1]) bad('n_head', `n_embd / n_head is a head size of ${shape.dModel / shape.nHead}; the attention kernel allows at most ${MODEL_LIMITS.headDim[1]}`);
  if (c.n_inner !== undefined && c.n_inner !== null && c.n_inner !== 4 * shape.dModel) bad('n_inner', `null or ${4 * shape.dModel} (4 × n_embd, the MLP's width here)`);
  if (c.layer_norm_epsilon !== undefined && c.layer_norm_epsilon !== LN_EPS) bad('layer_norm_epsilon', `${LN_EPS} (the LayerNorm kernels' epsilon)`);
  if (c.activation_function !== undefined && !TANH_GELU.includes(c.activation_function as string)) {
    bad('activation_function', `${TANH_GELU.map((a) => JSON.stringify(a)).join(' or ')} (GELU's tanh approximation, c = ${GELU_TANH.c.toFixed(4)}, k = ${GELU_TANH.k})`);
  }
  if (c.tie_word_embeddings === false) bad('tie_word_embeddings', 'true or missing (GPT-2 ties its head to wte)');
  if (c.scale_attn_weights === false) bad('scale_attn_weights', 'true or missing (attention scaled by 1/√head size)');
  if (c.scale_attn_by_inverse_layer_idx === true) bad('scale_attn_by_inverse_layer_idx', 'false or missing');
  return shape;
}

/** A config.json for `shape` that parseGpt2Config reads back (and Hugging Face's GPT2Config loads). */
export function gpt2Config(shape: ModelShape): Record<string, unknown> {
  return {
    model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], vocab_size: shape.vocab, n_embd: shape.dModel, n_layer: shape.nLayer,
    n_head: shape.nHead, n_positions: shape.context, n_ctx: shape.context, n_inner: null, activation_function: 'gelu_new',
    layer_norm_epsilon: LN_EPS, tie_word_embeddings: true, resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0,
  };
}

/** [rows, cols] row-major → [cols, rows]. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Each HF tensor (without prefix) with its shape, and how it becomes Stepsize tensors. */
function layout(s: ModelShape): Map<string, { shape: number[]; to: (t: Float32Array) => NamedTensor[] }> {
  const d = s.dModel;
  const m = new Map<string, { shape: number[]; to: (t: Float32Array) => NamedTensor[] }>();
  const same = (name: string, shape: number[]) => (t: Float32Array) => [{ name, shape, data: t }];
  // Conv1D [in, out] → Linear [out, in].
  const conv = (name: string, inn: number, out: number) => (t: Float32Array) => [{ name, shape: [out, inn], data: transpose(t, inn, out) }];
  m.set('wte.weight', { shape: [s.vocab, d], to: same('tok_emb.weight', [s.vocab, d]) });
  m.set('wpe.weight', { shape: [s.context, d], to: same('pos_emb.weight', [s.context, d]) });
  for (let l = 0; l < s.nLayer; l++) {
    const h = `h.${l}`;
    const b = `blocks.${l}`;
    for (const [hf, ours] of [['ln_1', 'ln1'], ['ln_2', 'ln2']]) {
      m.set(`${h}.${hf}.weight`, { shape: [d], to: same(`${b}.${ours}.weight`, [d]) });
      m.set(`${h}.${hf}.bias`, { shape: [d], to: same(`${b}.${ours}.bias`, [d]) });
    }
    m.set(`${h}.attn.c_attn.weight`, {
      shape: [d, 3 * d],
      to: (t) => {
        const w = transpose(t, d, 3 * d);
        return (['q', 'k', 'v'] as const).map((p, i) => ({ name: `${b}.attn.${p}.weight`, shape: [d, d], data: w.slice(i * d * d, (i + 1) * d * d) }));
      },
    });
    m.set(`${h}.attn.c_attn.bias`, { shape: [3 * d], to: (t) => (['q', 'k', 'v'] as const).map((p, i) => ({ name: `${b}.attn.${p}.bias`, shape: [d], data: t.slice(i * d, (i + 1) * d) })) });
    m.set(`${h}.attn.c_proj.weight`, { shape: [d, d], to: conv(`${b}.attn.o.weight`, d, d) });
    m.set(`${h}.attn.c_proj.bias`, { shape: [d], to: same(`${b}.attn.o.bias`, [d]) });
    m.set(`${h}.mlp.c_fc.weight`, { shape: [d, 4 * d], to: conv(`${b}.mlp.fc.weight`, d, 4 * d) });
    m.set(`${h}.mlp.c_fc.bias`, { shape: [4 * d], to: same(`${b}.mlp.fc.bias`, [4 * d]) });
    m.set(`${h}.mlp.c_proj.weight`, { shape: [4 * d, d], to: conv(`${b}.mlp.proj.weight`, 4 * d, d) });
    m.set(`${h}.mlp.c_proj.bias`, { shape: [d], to: same(`${b}.mlp.proj.bias`, [d]) });
  }
  m.set('ln_f.weight', { shape: [d], to: same('ln_f.weight', [d]) });
  m.set('ln_f.bias', { shape: [d], to: same('ln_f.bias', [d]) });
  return m;
}

const PREFIX = 'transformer.';
/** Causal-mask buffers that GPT-2 files may carry: not weights. */
const MASK_BUFFER = /^h\.\d+\.attn\.(bias|masked_bias)$/;

/**
 * A GPT-2 model.safetensors' tensors as Stepsize's base tensors (every one of the model's; the head
 * is tok_emb). Refuses, naming the tensor, a missing, unknown, misshapen or untied one.
 */
export function gpt2Tensors(tensors: readonly NamedTensor[], shape: ModelShape, what = 'model.safetensors'): NamedTensor[] {
  const want = layout(shape);
  const got = new Map<string, NamedTensor>();
  let lmHead: NamedTensor | null = null;
  for (const t of tensors) {
    const name = t.name.startsWith(PREFIX) ? t.name.slice(PREFIX.length) : t.name;
    if (MASK_BUFFER.test(name)) continue;
    if (name === 'lm_head.weight') {
      lmHead = t;
      continue;
    }
    const w = want.get(name);
    if (!w) throw new SafetensorsError(what, `tensor ${t.name} is not a GPT-2 weight of ${describeShape(shape)}`);
    if (got.has(name)) throw new SafetensorsError(what, `tensor ${name} appears twice (with and without the "${PREFIX}" prefix)`);
    if (t.shape.join(',') !== w.shape.join(',')) throw new SafetensorsError(what, `tensor ${t.name} has shape [${t.shape.join(', ')}]; config.json's sizes need [${w.shape.join(', ')}]`);
    got.set(name, t);
  }
  const missing = [...want.keys()].filter((n) => !got.has(n));
  if (missing.length) throw new SafetensorsError(what, `tensor ${missing[0]} is missing${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}; a GPT-2 checkpoint has every one of ${want.size}`);
  if (lmHead) {
    const wte = got.get('wte.weight')!.data;
    if (lmHead.shape.join(',') !== [shape.vocab, shape.dModel].join(',') || lmHead.data.some((v, i) => v !== wte[i])) {
      throw new SafetensorsError(what, `tensor ${lmHead.name} differs from wte.weight; GPT-2's head is tied to wte (an untied head is not a GPT-2 checkpoint)`);
    }
  }
  return [...want].flatMap(([name, w]) => w.to(got.get(name)!.data));
}

/**
 * Stepsize base tensors (by name) as a GPT-2 model.safetensors' tensors, named as the original gpt2
 * file names them (no prefix); the head is wte.
 */
export function toGpt2Tensors(byName: ReadonlyMap<string, Float32Array>, shape: ModelShape): NamedTensor[] {
  const get = (n: string) => {
    const t = byName.get(n);
    if (!t) throw new Error(`toGpt2Tensors: tensor ${n} is missing`);
    return t;
  };
  const d = shape.dModel;
  const wte = get('tok_emb.weight');
  const out: NamedTensor[] = [{ name: 'wte.weight', shape: [shape.vocab, d], data: wte }, { name: 'wpe.weight', shape: [shape.context, d], data: get('pos_emb.weight') }];
  const conv = (name: string, w: Float32Array, out_: number, inn: number): NamedTensor => ({ name, shape: [inn, out_], data: transpose(w, out_, inn) });
  for (let l = 0; l < shape.nLayer; l++) {
    const h = `h.${l}`;
    const b = `blocks.${l}`;
    const qkv = new Float32Array(3 * d * d);
    const qkvBias = new Float32Array(3 * d);
    (['q', 'k', 'v'] as const).forEach((p, i) => {
      qkv.set(get(`${b}.attn.${p}.weight`), i * d * d);
      qkvBias.set(get(`${b}.attn.${p}.bias`), i * d);
    });
    out.push(
      { name: `${h}.ln_1.weight`, shape: [d], data: get(`${b}.ln1.weight`) },
      { name: `${h}.ln_1.bias`, shape: [d], data: get(`${b}.ln1.bias`) },
      conv(`${h}.attn.c_attn.weight`, qkv, 3 * d, d),
      { name: `${h}.attn.c_attn.bias`, shape: [3 * d], data: qkvBias },
      conv(`${h}.attn.c_proj.weight`, get(`${b}.attn.o.weight`), d, d),
      { name: `${h}.attn.c_proj.bias`, shape: [d], data: get(`${b}.attn.o.bias`) },
      { name: `${h}.ln_2.weight`, shape: [d], data: get(`${b}.ln2.weight`) },
      { name: `${h}.ln_2.bias`, shape: [d], data: get(`${b}.ln2.bias`) },
      conv(`${h}.mlp.c_fc.weight`, get(`${b}.mlp.fc.weight`), 4 * d, d),
      { name: `${h}.mlp.c_fc.bias`, shape: [4 * d], data: get(`${b}.mlp.fc.bias`) },
      conv(`${h}.mlp.c_proj.weight`, get(`${b}.mlp.proj.weight`), d, 4 * d),
      { name: `${h}.mlp.c_proj.bias`, shape: [d], data: get(`${b}.mlp.proj.bias`) },
    );
  }
  out.push({ name: 'ln_f.weight', shape: [d], data: get('ln_f.weight') }, { name: 'ln_f.bias', shape: [d], data: get('ln_f.bias') });
  return out;
}

/** A GPT-2 checkpoint directory's files, as read (bytes or text). */
export interface Gpt2Files {
  config: string;
  model: Uint8Array;
  tokenizer: string;
}

/** The three files of a GPT-2 checkpoint directory, in the order they are read. */
export const GPT2_FILES = { config: 'config.json', model: 'model.safetensors', tokenizer: 'tokenizer.json' } as const;

/**
 * A GPT-2 checkpoint (config.json, model.safetensors, tokenizer.json of directory `dir`) as a base
 * model: shape from config.json, Stepsize's tensors, the BPE tokenizer. Every refusal names the file.
 */
export function decodeGpt2Checkpoint(files: Gpt2Files, dir: string): ModelFile {
  const at = (f: keyof typeof GPT2_FILES) => `${dir}/${GPT2_FILES[f]}`;
  const json = (f: 'config' | 'tokenizer'): unknown => {
    try {
      return JSON.parse(files[f]);
    } catch (e) {
      throw new SafetensorsError(at(f), `is not valid JSON (${(e as Error).message})`);
    }
  };
  const config = json('config');
  const shape = parseGpt2Config(config, at('config'));
  const st = decodeSafetensors(files.model, at('model'));
  const tensors = gpt2Tensors(st.tensors, shape, at('model'));
  const tokenizerJson = json('tokenizer');
  let tokenizer;
  try {
    tokenizer = bpeTokenizer(tokenizerJson, shape.vocab, at('tokenizer'));
  } catch (e) {
    if (e instanceof DataError) throw new SafetensorsError(at('tokenizer'), e.message.slice(e.key.length + 2));
    throw e;
  }
  return { shape, tensors, metadata: st.metadata, tokenizer, hf: { config: config as Record<string, unknown>, tokenizer: tokenizerJson } };
}

/** The modules Stepsize adapts on a GPT-2 model, by the names PEFT gives them inside a block. */
export const GPT2_MODULES = { qkv: 'attn.c_attn', o: 'attn.c_proj', fc: 'mlp.c_fc', proj: 'mlp.c_proj' } as const satisfies Partial<Record<LoraTarget, string>>;
/**
 * Every name a GPT-2 adapter_config.json's target_modules may use, and the targets it stands for:
 * PEFT's short names (c_attn, c_proj for both projections, c_fc) and each module's full one.
 */
export const GPT2_PEFT_TARGETS: Readonly<Record<string, readonly LoraTarget[]>> = {
  ...GPT2_TARGETS,
  ...Object.fromEntries(Object.entries(GPT2_MODULES).map(([t, module]) => [module, [t as LoraTarget]])),
};

/** Where a GPT-2 adapter's tensors sit in PEFT's file: base_model.model.transformer.h.{l}.<module>.lora_A.weight. */
export const GPT2_PEFT_PREFIX = 'base_model.model.transformer.';

/** blocks.{l}.attn.qkv.lora_A.weight → h.{l}.attn.c_attn.lora_A.weight; null for a module GPT-2 has no name for (q alone). */
export function gpt2AdapterName(name: string): string | null {
  const m = /^blocks\.(\d+)\.(?:attn|mlp)\.(\w+)\.(lora_[AB]\.weight)$/.exec(name);
  const module = m && GPT2_MODULES[m[2] as keyof typeof GPT2_MODULES];
  return m && module ? `h.${m[1]}.${module}.${m[3]}` : null;
}

/** The inverse of gpt2AdapterName, for a name with or without PEFT's prefix; null if it is not one. */
export function stepsizeAdapterName(peftName: string): string | null {
  const name = peftName.startsWith(GPT2_PEFT_PREFIX) ? peftName.slice(GPT2_PEFT_PREFIX.length) : peftName;
  const m = /^h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.(lora_[AB]\.weight)$/.exec(name);
  if (!m) return null;
  const target = (Object.keys(GPT2_MODULES) as (keyof typeof GPT2_MODULES)[]).find((t) => GPT2_MODULES[t] === m[2])!;
  return `${modulePath(Number(m[1]), target)}.${m[3]}`;
}

/**
 * PEFT's target_modules for these targets on GPT-2: c_attn, c_fc, and c_proj when both o and proj
 * are adapted (PEFT matches the name's end, so c_proj means both), else attn.c_proj or mlp.c_proj.
 * Refuses q, k or v alone, which GPT-2's fused c_attn cannot carry.
 */
export function gpt2TargetModules(targets: readonly LoraTarget[]): string[] {
  const split = targets.filter((t) => t === 'q' || t === 'k' || t === 'v');
  if (split.length) throw new Error(`lora targets ${split.join(', ')}: GPT-2 fuses q, k and v into c_attn; PEFT adapts it as one module (lora_targets: c_attn)`);
  const out: string[] = [];
  if (targets.includes(FUSED_QKV)) out.push('c_attn');
  if (targets.includes('o') && targets.includes('proj')) out.push('c_proj');
  else if (targets.includes('o')) out.push('attn.c_proj');
  else if (targets.includes('proj')) out.push('mlp.c_proj');
  if (targets.includes('fc')) out.push('c_fc');
  return out;
}

/** The targets of a GPT-2 adapter_config.json's target_modules (the inverse of gpt2TargetModules); null if one is unknown. */
export function gpt2TargetsOf(modules: readonly string[]): LoraTarget[] | null {
  const out = new Set<LoraTarget>();
  for (const m of modules) {
    const t = GPT2_PEFT_TARGETS[m];
    if (!t) return null;
    for (const x of t) out.add(x);
  }
  return ADAPTER_TARGETS.filter((t) => out.has(t));
}

/**
 * A GPT-2-family model's weights as a checkpoint directory in Hugging Face's layout: config.json
 * (the base's own, else one for the shape), model.safetensors with GPT-2's names, and the base's
 * tokenizer.json, so the run's directory loads as a base again (here, and in transformers).
 */
export function encodeGpt2Checkpoint(table: ParamTable, arena: Float32Array, shape: ModelShape, hf: ModelFile['hf'], metadata: Record<string, string> = {}): { name: string; bytes: Uint8Array }[] {
  const byName = new Map(baseTensors(table, arena).map((t) => [t.name, t.data]));
  const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');
  const files: { name: string; bytes: Uint8Array }[] = [
    { name: GPT2_FILES.config, bytes: text(hf?.config ?? gpt2Config(shape)) },
    { name: GPT2_FILES.model, bytes: encodeSafetensors(toGpt2Tensors(byName, shape), { format: 'pt', ...metadata }) },
  ];
  if (hf) files.push({ name: GPT2_FILES.tokenizer, bytes: text(hf.tokenizer) });
  return files;
}
