// Fused softmax + cross-entropy forward and gradient (shaders/crossentropy.wgsl). Targets are read
// from the corpus: row b·T + t predicts the byte after token (b, t).
// Limits: 64 invocations per workgroup; 'workgroup' style 64·4 = 256 bytes of workgroup storage.

import code from '../../shaders/crossentropy.wgsl?raw';
import { defineKernel, workgroupsFor } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { WgslSource } from '../gpu/wgsl';
import type { TokenBuffers } from './embedding';
import { RUNS, TOKENS } from './lib';
import { ONE_RUN, RUNS_BYTES, writeRuns, type Runs } from './runs';
import type { ByStyle, KernelStyle } from './style';

const CONSTANTS = { WG: 64, F_GRAD: 1 } as const;
const PARAM_BYTES = 32 + RUNS_BYTES;
const CROSSENTROPY: WgslSource = { file: 'crossentropy.wgsl', code, requires: [TOKENS, RUNS], needs: Object.keys(CONSTANTS) };
export const CROSSENTROPY_SOURCES: readonly WgslSource[] = [CROSSENTROPY];

const bindings = [
  { name: 'params', kind: 'uniform' },
  { name: 'corpus', kind: 'read' },
  { name: 'windows', kind: 'read' },
  { name: 'X', kind: 'rw' },
] as const;

export const CROSSENTROPY_KERNELS: ByStyle<ReturnType<typeof defineKernel>> = {
  workgroup: defineKernel({ name: 'crossentropy', source: CROSSENTROPY, constants: CONSTANTS, entryPoint: 'main', bindings, paramBytes: PARAM_BYTES }),
  thread: defineKernel({ name: 'crossentropy.thread', source: CROSSENTROPY, constants: CONSTANTS, entryPoint: 'main_thread', bindings, paramBytes: PARAM_BYTES }),
};

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

/** Style 'workgroup': a workgroup per row; 'thread': a thread per row. */
export function crossEntropy(label: string, a: CrossEntropyArgs, buffers: TokenBuffers & { X: BufferRef }, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const R = a.B * a.T;
  const w = new ParamWriter(PARAM_BYTES)
    .u32(R).u32(a.V).u32(a.T).u32(a.winOff)
    .u32(a.logits).u32(a.losses).f32(a.gradScale ?? 0).u32(a.gradScale === undefined ? 0 : CONSTANTS.F_GRAD);
  const params = writeRuns(w, runs).finish();
  const kernel = CROSSENTROPY_KERNELS[style];
  return { kernel, label: `crossentropy ${label} [${R}x${a.V}]`, params, buffers, workgroups: style === 'workgroup' ? R : workgroupsFor(R, kernel.threads), runs: runs.count };
}
