// The learning-rate × batch map: cells of best validation loss (seeds folded, divergence marked), the
// best rate per batch and the rates within seed noise of it, the rules' predictions from the smallest
// batch, and the verdict — linear, square root, both (cannot tell), or neither — on made-up sweeps.
import { describe, expect, it } from 'vitest';
import { lrBatchMap } from '../../../src/experiments/lr-batch-map';
import { summarize } from '../../../src/experiments/summary';
import type { RunRecord } from '../../../src/runs/schema';
import { curve, makeRecord } from '../helpers/records';

const RATES = [1e-3, 2e-3, 4e-3, 8e-3];

function run(lr: number, batch: number, seed: number, best: number | null): RunRecord {
  return makeRecord({
    config: { model: 'tiny', learning_rate: lr, batch_size: batch, seed },
    losses: curve(1, 100, (s) => 3 - s / 100),
    evals: best === null ? [] : [[0, 3], [100, best]],
    status: best === null ? 'diverged' : 'finished',
  });
}

/** A sweep whose best validation loss at batch b and rate lr is loss(b, lr) + seed jitter. */
function sweep(loss: (b: number, lr: number) => number | null, jitter = [0, 0.001, -0.001]) {
  return summarize([4, 16].flatMap((b) => RATES.flatMap((lr) => jitter.map((j, k) => { const l = loss(b, lr); return run(lr, b, k + 1, l === null ? null : l + j); }))));
}

/** A valley in log(rate) centred on `centre(b)`. */
const valley = (centre: (b: number) => number, depth = 0.05) => (b: number, lr: number) => 2.5 + depth * Math.log2(lr / centre(b)) ** 2;

describe('the learning-rate × batch map', () => {
  it('lays out the cells and says the best rates follow the linear rule', () => {
    const m = lrBatchMap(sweep(valley((b) => 1e-3 * (b / 4))))!;
    expect(m.rates).toEqual(RATES);
    expect(m.batches).toEqual([4, 16]);
    expect(m.cells[0][0]).toMatchObject({ lr: 1e-3, batch: 4, seeds: 3, diverged: 0 });
    expect(m.cells[0][0]!.best).toBeCloseTo(2.5, 12);
    expect(m.best.map((b) => [b.batch, b.lr, b.within])).toEqual([[4, 1e-3, [1e-3]], [16, 4e-3, [4e-3]]]);
    expect(m.predicted.linear[1]).toBeCloseTo(4e-3, 15);
    expect(m.predicted.sqrt[1]).toBeCloseTo(2e-3, 15);
    expect(m.follows).toEqual(['linear']);
    expect(m.verdict).toBe('Best rate by batch: bs 4 1e-3, bs 16 4e-3. From bs 4 the linear rule predicts 4e-3 at bs 16, the square-root rule 2e-3. The best rates follow the linear rule within seed noise, not the square-root one.');
  });

  it('the square-root rule, neither, and both when the noise cannot tell them apart', () => {
    expect(lrBatchMap(sweep(valley((b) => 1e-3 * Math.sqrt(b / 4))))!.follows).toEqual(['sqrt']);
    const none = lrBatchMap(sweep(valley(() => 1e-3)))!;
    expect(none.follows).toEqual([]);
    expect(none.verdict).toMatch(/The best rates follow neither rule within seed noise\.$/);
    // A shallow valley and loud seeds: 2e-3 and 4e-3 are within noise at batch 16.
    const both = lrBatchMap(sweep(valley((b) => 1e-3 * (b / 4), 0.002), [0, 0.01, -0.01]))!;
    expect(both.best[1].within).toEqual(expect.arrayContaining([2e-3, 4e-3]));
    expect(both.follows).toEqual(['linear', 'sqrt']);
    expect(both.verdict).toMatch(/Both rules fit the best rates within seed noise: this sweep cannot tell them apart\.$/);
  });

  it('marks diverged cells, says so with one seed, and needs two rates and two batches', () => {
    const m = lrBatchMap(sweep((b, lr) => (lr === 8e-3 ? null : valley((bb) => 1e-3 * (bb / 4))(b, lr)), [0]))!;
    expect(m.cells[0][3]).toMatchObject({ best: null, diverged: 1, seeds: 1 });
    expect(m.seeded).toBe(false);
    expect(m.verdict).toMatch(/with one seed per setting \(no noise estimate: only the best rate itself counts\)/);
    expect(lrBatchMap(summarize([run(1e-3, 4, 1, 2.5), run(2e-3, 4, 1, 2.4)]))).toBeNull();
  });
});
