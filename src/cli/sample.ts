// `stepsize sample --model FILE|DIR [--adapter DIR] --prompt TEXT`: prints the prompt and its
// continuation (length in tokens: bytes for a byte-level model, BPE tokens for GPT-2).

import { Generator } from '../model/generate';
import type { NodeBackend } from '../node/gpu';
import { loadModel, readModelInputs, tokenizerOf, windowOf } from './load-model';
import { positiveInt, withGpu } from './common';

export async function sampleCommand(o: { model: string; adapter?: string; prompt: string; length: number; temperature: number; topK: number; seed: number; blockSize?: number; gpu: NodeBackend }): Promise<void> {
  positiveInt('--length', o.length);
  if (!(o.temperature > 0)) throw new Error(`--temperature: ${o.temperature} is not allowed; a positive number`);
  if (!Number.isInteger(o.topK) || o.topK < 0 || o.topK > 256) throw new Error(`--top-k: ${o.topK} is not allowed; an integer from 0 to 256`);
  // Every file is read and validated before the GPU is opened: a bad one costs no device time.
  const inputs = readModelInputs(o.model, o.adapter);
  const tokenizer = tokenizerOf(inputs);
  const T = windowOf(inputs, o.blockSize);
  const text = await withGpu(o.gpu, async (ctx) => {
    const model = await loadModel(ctx, inputs, new Uint8Array(16), 1, 1, 1);
    const gen = await Generator.create(ctx, model.graph.shape, model.params, model.buffers.P, T);
    const out = await gen.generate(tokenizer.encode(o.prompt), { length: o.length, temperature: o.temperature, topK: o.topK, seed: o.seed });
    gen.destroy();
    model.destroy();
    return tokenizer.decode(out);
  });
  process.stdout.write(o.prompt + text + '\n');
}
