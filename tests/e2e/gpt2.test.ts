// A GPT-2 checkpoint in the page (headless chromium, SwiftShader): the project's fixture in Hugging
// Face's layout (tests/fixtures/gpt2.ts) chosen as three files, checked and kept in the browser's
// storage as the base (its shape from config.json, its BPE tokenizer); a few LoRA steps on it from the
// State of the Union; a sample decoded by its tokenizer shows on the page; the run's adapter is named
// as PEFT names GPT-2's; a new page offers the kept base. A folder without tokenizer.json is refused,
// naming the file; the same files fetched from an address (the hub, stood in for by Playwright) load too.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/runs/schema';
import type { Workbench } from '../../src/ui/state/workbench';
import { scratch } from '../cli/helpers';
import { GPT2_FIXTURE, writeGpt2Fixture } from '../fixtures/gpt2';
import { SHOTS, useApp } from './helpers/browser';

const CONFIG: Record<string, string> = {
  name: 'gpt2 in the page', train_data: 'sotu', lora_rank: '4', lora_alpha: '8', batch_size: '2', block_size: '16', max_steps: '4',
  learning_rate: '0.003', warmup_steps: '0', eval_interval: '2', eval_batches: '1', sample_interval: '0', sample_length: '12', sample_prompt: 'The people',
};

type Win = Window & { stepsize: Workbench };

async function waitUntil(page: Page, what: () => Promise<boolean>, ms = 240_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out');
    await page.waitForTimeout(100);
  }
}

describe('GPT-2 in the page', () => {
  const app = useApp();
  const dir = scratch();
  const fx = writeGpt2Fixture(join(dir, 'gpt2-fixture'));

  it('loads the fixture from its files, trains LoRA a few steps and shows a sample', async () => {
    const context = await app().browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('[page error]', e.message));
    await page.goto(`${app().url}?${new URLSearchParams(CONFIG)}`);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });

    // Two files only: refused, naming the missing one; the base stays as it was.
    const before = await page.evaluate(() => (window as unknown as Win).stepsize.config.values.base_model);
    await page.getByTestId('gpt2-files').setInputFiles([join(fx, 'config.json'), join(fx, 'model.safetensors')]);
    await page.getByText(/base_model: tokenizer\.json is missing/).waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as Win).stepsize.config.values.base_model)).toBe(before);

    await page.getByTestId('gpt2-files').setInputFiles(['config.json', 'model.safetensors', 'tokenizer.json'].map((f) => join(fx, f)));
    await page.getByText(/is the base: GPT-2 \(vocabulary 321, d_model 64, 2 layers, 2 heads, context 64\)/).waitFor({ timeout: 60_000 });
    const values = await page.evaluate(() => (window as unknown as Win).stepsize.config.values);
    expect(values.base_model).toMatch(/^browser:gpt2:/);
    expect(values.model).toEqual({ d_model: GPT2_FIXTURE.dModel, n_layer: GPT2_FIXTURE.nLayer, n_head: GPT2_FIXTURE.nHead, context: GPT2_FIXTURE.context });
    // Every linear module, now by GPT-2's names, as the checkboxes show them.
    expect(values.lora_targets).toEqual(['c_attn', 'c_proj', 'c_fc']);
    expect(await page.getByTestId('target-c_attn').isChecked()).toBe(true);

    await page.getByTestId('train').click();
    await waitUntil(page, async () => (await page.evaluate(() => (window as unknown as Win).stepsize.job.state)) === 'done');
    await page.getByTestId('sample').first().waitFor();
    const sample = await page.getByTestId('sample').first().innerText();
    expect(sample).toContain('The people');
    await page.screenshot({ path: `${SHOTS}/gpt2-page.png`, fullPage: true });

    await page.evaluate(() => (window as unknown as Win).stepsize.refreshRuns());
    const run = (await page.evaluate((n) => (window as unknown as Win).stepsize.runs.find((r) => r.name === n), CONFIG.name)) as RunRecord;
    expect(run.outcome.status).toBe('finished');
    expect(run.metrics.step).toHaveLength(4);
    expect(run.evals.map((e) => e.step)).toEqual([0, 2, 4]);
    for (const e of run.evals) expect(e.val_bpb!).toBeGreaterThan(0);
    expect(run.samples[0].text.length).toBeGreaterThan(0);
    const adapter = await page.evaluate(async (id) => {
      const files = await (window as unknown as Win).stepsize.weightFiles(id, 'r');
      const cfg = files.find((f) => f.name.endsWith('adapter_config.json'));
      return cfg ? JSON.parse(new TextDecoder().decode(cfg.data as Uint8Array)) : null;
    }, run.id);
    expect(adapter).toMatchObject({ target_modules: ['c_attn', 'c_proj', 'c_fc'], fan_in_fan_out: true, r: 4 });
    await page.close();

    // Kept in the browser: a new page of the same profile offers it as a base.
    const again = await context.newPage();
    await again.goto(`${app().url}?${new URLSearchParams(CONFIG)}`);
    await again.getByTestId('selftest').waitFor({ timeout: 120_000 });
    await again.evaluate(() => (window as unknown as Win).stepsize.config.apply({ model: { d_model: 64, n_layer: 2, n_head: 2, context: 64 } }));
    expect(await again.getByTestId('input-base_model').locator('option').allInnerTexts()).toContainEqual(expect.stringMatching(/^GPT-2 stepsize-gpt2-fixture \(vocabulary 321, kept in this browser\)$/));
    await context.close();
  });

  it('fetches the three files from an address (as from the hub), and names a file the address does not serve', async () => {
    const page = await app().browser.newPage();
    const hub = 'https://hub.example/stepsize/gpt2-fixture/resolve/main';
    await page.route(`${hub}/**`, (route) => route.fulfill({ path: join(fx, route.request().url().split('/').pop()!), headers: { 'access-control-allow-origin': '*' } }));
    await page.route('https://hub.example/broken/**', (route) => route.fulfill({ status: 404, headers: { 'access-control-allow-origin': '*' } }));
    await page.goto(`${app().url}?${new URLSearchParams({ ...CONFIG, name: 'fetched' })}`);
    await page.getByTestId('selftest').waitFor({ timeout: 120_000 });
    await page.getByTestId('gpt2-address').fill('https://hub.example/broken/resolve/main');
    await page.getByTestId('gpt2-fetch').click();
    await page.getByText(/base_model: https:\/\/hub\.example\/broken\/resolve\/main\/(config|model|tokenizer)\.(json|safetensors) could not be fetched \(HTTP 404\)/).waitFor({ timeout: 60_000 });
    await page.getByTestId('gpt2-address').fill(`${hub}/`);
    await page.getByTestId('gpt2-fetch').click();
    await page.getByText(/is the base: GPT-2 \(vocabulary 321/).waitFor({ timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as Win).stepsize.config.values.base_model)).toMatch(/^browser:gpt2:/);
    await page.close();
  });
});
