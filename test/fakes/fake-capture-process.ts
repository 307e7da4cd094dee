/**
 * A capture child in memory, for ChildCaptureSource's logic: the test plays the child's side
 * (messages, PCM frames, stderr, exit) and sees what the parent sent and which signals it used.
 * Like a real ChildProcess, `close` comes only after the pipes have delivered everything.
 */
import { PassThrough } from 'node:stream';
import type { CaptureProcess } from '../../main/audio/capture-process.js';
import { encodeFrame, type ChildMessage, type ParentMessage } from '../../main/audio/capture-protocol.js';

export class FakeCaptureProcess implements CaptureProcess {
  readonly pid: number;
  readonly pcm = new PassThrough();
  readonly stderr = new PassThrough();
  readonly sent: ParentMessage[] = [];
  readonly signals: NodeJS.Signals[] = [];
  /** What the fake child does on a signal; by default it dies of it. Set to false for a wedged child. */
  diesOnSignal = true;
  /** Called for every message the parent sends (after it is recorded). */
  onSent: ((m: ParentMessage) => void) | null = null;
  private connected = true;
  private closed = false;
  private readonly messageFns: Array<(m: unknown) => void> = [];
  private readonly closeFns: Array<(code: number | null, signal: NodeJS.Signals | null) => void> = [];

  constructor(pid = 4242) {
    this.pid = pid;
  }

  send(m: ParentMessage): boolean {
    if (!this.connected) return false;
    this.sent.push(m);
    this.onSent?.(m);
    return true;
  }

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (this.diesOnSignal) this.exit(null, signal);
  }

  onMessage(fn: (m: unknown) => void): void {
    this.messageFns.push(fn);
  }

  onClose(fn: (code: number | null, signal: NodeJS.Signals | null) => void): void {
    this.closeFns.push(fn);
  }

  /** The child sends a control message (anything: the parent must validate it). */
  message(m: ChildMessage | unknown): void {
    if (!this.connected) return;
    for (const fn of [...this.messageFns]) fn(m);
  }

  /** The child writes one PCM chunk, framed, optionally split into several pipe writes. */
  writePcm(chunk: Buffer, splitAt: number[] = []): void {
    const wire = encodeFrame(chunk);
    let at = 0;
    for (const cut of [...splitAt, wire.length]) {
      this.pcm.write(wire.subarray(at, cut));
      at = cut;
    }
  }

  writeStderr(text: string): void {
    this.stderr.write(text);
  }

  /** The process ends; `close` follows once both pipes have been read to the end. */
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (!this.connected) return;
    this.connected = false;
    let open = 2;
    const done = () => {
      if (--open > 0 || this.closed) return;
      this.closed = true;
      for (const fn of [...this.closeFns]) fn(code, signal);
    };
    this.pcm.once('end', done);
    this.stderr.once('end', done);
    this.pcm.end();
    this.stderr.end();
    // A pipe nobody reads never ends; resume so 'end' fires.
    this.pcm.resume();
    this.stderr.resume();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
