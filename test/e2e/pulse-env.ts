/**
 * A private PulseAudio daemon for the real-capture test. Always uses its own runtime directory,
 * so a developer's desktop sound server is never touched.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const PULSE_RUNTIME_DIR = '/tmp/earshot-xdg';
export const TEST_SINK = 'earshot_test';
const SCRIPT = fileURLToPath(new URL('../../.ci/start-pulse.sh', import.meta.url));

export function sh(cmd: string, args: string[], timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, env: process.env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

/** Starts (or reuses) the daemon with the null sink. Resolves to null when ready, else the reason. */
export async function ensurePulse(): Promise<string | null> {
  process.env.XDG_RUNTIME_DIR = PULSE_RUNTIME_DIR;
  try {
    await sh('bash', [SCRIPT], 30_000);
    await sh('pactl', ['info']);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** Loads a module and returns a function that unloads it. */
export async function loadModule(name: string, ...args: string[]): Promise<() => Promise<void>> {
  const id = (await sh('pactl', ['load-module', name, ...args])).trim();
  return async () => {
    await sh('pactl', ['unload-module', id]).catch(() => undefined);
  };
}

/** Plays a file into a sink and resolves when playback has finished. */
export function play(file: string, sink: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // A deep client buffer, so a busy test machine does not make the player stall mid-file.
    const p = spawn('paplay', [`--device=${sink}`, '--latency-msec=1000', file], { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited ${code}: ${err.trim()}`))));
  });
}
