// The seed-noise statistics: Student's t tail and Welch's test against SciPy 1.17 (scipy.stats.t.sf,
// ttest_ind(equal_var=False), computed on this machine), and the verdicts on made-up groups of
// seeds: separated means read lower or higher, equal means with noise read within noise, one seed
// reads no noise estimate.
import { describe, expect, it } from 'vitest';
import { compareGroups, formatSpread, MIN_SEEDS, SIGNIFICANCE, std, twoSidedP, welch } from '../../../src/experiments/noise';
import { Rng } from '../../../src/data/rng';

describe("Student's t and Welch's test", () => {
  it('two-sided tail probabilities match SciPy, whole and fractional degrees of freedom', () => {
    const cases: [t: number, df: number, p: number][] = [
      [2.0, 10, 0.07338803477074037],
      [3.0, 2.5, 0.07257609554903183],
      [0.5, 30, 0.6207230048851272],
      [1.0, 1, 0.5],
      [40, 3, 3.4380680789158506e-5],
      [-2.0, 10, 0.07338803477074037],
      [0, 7, 1],
    ];
    for (const [t, df, p] of cases) expect(twoSidedP(t, df), `t ${t} df ${df}`).toBeCloseTo(p, 10);
  });

  it("Welch's t, degrees of freedom and p match SciPy's ttest_ind(equal_var=False)", () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const w = welch(a, b);
    expect(w.t).toBeCloseTo(-2.455356398286006, 10);
    expect(w.df).toBeCloseTo(24.988529290231416, 8);
    expect(w.p).toBeCloseTo(0.021378001462866992, 10);
    expect(welch([2.512, 2.513, 2.511], [2.535, 2.534, 2.536]).p).toBeCloseTo(9.449686610080971e-6, 12);
    expect(() => welch([1], [1, 2])).toThrow(/groups of 1 and 2; at least 2 values each/);
  });

  it('writes a spread with three decimals, or one significant digit below 0.001', () => {
    expect([formatSpread(0.0143), formatSpread(0.001), formatSpread(0.00021), formatSpread(0)]).toEqual(['0.014', '0.001', '0.0002', '0.000']);
  });

  it('sample standard deviation', () => {
    expect(std([1, 2, 3, 4])).toBeCloseTo(1.2909944487358056, 14);
    expect(std([5])).toBe(0);
  });
});

describe('verdicts on groups of seeds', () => {
  const noisy = (rng: Rng, centre: number, spread: number, n: number) => Array.from({ length: n }, () => centre + rng.uniform(-spread, spread));

  it('separated means read lower (or higher), with p and n', () => {
    const v = compareGroups([2.512, 2.514, 2.511], [2.535, 2.533, 2.536]);
    expect(v.kind).toBe('lower');
    expect(v.text).toMatch(/^lower by 0\.022 \(p < 0\.001, n = 3\)$/);
    expect(compareGroups([2.535, 2.533, 2.536], [2.512, 2.514, 2.511]).kind).toBe('higher');
  });

  it('equal means with noise read within seed noise, naming n and the noise', () => {
    const rng = new Rng(3);
    let within = 0;
    for (let trial = 0; trial < 200; trial++) {
      const v = compareGroups(noisy(rng, 2.5, 0.01, 3), noisy(rng, 2.5, 0.01, 3));
      if (v.kind === 'within-noise') within++;
    }
    // Under equal means the test says "different" about SIGNIFICANCE of the time, by construction.
    expect(within / 200).toBeGreaterThan(1 - 2 * SIGNIFICANCE);
    const v = compareGroups([2.51, 2.52, 2.50], [2.515, 2.505, 2.52]);
    expect(v.kind).toBe('within-noise');
    expect(v.text).toBe('within seed noise (n = 3, ±0.010)');
  });

  it('a gap smaller than the seed noise is within noise even when the means differ', () => {
    const v = compareGroups([2.50, 2.53, 2.47], [2.51, 2.54, 2.49]);
    expect(v.diff).toBeLessThan(0);
    expect(v.kind).toBe('within-noise');
  });

  it('one seed on either side reads "one seed, no noise estimate", whatever the gap', () => {
    expect(MIN_SEEDS).toBe(2);
    expect(compareGroups([2.0], [3.0])).toMatchObject({ kind: 'one-seed', p: null, text: 'one seed, no noise estimate' });
    expect(compareGroups([2.0, 2.01], [3.0]).kind).toBe('one-seed');
    expect(() => compareGroups([], [1])).toThrow(/an empty group/);
  });

  it('identical seeds on both sides: no difference is within noise, any difference is real', () => {
    expect(compareGroups([2.5, 2.5], [2.5, 2.5]).kind).toBe('within-noise');
    expect(compareGroups([2.4, 2.4], [2.5, 2.5]).kind).toBe('lower');
  });
});
