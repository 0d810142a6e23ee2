// The GPT as a fixed list of dispatches over the arenas (P parameters, X activations, G gradients).
// Forward, per block l (7 dispatches):
//   ln1: h1 = LN(x)                qkv: qkv = h1·Wqkvᵀ + b  (+ LoRA t = h1·Aᵀ)
//   attention: att, lse            o:   x2 = x + att·Woᵀ + b (+ t)
//   ln2: h2 = LN(x2)               fc:  g = gelu(h2·Wfcᵀ + b), u saved (+ t)
//   proj: x' = x2 + g·Wprojᵀ + b (+ t)
// then ln_f, head, cross-entropy (gradient written in place of the logits when training).
// Backward, per block (7 dispatches, each matmul dispatch holds dX and dW/db jobs of one layer, or
// dX, u = dy·B and dB for adapters): proj (×gelu′), fc, ln2 (+= into the residual gradient), o,
// attention, qkv, ln1. LoRA adds one merge dispatch per step and one dA dispatch per micro-batch.

import type { BufferRef, DispatchSpec } from '../gpu/program';
import { attentionBackward, attentionForward } from '../kernels/attention';
import { crossEntropy } from '../kernels/crossentropy';
import { embeddingBackward, embeddingForward } from '../kernels/embedding';
import { layerNormBackward, layerNormForward } from '../kernels/layernorm';
import { loraGradAJob, loraMergeJob, type LoraShape } from '../kernels/lora';
import { biasGrad, Buf, linearBackwardInput, linearBackwardWeight, linearForward, matmulDispatch, type MatmulJob } from '../kernels/matmul';
import type { KernelStyle } from '../kernels/style';
import { mergedName, type ActivationPlan } from './activations';
import { loraTargetsOf, type ParamTable } from './params';
import { loraScaleOf, modulePath, targetShape, type LoraTarget, type ModelShape } from '../config/architecture';

export interface GraphBuffers {
  P: BufferRef;
  X: BufferRef;
  G: BufferRef;
  corpus: BufferRef;
  windows: BufferRef;
}

export interface Graph {
  shape: ModelShape;
  params: ParamTable;
  acts: ActivationPlan;
  bufs: GraphBuffers;
  /** How the adapter runs kernels best (see styleFor). */
  style: KernelStyle;
}

const MAX_JOBS = 64;

function p(g: Graph, name: string): number {
  const v = g.params.byName.get(name);
  if (!v) throw new Error(`graph: no parameter ${name}`);
  return v.offset;
}

function x(g: Graph, name: string): number {
  return g.acts.layout.get(name).offset;
}

function trainable(g: Graph, name: string): boolean {
  return g.params.byName.get(name)?.trainable ?? false;
}

/** Where a module's (possibly merged) weight is read from. */
function weight(g: Graph, l: number, module: 'qkv' | LoraTarget): { buf: Buf; off: number } {
  const targets = loraTargetsOf(g.params, l);
  const merged = module === 'qkv' ? targets.some((t) => t === 'q' || t === 'k' || t === 'v') : targets.includes(module as LoraTarget);
  if (merged) return { buf: Buf.X, off: x(g, mergedName(l, module)) };
  const path = module === 'qkv' ? `blocks.${l}.attn.qkv` : modulePath(l, module as LoraTarget);
  return { buf: Buf.P, off: p(g, `${path}.weight`) };
}

function loraShape(g: Graph, t: LoraTarget): LoraShape {
  const { out, in: i } = targetShape(g.shape, t);
  return { rows: g.acts.rows, in: i, out, rank: g.params.lora!.rank, scale: loraScaleOf(g.params.lora!) };
}

/** Splits jobs into dispatches of at most MAX_JOBS. */
function matmuls(label: string, jobs: MatmulJob[], g: Graph): DispatchSpec[] {
  const out: DispatchSpec[] = [];
  for (let i = 0; i < jobs.length; i += MAX_JOBS) {
    out.push(matmulDispatch(jobs.length > MAX_JOBS ? `${label} part ${i / MAX_JOBS + 1}` : label, jobs.slice(i, i + MAX_JOBS), g.bufs, g.style));
  }
  return out;
}

/** The input activation of a LoRA target in block l (what t = input·Aᵀ reads). */
function loraInput(g: Graph, l: number, t: LoraTarget): number {
  if (t === 'q' || t === 'k' || t === 'v') return x(g, `h1.${l}`);
  if (t === 'o') return x(g, `att.${l}`);
  if (t === 'fc') return x(g, `h2.${l}`);
  return x(g, `g.${l}`);
}

