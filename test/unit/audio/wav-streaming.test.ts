import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WavReader } from '../../../main/audio/wav-reader.js';
import { buildWav } from './wav-builder.js';

// ~50 MB of stereo s16 at 48 kHz (about 4.5 minutes), written block by block.
const FRAMES = 13_000_000;
const BLOCK_FRAMES = 1 << 18;
const CHUNK = 64 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'earshot-wav-big-'));
const path = join(dir, 'long.wav');

/** Frame f holds (f mod 65536) in both channels, so any skipped, repeated or reordered byte shows. */
function block(start: number, frames: number): Buffer {
  const b = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const v = ((start + i) & 0xffff) - 32768;
    b.writeInt16LE(v, i * 4);
    b.writeInt16LE(v, i * 4 + 2);
  }
  return b;
}

beforeAll(() => {
  const header = buildWav({ channels: 2, sampleRate: 48000, bits: 16, data: Buffer.alloc(0), dataSize: FRAMES * 4 });
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  for (let f = 0; f < FRAMES; f += BLOCK_FRAMES) writeSync(fd, block(f, Math.min(BLOCK_FRAMES, FRAMES - f)));
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('streams a 50 MB file in bounded chunks with bounded read-ahead', async () => {
  const reader = await WavReader.open(path, { chunkBytes: CHUNK });
  expect(reader.info.totalFrames).toBe(FRAMES);
  expect(reader.bytesFromDisk).toBeLessThanOrEqual(2 * CHUNK); // opening reads the header, not the file
  const before = process.memoryUsage();
  let peakExternal = 0;
  let delivered = 0;
  let chunks = 0;
  let maxChunk = 0;
  let maxReadAhead = 0;
  let expectFrame = 0;
  for await (const c of reader.frames()) {
    chunks++;
    maxChunk = Math.max(maxChunk, c.length);
    delivered += c.length;
    maxReadAhead = Math.max(maxReadAhead, reader.bytesFromDisk - reader.info.dataOffset - delivered);
    // Spot-check the content of every chunk (first and last frame).
    const frames = c.length / 4;
    expect(c.readInt16LE(0)).toBe((expectFrame & 0xffff) - 32768);
    expect(c.readInt16LE(c.length - 2)).toBe(((expectFrame + frames - 1) & 0xffff) - 32768);
    expectFrame += frames;
    if (chunks % 64 === 0) {
      const m = process.memoryUsage();
      peakExternal = Math.max(peakExternal, m.arrayBuffers - before.arrayBuffers);
    }
  }
  expect(delivered).toBe(FRAMES * 4);
  expect(maxChunk).toBeLessThanOrEqual(CHUNK);
  expect(chunks).toBeGreaterThanOrEqual(Math.ceil((FRAMES * 4) / CHUNK));
  // The reader holds at most a couple of read-sized pieces ahead of what it handed out.
  expect(maxReadAhead).toBeLessThanOrEqual(3 * CHUNK);
  // Garbage collection timing varies, but a whole-file read would hold all 52 MB at once.
  expect(peakExternal).toBeLessThan(40 * 1024 * 1024);
});
