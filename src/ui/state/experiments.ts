// Experiments in the page: runs a plan (a sweep, a scenario, an LR range test) through the training
// job, runs that can share a step program side by side (src/train/pack.ts; `together` of them at a
// time, auto: as many as fit the GPU), each recorded as a normal run with the plan's tag; the presenter's
// current scenario; the sweep builder's and the range test's fields. It reaches the rest of the page
// only through ExperimentsHost, so it can be driven without one (tests/unit/ui). A plan whose runs
// would change a key the class link locks is refused before anything trains, with the key named.

import { RANGE_STEPS, rangePlan } from '../../experiments/lr-range';
import type { Plan } from '../../experiments/plan';
import { MAX_SCENARIO_SEEDS, scenarioById, scenarioDefaults, scenarioNote, scenarioPlan, type PresetScenarioSize, type ScenarioOptions } from '../../experiments/scenarios';
import type { RunRecord } from '../../runs/schema';
import type { TrainConfig } from '../../config/config';
import type { Together } from '../../experiments/sweep';
import { packConfigKey, packGroups } from '../../train/pack';
import { lockMessage, planLockedChanges } from './locks';
import { lastResult } from './memo';
import { DEFAULT_SWEEP_FORM, sweepPlan, type SweepForm } from './sweep-form';

/** What experiments need from the page (the Workbench gives them). */
export interface ExperimentsHost {
  /** The validated config being edited, or null while a field is invalid. */
  config(): TrainConfig | null;
  /** Whether a run is training, started by a plan or not. */
  jobBusy(): boolean;
  /** Whether WebGPU runs on the CPU here (scenarios then shrink to the tiny model). */
  isSoftware(): boolean;
  /** The first base_model value available for a model preset, if any. */
  baseFor(model: PresetScenarioSize): string | undefined;
  /** Pretrains a base for the model and keeps it in the browser. */
  pretrainBase(model: PresetScenarioSize): Promise<void>;
  /** Trains one config to its end; null when it could not start or failed (the page says why). */
  runConfig(config: TrainConfig): Promise<RunRecord | null>;
  /** Trains configs side by side (they share a pack key); each record, or null where it failed. */
  runConfigs(configs: readonly TrainConfig[]): Promise<(RunRecord | null)[]>;
  /** How many runs of this config `together: auto` packs on this GPU. */
  packCap(config: TrainConfig): number;
  stopJob(): Promise<void>;
  /** Shows an error as the page's message. */
  sayError(text: string): void;
  /** Keys and groups the class link locks, and the form's values as typed (a locked key keeps its own). */
  locks(): Locks;
}

export interface Locks {
  locked: ReadonlySet<string>;
  values: Readonly<Record<string, unknown>>;
}

/** What a plan's lock check says while the scenario's base is still to be pretrained. */
const BASE_TO_PRETRAIN = (size: PresetScenarioSize) => `a ${size} base pretrained first`;

/** Why the plan cannot run under the locks (each key it would change, and to what), or null. */
function planRefusal(locked: ReadonlySet<string>, values: Readonly<Record<string, unknown>>, plan: Plan): string | null {
  const held = planLockedChanges(locked, values, plan);
  if (!held.length) return null;
  const what = plan.kind === 'sweep' ? `The sweep "${plan.name}"` : plan.kind === 'range' ? 'The LR range test' : plan.name;
  return lockMessage(held, `${what} cannot run here`, plan.kind === 'range' ? 'it would set' : 'its runs would set');
}

const MIN_RANGE_STEPS = 20;

export class Experiments extends EventTarget {
  #plan: Plan | null = null;
  #index = 0;
  /** Indices of the plan's runs training now (several when packed). */
  #training: readonly number[] = [];
  private stopping = false;
  #presenting: number | null = null;
  #scenarioScale: number | null = null;
  #scenarioSeeds = 1;
  #sweepForm: SweepForm = DEFAULT_SWEEP_FORM;
  #rangeSteps = String(RANGE_STEPS);

