// Two ways to run the same kernels. 'gpu': workgroup-wide tiles and tree reductions through
// workgroup memory (real GPUs). 'cpu': one thread per row or per 4×4 block, no workgroup memory and
// no barriers (CPU adapters such as SwiftShader, where barriers cost microseconds each). Both styles
// compute the same values and are held to the same references; a model picks one per adapter.

export type KernelStyle = 'gpu' | 'cpu';

export function styleFor(adapter: { isSoftware: boolean }): KernelStyle {
  return adapter.isSoftware ? 'cpu' : 'gpu';
}

export const STYLES: readonly KernelStyle[] = ['gpu', 'cpu'];
