// Between the parameter arena and named tensors (model files, adapter files, the reference model):
// base tensors use PyTorch module names (tok_emb.weight, blocks.0.attn.q.weight, …); adapters use
// PEFT's (base_model.model.blocks.0.attn.q.lora_A.weight [r, in], …lora_B.weight [out, r]).

import type { ParamTable } from './params';
import { ADAPTER_TARGETS, loraScaleOf, modulePath } from '../config/architecture';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export const PEFT_PREFIX = 'base_model.model.';

const isAdapter = (name: string) => name.includes('.lora_A.') || name.includes('.lora_B.');

/** Every file tensor of the arena (base and adapters), copied out. */
export function arenaTensors(table: ParamTable, arena: Float32Array): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const v of table.views) {
    for (const part of v.parts) {
      const n = part.shape.reduce((a, b) => a * b, 1);
      out.push({ name: part.name, shape: [...part.shape], data: arena.slice(v.offset + part.at, v.offset + part.at + n) });
    }
  }
  return out;
}

export function baseTensors(table: ParamTable, arena: Float32Array): NamedTensor[] {
  return arenaTensors(table, arena).filter((t) => !isAdapter(t.name));
}

/** Adapter tensors under PEFT's names. */
export function adapterTensors(table: ParamTable, arena: Float32Array): NamedTensor[] {
  return arenaTensors(table, arena).filter((t) => isAdapter(t.name)).map((t) => ({ ...t, name: PEFT_PREFIX + t.name }));
}

/**
 * Writes named tensors into the arena. Every name must be a tensor of this model with the same shape;
 * with `complete`, every base tensor must be present. Nothing is written unless all of them check out.
 */
export function loadTensors(table: ParamTable, arena: Float32Array, tensors: readonly NamedTensor[], what: string, complete: boolean): void {
  const plan: { at: number; data: Float32Array }[] = [];
  const seen = new Set<string>();
  for (const t of tensors) {
    const name = t.name.startsWith(PEFT_PREFIX) ? t.name.slice(PEFT_PREFIX.length) : t.name;
    const f = table.files.get(name);
    if (!f) throw new Error(`${what}: tensor ${t.name} is not part of this model (${table.views.length} tensors; e.g. ${table.views[0].parts[0].name})`);
    if (f.part.shape.join(',') !== t.shape.join(',')) {
      throw new Error(`${what}: tensor ${t.name} has shape [${t.shape.join(', ')}]; this model needs [${f.part.shape.join(', ')}]`);
    }
    plan.push({ at: f.view.offset + f.part.at, data: t.data });
    seen.add(name);
  }
  if (complete) {
    for (const [name] of table.files) {
      if (!isAdapter(name) && !seen.has(name)) throw new Error(`${what}: tensor ${name} is missing`);
    }
  }
  for (const p of plan) arena.set(p.data, p.at);
}

/** A copy of the arena with every adapter folded into its base weight: W ← W + s·B·A (float64 sums). */
export function mergeAdapters(table: ParamTable, arena: Float32Array, nLayer: number): Float32Array {
  const out = arena.slice();
  const lora = table.lora;
  if (!lora) return out;
  const s = loraScaleOf(lora);
  const r = lora.rank;
  for (let l = 0; l < nLayer; l++) {
    for (const t of ADAPTER_TARGETS) {
      const m = modulePath(l, t);
      const A = table.files.get(`${m}.lora_A.weight`);
      const B = table.files.get(`${m}.lora_B.weight`);
      // q, k, v weights are file parts of the fused view; the fused qkv weight is the view itself.
      const fused = table.byName.get(`${m}.weight`);
      const W = table.files.get(`${m}.weight`) ?? (fused && { view: fused, part: { name: fused.name, at: 0, shape: fused.shape } });
      if (!A || !B || !W) continue;
      const [outDim, inDim] = W.part.shape;
      const a = A.view.offset + A.part.at;
      const b = B.view.offset + B.part.at;
      const w = W.view.offset + W.part.at;
      for (let i = 0; i < outDim; i++) {
        for (let j = 0; j < inDim; j++) {
          let acc = 0;
          for (let k = 0; k < r; k++) acc += arena[b + i * r + k] * arena[a + k * inDim + j];
          out[w + i * inDim + j] = arena[w + i * inDim + j] + s * acc;
        }
      }
    }
  }
  return out;
}
