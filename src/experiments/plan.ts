// A plan: the runs an experiment (a sweep, a classroom scenario, an LR range test) trains one after
// another. Every run is a normal run with the plan's tag, so the run list shows and overlays them.

import type { TrainConfig } from '../config/config';
import type { SweepKey } from './sweep';

export interface PlannedRun {
  /** Short, what differs: "lr 0.0003 bs 16". */
  label: string;
  config: TrainConfig;
  /** The swept values of this run (sweeps only). */
  varied?: Partial<Record<SweepKey, number>>;
}

export interface Plan {
  kind: 'sweep' | 'scenario' | 'range';
  name: string;
  /** Tag every run of the plan carries ("sweep:NAME", "scenario:3"). */
  tag: string;
  runs: PlannedRun[];
  /** The x axis the plan's curves compare on. */
  x: 'step' | 'tokens';
  /** The config keys its table shows. */
  keys: SweepKey[];
}

/** The recorded runs that carry a tag, oldest first. */
export function runsOfTag<R extends { tags: string[]; created: string }>(runs: readonly R[], tag: string): R[] {
  return runs.filter((r) => r.tags.includes(tag)).sort((a, b) => a.created.localeCompare(b.created));
}
