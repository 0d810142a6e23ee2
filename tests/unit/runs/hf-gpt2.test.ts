// GPT-2 checkpoints in Hugging Face's layout (src/runs/hf-gpt2.ts), on the CPU: config.json's sizes,
// every refusal naming the key or tensor, the Conv1D transposes and the fused c_attn split checked on
// numbers (a layer computes the same in both layouts), names with or without "transformer.", the
// causal-mask buffers skipped, the tied head, and a round trip through both directions; the fixture
// directory decoded with its tokenizer, and PEFT's names for GPT-2 adapters.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import type { ModelShape } from '../../../src/config/architecture';
import type { NamedTensor } from '../../../src/model/weights';
import { decodeGpt2Checkpoint, gpt2AdapterName, gpt2Config, gpt2TargetModules, gpt2TargetsOf, gpt2Tensors, parseGpt2Config, stepsizeAdapterName, toGpt2Tensors } from '../../../src/runs/hf-gpt2';
import { FIXTURE_VOCAB, gpt2FixtureFiles } from '../../fixtures/gpt2';

/** The original gpt2's config.json, as the hub serves it (the keys that matter, and some that do not). */
const GPT2 = {
  activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], attn_pdrop: 0.1, bos_token_id: 50256, embd_pdrop: 0.1, eos_token_id: 50256,
  initializer_range: 0.02, layer_norm_epsilon: 1e-5, model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024,
  resid_pdrop: 0.1, summary_activation: null, summary_first_dropout: 0.1, summary_proj_to_labels: true, summary_type: 'cls_index', summary_use_proj: true,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } }, vocab_size: 50257,
};

const SHAPE: ModelShape = { family: 'gpt2', vocab: 11, dModel: 8, nLayer: 2, nHead: 2, context: 6 };

/** A random GPT-2 checkpoint of SHAPE in HF's layout (prefix optional, with the mask buffers). */
function hfTensors(prefix = '', rng = new Rng(3)): NamedTensor[] {
  const d = SHAPE.dModel;
  const t = (name: string, shape: number[]): NamedTensor => ({ name: prefix + name, shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next() - 0.5) });
  const out = [t('wte.weight', [SHAPE.vocab, d]), t('wpe.weight', [SHAPE.context, d])];
  for (let l = 0; l < SHAPE.nLayer; l++) {
    const h = `h.${l}`;
    out.push(
      t(`${h}.ln_1.weight`, [d]), t(`${h}.ln_1.bias`, [d]), t(`${h}.attn.c_attn.weight`, [d, 3 * d]), t(`${h}.attn.c_attn.bias`, [3 * d]),
      t(`${h}.attn.c_proj.weight`, [d, d]), t(`${h}.attn.c_proj.bias`, [d]), t(`${h}.ln_2.weight`, [d]), t(`${h}.ln_2.bias`, [d]),
      t(`${h}.mlp.c_fc.weight`, [d, 4 * d]), t(`${h}.mlp.c_fc.bias`, [4 * d]), t(`${h}.mlp.c_proj.weight`, [4 * d, d]), t(`${h}.mlp.c_proj.bias`, [d]),
      t(`${h}.attn.bias`, [1, 1, SHAPE.context, SHAPE.context]), t(`${h}.attn.masked_bias`, [1]),
    );
  }
  out.push(t('ln_f.weight', [d]), t('ln_f.bias', [d]));
  return out;
}

const byName = (ts: NamedTensor[]) => new Map(ts.map((t) => [t.name, t]));

describe('GPT-2 config.json', () => {
  it("reads the original gpt2's sizes", () => {
    expect(parseGpt2Config(GPT2)).toEqual({ family: 'gpt2', vocab: 50257, dModel: 768, nLayer: 12, nHead: 12, context: 1024 });
    expect(parseGpt2Config({ ...GPT2, n_positions: undefined })).toMatchObject({ context: 1024 }); // n_ctx alone
    expect(parseGpt2Config(gpt2Config(SHAPE))).toEqual(SHAPE);
  });

  it('refuses what the engine does not compute, naming the key, its value and what is allowed', () => {
    const refuse = (over: Record<string, unknown>) => () => parseGpt2Config({ ...GPT2, ...over });
    expect(refuse({ model_type: 'llama' })).toThrow(/^config\.json: model_type is "llama"; only "gpt2" is allowed/);
    expect(refuse({ layer_norm_epsilon: 1e-6 })).toThrow(/^config\.json: layer_norm_epsilon is 0\.000001; 0\.00001 /);
    expect(refuse({ activation_function: 'relu' })).toThrow(/^config\.json: activation_function is "relu"; "gelu_new" or "gelu_pytorch_tanh"/);
    expect(refuse({ n_head: 7 })).toThrow(/^config\.json: n_head is 7; it must divide n_embd 768/);
    expect(refuse({ n_head: 6 })).toThrow(/n_head is 6; n_embd \/ n_head is a head size of 128; the attention kernel allows at most 64/);
    expect(refuse({ vocab_size: 100000 })).toThrow(/vocab_size is 100000; an integer from 2 to 65536/);
    expect(refuse({ n_inner: 1000 })).toThrow(/n_inner is 1000; null or 3072/);
    expect(refuse({ tie_word_embeddings: false })).toThrow(/tie_word_embeddings is false/);
    expect(() => parseGpt2Config([1])).toThrow(/^config\.json: not a JSON object/);
  });
});

