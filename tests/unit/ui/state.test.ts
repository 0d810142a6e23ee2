// The page's state objects change only through their own methods, and every change hands out new
// values (Lit compares a component's properties by identity). Experiments reaches the page only
// through ExperimentsHost, so it is driven here by a fake one, without a Workbench, a worker or a
// GPU. Pure Node. `refusedOutsideMutation` is never run: the typecheck (tsc -p .) holds it, since an
// `@ts-expect-error` line that compiles is itself an error.
import { describe, expect, it } from 'vitest';
import { defaultConfig, type TrainConfig } from '../../../src/config/config';
import { scenarioDefaults } from '../../../src/experiments/scenarios';
import type { RunRecord } from '../../../src/runs/schema';
import { HANDLERS } from '../../../src/ui/event-handlers';
import { CONFIG_PRESETS, ConfigState, hidesGroup } from '../../../src/ui/state/config-state';
import { namesKey, presetRefusal } from '../../../src/ui/state/locks';
import { Experiments, type ExperimentsHost } from '../../../src/ui/state/experiments';
import { lockedChanges, lockMessage, planLockedChanges } from '../../../src/ui/state/locks';
import type { JobController } from '../../../src/ui/state/job';
import { lastResult } from '../../../src/ui/state/memo';
import type { RunStore } from '../../../src/ui/state/store';
import type { Workbench } from '../../../src/ui/state/workbench';
import { makeRecord } from '../helpers/records';

/** Each line assigns to, or mutates, what only the object's own methods may change. */
export function refusedOutsideMutation(bench: Workbench, job: JobController, store: RunStore): void {
  // @ts-expect-error runs change through refreshRuns(), importFiles(), deleteRun()
  bench.runs = [];
  // @ts-expect-error a read-only array
  bench.runs.push(makeRecord());
  // @ts-expect-error selection changes through select(), selectAll(), selectNone(), selectTag()
  bench.selected.add('id');
  // @ts-expect-error the view changes through setView()
  bench.view = { x: 'step', smoothing: 0, logY: false, logX: false };
  // @ts-expect-error nor field by field
  bench.view.x = 'time';
  // @ts-expect-error the message changes through say()
  bench.message = null;
  // @ts-expect-error checkpoints are read from the store
  bench.checkpoints.clear();
  // @ts-expect-error the upload changes through useUpload()
  bench.upload = null;
  // @ts-expect-error the Workbench's own change event is fired by its methods only
  bench.changed();
  // @ts-expect-error the config changes through set(), apply(), fromQuery()
  bench.config.values = {};
  // @ts-expect-error the validated config is the schema's answer, not a place to write
  bench.config.config!.learning_rate = 1;
  // @ts-expect-error a read-only map
  bench.config.errors.set('batch_size', 'no');
  // @ts-expect-error lock= is read from the URL
  bench.config.locked.add('learning_rate');
  // @ts-expect-error the job's state follows the worker
  job.state = 'idle';
  // @ts-expect-error the live run changes through the worker's events and annotate()
  job.run = null;
  // @ts-expect-error the heartbeat's patience changes through setHeartbeatTimeout()
  job.heartbeatTimeoutMs = 1;
  // @ts-expect-error the notice callback is given to the constructor
  job.onNotice = () => {};
  // @ts-expect-error the presenter changes through present()
  bench.experiments.presenting = 1;
  // @ts-expect-error the sweep form changes through editSweep()
  bench.experiments.sweepForm = bench.experiments.sweepForm;
  // @ts-expect-error nor field by field
  bench.experiments.sweepForm.name = 'x';
  // @ts-expect-error the plan is set by run() alone
  bench.experiments.plan = null;
  // @ts-expect-error the scale changes through scaleScenarios()
  bench.experiments.scenarioScale = 0.5;
  // @ts-expect-error fault injection goes through failNextCheckpoints()
  store.simulatedQuotaErrors = 1;
}

const CONFIG = defaultConfig();

/** A host that records what the experiments asked of it. */
function fakeHost(over: Partial<ExperimentsHost> = {}) {
  const trained: TrainConfig[] = [];
  const packed: TrainConfig[][] = [];
  const errors: string[] = [];
  let stops = 0;
  const host: ExperimentsHost = {
    packCap: () => 1,
    runConfigs: async (cs) => {
      packed.push([...cs]);
      trained.push(...cs);
      return cs.map((c) => makeRecord({ name: c.name }));
    },
    config: () => CONFIG,
    jobBusy: () => false,
    isSoftware: () => true,
    baseFor: () => 'base/tiny.safetensors',
    pretrainBase: async () => {},
    runConfig: async (c): Promise<RunRecord | null> => {
      trained.push(c);
      return makeRecord({ name: c.name });
    },
    stopJob: async () => {
      stops++;
    },
    sayError: (text) => errors.push(text),
    locks: () => ({ locked: new Set(), values: CONFIG }),
    ...over,
  };
  return { host, trained, packed, errors, stops: () => stops };
}

