// Nothing lost in the page (headless chromium, SwiftShader): the same small config trains to the
// same losses in the page and in the CLI; a run cut off by a closed tab, a lost GPU device, a
// crashed or hung worker is shown as interrupted and its Resume ends it exactly as a run never
// interrupted; a full disk is said in plain words, prunes other checkpoints first and leaves other
// runs' records intact; an import never overwrites.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/runs/schema';
import type { Workbench } from '../../src/ui/state/workbench';
import { buildCli, cli, ROOT, scratch } from '../cli/helpers';
import { SHOTS, useApp } from './helpers/browser';

/** A small LoRA run on the shipped tiny base, with a checkpoint every 4 steps. */
const CONFIG: Record<string, string> = {
  model: 'tiny', base_model: 'base/tiny.safetensors', train_data: 'sotu', lora_rank: '4', lora_targets: '["q","v","fc"]', batch_size: '2',
  max_steps: '24', learning_rate: '0.003', warmup_steps: '2', eval_interval: '8', eval_batches: '1', sample_interval: '12',
  sample_length: '8', metrics_interval: '3', checkpoint_interval: '4',
};

const query = (extra: Record<string, string> = {}) => `?${new URLSearchParams({ ...CONFIG, ...extra })}`;

type Win = Window & { stepsize: Workbench };

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(url);
  await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
  return page;
}

async function runNamed(page: Page, name: string): Promise<RunRecord> {
  await page.evaluate(() => (window as unknown as Win).stepsize.refreshRuns());
  const run = await page.evaluate((n) => (window as unknown as Win).stepsize.runs.find((r) => r.name === n), name);
  if (!run) throw new Error(`no run named ${name}`);
  return run;
}

const jobState = (page: Page) => page.evaluate(() => (window as unknown as Win).stepsize.job.state);
const checkpointStep = (page: Page) => page.evaluate(() => (window as unknown as Win).stepsize.job.checkpointStep ?? 0);

async function waitUntil(page: Page, what: () => Promise<boolean>, ms = 240_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out');
    await page.waitForTimeout(100);
  }
}

/** A fresh browser profile with the page open on CONFIG, training run `name` up to its checkpoint at step 4. */
async function trainToCheckpoint(browser: { newContext(): Promise<BrowserContext> }, url: string, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await open(context, `${url}${query({ name })}`);
  await page.getByTestId('train').click();
  await waitUntil(page, async () => (await checkpointStep(page)) >= 4);
  return { context, page };
}

/** Clicks Resume on the run with this name and waits until it has trained to its end. */
async function resumeToEnd(page: Page, name: string): Promise<RunRecord> {
  await page.locator(`[data-run="${(await runNamed(page, name)).id}"]`).getByTestId('resume-run').click();
  await waitUntil(page, async () => (await jobState(page)) === 'done');
  return runNamed(page, name);
}

/** The series a resumed run must share with one never interrupted (all but wall times). */
function series(r: RunRecord) {
  const { elapsed_ms: _m, ...metrics } = r.metrics;
  const { elapsed_ms: _o, ...outcome } = r.outcome;
  return { metrics, tensors: r.tensors, evals: r.evals.map(({ elapsed_ms: _e, ...e }) => e), samples: r.samples, outcome };
}

