// Tokenizers: text ↔ token ids. Byte-level tokens (a token is one byte of UTF-8) serve Stepsize's own
// models: any text (Chinese included) works with a 256-token vocabulary and no tokenizer files. A
// GPT-2-family base brings its BPE tokenizer (src/data/bpe.ts). Token ids travel as Uint8Array
// (byte tokens) or Uint16Array (BPE ids below MAX_BPE_VOCAB), the widths the GPU corpus packs.

import { BYTE_VOCAB, MAX_BPE_VOCAB } from '../config/architecture';

/** Token ids: 8 bits for byte tokens, 16 for a BPE vocabulary. */
export type Tokens = Uint8Array | Uint16Array;

export interface Tokenizer {
  /** 'byte': one token per UTF-8 byte; 'bpe': a tokenizer.json's byte-level BPE (GPT-2's). */
  readonly kind: 'byte' | 'bpe';
  /** Every id it emits is below this. */
  readonly vocab: number;
  encode(text: string): Tokens;
  /** Text of a token sequence; a sequence cut mid-character shows U+FFFD instead of failing. */
  decode(tokens: ArrayLike<number>): string;
}

const encoder = new TextEncoder();

export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes bytes; a sequence cut mid-character (a sample's end) shows U+FFFD instead of failing. */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

export const BYTE_TOKENIZER: Tokenizer = {
  kind: 'byte',
  vocab: BYTE_VOCAB,
  encode,
  decode: (tokens) => decode(tokens instanceof Uint8Array ? tokens : Uint8Array.from(tokens)),
};

/** Ids as the narrowest array a vocabulary of this size needs (8 or 16 bits). */
export function tokenArray(vocab: number, ids: ArrayLike<number>): Tokens {
  if (vocab > MAX_BPE_VOCAB) throw new RangeError(`tokenArray: a vocabulary of ${vocab} is over ${MAX_BPE_VOCAB}`);
  return vocab <= BYTE_VOCAB ? Uint8Array.from(ids) : Uint16Array.from(ids);
}

/** A text's UTF-8 bytes as tokens: the bytes themselves for byte tokens, else the tokenizer's ids of their text. */
export function tokenizeBytes(tokenizer: Tokenizer, bytes: Uint8Array): Tokens {
  return tokenizer.kind === 'byte' ? bytes : tokenizer.encode(decode(bytes));
}

/** `parts` one after another, then `pad` zero tokens, in one array of their width (the corpus the GPU reads windows of). */
export function joinTokens(parts: readonly Tokens[], pad: number): Tokens {
  const n = parts.reduce((a, p) => a + p.length, 0) + pad;
  const out = parts[0] instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A loss in nats per token as bits per byte of text, given the text's bytes per token. */
export function bitsPerByte(natsPerToken: number, bytesPerToken: number): number {
  return natsPerToken / Math.LN2 / bytesPerToken;
}
