// The page's components present and report: each declares the values it shows as documented Lit
// properties and dispatches an event (src/ui/events.ts) for what the person does; none holds the
// page's state (the Workbench or any other state object) or subscribes to it. Pure Node: the
// sources are read with fs and parsed by TypeScript, so comments and strings never count.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { makeRecord } from '../helpers/records';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const UI = 'src/ui';
/** Files in src/ui/components that are not components. */
const COMPONENT_HELPERS = ['src/ui/components/styles.ts'];
/** The page's state objects: a component never names one. */
const STATE_CLASSES = ['Workbench', 'Experiments', 'ConfigState', 'JobController', 'RunStore', 'Faults', 'BaseModels'];
/** Modules a component never imports: the whole page state, and the subscription to state objects. */
const STATE_MODULES = ['state/workbench', 'state/controller'];

interface Source {
  path: string;
  file: ts.SourceFile;
}

const read = (path: string): Source => ({ path, file: ts.createSourceFile(path, readFileSync(posix.join(ROOT, path), 'utf8'), ts.ScriptTarget.ES2022, true) });
const filesIn = (dir: string) => readdirSync(posix.join(ROOT, dir)).filter((n) => n.endsWith('.ts')).sort().map((n) => read(`${dir}/${n}`));

function nodes(root: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  const visit = (n: ts.Node) => {
    out.push(n);
    n.forEachChild(visit);
  };
  visit(root);
  return out;
}

const importSpecs = (s: Source) => s.file.statements.filter(ts.isImportDeclaration).map((d) => (d.moduleSpecifier as ts.StringLiteral).text);
const identifiers = (s: Source) => new Set(nodes(s.file).filter(ts.isIdentifier).map((i) => i.text));
const decoratorName = (d: ts.Decorator) => (ts.isCallExpression(d.expression) ? d.expression.expression.getText() : d.expression.getText());

interface Component {
  path: string;
  tag: string;
  cls: ts.ClassDeclaration;
  /** Reactive properties: `@property` fields, or names in `static properties`. */
  properties: { name: string; documented: boolean }[];
  /** Event names in the class's `@fires` JSDoc tags. */
  fires: string[];
  /** Event names passed to emit(this, '…'). */
  emits: string[];
}

function componentOf(s: Source): Component | null {
  for (const cls of s.file.statements.filter(ts.isClassDeclaration)) {
    const element = ts.getDecorators(cls)?.find((d) => decoratorName(d) === 'customElement');
    if (!element) continue;
    const tag = ((element.expression as ts.CallExpression).arguments[0] as ts.StringLiteral).text;
    const properties = cls.members.filter(ts.isPropertyDeclaration).flatMap((m) => {
      const decorated = ts.getDecorators(m)?.some((d) => decoratorName(d) === 'property');
      const isStatic = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
      if (isStatic && m.name.getText() === 'properties' && m.initializer && ts.isObjectLiteralExpression(m.initializer)) {
        return m.initializer.properties.map((p) => ({ name: p.name!.getText(), documented: ts.getJSDocCommentsAndTags(p).length > 0 }));
      }
      return decorated ? [{ name: m.name.getText(), documented: ts.getJSDocCommentsAndTags(m).length > 0 }] : [];
    });
    const fires = ts.getJSDocTags(cls).filter((t) => t.tagName.text === 'fires').map((t) => String(ts.getTextOfJSDocComment(t.comment) ?? '').trim().split(/\s+/)[0]);
    const emits = nodes(cls).filter(ts.isCallExpression).filter((c) => c.expression.getText() === 'emit').map((c) => (c.arguments[1] as ts.StringLiteral).text);
    return { path: s.path, tag, cls, properties, fires: [...new Set(fires)].sort(), emits: [...new Set(emits)].sort() };
  }
  return null;
}

/** The event names declared in src/ui/events.ts (the keys of UiEvents). */
function declaredEvents(): string[] {
  const events = read(`${UI}/events.ts`);
  const map = events.file.statements.filter(ts.isInterfaceDeclaration).find((i) => i.name.text === 'UiEvents');
  if (!map) throw new Error('src/ui/events.ts declares no UiEvents');
  return map.members.map((m) => (m.name as ts.StringLiteral).text).sort();
}

const viewFiles = [...filesIn(`${UI}/components`), ...filesIn(`${UI}/charts`)];
const components = viewFiles.map(componentOf).filter((c): c is Component => c !== null);

