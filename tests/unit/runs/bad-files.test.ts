// Corrupted model and adapter files, one row per way a file from outside can be wrong: each is built
// from a valid tiny model file and must be refused with a message that starts with the file's name
// and names the tensor or metadata key at fault. Seeded random damage must never escape as anything
// but such a refusal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { initParams } from '../../../src/model/init';
import { buildParamTable, type TrainScope } from '../../../src/model/params';
import { MODEL_PRESETS } from '../../../src/config/architecture';
import type { NamedTensor } from '../../../src/model/weights';
import { decodeAdapter, decodeModelFile, encodeAdapter, encodeModelFile, type AdapterConfig } from '../../../src/runs/model-files';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from '../../../src/runs/safetensors';

const FILE = 'tiny.safetensors';
const SHAPE = MODEL_PRESETS.tiny;
const FULL: TrainScope = { mode: 'full', lora: null, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false };
const TABLE = buildParamTable(SHAPE, FULL);
const VALID = encodeModelFile(TABLE, initParams(TABLE, 7), SHAPE);
const HEAD_LEN = new DataView(VALID.buffer).getUint32(0, true);
const HEADER = JSON.parse(new TextDecoder().decode(VALID.subarray(8, 8 + HEAD_LEN))) as Record<string, any>;
const DATA = VALID.subarray(8 + HEAD_LEN);
const META = HEADER.__metadata__ as Record<string, string>;
const ARCH = `a d_model 64, 2 layers, 2 heads, context 64 model`;

