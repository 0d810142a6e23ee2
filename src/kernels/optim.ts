// The optimizer step's kernels (gradient norm in two parts, AdamW, update statistics; shaders/optim/)
// and the host side of their data: the chunk/tensor table, the per-run Step record, the state block and
// the metrics ring's slot layout, with its decoder.
// Limits: 256 invocations per workgroup; 2·256·4 = 2 KiB of workgroup storage (wg_sum).

import adamwCode from '../../shaders/optim/adamw.wgsl?raw';
import commonCode from '../../shaders/optim/common.wgsl?raw';
import finalizeCode from '../../shaders/optim/finalize.wgsl?raw';
import statsCode from '../../shaders/optim/stats.wgsl?raw';
import sumsqCode from '../../shaders/optim/sumsq.wgsl?raw';
import { defineKernel, workgroupsFor, type BindingDef } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { WgslSource } from '../gpu/wgsl';
import { RUNS, WG_SUM } from './lib';
import { ONE_RUN, RUNS_BYTES, writeRuns, type Runs } from './runs';
import type { ByStyle, KernelStyle } from './style';

/** Elements per chunk: 256 threads × 16. Chunks never cross tensors. */
export const CHUNK = 4096;
/** A ring slot's header: field → f32 index. The per-tensor figures follow at SLOT_HEAD. */
export const SLOT_FIELDS = { step: 0, loss: 1, gradNorm: 2, lr: 3, clip: 4, halt: 5, updateRatio: 6, paramNorm: 7 } as const;
export const SLOT_HEAD = 8;
/** One run's State block and Step record (packed runs keep one of each per run, side by side). */
export const STATE_BYTES = 32;
export const STEP_BYTES = 48;
const PARAM_BYTES = 32 + RUNS_BYTES;

/** Why the GPU halted the optimizer: the code finalize writes into the state block and ring slot (0: running). */
export const HALT_CODES = { lossNotFinite: 1, gradNotFinite: 2, diverged: 3 } as const;
export type HaltReason = keyof typeof HALT_CODES;
export const HALT_REASONS: Record<HaltReason, string> = {
  lossNotFinite: 'loss is not finite',
  gradNotFinite: 'gradient norm is not finite',
  diverged: 'loss rose far above its starting value',
};

function haltReasonOf(code: number): HaltReason | null {
  if (code === 0) return null;
  const found = (Object.keys(HALT_CODES) as HaltReason[]).find((k) => HALT_CODES[k] === code);
  if (!found) throw new Error(`optimizer halt code ${code} is not one of ${Object.values(HALT_CODES).join(', ')}`);
  return found;
}

/**
 * What the optimizer WGSL reads: WG (the chunk workgroup, 'workgroup' style), THREAD_WG (chunks per
 * workgroup, 'thread' style), the halt codes and the ring slot's field indices.
 */
const CONSTANTS = {
  WG: 256,
  THREAD_WG: 64,
  HALT_LOSS: HALT_CODES.lossNotFinite,
  HALT_GRAD: HALT_CODES.gradNotFinite,
  HALT_DIVERGED: HALT_CODES.diverged,
  SLOT_HEAD,
  SLOT_STEP: SLOT_FIELDS.step,
  SLOT_LOSS: SLOT_FIELDS.loss,
  SLOT_GRAD_NORM: SLOT_FIELDS.gradNorm,
  SLOT_LR: SLOT_FIELDS.lr,
  SLOT_CLIP: SLOT_FIELDS.clip,
  SLOT_HALT: SLOT_FIELDS.halt,
  SLOT_UPDATE_RATIO: SLOT_FIELDS.updateRatio,
  SLOT_PARAM_NORM: SLOT_FIELDS.paramNorm,
} as const;

const COMMON: WgslSource = { file: 'optim/common.wgsl', code: commonCode, requires: [WG_SUM, RUNS], needs: ['WG', 'HALT_LOSS', 'HALT_GRAD', 'HALT_DIVERGED'] };
const SUMSQ: WgslSource = { file: 'optim/sumsq.wgsl', code: sumsqCode, requires: [COMMON], needs: ['THREAD_WG'] };
const FINALIZE: WgslSource = { file: 'optim/finalize.wgsl', code: finalizeCode, requires: [COMMON], needs: Object.keys(CONSTANTS).filter((k) => k.startsWith('SLOT_') && k !== 'SLOT_UPDATE_RATIO' && k !== 'SLOT_PARAM_NORM') };
const ADAMW: WgslSource = { file: 'optim/adamw.wgsl', code: adamwCode, requires: [COMMON], needs: ['THREAD_WG'] };
const STATS: WgslSource = { file: 'optim/stats.wgsl', code: statsCode, requires: [COMMON], needs: ['SLOT_HEAD', 'SLOT_UPDATE_RATIO', 'SLOT_PARAM_NORM'] };
export const OPTIM_SOURCES: readonly WgslSource[] = [COMMON, SUMSQ, FINALIZE, ADAMW, STATS];

