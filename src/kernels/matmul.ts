// The multi-job matmul kernel (shaders/matmul/) and helpers that express the products a linear
// layer needs as jobs. Shapes follow PyTorch: a weight W is [out, in], y = x·Wᵀ + b.
//   forward  y[M, out]  = x[M, in] · Wᵀ            linearForward
//   dX       dx[M, in]  = dy[M, out] · W           linearBackwardInput
//   dW       dW[out,in] += dyᵀ · x                 linearBackwardWeight
//   db       db[out]    += Σ_m dy[m, :]            biasGrad
// Several independent jobs share one dispatch (e.g. dX and dW of the same layer); matmuls() splits
// any number of jobs into dispatches of at most MAX_JOBS.
// Limits: 'workgroup' style 256 invocations and 8 KiB of workgroup storage; 'thread' style 16
// invocations, none (both within WebGPU's defaults).

import commonCode from '../../shaders/matmul/common.wgsl?raw';
import geluCode from '../../shaders/matmul/gelu.wgsl?raw';
import threadCode from '../../shaders/matmul/thread.wgsl?raw';
import tiledCode from '../../shaders/matmul/tiled.wgsl?raw';
import { GELU_TANH } from '../config/architecture';
import { defineKernel, type KernelDef } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import { f32, instantiate, type WgslSource } from '../gpu/wgsl';
import { ONE_RUN, RUNS_BYTES, writeRuns, type Runs } from './runs';
import type { ByStyle, KernelStyle } from './style';

/** Which bound buffer an operand lives in: P parameters (read-only here), X activations and scratch, G gradients. */
export const Buf = { P: 0, X: 1, G: 2 } as const;
export type Buf = (typeof Buf)[keyof typeof Buf];
type Writable = typeof Buf.X | typeof Buf.G;

/** Job flags (one bit each). */
const FLAGS = { F_BIAS: 1, F_ACCUM: 2, F_ADD_D: 4, F_GELU: 8, F_GELU_BWD: 16, F_A_ONES: 32, F_TALL: 64, F_WIDE: 128 } as const;
/** Jobs per dispatch: the Params uniform holds this many Job structs. */
export const MAX_JOBS = 64;
/** Bytes of one WGSL Job struct (24 u32/f32 fields). */
const JOB_BYTES = 96;

/** The epilogue's optional steps, one flag each (the rest of FLAGS choose operands and tiles). */
const EPILOGUE_STEPS = { bias: FLAGS.F_BIAS, accum: FLAGS.F_ACCUM, add_d: FLAGS.F_ADD_D, gelu: FLAGS.F_GELU, gelu_bwd: FLAGS.F_GELU_BWD } as const;
const ALL_STEPS = Object.values(EPILOGUE_STEPS).reduce((a, f) => a | f, 0);

/**
 * What every matmul kernel's WGSL reads: job layout, flags, buffer numbers, GELU's constants, and
 * EPILOGUE, the epilogue steps this pipeline has code for (see matmulKernel).
 */
const SHARED = {
  MAX_JOBS, ...FLAGS, BUF_P: Buf.P, BUF_X: Buf.X, BUF_G: Buf.G,
  GELU_C: f32(GELU_TANH.c), GELU_K: f32(GELU_TANH.k), EPILOGUE: ALL_STEPS,
} as const;

/** 'workgroup' style: WG_X × WG_Y threads, a BM × BN tile of C (4×4 per thread), BK k per stage. */
const TILED = { ...SHARED, WG_X: 16, WG_Y: 16, BM: 64, BN: 64, BK: 16 } as const;
/** 'thread' style: THREAD_WG² threads, each an 8×8 block of a THREAD_TILE² tile. A_ONES numbers the all-ones op(A). */
const THREAD = { ...SHARED, THREAD_WG: 4, THREAD_TILE: 32, A_ONES: 2 } as const;

