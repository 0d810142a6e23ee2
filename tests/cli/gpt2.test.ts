// A GPT-2 checkpoint through the command line: the project's fixture in Hugging Face's layout
// (tests/fixtures/gpt2.ts: config.json, model.safetensors, tokenizer.json; BPE vocabulary of 321) as
// base_model with no `model` in the config. LoRA on c_attn, c_proj and c_fc from the State of the Union,
// the adapter checked against PEFT's rules (names, shapes, config), `eval` with it, and the adapter
// loaded back by the float64 reference in HF's layout: the same loss. Full fine-tuning writes a
// checkpoint directory that loads as a base again. Refusals name the field.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consecutiveWindows } from '../../src/data/dataset';
import { bpeTokenizer } from '../../src/data/bpe';
import { loadCorpus } from '../../src/node/corpora';
import { refGpt2, type Gpt2Module } from '../../src/ref/gpt2';
import { decodeSafetensors } from '../../src/runs/safetensors';
import { parseRun } from '../../src/runs/schema';
import { FIXTURE_VOCAB, fixtureTokenizer, gpt2FixtureFiles, GPT2_FIXTURE, writeGpt2Fixture } from '../fixtures/gpt2';
import { buildCli, cli, scratch, snapshot, spawnCli } from './helpers';

const SW = ['--gpu', 'swiftshader'];
const d = GPT2_FIXTURE.dModel;
/** PEFT's shapes of each GPT-2 module's adapter: A [r, in], B [out, r] (in and out as nn.Linear would say). */
const IN_OUT: Record<Gpt2Module, [number, number]> = { 'attn.c_attn': [d, 3 * d], 'attn.c_proj': [d, d], 'mlp.c_fc': [d, 4 * d], 'mlp.c_proj': [4 * d, d] };