const params: BindingDef = { name: 'params', kind: 'uniform' };
const step: BindingDef = { name: 'step', kind: 'read' };
const kernel = (name: string, source: WgslSource, entryPoint: string, bindings: readonly BindingDef[]) =>
  defineKernel({ name, source, constants: CONSTANTS, entryPoint, bindings: [params, ...bindings], paramBytes: PARAM_BYTES });

const sumsqBindings: BindingDef[] = [{ name: 'G', kind: 'read' }, { name: 'table', kind: 'read' }, { name: 'work', kind: 'rw' }];
const adamwBindings: BindingDef[] = [
  step, { name: 'P', kind: 'rw' }, { name: 'G', kind: 'rw' }, { name: 'M', kind: 'rw' }, { name: 'V', kind: 'rw' },
  { name: 'table', kind: 'read' }, { name: 'state', kind: 'read' }, { name: 'work', kind: 'rw' },
];

/** Per-chunk passes (one workgroup per chunk, or one thread per chunk) and the two one-workgroup passes. */
export const SUMSQ_KERNELS: ByStyle<ReturnType<typeof defineKernel>> = {
  workgroup: kernel('gradnorm.sumsq', SUMSQ, 'main', sumsqBindings),
  thread: kernel('gradnorm.sumsq.thread', SUMSQ, 'main_thread', sumsqBindings),
};
export const ADAMW_KERNELS: ByStyle<ReturnType<typeof defineKernel>> = {
  workgroup: kernel('adamw', ADAMW, 'main', adamwBindings),
  thread: kernel('adamw.thread', ADAMW, 'main_thread', adamwBindings),
};
export const finalizeKernel = kernel('gradnorm.finalize', FINALIZE, 'main', [
  step, { name: 'table', kind: 'read' }, { name: 'work', kind: 'read' }, { name: 'losses', kind: 'read' }, { name: 'state', kind: 'rw' }, { name: 'ring', kind: 'rw' },
]);
export const statsKernel = kernel('optim.stats', STATS, 'main', [
  step, { name: 'table', kind: 'read' }, { name: 'work', kind: 'read' }, { name: 'state', kind: 'read' }, { name: 'ring', kind: 'rw' },
]);

if (CHUNK % CONSTANTS.WG !== 0) throw new Error(`optim: CHUNK ${CHUNK} must be a multiple of the workgroup size ${CONSTANTS.WG}`);

/** A trainable tensor as the optimizer sees it: an element range of the arenas and its group settings. */
export interface OptimTensor {
  name: string;
  offset: number;
  size: number;
  lrMult: number;
  decay: boolean;
}

export interface OptimTable {
  /** vec4<u32> rows: chunks then tensors (see optim_common.wgsl). */
  data: Uint32Array;
  nChunks: number;
  nTensors: number;
  /** Ring slot length in f32s: header + grad norm and update ratio per tensor. */
  slotSize: number;
}

export function buildOptimTable(tensors: readonly OptimTensor[]): OptimTable {
  const chunks: number[][] = [];
  const infos: number[][] = [];
  const f = new Float32Array(1);
  const asU32 = (x: number) => {
    f[0] = x;
    return new Uint32Array(f.buffer)[0];
  };
  tensors.forEach((t, ti) => {
    const first = chunks.length;
    for (let s = 0; s < t.size; s += CHUNK) chunks.push([t.offset + s, Math.min(CHUNK, t.size - s), ti, 0]);
    infos.push([asU32(t.lrMult), asU32(t.decay ? 1 : 0), first, chunks.length - first]);
  });
  const data = new Uint32Array((chunks.length + infos.length) * 4);
  [...chunks, ...infos].forEach((row, i) => data.set(row, i * 4));
  return { data, nChunks: chunks.length, nTensors: tensors.length, slotSize: SLOT_HEAD + 2 * tensors.length };
}

export interface OptimHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Max global gradient norm; 0 disables clipping. */
  gradClip: number;
  /** Halt when the loss exceeds the first step's loss by this many nats; 0 disables. */
  divergeMargin: number;
}

export interface OptimLayout {
  table: OptimTable;
  /** Per-row losses of the step (all micro-batches), in the `losses` buffer. */
  lossOff: number;
  lossCount: number;
  ringSlots: number;
  /** AdamW zeroes each gradient after using it (the next step accumulates from zero). */
  zeroGrads: boolean;
}

function packParams(l: OptimLayout, runs: Runs): ArrayBuffer {
  const w = new ParamWriter(PARAM_BYTES)
    .u32(l.table.nChunks).u32(l.table.nTensors).u32(l.lossOff).u32(l.lossCount)
    .u32(l.table.slotSize).u32(l.ringSlots).u32(l.zeroGrads ? 1 : 0).u32(0);
  return writeRuns(w, runs).finish();
}

