// Float64 reference for LayerNorm over the last dimension (PyTorch nn.LayerNorm, biased variance).
// Shapes: x, y [R, C]  w, b [C]  mean, rstd [R]
//   y = (x - mean)·rstd·w + b,   rstd = 1/√(var + eps)
// Backward, g = dy·w, xhat = (x - mean)·rstd:
//   dx = rstd·(g - mean(g) - xhat·mean(g·xhat))   dw = Σ_r dy·xhat   db = Σ_r dy

import { LN_EPS } from '../config/architecture';

export interface LayerNormOut {
  y: Float64Array;
  mean: Float64Array;
  rstd: Float64Array;
}

export function layerNormForward(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, R: number, C: number, eps = LN_EPS): LayerNormOut {
  const y = new Float64Array(R * C);
  const mean = new Float64Array(R);
  const rstd = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let m = 0;
    for (let c = 0; c < C; c++) m += x[r * C + c];
    m /= C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[r * C + c] - m) ** 2;
    v /= C;
    const s = 1 / Math.sqrt(v + eps);
    mean[r] = m;
    rstd[r] = s;
    for (let c = 0; c < C; c++) y[r * C + c] = (x[r * C + c] - m) * s * w[c] + b[c];
  }
  return { y, mean, rstd };
}

export function layerNormBackward(dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, R: number, C: number, eps = LN_EPS): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const { mean, rstd } = layerNormForward(x, w, new Float64Array(C), R, C, eps);
  const dx = new Float64Array(R * C);
  const dw = new Float64Array(C);
  const db = new Float64Array(C);
  for (let r = 0; r < R; r++) {
    let mg = 0;
    let mgx = 0;
    for (let c = 0; c < C; c++) {
      const xhat = (x[r * C + c] - mean[r]) * rstd[r];
      const g = dy[r * C + c] * w[c];
      mg += g;
      mgx += g * xhat;
      dw[c] += dy[r * C + c] * xhat;
      db[c] += dy[r * C + c];
    }
    mg /= C;
    mgx /= C;
    for (let c = 0; c < C; c++) {
      const xhat = (x[r * C + c] - mean[r]) * rstd[r];
      dx[r * C + c] = rstd[r] * (dy[r * C + c] * w[c] - mg - xhat * mgx);
    }
  }
  return { dx, dw, db };
}
