// LayerNorm forward and backward against the float64 reference, with a residual gradient already in
// dx (accumulate) and w/b gradients added to existing values.
import { describe, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { gradCheck } from '../../../src/ref/gradcheck';
import { layerNormBackward, layerNormForward } from '../../../src/kernels/layernorm';
import { STYLES } from '../../../src/kernels/style';
import { layerNormBackward as refBwd, layerNormForward as refFwd } from '../../../src/ref/layernorm';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { expectGradOk } from '../helpers/gradcheck';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const FWD = { atol: 1e-5, rtol: 1e-4 };
const BWD = { atol: 1e-4, rtol: 1e-3 };

describe.each(STYLES)('layernorm kernel (%s style)', (style) => {
  const gpu = useGpu();
  for (const [R, C] of [[1, 1], [1, 7], [3, 64], [5, 70], [33, 130], [70, 9]] as const) {
    it(`forward and backward R=${R} C=${C}`, async () => {
      const ctx = gpu();
      const rng = new Rng(R * 100 + C);
      const x = rng.uniformArray(R * C, -2, 3), w = rng.uniformArray(C, 0.5, 1.5), b = rng.uniformArray(C);
      const dy = rng.uniformArray(R * C), dres = rng.uniformArray(R * C), dw0 = rng.uniformArray(C), db0 = rng.uniformArray(C);
      const a = arenas();
      const o = {
        w: a.P.add('w', w), b: a.P.add('b', b),
        x: a.X.add('x', x), y: a.X.add('y', R * C), mean: a.X.add('mean', R), rstd: a.X.add('rstd', R),
        dy: a.X.add('dy', dy), dx: a.X.add('dx', dres),
        dw: a.G.add('dw', dw0), db: a.G.add('db', db0),
      };
      await runDispatches(ctx, a, (bufs) => [
        layerNormForward('t', { R, C, ...o }, bufs, style),
        layerNormBackward('t', { R, C, ...o, accumulateDx: true, paramGrads: { dw: o.dw, db: o.db } }, bufs, style),
      ]);
      const f = refFwd(x, w, b, R, C);
      const g = refBwd(dy, x, w, R, C);
      expectClose(`layernorm fwd ${style} ${R}x${C}`, await a.X.read(ctx, 'y'), f.y, FWD);
      expectClose(`layernorm mean ${style} ${R}x${C}`, await a.X.read(ctx, 'mean'), f.mean, FWD);
      expectClose(`layernorm rstd ${style} ${R}x${C}`, await a.X.read(ctx, 'rstd'), f.rstd, FWD);
      expectClose(`layernorm dx ${style} ${R}x${C}`, await a.X.read(ctx, 'dx'), g.dx.map((v, i) => v + dres[i]), BWD);
      expectClose(`layernorm dw ${style} ${R}x${C}`, await a.G.read(ctx, 'dw'), g.dw.map((v, i) => v + dw0[i]), BWD);
      expectClose(`layernorm db ${style} ${R}x${C}`, await a.G.read(ctx, 'db'), g.db.map((v, i) => v + db0[i]), BWD);
    });
  }

  it('backward without parameter gradients overwrites dx and leaves G alone', async () => {
    const ctx = gpu();
    const [R, C] = [4, 9];
    const rng = new Rng(5);
    const x = rng.uniformArray(R * C), w = rng.uniformArray(C), dy = rng.uniformArray(R * C);
    const a = arenas();
    const o = {
      w: a.P.add('w', w), b: a.P.add('b', C),
      x: a.X.add('x', x), y: a.X.add('y', R * C), mean: a.X.add('mean', R), rstd: a.X.add('rstd', R),
      dy: a.X.add('dy', dy), dx: a.X.add('dx', rng.uniformArray(R * C)), dw: a.G.add('dw', [1, 2, 3]),
    };
    await runDispatches(ctx, a, (bufs) => [
      layerNormForward('t', { R, C, ...o }, bufs, style),
      layerNormBackward('t', { R, C, ...o, accumulateDx: false }, bufs, style),
    ]);
    expectClose('layernorm dx (overwrite)', await a.X.read(ctx, 'dx'), refBwd(dy, x, w, R, C).dx, BWD);
    expectClose('layernorm frozen params untouched', (await a.G.read(ctx, 'dw')).slice(0, 3), [1, 2, 3], { atol: 0, rtol: 0 });
  });

  itRanEveryKernel(gpu, 'layernorm', style);
});

describe('layernorm reference backward vs finite differences', () => {
  it('layernorm', () => {
    const rng = new Rng(7);
    const [R, C] = [3, 7];
    const x = rng.uniformArray(R * C, -2, 2), w = rng.uniformArray(C), b = rng.uniformArray(C), dy = rng.uniformArray(R * C);
    const g = refBwd(dy, x, w, R, C);
    expectGradOk('layernorm', gradCheck(([x, w, b]) => refFwd(x, w, b, R, C).y, [x, w, b], dy, [g.dx, g.dw, g.db]));
  });
});
