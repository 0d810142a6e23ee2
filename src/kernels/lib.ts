// WGSL libraries shared by several kernel families (shaders/lib/). Each declares what it needs from
// the kernel that includes it, so nothing depends on concatenation order.

import runsCode from '../../shaders/lib/runs.wgsl?raw';
import tokensCode from '../../shaders/lib/tokens.wgsl?raw';
import wgSumCode from '../../shaders/lib/wg_sum.wgsl?raw';
import type { WgslSource } from '../gpu/wgsl';

/**
 * Workgroup tree sums wg_sum / wg_sum2 over two workgroup arrays `red`, `red2` [WG] it declares.
 * The including kernel defines WG (its workgroup size, a power of two) and must call them from
 * uniform control flow: every invocation of the workgroup reaches each call.
 */
export const WG_SUM: WgslSource = { file: 'lib/wg_sum.wgsl', code: wgSumCode, needs: ['WG'] };

/**
 * Packed runs (src/kernels/runs.ts): the run's bases rp, rx, rg, rw and enter_run(run). The
 * including kernel's Params ends with run_p, run_x, run_g, run_w; its entry points call enter_run.
 */
export const RUNS: WgslSource = { file: 'lib/runs.wgsl', code: runsCode };

/**
 * Tokens read from the corpus on the GPU (corpus_token, token_at), the run's windows (rw). The
 * including kernel declares the bindings `corpus: array<u32>` and `windows: array<u32>`.
 */
export const TOKENS: WgslSource = { file: 'lib/tokens.wgsl', code: tokensCode, requires: [RUNS] };

export const LIBRARIES: readonly WgslSource[] = [WG_SUM, RUNS, TOKENS];