/** A workgroup's tile of C (rows × columns) and the job flag that selects it. */
interface TileLayout {
  m: number;
  n: number;
  flag: number;
}
const SQUARE: ByStyle<TileLayout> = {
  workgroup: { m: TILED.BM, n: TILED.BN, flag: 0 },
  thread: { m: THREAD.THREAD_TILE, n: THREAD.THREAD_TILE, flag: 0 },
};
/**
 * The thread style's layouts for narrow products (LoRA's rank-r sides: t = x·Aᵀ, u = dy·B and dB with
 * N = r, dA with M = r): all THREAD_WG² threads in one column of 8×8 blocks (tall) or one row (wide).
 * In a square tile a rank-8 job left three quarters of the threads computing clamped copies.
 */
const NARROW: readonly TileLayout[] = [
  { m: 8 * THREAD.THREAD_WG ** 2, n: 8, flag: FLAGS.F_TALL },
  { m: 8, n: 8 * THREAD.THREAD_WG ** 2, flag: FLAGS.F_WIDE },
];

/** Elements of C a layout computes for a job, padding included. */
const paddedArea = (job: Pick<MatmulJob, 'M' | 'N'>, l: TileLayout) => Math.ceil(job.M / l.m) * l.m * Math.ceil(job.N / l.n) * l.n;

/** The job's tile layout: square, or (thread style) a narrow one where it computes at most half as much padding-included C. */
export function layoutOf(job: Pick<MatmulJob, 'M' | 'N'>, style: KernelStyle): TileLayout {
  const square = SQUARE[style];
  if (style !== 'thread') return square;
  const best = NARROW.reduce((a, b) => (paddedArea(job, b) < paddedArea(job, a) ? b : a));
  return paddedArea(job, best) * 2 <= paddedArea(job, square) ? best : square;
}

const GELU: WgslSource = { file: 'matmul/gelu.wgsl', code: geluCode, needs: ['GELU_C', 'GELU_K'] };
const COMMON: WgslSource = { file: 'matmul/common.wgsl', code: commonCode, requires: [GELU], needs: ['MAX_JOBS', ...Object.keys(FLAGS), 'BUF_P', 'BUF_X', 'BUF_G', 'EPILOGUE'] };
const TILED_SRC: WgslSource = { file: 'matmul/tiled.wgsl', code: tiledCode, requires: [COMMON], needs: ['WG_X', 'WG_Y', 'BM', 'BN', 'BK'] };
const THREAD_SRC: WgslSource = {
  file: 'matmul/thread.wgsl',
  code: instantiate(threadCode, { SA: ['P', 'X', 'ONE'], SB: ['P', 'X'] }),
  requires: [COMMON],
  needs: ['THREAD_WG', 'THREAD_TILE', 'A_ONES'],
};
export const MATMUL_SOURCES: readonly WgslSource[] = [GELU, COMMON, TILED_SRC, THREAD_SRC];

const bindings = [
  { name: 'params', kind: 'uniform' },
  { name: 'P', kind: 'read' },
  { name: 'X', kind: 'rw' },
  { name: 'G', kind: 'rw' },
] as const;

const KERNEL_SPECS = {
  workgroup: { name: 'matmul', source: TILED_SRC, constants: TILED, entryPoint: 'main' },
  thread: { name: 'matmul.thread', source: THREAD_SRC, constants: THREAD, entryPoint: 'main_thread' },
} as const;
const kernelOf = (style: KernelStyle, name: string, epilogue: number) => {
  const k = KERNEL_SPECS[style];
  return defineKernel({ ...k, name, constants: { ...k.constants, EPILOGUE: epilogue }, bindings, paramBytes: 16 + MAX_JOBS * JOB_BYTES + RUNS_BYTES });
};

/** The kernels with every epilogue step (the family's; a dispatch gets the variant its jobs need). */
export const MATMUL_KERNELS: ByStyle<KernelDef> = { workgroup: kernelOf('workgroup', 'matmul', ALL_STEPS), thread: kernelOf('thread', 'matmul.thread', ALL_STEPS) };

