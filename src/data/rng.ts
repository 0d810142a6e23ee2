// Seeded pseudo-random numbers: one seed gives one exact sequence on every machine and in every
// JavaScript engine (integer arithmetic only, via Math.imul). Used for weight initialisation, the
// batch sampler and test data.

/** mulberry32: a small, fast 32-bit generator with a full 2^32 period. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The whole generator state (one 32-bit word): a checkpoint saves it, setState resumes the sequence. */
  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state > 0xffffffff) throw new RangeError(`Rng.setState(${state}): a 32-bit unsigned integer`);
    this.state = state;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1) with 2^-32 resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (n <= 0) throw new RangeError(`Rng.int(${n})`);
    if (n <= 0x100000000) return Math.floor(this.next() * n);
    return Math.floor((this.nextU32() * 4294967296 + this.nextU32()) / 18446744073709551616 * n);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Float64Array of n values uniform in [lo, hi). */
  uniformArray(n: number, lo = -1, hi = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  normalArray(n: number, std = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }
}
