// The fill kernel sets exactly the region it is given, against the reference.
import { describe, it } from 'vitest';
import { fill } from '../../../src/kernels/fill';
import { STYLES } from '../../../src/kernels/style';
import { fillRegion } from '../../../src/ref/fill';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

// One definition serves both styles (a thread per element); each style's block checks it ran.
describe.each(STYLES)('fill kernel (%s style)', (style) => {
  const gpu = useGpu();
  for (const [n, value] of [[1, 0], [300, 0], [257, -2.5]]) {
    it(`fills ${n} elements with ${value} and nothing else`, async () => {
      const ctx = gpu();
      const a = arenas();
      const before = Float64Array.from({ length: n + 70 }, (_, i) => i + 1);
      const off = a.G.add('g', before);
      await runDispatches(ctx, a, (b) => [fill('t', n, off + 3, value, b.G)]);
      expectClose(`fill ${n}`, await a.G.read(ctx, 'g'), fillRegion(before, 3, n, value), { atol: 0, rtol: 0 });
    });
  }
  itRanEveryKernel(gpu, 'fill', style);
});
