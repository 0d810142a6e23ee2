// Tokens straight from the corpus on the GPU. Corpus layout (src/kernels/embedding.ts packTokens):
// word 0 is the token width in bits (8: bytes, 16: BPE ids below MAX_BPE_VOCAB), then the tokens
// packed 32 / width to a u32, little-endian. A batch is a list of window start offsets, one per
// sequence: token (b, t) of a batch whose windows start at windows[win_off + b] is corpus token
// windows[win_off + b] + t.
// Requires module-scope bindings `corpus: array<u32>` and `windows: array<u32>`; the windows are
// the run's (rw, lib/runs.wgsl).

fn corpus_token(pos: u32) -> u32 {
  let bits = corpus[0];
  let per_word = 32u / bits;
  let word = corpus[1u + pos / per_word];
  return (word >> ((pos % per_word) * bits)) & ((1u << bits) - 1u);
}

fn token_at(win_off: u32, b: u32, t: u32) -> u32 {
  return corpus_token(windows[rw + win_off + b] + t);
}