describe('ConfigState', () => {
  it('replaces values and errors on every change, and refuses a locked key', () => {
    const c = new ConfigState();
    let changes = 0;
    c.addEventListener('change', () => changes++);
    const { values, errors } = c;
    c.set('batch_size', 0);
    expect(changes).toBe(1);
    expect(c.values).not.toBe(values);
    expect(c.errors).not.toBe(errors);
    expect(c.errors.get('batch_size')).toMatch(/batch_size: 0 is not allowed/);
    expect(c.config).toBeNull();
    c.fromQuery('?learning_rate=0.001&lock=learning_rate&hide=evaluation');
    expect(c.values.learning_rate).toBe(0.001);
    expect([...c.locked, ...c.hidden]).toEqual(['learning_rate', 'evaluation']);
    expect(c.set('learning_rate', 0.1)).toMatch(/learning_rate is locked/);
    // Refused whole: the unlocked batch_size does not change either.
    expect(c.apply({ learning_rate: 0.2, batch_size: 8 })).toMatch(/learning_rate is locked/);
    expect(c.values.learning_rate).toBe(0.001);
    expect(c.values.batch_size).toBe(16);
    expect(c.apply({ batch_size: 8 })).toBeNull();
    expect(c.values.batch_size).toBe(8);
    expect(c.isLocked('learning_rate')).toBe(true);
  });

  it('reads lock= and hide= lists by key or by group', () => {
    const names = new Set(['learning_rate', 'evaluation']);
    expect(namesKey(names, 'learning_rate')).toBe(true);
    expect(namesKey(names, 'eval_interval')).toBe(true);
    expect(namesKey(names, 'batch_size')).toBe(false);
    expect(hidesGroup(names, 'evaluation')).toBe(true);
    expect(hidesGroup(names, 'optimizer')).toBe(false);
  });
});

/** A config from a class link, and a host whose experiments start from it under its locks. */
function classLink(query: string, over: Partial<ExperimentsHost> = {}) {
  const c = new ConfigState();
  c.fromQuery(query);
  const refused: string[] = [];
  c.addEventListener('refused', (e) => refused.push((e as CustomEvent<string>).detail));
  let changes = 0;
  c.addEventListener('change', () => changes++);
  let pretrained = 0;
  const fake = fakeHost({
    config: () => c.config,
    locks: () => ({ locked: c.locked, values: c.values }),
    pretrainBase: async () => {
      pretrained++;
    },
    ...over,
  });
  // The page's answer to the components' events, on a page that has only this config.
  const page = { config: c } as unknown as Workbench;
  return { c, refused, changes: () => changes, pretrained: () => pretrained, page, x: new Experiments(fake.host), ...fake };
}

