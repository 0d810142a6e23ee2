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
import { BYTE_TOKENIZER, type Tokenizer, type Tokens } from '../data/tokenizer';
import { seqLenOf } from '../config/config';

export interface ModelInputs {
  modelPath: string;
  adapterDir?: string;
  file: ModelFile;
  adapter: ReturnType<typeof readAdapterDir> | null;
}

/** The model's tokenizer: a GPT-2 checkpoint's BPE, else bytes. */
export const tokenizerOf = (inputs: ModelInputs): Tokenizer => inputs.file.tokenizer ?? BYTE_TOKENIZER;

/** Positions per window: --block-size, or what a run of this model trains with by default (its context; 128 for GPT-2). */
export function windowOf(inputs: ModelInputs, blockSize: number | undefined): number {
  const { shape } = inputs.file;
  const T = blockSize ?? seqLenOf({ block_size: null }, shape);
  if (!Number.isInteger(T) || T < 1 || T > shape.context) throw new Error(`--block-size: ${blockSize} is not allowed; an integer from 1 to the model's context ${shape.context}`);
  return T;
}

/** Reads --model and --adapter and checks them against each other (names, shapes, r); no GPU. */
export function readModelInputs(modelPath: string, adapterDir: string | undefined): ModelInputs {
  const file = readModelFile(modelPath, '--model');
  const adapter = adapterDir ? readAdapterDir(adapterDir, '--adapter', file.shape) : null;
  return { modelPath, adapterDir, file, adapter };
}

/** Builds the model of `inputs` for windows of T + 1 tokens of `corpus`, batch sequences at a time. */
export async function loadModel(ctx: GpuContext, inputs: ModelInputs, corpus: Tokens, batch: number, evalBatches: number, T: number): Promise<GpuModel> {
  const { file, adapter } = inputs;
  const scope: TrainScope = {
    mode: adapter ? 'lora' : 'full', lora: adapter?.lora ?? null,
    layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false,
  };
  const model = await GpuModel.create(ctx, planModel({
    shape: file.shape, scope, microBatch: batch, seqLen: T, accum: 1, evalBatches,
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