function loraDownJobs(g: Graph, l: number, ts: LoraTarget[]): MatmulJob[] {
  return ts.map((t) =>
    linearForward({ rows: g.acts.rows, in: targetShape(g.shape, t).in, out: g.params.lora!.rank }, loraInput(g, l, t), { buf: Buf.P, off: p(g, `${modulePath(l, t)}.lora_A.weight`) }, x(g, `lt.${l}.${t}`)),
  );
}

/** Per-step merge W' = W + s·B·A of every adapted module (all layers). */
export function mergeDispatches(g: Graph): DispatchSpec[] {
  const jobs: MatmulJob[] = [];
  const d = g.shape.dModel;
  for (let l = 0; l < g.shape.nLayer; l++) {
    for (const t of loraTargetsOf(g.params, l)) {
      const m = modulePath(l, t);
      const qkvRow = t === 'q' ? 0 : t === 'k' ? 1 : t === 'v' ? 2 : -1;
      const w = qkvRow >= 0 ? p(g, `blocks.${l}.attn.qkv.weight`) + qkvRow * d * d : p(g, `${m}.weight`);
      const merged = x(g, mergedName(l, t)) + (qkvRow >= 0 ? qkvRow * d * d : 0);
      jobs.push(loraMergeJob(loraShape(g, t), { w, a: p(g, `${m}.lora_A.weight`), b: p(g, `${m}.lora_B.weight`), merged }));
    }
  }
  return jobs.length ? matmuls('lora merge', jobs, g) : [];
}

/**
 * Once per program: q, k, v rows of a merged qkv block that no adapter touches hold W itself.
 * A K = 0 product leaves C = D, a plain copy through the matmul epilogue.
 */
export function copyFrozenDispatches(g: Graph): DispatchSpec[] {
  const jobs: MatmulJob[] = [];
  const d = g.shape.dModel;
  for (let l = 0; l < g.shape.nLayer; l++) {
    const ts = loraTargetsOf(g.params, l);
    if (!ts.some((t) => t === 'q' || t === 'k' || t === 'v')) continue;
    (['q', 'k', 'v'] as const).forEach((t, row) => {
      if (ts.includes(t)) return;
      const w = p(g, `blocks.${l}.attn.qkv.weight`) + row * d * d;
      jobs.push({
        M: d, N: d, K: 0,
        a: { buf: Buf.P, off: 0, sm: 0, sk: 0 }, b: { buf: Buf.P, off: 0, sk: 0, sn: 0 },
        c: { buf: Buf.X, off: x(g, mergedName(l, t)) + row * d * d, sm: d },
        d: { buf: Buf.P, off: w, sm: d },
      });
    });
  }
  return jobs.length ? matmuls('copy frozen qkv rows', jobs, g) : [];
}

export interface ForwardOptions {
  /** Index of the first window offset of this batch in the windows buffer. */
  winOff: number;
  /** Offset (in the `losses` region) where this batch's per-row losses go. */
  lossOff: number;
  /** Write dlogits (scaled) over the logits: training. Omit for evaluation. */
  gradScale?: number;
  /** Stop after the head (no cross-entropy): sampling reads the logits. */
  logitsOnly?: boolean;
}

