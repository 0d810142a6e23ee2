/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// One config for the app (vite / vite build), the unit tests (Node + Dawn + SwiftShader) and the
// browser tests (Playwright driving Debian's chromium against the built app).
export default defineConfig({
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
