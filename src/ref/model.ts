// Float64 reference of the whole GPT, forward and backward, composed of the reference ops. Parameters
// are named as in model files (blocks.N.attn.q.weight …, adapters blocks.N.attn.q.lora_A.weight);
// LoRA is applied unmerged (y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ, as PEFT does), so it also checks the GPU's
// merged-weight path. Shapes: windows [B][T + 1] bytes; inputs are window[:-1], targets window[1:].

import type { LoraSpec, LoraTarget, ModelShape } from '../config/architecture';
import { loraScaleOf, modulePath } from '../config/architecture';
import { attentionBackward, attentionForward } from './attention';
import { crossEntropyBackward, crossEntropyForward } from './crossentropy';
import { embeddingBackward, embeddingForward } from './embedding';
import { gelu, geluGrad } from './gelu';
import { layerNormBackward, layerNormForward } from './layernorm';
import { linearBackward, linearForward, matmul } from './matmul';
import { loraBackward } from './lora';

export type RefParams = Map<string, Float64Array>;

function get(p: RefParams, name: string): Float64Array {
  const v = p.get(name);
  if (!v) throw new Error(`ref model: missing parameter ${name}`);
  return v;
}

function adapted(lora: LoraSpec | null, t: LoraTarget): boolean {
  return !!lora && lora.targets.includes(t);
}

/** y = x·Wᵀ + b (+ s·(x·Aᵀ)·Bᵀ when the module has an adapter). */
function lin(p: RefParams, lora: LoraSpec | null, path: string, t: LoraTarget, x: Float64Array, R: number, K: number, N: number): Float64Array {
  const y = linearForward(x, get(p, `${path}.weight`), get(p, `${path}.bias`), R, K, N);
  if (adapted(lora, t)) {
    const A = get(p, `${path}.lora_A.weight`);
    const B = get(p, `${path}.lora_B.weight`);
    const up = matmul(matmul(x, A, R, K, lora!.rank, false, true), B, R, lora!.rank, N, false, true);
    const s = loraScaleOf(lora!);
    for (let i = 0; i < y.length; i++) y[i] += s * up[i];
  }
  return y;
}

