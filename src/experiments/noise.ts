// Is a difference between two groups of seeds larger than what a different seed alone gives?
// Welch's t-test (unequal variances) on the groups' values, two-sided: the difference counts as real
// when p < SIGNIFICANCE and each group has at least MIN_SEEDS seeds; otherwise the verdict says it
// is within seed noise, or that one seed gives no noise estimate. Every verdict a check, a sweep
// summary or the page states about "lower" or "higher" goes through compareGroups.
//
// Student's t CDF from the regularized incomplete beta function (continued fraction, Lentz's method,
// as in Numerical Recipes' betacf): I_x(a, b) with x = df / (df + t²), a = df / 2, b = 1 / 2.

/** A difference is real when Welch's two-sided p is below this. */
export const SIGNIFICANCE = 0.05;
/** Seeds per group below which there is no noise estimate. */
export const MIN_SEEDS = 2;

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for a single value. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b), 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** Two-sided p-value of Student's t with df degrees of freedom (df > 0, not necessarily whole). */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export interface Welch {
  t: number;
  df: number;
  p: number;
}

/** Welch's t-test of mean(a) − mean(b); both groups need at least 2 values. */
export function welch(a: readonly number[], b: readonly number[]): Welch {
  if (a.length < 2 || b.length < 2) throw new Error(`welch: groups of ${a.length} and ${b.length}; at least 2 values each`);
  const va = std(a) ** 2 / a.length;
  const vb = std(b) ** 2 / b.length;
  const diff = mean(a) - mean(b);
  const se = Math.sqrt(va + vb);
  if (se === 0) return { t: diff === 0 ? 0 : Math.sign(diff) * Infinity, df: a.length + b.length - 2, p: diff === 0 ? 1 : 0 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = diff / se;
  return { t, df, p: twoSidedP(t, df) };
}

export type VerdictKind = 'lower' | 'higher' | 'within-noise' | 'one-seed';

export interface Verdict {
  /** How a compares with b: lower or higher (a real difference), within seed noise, or unknown. */
  kind: VerdictKind;
  /** mean(a) − mean(b). */
  diff: number;
  /** Welch's p, when both groups have at least MIN_SEEDS values. */
  p: number | null;
  /** Seeds in the smaller group. */
  n: number;
  /** The seed noise: the larger of the two groups' standard deviations (0 with one seed). */
  noise: number;
  /** "within seed noise (n = 3, ±0.004)", "lower (p = 0.003, n = 3)", "one seed, no noise estimate". */
  text: string;
}

const f3 = (x: number) => x.toFixed(3);

/** A spread (standard deviation) in nats: three decimals, or one significant digit below 0.001 (never "0.000" for a real spread). */
export function formatSpread(x: number): string {
  return x === 0 || x >= 0.001 ? x.toFixed(3) : String(Number(x.toPrecision(1)));
}
const pText = (p: number) => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`);

/** Whether group a's values (e.g. final validation losses over seeds) differ from b's beyond seed noise. */
export function compareGroups(a: readonly number[], b: readonly number[]): Verdict {
  if (!a.length || !b.length) throw new Error(`compareGroups: an empty group (${a.length} and ${b.length} values)`);
  const diff = mean(a) - mean(b);
  const n = Math.min(a.length, b.length);
  if (n < MIN_SEEDS) return { kind: 'one-seed', diff, p: null, n, noise: 0, text: 'one seed, no noise estimate' };
  const noise = Math.max(std(a), std(b));
  const { p } = welch(a, b);
  if (p >= SIGNIFICANCE) return { kind: 'within-noise', diff, p, n, noise, text: `within seed noise (n = ${n}, ±${formatSpread(noise)})` };
  return { kind: diff < 0 ? 'lower' : 'higher', diff, p, n, noise, text: `${diff < 0 ? 'lower' : 'higher'} by ${f3(Math.abs(diff))} (${pText(p)}, n = ${n})` };
}
