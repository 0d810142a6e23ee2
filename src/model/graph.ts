// The GPT as a fixed list of dispatches over the arenas (P parameters, X activations, G gradients).
// Forward, per block l (7 dispatches):
//   ln1: h1 = LN(x)                qkv: qkv = h1·Wqkvᵀ + b  (+ LoRA t = h1·Aᵀ)
//   attention: att, lse            o:   x2 = x + att·Woᵀ + b (+ t)
//   ln2: h2 = LN(x2)               fc:  gelu = gelu(h2·Wfcᵀ + b), pre-activation saved (+ t)
//   proj: x' = x2 + gelu·Wprojᵀ + b (+ t)
// then ln_f, head, cross-entropy (gradient written in place of the logits when training).
// Backward, per block (7 dispatches, each matmul dispatch holds dX and dW/db jobs of one layer, or
// dX, u = dy·B and dB for adapters): proj (×gelu′), fc, ln2 (+= into the residual gradient), o,
// attention, qkv, ln1. Block 0 skips qkv's dX and ln1 when nothing below it trains (LoRA). LoRA adds one merge dispatch per step and one dA dispatch per micro-batch.
// Every product is built by the kernel modules' job builders (src/kernels/matmul.ts, lora.ts).

import type { BufferRef, DispatchSpec } from '../gpu/program';
import { attentionBackward, attentionForward } from '../kernels/attention';
import { crossEntropy } from '../kernels/crossentropy';
import { embeddingBackward, embeddingForward } from '../kernels/embedding';
import { layerNormBackward, layerNormForward } from '../kernels/layernorm';
import { loraCopyJob, loraDownJob, loraGradAJob, loraGradJobs, loraMergeJob, type LoraShape } from '../kernels/lora';
import { biasGrad, Buf, linearBackwardInput, linearBackwardWeight, linearForward, matmuls, type MatmulJob } from '../kernels/matmul';
import type { Runs } from '../kernels/runs';
import type { KernelStyle } from '../kernels/style';
import { mergedName, type ActivationPlan } from './activations';
import { loraTargetsOf, type ParamTable } from './params';
import { FUSED_QKV, loraScaleOf, modulePath, targetShape, type LoraTarget, type ModelShape } from '../config/architecture';

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
  /** Runs packed side by side: every dispatch covers all of them (src/kernels/runs.ts). */
  runs: Runs;
}

type Module = 'qkv' | 'o' | 'fc' | 'proj';
const QKV: readonly LoraTarget[] = ['q', 'k', 'v'];
/** q, k or v: an adapter on one row block of the fused qkv. */
const isQkv = (t: LoraTarget) => QKV.includes(t);
/** An adapter that reads the qkv projection's input: q, k, v, or the fused qkv itself (GPT-2's c_attn). */
const onQkv = (t: LoraTarget) => isQkv(t) || t === FUSED_QKV;

/** Element offset of a parameter in P (and of its gradient in G). */
function param(graph: Graph, name: string): number {
  const v = graph.params.byName.get(name);
  if (!v) throw new Error(`graph: no parameter ${name}`);
  return v.offset;
}

/** Element offset of an activation in X. */
function act(graph: Graph, name: string): number {
  return graph.acts.layout.get(name).offset;
}

function trainable(graph: Graph, name: string): boolean {
  return graph.params.byName.get(name)?.trainable ?? false;
}

const modulePrefix = (l: number, module: Module) => (module === 'qkv' ? `blocks.${l}.attn.qkv` : modulePath(l, module));

/** The adapters on a module of block l (q, k, v and the fused qkv all sit on the fused qkv). */
function adaptersOf(graph: Graph, l: number, module: Module): LoraTarget[] {
  return loraTargetsOf(graph.params, l).filter((t) => (module === 'qkv' ? onQkv(t) : t === module));
}

/** Where a module's weight is read from: W' (merged, in X) when it has an adapter, else W in P. */
function weight(graph: Graph, l: number, module: Module): { buf: Buf; off: number } {
  if (adaptersOf(graph, l, module).length) return { buf: Buf.X, off: act(graph, mergedName(l, module)) };
  return { buf: Buf.P, off: param(graph, `${modulePrefix(l, module)}.weight`) };
}

function loraShape(graph: Graph, t: LoraTarget): LoraShape {
  const { out, in: i } = targetShape(graph.shape, t);
  return { rows: graph.acts.rows, in: i, out, rank: graph.params.lora!.rank, scale: loraScaleOf(graph.params.lora!) };
}

/** Index of q, k, v inside the fused qkv (its row block of W, its column block of y). */
const qkvIndex = (t: LoraTarget) => QKV.indexOf(t);

function dispatches(graph: Graph, label: string, jobs: MatmulJob[]): DispatchSpec[] {
  return jobs.length ? matmuls(label, jobs, graph.bufs, graph.style, graph.runs) : [];
}

