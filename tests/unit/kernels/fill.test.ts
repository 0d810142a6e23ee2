// The fill kernel zeroes (or sets) exactly the region it is given.
import { describe, it } from 'vitest';
import { fill } from '../../../src/kernels/optim';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

describe('fill kernel', () => {
  const gpu = useGpu();
  for (const n of [1, 300]) {
    it(`fills ${n} elements and nothing else`, async () => {
      const ctx = gpu();
      const a = arenas();
      const before = Float64Array.from({ length: n + 70 }, (_, i) => i + 1);
      const off = a.G.add('g', before);
      await runDispatches(ctx, a, (b) => [fill('t', n, off + 3, 0, b.G)]);
      const want = Float64Array.from(before);
      want.fill(0, 3, 3 + n);
      expectClose(`fill ${n}`, await a.G.read(ctx, 'g'), want, { atol: 0, rtol: 0 });
    });
  }
});
