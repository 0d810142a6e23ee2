// Fills a region of a flat arena with one value (shaders/fill.wgsl): zeroing gradients at setup
// and on reset. One thread per element, no workgroup memory, so one definition serves both styles.
// Limits: 256 invocations per workgroup; no workgroup storage.

import fillCode from '../../shaders/fill.wgsl?raw';
import { defineKernel, workgroupsFor } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';
import type { WgslSource } from '../gpu/wgsl';

const CONSTANTS = { WG: 256 } as const;
const FILL: WgslSource = { file: 'fill.wgsl', code: fillCode, needs: ['WG'] };
export const FILL_SOURCES: readonly WgslSource[] = [FILL];

export const fillKernel = defineKernel({
  name: 'fill',
  source: FILL,
  constants: CONSTANTS,
  entryPoint: 'main',
  bindings: [{ name: 'params', kind: 'uniform' }, { name: 'dst', kind: 'rw' }],
  paramBytes: 16,
});

/** dst[off .. off + n) = value. */
export function fill(label: string, n: number, off: number, value: number, dst: BufferRef): DispatchSpec {
  const params = new ParamWriter(16).u32(n).u32(off).f32(value).u32(0).finish();
  return { kernel: fillKernel, label: `fill ${label} [${n}]`, params, buffers: { dst }, workgroups: workgroupsFor(n, fillKernel.threads) };
}
