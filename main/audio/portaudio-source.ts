/**
 * PortAudio capture through naudiodon2 — the only module that loads it. Loaded lazily, so the rest
 * of Earshot (files, tests, the desktop UI) works even where the native add-on is missing.
 *
 * Known native quirks: PortAudio/ALSA print device-probing noise on stderr and naudiodon printf's
 * stream details on stdout when a stream opens. JS cannot silence them in-process, so the CLI
 * runs capture in a child process (child-capture-source.ts) whose stdout is discarded and whose
 * stderr is filtered; a native crash there ends capture with DEVICE_LOST instead of the CLI.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EarshotError } from '../../shared/errors.js';
import { systemClock, type Clock, type Unsubscribe } from '../util/clock.js';
import { ChunkQueue } from './chunk-queue.js';
import { pickInputDevice } from './device-match.js';
import { GapDetector } from './gap-detector.js';
import { bindingFromAddon, type NaDeviceInfo, type NaInputStream, type NaNativeAddon, type NaudiodonBinding } from './naudiodon-binding.js';
import type { AudioDevice, AudioFormat, AudioOverflowEvent, AudioSource, AudioSourceStats } from './types.js';

let loading: Promise<NaudiodonBinding> | null = null;

export function loadNaudiodon(): Promise<NaudiodonBinding> {
  loading ??= Promise.resolve()
    .then(() => bindingFromAddon(createRequire(import.meta.url)(naudiodonAddonPath()) as NaNativeAddon))
    .catch((err: unknown) => {
      loading = null;
      const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new EarshotError(
        'DEVICE_OPEN_FAILED',
        `the native audio module naudiodon2 could not be loaded (${why}); run \`npm rebuild naudiodon2\`, or caption a file with --source file:PATH`,
      );
    });
  return loading;
}

/**
 * naudiodon2's N-API add-on, loaded without its index.js (see NaNativeAddon for why). In the
 * packaged app this path is inside app.asar; Electron loads it from app.asar.unpacked, where
 * PortAudio's library sits beside it (electron-builder.yml, build/scripts/portaudio-rpath.mjs).
 */
function naudiodonAddonPath(): string {
  const pkg = createRequire(import.meta.url).resolve('naudiodon2/package.json');
  return join(dirname(pkg), 'build', 'Release', 'naudiodon.node');
}

/** Streams of one PortAudio library whose quit/abort has not called back yet. */
const closingStreams = new WeakMap<NaudiodonBinding, Set<Promise<void>>>();

function closingOf(b: NaudiodonBinding): Set<Promise<void>> {
  let set = closingStreams.get(b);
  if (!set) closingStreams.set(b, (set = new Set()));
  return set;
}

const CLOSE_WAIT_MS = 10_000;

/**
 * PortAudio must not list or open devices while a stream of the same library is still being
 * torn down: naudiodon then crashes the whole process (SIGSEGV in getDevices). The desktop
 * app hit it on a live source switch when the old stream took longer than close()'s 2 s
 * guard. So listing and opening wait for those streams, and give up with an error a person
 * can act on rather than crash.
 */
async function afterPendingCloses(b: NaudiodonBinding, clock: Clock): Promise<void> {
  const pending = [...closingOf(b)];
  if (pending.length === 0) return;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  const finished = await Promise.race([
    Promise.all(pending).then(() => true),
    new Promise<boolean>((resolve) => { timer = clock.setTimeout(() => resolve(false), CLOSE_WAIT_MS); }),
  ]);
  clock.clearTimeout(timer);
  if (!finished) throw new EarshotError('DEVICE_OPEN_FAILED', 'the previous audio stream is still closing (the audio driver does not answer); try again in a moment, or restart Earshot');
}

export async function listInputDevices(binding: () => Promise<NaudiodonBinding> = loadNaudiodon, clock: Clock = systemClock): Promise<AudioDevice[]> {
  const b = await binding();
  await afterPendingCloses(b, clock);
  const defaultId = defaultInputId(b);
  return b
    .getDevices()
    .filter((d) => d.maxInputChannels > 0)
    .map((d) => ({
      id: String(d.id),
      name: d.name,
      hostApi: d.hostAPIName,
      kind: 'input' as const,
      defaultSampleRate: d.defaultSampleRate,
      maxInputChannels: d.maxInputChannels,
      isDefault: d.id === defaultId,
    }));
}

function defaultInputId(b: NaudiodonBinding): number | undefined {
  const apis = b.getHostAPIs();
  return apis.HostAPIs.find((h) => h.id === apis.defaultHostAPI)?.defaultInput;
}

export interface PortAudioSourceOptions {
  /** Numeric id, (part of a) name, or undefined for the default input. */
  device?: string | number;
  /** Override the device's native format (monitors use the PulseAudio source's own format). */
  sampleRate?: number;
  channels?: number;
  /** Environment variables in force while the stream opens (PULSE_SOURCE for monitors). */
  openEnv?: Record<string, string>;
  /** Shown to people instead of the device name. */
  label?: string;
  clock?: Clock;
  binding?: () => Promise<NaudiodonBinding>;
  /** Earshot's own queue behind the driver, before the oldest audio is dropped. Default 5 s. */
  maxQueuedMs?: number;
}

/** 20 ms callbacks: small enough for low caption latency, large enough to be cheap. */
const BUFFER_MS = 20;
/**
 * naudiodon's native queue blocks PortAudio's real-time thread when full, and the driver then
 * overruns. Its default depth of 2 (40 ms here) overflows on any GC pause. 128 × 20 ms = 2.56 s
 * rides out a blocked event loop (a GC, a slow synchronous call, a modal dialog) for ~0.5 MB.
 */
