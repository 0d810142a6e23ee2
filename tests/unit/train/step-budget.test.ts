// The runtime rules, held on the classroom model through SwiftShader: a training step is at most
// 20 dispatches per layer + 12, one queue submit, and no buffer mapping except the metric ring's
// read-back every metrics_interval steps (which is armed, never awaited, inside the step).
// The GPU calls are counted by wrapping the device's own methods while the Trainer runs.
import { describe, expect, it } from 'vitest';
import type { GpuContext } from '../../../src/gpu/device';
import { initParams } from '../../../src/model/init';
import { buildParamTable } from '../../../src/model/params';
import { MODEL_PRESETS } from '../../../src/config/architecture';
import { baseTensors } from '../../../src/model/weights';
import { loadCorpus } from '../../../src/node/files';
import type { ModelFile } from '../../../src/runs/model-files';
import { parseConfig } from '../../../src/config/config';
import { planRun } from '../../../src/train/plan';
import { resolveScope } from '../../../src/train/resolve';
import { Trainer } from '../../../src/train/trainer';
import { useGpu } from '../helpers/gpu';

const TEXT = loadCorpus('sotu').subarray(0, 60_000);
const STEPS = 12;
const INTERVAL = 4;

interface Call {
  kind: 'submit' | 'dispatch' | 'mapAsync';
  /** Steps the trainer had submitted when the call was made. */
  step: number;
}

/** Wraps submit, dispatchWorkgroups and mapAsync on this device; returns the call log. */
function instrument(ctx: GpuContext, stepOf: () => number): Call[] {
  const log: Call[] = [];
  const { device } = ctx;
  const note = (kind: Call['kind']) => log.push({ kind, step: stepOf() });
  const submit = device.queue.submit.bind(device.queue);
  device.queue.submit = (cbs) => (note('submit'), submit(cbs));
  const createEncoder = device.createCommandEncoder.bind(device);
  device.createCommandEncoder = (d) => {
    const enc = createEncoder(d);
    const begin = enc.beginComputePass.bind(enc);
    enc.beginComputePass = (pd) => {
      const pass = begin(pd);
      const dispatch = pass.dispatchWorkgroups.bind(pass);
      pass.dispatchWorkgroups = (x, y, z) => (note('dispatch'), dispatch(x, y, z));
      return pass;
    };
    return enc;
  };
  const createBuffer = device.createBuffer.bind(device);
  device.createBuffer = (d) => {
    const buf = createBuffer(d);
    const map = buf.mapAsync.bind(buf);
    buf.mapAsync = (mode, offset, size) => (note('mapAsync'), map(mode, offset, size));
    return buf;
  };
  return log;
}

function count(log: Call[], kind: Call['kind'], step: number): number {
  return log.filter((c) => c.kind === kind && c.step === step).length;
}

describe('classroom training step budget', () => {
  const gpu = useGpu();
  const shape = MODEL_PRESETS.classroom;
  const budget = 20 * shape.nLayer + 12;

  for (const mode of ['full', 'lora'] as const) {
    it(`${mode}: ≤ ${budget} dispatches, 1 submit, mapping only at read-backs`, async () => {
      const ctx = gpu();
      const config = parseConfig({
        model: 'classroom', train_data: 'sotu', batch_size: 1, max_steps: STEPS, warmup_steps: 2, eval_interval: 0,
        eval_batches: 1, sample_interval: 0, sample_length: 1, metrics_interval: INTERVAL,
        lora_rank: mode === 'lora' ? 8 : 0, base_model: mode === 'lora' ? 'base.safetensors' : null,
      });
      let base: ModelFile | null = null;
      if (mode === 'lora') {
        const table = buildParamTable(shape, resolveScope({ ...config, lora_rank: 0 }, false));
        base = { shape, tensors: baseTensors(table, initParams(table, 7)), metadata: {} };
      }
      let trainer: Trainer | null = null;
      const log = instrument(ctx, () => trainer?.currentStep ?? -1);
      trainer = await Trainer.create(ctx, { plan: planRun({ config, text: TEXT, dataSource: 'sotu', base, limits: ctx.limits }), runtime: 'node' });
      const record = await trainer.run();
      expect(record.outcome.status).toBe('finished');
      expect(record.metrics.step).toHaveLength(STEPS);

      // The last step also flushes, evaluates and samples; every step before it is pure training.
      for (let s = 1; s < STEPS; s++) {
        expect(count(log, 'submit', s), `submits in step ${s}`).toBe(1);
        expect(count(log, 'dispatch', s), `dispatches in step ${s}`).toBe(trainer.model.train.dispatchCount);
        expect(count(log, 'mapAsync', s), `mappings in step ${s}`).toBe(s % INTERVAL === 0 ? 1 : 0);
      }
      expect(trainer.model.train.dispatchCount).toBeLessThanOrEqual(budget);
      expect(record.environment).toMatchObject({ dispatches_per_step: trainer.model.train.dispatchCount, submits_per_step: 1 });
      trainer.destroy();
    }, 240_000);
  }
});