  constructor(private readonly host: ExperimentsHost) {
    super();
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  /** The plan being trained, or null. */
  get plan(): Plan | null {
    return this.#plan;
  }

  /** Index of the plan's run that is training (the first, when several train side by side). */
  get index(): number {
    return this.#index;
  }

  /** Indices of the plan's runs that are training now. */
  get training(): readonly number[] {
    return this.#training;
  }


  get busy(): boolean {
    return this.#plan !== null;
  }

  /** The scenario the presenter view shows (null: closed). */
  get presenting(): number | null {
    return this.#presenting;
  }

  /** Overrides the machine's default step scale of scenarios (URL: scenario_scale=). */
  get scenarioScale(): number | null {
    return this.#scenarioScale;
  }

  /** Seeds every scenario run is repeated with (1: one run each, no noise estimate). */
  get scenarioSeeds(): number {
    return this.#scenarioSeeds;
  }

  /** Sets the scenarios' seeds; a value outside 1..MAX_SCENARIO_SEEDS is refused with a message and changes nothing. */
  setScenarioSeeds(seeds: number): void {
    if (!Number.isInteger(seeds) || seeds < 1 || seeds > MAX_SCENARIO_SEEDS) {
      this.host.sayError(`seeds: ${seeds} is not allowed; an integer from 1 to ${MAX_SCENARIO_SEEDS}`);
      return;
    }
    this.#scenarioSeeds = seeds;
    this.changed();
  }

  /** The sweep builder's fields, as typed. */
  get sweepForm(): Readonly<SweepForm> {
    return this.#sweepForm;
  }

  /** The range test's steps field, as typed (read as a number when the test starts). */
  get rangeSteps(): string {
    return this.#rangeSteps;
  }

  editSweep(patch: Partial<SweepForm>): void {
    this.#sweepForm = { ...this.#sweepForm, ...patch };
    this.changed();
  }

  setRangeSteps(text: string): void {
    this.#rangeSteps = text;
    this.changed();
  }

  scaleScenarios(scale: number | null): void {
    this.#scenarioScale = scale;
    this.changed();
  }

  /** The page's scenarios run at a preset's size (the GPT-2 tier is the CLI's: `scenario N --size gpt2`). */
  scenarioOptions(): Omit<ScenarioOptions, 'base'> & { size: PresetScenarioSize } {
    const d = scenarioDefaults(this.host.isSoftware());
    return { size: d.size, stepScale: this.#scenarioScale ?? d.stepScale, seeds: this.#scenarioSeeds };
  }

  /** What a scenario shown here says about its scale (null on a GPU at full scale). */
  scenarioNote(): string | null {
    return scenarioNote(this.scenarioOptions());
  }

  /** The scenario's plan on this machine; pretrains the classroom base first if none is at hand. */
  async scenarioPlanHere(id: number): Promise<Plan> {
    const o = this.scenarioOptions();
    let base = this.host.baseFor(o.size);
    if (!base) {
      await this.host.pretrainBase(o.size);
      base = this.host.baseFor(o.size);
      if (!base) throw new Error(`base_model: no ${o.size} base could be pretrained; the scenario needs one`);
    }
    return scenarioPlan(scenarioById(id), { ...o, base });
  }

  /** Why the plan cannot run under the class link's locks (the keys it would change), or null. */
  lockRefusal(plan: Plan): string | null {
    const { locked, values } = this.lockBase();
    return planRefusal(locked, values, plan);
  }

  /**
   * The locks, and the values a plan is compared with: the validated config plans start from (its
   * automatic keys resolved, lora_rank null as 0 or 8), or the values as typed while one is invalid.
   */
  private lockBase(): Locks {
    const { locked, values } = this.host.locks();
    return { locked, values: this.host.config() ?? values };
  }

  /**
   * Why scenario `id` cannot run under the class link's locks, or null; read without pretraining
   * (a base still to be pretrained counts as a change of base_model).
   */
  scenarioRefusal(id: number): string | null {
    const o = this.scenarioOptions();
    const { locked, values } = this.lockBase();
    return this.scenarioRefusalOf(id, o.size, o.stepScale, o.seeds ?? 1, this.host.baseFor(o.size) ?? BASE_TO_PRETRAIN(o.size), locked, values);
  }

  private readonly scenarioRefusalOf = lastResult((id: number, size: PresetScenarioSize, stepScale: number, seeds: number, base: string, locked: ReadonlySet<string>, values: Readonly<Record<string, unknown>>): string | null => {
    if (!locked.size) return null;
    return planRefusal(locked, values, scenarioPlan(scenarioById(id), { size, stepScale, seeds, base }));
  });

  present(id: number | null): void {
    this.#presenting = id;
    this.changed();
  }

  async runSweep(): Promise<RunRecord[]> {
    const config = this.host.config();
    if (!config) return [];
    return this.run(sweepPlan(this.#sweepForm, config), this.#sweepForm.together);
  }

  async runRangeTest(): Promise<RunRecord[]> {
    const config = this.host.config();
    if (!config) return [];
    return this.run(rangePlan(config, Math.max(MIN_RANGE_STEPS, Number(this.#rangeSteps) || RANGE_STEPS)));
  }

  async runScenario(id: number): Promise<RunRecord[]> {
    if (this.busy || this.host.jobBusy()) return [];
    // Refused before a base is pretrained for it.
    const refusal = this.scenarioRefusal(id);
    if (refusal) {
      this.host.sayError(refusal);
      return [];
    }
    try {
      return await this.run(await this.scenarioPlanHere(id));
    } catch (e) {
      this.host.sayError((e as Error).message);
      return [];
    }
  }

  /**
   * Trains the plan's runs, those that can share a step program side by side (`together` at a time:
   * 'auto' as many as fit the GPU, 1 one after another),
   * the groups one after another; a stop ends the current runs and skips the rest. A plan that would
   * change a locked key trains nothing, and the page says which key.
   */
  async run(plan: Plan, together: Together = 'auto'): Promise<RunRecord[]> {
    if (this.busy || this.host.jobBusy()) return [];
    const refusal = this.lockRefusal(plan);
    if (refusal) {
      this.host.sayError(refusal);
      return [];
    }
    this.#plan = plan;
    this.#index = 0;
    this.stopping = false;
    this.changed();
    const done: RunRecord[] = [];
    const groups = packGroups([...plan.runs.keys()], (i) => packConfigKey(plan.runs[i].config), (i) => (together === 'auto' ? this.host.packCap(plan.runs[i].config) : together));
    try {
      for (const group of groups) {
        if (this.stopping) break;
        this.#index = group[0];
        this.#training = group;
        this.changed();
        const configs = group.map((i) => plan.runs[i].config);
        const records = group.length === 1 ? [await this.host.runConfig(configs[0])] : await this.host.runConfigs(configs);
        done.push(...records.filter((r): r is RunRecord => r !== null));
        if (records.includes(null)) break;
      }
    } finally {
      this.#plan = null;
      this.#training = [];
      this.changed();
    }
    return done;
  }

  stop(): void {
    this.stopping = true;
    void this.host.stopJob();
    this.changed();
  }
}
