// The whole model's loss and every parameter gradient on the GPU against the float64 reference model,
// in the three training modes: from scratch, full fine-tuning (loaded weights), and LoRA (an adapter
// with B ≠ 0 on a subset of modules, so the merged-weight path and copied frozen rows are exercised).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { readF32, upload } from '../../../src/gpu/buffers';
import type { GpuContext } from '../../../src/gpu/device';
import { Program } from '../../../src/gpu/program';
import { backwardDispatches, forwardDispatches, mergeDispatches } from '../../../src/model/graph';
import { GpuModel, type ModelSetup } from '../../../src/model/gpu-model';
import { initParams } from '../../../src/model/init';
import { planModel } from '../../../src/model/plan';
import type { TrainScope } from '../../../src/model/params';
import type { LoraSpec, ModelShape } from '../../../src/config/architecture';
import { STYLES, type KernelStyle } from '../../../src/kernels/style';
import { arenaTensors } from '../../../src/model/weights';
import { refGpt, type RefParams } from '../../../src/ref/model';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';

const SHAPE: ModelShape = { vocab: 256, dModel: 16, nLayer: 2, nHead: 2, context: 8 };
const B = 2;
const T = 8;
const OPT = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0, divergeMargin: 0 };

function scope(lora: LoraSpec | null): TrainScope {
  return { mode: lora ? 'lora' : 'full', lora, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false };
}

async function gpuGrads(ctx: GpuContext, style: KernelStyle, lora: LoraSpec | null, perturb: (arena: Float32Array, model: GpuModel) => void) {
  const rng = new Rng(11);
  const corpus = Uint8Array.from({ length: 64 }, () => rng.int(256));
  const windowStarts = [3, 30];
  const setup: ModelSetup = { shape: SHAPE, scope: scope(lora), microBatch: B, seqLen: T, accum: 1, evalBatches: 0, optim: OPT, ringSlots: 2, style };
  const model = await GpuModel.create(ctx, planModel(setup), corpus);
  const arena = initParams(model.params, 5);
  perturb(arena, model);
  await model.setParams(arena);
  upload(ctx, model.buffers.windows, Uint32Array.from(windowStarts));
  const prog = new Program(ctx, 'forward+backward');
  for (const d of [...mergeDispatches(model.graph), ...forwardDispatches(model.graph, { winOff: 0, lossOff: 0, gradScale: 1 / (B * T) }), ...backwardDispatches(model.graph, 0)]) prog.add(d);
  await prog.build();
  await prog.run();
  const grads = await model.readGrads();
  const losses = await readF32(ctx, model.buffers.X, model.acts.layout.get('losses').offset, B * T);
  const params: RefParams = new Map(arenaTensors(model.params, arena).map((t) => [t.name, Float64Array.from(t.data)]));
  const windows = windowStarts.map((s) => Array.from(corpus.subarray(s, s + T + 1)));
  const ref = refGpt(params, SHAPE, windows, lora);
  const gpuGradByName = new Map<string, Float32Array>();
  for (const v of model.params.views) {
    if (!v.trainable) continue;
    for (const part of v.parts) {
      const n = part.shape.reduce((a, b) => a * b, 1);
      gpuGradByName.set(part.name, grads.slice(v.offset + part.at, v.offset + part.at + n));
    }
  }
  model.destroy();
  prog.destroy();
  return { ref, losses, gpuGradByName };
}

function compareAll(mode: string, r: Awaited<ReturnType<typeof gpuGrads>>) {
  expectClose(`model ${mode} losses`, r.losses, r.ref.losses, { atol: 1e-5, rtol: 1e-4 });
  expect(r.gpuGradByName.size).toBeGreaterThan(0);
  for (const [name, g] of r.gpuGradByName) {
    const want = r.ref.grads.get(name);
    if (!want) throw new Error(`reference has no gradient for ${name}`);
    expectClose(`model ${mode} grad ${name}`, g, want, { atol: 2e-5, rtol: 2e-3 });
  }
}

describe.each(STYLES)('whole-model gradients vs the float64 reference (%s style)', (style) => {
  const gpu = useGpu();

  it('from scratch: every parameter', async () => {
    const r = await gpuGrads(gpu(), style, null, () => {});
    expect(r.gpuGradByName.size).toBe(2 + 2 * 16 + 3); // 2 embeddings, 16 file tensors per block, ln_f (2) and head
    compareAll(`scratch ${style}`, r);
  });

  it('full fine-tuning from loaded weights: every parameter', async () => {
    const r = await gpuGrads(gpu(), style, null, (arena) => {
      const rng = new Rng(99);
      for (let i = 0; i < arena.length; i++) arena[i] += 0.1 * rng.normal();
    });
    compareAll(`full-ft ${style}`, r);
  });

  it('LoRA on q, v, fc, proj with B ≠ 0: every adapter tensor', async () => {
    const lora: LoraSpec = { rank: 4, alpha: 8, rsLora: false, targets: ['q', 'v', 'fc', 'proj'] };
    const r = await gpuGrads(gpu(), style, lora, (arena, model) => {
      const rng = new Rng(7);
      for (const v of model.params.views) if (v.kind === 'lora_B') for (let i = 0; i < v.size; i++) arena[v.offset + i] = 0.2 * rng.normal();
    });
    expect([...r.gpuGradByName.keys()].every((n) => n.includes('lora_'))).toBe(true);
    expect(r.gpuGradByName.size).toBe(2 * 4 * 2);
    for (const [name, g] of r.gpuGradByName) if (name.includes('lora_A')) expect(Math.max(...g.map(Math.abs)), name).toBeGreaterThan(1e-6);
    compareAll(`lora ${style}`, r);
  });
});

describe('no work for gradients nobody reads', () => {
  const gpu = useGpu();

  it("LoRA with frozen embeddings leaves out block 0's input gradient (qkv dX and ln1); full fine-tuning keeps it", async () => {
    const labels = async (lora: LoraSpec | null) => {
      const setup: ModelSetup = { shape: SHAPE, scope: scope(lora), microBatch: B, seqLen: T, accum: 1, evalBatches: 0, optim: OPT, ringSlots: 2, style: 'thread' };
      const model = await GpuModel.create(gpu(), planModel(setup), new Uint8Array(64));
      const out = backwardDispatches(model.graph, 0).map((d) => d.label);
      model.destroy();
      return out;
    };
    const dx0 = `${B * T}x${SHAPE.dModel}x${3 * SHAPE.dModel}`; // dX of block 0's qkv: [rows, d] from [rows, 3d]
    const full = await labels(null);
    const lora = await labels({ rank: 4, alpha: 8, rsLora: false, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'] });
    const qkv0 = (l: string[]) => l.find((x) => x.includes('qkv backward L0'))!;
    expect(full.some((l) => l.includes('layernorm.backward ln1 L0'))).toBe(true);
    expect(qkv0(full)).toContain(`[${dx0},`);
    expect(lora.some((l) => l.includes('layernorm.backward ln1 L0'))).toBe(false);
    expect(qkv0(lora)).not.toContain(dx0);
    // Block 1 still passes its input gradient down.
    expect(lora.some((l) => l.includes('layernorm.backward ln1 L1'))).toBe(true);
    // (after the adapters' jobs, which a dispatch starts first: graph.ts linearBackwardJobs)
    expect(lora.find((x) => x.includes('qkv backward L1'))).toMatch(new RegExp(`,${dx0}[,\\]]`));
    expect(lora.length).toBe(full.length - 1);
  });
});
