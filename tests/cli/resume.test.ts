// Nothing lost, from the command line, on SwiftShader: runs killed (SIGKILL) at random moments and
// resumed each time end bit for bit as runs never interrupted (weights, metrics.csv, run.json series
// but elapsed time), from scratch and with LoRA; Ctrl-C and SIGTERM stop with a checkpoint and exit
// 130 and 143; a second Ctrl-C quits at once; a damaged checkpoint, other data, another base, another
// config or a finished run are refused and DIR is left as it was; sweeps and scenarios resume.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/rng';
import { loadCorpus } from '../../src/node/corpora';
import { decodeSafetensors } from '../../src/runs/safetensors';
import { parseRun, type RunRecord } from '../../src/runs/schema';
import { buildCli, cli, ROOT, scratch, snapshot, spawnCli } from './helpers';

const SW = ['--gpu', 'swiftshader'];
const BASE = join(ROOT, 'public/base/tiny.safetensors');

const SMALL = [
  'model: { d_model: 32, n_layer: 1, n_head: 2, context: 16 }', 'train_data: text.txt', 'lora_rank: 0', 'batch_size: 4',
  'max_steps: 60', 'learning_rate: 3.0e-3', 'warmup_steps: 3', 'eval_interval: 10', 'eval_batches: 2', 'sample_interval: 25',
  'sample_length: 8', 'metrics_interval: 4',
];
const LORA = [
  'model: tiny', `base_model: ${BASE}`, 'train_data: sotu', 'lora_rank: 4', 'lora_targets: [q, v, fc]', 'batch_size: 2',
  'max_steps: 24', 'learning_rate: 3.0e-3', 'warmup_steps: 2', 'eval_interval: 8', 'eval_batches: 1', 'sample_interval: 12',
  'sample_length: 8', 'metrics_interval: 3',
];

function record(dir: string): RunRecord {
  return parseRun(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')));
}

/** What must be bit-identical between a resumed run and one never interrupted: all but elapsed time. */
function comparable(dir: string) {
  const r = record(dir);
  const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n').map((l) => l.split(',').slice(0, 7).join(','));
  const { elapsed_ms: _m, ...metrics } = r.metrics;
  const { elapsed_ms: _o, ...outcome } = r.outcome;
  return { csv, metrics, tensors: r.tensors, evals: r.evals.map(({ elapsed_ms: _e, ...e }) => e), samples: r.samples, outcome };
}

function weights(dir: string): Record<string, Buffer> {
  const file = existsSync(join(dir, 'model.safetensors')) ? 'model.safetensors' : 'adapter_model.safetensors';
  const f = decodeSafetensors(new Uint8Array(readFileSync(join(dir, file))));
  return Object.fromEntries(f.tensors.map((t) => [t.name, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)]));
}

function expectSameRun(resumed: string, reference: string): void {
  expect(comparable(resumed)).toEqual(comparable(reference));
  const a = weights(resumed);
  const b = weights(reference);
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const k of Object.keys(b)) expect(a[k].equals(b[k]), k).toBe(true);
}

