import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;

// The CLI bundle: src/cli/main.ts for Node, with WGSL imported as text exactly as in the browser.
// npm packages stay external (resolved from node_modules at run time; `webgpu` carries Dawn).
export default defineConfig({
  logLevel: 'warn',
  define: { __STEPSIZE_VERSION__: JSON.stringify(version) },
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist/cli',
    target: 'node20',
    emptyOutDir: true,
    rollupOptions: {
      external: [/^node:/, ...builtinModules, 'webgpu', 'commander', 'cli-progress', 'yaml', 'zod'],
      output: { entryFileNames: 'stepsize.mjs', format: 'es' },
    },
  },
});
