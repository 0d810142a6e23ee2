// LayerNorm forward and backward (shaders/layernorm.wgsl). Offsets are f32 elements into the
// bound buffers: x, y, dy, dx, mean, rstd in X; w, b in P; dw, db in G.
// Limits: 64 invocations per workgroup; 'workgroup' style 2·64·4 = 512 bytes of workgroup storage.

import layernormCode from '../../shaders/layernorm.wgsl?raw';
import { LN_EPS } from '../config/architecture';
import { defineKernel, workgroupsFor } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { WgslSource } from '../gpu/wgsl';
import { RUNS, WG_SUM } from './lib';
import { ONE_RUN, RUNS_BYTES, writeRuns, type Runs } from './runs';
import type { ByStyle, KernelStyle } from './style';

const PARAM_BYTES = 64 + RUNS_BYTES;
/** WG threads per workgroup; the columns job of the backward takes COL_BLOCK columns per workgroup. */
const CONSTANTS = { WG: 64, COL_BLOCK: 16, F_ACCUM_DX: 1, F_PARAM_GRADS: 2 } as const;

const LAYERNORM: WgslSource = { file: 'layernorm.wgsl', code: layernormCode, requires: [WG_SUM, RUNS], needs: Object.keys(CONSTANTS) };
export const LAYERNORM_SOURCES: readonly WgslSource[] = [LAYERNORM];

const forwardBindings = [
  { name: 'params', kind: 'uniform' },
  { name: 'P', kind: 'read' },
  { name: 'X', kind: 'rw' },
] as const;
const backwardBindings = [...forwardBindings, { name: 'G', kind: 'rw' }] as const;
const kernel = (name: string, entryPoint: string, bindings: typeof forwardBindings | typeof backwardBindings) =>
  defineKernel({ name, source: LAYERNORM, constants: CONSTANTS, entryPoint, bindings, paramBytes: PARAM_BYTES });

export const LAYERNORM_FORWARD: ByStyle<ReturnType<typeof defineKernel>> = {
  workgroup: kernel('layernorm.forward', 'forward', forwardBindings),
  thread: kernel('layernorm.forward.thread', 'forward_thread', forwardBindings),
};
export const LAYERNORM_BACKWARD: ByStyle<ReturnType<typeof defineKernel>> = {
  workgroup: kernel('layernorm.backward', 'backward', backwardBindings),
  thread: kernel('layernorm.backward.thread', 'backward_thread', backwardBindings),
};

if (CONSTANTS.WG % CONSTANTS.COL_BLOCK !== 0) throw new Error('layernorm: COL_BLOCK must divide WG');

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

function pack(a: Partial<LayerNormArgs & LayerNormBackwardArgs>, flags: number, runs: Runs): ArrayBuffer {
  const w = new ParamWriter(PARAM_BYTES);
  w.u32(a.R!).u32(a.C!).u32(a.x!).u32(a.y ?? 0);
  w.u32(a.w!).u32(a.b ?? 0).u32(a.mean!).u32(a.rstd!);
  w.u32(a.dy ?? 0).u32(a.dx ?? 0).u32(a.paramGrads?.dw ?? 0).u32(a.paramGrads?.db ?? 0);
  w.u32(flags).f32(LN_EPS).u32(0).u32(0);
  return writeRuns(w, runs).finish();
}

/** Style 'workgroup': a workgroup per row; 'thread': a thread per row. */
export function layerNormForward(label: string, a: LayerNormArgs, buffers: { P: BufferRef; X: BufferRef }, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const kernel = LAYERNORM_FORWARD[style];
  const workgroups = style === 'workgroup' ? a.R : workgroupsFor(a.R, kernel.threads);
  return { kernel, label: `layernorm.forward ${label} [${a.R}x${a.C}]`, params: pack(a, 0, runs), buffers, workgroups, runs: runs.count };
}

/** Rows job, then (with paramGrads) the columns job, in one dispatch. */
export function layerNormBackward(label: string, a: LayerNormBackwardArgs, buffers: { P: BufferRef; X: BufferRef; G: BufferRef }, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const flags = (a.accumulateDx ? CONSTANTS.F_ACCUM_DX : 0) | (a.paramGrads ? CONSTANTS.F_PARAM_GRADS : 0);
  const kernel = LAYERNORM_BACKWARD[style];
  const workgroups = style === 'workgroup'
    ? a.R + (a.paramGrads ? workgroupsFor(a.C, CONSTANTS.COL_BLOCK) : 0)
    : workgroupsFor(a.R, kernel.threads) + (a.paramGrads ? workgroupsFor(a.C, kernel.threads) : 0);
  return { kernel, label: `layernorm.backward ${label} [${a.R}x${a.C}]`, params: pack(a, flags, runs), buffers, workgroups, runs: runs.count };
}
