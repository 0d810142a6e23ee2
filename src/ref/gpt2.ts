// Float64 reference of a GPT-2 checkpoint's model in Hugging Face's own layout, written apart from
// Stepsize's names so that it checks the mapping (src/runs/hf-gpt2.ts) as well as the kernels:
//   Conv1D modules store W [in, out]:  y = x·W + b            (c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj)
//   c_attn is fused: its 3d output columns are q | k | v
//   the head is wte itself:           logits = h·wteᵀ, and its gradient adds into wte's with the embedding's
//   PEFT's LoRA on a Conv1D module:   y += s·(x·Aᵀ)·Bᵀ,  A [r, in], B [out, r]  (fan_in_fan_out only flips W)
// Names are HF's without the "transformer." prefix (h.0.attn.c_attn.weight …); adapters add
// .lora_A.weight / .lora_B.weight to the module (h.0.attn.c_attn.lora_A.weight). Shapes: windows
// [B][T + 1] token ids; inputs window[:-1], targets window[1:].

import type { ModelShape } from '../config/architecture';
import { attentionBackward, attentionForward } from './attention';
import { crossEntropyBackward, crossEntropyForward } from './crossentropy';
import { embeddingBackward, embeddingForward } from './embedding';
import { gelu, geluGrad } from './gelu';
import { layerNormBackward, layerNormForward } from './layernorm';
import { matmul } from './matmul';
import type { RefParams, RefResult } from './model';

/** GPT-2's linear modules inside a block, as PEFT names their ends. */
export type Gpt2Module = 'attn.c_attn' | 'attn.c_proj' | 'mlp.c_fc' | 'mlp.c_proj';

export interface Gpt2RefLora {
  rank: number;
  /** alpha / r (or alpha / √r). */
  scale: number;
  modules: readonly Gpt2Module[];
}

function get(p: RefParams, name: string): Float64Array {
  const v = p.get(name);
  if (!v) throw new Error(`ref gpt2: missing parameter ${name}`);
  return v;
}

/** y = x·W + b (+ s·(x·Aᵀ)·Bᵀ): x [R, K], W [K, N]. */
function conv(p: RefParams, lora: Gpt2RefLora | null, path: string, x: Float64Array, R: number, K: number, N: number): Float64Array {
  const y = matmul(x, get(p, `${path}.weight`), R, K, N);
  const b = get(p, `${path}.bias`);
  for (let i = 0; i < y.length; i++) y[i] += b[i % N];
  if (lora && lora.modules.some((m) => path.endsWith(m))) {
    const t = matmul(x, get(p, `${path}.lora_A.weight`), R, K, lora.rank, false, true);
    const up = matmul(t, get(p, `${path}.lora_B.weight`), R, lora.rank, N, false, true);
    for (let i = 0; i < y.length; i++) y[i] += lora.scale * up[i];
  }
  return y;
}

/** Gradients of conv's W, b (and A, B) into `grads`; returns dx [R, K]. */
function convBack(p: RefParams, lora: Gpt2RefLora | null, path: string, dy: Float64Array, x: Float64Array, R: number, K: number, N: number, grads: RefParams): Float64Array {
  const W = get(p, `${path}.weight`);
  grads.set(`${path}.weight`, matmul(x, dy, K, R, N, true, false));
  const db = new Float64Array(N);
  for (let i = 0; i < dy.length; i++) db[i % N] += dy[i];
  grads.set(`${path}.bias`, db);
  const dx = matmul(dy, W, R, N, K, false, true);
  if (lora && lora.modules.some((m) => path.endsWith(m))) {
    const A = get(p, `${path}.lora_A.weight`);
    const B = get(p, `${path}.lora_B.weight`);
    const s = lora.scale;
    const t = matmul(x, A, R, K, lora.rank, false, true);
    const u = matmul(dy, B, R, N, lora.rank);
    grads.set(`${path}.lora_B.weight`, matmul(dy, t, N, R, lora.rank, true, false).map((v) => v * s));
    grads.set(`${path}.lora_A.weight`, matmul(u, x, lora.rank, R, K, true, false).map((v) => v * s));
    const ua = matmul(u, A, R, lora.rank, K);
    for (let i = 0; i < dx.length; i++) dx[i] += s * ua[i];
  }
  return dx;
}

const add = (a: Float64Array, b: Float64Array) => a.map((v, i) => v + b[i]);

