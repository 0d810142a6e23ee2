// Fused softmax + cross-entropy: per-row losses and the in-place gradient against the reference,
// targets read from a packed corpus (8- and 16-bit tokens: GPT-2's 50,257 classes); V not a multiple
// of the 64-thread row; evaluation leaves logits.
import { describe, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { gradCheck } from '../../../src/ref/gradcheck';
import { createStorageFrom } from '../../../src/gpu/buffers';
import { crossEntropy } from '../../../src/kernels/crossentropy';
import { packTokens } from '../../../src/kernels/embedding';
import { STYLES } from '../../../src/kernels/style';
import { crossEntropyBackward, crossEntropyForward } from '../../../src/ref/crossentropy';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { expectGradOk } from '../helpers/gradcheck';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe.each(STYLES)('crossentropy kernel (%s style)', (style) => {
  const gpu = useGpu();
  for (const [B, T, V] of [[1, 1, 256], [2, 3, 70], [3, 17, 256], [1, 4, 5], [5, 15, 11], [2, 3, 50257]] as const) {
    it(`losses and gradient B=${B} T=${T} V=${V}`, async () => {
      const ctx = gpu();
      const rng = new Rng(B * 100 + T + V);
      // GPT-2's vocabulary needs 16-bit tokens in the corpus.
      const corpus = V > 256 ? Uint16Array.from({ length: 64 }, () => rng.int(V)) : Uint8Array.from({ length: 64 }, () => rng.int(V));
      const windows = Uint32Array.from({ length: B }, () => rng.int(64 - T - 1));
      const targets: number[] = [];
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) targets.push(corpus[windows[b] + t + 1]);
      const R = B * T;
      const logits = rng.uniformArray(R * V, -4, 4);
      const a = arenas();
      const o = { logits: a.X.add('logits', logits), evalLogits: a.X.add('evalLogits', logits), losses: a.X.add('losses', R), evalLosses: a.X.add('evalLosses', R) };
      const tok = { corpus: await createStorageFrom(ctx, 'corpus', packTokens(corpus)), windows: await createStorageFrom(ctx, 'windows', windows) };
      const scale = 1 / R;
      await runDispatches(ctx, a, (bufs) => [
        crossEntropy('train', { B, T, V, winOff: 0, logits: o.logits, losses: o.losses, gradScale: scale }, { ...bufs, ...tok }, style),
        crossEntropy('eval', { B, T, V, winOff: 0, logits: o.evalLogits, losses: o.evalLosses }, { ...bufs, ...tok }, style),
      ]);
      const ref = crossEntropyForward(logits, targets, R, V);
      expectClose(`crossentropy losses ${style} ${R}x${V}`, await a.X.read(ctx, 'losses'), ref.losses, TOL);
      expectClose(`crossentropy eval losses ${style} ${R}x${V}`, await a.X.read(ctx, 'evalLosses'), ref.losses, TOL);
      expectClose(`crossentropy dlogits ${style} ${R}x${V}`, await a.X.read(ctx, 'logits'), crossEntropyBackward(logits, targets, R, V), { atol: 1e-6, rtol: 1e-4 });
      expectClose(`crossentropy eval keeps logits ${R}x${V}`, await a.X.read(ctx, 'evalLogits'), logits, { atol: 1e-6, rtol: 1e-6 });
    });
  }

  itRanEveryKernel(gpu, 'crossentropy', style);
});

describe('crossentropy reference backward vs finite differences', () => {
  it('softmax + cross-entropy', () => {
    const rng = new Rng(7);
    const [R, V] = [4, 9];
    const logits = rng.uniformArray(R * V, -3, 3), targets = [0, 8, 3, 3];
    const dl = crossEntropyBackward(logits, targets, R, V, 1);
    expectGradOk('crossentropy', gradCheck(([l]) => [crossEntropyForward(l, targets, R, V).loss], [logits], [1], [dl]));
  });
});
