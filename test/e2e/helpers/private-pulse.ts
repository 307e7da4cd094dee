/**
 * A PulseAudio daemon of one test's own, for tests that must stop and restart the sound
 * server: its own XDG_RUNTIME_DIR (so its own socket) and its own null sink. The shared
 * daemon of the other tests (/tmp/earshot-xdg) is never touched: every command here runs
 * with this daemon's environment only.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class PrivatePulse {
  readonly runtimeDir: string;

  constructor(readonly sink: string) {
    // Short: the socket path must stay under 108 bytes.
    this.runtimeDir = mkdtempSync(join(tmpdir(), 'earshot-pa-'));
  }

  /** What a child needs to reach this daemon (and only this one). */
  get env(): Record<string, string | undefined> {
    return { XDG_RUNTIME_DIR: this.runtimeDir, PULSE_SERVER: undefined, PULSE_RUNTIME_PATH: undefined, PULSE_SINK: undefined, PULSE_SOURCE: undefined };
  }

  private childEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [k, v] of Object.entries(this.env)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    return env;
  }

  run(cmd: string, args: string[], timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(cmd, args, { timeout: timeoutMs, env: this.childEnv() }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`));
        else resolve(stdout);
      });
    });
  }

  async isUp(): Promise<boolean> {
    return this.run('pactl', ['info'], 5000).then(
      () => true,
      () => false,
    );
  }

  /** Starts the daemon (again, on the same socket) and waits until it answers. */
  async start(): Promise<void> {
    // -n: no default.pa; --exit-idle-time=-1: stays up with no client.
    await this.run('pulseaudio', ['--daemonize=yes', '--exit-idle-time=-1', '-n', '--load=module-native-protocol-unix', `--load=module-null-sink sink_name=${this.sink}`, '--log-target=stderr'], 20_000).catch(() => undefined);
    for (let i = 0; i < 100; i++) {
      if (await this.isUp()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the private PulseAudio daemon did not come up in ${this.runtimeDir}`);
  }

  /** Ends the daemon as a crash or an update would, and waits until it is gone. */
  async stop(): Promise<void> {
    const pid = this.pid();
    await this.run('pactl', ['exit'], 5000).catch(() => undefined);
    for (let i = 0; i < 50 && (await this.isUp()); i++) await new Promise((r) => setTimeout(r, 100));
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  }

  /** Stops the daemon and removes its runtime directory. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.runtimeDir, { recursive: true, force: true });
  }

  /** Plays a file into this daemon's sink (or another of its sinks); resolves when playback has finished. */
  play(file: string, sink = this.sink): Promise<void> {
    return new Promise((resolve, reject) => {
      const p = spawn('paplay', [`--device=${sink}`, '--latency-msec=1000', file], { stdio: ['ignore', 'ignore', 'pipe'], env: this.childEnv() });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`paplay exited ${code}: ${err.trim()}`))));
    });
  }

  private pid(): number | undefined {
    try {
      const n = Number(readFileSync(join(this.runtimeDir, 'pulse', 'pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
