// Embedding forward/backward against the reference, with tokens read from a packed corpus (8 or 16 bits)
// through window offsets (a second batch's windows at a non-zero index of the windows buffer).
import { describe, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { gradCheck } from '../../../src/ref/gradcheck';
import { createStorageFrom } from '../../../src/gpu/buffers';
import { embeddingBackward, embeddingForward, packTokens } from '../../../src/kernels/embedding';
import { STYLES } from '../../../src/kernels/style';
import { embeddingBackward as refBwd, embeddingForward as refFwd } from '../../../src/ref/embedding';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { expectGradOk } from '../helpers/gradcheck';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const TOL = { atol: 1e-5, rtol: 1e-5 };

describe.each(STYLES)('embedding kernel (%s style)', (style) => {
  const gpu = useGpu();
  for (const [B, T, C, V] of [[1, 1, 1, 256], [2, 5, 7, 256], [3, 9, 70, 256], [4, 3, 5, 11], [2, 5, 7, 1000]] as const) {
    it(`forward and backward B=${B} T=${T} C=${C} V=${V}`, async () => {
      const ctx = gpu();
      const rng = new Rng(B * 1000 + T * 10 + C);
      // A BPE vocabulary's ids are 16 bits in the corpus.
      const corpus = V > 256 ? Uint16Array.from({ length: 101 }, () => rng.int(V)) : Uint8Array.from({ length: 101 }, () => rng.int(V));
      // windows[0..2] belong to another batch; this batch's start at index 3.
      const windows = Uint32Array.from([7, 7, 7, ...Array.from({ length: B }, () => rng.int(101 - T))]);
      const tokens: number[] = [];
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) tokens.push(corpus[windows[3 + b] + t]);
      const Tmax = T + 2;
      const wte = rng.uniformArray(V * C), wpe = rng.uniformArray(Tmax * C), dx = rng.uniformArray(B * T * C);
      const dwte0 = rng.uniformArray(V * C), dwpe0 = rng.uniformArray(Tmax * C);
      const a = arenas();
      const o = {
        wte: a.P.add('wte', wte), wpe: a.P.add('wpe', wpe),
        x: a.X.add('x', B * T * C), dx: a.X.add('dx', dx),
        dwte: a.G.add('dwte', dwte0), dwpe: a.G.add('dwpe', dwpe0),
      };
      const tok = { corpus: await createStorageFrom(ctx, 'corpus', packTokens(corpus)), windows: await createStorageFrom(ctx, 'windows', windows) };
      await runDispatches(ctx, a, (bufs) => [
        embeddingForward('t', { B, T, C, V, winOff: 3, ...o }, { ...bufs, ...tok }),
        embeddingBackward('t', { B, T, C, V, winOff: 3, ...o }, { ...bufs, ...tok }, style),
      ]);
      const g = refBwd(dx, tokens, B, T, C, V, Tmax);
      expectClose(`embedding fwd B${B} T${T} C${C}`, await a.X.read(ctx, 'x'), refFwd(tokens, wte, wpe, B, T, C), TOL);
      expectClose(`embedding dwte ${style} B${B} T${T} C${C}`, await a.G.read(ctx, 'dwte'), g.dwte.map((v, i) => v + dwte0[i]), TOL);
      expectClose(`embedding dwpe ${style} B${B} T${T} C${C}`, await a.G.read(ctx, 'dwpe'), g.dwpe.map((v, i) => v + dwpe0[i]), TOL);
    });
  }

  itRanEveryKernel(gpu, 'embedding', style);
});

describe('embedding reference backward vs finite differences', () => {
  it('embedding', () => {
    const rng = new Rng(7);
    const [B, T, C, V, Tmax] = [2, 3, 4, 7, 5];
    const tokens = [1, 6, 1, 0, 3, 1];
    const wte = rng.uniformArray(V * C), wpe = rng.uniformArray(Tmax * C), dx = rng.uniformArray(B * T * C);
    const g = refBwd(dx, tokens, B, T, C, V, Tmax);
    expectGradOk('embedding', gradCheck(([wte, wpe]) => refFwd(tokens, wte, wpe, B, T, C), [wte, wpe], dx, [g.dwte, g.dwpe]));
  });
});
