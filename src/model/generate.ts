// Text generation: the model's forward pass on one sequence (B = 1, T = the run's context) built once
// over the shared parameter buffer, its own activations, and a small context buffer. Each new token is one
// forward pass and a read of one logits row through one staging buffer kept for the purpose (the
// pass and the copy in one submit); the choice (temperature, top-k) uses a seeded Rng, so a
// sample is reproducible.

import { Rng } from '../data/rng';
import { createStorage, createStorageFrom, RepeatedReader, upload } from '../gpu/buffers';
import type { GpuContext } from '../gpu/device';
import { Program, type BufferRef } from '../gpu/program';
import { packTokens } from '../kernels/embedding';
import { tokenArray, type Tokens } from '../data/tokenizer';
import { styleFor, type KernelStyle } from '../kernels/style';
import { planActivations } from './activations';
import { ONE_RUN } from '../kernels/runs';
import { copyFrozenDispatches, forwardDispatches, mergeDispatches, type Graph } from './graph';
import type { ParamTable } from './params';
import type { ModelShape } from '../config/architecture';

export interface SampleOptions {
  length: number;
  temperature: number;
  topK: number;
  seed: number;
}

/** Picks a token from logits: softmax(logits / temperature) restricted to the top k (0 = all). */
export function pickToken(logits: ArrayLike<number>, o: { temperature: number; topK: number }, rng: Rng): number {
  const V = logits.length;
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const keep = o.topK > 0 ? order.slice(0, o.topK) : order;
  const max = logits[keep[0]];
  const w = keep.map((i) => Math.exp((logits[i] - max) / o.temperature));
  const total = w.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < keep.length; i++) {
    u -= w[i];
    if (u < 0) return keep[i];
  }
  return keep[keep.length - 1];
}

export class Generator {
  private constructor(
    private readonly ctx: GpuContext,
    private readonly shape: ModelShape,
    /** The last T tokens of the sequence (the positions the forward sees), zero-padded to T + 1: refilled per token. */
    private readonly window: Tokens,
    private readonly program: Program,
    private readonly X: GPUBuffer,
    private readonly context: GPUBuffer,
    private readonly logitsOff: number,
    private readonly logitsRow: RepeatedReader,
    private readonly owned: GPUBuffer[],
  ) {}

  /**
   * Builds the one-sequence forward over `P` (the training model's parameter buffer, or one packed
   * run's part of it) that sees the last T tokens (at most shape.context; the run's context).
   */
  static async create(ctx: GpuContext, shape: ModelShape, params: ParamTable, P: BufferRef, T: number = shape.context, style: KernelStyle = styleFor(ctx.adapter)): Promise<Generator> {
    if (!(T >= 1 && T <= shape.context)) throw new RangeError(`Generator: T ${T} is outside 1..${shape.context}`);
    const acts = planActivations(shape, params, 1, T, T, false);
    const X = await createStorage(ctx, 'sample activations', acts.layout.bytes);
    const window = tokenArray(shape.vocab, new Array(T + 1).fill(0));
    const context = await createStorage(ctx, 'sample context', packTokens(window).byteLength);
    const windows = await createStorageFrom(ctx, 'sample window', new Uint32Array([0]));
    const G = await createStorage(ctx, 'sample grads (unused)', 16);
    const graph: Graph = { shape, params, acts, bufs: { P, X, G, corpus: context, windows }, style, runs: ONE_RUN };
    const copy = copyFrozenDispatches(graph);
    if (copy.length) await copy.reduce((p, d) => p.add(d), new Program(ctx, 'sample copy frozen')).build().then((p) => p.run());
    const program = new Program(ctx, 'sample forward');
    for (const d of [...mergeDispatches(graph), ...forwardDispatches(graph, { winOff: 0, lossOff: 0, logitsOnly: true })]) program.add(d);
    await program.build();
    const logitsRow = await RepeatedReader.create(ctx, 'sample logits row', shape.vocab * 4);
    return new Generator(ctx, shape, window, program, X, context, acts.layout.get('logits').offset, logitsRow, [X, context, windows, G]);
  }

  /** Continues `prompt` (token ids; empty: a newline) by `o.length` tokens. */
  async generate(prompt: ArrayLike<number>, o: SampleOptions): Promise<number[]> {
    const T = this.window.length - 1;
    const V = this.shape.vocab;
    const rng = new Rng(o.seed);
    const seq = prompt.length ? Array.from(prompt) : [10];
    const out: number[] = [];
    for (let i = 0; i < o.length; i++) {
      const window = seq.slice(-T);
      this.window.fill(0).set(window);
      upload(this.ctx, this.context, packTokens(this.window));
      const bytes = await this.logitsRow.read((enc) => this.program.submit(enc), this.X, (this.logitsOff + (window.length - 1) * V) * 4);
      const row = new Float32Array(bytes);
      const next = pickToken(row, o, rng);
      seq.push(next);
      out.push(next);
    }
    return out;
  }

  destroy(): void {
    this.program.destroy();
    this.logitsRow.destroy();
    for (const b of this.owned) b.destroy();
  }
}
