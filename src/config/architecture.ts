// Model architecture: a byte-level GPT (vocabulary 256) with pre-LayerNorm blocks of causal
// multi-head attention and a GELU MLP (4× wide), final LayerNorm, linear head without bias.

export interface ModelShape {
  /** Vocabulary size (256: one token per byte). */
  vocab: number;
  dModel: number;
  nLayer: number;
  nHead: number;
  /** Longest sequence (positions in the position embedding). */
  context: number;
}

/** One token per byte: the byte tokenizer's vocabulary (src/data/tokenizer.ts). */
export const BYTE_VOCAB = 256;

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
  return `d_model ${s.dModel}, ${s.nLayer} layers, ${s.nHead} heads, context ${s.context}`;
}

/** The linear modules LoRA can adapt, with their [out, in] shapes. */
export const LORA_TARGETS = ['q', 'k', 'v', 'o', 'fc', 'proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

export function targetShape(s: ModelShape, t: LoraTarget): { out: number; in: number } {
  const d = s.dModel;
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
