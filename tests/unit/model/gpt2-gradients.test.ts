// A GPT-2 checkpoint (the project's fixture in Hugging Face's layout, mapped by src/runs/hf-gpt2.ts)
// on the GPU against the float64 reference written in HF's own layout (src/ref/gpt2.ts: Conv1D
// [in, out], fused c_attn, the head tied to wte, PEFT's LoRA on c_attn / c_proj / c_fc). Losses and
// every gradient, in full fine-tuning (the tied wte's gradient holds the head's and the embedding's)
// and LoRA (B ≠ 0), both kernel styles. The GPU's gradients are mapped back to HF names by the same
// code that writes checkpoints and PEFT adapters.
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { readF32, upload } from '../../../src/gpu/buffers';
import type { GpuContext } from '../../../src/gpu/device';
import { Program } from '../../../src/gpu/program';
import { backwardDispatches, copyFrozenDispatches, forwardDispatches, mergeDispatches } from '../../../src/model/graph';
import { GpuModel, type ModelSetup } from '../../../src/model/gpu-model';
import { initParams } from '../../../src/model/init';
import { planModel } from '../../../src/model/plan';
import type { TrainScope } from '../../../src/model/params';
import { loraScaleOf, type LoraSpec } from '../../../src/config/architecture';
import { STYLES, type KernelStyle } from '../../../src/kernels/style';
import { arenaTensors, loadTensors } from '../../../src/model/weights';
import { refGpt2, type Gpt2Module } from '../../../src/ref/gpt2';
import type { RefParams } from '../../../src/ref/model';
import { decodeGpt2Checkpoint, gpt2AdapterName, GPT2_MODULES, toGpt2Tensors } from '../../../src/runs/hf-gpt2';
import { FIXTURE_VOCAB, gpt2FixtureFiles } from '../../fixtures/gpt2';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';

const SMALL = { dModel: 16, nLayer: 2, nHead: 2, context: 12 };
const B = 2;
const T = 8;
const OPT = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0, divergeMargin: 0 };
/** The largest gradient error of each kind, kept for the closing note (printed at the end). */
const worst = new Map<string, number>();

function scope(lora: LoraSpec | null): TrainScope {
  return { mode: lora ? 'lora' : 'full', lora, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false };
}

async function compareWithReference(ctx: GpuContext, style: KernelStyle, lora: LoraSpec | null) {
  const files = gpt2FixtureFiles(SMALL, 3);
  const base = decodeGpt2Checkpoint(files, 'fixture');
  const shape = base.shape;
  const rng = new Rng(21);
  const corpus = Uint16Array.from({ length: 64 }, () => rng.int(FIXTURE_VOCAB));
  const windowStarts = [5, 40];
  const setup: ModelSetup = { shape, scope: scope(lora), microBatch: B, seqLen: T, accum: 1, evalBatches: 0, optim: OPT, ringSlots: 2, style };
  const model = await GpuModel.create(ctx, planModel(setup), corpus);
  const arena = initParams(model.params, 5);
  loadTensors(model.params, arena, base.tensors, 'fixture', true);
  for (const v of model.params.views) if (v.kind === 'lora_B') for (let i = 0; i < v.size; i++) arena[v.offset + i] = 0.2 * rng.normal();
  await model.setParams(arena);
  upload(ctx, model.buffers.windows, Uint32Array.from(windowStarts));
  const prog = new Program(ctx, 'forward+backward');
  for (const d of [...copyFrozenDispatches(model.graph), ...mergeDispatches(model.graph), ...forwardDispatches(model.graph, { winOff: 0, lossOff: 0, gradScale: 1 / (B * T) }), ...backwardDispatches(model.graph, 0)]) prog.add(d);
  await prog.build();
  await prog.run();
  const grads = await model.readGrads();
  const losses = await readF32(ctx, model.buffers.X, model.acts.layout.get('losses').offset, B * T);

  // The reference's parameters: the checkpoint's own HF tensors, and the adapters under PEFT's GPT-2 names.
  const params: RefParams = new Map(files.tensors.map((t) => [t.name, Float64Array.from(t.data)]));
  for (const t of arenaTensors(model.params, arena)) if (t.name.includes('.lora_')) params.set(gpt2AdapterName(t.name)!, Float64Array.from(t.data));
  const modules = lora ? lora.targets.map((t) => GPT2_MODULES[t as keyof typeof GPT2_MODULES] as Gpt2Module) : [];
  const windows = windowStarts.map((s) => Array.from(corpus.subarray(s, s + T + 1)));
  const ref = refGpt2(params, shape, windows, lora ? { rank: lora.rank, scale: loraScaleOf(lora), modules } : null);

  // The GPU's gradients under HF names: base tensors through toGpt2Tensors, adapters through gpt2AdapterName.
  const gpuGrads = new Map<string, Float32Array>();
  const partGrads = new Map<string, Float32Array>();
  for (const v of model.params.views) {
    if (!v.trainable) continue;
    for (const part of v.parts) partGrads.set(part.name, grads.slice(v.offset + part.at, v.offset + part.at + part.shape.reduce((a, b) => a * b, 1)));
  }
  if (lora) for (const [name, g] of partGrads) gpuGrads.set(gpt2AdapterName(name)!, g);
  else for (const t of toGpt2Tensors(partGrads, shape)) gpuGrads.set(t.name, t.data);
  model.destroy();
  prog.destroy();

  const mode = `${lora ? 'lora' : 'full'} ${style}`;
  expectClose(`gpt2 ${mode} losses`, losses, ref.losses, { atol: 1e-5, rtol: 1e-4 });
  expect(gpuGrads.size).toBe(lora ? 2 * SMALL.nLayer * lora.targets.length : 2 + 12 * SMALL.nLayer + 2);
  for (const [name, g] of gpuGrads) {
    const want = ref.grads.get(name);
    if (!want) throw new Error(`reference has no gradient for ${name}`);
    expectClose(`gpt2 ${mode} grad ${name}`, g, want, { atol: 2e-5, rtol: 2e-3 });
    let err = 0;
    for (let i = 0; i < g.length; i++) err = Math.max(err, Math.abs(g[i] - want[i]));
    const kind = `${mode}${name === 'wte.weight' ? ' (tied wte)' : ''}`;
    worst.set(kind, Math.max(worst.get(kind) ?? 0, err));
  }
  return ref;
}

describe.each(STYLES)('GPT-2 gradients vs the float64 reference in HF layout (%s style)', (style) => {
  const gpu = useGpu();

  it('full fine-tuning: every tensor, the tied wte included', async () => {
    const ref = await compareWithReference(gpu(), style, null);
    // The tied head's share of wte's gradient is large: without it the comparison above would fail.
    expect(Math.max(...ref.grads.get('wte.weight')!.map(Math.abs))).toBeGreaterThan(1e-3);
  });

  it('LoRA on c_attn (fused qkv), c_proj (o and proj) and c_fc with B ≠ 0: every adapter tensor', async () => {
    await compareWithReference(gpu(), style, { rank: 4, alpha: 8, rsLora: false, targets: ['qkv', 'o', 'fc', 'proj'] });
  });

  afterAll(() => {
    for (const [k, v] of worst) if (k.includes(style)) console.log(`gpt2 gradient max |GPU − float64| ${k}: ${v.toExponential(2)}`);
  });
});