describe('UI components', () => {
  it('finds the components (every file in src/ui/components but its shared styles is one)', () => {
    const notComponents = filesIn(`${UI}/components`).filter((s) => !COMPONENT_HELPERS.includes(s.path) && !componentOf(s)).map((s) => s.path);
    expect(notComponents).toEqual([]);
    expect(components.map((c) => c.tag)).toEqual(expect.arrayContaining(['config-panel', 'run-list', 'train-controls', 'charts-panel', 'metric-chart', 'presenter-view']));
    expect(components.length).toBeGreaterThanOrEqual(14);
  });

  it('no component or chart file imports the Workbench, names a state object, or subscribes to one', () => {
    const bad = viewFiles.flatMap((s) => [
      ...importSpecs(s).filter((spec) => STATE_MODULES.some((m) => spec.endsWith(m))).map((spec) => `${s.path}: imports ${spec}`),
      ...STATE_CLASSES.filter((name) => identifiers(s).has(name)).map((name) => `${s.path}: names ${name}`),
    ]);
    expect(bad).toEqual([]);
  });

  it('every component declares its inputs as documented reactive properties', () => {
    const bare = components.filter((c) => c.properties.length === 0).map((c) => c.path);
    const undocumented = components.flatMap((c) => c.properties.filter((p) => !p.documented).map((p) => `${c.path}: ${p.name}`));
    expect(bare).toEqual([]);
    expect(undocumented).toEqual([]);
  });

  it('every component has a tag-name map entry', () => {
    const missing = components.filter((c) => !new RegExp(`'${c.tag}':\\s*${c.cls.name!.text};`).test(c.cls.getSourceFile().text)).map((c) => c.tag);
    expect(missing).toEqual([]);
  });

  it('every event a component dispatches is declared in its @fires JSDoc, and the other way round', () => {
    const mismatched = components.filter((c) => JSON.stringify(c.fires) !== JSON.stringify(c.emits)).map((c) => `${c.path}: @fires ${c.fires.join(', ') || '(none)'}; dispatches ${c.emits.join(', ') || '(none)'}`);
    expect(mismatched).toEqual([]);
  });

  it('components report what the person does by events, and every declared event is dispatched by one', () => {
    const dispatched = [...new Set(components.flatMap((c) => c.emits))].sort();
    expect(dispatched.length).toBeGreaterThan(20);
    expect(dispatched).toEqual(declaredEvents());
    // A component with a control the person uses but no event would be changing state on its own.
    const silent = components.filter((c) => /@(click|change|input|drop)=/.test(c.cls.getText()) && c.emits.length === 0).map((c) => c.tag);
    expect(silent).toEqual([]);
  });
});

// ---- rendering, without a DOM ------------------------------------------------------------------
// Lit's Node build (with its DOM shim) constructs a component; its render() is a TemplateResult,
// which `text` flattens into the markup it stands for (event handlers left out), enough to find
// what the page shows and the data-testid attributes the browser tests look for.

type Template = { strings: readonly string[]; values: readonly unknown[] };
const isTemplate = (v: unknown): v is Template => typeof v === 'object' && v !== null && '_$litType$' in v && 'strings' in v;

function text(v: unknown): string {
  if (isTemplate(v)) return v.strings.map((s, i) => s + (i < v.values.length ? text(v.values[i]) : '')).join('');
  if (Array.isArray(v)) return v.map(text).join('');
  if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol' || typeof v === 'object') return '';
  return String(v);
}

const count = (html: string, what: string) => html.split(what).length - 1;

/** A recorded run with per-tensor figures at steps 10, 20, 30 and two samples. */
async function recordedRun() {
  return {
    ...makeRecord({ name: 'recorded', losses: [3, 2.5, 2.2], status: 'finished' }),
    tensors: {
      names: ['blocks.0.attn.q.lora_A', 'blocks.0.attn.q.lora_B'],
      step: [10, 20, 30],
      grad_norm: [[0.5, 0], [0.25, 0.1], [0.125, 0.2]],
      update_ratio: [[1e-3, null], [2e-3, 1e-2], [4e-3, 3e-2]],
    },
    samples: [
      { step: 10, prompt: 'The ', text: 'first words', temperature: 0.8, top_k: 40 },
      { step: 30, prompt: 'The ', text: 'later words', temperature: 0.8, top_k: 40 },
    ],
  };
}

