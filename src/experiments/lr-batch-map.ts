// A sweep over learning rate and batch size as a map: best validation loss per (batch, rate), seeds
// folded (groups.ts), diverged cells marked; per batch the best rate and every rate within seed noise
// of it; the rates the linear and square-root rules predict from the smallest batch's best rate; and
// a verdict on which rule the best rates follow, or neither, within the noise.
//
// Each batch has an acceptable interval of rates on the log axis: from the lowest to the highest rate
// within seed noise of its best (the best alone with one seed), widened by half the gap to the next
// swept rate on each side (the sweep cannot place the best any finer). A rule is followed when some
// rate in the smallest batch's interval, scaled by the rule, lands inside every other batch's
// interval (the intervals overlap by more than a point): the reference's best is uncertain too.

import { type RunGroup, groupRows } from './groups';
import { compareGroups } from './noise';
import type { SummaryRow } from './summary';

export interface MapCell {
  lr: number;
  batch: number;
  /** Mean best validation loss over the seeds that did not diverge (null: every seed diverged). */
  best: number | null;
  seeds: number;
  diverged: number;
}

export interface BatchBest {
  batch: number;
  /** The rate with the lowest mean best validation loss (null: every run at this batch diverged). */
  lr: number | null;
  /** Rates within seed noise of the best (the best alone with one seed), ascending. */
  within: number[];
  /** The acceptable interval [lo, hi] of rates (see the head comment). */
  lo: number | null;
  hi: number | null;
}

export type Rule = 'linear' | 'sqrt';

export interface LrBatchMap {
  rates: number[];
  batches: number[];
  /** cells[b][r]: batches[b] at rates[r], or null where that pair was not run. */
  cells: (MapCell | null)[][];
  best: BatchBest[];
  /** The batch the rules scale from (the smallest) and its best rate. */
  reference: { batch: number; lr: number } | null;
  /** Predicted rate per batch, by rule. */
  predicted: Record<Rule, number[]>;
  /** Which rules fit every batch. */
  follows: Rule[];
  /** True when every setting had at least two seeds (a noise estimate). */
  seeded: boolean;
  verdict: string;
}

const RULE_NAME: Record<Rule, string> = { linear: 'linear', sqrt: 'square-root' };
const sci = (x: number) => Number(x.toPrecision(2)).toExponential().replace('e+', 'e').replace(/\.0+e/, 'e');

export function predictRate(rule: Rule, refLr: number, refBatch: number, batch: number): number {
  const k = batch / refBatch;
  return refLr * (rule === 'linear' ? k : Math.sqrt(k));
}

/** Half the log gap from `lr` to its neighbour in `rates` on one side (the other side's where there is none). */
function halfGap(rates: readonly number[], lr: number, side: -1 | 1): number {
  const i = rates.indexOf(lr);
  const n = rates[i + side] ?? rates[i - side];
  return n === undefined ? Math.log(2) : Math.abs(Math.log(n) - Math.log(lr)) / 2;
}

function bestAt(batch: number, groups: readonly RunGroup[], rates: readonly number[]): BatchBest {
  const here = groups.filter((g) => g.values.batch_size === batch && g.bests.length);
  if (!here.length) return { batch, lr: null, within: [], lo: null, hi: null };
  const top = here.reduce((a, g) => (g.best!.mean < a.best!.mean ? g : a));
  const within = here.filter((g) => g === top || compareGroups(top.bests, g.bests).kind === 'within-noise').map((g) => g.values.learning_rate).sort((a, b) => a - b);
  const [first, last] = [within[0], within[within.length - 1]];
  return { batch, lr: top.values.learning_rate, within, lo: Math.exp(Math.log(first) - halfGap(rates, first, -1)), hi: Math.exp(Math.log(last) + halfGap(rates, last, 1)) };
}

/** The map of a sweep's rows (null unless both learning rate and batch size vary). */
export function lrBatchMap(rows: readonly SummaryRow[]): LrBatchMap | null {
  const rates = [...new Set(rows.map((r) => r.values.learning_rate))].sort((a, b) => a - b);
  const batches = [...new Set(rows.map((r) => r.values.batch_size))].sort((a, b) => a - b);
  if (rates.length < 2 || batches.length < 2) return null;
  const groups = groupRows(rows, ['learning_rate', 'batch_size', 'lora_rank']);
  const cells = batches.map((b) => rates.map((lr) => {
    const gs = groups.filter((g) => g.values.batch_size === b && g.values.learning_rate === lr);
    if (!gs.length) return null;
    const g = gs[0];
    return { lr, batch: b, best: g.best?.mean ?? null, seeds: g.rows.length, diverged: g.diverged };
  }));
  const best = batches.map((b) => bestAt(b, groups, rates));
  const seeded = groups.every((g) => g.rows.length >= 2);
  const ref = best[0].lr === null ? null : { batch: batches[0], lr: best[0].lr };
  const predicted: Record<Rule, number[]> = {
    linear: batches.map((b) => (ref ? predictRate('linear', ref.lr, ref.batch, b) : NaN)),
    sqrt: batches.map((b) => (ref ? predictRate('sqrt', ref.lr, ref.batch, b) : NaN)),
  };
  // The reference rates that every batch's interval allows, scaled back by the rule: their intersection.
  const fits = (rule: Rule) => {
    if (best[0].lo === null) return false;
    let lo = Math.log(best[0].lo);
    let hi = Math.log(best[0].hi!);
    for (const bb of best.slice(1)) {
      if (bb.lo === null) return false;
      const k = Math.log(predictRate(rule, 1, batches[0], bb.batch));
      lo = Math.max(lo, Math.log(bb.lo) - k);
      hi = Math.min(hi, Math.log(bb.hi!) - k);
    }
    return hi - lo > 1e-9;
  };
  const judged = ref !== null && best.slice(1).every((bb) => bb.lr !== null);
  const follows = judged ? (['linear', 'sqrt'] as Rule[]).filter(fits) : [];
  const bests = best.map((bb) => `bs ${bb.batch} ${bb.lr === null ? 'diverged' : sci(bb.lr)}`).join(', ');
  const noise = seeded ? 'within seed noise' : 'with one seed per setting (no noise estimate: only the best rate itself counts)';
  const verdict = !judged
    ? `Best rate by batch: ${bests}; every run of some batch diverged, so no rule can be checked.`
    : `Best rate by batch: ${bests}. From bs ${ref!.batch} the linear rule predicts ${best.slice(1).map((bb, i) => `${sci(predicted.linear[i + 1])} at bs ${bb.batch}`).join(', ')}, the square-root rule ${best.slice(1).map((_, i) => `${sci(predicted.sqrt[i + 1])}`).join(', ')}. ` +
      (follows.length === 2 ? `Both rules fit the best rates ${noise}: this sweep cannot tell them apart.`
        : follows.length === 1 ? `The best rates follow the ${RULE_NAME[follows[0]]} rule ${noise}, not the ${RULE_NAME[follows[0] === 'linear' ? 'sqrt' : 'linear']} one.`
        : `The best rates follow neither rule ${noise}.`);
  return { rates, batches, cells, best, reference: ref, predicted, follows, seeded, verdict };
}
