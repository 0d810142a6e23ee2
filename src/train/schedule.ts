// The learning-rate schedule: warmup from warmup_init_lr to the peak over warmup_steps (linear or
// cosine ramp), then constant, or linear or cosine decay to min_lr at the last step. Step numbers are
// 0-based here; step s uses lrAt(s). Matches ../shared/bench/torch_scenarios.py's sched().
// 'exponential' is the learning-rate range test's ramp: geometric from warmupInit at the first step to
// the peak at the last, with no warmup and no decay.

export interface Schedule {
  peak: number;
  warmupSteps: number;
  warmupInit: number;
  warmupShape: 'linear' | 'cosine';
  kind: 'constant' | 'linear' | 'cosine' | 'exponential';
  floor: number;
  totalSteps: number;
}

export function lrAt(s: Schedule, step: number): number {
  if (s.kind === 'exponential') return s.warmupInit * (s.peak / s.warmupInit) ** (Math.min(step, s.totalSteps - 1) / Math.max(1, s.totalSteps - 1));
  if (step < s.warmupSteps) {
    const f = (step + 1) / s.warmupSteps;
    const ramp = s.warmupShape === 'linear' ? f : 0.5 * (1 - Math.cos(Math.PI * f));
    return s.warmupInit + (s.peak - s.warmupInit) * ramp;
  }
  if (s.kind === 'constant') return s.peak;
  const p = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps));
  if (s.kind === 'linear') return s.peak + (s.floor - s.peak) * p;
  return s.floor + 0.5 * (s.peak - s.floor) * (1 + Math.cos(Math.PI * p));
}

/** The whole curve (for the schedule preview). */
export function lrCurve(s: Schedule): Float64Array {
  return Float64Array.from({ length: s.totalSteps }, (_, i) => lrAt(s, i));
}
