// From text to batches: a deterministic train/validation split (the last val_split of the bytes is
// held out, as ../shared/bench/torch_scenarios.py does), an optional limit on the training data, the
// tokenizer (each split tokenized on its own), and a seeded sampler of window start offsets. The
// corpus goes to the GPU once; a step uploads only its window offsets. Shapes: a window is T + 1
// tokens (inputs window[:-1], targets window[1:]); with byte tokens a token is a byte.

import { Rng } from './rng';
import { BYTE_TOKENIZER, joinTokens, tokenizeBytes, type Tokenizer, type Tokens } from './tokenizer';

export interface Dataset {
  /** Train tokens, then validation tokens, then T + 1 tokens (0) of padding. */
  tokens: Tokens;
  trainStart: number;
  trainLen: number;
  valStart: number;
  valLen: number;
  /** UTF-8 bytes of the validation text per validation token (1 for byte tokens): loss per token → bits per byte. */
  valBytesPerToken: number;
}

export interface SplitOptions {
  valSplit: number;
  /** Keep only the first N bytes of the training split. */
  trainBytes: number | null;
  /** Window length T + 1 (to check both splits hold at least one window). */
  window: number;
}

export class DataError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'DataError';
  }
}

/**
 * Splits the text's bytes (the last val_split held out, train_bytes kept of the rest), then tokenizes
 * each part on its own: with byte tokens the tokens are those bytes.
 */
export function splitDataset(text: Uint8Array, o: SplitOptions, key = 'train_data', tokenizer: Tokenizer = BYTE_TOKENIZER): Dataset {
  if (text.length === 0) throw new DataError(key, 'the text is empty');
  const cut = Math.floor(text.length * (1 - o.valSplit));
  const trainBytes = o.trainBytes === null ? cut : Math.min(cut, o.trainBytes);
  const train = tokenizeBytes(tokenizer, text.subarray(0, trainBytes));
  const val = tokenizeBytes(tokenizer, text.subarray(cut));
  const unit = tokenizer.kind === 'byte' ? 'bytes' : 'tokens';
  if (train.length < o.window) {
    throw new DataError(o.trainBytes !== null && o.trainBytes < cut ? 'train_bytes' : key, `the training split has ${train.length} ${unit}; a window needs ${o.window} (context + 1)`);
  }
  if (val.length < o.window) throw new DataError('val_split', `the validation split has ${val.length} ${unit}; a window needs ${o.window} (context + 1)`);
  return { tokens: joinTokens([train, val], o.window), trainStart: 0, trainLen: train.length, valStart: train.length, valLen: val.length, valBytesPerToken: (text.length - cut) / val.length };
}

/** Draws window starts uniformly from [start, start + len - window], or from a fixed set of them. */
export class WindowSampler {
  private readonly rng: Rng;
  private readonly fixed: Uint32Array | null;

  constructor(
    readonly start: number,
    readonly len: number,
    readonly window: number,
    seed: number,
    /** Limit sampling to this many windows, drawn once (small-data experiments). */
    fixedWindows: number | null = null,
  ) {
    if (len < window) throw new Error(`WindowSampler: ${len} bytes cannot hold a window of ${window}`);
    this.rng = new Rng(seed);
    this.fixed = fixedWindows === null ? null : Uint32Array.from({ length: fixedWindows }, () => this.draw());
  }

  private draw(): number {
    return this.start + this.rng.int(this.len - this.window + 1);
  }

  /**
   * The sampler's position: its generator state. The fixed windows (if any) are drawn again from the
   * seed at construction, so this one word resumes the exact sequence of batches.
   */
  get state(): number {
    return this.rng.getState();
  }

  set state(s: number) {
    this.rng.setState(s);
  }

  next(n: number): Uint32Array {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.fixed ? this.fixed[this.rng.int(this.fixed.length)] : this.draw();
    return out;
  }
}

/** The validation windows every evaluation uses: a fixed draw (seed 1234), independent of the run's seed. */
export function evalWindowStarts(d: Dataset, window: number, count: number): Uint32Array {
  return new WindowSampler(d.valStart, d.valLen, window, 1234).next(count);
}

/** Consecutive windows of `window` bytes overlapping by one byte, covering `len` bytes from 0. */
export function consecutiveWindows(len: number, window: number): { starts: Uint32Array; lengths: Uint32Array } {
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let s = 0; s + 1 < len; s += window - 1) {
    starts.push(s);
    lengths.push(Math.min(window, len - s));
  }
  return { starts: Uint32Array.from(starts), lengths: Uint32Array.from(lengths) };
}