export function forwardDispatches(g: Graph, o: ForwardOptions): DispatchSpec[] {
  const { shape: s, acts } = g;
  const d = s.dModel;
  const { B, T, rows } = acts;
  const out: DispatchSpec[] = [];
  const bufs = g.bufs;
  out.push(embeddingForward('tok+pos', { B, T, C: d, V: s.vocab, winOff: o.winOff, x: x(g, 'x.0'), wte: p(g, 'tok_emb.weight'), wpe: p(g, 'pos_emb.weight') }, bufs));
  for (let l = 0; l < s.nLayer; l++) {
    const b = `blocks.${l}`;
    const ts = loraTargetsOf(g.params, l);
    const lin = (i: number, o2: number) => ({ rows, in: i, out: o2 });
    out.push(layerNormForward(`ln1 L${l}`, { R: rows, C: d, x: x(g, `x.${l}`), y: x(g, `h1.${l}`), w: p(g, `${b}.ln1.weight`), b: p(g, `${b}.ln1.bias`), mean: x(g, `mean1.${l}`), rstd: x(g, `rstd1.${l}`) }, bufs, g.style));
    out.push(...matmuls(`qkv L${l}`, [
      linearForward(lin(d, 3 * d), x(g, `h1.${l}`), weight(g, l, 'qkv'), x(g, `qkv.${l}`), { bias: p(g, `${b}.attn.qkv.bias`) }),
      ...loraDownJobs(g, l, ts.filter((t) => t === 'q' || t === 'k' || t === 'v')),
    ], g));
    out.push(attentionForward(`L${l}`, { B, T, C: d, H: s.nHead, qkv: x(g, `qkv.${l}`), out: x(g, `att.${l}`), lse: x(g, `lse.${l}`) }, bufs, g.style));
    out.push(...matmuls(`o L${l}`, [
      linearForward(lin(d, d), x(g, `att.${l}`), weight(g, l, 'o'), x(g, `x2.${l}`), { bias: p(g, `${b}.attn.o.bias`), d: { buf: Buf.X, off: x(g, `x.${l}`), sm: d } }),
      ...loraDownJobs(g, l, ts.filter((t) => t === 'o')),
    ], g));
    out.push(layerNormForward(`ln2 L${l}`, { R: rows, C: d, x: x(g, `x2.${l}`), y: x(g, `h2.${l}`), w: p(g, `${b}.ln2.weight`), b: p(g, `${b}.ln2.bias`), mean: x(g, `mean2.${l}`), rstd: x(g, `rstd2.${l}`) }, bufs, g.style));
    out.push(...matmuls(`fc L${l}`, [
      linearForward(lin(d, 4 * d), x(g, `h2.${l}`), weight(g, l, 'fc'), x(g, `g.${l}`), { bias: p(g, `${b}.mlp.fc.bias`), gelu: { off: x(g, `u.${l}`), sm: 4 * d } }),
      ...loraDownJobs(g, l, ts.filter((t) => t === 'fc')),
    ], g));
    out.push(...matmuls(`proj L${l}`, [
      linearForward(lin(4 * d, d), x(g, `g.${l}`), weight(g, l, 'proj'), x(g, `x.${l + 1}`), { bias: p(g, `${b}.mlp.proj.bias`), d: { buf: Buf.X, off: x(g, `x2.${l}`), sm: d } }),
      ...loraDownJobs(g, l, ts.filter((t) => t === 'proj')),
    ], g));
  }
  out.push(layerNormForward('ln_f', { R: rows, C: d, x: x(g, `x.${s.nLayer}`), y: x(g, 'hf'), w: p(g, 'ln_f.weight'), b: p(g, 'ln_f.bias'), mean: x(g, 'meanf'), rstd: x(g, 'rstdf') }, bufs, g.style));
  out.push(...matmuls('head', [linearForward({ rows, in: d, out: s.vocab }, x(g, 'hf'), { buf: Buf.P, off: p(g, 'head.weight') }, x(g, 'logits'))], g));
  if (!o.logitsOnly) {
    out.push(crossEntropy('loss', { B, T, V: s.vocab, winOff: o.winOff, logits: x(g, 'logits'), losses: x(g, 'losses') + o.lossOff, gradScale: o.gradScale }, bufs, g.style));
  }
  return out;
}

/** dX (and, for trainable weights, dW and db) jobs of one linear module; LoRA jobs for adapted ones. */
function linearBackwardJobs(
  g: Graph, l: number, module: 'qkv' | 'o' | 'fc' | 'proj', dy: number, input: number, dx: number,
  shape: { in: number; out: number }, extra: Parameters<typeof linearBackwardInput>[4] = {},
): MatmulJob[] {
  const rows = g.acts.rows;
  const s = { rows, ...shape };
  const path = module === 'qkv' ? `blocks.${l}.attn.qkv` : modulePath(l, module);
  const jobs = [linearBackwardInput(s, dy, weight(g, l, module), dx, extra)];
  if (trainable(g, `${path}.weight`)) {
    jobs.push(linearBackwardWeight(s, dy, input, { buf: Buf.G, off: p(g, `${path}.weight`) }));
    jobs.push(biasGrad(rows, shape.out, dy, p(g, `${path}.bias`)));
  }
  const d = g.shape.dModel;
  const ts = loraTargetsOf(g.params, l).filter((t) => (module === 'qkv' ? t === 'q' || t === 'k' || t === 'v' : t === module));
  for (const t of ts) {
    const ls = loraShape(g, t);
    const col = module === 'qkv' ? (t === 'q' ? 0 : t === 'k' ? 1 : 2) * d : 0;
    const m = modulePath(l, t);
    // u = dy_t·B [rows, r] and dB += s·dy_tᵀ·t, where dy_t is this target's columns of dy.
    jobs.push({
      M: rows, N: ls.rank, K: ls.out,
      a: { buf: Buf.X, off: dy + col, sm: shape.out, sk: 1 },
      b: { buf: Buf.P, off: p(g, `${m}.lora_B.weight`), sk: ls.rank, sn: 1 },
      c: { buf: Buf.X, off: x(g, `lu.${l}.${t}`), sm: ls.rank },
    });
    jobs.push({
      M: ls.out, N: ls.rank, K: rows,
      a: { buf: Buf.X, off: dy + col, sm: 1, sk: shape.out },
      b: { buf: Buf.X, off: x(g, `lt.${l}.${t}`), sk: ls.rank, sn: 1 },
      c: { buf: Buf.G, off: p(g, `${m}.lora_B.weight`), sm: ls.rank },
      alpha: ls.scale,
      accumulate: true,
    });
  }
  return jobs;
}

