// Float64 reference for a linear layer with a LoRA adapter, base weight frozen.
// Shapes: x [M, K]  W [N, K]  b [N]  A [r, K]  B [N, r]  t = x·Aᵀ [M, r]  y [M, N]
//   y = x·Wᵀ + b + s·t·Bᵀ,   s = alpha / r  (or alpha / √r with rsLoRA)
// Backward (W, b frozen), for dy [M, N]:
//   u = dy·B [M, r]   dB = s·dyᵀ·t [N, r]   dA = s·uᵀ·x [r, K]   dx = dy·W + s·u·A [M, K]

import { linearForward, matmul } from './matmul';

export function loraScale(alpha: number, rank: number, rsLora = false): number {
  return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
}

export function loraForward(
  x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, A: ArrayLike<number>, B: ArrayLike<number>,
  M: number, K: number, N: number, r: number, s: number,
): Float64Array {
  const y = linearForward(x, w, b, M, K, N);
  const t = matmul(x, A, M, K, r, false, true);
  const up = matmul(t, B, M, r, N, false, true);
  for (let i = 0; i < y.length; i++) y[i] += s * up[i];
  return y;
}

export interface LoraGrads {
  dx: Float64Array;
  dA: Float64Array;
  dB: Float64Array;
}

export function loraBackward(
  dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, A: ArrayLike<number>, B: ArrayLike<number>,
  M: number, K: number, N: number, r: number, s: number,
): LoraGrads {
  const t = matmul(x, A, M, K, r, false, true);
  const u = matmul(dy, B, M, N, r);
  const dB = matmul(dy, t, N, M, r, true, false).map((v) => v * s);
  const dA = matmul(u, x, r, M, K, true, false).map((v) => v * s);
  const dx = matmul(dy, w, M, N, K);
  const ua = matmul(u, A, M, r, K);
  for (let i = 0; i < dx.length; i++) dx[i] += s * ua[i];
  return { dx, dA, dB };
}

/** W + s·B·A: the merged weight [N, K] that gives the same outputs as base + adapter. */
export function loraMerge(w: ArrayLike<number>, A: ArrayLike<number>, B: ArrayLike<number>, K: number, N: number, r: number, s: number): Float64Array {
  const ba = matmul(B, A, N, r, K);
  const out = new Float64Array(N * K);
  for (let i = 0; i < out.length; i++) out[i] = w[i] + s * ba[i];
  return out;
}
