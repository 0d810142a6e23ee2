// The run plan: config + base + text (+ checkpoint) checked in one place, before any GPU work, with
// the messages the trainer gave (the key, the value, what is allowed) and in the trainer's order;
// the parameter table and activations planned once, and the trainer and its model built from that
// very plan. buildParamTable and planActivations are wrapped to count how often a run plans them.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { planActivations } from '../../../src/model/activations';
import { buildParamTable, countParams } from '../../../src/model/params';
import { baseTensors } from '../../../src/model/weights';
import { loadCorpus } from '../../../src/node/corpora';
import type { Checkpoint } from '../../../src/runs/checkpoint';
import type { ModelFile } from '../../../src/runs/model-files';
import type { ModelShape } from '../../../src/config/architecture';
import { ConfigErrors, parseConfig, type TrainConfig } from '../../../src/config/config';
import { checkpointState, checkpointTensors } from '../../../src/train/checkpoint';
import { estimateMemory } from '../../../src/train/fit';
import { planRun, type RunPlan, type RunPlanInput } from '../../../src/train/plan';
import { newRunRecord } from '../../../src/train/record';
import { Trainer } from '../../../src/train/trainer';
import { useGpu } from '../helpers/gpu';

vi.mock('../../../src/model/params', async (original) => {
  const m = await original<typeof import('../../../src/model/params')>();
  return { ...m, buildParamTable: vi.fn(m.buildParamTable) };
});
vi.mock('../../../src/model/activations', async (original) => {
  const m = await original<typeof import('../../../src/model/activations')>();
  return { ...m, planActivations: vi.fn(m.planActivations) };
});

const TEXT = loadCorpus('moby-dick').subarray(0, 30_000);
const MODEL = { d_model: 32, n_layer: 1, n_head: 2, context: 16 };
const SHAPE: ModelShape = { vocab: 256, dModel: 32, nLayer: 1, nHead: 2, context: 16 };
const ROOMY = { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 };
const TIGHT = { maxStorageBufferBindingSize: 2 << 20, maxBufferSize: 1 << 30 };

function config(over: Partial<TrainConfig>): TrainConfig {
  return parseConfig({
    model: MODEL, train_data: 'moby-dick', lora_rank: 0, batch_size: 4, max_steps: 20, learning_rate: 3e-3,
    warmup_steps: 2, eval_interval: 10, eval_batches: 2, sample_interval: 0, sample_length: 8, metrics_interval: 4, ...over,
  });
}

function input(over: Partial<RunPlanInput>): RunPlanInput {
  return { config: config({}), text: TEXT, dataSource: 'moby-dick', base: null, limits: ROOMY, ...over };
}

/** A base model of this shape, all zeros (its values do not matter to planning). */
function baseOf(shape: ModelShape): ModelFile {
  const table = buildParamTable(shape, { mode: 'full', lora: null, layerLrDecay: 1, embeddingLrMult: 1, headLrMult: 1, loraBLrMult: 1, decayNormAndBias: false });
  return { shape, tensors: baseTensors(table, new Float32Array(table.size)), metadata: {} };
}

/** The checkpoint a planned run would write after step 4, built on the CPU. */
function checkpointOf(plan: RunPlan): Checkpoint {
  const t = plan.model.params;
  const record = newRunRecord({
    config: plan.config, dataSource: plan.dataSource, data: plan.data, runtime: 'node', userAgent: null, version: 'dev', dispatches: 0,
    adapter: { name: 'cpu', vendor: '', architecture: '', description: '', isSoftware: true }, counts: countParams(t), tensorNames: [],
  });
  const zeros = () => new Float32Array(t.trainableSize);
  return {
    state: checkpointState({
      step: 4, record, config: plan.config, identity: plan.identity, kernelStyle: 'tiled', adapter: 'cpu', sampler: 0,
      optimizer: new Uint32Array(8), early: { best: Infinity, sinceBest: 0 },
    }),
    tensors: checkpointTensors(t, { params: zeros(), m: zeros(), v: zeros() }),
  };
}

