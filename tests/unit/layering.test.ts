// Layering: every import in src/ and workers/ runs down the stack README.md's "How it is built" states,
// and the engine (everything but src/ui, src/cli, src/node and workers/) touches neither the DOM nor
// Node. Pure Node: the sources are read with fs and their imports listed by TypeScript's own scanner
// (ts.preProcessFile: `import`, `import type`, `export … from`, `import()`, `?raw` shaders; never
// strings or comments).
//
// The stack, top to bottom. A file may import a file of its own folder, or of a folder on a lower
// row; a lower row never imports a higher one (a back-edge). Two folders on one row do not import
// each other, except the front-door edges in FRONT_DOOR_EDGES.
//   front doors    src/ui  src/cli  src/node  src/worker  src/bench  workers/
//   experiments    src/experiments
//   training       src/train
//   records        src/runs          (run files carry the model's tensors, so runs → model is down)
//   model          src/model
//   kernels        src/kernels       (+ shaders/, which only src/kernels imports)
//   runtime        src/gpu
//   bottom         src/ref  src/data (beside each other: neither imports the other)
//   leaves         src/config  src/version.ts (import nothing from the project)
// Two folders are private to the folder above them, whatever their row:
//   - src/kernels belongs to the model: only src/model imports it, except src/kernels/selftest.ts
//     (the self-test the front doors run). A trainer that decodes a kernel's buffers itself
//     skips the model, and two places then know one layout.
//   - src/ref is the float64 oracle the tests hold the GPU to: only src/kernels/selftest.ts (which
//     checks a kernel against it) imports it. A kernel that takes a constant from its reference
//     makes the test compare the reference with itself.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { posix } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const STACK: readonly (readonly string[])[] = [
  ['src/ui', 'src/cli', 'src/node', 'src/worker', 'src/bench', 'workers'],
  ['src/experiments'],
  ['src/train'],
  ['src/runs'],
  ['src/model'],
  ['src/kernels'],
  ['src/gpu'],
  ['src/ref', 'src/data'],
  ['src/config', 'src/version.ts'],
];

/** Edges between front doors, each for a reason. `to` is a folder or one file. */
const FRONT_DOOR_EDGES: readonly { from: string; to: string; why: string }[] = [
  { from: 'src/cli', to: 'src/node', why: 'the CLI runs on the Node front door (Dawn, files)' },
  { from: 'src/cli', to: 'src/bench', why: '`stepsize bench`' },
  { from: 'workers', to: 'src/worker', why: 'the worker entry exposes the TrainingService' },
  { from: 'src/ui', to: 'src/worker/api.ts', why: 'the page speaks the worker API; it never trains (not service.ts)' },
];

/** Private folders: who may import them (folder or file) and which of their files anyone above may. */
const PRIVATE: Readonly<Record<string, { importers: readonly string[]; open: readonly string[]; why: string }>> = {
  'src/kernels': { importers: ['src/model'], open: ['src/kernels/selftest.ts'], why: 'kernels are reached through src/model' },
  'src/ref': { importers: ['src/kernels/selftest.ts'], open: [], why: 'src/ref is the oracle the tests hold the GPU to; the engine never computes from it' },
};

/** Front doors: DOM and Node allowed. Every other file under src/ is engine. */
const FRONT_DOORS_WITH_PLATFORM = ['src/ui', 'src/cli', 'src/node', 'workers'];
/** npm packages the engine may import: pure ECMAScript, neither DOM nor Node. */
const ENGINE_PACKAGES = ['zod', 'papaparse', '@huggingface/tokenizers'];

const NODE_BUILTINS = new Set(builtinModules);
const rank = new Map(STACK.flatMap((row, i) => row.map((unit) => [unit, i] as const)));

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(posix.join(ROOT, dir)).sort()) {
    const p = posix.join(dir, name);
    if (statSync(posix.join(ROOT, p)).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The folder (or top-level file) a path belongs to: src/model/graph.ts → src/model. */
function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'src') return parts.length > 2 ? `src/${parts[1]}` : path;
  return parts[0];
}

const within = (path: string, unit: string) => path === unit || path.startsWith(`${unit}/`);
const isEngine = (path: string) => path.startsWith('src/') && !FRONT_DOORS_WITH_PLATFORM.some((u) => within(path, u));

/** A relative import as a repository path: '../model/params' from src/runs/x.ts → src/model/params.ts. */
function resolve(from: string, spec: string): string {
  const bare = spec.replace(/\?.*$/, '');
  const p = posix.normalize(posix.join(posix.dirname(from), bare));
  if (/\.[a-z]+$/.test(p) && !p.endsWith('.js')) return p; // .wgsl, .json, .ts
  const stem = p.replace(/\.js$/, '');
  for (const c of [`${stem}.ts`, `${stem}/index.ts`]) if (existsSync(posix.join(ROOT, c))) return c;
  return `${stem}.ts`;
}

interface Import {
  from: string;
  line: number;
  spec: string;
  /** Repository path for a relative import, null for a package. */
  to: string | null;
}

interface Source {
  path: string;
  imports: Import[];
  /** `/// <reference lib=…>` and `/// <reference types=…>`: each pulls its types into the whole program. */
  references: string[];
}

function readSources(): Source[] {
  return [...walk('src'), ...walk('workers')].map((path) => {
    const text = readFileSync(posix.join(ROOT, path), 'utf8');
    const info = ts.preProcessFile(text, true, true);
    const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
    return {
      path,
      imports: info.importedFiles.map((f) => ({ from: path, line: lineOf(f.pos), spec: f.fileName, to: f.fileName.startsWith('.') ? resolve(path, f.fileName) : null })),
      references: [...info.libReferenceDirectives.map((r) => `lib=${r.fileName}`), ...info.typeReferenceDirectives.map((r) => `types=${r.fileName}`)],
    };
  });
}

