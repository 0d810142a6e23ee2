// What an entry point of assembled WGSL asks of the device, read from the source: its workgroup
// size (from @workgroup_size, whose arguments must be named constants) and the bytes of workgroup
// storage it uses (every var<workgroup> reachable from the entry point through function calls,
// each rounded up to 16 bytes as WebGPU counts them). Kernel definitions carry both, so a device
// with smaller limits gets a message naming the kernel, and a test holds every kernel to the
// limits the device is asked for.

import type { WgslConstants } from './wgsl';

/** Evaluates a WGSL const-expression of integer literals, named u32 constants, + - * / and parentheses. */
export function evalConstExpr(expr: string, constants: WgslConstants, where: string): number {
  const tokens = expr.match(/[A-Za-z_][A-Za-z0-9_]*|\d+u?|[-+*/()]/g) ?? [];
  if (tokens.join('') !== expr.replace(/\s+/g, '')) throw new Error(`${where}: cannot evaluate "${expr}" (integers, constants, + - * / and parentheses only)`);
  let i = 0;
  const atom = (): number => {
    const t = tokens[i++];
    if (t === '(') {
      const v = sum();
      i++;
      return v;
    }
    if (t !== undefined && /^\d/.test(t)) return parseInt(t, 10);
    const c = t === undefined ? undefined : constants[t];
    if (typeof c !== 'number') throw new Error(`${where}: "${t}" in "${expr}" is not a u32 constant from TypeScript`);
    return c;
  };
  const product = (): number => {
    let v = atom();
    while (tokens[i] === '*' || tokens[i] === '/') v = tokens[i++] === '*' ? v * atom() : Math.floor(v / atom());
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (tokens[i] === '+' || tokens[i] === '-') v = tokens[i++] === '+' ? v + product() : v - product();
    return v;
  };
  return sum();
}

/** The (x, y, z) workgroup size of an entry point. Literal numbers are refused: sizes come from TypeScript. */
export function workgroupSizeOf(code: string, entryPoint: string, constants: WgslConstants, label: string): [number, number, number] {
  const m = new RegExp(`@workgroup_size\\(([^)]*)\\)\\s*fn\\s+${entryPoint}\\s*\\(`).exec(code);
  if (!m) throw new Error(`kernel ${label}: no @compute @workgroup_size(...) fn ${entryPoint}`);
  const args = m[1].split(',').map((s) => s.trim()).filter(Boolean);
  const dims = args.map((a) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) throw new Error(`kernel ${label}: @workgroup_size(${m[1]}) must name constants from TypeScript, not "${a}"`);
    return evalConstExpr(a, constants, `kernel ${label}`);
  });
  return [dims[0], dims[1] ?? 1, dims[2] ?? 1];
}

const SCALAR_BYTES: Record<string, number> = { f32: 4, u32: 4, i32: 4, vec2f: 8, vec3f: 16, vec4f: 16, 'vec2<f32>': 8, 'vec4<f32>': 16, 'vec4<u32>': 16, vec4u: 16, mat4x4f: 64 };

function typeBytes(type: string, constants: WgslConstants, where: string): number {
  const t = type.replace(/\s+/g, '');
  const arr = /^array<(.+),([^,<>]+)>$/.exec(t);
  if (arr) return typeBytes(arr[1], constants, where) * evalConstExpr(arr[2], constants, where);
  const bytes = SCALAR_BYTES[t];
  if (bytes === undefined) throw new Error(`${where}: workgroup type ${type} is not one this reader knows`);
  return bytes;
}

/** Function name → body text, for every `fn` in the module. */
function functionBodies(code: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\bfn\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code))) {
    const open = code.indexOf('{', m.index);
    let depth = 0;
    let end = open;
    for (; end < code.length; end++) {
      if (code[end] === '{') depth++;
      else if (code[end] === '}' && --depth === 0) break;
    }
    out.set(m[1], code.slice(m.index, end + 1));
  }
  return out;
}

/** Bytes of workgroup storage the entry point uses (WebGPU's count: each variable rounded up to 16). */
export function workgroupBytesOf(code: string, entryPoint: string, constants: WgslConstants, label: string): number {
  const stripped = code.replace(/\/\/[^\n]*/g, '');
  const vars = new Map<string, number>();
  for (const m of stripped.matchAll(/var<workgroup>\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^;]+);/g)) {
    vars.set(m[1], Math.ceil(typeBytes(m[2], constants, `kernel ${label}: var<workgroup> ${m[1]}`) / 16) * 16);
  }
  const bodies = functionBodies(stripped);
  const used = new Set<string>();
  const visit = (fn: string, seen: Set<string>) => {
    if (seen.has(fn)) return;
    seen.add(fn);
    for (const word of bodies.get(fn)?.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
      if (vars.has(word)) used.add(word);
      else if (bodies.has(word) && word !== fn) visit(word, seen);
    }
  };
  if (!bodies.has(entryPoint)) throw new Error(`kernel ${label}: no fn ${entryPoint}`);
  visit(entryPoint, new Set());
  return [...used].reduce((s, v) => s + vars.get(v)!, 0);
}
