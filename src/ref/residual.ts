// Float64 reference for the residual add. Shapes: a, b, y [n]; y = a + b; da = db = dy.

export function residualForward(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

export function residualBackward(dy: ArrayLike<number>): { da: Float64Array; db: Float64Array } {
  return { da: Float64Array.from(dy), db: Float64Array.from(dy) };
}
