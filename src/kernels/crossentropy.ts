// Fused softmax + cross-entropy forward and gradient (shaders/crossentropy.wgsl). Targets are read
// from the corpus: row b·T + t predicts the byte after token (b, t).

import code from '../../shaders/crossentropy.wgsl?raw';
import tokensFn from '../../shaders/lib/tokens_fn.wgsl?raw';
import { defineKernel } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { TokenBuffers } from './embedding';
import type { KernelStyle } from './style';

export const crossEntropyKernel = defineKernel({
  name: 'crossentropy',
  code: tokensFn + code,
  entryPoint: 'main',
  bindings: [
    { name: 'params', kind: 'uniform' },
    { name: 'corpus', kind: 'read' },
    { name: 'windows', kind: 'read' },
    { name: 'X', kind: 'rw' },
  ],
  paramBytes: 32,
  threads: 64,
});

export const crossEntropyRowsKernel = defineKernel({ ...crossEntropyKernel, name: 'crossentropy.rows', entryPoint: 'main_rows' });

export interface CrossEntropyArgs {
  /** Sequences and positions: logits are [B·T, V]. */
  B: number;
  T: number;
  V: number;
  winOff: number;
  logits: number;
  losses: number;
  /** Overwrite logits with dlogits scaled by gradScale (training); omit for evaluation. */
  gradScale?: number;
}

/** Style 'gpu': a workgroup per row; 'cpu': a thread per row. */
export function crossEntropy(label: string, a: CrossEntropyArgs, buffers: TokenBuffers & { X: BufferRef }, style: KernelStyle = 'gpu'): DispatchSpec {
  const R = a.B * a.T;
  const params = new ParamWriter(32)
    .u32(R).u32(a.V).u32(a.T).u32(a.winOff)
    .u32(a.logits).u32(a.losses).f32(a.gradScale ?? 0).u32(a.gradScale === undefined ? 0 : 1)
    .finish();
  const kernel = style === 'gpu' ? crossEntropyKernel : crossEntropyRowsKernel;
  return { kernel, label: `crossentropy ${label} [${R}x${a.V}]`, params, buffers, workgroups: style === 'gpu' ? R : Math.ceil(R / 64) };
}
