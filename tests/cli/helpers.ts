// Runs the built CLI (dist/cli/stepsize.mjs) in a scratch directory, on SwiftShader.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

export const ROOT = resolve(__dirname, '../..');
export const CLI = join(ROOT, 'dist/cli/stepsize.mjs');

export async function buildCli(): Promise<void> {
  await build({ configFile: join(ROOT, 'vite.cli.config.ts'), logLevel: 'warn' });
}

export function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'stepsize-cli-'));
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(cwd: string, args: string[], timeoutMs = 600_000): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
