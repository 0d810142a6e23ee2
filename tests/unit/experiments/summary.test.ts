// Summaries of sets of runs: one row per run, the best run, the keys that differ, final loss against
// learning rate with seeds folded, and summary.csv.
import { describe, expect, it } from 'vitest';
import { bestRow, differingKeys, lossByRate, summarize, summaryCsv } from '../../../src/experiments/summary';
import type { RunRecord } from '../../../src/runs/schema';
import { curve, makeRecord } from '../helpers/records';

/** A run at (lr, bs, seed) whose validation loss goes from 3 to `final` over 100 steps (evaluations every 25). */
function run(lr: number, bs: number, seed: number, final: number | null, o: { diverged?: boolean; name?: string } = {}): RunRecord {
  return makeRecord({
    name: o.name ?? `lr ${lr} bs ${bs} seed ${seed}`,
    config: { model: 'tiny', learning_rate: lr, batch_size: bs, seed },
    losses: curve(1, 100, (s) => 3 - s / 100),
    evals: final === null ? [] : [[0, 3], [50, (3 + final) / 2], [100, final]],
    status: o.diverged ? 'diverged' : 'finished',
  });
}

describe('summarize', () => {
  const rec = makeRecord({
    name: 'one',
    config: { model: 'tiny', learning_rate: 3e-4, batch_size: 4, grad_accum_steps: 2, lora_rank: 4, seed: 7 },
    losses: curve(1, 150, (s) => 5 - s / 100),
    evals: [[0, 5.0], [50, 4.0], [100, 3.5], [150, 3.6]],
  });
  // tokens per step: batch 4 × accumulation 2 × context 64 = 512

  it('reads start, final and best validation loss, steps and tokens', () => {
    const [row] = summarize([rec]);
    expect(row).toMatchObject({
      id: rec.id, name: 'one', status: 'finished', diverged: false,
      startVal: 5.0, finalVal: 3.6, bestVal: 3.5, bestStep: 100, finalTrain: 3.5, tokensToTarget: null, steps: 150, tokens: 150 * 512,
    });
    expect(row.values).toEqual({ learning_rate: 3e-4, batch_size: 8, lora_rank: 4, seed: 7 });
  });

  it('gives the tokens seen when validation loss first reached the target', () => {
    expect(summarize([rec], 3.9)[0].tokensToTarget).toBe(100 * 512);
    expect(summarize([rec], 4.0)[0].tokensToTarget).toBe(50 * 512);
    expect(summarize([rec], 5.0)[0].tokensToTarget).toBe(0);
    expect(summarize([rec], 3.4)[0].tokensToTarget).toBeNull();
  });

  it('has no start when there was no evaluation at step 0, and skips evaluations without a loss', () => {
    const r = makeRecord({ losses: [4, 3.9, 3.8], evals: [[1, null], [2, 3.95], [3, 3.85]] });
    const [row] = summarize([r], 3.9);
    expect(row.startVal).toBeNull();
    expect(row.tokensToTarget).toBe(3 * 16 * 128);
    expect(row.finalVal).toBe(3.85);
  });

  it('marks diverged runs', () => {
    const [row] = summarize([run(1e-1, 16, 1, 2.5, { diverged: true })]);
    expect(row.diverged).toBe(true);
    expect(row.status).toBe('diverged');
  });
});

describe('bestRow', () => {
  it('picks the lowest best validation loss among runs that did not diverge', () => {
    const rows = summarize([run(1e-4, 16, 1, 2.5), run(1e-2, 16, 1, 1.0, { diverged: true }), run(1e-3, 16, 1, 2.0), run(3e-3, 16, 1, null)]);
    expect(bestRow(rows)).toBe(2);
  });

  it('is -1 when every run diverged or was never evaluated', () => {
    expect(bestRow(summarize([run(1e-2, 16, 1, 1.0, { diverged: true }), run(1e-3, 16, 1, null)]))).toBe(-1);
    expect(bestRow([])).toBe(-1);
  });
});

describe('differingKeys', () => {
  it('names the swept keys whose values differ, in sweep order', () => {
    expect(differingKeys(summarize([run(1e-3, 16, 1, 2), run(1e-3, 16, 2, 2)]))).toEqual(['seed']);
    expect(differingKeys(summarize([run(1e-3, 4, 1, 2), run(1e-4, 16, 1, 2)]))).toEqual(['learning_rate', 'batch_size']);
    expect(differingKeys(summarize([run(1e-3, 16, 1, 2), run(1e-3, 16, 1, 3)]))).toEqual([]);
  });
});

