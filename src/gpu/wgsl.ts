// WGSL source assembly. Kernels are plain WGSL files; two helpers join them:
//  - concatenation of shared snippets (shaders/lib) in front of a kernel, done by each kernel object;
//  - instantiate(): a file's block between `// @template-begin` and `// @template-end` is repeated
//    for every combination of placeholder values (whole-word replacement), like a C++ template, so
//    a hot loop can be specialised per buffer without a branch inside it.

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
