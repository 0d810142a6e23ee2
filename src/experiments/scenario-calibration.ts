// A scenario's runs put in order by final validation loss, and that order set beside PyTorch's for the
// same configs (the CPU tier's calibration, src/experiments/scenario-tiny.ts): which pairs agree.

import { f3, type RunFacts } from './facts';

/**
 * Final losses closer than this (nats) in PyTorch are a tie, whose order is noise: at the tiny tier,
 * seeds 1 and 2 of one config ended 0.0004 apart and the base and sampling differ between the two
 * engines, so only pairs PyTorch separates by more than this are held to the same order.
 */
export const CALIBRATION_TIE = 0.005;

export type Reference = Record<string, number | 'diverged'>;

/** A run's final loss for ordering: a diverged run sorts last. */
const rank = (v: number | 'diverged' | null): number => (v === 'diverged' ? Infinity : (v ?? NaN));

/** "LoRA 3e-3 2.554 < LoRA 2e-4 2.581 < LoRA 1e+0 diverged" */
export function orderLine(entries: { label: string; final: number | 'diverged' }[]): string {
  return [...entries]
    .sort((a, b) => rank(a.final) - rank(b.final))
    .map((e) => `${e.label} ${e.final === 'diverged' ? 'diverged' : f3(e.final)}`)
    .join(' < ');
}

export function oursOf(f: RunFacts): number | 'diverged' | null {
  return f.diverged ? 'diverged' : f.final;
}

export interface OrderComparison {
  /** Pairs PyTorch separates by more than CALIBRATION_TIE, and of those, how many our runs order the same way. */
  pairs: number;
  agree: number;
  /** "LoRA 2e-4 / LoRA 1e-5" for each pair ordered the other way. */
  disagree: string[];
}

export function compareOrder(fs: readonly RunFacts[], ref: Reference): OrderComparison {
  const out: OrderComparison = { pairs: 0, agree: 0, disagree: [] };
  const known = fs.filter((f) => f.label in ref && oursOf(f) !== null);
  for (let i = 0; i < known.length; i++) {
    for (let j = i + 1; j < known.length; j++) {
      const [a, b] = [known[i], known[j]];
      const [ra, rb] = [rank(ref[a.label]), rank(ref[b.label])];
      const apart = ra === Infinity || rb === Infinity ? ra !== rb : Math.abs(ra - rb) > CALIBRATION_TIE;
      if (!apart) continue;
      out.pairs++;
      const [oa, ob] = [rank(oursOf(a)), rank(oursOf(b))];
      if (Math.sign(oa - ob) === Math.sign(ra - rb) || (oa === Infinity && ob === Infinity)) out.agree++;
      else out.disagree.push(`${a.label} / ${b.label}`);
    }
  }
  return out;
}

/** The sentence a CPU-tier check ends with: our order, PyTorch's, and how far they agree. */
export function calibrationSentence(fs: readonly RunFacts[], ref: Reference): string {
  const c = compareOrder(fs, ref);
  const torch = orderLine(fs.filter((f) => f.label in ref).map((f) => ({ label: f.label, final: ref[f.label] })));
  const verdict = c.pairs === 0
    ? `PyTorch separates no pair by more than ${CALIBRATION_TIE}`
    : c.agree === c.pairs
      ? `the same order as PyTorch on all ${c.pairs} pairs it separates by more than ${CALIBRATION_TIE}`
      : `the same order as PyTorch on ${c.agree} of ${c.pairs} pairs it separates by more than ${CALIBRATION_TIE} (not: ${c.disagree.join(', ')})`;
  return `PyTorch, same configs and base: ${torch}; ${verdict}.`;
}
