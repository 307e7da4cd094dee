/**
 * Starting the capture child (capture-child.ts) as a plain Node process, behind a small interface
 * so the parent's logic can be tested against a fake. Also `earshot devices`' input listing,
 * which runs in a child for the same reason capture does: PortAudio's probing noise.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { EarshotError } from '../../shared/errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { errorFromMessage, parseChildMessage, type ParentMessage } from './capture-protocol.js';
import { StderrFilter } from './stderr-filter.js';
import type { AudioDevice } from './types.js';

/** The parts of a ChildProcess the parent uses. */
export interface CaptureProcess {
  readonly pid: number | undefined;
  /** Length-prefixed PCM frames (capture-protocol.ts). */
  readonly pcm: Readable;
  readonly stderr: Readable;
  /** False when the channel is gone. */
  send(m: ParentMessage): boolean;
  kill(signal: NodeJS.Signals): void;
  onMessage(fn: (m: unknown) => void): void;
  /** Once the process has exited *and* its pipes and channel are closed (so no message or byte is still to come). */
  onClose(fn: (code: number | null, signal: NodeJS.Signals | null) => void): void;
}

export type SpawnCapture = () => CaptureProcess;

/** capture-child.js next to this module; from TypeScript sources (tests) the compiled one in out/. */
export function defaultChildScript(): string {
  const here = fileURLToPath(new URL('./capture-child.js', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../out/main/audio/capture-child.js', import.meta.url));
}

export function spawnCaptureProcess(script = defaultChildScript()): CaptureProcess {
  // Stdout is ignored: that is where naudiodon printf's. Node options (inspector, loaders) are not inherited.
  const child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
    windowsHide: true,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let closed = false;
  const closers: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];
  const finish = (code: number | null, signal: NodeJS.Signals | null) => {
    if (closed) return;
    closed = true;
    for (const fn of closers) fn(code, signal);
  };
  child.on('close', finish);
  // A pipe reset by a dying child is reported through 'close'; unhandled, it would crash the parent.
  for (const s of [child.stdio[2], child.stdio[3]]) s?.on('error', () => undefined);
  // spawn failed (ENOENT, EMFILE): no 'close' may follow.
  child.on('error', () => queueMicrotask(() => finish(child.exitCode ?? 1, null)));
  return {
    pid: child.pid,
    pcm: child.stdio[3] as Readable,
    stderr: child.stderr as Readable,
    send(m) {
      if (!child.connected) return false;
      try {
        return child.send(m, (err) => void err); // a send racing the child's exit is not an error here
      } catch {
        return false;
      }
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    onMessage: (fn) => void child.on('message', fn),
    onClose: (fn) => void closers.push(fn),
  };
}

/**
 * How a child that nobody asked to stop ended, for people. (No crash report file: PortAudio is
 * loaded without naudiodon2's segfault-handler, so a native crash shows as the signal.)
 */
export function describeExit(code: number | null, signal: NodeJS.Signals | null, _pid?: number): string {
  return `the audio capture process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
}

export interface ListInChildOptions {
  spawn?: SpawnCapture;
  clock?: Clock;
  stderr?: (text: string) => void;
  timeoutMs?: number;
}

/** listInputDevices() run in a capture child. Throws EarshotError. */
export function listInputsInChild(opts: ListInChildOptions = {}): Promise<AudioDevice[]> {
  const clock = opts.clock ?? systemClock;
  const child = (opts.spawn ?? spawnCaptureProcess)();
  const filter = new StderrFilter(opts.stderr ?? ((t) => void process.stderr.write(t)));
  child.stderr.on('data', (d: Buffer) => filter.push(d));
  child.pcm.resume();
  return new Promise<AudioDevice[]>((resolve, reject) => {
    let outcome: { devices: AudioDevice[] } | { error: EarshotError } | null = null;
    const timer = clock.setTimeout(() => {
      outcome ??= { error: new EarshotError('DEVICE_OPEN_FAILED', `listing devices took longer than ${(opts.timeoutMs ?? 20_000) / 1000} s`) };
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 20_000);
    child.onMessage((raw) => {
      const m = parseChildMessage(raw);
      if (m?.type === 'inputs') outcome ??= { devices: m.devices };
      else if (m?.type === 'error') outcome ??= { error: errorFromMessage(m) };
    });
    child.onClose((code, signal) => {
      clock.clearTimeout(timer);
      filter.flush();
      if (outcome && 'devices' in outcome) resolve(outcome.devices);
      else reject(outcome?.error ?? new EarshotError('DEVICE_OPEN_FAILED', describeExit(code, signal, child.pid)));
    });
    if (!child.send({ type: 'list-inputs' })) child.kill('SIGKILL');
  });
}