function linBack(
  p: RefParams, lora: LoraSpec | null, path: string, t: LoraTarget, dy: Float64Array, x: Float64Array,
  R: number, K: number, N: number, grads: RefParams,
): Float64Array {
  const w = get(p, `${path}.weight`);
  const g = linearBackward(dy, x, w, R, K, N);
  grads.set(`${path}.weight`, g.dw);
  grads.set(`${path}.bias`, g.db);
  if (!adapted(lora, t)) return g.dx;
  const r = lora!.rank;
  const lg = loraBackward(dy, x, w, get(p, `${path}.lora_A.weight`), get(p, `${path}.lora_B.weight`), R, K, N, r, loraScaleOf(lora!));
  grads.set(`${path}.lora_A.weight`, lg.dA);
  grads.set(`${path}.lora_B.weight`, lg.dB);
  return lg.dx;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const y = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

export interface RefResult {
  loss: number;
  losses: Float64Array;
  logits: Float64Array;
  grads: RefParams;
}

/** Mean cross-entropy of the windows, and (if `backward`) the gradient of every parameter. */
export function refGpt(p: RefParams, s: ModelShape, windows: number[][], lora: LoraSpec | null, backward = true): RefResult {
  const B = windows.length;
  const T = windows[0].length - 1;
  const R = B * T;
  const d = s.dModel;
  const H = s.nHead;
  const inputs = windows.flatMap((w) => w.slice(0, T));
  const targets = windows.flatMap((w) => w.slice(1));

  // Forward, keeping what the backward needs.
  const xs: Float64Array[] = [embeddingForward(inputs, get(p, 'tok_emb.weight'), get(p, 'pos_emb.weight'), B, T, d)];
  const cache: { h1: Float64Array; qkv: Float64Array; att: Float64Array; x2: Float64Array; h2: Float64Array; u: Float64Array; g: Float64Array }[] = [];
  for (let l = 0; l < s.nLayer; l++) {
    const b = `blocks.${l}`;
    const x = xs[l];
    const h1 = layerNormForward(x, get(p, `${b}.ln1.weight`), get(p, `${b}.ln1.bias`), R, d).y;
    const parts = (['q', 'k', 'v'] as const).map((t) => lin(p, lora, modulePath(l, t), t, h1, R, d, d));
    const qkv = new Float64Array(R * 3 * d);
    for (let r = 0; r < R; r++) parts.forEach((pt, i) => qkv.set(pt.subarray(r * d, (r + 1) * d), r * 3 * d + i * d));
    const att = attentionForward(qkv, B, T, d, H).out;
    const x2 = add(x, lin(p, lora, modulePath(l, 'o'), 'o', att, R, d, d));
    const h2 = layerNormForward(x2, get(p, `${b}.ln2.weight`), get(p, `${b}.ln2.bias`), R, d).y;
    const u = lin(p, lora, modulePath(l, 'fc'), 'fc', h2, R, d, 4 * d);
    const g = u.map(gelu);
    xs.push(add(x2, lin(p, lora, modulePath(l, 'proj'), 'proj', g, R, 4 * d, d)));
    cache.push({ h1, qkv, att, x2, h2, u, g });
  }
  const xL = xs[s.nLayer];
  const hf = layerNormForward(xL, get(p, 'ln_f.weight'), get(p, 'ln_f.bias'), R, d).y;
  const logits = linearForward(hf, get(p, 'head.weight'), null, R, d, s.vocab);
  const ce = crossEntropyForward(logits, targets, R, s.vocab);
  const grads: RefParams = new Map();
  if (!backward) return { loss: ce.loss, losses: ce.losses, logits, grads };

  // Backward.
  const dlogits = crossEntropyBackward(logits, targets, R, s.vocab);
  grads.set('head.weight', matmul(dlogits, hf, s.vocab, R, d, true, false));
  const dhf = matmul(dlogits, get(p, 'head.weight'), R, s.vocab, d);
  const lnf = layerNormBackward(dhf, xL, get(p, 'ln_f.weight'), R, d);
  grads.set('ln_f.weight', lnf.dw);
  grads.set('ln_f.bias', lnf.db);
  let dres = lnf.dx;
  for (let l = s.nLayer - 1; l >= 0; l--) {
    const b = `blocks.${l}`;
    const c = cache[l];
    const dg = linBack(p, lora, modulePath(l, 'proj'), 'proj', dres, c.g, R, 4 * d, d, grads);
    const du = dg.map((v, i) => v * geluGrad(c.u[i]));
    const dh2 = linBack(p, lora, modulePath(l, 'fc'), 'fc', du, c.h2, R, d, 4 * d, grads);
    const ln2 = layerNormBackward(dh2, c.x2, get(p, `${b}.ln2.weight`), R, d);
    grads.set(`${b}.ln2.weight`, ln2.dw);
    grads.set(`${b}.ln2.bias`, ln2.db);
    dres = add(dres, ln2.dx);
    const datt = linBack(p, lora, modulePath(l, 'o'), 'o', dres, c.att, R, d, d, grads);
    const dqkv = attentionBackward(datt, c.qkv, B, T, d, H);
    const dh1 = new Float64Array(R * d);
    (['q', 'k', 'v'] as const).forEach((t, i) => {
      const dy = new Float64Array(R * d);
      for (let r = 0; r < R; r++) dy.set(dqkv.subarray(r * 3 * d + i * d, r * 3 * d + (i + 1) * d), r * d);
      const dx = linBack(p, lora, modulePath(l, t), t, dy, c.h1, R, d, d, grads);
      for (let k = 0; k < dx.length; k++) dh1[k] += dx[k];
    });
    const ln1 = layerNormBackward(dh1, xs[l], get(p, `${b}.ln1.weight`), R, d);
    grads.set(`${b}.ln1.weight`, ln1.dw);
    grads.set(`${b}.ln1.bias`, ln1.db);
    dres = add(dres, ln1.dx);
  }
  const emb = embeddingBackward(dres, inputs, B, T, d, s.vocab, s.context);
  grads.set('tok_emb.weight', emb.dwte);
  grads.set('pos_emb.weight', emb.dwpe);
  return { loss: ce.loss, losses: ce.losses, logits, grads };
}
