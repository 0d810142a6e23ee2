// Comparing runs in headless chromium: a folder of recorded runs (a sweep over learning rate × batch
// × 3 seeds, made up so that the best rate follows the linear rule) imported in one go; the charts
// grouped by the learning rate with a band; the run table with a baseline and its differences; the
// x axis on tokens because the batches differ; a chart exported as SVG, PNG and CSV and read out at
// the cursor; the sweep's verdict over seeds and its learning-rate × batch map; a metrics CSV
// imported. Screenshots of the table, the grouped chart and the map go to test-results/screenshots.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeRun } from '../../src/runs/schema';
import { curve, makeRecord } from '../unit/helpers/records';
import { SHOTS, useApp } from './helpers/browser';

const RATES = [1e-3, 2e-3, 4e-3];
const BATCHES = [4, 16];
const JITTER = [0, 0.002, -0.002];

/** The made-up sweep: best validation loss in a valley centred on 1e-3 × batch / 4 (the linear rule). */
function sweepFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepsize-compare-'));
  let i = 0;
  for (const b of BATCHES) {
    for (const lr of RATES) {
      JITTER.forEach((j, k) => {
        const best = 2.5 + 0.05 * Math.log2(lr / (1e-3 * (b / 4))) ** 2 + j;
        const run = makeRecord({
          id: `cmp-${++i}`,
          name: `map: lr ${lr} bs ${b} seed ${k + 1}`,
          config: { model: 'tiny', learning_rate: lr, batch_size: b, seed: k + 1, tags: ['sweep:map'] },
          losses: curve(1, 60, (s) => 3 - (s / 60) * (3 - best - 0.1)),
          evals: [[0, 3], [30, (3 + best) / 2], [60, best]],
        });
        const runDir = join(dir, `${String(i).padStart(2, '0')}-run`);
        mkdirSync(runDir);
        writeFileSync(join(runDir, 'run.json'), serializeRun(run));
        writeFileSync(join(runDir, 'metrics.csv'), 'step,loss\n1,3\n');
      });
    }
  }
  writeFileSync(join(dir, 'plan.json'), '{"not": "a run"}');
  return dir;
}

describe('comparing runs', () => {
  const app = useApp();

  it('imports a folder, groups with a band, takes a baseline, exports a chart and draws the learning-rate × batch map', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    await page.getByTestId('import-folder').setInputFiles(sweepFolder());
    await expect.poll(() => page.getByTestId('message').textContent()).toMatch(/Imported 18 run\(s\)/);
    await expect.poll(() => page.getByTestId('run-table-row').count()).toBe(18);

    // Batches differ: the automatic x axis is tokens.
    expect(await page.getByTestId('x-axis').locator('option[value="auto"]').textContent()).toBe('automatic (tokens seen)');

    // Group by the learning rate: three groups of six runs, a mean line and a band each.
    await page.getByTestId('group-by').selectOption('learning_rate');
    await expect.poll(() => page.getByTestId('legend').textContent()).toMatch(/learning_rate 0\.001 \(6 runs\).*learning_rate 0\.002 \(6 runs\).*learning_rate 0\.004 \(6 runs\)/s);
    await page.getByTestId('band').selectOption('std');
    const grouped = page.locator('metric-chart[heading="validation loss by learning_rate"]');
    const chart = grouped.getByTestId('chart-validation loss by learning_rate');
    await chart.locator('canvas').first().waitFor();
    await chart.scrollIntoViewIfNeeded();
    await chart.screenshot({ path: `${SHOTS}/grouped-chart.png` });

    // Read out every mean at the cursor, then export the chart as SVG, PNG and CSV.
    const box = (await chart.locator('.u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.98, box.y + box.height / 2);
    await expect.poll(() => grouped.getByTestId('readout').textContent()).toMatch(/tokens seen .*learning_rate 0\.001 mean \(6 runs\) \d\.\d+/s);
    const tools = grouped.getByTestId('chart-tools');
    const save = async (kind: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), tools.getByTestId(`chart-export-${kind}`).click()]);
      return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
    };
    const svg = await save('svg');
    expect(svg.name).toBe('validation_loss_by_learning_rate.svg');
    expect(svg.bytes.toString('utf8')).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*learning_rate 0\.004 mean \(6 runs\)[\s\S]*<\/svg>\n$/);
    const png = await save('png');
    expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const csv = (await save('csv')).bytes.toString('utf8').split('\n');
    expect(csv[0]).toMatch(/^tokens seen,map: lr 0\.00\d bs \d+ seed \d,/);
    expect(csv[0]).toContain('learning_rate 0.001 mean (6 runs)');

    // The table: a baseline, and every other run's difference from it.
    await page.getByTestId('group-by').selectOption('');
    await page.getByTestId('baseline-cmp-1').check();
    await expect.poll(() => page.getByTestId('table-diff').filter({ hasText: 'baseline' }).count()).toBe(1);
    const diffs = await page.getByTestId('table-diff').allTextContents();
    expect(diffs.filter((d) => /^[+-]?\d\.\d{4}$/.test(d))).toHaveLength(17);
    await page.getByTestId('table-value').selectOption('best');
    // Sorted by the value, lowest first; a click on the header turns the order round.
    expect(await page.getByTestId('run-table-row').first().textContent()).toMatch(/map: lr 0\.00(1 bs 4|4 bs 16) seed 3.*2\.4980/s);
    await page.getByTestId('table-sort-value').click();
    expect(await page.getByTestId('run-table-row').first().textContent()).toMatch(/map: lr 0\.001 bs 16 seed 2.*2\.7020\s+\+0\.2020/s);
    await page.getByTestId('run-table').scrollIntoViewIfNeeded();
    await page.getByTestId('run-table').screenshot({ path: `${SHOTS}/run-table.png` });

    // The sweep: its verdict over groups of seeds and the learning-rate × batch map.
    await page.getByTestId('tab-sweep').click();
    await page.getByTestId('sweep-tag').selectOption('sweep:map');
    expect(await page.getByTestId('sweep-verdict').textContent()).toMatch(/^Lowest mean final validation loss: lr 0\.00(1 bs 4|4 bs 16) \(2\.500 ± 0\.002 over 3 seeds\); within seed noise \(n = 3, ±0\.002\) of lr 0\.00(1 bs 4|4 bs 16)/);
    const map = page.getByTestId('lr-batch-map');
    await map.waitFor();
    expect(await map.getByTestId('cell-best').count()).toBe(2);
    expect(await page.getByTestId('lr-batch-verdict').textContent()).toMatch(/The best rates follow the linear rule within seed noise, not the square-root one\.$/);
    await page.locator('lr-batch-map').scrollIntoViewIfNeeded();
    await page.locator('lr-batch-map').screenshot({ path: `${SHOTS}/lr-batch-map.png` });

    // A metrics CSV comes in as a run of its own.
    const metrics = join(mkdtempSync(join(tmpdir(), 'stepsize-csv-')), 'metrics.csv');
    writeFileSync(metrics, 'step,tokens,loss\n1,256,3.2\n2,512,3.0\n');
    await page.getByTestId('import').setInputFiles(metrics);
    await expect.poll(() => page.getByTestId('message').textContent()).toMatch(/Imported 1 run\(s\)/);
    await page.close();
  }, 300_000);
});
