// Ties a family's kernel test to the family table (src/kernels/families.ts): the last test of a
// style's block asserts that the block's GPU context compiled every definition the family runs in
// that style, so a new entry point cannot ship without a test running it against the reference.
import { expect, it } from 'vitest';
import type { GpuContext } from '../../../src/gpu/device';
import { familyNamed } from '../../../src/kernels/families';
import type { KernelStyle } from '../../../src/kernels/style';

export function itRanEveryKernel(gpu: () => GpuContext, family: string, style: KernelStyle): void {
  it(`ran every ${style}-style kernel of the ${family} family`, () => {
    // A kernel ran when it or one of its variants did (matmul's "matmul.thread[bias+gelu]": matmulKernel).
    const ran = new Set([...gpu().pipelines.keys()].map((n) => n.replace(/\[[^\]]*\]$/, '')));
    const missing = familyNamed(family).kernels[style].map((k) => k.name).filter((n) => !ran.has(n));
    expect(missing, `${family} kernels no test in this block ran`).toEqual([]);
  });
}
