// Host-side initial values of the parameter arena: PyTorch's default initialisers (Linear and its
// bias uniform ±1/√fan_in, Embedding N(0, 1), LayerNorm 1 and 0), LoRA A N(0, 1/fan_in), LoRA B 0.
// Each tensor draws from its own stream seeded by (seed, name), so adding an adapter or reordering
// the arena does not change any other tensor's values.

import { Rng } from '../data/rng';
import type { ParamTable, ParamView } from './params';

/** FNV-1a hash of a name, mixed with the seed. */
export function streamSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function initView(v: ParamView, seed: number, out: Float32Array): void {
  const rng = new Rng(streamSeed(seed, v.name));
  const dst = out.subarray(v.offset, v.offset + v.size);
  const init = v.init;
  for (let i = 0; i < v.size; i++) {
    dst[i] = init.kind === 'const' ? init.value : init.kind === 'normal' ? rng.normal() * init.std : rng.uniform(-init.bound, init.bound);
  }
}

/** A fresh arena (size table.size) with every tensor initialised. */
export function initParams(table: ParamTable, seed: number): Float32Array {
  const out = new Float32Array(table.size);
  for (const v of table.views) initView(v, seed, out);
  return out;
}
