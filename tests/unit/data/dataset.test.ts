// Splits, the seeded window sampler, data limits, evaluation windows and the byte tokenizer.
import { describe, expect, it } from 'vitest';
import { consecutiveWindows, evalWindowStarts, splitDataset, WindowSampler } from '../../../src/data/dataset';
import { assembleSotu } from '../../../src/data/corpora';
import { decode, encode } from '../../../src/data/tokenizer';

const text = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);

describe('data', () => {
  it('holds out the last val_split of the bytes, deterministically', () => {
    const d = splitDataset(text, { valSplit: 0.1, trainBytes: null, window: 65 });
    expect([d.trainLen, d.valLen, d.valStart]).toEqual([900, 100, 900]);
    expect(d.tokens.subarray(0, 900)).toEqual(text.subarray(0, 900));
    expect(d.tokens.subarray(900, 1000)).toEqual(text.subarray(900));
    expect(d.tokens.length).toBe(1000 + 65);
  });

  it('limits the training split to train_bytes and refuses splits smaller than a window', () => {
    const d = splitDataset(text, { valSplit: 0.1, trainBytes: 200, window: 65 });
    expect([d.trainLen, d.valStart]).toEqual([200, 200]);
    expect(d.tokens.subarray(200, 300)).toEqual(text.subarray(900));
    expect(() => splitDataset(text, { valSplit: 0.1, trainBytes: 10, window: 65 })).toThrow(/^train_bytes: the training split has 10 bytes; a window needs 65/);
    expect(() => splitDataset(text, { valSplit: 0.05, trainBytes: null, window: 65 })).toThrow(/^val_split: the validation split has 50 bytes/);
    expect(() => splitDataset(new Uint8Array(0), { valSplit: 0.1, trainBytes: null, window: 65 })).toThrow(/^train_data: the text is empty/);
  });

  it('samples the same windows for the same seed, inside the training split', () => {
    const a = new WindowSampler(0, 900, 65, 42).next(500);
    const b = new WindowSampler(0, 900, 65, 42).next(500);
    const c = new WindowSampler(0, 900, 65, 43).next(500);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(Math.max(...a)).toBeLessThanOrEqual(900 - 65);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
  });

  it('limits sampling to a fixed set of windows', () => {
    const s = new WindowSampler(0, 900, 65, 1, 3);
    expect(new Set(s.next(200)).size).toBeLessThanOrEqual(3);
  });

  it('evaluates on fixed validation windows whatever the run seed', () => {
    const d = splitDataset(text, { valSplit: 0.2, trainBytes: null, window: 65 });
    const w = evalWindowStarts(d, 65, 8);
    expect(w).toEqual(evalWindowStarts(d, 65, 8));
    for (const s of w) expect(s >= d.valStart && s + 65 <= d.valStart + d.valLen).toBe(true);
  });

  it('covers a text with consecutive windows that overlap by one byte', () => {
    const { starts, lengths } = consecutiveWindows(10, 4);
    expect([...starts]).toEqual([0, 3, 6]);
    expect([...lengths]).toEqual([4, 4, 4]);
    const short = consecutiveWindows(11, 4);
    expect([...short.starts]).toEqual([0, 3, 6, 9]);
    expect([...short.lengths]).toEqual([4, 4, 4, 2]);
    expect(consecutiveWindows(1, 4).starts.length).toBe(0);
    // Every byte after the first is predicted exactly once.
    expect([...short.lengths].reduce((a, l) => a + l - 1, 0)).toBe(10);
  });

  it('tokenizes any UTF-8 as bytes and decodes a cut character without failing', () => {
    const bytes = encode('héllo 世界');
    expect(bytes.length).toBe(13);
    expect(decode(bytes)).toBe('héllo 世界');
    expect(decode(bytes.subarray(0, 12))).toBe('héllo 世\uFFFD');
  });

  it('assembles the State of the Union addresses in file-name order', () => {
    expect(assembleSotu([{ name: '1791_b.txt', text: 'B\n' }, { name: '1790_a.txt', text: ' A' }])).toBe('A\n\nB');
  });
});