/** A file from a header (object, JSON text or raw bytes) and a data region. */
function file(header: unknown, data: Uint8Array = DATA): Uint8Array {
  const head = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

/** The valid header, changed by `fn`, over the valid data (or `data`). */
function edit(fn: (h: Record<string, any>) => void, data: Uint8Array = DATA): Uint8Array {
  const h = structuredClone(HEADER);
  fn(h);
  return file(h, data);
}

/** The valid file with its 8-byte header length replaced. */
function withLength(lo: number, hi = 0): Uint8Array {
  const out = VALID.slice();
  new DataView(out.buffer).setUint32(0, lo, true);
  new DataView(out.buffer).setUint32(4, hi, true);
  return out;
}

/** The valid file with element `i` of tensor `name` set to `v`. */
function poke(name: string, i: number, v: number): Uint8Array {
  const out = VALID.slice();
  new DataView(out.buffer).setFloat32(8 + HEAD_LEN + HEADER[name].data_offsets[0] + 4 * i, v, true);
  return out;
}

/** A well-formed safetensors file of the valid tensors changed by `fn`, under `meta`. */
function retensor(fn: (ts: NamedTensor[]) => NamedTensor[], meta: Record<string, string> = META): Uint8Array {
  return encodeSafetensors(fn(decodeSafetensors(VALID).tensors), meta);
}

const zeros = (name: string, shape: number[]): NamedTensor => ({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
const meta = (change: Record<string, string | undefined>) => retensor((t) => t, Object.fromEntries(Object.entries({ ...META, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>);
const at = (name: string): [number, number] => HEADER[name].data_offsets;

/** [what is wrong, the file, what the message must say after "tiny.safetensors: "]. */
const CASES: [string, () => Uint8Array, RegExp][] = [
  // The 8-byte length and the header.
  ['a header length over 100 MiB', () => withLength(100 * 1024 * 1024 + 1), /header length 104857601 is over the 104857600-byte \(100 MiB\) limit/],
  ['a header length of 2^32 or more', () => withLength(16, 1), /header length 4294967312 is over the .* limit/],
  ['a header length past the end of the file', () => withLength(VALID.length), /header length \d+ runs past the end of the file \(\d+ bytes\)/],
  ['a header that is not JSON', () => file('{"tok_emb.weight": {"dtype": "F32", '), /the header is not JSON/],
  ['a header that is not UTF-8', () => file(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), /the header is not valid UTF-8/],
  ['a header that is a JSON array', () => file('[1, 2, 3]'), /the header is JSON but an array, not an object of tensors/],
  ['a header that is a JSON number', () => file('42'), /the header is JSON but a number/],
  ['a header that is JSON null', () => file('null'), /the header is JSON but null/],
  ['__metadata__ that is a string', () => edit((h) => (h.__metadata__ = 'tiny')), /__metadata__ is a string; it must be an object of string values/],
  ['__metadata__ with a number value', () => edit((h) => (h.__metadata__.vocab = 256)), /__metadata__\.vocab is 256; __metadata__ holds string values only/],
  // dtypes.
  ['an F16 tensor', () => edit((h) => (h['tok_emb.weight'].dtype = 'F16')), /tensor tok_emb\.weight has dtype F16; only F32 is supported/],
  ['a BF16 tensor', () => edit((h) => (h['head.weight'].dtype = 'BF16')), /tensor head\.weight has dtype BF16; only F32/],
  ['an I32 tensor', () => edit((h) => (h['ln_f.bias'].dtype = 'I32')), /tensor ln_f\.bias has dtype I32; only F32/],
  ['a tensor without a dtype', () => edit((h) => delete h['blocks.0.ln1.weight'].dtype), /tensor blocks\.0\.ln1\.weight has dtype \(missing\); only F32/],
  ['a tensor entry that is not an object', () => edit((h) => (h['pos_emb.weight'] = [0, 16384])), /tensor pos_emb\.weight is an array, not an object \{dtype, shape, data_offsets\}/],
  // Shapes.
  ['a negative dimension', () => edit((h) => (h['tok_emb.weight'].shape = [-256, 64])), /tensor tok_emb\.weight has shape \[-256,64\]; a shape is a list of non-negative whole numbers/],
  ['a fractional dimension', () => edit((h) => (h['blocks.1.mlp.fc.weight'].shape = [256, 64.5])), /tensor blocks\.1\.mlp\.fc\.weight has shape \[256,64\.5\]/],
  ['a shape that is not a list', () => edit((h) => (h['ln_f.weight'].shape = '64')), /tensor ln_f\.weight has shape "64"; a shape is a list/],
  ['a shape too big to address', () => edit((h) => (h['ln_f.weight'].shape = [2 ** 30, 2 ** 30])), /tensor ln_f\.weight has shape \[1073741824, 1073741824\], too many elements/],
  ['a shape wrong for the architecture', () => edit((h) => (h['head.weight'].shape = [64, 256])), new RegExp(`tensor head\\.weight has shape \\[64, 256\\]; ${ARCH} needs \\[256, 64\\]`)],
  // data_offsets.
  ['overlapping offsets', () => edit((h) => (h['blocks.0.ln1.bias'].data_offsets = at('blocks.0.ln1.bias').map((x) => x - 4))), /tensor blocks\.0\.ln1\.bias has data_offsets \[\d+, \d+\] that overlap tensor blocks\.0\.ln1\.weight/],
  ['offsets out of order (end before begin)', () => edit((h) => (h['ln_f.bias'].data_offsets = [...at('ln_f.bias')].reverse())), /tensor ln_f\.bias has data_offsets \[\d+, \d+\]: end comes before begin/],
  ['offsets past the end of the data', () => edit((h) => (h['head.weight'].data_offsets = at('head.weight').map((x) => x + 4))), /tensor head\.weight has data_offsets \[\d+, \d+\] that run past the end of the data/],
  ['offsets of the wrong length', () => edit((h) => (h['blocks.0.attn.q.bias'].data_offsets = [at('blocks.0.attn.q.bias')[0], at('blocks.0.attn.q.bias')[1] - 4])), /tensor blocks\.0\.attn\.q\.bias has data_offsets \[\d+, \d+\], 252 bytes; its shape \[64\] needs 256/],
  ['negative offsets', () => edit((h) => (h['tok_emb.weight'].data_offsets = [-4, 65532])), /tensor tok_emb\.weight has data_offsets \[-4,65532\]; expected a pair \[begin, end\]/],
  ['offsets that are not a pair', () => edit((h) => (h['tok_emb.weight'].data_offsets = [0])), /tensor tok_emb\.weight has data_offsets \[0\]; expected a pair/],
  ['offsets as strings', () => edit((h) => (h['tok_emb.weight'].data_offsets = ['0', '65536'])), /tensor tok_emb\.weight has data_offsets \["0","65536"\]/],
  ['a hole in the data (a tensor dropped from the header)', () => edit((h) => delete h['blocks.0.ln1.bias']), /data bytes \d+ to \d+ \(before tensor blocks\.0\.attn\.q\.weight\) belong to no tensor; a safetensors file has no holes/],
  ['a hole before the first tensor', () => edit((h) => { for (const [k, v] of Object.entries(h)) if (k !== '__metadata__') v.data_offsets = v.data_offsets.map((x: number) => x + 8); }, concat(new Uint8Array(8), DATA)), /data bytes 0 to 8 \(before tensor tok_emb\.weight\) belong to no tensor/],
  ['trailing bytes after the data', () => file(HEADER, concat(DATA, new Uint8Array(12))), /12 trailing byte\(s\) after the last tensor \(head\.weight\)/],
  // Truncation.
  ['an empty file', () => new Uint8Array(0), /0 bytes is too short to be a safetensors file/],
  ['a file cut inside the length prefix', () => VALID.slice(0, 5), /5 bytes is too short/],
  ['a file cut inside the header', () => VALID.slice(0, 8 + (HEAD_LEN >> 1)), /header length \d+ runs past the end of the file/],
  ['a file cut right after the header', () => VALID.slice(0, 8 + HEAD_LEN), /tensor tok_emb\.weight has data_offsets \[0, 65536\] that run past the end of the data \(0 bytes; the file may be truncated\)/],
  ['a file cut inside the data', () => VALID.slice(0, VALID.length - 100), /tensor head\.weight has data_offsets \[\d+, \d+\] that run past the end of the data/],
  // Values.
  ['a NaN weight', () => poke('blocks.1.mlp.fc.weight', 69, NaN), /tensor blocks\.1\.mlp\.fc\.weight holds NaN at element 69 \(\[1, 5\] of \[256, 64\]\); weights must be finite/],
  ['a +Inf weight', () => poke('ln_f.weight', 63, Infinity), /tensor ln_f\.weight holds Infinity at element 63 \(\[63\] of \[64\]\)/],
  ['a -Inf weight', () => poke('tok_emb.weight', 3 * 64 + 1, -Infinity), /tensor tok_emb\.weight holds -Infinity at element 193 \(\[3, 1\] of \[256, 64\]\)/],
  // Random bytes (seeded), where a file should be.
  ['random bytes', () => randomBytes(new Rng(11), 4096), /header length 9733556262298945\d+ is over the .* limit/],
  ['random bytes behind a plausible length', () => concat(Uint8Array.from([64, 0, 0, 0, 0, 0, 0, 0]), randomBytes(new Rng(12), 512)), /the header is not (valid UTF-8|JSON)/],
  // The architecture in __metadata__ and the tensors it implies.
  ['vocab 100', () => meta({ vocab: '100' }), /__metadata__\.vocab is "100"; only 256 is allowed \(one token per byte; a smaller vocabulary would let byte tokens read past/],
  ['vocab missing', () => meta({ vocab: undefined }), /__metadata__\.vocab is missing; a Stepsize model file stores vocab, d_model, n_layer, n_head, context as whole numbers/],
  ['d_model not a whole number', () => meta({ d_model: '64.0' }), /__metadata__\.d_model is "64\.0"; .* as whole numbers/],
  ['d_model not divisible by n_head', () => meta({ n_head: '3' }), /__metadata__\.n_head is "3"; it must divide d_model 64/],
  ['a head size of 128', () => meta({ d_model: '256', n_head: '2' }), /__metadata__\.n_head is "2"; d_model 256 \/ n_head 2 is a head size of 128; the attention kernel allows at most 64/],
  ['n_layer 0', () => meta({ n_layer: '0' }), /__metadata__\.n_layer is "0"; allowed: 1 to 48/],
  ['context 100000', () => meta({ context: '100000' }), /__metadata__\.context is "100000"; allowed: 2 to 4096/],
  ['n_layer smaller than the tensors', () => meta({ n_layer: '1' }), /tensor blocks\.1\.ln1\.weight is not part of a d_model 64, 1 layers/],
  ['a missing tensor', () => retensor((t) => t.filter((x) => x.name !== 'blocks.1.mlp.proj.bias')), new RegExp(`tensor blocks\\.1\\.mlp\\.proj\\.bias \\[64\\] is missing; ${ARCH} needs it`)],
  ['an extra tensor', () => retensor((t) => [...t, zeros('blocks.2.ln1.weight', [64])]), new RegExp(`tensor blocks\\.2\\.ln1\\.weight is not part of ${ARCH}`)],
  ['a LoRA tensor in a model file', () => retensor((t) => [...t, zeros('blocks.0.attn.q.lora_A.weight', [4, 64])]), /tensor blocks\.0\.attn\.q\.lora_A\.weight is a LoRA adapter tensor; a model file holds base weights only/],
  ['a PEFT adapter tensor in a model file', () => retensor((t) => [...t, zeros('base_model.model.blocks.1.mlp.fc.lora_B.weight', [256, 4])]), /tensor base_model\.model\.blocks\.1\.mlp\.fc\.lora_B\.weight is a LoRA adapter tensor/],
];

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The error `fn` throws (failing the test if it returns). */
function refusal(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a refusal, but the file decoded');
}

describe('corrupted model files', () => {
  it('decodes the valid file they are built from', () => {
    const f = decodeModelFile(VALID, FILE);
    expect(f.shape).toEqual(SHAPE);
    expect(f.tensors).toHaveLength(TABLE.files.size);
    expect(decodeModelFile(file(HEADER), FILE).tensors.map((t) => t.name)).toEqual(f.tensors.map((t) => t.name));
  });

  it('still decodes the shipped base model (public/base/tiny.safetensors)', () => {
    const path = join(__dirname, '../../../public/base/tiny.safetensors');
    expect(decodeModelFile(new Uint8Array(readFileSync(path)), path).shape).toEqual(SHAPE);
  });

  it.each(CASES)('refuses %s, naming the file and the tensor or key', (_what, build, message) => {
    const e = refusal(() => decodeModelFile(build(), FILE));
    expect(e).toBeInstanceOf(SafetensorsError);
    expect(e.message).toMatch(new RegExp(`^${escape(FILE)}: ${message.source}`));
  });

  it('refuses seeded random damage anywhere in the file only with a SafetensorsError naming the file', () => {
    const rng = new Rng(2026);
    let refused = 0;
    for (let trial = 0; trial < 200; trial++) {
      const bytes = VALID.slice();
      // Half the trials hit the length prefix and header (where parsing can go wrong), half anywhere.
      const span = trial % 2 ? bytes.length : 8 + HEAD_LEN;
      for (let k = 1 + rng.int(4); k > 0; k--) bytes[rng.int(span)] = rng.int(256);
      try {
        decodeModelFile(bytes, FILE);
      } catch (e) {
        expect(e).toBeInstanceOf(SafetensorsError);
        expect((e as Error).message.startsWith(`${FILE}: `)).toBe(true);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(50);
  });
});

describe('corrupted adapters', () => {
  const DIR = 'runs/lora';
  const lora = { rank: 4, alpha: 8, rsLora: false, targets: ['q', 'v', 'fc'] as const };
  const table = buildParamTable(SHAPE, { ...FULL, mode: 'lora', lora: { ...lora, targets: [...lora.targets] } });
  const good = encodeAdapter(table, initParams(table, 5), 'base.safetensors');
  const ST = escape(`${DIR}/adapter_model.safetensors`);
  const CFG = escape(`${DIR}/adapter_config.json`);
  const A0 = 'base_model.model.blocks.0.attn.q.lora_A.weight';
  const tensors = (fn: (ts: NamedTensor[]) => NamedTensor[]) => encodeSafetensors(fn(decodeSafetensors(good.safetensors).tensors), { format: 'pt' });
  const cfg = (c: Record<string, unknown>) => ({ ...good.config, ...c }) as AdapterConfig;

  const ADAPTER_CASES: [string, () => [Uint8Array, unknown], RegExp][] = [
    ['a config that is not an object', () => [good.safetensors, [1]], new RegExp(`^${CFG}: is not a JSON object`)],
    ['r 0', () => [good.safetensors, cfg({ r: 0 })], new RegExp(`^${CFG}: r is 0; expected a whole number from 1 to 64 \\(at most the base's d_model 64\\)`)],
    ['r 300', () => [good.safetensors, cfg({ r: 300 })], new RegExp(`^${CFG}: r is 300; expected a whole number from 1 to 64`)],
    ['r as a string', () => [good.safetensors, cfg({ r: '4' })], new RegExp(`^${CFG}: r is "4"`)],
    ['a negative lora_alpha', () => [good.safetensors, cfg({ lora_alpha: -1 })], new RegExp(`^${CFG}: lora_alpha is -1; expected a positive finite number`)],
    ['an infinite lora_alpha', () => [good.safetensors, cfg({ lora_alpha: Infinity })], new RegExp(`^${CFG}: lora_alpha is Infinity; expected a positive finite number`)],
    ['a wrong rank in the tensors', () => [good.safetensors, cfg({ r: 8 })], new RegExp(`^${ST}: tensor ${escape(A0)} has shape \\[4, 64\\]; r 8 and target_modules q, v, fc on a d_model 64, .* base needs \\[8, 64\\]`)],
    ['a missing adapter tensor', () => [tensors((t) => t.filter((x) => x.name !== A0)), good.config], new RegExp(`^${ST}: tensor ${escape(A0)} \\[4, 64\\] is missing`)],
    ['an adapter for a module not in target_modules', () => [good.safetensors, cfg({ target_modules: ['q', 'v'] })], new RegExp(`^${ST}: tensor base_model\\.model\\.blocks\\.0\\.mlp\\.fc\\.lora_A\\.weight is not an adapter of r 4 and target_modules q, v`)],
    ['a base tensor in an adapter', () => [tensors((t) => [...t, zeros('base_model.model.head.weight', [256, 64])]), good.config], new RegExp(`^${ST}: tensor base_model\\.model\\.head\\.weight is not a LoRA tensor`)],
    ['a NaN in an adapter tensor', () => [tensors((t) => t.map((x) => (x.name === A0 ? { ...x, data: x.data.map((v, i) => (i === 2 ? NaN : v)) } : x))), good.config], new RegExp(`^${ST}: tensor ${escape(A0)} holds NaN at element 2`)],
    ['an adapter file cut short', () => [good.safetensors.slice(0, good.safetensors.length - 9), good.config], new RegExp(`^${ST}: tensor \\S+ has data_offsets .* run past the end of the data`)],
  ];

  it('decodes the valid adapter against its base', () => {
    expect(decodeAdapter(good.safetensors, good.config, DIR, SHAPE).tensors).toHaveLength(12);
  });

  it.each(ADAPTER_CASES)('refuses %s, naming the file and the tensor or key', (_what, build, message) => {
    const [bytes, config] = build();
    expect(refusal(() => decodeAdapter(bytes, config, DIR, SHAPE)).message).toMatch(message);
  });

  it('holds r to 256 when the base is not known', () => {
    expect(decodeAdapter(good.safetensors, good.config, DIR).lora.rank).toBe(4);
    expect(refusal(() => decodeAdapter(good.safetensors, cfg({ r: 257 }), DIR)).message).toMatch(new RegExp(`^${CFG}: r is 257; expected a whole number from 1 to 256$`));
  });
});
