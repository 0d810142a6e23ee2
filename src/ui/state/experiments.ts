// Experiments in the page: runs a plan (a sweep, a scenario, an LR range test) one run after another
// through the training job, each recorded as a normal run with the plan's tag; the presenter's
// current scenario; the sweep builder's fields. Components read it and call its methods.

import { rangePlan } from '../../experiments/lr-range';
import type { Plan } from '../../experiments/plan';
import { scenarioById, scenarioDefaults, scenarioPlan, type ScenarioOptions } from '../../experiments/scenarios';
import { expandSweep, parseListText, type LrScaling, type SweepSpec } from '../../experiments/sweep';
import type { RunRecord } from '../../runs/schema';
import { ConfigError, ConfigErrors, type TrainConfig } from '../../config/config';
import type { Workbench } from './workbench';

/** The sweep builder's fields, as typed. */
export interface SweepForm {
  name: string;
  learning_rate: string;
  batch_size: string;
  lora_rank: string;
  seed: string;
  lr_scaling: LrScaling;
  reference_batch_size: string;
  alpha_with_rank: boolean;
}

export class Experiments extends EventTarget {
  plan: Plan | null = null;
  /** Index of the plan's run that is training. */
  index = 0;
  private stopping = false;
  /** The scenario the presenter view shows (null: closed). */
  presenting: number | null = null;
  /** Overrides the machine's default step scale of scenarios (URL: scenario_scale=). */
  scenarioScale: number | null = null;
  sweepForm: SweepForm = { name: '', learning_rate: '1e-4, 3e-4, 1e-3', batch_size: '', lora_rank: '', seed: '', lr_scaling: 'none', reference_batch_size: '', alpha_with_rank: false };
  rangeSteps = 200;

  constructor(private readonly bench: Workbench) {
    super();
  }

  private changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  get busy(): boolean {
    return this.plan !== null;
  }

  /** The sweep the form describes on top of `config`; throws ConfigErrors naming the field. */
  sweepPlan(config: TrainConfig): Plan {
    const f = this.sweepForm;
    const errs: ConfigError[] = [];
    const field = <T>(fn: () => T): T | undefined => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof ConfigError) errs.push(e);
        else if (e instanceof ConfigErrors) errs.push(...e.errors);
        else throw e;
        return undefined;
      }
    };
    const spec: SweepSpec = { lr_scaling: f.lr_scaling, alpha_scaling: f.alpha_with_rank ? 'with_rank' : 'fixed' };
    for (const key of ['learning_rate', 'batch_size', 'lora_rank', 'seed'] as const) {
      const v = field(() => parseListText(key, f[key], key !== 'learning_rate'));
      if (v) spec[key] = v;
    }
    const ref = f.reference_batch_size.trim();
    if (ref) {
      const n = Number(ref);
      if (!Number.isInteger(n) || n < 1) errs.push(new ConfigError('reference_batch_size', ref, 'an integer ≥ 1 (the batch size the learning rates belong to)'));
      else spec.reference_batch_size = n;
    }
    if (f.name.trim()) spec.name = f.name.trim();
    if (errs.length) throw new ConfigErrors(errs);
    return expandSweep(config, spec);
  }

  scenarioOptions(): Omit<ScenarioOptions, 'base'> {
    const d = scenarioDefaults(this.bench.job.gpu?.adapter.isSoftware ?? true);
    return { size: d.size, stepScale: this.scenarioScale ?? d.stepScale };
  }

  /** The scenario's plan on this machine; pretrains the classroom base first if none is at hand. */
  async scenarioPlanHere(id: number): Promise<Plan> {
    const o = this.scenarioOptions();
    let base = this.bench.baseOptions(o.size)[0]?.value;
    if (!base) {
      await this.bench.pretrainBase(o.size);
      base = this.bench.baseOptions(o.size)[0]?.value;
      if (!base) throw new Error(`base_model: no ${o.size} base could be pretrained; the scenario needs one`);
    }
    return scenarioPlan(scenarioById(id), { ...o, base });
  }

  present(id: number | null): void {
    this.presenting = id;
    this.changed();
  }

  async runSweep(): Promise<RunRecord[]> {
    const config = this.bench.config.config;
    if (!config) return [];
    return this.run(this.sweepPlan(config));
  }

  async runRangeTest(): Promise<RunRecord[]> {
    const config = this.bench.config.config;
    if (!config) return [];
    return this.run(rangePlan(config, this.rangeSteps));
  }

  async runScenario(id: number): Promise<RunRecord[]> {
    if (this.busy || this.bench.job.busy) return [];
    try {
      return await this.run(await this.scenarioPlanHere(id));
    } catch (e) {
      this.bench.message = { kind: 'error', text: (e as Error).message };
      this.bench.changed();
      return [];
    }
  }

  /** Trains the plan's runs one after another; a stop ends the current run and skips the rest. */
  async run(plan: Plan): Promise<RunRecord[]> {
    if (this.busy || this.bench.job.busy) return [];
    this.plan = plan;
    this.index = 0;
    this.stopping = false;
    this.changed();
    const done: RunRecord[] = [];
    try {
      for (const [i, r] of plan.runs.entries()) {
        if (this.stopping) break;
        this.index = i;
        this.changed();
        const record = await this.bench.runConfig(r.config);
        if (!record) break;
        done.push(record);
      }
    } finally {
      this.plan = null;
      this.changed();
    }
    return done;
  }

  stop(): void {
    this.stopping = true;
    void this.bench.job.stop();
    this.changed();
  }
}
