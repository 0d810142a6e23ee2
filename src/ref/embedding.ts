// Float64 reference for token + position embeddings.
// Shapes: tokens [B, T] (bytes 0..V-1)  wte [V, C]  wpe [Tmax, C]  x [B·T, C]
//   x[b·T + t, :] = wte[tokens[b, t], :] + wpe[t, :]
// Backward: dwte[v] = Σ_{(b,t): token v} dx[b·T + t]   dwpe[t] = Σ_b dx[b·T + t]

export function embeddingForward(tokens: ArrayLike<number>, wte: ArrayLike<number>, wpe: ArrayLike<number>, B: number, T: number, C: number): Float64Array {
  const x = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const tok = tokens[b * T + t];
      const row = (b * T + t) * C;
      for (let c = 0; c < C; c++) x[row + c] = wte[tok * C + c] + wpe[t * C + c];
    }
  }
  return x;
}

export function embeddingBackward(dx: ArrayLike<number>, tokens: ArrayLike<number>, B: number, T: number, C: number, V: number, Tmax: number): { dwte: Float64Array; dwpe: Float64Array } {
  const dwte = new Float64Array(V * C);
  const dwpe = new Float64Array(Tmax * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const tok = tokens[b * T + t];
      const row = (b * T + t) * C;
      for (let c = 0; c < C; c++) {
        dwte[tok * C + c] += dx[row + c];
        dwpe[t * C + c] += dx[row + c];
      }
    }
  }
  return { dwte, dwpe };
}