describe('lossByRate', () => {
  it('folds seeds into mean, min and max per rate, one group per batch size, without diverged runs', () => {
    const rows = summarize([
      run(1e-2, 4, 1, 1.8), run(1e-2, 4, 2, 1.9), run(1e-2, 4, 3, 1.0, { diverged: true }),
      run(1e-3, 4, 1, 2.0), run(1e-3, 4, 2, 2.2), run(1e-3, 4, 3, 2.1),
      run(1e-3, 16, 1, 2.4), run(1e-3, 16, 2, null), run(1e-3, 16, 3, 2.6),
      run(1e-2, 16, 1, 1.5, { diverged: true }), run(1e-2, 16, 2, 1.4, { diverged: true }),
    ]);
    const groups = lossByRate(rows);
    expect(groups.map((g) => g.label)).toEqual(['bs 4', 'bs 16']);
    const [g4, g16] = groups;
    expect(g4.points.map((p) => p.lr)).toEqual([1e-3, 1e-2]);
    expect(g4.points[0].mean).toBeCloseTo(2.1, 12);
    expect(g4.points[0]).toMatchObject({ min: 2.0, max: 2.2, n: 3 });
    expect(g4.points[1].mean).toBeCloseTo(1.85, 12);
    expect(g4.points[1]).toMatchObject({ min: 1.8, max: 1.9, n: 2 });
    expect(g16.points.map((p) => p.lr)).toEqual([1e-3, 1e-2]);
    expect(g16.points[0].mean).toBeCloseTo(2.5, 12);
    expect(g16.points[0]).toMatchObject({ min: 2.4, max: 2.6, n: 2 });
    expect(g16.points[1]).toEqual({ lr: 1e-2, mean: null, min: null, max: null, n: 0 });
  });

  it('makes one unlabelled group when only the rate and seed vary', () => {
    const groups = lossByRate(summarize([run(3e-4, 16, 1, 2.3), run(1e-4, 16, 1, 2.5), run(1e-4, 16, 2, 2.7)]));
    expect(groups).toHaveLength(1);
    expect(groups[0].label).toBe('');
    expect(groups[0].points.map((p) => [p.lr, p.n])).toEqual([[1e-4, 2], [3e-4, 1]]);
    expect(groups[0].points[0].mean).toBeCloseTo(2.6, 12);
  });

  it('labels groups by batch size and rank when both vary', () => {
    const a = makeRecord({ config: { model: 'tiny', lora_rank: 4, batch_size: 8 }, evals: [[10, 2]] });
    const b = makeRecord({ config: { model: 'tiny', lora_rank: 8, batch_size: 16 }, evals: [[10, 2]] });
    expect(lossByRate(summarize([a, b])).map((g) => g.label)).toEqual(['bs 8 r 4', 'bs 16 r 8']);
  });
});

describe('summaryCsv', () => {
  it('writes a header with the varied keys, then one row per run', () => {
    const rows = summarize([run(1e-3, 16, 1, 2.25, { name: 'low' }), run(1e-2, 16, 1, null, { name: 'high, diverged', diverged: true })]);
    const csv = summaryCsv(rows);
    const lines = csv.split('\n');
    expect(csv.endsWith('\n')).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('run,learning_rate,final_val_loss,best_val_loss,best_step,final_train_loss,diverged,status,steps,tokens');
    expect(lines[1]).toBe(`low,0.001,2.25,2.25,100,2,false,finished,100,${100 * 16 * 64}`);
    expect(lines[2]).toBe(`"high, diverged",0.01,,,,2,true,diverged,100,${100 * 16 * 64}`);
    expect(lines[3]).toBe('');
  });

  it('writes the keys it is given, in that order', () => {
    const rows = summarize([run(1e-3, 16, 1, 2.5, { name: 'a' })]);
    expect(summaryCsv(rows, ['lora_rank', 'batch_size']).split('\n').slice(0, 2)).toEqual([
      'run,lora_rank,batch_size,final_val_loss,best_val_loss,best_step,final_train_loss,diverged,status,steps,tokens',
      'a,0,16,2.5,2.5,100,2,false,finished,100,102400',
    ]);
  });

  it('quotes names as CSV does (a comma or a quote makes a quoted cell, a double quote is doubled); a formula is written as text', () => {
    const rows = summarize([run(1e-3, 16, 1, 2.5, { name: 'say "hi", then go' })]);
    expect(summaryCsv(rows, []).split('\n')[1]).toBe('"say ""hi"", then go",2.5,2.5,100,2,false,finished,100,102400');
    const formula = summarize([run(1e-3, 16, 1, 2.5, { name: '=HYPERLINK("http://x")' })]);
    expect(summaryCsv(formula, []).split('\n')[1]).toBe(`"'=HYPERLINK(""http://x"")",2.5,2.5,100,2,false,finished,100,102400`);
  });
});
