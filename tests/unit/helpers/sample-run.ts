// A hand-built run record with every field set (NaN loss, an evaluation, a sample, a divergence):
// the fixture for file round trips (run.json, CSV) and imports.
import { defaultConfig } from '../../../src/config/config';
import { RUN_FORMAT, type RunRecord } from '../../../src/runs/schema';

export function sampleRun(): RunRecord {
  return {
    format: RUN_FORMAT, version: 1, id: 'r1', name: 'demo', tags: ['a'], notes: '', created: '2026-01-01T00:00:00.000Z',
    config: defaultConfig(),
    environment: { runtime: 'node', adapter: { name: 'x', vendor: 'v', architecture: 'a', description: 'd', software: true }, stepsize_version: '0', user_agent: null, params_total: 10, params_trainable: 5, dispatches_per_step: 40, submits_per_step: 1 },
    data: { source: 'sotu', train_bytes: 100, val_bytes: 10 },
    metrics: { step: [1, 2], tokens: [8, 16], loss: [5.5, NaN as unknown as number], lr: [1e-4, 2e-4], grad_norm: [1, 2], clip: [1, 1], update_ratio: [0.001, 0.002], elapsed_ms: [10, 20] },
    tensors: { names: ['t'], step: [2], grad_norm: [[1]], update_ratio: [[0.1]] },
    evals: [{ step: 2, tokens: 16, val_loss: 5.4, elapsed_ms: 21 }],
    samples: [{ step: 2, prompt: 'The ', text: 'cat', temperature: 0.8, top_k: 40 }],
    resumes: [],
    outcome: { status: 'diverged', step: 2, reason: 'diverged at step 2: loss NaN', best_val_loss: 5.4, best_step: 2, final_val_loss: 5.4, final_train_loss: 5.5, elapsed_ms: 30 },
  };
}
