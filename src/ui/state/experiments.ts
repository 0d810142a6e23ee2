// Experiments in the page: runs a plan (a sweep, a scenario, an LR range test) one run after another
// through the training job, each recorded as a normal run with the plan's tag; the presenter's
// current scenario; the sweep builder's and the range test's fields. It reaches the rest of the page
// only through ExperimentsHost, so it can be driven without one (tests/unit/ui).

import { rangePlan } from '../../experiments/lr-range';
import type { Plan } from '../../experiments/plan';
import { scenarioById, scenarioDefaults, scenarioNote, scenarioPlan, type ScenarioOptions } from '../../experiments/scenarios';
import type { RunRecord } from '../../runs/schema';
import type { TrainConfig } from '../../config/config';
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
  baseFor(model: ScenarioOptions['size']): string | undefined;
  /** Pretrains a base for the model and keeps it in the browser. */
  pretrainBase(model: ScenarioOptions['size']): Promise<void>;
  /** Trains one config to its end; null when it could not start or failed (the page says why). */
  runConfig(config: TrainConfig): Promise<RunRecord | null>;
  stopJob(): Promise<void>;
  /** Shows an error as the page's message. */
  sayError(text: string): void;
}

/** The range test's steps when its field holds no number. */
const RANGE_STEPS = 200;
const MIN_RANGE_STEPS = 20;

export class Experiments extends EventTarget {
  #plan: Plan | null = null;
  #index = 0;
  private stopping = false;
  #presenting: number | null = null;
  #scenarioScale: number | null = null;
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

  /** Index of the plan's run that is training. */
  get index(): number {
    return this.#index;
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

  scenarioOptions(): Omit<ScenarioOptions, 'base'> {
    const d = scenarioDefaults(this.host.isSoftware());
    return { size: d.size, stepScale: this.#scenarioScale ?? d.stepScale };
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

  present(id: number | null): void {
    this.#presenting = id;
    this.changed();
  }

  async runSweep(): Promise<RunRecord[]> {
    const config = this.host.config();
    if (!config) return [];
    return this.run(sweepPlan(this.#sweepForm, config));
  }

  async runRangeTest(): Promise<RunRecord[]> {
    const config = this.host.config();
    if (!config) return [];
    return this.run(rangePlan(config, Math.max(MIN_RANGE_STEPS, Number(this.#rangeSteps) || RANGE_STEPS)));
  }

  async runScenario(id: number): Promise<RunRecord[]> {
    if (this.busy || this.host.jobBusy()) return [];
    try {
      return await this.run(await this.scenarioPlanHere(id));
    } catch (e) {
      this.host.sayError((e as Error).message);
      return [];
    }
  }

  /** Trains the plan's runs one after another; a stop ends the current run and skips the rest. */
  async run(plan: Plan): Promise<RunRecord[]> {
    if (this.busy || this.host.jobBusy()) return [];
    this.#plan = plan;
    this.#index = 0;
    this.stopping = false;
    this.changed();
    const done: RunRecord[] = [];
    try {
      for (const [i, r] of plan.runs.entries()) {
        if (this.stopping) break;
        this.#index = i;
        this.changed();
        const record = await this.host.runConfig(r.config);
        if (!record) break;
        done.push(record);
      }
    } finally {
      this.#plan = null;
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
