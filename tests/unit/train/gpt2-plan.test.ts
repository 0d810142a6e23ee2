// A run planned on a GPT-2 base (the project's fixture checkpoint): the shape, vocabulary and tied
// head come from the base, the text is split by bytes and then tokenized by its BPE tokenizer (16-bit
// ids, bytes per token for bits per byte), block_size defaults to 128 at most the base's context,
// and every refusal names its key: a model whose sizes are not the base's, q and v alone on GPT-2's
// fused c_attn, and a GPU whose buffers cannot hold the parameters, with what they need, before
// anything is allocated.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../src/node/corpora';
import { decodeGpt2Checkpoint } from '../../../src/runs/hf-gpt2';
import { decodeModelFile, modelFileOf } from '../../../src/runs/model-files';
import { modelChoiceOf, parseConfig, withModelOfBase } from '../../../src/config/config';
import { planRun } from '../../../src/train/plan';
import { FIXTURE_VOCAB, gpt2FixtureFiles } from '../../fixtures/gpt2';

const BASE = decodeGpt2Checkpoint(gpt2FixtureFiles(), 'fx');
const TEXT = loadCorpus('sotu').subarray(0, 40_000);
const ROOMY = { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 };

const config = (over: Record<string, unknown> = {}) =>
  parseConfig(withModelOfBase({ base_model: 'fx', train_data: 'sotu', batch_size: 2, max_steps: 10, eval_batches: 1, ...over }, BASE.shape));

describe('a run planned on a GPT-2 base', () => {
  it("takes the base's shape and tokenizer: BPE ids, 16 bits, a block of 64 (its context, under 128)", () => {
    const p = planRun({ config: config(), text: TEXT, dataSource: 'sotu', base: BASE, limits: ROOMY });
    expect(p.shape).toEqual({ family: 'gpt2', vocab: FIXTURE_VOCAB, dModel: 64, nLayer: 2, nHead: 2, context: 64 });
    expect(p.tokenizer.kind).toBe('bpe');
    expect(p.model.setup.seqLen).toBe(64);
    expect(p.data.tokens).toBeInstanceOf(Uint16Array);
    expect(Math.max(...p.data.tokens.subarray(0, p.data.trainLen))).toBeGreaterThan(255);
    // The split is by bytes (90% / 10%), each side tokenized: fewer tokens than bytes.
    expect(p.data.trainLen + p.data.valLen).toBeLessThan(TEXT.length * 0.8);
    expect(p.data.valBytesPerToken).toBeGreaterThan(1.2);
    // The head is tok_emb: no head.weight of its own; LoRA's default targets became c_attn (fused), o, fc, proj.
    expect(p.model.params.views.some((v) => v.name === 'head.weight')).toBe(false);
    expect(p.scope.lora!.targets).toEqual(['qkv', 'o', 'fc', 'proj']);
    expect(planRun({ config: config({ block_size: 16 }), text: TEXT, dataSource: 'sotu', base: BASE, limits: ROOMY }).model.setup.seqLen).toBe(16);
    // A sweep's runs share the base and the text: the text is tokenized once for the same split.
    const again = planRun({ config: config({ learning_rate: 1e-3 }), text: TEXT, dataSource: 'sotu', base: BASE, limits: ROOMY });
    expect(again.data).toBe(p.data);
    expect(planRun({ config: config({ val_split: 0.2 }), text: TEXT, dataSource: 'sotu', base: BASE, limits: ROOMY }).data.valLen).toBeGreaterThan(p.data.valLen);
  });

  it('refuses, naming the key: sizes that are not the base\'s, q and v alone, and parameters no buffer of this GPU holds', () => {
    const plan = (over: Record<string, unknown>, limits = ROOMY) => () => planRun({ config: config(over), text: TEXT, dataSource: 'sotu', base: BASE, limits });
    expect(plan({ model: 'classroom' })).toThrow(/^model: "classroom" is not allowed; the shape of base_model fx \(GPT-2 \(vocabulary 321, d_model 64, 2 layers, 2 heads, context 64\)\); this config asks for d_model 128/);
    expect(plan({ lora_targets: ['q', 'v'] })).toThrow(/^lora_targets: \["q","v"\] is not allowed; q, k and v all together/);
    expect(plan({ lora_rank: 0 }, { maxStorageBufferBindingSize: 256 << 10, maxBufferSize: 1 << 30 })).toThrow(
      /^base_model: "fx" is not allowed; a model whose arenas fit this GPU: its parameters need 487 KiB in one buffer \(2 MiB with gradients and AdamW moments\) and the adapter allows 256 KiB per buffer/,
    );
    expect(modelChoiceOf(BASE.shape)).toEqual({ d_model: 64, n_layer: 2, n_head: 2, context: 64 });
  });

  it('keeps a GPT-2 base as one model file (the page\'s store) that decodes to the same base and tokenizer', () => {
    const again = decodeModelFile(modelFileOf(BASE), 'kept');
    expect(again.shape).toEqual(BASE.shape);
    expect(again.tensors.map((t) => t.name)).toEqual(BASE.tensors.map((t) => t.name).sort((a, b) => again.tensors.findIndex((t) => t.name === a) - again.tensors.findIndex((t) => t.name === b)));
    for (const t of BASE.tensors) expect(again.tensors.find((x) => x.name === t.name)!.data).toEqual(t.data);
    expect(again.tokenizer!.encode('Fellow citizens')).toEqual(BASE.tokenizer!.encode('Fellow citizens'));
    expect(again.hf!.config).toEqual(BASE.hf!.config);
  });
});
