/**
 * Pull-style reads over a Node readable stream: "give me exactly n bytes" for headers, "give me the
 * next piece" for bulk data. Holds at most one stream chunk plus one small request, never the file.
 */
import type { Readable } from 'node:stream';

export class BytePuller {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  /** Absolute offset of the next byte handed out. */
  offset = 0;

  constructor(private readonly stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Up to n bytes; fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n && (await this.more())) {
      /* keep filling */
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    this.offset += out.length;
    return out;
  }

  /** Skips up to n bytes; returns how many were skipped (fewer only at the end). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (!this.buf.length && !(await this.more())) break;
      const take = Math.min(left, this.buf.length);
      this.buf = this.buf.subarray(take);
      left -= take;
    }
    this.offset += n - left;
    return n - left;
  }

  /** Whatever is buffered (or the next chunk), at most max bytes; empty at the end. */
  async next(max: number): Promise<Buffer> {
    if (!this.buf.length) await this.more();
    return this.read(Math.min(max, this.buf.length));
  }

  close(): void {
    this.done = true;
    this.stream.destroy();
  }

  private async more(): Promise<boolean> {
    if (this.done) return false;
    const r = await this.it.next();
    if (r.done) {
      this.done = true;
      return false;
    }
    const chunk = r.value;
    // Concatenate only the leftover of a header read (a few bytes), never bulk data.
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return true;
  }
}
