/** A WAV file as an AudioSource. Not live: the pipeline paces it (real time by default). */
import { basename } from 'node:path';
import { EarshotError, errorInfo, type ErrorInfo } from '../../shared/errors.js';
import type { AudioFormat, AudioSource, AudioSourceStats } from './types.js';
import { WavReader, type WavReaderOptions } from './wav-reader.js';

export class WavFileSource implements AudioSource {
  readonly live = false;
  private reader: WavReader | null = null;
  private closed = false;
  private bytes = 0;

  constructor(
    readonly path: string,
    private readonly opts: WavReaderOptions = {},
  ) {}

  get description(): string {
    const f = this.reader?.info.format;
    const name = `file ${basename(this.path)}`;
    return f ? `${name} (${f.sampleRate} Hz, ${f.channels} ch, ${f.sampleFormat})` : name;
  }

  get totalFrames(): number | undefined {
    return this.reader?.info.totalFrames;
  }

  async open(): Promise<AudioFormat> {
    if (this.closed) throw new EarshotError('INTERNAL', `${this.path}: source already closed`);
    this.reader ??= await WavReader.open(this.path, this.opts);
    return this.reader.info.format;
  }

  openWarnings(): ErrorInfo[] {
    const info = this.reader?.info;
    if (!info || info.missingFrames === 0) return [];
    const rate = info.format.sampleRate;
    const have = info.totalFrames / rate;
    const missing = info.missingFrames / rate;
    return [
      errorInfo(
        'WAV_CORRUPT',
        `${basename(this.path)} is cut short: its header promises ${duration(have + missing)} of audio but the file holds ${duration(have)}; the missing ${duration(missing)} at the end cannot be captioned`,
      ),
    ];
  }

  async *chunks(): AsyncGenerator<Buffer> {
    const reader = this.reader;
    if (!reader) throw new EarshotError('INTERNAL', `${this.path}: chunks() before open()`);
    for await (const chunk of reader.frames()) {
      if (this.closed) return;
      this.bytes += chunk.length;
      yield chunk;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader?.close();
  }

  stats(): AudioSourceStats {
    return { overflows: 0, bytes: this.bytes };
  }
}

/** 75.25 → "1 min 15.3 s"; 4.5 → "4.5 s". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const min = Math.floor(seconds / 60);
  return `${min} min ${(seconds - min * 60).toFixed(1)} s`;
}
