// Two ways to run the same kernels, both on WebGPU, differing in how work is split:
//  - 'workgroup': a workgroup cooperates on a tile or a row, staging data and reducing through
//    workgroup memory with barriers (real GPUs);
//  - 'thread': one thread owns a row or a 4×4 block, with no workgroup memory and no barriers (CPU
//    adapters such as SwiftShader, where a barrier costs microseconds). Its kernels' names end in
//    `.thread`.
// Both styles compute the same values and are held to the same references; a model picks one per
// adapter.

export type KernelStyle = 'workgroup' | 'thread';

export function styleFor(adapter: { isSoftware: boolean }): KernelStyle {
  return adapter.isSoftware ? 'thread' : 'workgroup';
}

export const STYLES: readonly KernelStyle[] = ['workgroup', 'thread'];

/** A kernel family's definitions per style (the same entry points, one set per style). */
export type ByStyle<T> = Readonly<Record<KernelStyle, T>>;
