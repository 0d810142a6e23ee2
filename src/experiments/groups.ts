// Runs that differ only in their seed form a group. A group's numbers are over its seeds: mean and
// standard deviation of final and best validation loss, the step of the best, the tokens to reach a
// chosen loss, how many diverged; groups.csv has one row per group. The verdict compares the group
// with the lowest mean final validation loss against every other group through compareGroups
// (noise.ts), so it calls a difference real only when it is larger than the seed noise.

import { toCsv } from '../runs/csv';
import { compareGroups, formatSpread, mean, std } from './noise';
import { differingKeys, type SummaryRow } from './summary';
import type { SweepKey } from './sweep';

/** The keys a group is defined by: every swept key but the seed. */
export type GroupKey = Exclude<SweepKey, 'seed'>;

export interface MeanStd {
  mean: number;
  std: number;
}

export interface RunGroup {
  /** "lr 0.003 bs 16", or "all runs" when nothing but the seed varies. */
  label: string;
  values: Record<GroupKey, number>;
  rows: SummaryRow[];
  seeds: number[];
  /** Final (and best) validation losses of the seeds that did not diverge, in seed order. */
  finals: number[];
  bests: number[];
  final: MeanStd | null;
  best: MeanStd | null;
  /** Median over seeds of the step of the best validation loss. */
  bestStep: number | null;
  /** Mean over the seeds that reached the target of the tokens they needed (null: none reached it, or no target). */
  tokensToTarget: number | null;
  reached: number;
  diverged: number;
}

const SHORT: Record<GroupKey, string> = { learning_rate: 'lr', batch_size: 'bs', lora_rank: 'r' };
const GROUP_KEYS: readonly GroupKey[] = ['learning_rate', 'batch_size', 'lora_rank'];

const meanStd = (xs: number[]): MeanStd | null => (xs.length ? { mean: mean(xs), std: std(xs) } : null);

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** The group keys that vary between the rows (the seed never does here). */
export function groupKeysOf(rows: readonly SummaryRow[]): GroupKey[] {
  return differingKeys(rows).filter((k): k is GroupKey => k !== 'seed');
}

/** The rows grouped by every varied key but the seed, in order of first appearance. */
export function groupRows(rows: readonly SummaryRow[], keys: readonly GroupKey[] = groupKeysOf(rows)): RunGroup[] {
  const by = new Map<string, SummaryRow[]>();
  for (const r of rows) {
    const label = keys.length ? keys.map((k) => `${SHORT[k]} ${r.values[k]}`).join(' ') : 'all runs';
    by.set(label, [...(by.get(label) ?? []), r]);
  }
  return [...by].map(([label, rs]) => {
    const ok = rs.filter((r) => !r.diverged);
    const finals = ok.map((r) => r.finalVal).filter((v): v is number => v !== null && Number.isFinite(v));
    const bests = ok.map((r) => r.bestVal).filter((v): v is number => v !== null && Number.isFinite(v));
    const reachedAt = rs.map((r) => r.tokensToTarget).filter((t): t is number => t !== null);
    return {
      label,
      values: Object.fromEntries(GROUP_KEYS.map((k) => [k, rs[0].values[k]])) as Record<GroupKey, number>,
      rows: rs,
      seeds: rs.map((r) => r.values.seed),
      finals,
      bests,
      final: meanStd(finals),
      best: meanStd(bests),
      bestStep: median(ok.map((r) => r.bestStep).filter((s): s is number => s !== null)),
      tokensToTarget: reachedAt.length ? mean(reachedAt) : null,
      reached: reachedAt.length,
      diverged: rs.length - ok.length,
    };
  });
}

/** groups.csv: one row per group, its varied keys, seeds, mean ± std of final and best validation loss, and more. */
export function groupsCsv(groups: readonly RunGroup[], keys: readonly GroupKey[]): string {
  const head = [...keys, 'seeds', 'final_val_mean', 'final_val_std', 'best_val_mean', 'best_val_std', 'best_step', 'tokens_to_target', 'reached_target', 'diverged'];
  return toCsv(head, groups.map((g) => [
    ...keys.map((k) => g.values[k]),
    g.seeds.length,
    g.final?.mean ?? null,
    g.final && g.finals.length > 1 ? g.final.std : null,
    g.best?.mean ?? null,
    g.best && g.bests.length > 1 ? g.best.std : null,
    g.bestStep,
    g.tokensToTarget,
    g.reached,
    g.diverged,
  ]));
}

const f3 = (x: number) => x.toFixed(3);

/** "2.512 ± 0.002 over 3 seeds", "2.512, one seed". */
function describe(g: RunGroup): string {
  if (!g.final) return '';
  return g.finals.length > 1 ? `${f3(g.final.mean)} ± ${formatSpread(g.final.std)} over ${g.finals.length} seeds` : `${f3(g.final.mean)}, one seed`;
}

/**
 * The sweep's verdict on final validation loss: the group with the lowest mean, then how every other
 * group compares with it (a real difference, within seed noise, or one seed and no noise estimate),
 * and the groups whose every seed diverged.
 */
export function groupVerdict(groups: readonly RunGroup[]): string {
  const live = groups.filter((g) => g.final !== null).sort((a, b) => a.final!.mean - b.final!.mean);
  const dead = groups.filter((g) => g.final === null);
  const gone = dead.length ? ` ${dead.map((g) => g.label).join(', ')}: ${dead.length === 1 && dead[0].rows.length === 1 ? 'diverged' : 'every seed diverged'}.` : '';
  if (!live.length) return `No group ended with a validation loss.${gone}`;
  const [top, ...rest] = live;
  const lead = `Lowest mean final validation loss: ${top.label} (${describe(top)}${top.diverged ? `; ${top.diverged} of ${top.rows.length} seeds diverged` : ''})`;
  if (!rest.length) return `${lead}.${gone}`;
  const against = rest.map((g) => {
    const v = compareGroups(top.finals, g.finals);
    const other = `${g.label} (${describe(g)})`;
    if (v.kind === 'one-seed') return `against ${other}: ${v.text}`;
    if (v.kind === 'within-noise') return `${v.text} of ${other}`;
    return v.text.replace(/^(lower|higher)/, `$1 than ${other}`);
  });
  return `${lead}; ${against.join('; ')}.${gone}`;
}
