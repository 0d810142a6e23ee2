/// <reference types="vitest/config" />
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import { loadCorpus } from './src/node/corpora';

const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;

/**
 * The bundled corpora (npm packages) as static files: served at /corpora/<id>.txt by the dev server
 * and emitted into the build, so the page fetches a corpus only when someone picks it.
 */
function corpora(): Plugin {
  const ids = ['moby-dick', 'sotu'] as const;
  const sizes = () => Object.fromEntries(ids.map((id) => [id, loadCorpus(id).length]));
  return {
    name: 'stepsize-corpora',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url === '/corpora/index.json') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify(sizes()));
          return;
        }
        const m = /^\/corpora\/(moby-dick|sotu)\.txt$/.exec(req.url ?? '');
        if (!m) return next();
        res.setHeader('content-type', 'text/plain; charset=utf-8');
        res.end(Buffer.from(loadCorpus(m[1] as (typeof ids)[number])));
      });
    },
    generateBundle() {
      for (const id of ids) this.emitFile({ type: 'asset', fileName: `corpora/${id}.txt`, source: loadCorpus(id) });
      this.emitFile({ type: 'asset', fileName: 'corpora/index.json', source: JSON.stringify(sizes()) });
    },
  };
}

// One config for the app (vite / vite build), the unit tests (Node + Dawn + SwiftShader) and the
// browser tests (Playwright driving Debian's chromium against the built app).
export default defineConfig({
  plugins: [corpora()],
  define: { __STEPSIZE_VERSION__: JSON.stringify(version) },
  build: { target: 'es2022', outDir: 'dist/app' },
  worker: { format: 'es' },
  test: {
    // Dawn keeps a core busy while a device is open: one test file at a time, each in its own process.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['tests/cli/**/*.test.ts'], testTimeout: 600_000 } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 300_000 } },
    ],
  },
});