describe('nothing lost in the page', () => {
  const app = useApp();
  const dir = scratch();
  let reference: RunRecord;

  beforeAll(async () => {
    await buildCli();
  });

  it('trains the same config to the same losses in the page and in the CLI', async () => {
    const context = await app().browser.newContext();
    const page = await open(context, `${app().url}${query({ name: 'reference' })}`);
    await page.getByTestId('train').click();
    await waitUntil(page, async () => (await jobState(page)) === 'done');
    reference = await runNamed(page, 'reference');
    expect(reference.outcome.status).toBe('finished');
    await context.close();

    const yaml = Object.entries({ ...CONFIG, base_model: join(ROOT, 'public/base/tiny.safetensors'), output_dir: 'runs/cli' }).map(([k, v]) => `${k}: ${v}`).join('\n');
    writeFileSync(join(dir, 'same.yaml'), yaml);
    const r = cli(dir, ['train', '--config', 'same.yaml', '--quiet', '--gpu', 'swiftshader']);
    expect(r.status).toBe(0);
    const fromCli = JSON.parse(readFileSync(join(dir, 'runs/cli/run.json'), 'utf8')) as RunRecord;
    const page_ = reference.metrics.loss as number[];
    const cli_ = fromCli.metrics.loss as number[];
    const worst = Math.max(...page_.map((l, i) => Math.abs(l - cli_[i])));
    console.log(`page vs CLI over ${page_.length} steps: largest loss difference ${worst}`);
    expect(cli_).toHaveLength(24);
    expect(cli_).toEqual(page_);
    expect(fromCli.evals.map((e) => e.val_loss)).toEqual(reference.evals.map((e) => e.val_loss));
  });

  it('a run cut off by closing the tab is shown as interrupted and its Resume ends it exactly as the uninterrupted run', async () => {
    const context = await app().browser.newContext();
    const first = await open(context, `${app().url}${query({ name: 'closed tab' })}`);
    await first.getByTestId('train').click();
    await waitUntil(first, async () => (await checkpointStep(first)) >= 8);
    await first.close();
    const page = await open(context, `${app().url}${query({ name: 'closed tab' })}`);
    const cut = await runNamed(page, 'closed tab');
    expect(cut.outcome.status).toBe('interrupted');
    expect(await page.getByTestId('message').textContent()).toMatch(/interrupted by a closed tab or reload/);
    const row = page.locator(`[data-run="${cut.id}"]`);
    expect(await row.getByTestId('run-outcome').textContent()).toMatch(new RegExp(`interrupted at step ${cut.outcome.step}`));
    expect(await row.getByTestId('weights').isDisabled()).toBe(true);
    expect(await row.getByTestId('weights').getAttribute('title')).toMatch(/Interrupted at step \d+: no weights were saved\. Resume it/);
    await page.screenshot({ path: `${SHOTS}/interrupted.png`, fullPage: true });
    await row.getByTestId('resume-run').click();
    await waitUntil(page, async () => (await jobState(page)) === 'done');
    const done = await runNamed(page, 'closed tab');
    expect(done.id).toBe(cut.id);
    expect(done.resumes).toHaveLength(1);
    expect(series(done)).toEqual(series(reference));
    expect(await row.getByTestId('weights').isDisabled()).toBe(false);
    await context.close();
  });

  it('a lost GPU device is said plainly; the run is interrupted at its checkpoint, Resume finishes it, and later runs work', async () => {
    const { context, page } = await trainToCheckpoint(app().browser, app().url, 'device lost');
    await page.evaluate(() => (window as unknown as Win).stepsize.faults.loseDevice());
    await page.getByTestId('message').filter({ hasText: 'GPU device lost' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('message').textContent()).toMatch(/GPU device lost \(destroyed\).*The run "device lost" was interrupted at step \d+\. It can be resumed from step \d+/);
    const cut = await runNamed(page, 'device lost');
    expect(cut.outcome.status).toBe('interrupted');
    await page.screenshot({ path: `${SHOTS}/device-lost.png`, fullPage: true });
    expect(series(await resumeToEnd(page, 'device lost'))).toEqual(series(reference));
    await context.close();
  });

  it('a crashed worker and a hung one are noticed and said; the page recovers without a reload', async () => {
    const { context, page } = await trainToCheckpoint(app().browser, app().url, 'crash');
    await page.evaluate(() => (window as unknown as Win).stepsize.faults.crashWorker());
    await page.getByTestId('message').filter({ hasText: 'The training worker crashed' }).waitFor({ timeout: 60_000 });
    expect((await runNamed(page, 'crash')).outcome.status).toBe('interrupted');
    await page.locator(`[data-run="${(await runNamed(page, 'crash')).id}"]`).getByTestId('resume-run').click();
    await waitUntil(page, async () => (await checkpointStep(page)) >= 8);
    expect(await jobState(page)).toBe('running');
    await page.evaluate(() => (window as unknown as Win).stepsize.faults.hangWorker(3000));
    await page.getByTestId('message').filter({ hasText: 'stopped answering' }).waitFor({ timeout: 60_000 });
    expect((await runNamed(page, 'crash')).outcome.status).toBe('interrupted');
    expect(series(await resumeToEnd(page, 'crash'))).toEqual(series(reference));
    await context.close();
  });

  it('a full disk: other checkpoints are pruned first, then it is said with what is needed; other runs stay intact', async () => {
    // A stopped run keeps its checkpoint (and could be resumed).
    const { context, page } = await trainToCheckpoint(app().browser, app().url, 'stopped one');
    await page.getByTestId('stop').click();
    await waitUntil(page, async () => (await jobState(page)) === 'done');
    const stopped = await runNamed(page, 'stopped one');
    expect(stopped.outcome.status).toBe('stopped');
    expect(await page.locator(`[data-run="${stopped.id}"]`).getByTestId('resume-run').count()).toBe(1);

    await page.getByTestId('reset').click();
    await page.evaluate(() => (window as unknown as Win).stepsize.config.set('name', 'full disk'));
    await page.evaluate(() => (window as unknown as Win).stepsize.faults.fillDisk(1));
    await page.getByTestId('train').click();
    await page.getByTestId('message').filter({ hasText: 'Browser storage was full' }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('message').textContent()).toMatch(/the checkpoint of "stopped one" was removed to make room for this run's \([\d.]+ KiB\); "stopped one" can no longer be resumed/);
    await waitUntil(page, async () => (await checkpointStep(page)) >= 8);
    await page.evaluate(() => (window as unknown as Win).stepsize.faults.fillDisk(1));
    await page.getByTestId('message').filter({ hasText: 'Browser storage is full' }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('message').textContent()).toMatch(/Browser storage is full: saving this run needs [\d.]+ KiB, and [\d.]+ \w+ of [\d.]+ \w+ is used\. Delete runs you no longer need \(the largest: ".+" \([\d.]+ KiB\).*\), or export them first/);
    await page.screenshot({ path: `${SHOTS}/storage-full.png`, fullPage: true });
    await waitUntil(page, async () => (await jobState(page)) === 'done');
    const after = await runNamed(page, 'stopped one');
    expect(after).toEqual(stopped);
    expect((await runNamed(page, 'full disk')).outcome.status).toBe('finished');
    expect(await page.getByTestId('storage').textContent()).toMatch(/storage: [\d.]+ \w+ of [\d.]+ \w+/);
    await context.close();
  });
});
