// Causal multi-head attention forward and backward (shaders/attention.wgsl). Offsets are f32
// elements into X: qkv [B·T, 3C], out/dout [B·T, C], lse [B·H, T], dqkv [B·T, 3C].

import code from '../../shaders/attention.wgsl?raw';
import { defineKernel } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { KernelStyle } from './style';

/** Largest head dimension the kernel holds in registers (MAXD in attention.wgsl). */
export const MAX_HEAD_DIM = 64;
const ROWS = 64;

export const attentionForwardKernel = defineKernel({
  name: 'attention.forward',
  code,
  entryPoint: 'forward',
  bindings: [
    { name: 'params', kind: 'uniform' },
    { name: 'X', kind: 'rw' },
  ],
  paramBytes: 48,
  threads: 64,
});

export const attentionBackwardKernel = defineKernel({ ...attentionForwardKernel, name: 'attention.backward', entryPoint: 'backward' });
export const attentionForwardRowsKernel = defineKernel({ ...attentionForwardKernel, name: 'attention.forward.rows', entryPoint: 'forward_rows' });
export const attentionBackwardRowsKernel = defineKernel({ ...attentionForwardKernel, name: 'attention.backward.rows', entryPoint: 'backward_rows' });

export interface AttentionArgs {
  B: number;
  T: number;
  C: number;
  H: number;
  qkv: number;
  out: number;
  lse: number;
}

export interface AttentionBackwardArgs extends AttentionArgs {
  dout: number;
  dqkv: number;
}

function pack(a: AttentionArgs & Partial<AttentionBackwardArgs>): ArrayBuffer {
  if (a.C % a.H !== 0) throw new Error(`attention: C = ${a.C} is not divisible by H = ${a.H}`);
  const D = a.C / a.H;
  if (D > MAX_HEAD_DIM) throw new Error(`attention: head dimension ${D} (C ${a.C} / H ${a.H}) exceeds ${MAX_HEAD_DIM}`);
  return new ParamWriter(48)
    .u32(a.B).u32(a.T).u32(a.C).u32(a.H)
    .u32(D).u32(a.qkv).u32(a.out).u32(a.lse)
    .u32(a.dout ?? 0).u32(a.dqkv ?? 0).f32(1 / Math.sqrt(D)).u32(0)
    .finish();
}

/** Workgroups for one pass over all rows: 'gpu' has a workgroup per 64-row block of each (b, h). */
const blocks = (a: AttentionArgs, style: KernelStyle) => (style === 'gpu' ? a.B * a.H * Math.ceil(a.T / ROWS) : Math.ceil((a.B * a.H * a.T) / ROWS));

/** Style 'gpu': keys staged through workgroup memory; 'cpu': a thread per row, no barriers. */
export function attentionForward(label: string, a: AttentionArgs, buffers: { X: BufferRef }, style: KernelStyle = 'gpu'): DispatchSpec {
  const kernel = style === 'gpu' ? attentionForwardKernel : attentionForwardRowsKernel;
  return { kernel, label: `attention.forward ${label} [B=${a.B} T=${a.T} C=${a.C} H=${a.H}]`, params: pack(a), buffers, workgroups: blocks(a, style) };
}

export function attentionBackward(label: string, a: AttentionBackwardArgs, buffers: { X: BufferRef }, style: KernelStyle = 'gpu'): DispatchSpec {
  const kernel = style === 'gpu' ? attentionBackwardKernel : attentionBackwardRowsKernel;
  const workgroups = style === 'gpu' ? 2 * blocks(a, style) : Math.ceil((2 * a.B * a.H * a.T) / ROWS);
  return { kernel, label: `attention.backward ${label} [B=${a.B} T=${a.T} C=${a.C} H=${a.H}]`, params: pack(a), buffers, workgroups };
}
