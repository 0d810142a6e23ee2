// The page's components present and report: each declares the values it shows as documented Lit
// properties and dispatches an event (src/ui/events.ts) for what the person does; none holds the
// page's state (the Workbench or any other state object) or subscribes to it. Pure Node: the
// sources are read with fs and parsed by TypeScript, so comments and strings never count.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

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
