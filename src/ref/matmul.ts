// Float64 reference for matrix products and the linear layer (PyTorch nn.Linear semantics).
// Shapes: x [M, K]   W [N, K] (out × in)   b [N]   y [M, N]   y = x·Wᵀ + b
// Backward, for an upstream gradient dy [M, N]:
//   dx = dy·W [M, K]    dW = dyᵀ·x [N, K]    db = Σ_m dy[m, :] [N]

/** C[M, N] = op(A)·op(B): op(A) is A [M, K], or Aᵀ when A is stored [K, M]; likewise B [K, N] or [N, K]. */
export function matmul(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  transA = false,
  transB = false,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * M + m] : a[m * K + k];
        const bv = transB ? b[n * K + k] : b[k * N + n];
        s += av * bv;
      }
      c[m * N + n] = s;
    }
  }
  return c;
}

export function linearForward(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, M: number, K: number, N: number): Float64Array {
  const y = matmul(x, w, M, K, N, false, true);
  if (b) for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) y[m * N + n] += b[n];
  return y;
}

export interface LinearGrads {
  dx: Float64Array;
  dw: Float64Array;
  db: Float64Array;
}

export function linearBackward(dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, N: number): LinearGrads {
  const dx = matmul(dy, w, M, N, K);
  const dw = matmul(dy, x, N, M, K, true, false);
  const db = new Float64Array(N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) db[n] += dy[m * N + n];
  return { dx, dw, db };
}
