/**
 * "Keep the meeting audio to improve the transcript afterwards": the PCM a run sends to the
 * service, kept on disk beside the history, bounded. Each run gets a folder of one-minute
 * raw s16le files named by their first sample, plus meta.json, written as the audio arrives
 * (every chunk is on disk when write() returns, like the history journal, so a crash loses
 * nothing already written). Past the size limit the oldest minutes are deleted first, and the
 * dropped time is counted. For upload the remaining minutes become one WAV file.
 */
import { closeSync, createReadStream, createWriteStream, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { EarshotError } from '../../shared/errors.js';

export interface KeptAudioMeta {
  rate: number;
  channels: 1;
  format: 's16le';
  startedAt: string;
}

export interface KeptAudioInfo {
  id: string;
  bytes: number;
  /** Seconds of audio still kept. */
  seconds: number;
  /** Where the kept audio starts on the run's timeline (the oldest minutes may be gone). */
  offsetSeconds: number;
}

const NAME = /^(\d{12})\.pcm$/;
/** A session's folder name: never a path (ids also arrive over IPC). */
const ID = /^[\w.-]+$/;
const fileName = (sample: number) => `${String(sample).padStart(12, '0')}.pcm`;

export class KeptAudioWriter {
  readonly dir: string;
  private sample = 0;
  private segmentStart = 0;
  private readonly segmentSamples: number;
  private total = 0;
  private dropped = 0;
  private failed = false;
  /** The minute being written, kept open: this runs for every frame sent (20 times a second). */
  private fd: number | null = null;
  private closed = false;

  constructor(private readonly opts: { root: string; id: string; rate: number; maxBytes: number; startedAt: Date; segmentSeconds?: number; onError?(message: string): void }) {
    if (!ID.test(opts.id)) throw new EarshotError('INTERNAL', `kept-audio id ${opts.id}`);
    this.dir = join(opts.root, opts.id);
    this.segmentSamples = Math.round(opts.rate * (opts.segmentSeconds ?? 60));
    try {
      mkdirSync(this.dir, { recursive: true });
      const meta: KeptAudioMeta = { rate: opts.rate, channels: 1, format: 's16le', startedAt: opts.startedAt.toISOString() };
      writeFileSync(join(this.dir, 'meta.json'), JSON.stringify(meta));
    } catch (err) {
      this.fail(err);
    }
  }

  /** Seconds of the oldest audio deleted to stay under the limit. */
  get droppedSeconds(): number {
    return this.dropped / this.opts.rate;
  }

  write(pcm: Int16Array): void {
    if (this.failed || this.closed || pcm.length === 0) return;
    let at = 0;
    try {
      while (at < pcm.length) {
        if (this.sample - this.segmentStart >= this.segmentSamples) {
          this.closeSegment();
          this.segmentStart = this.sample;
          this.trim();
        }
        this.fd ??= openSync(join(this.dir, fileName(this.segmentStart)), 'a');
        const n = Math.min(pcm.length - at, this.segmentSamples - (this.sample - this.segmentStart));
        const part = pcm.subarray(at, at + n);
        const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
        for (let done = 0; done < bytes.length;) done += writeSync(this.fd, bytes, done, bytes.length - done);
        this.sample += n;
        this.total += n * 2;
        at += n;
      }
    } catch (err) {
      this.fail(err);
    }
  }

  /** The run ended. Idempotent; what was written stays on disk. */
  close(): void {
    this.closed = true;
    this.closeSegment();
  }

  private closeSegment(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  /** Deletes the oldest finished minutes until the kept audio fits the limit. */
  private trim(): void {
    for (const oldest of segments(this.dir)) {
      if (this.total <= this.opts.maxBytes || oldest.start === this.segmentStart) return;
      rmSync(join(this.dir, oldest.name), { force: true });
      this.total -= oldest.bytes;
      this.dropped += oldest.bytes / 2;
    }
  }

  private fail(err: unknown): void {
    // A full disk must not stop captions: keeping audio stops and says why.
    this.failed = true;
    try { this.closeSegment(); } catch { /* already failing */ }
    this.opts.onError?.(`The meeting audio can no longer be kept: ${(err as Error).message}`);
  }
}

function segments(dir: string): { name: string; start: number; bytes: number }[] {
  let names: string[] = [];
  try { names = readdirSync(dir); } catch { return []; }
  return names.flatMap((name) => {
    const m = NAME.exec(name);
    if (!m) return [];
    return [{ name, start: Number(m[1]), bytes: statSync(join(dir, name)).size }];
  }).sort((a, b) => a.start - b.start);
}

function readMeta(dir: string): KeptAudioMeta | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Partial<KeptAudioMeta>;
    return typeof m.rate === 'number' && m.rate > 0 ? (m as KeptAudioMeta) : null;
  } catch {
    return null;
  }
}

/** The kept audio of run `id`, or null when there is none (never kept, or deleted). */
export function keptAudioInfo(root: string, id: string): KeptAudioInfo | null {
  if (!ID.test(id)) return null;
  const dir = join(root, id);
  const meta = readMeta(dir);
  const segs = segments(dir);
  if (!meta || segs.length === 0) return null;
  const bytes = segs.reduce((n, s) => n + s.bytes, 0);
  return { id, bytes, seconds: bytes / 2 / meta.rate, offsetSeconds: segs[0]!.start / meta.rate };
}

/**
 * Writes the kept audio of run `id` as one 16-bit mono WAV at `out`, streamed (a long meeting
 * never sits in memory). A gap left by a crash mid-write is not filled: times after it shift,
 * which the improved transcript tolerates better than invented silence.
 */
export async function writeKeptWav(root: string, id: string, out: string): Promise<KeptAudioInfo> {
  const info = keptAudioInfo(root, id);
  if (!info) throw new EarshotError('FILE_NOT_FOUND', `no kept audio for this session (${id}); it was not kept or has been deleted`);
  const meta = readMeta(join(root, id))!;
  const dataBytes = Math.floor(info.bytes / 2) * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + dataBytes, 4); header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
  header.writeUInt32LE(meta.rate, 24); header.writeUInt32LE(meta.rate * 2, 28); header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34);
  header.write('data', 36); header.writeUInt32LE(dataBytes, 40);
  const fd = openSync(out, 'w');
  try { writeSync(fd, header); } finally { closeSync(fd); }
  for (const s of segments(join(root, id))) {
    await pipeline(createReadStream(join(root, id, s.name)), createWriteStream(out, { flags: 'a' }));
  }
  return info;
}

/**
 * Deletes kept audio that nothing can reach any more: sessions not in the history (history
 * was off, or the run was removed). Without this, each session's limit would bound one
 * session but not the folder. Returns the ids deleted.
 */
export function pruneKeptAudio(root: string, reachable: ReadonlySet<string>): string[] {
  let names: string[] = [];
  try { names = readdirSync(root); } catch { return []; }
  const gone = names.filter((n) => ID.test(n) && !reachable.has(n));
  for (const id of gone) removeKeptAudio(root, id);
  return gone;
}

export function removeKeptAudio(root: string, id: string): void {
  if (!ID.test(id)) return;
  rmSync(join(root, id), { recursive: true, force: true });
}
