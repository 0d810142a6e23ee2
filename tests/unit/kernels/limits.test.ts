// Every kernel runs within the limits the device is asked for (REQUIRED_LIMITS, WebGPU's defaults
// for workgroup storage and invocations): checked from each entry point's WGSL (its workgroup size
// and the workgroup storage it statically uses), and by building every pipeline on a device opened
// with exactly those limits, where Dawn enforces them. Also: the kernels' own limits are the ones
// the config allows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_LIMITS } from '../../../src/config/architecture';
import { REQUIRED_LIMITS, type GpuContext } from '../../../src/gpu/device';
import { getPipeline } from '../../../src/gpu/kernel';
import { MAX_HEAD_DIM } from '../../../src/kernels/attention';
import { allKernels } from '../../../src/kernels/families';
import { openNodeGpu } from '../../../src/node/gpu';

describe('kernel limits', () => {
  let ctx: GpuContext | null = null;
  beforeAll(async () => {
    ctx = await openNodeGpu('swiftshader', { minimalLimits: true });
  });
  afterAll(() => ctx?.device.destroy());

  it('the device asked for holds WebGPU default workgroup limits', () => {
    expect(ctx!.limits.maxComputeWorkgroupStorageSize).toBe(REQUIRED_LIMITS.maxComputeWorkgroupStorageSize);
    expect(ctx!.limits.maxComputeInvocationsPerWorkgroup).toBe(REQUIRED_LIMITS.maxComputeInvocationsPerWorkgroup);
  });

  for (const k of allKernels()) {
    it(`${k.name}: ${k.threads} invocations, ${k.workgroupBytes} bytes of workgroup storage, builds on a minimal device`, async () => {
      expect(k.workgroupBytes, `${k.name} workgroup storage`).toBeLessThanOrEqual(REQUIRED_LIMITS.maxComputeWorkgroupStorageSize);
      expect(k.threads, `${k.name} invocations`).toBeLessThanOrEqual(REQUIRED_LIMITS.maxComputeInvocationsPerWorkgroup);
      expect(k.workgroupSize[0]).toBeLessThanOrEqual(REQUIRED_LIMITS.maxComputeWorkgroupSizeX);
      await getPipeline(ctx!, k);
      expect(ctx!.uncaptured).toEqual([]);
    });
  }

  it('the largest head size a config or model file may ask for is the attention kernel\'s', () => {
    expect(MODEL_LIMITS.headDim[1]).toBe(MAX_HEAD_DIM);
  });
});
