// The multi-job matmul kernel (shaders/matmul.wgsl) and helpers that express the products a
// linear layer needs as jobs. Shapes follow PyTorch: a weight W is [out, in], y = x·Wᵀ + b.
//   forward  y[M, out]  = x[M, in] · Wᵀ            linearForward
//   dX       dx[M, in]  = dy[M, out] · W           linearBackwardInput
//   dW       dW[out,in] += dyᵀ · x                 linearBackwardWeight
//   db       db[out]    += Σ_m dy[m, :]            biasGrad
// Several independent jobs share one dispatch (e.g. dX and dW of the same layer).

import directCode from '../../shaders/matmul_direct.wgsl?raw';
import tiledCode from '../../shaders/matmul.wgsl?raw';
import geluFn from '../../shaders/lib/gelu_fn.wgsl?raw';
import common from '../../shaders/lib/matmul_common.wgsl?raw';
import { defineKernel } from '../gpu/kernel';
import { instantiate } from '../gpu/wgsl';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { KernelStyle } from './style';

/** Which bound buffer an operand lives in: P parameters (read-only here), X activations and scratch, G gradients. */
export const Buf = { P: 0, X: 1, G: 2 } as const;
export type Buf = (typeof Buf)[keyof typeof Buf];
type Writable = typeof Buf.X | typeof Buf.G;

const MAX_JOBS = 64;
const JOB_BYTES = 96;
const F_BIAS = 1;
const F_ACCUM = 2;
const F_ADD_D = 4;
const F_GELU = 8;
const F_GELU_BWD = 16;
const F_A_ONES = 32;

// Style 'gpu' runs the tiled kernel (64×64 tiles staged through workgroup memory); style 'cpu' the
// direct one (32×32 tiles read straight from memory, no barriers). Same jobs, same epilogues.

export const matmulKernel = defineKernel({
  name: 'matmul',
  code: geluFn + common + tiledCode,
  entryPoint: 'main',
  bindings: [
    { name: 'params', kind: 'uniform' },
    { name: 'P', kind: 'read' },
    { name: 'X', kind: 'rw' },
    { name: 'G', kind: 'rw' },
  ],
  paramBytes: 16 + MAX_JOBS * JOB_BYTES,
  threads: 256,
});

export const matmulDirectKernel = defineKernel({
  ...matmulKernel,
  name: 'matmul.direct',
  code: geluFn + common + instantiate(directCode, { SA: ['P', 'X', 'ONE'], SB: ['P', 'X'] }),
  entryPoint: 'main_direct',
  threads: 64,
});

const TILES: Record<KernelStyle, number> = { gpu: 64, cpu: 32 };

/** op(A)[m, k] = buf[off + m·sm + k·sk]. `ones` makes op(A) all ones (no memory read). */
export interface OperandA {
  buf: Buf;
  off: number;
  sm: number;
  sk: number;
  ones?: boolean;
}
/** op(B)[k, n] = buf[off + k·sk + n·sn]. */
export interface OperandB {
  buf: Buf;
  off: number;
  sk: number;
  sn: number;
}
/** A row-major [M, N] matrix with row stride sm. */
export interface MatrixRef {
  buf: Buf;
  off: number;
  sm: number;
}

export interface MatmulJob {
  M: number;
  N: number;
  K: number;
  a: OperandA;
  b: OperandB;
  c: MatrixRef & { buf: Writable };
  /** Scale of the product (LoRA's alpha/r, or 1). */
  alpha?: number;
  /** Offset in P of a bias [N] added to every row. */
  bias?: number;
  /** A matrix [M, N] added to the result (residual connection, or W in W + s·B·A). */
  d?: MatrixRef;
  /** Forward GELU: save the pre-activation to E (in X) and store gelu(v). */
  gelu?: { off: number; sm: number };
  /** Backward GELU: multiply the result by gelu'(E[m, n]) where E (in X) holds the pre-activation. */
  geluGrad?: { off: number; sm: number };
  /** Add into C instead of overwriting it (gradient accumulation). */
  accumulate?: boolean;
}

export function tilesOf(job: Pick<MatmulJob, 'M' | 'N'>, style: KernelStyle = 'gpu'): number {
  const t = TILES[style];
  return Math.ceil(job.M / t) * Math.ceil(job.N / t);
}

function checkJob(job: MatmulJob, label: string): void {
  for (const k of ['M', 'N', 'K'] as const) {
    // K = 0 with an addend is a copy (C = D): used to fill merged weights once.
    const min = k === 'K' && job.d ? 0 : 1;
    if (!Number.isInteger(job[k]) || job[k] < min) throw new Error(`${label}: ${k} = ${job[k]} must be an integer ≥ ${min}`);
  }
  if (job.gelu && job.geluGrad) throw new Error(`${label}: gelu and geluGrad are exclusive`);
}

