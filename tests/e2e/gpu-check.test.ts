// The served page finds a WebGPU adapter in headless chromium (SwiftShader), runs the matmul kernel
// and shows it matching the float64 reference; without WebGPU it says so instead of going blank.
import { describe, expect, it } from 'vitest';
import { SHOTS, useApp } from './helpers/browser';

describe('page: GPU check', () => {
  const app = useApp();

  it('finds an adapter and checks the matmul kernel against the reference', async () => {
    const page = await app().newPage();
    await page.goto(app().url);
    const result = page.getByTestId('selftest');
    await result.waitFor({ timeout: 120_000 });
    expect(await result.textContent()).toMatch(/matmul .* matches the float64 reference/);
    expect(await page.getByTestId('adapter').textContent()).toMatch(/\S/);
    await page.screenshot({ path: `${SHOTS}/gpu-check.png` });
    await page.close();
  });

  it('explains when WebGPU is missing', async () => {
    const page = await app().newPage();
    await page.addInitScript(() => Object.defineProperty(navigator, 'gpu', { value: undefined }));
    await page.goto(app().url);
    await page.getByTestId('no-webgpu').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('gpu-status').textContent()).toMatch(/navigator\.gpu is undefined/);
    await page.close();
  });
});
