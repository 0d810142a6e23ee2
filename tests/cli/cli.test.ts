// The command line end to end on the tiny preset through SwiftShader: pretrain from scratch, the
// issue's example LoRA config exactly as written, full fine-tuning, bit-for-bit repeat runs, eval,
// sample, bench, and one-line errors that leave nothing behind.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRun } from '../../src/runs/schema';
import { buildCli, cli, ROOT, scratch } from './helpers';

const SW = ['--gpu', 'swiftshader'];

function run(dir: string, name: string) {
  return parseRun(JSON.parse(readFileSync(join(dir, 'runs', name, 'run.json'), 'utf8')));
}

function lossColumn(dir: string, name: string): string[] {
  return readFileSync(join(dir, 'runs', name, 'metrics.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2]);
}

describe('stepsize CLI', () => {
  const dir = scratch();

  beforeAll(async () => {
    await buildCli();
  });

  it('pretrains the tiny model from scratch: loss falls; run.json, metrics.csv and model.safetensors are written', () => {
    const r = cli(dir, ['train', '--config', join(ROOT, 'configs/pretrain-tiny.yaml'), '--set', 'max_steps=40', '--set', 'eval_interval=20', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^finished at step 40: train loss [\d.]+, val loss [\d.]+/);
    for (const f of ['model.safetensors', 'metrics.csv', 'run.json']) expect(existsSync(join(dir, 'runs/base', f))).toBe(true);
    const rec = run(dir, 'base');
    expect(rec.environment.adapter.software).toBe(true);
    expect(rec.evals[0].step).toBe(0);
    expect(rec.evals.at(-1)!.val_loss!).toBeLessThan(rec.evals[0].val_loss! - 1.5);
    const csv = readFileSync(join(dir, 'runs/base/metrics.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('step,tokens,loss,lr,grad_norm,clip,update_ratio,elapsed_ms');
    expect(csv.filter(Boolean)).toHaveLength(41);
  });

  it('runs the example LoRA config exactly as written: adapter in PEFT layout, validation loss below its start', () => {
    const r = cli(dir, ['train', '--config', join(ROOT, 'configs/sotu-lora.yaml'), '--quiet', ...SW]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^finished at step 200/);
    const out = join(dir, 'runs/sotu-lora');
    const cfg = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q', 'v', 'fc'], use_rslora: false, base_model_name_or_path: 'runs/base/model.safetensors' });
    expect(existsSync(join(out, 'adapter_model.safetensors'))).toBe(true);
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
    const rec = run(dir, 'sotu-lora');
    expect(rec.metrics.step).toHaveLength(200);
    expect(rec.evals.map((e) => e.step)).toEqual([0, 50, 100, 150, 200]);
    expect(rec.evals.at(-1)!.val_loss!).toBeLessThan(rec.evals[0].val_loss!);
    expect(rec.samples.map((s) => s.step)).toEqual([100, 200]);
    expect(rec.environment.params_trainable).toBe(2 * (8 * 64 + 64 * 8) * 2 + 2 * (8 * 64 + 256 * 8));
  });

  it('full fine-tunes the base and gives the same losses bit for bit on a second run', () => {
    const cfg = join(dir, 'full.yaml');
    writeFileSync(cfg, 'model: tiny\nbase_model: runs/base/model.safetensors\ntrain_data: sotu\nlora_rank: 0\nbatch_size: 4\nmax_steps: 12\nlearning_rate: 1.0e-3\nwarmup_steps: 2\neval_interval: 6\neval_batches: 2\nsample_interval: 0\nsample_length: 16\noutput_dir: runs/full-a\n');
    expect(cli(dir, ['train', '--config', cfg, '--quiet', ...SW]).status).toBe(0);
    expect(cli(dir, ['train', '--config', cfg, '--quiet', '--set', 'output_dir=runs/full-b', ...SW]).status).toBe(0);
    expect(existsSync(join(dir, 'runs/full-a/model.safetensors'))).toBe(true);
    const a = lossColumn(dir, 'full-a');
    expect(a).toHaveLength(12);
    expect(lossColumn(dir, 'full-b')).toEqual(a);
    const rec = run(dir, 'full-a');
    expect(rec.evals.at(-1)!.val_loss!).toBeLessThan(rec.evals[0].val_loss!);
    expect(rec.environment.params_trainable).toBe(rec.environment.params_total);
  });

  it('evaluates a text under the base and the adapter, and samples', () => {
    const text = join(dir, 'text.txt');
    writeFileSync(text, 'It was the best of times, it was the worst of times. '.repeat(5));
    const base = cli(dir, ['eval', '--model', 'runs/base/model.safetensors', '--text', text, ...SW]);
    expect(base.status).toBe(0);
    const b = JSON.parse(base.stdout);
    expect(b.tokens).toBe(264);
    expect(b.loss).toBeGreaterThan(0.5);
    expect(b.loss).toBeLessThan(5.6);
    const adapted = JSON.parse(cli(dir, ['eval', '--model', 'runs/base/model.safetensors', '--adapter', 'runs/sotu-lora', '--text', text, ...SW]).stdout);
    expect(adapted.tokens).toBe(264);
    expect(adapted.loss).not.toBe(b.loss);
    const s = cli(dir, ['sample', '--model', 'runs/base/model.safetensors', '--adapter', 'runs/sotu-lora', '--prompt', 'The ', '--length', '20', ...SW]);
    expect(s.status).toBe(0);
    expect(s.stdout.startsWith('The ')).toBe(true);
    expect(Buffer.byteLength(s.stdout) - 5).toBeGreaterThanOrEqual(10);
  });

  it('benchmarks a step: one JSON line per workload and mode; --profile adds the kernel tables and the LoRA / full matmul ratio', () => {
    const r = cli(dir, ['bench', '--workload', 'tiny', '--mode', 'full,lora', '--steps', '1', '--profile', ...SW]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.mode)).toEqual(['full', 'lora']);
    for (const l of lines) {
      expect(l).toMatchObject({ workload: 'tiny', submits_per_step: 1 });
      for (const k of ['step_ms', 'tokens_per_s', 'dispatches_per_step', 'matmul_ms']) expect(l[k]).toBeGreaterThan(0);
      expect(l.adapter).toMatch(/SwiftShader/);
    }
    expect(r.stderr).toMatch(/per-kernel GPU time, one tiny full step of 1 run\(s\)/);
    expect(r.stderr).toMatch(/^  matmul\.thread\[[a-z_+]+\] +[\d.]+ ms/m);
    const ratio = /matmul GPU time, tiny lora \/ full: ([\d.]+) \((\d+) ms \/ (\d+) ms; the two profiled in turn, each dispatch's median of 7 rounds\)/.exec(r.stderr);
    expect(ratio, r.stderr).not.toBeNull();
    expect(Number(ratio![1])).toBeGreaterThan(0.3);
    expect(Number(ratio![1])).toBeLessThan(1.2);
  });

  it('benchmarks packed runs: one line per run count, the same dispatches per step, more memory; a bad count is refused', () => {
    const r = cli(dir, ['bench', '--workload', 'tiny', '--mode', 'lora', '--steps', '1', '--batch', '2', '--runs', '1,3', ...SW]);
    expect(r.status).toBe(0);
    const [one, three] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect([one.runs, three.runs]).toEqual([1, 3]);
    expect(three.dispatches_per_step).toBe(one.dispatches_per_step);
    expect(three.gpu_bytes).toBeGreaterThan(2 * one.gpu_bytes);
    const bad = cli(dir, ['bench', '--workload', 'tiny', '--runs', '1,0', ...SW]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--runs: "0" is not allowed; positive integers/);
    const warm = cli(dir, ['bench', '--workload', 'tiny', '--warmup', '-1', ...SW]);
    expect(warm.status).not.toBe(0);
    expect(warm.stderr).toMatch(/--warmup: -1 is not allowed; an integer ≥ 0/);
    const unknown = cli(dir, ['bench', '--workload', 'gpt3', ...SW]);
    expect(unknown.stderr).toMatch(/--workload: "gpt3" is not allowed; one of tiny, classroom, nanogpt, gpt2/);
  });

  it.each([
    ['an unknown key', 'lr: 0.1\n', /^stepsize: lr: 0\.1 is not allowed; unknown key \(did you mean learning_rate\?\)/],
    ['a negative rate', 'learning_rate: -1\n', /^stepsize: learning_rate: -1 is not allowed/],
    ['an unknown target module', 'lora_targets: [q, attn]\n', /^stepsize: lora_targets: \["q","attn"\] is not allowed/],
    ['a missing text file', 'train_data: nothing-here.txt\nlora_rank: 0\n', /^stepsize: train_data: "nothing-here\.txt" is not allowed; a path to an existing UTF-8 text file/],
    ['an empty text file', 'train_data: empty.txt\nlora_rank: 0\n', /^stepsize: train_data: "empty\.txt" is not allowed; a non-empty UTF-8 text file/],
    ['a missing base model', 'base_model: nope.safetensors\n', /^stepsize: base_model: "nope\.safetensors" is not allowed/],
    ['LoRA without a base model', 'lora_rank: 4\nmodel: tiny\n', /^stepsize: lora_rank: 4 is not allowed; 0 when there is no base_model/],
  ])('refuses %s with one line and writes nothing', (_what, yaml, message) => {
    writeFileSync(join(dir, 'empty.txt'), '');
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, `${yaml}output_dir: runs/bad\nmax_steps: 3\nwarmup_steps: 1\n`);
    const r = cli(dir, ['train', '--config', cfg, ...SW]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n').filter((l) => l.startsWith('stepsize:'))).toHaveLength(1);
    expect(r.stderr.split('\n').find((l) => l.startsWith('stepsize:'))).toMatch(message);
    expect(existsSync(join(dir, 'runs/bad'))).toBe(false);
  });
});
