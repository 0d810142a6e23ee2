// LoRA adapter on a frozen linear layer, as jobs of the multi-job matmul (shaders/matmul/): the
// builders src/model/graph.ts uses, and the ones tests/unit/kernels/lora.test.ts checks.
//   y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ,   s = alpha/r (or alpha/√r with rsLoRA)
// Shapes: x [M, K]  W [N, K]  A [r, K]  B [N, r]  t = x·Aᵀ [M, r]  u = dy·B [M, r]
// The forward merges once per step and then runs a plain linear layer:
//   merge:    W' = W + s·B·A                         loraMergeJob (all layers in one dispatch)
//   forward:  y = x·W'ᵀ + b  (linearForward on W'),  t = x·Aᵀ   loraDownJob, in the same dispatch
//   backward: dx = dy·W'  (linearBackwardInput on W'),  u = dy·B,  dB += s·dyᵀ·t   loraGradJobs
//             dA += s·uᵀ·x  (after u exists)          loraGradAJob (all layers in one dispatch)
// so dx needs no extra pass for the adapter (dy·W' = dy·W + s·u·A) and the frozen W gets no gradient.
// Fused q, k, v: the three projections share one [3d, d] weight and one [rows, 3d] output, so an
// adapter on q, k or v merges into its row block of W' and reads its column block of dy
// (DySlice: offset + row stride). Rows of W' no adapter touches are copied once (loraCopyJob).
// No kernel of its own: the limits are matmul's.

import { Buf, linearForward, type MatmulJob } from './matmul';

export interface LoraShape {
  /** Rows of x (batch × time). */
  rows: number;
  in: number;
  out: number;
  rank: number;
  /** alpha / r, or alpha / √r with rsLoRA. */
  scale: number;
}

/** Offsets of one adapted layer: W, A, B in P; W' (merged) in X. For fused q/k/v: the target's row block. */
export interface LoraWeights {
  w: number;
  a: number;
  b: number;
  merged: number;
}

/** dy of one adapted layer: element (m, n) at off + m·stride + n (stride = out, or 3d inside a fused qkv gradient). */
export interface DySlice {
  off: number;
  stride: number;
}

/** W'[out, in] = W + s·B·A. */
export function loraMergeJob(s: LoraShape, o: LoraWeights): MatmulJob {
  return {
    M: s.out, N: s.in, K: s.rank,
    a: { buf: Buf.P, off: o.b, sm: s.rank, sk: 1 },
    b: { buf: Buf.P, off: o.a, sk: s.in, sn: 1 },
    c: { buf: Buf.X, off: o.merged, sm: s.in },
    d: { buf: Buf.P, off: o.w, sm: s.in },
    alpha: s.scale,
  };
}

/** dst[rows, cols] (in X) = src (in P): a K = 0 product, C = D through the epilogue. Frozen rows of a merged block. */
export function loraCopyJob(rows: number, cols: number, src: number, dst: number): MatmulJob {
  return {
    M: rows, N: cols, K: 0,
    a: { buf: Buf.P, off: 0, sm: 0, sk: 0 },
    b: { buf: Buf.P, off: 0, sk: 0, sn: 0 },
    c: { buf: Buf.X, off: dst, sm: cols },
    d: { buf: Buf.P, off: src, sm: cols },
  };
}

/** The adapter's down-projection t[rows, r] = x·Aᵀ (x [rows, in] in X), saved for the backward pass. */
export function loraDownJob(s: LoraShape, x: number, a: number, t: number): MatmulJob {
  return linearForward({ rows: s.rows, in: s.in, out: s.rank }, x, { buf: Buf.P, off: a }, t);
}

/** u[rows, r] = dy·B and dB[out, r] += s·dyᵀ·t: the two jobs that need only dy (and t from the forward). */
export function loraGradJobs(s: LoraShape, dy: DySlice, o: { b: number; t: number; u: number; dB: number }): MatmulJob[] {
  return [
    {
      M: s.rows, N: s.rank, K: s.out,
      a: { buf: Buf.X, off: dy.off, sm: dy.stride, sk: 1 },
      b: { buf: Buf.P, off: o.b, sk: s.rank, sn: 1 },
      c: { buf: Buf.X, off: o.u, sm: s.rank },
    },
    {
      M: s.out, N: s.rank, K: s.rows,
      a: { buf: Buf.X, off: dy.off, sm: 1, sk: dy.stride },
      b: { buf: Buf.X, off: o.t, sk: s.rank, sn: 1 },
      c: { buf: Buf.G, off: o.dB, sm: s.rank },
      alpha: s.scale,
      accumulate: true,
    },
  ];
}

/** dA[r, in] += s·uᵀ·x (after the dispatch that wrote u); dA is an offset in G. */
export function loraGradAJob(s: LoraShape, u: number, x: number, dA: number): MatmulJob {
  return {
    M: s.rank, N: s.in, K: s.rows,
    a: { buf: Buf.X, off: u, sm: 1, sk: s.rank },
    b: { buf: Buf.X, off: x, sk: s.in, sn: 1 },
    c: { buf: Buf.G, off: dA, sm: s.in },
    alpha: s.scale,
    accumulate: true,
  };
}
