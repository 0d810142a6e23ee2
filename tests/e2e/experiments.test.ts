// Experiments in headless chromium on SwiftShader, on the tiny model: a two-rate sweep built in the
// sweep builder runs end to end, its runs side by side (table with the best marked, loss-vs-rate
// plot, overlay in the run list); one of two runs side by side pauses, resumes and stops on its own; classroom scenario 6 runs from the presenter view and its check states what the runs showed.
import { describe, expect, it } from 'vitest';
import { fillTestId as fill, SHOTS, useApp } from './helpers/browser';

describe('experiments', () => {
  const app = useApp();

  it('runs a learning-rate sweep and shows its table, plot and overlay', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    for (const [k, v] of [['warmup_steps', '1'], ['max_steps', '6'], ['eval_interval', '3'], ['eval_batches', '1'], ['batch_size', '2'], ['sample_interval', '0'], ['sample_length', '8']]) await fill(page, `input-${k}`, v);
    await page.getByTestId('tab-sweep').click();
    await fill(page, 'sweep-name', 'e2e');
    await fill(page, 'sweep-learning_rate', '1e-4..1e-1 x2');
    await expect.poll(() => page.getByTestId('sweep-count').textContent()).toMatch(/^2 runs × 6 steps/);
    await fill(page, 'sweep-batch_size', '2, x');
    await expect.poll(() => page.getByTestId('sweep-count').textContent()).toBe('no runs');
    await fill(page, 'sweep-batch_size', '');
    await page.getByTestId('run-sweep').click();
    await page.getByTestId('plan-progress').waitFor({ timeout: 30_000 });
    // Both rates train side by side, each with its own row and curve.
    await expect.poll(() => page.getByTestId('live-run').count(), { timeout: 60_000 }).toBe(2);
    expect(await page.getByTestId('plan-progress').textContent()).toMatch(/runs 1, 2 of 2 side by side/);
    await page.getByTestId('plan-progress').waitFor({ state: 'detached', timeout: 300_000 });
    await expect.poll(() => page.getByTestId('sweep-row').count()).toBe(2);
    expect(await page.getByTestId('sweep-best').count()).toBe(1);
    expect(await page.getByTestId('chart-final val loss vs learning rate').locator('canvas').count()).toBeGreaterThan(0);
    const table = await page.getByTestId('sweep-table').textContent();
    expect(table).toMatch(/1e-4/);
    expect(table).toMatch(/0\.1/);
    await page.getByTestId('overlay-sweep').click();
    await expect.poll(async () => (await page.getByTestId('legend').textContent())?.match(/e2e: lr/g)?.length).toBe(2);
    await page.screenshot({ path: `${SHOTS}/sweep.png`, fullPage: true });
    await page.close();
  }, 420_000);

  it('pauses, resumes and stops one of two runs training side by side while the other trains on', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    for (const [k, v] of [['warmup_steps', '1'], ['max_steps', '3000'], ['eval_interval', '0'], ['eval_batches', '1'], ['batch_size', '1'], ['sample_interval', '0'], ['sample_length', '4'], ['metrics_interval', '2']]) await fill(page, `input-${k}`, v);
    await page.getByTestId('tab-sweep').click();
    await fill(page, 'sweep-name', 'two');
    await fill(page, 'sweep-learning_rate', '1e-3, 3e-3');
    await page.getByTestId('run-sweep').click();
    const rows = page.getByTestId('live-run');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(2);
    const state = (i: number) => rows.nth(i).getByTestId('live-state').textContent();
    const step = async (i: number) => Number((await rows.nth(i).locator('td').nth(1).textContent())!.split('/')[0]);
    await expect.poll(() => step(1), { timeout: 60_000 }).toBeGreaterThan(40);
    await page.getByTestId('live-runs').screenshot({ path: `${SHOTS}/live-runs.png` });
    await page.screenshot({ path: `${SHOTS}/side-by-side.png` });
    await rows.nth(1).getByTestId('live-pause').click();
    await expect.poll(() => state(1), { timeout: 30_000 }).toBe('paused');
    const held = await step(1);
    const before = await step(0);
    await expect.poll(() => step(0), { timeout: 30_000 }).toBeGreaterThan(before + 4);
    expect(await step(1)).toBe(held);
    await rows.nth(1).getByTestId('live-resume').click();
    await expect.poll(() => step(1), { timeout: 30_000 }).toBeGreaterThan(held);
    await rows.nth(1).getByTestId('live-stop').click();
    await expect.poll(() => state(1), { timeout: 30_000 }).toBe('stopped');
    expect(await state(0)).toBe('running');
    const first = await step(0);
    await expect.poll(() => step(0), { timeout: 30_000 }).toBeGreaterThan(first);
    await page.getByTestId('stop-plan').click();
    await page.getByTestId('plan-progress').waitFor({ state: 'detached', timeout: 120_000 });
    await page.close();
  }, 420_000);

  it('presents scenario 6 and states what its runs showed', async () => {
    const page = await app().newPage();
    await page.goto(`${app().url}?present=6&scenario_scale=0.02`);
    await page.getByTestId('presenter-title').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('presenter-title').textContent()).toBe('Scenario 6: Gradient accumulation');
    expect(await page.getByTestId('presenter-note').textContent()).toMatch(/tiny model/);
    await page.getByTestId('presenter-run').click();
    await page.getByTestId('presenter-stop').waitFor({ timeout: 30_000 });
    const check = page.getByTestId('presenter-check');
    await check.waitFor({ timeout: 400_000 });
    const text = (await check.textContent())!;
    expect(text).toMatch(/Batch 16 and 4 × 4 accumulation gave (the same|nearly the same) curve: validation losses differ by at most/);
    expect(text).toMatch(/bs 16: validation \d\.\d{3} → \d\.\d{3}/);
    await page.screenshot({ path: `${SHOTS}/presenter.png` });
    await page.getByTestId('presenter-exit').click();
    await expect.poll(() => page.getByTestId('run-row').count()).toBe(2);
    await page.getByTestId('tab-scenarios').click();
    await page.getByTestId('select-scenario-6').click();
    await expect.poll(async () => (await page.getByTestId('legend').textContent())?.match(/S6 Gradient accumulation/g)?.length).toBe(2);
    await page.close();
  }, 600_000);
});
