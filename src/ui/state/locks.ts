// Classroom locks: a class link's lock= names keys, or groups of keys, that the page may not change.
// Every path that changes a setting asks here which locked keys it would change — a field typed, a
// preset, a suggested rate or batch split (ConfigState), every run of an experiment (Experiments) —
// and is refused whole, with a message that names the key, the value it is held at and the value
// asked for, when any would change. Setting a locked key to the value it already has changes nothing
// and is not refused.

import { FIELDS, type ConfigKey } from '../../config/config';
import type { Plan } from '../../experiments/plan';

/** Whether a lock= or hide= list names the key, or the key's group. */
export function namesKey(names: ReadonlySet<string>, key: ConfigKey): boolean {
  return names.has(key) || names.has(FIELDS[key].group);
}

/** A locked key that a change would set to something else. */
export interface LockedChange {
  key: ConfigKey;
  /** The value the lock holds it at (the form's). */
  held: unknown;
  /** The other values the change asks for, in order, each once. */
  wanted: unknown[];
}

type Values = Readonly<Partial<Record<ConfigKey, unknown>>>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The locked keys that any of `changes` would set to a value other than the one in `current`, in the
 * order they first appear.
 */
export function lockedChanges(locked: ReadonlySet<string>, current: Readonly<Record<string, unknown>>, changes: readonly Values[]): LockedChange[] {
  const out = new Map<ConfigKey, LockedChange>();
  if (!locked.size) return [];
  for (const values of changes) {
    for (const [k, v] of Object.entries(values) as [ConfigKey, unknown][]) {
      if (!(k in FIELDS) || !namesKey(locked, k) || same(v, current[k])) continue;
      const c = out.get(k) ?? { key: k, held: current[k], wanted: [] };
      if (!c.wanted.some((w) => same(w, v))) c.wanted.push(v);
      out.set(k, c);
    }
  }
  return [...out.values()];
}

/**
 * Keys that label a run rather than say how it trains: every run of an experiment carries the
 * plan's own name and tag, which a lock on the `run` group is not meant to stop.
 */
const LABELS: readonly ConfigKey[] = ['name', 'tags', 'notes', 'output_dir'];

/** The locked keys a plan's runs would change relative to the form (`current`); labels aside. */
export function planLockedChanges(locked: ReadonlySet<string>, current: Readonly<Record<string, unknown>>, plan: Pick<Plan, 'runs'>): LockedChange[] {
  if (!locked.size) return [];
  return lockedChanges(locked, current, plan.runs.map((r) => Object.fromEntries(Object.entries(r.config).filter(([k]) => !LABELS.includes(k as ConfigKey)))));
}

function show(v: unknown): string {
  return v === null ? 'none' : typeof v === 'string' ? v : JSON.stringify(v);
}

const MAX_SHOWN = 5;

/**
 * What the page says when a change is refused: `lead`, then each key with the value it is held at
 * and what `asker` ("this would set", "its runs would set") asked for.
 * "Nothing was changed: learning_rate is locked by the class link at 0.001 (this would set 0.01)."
 */
export function lockMessage(changes: readonly LockedChange[], lead: string, asker = 'this would set'): string {
  const parts = changes.map((c, i) => {
    const wanted = c.wanted.slice(0, MAX_SHOWN).map(show).join(', ') + (c.wanted.length > MAX_SHOWN ? ', …' : '');
    return `${c.key} is locked${i === 0 ? ' by the class link' : ''} at ${show(c.held)} (${asker} ${wanted})`;
  });
  return `${lead}: ${parts.join('; ')}.`;
}

/**
 * Why a preset cannot be used under the locks (the keys it would change, and to what), or null:
 * the page greys its button out ahead of the click and gives this as the reason.
 */
export function presetRefusal(locked: ReadonlySet<string>, current: Readonly<Record<string, unknown>>, preset: { title: string; values: Values }): string | null {
  const held = lockedChanges(locked, current, [preset.values]);
  return held.length ? lockMessage(held, `${preset.title} cannot be used here`, 'it would set') : null;
}
