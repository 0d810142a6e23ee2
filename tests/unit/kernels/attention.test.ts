// Causal attention forward (out, lse) and backward (dq, dk, dv) against the reference, with T not a
// multiple of the 64-row block or the 32-key tile, a single position, and head dims 1..64.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { attentionBackward, attentionForward } from '../../../src/kernels/attention';
import { STYLES } from '../../../src/kernels/style';
import { attentionBackward as refBwd, attentionForward as refFwd } from '../../../src/ref/attention';
import { expectClose } from '../helpers/compare';
import { useGpu } from '../helpers/gpu';
import { arenas, runDispatches } from '../helpers/run';

const FWD = { atol: 1e-5, rtol: 1e-4 };
const BWD = { atol: 1e-4, rtol: 1e-3 };

describe.each(STYLES)('attention kernel (%s style)', (style) => {
  const gpu = useGpu();
  const shapes: [number, number, number, number][] = [
    [1, 1, 4, 1],
    [1, 5, 6, 2],
    [2, 33, 8, 2],
    [1, 70, 16, 4],
    [1, 9, 64, 1],
  ];
  for (const [B, T, C, H] of shapes) {
    it(`forward and backward B=${B} T=${T} C=${C} H=${H}`, async () => {
      const ctx = gpu();
      const rng = new Rng(B * 1000 + T * 10 + C + H);
      const qkv = rng.uniformArray(B * T * 3 * C, -1.5, 1.5), dout = rng.uniformArray(B * T * C);
      const a = arenas();
      const o = {
        qkv: a.X.add('qkv', qkv), out: a.X.add('out', B * T * C), lse: a.X.add('lse', B * H * T),
        dout: a.X.add('dout', dout), dqkv: a.X.add('dqkv', B * T * 3 * C),
      };
      await runDispatches(ctx, a, (bufs) => [
        attentionForward('t', { B, T, C, H, ...o }, bufs, style),
        attentionBackward('t', { B, T, C, H, ...o }, bufs, style),
      ]);
      const f = refFwd(qkv, B, T, C, H);
      const tag = `${style} B${B} T${T} C${C} H${H}`;
      expectClose(`attention out ${tag}`, await a.X.read(ctx, 'out'), f.out, FWD);
      expectClose(`attention lse ${tag}`, await a.X.read(ctx, 'lse'), f.lse, FWD);
      expectClose(`attention dqkv ${tag}`, await a.X.read(ctx, 'dqkv'), refBwd(dout, qkv, B, T, C, H), BWD);
    });
  }

  it('refuses a head dimension above 64, naming it', () => {
    expect(() => attentionForward('big', { B: 1, T: 4, C: 130, H: 2, qkv: 0, out: 0, lse: 0 }, { X: {} as GPUBuffer })).toThrow(/head dimension 65/);
  });
});
