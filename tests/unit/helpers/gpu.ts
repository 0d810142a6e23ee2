// One SwiftShader device per test file, opened before the file's tests and destroyed after, so the
// process can exit (Dawn polls a core while a device is open).
import { afterAll, beforeAll } from 'vitest';
import type { GpuContext } from '../../../src/gpu/device';
import { openNodeGpu } from '../../../src/node/gpu';

export function useGpu(): () => GpuContext {
  let ctx: GpuContext | null = null;
  beforeAll(async () => {
    ctx = await openNodeGpu('swiftshader');
  });
  afterAll(() => {
    ctx?.device.destroy();
    ctx = null;
  });
  return () => {
    if (!ctx) throw new Error('GPU not open (useGpu() must be called at the top of the test file)');
    return ctx;
  };
}
