// Finite-difference check of a reference backward: for a random upstream gradient dout, the scalar
// L = Σ out·dout has dL/dinput = the backward's input gradient; compare it with central differences.

export interface GradCheckResult {
  /** Largest |analytic - numeric| over the checked elements of every input. */
  maxAbs: number;
  /** Largest |analytic - numeric| / (|analytic| + |numeric| + 1e-12) over elements with |numeric| > 1e-7. */
  maxRel: number;
  /** Elements checked. */
  checked: number;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * @param f       forward: inputs → output (must not mutate inputs)
 * @param inputs  the point to check at; entries with analytic[i] === null are held fixed
 * @param dout    upstream gradient, same length as f's output
 * @param analytic the backward's gradient of L for each input
 */
export function gradCheck(
  f: (xs: Float64Array[]) => ArrayLike<number>,
  inputs: Float64Array[],
  dout: ArrayLike<number>,
  analytic: (ArrayLike<number> | null)[],
  eps = 1e-6,
): GradCheckResult {
  let maxAbs = 0;
  let maxRel = 0;
  let checked = 0;
  inputs.forEach((x, which) => {
    const a = analytic[which];
    if (!a) return;
    if (a.length !== x.length) throw new Error(`gradCheck: input ${which} has ${x.length} elements, gradient ${a.length}`);
    for (let i = 0; i < x.length; i++) {
      const keep = x[i];
      x[i] = keep + eps;
      const up = dot(f(inputs), dout);
      x[i] = keep - eps;
      const down = dot(f(inputs), dout);
      x[i] = keep;
      const num = (up - down) / (2 * eps);
      const abs = Math.abs(a[i] - num);
      maxAbs = Math.max(maxAbs, abs);
      if (Math.abs(num) > 1e-7) maxRel = Math.max(maxRel, abs / (Math.abs(a[i]) + Math.abs(num) + 1e-12));
      checked++;
    }
  });
  return { maxAbs, maxRel, checked };
}