function lnBackward(g: Graph, label: string, prefix: string, xName: string, mean: string, rstd: string, accumulateDx: boolean): DispatchSpec {
  const d = g.shape.dModel;
  const grads = trainable(g, `${prefix}.weight`) ? { dw: p(g, `${prefix}.weight`), db: p(g, `${prefix}.bias`) } : undefined;
  return layerNormBackward(label, {
    R: g.acts.rows, C: d, x: x(g, xName), w: p(g, `${prefix}.weight`), mean: x(g, mean), rstd: x(g, rstd),
    dy: x(g, 'dh'), dx: x(g, 'dres'), accumulateDx, paramGrads: grads,
  }, g.bufs, g.style);
}

/** Backward of one micro-batch (after forwardDispatches with gradScale). Gradients add into G. */
export function backwardDispatches(g: Graph, winOff: number): DispatchSpec[] {
  const { shape: s, acts } = g;
  const d = s.dModel;
  const { B, T, rows } = acts;
  const out: DispatchSpec[] = [];
  const head = [linearBackwardInput({ rows, in: d, out: s.vocab }, x(g, 'logits'), { buf: Buf.P, off: p(g, 'head.weight') }, x(g, 'dh'))];
  if (trainable(g, 'head.weight')) head.push(linearBackwardWeight({ rows, in: d, out: s.vocab }, x(g, 'logits'), x(g, 'hf'), { buf: Buf.G, off: p(g, 'head.weight') }));
  out.push(...matmuls('head backward', head, g));
  out.push(lnBackward(g, 'ln_f', 'ln_f', `x.${s.nLayer}`, 'meanf', 'rstdf', false));
  for (let l = s.nLayer - 1; l >= 0; l--) {
    const b = `blocks.${l}`;
    out.push(...matmuls(`proj backward L${l}`, linearBackwardJobs(g, l, 'proj', x(g, 'dres'), x(g, `g.${l}`), x(g, 'du'), { in: 4 * d, out: d }, { geluGrad: { off: x(g, `u.${l}`), sm: 4 * d } }), g));
    out.push(...matmuls(`fc backward L${l}`, linearBackwardJobs(g, l, 'fc', x(g, 'du'), x(g, `h2.${l}`), x(g, 'dh'), { in: d, out: 4 * d }), g));
    out.push(lnBackward(g, `ln2 L${l}`, `${b}.ln2`, `x2.${l}`, `mean2.${l}`, `rstd2.${l}`, true));
    out.push(...matmuls(`o backward L${l}`, linearBackwardJobs(g, l, 'o', x(g, 'dres'), x(g, `att.${l}`), x(g, 'datt'), { in: d, out: d }), g));
    out.push(attentionBackward(`L${l}`, { B, T, C: d, H: s.nHead, qkv: x(g, `qkv.${l}`), out: x(g, `att.${l}`), lse: x(g, `lse.${l}`), dout: x(g, 'datt'), dqkv: x(g, 'dqkv') }, g.bufs, g.style));
    out.push(...matmuls(`qkv backward L${l}`, linearBackwardJobs(g, l, 'qkv', x(g, 'dqkv'), x(g, `h1.${l}`), x(g, 'dh'), { in: d, out: 3 * d }), g));
    out.push(lnBackward(g, `ln1 L${l}`, `${b}.ln1`, `x.${l}`, `mean1.${l}`, `rstd1.${l}`, true));
  }
  const dwte = trainable(g, 'tok_emb.weight') ? p(g, 'tok_emb.weight') : undefined;
  const dwpe = trainable(g, 'pos_emb.weight') ? p(g, 'pos_emb.weight') : undefined;
  if (dwte !== undefined || dwpe !== undefined) {
    out.push(embeddingBackward('tok+pos', { B, T, C: d, V: s.vocab, winOff, dx: x(g, 'dres'), dwte, dwpe }, g.bufs, g.style));
  }
  // dA += s·uᵀ·input for every adapter, all layers at once (u was written by the dispatches above).
  const aJobs: MatmulJob[] = [];
  for (let l = 0; l < s.nLayer; l++) {
    for (const t of loraTargetsOf(g.params, l)) {
      const ls = loraShape(g, t);
      aJobs.push(loraGradAJob(ls, x(g, `lu.${l}.${t}`), loraInput(g, l, t), p(g, `${modulePath(l, t)}.lora_A.weight`)));
    }
  }
  if (aJobs.length) out.push(...matmuls('lora dA', aJobs, g));
  return out;
}