const steps = (dir: string) => (existsSync(join(dir, 'metrics.csv')) ? readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n').length - 1 : 0);

async function waitFor(cond: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('stepsize CLI: checkpoints and resume', () => {
  const dir = scratch();

  beforeAll(async () => {
    await buildCli();
    writeFileSync(join(dir, 'text.txt'), loadCorpus('moby-dick').subarray(0, 40_000));
    writeFileSync(join(dir, 'small.yaml'), [...SMALL, 'checkpoint_interval: 2', 'output_dir: runs/small-ref'].join('\n'));
    // The SIGKILL run: 300 steps, so that six kills, each up to 400 ms after visible progress (every
    // metrics_interval, 4 steps), come before it can end on its own even on an idle box (at 150,
    // a fast box could get near the end).
    writeFileSync(join(dir, 'long.yaml'), [...SMALL.map((l) => (l === 'max_steps: 60' ? 'max_steps: 300' : l)), 'checkpoint_interval: 2', 'output_dir: runs/long-ref'].join('\n'));
    writeFileSync(join(dir, 'lora.yaml'), [...LORA, 'checkpoint_interval: 1', 'output_dir: runs/lora-ref'].join('\n'));
    // The LoRA SIGKILL run: 96 steps. Each resume shows progress only every metrics_interval (3)
    // steps and a kill can come 400 ms later, so 24 steps could end (on an idle box) before six kills.
    writeFileSync(join(dir, 'lora-long.yaml'), [...LORA.map((l) => (l === 'max_steps: 24' ? 'max_steps: 96' : l)), 'checkpoint_interval: 1', 'output_dir: runs/lora-long-ref'].join('\n'));
    for (const c of ['small.yaml', 'long.yaml', 'lora.yaml', 'lora-long.yaml']) expect(cli(dir, ['train', '--config', c, '--quiet', ...SW]).status).toBe(0);
  });

  it.each([
    ['from scratch, a checkpoint every 2 steps', 'long.yaml', 'runs/long-ref', 6],
    ['LoRA on the tiny base, a checkpoint every step', 'lora-long.yaml', 'runs/lora-long-ref', 6],
  ])('SIGKILL at random moments, resumed each time, ends bit-identical to the run never interrupted (%s)', async (_what, config, reference, kills) => {
    const out = `runs/killed-${config}`;
    const rng = new Rng(config.length * 7919);
    let resumed = 0;
    let killed = 0;
    for (let attempt = 0; attempt < 40; attempt++) {
      const hasCheckpoint = existsSync(join(dir, out, 'checkpoint')) && readdirSync(join(dir, out, 'checkpoint')).some((n) => n.startsWith('step-'));
      const args = hasCheckpoint ? ['train', '--resume', out] : ['train', '--config', config, '--set', `output_dir=${out}`];
      const p = spawnCli(dir, [...args, '--quiet', ...SW]);
      if (hasCheckpoint) resumed++;
      if (killed < kills) {
        // A random moment after the process is training: anywhere in a step, an evaluation, a
        // sample, or a checkpoint being written.
        const before = steps(join(dir, out));
        await waitFor(() => steps(join(dir, out)) > before || p.child.exitCode !== null);
        await new Promise((r) => setTimeout(r, rng.int(400)));
        if (p.child.exitCode === null && p.child.kill('SIGKILL')) killed++;
      }
      const r = await p.done;
      if (r.status === 0) break;
      expect(r.signal).toBe('SIGKILL');
    }
    expect(killed).toBe(kills);
    expect(resumed).toBeGreaterThanOrEqual(kills);
    expect(record(join(dir, out)).resumes.length).toBeGreaterThanOrEqual(1);
    expectSameRun(join(dir, out), join(dir, reference));
    console.log(`kill points: ${killed}, resumed ${resumed} times, bit-identical: yes (${config})`);
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s stops with a checkpoint and run.json (stopped), exits %i, and the resumed run ends bit-identical', async (signal, code) => {
    const out = `runs/${signal}`;
    // No periodic checkpoints: the one to resume from is the one the signal wrote.
    const p = spawnCli(dir, ['train', '--config', 'small.yaml', '--set', `output_dir=${out}`, '--set', 'checkpoint_interval=0', '--quiet', ...SW]);
    await waitFor(() => steps(join(dir, out)) >= 8);
    p.child.kill(signal);
    const r = await p.done;
    expect(r.status).toBe(code);
    const stopped = record(join(dir, out));
    expect(stopped.outcome.status).toBe('stopped');
    expect(stopped.outcome.step).toBeLessThan(60);
    expect(readdirSync(join(dir, out, 'checkpoint'))).toEqual([`step-${String(stopped.outcome.step).padStart(8, '0')}`]);
    const again = cli(dir, ['train', '--resume', out, '--quiet', ...SW]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^finished at step 60/);
    expectSameRun(join(dir, out), join(dir, 'runs/small-ref'));
  });

  it('a second Ctrl-C quits at once', async () => {
    const out = 'runs/twice';
    // A long final sample after the stop leaves time for the second Ctrl-C to land.
    const p = spawnCli(dir, ['train', '--config', 'small.yaml', '--set', `output_dir=${out}`, '--set', 'sample_interval=0', '--set', 'sample_length=4096', '--set', 'checkpoint_interval=0', '--quiet', ...SW]);
    await waitFor(() => steps(join(dir, out)) >= 4);
    p.child.kill('SIGINT');
    await waitFor(() => existsSync(join(dir, out, 'checkpoint')) && readdirSync(join(dir, out, 'checkpoint')).some((n) => n.startsWith('step-')));
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(/SIGINT again: quitting at once/);
    // It quit inside the end-of-run sample: the weights that come after it were never written.
    expect(existsSync(join(dir, out, 'model.safetensors'))).toBe(false);
  });

  it('refuses a damaged checkpoint and leaves DIR as it was', () => {
    const out = 'runs/damaged';
    expect(cli(dir, ['train', '--config', 'small.yaml', '--set', `output_dir=${out}`, '--set', 'max_steps=60', '--quiet', ...SW]).status).toBe(0);
    // Make it resumable (as if interrupted), then damage one byte of its tensors.
    const run = JSON.parse(readFileSync(join(dir, out, 'run.json'), 'utf8'));
    run.outcome.status = 'interrupted';
    writeFileSync(join(dir, out, 'run.json'), JSON.stringify(run));
    const ck = join(dir, out, 'checkpoint', readdirSync(join(dir, out, 'checkpoint'))[0]);
    const t = readFileSync(join(ck, 'tensors.safetensors'));
    t[t.length - 5] ^= 0x10;
    writeFileSync(join(ck, 'tensors.safetensors'), t);
    const before = snapshot(join(dir, out));
    const r = cli(dir, ['train', '--resume', out, ...SW]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^stepsize: .*tensors\.safetensors: checksum \w+ does not match the one state\.json records .*damaged/m);
    expect(snapshot(join(dir, out))).toEqual(before);
    // A state file cut short is refused too.
    writeFileSync(join(ck, 'state.json'), readFileSync(join(ck, 'state.json'), 'utf8').slice(0, 500));
    const cut = snapshot(join(dir, out));
    const r2 = cli(dir, ['train', '--resume', out, ...SW]);
    expect(r2.status).toBe(1);
    expect(r2.stderr).toMatch(/^stepsize: .*state\.json: is not JSON .*cut short/m);
    expect(snapshot(join(dir, out))).toEqual(cut);
  });

  it.each([
    ['no checkpoint', (out: string) => rmSync(join(dir, out, 'checkpoint'), { recursive: true }), [] as string[], /has no checkpoint/],
    ['another config', () => {}, ['--set', 'learning_rate=0.01'], /^stepsize: learning_rate: 0\.01 is not allowed; 0\.003, as when the run started/m],
    ['another --config file', () => writeFileSync(join(dir, 'other.yaml'), SMALL.map((l) => (l === 'batch_size: 4' ? 'batch_size: 8' : l === 'max_steps: 60' ? 'max_steps: 8' : l)).join('\n')), ['--config', 'other.yaml'], /^stepsize: batch_size: 8 is not allowed; 4, as when the run started/m],
    ['other training text', () => writeFileSync(join(dir, 'text.txt'), `${readFileSync(join(dir, 'text.txt'), 'utf8')}!`), [], /^stepsize: train_data: "text\.txt" is not allowed; the same text the run started with/m],
  ])('refuses to resume with %s and changes nothing', (_what, prepare, extra, message) => {
    const out = 'runs/refuse';
    rmSync(join(dir, out), { recursive: true, force: true });
    const original = readFileSync(join(dir, 'text.txt'));
    const p = cli(dir, ['train', '--config', 'small.yaml', '--set', `output_dir=${out}`, '--set', 'max_steps=8', '--set', 'checkpoint_interval=4', '--quiet', ...SW]);
    expect(p.status).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, out, 'run.json'), 'utf8'));
    run.outcome.status = 'stopped';
    writeFileSync(join(dir, out, 'run.json'), JSON.stringify(run));
    prepare(out);
    try {
      const before = snapshot(join(dir, out));
      const r = cli(dir, ['train', '--resume', out, ...extra, ...SW]);
      expect(r.status).toBe(1);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('stepsize:'))).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(snapshot(join(dir, out))).toEqual(before);
    } finally {
      writeFileSync(join(dir, 'text.txt'), original);
    }
  });

  it('refuses to resume with another base model, and a run that finished', () => {
    const bad = join(dir, 'base-copy.safetensors');
    const f = readFileSync(BASE);
    f[f.length - 3] ^= 0x01;
    writeFileSync(bad, f);
    const out = 'runs/lora-base';
    expect(cli(dir, ['train', '--config', 'lora.yaml', '--set', `output_dir=${out}`, '--set', `base_model=${bad}`, '--set', 'max_steps=4', '--quiet', ...SW]).status).toBe(0);
    const finished = snapshot(join(dir, out));
    const done = cli(dir, ['train', '--resume', out, ...SW]);
    expect(done.status).toBe(1);
    expect(done.stderr).toMatch(/^stepsize: runs\/lora-base: the run has already ended \(finished in /m);
    expect(snapshot(join(dir, out))).toEqual(finished);
    const run = JSON.parse(readFileSync(join(dir, out, 'run.json'), 'utf8'));
    run.outcome.status = 'interrupted';
    writeFileSync(join(dir, out, 'run.json'), JSON.stringify(run));
    f[f.length - 3] ^= 0x03;
    writeFileSync(bad, f);
    const before = snapshot(join(dir, out));
    const r = cli(dir, ['train', '--resume', out, ...SW]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^stepsize: base_model: ".*base-copy\.safetensors" is not allowed; the same base model the run started from/m);
    expect(snapshot(join(dir, out))).toEqual(before);
  });

  it('a sweep stopped part-way resumes: ended runs kept, the stopped one resumed, the rest trained; the same results', async () => {
    const sweep = (out: string) => [
      'name: resume sweep', 'model: tiny', `base_model: ${BASE}`, 'train_data: sotu', 'lora_rank: 4', 'batch_size: 2', 'max_steps: 12',
      'warmup_steps: 1', 'eval_interval: 6', 'eval_batches: 1', 'sample_interval: 0', 'sample_length: 4', 'checkpoint_interval: 3',
      `output_dir: ${out}`, 'sweep:', '  learning_rate: [1.0e-3, 3.0e-3, 1.0e-2]',
    ].join('\n');
    writeFileSync(join(dir, 'sweep-ref.yaml'), sweep('runs/sweep-ref'));
    writeFileSync(join(dir, 'sweep-cut.yaml'), sweep('runs/sweep-cut'));
    expect(cli(dir, ['sweep', '--config', 'sweep-ref.yaml', '--quiet', ...SW]).status).toBe(0);
    // One run after another (runs trained side by side stop together: the next test).
    const p = spawnCli(dir, ['sweep', '--config', 'sweep-cut.yaml', '--together', '1', '--quiet', ...SW]);
    const second = join(dir, 'runs/sweep-cut/02-lr_0.003');
    await waitFor(() => steps(second) >= 4);
    p.child.kill('SIGINT');
    expect((await p.done).status).toBe(130);
    expect(record(second).outcome.status).toBe('stopped');
    expect(existsSync(join(dir, 'runs/sweep-cut/03-lr_0.01'))).toBe(false);
    const r = cli(dir, ['sweep', '--resume', 'runs/sweep-cut', '--together', '1', '--quiet', ...SW]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^1\/3 lr 0\.001: finished at step 12.*\(done before\)$/m);
    for (const d of ['01-lr_0.001', '02-lr_0.003', '03-lr_0.01']) expectSameRun(join(dir, 'runs/sweep-cut', d), join(dir, 'runs/sweep-ref', d));
    const summary = (d: string) => readFileSync(join(dir, d, 'summary.csv'), 'utf8');
    expect(summary('runs/sweep-cut')).toEqual(summary('runs/sweep-ref'));
    // A sweep file that is not the one the directory started is refused.
    writeFileSync(join(dir, 'sweep-other.yaml'), sweep('runs/sweep-cut').replace('1.0e-2', '2.0e-2'));
    const other = cli(dir, ['sweep', '--config', 'sweep-other.yaml', '--resume', 'runs/sweep-cut', ...SW]);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/^stepsize: --resume: this plan is not the one runs\/sweep-cut started: run 3 is "lr 0\.02"/m);
  });

  it('a sweep trained side by side, stopped part-way, resumes every run from its checkpoint side by side; the same results', async () => {
    // The reference is the previous test's sweep (runs/sweep-ref), trained side by side too.
    writeFileSync(join(dir, 'sweep-packed.yaml'), readFileSync(join(dir, 'sweep-cut.yaml'), 'utf8').replace('runs/sweep-cut', 'runs/sweep-packed'));
    const p = spawnCli(dir, ['sweep', '--config', 'sweep-packed.yaml', '--quiet', ...SW]);
    const runs = ['01-lr_0.001', '02-lr_0.003', '03-lr_0.01'].map((d) => join(dir, 'runs/sweep-packed', d));
    await waitFor(() => steps(runs[1]) >= 4);
    p.child.kill('SIGINT');
    expect((await p.done).status).toBe(130);
    for (const d of runs) expect(record(d).outcome.status, d).toBe('stopped');
    const r = cli(dir, ['sweep', '--resume', 'runs/sweep-packed', '--quiet', ...SW]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/dispatches per step for 3 runs side by side; resuming /);
    for (const d of runs) expectSameRun(d, d.replace('sweep-packed', 'sweep-ref'));
  });

  it('a scenario stopped part-way resumes from its directory and prints its check', async () => {
    const p = spawnCli(dir, ['scenario', '6', '--steps-scale', '0.01', '--out', 'runs/s6', '--quiet', ...SW]);
    await waitFor(() => existsSync(join(dir, 'runs/s6/01-bs_16')) && steps(join(dir, 'runs/s6/01-bs_16')) >= 2);
    p.child.kill('SIGTERM');
    const cut = await p.done;
    expect(cut.status).toBe(143);
    expect(cut.stdout).toMatch(/stopped after 1 of 2 runs; continue with: stepsize scenario --resume runs\/s6/);
    const r = cli(dir, ['scenario', '--resume', 'runs/s6', '--quiet', ...SW]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Check: /);
    expect(existsSync(join(dir, 'runs/s6/check.txt'))).toBe(true);
    expect(record(join(dir, 'runs/s6/01-bs_16')).resumes).toHaveLength(1);
  });
});
