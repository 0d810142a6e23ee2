// WGSL source assembly. A kernel's code is: a generated header of constants (from TypeScript, the
// one place each value lives), then the libraries it declares it requires (each once, dependencies
// first), then its own file. Nothing is implied by concatenation order:
//  - a library lists the libraries it calls (`requires`) and the constants it reads (`needs`), and
//    assembly fails when a kernel does not provide one;
//  - `@workgroup_size(...)` names constants, never literal numbers (checked in defineKernel).
// instantiate(): a file's block between `// @template-begin` and `// @template-end` is repeated for
// every combination of placeholder values (whole-word replacement), like a C++ template, so a hot
// loop can be specialised per buffer without a branch inside it.

/** One WGSL file and what it depends on. */
export interface WgslSource {
  /** Path under shaders/, for messages and the family table, e.g. "lib/wg_sum.wgsl". */
  readonly file: string;
  readonly code: string;
  /** Libraries this file calls; they are placed before it. */
  readonly requires?: readonly WgslSource[];
  /** Constants this file reads but does not define: the kernel that includes it must provide them. */
  readonly needs?: readonly string[];
}

/** A constant reaching WGSL: an integer becomes a u32; { f32 } an f32. */
export type WgslConstant = number | { readonly f32: number };
export type WgslConstants = Readonly<Record<string, WgslConstant>>;

export const f32 = (value: number): { readonly f32: number } => ({ f32: value });

function literal(name: string, c: WgslConstant): string {
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff) throw new Error(`WGSL constant ${name} = ${c}: a u32 must be an integer in [0, 2^32)`);
    return `const ${name}: u32 = ${c}u;`;
  }
  if (!Number.isFinite(c.f32)) throw new Error(`WGSL constant ${name} = ${c.f32}: an f32 must be finite`);
  const text = String(c.f32);
  return `const ${name}: f32 = ${/[.e]/.test(text) ? text : `${text}.0`};`;
}

/** The libraries of `source` in include order (dependencies first, each once), then `source`. */
function closure(source: WgslSource, seen = new Set<WgslSource>(), out: WgslSource[] = [], path: string[] = []): WgslSource[] {
  if (path.includes(source.file)) throw new Error(`WGSL ${source.file}: circular requires (${[...path, source.file].join(' → ')})`);
  if (seen.has(source)) return out;
  for (const dep of source.requires ?? []) closure(dep, seen, out, [...path, source.file]);
  seen.add(source);
  out.push(source);
  return out;
}

/** Every file a source pulls in, itself last. */
export function filesOf(source: WgslSource): string[] {
  return closure(source).map((s) => s.file);
}

/** Header + required libraries + the source, checked for constants that are missing or redefined in WGSL. */
export function assemble(source: WgslSource, constants: WgslConstants, label: string): string {
  const parts = closure(source);
  for (const part of parts) {
    for (const need of part.needs ?? []) {
      if (!(need in constants)) throw new Error(`kernel ${label}: ${part.file} needs the constant ${need}, which the kernel does not define`);
    }
    for (const name of Object.keys(constants)) {
      if (new RegExp(`\\bconst\\s+${name}\\b`).test(part.code)) throw new Error(`kernel ${label}: ${part.file} declares const ${name}, which comes from TypeScript`);
    }
  }
  const header = [`// Constants from TypeScript (kernel ${label}).`, ...Object.entries(constants).map(([n, c]) => literal(n, c))].join('\n');
  return [header, ...parts.map((p) => `// ---- ${p.file}\n${p.code}`)].join('\n');
}

export function instantiate(code: string, params: Record<string, readonly string[]>): string {
  const m = /\/\/ @template-begin\n([\s\S]*?)\/\/ @template-end\n/.exec(code);
  if (!m) throw new Error('instantiate: no @template-begin/@template-end block');
  let combos: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(params)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  const body = combos
    .map((c) => Object.entries(c).reduce((text, [name, v]) => text.replace(new RegExp(`(?<![A-Za-z0-9])${name}(?![A-Za-z0-9])`, 'g'), v), m[1]))
    .join('\n');
  return code.slice(0, m.index) + body + code.slice(m.index + m[0].length);
}
