// The kernel families: for each, its WGSL files, its kernel definitions per style, its float64
// reference and its test. One name per family in every tree: shaders/F.wgsl or shaders/F/,
// src/kernels/F.ts, src/ref/F.ts, tests/unit/kernels/F.test.ts. src/kernels/README.md is this table
// in words, and tests/unit/kernels/families.test.ts holds the tree, the table and the tests to it.

import type { KernelDef } from '../gpu/kernel';
import type { WgslSource } from '../gpu/wgsl';
import { ATTENTION_BACKWARD, ATTENTION_FORWARD, ATTENTION_SOURCES } from './attention';
import { CROSSENTROPY_KERNELS, CROSSENTROPY_SOURCES } from './crossentropy';
import { EMBEDDING_BACKWARD, EMBEDDING_SOURCES, embeddingForwardKernel } from './embedding';
import { FILL_SOURCES, fillKernel } from './fill';
import { LAYERNORM_BACKWARD, LAYERNORM_FORWARD, LAYERNORM_SOURCES } from './layernorm';
import { LIBRARIES } from './lib';
import { MATMUL_KERNELS, MATMUL_SOURCES } from './matmul';
import { ADAMW_KERNELS, finalizeKernel, OPTIM_SOURCES, statsKernel, SUMSQ_KERNELS } from './optim';
import type { ByStyle } from './style';

export interface KernelFamily {
  readonly name: string;
  /** The family's own WGSL files (shared libraries are listed in SHARED_LIBRARIES). */
  readonly sources: readonly WgslSource[];
  /** The definitions each style runs (a definition without workgroup memory may serve both). */
  readonly kernels: ByStyle<readonly KernelDef[]>;
}

const styled = (...records: ByStyle<KernelDef>[]): ByStyle<readonly KernelDef[]> => ({
  workgroup: records.map((r) => r.workgroup),
  thread: records.map((r) => r.thread),
});
const both = (k: KernelDef): ByStyle<KernelDef> => ({ workgroup: k, thread: k });

export const FAMILIES: readonly KernelFamily[] = [
  { name: 'matmul', sources: MATMUL_SOURCES, kernels: styled(MATMUL_KERNELS) },
  // LoRA is matmul jobs (src/kernels/lora.ts builds them): no WGSL of its own.
  { name: 'lora', sources: [], kernels: styled(MATMUL_KERNELS) },
  { name: 'attention', sources: ATTENTION_SOURCES, kernels: styled(ATTENTION_FORWARD, ATTENTION_BACKWARD) },
  { name: 'layernorm', sources: LAYERNORM_SOURCES, kernels: styled(LAYERNORM_FORWARD, LAYERNORM_BACKWARD) },
  { name: 'crossentropy', sources: CROSSENTROPY_SOURCES, kernels: styled(CROSSENTROPY_KERNELS) },
  { name: 'embedding', sources: EMBEDDING_SOURCES, kernels: styled(both(embeddingForwardKernel), EMBEDDING_BACKWARD) },
  { name: 'optim', sources: OPTIM_SOURCES, kernels: styled(SUMSQ_KERNELS, both(finalizeKernel), ADAMW_KERNELS, both(statsKernel)) },
  { name: 'fill', sources: FILL_SOURCES, kernels: styled(both(fillKernel)) },
];

/** WGSL libraries several families include (shaders/lib/). */
export const SHARED_LIBRARIES: readonly WgslSource[] = LIBRARIES;

export function familyNamed(name: string): KernelFamily {
  const f = FAMILIES.find((x) => x.name === name);
  if (!f) throw new Error(`no kernel family ${name}; families: ${FAMILIES.map((x) => x.name).join(', ')}`);
  return f;
}

/** Every distinct kernel definition of every family. */
export function allKernels(): KernelDef[] {
  const seen = new Map<string, KernelDef>();
  for (const f of FAMILIES) for (const k of [...f.kernels.workgroup, ...f.kernels.thread]) seen.set(k.name, k);
  return [...seen.values()];
}