const MAX_QUEUE = 128;

export class PortAudioSource implements AudioSource {
  readonly live = true;
  private readonly clock: Clock;
  private stream: NaInputStream | null = null;
  private binding: NaudiodonBinding | null = null;
  private queue: ChunkQueue | null = null;
  private detector: GapDetector | null = null;
  private format: AudioFormat | null = null;
  private name = '';
  private started = false;
  private closed = false;
  private readonly counters = { overflows: 0, bytes: 0, lostMs: 0 };
  private readonly listeners = new Set<(e: AudioOverflowEvent) => void>();

  constructor(private readonly opts: PortAudioSourceOptions = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  get description(): string {
    const f = this.format;
    const what = this.opts.label ?? (this.name || (this.opts.device === undefined ? 'default input' : `input ${this.opts.device}`));
    return f ? `${what} (${f.sampleRate} Hz, ${f.channels} ch)` : what;
  }

  async open(): Promise<AudioFormat> {
    if (this.format) return this.format;
    if (this.closed) throw new EarshotError('DEVICE_OPEN_FAILED', 'the source was already closed');
    const b = await (this.opts.binding ?? loadNaudiodon)();
    this.binding = b;
    await afterPendingCloses(b, this.clock);
    let dev: NaDeviceInfo;
    try {
      dev = pickInputDevice(b.getDevices(), this.opts.device, defaultInputId(b));
    } catch (err) {
      if (err instanceof EarshotError) throw err;
      throw new EarshotError('DEVICE_OPEN_FAILED', `listing devices failed: ${String(err)}`);
    }
    const sampleRate = this.opts.sampleRate ?? (Math.round(dev.defaultSampleRate) || 48000);
    const channels = Math.max(1, Math.min(2, this.opts.channels ?? dev.maxInputChannels));
    const frameBytes = channels * 2;
    const framesPerBuffer = Math.max(1, Math.round((sampleRate * BUFFER_MS) / 1000));
    this.name = `${dev.name} (device ${dev.id})`;
    try {
      this.stream = withEnv(this.opts.openEnv, () =>
        b.AudioIO({
          inOptions: {
            deviceId: dev.id,
            sampleRate,
            channelCount: channels,
            sampleFormat: 16,
            maxQueue: MAX_QUEUE,
            framesPerBuffer,
            // The Readable hands out exactly this many bytes per chunk: two callbacks' worth.
            highwaterMark: 2 * framesPerBuffer * frameBytes,
            closeOnError: false,
          },
        }),
      );
    } catch (err) {
      throw new EarshotError('DEVICE_OPEN_FAILED', `${this.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const maxQueuedBytes = Math.round(((this.opts.maxQueuedMs ?? 5000) * sampleRate * frameBytes) / 1000);
    this.queue = new ChunkQueue(Math.max(maxQueuedBytes, frameBytes));
    this.detector = new GapDetector(sampleRate);
    this.format = { sampleRate, channels, sampleFormat: 's16' };
    this.wire(this.stream, frameBytes, sampleRate);
    return this.format;
  }

  private wire(stream: NaInputStream, frameBytes: number, rate: number): void {
    const queue = this.queue as ChunkQueue;
    stream.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      this.counters.bytes += chunk.length;
      const lost = (this.detector as GapDetector).onFrames(chunk.length / frameBytes, this.clock.now());
      if (lost > 0) this.report(lost, 'driver');
      const dropped = queue.push(chunk);
      if (dropped > 0) this.report((dropped / frameBytes / rate) * 1000, 'queue');
    });
    stream.on('error', (err: unknown) => {
      queue.fail(new EarshotError('DEVICE_LOST', `${this.name}: ${err instanceof Error ? err.message : String(err)}`));
    });
    stream.on('end', () => queue.end());
    stream.on('close', () => queue.end());
  }

  private report(lostMs: number, where: AudioOverflowEvent['where']): void {
    this.counters.overflows++;
    this.counters.lostMs += lostMs;
    const e: AudioOverflowEvent = { lostMs, overflows: this.counters.overflows, totalLostMs: this.counters.lostMs, where };
    for (const l of [...this.listeners]) l(e);
  }

  async *chunks(): AsyncGenerator<Buffer> {
    if (!this.stream || !this.queue) throw new EarshotError('INTERNAL', 'chunks() before open()');
    if (!this.started && !this.closed) {
      this.started = true;
      try {
        this.stream.start();
      } catch (err) {
        throw new EarshotError('DEVICE_OPEN_FAILED', `${this.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    yield* this.queue.drain();
  }

  onOverflow(listener: (e: AudioOverflowEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue?.end();
    const stream = this.stream;
    if (!stream) return;
    // quit() waits for the native side; never let a wedged driver hang shutdown. The native
    // close is still tracked after the 2 s guard, so the next open waits for it.
    let nativeDone!: () => void;
    const native = new Promise<void>((resolve) => { nativeDone = resolve; });
    const closing = this.binding ? closingOf(this.binding) : null;
    closing?.add(native);
    void native.then(() => closing?.delete(native));
    await new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, 2000);
      const done = () => {
        nativeDone();
        this.clock.clearTimeout(timer);
        resolve();
      };
      try {
        if (this.started) stream.quit(done);
        else stream.abort(done);
      } catch {
        done();
      }
    });
    stream.removeAllListeners('data');
  }

  stats(): AudioSourceStats {
    return { ...this.counters };
  }
}

function withEnv<T>(env: Record<string, string> | undefined, fn: () => T): T {
  if (!env) return fn();
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