export interface OptimBuffers {
  step: BufferRef;
  P: BufferRef;
  G: BufferRef;
  M: BufferRef;
  V: BufferRef;
  table: BufferRef;
  work: BufferRef;
  losses: BufferRef;
  state: BufferRef;
  ring: BufferRef;
}

/**
 * The four dispatches of one optimizer step, in order. Style 'workgroup': a workgroup per chunk
 * with a tree reduction; 'thread': a thread per chunk summing in order. With packed runs every
 * dispatch covers all of them: per run its own arenas, losses (X's stride), work, ring, State and
 * Step; the buffers `step`, `state`, `work` and `ring` hold one of each per run, side by side.
 */
export function optimizerStep(label: string, l: OptimLayout, b: OptimBuffers, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec[] {
  const p = packParams(l, runs);
  const n = l.table.nChunks;
  const groups = style === 'workgroup' ? n : workgroupsFor(n, SUMSQ_KERNELS.thread.threads);
  const k = runs.count;
  return [
    { kernel: SUMSQ_KERNELS[style], label: `gradnorm.sumsq ${label} [${n} chunks]`, params: p, buffers: { G: b.G, table: b.table, work: b.work }, workgroups: groups, runs: k },
    { kernel: finalizeKernel, label: `gradnorm.finalize ${label}`, params: p, buffers: { step: b.step, table: b.table, work: b.work, losses: b.losses, state: b.state, ring: b.ring }, workgroups: 1, runs: k },
    { kernel: ADAMW_KERNELS[style], label: `adamw ${label} [${n} chunks]`, params: p, buffers: { step: b.step, P: b.P, G: b.G, M: b.M, V: b.V, table: b.table, state: b.state, work: b.work }, workgroups: groups, runs: k },
    { kernel: statsKernel, label: `optim.stats ${label}`, params: p, buffers: { step: b.step, table: b.table, work: b.work, state: b.state, ring: b.ring }, workgroups: 1, runs: k },
  ];
}

/** One run's work length in f32s: Σg² per chunk, then Σ Δp² and Σ p² per chunk. */
export function workSize(table: OptimTable): number {
  return 3 * table.nChunks;
}

/**
 * One run's Step record for an optimizer step: step number (1-based), learning rate, AdamW bias
 * corrections, ring slot, and the run's hyperparameters.
 */
export function packStep(stepNumber: number, lr: number, h: OptimHyper, slot: number): ArrayBuffer {
  return new ParamWriter(STEP_BYTES)
    .u32(stepNumber).f32(lr).f32(1 - h.beta1 ** stepNumber).f32(Math.sqrt(1 - h.beta2 ** stepNumber))
    .u32(slot).f32(h.beta1).f32(h.beta2).f32(h.eps)
    .f32(h.weightDecay).f32(h.gradClip).f32(h.divergeMargin).u32(0)
    .finish();
}

/** The Step record of a run that sits the step out (Step.hold): nothing of it changes but a zeroed gradient. */
export function packHold(): ArrayBuffer {
  return new ParamWriter(STEP_BYTES).seek(STEP_BYTES - 4).u32(1).finish();
}

export interface StepMetrics {
  step: number;
  loss: number;
  gradNorm: number;
  lr: number;
  clip: number;
  /** null when the step ran; otherwise why the GPU halted the optimizer. */
  halt: HaltReason | null;
  updateRatio: number;
  paramNorm: number;
  tensorGradNorms: Float32Array;
  tensorUpdateRatios: Float32Array;
}

/** Decodes one ring slot. */
export function decodeSlot(ring: Float32Array, slot: number, nTensors: number): StepMetrics {
  const size = SLOT_HEAD + 2 * nTensors;
  const s = ring.subarray(slot * size, (slot + 1) * size);
  const f = SLOT_FIELDS;
  return {
    step: s[f.step],
    loss: s[f.loss],
    gradNorm: s[f.gradNorm],
    lr: s[f.lr],
    clip: s[f.clip],
    halt: haltReasonOf(s[f.halt]),
    updateRatio: s[f.updateRatio],
    paramNorm: s[f.paramNorm],
    tensorGradNorms: s.slice(SLOT_HEAD, SLOT_HEAD + nTensors),
    tensorUpdateRatios: s.slice(SLOT_HEAD + nTensors, SLOT_HEAD + 2 * nTensors),
  };
}

export interface HaltState {
  clip: number;
  halt: number;
  haltStep: number;
  firstLoss: number;
  haltLoss: number;
  haltNorm: number;
  lastStep: number;
}

export function decodeState(bytes: ArrayBuffer): HaltState {
  const u = new Uint32Array(bytes, 0, 8);
  const f = new Float32Array(bytes, 0, 8);
  return { clip: f[0], halt: u[1], haltStep: u[2], firstLoss: f[3], haltLoss: f[5], haltNorm: f[6], lastStep: u[7] };
}
