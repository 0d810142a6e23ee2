// Float64 reference for GELU, tanh approximation (PyTorch gelu(approximate='tanh')).
//   gelu(x) = 0.5·x·(1 + tanh(c·(x + k·x³))),  c = √(2/π), k = 0.044715
// Shapes: elementwise, any length.

import { GELU_TANH } from '../config/architecture';

const C = GELU_TANH.c;
const K = GELU_TANH.k;

export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(C * (x + K * x * x * x)));
}

export function geluGrad(x: number): number {
  const t = Math.tanh(C * (x + K * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * K * x * x);
}

export function geluForward(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, gelu);
}

/** dx = dy · gelu'(x) */
export function geluBackward(dy: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = dy[i] * geluGrad(x[i]);
  return dx;
}
