// The scenarios' CPU tier, run whole on SwiftShader as a class without a GPU would: scenario 1 (the
// learning rate) and scenario 6 (gradient accumulation), from the shipped tiny base at the tier's own
// step counts. Each check must show the scenario's point and order the runs as PyTorch did for the
// same configs (src/experiments/scenario-tiny.ts). The other eight run the same way with
// `npm run cli -- scenario N --gpu swiftshader` (README: the CPU tier); they take 3 to 8 minutes each.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, cli, scratch } from './helpers';

const SW = ['--gpu', 'swiftshader'];
const MINUTES = 60_000;

describe('scenarios on the CPU tier', () => {
  const dir = scratch();

  beforeAll(async () => {
    await buildCli();
  });

  it('scenario 1: too low a rate does nothing, too high breaks the model, 3e-3 wins, in PyTorch\'s order', () => {
    const r = cli(dir, ['scenario', '1', '--out', 'runs/s1', '--quiet', ...SW], 20 * MINUTES);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const check = readFileSync(join(dir, 'runs/s1/check.txt'), 'utf8');
    process.stdout.write(`${check}\n`);
    expect(check).toMatch(/LoRA 1e-1 (ended above its starting loss|diverged)/);
    expect(check).toMatch(/LoRA 1e-5( and LoRA 2e-4)? barely moved/);
    expect(check).toMatch(/LoRA 3e-3 reached the lowest validation loss/);
    expect(check).toMatch(/the same order as PyTorch on all 6 pairs it separates by more than 0\.005/);
  }, 25 * MINUTES);

  it('scenario 6: batch 16 and 4 × 4 accumulation give the same curve, as in PyTorch', () => {
    const r = cli(dir, ['scenario', '6', '--out', 'runs/s6', '--quiet', ...SW], 15 * MINUTES);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const check = readFileSync(join(dir, 'runs/s6/check.txt'), 'utf8');
    process.stdout.write(`${check}\n`);
    expect(check).toMatch(/Batch 16 and 4 × 4 accumulation gave the same curve: validation losses differ by at most \d\.\de-[4-9]/);
    expect(check).toMatch(/PyTorch separates no pair by more than 0\.005/);
  }, 20 * MINUTES);
});
