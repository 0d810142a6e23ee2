// One home per kernel: the family table (src/kernels/families.ts) against the tree. Every WGSL file
// belongs to exactly one family (or is a declared shared library), each family has its four parts
// under one name, every kernel definition in src/kernels is in the table, every family's test runs
// each of its definitions in both styles against its reference (itRanEveryKernel) and checks the
// reference backward by finite differences, and src/kernels/README.md lists them all.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelDef } from '../../../src/gpu/kernel';
import { allKernels, FAMILIES, SHARED_LIBRARIES } from '../../../src/kernels/families';

const ROOT = join(__dirname, '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const wgslFiles = walk(join(ROOT, 'shaders')).filter((f) => f.endsWith('.wgsl')).map((f) => relative(join(ROOT, 'shaders'), f));
/** Families with a backward pass, whose reference backward is checked by finite differences. */
const WITH_BACKWARD = ['matmul', 'lora', 'attention', 'layernorm', 'crossentropy', 'embedding'];

const isKernel = (v: unknown): v is KernelDef => typeof v === 'object' && v !== null && 'entryPoint' in v && 'code' in v;

describe('kernel families', () => {
  it('every WGSL file belongs to exactly one family or is a shared library', () => {
    const owners = new Map<string, string[]>();
    for (const f of FAMILIES) for (const s of f.sources) owners.set(s.file, [...(owners.get(s.file) ?? []), f.name]);
    for (const s of SHARED_LIBRARIES) owners.set(s.file, [...(owners.get(s.file) ?? []), 'lib']);
    expect(wgslFiles.filter((f) => (owners.get(f) ?? []).length !== 1).map((f) => `${f}: ${owners.get(f)?.join(', ') ?? 'no family'}`)).toEqual([]);
    expect([...owners.keys()].filter((f) => !wgslFiles.includes(f)), 'declared files that do not exist').toEqual([]);
  });

  it('a family lives under one name in every tree, and its kernels include only its own files and shared libraries', () => {
    const libs = new Set(SHARED_LIBRARIES.map((s) => s.file));
    for (const f of FAMILIES) {
      expect(existsSync(join(ROOT, `src/kernels/${f.name}.ts`)), `src/kernels/${f.name}.ts`).toBe(true);
      expect(existsSync(join(ROOT, `src/ref/${f.name}.ts`)), `src/ref/${f.name}.ts`).toBe(true);
      expect(existsSync(join(ROOT, `tests/unit/kernels/${f.name}.test.ts`)), `tests/unit/kernels/${f.name}.test.ts`).toBe(true);
      for (const s of f.sources) expect(s.file === `${f.name}.wgsl` || s.file.startsWith(`${f.name}/`), `${s.file} is named for ${f.name}`).toBe(true);
      const own = new Set(f.sources.map((s) => s.file));
      for (const k of [...f.kernels.workgroup, ...f.kernels.thread]) {
        const foreign = k.files.filter((file) => !own.has(file) && !libs.has(file));
        // LoRA has no WGSL of its own: its jobs run matmul's kernels.
        if (f.name !== 'lora') expect(foreign, `${k.name} includes another family's files`).toEqual([]);
      }
    }
  });

  it('every kernel definition exported by src/kernels is in the family table', async () => {
    const modules = import.meta.glob('../../../src/kernels/*.ts', { eager: true }) as Record<string, Record<string, unknown>>;
    const exported = new Set<string>();
    for (const mod of Object.values(modules)) {
      for (const value of Object.values(mod)) {
        if (isKernel(value)) exported.add(value.name);
        else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) if (isKernel(v)) exported.add(v.name);
      }
    }
    const listed = new Set(allKernels().map((k) => k.name));
    expect([...exported].filter((n) => !listed.has(n)), 'kernels no family lists').toEqual([]);
    expect(exported.size).toBeGreaterThanOrEqual(listed.size);
  });

  it("every family's test runs each definition in both styles against its reference, and checks the backward by finite differences", () => {
    for (const f of FAMILIES) {
      const test = read(`tests/unit/kernels/${f.name}.test.ts`);
      expect(test, `${f.name}.test.ts runs every style`).toMatch(/describe\.each\(STYLES\)/);
      expect(test, `${f.name}.test.ts ties itself to the table`).toContain(`itRanEveryKernel(gpu, '${f.name}',`);
      expect(test, `${f.name}.test.ts compares with src/ref/${f.name}.ts`).toContain(`src/ref/${f.name}'`);
      if (WITH_BACKWARD.includes(f.name)) expect(test, `${f.name}.test.ts checks its reference backward`).toMatch(/gradCheck\(/);
    }
  });

  it('no @workgroup_size names a literal number, and no kernel file redeclares a constant TypeScript provides', () => {
    for (const file of wgslFiles) {
      const code = read(`shaders/${file}`);
      for (const m of code.matchAll(/@workgroup_size\(([^)]*)\)/g)) expect(m[1], `${file}: @workgroup_size(${m[1]})`).not.toMatch(/\d/);
    }
    for (const k of allKernels()) {
      const body = k.code.slice(k.code.indexOf('// ---- '));
      for (const name of Object.keys(k.constants)) expect(body, `${k.name} redeclares ${name}`).not.toMatch(new RegExp(`\\bconst\\s+${name}\\b`));
    }
  });

  it('src/kernels/README.md lists every family, its files and every kernel by name', () => {
    const readme = read('src/kernels/README.md');
    for (const f of FAMILIES) {
      expect(readme, `README row for ${f.name}`).toContain(`| \`${f.name}\` |`);
      for (const s of f.sources) expect(readme, `README names shaders/${s.file}`).toContain(s.file);
    }
    for (const s of SHARED_LIBRARIES) expect(readme).toContain(s.file);
    for (const k of allKernels()) expect(readme, `README names kernel ${k.name}`).toContain(`\`${k.name}\``);
  });
});
