// The activation arena (X) for one micro-batch shape [B, T]: every tensor the forward pass saves for
// the backward pass, the backward's scratch gradients (shared by all layers), per-layer LoRA
// projections, merged LoRA weights, and the per-row loss regions. Shapes (rows = B·T, d = dModel):
//   x.l [rows, d] (block l's input; x.L feeds ln_f)   h1.l, h2.l [rows, d]   mean/rstd [rows]
//   qkv.l [rows, 3d]   att.l [rows, d]   lse.l [B·H, T]   x2.l [rows, d]   pre.l, gelu.l [rows, 4d] (fc before and after GELU)
//   hf [rows, d]   logits [rows, V] (overwritten by dlogits)
//   dres [rows, d] (residual-stream gradient)   dh [rows, d]   dqkv [rows, 3d]   datt [rows, d]   du [rows, 4d]
//   merged.l.<qkv|o|fc|proj> [out, in]   lt.l.<t>, lu.l.<t> [rows, r] (LoRA t = x·Aᵀ, u = dy·B)
//   losses [lossRows]: per-row cross-entropy of every micro-batch of a step (or of every eval batch)

import { ArenaLayout } from '../gpu/arena';
import { loraTargetsOf, type ParamTable } from './params';
import { targetShape, type ModelShape } from '../config/architecture';

export interface ActivationPlan {
  layout: ArenaLayout;
  B: number;
  T: number;
  rows: number;
  /** Whether backward scratch was allocated (false for forward-only programs). */
  training: boolean;
}

/** Which merged weight a LoRA target writes: q, k, v share the fused qkv block. */
export function mergedName(layer: number, t: string): string {
  return `merged.${layer}.${t === 'q' || t === 'k' || t === 'v' ? 'qkv' : t}`;
}

export function planActivations(s: ModelShape, params: ParamTable, B: number, T: number, lossRows: number, training: boolean): ActivationPlan {
  const d = s.dModel;
  const rows = B * T;
  const a = new ArenaLayout('activations', 64);
  for (let l = 0; l <= s.nLayer; l++) a.alloc(`x.${l}`, [rows, d]);
  for (let l = 0; l < s.nLayer; l++) {
    a.alloc(`h1.${l}`, [rows, d]);
    a.alloc(`mean1.${l}`, [rows]);
    a.alloc(`rstd1.${l}`, [rows]);
    a.alloc(`qkv.${l}`, [rows, 3 * d]);
    a.alloc(`att.${l}`, [rows, d]);
    a.alloc(`lse.${l}`, [B * s.nHead, T]);
    a.alloc(`x2.${l}`, [rows, d]);
    a.alloc(`h2.${l}`, [rows, d]);
    a.alloc(`mean2.${l}`, [rows]);
    a.alloc(`rstd2.${l}`, [rows]);
    a.alloc(`pre.${l}`, [rows, 4 * d]);
    a.alloc(`gelu.${l}`, [rows, 4 * d]);
    for (const t of loraTargetsOf(params, l)) {
      const name = mergedName(l, t);
      if (!a.has(name)) {
        const shape = t === 'q' || t === 'k' || t === 'v' ? [3 * d, d] : (({ out, in: i }) => [out, i])(targetShape(s, t));
        a.alloc(name, shape);
      }
      a.alloc(`lt.${l}.${t}`, [rows, params.lora!.rank]);
      if (training) a.alloc(`lu.${l}.${t}`, [rows, params.lora!.rank]);
    }
  }
  a.alloc('hf', [rows, d]);
  a.alloc('meanf', [rows]);
  a.alloc('rstdf', [rows]);
  a.alloc('logits', [rows, s.vocab]);
  if (training) {
    a.alloc('dres', [rows, d]);
    a.alloc('dh', [rows, d]);
    a.alloc('dqkv', [rows, 3 * d]);
    a.alloc('datt', [rows, d]);
    a.alloc('du', [rows, 4 * d]);
  }
  a.alloc('losses', [Math.max(1, lossRows)]);
  return { layout: a, B, T, rows, training };
}