/** Packs jobs into one matmul dispatch. */
export function matmulDispatch(
  label: string,
  jobs: readonly MatmulJob[],
  buffers: { P: BufferRef; X: BufferRef; G: BufferRef },
  style: KernelStyle = 'gpu',
): DispatchSpec {
  const tile = TILES[style];
  if (jobs.length < 1 || jobs.length > MAX_JOBS) throw new Error(`${label}: ${jobs.length} jobs; 1..${MAX_JOBS} allowed`);
  const w = new ParamWriter(matmulKernel.paramBytes);
  let total = 0;
  const starts = jobs.map((job) => {
    checkJob(job, label);
    const s = total;
    total += tilesOf(job, style);
    return s;
  });
  w.u32(jobs.length).u32(total).u32(0).u32(0);
  jobs.forEach((job, i) => {
    let flags = 0;
    if (job.bias !== undefined) flags |= F_BIAS;
    if (job.accumulate) flags |= F_ACCUM;
    if (job.d) flags |= F_ADD_D;
    if (job.gelu) flags |= F_GELU;
    if (job.geluGrad) flags |= F_GELU_BWD;
    if (job.a.ones) flags |= F_A_ONES;
    const e = job.gelu ?? job.geluGrad;
    w.u32(job.M).u32(job.N).u32(job.K).u32(starts[i]);
    w.u32(Math.ceil(job.N / tile)).u32(flags).f32(job.alpha ?? 1).u32(job.bias ?? 0);
    w.u32(job.a.off).u32(job.a.sm).u32(job.a.sk).u32(job.a.buf);
    w.u32(job.b.off).u32(job.b.sk).u32(job.b.sn).u32(job.b.buf);
    w.u32(job.c.off).u32(job.c.sm).u32(job.c.buf).u32(e?.off ?? 0);
    w.u32(job.d?.off ?? 0).u32(job.d?.sm ?? 0).u32(job.d?.buf ?? 0).u32(e?.sm ?? 0);
  });
  const desc = jobs.map((j) => `${j.M}x${j.N}x${j.K}`).join(',');
  return { kernel: style === 'gpu' ? matmulKernel : matmulDirectKernel, label: `matmul ${label} [${desc}]`, params: w.finish(), buffers, workgroups: total };
}

// ---- Linear-layer jobs (W [out, in] row-major at wOff in `wBuf`) -------------------------------

export interface LinearShape {
  /** Rows (batch × time). */
  rows: number;
  in: number;
  out: number;
}

/** y[rows, out] = x[rows, in] · Wᵀ (+ bias) (+ d). x and y row-major in X. */
export function linearForward(
  s: LinearShape,
  x: number,
  w: { buf: Buf; off: number },
  y: number,
  extra: Partial<Pick<MatmulJob, 'bias' | 'd' | 'gelu' | 'geluGrad' | 'alpha' | 'accumulate'>> = {},
): MatmulJob {
  return {
    M: s.rows, N: s.out, K: s.in,
    a: { buf: Buf.X, off: x, sm: s.in, sk: 1 },
    b: { buf: w.buf, off: w.off, sk: 1, sn: s.in },
    c: { buf: Buf.X, off: y, sm: s.out },
    ...extra,
  };
}

/** dx[rows, in] = dy[rows, out] · W (accumulate to add into dx). */
export function linearBackwardInput(
  s: LinearShape,
  dy: number,
  w: { buf: Buf; off: number },
  dx: number,
  extra: Partial<Pick<MatmulJob, 'geluGrad' | 'accumulate' | 'alpha' | 'd'>> = {},
): MatmulJob {
  return {
    M: s.rows, N: s.in, K: s.out,
    a: { buf: Buf.X, off: dy, sm: s.out, sk: 1 },
    b: { buf: w.buf, off: w.off, sk: s.in, sn: 1 },
    c: { buf: Buf.X, off: dx, sm: s.in },
    ...extra,
  };
}

/** dW[out, in] += alpha · dyᵀ · x, written to `dw` in G (or X for scratch). */
export function linearBackwardWeight(
  s: LinearShape,
  dy: number,
  x: number,
  dw: { buf: Writable; off: number },
  alpha = 1,
  accumulate = true,
): MatmulJob {
  return {
    M: s.out, N: s.in, K: s.rows,
    a: { buf: Buf.X, off: dy, sm: 1, sk: s.out },
    b: { buf: Buf.X, off: x, sk: s.in, sn: 1 },
    c: { buf: dw.buf, off: dw.off, sm: s.in },
    alpha,
    accumulate,
  };
}

/** db[out] += Σ_rows dy[rows, out]: a [1, out] product of a ones row with dy. */
export function biasGrad(rows: number, out: number, dy: number, db: number, accumulate = true): MatmulJob {
  return {
    M: 1, N: out, K: rows,
    a: { buf: Buf.X, off: 0, sm: 0, sk: 0, ones: true },
    b: { buf: Buf.X, off: dy, sk: out, sn: 1 },
    c: { buf: Buf.G, off: db, sm: out },
    accumulate,
  };
}
