import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keptAudioInfo, KeptAudioWriter, pruneKeptAudio, removeKeptAudio, writeKeptWav } from '../../../main/audio/kept-audio.js';

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'earshot-kept-')); });
afterEach(() => rmSync(root, { recursive: true, force: true }));

const ramp = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => (from + i) % 30000);
const RATE = 100; // 1 s = 100 samples = 200 bytes; "minutes" of 1 s keep the test small

describe('kept meeting audio', () => {
  it('keeps every sample on disk as it arrives, and gives it back as one WAV', async () => {
    const w = new KeptAudioWriter({ root, id: 'run-1', rate: RATE, maxBytes: 10_000, startedAt: new Date(0), segmentSeconds: 1 });
    for (let i = 0; i < 350; i += 70) w.write(ramp(i, 70));
    // Nothing is held in memory: the files alone describe the run (as after a crash).
    expect(keptAudioInfo(root, 'run-1')).toEqual({ id: 'run-1', bytes: 700, seconds: 3.5, offsetSeconds: 0 });
    const out = join(root, 'out.wav');
    await writeKeptWav(root, 'run-1', out);
    const wav = readFileSync(out);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(RATE);
    expect(wav.readUInt32LE(40)).toBe(700);
    expect([...new Int16Array(wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + 44 + 700))]).toEqual([...ramp(0, 350)]);
  });

  it('stays under its limit by deleting the oldest minutes, and says how much went', async () => {
    const w = new KeptAudioWriter({ root, id: 'long', rate: RATE, maxBytes: 600, startedAt: new Date(0), segmentSeconds: 1 });
    for (let i = 0; i < 1000; i += 50) w.write(ramp(i, 50)); // 10 s = 2000 bytes
    const info = keptAudioInfo(root, 'long')!;
    expect(info.bytes).toBeLessThanOrEqual(600 + 200); // the limit, plus the minute being written
    expect(info.offsetSeconds).toBe(10 - info.seconds);
    expect(w.droppedSeconds).toBe(info.offsetSeconds);
    const out = join(root, 'tail.wav');
    await writeKeptWav(root, 'long', out);
    const samples = new Int16Array(readFileSync(out).buffer.slice(44 + readFileSync(out).byteOffset));
    expect(samples[0]).toBe(ramp(info.offsetSeconds * RATE, 1)[0]); // the newest audio is what remains
  });

  it('reports a disk problem once and keeps captions going', () => {
    const errors: string[] = [];
    writeFileSync(join(root, 'blocker'), 'a file where a folder should be');
    const w = new KeptAudioWriter({ root: join(root, 'blocker'), id: 'r', rate: RATE, maxBytes: 1e6, startedAt: new Date(0), onError: (m) => errors.push(m) });
    expect(() => { w.write(ramp(0, 10)); w.write(ramp(0, 10)); }).not.toThrow();
    expect(errors).toEqual([expect.stringMatching(/^The meeting audio can no longer be kept: /)]);
  });

  it('forgets a run on request, and never reads outside its folder', () => {
    new KeptAudioWriter({ root, id: 'gone', rate: RATE, maxBytes: 1e6, startedAt: new Date(0) }).write(ramp(0, 10));
    removeKeptAudio(root, 'gone');
    expect(keptAudioInfo(root, 'gone')).toBeNull();
    expect(keptAudioInfo(root, '../etc')).toBeNull();
  });

  it('deletes the kept audio History can no longer reach, and only that', () => {
    for (const id of ['s-kept', 's-orphan', 's-improved']) new KeptAudioWriter({ root, id, rate: RATE, maxBytes: 1e6, startedAt: new Date(0) }).write(ramp(0, 10));
    expect(pruneKeptAudio(root, new Set(['s-kept'])).sort()).toEqual(['s-improved', 's-orphan']);
    expect(keptAudioInfo(root, 's-kept')).not.toBeNull();
    expect(keptAudioInfo(root, 's-orphan')).toBeNull();
    expect(pruneKeptAudio(join(root, 'missing'), new Set())).toEqual([]);
  });
});
