// LayerNorm forward and backward (shaders/layernorm.wgsl). Offsets are f32 elements into the
// bound buffers: x, y, dy, dx, mean, rstd in X; w, b in P; dw, db in G.

import layernormCode from '../../shaders/layernorm.wgsl?raw';
import wgSum from '../../shaders/lib/wg_sum.wgsl?raw';
import { defineKernel } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import { LN_EPS } from '../ref/layernorm';
import type { KernelStyle } from './style';

const code = wgSum + layernormCode;

const PARAM_BYTES = 64;
const F_ACCUM_DX = 1;
const F_PARAM_GRADS = 2;

export const layerNormForwardKernel = defineKernel({
  name: 'layernorm.forward',
  code,
  entryPoint: 'forward',
  bindings: [
    { name: 'params', kind: 'uniform' },
    { name: 'P', kind: 'read' },
    { name: 'X', kind: 'rw' },
  ],
  paramBytes: PARAM_BYTES,
  threads: 64,
});

export const layerNormBackwardKernel = defineKernel({
  ...layerNormForwardKernel,
  name: 'layernorm.backward',
  entryPoint: 'backward',
  bindings: [...layerNormForwardKernel.bindings, { name: 'G', kind: 'rw' }],
});

export const layerNormForwardRowsKernel = defineKernel({ ...layerNormForwardKernel, name: 'layernorm.forward.rows', entryPoint: 'forward_rows' });
export const layerNormBackwardRowsKernel = defineKernel({ ...layerNormBackwardKernel, name: 'layernorm.backward.rows', entryPoint: 'backward_rows' });

export interface LayerNormArgs {
  /** Rows and columns: x is [R, C]. */
  R: number;
  C: number;
  x: number;
  y: number;
  w: number;
  b: number;
  mean: number;
  rstd: number;
}

export interface LayerNormBackwardArgs extends Omit<LayerNormArgs, 'y' | 'b'> {
  dy: number;
  dx: number;
  /** Add into dx (it already holds the residual stream's gradient) instead of overwriting it. */
  accumulateDx: boolean;
  /** Offsets of dw, db in G; omit when w and b are frozen. */
  paramGrads?: { dw: number; db: number };
}

function pack(a: Partial<LayerNormArgs & LayerNormBackwardArgs>, flags: number): ArrayBuffer {
  const w = new ParamWriter(PARAM_BYTES);
  w.u32(a.R!).u32(a.C!).u32(a.x!).u32(a.y ?? 0);
  w.u32(a.w!).u32(a.b ?? 0).u32(a.mean!).u32(a.rstd!);
  w.u32(a.dy ?? 0).u32(a.dx ?? 0).u32(a.paramGrads?.dw ?? 0).u32(a.paramGrads?.db ?? 0);
  w.u32(flags).f32(LN_EPS).u32(0).u32(0);
  return w.finish();
}

/** Style 'gpu': a workgroup per row; 'cpu': a thread per row. */
export function layerNormForward(label: string, a: LayerNormArgs, buffers: { P: BufferRef; X: BufferRef }, style: KernelStyle = 'gpu'): DispatchSpec {
  const kernel = style === 'gpu' ? layerNormForwardKernel : layerNormForwardRowsKernel;
  const workgroups = style === 'gpu' ? a.R : Math.ceil(a.R / 64);
  return { kernel, label: `layernorm.forward ${label} [${a.R}x${a.C}]`, params: pack(a, 0), buffers, workgroups };
}

export function layerNormBackward(label: string, a: LayerNormBackwardArgs, buffers: { P: BufferRef; X: BufferRef; G: BufferRef }, style: KernelStyle = 'gpu'): DispatchSpec {
  const flags = (a.accumulateDx ? F_ACCUM_DX : 0) | (a.paramGrads ? F_PARAM_GRADS : 0);
  const kernel = style === 'gpu' ? layerNormBackwardKernel : layerNormBackwardRowsKernel;
  const workgroups = style === 'gpu'
    ? a.R + (a.paramGrads ? Math.ceil(a.C / 16) : 0)
    : Math.ceil(a.R / 64) + (a.paramGrads ? Math.ceil(a.C / 64) : 0);
  return { kernel, label: `layernorm.backward ${label} [${a.R}x${a.C}]`, params: pack(a, flags), buffers, workgroups };
}
