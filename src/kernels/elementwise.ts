// Standalone elementwise kernels: GELU (shaders/gelu.wgsl) and the residual add
// (shaders/residual.wgsl). Offsets are f32 elements into X.

import geluCode from '../../shaders/gelu.wgsl?raw';
import geluFn from '../../shaders/lib/gelu_fn.wgsl?raw';
import residualCode from '../../shaders/residual.wgsl?raw';
import { defineKernel } from '../gpu/kernel';
import { ParamWriter } from '../gpu/params';
import type { BufferRef, DispatchSpec } from '../gpu/program';

const xOnly = [
  { name: 'params', kind: 'uniform' },
  { name: 'X', kind: 'rw' },
] as const;

export const geluForwardKernel = defineKernel({ name: 'gelu.forward', code: geluFn + geluCode, entryPoint: 'forward', bindings: xOnly, paramBytes: 32, threads: 256 });
export const geluBackwardKernel = defineKernel({ ...geluForwardKernel, name: 'gelu.backward', entryPoint: 'backward' });
export const residualKernel = defineKernel({ name: 'residual.add', code: residualCode, entryPoint: 'main', bindings: xOnly, paramBytes: 16, threads: 256 });

const groups = (n: number) => Math.ceil(n / 256);

/** y = gelu(x) over n elements. */
export function geluForward(label: string, n: number, x: number, y: number, buffers: { X: BufferRef }): DispatchSpec {
  const params = new ParamWriter(32).u32(n).u32(x).u32(y).u32(0).u32(0).u32(0).finish();
  return { kernel: geluForwardKernel, label: `gelu.forward ${label} [${n}]`, params, buffers, workgroups: groups(n) };
}

/** dx = dy·gelu'(x), or dx += ... with accumulate. */
export function geluBackward(label: string, n: number, x: number, dy: number, dx: number, accumulate: boolean, buffers: { X: BufferRef }): DispatchSpec {
  const params = new ParamWriter(32).u32(n).u32(x).u32(0).u32(dy).u32(dx).u32(accumulate ? 1 : 0).finish();
  return { kernel: geluBackwardKernel, label: `gelu.backward ${label} [${n}]`, params, buffers, workgroups: groups(n) };
}

/** y = a + b over n elements (y may alias a or b elementwise). */
export function residualAdd(label: string, n: number, a: number, b: number, y: number, buffers: { X: BufferRef }): DispatchSpec {
  const params = new ParamWriter(16).u32(n).u32(a).u32(b).u32(y).finish();
  return { kernel: residualKernel, label: `residual.add ${label} [${n}]`, params, buffers, workgroups: groups(n) };
}

/** Backward of y = a + b: da += dy and db += dy, two dispatches of the same add. */
export function residualBackward(label: string, n: number, dy: number, da: number, db: number, buffers: { X: BufferRef }): DispatchSpec[] {
  return [residualAdd(`${label} da`, n, da, dy, da, buffers), residualAdd(`${label} db`, n, db, dy, db, buffers)];
}
