// Byte-level tokens: a token is one byte of UTF-8, so any text (Chinese included) works with a
// 256-token vocabulary and no tokenizer files.

const encoder = new TextEncoder();

export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes bytes; a sequence cut mid-character (a sample's end) shows U+FFFD instead of failing. */
export function decode(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}
