// The first-ten-minutes configs train as written: only model, train_data and max_steps, with
// 15 steps (fewer than the old warmup default) and no base (LoRA's rank falls back to 0); and the
// progress line reads ETA '–' before the first step, never cli-progress's 'NF'.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRun } from '../../src/runs/schema';
import { buildCli, cli, scratch } from './helpers';

describe('defaults that never refuse a valid choice', () => {
  const dir = scratch();

  beforeAll(async () => {
    await buildCli();
  });

  it('trains `model: tiny, train_data: moby-dick, max_steps: 15` from scratch', () => {
    writeFileSync(join(dir, 'short.yaml'), 'model: tiny\ntrain_data: moby-dick\nmax_steps: 15\noutput_dir: runs/short\n');
    const r = cli(dir, ['train', '--config', 'short.yaml', '--gpu', 'swiftshader']);
    expect(r.stderr).not.toMatch(/not allowed|Error/);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/ETA NF/);
    expect(r.stderr).toMatch(/ETA –/);
    const rec = parseRun(JSON.parse(readFileSync(join(dir, 'runs/short/run.json'), 'utf8')));
    expect([rec.outcome.status, rec.outcome.step, rec.config.lora_rank, rec.config.warmup_steps]).toEqual(['finished', 15, 0, null]);
    // Automatic warmup: 10% of 15 steps is 1 step, so the second step is already at the peak.
    expect(rec.metrics.lr[1]).toBeCloseTo(rec.config.learning_rate, 8); // the GPU keeps rates in float32
  });
});
