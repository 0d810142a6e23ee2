// The comparisons scenario checks make beyond the common outcome sentence (facts.ts): pairs of
// settings (which ended lower, or within seed noise), settings against a reference one, and two
// curves that should be the same. Each compares groups of seeds through compareGroups (noise.ts),
// so a difference is called real only when it is larger than the seed noise; one seed says so.

import type { RunRecord } from '../runs/schema';
import { f3, type GroupFacts } from './facts';
import { compareGroups } from './noise';

/** Every pair of groups whose labels share a prefix ("bs 1" of "bs 1 at 1e-4"). */
export function samePrefixPairs(gs: readonly GroupFacts[], prefixOf: (label: string) => string): [string, string][] {
  const out: [string, string][] = [];
  gs.forEach((a, i) => gs.slice(i + 1).forEach((b) => {
    if (prefixOf(a.label) === prefixOf(b.label)) out.push([a.label, b.label]);
  }));
  return out;
}

/** For each pair: which ended lower and whether that is beyond the seed noise. */
export function pairs(gs: readonly GroupFacts[], which: [string, string][]): string[] {
  const by = new Map(gs.map((g) => [g.label, g]));
  const out: string[] = [];
  for (const [a, b] of which) {
    const ga = by.get(a);
    const gb = by.get(b);
    if (!ga || !gb || ga.final === null || gb.final === null) continue;
    const v = compareGroups(ga.finals, gb.finals);
    if (v.kind === 'within-noise') {
      out.push(`${ga.label} and ${gb.label} ended within seed noise of each other (${f3(ga.final)} and ${f3(gb.final)}; ${v.text.replace(/^within seed noise /, '').replace(/^\(|\)$/g, '')}).`);
      continue;
    }
    const why = v.kind === 'one-seed' ? v.text : v.text.replace(/^(lower|higher) by [\d.]+ \((.*)\)$/, '$2');
    if (f3(ga.final) === f3(gb.final)) {
      out.push(`${ga.label} and ${gb.label} ended level (${f3(ga.final)} and ${f3(gb.final)}; ${why}).`);
      continue;
    }
    const [lo, hi] = ga.final <= gb.final ? [ga, gb] : [gb, ga];
    out.push(`${lo.label} ended lower than ${hi.label} (${f3(lo.final)} against ${f3(hi.final)}; ${why}).`);
  }
  return out;
}

/**
 * Groups that ended as low as a reference group: within its seed noise, or, with one seed, within
 * `margin` nats (and said to be one seed).
 */
export function closeToReference(ref: GroupFacts, gs: readonly GroupFacts[], margin: number): { close: GroupFacts[]; how: string; note: string } {
  if (ref.finals.length < 2 || gs.some((g) => g.finals.length < 2)) {
    return { close: gs.filter((g) => g.final !== null && ref.final !== null && Math.abs(g.final - ref.final) <= margin), how: `within ${margin}`, note: ' (one seed, no noise estimate)' };
  }
  return { close: gs.filter((g) => g.finals.length && compareGroups(g.finals, ref.finals).kind === 'within-noise'), how: 'within seed noise', note: '' };
}

/** How close two runs' curves are: the largest gap between their validation and their training losses. */
function gapOf(a: RunRecord, b: RunRecord): { val: number; train: number; n: number } {
  const vb = new Map(b.evals.map((e) => [e.step, e.val_loss]));
  let val = 0;
  let n = 0;
  for (const e of a.evals) {
    const o = vb.get(e.step);
    if (e.val_loss === null || o === null || o === undefined) continue;
    val = Math.max(val, Math.abs(e.val_loss - o));
    n++;
  }
  const la = a.metrics.loss;
  const lb = b.metrics.loss;
  let train = 0;
  for (let i = 0; i < Math.min(la.length, lb.length); i++) if (la[i] !== null && lb[i] !== null) train = Math.max(train, Math.abs(la[i]! - lb[i]!));
  return { val, train, n };
}

/** Scenario 6's statement: how close two settings' curves are, seed against the same seed. */
export function curveGap(a: readonly RunRecord[], b: readonly RunRecord[]): string {
  const gaps = a.map((r, i) => (b[i] ? gapOf(r, b[i]) : null)).filter((g) => g !== null);
  const val = Math.max(0, ...gaps.map((g) => g.val));
  const train = Math.max(0, ...gaps.map((g) => g.train));
  const n = gaps.reduce((t, g) => t + g.n, 0);
  const verdict = val < 1e-3 ? 'the same curve' : val < 2e-2 ? 'nearly the same curve' : 'different curves';
  const seeds = gaps.length > 1 ? ` (${gaps.length} seeds, each against the same seed)` : '';
  return `${verdict}: validation losses differ by at most ${val.toExponential(1)} over ${n} evaluations, training losses by at most ${train.toExponential(1)}${seeds}.`;
}