/** The input activation of a LoRA target in block l (what t = input·Aᵀ reads). */
function loraInput(graph: Graph, l: number, t: LoraTarget): number {
  if (onQkv(t)) return act(graph, `h1.${l}`);
  if (t === 'o') return act(graph, `att.${l}`);
  if (t === 'fc') return act(graph, `h2.${l}`);
  return act(graph, `gelu.${l}`);
}

function loraDownJobs(graph: Graph, l: number, module: Module): MatmulJob[] {
  return adaptersOf(graph, l, module).map((t) =>
    loraDownJob(loraShape(graph, t), loraInput(graph, l, t), param(graph, `${modulePath(l, t)}.lora_A.weight`), act(graph, `lt.${l}.${t}`)),
  );
}

/** Per-step merge W' = W + s·B·A of every adapted module (all layers). */
export function mergeDispatches(graph: Graph): DispatchSpec[] {
  const jobs: MatmulJob[] = [];
  const d = graph.shape.dModel;
  for (let l = 0; l < graph.shape.nLayer; l++) {
    for (const t of loraTargetsOf(graph.params, l)) {
      const m = modulePath(l, t);
      const block = isQkv(t) ? qkvIndex(t) * d * d : 0;
      const w = isQkv(t) ? param(graph, `blocks.${l}.attn.qkv.weight`) + block : param(graph, `${m}.weight`);
      const merged = act(graph, mergedName(l, t)) + block;
      jobs.push(loraMergeJob(loraShape(graph, t), { w, a: param(graph, `${m}.lora_A.weight`), b: param(graph, `${m}.lora_B.weight`), merged }));
    }
  }
  return dispatches(graph, 'lora merge', jobs);
}