describe('GPT-2 from the command line', () => {
  const dir = scratch();
  const fx = join(dir, 'gpt2-fixture');
  const text = join(dir, 'address.txt');

  beforeAll(async () => {
    await buildCli();
    writeGpt2Fixture(fx);
    // The last 3,000 bytes of the bundled addresses: text the adapter was fine-tuned towards.
    writeFileSync(text, new TextDecoder().decode(loadCorpus('sotu').slice(-3000)).replace(/^[^\s]*\s/, ''));
    writeFileSync(join(dir, 'lora.yaml'), [
      `base_model: ${fx}`, 'train_data: sotu', 'lora_rank: 4', 'lora_alpha: 8', 'lora_targets: [c_attn, c_proj, c_fc]', 'learning_rate: 0.003',
      'batch_size: 2', 'block_size: 32', 'max_steps: 20', 'eval_interval: 10', 'eval_batches: 2', 'sample_interval: 0', 'sample_length: 12',
      'sample_prompt: "The people"', 'output_dir: runs/lora',
    ].join('\n'));
  });

  it('fine-tunes LoRA on the fixture from SOTU: an adapter in PEFT\'s GPT-2 layout, loss per token and bits per byte, a decoded sample', () => {
    const r = cli(dir, ['train', '--config', 'lora.yaml', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^finished at step 20/);
    const rec = parseRun(JSON.parse(readFileSync(join(dir, 'runs/lora/run.json'), 'utf8')));
    expect(rec.evals.map((e) => e.step)).toEqual([0, 10, 20]);
    expect(rec.evals.at(-1)!.val_loss!).toBeLessThan(rec.evals[0].val_loss! - 0.05);
    // Bits per byte: the loss per token over ln 2 and the validation split's bytes per BPE token (> 1).
    for (const e of rec.evals) expect(e.val_bpb!).toBeLessThan(e.val_loss! / Math.LN2);
    expect(rec.samples).toHaveLength(1);
    expect(rec.samples[0].text.length).toBeGreaterThan(0);
    expect(rec.environment.params_trainable).toBe(2 * 4 * (d + 3 * d + d + d + d + 4 * d + 4 * d + d));

    const cfg = JSON.parse(readFileSync(join(dir, 'runs/lora/adapter_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['c_attn', 'c_proj', 'c_fc'], fan_in_fan_out: true, base_model_name_or_path: fx, task_type: 'CAUSAL_LM', bias: 'none' });
    const tensors = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'runs/lora/adapter_model.safetensors'))), 'adapter').tensors;
    expect(tensors).toHaveLength(2 * 4 * GPT2_FIXTURE.nLayer);
    for (const t of tensors) {
      const m = /^base_model\.model\.transformer\.h\.(\d+)\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.lora_([AB])\.weight$/.exec(t.name);
      expect(m, t.name).not.toBeNull();
      const [inF, outF] = IN_OUT[m![2] as Gpt2Module];
      expect(t.shape, t.name).toEqual(m![3] === 'A' ? [4, inF] : [outF, 4]);
    }
  });

  it("evaluates with the adapter: the float64 reference, reading PEFT's file itself, gives the same loss", () => {
    const withAdapter = cli(dir, ['eval', '--model', fx, '--adapter', 'runs/lora', '--text', text, '--block-size', '32', ...SW]);
    expect(withAdapter.status).toBe(0);
    const got = JSON.parse(withAdapter.stdout);
    const plain = JSON.parse(cli(dir, ['eval', '--model', fx, '--text', text, '--block-size', '32', ...SW]).stdout);
    expect(got.loss).toBeLessThan(plain.loss);

    // The reference: the fixture's HF tensors, the adapter's under PEFT's names, the fixture's tokenizer.
    const params = new Map(gpt2FixtureFiles().tensors.map((t) => [t.name, Float64Array.from(t.data)]));
    for (const t of decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'runs/lora/adapter_model.safetensors'))), 'adapter').tensors) {
      params.set(t.name.replace('base_model.model.transformer.', ''), Float64Array.from(t.data));
    }
    const ids = bpeTokenizer(fixtureTokenizer(), FIXTURE_VOCAB).encode(readFileSync(text, 'utf8'));
    const shape = { family: 'gpt2' as const, vocab: FIXTURE_VOCAB, ...GPT2_FIXTURE };
    const lora = { rank: 4, scale: 8 / 4, modules: ['attn.c_attn', 'attn.c_proj', 'mlp.c_fc', 'mlp.c_proj'] as Gpt2Module[] };
    const { starts, lengths } = consecutiveWindows(ids.length, 33);
    let sum = 0;
    let count = 0;
    for (let w = 0; w < starts.length; w++) {
      const ref = refGpt2(params, shape, [Array.from(ids.subarray(starts[w], starts[w] + lengths[w]))], lora, false);
      sum += ref.loss * (lengths[w] - 1);
      count += lengths[w] - 1;
    }
    expect(got.tokens).toBe(count);
    // Bits per byte: nats per token over ln 2, times the text's tokens per byte.
    expect(got.bits_per_byte).toBeCloseTo((got.loss / Math.LN2) * (ids.length / readFileSync(text).length), 9);
    expect(Math.abs(got.loss - sum / count)).toBeLessThan(1e-4);
    console.log(`gpt2 fixture eval with its adapter: GPU ${got.loss.toFixed(6)} vs float64 ${(sum / count).toFixed(6)} nats/token over ${count} tokens; ${got.bits_per_byte.toFixed(4)} bits/byte`);
  });

  it('full fine-tuning writes a Hugging Face checkpoint directory that is a base again', () => {
    const r = cli(dir, ['train', '--config', 'lora.yaml', '--set', 'lora_rank=0', '--set', 'max_steps=3', '--set', 'eval_interval=0', '--set', 'output_dir=runs/full', '--quiet', ...SW]);
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    const cfg = JSON.parse(readFileSync(join(dir, 'runs/full/config.json'), 'utf8'));
    expect(cfg).toMatchObject({ model_type: 'gpt2', n_embd: d, vocab_size: FIXTURE_VOCAB });
    const names = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'runs/full/model.safetensors'))), 'model').tensors.map((t) => t.name);
    expect(names).toContain('h.1.attn.c_attn.weight');
    expect(names).not.toContain('lm_head.weight');
    const again = cli(dir, ['eval', '--model', 'runs/full', '--text', text, '--block-size', '32', ...SW]);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).loss).toBeGreaterThan(0);
  });

  it('resumes a GPT-2 LoRA run stopped by SIGINT to the very end of one never stopped', async () => {
    writeFileSync(join(dir, 'small.txt'), loadCorpus('sotu').subarray(0, 60_000));
    const small = (out: string) => ['train', '--config', 'lora.yaml', '--set', 'train_data=small.txt', '--set', 'max_steps=16', '--set', 'eval_interval=4',
      '--set', 'sample_interval=8', '--set', 'metrics_interval=2', '--set', 'checkpoint_interval=2', '--set', `output_dir=${out}`, '--quiet', ...SW];
    expect(cli(dir, small('runs/resume-ref')).status).toBe(0);
    const run = spawnCli(dir, small('runs/resume'));
    const steps = () => (existsSync(join(dir, 'runs/resume/metrics.csv')) ? readFileSync(join(dir, 'runs/resume/metrics.csv'), 'utf8').trim().split('\n').length - 1 : 0);
    const until = Date.now() + 120_000;
    while (steps() < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.status).toBe(130);
    expect(steps()).toBeLessThan(16);
    const resumed = cli(dir, ['train', '--resume', 'runs/resume', '--quiet', ...SW]);
    expect(resumed.status).toBe(0);
    const comparable = (d: string) => {
      const r = parseRun(JSON.parse(readFileSync(join(dir, d, 'run.json'), 'utf8')));
      return { loss: r.metrics.loss, evals: r.evals.map(({ elapsed_ms: _e, ...e }) => e), samples: r.samples, status: r.outcome.status };
    };
    expect(comparable('runs/resume')).toEqual(comparable('runs/resume-ref'));
    expect(readFileSync(join(dir, 'runs/resume/adapter_model.safetensors')).equals(readFileSync(join(dir, 'runs/resume-ref/adapter_model.safetensors')))).toBe(true);
  });

  it("prints the learning-rate and rank scenarios' GPT-2 tier for the fixture, and refuses it for the others", () => {
    const r = cli(dir, ['scenario', '1', '--size', 'gpt2', '--base', fx, '--print-plan']);
    expect(r.status).toBe(0);
    const plan = JSON.parse(r.stdout) as { runs: { label: string; config: Record<string, unknown> }[] };
    expect(plan.runs.map((x) => x.config.learning_rate)).toEqual([1e-4, 1.5e-4, 2e-4, 2.5e-4, 3e-4]);
    for (const x of plan.runs) expect(x.config).toMatchObject({ base_model: fx, model: { d_model: d, n_layer: 2, n_head: 2, context: 64 }, lora_targets: ['c_attn', 'c_proj', 'c_fc'], batch_size: 4 });
    const other = cli(dir, ['scenario', '2', '--size', 'gpt2', '--base', fx, '--print-plan']);
    expect(other.status).not.toBe(0);
    expect(other.stderr).toMatch(/--size: "gpt2" is not allowed; classroom or tiny for scenario 2/);
  });

  it('refuses a directory without tokenizer.json and q, v alone on GPT-2, naming the field; nothing is written', () => {
    const broken = join(dir, 'broken');
    mkdirSync(broken, { recursive: true });
    writeGpt2Fixture(broken);
    rmSync(join(broken, 'tokenizer.json'));
    const before = snapshot(dir);
    const a = cli(dir, ['train', '--config', 'lora.yaml', '--set', `base_model=${broken}`, '--set', 'output_dir=runs/x', ...SW]);
    expect(a.status).not.toBe(0);
    expect(a.stderr).toMatch(/base_model: ".*broken" is not allowed; a GPT-2 directory in Hugging Face's layout: config\.json, model\.safetensors, tokenizer\.json \(tokenizer\.json missing\)/);
    const b = cli(dir, ['train', '--config', 'lora.yaml', '--set', 'lora_targets=[q, v]', '--set', 'output_dir=runs/y', ...SW]);
    expect(b.status).not.toBe(0);
    expect(b.stderr).toMatch(/lora_targets: \["q","v"\] is not allowed; q, k and v all together \(GPT-2 fuses them into c_attn/);
    expect(snapshot(dir)).toEqual(before);
  });
});
