// Builds the app, serves it on localhost with `vite preview`, and drives Debian's chromium through
// playwright-core with WebGPU on SwiftShader (no browser download, no GPU needed).
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SHOTS = 'test-results/screenshots';

export interface App {
  url: string;
  browser: Browser;
  newPage(): Promise<Page>;
}

/** Builds and serves the app once per test file; each test opens its own page. */
export function useApp(): () => App {
  let server: PreviewServer | null = null;
  let browser: Browser | null = null;
  let url = '';
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    mkdirSync(SHOTS, { recursive: true });
    await build({ logLevel: 'warn' });
    server = await preview({ preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'warn' });
    const addr = server.httpServer.address();
    if (!addr || typeof addr === 'string') throw new Error('preview server has no port');
    url = `http://127.0.0.1:${addr.port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
  });
  return () => {
    if (!browser) throw new Error('app not started');
    const b = browser;
    return {
      url,
      browser: b,
      async newPage() {
        const page = await b.newPage({ viewport: { width: 1280, height: 860 } });
        page.on('pageerror', (e) => console.error('[page error]', e.message));
        return page;
      },
    };
  };
}

/** Types into the element with this test id and fires `input` (Lit listens for it). */
export async function fillTestId(page: Page, testId: string, value: string): Promise<void> {
  const input = page.getByTestId(testId);
  await input.fill(value);
  await input.dispatchEvent('input');
}
