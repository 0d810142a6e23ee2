// Groups of seeds: runs that differ only in seed fold into one group with mean ± std of final and best
// validation loss, the step of the best, tokens to a target and divergences; groups.csv; and the
// sweep verdict, which calls a gap real only beyond the seed noise (Welch, p < 0.05, ≥ 2 seeds).
import { describe, expect, it } from 'vitest';
import { groupRows, groupsCsv, groupVerdict } from '../../../src/experiments/groups';
import { summarize } from '../../../src/experiments/summary';
import type { RunRecord } from '../../../src/runs/schema';
import { curve, makeRecord } from '../helpers/records';

/** A run at (lr, seed) whose validation loss falls from 3 to `final` at step 100 (best at 100). */
function run(lr: number, seed: number, final: number | null): RunRecord {
  return makeRecord({
    name: `lr ${lr} seed ${seed}`,
    config: { model: 'tiny', learning_rate: lr, batch_size: 4, seed },
    losses: curve(1, 100, (s) => 3 - s / 100),
    evals: final === null ? [] : [[0, 3], [50, (3 + final) / 2], [100, final]],
    status: final === null ? 'diverged' : 'finished',
  });
}

const sweep = (spec: [lr: number, finals: (number | null)[]][]) => summarize(spec.flatMap(([lr, finals]) => finals.map((f, i) => run(lr, i + 1, f))), 2.6);

describe('groups of seeds', () => {
  it('folds the seeds of each setting into one group with mean ± std, best step, tokens to target and divergences', () => {
    const rows = sweep([[1e-3, [2.51, 2.52, 2.50]], [1e-1, [2.9, null, null]]]);
    const [a, b] = groupRows(rows);
    expect(a).toMatchObject({ label: 'lr 0.001', seeds: [1, 2, 3], finals: [2.51, 2.52, 2.5], bestStep: 100, reached: 3, diverged: 0 });
    expect(a.final!.mean).toBeCloseTo(2.51, 12);
    expect(a.final!.std).toBeCloseTo(0.01, 12);
    expect(a.tokensToTarget).toBe(100 * 4 * 64);
    expect(b).toMatchObject({ label: 'lr 0.1', seeds: [1, 2, 3], finals: [2.9], diverged: 2, reached: 0, tokensToTarget: null });
    expect(b.final!.std).toBe(0);
  });

  it('writes groups.csv: the varied keys, seeds, mean and std (empty with one value), best step, target, divergences', () => {
    const rows = sweep([[1e-3, [2.51, 2.52, 2.50]], [1e-1, [2.9, null, null]]]);
    const lines = groupsCsv(groupRows(rows), ['learning_rate']).trim().split('\n');
    expect(lines[0]).toBe('learning_rate,seeds,final_val_mean,final_val_std,best_val_mean,best_val_std,best_step,tokens_to_target,reached_target,diverged');
    const cells = lines[1].split(',');
    expect(cells.slice(0, 2)).toEqual(['0.001', '3']);
    expect(Number(cells[2])).toBeCloseTo(2.51, 12);
    expect(Number(cells[3])).toBeCloseTo(0.01, 12);
    expect(cells.slice(6)).toEqual(['100', String(100 * 4 * 64), '3', '0']);
    expect(lines[2]).toBe('0.1,3,2.9,,2.9,,100,,0,2');
  });
});

describe('the sweep verdict', () => {
  it('separated means: the lowest group is lower than the other, with p and n', () => {
    const v = groupVerdict(groupRows(sweep([[2e-4, [2.535, 2.533, 2.536]], [3e-3, [2.512, 2.514, 2.511]]])));
    expect(v).toBe('Lowest mean final validation loss: lr 0.003 (2.512 ± 0.002 over 3 seeds); lower than lr 0.0002 (2.535 ± 0.002 over 3 seeds) by 0.022 (p < 0.001, n = 3).');
  });

  it('equal means with noise: within seed noise, never a winner', () => {
    const v = groupVerdict(groupRows(sweep([[1e-3, [2.51, 2.52, 2.50]], [2e-3, [2.515, 2.505, 2.52]]])));
    expect(v).toBe('Lowest mean final validation loss: lr 0.001 (2.510 ± 0.010 over 3 seeds); within seed noise (n = 3, ±0.010) of lr 0.002 (2.513 ± 0.008 over 3 seeds).');
    expect(v).not.toMatch(/lower than/);
  });

  it('one seed: says there is no noise estimate', () => {
    const v = groupVerdict(groupRows(sweep([[1e-3, [2.5]], [1e-2, [2.6]]])));
    expect(v).toBe('Lowest mean final validation loss: lr 0.001 (2.500, one seed); against lr 0.01 (2.600, one seed): one seed, no noise estimate.');
  });

  it('names the groups whose every seed diverged, and a lone group', () => {
    expect(groupVerdict(groupRows(sweep([[1e-3, [2.5, 2.51]], [1, [null, null]]])))).toBe('Lowest mean final validation loss: lr 0.001 (2.505 ± 0.007 over 2 seeds). lr 1: every seed diverged.');
    expect(groupVerdict(groupRows(sweep([[1, [null]]])))).toBe('No group ended with a validation loss. all runs: diverged.');
  });
});
