// Token + position embedding forward and backward (shaders/embedding.wgsl). Tokens come from the
// corpus on the GPU (bytes packed in u32s) through one window offset per sequence.

import code from '../../shaders/embedding.wgsl?raw';
import tokensFn from '../../shaders/lib/tokens_fn.wgsl?raw';
import { defineKernel } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { KernelStyle } from './style';

const PARAM_BYTES = 48;

export const embeddingForwardKernel = defineKernel({
  name: 'embedding.forward',
  code: tokensFn + code,
  entryPoint: 'forward',
  bindings: [
    { name: 'params', kind: 'uniform' },
    { name: 'corpus', kind: 'read' },
    { name: 'windows', kind: 'read' },
    { name: 'P', kind: 'read' },
    { name: 'X', kind: 'rw' },
  ],
  paramBytes: PARAM_BYTES,
  threads: 64,
});

export const embeddingBackwardKernel = defineKernel({
  ...embeddingForwardKernel,
  name: 'embedding.backward',
  entryPoint: 'backward',
  bindings: [...embeddingForwardKernel.bindings, { name: 'G', kind: 'rw' }],
});

export const embeddingBackwardRowsKernel = defineKernel({ ...embeddingBackwardKernel, name: 'embedding.backward.rows', entryPoint: 'backward_rows' });

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

function pack(a: Partial<EmbeddingArgs & EmbeddingBackwardArgs>, flags: number): ArrayBuffer {
  return new ParamWriter(PARAM_BYTES)
    .u32(a.B!).u32(a.T!).u32(a.C!).u32(a.V!)
    .u32(a.x ?? 0).u32(a.wte ?? 0).u32(a.wpe ?? 0).u32(a.winOff!)
    .u32(a.dx ?? 0).u32(a.dwte ?? 0).u32(a.dwpe ?? 0).u32(flags)
    .finish();
}

export function embeddingForward(label: string, a: EmbeddingArgs, buffers: TokenBuffers & { P: BufferRef; X: BufferRef }): DispatchSpec {
  return {
    kernel: embeddingForwardKernel,
    label: `embedding.forward ${label} [B=${a.B} T=${a.T} C=${a.C}]`,
    params: pack(a, 0),
    buffers,
    workgroups: Math.ceil((a.B * a.T * a.C) / 64),
  };
}

/** Style 'gpu': a workgroup per output row; 'cpu': a thread per output row. */
export function embeddingBackward(label: string, a: EmbeddingBackwardArgs, buffers: TokenBuffers & { P: BufferRef; X: BufferRef; G: BufferRef }, style: KernelStyle = 'gpu'): DispatchSpec {
  const flags = (a.dwte !== undefined ? 1 : 0) | (a.dwpe !== undefined ? 2 : 0);
  if (!flags) throw new Error(`embedding.backward ${label}: neither table is trainable; skip the dispatch`);
  return {
    kernel: style === 'gpu' ? embeddingBackwardKernel : embeddingBackwardRowsKernel,
    label: `embedding.backward ${label} [B=${a.B} T=${a.T} C=${a.C} V=${a.V}]`,
    params: pack(a, flags),
    buffers,
    workgroups: style === 'gpu' ? a.V + a.T : Math.ceil((a.V + a.T) / 64),
  };
}

/** Packs bytes four to a u32, little-endian, as the kernels read them. */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(Math.max(1, Math.ceil(bytes.length / 4)));
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
