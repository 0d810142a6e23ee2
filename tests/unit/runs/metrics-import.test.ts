// Metrics CSVs as runs: the CLI's metrics.csv and the page's multi-run export read back into runs
// whose metric series equal the originals, another tool's step/loss table, the files a folder import
// takes (run.json over metrics.csv in one run directory), and refusals that name file, line and column.
import { describe, expect, it } from 'vitest';
import { metricsCsv, runsCsv } from '../../../src/runs/csv';
import { runsFromMetricsCsv } from '../../../src/runs/metrics-import';
import { runFilesOf } from '../../../src/ui/state/run-files';
import { sampleRun } from '../helpers/sample-run';

let n = 0;
const ids = () => `csv-${++n}`;
const NOW = '2026-12-06T00:00:00.000Z';

describe('metrics CSV import', () => {
  it("reads the CLI's metrics.csv back: the same series, the file's name, tagged csv-import", () => {
    const run = sampleRun();
    const [r] = runsFromMetricsCsv(metricsCsv(run), 'runs/demo/metrics.csv', ids, NOW);
    expect(r.name).toBe('metrics');
    expect(r.tags).toEqual(['csv-import']);
    expect(r.metrics).toEqual({ ...run.metrics, loss: [5.5, null] });
    expect(r.outcome).toMatchObject({ status: 'finished', step: 2, final_train_loss: 5.5, final_val_loss: null });
    expect(r.config.learning_rate).toBe(2e-4);
  });

  it("splits the page's multi-run export by its run column", () => {
    const a = sampleRun();
    const b = { ...sampleRun(), name: 'b, with a comma' };
    const runs = runsFromMetricsCsv(runsCsv([a, b]), 'export.csv', ids, NOW);
    expect(runs.map((r) => r.name)).toEqual(['demo', 'b, with a comma']);
    expect(runs[1].metrics.grad_norm).toEqual([1, 2]);
  });

  it("takes another tool's table with only step and loss (tokens from the step)", () => {
    const [r] = runsFromMetricsCsv('step,loss,other\n10,3.5,x\n20,3.1,y\n', 'tb.csv', ids, NOW);
    expect([r.metrics.step, r.metrics.tokens, r.metrics.loss, r.metrics.lr]).toEqual([[10, 20], [10, 20], [3.5, 3.1], [null, null]]);
  });

  it('refuses, naming the file, the line and the column', () => {
    expect(() => runsFromMetricsCsv('loss\n3\n', 'a.csv', ids, NOW)).toThrow('a.csv: has no step column; a metrics CSV needs step and loss (columns: loss)');
    expect(() => runsFromMetricsCsv('step,loss\n1,3\n2,abc\n', 'b.csv', ids, NOW)).toThrow('b.csv: line 3: loss is "abc"; it must be a number');
    expect(() => runsFromMetricsCsv('step,loss\n2,3\n2,3\n', 'c.csv', ids, NOW)).toThrow("c.csv: line 3: step 2 must be a whole number above the row before's");
    expect(() => runsFromMetricsCsv('step,loss\n', 'd.csv', ids, NOW)).toThrow('d.csv: has no rows');
  });

  it('a folder import takes every run file, and a metrics CSV only where no run.json is beside it', () => {
    const f = (path: string) => ({ name: path.split('/').at(-1)!, webkitRelativePath: path }) as unknown as File;
    const files = [
      f('sweep/01-a/run.json'), f('sweep/01-a/metrics.csv'), f('sweep/01-a/checkpoint/step-10/state.json'), f('sweep/02-b/metrics.csv'),
      f('sweep/summary.csv'), f('sweep/groups.csv'), f('sweep/plan.json'), f('sweep/01-a/model.safetensors'), f('export/demo.run.json'), f('export/stepsize-runs-3.json'),
    ];
    expect(runFilesOf(files).map((x) => x.webkitRelativePath)).toEqual(['sweep/01-a/run.json', 'sweep/02-b/metrics.csv', 'export/demo.run.json', 'export/stepsize-runs-3.json']);
  });
});
