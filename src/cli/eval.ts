// `stepsize eval --model FILE [--adapter DIR] --text FILE`: mean cross-entropy in nats of each byte
// given the bytes before it, over consecutive windows of context + 1 bytes overlapping by one byte
// (inputs window[:-1], targets window[1:]); a shorter last window counts if it has at least 2 bytes.

import { consecutiveWindows } from '../data/dataset';
import { readTextFile } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { loadModel, readModelInputs } from './load-model';
import { positiveInt, withGpu } from './common';

export async function evalCommand(o: { model: string; adapter?: string; text: string; batch: number; gpu: NodeBackend }): Promise<void> {
  const text = readTextFile(o.text, '--text');
  // Every file is read and validated before the GPU is opened: a bad one costs no device time.
  const inputs = readModelInputs(o.model, o.adapter);
  const { shape } = inputs.file;
  const B = positiveInt('--batch', o.batch);
  const T = shape.context;
  const { starts, lengths } = consecutiveWindows(text.length, T + 1);
  if (!starts.length) throw new Error(`--text: ${o.text} has ${text.length} byte(s); at least 2 are needed`);
  const corpus = new Uint8Array(text.length + T + 1);
  corpus.set(text);
  const rounds = Math.min(4, Math.ceil(starts.length / B));
  const result = await withGpu(o.gpu, async (ctx) => {
    const model = await loadModel(ctx, inputs, corpus, B, rounds);
    const losses = await model.windowLosses(starts);
    model.destroy();
    let sum = 0;
    let tokens = 0;
    for (let w = 0; w < starts.length; w++) {
      for (let t = 0; t < lengths[w] - 1; t++) sum += losses[w * T + t];
      tokens += lengths[w] - 1;
    }
    return { loss: sum / tokens, tokens };
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}
