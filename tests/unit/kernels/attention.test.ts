// Causal attention forward (out, lse) and backward (dq, dk, dv) against the reference, with T not a
// multiple of the 64-row block, the 32-key tile or the 31-query tile of the dk/dv job, a single
// position, several blocks per head, and head dims 1..64; the reference backward against finite
// differences (abs 1e-6 or rel 1e-6); and every attention kernel within WebGPU's default limits.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/data/rng';
import { REQUIRED_LIMITS } from '../../../src/gpu/device';
import { ATTENTION_BACKWARD, ATTENTION_FORWARD, attentionBackward, attentionForward } from '../../../src/kernels/attention';
import { STYLES } from '../../../src/kernels/style';
import { attentionBackward as refBwd, attentionForward as refFwd } from '../../../src/ref/attention';
import { gradCheck } from '../../../src/ref/gradcheck';
import { expectClose } from '../helpers/compare';
import { itRanEveryKernel } from '../helpers/coverage';
import { useGpu } from '../helpers/gpu';
import { expectGradOk } from '../helpers/gradcheck';
import { arenas, runDispatches } from '../helpers/run';

const FWD = { atol: 1e-5, rtol: 1e-4 };
const BWD = { atol: 1e-4, rtol: 1e-3 };
/** WebGPU's default limits: what every adapter offers without asking. */
const WEBGPU_DEFAULT = { maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256 };

describe.each(STYLES)('attention kernel (%s style)', (style) => {
  const gpu = useGpu();
  const shapes: [number, number, number, number][] = [
    [1, 1, 4, 1],
    [1, 5, 6, 2],
    [2, 33, 8, 2],
    [1, 70, 16, 4],
    [1, 9, 64, 1],
    [2, 130, 128, 2],
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
    expect(() => attentionForward('big', { B: 1, T: 4, C: 130, H: 2, qkv: 0, out: 0, lse: 0 }, { X: {} as GPUBuffer }, style)).toThrow(/head dimension 65/);
  });

  it('refuses outputs that overlap what the dispatch reads, naming both', () => {
    const a = { B: 1, T: 4, C: 8, H: 2, qkv: 0, out: 96, lse: 128 };
    expect(() => attentionForward('o', { ...a, out: 90 }, { X: {} as GPUBuffer }, style)).toThrow(/out \[90, 122\) overlaps qkv \[0, 96\)/);
    expect(() => attentionForward('o', { ...a, lse: 120 }, { X: {} as GPUBuffer }, style)).toThrow(/out \[96, 128\) overlaps lse/);
    expect(() => attentionBackward('o', { ...a, dout: 136, dqkv: 160 }, { X: {} as GPUBuffer }, style)).toThrow(/dqkv \[160, 256\) overlaps dout \[136, 168\)/);
    expect(() => attentionBackward('o', { ...a, dout: 136, dqkv: 168 }, { X: {} as GPUBuffer }, style)).not.toThrow();
  });

  itRanEveryKernel(gpu, 'attention', style);
});

describe('attention reference backward vs finite differences', () => {
  it('attention (causal, 2 heads)', () => {
    const rng = new Rng(7);
    const [B, T, C, H] = [2, 4, 6, 2];
    const qkv = rng.uniformArray(B * T * 3 * C, -1, 1), dout = rng.uniformArray(B * T * C);
    const dqkv = refBwd(dout, qkv, B, T, C, H);
    expectGradOk('attention', gradCheck(([q]) => refFwd(q, B, T, C, H).out, [qkv], dout, [dqkv]));
  });
});

describe('attention kernel limits', () => {
  const kernels = [...Object.values(ATTENTION_FORWARD), ...Object.values(ATTENTION_BACKWARD)];
  it.each(kernels.map((k) => [k.name, k] as const))('%s fits WebGPU default and required limits', (_, k) => {
    for (const limits of [WEBGPU_DEFAULT, REQUIRED_LIMITS]) {
      expect(k.workgroupBytes, `${k.name} workgroup storage`).toBeLessThanOrEqual(limits.maxComputeWorkgroupStorageSize);
      expect(k.threads, `${k.name} invocations`).toBeLessThanOrEqual(limits.maxComputeInvocationsPerWorkgroup);
    }
  });

  it("'thread' style kernels use no workgroup storage", () => {
    expect([ATTENTION_FORWARD.thread.workgroupBytes, ATTENTION_BACKWARD.thread.workgroupBytes]).toEqual([0, 0]);
  });
});
