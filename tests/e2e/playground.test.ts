// The playground in headless chromium on SwiftShader: train a tiny LoRA run and watch the chart and
// progress move, stop it; record a second run at another learning rate; overlay both; export and
// re-import; reload and find both; an invalid value disables Train at its field; a bad import is
// refused and changes nothing. Screenshots of these states go to test-results/screenshots.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fillTestId, SHOTS, useApp } from './helpers/browser';

const fill = (page: Page, key: string, value: string) => fillTestId(page, `input-${key}`, value);

async function waitForStep(page: Page, atLeast: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const app = document.querySelector('stepsize-app');
      const controls = app?.shadowRoot?.querySelector('train-controls');
      const el = controls?.shadowRoot?.querySelector('[data-testid="progress-step"]');
      return el !== null && el !== undefined && Number(el.textContent) >= n;
    },
    atLeast,
    { timeout: 180_000 },
  );
}

async function waitForState(page: Page, state: string): Promise<void> {
  await page.getByTestId('job-state').filter({ hasText: state }).waitFor({ timeout: 240_000 });
}

const rows = (page: Page) => page.getByTestId('run-row');

describe('playground', () => {
  const app = useApp();
  const dir = mkdtempSync(join(tmpdir(), 'stepsize-e2e-'));

  it('the first run, as the page opens, learns: a falling curve within 10 s of training, validation well below its start', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    // On a software adapter the page starts the tiny model from scratch (no base needed, so Train is enabled).
    expect(await page.getByTestId('input-model').inputValue()).toBe('tiny');
    expect(await page.getByTestId('train').isDisabled()).toBe(false);
    await page.getByTestId('train').click();
    type Live = { stepsize: { job: { run: { evals: { step: number; val_loss: number | null }[]; metrics: { loss: (number | null)[]; elapsed_ms: (number | null)[] } } | null } } };
    const evals = () => page.evaluate(() => (window as unknown as Live).stepsize.job.run?.evals ?? []);
    // Within its first 10 s of training the curve falls: the training loss of the last step recorded
    // by then is well below the first step's.
    await page.waitForFunction(() => ((window as unknown as Live).stepsize.job.run?.metrics.elapsed_ms.at(-1) ?? 0) > 10_000, null, { timeout: 180_000 });
    const m = await page.evaluate(() => (window as unknown as Live).stepsize.job.run!.metrics);
    const by10s = m.elapsed_ms.filter((t) => t !== null && t <= 10_000).length;
    expect(by10s, 'steps trained in the first 10 s').toBeGreaterThan(3);
    expect(m.loss[by10s - 1]!, `training loss at step 1 ${m.loss[0]}, at step ${by10s} (10 s)`).toBeLessThan(m.loss[0]! - 0.5);
    await waitForState(page, 'done');
    const all = await evals();
    const [first, last] = [all[0].val_loss!, all.at(-1)!.val_loss!];
    expect(last, `validation ${first} → ${last}`).toBeLessThan(first - 1);
    // The step axis counts whole steps: every x tick of the loss chart is an integer.
    const ticks = await page.evaluate(() => {
      const chart = document.querySelector('stepsize-app')!.shadowRoot!.querySelector('charts-panel')!.shadowRoot!.querySelector('metric-chart') as unknown as { plot: { axes: { _splits?: number[] }[] } };
      return chart.plot.axes[0]._splits ?? [];
    });
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.filter((t) => !Number.isInteger(t))).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/first-run.png` });
    await page.close();
  });

  it('trains, records, overlays, exports, re-imports and survives a reload', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    // On a software adapter the page starts from the tiny model; LoRA on the shipped tiny base is one choice away.
    expect(await page.getByTestId('input-model').inputValue()).toBe('tiny');
    await page.getByTestId('input-base_model').selectOption('base/tiny.safetensors');
    expect(await page.getByTestId('input-base_model').inputValue()).toBe('base/tiny.safetensors');
    expect(await page.getByTestId('effective-batch').textContent()).toMatch(/4 × 1 = 4/);
    await fill(page, 'max_steps', '400');
    await fill(page, 'learning_rate', '0.003');
    await fill(page, 'eval_interval', '10');
    await fill(page, 'sample_interval', '10');
    expect(page.url()).toMatch(/learning_rate=0\.003/);
    await page.screenshot({ path: `${SHOTS}/setup.png`, fullPage: true });

    // Long main-thread tasks while training (the page must stay responsive).
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: false });
    });

    // Run 1: train, watch progress and the loss chart move, then stop.
    await page.getByTestId('train').click();
    await waitForStep(page, 12);
    expect(await page.getByTestId('chart-loss').locator('canvas').count()).toBeGreaterThan(0);
    const first = Number(await page.getByTestId('progress-step').textContent());
    await waitForStep(page, first + 5);
    await page.getByTestId('sample').first().waitFor();
    expect(await page.getByTestId('run-outcome').first().textContent()).toMatch(/running/);
    await page.screenshot({ path: `${SHOTS}/training.png`, fullPage: true });
    await page.getByTestId('stop').click();
    await waitForState(page, 'done');
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await page.getByTestId('run-outcome').first().textContent()).toMatch(/stopped/);

    // Run 2: another learning rate, to the end.
    await page.getByTestId('reset').click();
    await fill(page, 'max_steps', '25');
    await fill(page, 'learning_rate', '0.0005');
    await page.getByTestId('train').click();
    await waitForState(page, 'done');
    await expect.poll(() => rows(page).count()).toBe(2);
    expect(await page.getByTestId('run-outcome').first().textContent()).toMatch(/finished/);
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    expect(longTasks.filter((d) => d > 200), `main-thread tasks over 200 ms: ${longTasks.join(', ')}`).toHaveLength(0);

    // The finished LoRA run's adapter downloads in PEFT's layout.
    const weights: string[] = [];
    page.on('download', (d) => weights.push(d.suggestedFilename()));
    await page.getByTestId('weights').first().click();
    await expect.poll(() => weights.length).toBe(2);
    expect(weights.sort()).toEqual([expect.stringMatching(/adapter_config\.json$/), expect.stringMatching(/adapter_model\.safetensors$/)]);

    // Overlay both: both in the legend, learning_rate in the table of differing keys.
    const boxes = page.getByTestId('select-run');
    for (let i = 0; i < 2; i++) if (!(await boxes.nth(i).isChecked())) await boxes.nth(i).check();
    await expect.poll(async () => (await page.getByTestId('legend').textContent())?.match(/lr 0\.003|lr 0\.0005/g)?.length).toBe(2);
    const diff = await page.getByTestId('diff-table').textContent();
    expect(diff).toMatch(/learning_rate/);
    expect(diff).toMatch(/max_steps/);
    await page.getByTestId('x-axis').selectOption('tokens');
    await page.screenshot({ path: `${SHOTS}/overlay.png`, fullPage: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/overlay-viewport.png` });

    // Export both as JSON and as CSV.
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
    const exported = join(dir, 'runs.json');
    await json.saveAs(exported);
    const runs = JSON.parse(readFileSync(exported, 'utf8'));
    expect(runs).toHaveLength(2);
    expect(runs[0].format).toBe('stepsize.run');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    await csv.saveAs(join(dir, 'runs.csv'));
    expect(readFileSync(join(dir, 'runs.csv'), 'utf8').split('\n')[0]).toBe('run,step,tokens,loss,lr,grad_norm,clip,update_ratio,elapsed_ms');

    // Delete one (undo works), delete it again, then re-import both from the export: the deleted
    // one comes back, the one still in the list comes in as a copy (an import never overwrites).
    await page.getByTestId('delete-run').first().click();
    await expect.poll(() => rows(page).count()).toBe(1);
    await page.getByTestId('undo').click();
    await expect.poll(() => rows(page).count()).toBe(2);
    await page.getByTestId('delete-run').first().click();
    await expect.poll(() => rows(page).count()).toBe(1);
    await page.getByTestId('import').setInputFiles(exported);
    await expect.poll(() => rows(page).count()).toBe(3);
    expect(await page.getByTestId('message').textContent()).toMatch(/Imported 2 run\(s\)\. 1 of them were already in the list and came in as copies \(nothing was overwritten\)/);
    const names = await page.getByTestId('run-name').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(names.filter((n) => n.endsWith(' (copy)'))).toHaveLength(1);

    // A reload loses nothing.
    await page.reload();
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    await expect.poll(() => rows(page).count()).toBe(3);
    expect(page.url()).toMatch(/learning_rate=0\.0005/);
    await page.close();
  });

  it('disables Train at an invalid value, and refuses a bad import without touching stored runs', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    const before = await rows(page).count();
    await fill(page, 'batch_size', '0');
    await page.getByTestId('error-batch_size').waitFor();
    expect(await page.getByTestId('error-batch_size').textContent()).toMatch(/batch_size: 0 is not allowed; an integer from 1 to 4096/);
    expect(await page.getByTestId('train').isDisabled()).toBe(true);
    expect(await page.getByTestId('train-disabled').textContent()).toMatch(/batch_size/);
    await page.screenshot({ path: `${SHOTS}/invalid.png`, fullPage: true });
    await fill(page, 'batch_size', '4');
    expect(await page.getByTestId('train').isDisabled()).toBe(false);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'stepsize.run', version: 1, id: 'x', name: 'broken' }));
    await page.getByTestId('import').setInputFiles(bad);
    await page.getByTestId('message').filter({ hasText: 'Import refused' }).waitFor();
    expect(await page.getByTestId('message').textContent()).toMatch(/Import refused: bad\.json: \w+.*Nothing was changed/);
    expect(await rows(page).count()).toBe(before);
    await page.screenshot({ path: `${SHOTS}/bad-import.png`, fullPage: true });
    await page.close();
  });

  it('takes a dropped text file, shows its size and split, and trains on it', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'Stepsize lets people see what a learning rate does. '.repeat(120));
    await page.getByTestId('upload').setInputFiles(txt);
    await expect.poll(() => page.getByTestId('input-train_data').inputValue()).toBe('upload: notes.txt');
    expect(await page.getByTestId('data-size').textContent()).toMatch(/6\.1 KiB: 5\.5 KiB to train on, 624 B held out/);
    await fill(page, 'max_steps', '25');
    await page.getByTestId('train').click();
    await waitForState(page, 'done');
    expect(await page.getByTestId('run-name').first().inputValue()).toMatch(/notes\.txt/);
    await page.close();
  });

  it('shows a run cut off by a reload as interrupted, with its curve', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    await fill(page, 'max_steps', '400');
    await page.getByTestId('train').click();
    await waitForStep(page, 10);
    await page.reload();
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    await expect.poll(() => page.getByTestId('run-outcome').first().textContent()).toMatch(/interrupted/);
    expect(await page.getByTestId('message').textContent()).toMatch(/interrupted by a closed tab/);
    await page.getByTestId('select-run').first().check();
    expect(await page.getByTestId('chart-loss').locator('canvas').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('locks and hides controls named in the URL (a focused page for a class)', async () => {
    const page = await app().newPage();
    await page.goto(`${app().url}?model=tiny&base_model=base/tiny.safetensors&learning_rate=0.001&lock=learning_rate,model&hide=weight_decay,evaluation`);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('input-learning_rate').isDisabled()).toBe(true);
    expect(await page.getByTestId('input-learning_rate').inputValue()).toBe('0.001');
    expect(await page.getByTestId('input-model').isDisabled()).toBe(true);
    expect(await page.getByTestId('input-weight_decay').count()).toBe(0);
    expect(await page.locator('[data-group="evaluation"]').count()).toBe(0);
    expect(await page.getByTestId('input-batch_size').isDisabled()).toBe(false);
    await page.getByTestId('preset-full').click();
    expect(await page.getByTestId('input-learning_rate').inputValue()).toBe('0.001');
    await page.close();
  });
});
