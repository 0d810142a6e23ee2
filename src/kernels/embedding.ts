// Token + position embedding forward and backward (shaders/embedding.wgsl). Tokens come from the
// corpus on the GPU (8- or 16-bit tokens packed in u32s: packTokens) through one window offset per sequence.
// Limits: 64 invocations per workgroup; no workgroup storage.

import code from '../../shaders/embedding.wgsl?raw';
import { defineKernel, workgroupsFor } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { WgslSource } from '../gpu/wgsl';
import { RUNS, TOKENS } from './lib';
import { ONE_RUN, RUNS_BYTES, writeRuns, type Runs } from './runs';
import type { ByStyle, KernelStyle } from './style';

const PARAM_BYTES = 48 + RUNS_BYTES;
const CONSTANTS = { WG: 64, F_TOKENS: 1, F_POSITIONS: 2 } as const;
const EMBEDDING: WgslSource = { file: 'embedding.wgsl', code, requires: [TOKENS, RUNS], needs: Object.keys(CONSTANTS) };
export const EMBEDDING_SOURCES: readonly WgslSource[] = [EMBEDDING];

const forwardBindings = [
  { name: 'params', kind: 'uniform' },
  { name: 'corpus', kind: 'read' },
  { name: 'windows', kind: 'read' },
  { name: 'P', kind: 'read' },
  { name: 'X', kind: 'rw' },
] as const;
const backwardBindings = [...forwardBindings, { name: 'G', kind: 'rw' }] as const;

/** The forward is a thread per element in both styles: one definition serves both. */
export const embeddingForwardKernel = defineKernel({ name: 'embedding.forward', source: EMBEDDING, constants: CONSTANTS, entryPoint: 'forward', bindings: forwardBindings, paramBytes: PARAM_BYTES });
export const EMBEDDING_BACKWARD: ByStyle<ReturnType<typeof defineKernel>> = {
  workgroup: defineKernel({ name: 'embedding.backward', source: EMBEDDING, constants: CONSTANTS, entryPoint: 'backward', bindings: backwardBindings, paramBytes: PARAM_BYTES }),
  thread: defineKernel({ name: 'embedding.backward.thread', source: EMBEDDING, constants: CONSTANTS, entryPoint: 'backward_thread', bindings: backwardBindings, paramBytes: PARAM_BYTES }),
};

export interface EmbeddingArgs {
  B: number;
  T: number;
  C: number;
  V: number;
  /** Index of this batch's first window offset in the windows buffer. */
  winOff: number;
  x: number;
  wte: number;
  wpe: number;
}

export interface EmbeddingBackwardArgs extends Omit<EmbeddingArgs, 'x' | 'wte' | 'wpe'> {
  dx: number;
  /** G offsets; omit one to leave that table frozen. */
  dwte?: number;
  dwpe?: number;
}

export type TokenBuffers = { corpus: BufferRef; windows: BufferRef };

function pack(a: Partial<EmbeddingArgs & EmbeddingBackwardArgs>, flags: number, runs: Runs): ArrayBuffer {
  const w = new ParamWriter(PARAM_BYTES)
    .u32(a.B!).u32(a.T!).u32(a.C!).u32(a.V!)
    .u32(a.x ?? 0).u32(a.wte ?? 0).u32(a.wpe ?? 0).u32(a.winOff!)
    .u32(a.dx ?? 0).u32(a.dwte ?? 0).u32(a.dwpe ?? 0).u32(flags);
  return writeRuns(w, runs).finish();
}

export function embeddingForward(label: string, a: EmbeddingArgs, buffers: TokenBuffers & { P: BufferRef; X: BufferRef }, runs: Runs = ONE_RUN): DispatchSpec {
  return {
    kernel: embeddingForwardKernel,
    label: `embedding.forward ${label} [B=${a.B} T=${a.T} C=${a.C}]`,
    params: pack(a, 0, runs),
    buffers,
    workgroups: workgroupsFor(a.B * a.T * a.C, embeddingForwardKernel.threads),
    runs: runs.count,
  };
}

/** Style 'workgroup': a workgroup per output row; 'thread': a thread per output row. */
export function embeddingBackward(label: string, a: EmbeddingBackwardArgs, buffers: TokenBuffers & { P: BufferRef; X: BufferRef; G: BufferRef }, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const flags = (a.dwte !== undefined ? CONSTANTS.F_TOKENS : 0) | (a.dwpe !== undefined ? CONSTANTS.F_POSITIONS : 0);
  const kernel = EMBEDDING_BACKWARD[style];
  if (!flags) throw new Error(`embedding.backward ${label}: neither table is trainable; skip the dispatch`);
  return {
    kernel,
    label: `embedding.backward ${label} [B=${a.B} T=${a.T} C=${a.C} V=${a.V}]`,
    params: pack(a, flags, runs),
    buffers,
    workgroups: style === 'workgroup' ? a.V + a.T : workgroupsFor(a.V + a.T, kernel.threads),
    runs: runs.count,
  };
}

/**
 * The corpus as the kernels read it (shaders/lib/tokens.wgsl): word 0 the token width in bits (8 for
 * a Uint8Array, 16 for a Uint16Array), then the tokens packed little-endian, four or two to a u32.
 */
export function packTokens(tokens: Uint8Array | Uint16Array): Uint32Array {
  const bits = tokens.BYTES_PER_ELEMENT * 8;
  const out = new Uint32Array(1 + Math.max(1, Math.ceil(tokens.byteLength / 4)));
  out[0] = bits;
  // Little-endian hosts (every WebGPU platform): the typed array's bytes are the packed words.
  new Uint8Array(out.buffer, 4).set(new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength));
  return out;
}
