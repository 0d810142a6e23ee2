// Float64 reference for the optimizer step: global gradient norm, clipping, non-finite detection
// and AdamW (PyTorch torch.optim.AdamW, decoupled weight decay, bias correction).
// Shapes: p, g, m, v [n] flat; per-element learning-rate multiplier and decay flag via segments.

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** A run of elements [start, start + count) sharing a learning-rate multiplier and a decay flag. */
export interface Segment {
  start: number;
  count: number;
  lrMult: number;
  decay: boolean;
}

export function globalNorm(g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  return Math.sqrt(s);
}

/** PyTorch clip_grad_norm_: scale = min(1, maxNorm / (norm + 1e-6)); maxNorm <= 0 disables clipping. */
export function clipScale(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/**
 * One AdamW step in place at step number `t` (1-based), gradients scaled by `gradScale` (clipping).
 *   p ← p·(1 - lr·wd);  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²
 *   p ← p - lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps)
 */
export function adamwStep(
  p: Float64Array, g: ArrayLike<number>, m: Float64Array, v: Float64Array,
  h: AdamWHyper, t: number, segments: readonly Segment[], gradScale = 1,
): void {
  const bc1 = 1 - h.beta1 ** t;
  const bc2sqrt = Math.sqrt(1 - h.beta2 ** t);
  for (const s of segments) {
    const lr = h.lr * s.lrMult;
    const wd = s.decay ? h.weightDecay : 0;
    for (let i = s.start; i < s.start + s.count; i++) {
      const gi = g[i] * gradScale;
      p[i] *= 1 - lr * wd;
      m[i] = h.beta1 * m[i] + (1 - h.beta1) * gi;
      v[i] = h.beta2 * v[i] + (1 - h.beta2) * gi * gi;
      p[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / bc2sqrt + h.eps));
    }
  }
}