const variants = new Map<string, KernelDef>();

/**
 * The kernel whose epilogue has code for exactly the steps in `steps` (a mask of EPILOGUE_STEPS,
 * the union over a dispatch's jobs), named e.g. "matmul.thread[bias+gelu]". Why: a CPU adapter
 * (SwiftShader) runs the code of a branch not taken under a lane mask, so a GELU a job does not ask
 * for still cost as much as a 128-long k loop; with the step's flag a constant, the compiler drops it.
 */
export function matmulKernel(style: KernelStyle, steps: number): KernelDef {
  if (steps === ALL_STEPS) return MATMUL_KERNELS[style];
  const names = Object.entries(EPILOGUE_STEPS).filter(([, f]) => steps & f).map(([n]) => n);
  const name = `${KERNEL_SPECS[style].name}[${names.join('+') || 'plain'}]`;
  let k = variants.get(name);
  if (!k) variants.set(name, (k = kernelOf(style, name, steps)));
  return k;
}

// The tiles and the thread layout must agree, or part of C is never written.
if (TILED.BM !== 4 * TILED.WG_Y || TILED.BN !== 4 * TILED.WG_X || THREAD.THREAD_TILE !== 8 * THREAD.THREAD_WG) {
  throw new Error('matmul: tiles must be 4 × the workgroup size (tiled, 4×4 outputs per thread) or 8 × (thread, 8×8 per thread)');
}

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

export function tilesOf(job: Pick<MatmulJob, 'M' | 'N'>, style: KernelStyle): number {
  const l = layoutOf(job, style);
  return Math.ceil(job.M / l.m) * Math.ceil(job.N / l.n);
}

function checkJob(job: MatmulJob, label: string): void {
  for (const k of ['M', 'N', 'K'] as const) {
    // K = 0 with an addend is a copy (C = D): used to fill merged weights once.
    const min = k === 'K' && job.d ? 0 : 1;
    if (!Number.isInteger(job[k]) || job[k] < min) throw new Error(`${label}: ${k} = ${job[k]} must be an integer ≥ ${min}`);
  }
  if (job.gelu && job.geluGrad) throw new Error(`${label}: gelu and geluGrad are exclusive`);
}

export type MatmulBuffers = { P: BufferRef; X: BufferRef; G: BufferRef };

/** f32 elements a bound buffer holds (null when it is not a sized GPUBuffer, e.g. a test stand-in). */
function elementsOf(ref: BufferRef): number | null {
  const size = 'buffer' in ref ? (ref.size ?? ref.buffer.size - (ref.offset ?? 0)) : ref.size;
  return typeof size === 'number' ? Math.floor(size / 4) : null;
}

/**
 * Every element a job reads or writes lies inside its buffer. The Node path runs Dawn with
 * robustness off, so an index past the end is undefined behaviour, not a clamped read: both styles
 * read op(A), op(B), D, E and bias at exactly these extents (the thread style clamps rows and
 * columns to M - 1 and N - 1, the tiled style skips them).
 */
function checkJobBounds(job: MatmulJob, buffers: MatmulBuffers, label: string, runs: Runs): void {
  const names = ['P', 'X', 'G'] as const;
  const last = (off: number, rows: number, rs: number, cols: number, cs: number) => off + (rows - 1) * rs + (cols - 1) * cs;
  const uses: [string, Buf, number][] = [['C', job.c.buf, last(job.c.off, job.M, job.c.sm, job.N, 1)]];
  if (job.K > 0 && !job.a.ones) uses.push(['op(A)', job.a.buf, last(job.a.off, job.M, job.a.sm, job.K, job.a.sk)]);
  if (job.K > 0) uses.push(['op(B)', job.b.buf, last(job.b.off, job.K, job.b.sk, job.N, job.b.sn)]);
  if (job.d) uses.push(['D', job.d.buf, last(job.d.off, job.M, job.d.sm, job.N, 1)]);
  const e = job.gelu ?? job.geluGrad;
  if (e) uses.push(['E', Buf.X, last(e.off, job.M, e.sm, job.N, 1)]);
  if (job.bias !== undefined) uses.push(['bias', Buf.P, job.bias + job.N - 1]);
  for (const [operand, buf, first] of uses) {
    const n = elementsOf(buffers[names[buf]]);
    const index = first + (runs.count - 1) * runs[names[buf]]; // in the last run's data
    if (n !== null && index >= n) throw new Error(`${label}: ${operand} reaches element ${index} of ${names[buf]}, which holds ${n}`);
  }
}

