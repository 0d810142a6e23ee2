// Causal multi-head attention forward and backward (shaders/attention/). Offsets are f32 elements
// into X: qkv [B·T, 3C], out/dout [B·T, C], lse [B·H, T], dqkv [B·T, 3C].
//   common.wgsl   Params, the binding, index helpers, the online softmax    (every kernel)
//   tiles.wgsl    the two workgroup tiles, stage(), ROWS-row blocks         ('workgroup' kernels)
//   forward.wgsl  attention.forward          backward.wgsl  attention.backward
//   thread.wgsl   attention.forward.thread, attention.backward.thread
// Limits: ROWS = 64 invocations per workgroup; 'workgroup' style 2·TILE·MAXD·4 = 16,384 bytes of
// workgroup storage (WebGPU's default maxComputeWorkgroupStorageSize), 'thread' style none. Both
// are computed from the WGSL (KernelDef.threads, .workgroupBytes) and held to REQUIRED_LIMITS by
// tests/unit/kernels/attention.test.ts and limits.test.ts.

import backwardCode from '../../shaders/attention/backward.wgsl?raw';
import commonCode from '../../shaders/attention/common.wgsl?raw';
import forwardCode from '../../shaders/attention/forward.wgsl?raw';
import threadCode from '../../shaders/attention/thread.wgsl?raw';
import tilesCode from '../../shaders/attention/tiles.wgsl?raw';
import { defineKernel, workgroupsFor, type KernelDef } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { WgslSource } from '../gpu/wgsl';
import { RUNS } from './lib';
import { ONE_RUN, RUNS_BYTES, writeRuns, type Runs } from './runs';
import type { ByStyle, KernelStyle } from './style';

/** Largest head dimension the kernels hold in registers (MAXD in the WGSL). */
export const MAX_HEAD_DIM = 64;
/** Rows of the two TILE × MAXD workgroup tiles (2·TILE·MAXD·4 bytes of workgroup storage). */
const TILE = 32;
/**
 * ROWS query (or key) rows per workgroup, a thread each; TILE keys staged per step (forward, dq
 * job); QTILE queries staged per step in the dk/dv job, whose D_i and lse_i take the tiles' last row.
 */
const CONSTANTS = { ROWS: 64, TILE, QTILE: TILE - 1, MAXD: MAX_HEAD_DIM } as const;
const PARAM_BYTES = 48 + RUNS_BYTES;

// The dk/dv job's side row holds QTILE values in a row of MAXD.
if (CONSTANTS.QTILE > CONSTANTS.MAXD) throw new Error('attention: QTILE must be ≤ MAXD (the side row of the dk/dv job)');

const COMMON: WgslSource = { file: 'attention/common.wgsl', code: commonCode, requires: [RUNS], needs: ['MAXD'] };
const TILES: WgslSource = { file: 'attention/tiles.wgsl', code: tilesCode, requires: [COMMON], needs: ['ROWS', 'TILE', 'MAXD'] };
const FORWARD: WgslSource = { file: 'attention/forward.wgsl', code: forwardCode, requires: [TILES], needs: ['ROWS', 'TILE', 'MAXD'] };
const BACKWARD: WgslSource = { file: 'attention/backward.wgsl', code: backwardCode, requires: [TILES], needs: ['ROWS', 'TILE', 'QTILE', 'MAXD'] };
const THREAD: WgslSource = { file: 'attention/thread.wgsl', code: threadCode, requires: [COMMON], needs: ['ROWS', 'MAXD'] };
export const ATTENTION_SOURCES: readonly WgslSource[] = [COMMON, TILES, FORWARD, BACKWARD, THREAD];

const bindings = [
  { name: 'params', kind: 'uniform' },
  { name: 'X', kind: 'rw' },
] as const;
const kernel = (name: string, source: WgslSource, entryPoint: string) =>
  defineKernel({ name, source, constants: CONSTANTS, entryPoint, bindings, paramBytes: PARAM_BYTES });

