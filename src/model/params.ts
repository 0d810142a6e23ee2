// The model's parameters as views of one flat arena. Trainable tensors come first, so the gradient
// and AdamW-moment arenas cover exactly [0, trainableSize) with the same offsets as P.
// Fused views: q, k and v weights (and biases) are one [3d, d] view so the qkv projection is one
// matmul; the file names (blocks.N.attn.q.weight …) are row blocks ("parts") of it.
// A tied head (GPT-2) has no view of its own: byName maps head.weight to tok_emb.weight's view, so
// the head's product reads tok_emb and its weight gradient adds into tok_emb's.

import { ArenaLayout, numel } from '../gpu/arena';
import type { OptimTensor } from '../kernels/optim';
import { ADAPTER_TARGETS, modulePath, targetShape, tiedHead, type LoraSpec, type LoraTarget, type ModelShape } from '../config/architecture';

export type ParamKind = 'embedding' | 'norm' | 'weight' | 'bias' | 'head' | 'lora_A' | 'lora_B';

/** How a tensor starts: PyTorch's default initialisers, so runs compare with torch_ref.py. */
export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'const'; value: number };

export interface FilePart {
  /** Tensor name in model files, e.g. "blocks.0.attn.q.weight". */
  name: string;
  /** Element offset inside the view. */
  at: number;
  shape: number[];
}

export interface ParamView {
  /** Arena view name, e.g. "blocks.0.attn.qkv.weight". */
  name: string;
  shape: number[];
  size: number;
  offset: number;
  kind: ParamKind;
  /** Block index; -1 for the embeddings (below block 0), nLayer for ln_f and the head. */
  layer: number;
  trainable: boolean;
  decay: boolean;
  lrMult: number;
  init: Init;
  parts: FilePart[];
}

export interface TrainScope {
  /** 'full': every base tensor trains (from scratch or full fine-tuning); 'lora': only adapters. */
  mode: 'full' | 'lora';
  lora: LoraSpec | null;
  /** Learning-rate factor per block from the top down (1 = one rate for all; discriminative fine-tuning). */
  layerLrDecay: number;
  embeddingLrMult: number;
  headLrMult: number;
  /** LoRA B's rate relative to A's (LoRA+ uses 16). */
  loraBLrMult: number;
  /** Apply weight decay to LayerNorm weights and biases too (PyTorch's single-group default). */
  decayNormAndBias: boolean;
}

export interface ParamTable {
  views: ParamView[];
  /** Arena view by name; with a tied head, head.weight names tok_emb.weight's view. */
  byName: Map<string, ParamView>;
  /** File tensor name → its view and place inside it. */
  files: Map<string, { view: ParamView; part: FilePart }>;
  /** Elements of the trainable prefix (size of G, M and V). */
  trainableSize: number;
  /** Elements of the whole arena. */
  size: number;
  lora: LoraSpec | null;
}

interface Draft extends Omit<ParamView, 'offset' | 'trainable' | 'decay' | 'lrMult' | 'size'> {
  lora?: 'A' | 'B';
}

function linearInit(fanIn: number): Init {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) };
}

function drafts(s: ModelShape, lora: LoraSpec | null): Draft[] {
  const d = s.dModel;
  const out: Draft[] = [];
  const single = (name: string, shape: number[], kind: ParamKind, layer: number, init: Init): Draft => ({
    name, shape, kind, layer, init, parts: [{ name, at: 0, shape }],
  });
  out.push(single('tok_emb.weight', [s.vocab, d], 'embedding', -1, { kind: 'normal', std: 1 }));
  out.push(single('pos_emb.weight', [s.context, d], 'embedding', -1, { kind: 'normal', std: 1 }));
  for (let l = 0; l < s.nLayer; l++) {
    const b = `blocks.${l}`;
    out.push(single(`${b}.ln1.weight`, [d], 'norm', l, { kind: 'const', value: 1 }));
    out.push(single(`${b}.ln1.bias`, [d], 'norm', l, { kind: 'const', value: 0 }));
    out.push({
      name: `${b}.attn.qkv.weight`, shape: [3 * d, d], kind: 'weight', layer: l, init: linearInit(d),
      parts: (['q', 'k', 'v'] as const).map((p, i) => ({ name: `${b}.attn.${p}.weight`, at: i * d * d, shape: [d, d] })),
    });
    out.push({
      name: `${b}.attn.qkv.bias`, shape: [3 * d], kind: 'bias', layer: l, init: linearInit(d),
      parts: (['q', 'k', 'v'] as const).map((p, i) => ({ name: `${b}.attn.${p}.bias`, at: i * d, shape: [d] })),
    });
    out.push(single(`${b}.attn.o.weight`, [d, d], 'weight', l, linearInit(d)));
    out.push(single(`${b}.attn.o.bias`, [d], 'bias', l, linearInit(d)));
    out.push(single(`${b}.ln2.weight`, [d], 'norm', l, { kind: 'const', value: 1 }));
    out.push(single(`${b}.ln2.bias`, [d], 'norm', l, { kind: 'const', value: 0 }));
    out.push(single(`${b}.mlp.fc.weight`, [4 * d, d], 'weight', l, linearInit(d)));
    out.push(single(`${b}.mlp.fc.bias`, [4 * d], 'bias', l, linearInit(d)));
    out.push(single(`${b}.mlp.proj.weight`, [d, 4 * d], 'weight', l, linearInit(4 * d)));
    out.push(single(`${b}.mlp.proj.bias`, [d], 'bias', l, linearInit(4 * d)));
    if (lora) {
      for (const t of ADAPTER_TARGETS) {
        if (!lora.targets.includes(t)) continue;
        const { out: o, in: i } = targetShape(s, t);
        const m = modulePath(l, t);
        out.push({ ...single(`${m}.lora_A.weight`, [lora.rank, i], 'lora_A', l, { kind: 'normal', std: 1 / Math.sqrt(i) }), lora: 'A' });
        out.push({ ...single(`${m}.lora_B.weight`, [o, lora.rank], 'lora_B', l, { kind: 'const', value: 0 }), lora: 'B' });
      }
    }
  }
  out.push(single('ln_f.weight', [d], 'norm', s.nLayer, { kind: 'const', value: 1 }));
  out.push(single('ln_f.bias', [d], 'norm', s.nLayer, { kind: 'const', value: 0 }));
  if (!tiedHead(s)) out.push(single('head.weight', [s.vocab, d], 'head', s.nLayer, linearInit(d)));
  return out;
}