describe('GPT-2 model.safetensors ↔ Stepsize tensors', () => {
  it('a layer computes the same in both layouts: HF x·W + b (Conv1D [in, out], fused c_attn) against ours x·Wᵀ + b per q, k, v', () => {
    const hf = byName(hfTensors());
    const ours = byName(gpt2Tensors([...hf.values()], SHAPE));
    const d = SHAPE.dModel;
    const x = [0.3, -1.2, 0.7, 2, -0.4, 0.1, 1.5, -0.9];
    const W = hf.get('h.1.attn.c_attn.weight')!.data;
    const bias = hf.get('h.1.attn.c_attn.bias')!.data;
    // HF: y[o] = Σ_i x[i]·W[i, o] + b[o], o < 3d; q, k, v are y's thirds.
    const y = Array.from({ length: 3 * d }, (_, o) => x.reduce((s, xi, i) => s + xi * W[i * 3 * d + o], 0) + bias[o]);
    (['q', 'k', 'v'] as const).forEach((p, j) => {
      const w = ours.get(`blocks.1.attn.${p}.weight`)!;
      const b = ours.get(`blocks.1.attn.${p}.bias`)!.data;
      expect(w.shape).toEqual([d, d]);
      for (let o = 0; o < d; o++) expect(x.reduce((s, xi, i) => s + xi * w.data[o * d + i], 0) + b[o]).toBeCloseTo(y[j * d + o], 6);
    });
    // The MLP's c_fc [d, 4d] → fc [4d, d]: element [o, i] is HF's [i, o].
    const fc = hf.get('h.0.mlp.c_fc.weight')!.data;
    const ofc = ours.get('blocks.0.mlp.fc.weight')!;
    expect(ofc.shape).toEqual([4 * d, d]);
    for (let o = 0; o < 4 * d; o++) for (let i = 0; i < d; i++) expect(ofc.data[o * d + i]).toBe(fc[i * 4 * d + o]);
    expect(ours.get('blocks.0.mlp.proj.weight')!.shape).toEqual([d, 4 * d]);
    // The head is wte itself (tied: no head.weight of its own); the mask buffers are no tensor of ours.
    expect(ours.get('tok_emb.weight')!.data).toEqual(hf.get('wte.weight')!.data);
    expect(ours.has('head.weight')).toBe(false);
    expect([...ours.keys()].some((n) => n.includes('masked'))).toBe(false);
    // tok_emb, pos_emb, ln_f weight and bias; per block ln1, ln2 (2 each), q, k, v, o, fc, proj (weight and bias).
    expect(ours.size).toBe(4 + SHAPE.nLayer * 16);
  });

  it('reads names with the "transformer." prefix and an lm_head equal to wte, and writes back what it read', () => {
    const plain = gpt2Tensors(hfTensors(), SHAPE);
    const prefixed = hfTensors('transformer.');
    const wte = prefixed.find((t) => t.name === 'transformer.wte.weight')!;
    expect(gpt2Tensors([...prefixed, { name: 'lm_head.weight', shape: wte.shape, data: wte.data.slice() }], SHAPE)).toEqual(plain);
    const back = toGpt2Tensors(new Map(plain.map((t) => [t.name, t.data])), SHAPE);
    const original = byName(hfTensors().filter((t) => !/^h\.\d+\.attn\.(bias|masked_bias)$/.test(t.name)));
    expect(back.map((t) => t.name).sort()).toEqual([...original.keys()].sort());
    for (const t of back) {
      expect(t.shape, t.name).toEqual(original.get(t.name)!.shape);
      expect(t.data, t.name).toEqual(original.get(t.name)!.data);
    }
  });

  it('refuses a tensor that is missing, unknown, misshapen, doubled or an untied head, naming it', () => {
    const ts = hfTensors();
    const without = (n: string) => ts.filter((t) => t.name !== n);
    expect(() => gpt2Tensors(without('h.1.mlp.c_fc.bias'), SHAPE)).toThrow(/^model\.safetensors: tensor h\.1\.mlp\.c_fc\.bias is missing; a GPT-2 checkpoint has every one of 28/);
    expect(() => gpt2Tensors([...ts, { name: 'h.2.ln_1.weight', shape: [8], data: new Float32Array(8) }], SHAPE)).toThrow(/tensor h\.2\.ln_1\.weight is not a GPT-2 weight of /);
    const bent = ts.map((t) => (t.name === 'h.0.attn.c_attn.weight' ? { ...t, shape: [24, 8] } : t));
    expect(() => gpt2Tensors(bent, SHAPE)).toThrow(/tensor h\.0\.attn\.c_attn\.weight has shape \[24, 8\]; config\.json's sizes need \[8, 24\]/);
    expect(() => gpt2Tensors([...ts, { ...ts[0], name: 'transformer.wte.weight' }], SHAPE)).toThrow(/tensor wte\.weight appears twice/);
    const head = { name: 'lm_head.weight', shape: [SHAPE.vocab, SHAPE.dModel], data: new Float32Array(SHAPE.vocab * SHAPE.dModel) };
    expect(() => gpt2Tensors([...ts, head], SHAPE)).toThrow(/tensor lm_head\.weight differs from wte\.weight; GPT-2's head is tied to wte/);
  });
});

describe('a GPT-2 checkpoint directory (the fixture) and its PEFT adapter names', () => {
  it('decodes config.json, model.safetensors and tokenizer.json into a base with its BPE tokenizer', () => {
    const files = gpt2FixtureFiles();
    const base = decodeGpt2Checkpoint(files, 'fx');
    expect(base.shape).toEqual({ family: 'gpt2', vocab: FIXTURE_VOCAB, dModel: 64, nLayer: 2, nHead: 2, context: 64 });
    expect(base.tokenizer!.kind).toBe('bpe');
    const ids = base.tokenizer!.encode('The people of the United States');
    expect(Math.max(...ids)).toBeGreaterThan(255); // merges in use
    expect(base.tokenizer!.decode(ids)).toBe('The people of the United States');
    expect(base.hf!.config.n_embd).toBe(64);
    const refuse = (over: Partial<typeof files>) => () => decodeGpt2Checkpoint({ ...files, ...over }, 'fx');
    expect(refuse({ config: '{' })).toThrow(/^fx\/config\.json: is not valid JSON/);
    expect(refuse({ config: JSON.stringify({ ...JSON.parse(files.config), model_type: 'llama' }) })).toThrow(/^fx\/config\.json: model_type is "llama"/);
    expect(refuse({ config: JSON.stringify({ ...JSON.parse(files.config), vocab_size: 300 }) })).toThrow(/^fx\/model\.safetensors: tensor wte\.weight has shape \[321, 64\]; config\.json's sizes need \[300, 64\]/);
    const tok = JSON.parse(files.tokenizer);
    expect(refuse({ tokenizer: JSON.stringify({ ...tok, model: { ...tok.model, type: 'WordPiece' } }) })).toThrow(/^fx\/tokenizer\.json: model\.type is "WordPiece"; only "BPE"/);
    tok.model.vocab['Ġextra'] = FIXTURE_VOCAB;
    expect(refuse({ tokenizer: JSON.stringify(tok) })).toThrow(/^fx\/tokenizer\.json: it emits ids up to 321; the model's vocab_size 321 has rows 0 to 320/);
  });

  it("names adapters as PEFT does on GPT-2's modules, both ways", () => {
    expect(gpt2AdapterName('blocks.3.attn.qkv.lora_A.weight')).toBe('h.3.attn.c_attn.lora_A.weight');
    expect(gpt2AdapterName('blocks.0.attn.o.lora_B.weight')).toBe('h.0.attn.c_proj.lora_B.weight');
    expect(gpt2AdapterName('blocks.1.mlp.fc.lora_A.weight')).toBe('h.1.mlp.c_fc.lora_A.weight');
    expect(gpt2AdapterName('blocks.1.mlp.proj.lora_B.weight')).toBe('h.1.mlp.c_proj.lora_B.weight');
    expect(gpt2AdapterName('blocks.1.attn.q.lora_A.weight')).toBeNull();
    for (const n of ['blocks.3.attn.qkv.lora_A.weight', 'blocks.0.attn.o.lora_B.weight', 'blocks.1.mlp.fc.lora_A.weight', 'blocks.1.mlp.proj.lora_B.weight']) {
      expect(stepsizeAdapterName(`base_model.model.transformer.${gpt2AdapterName(n)}`)).toBe(n);
      expect(stepsizeAdapterName(gpt2AdapterName(n)!)).toBe(n);
    }
    expect(stepsizeAdapterName('base_model.model.transformer.h.0.attn.c_attn.weight')).toBeNull();
    expect(gpt2TargetModules(['qkv', 'o', 'fc', 'proj'])).toEqual(['c_attn', 'c_proj', 'c_fc']);
    expect(gpt2TargetModules(['qkv', 'o'])).toEqual(['c_attn', 'attn.c_proj']);
    expect(gpt2TargetModules(['proj'])).toEqual(['mlp.c_proj']);
    expect(() => gpt2TargetModules(['q', 'v'])).toThrow(/lora targets q, v: GPT-2 fuses q, k and v into c_attn/);
    expect(gpt2TargetsOf(['c_attn', 'c_proj', 'c_fc'])).toEqual(['qkv', 'o', 'fc', 'proj']);
    expect(gpt2TargetsOf(['attn.c_proj'])).toEqual(['o']);
    expect(gpt2TargetsOf(['q_proj'])).toBeNull();
  });
});
