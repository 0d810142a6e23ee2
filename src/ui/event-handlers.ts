// The answer to every event a component dispatches (events.ts): what it does to the page's state,
// each through a state object's method. The table's type lists every event, so an event nobody
// answers does not compile.

import { download } from './download';
import type { UiEventName, UiEvents } from './events';
import type { Workbench } from './state/workbench';

type Handlers = { [K in UiEventName]: (bench: Workbench, detail: UiEvents[K]) => unknown };

export const HANDLERS: Handlers = {
  'config-set': (b, d) => b.config.set(d.key, d.value),
  'config-apply': (b, d) => b.config.apply(d.values),
  'text-upload': (b, d) => b.useUpload(d.file),
  'base-pretrain': (b) => b.pretrainBase(),
  'base-import': (b, d) => b.importGpt2Files(d.files),
  'base-fetch': (b, d) => b.fetchGpt2(d.address),
  'train-start': (b) => b.train(),
  'train-pause': (b) => b.job.pause(),
  'train-resume': (b) => b.job.resume(),
  'train-step': (b) => b.job.step(1),
  'train-stop': (b) => b.job.stop(),
  'train-reset': (b) => b.job.reset(),
  'live-pause': (b, d) => b.job.pause(d.id),
  'live-resume': (b, d) => b.job.resume(d.id),
  'live-stop': (b, d) => b.job.stop(d.id),
  'view-change': (b, d) => b.setView(d),
  'run-select': (b, d) => b.select(d.id, d.on),
  'runs-select-all': (b) => b.selectAll(),
  'runs-select-none': (b) => b.selectNone(),
  'tag-select': (b, d) => b.selectTag(d.tag),
  'run-edit': (b, d) => b.updateRun(d.id, d.patch),
  'run-delete': (b, d) => b.deleteRun(d.id),
  'run-resume': (b, d) => b.resumeRun(d.id),
  'runs-import': (b, d) => b.importFiles(d.files),
  'runs-export': (b, d) => download(d.format === 'json' ? b.exportJson(d.ids) : b.exportCsv(d.ids)),
  'file-save': (_b, d) => download(d),
  'weights-download': async (b, d) => {
    for (const f of await b.weightFiles(d.id, d.name)) download(f);
  },
  'sweep-edit': (b, d) => b.experiments.editSweep(d),
  'sweep-run': (b) => b.experiments.runSweep(),
  'range-steps': (b, d) => b.experiments.setRangeSteps(d.text),
  'range-run': (b) => b.experiments.runRangeTest(),
  'scenario-present': (b, d) => b.experiments.present(d.id),
  'scenario-run': (b, d) => b.experiments.runScenario(d.id),
  'scenario-seeds': (b, d) => b.experiments.setScenarioSeeds(d.seeds),
  'plan-stop': (b) => b.experiments.stop(),
};

/** Answers every component event that reaches `host` by calling the handler above on `bench`. */
export function answerEvents(host: EventTarget, bench: Workbench): void {
  for (const type of Object.keys(HANDLERS) as UiEventName[]) host.addEventListener(type, (e) => answer(bench, type, e as CustomEvent<UiEvents[typeof type]>));
}

function answer<K extends UiEventName>(bench: Workbench, type: K, e: CustomEvent<UiEvents[K]>): void {
  void HANDLERS[type](bench, e.detail);
}
