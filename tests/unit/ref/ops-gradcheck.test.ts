// Each reference backward in src/ref against finite differences of L = Σ out·dout, for a random
// dout, on small shapes (LoRA with B ≠ 0, or A's gradient would be zero and prove nothing).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { attentionBackward, attentionForward } from '../../../src/ref/attention';
import { crossEntropyBackward, crossEntropyForward } from '../../../src/ref/crossentropy';
import { embeddingBackward, embeddingForward } from '../../../src/ref/embedding';
import { geluBackward, geluForward } from '../../../src/ref/gelu';
import { gradCheck } from '../../../src/ref/gradcheck';
import { layerNormBackward, layerNormForward } from '../../../src/ref/layernorm';
import { linearBackward, linearForward } from '../../../src/ref/linear';
import { loraBackward, loraForward } from '../../../src/ref/lora';
import { residualBackward, residualForward } from '../../../src/ref/residual';

const TOL = { abs: 1e-6, rel: 1e-6 };

function check(name: string, r: { maxAbs: number; maxRel: number; checked: number }) {
  expect(r.checked, `${name}: elements checked`).toBeGreaterThan(0);
  expect(r.maxAbs <= TOL.abs || r.maxRel <= TOL.rel, `${name}: maxAbs ${r.maxAbs}, maxRel ${r.maxRel}`).toBe(true);
}

describe('reference backward vs finite differences', () => {
  const rng = new Rng(7);

  it('linear', () => {
    const [M, K, N] = [3, 5, 4];
    const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N), dy = rng.uniformArray(M * N);
    const g = linearBackward(dy, x, w, M, K, N);
    check('linear', gradCheck(([x, w, b]) => linearForward(x, w, b, M, K, N), [x, w, b], dy, [g.dx, g.dw, g.db]));
  });

  it('lora (B non-zero)', () => {
    const [M, K, N, r, s] = [4, 6, 5, 2, 8];
    const x = rng.uniformArray(M * K), w = rng.uniformArray(N * K), b = rng.uniformArray(N);
    const A = rng.uniformArray(r * K), B = rng.uniformArray(N * r), dy = rng.uniformArray(M * N);
    const g = loraBackward(dy, x, w, A, B, M, K, N, r, s);
    expect(Math.max(...g.dA.map(Math.abs))).toBeGreaterThan(1e-3);
    check('lora', gradCheck(([x, A, B]) => loraForward(x, w, b, A, B, M, K, N, r, s), [x, A, B], dy, [g.dx, g.dA, g.dB]));
  });

  it('embedding', () => {
    const [B, T, C, V, Tmax] = [2, 3, 4, 7, 5];
    const tokens = [1, 6, 1, 0, 3, 1];
    const wte = rng.uniformArray(V * C), wpe = rng.uniformArray(Tmax * C), dx = rng.uniformArray(B * T * C);
    const g = embeddingBackward(dx, tokens, B, T, C, V, Tmax);
    check('embedding', gradCheck(([wte, wpe]) => embeddingForward(tokens, wte, wpe, B, T, C), [wte, wpe], dx, [g.dwte, g.dwpe]));
  });

  it('layernorm', () => {
    const [R, C] = [3, 7];
    const x = rng.uniformArray(R * C, -2, 2), w = rng.uniformArray(C), b = rng.uniformArray(C), dy = rng.uniformArray(R * C);
    const g = layerNormBackward(dy, x, w, R, C);
    check('layernorm', gradCheck(([x, w, b]) => layerNormForward(x, w, b, R, C).y, [x, w, b], dy, [g.dx, g.dw, g.db]));
  });

  it('gelu', () => {
    const x = rng.uniformArray(50, -5, 5), dy = rng.uniformArray(50);
    check('gelu', gradCheck(([x]) => geluForward(x), [x], dy, [geluBackward(dy, x)]));
  });

  it('attention (causal, 2 heads)', () => {
    const [B, T, C, H] = [2, 4, 6, 2];
    const qkv = rng.uniformArray(B * T * 3 * C, -1, 1), dout = rng.uniformArray(B * T * C);
    const dqkv = attentionBackward(dout, qkv, B, T, C, H);
    check('attention', gradCheck(([q]) => attentionForward(q, B, T, C, H).out, [qkv], dout, [dqkv]));
  });

  it('softmax + cross-entropy', () => {
    const [R, V] = [4, 9];
    const logits = rng.uniformArray(R * V, -3, 3), targets = [0, 8, 3, 3];
    const dl = crossEntropyBackward(logits, targets, R, V, 1);
    check('crossentropy', gradCheck(([l]) => [crossEntropyForward(l, targets, R, V).loss], [logits], [1], [dl]));
  });

  it('residual add', () => {
    const a = rng.uniformArray(6), b = rng.uniformArray(6), dy = rng.uniformArray(6);
    const g = residualBackward(dy);
    check('residual', gradCheck(([a, b]) => residualForward(a, b), [a, b], dy, [g.da, g.db]));
  });
});
