// WGSL libraries shared by several kernel families (shaders/lib/). Each declares what it needs from
// the kernel that includes it, so nothing depends on concatenation order.

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
 * Tokens read from the corpus on the GPU (corpus_byte, token_at). The including kernel declares
 * the bindings `corpus: array<u32>` and `windows: array<u32>`.
 */
export const TOKENS: WgslSource = { file: 'lib/tokens.wgsl', code: tokensCode };

export const LIBRARIES: readonly WgslSource[] = [WG_SUM, TOKENS];
