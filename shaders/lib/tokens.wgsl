// Tokens straight from the corpus on the GPU: the corpus is bytes packed four to a u32
// (little-endian), and a batch is a list of window start offsets, one per sequence. Token (b, t)
// of a batch whose windows start at windows[win_off + b] is corpus byte windows[win_off + b] + t.
// Requires module-scope bindings `corpus: array<u32>` and `windows: array<u32>`; the windows are
// the run's (rw, lib/runs.wgsl).

fn corpus_byte(pos: u32) -> u32 {
  return (corpus[pos >> 2u] >> ((pos & 3u) * 8u)) & 0xffu;
}

fn token_at(win_off: u32, b: u32, t: u32) -> u32 {
  return corpus_byte(windows[rw + win_off + b] + t);
}