describe('Class locks hold on every path that changes a setting', () => {
  it('a field: a key locked by its group (lock=optimizer) is refused, naming the key, the value held and the value asked for', () => {
    const { c, refused, changes } = classLink('?learning_rate=0.001&lock=optimizer');
    expect(c.isLocked('weight_decay')).toBe(true);
    const message = c.set('learning_rate', 0.01);
    expect(message).toBe('Nothing was changed: learning_rate is locked by the class link at 0.001 (this would set 0.01).');
    expect(refused).toEqual([message]);
    expect(c.values.learning_rate).toBe(0.001);
    expect(changes()).toBe(0);
    // The value it already has changes nothing and is not refused; an unlocked key is set.
    expect(c.set('learning_rate', 0.001)).toBeNull();
    expect(c.set('batch_size', 4)).toBeNull();
    expect(c.values.batch_size).toBe(4);
    expect(refused).toHaveLength(1);
  });

  it('a preset (config-apply) that sets a locked key changes nothing and names every locked key it would set', () => {
    const { c, refused, page } = classLink('?learning_rate=0.0002&weight_decay=0.1&lock=optimizer');
    const full = CONFIG_PRESETS.find((p) => p.id === 'full')!;
    const before = c.values;
    HANDLERS['config-apply'](page, { values: full.values });
    expect(c.values).toBe(before);
    expect(refused).toEqual(['Nothing was changed: learning_rate is locked by the class link at 0.0002 (this would set 0.001); weight_decay is locked at 0.1 (this would set 0.01).']);
    // A preset that touches no locked key applies whole.
    HANDLERS['config-apply'](page, { values: CONFIG_PRESETS.find((p) => p.id === 'small-cpu')!.values });
    expect(c.values.model).toBe('tiny');
    expect(refused).toHaveLength(1);
  });

  it('a preset is greyed out ahead of the click, with the reason, only while it would change a locked key', () => {
    const { c } = classLink('?learning_rate=0.0002&weight_decay=0.1&lock=optimizer');
    const by = (id: string) => CONFIG_PRESETS.find((p) => p.id === id)!;
    expect(presetRefusal(c.locked, c.values, by('full'))).toBe('Full fine-tune cannot be used here: learning_rate is locked by the class link at 0.0002 (it would set 0.001); weight_decay is locked at 0.1 (it would set 0.01).');
    expect(presetRefusal(c.locked, c.values, by('small-cpu'))).toBeNull();
    // The same preset with the form already at its locked values is usable.
    const { c: at } = classLink('?learning_rate=0.001&weight_decay=0.01&lock=optimizer');
    expect(presetRefusal(at.locked, at.values, by('full'))).toBeNull();
    expect(presetRefusal(new Set(), c.values, by('full'))).toBeNull();
  });

  it("the range test's \"use\" (config-set of learning_rate) is refused while learning_rate is locked", () => {
    const { c, refused, page } = classLink('?learning_rate=0.0002&lock=learning_rate');
    HANDLERS['config-set'](page, { key: 'learning_rate', value: 3e-3 });
    expect(c.values.learning_rate).toBe(2e-4);
    expect(refused).toEqual([expect.stringMatching(/^Nothing was changed: learning_rate is locked by the class link at 0\.0002 \(this would set 0\.003\)/)]);
  });

  it('the memory estimate\'s "use it" (a batch split) is refused whole while batching is locked', () => {
    const { c, refused, page } = classLink('?batch_size=64&lock=batching');
    HANDLERS['config-apply'](page, { values: { batch_size: 16, grad_accum_steps: 4 } });
    expect([c.values.batch_size, c.values.grad_accum_steps]).toEqual([64, 1]);
    expect(refused).toEqual(['Nothing was changed: batch_size is locked by the class link at 64 (this would set 16); grad_accum_steps is locked at 1 (this would set 4).']);
  });

  it('a sweep over a locked key trains nothing and says which key; one over other keys runs', async () => {
    const { x, trained, errors } = classLink('?learning_rate=0.0002&lock=learning_rate');
    x.editSweep({ name: 'lr', learning_rate: '1e-4, 3e-4, 1e-3' });
    expect(await x.runSweep()).toEqual([]);
    expect(trained).toEqual([]);
    expect(errors).toEqual(['The sweep "lr" cannot run here: learning_rate is locked by the class link at 0.0002 (its runs would set 0.0001, 0.0003, 0.001).']);
    x.editSweep({ learning_rate: '', seed: '1, 2' });
    expect(await x.runSweep()).toHaveLength(2);
    expect(trained.map((t) => t.learning_rate)).toEqual([2e-4, 2e-4]);
  });

  it("a lock on the run group does not stop a sweep: its runs' names and tags are the plan's labels", async () => {
    const { x, trained, errors } = classLink('?lock=run');
    x.editSweep({ name: 'lr', learning_rate: '1e-4, 1e-3' });
    expect(await x.runSweep()).toHaveLength(2);
    expect(errors).toEqual([]);
    expect(trained.map((t) => t.tags)).toEqual([['sweep:lr'], ['sweep:lr']]);
  });

  it('the LR range test is refused while a key it changes is locked (learning_rate, or the schedule), and runs under other locks', async () => {
    for (const lock of ['learning_rate', 'optimizer', 'schedule']) {
      const { x, trained, errors } = classLink(`?lock=${lock}`);
      expect(await x.runRangeTest()).toEqual([]);
      expect(trained).toEqual([]);
      expect(errors).toEqual([expect.stringMatching(/^The LR range test cannot run here: \w+ is locked by the class link at .* \(it would set .*\)\.$/)]);
    }
    const { x, trained, errors: e2 } = classLink('?lock=batching,lora');
    expect(await x.runRangeTest()).toHaveLength(1);
    expect(e2).toEqual([]);
    expect(trained).toHaveLength(1);
  });

  // The classroom tier (a GPU): its recipe is the issue's, fixed in scenarios.ts.
  const gpu = { isSoftware: () => false };

  it('a scenario whose runs set a locked key is refused before a base is pretrained; the presenter is told why', async () => {
    const { x, trained, errors, pretrained } = classLink('?learning_rate=0.0002&lock=learning_rate', { ...gpu, baseFor: () => undefined });
    const why = x.scenarioRefusal(1);
    expect(why).toBe('Scenario 1: Learning rate cannot run here: learning_rate is locked by the class link at 0.0002 (its runs would set 0.00001, 0.003, 0.1).');
    expect(await x.runScenario(1)).toEqual([]);
    expect(errors).toEqual([why]);
    expect(pretrained()).toBe(0);
    expect(trained).toEqual([]);
    // Scenario 6 trains both runs at 2e-4: the lock holds and it may run.
    expect(x.scenarioRefusal(6)).toBeNull();
  });

  it('a scenario runs under a lock its runs keep, and is refused by a group lock on keys it sets (model, base_model)', async () => {
    const ok = classLink('?learning_rate=0.0002&lock=learning_rate', gpu);
    expect(await ok.x.runScenario(6)).toHaveLength(2);
    expect(ok.errors).toEqual([]);
    const model = classLink('?model=tiny&lock=model', gpu);
    expect(model.x.scenarioRefusal(6)).toBe('Scenario 6: Gradient accumulation cannot run here: model is locked by the class link at tiny (its runs would set classroom); base_model is locked at none (its runs would set base/tiny.safetensors).');
    expect(await model.x.runScenario(6)).toEqual([]);
    expect(model.trained).toEqual([]);
  });

  it('every plan is checked in run() itself, and nothing is locked without lock=', async () => {
    const { x, trained, errors } = classLink('?seed=1&lock=seed');
    const plan = { kind: 'sweep' as const, name: 's', tag: 'sweep:s', runs: [{ label: 'a', config: { ...CONFIG, seed: 7 } }], x: 'step' as const, keys: [] };
    expect(await x.run(plan)).toEqual([]);
    expect(errors).toEqual(['The sweep "s" cannot run here: seed is locked by the class link at 1 (its runs would set 7).']);
    expect(trained).toEqual([]);
    expect(planLockedChanges(new Set(), CONFIG, plan)).toEqual([]);
    expect(lockedChanges(new Set(['optimizer']), CONFIG, [{ learning_rate: 1 }, { learning_rate: 1 }, { learning_rate: 2 }])).toEqual([{ key: 'learning_rate', held: 2e-4, wanted: [1, 2] }]);
    expect(lockMessage([{ key: 'seed', held: 1, wanted: [1, 2, 3, 4, 5, 6, 7] }], 'No')).toBe('No: seed is locked by the class link at 1 (this would set 1, 2, 3, 4, 5, …).');
  });
});

