// From text to batches: a deterministic train/validation split (the last val_split of the bytes is
// held out, as ../shared/bench/torch_scenarios.py does), an optional limit on the training data, and
// a seeded sampler of window start offsets. The corpus goes to the GPU once; a step uploads only
// its window offsets. Shapes: a window is T + 1 bytes (inputs window[:-1], targets window[1:]).

import { Rng } from './rng';

export interface Dataset {
  /** Train bytes, then validation bytes, then T + 1 zero bytes of padding. */
  bytes: Uint8Array;
  trainStart: number;
  trainLen: number;
  valStart: number;
  valLen: number;
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

export function splitDataset(text: Uint8Array, o: SplitOptions, key = 'train_data'): Dataset {
  if (text.length === 0) throw new DataError(key, 'the text is empty');
  const cut = Math.floor(text.length * (1 - o.valSplit));
  let trainLen = cut;
  if (o.trainBytes !== null) trainLen = Math.min(trainLen, o.trainBytes);
  const valLen = text.length - cut;
  if (trainLen < o.window) {
    throw new DataError(o.trainBytes !== null && o.trainBytes < cut ? 'train_bytes' : key, `the training split has ${trainLen} bytes; a window needs ${o.window} (context + 1)`);
  }
  if (valLen < o.window) throw new DataError('val_split', `the validation split has ${valLen} bytes; a window needs ${o.window} (context + 1)`);
  const bytes = new Uint8Array(trainLen + valLen + o.window);
  bytes.set(text.subarray(0, trainLen), 0);
  bytes.set(text.subarray(cut), trainLen);
  return { bytes, trainStart: 0, trainLen, valStart: trainLen, valLen };
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
