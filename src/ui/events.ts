// What the person does, as the components report it: one CustomEvent per action, its detail typed
// here. Each bubbles and is composed, so it leaves the shadow roots of nested components and
// reaches <stepsize-app>, which answers it through the state objects (event-handlers.ts).

import type { ConfigKey, TrainConfig } from '../config/config';
import type { RunRecord } from '../runs/schema';
import type { Download } from './state/run-files';
import type { SweepForm } from './state/sweep-form';
import type { ViewPrefs } from './state/view';

/** Each event's detail; null for an action that needs none. */
export interface UiEvents {
  // ---- setup
  /** One config field typed or picked. */
  'config-set': { key: ConfigKey; value: unknown };
  /** Several keys at once (a preset, a batch split that fits). */
  'config-apply': { values: Partial<TrainConfig> };
  /** A .txt file dropped or chosen as the training text. */
  'text-upload': { file: File };
  /** Pretrain a base for the current model. */
  'base-pretrain': null;
  /** A GPT-2 checkpoint's files (config.json, model.safetensors, tokenizer.json) dropped or chosen together. */
  'base-import': { files: File[] };
  /** Fetch a GPT-2 checkpoint's three files from an address (a Hugging Face repository's …/resolve/main). */
  'base-fetch': { address: string };
  // ---- training
  'train-start': null;
  'train-pause': null;
  'train-resume': null;
  /** One more step while paused. */
  'train-step': null;
  'train-stop': null;
  /** Clear the finished live run from the page (it stays in the run list). */
  'train-reset': null;
  /** Pause, resume or stop one of the runs training side by side (the others train on). */
  'live-pause': { id: string };
  'live-resume': { id: string };
  'live-stop': { id: string };
  // ---- charts
  'view-change': Partial<ViewPrefs>;
  // ---- runs
  'run-select': { id: string; on: boolean };
  'runs-select-all': null;
  'runs-select-none': null;
  /** Overlay exactly the runs with this tag. */
  'tag-select': { tag: string };
  'run-edit': { id: string; patch: Partial<Pick<RunRecord, 'name' | 'tags' | 'notes'>> };
  'run-delete': { id: string };
  /** Continue a stopped or interrupted run from its checkpoint. */
  'run-resume': { id: string };
  'runs-import': { files: File[] };
  'runs-export': { ids: string[]; format: 'json' | 'csv' };
  'weights-download': { id: string; name: string };
  /** Save a file the component made (a chart's SVG, PNG or CSV). */
  'file-save': Download;
  // ---- experiments
  'sweep-edit': Partial<SweepForm>;
  'sweep-run': null;
  /** The range test's steps field, as typed. */
  'range-steps': { text: string };
  'range-run': null;
  /** Open scenario `id` in the presenter view; null closes it. */
  'scenario-present': { id: number | null };
  'scenario-run': { id: number };
  /** Repeat every run of a scenario with this many seeds (1..MAX_SCENARIO_SEEDS). */
  'scenario-seeds': { seeds: number };
  /** Stop the running plan (sweep, range test, scenario) after its current run. */
  'plan-stop': null;
}

export type UiEventName = keyof UiEvents;

/** Dispatches `type` from a component's element, bubbling out of every shadow root to the app. */
export function emit<K extends UiEventName>(from: EventTarget, type: K, ...[detail]: UiEvents[K] extends null ? [] : [UiEvents[K]]): void {
  from.dispatchEvent(new CustomEvent(type, { detail: detail ?? null, bubbles: true, composed: true }));
}