describe('Experiments (through a fake host, without a Workbench)', () => {
  it('trains a sweep one run after another, showing which one trains', async () => {
    const { host, trained } = fakeHost();
    const x = new Experiments(host);
    const seen: (number | null)[] = [];
    x.addEventListener('change', () => seen.push(x.plan ? x.index : null));
    x.editSweep({ name: 'lr', learning_rate: '1e-4, 1e-3' });
    const done = await x.runSweep();
    expect(trained.map((c) => c.learning_rate)).toEqual([1e-4, 1e-3]);
    expect(done).toHaveLength(2);
    expect(seen).toEqual([null, 0, 0, 1, null]);
    expect(x.busy).toBe(false);
  });

  it('trains runs that can share a step program side by side, as many as the GPU takes (or together says)', async () => {
    const { host, trained, packed } = fakeHost({ packCap: () => 2 });
    const x = new Experiments(host);
    const seen: string[] = [];
    x.addEventListener('change', () => x.training.length && seen.push(x.training.join(',')));
    // 3 rates × 2 batch sizes: the batch sizes cannot share a program; at most 2 of each together.
    x.editSweep({ name: 'lr', learning_rate: '1e-4, 3e-4, 1e-3', batch_size: '2, 4' });
    const done = await x.runSweep();
    expect(done).toHaveLength(6);
    expect(packed.map((g) => g.map((c) => `${c.batch_size} ${c.learning_rate}`))).toEqual([['2 0.0001', '2 0.0003'], ['4 0.0001', '4 0.0003']]);
    expect(trained.map((c) => `${c.batch_size} ${c.learning_rate}`)).toEqual(['2 0.0001', '2 0.0003', '2 0.001', '4 0.0001', '4 0.0003', '4 0.001']);
    expect([...new Set(seen)]).toEqual(['0,1', '2', '3,4', '5']);
    x.editSweep({ together: 1 });
    packed.length = 0;
    await x.runSweep();
    expect(packed).toEqual([]);
  });

  it('a stop ends the current run through the host and skips the rest', async () => {
    let x!: Experiments;
    const { host, trained, stops } = fakeHost({
      runConfig: async (c) => {
        trained.push(c);
        x.stop();
        return makeRecord();
      },
    });
    x = new Experiments(host);
    x.editSweep({ learning_rate: '1e-4, 3e-4, 1e-3' });
    expect(await x.runSweep()).toHaveLength(1);
    expect(trained).toHaveLength(1);
    expect(stops()).toBe(1);
  });

  it('starts nothing while the host is training, or while its config is invalid', async () => {
    const busy = fakeHost({ jobBusy: () => true });
    expect(await new Experiments(busy.host).runScenario(6)).toEqual([]);
    expect(await new Experiments(busy.host).run({ kind: 'sweep', name: 's', tag: 'sweep:s', runs: [{ label: 'a', config: CONFIG }], x: 'step', keys: [] })).toEqual([]);
    const invalid = fakeHost({ config: () => null });
    expect(await new Experiments(invalid.host).runRangeTest()).toEqual([]);
    expect([...busy.trained, ...invalid.trained]).toEqual([]);
  });

  it('reads the range test steps as typed when it starts (at least 20, 200 for no number)', async () => {
    const { host, trained } = fakeHost();
    const x = new Experiments(host);
    for (const text of ['5', 'abc', '300']) {
      x.setRangeSteps(text);
      expect(x.rangeSteps).toBe(text);
      await x.runRangeTest();
    }
    expect(trained.map((c) => c.max_steps)).toEqual([20, 200, 300]);
  });

  it('scales scenarios to the machine, pretrains a missing base, and says why a scenario cannot start', async () => {
    let base: string | undefined;
    const { host, errors } = fakeHost({ baseFor: () => base, pretrainBase: async () => {} });
    const x = new Experiments(host);
    expect(x.scenarioOptions()).toEqual({ ...scenarioDefaults(true), seeds: 1 });
    x.scaleScenarios(0.02);
    expect(x.scenarioNote()).toMatch(/2% of the steps/);
    expect(await x.runScenario(6)).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/no tiny base could be pretrained/)]);
    base = 'base/tiny.safetensors';
    const plan = await x.scenarioPlanHere(6);
    expect(plan.tag).toBe('scenario:6');
    expect(plan.runs.some((r) => r.config.base_model === base)).toBe(true);
  });

  it('repeats a scenario with K seeds (the page\'s "repeat with K seeds"), refusing K outside 1..8 with a message and no change', async () => {
    const { host, errors, trained } = fakeHost();
    const x = new Experiments(host);
    expect(x.scenarioOptions()).toEqual({ ...scenarioDefaults(true), seeds: 1 });
    x.setScenarioSeeds(3);
    expect(x.scenarioSeeds).toBe(3);
    x.scaleScenarios(0.02);
    await x.runScenario(6);
    expect(trained.map((c) => [c.name, c.seed])).toEqual([
      ['S6 Gradient accumulation: bs 16 · seed 1', 1], ['S6 Gradient accumulation: bs 16 · seed 2', 2], ['S6 Gradient accumulation: bs 16 · seed 3', 3],
      ['S6 Gradient accumulation: bs 4 × 4 accumulation · seed 1', 1], ['S6 Gradient accumulation: bs 4 × 4 accumulation · seed 2', 2], ['S6 Gradient accumulation: bs 4 × 4 accumulation · seed 3', 3],
    ]);
    for (const bad of [0, 9, 2.5]) x.setScenarioSeeds(bad);
    expect(x.scenarioSeeds).toBe(3);
    expect(errors).toEqual(['seeds: 0 is not allowed; an integer from 1 to 8', 'seeds: 9 is not allowed; an integer from 1 to 8', 'seeds: 2.5 is not allowed; an integer from 1 to 8']);
  });

  it('opens and closes the presenter through present()', () => {
    const x = new Experiments(fakeHost().host);
    x.present(3);
    expect(x.presenting).toBe(3);
    x.present(null);
    expect(x.presenting).toBeNull();
  });
});

describe('lastResult', () => {
  it('keeps the same result while the arguments are the same objects', () => {
    let calls = 0;
    const listed = lastResult((runs: readonly number[], extra: number | null) => {
      calls++;
      return extra === null ? [...runs] : [extra, ...runs];
    });
    const runs = [1, 2];
    const a = listed(runs, null);
    expect(listed(runs, null)).toBe(a);
    expect(listed([1, 2], null)).not.toBe(a);
    expect(listed(runs, 3)).toEqual([3, 1, 2]);
    expect(calls).toBe(3);
  });
});
