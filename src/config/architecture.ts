// Model architecture: a GPT with pre-LayerNorm blocks of causal multi-head attention and a GELU MLP
// (4× wide), final LayerNorm, linear head without bias. Stepsize's own models are byte-level
// (vocabulary 256) with their own head; a GPT-2-family model (Hugging Face's checkpoints) brings a
// BPE vocabulary and ties its head to the token embedding.

export interface ModelShape {
  /** Vocabulary size (256: one token per byte). */
  vocab: number;
  dModel: number;
  nLayer: number;
  nHead: number;
  /** Longest sequence (positions in the position embedding). */
  context: number;
  /**
   * 'gpt2': a Hugging Face GPT-2-family model: the head is tok_emb itself (tied), tokens come from
   * its BPE tokenizer. Absent: Stepsize's byte-level model with its own head.weight.
   */
  family?: 'gpt2';
}

/** Whether the output head reads (and trains) tok_emb.weight instead of a head.weight of its own. */
export const tiedHead = (s: ModelShape): boolean => s.family === 'gpt2';

/** One token per byte: the byte tokenizer's vocabulary (src/data/tokenizer.ts). */
export const BYTE_VOCAB = 256;

/**
 * The largest BPE vocabulary (GPT-2's is 50,257): such tokens are 16 bits wide in the GPU corpus
 * (src/kernels/tokens.ts), byte tokens 8.
 */
export const MAX_BPE_VOCAB = 65_536;

/**
 * The sizes any model may have, from a config or a model file: [min, max] inclusive. headDim is
 * d_model / n_head; its maximum is the attention kernel's MAX_HEAD_DIM (src/kernels/attention.ts),
 * which tests/unit/kernels/limits.test.ts holds equal to it (config is a leaf and imports no kernel).
 */
export const MODEL_LIMITS = {
  dModel: [8, 2048],
  nLayer: [1, 48],
  nHead: [1, 64],
  context: [2, 4096],
  headDim: [1, 64],
} as const satisfies Record<string, readonly [number, number]>;

export const MODEL_PRESETS = {
  /** Tests and CPU (SwiftShader). */
  tiny: { vocab: 256, dModel: 64, nLayer: 2, nHead: 2, context: 64 },
  /** The default: trains in seconds to minutes on a laptop GPU. */
  classroom: { vocab: 256, dModel: 128, nLayer: 4, nHead: 4, context: 128 },
  /** Karpathy's nanoGPT Shakespeare size, for strong GPUs. */
  nanogpt: { vocab: 256, dModel: 384, nLayer: 6, nHead: 6, context: 256 },
} as const satisfies Record<string, ModelShape>;

export type PresetName = keyof typeof MODEL_PRESETS;

/** LayerNorm's epsilon inside the square root (PyTorch nn.LayerNorm's default, as GPT-2 uses). */
export const LN_EPS = 1e-5;

/** GELU's tanh approximation (PyTorch gelu(approximate='tanh')): 0.5·x·(1 + tanh(c·(x + k·x³))). */
export const GELU_TANH = { c: Math.sqrt(2 / Math.PI), k: 0.044715 } as const;

export function describeShape(s: ModelShape): string {
  const dims = `d_model ${s.dModel}, ${s.nLayer} layers, ${s.nHead} heads, context ${s.context}`;
  return s.family === 'gpt2' ? `GPT-2 (vocabulary ${s.vocab}, ${dims})` : dims;
}

/** Whether two shapes describe the same model (every field, the family included). */
export function sameShape(a: ModelShape, b: ModelShape): boolean {
  return a.vocab === b.vocab && a.dModel === b.dModel && a.nLayer === b.nLayer && a.nHead === b.nHead && a.context === b.context && a.family === b.family;
}

/** The linear modules LoRA can adapt, with their [out, in] shapes (the config's default targets). */
export const LORA_TARGETS = ['q', 'k', 'v', 'o', 'fc', 'proj'] as const;
/**
 * 'qkv': one adapter on the fused q, k, v projection (A [r, d], B [3d, r]), as PEFT adapts GPT-2's
 * c_attn. It excludes q, k and v.
 */
export const FUSED_QKV = 'qkv';
export type LoraTarget = (typeof LORA_TARGETS)[number] | typeof FUSED_QKV;
/** Every target the engine builds, in the order of a block's tensors. */
export const ADAPTER_TARGETS: readonly LoraTarget[] = [FUSED_QKV, ...LORA_TARGETS];

/**
 * GPT-2's module names as PEFT's target_modules takes them, and the targets each stands for:
 * c_proj ends both attn.c_proj and mlp.c_proj, so (as in PEFT, which matches name endings) it adapts both.
 */
export const GPT2_TARGETS = { c_attn: [FUSED_QKV], c_proj: ['o', 'proj'], c_fc: ['fc'] } as const satisfies Record<string, readonly LoraTarget[]>;
export type Gpt2Target = keyof typeof GPT2_TARGETS;

export function targetShape(s: ModelShape, t: LoraTarget): { out: number; in: number } {
  const d = s.dModel;
  if (t === FUSED_QKV) return { out: 3 * d, in: d };
  if (t === 'fc') return { out: 4 * d, in: d };
  if (t === 'proj') return { out: d, in: 4 * d };
  return { out: d, in: d };
}

/** PyTorch module path of a target in block `layer` (the names model and adapter files use). */
export function modulePath(layer: number, t: LoraTarget): string {
  return t === 'fc' || t === 'proj' ? `blocks.${layer}.mlp.${t}` : `blocks.${layer}.attn.${t}`;
}

export interface LoraSpec {
  rank: number;
  alpha: number;
  /** rsLoRA: scale alpha/√r instead of alpha/r. */
  rsLora: boolean;
  targets: readonly LoraTarget[];
}

export function loraScaleOf(l: LoraSpec): number {
  return l.rsLora ? l.alpha / Math.sqrt(l.rank) : l.alpha / l.rank;
}
