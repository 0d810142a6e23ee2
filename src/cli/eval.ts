// `stepsize eval --model FILE|DIR [--adapter DIR] --text FILE`: mean cross-entropy in nats of each
// token given the tokens before it (`loss`; a token is a byte for a byte-level model, a BPE token for
// GPT-2), over consecutive windows of block size + 1 tokens overlapping by one token (inputs
// window[:-1], targets window[1:]); a shorter last window counts if it has at least 2 tokens.
// `bits_per_byte` is the same loss per byte of text, so models with different tokenizers compare.

import { consecutiveWindows } from '../data/dataset';
import { bitsPerByte, joinTokens, tokenizeBytes } from '../data/tokenizer';
import { readTextFile } from '../node/files';
import type { NodeBackend } from '../node/gpu';
import { loadModel, readModelInputs, tokenizerOf, windowOf } from './load-model';
import { positiveInt, withGpu } from './common';

export async function evalCommand(o: { model: string; adapter?: string; text: string; batch: number; blockSize?: number; gpu: NodeBackend }): Promise<void> {
  const text = readTextFile(o.text, '--text');
  // Every file is read and validated before the GPU is opened: a bad one costs no device time.
  const inputs = readModelInputs(o.model, o.adapter);
  const B = positiveInt('--batch', o.batch);
  const T = windowOf(inputs, o.blockSize);
  const tokenizer = tokenizerOf(inputs);
  const ids = tokenizeBytes(tokenizer, text);
  const { starts, lengths } = consecutiveWindows(ids.length, T + 1);
  if (!starts.length) throw new Error(`--text: ${o.text} has ${ids.length} token(s); at least 2 are needed`);
  const corpus = joinTokens([ids], T + 1);
  const rounds = Math.min(4, Math.ceil(starts.length / B));
  const result = await withGpu(o.gpu, async (ctx) => {
    const model = await loadModel(ctx, inputs, corpus, B, rounds, T);
    const losses = await model.windowLosses(starts);
    model.destroy();
    let sum = 0;
    let tokens = 0;
    for (let w = 0; w < starts.length; w++) {
      for (let t = 0; t < lengths[w] - 1; t++) sum += losses[w * T + t];
      tokens += lengths[w] - 1;
    }
    const loss = sum / tokens;
    return { loss, tokens, bits_per_byte: bitsPerByte(loss, text.length / ids.length) };
  });
  process.stdout.write(JSON.stringify(result) + '\n');
}
