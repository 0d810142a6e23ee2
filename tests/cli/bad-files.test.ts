// Corrupted model and adapter files given to the built CLI: `eval`, `sample` and `train` each refuse
// them with exit status 1 and one "stepsize:" line on stderr that names the file, before any output
// is written (and, for eval and sample, before a GPU device is opened).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initParams } from '../../src/model/init';
import { buildParamTable, type TrainScope } from '../../src/model/params';
import { MODEL_PRESETS } from '../../src/config/architecture';
import { decodeAdapter, encodeAdapter, encodeModelFile } from '../../src/runs/model-files';
import { decodeSafetensors, encodeSafetensors } from '../../src/runs/safetensors';
import { buildCli, cli, CLI, scratch } from './helpers';

const SW = ['--gpu', 'swiftshader'];
const SHAPE = MODEL_PRESETS.tiny;
const FULL: TrainScope = { mode: 'full', lora: null, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false };
const TABLE = buildParamTable(SHAPE, FULL);
const VALID = encodeModelFile(TABLE, initParams(TABLE, 7), SHAPE);
const HEAD_LEN = new DataView(VALID.buffer).getUint32(0, true);
const HEADER = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + HEAD_LEN)));
const VALID_TENSORS = decodeSafetensors(VALID).tensors;

/** The valid file with the same data under a header changed by `fn`. */
function edit(fn: (h: Record<string, any>) => void): Uint8Array {
  const h = structuredClone(HEADER);
  fn(h);
  const head = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(8 + head.length + VALID.length - 8 - HEAD_LEN);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 8);
  out.set(VALID.subarray(8 + HEAD_LEN), 8 + head.length);
  return out;
}

/** [kind, file name, bytes, what the one stderr line must say about it]. */
const MODELS: [string, string, () => Uint8Array, RegExp][] = [
  ['a header length over 100 MiB', 'huge-header.safetensors', () => { const b = VALID.slice(); new DataView(b.buffer).setUint32(0, 200 * 1024 * 1024, true); return b; }, /header length 209715200 is over/],
  ['a header that is not JSON', 'not-json.safetensors', () => edit((h) => h).map((x, i) => (i === 8 ? 0x5b : x)), /the header is not JSON/],
  ['an F16 tensor', 'f16.safetensors', () => edit((h) => (h['tok_emb.weight'].dtype = 'F16')), /tensor tok_emb\.weight has dtype F16/],
  ['a file cut inside the data', 'truncated.safetensors', () => VALID.slice(0, VALID.length - 1000), /tensor head\.weight has data_offsets .* run past the end of the data/],
  ['a NaN weight', 'nan.safetensors', () => { const b = VALID.slice(); new DataView(b.buffer).setFloat32(8 + HEAD_LEN + HEADER['ln_f.weight'].data_offsets[0] + 12, NaN, true); return b; }, /tensor ln_f\.weight holds NaN at element 3/],
  ['vocab 100', 'vocab-100.safetensors', () => encodeSafetensors(VALID_TENSORS, { ...HEADER.__metadata__, vocab: '100' }), /__metadata__\.vocab is "100"; only 256 is allowed/],
  ['a LoRA tensor in a model file', 'lora-in-model.safetensors', () => encodeSafetensors([...VALID_TENSORS, { name: 'blocks.0.attn.q.lora_A.weight', shape: [4, 64], data: new Float32Array(256) }], HEADER.__metadata__), /tensor blocks\.0\.attn\.q\.lora_A\.weight is a LoRA adapter tensor/],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Every path under `dir`, sorted: what a refused command must leave as it was. */
const listing = (dir: string) => (readdirSync(dir, { recursive: true }) as string[]).sort();

describe('stepsize CLI refuses corrupted files', () => {
  const dir = scratch();
  const text = join(dir, 'text.txt');

  beforeAll(async () => {
    await buildCli();
    writeFileSync(text, 'It was the best of times, it was the worst of times. '.repeat(3));
    mkdirSync(join(dir, 'bad'));
    for (const [, name, bytes] of MODELS) writeFileSync(join(dir, 'bad', name), bytes());
    writeFileSync(join(dir, 'good.safetensors'), VALID);
    // An adapter of rank 4 on q, v and fc whose config claims rank 8: its tensors no longer fit.
    const lora = { rank: 4, alpha: 8, rsLora: false, targets: ['q', 'v', 'fc'] as ('q' | 'v' | 'fc')[] };
    const t = buildParamTable(SHAPE, { ...FULL, mode: 'lora', lora });
    const a = encodeAdapter(t, initParams(t, 3), 'good.safetensors');
    decodeAdapter(a.safetensors, a.config, 'check', SHAPE);
    mkdirSync(join(dir, 'bad-adapter'));
    writeFileSync(join(dir, 'bad-adapter/adapter_model.safetensors'), a.safetensors);
    writeFileSync(join(dir, 'bad-adapter/adapter_config.json'), JSON.stringify({ ...a.config, r: 8 }));
  });

  /** Runs `args` in the scratch directory and checks the one-line refusal and that nothing was written. */
  function refuses(args: string[], message: RegExp, env?: NodeJS.ProcessEnv): void {
    const before = listing(dir);
    const r = env ? spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }) : cli(dir, args);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('stepsize:'));
    expect(r.status, r.stderr).toBe(1);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'runs'))).toBe(false);
    expect(listing(dir)).toEqual(before);
  }

  it.each(MODELS)('refuses %s in eval, sample and train, naming the file', (_kind, name, _bytes, message) => {
    const path = `bad/${name}`;
    const says = new RegExp(`^stepsize: .*${escape(path)}: ${message.source}`);
    refuses(['eval', '--model', path, '--text', text, ...SW], says);
    refuses(['sample', '--model', path, '--prompt', 'The ', '--length', '4', ...SW], says);
    const cfg = join(dir, `train-${name}.yaml`);
    writeFileSync(cfg, `model: tiny\nbase_model: ${path}\nlora_rank: 0\noutput_dir: runs/bad\nmax_steps: 2\nwarmup_steps: 0\n`);
    refuses(['train', '--config', cfg, ...SW], new RegExp(`^stepsize: base_model: "${escape(path)}" is not allowed; a Stepsize model file \\(${escape(path)}: ${message.source}`));
  });

  it('refuses an adapter whose tensors do not fit its config, in eval and sample, naming the file and the tensor', () => {
    const says = /^stepsize: bad-adapter\/adapter_model\.safetensors: tensor base_model\.model\.blocks\.0\.attn\.q\.lora_A\.weight has shape \[4, 64\]; r 8 and target_modules q, v, fc on a d_model 64, .* base needs \[8, 64\]/;
    refuses(['eval', '--model', 'good.safetensors', '--adapter', 'bad-adapter', '--text', text, ...SW], says);
    refuses(['sample', '--model', 'good.safetensors', '--adapter', 'bad-adapter/', '--prompt', 'The ', ...SW], says);
  });

  it('refuses a bad model before opening a GPU: the refusal holds where no GPU can be opened', () => {
    // With no Vulkan driver to find, opening a device would fail with a GPU error; the file's refusal
    // comes first.
    refuses(['eval', '--model', 'bad/nan.safetensors', '--text', text, '--gpu', 'gpu'], /^stepsize: --model: .*nan\.safetensors: tensor ln_f\.weight holds NaN/, { VK_ICD_FILENAMES: join(dir, 'no-such-icd.json') });
  });
});
