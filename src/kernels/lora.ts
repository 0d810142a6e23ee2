// LoRA adapter on a frozen linear layer, as jobs of the multi-job matmul (shaders/matmul.wgsl):
//   y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ,   s = alpha/r (or alpha/√r with rsLoRA)
// Shapes: x [M, K]  W [N, K]  A [r, K]  B [N, r]  t = x·Aᵀ [M, r]  u = dy·B [M, r]
// The forward merges once per step and then runs a plain linear layer:
//   merge:    W' = W + s·B·A                       (one job per adapted layer; all layers in one dispatch)
//   forward:  y = x·W'ᵀ + b,  t = x·Aᵀ             (two jobs sharing x, one dispatch)
//   backward: dx = dy·W',  u = dy·B,  dB += s·dyᵀ·t (three jobs sharing dy, one dispatch)
//             dA += s·uᵀ·x                          (after u exists; all layers in one dispatch)
// so dx needs no extra pass for the adapter (dy·W' = dy·W + s·u·A) and the frozen W gets no gradient.

import { Buf, linearBackwardInput, linearForward, type MatmulJob } from './matmul';

export interface LoraShape {
  /** Rows of x (batch × time). */
  rows: number;
  in: number;
  out: number;
  rank: number;
  /** alpha / r, or alpha / √r with rsLoRA. */
  scale: number;
}

/** Offsets of one adapted layer: W, A, B in P; W' (merged) in X. */
export interface LoraWeights {
  w: number;
  a: number;
  b: number;
  merged: number;
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

/** The adapter's down-projection t[rows, r] = x·Aᵀ, saved for the backward pass. */
export function loraDownJob(s: LoraShape, x: number, o: LoraWeights, t: number): MatmulJob {
  return linearForward({ rows: s.rows, in: s.in, out: s.rank }, x, { buf: Buf.P, off: o.a }, t);
}

/** Forward jobs: y = x·W'ᵀ (+ bias, + residual …) and t = x·Aᵀ. */
export function loraForwardJobs(
  s: LoraShape, x: number, o: LoraWeights, y: number, t: number,
  extra: Parameters<typeof linearForward>[4] = {},
): MatmulJob[] {
  return [
    linearForward({ rows: s.rows, in: s.in, out: s.out }, x, { buf: Buf.X, off: o.merged }, y, extra),
    loraDownJob(s, x, o, t),
  ];
}

/** Offsets of the adapter's gradients in G. */
export interface LoraGrads {
  dA: number;
  dB: number;
}

/**
 * Backward jobs that need only dy: dx = dy·W' (through the merged weight), u = dy·B, dB += s·dyᵀ·t.
 * `extra` applies to the dx job (e.g. accumulate, or the GELU derivative of the layer below).
 */
export function loraBackwardJobs(
  s: LoraShape, dy: number, o: LoraWeights, t: number, u: number, g: LoraGrads, dx: number | null,
  extra: Parameters<typeof linearBackwardInput>[4] = {},
): MatmulJob[] {
  const jobs: MatmulJob[] = [];
  if (dx !== null) jobs.push(linearBackwardInput({ rows: s.rows, in: s.in, out: s.out }, dy, { buf: Buf.X, off: o.merged }, dx, extra));
  jobs.push({
    M: s.rows, N: s.rank, K: s.out,
    a: { buf: Buf.X, off: dy, sm: s.out, sk: 1 },
    b: { buf: Buf.P, off: o.b, sk: s.rank, sn: 1 },
    c: { buf: Buf.X, off: u, sm: s.rank },
  });
  jobs.push({
    M: s.out, N: s.rank, K: s.rows,
    a: { buf: Buf.X, off: dy, sm: 1, sk: s.out },
    b: { buf: Buf.X, off: t, sk: s.rank, sn: 1 },
    c: { buf: Buf.G, off: g.dB, sm: s.rank },
    alpha: s.scale,
    accumulate: true,
  });
  return jobs;
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
