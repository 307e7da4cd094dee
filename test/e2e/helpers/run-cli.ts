/** Runs the built `earshot` command as a user would, capturing its output and exit status. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CLI = resolve(ROOT, 'out/main/cli/earshot.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** Resolves when stderr or stdout contains `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: 'any' | 'stdout' | 'stderr'): Promise<string>;
  output(): { stdout: string; stderr: string };
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
}

export function startCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): RunningCli {
  assertBuilt();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, FIREWORKS_API_KEY: undefined, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; stream: 'any' | 'stdout' | 'stderr'; resolve: (s: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const m = (w.stream !== 'stdout' ? w.pattern.exec(stderr) : null) ?? (w.stream !== 'stderr' ? w.pattern.exec(stdout) : null);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m[0]);
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString('utf8'); check(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString('utf8'); check(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const result = new Promise<CliResult>((res) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      res({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    result,
    output: () => ({ stdout, stderr }),
    waitFor(pattern, ms = 20_000, stream = 'any') {
      return new Promise((res, rej) => {
        const t = setTimeout(() => rej(new Error(`timed out waiting for ${pattern}; stderr so far:\n${stderr}\nstdout:\n${stdout}`)), ms);
        waiters.push({ pattern, stream, resolve: (s) => { clearTimeout(t); res(s); } });
        check();
      });
    },
  };
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CliResult> {
  return startCli(args, env, timeoutMs).result;
}
