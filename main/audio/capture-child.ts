/**
 * The capture child: a separate Node process that owns PortAudio for the CLI, so naudiodon's
 * printf's land on this process's stdout (which the parent ignores) and a native crash kills this
 * process, not the captioning run. Started by child-capture-source.ts with stdio
 * [ignore, ignore, stderr pipe, PCM pipe (fd 3), ipc]; it speaks capture-protocol.ts.
 *
 * One job per process: `open` (then `start`/`stop`) or `list-inputs`. It exits when the job is
 * done or when the parent goes away (IPC disconnect), whichever comes first.
 */
import { Socket } from 'node:net';
import { errorMessage, frameHeader, parseParentMessage, type ChildMessage, type ParentMessage } from './capture-protocol.js';
import { listInputDevices } from './portaudio-source.js';
import { resolveSource } from './system-audio.js';
import type { AudioFormat, AudioSource } from './types.js';

const PCM_FD = 3;
/** Default bound on PCM written but not yet read by the parent, in ms of audio. */
const DEFAULT_MAX_QUEUED_MS = 5000;

function send(m: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    try {
      process.send(m, undefined, {}, () => resolve());
    } catch {
      resolve();
    }
  });
}

let source: AudioSource | null = null;
let stopRequested = false;
let exiting = false;

async function exit(code: number): Promise<void> {
  if (exiting) return;
  exiting = true;
  // A driver that will not let go must not keep this process alive; the parent also has a kill timer.
  const force = setTimeout(() => process.exit(code), 3000);
  force.unref();
  await source?.close().catch(() => undefined);
  process.exit(code);
}

async function listInputs(): Promise<void> {
  try {
    await send({ type: 'inputs', devices: await listInputDevices() });
    await exit(0);
  } catch (err) {
    await send(errorMessage(err));
    await exit(1);
  }
}

async function open(spec: string, maxQueuedMs: number, want: { sampleRate: number; channels: number } | undefined): Promise<void> {
  let format: AudioFormat;
  try {
    source = await resolveSource(spec, want ? { format: want } : {});
    format = await source.open();
  } catch (err) {
    await send(errorMessage(err));
    return exit(1);
  }
  const src = source;
  if (stopRequested) await src.close(); // stopped while opening: chunks() ends at once
  src.onOverflow?.((e) => void send({ type: 'overflow', lostMs: e.lostMs, where: e.where }));
  await send({ type: 'opened', format, description: src.description });
  const frameBytes = format.channels * 2;
  const maxBytes = Math.max(frameBytes, Math.round((maxQueuedMs * format.sampleRate * frameBytes) / 1000));
  const pcm = new Socket({ fd: PCM_FD, readable: false, writable: true });
  pcm.on('error', () => void exit(1)); // EPIPE: the parent is gone
  started.then(async () => {
    let code = 0;
    try {
      for await (const chunk of src.chunks()) {
        // The parent reads continuously; if its event loop stalls, drop here rather than grow without bound.
        if (pcm.writableLength > maxBytes) {
          void send({ type: 'overflow', lostMs: (chunk.length / frameBytes / format.sampleRate) * 1000, where: 'queue' });
          continue;
        }
        pcm.write(frameHeader(chunk.length));
        pcm.write(chunk);
      }
    } catch (err) {
      code = 1;
      await send(errorMessage(err));
    }
    // Data first, then `end`: the parent ends the stream when both the pipe and the process are closed.
    await new Promise<void>((resolve) => pcm.end(resolve));
    await send({ type: 'end' });
    await exit(code);
  }, () => undefined);
}

let startCapture!: () => void;
const started = new Promise<void>((resolve) => (startCapture = resolve));
let job: Promise<void> | null = null;

function onMessage(raw: unknown): void {
  const m: ParentMessage | null = parseParentMessage(raw);
  if (!m) return;
  switch (m.type) {
    case 'open':
      job ??= open(m.spec, m.maxQueuedMs ?? DEFAULT_MAX_QUEUED_MS, m.format);
      return;
    case 'list-inputs':
      job ??= listInputs();
      return;
    case 'start':
      startCapture();
      return;
    case 'stop':
      // Closing the source ends chunks(), which sends `end` and exits; before `open` there is nothing to drain.
      stopRequested = true;
      if (source) void source.close();
      if (!job) void exit(0);
      startCapture();
      return;
  }
}

if (!process.send) {
  process.stderr.write('capture-child: must be started by Earshot with an IPC channel\n');
  process.exit(2);
}
process.on('message', onMessage);
process.on('disconnect', () => void exit(0));
// Ctrl+C in a terminal signals the whole process group. The parent decides when capture stops
// (`stop`, then SIGKILL after a grace period); dying here first would look like a lost device.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => undefined);