/** Once per program: q, k, v row blocks of a merged qkv that no adapter touches hold W itself. */
export function copyFrozenDispatches(graph: Graph): DispatchSpec[] {
  const jobs: MatmulJob[] = [];
  const d = graph.shape.dModel;
  for (let l = 0; l < graph.shape.nLayer; l++) {
    const adapted = adaptersOf(graph, l, 'qkv');
    // A fused adapter's merge writes all 3d rows every step.
    if (!adapted.length || adapted.includes(FUSED_QKV)) continue;
    for (const t of QKV) {
      if (adapted.includes(t)) continue;
      const block = qkvIndex(t) * d * d;
      jobs.push(loraCopyJob(d, d, param(graph, `blocks.${l}.attn.qkv.weight`) + block, act(graph, mergedName(l, t)) + block));
    }
  }
  return dispatches(graph, 'copy frozen qkv rows', jobs);
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

function lnForward(graph: Graph, label: string, prefix: string, x: string, y: string, stats: string): DispatchSpec {
  const { acts, shape } = graph;
  return layerNormForward(label, {
    R: acts.rows, C: shape.dModel, x: act(graph, x), y: act(graph, y), w: param(graph, `${prefix}.weight`), b: param(graph, `${prefix}.bias`),
    mean: act(graph, `mean${stats}`), rstd: act(graph, `rstd${stats}`),
  }, graph.bufs, graph.style, graph.runs);
}

/** One block's forward: 7 dispatches (LoRA down-projections ride in their layer's matmul dispatch). */
function blockForward(graph: Graph, l: number): DispatchSpec[] {
  const { shape: s, acts } = graph;
  const d = s.dModel;
  const rows = acts.rows;
  const b = `blocks.${l}`;
  const lin = (i: number, o: number) => ({ rows, in: i, out: o });
  const residual = (name: string) => ({ d: { buf: Buf.X, off: act(graph, name), sm: d } });
  return [
    lnForward(graph, `ln1 L${l}`, `${b}.ln1`, `x.${l}`, `h1.${l}`, `1.${l}`),
    ...dispatches(graph, `qkv L${l}`, [
      linearForward(lin(d, 3 * d), act(graph, `h1.${l}`), weight(graph, l, 'qkv'), act(graph, `qkv.${l}`), { bias: param(graph, `${b}.attn.qkv.bias`) }),
      ...loraDownJobs(graph, l, 'qkv'),
    ]),
    attentionForward(`L${l}`, { B: acts.B, T: acts.T, C: d, H: s.nHead, qkv: act(graph, `qkv.${l}`), out: act(graph, `att.${l}`), lse: act(graph, `lse.${l}`) }, graph.bufs, graph.style, graph.runs),
    ...dispatches(graph, `o L${l}`, [
      linearForward(lin(d, d), act(graph, `att.${l}`), weight(graph, l, 'o'), act(graph, `x2.${l}`), { bias: param(graph, `${b}.attn.o.bias`), ...residual(`x.${l}`) }),
      ...loraDownJobs(graph, l, 'o'),
    ]),
    lnForward(graph, `ln2 L${l}`, `${b}.ln2`, `x2.${l}`, `h2.${l}`, `2.${l}`),
    ...dispatches(graph, `fc L${l}`, [
      linearForward(lin(d, 4 * d), act(graph, `h2.${l}`), weight(graph, l, 'fc'), act(graph, `gelu.${l}`), { bias: param(graph, `${b}.mlp.fc.bias`), gelu: { off: act(graph, `pre.${l}`), sm: 4 * d } }),
      ...loraDownJobs(graph, l, 'fc'),
    ]),
    ...dispatches(graph, `proj L${l}`, [
      linearForward(lin(4 * d, d), act(graph, `gelu.${l}`), weight(graph, l, 'proj'), act(graph, `x.${l + 1}`), { bias: param(graph, `${b}.mlp.proj.bias`), ...residual(`x2.${l}`) }),
      ...loraDownJobs(graph, l, 'proj'),
    ]),
  ];
}

export function forwardDispatches(graph: Graph, o: ForwardOptions): DispatchSpec[] {
  const { shape: s, acts } = graph;
  const d = s.dModel;
  const { B, T, rows } = acts;
  const out: DispatchSpec[] = [];
  out.push(embeddingForward('tok+pos', { B, T, C: d, V: s.vocab, winOff: o.winOff, x: act(graph, 'x.0'), wte: param(graph, 'tok_emb.weight'), wpe: param(graph, 'pos_emb.weight') }, graph.bufs, graph.runs));
  for (let l = 0; l < s.nLayer; l++) out.push(...blockForward(graph, l));
  out.push(lnForward(graph, 'ln_f', 'ln_f', `x.${s.nLayer}`, 'hf', 'f'));
  out.push(...dispatches(graph, 'head', [linearForward({ rows, in: d, out: s.vocab }, act(graph, 'hf'), { buf: Buf.P, off: param(graph, 'head.weight') }, act(graph, 'logits'))]));
  if (!o.logitsOnly) {
    out.push(crossEntropy('loss', { B, T, V: s.vocab, winOff: o.winOff, logits: act(graph, 'logits'), losses: act(graph, 'losses') + o.lossOff, gradScale: o.gradScale }, graph.bufs, graph.style, graph.runs));
  }
  return out;
}

/** dX (unless inputGrad is false), dW and db for trainable weights, u and dB for adapters: one linear module's jobs. */
function linearBackwardJobs(
  graph: Graph, l: number, module: Module, dy: number, input: number, dx: number,
  shape: { in: number; out: number }, extra: Parameters<typeof linearBackwardInput>[4] = {}, inputGrad = true,
): MatmulJob[] {
  const rows = graph.acts.rows;
  const s = { rows, ...shape };
  const path = modulePrefix(l, module);
  // The adapters' jobs first: dB's few workgroups each run the whole batch (K = rows), so started
  // last they would finish long after the rest of the dispatch. (Jobs of a dispatch are independent.)
  const jobs: MatmulJob[] = [];
  for (const t of adaptersOf(graph, l, module)) {
    const ls = loraShape(graph, t);
    // This target's columns of dy: its block of the fused qkv gradient, or all of dy.
    const col = isQkv(t) ? qkvIndex(t) * graph.shape.dModel : 0;
    const b = param(graph, `${modulePath(l, t)}.lora_B.weight`);
    jobs.push(...loraGradJobs(ls, { off: dy + col, stride: shape.out }, { b, t: act(graph, `lt.${l}.${t}`), u: act(graph, `lu.${l}.${t}`), dB: b }));
  }
  if (inputGrad) jobs.push(linearBackwardInput(s, dy, weight(graph, l, module), dx, extra));
  if (trainable(graph, `${path}.weight`)) {
    jobs.push(linearBackwardWeight(s, dy, input, { buf: Buf.G, off: param(graph, `${path}.weight`) }));
    jobs.push(biasGrad(rows, shape.out, dy, param(graph, `${path}.bias`)));
  }
  return jobs;
}

function lnBackward(graph: Graph, label: string, prefix: string, xName: string, stats: string, accumulateDx: boolean): DispatchSpec {
  const grads = trainable(graph, `${prefix}.weight`) ? { dw: param(graph, `${prefix}.weight`), db: param(graph, `${prefix}.bias`) } : undefined;
  return layerNormBackward(label, {
    R: graph.acts.rows, C: graph.shape.dModel, x: act(graph, xName), w: param(graph, `${prefix}.weight`), mean: act(graph, `mean${stats}`), rstd: act(graph, `rstd${stats}`),
    dy: act(graph, 'dh'), dx: act(graph, 'dres'), accumulateDx, paramGrads: grads,
  }, graph.bufs, graph.style, graph.runs);
}

/**
 * Whether anything trainable lies below block l's first layer norm: its own parameters or the
 * embeddings. When nothing does (LoRA with frozen embeddings, at block 0), the gradient of the
 * block's input is never read, so its qkv dX product and its ln1 backward are left out.
 */
function needsInputGrad(graph: Graph, l: number): boolean {
  if (l > 0) return true;
  return ['tok_emb.weight', 'pos_emb.weight', 'blocks.0.ln1.weight', 'blocks.0.ln1.bias'].some((n) => trainable(graph, n));
}

/**
 * One block's backward: 7 dispatches, from the residual gradient in dres back to block l's input
 * (6 when nothing below the block trains: see needsInputGrad).
 */
function blockBackward(graph: Graph, l: number): DispatchSpec[] {
  const { shape: s, acts } = graph;
  const d = s.dModel;
  const b = `blocks.${l}`;
  const dres = act(graph, 'dres');
  const inputGrad = needsInputGrad(graph, l);
  return [
    ...dispatches(graph, `proj backward L${l}`, linearBackwardJobs(graph, l, 'proj', dres, act(graph, `gelu.${l}`), act(graph, 'du'), { in: 4 * d, out: d }, { geluGrad: { off: act(graph, `pre.${l}`), sm: 4 * d } })),
    ...dispatches(graph, `fc backward L${l}`, linearBackwardJobs(graph, l, 'fc', act(graph, 'du'), act(graph, `h2.${l}`), act(graph, 'dh'), { in: d, out: 4 * d })),
    lnBackward(graph, `ln2 L${l}`, `${b}.ln2`, `x2.${l}`, `2.${l}`, true),
    ...dispatches(graph, `o backward L${l}`, linearBackwardJobs(graph, l, 'o', dres, act(graph, `att.${l}`), act(graph, 'datt'), { in: d, out: d })),
    attentionBackward(`L${l}`, {
      B: acts.B, T: acts.T, C: d, H: s.nHead, qkv: act(graph, `qkv.${l}`), out: act(graph, `att.${l}`), lse: act(graph, `lse.${l}`), dout: act(graph, 'datt'), dqkv: act(graph, 'dqkv'),
    }, graph.bufs, graph.style, graph.runs),
    ...dispatches(graph, `qkv backward L${l}`, linearBackwardJobs(graph, l, 'qkv', act(graph, 'dqkv'), act(graph, `h1.${l}`), act(graph, 'dh'), { in: d, out: 3 * d }, {}, inputGrad)),
    ...(inputGrad ? [lnBackward(graph, `ln1 L${l}`, `${b}.ln1`, `x.${l}`, `1.${l}`, true)] : []),
  ];
}

/** Backward of one micro-batch (after forwardDispatches with gradScale). Gradients add into G. */
export function backwardDispatches(graph: Graph, winOff: number): DispatchSpec[] {
  const { shape: s, acts } = graph;
  const d = s.dModel;
  const { B, T, rows } = acts;
  const out: DispatchSpec[] = [];
  const headShape = { rows, in: d, out: s.vocab };
  const head = [linearBackwardInput(headShape, act(graph, 'logits'), { buf: Buf.P, off: param(graph, 'head.weight') }, act(graph, 'dh'))];
  if (trainable(graph, 'head.weight')) head.push(linearBackwardWeight(headShape, act(graph, 'logits'), act(graph, 'hf'), { buf: Buf.G, off: param(graph, 'head.weight') }));
  out.push(...dispatches(graph, 'head backward', head));
  out.push(lnBackward(graph, 'ln_f', 'ln_f', `x.${s.nLayer}`, 'f', false));
  for (let l = s.nLayer - 1; l >= 0; l--) out.push(...blockBackward(graph, l));
  const dwte = trainable(graph, 'tok_emb.weight') ? param(graph, 'tok_emb.weight') : undefined;
  const dwpe = trainable(graph, 'pos_emb.weight') ? param(graph, 'pos_emb.weight') : undefined;
  if (dwte !== undefined || dwpe !== undefined) {
    out.push(embeddingBackward('tok+pos', { B, T, C: d, V: s.vocab, winOff, dx: act(graph, 'dres'), dwte, dwpe }, graph.bufs, graph.style, graph.runs));
  }
  // dA += s·uᵀ·input for every adapter, all layers at once (u was written by the dispatches above).
  const aJobs: MatmulJob[] = [];
  for (let l = 0; l < s.nLayer; l++) {
    for (const t of loraTargetsOf(graph.params, l)) {
      aJobs.push(loraGradAJob(loraShape(graph, t), act(graph, `lu.${l}.${t}`), loraInput(graph, l, t), param(graph, `${modulePath(l, t)}.lora_A.weight`)));
    }
  }
  out.push(...dispatches(graph, 'lora dA', aJobs));
  return out;
}
