// Packed runs: K training runs of the same shape in one step program. Every dispatch covers all K
// (workgroup_id.z is the run), so the dispatch count does not grow with K. Run r's parameters,
// activations, gradients and window offsets lie r arenas after run 0's in the same buffers:
// element i of run r is P[i + r·P], X[i + r·X], G[i + r·G], windows[i + r·windows]. The strides
// close every kernel's Params block (RUNS_BYTES) and shaders/lib/runs.wgsl adds the run's base to
// each access, so a run computes, operation for operation, what it computes alone.

import type { ParamWriter } from '../gpu/params';

export interface Runs {
  /** Runs the dispatch covers (workgroup_id.z). */
  count: number;
  /** Elements from one run's data to the next, per buffer. */
  P: number;
  X: number;
  G: number;
  windows: number;
}

/** A dispatch of one run (every base 0). */
export const ONE_RUN: Runs = { count: 1, P: 0, X: 0, G: 0, windows: 0 };

/** Bytes the strides take at the end of a kernel's Params (run_p, run_x, run_g, run_w). */
export const RUNS_BYTES = 16;

/** Writes the strides into the last RUNS_BYTES of a Params block. */
export function writeRuns(w: ParamWriter, runs: Runs): ParamWriter {
  for (const k of ['count', 'P', 'X', 'G', 'windows'] as const) {
    if (!Number.isInteger(runs[k]) || runs[k] < (k === 'count' ? 1 : 0)) throw new Error(`runs.${k} = ${runs[k]} must be an integer ≥ ${k === 'count' ? 1 : 0}`);
  }
  return w.seek(w.bytes - RUNS_BYTES).u32(runs.P).u32(runs.X).u32(runs.G).u32(runs.windows);
}