describe('UI components render a recorded run', () => {
  it('tensorRows takes each tensor\'s column and its latest value; sparkPath draws it on a log axis with gaps', async () => {
    const { sparkPath, tensorRows } = await import('../../../src/ui/components/tensor-norms');
    const rows = tensorRows((await recordedRun()).tensors);
    expect(rows.map((r) => [r.name, r.gradNorm, r.updateRatio])).toEqual([['blocks.0.attn.q.lora_A', 0.125, 4e-3], ['blocks.0.attn.q.lora_B', 0.2, 3e-2]]);
    expect(rows[1].gradNorms).toEqual([0, 0.1, 0.2]);
    // 0.5 → 0.25 → 0.125 falls evenly on a log axis: top, middle, bottom.
    expect(sparkPath([0.5, 0.25, 0.125], 80, 16)).toBe('M0.0 0.0L40.0 8.0L80.0 16.0');
    // A zero or a null (not drawable on a log axis) breaks the line; a flat one sits in the middle.
    expect(sparkPath([0, 0.1, null, 0.1], 30, 10)).toBe('M10.0 5.0M30.0 5.0');
    expect(sparkPath([null, 0], 30, 10)).toBe('');
  });

  it('<tensor-norms> shows one row per tensor with its latest figures, the step, and says when none were recorded', async () => {
    const { TensorNorms } = await import('../../../src/ui/components/tensor-norms');
    const el = new TensorNorms();
    el.run = await recordedRun();
    const out = text(el.render());
    expect(count(out, 'data-testid="tensor-row"')).toBe(2);
    expect(out).toContain('blocks.0.attn.q.lora_B');
    expect(out).toMatch(/At step <b>30<\/b>/);
    expect(out).toContain('0.125');
    expect(out).toContain('0.03');
    el.run = { ...el.run, tensors: { names: [], step: [], grad_norm: [], update_ratio: [] } };
    expect(text(el.render())).toContain('No per-tensor figures were recorded');
  });

  it('<samples-panel> shows a recorded run\'s samples newest first, and says when a finished run kept none', async () => {
    const { SamplesPanel } = await import('../../../src/ui/components/samples-panel');
    const el = new SamplesPanel();
    const run = await recordedRun();
    el.run = run;
    const out = text(el.render());
    expect(count(out, 'data-testid="sample"')).toBe(2);
    expect(out.indexOf('later words')).toBeLessThan(out.indexOf('first words'));
    el.run = { ...run, samples: [] };
    expect(text(el.render())).toContain('No samples were recorded for this run.');
    el.run = null;
    expect(text(el.render())).toContain('Samples appear every sample_interval steps');
  });

  it('<run-list> opens a recorded run\'s samples and per-tensor figures below its row, one run at a time', async () => {
    const { RunList } = await import('../../../src/ui/components/run-list');
    const run = await recordedRun();
    const el = new RunList();
    el.runs = [run, makeRecord({ name: 'other' })];
    let out = text(el.render());
    expect(count(out, 'data-testid="open-run"')).toBe(2);
    expect(out).not.toContain('data-testid="run-details"');
    (el as unknown as { opened: string | null }).opened = run.id;
    out = text(el.render());
    expect(count(out, 'data-testid="run-details"')).toBe(1);
    expect(out).toContain(`data-testid="run-details" data-run=${run.id}`);
    expect(out).toContain('<samples-panel data-testid="run-samples"');
    expect(out).toContain('<tensor-norms data-testid="tensor-norms"');
    expect(out).toContain('Samples (2)');
  });

  it('<presenter-view> disables Run and says why when the class link locks a key the scenario sets', async () => {
    const { PresenterView } = await import('../../../src/ui/components/presenter-view');
    // It sizes its chart to the window.
    vi.stubGlobal('window', { innerHeight: 800 });
    try {
      const el = new PresenterView();
      el.scenario = 1;
      expect(text(el.render())).not.toContain('presenter-locked');
      el.refusal = 'Scenario 1: Learning rate cannot run here: learning_rate is locked by the class link at 0.0002 (its runs would set 0.00001).';
      const out = text(el.render());
      expect(out).toMatch(/data-testid="presenter-locked">Scenario 1: Learning rate cannot run here: learning_rate is locked/);
      expect(out).toMatch(/data-testid="presenter-run" \?disabled=true title=Scenario 1: Learning rate cannot run here/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