export const ATTENTION_FORWARD: ByStyle<KernelDef> = {
  workgroup: kernel('attention.forward', FORWARD, 'forward'),
  thread: kernel('attention.forward.thread', THREAD, 'forward_thread'),
};
export const ATTENTION_BACKWARD: ByStyle<KernelDef> = {
  workgroup: kernel('attention.backward', BACKWARD, 'backward'),
  thread: kernel('attention.backward.thread', THREAD, 'backward_thread'),
};

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

type Region = [name: string, offset: number, length: number];

/** The kernels read no region they write within a dispatch (there are no storage barriers): refuse overlaps. */
function checkDisjoint(kernel: string, writes: Region[], reads: Region[]): void {
  const all = [...writes, ...reads];
  for (const [i, [wn, wo, wl]] of writes.entries()) {
    for (const [rn, ro, rl] of all.slice(i + 1)) {
      if (wo < ro + rl && ro < wo + wl) throw new Error(`${kernel}: ${wn} [${wo}, ${wo + wl}) overlaps ${rn} [${ro}, ${ro + rl})`);
    }
  }
}

function pack(a: AttentionArgs & Partial<AttentionBackwardArgs>, runs: Runs): ArrayBuffer {
  if (a.C % a.H !== 0) throw new Error(`attention: C = ${a.C} is not divisible by H = ${a.H}`);
  const D = a.C / a.H;
  if (D > MAX_HEAD_DIM) throw new Error(`attention: head dimension ${D} (C ${a.C} / H ${a.H}) exceeds ${MAX_HEAD_DIM}`);
  const w = new ParamWriter(PARAM_BYTES)
    .u32(a.B).u32(a.T).u32(a.C).u32(a.H)
    .u32(D).u32(a.qkv).u32(a.out).u32(a.lse)
    .u32(a.dout ?? 0).u32(a.dqkv ?? 0).f32(1 / Math.sqrt(D)).u32(0);
  return writeRuns(w, runs).finish();
}

const regions = (a: AttentionArgs) => {
  const rows = a.B * a.T;
  return { qkv: ['qkv', a.qkv, rows * 3 * a.C], out: ['out', a.out, rows * a.C], lse: ['lse', a.lse, a.B * a.H * a.T] } satisfies Record<string, Region>;
};

/** Workgroups for `passes` passes over all rows: 'workgroup' has one per ROWS-row block of each (b, h), 'thread' ROWS rows each. */
const workgroups = (a: AttentionArgs, style: KernelStyle, passes: number) =>
  style === 'workgroup' ? passes * a.B * a.H * workgroupsFor(a.T, CONSTANTS.ROWS) : workgroupsFor(passes * a.B * a.H * a.T, CONSTANTS.ROWS);

/** Style 'workgroup': keys staged through workgroup memory; 'thread': a thread per row, no barriers. */
export function attentionForward(label: string, a: AttentionArgs, buffers: { X: BufferRef }, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const params = pack(a, runs);
  const r = regions(a);
  checkDisjoint(`attention.forward ${label}`, [r.out, r.lse], [r.qkv]);
  return { kernel: ATTENTION_FORWARD[style], label: `attention.forward ${label} [B=${a.B} T=${a.T} C=${a.C} H=${a.H}]`, params, buffers, workgroups: workgroups(a, style, 1), runs: runs.count };
}

/** The dq job and the dk/dv job in one dispatch: two passes over the rows. */
export function attentionBackward(label: string, a: AttentionBackwardArgs, buffers: { X: BufferRef }, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const params = pack(a, runs);
  const r = regions(a);
  checkDisjoint(`attention.backward ${label}`, [['dqkv', a.dqkv, r.qkv[2]]], [r.qkv, r.out, ['dout', a.dout, r.out[2]], r.lse]);
  return { kernel: ATTENTION_BACKWARD[style], label: `attention.backward ${label} [B=${a.B} T=${a.T} C=${a.C} H=${a.H}]`, params, buffers, workgroups: workgroups(a, style, 2), runs: runs.count };
}
