/**
 * System audio and source resolution: the one place the CLI and the app turn "mic", "system",
 * "device:ID" or "file:PATH" into an AudioSource, and list everything for `earshot devices`.
 *
 * Linux system audio is a PulseAudio/PipeWire monitor source, captured through PortAudio's ALSA
 * "pulse" device with PULSE_SOURCE naming the monitor while the stream opens (libpulse reads it
 * when the plugin creates its context). Windows and macOS need loopback APIs that naudiodon
 * does not expose; there system audio comes with the desktop app.
 */
import { EarshotError, errorInfo, type ErrorInfo } from '../../shared/errors.js';
import { systemClock, type Clock, type TimerHandle, type Unsubscribe } from '../util/clock.js';
import { ChildCaptureSource } from './child-capture-source.js';

/** No data at all from a capture child for this long means its stream is dead. */
export const RECOVER_AFTER_SILENT_MS = 3000;
import { listInputsInChild, type SpawnCapture } from './capture-process.js';
import type { NaudiodonBinding } from './naudiodon-binding.js';
import { listInputDevices, PortAudioSource } from './portaudio-source.js';
import { defaultMonitorName, listPulseMonitors, runPactl, type PactlRunner, type PulseMonitor } from './pulse-monitors.js';
import type { AudioDevice, AudioFormat, AudioOverflowEvent, AudioSource, AudioSourceStats, DeviceListing } from './types.js';
import { WavFileSource } from './wav-file-source.js';

export const DESKTOP_ONLY_NOTE =
  'System audio (what your speakers play) comes with the Earshot desktop app on Windows and macOS; from the command line it works on Linux (PulseAudio/PipeWire).';

export interface AudioEnv {
  platform?: NodeJS.Platform;
  clock?: Clock;
  pactl?: PactlRunner;
  binding?: () => Promise<NaudiodonBinding>;
  /**
   * Run PortAudio in a child process (the CLI): its stdout printf's and probing noise stay out of
   * this process's output, and a native crash becomes DEVICE_LOST. Needs a Node binary, so the
   * desktop app (runAsNode fuse off) captures in-process.
   */
  isolateCapture?: boolean;
  /** Starts the capture child (tests); default: capture-child.js with this Node. */
  spawnCapture?: SpawnCapture;
  /** Open with this rate and layout instead of the device's own (a reopen must match the first open). */
  format?: { sampleRate: number; channels: number };
}