/** Mean cross-entropy of the windows under GPT-2 parameters `p`, and (if `backward`) every gradient. */
export function refGpt2(p: RefParams, s: ModelShape, windows: number[][], lora: Gpt2RefLora | null, backward = true): RefResult {
  const B = windows.length;
  const T = windows[0].length - 1;
  const R = B * T;
  const d = s.dModel;
  const V = s.vocab;
  const inputs = windows.flatMap((w) => w.slice(0, T));
  const targets = windows.flatMap((w) => w.slice(1));
  const wte = get(p, 'wte.weight');

  const xs: Float64Array[] = [embeddingForward(inputs, wte, get(p, 'wpe.weight'), B, T, d)];
  const cache: { h1: Float64Array; qkv: Float64Array; att: Float64Array; x2: Float64Array; h2: Float64Array; u: Float64Array; g: Float64Array }[] = [];
  for (let l = 0; l < s.nLayer; l++) {
    const h = `h.${l}`;
    const x = xs[l];
    const h1 = layerNormForward(x, get(p, `${h}.ln_1.weight`), get(p, `${h}.ln_1.bias`), R, d).y;
    const qkv = conv(p, lora, `${h}.attn.c_attn`, h1, R, d, 3 * d);
    const att = attentionForward(qkv, B, T, d, s.nHead).out;
    const x2 = add(x, conv(p, lora, `${h}.attn.c_proj`, att, R, d, d));
    const h2 = layerNormForward(x2, get(p, `${h}.ln_2.weight`), get(p, `${h}.ln_2.bias`), R, d).y;
    const u = conv(p, lora, `${h}.mlp.c_fc`, h2, R, d, 4 * d);
    const g = u.map(gelu);
    xs.push(add(x2, conv(p, lora, `${h}.mlp.c_proj`, g, R, 4 * d, d)));
    cache.push({ h1, qkv, att, x2, h2, u, g });
  }
  const xL = xs[s.nLayer];
  const hf = layerNormForward(xL, get(p, 'ln_f.weight'), get(p, 'ln_f.bias'), R, d).y;
  const logits = matmul(hf, wte, R, d, V, false, true);
  const ce = crossEntropyForward(logits, targets, R, V);
  const grads: RefParams = new Map();
  if (!backward) return { loss: ce.loss, losses: ce.losses, logits, grads };

  const dlogits = crossEntropyBackward(logits, targets, R, V);
  const dwteHead = matmul(dlogits, hf, V, R, d, true, false);
  const lnf = layerNormBackward(matmul(dlogits, wte, R, V, d), xL, get(p, 'ln_f.weight'), R, d);
  grads.set('ln_f.weight', lnf.dw);
  grads.set('ln_f.bias', lnf.db);
  let dres = lnf.dx;
  for (let l = s.nLayer - 1; l >= 0; l--) {
    const h = `h.${l}`;
    const c = cache[l];
    const dg = convBack(p, lora, `${h}.mlp.c_proj`, dres, c.g, R, 4 * d, d, grads);
    const du = dg.map((v, i) => v * geluGrad(c.u[i]));
    const ln2 = layerNormBackward(convBack(p, lora, `${h}.mlp.c_fc`, du, c.h2, R, d, 4 * d, grads), c.x2, get(p, `${h}.ln_2.weight`), R, d);
    grads.set(`${h}.ln_2.weight`, ln2.dw);
    grads.set(`${h}.ln_2.bias`, ln2.db);
    dres = add(dres, ln2.dx);
    const datt = convBack(p, lora, `${h}.attn.c_proj`, dres, c.att, R, d, d, grads);
    const dqkv = attentionBackward(datt, c.qkv, B, T, d, s.nHead);
    const ln1 = layerNormBackward(convBack(p, lora, `${h}.attn.c_attn`, dqkv, c.h1, R, d, 3 * d, grads), xs[l], get(p, `${h}.ln_1.weight`), R, d);
    grads.set(`${h}.ln_1.weight`, ln1.dw);
    grads.set(`${h}.ln_1.bias`, ln1.db);
    dres = add(dres, ln1.dx);
  }
  const emb = embeddingBackward(dres, inputs, B, T, d, V, s.context);
  grads.set('wte.weight', add(emb.dwte, dwteHead));
  grads.set('wpe.weight', emb.dwpe);
  return { loss: ce.loss, losses: ce.losses, logits, grads };
}
