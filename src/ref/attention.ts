// Float64 reference for causal multi-head self-attention on a fused qkv tensor
// (PyTorch scaled_dot_product_attention(q, k, v, is_causal=True), scale 1/√D).
// Shapes: qkv [B·T, 3C] with q = cols [0, C), k = [C, 2C), v = [2C, 3C); head h uses cols h·D..h·D+D
//         out [B·T, C]   lse [B, H, T] (log-sum-exp of each query's scaled scores, saved for backward)
// Backward: P = softmax(S), dP = dO·Vᵀ, dS = P ⊙ (dP - rowsum(dO ⊙ O)), dQ = s·dS·K, dK = s·dSᵀ·Q, dV = Pᵀ·dO

export interface AttentionOut {
  out: Float64Array;
  lse: Float64Array;
}

export function attentionForward(qkv: ArrayLike<number>, B: number, T: number, C: number, H: number): AttentionOut {
  const D = C / H;
  const scale = 1 / Math.sqrt(D);
  const out = new Float64Array(B * T * C);
  const lse = new Float64Array(B * H * T);
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * 3 * C + h * D;
        let max = -Infinity;
        for (let j = 0; j <= i; j++) {
          const kj = (b * T + j) * 3 * C + C + h * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += qkv[qi + d] * qkv[kj + d];
          s[j] = dot * scale;
          if (s[j] > max) max = s[j];
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += Math.exp(s[j] - max);
        lse[(b * H + h) * T + i] = max + Math.log(sum);
        const oi = (b * T + i) * C + h * D;
        for (let j = 0; j <= i; j++) {
          const p = Math.exp(s[j] - max) / sum;
          const vj = (b * T + j) * 3 * C + 2 * C + h * D;
          for (let d = 0; d < D; d++) out[oi + d] += p * qkv[vj + d];
        }
      }
    }
  }
  return { out, lse };
}

export function attentionBackward(dout: ArrayLike<number>, qkv: ArrayLike<number>, B: number, T: number, C: number, H: number): Float64Array {
  const D = C / H;
  const scale = 1 / Math.sqrt(D);
  const { out, lse } = attentionForward(qkv, B, T, C, H);
  const dqkv = new Float64Array(B * T * 3 * C);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * 3 * C + h * D;
        const oi = (b * T + i) * C + h * D;
        let Di = 0;
        for (let d = 0; d < D; d++) Di += dout[oi + d] * out[oi + d];
        for (let j = 0; j <= i; j++) {
          const kj = (b * T + j) * 3 * C + C + h * D;
          const vj = kj + C;
          let sc = 0;
          let dp = 0;
          for (let d = 0; d < D; d++) {
            sc += qkv[qi + d] * qkv[kj + d];
            dp += dout[oi + d] * qkv[vj + d];
          }
          const p = Math.exp(sc * scale - lse[(b * H + h) * T + i]);
          const ds = p * (dp - Di);
          for (let d = 0; d < D; d++) {
            dqkv[qi + d] += scale * ds * qkv[kj + d];
            dqkv[kj + d] += scale * ds * qkv[qi + d];
            dqkv[vj + d] += p * dout[oi + d];
          }
        }
      }
    }
  }
  return dqkv;
}
