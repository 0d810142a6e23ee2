// The CLI's experiments on the tiny preset through SwiftShader: a sweep file (the product of its
// lists, rates scaled by the rule, summary.csv), a classroom scenario with its check, and the
// learning-rate range test's suggestions; a bad sweep block is one line naming the key.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRun } from '../../src/runs/schema';
import { buildCli, cli, ROOT, scratch } from './helpers';

const SW = ['--gpu', 'swiftshader'];
const BASE = join(ROOT, 'public/base/tiny.safetensors');

describe('stepsize CLI experiments', () => {
  const dir = scratch();

  beforeAll(async () => {
    await buildCli();
  });

  it('runs a sweep file: every run written, rates scaled by the rule, one summary.csv row per run', () => {
    writeFileSync(join(dir, 'sweep.yaml'), [
      'name: tiny sweep', 'model: tiny', `base_model: ${BASE}`, 'train_data: sotu', 'lora_rank: 4', 'batch_size: 2',
      'max_steps: 6', 'warmup_steps: 1', 'eval_interval: 3', 'eval_batches: 1', 'sample_interval: 0', 'sample_length: 4', 'output_dir: runs/sweep',
      'sweep:', '  learning_rate: [1.0e-3, 3.0e-2]', '  batch_size: [2, 8]', '  lr_scaling: linear', '  reference_batch_size: 2',
    ].join('\n'));
    const r = cli(dir, ['sweep', '--config', 'sweep.yaml', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^best: tiny sweep: /m);
    const runs = readdirSync(join(dir, 'runs/sweep')).filter((d) => existsSync(join(dir, 'runs/sweep', d, 'run.json'))).sort();
    expect(runs).toHaveLength(4);
    const recs = runs.map((d) => parseRun(JSON.parse(readFileSync(join(dir, 'runs/sweep', d, 'run.json'), 'utf8'))));
    expect(recs.map((x) => [x.config.batch_size, x.config.learning_rate])).toEqual([[2, 1e-3], [2, 3e-2], [8, 4e-3], [8, 0.12]]);
    for (const x of recs) expect(x.tags).toContain('sweep:tiny sweep');
    const csv = readFileSync(join(dir, 'runs/sweep/summary.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('run,learning_rate,batch_size,final_val_loss,best_val_loss,best_step,final_train_loss,diverged,status,steps,tokens');
    expect(csv).toHaveLength(5);
    expect(csv[3]).toMatch(/^tiny sweep: lr 0\.004 bs 8,0\.004,8,\d\.\d+,\d\.\d+,\d+,\d\.\d+,false,finished,6,3072$/);
  });

  it('folds a seed list into groups: groups.csv has a row per rate with 2 seeds, and the verdict is printed and kept in check.txt', () => {
    writeFileSync(join(dir, 'seeds.yaml'), [
      'name: seeds', 'model: tiny', `base_model: ${BASE}`, 'train_data: sotu', 'lora_rank: 4', 'batch_size: 2',
      'max_steps: 4', 'warmup_steps: 1', 'eval_interval: 2', 'eval_batches: 1', 'sample_interval: 0', 'output_dir: runs/seeds',
      'sweep:', '  learning_rate: [1.0e-3, 3.0e-2]', '  seed: [1, 2]',
    ].join('\n'));
    const r = cli(dir, ['sweep', '--config', 'seeds.yaml', '--target', '10', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const groups = readFileSync(join(dir, 'runs/seeds/groups.csv'), 'utf8').trim().split('\n');
    expect(groups[0]).toBe('learning_rate,seeds,final_val_mean,final_val_std,best_val_mean,best_val_std,best_step,tokens_to_target,reached_target,diverged');
    expect(groups.slice(1).map((l) => l.split(',').slice(0, 2))).toEqual([['0.001', '2'], ['0.03', '2']]);
    // Every run starts below a loss of 10, so each seed reached it at step 0 (0 tokens).
    for (const l of groups.slice(1)) expect(l.split(',').slice(7)).toEqual(['0', '2', '0']);
    const check = readFileSync(join(dir, 'runs/seeds/check.txt'), 'utf8').trim();
    expect(check).toMatch(/^Lowest mean final validation loss: lr 0\.0(01|3) \(\d\.\d{3} ± \d\.\d{3} over 2 seeds\); (lower than|higher than|within seed noise \(n = 2, ±\d\.\d{3}\) of) lr 0\.0(01|3) /);
    expect(r.stdout).toContain(check);
  });

  it('a sweep of 4 rates with together: 4 writes the same run directories as together: 1 (weights byte for byte, metrics.csv but for elapsed time)', () => {
    const yaml = (together: number) => [
      'name: packed', 'model: tiny', `base_model: ${BASE}`, 'train_data: sotu', 'lora_rank: 4', 'batch_size: 2', 'max_steps: 6', 'warmup_steps: 1',
      'eval_interval: 3', 'eval_batches: 1', 'sample_interval: 3', 'sample_length: 4', `output_dir: runs/together-${together}`,
      'sweep:', '  learning_rate: [1.0e-4, 1.0e-3, 1.0e-2, 5.0e-1]', `  together: ${together}`,
    ].join('\n');
    for (const k of [1, 4]) {
      writeFileSync(join(dir, `together-${k}.yaml`), yaml(k));
      const r = cli(dir, ['sweep', '--config', `together-${k}.yaml`, '--quiet', ...SW]);
      expect(r.stderr).not.toMatch(/Error/);
      expect(r.status).toBe(0);
      expect(r.stderr.match(/dispatches per step.*\n/g), `together: ${k}`).toHaveLength(k === 1 ? 4 : 1);
      if (k === 4) expect(r.stderr).toMatch(/dispatches per step for 4 runs side by side/);
    }
    const runDirs = (k: number) => readdirSync(join(dir, `runs/together-${k}`)).filter((d) => /^\d\d-/.test(d)).sort();
    expect(runDirs(4)).toEqual(runDirs(1));
    expect(runDirs(1)).toHaveLength(4);
    const noElapsed = (csv: string) => csv.trim().split('\n').map((l) => l.split(',').filter((_, i, a) => i !== a.length - 1).join(','));
    for (const d of runDirs(1)) {
      const [a, b] = [1, 4].map((k) => join(dir, `runs/together-${k}`, d));
      expect(readdirSync(b).sort(), d).toEqual(readdirSync(a).sort());
      expect(readFileSync(join(b, 'adapter_model.safetensors')).equals(readFileSync(join(a, 'adapter_model.safetensors'))), `${d}: adapter weights`).toBe(true);
      const [csvA, csvB] = [a, b].map((x) => readFileSync(join(x, 'metrics.csv'), 'utf8'));
      expect(csvA.split('\n')[0].split(',').at(-1)).toBe('elapsed_ms');
      expect(noElapsed(csvB), `${d}: metrics.csv`).toEqual(noElapsed(csvA));
      const [ra, rb] = [a, b].map((x) => parseRun(JSON.parse(readFileSync(join(x, 'run.json'), 'utf8'))));
      expect(rb.samples.map((s) => s.text), `${d}: samples`).toEqual(ra.samples.map((s) => s.text));
      expect(rb.evals.map((e) => e.val_loss), `${d}: evaluations`).toEqual(ra.evals.map((e) => e.val_loss));
      expect(rb.outcome.status).toBe(ra.outcome.status);
    }
    // The comparison is between different runs: the rates give different weights.
    const ds = runDirs(1).map((d) => readFileSync(join(dir, 'runs/together-1', d, 'adapter_model.safetensors')));
    expect(ds[0].equals(ds[2])).toBe(false);
    expect(readFileSync(join(dir, 'runs/together-4/summary.csv'), 'utf8')).toBe(readFileSync(join(dir, 'runs/together-1/summary.csv'), 'utf8').replaceAll('together-1', 'together-4'));
  });

  it('trains a sweep in 3 shards (--shard I/N) whose merge equals the unsharded sweep: summary.csv, groups.csv and check.txt', () => {
    // The unsharded reference is the seed sweep of the test above (runs/seeds, 4 runs).
    const whole = (f: string) => readFileSync(join(dir, 'runs/seeds', f), 'utf8');
    for (const i of [1, 2, 3]) {
      const r = cli(dir, ['sweep', '--config', 'seeds.yaml', '--shard', `${i}/3`, '--target', '10', '--quiet', ...SW]);
      expect(r.stderr).toMatch(new RegExp(`shard ${i} of 3, ${i === 1 ? 2 : 1} of 4 runs`));
      expect(r.status).toBe(0);
    }
    // Run directories keep their numbers in the whole plan: shard 1 has runs 1 and 4.
    expect(readdirSync(join(dir, 'runs/seeds/shard-1-of-3')).filter((d) => /^\d\d-/.test(d))).toEqual(['01-lr_0.001_seed_1', '04-lr_0.03_seed_2']);
    const m = cli(dir, ['merge', 'runs/seeds/shard-1-of-3', 'runs/seeds/shard-2-of-3', 'runs/seeds/shard-3-of-3', '--out', 'runs/merged', '--target', '10']);
    expect(m.stderr).toBe('');
    expect(m.status).toBe(0);
    expect(m.stdout).toMatch(/^merged 4 of the 4 runs of sweep "seeds"\n/);
    for (const f of ['summary.csv', 'groups.csv', 'check.txt']) expect(readFileSync(join(dir, 'runs/merged', f), 'utf8'), f).toBe(whole(f));
    // Two shards only: the merge says what is missing; a directory without runs is refused by name.
    expect(cli(dir, ['merge', 'runs/seeds/shard-1-of-3', 'runs/seeds/shard-2-of-3', '--out', 'runs/part']).stdout).toMatch(/^merged 3 of the 4 runs of sweep "seeds"; missing: lr 0\.03 seed 1\n/);
    mkdirSync(join(dir, 'empty'), { recursive: true });
    const bad = cli(dir, ['merge', 'empty', '--out', 'runs/none']);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('stepsize: merge: empty holds no run.json (looked 3 levels down)');
    expect(cli(dir, ['sweep', '--config', 'seeds.yaml', '--shard', '5/3', ...SW]).stderr.trim()).toBe('stepsize: --shard: "5/3" is not allowed; I/N with 1 ≤ I ≤ N ≤ 4 (the sweep\'s runs)');
  });

  it('refuses a bad sweep block in one line that names the key, and trains nothing', () => {
    writeFileSync(join(dir, 'bad.yaml'), `model: tiny\nbase_model: ${BASE}\noutput_dir: runs/bad\nsweep:\n  learning_rate: [0.001, -1]\n`);
    const r = cli(dir, ['sweep', '--config', 'bad.yaml', ...SW]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^stepsize: sweep\.learning_rate: \[0\.001,-1\] is not allowed; a non-empty list of numbers above 0/);
    expect(existsSync(join(dir, 'runs/bad'))).toBe(false);
  });

  it('runs classroom scenario 6 on the tiny model and prints its check', () => {
    const r = cli(dir, ['scenario', '6', '--steps-scale', '0.02', '--out', 'runs/s6', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/No GPU here: this scenario runs its CPU tier, the tiny model/);
    expect(r.stdout).toMatch(/Check: .*Batch 16 and 4 × 4 accumulation gave (the same|nearly the same) curve/);
    expect(readFileSync(join(dir, 'runs/s6/check.txt'), 'utf8')).toMatch(/^Scenario 6: Gradient accumulation/);
    const recs = ['01-bs_16', '02-bs_4_4_accumulation'].map((d) => parseRun(JSON.parse(readFileSync(join(dir, 'runs/s6', d, 'run.json'), 'utf8'))));
    expect(recs.map((x) => [x.config.batch_size, x.config.grad_accum_steps, x.config.max_steps])).toEqual([[16, 1, 4], [4, 4, 4]]);
    for (const x of recs) expect(x.tags).toEqual(['scenario:6']);
  });

  it('repeats a scenario with --seeds 2: every run twice, the check compares the settings over their seeds', () => {
    const r = cli(dir, ['scenario', '10', '--seeds', '2', '--steps-scale', '0.02', '--out', 'runs/s10', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const dirs = readdirSync(join(dir, 'runs/s10')).filter((d) => existsSync(join(dir, 'runs/s10', d, 'run.json'))).sort();
    expect(dirs).toHaveLength(4);
    const recs = dirs.map((d) => parseRun(JSON.parse(readFileSync(join(dir, 'runs/s10', d, 'run.json'), 'utf8'))));
    expect(recs.map((x) => x.config.seed)).toEqual([1, 2, 1, 2]);
    expect(recs[1].name).toBe('S10 Layer-wise learning rates: one rate · seed 2');
    const check = readFileSync(join(dir, 'runs/s10/check.txt'), 'utf8');
    expect(check).toMatch(/reached the lowest mean validation loss \(\d\.\d{3} ± \d\.\d{3} over 2 seeds at step \d+\)(, but .* within seed noise of it|, lower than every other beyond the seed noise)/);
    expect(check).toMatch(/In order of mean final validation loss: /);
    expect(readFileSync(join(dir, 'runs/s10/summary.csv'), 'utf8').split('\n')[0]).toBe('run,learning_rate,batch_size,lora_rank,seed,final_val_loss,best_val_loss,best_step,final_train_loss,diverged,status,steps,tokens');
    const bad = cli(dir, ['scenario', '10', '--seeds', '9', ...SW]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim()).toBe('stepsize: --seeds: 9 is not allowed; an integer from 1 to 8');
  });

  it('range test on LoRA from the tiny base (SOTU, batch 4, 200 steps) suggests a rate within 3× of the calibrated best (3e-3)', () => {
    writeFileSync(join(dir, 'range.yaml'), `model: tiny\nbase_model: ${BASE}\nlora_rank: 8\ntrain_data: sotu\nbatch_size: 4\noutput_dir: runs/lora\n`);
    const r = cli(dir, ['lr-range', '--config', 'range.yaml', '--steps', '200', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    process.stdout.write(r.stdout);
    const m = /suggested learning_rate: (\d\.\de-\d+)/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const lr = Number(m![1]);
    expect(lr).toBeGreaterThan(3e-3 / 3);
    expect(lr).toBeLessThan(3e-3 * 3);
    // Every rule prints a rate or why the curve gives none; none suggests a rate below 1e-6.
    expect(r.stdout).toMatch(/steepest descent: (\d\.\de-\d+|no rate \(.+\))/);
    expect(r.stdout).toMatch(/minimum \S+ \/ 10: (\d\.\de-\d+|no rate \(.+\))/);
    const rec = parseRun(JSON.parse(readFileSync(join(dir, 'runs/lora-lr-range/run.json'), 'utf8')));
    expect(rec.metrics.lr[0]).toBeCloseTo(1e-7, 12);
    expect(rec.tags).toContain('lr-range');
  }, 900_000);

  it('lists the scenarios', () => {
    const r = cli(dir, ['scenario', '--list']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(10);
  });
});