/** Packs 1..MAX_JOBS jobs into one matmul dispatch. */
export function matmulDispatch(label: string, jobs: readonly MatmulJob[], buffers: MatmulBuffers, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec {
  const kernel = matmulKernel(style, jobs.reduce((m, j) => m | (epilogueFlags(j) & ALL_STEPS), 0));
  if (jobs.length < 1 || jobs.length > MAX_JOBS) throw new Error(`${label}: ${jobs.length} jobs; 1..${MAX_JOBS} allowed`);
  const w = new ParamWriter(kernel.paramBytes);
  let total = 0;
  const starts = jobs.map((job) => {
    checkJob(job, label);
    checkJobBounds(job, buffers, label, runs);
    const s = total;
    total += tilesOf(job, style);
    return s;
  });
  w.u32(jobs.length).u32(total).u32(0).u32(0);
  jobs.forEach((job, i) => {
    const layout = layoutOf(job, style);
    const flags = epilogueFlags(job) | layout.flag;
    const e = job.gelu ?? job.geluGrad;
    w.u32(job.M).u32(job.N).u32(job.K).u32(starts[i]);
    w.u32(Math.ceil(job.N / layout.n)).u32(flags).f32(job.alpha ?? 1).u32(job.bias ?? 0);
    w.u32(job.a.off).u32(job.a.sm).u32(job.a.sk).u32(job.a.buf);
    w.u32(job.b.off).u32(job.b.sk).u32(job.b.sn).u32(job.b.buf);
    w.u32(job.c.off).u32(job.c.sm).u32(job.c.buf).u32(e?.off ?? 0);
    w.u32(job.d?.off ?? 0).u32(job.d?.sm ?? 0).u32(job.d?.buf ?? 0).u32(e?.sm ?? 0);
  });
  const desc = jobs.map((j) => `${j.M}x${j.N}x${j.K}`).join(',');
  return { kernel, label: `matmul ${label} [${desc}]`, params: writeRuns(w, runs).finish(), buffers, workgroups: total, runs: runs.count };
}

/** A job's flags but its tile layout's: the epilogue's steps and the all-ones op(A). */
function epilogueFlags(job: MatmulJob): number {
  let flags = 0;
  if (job.bias !== undefined) flags |= FLAGS.F_BIAS;
  if (job.accumulate) flags |= FLAGS.F_ACCUM;
  if (job.d) flags |= FLAGS.F_ADD_D;
  if (job.gelu) flags |= FLAGS.F_GELU;
  if (job.geluGrad) flags |= FLAGS.F_GELU_BWD;
  if (job.a.ones) flags |= FLAGS.F_A_ONES;
  return flags;
}

/** Any number of jobs as dispatches of at most MAX_JOBS each (labelled "part i" when split). */
export function matmuls(label: string, jobs: readonly MatmulJob[], buffers: MatmulBuffers, style: KernelStyle, runs: Runs = ONE_RUN): DispatchSpec[] {
  const out: DispatchSpec[] = [];
  for (let i = 0; i < jobs.length; i += MAX_JOBS) {
    out.push(matmulDispatch(jobs.length > MAX_JOBS ? `${label} part ${i / MAX_JOBS + 1}` : label, jobs.slice(i, i + MAX_JOBS), buffers, style, runs));
  }
  return out;
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