function lrMultOf(v: Draft, s: ModelShape, scope: TrainScope): number {
  let m = 1;
  if (scope.layerLrDecay !== 1) {
    // Top block (nLayer - 1), ln_f and head: 1; block l: decay^(nLayer-1-l); embeddings: decay^nLayer.
    const depth = v.layer >= s.nLayer ? 0 : v.layer < 0 ? s.nLayer : s.nLayer - 1 - v.layer;
    m *= scope.layerLrDecay ** depth;
  }
  if (v.kind === 'embedding') m *= scope.embeddingLrMult;
  if (v.kind === 'head') m *= scope.headLrMult;
  if (v.kind === 'lora_B') m *= scope.loraBLrMult;
  return m;
}

export function buildParamTable(s: ModelShape, scope: TrainScope): ParamTable {
  const lora = scope.mode === 'lora' ? scope.lora : null;
  if (scope.mode === 'lora' && !lora) throw new Error('buildParamTable: mode lora needs a LoRA spec');
  const all = drafts(s, lora);
  const isTrainable = (v: Draft) => (scope.mode === 'lora' ? v.lora !== undefined : true);
  const ordered = [...all.filter(isTrainable), ...all.filter((v) => !isTrainable(v))];
  const layout = new ArenaLayout('params', 64);
  const views: ParamView[] = [];
  let trainableSize = 0;
  for (const v of ordered) {
    const at = layout.alloc(v.name, v.shape);
    const trainable = isTrainable(v);
    const decay = v.shape.length >= 2 || scope.decayNormAndBias;
    const { lora: _l, ...rest } = v;
    views.push({ ...rest, offset: at.offset, size: numel(v.shape), trainable, decay, lrMult: lrMultOf(v, s, scope) });
    if (trainable) trainableSize = at.offset + numel(v.shape);
  }
  const byName = new Map(views.map((v) => [v.name, v]));
  if (tiedHead(s)) byName.set('head.weight', byName.get('tok_emb.weight')!);
  const files = new Map<string, { view: ParamView; part: FilePart }>();
  for (const view of views) for (const part of view.parts) files.set(part.name, { view, part });
  return { views, byName, files, trainableSize: Math.ceil(trainableSize / 64) * 64, size: layout.size, lora };
}

/** The trainable tensors in optimizer terms (chunked by buildOptimTable). */
export function optimTensors(t: ParamTable): OptimTensor[] {
  return t.views.filter((v) => v.trainable).map((v) => ({ name: v.name, offset: v.offset, size: v.size, lrMult: v.lrMult, decay: v.decay }));
}

export function countParams(t: ParamTable): { total: number; trainable: number } {
  let total = 0;
  let trainable = 0;
  for (const v of t.views) {
    total += v.size;
    if (v.trainable) trainable += v.size;
  }
  return { total, trainable };
}

export function loraTargetsOf(t: ParamTable, layer: number): LoraTarget[] {
  return t.lora ? ADAPTER_TARGETS.filter((x) => t.lora!.targets.includes(x) && t.byName.has(`${modulePath(layer, x)}.lora_A.weight`)) : [];
}
