// Float64 reference for the fill kernel. Shapes: dst [any]; dst[off .. off + n) = value.

export function fillRegion(dst: ArrayLike<number>, off: number, n: number, value: number): Float64Array {
  const out = Float64Array.from(dst);
  out.fill(value, off, off + n);
  return out;
}
