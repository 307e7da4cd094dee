/**
 * Streaming RIFF/WAVE reader. Walks the chunks with bounded reads (unknown chunks are skipped, odd
 * sizes get their pad byte), then hands out the data chunk in whole frames of at most `chunkBytes`.
 * Never reads the whole file, so hours-long recordings cost no more memory than short ones.
 */
import { createReadStream, promises as fsp, type ReadStream } from 'node:fs';
import { EarshotError } from '../../shared/errors.js';
import { BytePuller } from './byte-puller.js';
import { corrupt, parseFmt, type WavFmt } from './wav-format.js';

export interface WavInfo extends WavFmt {
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Declared data size, or null when the header says "until the end of the file" (0 or 0xFFFFFFFF). */
  declaredDataBytes: number | null;
  /** Whole frames that will actually be delivered (the declared size capped by the file's length). */
  totalFrames: number;
  /** Frames the header declares but the file does not hold (a truncated file); 0 when whole. */
  missingFrames: number;
}

export interface WavReaderOptions {
  /** Read size and maximum chunk size handed out (rounded down to whole frames). Default 64 KiB. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** A fmt chunk is 16-40 bytes; anything past this is not a WAV file we should trust. */
const MAX_FMT_BYTES = 64 * 1024;
/** Real files have a handful of chunks before the audio; a flood of empty ones is not a WAV. */
const MAX_CHUNKS_BEFORE_DATA = 1000;

export class WavReader {
  private closed = false;

  private constructor(
    readonly file: string,
    readonly info: WavInfo,
    private readonly puller: BytePuller,
    private readonly stream: ReadStream,
    private readonly chunkBytes: number,
  ) {}

  /** Bytes read from disk so far (the header, delivered data and a bounded read-ahead). */
  get bytesFromDisk(): number {
    return this.stream.bytesRead;
  }

  static async open(file: string, opts: WavReaderOptions = {}): Promise<WavReader> {
    const chunkBytes = Math.max(64, Math.floor(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES));
    const size = await fileSize(file);
    const stream = createReadStream(file, { highWaterMark: chunkBytes });
    const puller = new BytePuller(stream);
    try {
      const info = await readHeader(puller, file, size);
      return new WavReader(file, info, puller, stream, chunkBytes);
    } catch (err) {
      puller.close();
      throw mapIoError(err, file);
    }
  }

  /** The samples, interleaved, in whole frames. Ends at the data chunk's end, EOF or close(). */
  async *frames(): AsyncGenerator<Buffer> {
    const { blockAlign, declaredDataBytes } = this.info;
    const maxOut = Math.max(blockAlign, this.chunkBytes - (this.chunkBytes % blockAlign));
    let remaining = declaredDataBytes ?? Number.POSITIVE_INFINITY;
    let carry: Buffer = Buffer.alloc(0);
    try {
      while (remaining > 0 && !this.closed) {
        const piece = await this.puller.next(Math.min(remaining, this.chunkBytes));
        if (!piece.length) break; // EOF: a truncated last frame (in carry) is dropped
        remaining -= piece.length;
        let bytes = carry.length ? Buffer.concat([carry, piece]) : piece;
        while (bytes.length >= blockAlign) {
          const take = Math.min(maxOut, bytes.length - (bytes.length % blockAlign));
          yield bytes.subarray(0, take);
          bytes = bytes.subarray(take);
        }
        carry = Buffer.from(bytes);
      }
    } catch (err) {
      if (this.closed) return;
      throw mapIoError(err, this.file);
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.puller.close();
  }
}

async function readHeader(p: BytePuller, file: string, size: number): Promise<WavInfo> {
  if (size === 0) throw corrupt(file, 'the file is empty');
  const riff = await p.read(12);
  if (riff.length < 12) throw corrupt(file, `the file is only ${riff.length} bytes, too short for a WAV header`);
  const magic = riff.toString('latin1', 0, 4);
  if ((magic !== 'RIFF' && magic !== 'RF64') || riff.toString('latin1', 8, 12) !== 'WAVE') {
    throw corrupt(file, 'it does not start with a RIFF/WAVE header');
  }
  let fmt: WavFmt | null = null;
  for (let chunks = 0; ; chunks++) {
    if (chunks >= MAX_CHUNKS_BEFORE_DATA) throw corrupt(file, `more than ${MAX_CHUNKS_BEFORE_DATA} chunks before the audio`);
    const head = await p.read(8);
    if (head.length < 8) {
      throw corrupt(file, fmt ? 'the file ends before the data chunk' : 'no fmt chunk (the file ends inside the header)');
    }
    const id = head.toString('latin1', 0, 4);
    const chunkSize = head.readUInt32LE(4);
    const left = size - p.offset;
    if (id === 'fmt ') {
      if (fmt) throw corrupt(file, 'it has two fmt chunks');
      if (chunkSize > MAX_FMT_BYTES) throw corrupt(file, `implausible fmt chunk size ${chunkSize}`);
      const body = await p.read(chunkSize);
      if (body.length < chunkSize) throw corrupt(file, 'the file ends inside the fmt chunk');
      fmt = parseFmt(body, file);
      await p.skip(chunkSize & 1);
    } else if (id === 'data') {
      if (!fmt) throw corrupt(file, 'the data chunk comes before the fmt chunk');
      const declared = chunkSize === 0 || chunkSize === 0xffffffff ? null : chunkSize;
      const available = Math.max(0, left);
      const bytes = declared === null ? available : Math.min(declared, available);
      const totalFrames = Math.floor(bytes / fmt.blockAlign);
      if (totalFrames === 0) throw corrupt(file, declared === null || declared >= fmt.blockAlign ? 'the data chunk holds no audio' : `the data chunk holds ${declared} bytes, less than one ${fmt.blockAlign}-byte frame`);
      const missingFrames = declared === null ? 0 : Math.max(0, Math.floor(declared / fmt.blockAlign) - totalFrames);
      return { ...fmt, dataOffset: p.offset, declaredDataBytes: declared, totalFrames, missingFrames };
    } else {
      // LIST, fact, bext, cue, ds64, JUNK, ...: not needed for playback.
      const want = chunkSize + (chunkSize & 1);
      if (want > left) throw corrupt(file, `a "${printable(id)}" chunk claims ${chunkSize} bytes but only ${left} follow${fmt ? '; no data chunk' : ''}`);
      const skipped = await p.skip(want);
      if (skipped < want) throw corrupt(file, fmt ? 'no data chunk' : 'no fmt chunk');
    }
  }
}

/** A chunk id as it can be shown (binary garbage as \xNN). */
function printable(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

async function fileSize(file: string): Promise<number> {
  let st;
  try {
    st = await fsp.stat(file);
  } catch (err) {
    throw mapIoError(err, file);
  }
  if (!st.isFile()) throw new EarshotError('FILE_NOT_FOUND', `${file}: not a regular file`);
  return st.size;
}

function mapIoError(err: unknown, file: string): unknown {
  if (err instanceof EarshotError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'it is a directory',
  };
  const reason = (code && why[code]) ?? (err instanceof Error ? err.message : String(err));
  return new EarshotError('FILE_NOT_FOUND', `${file}: ${reason}`);
}