export async function listAllDevices(env: AudioEnv = {}): Promise<DeviceListing> {
  const notes: string[] = [];
  const devices: AudioDevice[] = [];
  try {
    const inputs = env.isolateCapture ? await listInputsInChild({ spawn: env.spawnCapture, clock: env.clock }) : await listInputDevices(env.binding);
    devices.push(...inputs);
    if (!inputs.length) notes.push('No microphone or line inputs were found.');
  } catch (err) {
    notes.push(`Inputs could not be listed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if ((env.platform ?? process.platform) !== 'linux') {
    notes.push(DESKTOP_ONLY_NOTE);
    return { devices, notes };
  }
  try {
    const run = env.pactl ?? runPactl;
    const monitors = await listPulseMonitors(run);
    const def = await defaultMonitorName(run).catch(() => '');
    devices.push(...monitors.map((m) => monitorDevice(m, m.name === def)));
    notes.push(
      monitors.length
        ? 'System audio: use --source system for the default output, or --source device:NAME with a monitor name.'
        : 'PulseAudio/PipeWire is running but lists no monitor sources, so system audio cannot be captured.',
    );
  } catch (err) {
    notes.push(`System audio is unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { devices, notes };
}

function monitorDevice(m: PulseMonitor, isDefault: boolean): AudioDevice {
  return { id: m.name, name: m.description, hostApi: 'PulseAudio', kind: 'monitor', defaultSampleRate: m.sampleRate, maxInputChannels: m.channels, isDefault };
}

/** Turns a --source value into an AudioSource. Nothing is opened until open(). */
export async function resolveSource(spec: string, env: AudioEnv = {}): Promise<AudioSource> {
  const linux = (env.platform ?? process.platform) === 'linux';
  const pa = { clock: env.clock, binding: env.binding, ...(env.format ?? {}) };
  // The child resolves the same spec in-process; only WAV files stay here.
  // A sound-server restart leaves a capture stream silent-dead; 3 s of no audio at all (a
  // monitor delivers silence as data) reopens it.
  const isolated = () => new ChildCaptureSource({ spec, clock: env.clock, spawn: env.spawnCapture, reopenAfterSilentMs: RECOVER_AFTER_SILENT_MS });
  if (spec === 'mic') return env.isolateCapture ? isolated() : new PortAudioSource(pa);
  if (spec === 'system') {
    if (!linux) throw new EarshotError('SYSTEM_AUDIO_UNSUPPORTED', `--source system on ${env.platform ?? process.platform}`);
    return env.isolateCapture ? isolated() : new MonitorSource(undefined, env);
  }
  if (spec.startsWith('file:') && spec.length > 5) return new WavFileSource(spec.slice(5));
  if (spec.startsWith('device:') && spec.length > 7) {
    if (env.isolateCapture) return isolated();
    const id = spec.slice(7);
    // A PulseAudio source name may be a monitor; numbers are always PortAudio ids.
    if (linux && !/^\d+$/.test(id)) return new MonitorSource(id, env);
    return new PortAudioSource({ ...pa, device: id });
  }
  throw new EarshotError('BAD_ARGUMENT', `--source must be mic, system, device:ID or file:PATH (got "${spec}")`);
}

/**
 * A monitor (default output's when `name` is undefined). A name that is not a monitor falls back to
 * a PortAudio input of that name, so `device:NAME` works for both kinds.
 */
class MonitorSource implements AudioSource {
  readonly live = true;
  private inner: PortAudioSource | null = null;
  private closed = false;
  private readonly listeners = new Set<(e: AudioOverflowEvent) => void>();
  private readonly errorListeners = new Set<(e: ErrorInfo) => void>();
  private watch: TimerHandle | undefined;

  constructor(
    private readonly name: string | undefined,
    private readonly env: AudioEnv,
  ) {}

  get description(): string {
    return this.inner?.description ?? (this.name ? `system audio ${this.name}` : 'system audio (default output)');
  }

  async open(): Promise<AudioFormat> {
    if (this.inner) return this.inner.open();
    const run = this.env.pactl ?? runPactl;
    const pa = { clock: this.env.clock, binding: this.env.binding, ...(this.env.format ?? {}) };
    let monitors: PulseMonitor[] = [];
    try {
      monitors = await listPulseMonitors(run);
    } catch (err) {
      if (!this.name) throw err; // `system` needs PulseAudio; a device name may still be a plain input
    }
    const wanted = this.name ?? (await defaultMonitorName(run));
    const m = monitors.find((x) => x.name === wanted);
    if (!m && this.name) {
      this.inner = new PortAudioSource({ ...pa, device: this.name });
    } else if (!m) {
      const known = monitors.map((x) => x.name).join(', ') || 'none';
      throw new EarshotError('DEVICE_NOT_FOUND', `the default output's monitor "${wanted}" is not listed (monitors: ${known})`);
    } else {
      this.inner = new PortAudioSource({
        ...pa,
        device: 'pulse',
        openEnv: { PULSE_SOURCE: m.name },
        // A null sink can change rate with what plays; a reopen asks for the first open's format.
        sampleRate: this.env.format?.sampleRate ?? m.sampleRate,
        channels: this.env.format?.channels ?? Math.min(2, m.channels),
        label: `system audio: ${m.description} [${m.name}]`,
      });
    }
    this.inner.onOverflow((e) => {
      for (const l of [...this.listeners]) l(e);
    });
    if (this.closed) await this.inner.close();
    try {
      const format = await this.inner.open();
      if (m && this.name) this.watchPresence(m, run);
      return format;
    } catch (err) {
      if (m && err instanceof EarshotError && err.code === 'DEVICE_NOT_FOUND') {
        throw new EarshotError('DEVICE_OPEN_FAILED', `PortAudio has no ALSA "pulse" device to capture ${m.name} through; install libasound2-plugins`);
      }
      throw err;
    }
  }

  chunks(): AsyncIterable<Buffer> {
    if (!this.inner) throw new EarshotError('INTERNAL', 'chunks() before open()');
    return this.inner.chunks();
  }

  onOverflow(listener: (e: AudioOverflowEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (e: ErrorInfo) => void): Unsubscribe {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    (this.env.clock ?? systemClock).clearTimeout(this.watch);
    await this.inner?.close();
  }

  stats(): AudioSourceStats {
    return this.inner?.stats() ?? { overflows: 0, bytes: 0, lostMs: 0 };
  }

  /**
   * When a chosen monitor's sink is removed (a headset unplugged, a null sink unloaded),
   * PulseAudio moves the recording to the fallback source: audio keeps flowing, from the wrong
   * device, and nothing else would notice. The source list is checked every few seconds; a
   * missing monitor stops capture with an error that says what happened.
   */
  private watchPresence(m: PulseMonitor, run: PactlRunner): void {
    const clock = this.env.clock ?? systemClock;
    const check = async () => {
      if (this.closed) return;
      let present = true;
      try {
        present = (await listPulseMonitors(run)).some((x) => x.name === m.name);
      } catch {
        present = true; // the sound server is away (restarting): nothing to conclude
      }
      if (this.closed) return;
      if (present) {
        this.watch = clock.setTimeout(() => { void check(); }, PRESENCE_CHECK_MS);
        return;
      }
      const error = errorInfo('DEVICE_LOST', `${m.description} [${m.name}] was removed, so capture stopped (the sound server would have moved it to another device). Plug it back in and choose it again, or choose another source.`);
      for (const l of [...this.errorListeners]) l(error);
      await this.close();
    };
    this.watch = clock.setTimeout(() => { void check(); }, PRESENCE_CHECK_MS);
  }
}

/** How often a chosen monitor is checked for being still there. */
const PRESENCE_CHECK_MS = 2000;
