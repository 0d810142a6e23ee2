// Model and adapter files. A model is a safetensors file with PyTorch's tensor names and the
// architecture in __metadata__ (vocab, d_model, n_layer, n_head, context as strings). An adapter is
// PEFT's pair: adapter_model.safetensors (base_model.model.<module>.lora_A.weight [r, in],
// lora_B.weight [out, r]) and adapter_config.json.

import type { ParamTable } from '../model/params';
import { LORA_TARGETS, type LoraSpec, type LoraTarget, type ModelShape } from '../model/shape';
import { adapterTensors, baseTensors, type NamedTensor } from '../model/weights';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors';

const ARCH_KEYS = ['vocab', 'd_model', 'n_layer', 'n_head', 'context'] as const;

export function encodeModelFile(table: ParamTable, arena: Float32Array, shape: ModelShape, extra: Record<string, string> = {}): Uint8Array {
  return encodeSafetensors(baseTensors(table, arena), {
    format: 'pt',
    vocab: String(shape.vocab),
    d_model: String(shape.dModel),
    n_layer: String(shape.nLayer),
    n_head: String(shape.nHead),
    context: String(shape.context),
    ...extra,
  });
}

export interface ModelFile {
  shape: ModelShape;
  tensors: NamedTensor[];
  metadata: Record<string, string>;
}

export function decodeModelFile(bytes: Uint8Array, what: string): ModelFile {
  const f = decodeSafetensors(bytes, what);
  const nums: Record<string, number> = {};
  for (const k of ARCH_KEYS) {
    const v = f.metadata[k];
    if (v === undefined || !/^\d+$/.test(v)) throw new SafetensorsError(what, `__metadata__.${k} is ${v === undefined ? 'missing' : JSON.stringify(v)}; a Stepsize model file stores it as a whole number`);
    nums[k] = Number(v);
  }
  const shape: ModelShape = { vocab: nums.vocab, dModel: nums.d_model, nLayer: nums.n_layer, nHead: nums.n_head, context: nums.context };
  return { shape, tensors: f.tensors, metadata: f.metadata };
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

export function encodeAdapter(table: ParamTable, arena: Float32Array, basePath: string | null): { safetensors: Uint8Array; config: AdapterConfig } {
  const lora = table.lora;
  if (!lora) throw new Error('encodeAdapter: the model has no LoRA adapters');
  return {
    safetensors: encodeSafetensors(adapterTensors(table, arena), { format: 'pt' }),
    config: {
      peft_type: 'LORA',
      r: lora.rank,
      lora_alpha: lora.alpha,
      target_modules: [...lora.targets],
      use_rslora: lora.rsLora,
      base_model_name_or_path: basePath,
      lora_dropout: 0,
      bias: 'none',
      fan_in_fan_out: false,
      task_type: 'CAUSAL_LM',
      inference_mode: true,
      init_lora_weights: true,
    },
  };
}

export function decodeAdapter(bytes: Uint8Array, configJson: unknown, what: string): { lora: LoraSpec; tensors: NamedTensor[] } {
  const c = configJson as Partial<AdapterConfig> | null;
  const bad = (key: string, allowed: string) => new SafetensorsError(`${what} adapter_config.json`, `${key} is ${JSON.stringify(c?.[key as keyof AdapterConfig])}; expected ${allowed}`);
  if (!c || typeof c !== 'object') throw new SafetensorsError(`${what} adapter_config.json`, 'is not a JSON object');
  if (c.peft_type !== 'LORA') throw bad('peft_type', '"LORA"');
  if (!Number.isInteger(c.r) || c.r! < 1) throw bad('r', 'a positive integer');
  if (typeof c.lora_alpha !== 'number' || !(c.lora_alpha > 0)) throw bad('lora_alpha', 'a positive number');
  if (!Array.isArray(c.target_modules) || !c.target_modules.length || !c.target_modules.every((t) => (LORA_TARGETS as readonly string[]).includes(t))) {
    throw bad('target_modules', `a non-empty list of ${LORA_TARGETS.join(', ')}`);
  }
  const lora: LoraSpec = { rank: c.r!, alpha: c.lora_alpha, rsLora: c.use_rslora === true, targets: c.target_modules as LoraTarget[] };
  return { lora, tensors: decodeSafetensors(bytes, `${what} adapter_model.safetensors`).tensors };
}
