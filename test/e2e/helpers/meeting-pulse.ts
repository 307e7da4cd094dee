/**
 * A meeting on a private PulseAudio daemon (private-pulse.ts): two null sinks, one standing in
 * for the microphone (its monitor is captured as `device:<sink>.monitor`) and one the default
 * sink, whose monitor is what `--source system` captures on Linux (system-audio.ts resolves it
 * to the default sink's monitor). Both sides are played at the same moment; the echo case
 * plays the system passage on the mic side too, 12 dB quieter and 40 ms later, as a laptop's
 * microphone hears its own speakers.
 *
 * Two players started in the same tick reach their sinks together: the echo copy measured on
 * the mic monitor sits 40.0 ms after the original on the system monitor (meeting-pulse.test.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { Passage } from '../../fakes/passage-catalogue.js';
import { concatPcm } from '../../fakes/pcm.js';
import { writeWav } from '../../fakes/wav-writer.js';
import { PrivatePulse } from './private-pulse.js';

export class MeetingPulse {
  readonly pulse: PrivatePulse;

  private constructor(
    readonly micSink: string,
    readonly systemSink: string,
  ) {
    this.pulse = new PrivatePulse(micSink);
  }

  /** Starts the daemon with both sinks, the system one as the default output. */
  static async start(tag = String(process.pid)): Promise<MeetingPulse> {
    const m = new MeetingPulse(`meeting_mic_${tag}`, `meeting_system_${tag}`);
    await m.pulse.start();
    // 44.1 kHz here, the daemon's default (48 kHz on Debian) for the mic: both round trips a desktop makes.
    await m.pulse.run('pactl', ['load-module', 'module-null-sink', `sink_name=${m.systemSink}`, 'rate=44100']);
    await m.pulse.run('pactl', ['set-default-sink', m.systemSink]);
    return m;
  }

  /** What the CLI needs to reach this daemon (and only this one). */
  get env(): Record<string, string | undefined> {
    return this.pulse.env;
  }

  /** The --source term that captures the microphone side. */
  get micSource(): string {
    return `device:${this.micSink}.monitor`;
  }

  /** The default sink, as the daemon reports it (what `--source system` will capture). */
  async defaultSink(): Promise<string> {
    return (await this.pulse.run('pactl', ['get-default-sink'])).trim();
  }

  /**
   * Plays `mic` into the microphone sink and `system` into the system sink, both players
   * started in the same tick; resolves when both have finished.
   */
  playTogether(mic: string, system: string): Promise<void> {
    return Promise.all([this.pulse.play(mic, this.micSink), this.pulse.play(system, this.systemSink)]).then(() => undefined);
  }

  /**
   * Records a sink's monitor as 16 kHz mono int16 (PulseAudio resamples) until stop() is
   * called. For checking the setup itself; the CLI captures through PortAudio.
   */
  record(sink: string): { stop(): Promise<Int16Array> } {
    const env = { ...process.env };
    for (const [k, v] of Object.entries(this.pulse.env)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child: ChildProcess = spawn('parec', [`--device=${sink}.monitor`, '--rate=16000', '--channels=1', '--format=s16le', '--raw', '--latency-msec=20'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const parts: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => parts.push(d));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    return {
      async stop() {
        child.kill('SIGTERM');
        await closed;
        const bytes = Buffer.concat(parts);
        return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + (bytes.byteLength & ~1)));
      },
    };
  }

  async dispose(): Promise<void> {
    await this.pulse.dispose();
  }
}

/**
 * Writes the passages one after another with `pauseMs` of digital silence before each and
 * after the last, as one 16 kHz mono WAV; returns the file and where each passage starts (s).
 */
export function writePassages(file: string, passages: readonly Passage[], pauseMs = 700): { file: string; starts: number[]; seconds: number } {
  const rate = 16000;
  const pause = new Int16Array((pauseMs * rate) / 1000);
  const parts: Int16Array[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const p of passages) {
    if (p.rate !== rate) throw new Error(`meeting-pulse: ${p.id} is not 16 kHz`);
    parts.push(pause, p.samples);
    starts.push((at + pause.length) / rate);
    at += pause.length + p.samples.length;
  }
  parts.push(pause);
  const all = concatPcm(parts);
  writeWav(file, all, rate, 1);
  return { file, starts, seconds: all.length / rate };
}

/** The echo a microphone picks up from the speakers: 12 dB quieter and 40 ms later (sox). */
export function writeEchoCopy(input: string, output: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sox', [input, output, 'vol', '-12dB', 'pad', '0.04'], (err, _stdout, stderr) => {
      if (err) reject(new Error(`sox ${input}: ${(stderr || err.message).trim()}`));
      else resolve(output);
    });
  });
}
