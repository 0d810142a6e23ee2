// Loads a model file (and optionally a LoRA adapter) into an evaluation-only GpuModel, in two steps:
// readModelInputs reads and validates every file on the CPU, so a bad --model or --adapter is
// refused before a GPU device is opened; loadModel then builds the model on the GPU from them.

import type { GpuContext } from '../gpu/device';
import { GpuModel } from '../model/gpu-model';
import { initParams } from '../model/init';
import type { TrainScope } from '../model/params';
import { planModel } from '../model/plan';
import { loadTensors } from '../model/weights';
import { readAdapterDir, readModelFile } from '../node/files';
import type { ModelFile } from '../runs/model-files';

export interface ModelInputs {
  modelPath: string;
  adapterDir?: string;
  file: ModelFile;
  adapter: ReturnType<typeof readAdapterDir> | null;
}

/** Reads --model and --adapter and checks them against each other (names, shapes, r); no GPU. */
export function readModelInputs(modelPath: string, adapterDir: string | undefined): ModelInputs {
  const file = readModelFile(modelPath, '--model');
  const adapter = adapterDir ? readAdapterDir(adapterDir, '--adapter', file.shape) : null;
  return { modelPath, adapterDir, file, adapter };
}

export async function loadModel(ctx: GpuContext, inputs: ModelInputs, corpus: Uint8Array, batch: number, evalBatches: number): Promise<GpuModel> {
  const { file, adapter } = inputs;
  const scope: TrainScope = {
    mode: adapter ? 'lora' : 'full', lora: adapter?.lora ?? null,
    layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false,
  };
  const model = await GpuModel.create(ctx, planModel({
    shape: file.shape, scope, microBatch: batch, seqLen: file.shape.context, accum: 1, evalBatches,
    optim: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, gradClip: 0, divergeMargin: 0 }, ringSlots: 2, training: false,
  }), corpus);
  // The files were checked against this very table in readModelInputs; loadTensors checks again as a
  // guard and writes nothing unless all of them fit.
  const arena = initParams(model.params, 0);
  loadTensors(model.params, arena, file.tensors, inputs.modelPath, true);
  if (adapter) loadTensors(model.params, arena, adapter.tensors, `${inputs.adapterDir}/adapter_model.safetensors`, false);
  await model.setParams(arena);
  return model;
}
