// Standalone GELU and residual-add kernels against the reference; sizes not multiples of 256.
import { describe, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { geluBackward, geluForward, residualAdd, residualBackward } from '../../../src/kernels/elementwise';
import { geluBackward as refGeluBwd, geluForward as refGelu } from '../../../src/ref/gelu';
import { residualForward } from '../../../src/ref/residual';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const TOL = { atol: 1e-5, rtol: 1e-4 };

describe('elementwise kernels', () => {
  const gpu = useGpu();
  for (const n of [1, 255, 1000]) {
    it(`gelu forward/backward and residual add n=${n}`, async () => {
      const ctx = gpu();
      const rng = new Rng(n);
      const x = rng.uniformArray(n, -6, 6), dy = rng.uniformArray(n), dx0 = rng.uniformArray(n);
      const a = rng.uniformArray(n), b = rng.uniformArray(n), da0 = rng.uniformArray(n), db0 = rng.uniformArray(n);
      // Extreme inputs: tanh must not overflow into NaN.
      if (n > 2) { x[0] = 60; x[1] = -60; }
      const A = arenas();
      const o = {
        x: A.X.add('x', x), y: A.X.add('y', n), dy: A.X.add('dy', dy), dx: A.X.add('dx', dx0),
        a: A.X.add('a', a), b: A.X.add('b', b), sum: A.X.add('sum', n), da: A.X.add('da', da0), db: A.X.add('db', db0),
      };
      await runDispatches(ctx, A, (bufs) => [
        geluForward('t', n, o.x, o.y, bufs),
        geluBackward('t', n, o.x, o.dy, o.dx, true, bufs),
        residualAdd('t', n, o.a, o.b, o.sum, bufs),
        ...residualBackward('t', n, o.dy, o.da, o.db, bufs),
      ]);
      expectClose(`gelu fwd n=${n}`, await A.X.read(ctx, 'y'), refGelu(x), TOL);
      expectClose(`gelu bwd n=${n}`, await A.X.read(ctx, 'dx'), refGeluBwd(dy, x).map((v, i) => v + dx0[i]), TOL);
      expectClose(`residual fwd n=${n}`, await A.X.read(ctx, 'sum'), residualForward(a, b), TOL);
      expectClose(`residual da n=${n}`, await A.X.read(ctx, 'da'), da0.map((v, i) => v + dy[i]), TOL);
      expectClose(`residual db n=${n}`, await A.X.read(ctx, 'db'), db0.map((v, i) => v + dy[i]), TOL);
    });
  }
});