/** The ConfigErrors planRun throws for `run`, after checking that it left its inputs as they were. */
function refusal(run: RunPlanInput): ConfigErrors {
  const before = structuredClone({ config: run.config, text: run.text, base: run.base, resume: run.resume });
  let thrown: unknown = null;
  try {
    planRun(run);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ConfigErrors);
  expect({ config: run.config, text: run.text, base: run.base, resume: run.resume }).toEqual(before);
  return thrown as ConfigErrors;
}

const planned = () => ({ params: vi.mocked(buildParamTable).mock.calls.length, activations: vi.mocked(planActivations).mock.calls.length });

describe('run plan', () => {
  afterEach(() => vi.clearAllMocks());

  it('resolves shape, scope, split, schedule, model, memory and identity in one value', () => {
    const p = planRun(input({ config: config({ batch_size: 2, grad_accum_steps: 3 }) }));
    expect(p.shape).toEqual(SHAPE);
    expect(p.scope).toMatchObject({ mode: 'full', lora: null });
    expect(p.data).toMatchObject({ trainLen: 27_000, valStart: 27_000, valLen: 3000 });
    expect(p.schedule).toMatchObject({ totalSteps: 20, peak: 3e-3, warmupSteps: 2 });
    expect(p.model.setup).toMatchObject({ microBatch: 2, seqLen: 16, accum: 3, evalBatches: 2, ringSlots: 8 });
    expect(p.model.bytes.X).toBe(p.model.acts.layout.bytes);
    // The page's estimate of this config is the run's own figure.
    expect(p.memory).toEqual(estimateMemory(SHAPE, p.scope, 2, 16, 3, 2, p.data.tokens.byteLength));
    expect(p.identity).toEqual({ data: expect.any(String), base: null });
    expect(planRun(input({ config: config({ max_steps: null, epochs: 2 }) })).schedule.totalSteps).toBe(Math.ceil((2 * 27_000) / (4 * 16)));
  });

  it('plans the parameter table and the activations once per run, a resumed one included', () => {
    const p = planRun(input({}));
    expect(planned()).toEqual({ params: 1, activations: 1 });
    vi.clearAllMocks();
    planRun(input({ resume: checkpointOf(p) }));
    expect(planned()).toEqual({ params: 1, activations: 1 });
  });

  it.each([
    ['a base of another shape', () => input({ config: config({ base_model: 'b' }), base: baseOf({ ...SHAPE, dModel: 64 }) }),
      'model: {"d_model":32,"n_layer":1,"n_head":2,"context":16} is not allowed; the shape of base_model b (d_model 64, 1 layers, 2 heads, context 16); this config asks for d_model 32, 1 layers, 2 heads, context 16'],
    ['LoRA without a base', () => input({ config: config({ lora_rank: 8 }) }),
      'lora_rank: 8 is not allowed; 0 when there is no base_model (LoRA adapts a trained base; set base_model, or lora_rank: 0 to train from scratch)'],
    ['too little text to train on', () => input({ text: TEXT.subarray(0, 10) }),
      'train_data: "moby-dick" is not allowed; the training split has 9 bytes; a window needs 17 (context + 1)'],
    ['too few train_bytes', () => input({ config: config({ train_bytes: 10 }) }),
      'train_bytes: 10 is not allowed; the training split has 10 bytes; a window needs 17 (context + 1)'],
    ['too little text to validate on', () => input({ text: TEXT.subarray(0, 100) }),
      'val_split: 0.1 is not allowed; the validation split has 10 bytes; a window needs 17 (context + 1)'],
  ])('refuses %s, naming the key, the value and what is allowed', (_what, run, message) => {
    const e = refusal(run());
    expect(e.message).toBe(message);
    expect(e.errors).toHaveLength(1);
  });

  it('refuses a micro-batch that does not fit this adapter, suggesting a split with the same effective batch', () => {
    const e = refusal(input({ config: config({ batch_size: 64 }), limits: TIGHT }));
    expect(e.message).toMatch(/^batch_size: 64 is not allowed; at most (\d+) on this GPU: a micro-batch of 64 needs \d+ MiB of activations and the adapter allows 2 MiB per buffer; keep the effective batch of 64 with batch_size (\d+) and grad_accum_steps (\d+)$/);
    const [, max, batch, accum] = /at most (\d+).*batch_size (\d+) and grad_accum_steps (\d+)$/.exec(e.message)!.map(Number);
    expect(batch * accum).toBe(64);
    expect(batch).toBeLessThanOrEqual(max);
    expect(() => planRun(input({ config: config({ batch_size: batch, grad_accum_steps: accum }), limits: TIGHT }))).not.toThrow();
  });

  it('refuses a checkpoint of another config, text, base or model, one error per reason', () => {
    const k = checkpointOf(planRun(input({})));
    expect(refusal(input({ config: config({ learning_rate: 1e-3 }), resume: k })).message)
      .toBe('learning_rate: 0.001 is not allowed; 0.003, as when the run started (a resumed run keeps its config)');
    const other = TEXT.slice();
    other[100] ^= 1;
    expect(refusal(input({ text: other, resume: k })).message).toMatch(/^train_data: "moby-dick" is not allowed; the same text the run started with \(its checksum was \w+, this text's is \w+: the file has changed\)$/);
    const tensors = k.tensors.slice(1);
    expect(refusal(input({ resume: { ...k, tensors } })).message).toBe(`checkpoint: "${k.tensors[0].name}" is not allowed; a tensor of the checkpoint (it is missing)`);
    // A LoRA checkpoint's base: the same shape, other values.
    const lora = config({ lora_rank: 4, base_model: 'b' });
    const base = baseOf(SHAPE);
    const fromBase = checkpointOf(planRun(input({ config: lora, base })));
    const otherBase = { ...base, tensors: base.tensors.map((t, i) => (i ? t : { ...t, data: t.data.map(() => 1) })) };
    expect(refusal(input({ config: lora, base: otherBase, resume: fromBase })).message).toMatch(/^base_model: "b" is not allowed; the same base model the run started from/);
    expect(planRun(input({ config: lora, base, resume: fromBase })).resume).toBe(fromBase);
  });

  it('checks in the order the trainer did: base, scope, data, fit, checkpoint', () => {
    const key = (run: RunPlanInput) => refusal(run).errors[0].key;
    const k = checkpointOf(planRun(input({})));
    const short = TEXT.subarray(0, 10);
    expect(key(input({ config: config({ base_model: 'b', lora_rank: 8, batch_size: 64 }), base: baseOf({ ...SHAPE, dModel: 64 }), text: short, limits: TIGHT }))).toBe('model');
    expect(key(input({ config: config({ lora_rank: 8, batch_size: 64 }), text: short, limits: TIGHT }))).toBe('lora_rank');
    expect(key(input({ config: config({ batch_size: 64 }), text: short, limits: TIGHT, resume: k }))).toBe('train_data');
    expect(key(input({ config: config({ batch_size: 64 }), limits: TIGHT, resume: k }))).toBe('batch_size');
  });
});

describe('trainer on a plan', () => {
  const gpu = useGpu();
  afterEach(() => vi.clearAllMocks());

  it('builds the model from the plan it is given, planning nothing again', async () => {
    const ctx = gpu();
    const plan = planRun(input({ limits: ctx.limits }));
    vi.clearAllMocks();
    const t = await Trainer.create(ctx, { plan, runtime: 'node' });
    expect(planned()).toEqual({ params: 0, activations: 0 });
    expect(t.plan).toBe(plan);
    expect(t.model.plan).toBe(plan.model);
    expect(t.model.params).toBe(plan.model.params);
    expect(t.model.acts).toBe(plan.model.acts);
    expect(t.model.table).toBe(plan.model.table);
    for (const [name, bytes] of Object.entries(plan.model.bytes)) {
      expect(t.model.buffers[name as keyof typeof plan.model.bytes].size, name).toBe(Math.max(16, Math.ceil(bytes / 16) * 16));
    }
    expect(t.maxSteps).toBe(plan.schedule.totalSteps);
    expect(t.record.data).toMatchObject({ source: 'moby-dick', train_bytes: plan.data.trainLen, val_bytes: plan.data.valLen });
    t.destroy();
  });
});
