// Runs the built CLI (dist/cli/stepsize.mjs) in a scratch directory, on SwiftShader.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
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

export interface RunningCli {
  child: ChildProcess;
  /** Resolves with the exit status (or 128 + signal number when killed) and the output. */
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts the CLI without waiting (to signal or kill it part-way). */
export function spawnCli(cwd: string, args: string[]): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}

/** Every file under `dir` with its size and bytes' checksum, to show that a command changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${statSync(p).size}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}
