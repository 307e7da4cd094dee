/**
 * Hour-long files at high --speed through the real `earshot` process and real sockets:
 * memory stays flat with file length, and a fast file on a healthy connection loses
 * nothing (every sample reaches the server, no "connection was down" claim).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLongFile, peakBetween, runLongFile, type LongFile } from './helpers/long-file-run.js';

let dir: string;
let hour: LongFile;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-long-'));
  hour = makeLongFile(dir, 60);
}, 60_000);

// The WAV files are 115 MB and 29 MB.
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('long files at high speed', () => {
  it('an hour of audio at --speed 50: RSS stays flat from the first minutes to the end', async () => {
    const run = await runLongFile(hour, { speed: 50, frameMs: 200, outDir: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.transcript).toBe(hour.speech.text);
    // Warmed up (sockets, buffers, JIT) after a fifth of the run; from there on an hour of
    // audio kept alive somewhere would add 115 MB (16 kHz mono), and did before the fix.
    const early = peakBetween(run, 0.15, 0.25);
    const growth = run.peakMb - early;
    expect(growth, `RSS ${early.toFixed(0)} MB at 20 % of the run, peak ${run.peakMb.toFixed(0)} MB`).toBeLessThan(30);
  }, 300_000);

  it('--speed 50 with small frames on a healthy connection drops nothing and claims no outage', async () => {
    const file = makeLongFile(dir, 15, 7);
    const run = await runLongFile(file, { speed: 50, outDir: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/connection was down|s of audio dropped/);
    expect(run.connections).toBe(1);
    expect(run.coverageProblems).toEqual([]);
    expect(run.transcript).toBe(file.speech.text);
    // When the link cannot take 50× the file is read slower, and the person is told.
    if (/SPEED|slower than asked/.test(run.stderr)) expect(run.stderr).toMatch(/read at about [\d.]+× instead of 50×.*no audio was dropped/);
  }, 300_000);
});
