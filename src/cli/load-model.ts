// Loads a model file (and optionally a LoRA adapter) into an evaluation-only GpuModel.

import type { GpuContext } from '../gpu/device';
import { GpuModel } from '../model/gpu-model';
import { initParams } from '../model/init';
import type { TrainScope } from '../model/params';
import { loadTensors } from '../model/weights';
import { readAdapterDir, readModelFile } from '../node/files';

export async function loadModel(ctx: GpuContext, modelPath: string, adapterDir: string | undefined, corpus: Uint8Array, batch: number, evalBatches: number): Promise<GpuModel> {
  const file = readModelFile(modelPath, '--model');
  const adapter = adapterDir ? readAdapterDir(adapterDir) : null;
  const scope: TrainScope = {
    mode: adapter ? 'lora' : 'full', lora: adapter?.lora ?? null,
    layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false,
  };
  const model = await GpuModel.create(ctx, {
    shape: file.shape, scope, microBatch: batch, seqLen: file.shape.context, accum: 1, evalBatches,
    optim: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 0, divergeMargin: 0 }, ringSlots: 2, training: false,
  }, corpus);
  const arena = initParams(model.params, 0);
  loadTensors(model.params, arena, file.tensors, modelPath, true);
  if (adapter) {
    loadTensors(model.params, arena, adapter.tensors, `${adapterDir}/adapter_model.safetensors`, false);
    const missing = model.params.views.filter((v) => v.kind.startsWith('lora')).flatMap((v) => v.parts.map((p) => p.name)).filter((n) => !adapter.tensors.some((t) => t.name.endsWith(n)));
    if (missing.length) throw new Error(`${adapterDir}: adapter_model.safetensors lacks ${missing[0]} (and ${missing.length - 1} more) that adapter_config.json's target_modules imply`);
  }
  await model.setParams(arena);
  return model;
}