/** Why an edge between two project files is refused, or null when it runs down the stack. */
function refusal(from: string, to: string): string | null {
  const a = unitOf(from);
  const b = unitOf(to);
  if (a === b) return null;
  if (to.startsWith('shaders/')) return a === 'src/kernels' ? null : 'only src/kernels imports shaders/ (one kernel, one WGSL file)';
  const ra = rank.get(a);
  const rb = rank.get(b);
  if (ra === undefined) return `${a} has no row in the stack (add it to STACK here and to README.md)`;
  if (rb === undefined) return `${b} is not part of the stack: src/ and workers/ import only src/ and shaders/`;
  if (rb < ra) return `back-edge: ${b} is above ${a}`;
  if (rb === ra) {
    const edge = FRONT_DOOR_EDGES.find((e) => e.from === a && within(to, e.to));
    return edge ? null : `${a} and ${b} sit side by side and do not import each other`;
  }
  const priv = PRIVATE[b];
  if (priv && !priv.importers.some((u) => within(from, u)) && !priv.open.includes(to)) return priv.why;
  return null;
}

const sources = readSources();
const show = (i: Import, why: string) => `${i.from}:${i.line} → ${i.to ?? i.spec}  (${why})`;

describe('layering', () => {
  it('reads every source file and its imports', () => {
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.flatMap((s) => s.imports).filter((i) => i.to?.startsWith('shaders/')).length).toBeGreaterThan(0);
    // The rule itself, on edges that exist or must not: down is allowed, up and across are not.
    expect(refusal('src/train/trainer.ts', 'src/model/gpu-model.ts')).toBeNull();
    expect(refusal('src/model/graph.ts', 'src/train/trainer.ts')).toMatch(/back-edge/);
    expect(refusal('src/ref/model.ts', 'src/data/rng.ts')).toMatch(/side by side/);
    expect(refusal('src/config/config.ts', 'src/data/rng.ts')).toMatch(/back-edge/);
    expect(refusal('src/train/trainer.ts', 'src/kernels/optim.ts')).toMatch(/through src\/model/);
    expect(refusal('src/worker/service.ts', 'src/kernels/selftest.ts')).toBeNull();
    expect(refusal('src/kernels/layernorm.ts', 'src/ref/layernorm.ts')).toMatch(/oracle/);
    expect(refusal('src/ui/state/job.ts', 'src/worker/service.ts')).toMatch(/side by side/);
    expect(refusal('src/model/graph.ts', 'shaders/matmul.wgsl')).toMatch(/only src\/kernels/);
  });

  it('every import runs down the stack (no back-edges, no cross edges)', () => {
    const bad = sources.flatMap((s) => s.imports).filter((i) => i.to !== null).flatMap((i) => {
      const why = refusal(i.from, i.to!);
      return why ? [show(i, why)] : [];
    });
    console.log(`layering: ${bad.length} edge(s) against the stack${bad.length ? ':\n  ' + bad.join('\n  ') : ''}`);
    expect(bad).toEqual([]);
  });

  it('the engine imports no Node built-in and no front-door package, and pulls in no DOM or Node types', () => {
    const bad: string[] = [];
    for (const s of sources.filter((x) => isEngine(x.path))) {
      for (const i of s.imports.filter((x) => x.to === null)) {
        const pkg = i.spec.startsWith('@') ? i.spec.split('/').slice(0, 2).join('/') : i.spec.split('/')[0];
        if (i.spec.startsWith('node:') || NODE_BUILTINS.has(pkg)) bad.push(show(i, 'a Node built-in: the engine also runs in the browser'));
        else if (!ENGINE_PACKAGES.includes(pkg)) bad.push(show(i, `package ${pkg} is not one of the engine's (${ENGINE_PACKAGES.join(', ')})`));
      }
      for (const r of s.references) bad.push(`${s.path}: /// <reference ${r} /> (the engine's types are tsconfig.engine.json's alone)`);
    }
    console.log(`layering: ${bad.length} platform import(s) in the engine${bad.length ? ':\n  ' + bad.join('\n  ') : ''}`);
    expect(bad).toEqual([]);
  });

  it('tsconfig.engine.json checks every engine file with ES2022 and WebGPU types only', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(posix.join(ROOT, 'tsconfig.engine.json'), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    expect(parsed).toBeDefined();
    const { options, fileNames } = parsed!;
    expect(options.lib).toEqual(['lib.es2022.d.ts']);
    expect(options.types).toEqual(['@webgpu/types']);
    const checked = new Set(fileNames.map((f) => posix.relative(ROOT, f)));
    const engine = sources.map((s) => s.path).filter(isEngine);
    expect(engine.filter((p) => !checked.has(p))).toEqual([]);
    // Besides the engine: the module declarations it imports through (WGSL text, papaparse's API).
    expect([...checked].filter((p) => !isEngine(p) && !['shaders.d.ts', 'papaparse.d.ts'].includes(p))).toEqual([]);
    // The full project (front doors, DOM and Node types) leaves the engine's platform file out, and
    // `npm run typecheck` runs both.
    const full = ts.getParsedCommandLineOfConfigFile(posix.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    expect(full!.fileNames.map((f) => posix.relative(ROOT, f))).not.toContain('src/platform.d.ts');
    const pkg = JSON.parse(readFileSync(posix.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.typecheck).toContain('tsconfig.engine.json');
  });
});
