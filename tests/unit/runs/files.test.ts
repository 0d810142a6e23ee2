// safetensors, model and PEFT adapter files, run records and CSV.
import { describe, expect, it } from 'vitest';
import { buildParamTable, type TrainScope } from '../../../src/model/params';
import { initParams } from '../../../src/model/init';
import { MODEL_PRESETS } from '../../../src/config/architecture';
import { arenaTensors, loadTensors, PEFT_PREFIX } from '../../../src/model/weights';
import { metricsCsv, parseCsv, runsCsv, toCsv } from '../../../src/runs/csv';
import { sampleRun } from '../helpers/sample-run';
import { decodeAdapter, decodeModelFile, encodeAdapter, encodeModelFile } from '../../../src/runs/model-files';
import { decodeSafetensors, encodeSafetensors } from '../../../src/runs/safetensors';
import { parseRun, serializeRun } from '../../../src/runs/schema';

const scope = (lora: boolean): TrainScope => ({
  mode: lora ? 'lora' : 'full', lora: lora ? { rank: 4, alpha: 8, rsLora: false, targets: ['q', 'v', 'fc'] } : null,
  layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false,
});

describe('files', () => {
  it('round-trips safetensors and refuses other dtypes, naming the tensor', () => {
    const bytes = encodeSafetensors([{ name: 'w', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }], { k: 'v' });
    const f = decodeSafetensors(bytes);
    expect(f.metadata).toEqual({ k: 'v' });
    expect([...f.tensors[0].data]).toEqual([1, 2, 3, 4, 5, 6]);
    const headerLen = new DataView(bytes.buffer).getUint32(0, true);
    expect((8 + headerLen) % 8).toBe(0);
    const bad = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F16', shape: [1], data_offsets: [0, 2] } }));
    const file = new Uint8Array(8 + bad.length + 2);
    new DataView(file.buffer).setUint32(0, bad.length, true);
    file.set(bad, 8);
    expect(() => decodeSafetensors(file, 'm.safetensors')).toThrow(/^m\.safetensors: tensor w has dtype F16; only F32 is supported/);
    expect(() => decodeSafetensors(new Uint8Array(3), 'x')).toThrow(/too short/);
  });

  it('writes a model file with PyTorch names and the architecture in __metadata__', () => {
    const t = buildParamTable(MODEL_PRESETS.tiny, scope(false));
    const arena = initParams(t, 3);
    const f = decodeModelFile(encodeModelFile(t, arena, MODEL_PRESETS.tiny), 'm');
    expect(f.shape).toEqual(MODEL_PRESETS.tiny);
    const names = f.tensors.map((x) => x.name);
    expect(names).toContain('blocks.0.attn.q.weight');
    expect(names).toContain('blocks.1.mlp.proj.bias');
    expect(f.tensors.find((x) => x.name === 'blocks.0.attn.k.weight')!.shape).toEqual([64, 64]);
    expect(f.tensors.find((x) => x.name === 'head.weight')!.shape).toEqual([256, 64]);
    const back = new Float32Array(t.size);
    loadTensors(t, back, f.tensors, 'm', true);
    expect(back).toEqual(arena);
    expect(() => loadTensors(t, back, f.tensors.slice(1), 'm', true)).toThrow(/^m: tensor tok_emb\.weight is missing/);
    expect(() => loadTensors(t, back, [{ name: 'head.weight', shape: [2, 2], data: new Float32Array(4) }], 'm', false)).toThrow(/tensor head\.weight has shape \[2, 2\]; this model needs \[256, 64\]/);
  });

  it("writes a PEFT adapter: base_model.model.<module>.lora_A.weight [r, in], lora_B [out, r] and PEFT's config keys", () => {
    const t = buildParamTable(MODEL_PRESETS.tiny, scope(true));
    const arena = initParams(t, 3);
    const a = encodeAdapter(t, arena, 'runs/base/model.safetensors');
    expect(a.config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 8, target_modules: ['q', 'v', 'fc'], use_rslora: false, base_model_name_or_path: 'runs/base/model.safetensors' });
    const d = decodeAdapter(a.safetensors, a.config, 'a');
    const A = d.tensors.find((x) => x.name === `${PEFT_PREFIX}blocks.0.mlp.fc.lora_A.weight`)!;
    const B = d.tensors.find((x) => x.name === `${PEFT_PREFIX}blocks.0.mlp.fc.lora_B.weight`)!;
    expect([A.shape, B.shape]).toEqual([[4, 64], [256, 4]]);
    expect(d.tensors).toHaveLength(2 * 3 * 2);
    expect(d.tensors.every((x) => x.name.startsWith(PEFT_PREFIX) && /lora_[AB]\.weight$/.test(x.name))).toBe(true);
    expect(() => decodeAdapter(a.safetensors, { ...a.config, target_modules: ['attn'] }, 'a')).toThrow(/target_modules is \["attn"\]; expected a non-empty list/);
    expect(arenaTensors(t, arena).length).toBeGreaterThan(d.tensors.length);
  });

  it('validates run files, naming the bad field, and round-trips NaN as null', () => {
    const run = sampleRun();
    const json = JSON.parse(serializeRun(run));
    expect(json.metrics.loss[1]).toBeNull();
    expect(parseRun(json).name).toBe('demo');
    expect(() => parseRun({ ...json, format: 'other' }, 'x.json')).toThrow(/^x\.json: format is "other"; a Stepsize run has format "stepsize\.run"/);
    expect(() => parseRun({ ...json, version: 99 })).toThrow(/version 99 is newer than this Stepsize reads/);
    expect(() => parseRun({ ...json, metrics: { ...json.metrics, lr: [1] } })).toThrow(/metrics\.lr has 1 entries but metrics\.step has 2/);
    expect(() => parseRun({ ...json, outcome: { ...json.outcome, status: 'exploded' } })).toThrow(/outcome\.status/);
    expect(() => parseRun({ ...json, config: { ...json.config, batch_size: -3 } })).toThrow(/config: batch_size: -3 is not allowed/);
    expect(() => parseRun('nope')).toThrow(/is not a JSON object/);
  });

  it('writes metrics.csv with a header and one row per step, and a multi-run CSV', () => {
    const csv = metricsCsv(sampleRun()).trim().split('\n');
    expect(csv[0]).toBe('step,tokens,loss,lr,grad_norm,clip,update_ratio,elapsed_ms');
    expect(csv).toHaveLength(3);
    expect(csv[2].split(',')[2]).toBe('NaN');
    const multi = runsCsv([sampleRun(), { ...sampleRun(), name: 'b,c' }]).trim().split('\n');
    expect(multi[0].startsWith('run,step,tokens')).toBe(true);
    expect(multi[3].startsWith('"b,c",1,')).toBe(true);
  });

  it('reads CSV back (quoted cells, doubled quotes, line breaks inside a cell) and neutralises formulas but not negative numbers', () => {
    const text = toCsv(['run', 'note', 'x'], [['a,b', 'say "hi"\nthen go', -0.5], ['=1+1', '@cmd', 3], ['-x', null, 0]]);
    expect(text.split('\n')[0]).toBe('run,note,x');
    const back = parseCsv(text);
    expect(back.fields).toEqual(['run', 'note', 'x']);
    expect(back.rows).toEqual([
      { run: 'a,b', note: 'say "hi"\nthen go', x: '-0.5' },
      { run: "'=1+1", note: "'@cmd", x: '3' },
      { run: "'-x", note: '', x: '0' },
    ]);
    expect(() => parseCsv('a,b\n1,2\n"unclosed,1\n')).toThrow('CSV: Quoted field unterminated (line 3)');
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow('CSV: Too many fields: expected 2 fields but parsed 3 (line 2)');
  });
});
